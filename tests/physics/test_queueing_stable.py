"""M/D/1 percentiles to utilization 0.99 (exact arithmetic and simulation), general
service approximations (Kingman, Allen-Cunneen, M/G/1), input checks."""
import math
from decimal import Decimal, getcontext

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import queueing as Q


def erlang_wait_survival_exact(x: float, rho: float) -> float:
    """P(W_q > x D) from Erlang's alternating series in 300-digit arithmetic (the oracle)."""
    getcontext().prec = 300
    lam, X = Decimal(repr(rho)), Decimal(repr(x))
    total = Decimal(0)
    for k in range(int(math.floor(x)) + 1):
        y = lam * (k - X)
        total += (y ** k) / Decimal(math.factorial(k)) * (-y).exp()
    return float(1 - (1 - lam) * total)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.87, 0.89, 0.95, 0.97, 0.99])
@pytest.mark.parametrize("x", [0.3, 1.0, 2.5, 3.0, 4.7, 12.0, 60.0])
def test_md1_wait_distribution_matches_exact_arithmetic(rho, x):
    exact = erlang_wait_survival_exact(x, rho)
    got = 1.0 - Q.md1_wait_cdf(x * 0.01, rho / 0.01, 0.01)
    assert got == pytest.approx(exact, rel=1e-7, abs=1e-12)


@pytest.mark.parametrize("rho", [0.89, 0.97, 0.99])
def test_md1_percentiles_are_unit_free(rho):
    a = Q.md1(rho / 1e-3, 1e-3)
    b = Q.md1(rho / 1e3, 1e3)
    for f in ("p50_s", "p90_s", "p95_s", "p99_s"):
        assert getattr(a, f) / 1e-3 == pytest.approx(getattr(b, f) / 1e3, rel=1e-9)


@pytest.mark.parametrize("rho", [0.5, 0.89, 0.97, 0.99])
def test_md1_quantile_inverts_the_exact_distribution(rho):
    r = Q.md1(rho, 1.0)
    for q, t in ((0.5, r.p50_s), (0.9, r.p90_s), (0.99, r.p99_s)):
        if t > 1.0:  # waited: P(W_q > t - D) = 1 - q exactly
            assert erlang_wait_survival_exact(t - 1.0, rho) == pytest.approx(1 - q, rel=1e-6)


@pytest.mark.parametrize("rho,requests", [(0.89, 200_000), (0.95, 400_000)])
def test_md1_agrees_with_seeded_simulation_at_high_load(rho, requests):
    sim = Q.simulate_queue(arrival_rate=rho / 0.01, service_time=0.01, ca2=1.0, cs2=0.0, requests=requests,
                           seed=3, warmup=5000)
    r = Q.md1(rho / 0.01, 0.01)
    assert sim.mean_s == pytest.approx(r.mean_time_s, rel=0.08)
    assert sim.p50_s == pytest.approx(r.p50_s, rel=0.08)
    assert sim.p99_s == pytest.approx(r.p99_s, rel=0.10)


def test_md1_p99_grows_with_load_up_to_0_99():
    p = [Q.md1(rho, 1.0).p99_s for rho in (0.5, 0.8, 0.87, 0.89, 0.9, 0.95, 0.97, 0.98, 0.99)]
    assert p == sorted(p) and all(math.isfinite(x) for x in p)
    # heavy traffic: the tail decays at z0 ~ 2(1 - rho); P99 ~ ln(100 C)/z0
    assert p[-1] == pytest.approx(230.16, rel=1e-3)


def test_general_service_reduces_to_exact_cases():
    assert Q.ggc(80, 0.01).p99_s == pytest.approx(P.mm1(80, 100).p99_s, rel=1e-9)
    m3 = Q.ggc(250, 0.01, servers=3)
    e3 = P.mmc(250, 100, 3)
    for f in ("mean_wait_s", "p50_s", "p90_s", "p99_s"):
        assert getattr(m3, f) == pytest.approx(getattr(e3, f), rel=1e-7)
    # M/G/1 mean is Pollaczek-Khinchine exactly; cs2 = 0 is the exact M/D/1
    assert Q.mg1(90, 0.01, cs2=0.0).p99_s == Q.md1(90, 0.01).p99_s
    assert Q.mg1(50, 0.01, cs2=0.25).mean_wait_s == pytest.approx(0.5 * 1.25 / 2 / 0.5 * 0.01)
    assert Q.kingman(80, 0.01, ca2=0.5, cs2=0.5) == pytest.approx(0.8 / 0.2 * 0.5 * 0.01)


