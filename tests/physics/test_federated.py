"""Federated rounds: bytes per round, client sampling, straggler order statistics
(checked by seeded simulation), a run's rounds, time, traffic and energy."""
from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsyslabs.physics import PhysicsError
from mlsyslabs.physics import federated as F


def test_round_bytes_by_hand():
    # upstream v2.11 mobile: 24M params, 24 clients; fp32 both ways
    r = F.round_bytes(params=24e6, clients=24)
    assert r.down_bytes_per_client == r.up_bytes_per_client == 96e6
    assert r.total_bytes == 2 * 96e6 * 24
    c = F.round_bytes(params=24e6, clients=24, up_compression=4, trainable_fraction=0.018)
    assert c.up_bytes_per_client == pytest.approx(24e6 * 0.018 * 4 / 4)
    assert c.down_bytes == 96e6 * 24


def test_client_sampling_by_hand():
    s = F.client_sampling(population=1000, per_round=10, available_fraction=0.5, cohort_size=5)
    assert s.p_client_selected == pytest.approx(10 / 500)
    assert s.expected_rounds_between_turns == pytest.approx(50)
    assert s.expected_cohort_members == pytest.approx(10 * 5 / 500)
    p_none = math.comb(495, 10) / math.comb(500, 10)
    assert s.p_cohort_represented == pytest.approx(1 - p_none)
    assert F.client_sampling(population=10, per_round=8, cohort_size=3).p_cohort_represented == 1.0


def test_client_sampling_agrees_with_simulation():
    rng = random.Random(7)
    pop, k, m = 200, 12, 6
    hits = sum(any(c < m for c in rng.sample(range(pop), k)) for _ in range(20000)) / 20000
    assert hits == pytest.approx(F.client_sampling(population=pop, per_round=k, cohort_size=m).p_cohort_represented,
                                 abs=0.015)


@pytest.mark.parametrize("n,k", [(10, 10), (10, 8), (50, 40), (100, 100), (200, 150)])
def test_kth_order_statistic_matches_simulation(n, k):
    rng = random.Random(n * 1000 + k)
    t0, mu, trials = 2.0, 3.0, 4000
    sim = sum(sorted(t0 + rng.expovariate(1 / mu) for _ in range(n))[k - 1] for _ in range(trials)) / trials
    est = F.straggler_round_time(clients=n, wait_for=k, min_time_s=t0, mean_extra_s=mu).round_time_s
    assert est == pytest.approx(sim, rel=0.03)


def test_waiting_for_fewer_clients_cuts_the_tail():
    full = F.straggler_round_time(clients=100, min_time_s=10, mean_extra_s=5)
    over = F.straggler_round_time(clients=100, wait_for=80, min_time_s=10, mean_extra_s=5)
    assert full.round_time_s == pytest.approx(10 + 5 * sum(1 / i for i in range(1, 101)))
    assert over.round_time_s < full.round_time_s and over.fastest_s == pytest.approx(10.05)
    # deadline: P(>= k of n by d) with p = 1 - exp(-(d - t0)/mu)
    d = F.straggler_round_time(clients=3, wait_for=3, min_time_s=1, mean_extra_s=1, deadline_s=2)
    assert d.p_k_by_deadline == pytest.approx((1 - math.exp(-1)) ** 3)
    assert F.straggler_round_time(clients=3, min_time_s=5, mean_extra_s=1, deadline_s=4).p_k_by_deadline == 0


