"""Serving functions check memory before time: a model that does not fit is sharded
into replicas of the fewest devices that hold it, or the call fails clearly. Fleet
availability has a correlated-failure floor and is also given in nines."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import fleet


def test_one_h100_does_not_serve_llama3_405b_in_fp16():
    with pytest.raises(P.PhysicsError, match=r"needs \d+ x h100-sxm per replica: gpus must be >= \d+, got 1"):
        fleet.serve_fleet("llama3-405b", "h100-sxm", gpus=1, arrival_rps=1, precision="fp16")


def test_replica_size_is_the_memory_footprint_over_usable_memory():
    per = fleet.replica_devices("llama3-405b", "h100-sxm", max_batch=32, prompt=256, output=16, precision="fp16")
    e = P.estimate("llama3-405b", "h100-sxm", phase="decode", batch=32, seq_len=272, precision="fp16")
    assert per == math.ceil(e.memory_bytes / (80e9 * 0.9)) == e.devices_needed
    assert per >= math.ceil(2 * P.get_workload("llama3-405b").params / 72e9)  # weights alone: 12 x H100
    assert P.min_devices("llama3-405b", "h100-sxm", batch=32, seq_len=272, precision="fp16") == per


def test_sharded_fleet_counts_replicas_and_pays_for_every_gpu():
    per = fleet.replica_devices("llama3-70b", "h100-sxm", max_batch=8, prompt=256, output=16, precision="fp8")
    assert per == 1
    per16 = fleet.replica_devices("llama3-70b", "h100-sxm", max_batch=8, prompt=256, output=16, precision="fp16")
    assert per16 == 2
    r = fleet.serve_fleet("llama3-70b", "h100-sxm", gpus=5, arrival_rps=2, precision="fp16", max_batch=8,
                          requests=500)
    assert (r.devices_per_replica, r.replicas) == (2, 2)  # the fifth GPU holds no replica
    assert r.per_gpu_rps == pytest.approx(2 / 2)
    assert r.cost_per_request == pytest.approx(5 * 3.0 / 3600 / 2)


def test_gpus_needed_is_whole_replicas():
    n = fleet.gpus_needed("llama3-70b", "h100-sxm", arrival_rps=2, p99_slo_s=5.0, precision="fp16", max_batch=8,
                          requests=500)
    assert n is not None and n % 2 == 0
    assert fleet.gpus_needed("llama3-405b", "h100-sxm", arrival_rps=1, p99_slo_s=1.0, precision="fp16",
                             max_gpus=8) is None  # not even one replica fits in 8


def test_request_service_time_refuses_what_does_not_fit():
    with pytest.raises(P.PhysicsError, match="n_devices must be >= "):
        fleet.request_service_time("llama3-405b", "h100-sxm", batch=1, prompt=128, output=8, precision="fp16")
    what_if = fleet.request_service_time("llama3-405b", "h100-sxm", batch=1, prompt=128, output=8, precision="fp16",
                                         check_fit=False)
    assert what_if > 0
    ok = fleet.request_service_time("llama3-405b", "h100-sxm", batch=1, prompt=128, output=8, precision="fp16",
                                    n_devices=16)
    assert 0 < ok < what_if


def test_max_throughput_names_the_devices_needed():
    with pytest.raises(P.PhysicsError, match=r"n_devices must be >= \d+"):
        P.max_throughput("llama3-405b", "h100-sxm", input_len=128, output_len=128, precision="fp16")


def test_tier_check_reports_a_misfit_instead_of_raising():
    c = fleet.tier_check("llama2-7b", "nrf52840", tier="tiny", precision="int4", prompt=64, output=8,
                         latency_slo_s=0.1)
    assert c.memory_ratio > 1000 and c.latency_s > 0


# ---------------------------------------------------------------- availability
def test_availability_never_exceeds_the_facility():
    big = fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=2048, arrival_rps=1000, precision="int8", requests=500)
    assert big.availability <= fleet.SITE_AVAILABILITY
    assert 1 - big.availability >= 1.7e-4  # not the 1e-14 % of independent failures alone
    assert big.availability_independent > big.availability
    assert big.availability_nines == pytest.approx(-math.log10(1 - big.availability))
    assert big.availability_nines < 3.8  # a Tier III facility (99.982%) is ~3.7 nines


def test_nines_closed_form_and_cap():
    assert fleet.availability_nines(0.999) == pytest.approx(3)
    assert fleet.availability_nines(0.9) == pytest.approx(1)
    assert fleet.availability_nines(1.0) == 9.0


def test_replica_availability_needs_all_its_devices():
    a = fleet.GPU_MTBF_H / (fleet.GPU_MTBF_H + fleet.GPU_MTTR_H)
    assert fleet.fleet_availability(8, 1, devices_per_replica=8, site_availability=1.0) == pytest.approx(a**8)
    two = fleet.fleet_availability(16, 1, devices_per_replica=8, site_availability=1.0)
    assert two == pytest.approx(1 - (1 - a**8) ** 2)
    with pytest.raises(P.PhysicsError, match="needed must be an integer in"):
        fleet.fleet_availability(16, 3, devices_per_replica=8)


def test_drift_accuracy_never_goes_negative():
    assert fleet.drift_accuracy(0.9, sensitivity=0.5, psi_per_month=0.5, months_since_retrain=24) == 0.0
