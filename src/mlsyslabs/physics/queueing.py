"""Queueing: Little's law, M/M/1, M/M/c, M/D/1 (means and percentiles of the
time in system), and a seeded discrete-event simulator for batched serving.

Rates in 1/s, times in s. Percentiles are of the sojourn time (wait + service),
the latency a client sees. Closed forms: Kleinrock, "Queueing Systems" Vol. 1
(1975), sections 3.2 (M/M/1), 3.5 (M/M/c, Erlang C); M/D/1 waiting-time CDF from
Erlang (1909) as given by Franx, "A simple solution for the M/D/c waiting time
distribution", Oper. Res. Letters 29 (2001).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .errors import PhysicsError, check_fraction, check_positive


def littles_law(*, arrival_rate=None, time_in_system=None, in_system=None):
    """L = lambda x W: give any two, get the third."""
    given = [x is not None for x in (arrival_rate, time_in_system, in_system)]
    if sum(given) != 2:
        raise PhysicsError("littles_law needs exactly two of arrival_rate, time_in_system, in_system")
    if in_system is None:
        return check_positive("arrival_rate", arrival_rate) * check_positive("time_in_system", time_in_system)
    if arrival_rate is None:
        return check_positive("in_system", in_system) / check_positive("time_in_system", time_in_system)
    return check_positive("in_system", in_system) / check_positive("arrival_rate", arrival_rate)


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


def _stable(arrival_rate, service_rate, servers=1):
    check_positive("arrival_rate", arrival_rate)
    check_positive("service_rate", service_rate)
    rho = arrival_rate / (servers * service_rate)
    if rho >= 1:
        raise PhysicsError(f"utilization must be < 1 for a stable queue; arrival_rate/(servers x service_rate) = {rho:.3g}")
    return rho


def _bisect_quantile(survival, q, hi):
    """Smallest t with P(T > t) <= 1 - q, by bisection on a monotone survival function."""
    target = 1.0 - q
    while survival(hi) > target:
        hi *= 2.0
    lo = 0.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if survival(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return hi


def mm1(arrival_rate, service_rate) -> QueueResult:
    """Sojourn time is exponential with rate mu - lambda: P99 = ln(100) / (mu - lambda)."""
    rho = _stable(arrival_rate, service_rate)
    r = service_rate - arrival_rate
    pct = lambda q: -math.log(1.0 - q) / r  # noqa: E731
    return QueueResult("M/M/1", rho, rho / r, 1.0 / r, pct(0.5), pct(0.95), pct(0.99), arrival_rate / r)


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in M/M/c (offered_load a = lambda/mu), computed
    with the numerically stable Erlang-B recursion."""
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / servers
    return b / (1.0 - rho + rho * b)


def mmc(arrival_rate, service_rate, servers: int) -> QueueResult:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise PhysicsError(f"servers must be an integer >= 1, got {servers!r}")
    rho = _stable(arrival_rate, service_rate, servers)
    a = arrival_rate / service_rate
    c_wait = erlang_c(servers, a)
    theta = servers * service_rate - arrival_rate  # decay rate of the waiting time
    mu = service_rate
    wq = c_wait / theta

    def survival(t):  # P(wait + service > t), wait ~ C*Exp(theta) mixed with 0, service ~ Exp(mu)
        if abs(theta - mu) < 1e-12 * mu:
            return math.exp(-mu * t) * (1.0 + c_wait * mu * t)
        return math.exp(-mu * t) + c_wait * mu / (theta - mu) * (math.exp(-mu * t) - math.exp(-theta * t))

    hi = 10.0 / min(mu, theta)
    p = lambda q: _bisect_quantile(survival, q, hi)  # noqa: E731
    w = wq + 1.0 / mu
    return QueueResult(f"M/M/{servers}", rho, wq, w, p(0.5), p(0.95), p(0.99), arrival_rate * w)


def md1_wait_cdf(t, arrival_rate, service_time):
    """P(W_q <= t) for M/D/1: (1 - rho) sum_{k=0}^{floor(t/D)} (lam(kD - t))^k / k! e^{-lam(kD - t)}."""
    lam, d = arrival_rate, service_time
    rho = lam * d
    if t < 0:
        return 0.0
    total = 0.0
    for k in range(int(math.floor(t / d)) + 1):
        x = lam * (k * d - t)  # <= 0
        # term = x^k / k! * e^{-x}; sign alternates, computed in logs for stability
        if x == 0:
            total += 1.0 if k == 0 else 0.0
            continue
        log_mag = k * math.log(-x) - math.lgamma(k + 1) - x
        total += (-1) ** k * math.exp(log_mag)
    return min(1.0, max(0.0, (1.0 - rho) * total))


def md1(arrival_rate, service_time) -> QueueResult:
    """Deterministic service D = 1/mu. Mean wait (Pollaczek-Khinchine) rho D / (2 (1 - rho))."""
    check_positive("service_time", service_time)
    rho = _stable(arrival_rate, 1.0 / service_time)
    wq = rho * service_time / (2.0 * (1.0 - rho))
    if rho > 0.97:
        raise PhysicsError(f"md1 percentiles are computed for utilization <= 0.97, got {rho:.3g}")
    survival = lambda t: 1.0 - md1_wait_cdf(t - service_time, arrival_rate, service_time)  # noqa: E731
    p = lambda q: _bisect_quantile(survival, q, service_time * 4)  # noqa: E731
    w = wq + service_time
    return QueueResult("M/D/1", rho, wq, w, p(0.5), p(0.95), p(0.99), arrival_rate * w)


def percentile(values, q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]) of a non-empty sequence."""
    xs = sorted(values)
    if not xs:
        raise PhysicsError("percentile needs at least one value")
    check_fraction("q/100", q / 100.0, allow_zero=True)
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


def simulate_batching(*, arrival_rate: float, base_latency_s: float, per_item_s: float = 0.0, max_batch: int = 1,
                      timeout_s: float = 0.0, requests: int = 20000, seed: int = 0, warmup: int = 500,
                      exponential_service: bool = False) -> SimResult:
    """One server, Poisson arrivals. When idle it starts a batch once `max_batch`
    requests wait or the oldest has waited `timeout_s`; a batch of n takes
    base_latency_s + per_item_s x n (or an exponential draw with that mean).
    Latency = completion - arrival. Seeded: the same inputs give the same result."""
    check_positive("arrival_rate", arrival_rate)
    check_positive("base_latency_s", base_latency_s)
    check_positive("per_item_s", per_item_s, allow_zero=True)
    check_positive("timeout_s", timeout_s, allow_zero=True)
    if not isinstance(max_batch, int) or max_batch < 1:
        raise PhysicsError(f"max_batch must be an integer >= 1, got {max_batch!r}")
    if not isinstance(requests, int) or requests < 10 or requests > 5_000_000:
        raise PhysicsError(f"requests must be an integer in [10, 5e6], got {requests!r}")
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
    kept = lat[warmup:] if len(lat) > warmup * 2 else lat
    span = free_at - arrivals[0]
    return SimResult(kept, sum(kept) / len(kept), percentile(kept, 50), percentile(kept, 95), percentile(kept, 99),
                     sum(batches) / len(batches), n / span, busy / span)
