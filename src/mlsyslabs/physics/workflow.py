"""ML workflow economics: iteration velocity (machines and the people who review their
results) and the cost of late defects."""
from __future__ import annotations

import math

from .errors import check_choice, check_int, check_number, check_positive

# People are not machines: the reviewer who reads each result and chooses the next run
# works a standard week, not 168 hours. 40 h: the ILO Forty-Hour Week Convention, 1935
# (C047) and the US Fair Labor Standards Act standard workweek.
REVIEW_HOURS_PER_WEEK = 40.0
HOURS_PER_WEEK = 24 * 7.0


def experiments_possible(hours_available, *, train_h, eval_h=0.0, turnaround_h=0.0, parallel: int = 1,
                         reviewers: int = 1, review_hours_per_week: float = REVIEW_HOURS_PER_WEEK) -> int:
    """Completed experiments in `hours_available` wall-clock hours:
    min(machines, people), where
      machines = parallel x floor(hours / (train + eval + turnaround))  (GPUs run 24/7),
      people   = floor(reviewers x hours x review_hours_per_week / 168 / turnaround):
    every result needs `turnaround_h` of a reviewer's attention, and reviewers work
    `review_hours_per_week` of the 168 hours in a week, so running more experiments in
    parallel stops helping once the reviewers are saturated. (An upper bound: results
    that arrive outside working hours also wait, which this capacity bound ignores.)"""
    check_number("hours_available", hours_available, lo=0)
    check_number("train_h", train_h, lo=0)
    check_number("eval_h", eval_h, lo=0)
    check_number("turnaround_h", turnaround_h, lo=0)
    check_int("parallel", parallel, lo=1)
    check_int("reviewers", reviewers, lo=1)
    check_number("review_hours_per_week", review_hours_per_week, lo=0, lo_open=True, hi=HOURS_PER_WEEK)
    loop = train_h + eval_h + turnaround_h
    check_positive("loop time (train_h + eval_h + turnaround_h)", loop)
    machines = int(math.floor(hours_available / loop + 1e-9)) * parallel
    if turnaround_h == 0:
        return machines
    people = reviewers * hours_available * review_hours_per_week / HOURS_PER_WEEK / turnaround_h
    return machines if people >= machines else int(math.floor(people + 1e-9))


# Stages of an ML project, in order. Boehm & Basili 2001 ("Software Defect Reduction
# Top 10 List", IEEE Computer 34(1), item 1): a defect found after delivery often costs
# 100x one found at requirements/design in large, critical systems, and about 5x in
# small, noncritical ones. The engine interpolates geometrically between 1x (first
# stage) and the chosen ratio (production): an explicit model, not a measurement.
STAGES = ("problem definition", "data collection", "training", "evaluation", "deployment", "production")
DEFECT_COST_RATIO = 100.0
DEFECT_COST_SOURCE = ("Boehm & Basili 2001, IEEE Computer 34(1), item 1: often ~100x after delivery vs "
                      "requirements/design for large, critical systems (~5x for small, noncritical ones)")
SMALL_SYSTEM_DEFECT_COST_RATIO = 5.0  # the same source, small noncritical systems


def defect_cost_multiplier(stage: str, *, ratio: float = DEFECT_COST_RATIO) -> float:
    """Relative cost to fix a defect first found at `stage` (1 at the first stage)."""
    check_choice("stage", stage, STAGES)
    check_number("ratio", ratio, lo=1)
    i = STAGES.index(stage)
    return ratio ** (i / (len(STAGES) - 1))


def discovery_stage(*, validate_data: bool, evaluate: bool) -> str:
    """Where a data defect (e.g. a label-schema error) is first caught: validation
    catches it during data collection, a held-out evaluation catches it there, and
    otherwise users find it in production."""
    from .errors import check_bool

    check_bool("validate_data", validate_data)
    check_bool("evaluate", evaluate)
    return "data collection" if validate_data else "evaluation" if evaluate else "production"


