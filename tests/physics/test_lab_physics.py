"""Physics added for Volume I labs 01-04 and 16."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import fleet, network, pipeline, workflow


def test_fiber_round_trip_1000_km():
    assert network.FIBER_SPEED == pytest.approx(2.04e8, rel=0.01)
    assert network.round_trip_s(1e6) == pytest.approx(2 * 1e6 / (299_792_458 / 1.4677))
    assert network.transfer_time_s(1e6, 1e8, latency_s=0.01) == pytest.approx(0.02)
    with pytest.raises(P.PhysicsError, match="route_factor"):
        network.round_trip_s(1e6, route_factor=0.5)


def test_pipeline_runs_at_its_slowest_stage():
    s = [pipeline.storage_stage(500e6, 110e3), pipeline.cpu_stage(8, 400), pipeline.transfer_stage(25e9, 602_112)]
    r = pipeline.pipeline(s, demand_samples_per_s=10_000)
    assert r.supply_samples_per_s == pytest.approx(3200) and r.bottleneck == "decode + augment"
    assert r.utilization == pytest.approx(0.32) and r.idle_fraction == pytest.approx(0.68)
    fed = pipeline.pipeline(s, demand_samples_per_s=1000)
    assert fed.utilization == 1 and fed.bottleneck == "accelerator"
    cached = pipeline.storage_stage(100e6, 1e5, cache_hit=1.0, cache_bw_bytes_s=10e9)
    assert cached.samples_per_s == pytest.approx(1e5)
    with pytest.raises(P.PhysicsError, match="workers"):
        pipeline.cpu_stage(0, 100)


def test_workflow_velocity_and_defect_cost():
    hours = 4 * 40
    fast = workflow.experiments_possible(hours, train_h=0.5)
    slow = workflow.experiments_possible(hours, train_h=8)
    assert (fast, slow) == (320, 20) and fast / slow == 16
    costs = [workflow.defect_cost_multiplier(s) for s in workflow.STAGES]
    assert costs[0] == 1 and costs[-1] == pytest.approx(100) and costs == sorted(costs)
    with pytest.raises(P.PhysicsError, match="stage must be one of"):
        workflow.defect_cost_multiplier("vibes")


def test_dam_diagnosis():
    data_starved = P.dam_diagnosis(7e9, 1e9)
    assert data_starved.data == "binding" and data_starved.algorithm == "surplus"
    too_small = P.dam_diagnosis(1e6, 1e13)
    assert too_small.algorithm == "binding" and too_small.data == "surplus"
    assert P.dam_diagnosis(7e9, 1e12, max_params_that_fit=3e9).machine == "binding"


def test_fleet_availability_closed_form():
    a = fleet.GPU_MTBF_H / (fleet.GPU_MTBF_H + fleet.GPU_MTTR_H)
    assert fleet.fleet_availability(1, 1, site_availability=1.0) == pytest.approx(a)
    assert fleet.fleet_availability(3, 2, site_availability=1.0) == pytest.approx(a**3 + 3 * a**2 * (1 - a))
    # the default multiplies in the facility (correlated-failure floor, Tier III 99.982%)
    assert fleet.fleet_availability(3, 2) == pytest.approx(0.99982 * (a**3 + 3 * a**2 * (1 - a)))
    assert fleet.GPU_MTBF_H == pytest.approx(50_677, rel=1e-3)


def test_fleet_service_time_comes_from_the_engine():
    s = fleet.request_service_time("llama2-7b", "h100-sxm", batch=1, prompt=256, output=16, precision="fp16")
    pre = P.estimate("llama2-7b", "h100-sxm", phase="prefill", seq_len=256, precision="fp16").ttft_s
    step = P.estimate("llama2-7b", "h100-sxm", phase="decode", seq_len=264, precision="fp16").itl_s
    assert s == pytest.approx(pre + 16 * step)


def test_fleet_queueing_cost_and_stability():
    kw = dict(arrival_rps=1000, precision="int8", strategy="dynamic")
    few = fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=4, **kw)
    many = fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=32, **kw)
    assert not few.stable and math.isinf(few.p99_s)  # offered load beyond capacity
    assert many.stable and many.p99_s < 1 and few.capacity_rps < 1000 < many.capacity_rps
    assert many.cost_per_request == pytest.approx(32 * 3.0 / 3600 / 1000)
    # P99 is queueing at the offered load, never below one request's own service time
    assert many.p99_s >= many.service_b1_s
    n = fleet.gpus_needed("llama2-7b", "h100-sxm", arrival_rps=1000, p99_slo_s=0.1, precision="int8")
    assert fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=n, **kw).p99_s <= 0.1
    assert fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=n - 1, **kw).p99_s > 0.1
    with pytest.raises(P.PhysicsError, match="strategy must be one of"):
        fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=2, arrival_rps=10, strategy="magic")


def test_drift_accuracy_is_linear_in_psi():
    assert fleet.drift_accuracy(0.9, sensitivity=0.5, psi_per_month=0.02, months_since_retrain=6) == pytest.approx(0.84)


def test_iron_law_inference_terms():
    local = P.iron_law_inference("mobilenetv2", "a17-pro", precision="int8")
    m = P.get_workload("mobilenetv2")
    assert local.compute_s == pytest.approx(2 * m.macs / (35e12 * 0.5))
    # on a phone the fixed term is the NPU dispatch: 100 us per call + 53 layers x 4 us
    assert local.fixed_s == pytest.approx(100e-6 + 53 * 4e-6) == local.overhead_s
    assert local.total_s == pytest.approx(local.data_s + local.compute_s + local.fixed_s)
    assert P.iron_law_inference("mobilenetv2", "a17-pro", precision="int8", overhead_s=0).fixed_s == 0
    remote = P.iron_law_inference("mobilenetv2", "h100-sxm", precision="int8", distance_m=1e6,
                                  payload_bytes=150e3, uplink_bw=50e6 / 8)
    assert remote.fixed_s == pytest.approx(20e-6 + 53 * 4e-6 + network.round_trip_s(1e6) + 150e3 / (50e6 / 8))
    assert remote.dominant == "fixed"
    assert not P.iron_law_inference("mobilenetv2", "nrf52840", precision="int8").fits


def test_imagenet_pipeline_stages():
    st = pipeline.imagenet_stages(workers=32)
    assert [s.name for s in st] == ["storage read", "decode + augment", "host to device"]
    assert st[0].samples_per_s == pytest.approx(2e9 / (138e9 / 1_281_167))
    assert st[1].samples_per_s == 32 * 400
    raw = pipeline.imagenet_stages(workers=32, fmt="raw")
    assert raw[1].samples_per_s == 32 * 4000 and raw[0].samples_per_s < st[0].samples_per_s  # bigger samples
    assert pipeline.dataset_bytes("raw") == pytest.approx(1_281_167 * 150_528)


def test_params_for_loss_inverts_the_law():
    law = P.CHINCHILLA
    n = law.params_for_loss(2.3, 1e12)
    assert law.loss(n, 1e12) == pytest.approx(2.3)
    assert math.isinf(law.params_for_loss(1.7, 1e9))  # the data term alone exceeds the room


def test_training_cost_and_affordable_tokens_are_inverse():
    kw = dict(gpu_price_per_hour=3.0, peak_flops=989.4e12, mfu=0.4, data_cost_per_token=1e-6)
    cost = P.training_cost_usd(1e9, 2e10, **kw)
    assert cost == pytest.approx(6 * 1e9 * 2e10 / (989.4e12 * 0.4) / 3600 * 3.0 + 2e10 * 1e-6)
    assert P.tokens_affordable(cost, 1e9, **kw) == pytest.approx(2e10)


def test_schedule_with_late_defect():
    assert workflow.discovery_stage(validate_data=True, evaluate=False) == "data collection"
    assert workflow.discovery_stage(validate_data=False, evaluate=False) == "production"
    early = workflow.schedule_weeks(experiments=40, loop_h=8.4, validation_weeks=1, fix_days_at_start=0.5,
                                    caught_at="data collection")
    assert early == pytest.approx(1 + 40 * 8.4 / 168 + 0.5 * 100 ** 0.2 / 7)
    late = workflow.schedule_weeks(experiments=40, loop_h=8.4, validation_weeks=0, fix_days_at_start=0.5,
                                   caught_at="production")
    assert late == pytest.approx(40 * 8.4 / 168 + 50 / 7)


def test_min_workers_respects_every_stage():
    demand = 161_271.0
    # from a 2 GB/s file system storage caps utilization at ~11.5%: no worker count reaches 50%
    assert pipeline.min_workers_for(0.5, demand) is None
    assert pipeline.min_workers_for(0.5, demand, cache_hit=1.0) == math.ceil(0.5 * demand / 400)


def test_fleet_availability_is_stable_for_large_fleets():
    assert 0.999 < fleet.fleet_availability(2048, 2000) <= fleet.SITE_AVAILABILITY
    assert fleet.fleet_availability(2048, 2048, site_availability=1.0) == pytest.approx(
        (fleet.GPU_MTBF_H / (fleet.GPU_MTBF_H + fleet.GPU_MTTR_H)) ** 2048)


def test_moved_lab_helpers():
    assert P.max_params_that_fit("jetson-orin-nx-16gb", "int8") == pytest.approx(16e9 * 0.9)
    assert network.reachable_distance_m(0.1, 0.02) == pytest.approx(0.08 * network.FIBER_SPEED / 2)
    assert network.reachable_distance_m(0.1, 0.2) == 0
    h = workflow.training_run_hours("resnet50", "h100-sxm", samples=1e6, epochs=2)
    # CNN training on a data-center GPU: MFU 0.20; step = 64 images x 6 x MACs / (peak x 0.2) + dispatch
    step = 64 * 3 * 2 * 4.09e9 / (989.4e12 * 0.20) + 20e-6 + 3 * 54 * 4e-6
    assert h == pytest.approx(2e6 / (64 / step) / 3600)
