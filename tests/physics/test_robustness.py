"""Split conformal: the corrected rank, the full-set edge, the coverage bounds (checked
by seeded simulation in pure Python), coverage under the documented covariate-shift
model; selective prediction and total variation."""
from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsyslabs.physics import PhysicsError
from mlsyslabs.physics import robustness as R


def test_rank_and_full_set_upstream_v214():
    # v2.14 Part D: n = 3, alpha = 0.1 -> rank 4 > 3 -> full set; n = 9, alpha = 0.2 -> rank 8
    assert R.conformal_rank(n=3, alpha=0.1) == 4
    assert R.coverage_bounds(n=3, alpha=0.1).full_set
    assert R.conformal_rank(n=9, alpha=0.2) == 8 and not R.coverage_bounds(n=9, alpha=0.2).full_set
    assert R.conformal_rank(n=9, alpha=0.1) == 9  # (9 + 1) x 0.9 is 9, not 10 (rounding-safe)
    assert R.min_calibration_size(alpha=0.1) == 9 and R.min_calibration_size(alpha=0.3) == 3
    assert R.conformal_quantile(scores=[0.3, 0.1, 0.2], alpha=0.1) == math.inf
    assert R.conformal_quantile(scores=[5, 1, 4, 2, 3, 9, 8, 7, 6], alpha=0.2) == 8


def test_bounds_by_hand():
    b = R.coverage_bounds(n=100, alpha=0.1)
    assert b.rank == 91 and b.expected == pytest.approx(91 / 101)
    assert b.guaranteed == 0.9 <= b.expected < b.upper == pytest.approx(0.9 + 1 / 101)
    a, c = 91, 10
    assert b.conditional_sd == pytest.approx(math.sqrt(a * c / (101 ** 2 * 102)))


@pytest.mark.parametrize("n,alpha", [(9, 0.1), (19, 0.1), (50, 0.2), (200, 0.05)])
def test_coverage_matches_simulation(n, alpha):
    rng = random.Random(n * 31 + int(alpha * 100))
    trials, covered = 6000, 0
    for _ in range(trials):
        cal = [abs(rng.gauss(0, 1)) for _ in range(n)]
        q = R.conformal_quantile(scores=cal, alpha=alpha)
        covered += abs(rng.gauss(0, 1)) <= q
    b = R.coverage_bounds(n=n, alpha=alpha)
    sd = math.sqrt(b.expected * (1 - b.expected) / trials)
    assert covered / trials == pytest.approx(b.expected, abs=4 * sd)
    assert b.guaranteed - 4 * sd <= covered / trials < b.upper + 4 * sd


def test_shift_model_no_shift_is_calibrated_and_more_hard_inputs_undercover():
    same = R.coverage_under_shift(n=999, alpha=0.1, hard_share_calibration=0.2, hard_share_test=0.2)
    assert same.coverage == pytest.approx(same.calibrated_coverage, abs=1e-9) and same.coverage_gap < 1e-9
    worse = R.coverage_under_shift(n=999, alpha=0.1, hard_share_calibration=0.1, hard_share_test=0.5)
    assert worse.coverage < 0.9 and worse.coverage >= worse.tv_lower_bound
    better = R.coverage_under_shift(n=999, alpha=0.1, hard_share_calibration=0.5, hard_share_test=0.1)
    assert better.coverage > 0.9
    assert R.coverage_under_shift(n=3, alpha=0.1).coverage == 1.0


def test_shift_model_matches_simulation():
    rng = random.Random(11)
    n, alpha, f0, f1, s = 2000, 0.1, 0.1, 0.4, 3.0

    def draw(f):
        return abs(rng.gauss(0, s if rng.random() < f else 1))
    q = R.conformal_quantile(scores=[draw(f0) for _ in range(n)], alpha=alpha)
    sim = sum(draw(f1) <= q for _ in range(40000)) / 40000
    assert sim == pytest.approx(R.coverage_under_shift(n=n, alpha=alpha, hard_share_calibration=f0,
                                                       hard_share_test=f1, hard_noise_scale=s).coverage, abs=0.02)


def test_selective_prediction_by_hand():
    conf = [0.95, 0.9, 0.85, 0.7, 0.6, 0.4]
    ok = [1, 1, 0, 1, 0, 0]
    s = R.selective_prediction(confidences=conf, correct=ok, threshold=0.8, arrival_rate=60, fallback_capacity=20)
    assert (s.accepted, s.rejected) == (3, 3)
    assert s.coverage == 0.5 and s.selective_risk == pytest.approx(1 / 3)
    assert s.fallback_per_s == 30 and s.overflow_per_s == 10 and s.fallback_utilization == 1.5
    none = R.selective_prediction(confidences=conf, correct=ok, threshold=0.99)
    assert none.selective_risk is None and none.coverage == 0


def test_tv_distance_by_hand():
    assert R.tv_distance(reference=[1, 1], current=[1, 1]) == 0
    assert R.tv_distance(reference=[10, 0], current=[0, 5]) == 1
    assert R.tv_distance(reference=[0.5, 0.3, 0.2], current=[0.3, 0.3, 0.4]) == pytest.approx(0.2)


@pytest.mark.parametrize("call,arg", [
    (lambda: R.conformal_rank(n=0, alpha=0.1), "n"),
    (lambda: R.conformal_rank(n=5, alpha=1.0), "alpha"),
    (lambda: R.conformal_quantile(scores=[], alpha=0.1), "scores"),
    (lambda: R.conformal_quantile(scores=[1, float("nan")], alpha=0.1), "scores"),
    (lambda: R.coverage_under_shift(n=10, alpha=0.1, hard_noise_scale=0.5), "hard_noise_scale"),
    (lambda: R.coverage_under_shift(n=10, alpha=0.1, hard_share_test=1.5), "hard_share_test"),
    (lambda: R.selective_prediction(confidences=[0.5], correct=[2], threshold=0.5), "correct"),
    (lambda: R.selective_prediction(confidences=[0.5], correct=[1], threshold=0.5, arrival_rate=-1), "arrival_rate"),
    (lambda: R.tv_distance(reference=[1, -1], current=[1, 1]), "reference"),
])
def test_invalid_input_names_the_argument(call, arg):
    with pytest.raises(PhysicsError) as exc:
        call()
    assert arg in str(exc.value)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 10000), st.floats(0.001, 0.999))
def test_bounds_hold_for_every_n_and_alpha(n, alpha):
    b = R.coverage_bounds(n=n, alpha=alpha)
    if b.full_set:
        assert n < b.min_n and b.expected == 1
    else:
        assert n >= b.min_n
        assert b.guaranteed - 1e-12 <= b.expected < b.upper + 1e-12 <= 1 + 1e-12
        assert b.conditional_sd >= 0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5000), st.floats(0.01, 0.5), st.floats(0, 1), st.floats(0, 1), st.floats(1, 20))
def test_shifted_coverage_is_a_probability(n, alpha, f0, f1, s):
    r = R.coverage_under_shift(n=n, alpha=alpha, hard_share_calibration=f0, hard_share_test=f1, hard_noise_scale=s)
    assert 0 <= r.coverage <= 1 and 0 <= r.tv_lower_bound <= r.coverage + 1e-9
