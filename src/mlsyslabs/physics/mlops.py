"""ML operations: population shift as a quality model, drift detection with delayed
labels, and the retraining cadence that balances retraining cost against accuracy lost.

Population shift: production traffic is a mixture of the cohort the model was trained
on and a new cohort whose share grows linearly, w(t) = min(1, r t). Every binned input
feature is then the mixture (1 - w) p_old + w p_new (its PSI against training grows
roughly as w^2), and accuracy is the traffic-weighted mean of the model's accuracy on
each cohort, Acc(t) = (1 - w) Acc_old + w Acc_new (linear in w). A drift model with
cohort accuracies that are inputs, not fitted constants.

Detection: a check that runs every `check_interval` on the pooled data of the last
`window` sees the mixture at the window's midpoint (the share is linear in time), and
labels arrive `label_delay` after the prediction, so a crossing at t is seen on average
label_delay + window/2 + check_interval/2 later (the check's phase is uniform).

Cadence: retraining every T months restores Acc0 and the shift restarts (an
assumption stated in the labs); accuracy falls by s per month, so a cycle averages a
loss of s T / 2 and ends at Acc0 - s T. A year costs 12 C / T for retraining plus
12 V s T / 2 for accuracy lost (V per accuracy point per month), minimised at
T* = sqrt(2 C / (V s)) (the economic-order-quantity square root law; Harris 1913).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import PhysicsError, check_fraction, check_int, check_number, check_positive
from .operations import _numbers, psi

DAYS_PER_MONTH = 365.25 / 12  # Gregorian mean month
# A credit default label: Basel II defines default as an obligor more than 90 days past
# due on a material obligation, so a loan's outcome is known about 90 days after its
# decision at the earliest.
DEFAULT_LABEL_DELAY_DAYS = 90
SOURCES = {
    "DEFAULT_LABEL_DELAY_DAYS": "Basel Committee on Banking Supervision, 'International Convergence of Capital "
                                "Measurement and Capital Standards' (Basel II, 2006), para. 452: default = more "
                                "than 90 days past due",
    "PSI_RULE": "Siddiqi 2006, 'Credit Risk Scorecards', ch. 8: PSI < 0.1 stable, 0.1-0.25 some shift, "
                "> 0.25 major shift",
    "SQRT_LAW": "Harris 1913, 'How Many Parts to Make at Once' (the economic order quantity): "
                "T* = sqrt(2 x fixed cost / holding cost rate)",
}


def shift_share(months, *, rate_per_month: float) -> float:
    """w(t) = min(1, r t): the new cohort's share of traffic `months` after training."""
    check_number("months", months, lo=0)
    check_number("rate_per_month", rate_per_month, lo=0, hi=1)
    return min(1.0, rate_per_month * months)


def mixture(share_new: float, p_old, p_new) -> list:
    """The binned distribution of traffic with a share `share_new` of the new cohort
    (each input normalised to 1 first)."""
    check_fraction("share_new", share_new, allow_zero=True)
    p_old, p_new = _numbers("p_old", p_old), _numbers("p_new", p_new)
    if len(p_old) != len(p_new) or len(p_old) < 2:
        raise PhysicsError("mixture needs two distributions with the same number (>= 2) of bins")
    so, sn = float(sum(p_old)), float(sum(p_new))
    if so <= 0 or sn <= 0:
        raise PhysicsError("mixture needs distributions with a positive total")
    return [(1 - share_new) * a / so + share_new * b / sn for a, b in zip(p_old, p_new)]


def cohort_accuracy(share_new: float, *, acc_old: float, acc_new: float) -> float:
    """Traffic-weighted accuracy: (1 - w) Acc_old + w Acc_new."""
    check_fraction("share_new", share_new, allow_zero=True)
    check_fraction("acc_old", acc_old, allow_zero=True)
    check_fraction("acc_new", acc_new, allow_zero=True)
    return (1 - share_new) * acc_old + share_new * acc_new


@dataclass(frozen=True)
class DriftState:
    months: float
    share_new: float
    psi: float
    accuracy: float


def drift_state(months, *, rate_per_month: float, acc_old: float, acc_new: float, p_old, p_new) -> DriftState:
    """Share of the new cohort, PSI of the feature against training, and accuracy at `months`."""
    w = shift_share(months, rate_per_month=rate_per_month)
    return DriftState(float(months), w, psi(p_old, mixture(w, p_old, p_new)),
                      cohort_accuracy(w, acc_old=acc_old, acc_new=acc_new))


def months_to_accuracy(floor: float, *, rate_per_month: float, acc_old: float, acc_new: float) -> float | None:
    """When Acc(t) first falls below `floor`; 0 if it starts below, None if it never does."""
    check_fraction("floor", floor, allow_zero=True)
    cohort_accuracy(0.0, acc_old=acc_old, acc_new=acc_new)  # input checks
    check_number("rate_per_month", rate_per_month, lo=0, hi=1)
    if acc_old < floor:
        return 0.0
    if acc_new >= floor or rate_per_month == 0:
        return None
    return (acc_old - floor) / (acc_old - acc_new) / rate_per_month