def schedule_weeks(*, experiments: int, loop_h: float, validation_weeks: float, fix_days_at_start: float,
                   caught_at: str, hours_per_week: float = HOURS_PER_WEEK, parallel: int = 1,
                   review_h: float = 0.0, reviewers: int = 1,
                   review_hours_per_week: float = REVIEW_HOURS_PER_WEEK) -> float:
    """Weeks to ship: validation + experiments + the rework of the defect at the stage
    where it was caught. Experiments take the longer of the machines' time (run
    `parallel` at a time, `loop_h` each around the clock) and the reviewers' time
    (`review_h` of each loop is a person's attention, `review_hours_per_week` a week)."""
    check_int("experiments", experiments, lo=0)
    check_int("parallel", parallel, lo=1)
    check_int("reviewers", reviewers, lo=1)
    check_positive("loop_h", loop_h)
    check_number("validation_weeks", validation_weeks, lo=0)
    check_number("fix_days_at_start", fix_days_at_start, lo=0)
    check_number("hours_per_week", hours_per_week, lo=0, lo_open=True, hi=HOURS_PER_WEEK)
    check_number("review_h", review_h, lo=0, hi=loop_h)
    check_number("review_hours_per_week", review_hours_per_week, lo=0, lo_open=True, hi=HOURS_PER_WEEK)
    rework_days = fix_days_at_start * defect_cost_multiplier(caught_at)
    machine_weeks = math.ceil(experiments / parallel) * loop_h / hours_per_week
    people_weeks = experiments * review_h / (reviewers * review_hours_per_week)
    return validation_weeks + max(machine_weeks, people_weeks) + rework_days / 7.0


def training_run_hours(model, device, *, samples: float, epochs: float = 1, batch: int = 64,
                       precision: str = "bf16") -> float:
    """Wall-clock hours of one training run (samples x epochs) from the engine's
    training-step estimate at the efficiency model's MFU for the device class and
    workload (CNNs on GPUs: 0.20; see efficiency.py)."""
    from .serving import estimate

    check_positive("samples", samples)
    check_positive("epochs", epochs)
    sps = estimate(model, device, phase="training", batch=batch, precision=precision).samples_per_s
    return samples * epochs / sps / 3600.0


# Requirement propagation. Each stage's artifact is built on the previous stage's (data
# on the problem definition, the model on the data, the evaluation on the model, the
# deployment on the evaluated model, monitoring on the deployment): a chain, so a
# requirement that invalidates one stage's artifact forces rework of that stage and of
# every stage after it, however late in the calendar the requirement arrives.
def requirement_entry_stage(*, as_built_meets: bool, requantized_meets: bool, retrained_meets: bool,
                            data_allowed: bool = True) -> str:
    """The earliest stage whose artifact a changed requirement invalidates:
    'problem definition' when no model within reach meets it (the requirement or the
    product must be renegotiated); 'data collection' when the collected data may no
    longer be used; 'training' when the trained model misses it even re-quantized;
    'evaluation' when only new numerics (re-quantizing the same weights) meet it, since
    the evaluated model changed; otherwise 'deployment' (re-verify on the target)."""
    from .errors import check_bool

    for name, value in (("as_built_meets", as_built_meets), ("requantized_meets", requantized_meets),
                        ("retrained_meets", retrained_meets), ("data_allowed", data_allowed)):
        check_bool(name, value)
    if not retrained_meets:
        return STAGES[0]
    if not data_allowed:
        return "data collection"
    if not requantized_meets:
        return "training"
    return "deployment" if as_built_meets else "evaluation"


def stages_reworked(entry_stage: str) -> tuple[str, ...]:
    """The stages redone when a requirement invalidates `entry_stage`: it and every
    stage downstream of it in STAGES."""
    check_choice("entry_stage", entry_stage, STAGES)
    return STAGES[STAGES.index(entry_stage):]


# Release checks. An offline check scores a labelled held-out set on the training host
# in training precision; an on-target check runs unlabelled frames on the device and
# compares them with the reference model's outputs, timing and memory. Each sees only
# what it measures, where it runs.
CHECKS = ("offline", "on-target")
DEFECT_KINDS = ("labels", "quantization drift", "latency", "memory")


def detects(check: str, defect: str, *, on_host: bool, on_target: bool) -> bool:
    """Whether `check` catches `defect`: a label defect needs labels (offline only);
    any other defect is caught by a check that runs where it shows (`on_host`: on the
    training host in training precision; `on_target`: on the device, in its build)."""
    from .errors import check_bool

    check_choice("check", check, CHECKS)
    check_choice("defect", defect, DEFECT_KINDS)
    check_bool("on_host", on_host)
    check_bool("on_target", on_target)
    if defect == "labels":
        return check == "offline"
    return on_host if check == "offline" else on_target
