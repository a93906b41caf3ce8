"""Benchmark measurement statistics: how many runs resolve a speedup, how many
samples a tail percentile needs, and how a warm-up transient biases a mean.

Pure Python (math, random, statistics); no SciPy. Sources:
- Student's t interval for a mean and for the difference of two means (equal runs,
  pooled variance): e.g. Jain, "The Art of Computer Systems Performance Analysis"
  (1991), ch. 13; Welch (1947) for unequal variances.
- Distribution-free (order-statistic) confidence interval of a quantile: the number
  B of samples at or below the true q-quantile is Binomial(n, q), so
  P(X_(l) <= xi_q <= X_(u)) = P(l <= B <= u - 1) exactly for any continuous
  distribution (David & Nagaraja, "Order Statistics", 3rd ed. 2003, sec. 7.1).
  The sample quantile X_(k) is the true F^-1(U_(k)) with U_(k) ~ Beta(k, n - k + 1).
- MLPerf Inference query counts: N = z^2 p (1 - p) / m^2 at 99% confidence with margin
  m = (1 - p) / 20 (Reddi et al., "MLPerf Inference Benchmark", ISCA 2020, sec. IV:
  P90 -> 23,886, P95 -> 50,425, P99 -> 262,742 queries before rounding up).
- Regularized incomplete beta by its continued fraction (modified Lentz), as in
  Press et al., "Numerical Recipes", 3rd ed. (2007), sec. 6.4.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from statistics import NormalDist

from . import _argcheck as A
from .errors import PhysicsError

# MLPerf's margin of error on the percentile, as a fraction of the tail (1 - p) (Reddi et al. 2020).
MLPERF_MARGIN_OF_TAIL = 1 / 20
MLPERF_CONFIDENCE = 0.99


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 20_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b) for a, b > 0 and x in [0, 1]."""
    a, b = A.positive("a", a), A.positive("b", b)
    x = A.real("x", x, lo=0.0, hi=1.0)
    if x == 0.0 or x == 1.0:
        return x
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(ln_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(ln_front) * _betacf(b, a, 1.0 - x) / b


def beta_quantile(p: float, a: float, b: float) -> float:
    """x with I_x(a, b) = p (bisection to 1e-15)."""
    p = A.real("p", p, lo=0.0, hi=1.0)
    a, b = A.positive("a", a), A.positive("b", b)
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if betainc(a, b, mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)


def t_cdf(t: float, dof: float) -> float:
    """P(T <= t) of Student's t with `dof` degrees of freedom."""
    t, dof = A.real("t", t), A.positive("dof", dof)
    tail = 0.5 * betainc(dof / 2.0, 0.5, dof / (dof + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, dof: float) -> float:
    """t with P(T <= t) = p (p in (0, 1))."""
    p = A.real("p", p, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    dof = A.positive("dof", dof)
    if p < 0.5:
        return -t_quantile(1.0 - p, dof)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, dof) < p:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, dof) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def _alpha(confidence: float) -> float:
    return 1.0 - A.real("confidence", confidence, lo=0.0, hi=1.0, lo_open=True, hi_open=True)


def mean_ci_halfwidth(cv: float, runs: int, confidence: float = 0.95) -> float:
    """Half-width of the t interval of a mean of `runs` runs, relative to the mean,
    for run-to-run coefficient of variation `cv`: t_{1-a/2, n-1} cv / sqrt(n)."""
    cv, runs = A.nonneg("cv", cv), A.integer("runs", runs, lo=2)
    return t_quantile(1.0 - _alpha(confidence) / 2.0, runs - 1) * cv / math.sqrt(runs)


def difference_ci_halfwidth(cv: float, runs: int, confidence: float = 0.95) -> float:
    """Half-width of the t interval of the difference of two means of `runs` runs each
    (equal variance), relative to the mean: t_{1-a/2, 2n-2} cv sqrt(2 / n)."""
    cv, runs = A.nonneg("cv", cv), A.integer("runs", runs, lo=2)
    return t_quantile(1.0 - _alpha(confidence) / 2.0, 2 * runs - 2) * cv * math.sqrt(2.0 / runs)


def runs_to_resolve(difference: float, cv: float, confidence: float = 0.95, *, max_runs: int = 1_000_000) -> int:
    """Fewest runs per version whose difference interval is narrower than `difference`
    (a relative change, 0.03 = 3%): below it the claim sits inside the noise."""
    difference, cv = A.positive("difference", difference), A.nonneg("cv", cv)
    max_runs = A.integer("max_runs", max_runs, lo=2)
    _alpha(confidence)
    if difference_ci_halfwidth(cv, 2, confidence) < difference:
        return 2
    lo, hi = 2, 4
    while difference_ci_halfwidth(cv, hi, confidence) >= difference:
        lo, hi = hi, hi * 2
        if hi > max_runs:
            raise PhysicsError(f"difference {difference:g} needs more than max_runs={max_runs} runs at cv {cv:g}")
    while hi - lo > 1:  # halfwidth falls with n: lo fails, hi passes
        mid = (lo + hi) // 2
        if difference_ci_halfwidth(cv, mid, confidence) < difference:
            hi = mid
        else:
            lo = mid
    return hi


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(B <= k), B ~ Binomial(n, p), through I_{1-p}(n - k, k + 1)."""
    n = A.integer("n", n, lo=1)
    k = A.integer("k", k, lo=None)
    p = A.real("p", p, lo=0.0, hi=1.0)
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return betainc(n - k, k + 1, 1.0 - p)


@dataclass(frozen=True)
class QuantileInterval:
    """Order-statistic interval of the q-quantile from n independent samples: the true
    quantile lies between the lower_rank-th and the upper_rank-th smallest sample with
    probability >= coverage. A rank is None where no sample can serve as that bound."""

    samples: int
    q: float
    confidence: float
    lower_rank: int | None
    upper_rank: int | None
    coverage: float  # exact P(lower <= true quantile <= upper), 1-sided bounds counted as certain
    point_rank: int  # the sample quantile's rank, ceil(q n) (nearest rank)

    @property
    def bounded(self) -> bool:
        """Both ends exist."""
        return self.lower_rank is not None and self.upper_rank is not None


def _first_k(n: int, q: float, target: float) -> int:
    """Smallest k in [0, n] with P(B <= k) >= target."""
    lo, hi = -1, n  # cdf(-1) = 0 < target <= cdf(n) = 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if binom_cdf(mid, n, q) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def quantile_interval(samples: int, q: float, confidence: float = 0.95) -> QuantileInterval:
    """Equal-tailed, distribution-free interval of the q-quantile (q in (0, 1)) from
    `samples` independent samples (exact binomial; David & Nagaraja 2003, 7.1)."""
    n = A.integer("samples", samples, lo=1)
    q = A.real("q", q, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    half = _alpha(confidence) / 2.0
    # lower: X_(l) <= xi  iff  B >= l; largest l with P(B <= l - 1) <= half
    k_lo = _first_k(n, q, half)  # smallest k with cdf(k) >= half
    l_rank = k_lo if binom_cdf(k_lo, n, q) > half else k_lo + 1
    lower = l_rank if l_rank >= 1 else None
    # upper: X_(u) >= xi  iff  B <= u - 1; smallest u with P(B <= u - 1) >= 1 - half
    u_rank = _first_k(n, q, 1.0 - half) + 1
    upper = u_rank if u_rank <= n else None
    cov = (binom_cdf(u_rank - 1, n, q) if upper else 1.0) - (binom_cdf(l_rank - 1, n, q) if lower else 0.0)
    return QuantileInterval(n, q, confidence, lower, upper, cov, max(1, math.ceil(q * n - 1e-9)))


def min_samples_for_upper_bound(q: float, confidence: float = 0.95) -> int:
    """Fewest independent samples whose largest one bounds the q-quantile from above
    with probability 1 - a/2 (two-sided confidence 1 - a): smallest n with q^n <= a/2.
    With fewer, the sample maximum itself is too likely to sit below the true quantile."""
    q = A.real("q", q, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    half = _alpha(confidence) / 2.0
    n = max(1, math.ceil(math.log(half) / math.log(q)))
    while q ** n > half:
        n += 1
    while n > 1 and q ** (n - 1) <= half:
        n -= 1
    return n


def sample_quantile_range(samples: int, q: float, confidence: float = 0.95) -> tuple[float, float]:
    """Where the sample q-quantile of `samples` independent samples (nearest rank
    k = ceil(q n)) falls, as levels of the true distribution: the central `confidence`
    range of U_(k) ~ Beta(k, n - k + 1). (0.976, 0.999): this 'P99' is somewhere
    between the true P97.6 and P99.9."""
    n = A.integer("samples", samples, lo=1)
    q = A.real("q", q, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    half = _alpha(confidence) / 2.0
    k = max(1, math.ceil(q * n - 1e-9))
    return beta_quantile(half, k, n - k + 1), beta_quantile(1.0 - half, k, n - k + 1)


def mlperf_min_queries(q: float, confidence: float = MLPERF_CONFIDENCE, margin: float | None = None) -> int:
    """Queries MLPerf Inference requires to estimate the q-quantile latency within
    +-margin (default (1 - q)/20) at `confidence` (normal approximation to the
    binomial): ceil(z^2 q (1 - q) / margin^2) (Reddi et al. 2020; before MLPerf rounds
    up to a multiple of 2^13)."""
    q = A.real("q", q, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    m = (1.0 - q) * MLPERF_MARGIN_OF_TAIL if margin is None else A.positive("margin", margin)
    z = NormalDist().inv_cdf(1.0 - _alpha(confidence) / 2.0)
    return math.ceil(z * z * q * (1.0 - q) / (m * m) - 1e-9)


def warmup_bias(warmup_excess: float, warmup_decay_runs: float, runs: int, discarded: int = 0) -> float:
    """Relative excess of the mean of `runs` runs kept after `discarded` warm-up runs,
    when run i (from 0) takes T (1 + w e^{-i/tau}): w/n sum_{i=d}^{d+n-1} e^{-i/tau}."""
    w, tau = A.nonneg("warmup_excess", warmup_excess), A.positive("warmup_decay_runs", warmup_decay_runs)
    n, d = A.integer("runs", runs, lo=1), A.integer("discarded", discarded, lo=0)
    r = math.exp(-1.0 / tau)
    return w * math.exp(-d / tau) * (1.0 - r ** n) / (1.0 - r) / n


def simulate_runs(*, mean_s: float, cv: float, runs: int, warmup_excess: float = 0.0, warmup_decay_runs: float = 1.0,
                  seed: int = 0) -> list[float]:
    """Seeded run times: run i takes mean_s (1 + w e^{-i/tau}) x a lognormal factor of
    mean 1 and coefficient of variation `cv` (always positive)."""
    mean_s, cv = A.positive("mean_s", mean_s), A.nonneg("cv", cv)
    runs = A.integer("runs", runs, lo=1)
    w, tau = A.nonneg("warmup_excess", warmup_excess), A.positive("warmup_decay_runs", warmup_decay_runs)
    seed = A.integer("seed", seed, lo=0)
    rng = random.Random(seed)
    sigma = math.sqrt(math.log1p(cv * cv))
    return [mean_s * (1.0 + w * math.exp(-i / tau)) * math.exp(sigma * rng.gauss(0.0, 1.0) - sigma * sigma / 2)
            for i in range(runs)]


@dataclass(frozen=True)
class Comparison:
    """Mean(b) - mean(a) of two sets of runs with its Welch t interval."""

    mean_a: float
    mean_b: float
    difference: float  # mean_b - mean_a
    halfwidth: float
    dof: float

    @property
    def resolved(self) -> bool:
        """The interval excludes zero."""
        return abs(self.difference) > self.halfwidth


def compare_runs(a, b, confidence: float = 0.95) -> Comparison:
    """Welch's t interval of mean(b) - mean(a) (each sequence at least 2 runs)."""
    xs = [A.real("a[i]", v) for v in a]
    ys = [A.real("b[i]", v) for v in b]
    if len(xs) < 2 or len(ys) < 2:
        raise PhysicsError("compare_runs needs at least 2 runs on each side")
    ma, mb = sum(xs) / len(xs), sum(ys) / len(ys)
    va = sum((x - ma) ** 2 for x in xs) / (len(xs) - 1) / len(xs)
    vb = sum((y - mb) ** 2 for y in ys) / (len(ys) - 1) / len(ys)
    se2 = va + vb
    if se2 == 0.0:
        return Comparison(ma, mb, mb - ma, 0.0, float(len(xs) + len(ys) - 2))
    dof = se2 * se2 / ((va * va / (len(xs) - 1) if va else 0.0) + (vb * vb / (len(ys) - 1) if vb else 0.0))
    return Comparison(ma, mb, mb - ma, t_quantile(1.0 - _alpha(confidence) / 2.0, dof) * math.sqrt(se2), dof)


# ------------------------------------------------------------------ MLPerf scenarios
# Offline: every query available at once, the score is throughput. Server: Poisson
# arrivals, the score is the highest rate whose P99 latencies meet the bounds
# (MLPerf Inference rules; LLM bounds on time to first token and time per output
# token, e.g. Llama 3.1 8B: 2,000 ms / 100 ms, interactive 500 ms / 30 ms, loadgen/mlperf.conf).
OFFLINE_QUEUE_DEPTH = 8  # Offline's closed loop keeps this many times the batch limit queued


def offline_throughput(model, device, **options):
    """The Offline scenario's `LoadPoint`: a closed loop deep enough that the replica
    never idles (`serving_load.serve_load`, concurrency = OFFLINE_QUEUE_DEPTH x max_batch)."""
    from . import serving_load as SL

    depth = OFFLINE_QUEUE_DEPTH * options.get("max_batch", 256)
    return SL.serve_load(model, device, concurrency=depth, **options)


def meets_bounds(point, ttft_p99_s: float | None, tpot_p99_s: float | None) -> bool:
    """A Poisson `LoadPoint` is stable and its P99 time to first token and P99 time per
    output token (each request's mean gap) are within the bounds (None: no bound)."""
    if not point.stable:
        return False
    return (ttft_p99_s is None or point.ttft_s["p99"] <= ttft_p99_s) and \
        (tpot_p99_s is None or point.itl_s["p99"] <= tpot_p99_s)


def server_rate(model, device, *, ttft_p99_s: float | None, tpot_p99_s: float | None, **options) -> float:
    """The Server scenario's score: the highest Poisson rate (requests/s, to 0.1%) whose
    P99 latencies meet the bounds; 0.0 when even a trickle misses them."""
    from . import serving_load as SL

    if ttft_p99_s is not None:
        A.positive("ttft_p99_s", ttft_p99_s)
    if tpot_p99_s is not None:
        A.positive("tpot_p99_s", tpot_p99_s)
    cap = offline_throughput(model, device, **options).requests_per_s
    ok = lambda r: meets_bounds(SL.serve_load(model, device, rate=r, **options), ttft_p99_s, tpot_p99_s)  # noqa: E731
    lo, hi = cap * 1e-4, cap
    if not ok(lo):
        return 0.0
    while hi - lo > 1e-3 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo
