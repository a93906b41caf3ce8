"""Robustness under shift: split-conformal prediction (the finite-sample quantile,
its coverage guarantee, when a small calibration set forces the full label set, and
coverage under a documented covariate-shift model), selective prediction and the
fallback load it moves downstream, and the total-variation distance a feature
monitor thresholds.

Split conformal (Vovk et al. 2005; Lei et al. 2018; Angelopoulos & Bates 2021,
'A Gentle Introduction to Conformal Prediction', Sec. 1-3): with n exchangeable
calibration scores, the threshold is the k-th smallest, k = ceil((n + 1)(1 - alpha));
then 1 - alpha <= P(covered) = k/(n + 1) < 1 - alpha + 1/(n + 1) (the upper bound
needs continuous scores, no ties). When k > n the threshold is infinite: the
prediction set is every label."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from ._argcheck import fraction, integer, nonneg, real
from .errors import PhysicsError

_N01 = NormalDist()


def _seq(name, values, *, lo=None, allow_empty=False) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise PhysicsError(f"{name} must be a list of numbers, got {values!r}")
    out = [real(f"{name} (each)", v, lo=lo) for v in values]
    if not out and not allow_empty:
        raise PhysicsError(f"{name} must not be empty")
    return out


def conformal_rank(*, n: int, alpha: float) -> int:
    """k = ceil((n + 1)(1 - alpha)): the rank of the calibration score used as the
    threshold (may exceed n: then the set is full). Rounding-safe: (9 + 1)(1 - 0.1) is 9."""
    n = integer("n", n, lo=1)
    a = fraction("alpha", alpha, allow_one=False)
    return math.ceil((n + 1) * (1 - a) - 1e-9)


def min_calibration_size(*, alpha: float) -> int:
    """The smallest n whose threshold is finite: k <= n  <=>  n >= 1/alpha - 1."""
    a = fraction("alpha", alpha, allow_one=False)
    return max(1, math.ceil(1 / a - 1 - 1e-9))


def conformal_quantile(*, scores, alpha: float) -> float:
    """Split-conformal threshold: the k-th smallest calibration score (inf when k > n).
    A test point's set holds every label whose score is <= the threshold."""
    s = sorted(_seq("scores", scores))
    k = conformal_rank(n=len(s), alpha=alpha)
    return math.inf if k > len(s) else s[k - 1]


@dataclass(frozen=True)
class CoverageBounds:
    n: int
    alpha: float
    rank: int
    full_set: bool                 # rank > n: threshold infinite, every label in the set
    guaranteed: float              # 1 - alpha (1 when the set is full)
    expected: float                # k / (n + 1): exact marginal coverage with continuous scores
    upper: float                   # 1 - alpha + 1/(n + 1), capped at 1
    conditional_sd: float          # sd of coverage given the calibration set: Beta(k, n + 1 - k)
    min_n: int                     # smallest n with a finite threshold


def coverage_bounds(*, n: int, alpha: float) -> CoverageBounds:
    """Marginal coverage of split conformal with n calibration points: guaranteed
    >= 1 - alpha, exactly k/(n + 1) with continuous scores, < 1 - alpha + 1/(n + 1).
    Given one calibration set, coverage is Beta(k, n + 1 - k) distributed (Vovk 2012;
    Angelopoulos & Bates 2021, Sec. 3.2), so small n means a wide spread between deployments."""
    n = integer("n", n, lo=1)
    a = fraction("alpha", alpha, allow_one=False)
    k = conformal_rank(n=n, alpha=a)
    if k > n:
        return CoverageBounds(n, a, k, True, 1.0, 1.0, 1.0, 0.0, min_calibration_size(alpha=a))
    aa, bb = k, n + 1 - k
    sd = math.sqrt(aa * bb / ((aa + bb) ** 2 * (aa + bb + 1)))
    return CoverageBounds(n, a, k, False, 1 - a, k / (n + 1), min(1.0, 1 - a + 1 / (n + 1)), sd,
                          min_calibration_size(alpha=a))


@dataclass(frozen=True)
class ShiftedCoverage:
    coverage: float                # on the shifted test distribution
    calibrated_coverage: float     # on the calibration distribution (k/(n + 1))
    coverage_gap: float            # calibrated - shifted (>= 0 when the shift adds hard inputs)
    threshold: float               # |residual| threshold in units of the easy region's noise sd
    tv_lower_bound: float          # Barber et al. 2023: coverage >= k/(n+1) - TV(calibration, test)
    assumptions: dict = field(default_factory=dict)


def _mix_cdf(q: float, share: float, scale: float) -> float:
    def half(x):
        return 2 * _N01.cdf(x) - 1
    return (1 - share) * half(q) + share * half(q / scale)


