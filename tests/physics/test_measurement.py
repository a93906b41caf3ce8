"""Benchmark measurement statistics (physics/measurement.py) against tables, exact sums
and closed forms; md1_quantile against md1."""
import math
import random

import pytest

from mlsyslabs.physics import PhysicsError
from mlsyslabs.physics import measurement as M
from mlsyslabs.physics import queueing as Q


def _binom_cdf_sum(k, n, p):
    from fractions import Fraction

    pf = Fraction(p).limit_denominator(10 ** 6)  # exact rational arithmetic: no overflow at n = 2000
    return float(sum(math.comb(n, i) * pf ** i * (1 - pf) ** (n - i) for i in range(0, k + 1)))


@pytest.mark.parametrize("dof,t975", [(1, 12.7062), (2, 4.3027), (5, 2.5706), (10, 2.2281), (30, 2.0423),
                                      (120, 1.9799)])
def test_t_quantile_matches_the_table(dof, t975):
    assert M.t_quantile(0.975, dof) == pytest.approx(t975, abs=1e-4)
    assert M.t_quantile(0.025, dof) == pytest.approx(-t975, abs=1e-4)


def test_betainc_identities():
    assert M.betainc(1, 1, 0.3) == pytest.approx(0.3)
    assert M.betainc(2, 3, 0.4) == pytest.approx(1 - M.betainc(3, 2, 0.6))
    assert M.binom_cdf(3, 10, 0.3) == pytest.approx(_binom_cdf_sum(3, 10, 0.3), rel=1e-12)
    assert M.binom_cdf(95, 100, 0.99) == pytest.approx(_binom_cdf_sum(95, 100, 0.99), rel=1e-10)
    assert M.beta_quantile(0.3, 2, 5) == pytest.approx(
        next(x / 1e5 for x in range(1, 100_000) if M.betainc(2, 5, x / 1e5) >= 0.3), abs=1e-5)


def test_difference_interval_and_runs_to_resolve():
    cv, n = 0.05, 23
    assert M.difference_ci_halfwidth(cv, n) == pytest.approx(M.t_quantile(0.975, 2 * n - 2) * cv * math.sqrt(2 / n))
    assert M.mean_ci_halfwidth(cv, n) == pytest.approx(M.t_quantile(0.975, n - 1) * cv / math.sqrt(n))
    need = M.runs_to_resolve(0.03, cv)
    assert M.difference_ci_halfwidth(cv, need) < 0.03 <= M.difference_ci_halfwidth(cv, need - 1)
    # near the normal approximation 2 (z cv / d)^2 = 21.3, a little above it (t > z)
    assert 22 <= need <= 24
    assert M.runs_to_resolve(0.5, 0.01) == 2


def test_quantile_interval_is_exact():
    for n, q in [(100, 0.99), (368, 0.99), (1000, 0.99), (50, 0.5), (2000, 0.9)]:
        ci = M.quantile_interval(n, q)
        if ci.upper_rank is not None:
            assert 1 - _binom_cdf_sum(ci.upper_rank - 1, n, q) <= 0.025 + 1e-12
            assert 1 - _binom_cdf_sum(ci.upper_rank - 2, n, q) > 0.025  # the tightest such rank
        if ci.lower_rank is not None:
            assert _binom_cdf_sum(ci.lower_rank - 1, n, q) <= 0.025 + 1e-12
            assert _binom_cdf_sum(ci.lower_rank, n, q) > 0.025
        assert ci.coverage >= 0.95
    assert M.quantile_interval(100, 0.99).upper_rank is None  # the maximum of 100 cannot bound P99


def test_min_samples_for_an_upper_bound():
    n = M.min_samples_for_upper_bound(0.99)
    assert 0.99 ** n <= 0.025 < 0.99 ** (n - 1)
    assert n == math.ceil(math.log(0.025) / math.log(0.99)) == 368
    assert M.quantile_interval(n, 0.99).upper_rank == n
    assert M.quantile_interval(n - 1, 0.99).upper_rank is None
    assert M.min_samples_for_upper_bound(0.999) == math.ceil(math.log(0.025) / math.log(0.999))


def test_mlperf_query_counts_match_the_paper():
    # Reddi et al. 2020: 23,886 (P90), 262,742 (P99) before rounding to multiples of 2^13
    assert M.mlperf_min_queries(0.90) == 23_886
    assert M.mlperf_min_queries(0.99) == 262_742
    assert abs(M.mlperf_min_queries(0.95) - 50_425) <= 1


