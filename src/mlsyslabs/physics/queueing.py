"""Queueing: Little's law, M/M/1, M/M/c, M/D/1, M/G/1 and G/G/c (means and
percentiles of the time in system), and seeded discrete-event simulators.

Rates in 1/s, times in s. Percentiles are of the sojourn time (wait + service),
the latency a client sees. Sources:
- M/M/1 and M/M/c (Erlang C): Kleinrock, "Queueing Systems" Vol. 1 (1975), 3.2, 3.5.
- M/D/1 waiting time: Erlang's (1909) finite series, evaluated only where it is
  numerically stable (t <= 3 D or rho t <= 6 D), and beyond that the exact expansion over the roots
  of z = rho (e^z - 1) (Crommelin 1932; Janssen & van Leeuwaarden, "Back to the roots
  of the M/D/s queue", Statistica Neerlandica 2008):
      P(W_q > x D) = sum_k (1 - rho) / (z_k + rho - 1) e^{-z_k x},
  with z_0 > 0 real and z_{+-k} complex conjugates (Newton from ln(2 pi k / rho) + 2 pi k i).
  The old alternating series alone lost every digit above utilization ~0.87.
- M/G/1 mean: Pollaczek-Khinchine, W_q = rho (1 + c_s^2) / (2 (1 - rho)) E[S].
- G/G/1: Kingman (1961), W_q ~ rho / (1 - rho) (c_a^2 + c_s^2) / 2 E[S];
  G/G/c: Allen-Cunneen (Allen 1990, "Probability, Statistics and Queueing Theory"),
  W_q ~ C(c, a) / (c mu - lambda) (c_a^2 + c_s^2) / 2.
  Their percentiles assume the conditional wait is exponential (exact for M/M/c) and
  the service time is gamma with the given squared coefficient of variation.
"""
from __future__ import annotations

import cmath
import heapq
import math
import random
from dataclasses import dataclass

from . import _argcheck as A
from .errors import PhysicsError


def littles_law(*, arrival_rate=None, time_in_system=None, in_system=None):
    """L = lambda x W: give any two, get the third."""
    given = [x is not None for x in (arrival_rate, time_in_system, in_system)]
    if sum(given) != 2:
        raise PhysicsError("littles_law needs exactly two of arrival_rate, time_in_system, in_system")
    if in_system is None:
        return A.positive("arrival_rate", arrival_rate) * A.positive("time_in_system", time_in_system)
    if arrival_rate is None:
        return A.positive("in_system", in_system) / A.positive("time_in_system", time_in_system)
    return A.positive("in_system", in_system) / A.positive("arrival_rate", arrival_rate)


@dataclass(frozen=True)
class QueueResult:
    model: str
    utilization: float
    mean_wait_s: float  # time in queue
    mean_time_s: float  # time in system (wait + service)
    p50_s: float
    p95_s: float
    p99_s: float
    mean_in_system: float  # Little: lambda x W
    p90_s: float = 0.0
    approximation: str = ""  # "" when exact; else the method used


def _stable(arrival_rate, service_rate, servers=1):
    lam = A.positive("arrival_rate", arrival_rate)
    mu = A.positive("service_rate", service_rate)
    rho = lam / (servers * mu)
    if rho >= 1:
        raise PhysicsError("utilization must be < 1 for a stable queue; "
                           f"arrival_rate/(servers x service_rate) = {rho:.3g}")
    return rho


