"""ML workflow economics: iteration velocity and the cost of late defects."""
from __future__ import annotations

import math

from .errors import PhysicsError, check_positive


def experiments_possible(hours_available, *, train_h, eval_h=0.0, turnaround_h=0.0, parallel: int = 1) -> int:
    """Completed experiments = floor(hours / (train + eval + turnaround)) x parallel runs."""
    check_positive("hours_available", hours_available, allow_zero=True)
    loop = train_h + eval_h + turnaround_h
    check_positive("loop time (train + eval + turnaround)", loop)
    return int(math.floor(hours_available / loop + 1e-9)) * parallel


# Stages of an ML project, in order. Boehm & Basili 2001 ("Software Defect Reduction
# Top 10 List", IEEE Computer 34(1)): a defect found after delivery costs often 100x
# one found at requirements/design. The engine interpolates geometrically between
# 1x (first stage) and that 100x (production): an explicit model, not a measurement.
STAGES = ("problem definition", "data collection", "training", "evaluation", "deployment", "production")
DEFECT_COST_RATIO = 100.0
DEFECT_COST_SOURCE = "Boehm & Basili 2001, IEEE Computer 34(1): ~100x after delivery vs requirements/design"


def defect_cost_multiplier(stage: str, *, ratio: float = DEFECT_COST_RATIO) -> float:
    """Relative cost to fix a defect first found at `stage` (1 at the first stage)."""
    if stage not in STAGES:
        raise PhysicsError(f"stage must be one of {', '.join(STAGES)}; got {stage!r}")
    check_positive("ratio", ratio)
    i = STAGES.index(stage)
    return ratio ** (i / (len(STAGES) - 1))


def discovery_stage(*, validate_data: bool, evaluate: bool) -> str:
    """Where a data defect (e.g. a label-schema error) is first caught: validation
    catches it during data collection, a held-out evaluation catches it there, and
    otherwise users find it in production."""
    return "data collection" if validate_data else "evaluation" if evaluate else "production"


def schedule_weeks(*, experiments: int, loop_h: float, validation_weeks: float, fix_days_at_start: float,
                   caught_at: str, hours_per_week: float = 24 * 7, parallel: int = 1) -> float:
    """Weeks to ship: validation + experiments (run `parallel` at a time, machine
    hours) + the rework of the defect at the stage where it was caught."""
    if experiments < 0 or parallel < 1:
        raise PhysicsError("experiments must be >= 0 and parallel >= 1")
    check_positive("loop_h", loop_h)
    rework_days = fix_days_at_start * defect_cost_multiplier(caught_at)
    return validation_weeks + math.ceil(experiments / parallel) * loop_h / hours_per_week + rework_days / 7.0


def training_run_hours(model, device, *, samples: float, epochs: float = 1, batch: int = 64,
                       precision: str = "bf16") -> float:
    """Wall-clock hours of one training run (samples x epochs) from the engine's
    training-step estimate at its default MFU."""
    from .serving import estimate

    check_positive("samples", samples)
    check_positive("epochs", epochs)
    sps = estimate(model, device, phase="training", batch=batch, precision=precision).samples_per_s
    return samples * epochs / sps / 3600.0