def months_to_psi(threshold: float, *, rate_per_month: float, p_old, p_new) -> float | None:
    """When the PSI of the traffic against training first reaches `threshold` (PSI grows
    monotonically with the new cohort's share); None if it never does."""
    check_positive("threshold", threshold)
    check_number("rate_per_month", rate_per_month, lo=0, hi=1)
    full = psi(p_old, mixture(1.0, p_old, p_new))
    if full < threshold or rate_per_month == 0:
        return None
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if psi(p_old, mixture(mid, p_old, p_new)) < threshold:
            lo = mid
        else:
            hi = mid
    return hi / rate_per_month


def detection_lag_days(*, check_interval_days: float, window_days: float, label_delay_days: float = 0.0) -> float:
    """Expected days from a crossing to the first check that shows it: labels arrive
    label_delay later, a window's pooled data reflects its midpoint (window/2), and the
    next check comes on average half an interval later."""
    check_number("label_delay_days", label_delay_days, lo=0)
    check_positive("check_interval_days", check_interval_days)
    check_positive("window_days", window_days)
    return label_delay_days + window_days / 2 + check_interval_days / 2


@dataclass(frozen=True)
class CycleAccuracy:
    cadence_months: float
    mean: float  # time-averaged accuracy over a cycle
    minimum: float  # accuracy just before the next retrain
    mean_loss: float  # acc0 - mean


def cycle_accuracy(cadence_months: float, *, acc0: float, loss_per_month: float) -> CycleAccuracy:
    """Accuracy over one retraining cycle when each retrain restores acc0 and accuracy
    falls by loss_per_month (a fraction) in between (floored at zero)."""
    check_positive("cadence_months", cadence_months)
    check_fraction("acc0", acc0, allow_zero=True)
    check_number("loss_per_month", loss_per_month, lo=0, hi=1)
    t = cadence_months
    if loss_per_month == 0:
        return CycleAccuracy(t, acc0, acc0, 0.0)
    t0 = acc0 / loss_per_month  # when accuracy would reach zero
    if t <= t0:
        mean = acc0 - loss_per_month * t / 2
    else:  # falls to zero at t0 and stays there
        mean = acc0 * t0 / 2 / t
    return CycleAccuracy(t, mean, max(0.0, acc0 - loss_per_month * t), acc0 - mean)


@dataclass(frozen=True)
class AnnualCost:
    cadence_months: float
    retrains_per_year: float
    retraining: float  # dollars per year
    accuracy_loss: float  # dollars per year
    total: float


def annual_cost(cadence_months: float, *, retrain_cost: float, loss_per_month: float, cost_per_point_month: float,
                acc0: float = 1.0) -> AnnualCost:
    """Dollars per year of a cadence: 12 C / T of retraining plus 12 V x (mean loss in
    accuracy points) of business lost to the decay."""
    check_positive("retrain_cost", retrain_cost, allow_zero=True)
    check_positive("cost_per_point_month", cost_per_point_month, allow_zero=True)
    cyc = cycle_accuracy(cadence_months, acc0=acc0, loss_per_month=loss_per_month)
    n = 12 / cadence_months
    retraining = n * retrain_cost
    lost = 12 * cost_per_point_month * cyc.mean_loss * 100
    return AnnualCost(cadence_months, n, retraining, lost, retraining + lost)


def optimal_cadence_months(*, retrain_cost: float, loss_per_month: float, cost_per_point_month: float) -> float:
    """T* = sqrt(2 C / (V s)), s in accuracy points per month: the continuous optimum
    (before accuracy could reach zero); inf when nothing decays or nothing is lost."""
    check_positive("retrain_cost", retrain_cost)
    check_number("loss_per_month", loss_per_month, lo=0, hi=1)
    check_positive("cost_per_point_month", cost_per_point_month, allow_zero=True)
    rate = cost_per_point_month * loss_per_month * 100
    return math.inf if rate == 0 else math.sqrt(2 * retrain_cost / rate)


def best_cadence(*, retrain_cost: float, loss_per_month: float, cost_per_point_month: float, acc0: float = 1.0,
                 min_accuracy: float | None = None, lo: int = 1, hi: int = 12) -> int | None:
    """The whole number of months in [lo, hi] with the lowest annual cost whose accuracy
    stays at or above `min_accuracy` all cycle; None if no cadence in range does."""
    check_int("lo", lo, lo=1)
    check_int("hi", hi, lo=lo)
    best = None
    for t in range(lo, hi + 1):
        c = annual_cost(t, retrain_cost=retrain_cost, loss_per_month=loss_per_month,
                        cost_per_point_month=cost_per_point_month, acc0=acc0)
        if min_accuracy is not None and cycle_accuracy(t, acc0=acc0, loss_per_month=loss_per_month).minimum \
                < min_accuracy:
            continue
        if best is None or c.total < best[1]:
            best = (t, c.total)
    return None if best is None else best[0]