def test_client_round_and_run():
    c = F.client_round(update_flops=3e12, device_flops=10e12, utilization=0.3, down_bytes=8e6, up_bytes=4e6,
                       downlink_bytes_per_s=8e6, uplink_bytes_per_s=2e6, compute_power_w=5, radio_power_w=1)
    assert (c.compute_s, c.download_s, c.upload_s) == pytest.approx((1.0, 1.0, 2.0))
    assert c.energy_j == pytest.approx(5 * 1 + 1 * 3)
    run = F.federated_run(rounds=100, params=1e6, clients_per_round=10, update_flops=3e12, device_flops=10e12,
                          compute_power_w=5, uplink_bytes_per_s=2e6, downlink_bytes_per_s=8e6, straggler_mean_s=0)
    assert run.round_time_s == pytest.approx(1 + 4e6 / 8e6 + 4e6 / 2e6)
    assert run.total_bytes == pytest.approx(100 * 10 * 8e6)
    assert run.fleet_energy_j == pytest.approx(100 * 10 * run.client_energy_j)
    over = F.federated_run(rounds=100, params=1e6, clients_per_round=10, update_flops=3e12, device_flops=10e12,
                           compute_power_w=5, uplink_bytes_per_s=2e6, over_select=True)
    plain = F.federated_run(rounds=100, params=1e6, clients_per_round=10, update_flops=3e12, device_flops=10e12,
                            compute_power_w=5, uplink_bytes_per_s=2e6)
    assert over.round_time_s < plain.round_time_s and over.total_bytes > plain.total_bytes


def test_rounds_to_target_is_u_shaped_with_drift():
    r = [F.rounds_to_target(rounds_one_epoch=118, local_epochs=e, drift_per_epoch=0.1) for e in (1, 2, 4, 8, 32)]
    assert r[0] == 118 and min(r) < r[0] and r[-1] > min(r)
    assert F.rounds_to_target(rounds_one_epoch=100, local_epochs=4, drift_per_epoch=0, local_speedup_share=1) == 25


def test_federated_moves_more_than_central_for_small_local_data():
    fed = F.round_bytes(params=24e6, clients=24).total_bytes * 10
    central = F.centralized_upload_bytes(examples_per_client=500, bytes_per_example=20e3, clients=24)
    assert fed > central


@pytest.mark.parametrize("call,arg", [
    (lambda: F.round_bytes(params=0, clients=1), "params"),
    (lambda: F.round_bytes(params=1e6, clients=1, up_compression=0.5), "up_compression"),
    (lambda: F.client_sampling(population=10, per_round=20), "per_round"),
    (lambda: F.straggler_round_time(clients=5, wait_for=6, min_time_s=1, mean_extra_s=1), "wait_for"),
    (lambda: F.straggler_round_time(clients=5, min_time_s=float("nan"), mean_extra_s=1), "min_time_s"),
    (lambda: F.client_round(update_flops=1, device_flops=1, utilization=2, down_bytes=0, up_bytes=0,
                            downlink_bytes_per_s=1, uplink_bytes_per_s=1, compute_power_w=1), "utilization"),
    (lambda: F.rounds_to_target(rounds_one_epoch=10, local_epochs=0.5), "local_epochs"),
    (lambda: F.federated_run(rounds=1, params=1, clients_per_round=1, update_flops=1, device_flops=1,
                             compute_power_w=1, uplink_bytes_per_s=1, over_select="yes"), "over_select"),
])
def test_invalid_input_names_the_argument(call, arg):
    with pytest.raises(PhysicsError) as exc:
        call()
    assert arg in str(exc.value)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 500), st.floats(0, 100), st.floats(0, 100), st.floats(0, 1000), st.data())
def test_straggler_outputs_are_ordered_and_finite(n, t0, mu, deadline, data):
    k = data.draw(st.integers(1, n))
    s = F.straggler_round_time(clients=n, wait_for=k, min_time_s=t0, mean_extra_s=mu, deadline_s=deadline)
    assert t0 <= s.fastest_s <= s.round_time_s + 1e-9 <= s.wait_all_s + 1e-6
    assert 0 <= s.p_k_by_deadline <= 1


@settings(max_examples=40, deadline=None)
@given(st.floats(1e3, 1e10), st.integers(1, 1000), st.floats(1, 8), st.floats(1, 100), st.floats(0.01, 1))
def test_round_bytes_non_negative(p, n, b, c, tf):
    r = F.round_bytes(params=p, clients=n, bytes_per_param=b, up_compression=c, trainable_fraction=tf)
    assert r.total_bytes >= r.up_bytes >= 0 and not math.isnan(r.total_bytes)