def _bisect_quantile(survival, q, hi, lo=0.0):
    """Smallest t >= lo with P(T > t) <= 1 - q, by bisection on a monotone survival
    function. The tolerance is relative to the answer, so it does not depend on units."""
    target = 1.0 - q
    if survival(lo) <= target:
        return lo
    while survival(hi) > target:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if survival(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return hi


_QS = (0.5, 0.9, 0.95, 0.99)


def _result(model, rho, wq, w, lam, pct, approximation="") -> QueueResult:
    p50, p90, p95, p99 = (pct(q) for q in _QS)
    return QueueResult(model, rho, wq, w, p50, p95, p99, lam * w, p90, approximation)


def mm1(arrival_rate, service_rate) -> QueueResult:
    """Sojourn time is exponential with rate mu - lambda: P99 = ln(100) / (mu - lambda)."""
    rho = _stable(arrival_rate, service_rate)
    r = service_rate - arrival_rate
    return _result("M/M/1", rho, rho / r, 1.0 / r, arrival_rate, lambda q: -math.log(1.0 - q) / r)


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in M/M/c (offered_load a = lambda/mu < servers),
    computed with the numerically stable Erlang-B recursion."""
    c = A.integer("servers", servers)
    a = A.real("offered_load", offered_load, lo=0.0, hi=float(c), hi_open=True)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return b / (1.0 - rho + rho * b)


def mmc(arrival_rate, service_rate, servers: int) -> QueueResult:
    c = A.integer("servers", servers)
    rho = _stable(arrival_rate, service_rate, c)
    a = arrival_rate / service_rate
    c_wait = erlang_c(c, a)
    theta = c * service_rate - arrival_rate  # decay rate of the waiting time
    mu = service_rate
    wq = c_wait / theta

    def survival(t):  # P(wait + service > t), wait ~ C*Exp(theta) mixed with 0, service ~ Exp(mu)
        if abs(theta - mu) < 1e-12 * mu:
            return math.exp(-mu * t) * (1.0 + c_wait * mu * t)
        return math.exp(-mu * t) + c_wait * mu / (theta - mu) * (math.exp(-mu * t) - math.exp(-theta * t))

    hi = 10.0 / min(mu, theta)
    w = wq + 1.0 / mu
    return _result(f"M/M/{c}", rho, wq, w, arrival_rate, lambda q: _bisect_quantile(survival, q, hi))


# --------------------------------------------------------------------------- M/D/1
_ERLANG_GROWTH = 6.0  # Erlang's series is used while rho x <= this (terms <= e^{2 rho x}) or x < 3
_ROOT_PAIRS = 40


def _md1_roots(rho: float):
    """Roots of z = rho (e^z - 1) other than 0: the positive real one, then one of each
    complex-conjugate pair (k = 1.._ROOT_PAIRS). Newton's method throughout."""
    f = lambda z: rho * math.expm1(z) - z  # noqa: E731  convex, f(0) = 0, f'(0) = rho - 1 < 0
    z = 1.0
    while f(z) <= 0.0:
        z *= 2.0
    for _ in range(200):  # from the right of the root Newton descends monotonically
        step = f(z) / (rho * math.exp(z) - 1.0)
        z -= step
        if abs(step) <= 1e-15 * z:
            break
    roots = [complex(z, 0.0)]
    for k in range(1, _ROOT_PAIRS + 1):
        w = complex(math.log(2.0 * math.pi * k / rho), 2.0 * math.pi * k)
        for _ in range(100):
            ew = rho * cmath.exp(w)
            step = (ew - w - rho) / (ew - 1.0)
            w -= step
            if abs(step) <= 1e-15 * abs(w):
                break
        roots.append(w)
    return roots


def _md1_wait_survival(x: float, rho: float, roots=None) -> float:
    """P(W_q > x D) for M/D/1 at utilization rho (x >= 0, dimensionless)."""
    if x < 0:
        return 1.0
    if x < 3.0 or rho * x <= _ERLANG_GROWTH:
        # Erlang: P(W_q <= x D) = (1 - rho) sum_{k=0}^{floor x} (rho (k - x))^k / k! e^{rho (x - k)};
        # terms are at most ~e^{2 rho x} <= e^12, so doubles keep ~11 digits here.
        total = 0.0
        for k in range(int(math.floor(x)) + 1):
            y = rho * (k - x)
            total += (y ** k) / math.factorial(k) * math.exp(-y)
        return min(1.0, max(0.0, 1.0 - (1.0 - rho) * total))
    roots = roots or _md1_roots(rho)
    z0 = roots[0].real
    s = (1.0 - rho) / (z0 + rho - 1.0) * math.exp(-z0 * x)
    for z in roots[1:]:
        s += 2.0 * ((1.0 - rho) / (z + rho - 1.0) * cmath.exp(-z * x)).real
    return min(1.0, max(0.0, s))


def md1_wait_cdf(t, arrival_rate, service_time):
    """P(W_q <= t) for M/D/1 (stable for every utilization < 1)."""
    t = A.real("t", t)
    d = A.positive("service_time", service_time)
    rho = _stable(arrival_rate, 1.0 / d)
    return 1.0 - _md1_wait_survival(t / d, rho) if t >= 0 else 0.0


def md1(arrival_rate, service_time) -> QueueResult:
    """Deterministic service D = 1/mu. Mean wait (Pollaczek-Khinchine) rho D / (2 (1 - rho));
    percentiles of the sojourn time D + W_q from the exact waiting-time distribution,
    for any utilization < 1 (checked against 400-digit arithmetic and simulation)."""
    d = A.positive("service_time", service_time)
    rho = _stable(arrival_rate, 1.0 / d)
    wq = rho * d / (2.0 * (1.0 - rho))
    roots = _md1_roots(rho)
    surv = lambda x: _md1_wait_survival(x, rho, roots)  # noqa: E731  (x in units of D)
    z0 = roots[0].real

    def pct(q):
        if 1.0 - q >= rho:  # P(W_q > 0) = rho: the quantile does not wait
            return d
        guess = max(1.0, math.log(max(rho, 1e-300) / (1.0 - q)) / z0 * 2.0)
        return d * (1.0 + _bisect_quantile(surv, q, guess))

    return _result("M/D/1", rho, wq, wq + d, arrival_rate, pct)


def md1_quantile(q, arrival_rate, service_time):
    """The q-quantile (q in (0, 1)) of the M/D/1 sojourn time D + W_q, exact as in `md1`
    but at any level (P99.9, or the level a sample percentile actually landed on)."""
    q = A.real("q", q, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    d = A.positive("service_time", service_time)
    rho = _stable(arrival_rate, 1.0 / d)
    if 1.0 - q >= rho:
        return d
    roots = _md1_roots(rho)
    guess = max(1.0, math.log(max(rho, 1e-300) / (1.0 - q)) / roots[0].real * 2.0)
    return d * (1.0 + _bisect_quantile(lambda x: _md1_wait_survival(x, rho, roots), q, guess))


# -------------------------------------------------------------- general service
def _gamma_p(a: float, x: float) -> float:
    """Regularized lower incomplete gamma P(a, x): series below a + 1, Lentz's
    continued fraction for Q above (Abramowitz & Stegun 6.5.29, 6.5.31)."""
    if x <= 0.0:
        return 0.0
    log_pre = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        n = a
        for _ in range(1000):
            n += 1.0
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return min(1.0, total * math.exp(log_pre))
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    dd = 1.0 / b
    h = dd
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2.0
        dd = an * dd + b
        dd = tiny if abs(dd) < tiny else dd
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        dd = 1.0 / dd
        delta = dd * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return max(0.0, 1.0 - math.exp(log_pre) * h)


def _sojourn_survival(t, p_wait, theta, mean_s, cs2):
    """P(W + S > t): W = 0 w.p. 1 - p_wait, else Exp(theta); S gamma(mean, scv cs2)
    (deterministic when cs2 = 0), W and S independent."""
    if t <= 0:
        return 1.0
    if cs2 < 1e-4:  # gamma of shape > 1e4 is deterministic to within 1%
        cs2 = 0.0
    if cs2 == 0.0:
        return 1.0 if t < mean_s else p_wait * math.exp(-theta * (t - mean_s))
    k = 1.0 / cs2
    beta = k / mean_s  # gamma rate
    s_tail = 1.0 - _gamma_p(k, beta * t)
    if p_wait == 0.0:
        return s_tail
    # integral_0^t f_S(s) e^{-theta (t - s)} ds, in closed form through P(k, .)
    diff = beta - theta
    if diff > 1e-12 * beta:
        conv = math.exp(-theta * t + k * math.log(beta / diff)) * _gamma_p(k, diff * t)
    else:  # beta <= theta: e^{-theta t} beta^k / G(k) int s^{k-1} e^{b s}, positive series in b t
        b = -diff
        bt = b * t
        log_base = -theta * t + k * math.log(beta * t) - math.lgamma(k)
        total, n, term_log = 0.0, 0, 0.0
        while True:
            term = math.exp(log_base + term_log - math.log(k + n))
            total += term
            n += 1
            if n > bt + 20 and term < 1e-17 * max(total, 1e-300):
                break
            if bt <= 0:
                break
            term_log += math.log(bt) - math.log(n)
        conv = total
    return min(1.0, s_tail + p_wait * conv)


def ggc(arrival_rate, service_time, *, servers: int = 1, ca2: float = 1.0, cs2: float = 1.0) -> QueueResult:
    """G/G/c by Allen-Cunneen (Kingman for c = 1): W_q = C(c, a)/(c mu - lambda) x (ca2 + cs2)/2.

    ca2, cs2: squared coefficients of variation of the inter-arrival and service times
    (1 = exponential, 0 = deterministic). Exact for M/M/c (ca2 = cs2 = 1). Percentiles
    model the conditional wait as exponential with the same mean and the service as
    gamma; use `md1` for the exact M/D/1 tail."""
    c = A.integer("servers", servers)
    d = A.positive("service_time", service_time)
    ca2 = A.nonneg("ca2", ca2)
    cs2 = A.nonneg("cs2", cs2)
    rho = _stable(arrival_rate, 1.0 / d, c)
    mu = 1.0 / d
    p_wait = erlang_c(c, arrival_rate * d)
    wq = p_wait / (c * mu - arrival_rate) * (ca2 + cs2) / 2.0
    model = f"G/G/{c}" if ca2 != 1.0 else f"M/G/{c}"
    exact = ca2 == 1.0 and cs2 == 1.0
    if wq <= 0.0:  # D/D/c below capacity: nobody waits
        pct = lambda q: _bisect_quantile(lambda t: _sojourn_survival(t, 0.0, 1.0, d, cs2), q, 4 * d)  # noqa: E731
    else:
        theta = p_wait / wq
        surv = lambda t: _sojourn_survival(t, p_wait, theta, d, cs2)  # noqa: E731
        pct = lambda q: _bisect_quantile(surv, q, d + 5.0 / theta)  # noqa: E731
    approx = "" if exact else ("Kingman" if c == 1 else "Allen-Cunneen") + \
        " mean; exponential conditional wait and gamma service for percentiles"
    return _result(model, rho, wq, wq + d, arrival_rate, pct, approx)


def kingman(arrival_rate, service_time, *, ca2: float = 1.0, cs2: float = 1.0) -> float:
    """Kingman's G/G/1 mean wait in queue: rho/(1 - rho) x (ca2 + cs2)/2 x E[S]."""
    return ggc(arrival_rate, service_time, ca2=ca2, cs2=cs2).mean_wait_s


def mg1(arrival_rate, service_time, *, cs2: float = 1.0) -> QueueResult:
    """M/G/1: exact Pollaczek-Khinchine mean; exact percentiles for cs2 = 0 (M/D/1)
    and cs2 = 1 (M/M/1), the G/G/c approximation otherwise."""
    cs2 = A.nonneg("cs2", cs2)
    d = A.positive("service_time", service_time)
    if cs2 == 0.0:
        r = md1(arrival_rate, d)
        return QueueResult("M/G/1", r.utilization, r.mean_wait_s, r.mean_time_s, r.p50_s, r.p95_s, r.p99_s,
                           r.mean_in_system, r.p90_s, "")
    r = ggc(arrival_rate, d, ca2=1.0, cs2=cs2)
    return QueueResult("M/G/1", r.utilization, r.mean_wait_s, r.mean_time_s, r.p50_s, r.p95_s, r.p99_s,
                       r.mean_in_system, r.p90_s, "" if cs2 == 1.0 else "gamma service for percentiles")


def percentile(values, q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]) of a non-empty sequence of numbers."""
    try:
        xs = sorted(A.real("values[i]", v) for v in values)
    except TypeError:
        raise PhysicsError(f"values must be a sequence of numbers, got {values!r}") from None
    if not xs:
        raise PhysicsError("percentile needs at least one value")
    q = A.real("q", q, lo=0.0, hi=100.0)
    pos = (len(xs) - 1) * q / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass(frozen=True)
class SimResult:
    latencies_s: list
    mean_s: float
    p50_s: float
    p95_s: float
    p99_s: float
    mean_batch: float
    throughput_rps: float
    utilization: float
    p90_s: float = 0.0


def _sim_result(lat, warmup, batches, n, span, busy):
    kept = lat[warmup:] if len(lat) > warmup * 2 else lat
    xs = sorted(kept)

    def pct(q):
        pos = (len(xs) - 1) * q / 100.0
        lo = int(pos)
        hi = min(lo + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

    return SimResult(kept, sum(kept) / len(kept), pct(50), pct(95), pct(99), sum(batches) / len(batches), n / span,
                     busy / span, pct(90))


def _check_requests(requests, warmup):
    A.integer("requests", requests, lo=10, hi=5_000_000)
    A.integer("warmup", warmup, lo=0)


def simulate_batching(*, arrival_rate: float, base_latency_s: float, per_item_s: float = 0.0, max_batch: int = 1,
                      timeout_s: float = 0.0, requests: int = 20000, seed: int = 0, warmup: int = 500,
                      exponential_service: bool = False) -> SimResult:
    """One server, Poisson arrivals. When idle it starts a batch once `max_batch`
    requests wait or the oldest has waited `timeout_s`; a batch of n takes
    base_latency_s + per_item_s x n (or an exponential draw with that mean).
    Latency = completion - arrival. Seeded: the same inputs give the same result."""
    A.positive("arrival_rate", arrival_rate)
    A.positive("base_latency_s", base_latency_s)
    A.nonneg("per_item_s", per_item_s)
    A.nonneg("timeout_s", timeout_s)
    A.integer("max_batch", max_batch)
    _check_requests(requests, warmup)
    A.boolean("exponential_service", exponential_service)
    rng = random.Random(seed)
    arrivals, t = [], 0.0
    for _ in range(requests):
        t += rng.expovariate(arrival_rate)
        arrivals.append(t)
    lat, batches, busy = [], [], 0.0
    free_at, i, n = 0.0, 0, len(arrivals)
    while i < n:
        first = arrivals[i]
        start = max(free_at, first)
        # requests already waiting when the server could start
        j = i
        while j < n and j - i < max_batch and arrivals[j] <= start:
            j += 1
        if j - i < max_batch and timeout_s > 0:
            deadline = max(start, first + timeout_s)
            while j < n and j - i < max_batch and arrivals[j] <= deadline:
                j += 1
            start = arrivals[j - 1] if j - i == max_batch else deadline
            start = max(start, free_at, first)
        size = j - i
        mean_service = base_latency_s + per_item_s * size
        service = rng.expovariate(1.0 / mean_service) if exponential_service else mean_service
        done = start + service
        lat.extend(done - a for a in arrivals[i:j])
        batches.append(size)
        busy += service
        free_at, i = done, j
    return _sim_result(lat, warmup, batches, n, free_at - arrivals[0], busy)


def _draw(rng, mean, scv):
    """A gamma draw with the given mean and squared coefficient of variation (0: constant)."""
    if scv == 0.0:
        return mean
    k = 1.0 / scv
    return rng.gammavariate(k, mean / k)


def simulate_queue(*, arrival_rate: float, service_time: float, servers: int = 1, ca2: float = 1.0,
                   cs2: float = 1.0, requests: int = 50000, seed: int = 0, warmup: int = 1000) -> SimResult:
    """FCFS G/G/c: gamma inter-arrival times (mean 1/arrival_rate, scv ca2) and gamma
    service times (mean service_time, scv cs2); 0 means deterministic. Seeded."""
    lam = A.positive("arrival_rate", arrival_rate)
    d = A.positive("service_time", service_time)
    c = A.integer("servers", servers)
    ca2, cs2 = A.nonneg("ca2", ca2), A.nonneg("cs2", cs2)
    _check_requests(requests, warmup)
    rng = random.Random(seed)
    free = [0.0] * c  # heap of the times each server frees up
    t, lat, busy, first, last = 0.0, [], 0.0, None, 0.0
    for _ in range(requests):
        t += _draw(rng, 1.0 / lam, ca2)
        first = t if first is None else first
        start = max(t, heapq.heappop(free))
        s = _draw(rng, d, cs2)
        heapq.heappush(free, start + s)
        lat.append(start + s - t)
        busy += s
        last = max(last, start + s)
    return _sim_result(lat, warmup, [1], requests, last - first, busy / c)