def test_sample_quantile_range_against_simulation():
    lo, hi = M.sample_quantile_range(200, 0.99)
    rng = random.Random(1)
    levels = sorted(sorted(rng.random() for _ in range(200))[197] for _ in range(4000))  # rank ceil(0.99 x 200)
    assert levels[100] == pytest.approx(lo, abs=0.004) and levels[3900] == pytest.approx(hi, abs=0.002)
    assert lo < 0.99 < hi


def test_warmup_bias_is_the_mean_of_the_transient():
    w, tau, n, d = 1.5, 3.0, 10, 2
    assert M.warmup_bias(w, tau, n, d) == pytest.approx(sum(w * math.exp(-i / tau) for i in range(d, d + n)) / n)
    runs = M.simulate_runs(mean_s=1.0, cv=0.0, runs=12, warmup_excess=w, warmup_decay_runs=tau)
    assert sum(runs[d:]) / n == pytest.approx(1 + M.warmup_bias(w, tau, n, d))


def test_simulated_runs_have_the_stated_mean_and_cv():
    runs = M.simulate_runs(mean_s=2.0, cv=0.1, runs=20_000, seed=3)
    mean = sum(runs) / len(runs)
    sd = math.sqrt(sum((x - mean) ** 2 for x in runs) / (len(runs) - 1))
    assert mean == pytest.approx(2.0, rel=0.005) and sd / mean == pytest.approx(0.1, rel=0.03)
    assert M.simulate_runs(mean_s=1.0, cv=0.1, runs=5, seed=7) == M.simulate_runs(mean_s=1.0, cv=0.1, runs=5, seed=7)


def test_compare_runs_welch():
    a, b = [1.0, 1.1, 0.9, 1.0], [0.8, 0.85, 0.75, 0.8]
    c = M.compare_runs(a, b)
    assert c.difference == pytest.approx(-0.2) and c.resolved
    assert not M.compare_runs([1.0, 1.2], [1.05, 1.15]).resolved


def test_bad_input_is_named():
    for call in (lambda: M.quantile_interval(0, 0.99), lambda: M.quantile_interval(10, 1.0),
                 lambda: M.runs_to_resolve(0.0, 0.05), lambda: M.difference_ci_halfwidth(0.05, 1),
                 lambda: M.mlperf_min_queries(0.99, confidence=1.0),
                 lambda: M.simulate_runs(mean_s=-1, cv=0.1, runs=3)):
        with pytest.raises(PhysicsError):
            call()


def test_md1_quantile_agrees_with_md1():
    lam, d = 700.0, 1e-3
    r = Q.md1(lam, d)
    assert Q.md1_quantile(0.99, lam, d) == pytest.approx(r.p99_s, rel=1e-9)
    assert Q.md1_quantile(0.5, lam, d) == pytest.approx(r.p50_s, rel=1e-9)
    assert Q.md1_quantile(0.2, lam, d) == d  # 30% never wait
    assert 1 - Q.md1_wait_cdf(Q.md1_quantile(0.999, lam, d) - d, lam, d) == pytest.approx(0.001, rel=1e-6)


def test_offline_and_server_scenarios():
    from mlsyslabs.physics import serving_load as SL

    off = M.offline_throughput("llama3-8b", "h100-sxm")
    assert off.requests_per_s == pytest.approx(
        SL.serve_load("llama3-8b", "h100-sxm", concurrency=M.OFFLINE_QUEUE_DEPTH * 256).requests_per_s)
    loose = M.server_rate("llama3-8b", "h100-sxm", ttft_p99_s=2.0, tpot_p99_s=0.1)
    tight = M.server_rate("llama3-8b", "h100-sxm", ttft_p99_s=0.5, tpot_p99_s=0.03)
    assert 0 < tight < loose < off.requests_per_s  # a tighter bound costs more throughput
    for rate, (ttft, tpot) in ((loose, (2.0, 0.1)), (tight, (0.5, 0.03))):
        assert M.meets_bounds(SL.serve_load("llama3-8b", "h100-sxm", rate=rate), ttft, tpot)
        assert not M.meets_bounds(SL.serve_load("llama3-8b", "h100-sxm", rate=rate * 1.01), ttft, tpot)
    # no bound at all: the score approaches the Offline throughput (stability is the only limit)
    assert M.server_rate("llama3-8b", "h100-sxm", ttft_p99_s=None, tpot_p99_s=None) > 0.98 * off.requests_per_s
    # a bound no load can meet scores zero
    assert M.server_rate("llama3-8b", "h100-sxm", ttft_p99_s=1e-4, tpot_p99_s=None) == 0.0