@pytest.mark.parametrize("ca2,cs2,servers,rho", [(0.5, 0.5, 1, 0.8), (1.0, 2.0, 1, 0.7), (0.3, 1.0, 4, 0.85)])
def test_kingman_allen_cunneen_against_simulation(ca2, cs2, servers, rho):
    d = 0.02
    lam = rho * servers / d
    r = Q.ggc(lam, d, servers=servers, ca2=ca2, cs2=cs2)
    sim = Q.simulate_queue(arrival_rate=lam, service_time=d, servers=servers, ca2=ca2, cs2=cs2,
                           requests=200_000, seed=11, warmup=5000)
    assert r.mean_time_s == pytest.approx(sim.mean_s, rel=0.15)
    assert r.p99_s == pytest.approx(sim.p99_s, rel=0.25)


def test_md1_tail_approximation_is_close_to_exact():
    for rho in (0.7, 0.9, 0.97):
        assert Q.ggc(rho, 1.0, cs2=0.0).p99_s == pytest.approx(Q.md1(rho, 1.0).p99_s, rel=0.1)


def test_more_load_never_lowers_latency():
    for f in (lambda lam: Q.md1(lam, 0.01), lambda lam: Q.ggc(lam, 0.01, ca2=0.5, cs2=2.0),
              lambda lam: Q.ggc(lam * 2, 0.01, servers=2, ca2=2.0, cs2=0.3)):
        prev = None
        for lam in (10, 30, 50, 70, 85, 95, 99):
            r = f(lam)
            if prev:
                assert r.mean_time_s >= prev.mean_time_s and r.p99_s >= prev.p99_s * (1 - 1e-9)
            prev = r


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, 0.0, "10", None, True, [1.0]])
def test_queueing_rejects_bad_numbers_naming_the_argument(bad):
    for call, name in ((lambda: P.mm1(bad, 100), "arrival_rate"), (lambda: P.mm1(50, bad), "service_rate"),
                       (lambda: P.md1(50, bad), "service_time"), (lambda: Q.ggc(50, bad), "service_time"),
                       (lambda: P.mmc(bad, 100, 2), "arrival_rate"),
                       (lambda: P.littles_law(arrival_rate=bad, time_in_system=1.0), "arrival_rate"),
                       (lambda: P.simulate_batching(arrival_rate=bad, base_latency_s=0.01, requests=100),
                        "arrival_rate"),
                       (lambda: Q.simulate_queue(arrival_rate=10, service_time=bad, requests=100), "service_time")):
        with pytest.raises(P.PhysicsError, match=name):
            call()


def test_queueing_rejects_bad_integers_and_ranges():
    with pytest.raises(P.PhysicsError, match="servers must be an integer"):
        P.mmc(10, 100, 2.0)
    with pytest.raises(P.PhysicsError, match="servers must be an integer"):
        Q.erlang_c(True, 0.5)
    with pytest.raises(P.PhysicsError, match="offered_load"):
        Q.erlang_c(2, 2.0)
    with pytest.raises(P.PhysicsError, match="cs2"):
        Q.ggc(10, 0.01, cs2=-1)
    with pytest.raises(P.PhysicsError, match="utilization must be < 1"):
        P.md1(100, 0.01)
    with pytest.raises(P.PhysicsError, match="q must lie in"):
        P.percentile([1, 2, 3], 101)
    with pytest.raises(P.PhysicsError, match="values"):
        P.percentile([1, "x"], 50)
    with pytest.raises(P.PhysicsError, match="requests"):
        P.simulate_batching(arrival_rate=1, base_latency_s=0.01, requests=5)
    with pytest.raises(P.PhysicsError, match="max_batch"):
        P.simulate_batching(arrival_rate=1, base_latency_s=0.01, max_batch=0)