def coverage_under_shift(*, n: int, alpha: float, hard_share_calibration: float = 0.1,
                         hard_share_test: float = 0.3, hard_noise_scale: float = 3.0) -> ShiftedCoverage:
    """Covariate shift model (documented, not a measurement): inputs are 'easy' (residual
    ~ N(0, 1)) or 'hard' (residual ~ N(0, s^2)); P(y | x) is fixed, only the share of hard
    inputs moves from the calibration share to the test share. The conformal threshold is
    the population quantile of |residual| under the calibration mixture at level k/(n + 1)
    (large-n limit; finite n adds the Beta spread of `coverage_bounds`). Test coverage is
    the test mixture's CDF at that threshold. The total-variation distance between the
    two input mixtures, |test share - calibration share|, bounds the loss (Barber, Candes,
    Ramdas & Tibshirani 2023, 'Conformal prediction beyond exchangeability', Thm. 2)."""
    b = coverage_bounds(n=n, alpha=alpha)
    f0 = fraction("hard_share_calibration", hard_share_calibration, allow_zero=True)
    f1 = fraction("hard_share_test", hard_share_test, allow_zero=True)
    s = real("hard_noise_scale", hard_noise_scale, lo=1.0, hi=1e3)
    tv = abs(f1 - f0)
    if b.full_set:
        return ShiftedCoverage(1.0, 1.0, 0.0, math.inf, 1.0, {"model": "full set: every label"})
    target = b.expected
    lo, hi = 0.0, 1.0
    while _mix_cdf(hi, f0, s) < target:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _mix_cdf(mid, f0, s) < target:
            lo = mid
        else:
            hi = mid
    q = hi
    cov = min(1.0, max(0.0, _mix_cdf(q, f1, s)))
    return ShiftedCoverage(cov, target, max(0.0, target - cov), q, max(0.0, target - tv),
                           {"model": "Gaussian residuals, easy sd 1 / hard sd s; covariate shift in the hard share",
                            "hard_noise_scale": s, "tv_distance": tv})


# ------------------------------------------------------------------ selective prediction
@dataclass(frozen=True)
class SelectivePrediction:
    threshold: float
    accepted: int
    rejected: int
    coverage: float                # accepted / total
    selective_risk: float | None   # errors among accepted (None when nothing is accepted)
    fallback_per_s: float          # rejected share x arrival rate
    overflow_per_s: float          # fallback beyond capacity
    fallback_utilization: float    # fallback / capacity (inf when capacity is 0 and load > 0)


def selective_prediction(*, confidences, correct, threshold: float, arrival_rate: float = 0.0,
                         fallback_capacity: float = 0.0) -> SelectivePrediction:
    """Answer when confidence >= threshold, else defer to a fallback (human or larger
    model). Coverage = accepted share; selective risk = error rate among accepted (Geifman
    & El-Yaniv 2017, 'Selective classification for deep neural networks'); the rejected
    share of `arrival_rate` is the fallback's load, and what exceeds its capacity overflows."""
    c = _seq("confidences", confidences)
    if isinstance(correct, (str, bytes)) or not hasattr(correct, "__len__") or len(correct) != len(c):
        raise PhysicsError("correct must be a list of 0/1 (or bools), one per confidence")
    for y in correct:
        if y not in (0, 1):
            raise PhysicsError(f"correct must hold 0/1 or True/False, got {y!r}")
    t = real("threshold", threshold)
    lam = nonneg("arrival_rate", arrival_rate)
    cap = nonneg("fallback_capacity", fallback_capacity)
    acc = [y for s, y in zip(c, correct) if s >= t]
    n, na = len(c), len(acc)
    risk = (na - sum(acc)) / na if na else None
    fb = lam * (n - na) / n
    util = fb / cap if cap else (math.inf if fb > 0 else 0.0)
    return SelectivePrediction(t, na, n - na, na / n, risk, fb, max(0.0, fb - cap), util)


def tv_distance(*, reference, current) -> float:
    """Total-variation distance between two binned distributions (counts or shares,
    each normalised): 0.5 x sum |p - q|, in [0, 1]. A feature monitor alarms above a
    threshold; concept drift (P(y | x) moves, P(x) does not) leaves it at 0."""
    p = _seq("reference", reference, lo=0.0)
    q = _seq("current", current, lo=0.0)
    if len(p) != len(q) or len(p) < 2:
        raise PhysicsError("tv_distance needs two distributions with the same number (>= 2) of bins")
    sp, sq = sum(p), sum(q)
    if sp <= 0 or sq <= 0:
        raise PhysicsError("tv_distance needs bins with a positive total")
    return min(1.0, 0.5 * math.fsum(abs(a / sp - b / sq) for a, b in zip(p, q)))
