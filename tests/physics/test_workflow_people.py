"""Iteration velocity with people in the loop: GPUs run 24/7 and in parallel, the
reviewer who reads each result does not (40 h/week: ILO Convention C047)."""
import math

import pytest

from mlsyslabs.physics import workflow as W

FOUR_WEEKS = 4 * 168.0


def test_reviewer_hours_cap_the_fast_loop():
    # 30-min runs + 15-min review: machines alone would finish 896; one reviewer at
    # 40 h/week has 160 h in four weeks -> 640 reviews
    assert W.experiments_possible(FOUR_WEEKS, train_h=0.5, turnaround_h=0.25) == 640
    assert W.experiments_possible(FOUR_WEEKS, train_h=0.5, turnaround_h=0.25,
                                  review_hours_per_week=168) == math.floor(FOUR_WEEKS / 0.75)


def test_parallel_runs_stop_helping_once_the_reviewer_is_saturated():
    runs = [W.experiments_possible(FOUR_WEEKS, train_h=8, turnaround_h=0.25, parallel=p) for p in (1, 2, 4, 8, 16, 64)]
    assert runs == sorted(runs)
    assert runs[-1] == 640 == runs[-2] < 64 * runs[0]  # not multiplied by the slider
    assert W.experiments_possible(FOUR_WEEKS, train_h=8, turnaround_h=0.25, parallel=64, reviewers=2) == 1280


def test_without_review_time_machines_alone_bound_it():
    assert W.experiments_possible(FOUR_WEEKS, train_h=8, parallel=4) == 4 * math.floor(FOUR_WEEKS / 8)


def test_schedule_takes_the_longer_of_machines_and_people():
    kw = dict(validation_weeks=0, fix_days_at_start=0, caught_at="problem definition")
    machines = W.schedule_weeks(experiments=400, loop_h=8.25, parallel=16, **kw)
    assert machines == pytest.approx(25 * 8.25 / 168)
    people = W.schedule_weeks(experiments=400, loop_h=8.25, parallel=16, review_h=0.25, **kw)
    assert people == pytest.approx(400 * 0.25 / 40)  # 2.5 weeks of one reviewer's working hours
    assert W.schedule_weeks(experiments=400, loop_h=8.25, parallel=1, review_h=0.25, **kw) == pytest.approx(
        400 * 8.25 / 168)  # one run at a time: the machines are the bottleneck again


def test_bad_workflow_input_names_the_argument():
    with pytest.raises(ValueError, match="parallel must be an integer >= 1"):
        W.experiments_possible(10, train_h=1, parallel=0)
    with pytest.raises(ValueError, match="review_hours_per_week must lie in"):
        W.experiments_possible(10, train_h=1, turnaround_h=0.1, review_hours_per_week=200)
    with pytest.raises(ValueError, match="review_h must lie in"):
        W.schedule_weeks(experiments=1, loop_h=1, validation_weeks=0, fix_days_at_start=0,
                         caught_at="production", review_h=2)
