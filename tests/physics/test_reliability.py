"""Reliability: census rates, job MTBF, checkpoints, Young-Daly, goodput (closed form
vs seeded simulation), availability composition."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import reliability as R


def test_llama3_census_reproduces_its_own_count():
    lam = R.failure_rate_per_gpu_hour()
    assert lam == pytest.approx(419 / (16384 * 54 * 24))
    assert R.expected_interruptions(16384, 54 * 24) == pytest.approx(419)
    assert R.job_mtbf_h(16384) == pytest.approx(54 * 24 / 419)  # ~3.1 h: "one failure every three hours"
    comps = R.component_rates()
    assert sum(c["count"] for c in comps.values()) == 419
    gpu_share = sum(c["share"] for c in comps.values() if c["category"] == "GPU")
    assert gpu_share == pytest.approx((148 + 72 + 19 + 17 + 6 + 6) / 419)  # ~64% GPU-attributed


def test_other_censuses_as_rates():
    assert R.CENSUSES["rsc-1"].per_1000_node_days == pytest.approx(6.50)
    assert R.CENSUSES["rsc-2"].per_1000_node_days == pytest.approx(2.34)
    assert R.CENSUSES["llama3-405b"].per_1000_node_days == pytest.approx(419 / 2048 / 54 * 1000)
    # Kokolis et al. project a 16k-GPU job's MTTF at 1.8 h from RSC-1's rate
    assert R.job_mtbf_h(16384, census="rsc-1") == pytest.approx(1000 * 24 / (6.5 * 2048), rel=1e-9)
    assert R.job_mtbf_h(16384, census="rsc-1") == pytest.approx(1.8, abs=0.05)


def test_more_gpus_fail_more_often():
    m = [R.job_mtbf_h(n) for n in (1, 8, 1024, 16384, 100_000)]
    assert m == sorted(m, reverse=True)
    assert m[0] / m[3] == pytest.approx(16384)
    assert R.p_no_interruption(16384, 3.093) == pytest.approx(math.exp(-1), rel=1e-3)


def test_checkpoint_size_and_time():
    assert R.checkpoint_bytes(405e9) == 405e9 * 14
    assert R.checkpoint_time_s(5.67e12, 2e12) == pytest.approx(2.835)
    assert R.checkpoint_time_s(1e12, 1e10, latency_s=5) == pytest.approx(105)


def test_young_daly_interval_and_validity():
    yd = R.young_daly(60.0, 3 * 3600.0)
    assert yd.young_s == pytest.approx(math.sqrt(2 * 60 * 10800))
    x = 60 / (2 * 10800)
    assert yd.daly_s == pytest.approx(yd.young_s * (1 + math.sqrt(x) / 3 + x / 9) - 60)
    assert yd.regime == "young"
    assert R.young_daly(3000.0, 3600.0).regime == "daly"
    bound = R.young_daly(9000.0, 3600.0)
    assert bound.regime == "checkpoint-bound" and bound.daly_s == 3600.0


def test_goodput_closed_form_limits_and_optimum():
    # no failures: only the checkpoint overhead
    assert R.goodput(1000.0, 10.0, 1e12, restart_s=0.0) == pytest.approx(1000 / 1010, rel=1e-6)
    # first order: 1 - delta/tau - (tau/2 + R)/M
    g = R.goodput(600.0, 6.0, 1e6, restart_s=60.0)
    assert g == pytest.approx(1 - 6 / 606 - (303 + 60) / 1e6, abs=2e-4)
    # Daly's interval maximises goodput
    d, m = 120.0, 4 * 3600.0
    best = R.young_daly(d, m).daly_s
    assert R.goodput(best, d, m) >= max(R.goodput(best * f, d, m) for f in (0.5, 0.8, 1.25, 2.0))


@pytest.mark.parametrize("tau,delta,m,r", [(900.0, 60.0, 3600.0, 300.0), (300.0, 5.0, 11137.0, 600.0),
                                           (4000.0, 900.0, 3000.0, 100.0)])
def test_goodput_agrees_with_seeded_simulation(tau, delta, m, r):
    sim = R.simulate_goodput(interval_s=tau, checkpoint_s=delta, mtbf_s=m, restart_s=r, work_s=4e7, seed=5)
    assert sim == pytest.approx(R.goodput(tau, delta, m, restart_s=r), rel=0.02)


def test_training_reliability_bundle():
    t = R.training_reliability(16384, 54 * 24, params=405e9, write_bw=2e12)
    assert t.expected_interruptions == pytest.approx(419)
    assert t.checkpoint_write_s == pytest.approx(405e9 * 14 / 2e12)
    assert t.checkpoint_interval_s == pytest.approx(R.young_daly(t.checkpoint_write_s, t.job_mtbf_h * 3600).daly_s)
    assert 0.9 < t.goodput < 1.0 and t.lost_hours == pytest.approx(t.hours * (1 - t.goodput))
    bare = R.training_reliability(1024, 100)
    assert bare.goodput is None and bare.job_mtbf_h == pytest.approx(R.job_mtbf_h(1024))


def test_availability_composition():
    assert R.series(0.99, 0.99) == pytest.approx(0.9801)
    assert R.parallel(0.9, 0.9) == pytest.approx(0.99)
    assert R.parallel([0.9] * 3) == pytest.approx(0.999)
    assert R.k_of_n(1, 2, 0.9) == pytest.approx(0.99)
    assert R.k_of_n(2, 2, 0.9) == pytest.approx(0.81)
    assert R.k_of_n(2, 3, 0.9) == pytest.approx(3 * 0.81 * 0.1 + 0.729)
    assert R.availability(99.0, 1.0) == pytest.approx(0.99)
    # large n stays finite (no overflow) and exact: rational arithmetic as the oracle
    from fractions import Fraction
    a, n, k = Fraction(95, 100), 2048, 1900
    exact = 1 - sum(math.comb(n, j) * a ** j * (1 - a) ** (n - j) for j in range(k))
    assert R.k_of_n(k, n, 0.95) == pytest.approx(float(exact), rel=1e-12)


def test_shared_failure_domains_lower_availability():
    a, n, k = 0.999, 64, 60
    alone = R.k_of_n(k, n, a)
    shared = R.k_of_n_domains(k, n, a, domain_size=8, domain_availability=0.999)
    assert shared < alone
    assert R.k_of_n_domains(k, n, a, domain_size=8, domain_availability=1.0) == pytest.approx(alone)
    # hand check: 2 components in one domain, need 1: d x (1 - (1 - a)^2)
    assert R.k_of_n_domains(1, 2, 0.9, domain_size=2, domain_availability=0.95) == pytest.approx(0.95 * 0.99)
    assert 0.0 < R.cluster_availability(1024, 1000) <= 1.0


def test_more_gpus_never_lower_a_parallel_sets_availability():
    prev = 0.0
    for n in range(1, 40):
        v = R.parallel([0.7] * n)
        assert v >= prev
        prev = v
    prev = 0.0
    for n in range(10, 200, 7):  # spares: more GPUs for the same need
        v = R.k_of_n(10, n, 0.9)
        assert v >= prev - 1e-12
        prev = v


@pytest.mark.parametrize("call,name", [
    (lambda: R.job_mtbf_h(0), "gpus"), (lambda: R.job_mtbf_h(8.5), "gpus"),
    (lambda: R.expected_interruptions(8, -1), "hours"), (lambda: R.young_daly(float("nan"), 10), "checkpoint_s"),
    (lambda: R.goodput(10, 1, float("inf")), "mtbf_s"), (lambda: R.series(1.2), "availability"),
    (lambda: R.k_of_n(5, 4, 0.9), "k must be"), (lambda: R.k_of_n_domains(1, 10, 0.9, domain_size=3,
                                                                            domain_availability=0.9), "multiple"),
    (lambda: R.checkpoint_bytes("1e9"), "params"), (lambda: R.job_mtbf_h(8, census="nope"), "census"),
    (lambda: R.training_reliability(8, 10, write_bw=1e9), "checkpoint_bytes")])
def test_bad_inputs_name_the_argument(call, name):
    with pytest.raises(P.PhysicsError, match=name):
        call()
