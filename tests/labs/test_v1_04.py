"""v1.04: each part's computed answer against a hand calculation from registry
constants, instruments that open on the scenario the reveal grades (also for a
learner whose home tier is elsewhere), and each failure state at its threshold and
not below."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.labs.protocol import build_record
from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import pipeline as PL

from .harness import lab_controls, run_lab, load_module

PATH = get_lab("v1.04").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": 50.0, "partB_prediction": "cpu", "partC_prediction": "about 35%",
           "partD_prediction": 64.0, "partE_prediction": "6h", "partF_prediction": "4"}
GPU = P.get_device("h100-sxm")
JPEG_BYTES = PL.IMAGENET_TRAIN_BYTES / PL.IMAGENET_TRAIN_IMAGES
TENSOR_BYTES = 224 * 224 * 3 * 2  # bf16 crop sent to the GPU


def demand():
    """Eight GPUs x batch / step time, the step at the engine's documented defaults."""
    est = P.estimate("resnet50", "h100-sxm", phase="training", batch=256, seq_len=1, precision="bf16")
    return 8 * 256 / est.step_time_s


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)[1]


def test_demand_is_the_engines_default_training_rate():
    est = LAB.training_estimate()
    assert LAB.demand() == pytest.approx(demand())
    # compute-bound floor of the documented step: 3 passes x 2 FLOP per MAC per image
    eta = est.assumptions["compute_efficiency"]
    floor = 6 * P.get_workload("resnet50").macs * 256 / (GPU.peak("bf16") * eta)
    assert est.step_time_s >= floor * (1 - 1e-9)
    # no efficiency of the lab's own: the engine's default for the device class
    assert est.assumptions.get("efficiency_source", "efficiency model") == "efficiency model"


def test_part_a_utilization_is_the_hand_minimum_over_stages():
    supply = min(2e9 / JPEG_BYTES, 32 * PL.JPEG_DECODE_PER_WORKER, GPU.host_bw / TENSOR_BYTES)
    assert LAB.part_a_utilization() == pytest.approx(min(1.0, supply / demand()))
    d = run()
    assert d["partA_result"].actual == pytest.approx(100 * supply / demand())
    assert d["partA_result"].invariant == "Iron Law"


def test_part_b_answer_is_the_hand_bottleneck_after_doubling():
    rates = {"storage": 2e9 / JPEG_BYTES, "cpu": 64 * PL.JPEG_DECODE_PER_WORKER, "link": GPU.host_bw / TENSOR_BYTES}
    slowest = min(rates, key=rates.get)
    expected = slowest if rates[slowest] < demand() else "gpu"
    assert LAB.part_b_role() == expected
    d = run()
    assert d["partB_result"].correct_choice == expected and d["partB_result"].correct == (expected == "cpu")
    assert set(LAB.PART_B_OPTIONS.values()) == set(LAB.ROLES)


def test_part_c_answer_is_the_hand_buffer():
    frac = 10 * 96 * 96 * 3 / (P.get_device("nrf52840").memory_bytes * P.DEFAULT_MEMORY_FRACTION)
    assert LAB.part_c_fraction() == pytest.approx(frac)
    closest = min(LAB.PART_C_OPTIONS, key=lambda k: abs(math.log(LAB.PART_C_OPTIONS[k] / frac)))
    d = run()
    assert d["partC_result"].correct_choice == closest
    assert d["partC_result"].actual == pytest.approx(100 * frac)
    # distractors are spaced alike on a log scale: none stands out as the computed one
    v = sorted(LAB.PART_C_OPTIONS.values())
    gaps = [b / a for a, b in zip(v, v[1:])]
    assert max(gaps) / min(gaps) < 1.3


def test_part_d_answer_is_the_hand_worker_count():
    need = math.ceil(0.5 * demand() / PL.JPEG_DECODE_PER_WORKER)
    # with every read from RAM, neither the cache nor the host link binds before the CPUs
    assert PL.RAM_CACHE_BW / JPEG_BYTES > 0.5 * demand() and GPU.host_bw / TENSOR_BYTES > 0.5 * demand()
    assert LAB.part_d_workers() == need
    assert run()["partD_workers_needed"] == need


def test_part_e_answer_is_the_hand_cheapest_plan_within_the_sla():
    e, hour = LAB.PART_E, 3600.0
    # batch every T hours, landing L after its cut-off: mean age T/2 + L; a stream: its latency
    mean = {k: (T * hour / 2 + e["batch_latency_s"]) if p == "batch" else e["stream_latency_s"]
            for k, (p, T) in LAB.PART_E_PLANS.items()}
    updates = {k: e["entities"] / (T * hour) if p == "batch" else e["events_per_s"]
               for k, (p, T) in LAB.PART_E_PLANS.items()}
    ok = [k for k in mean if mean[k] <= e["sla_s"]]
    expected = min(ok, key=updates.get)
    assert LAB.part_e_answer() == expected
    for k in LAB.PART_E_PLANS:
        assert LAB.plan_freshness(k).mean_age_s == pytest.approx(mean[k])
    d = run()
    assert d["partE_result"].correct_choice == expected and d["partE_result"].correct == (expected == "6h")
    assert d["partE_result"].actual == pytest.approx(mean[expected] / hour)
    assert set(LAB.PART_E_OPTIONS.values()) == set(LAB.PART_E_PLANS)
    # the wrong prior "a nightly feature is a day old" would fail the nightly job: it does not
    assert mean["nightly"] < 24 * hour and mean["nightly"] <= e["sla_s"]


def _flags(level, mean, ref_mean, ref_std, nulls=0, out_of_range=0, n=10_000, z=4.0):
    """The stated rules by hand: schema = nulls or out-of-range values; semantic adds a batch-mean z-test."""
    flags = (["null"] if nulls else []) + (["range"] if out_of_range else [])
    if level == "semantic" and abs(mean - ref_mean) / (ref_std / n**0.5) > z:
        flags.append("distribution")
    return flags if level != "none" else []


def test_part_f_answer_is_the_hand_count_of_schema_catches():
    F = LAB.PART_F
    assert F["temp_lo"] <= (F["temp_mean"] + 4 * F["temp_std"]) * 9 / 5 + 32 <= F["temp_hi"]  # Fahrenheit in range
    assert not F["temp_lo"] <= F["sentinel"] <= F["temp_hi"]
    p = F["label_rate"]
    hand = {
        "nulls": lambda lv: _flags(lv, 4.0, 4.0, 2.0, nulls=100),
        "sentinel": lambda lv: _flags(lv, 4.0, 4.0, 2.0, out_of_range=50),
        "fahrenheit": lambda lv: _flags(lv, 4.0 * 9 / 5 + 32, 4.0, 2.0),
        "label": lambda lv: _flags(lv, F["new_label_rate"], p, (p * (1 - p)) ** 0.5),
    }
    for lv in ("none", "schema", "semantic"):
        for c in LAB.PART_F_CHANGES:
            assert list(LAB.change_flags(c, lv)) == hand[c](lv), (c, lv)
    expected = str(sum(bool(hand[c]("schema")) for c in hand))
    assert LAB.part_f_answer() == expected == "2"
    d = run()
    assert d["partF_result"].correct_choice == expected and not d["partF_result"].correct
    assert d["partF_result"].choice == "4" and d["partF_result"].actual == 2.0


def test_invariant_tags_name_what_each_question_tests():
    d = run()
    tags = {p: d[f"{p}_result"].invariant for p in ("partA", "partB", "partC", "partD", "partE", "partF")}
    assert tags == {"partA": "Iron Law", "partB": "Iron Law", "partC": "Memory Wall", "partD": "Iron Law",
                    "partE": "Freshness costs compute or traffic", "partF": "Types do not carry meaning"}
    assert set(tags.values()) <= set(VOL1_INVARIANTS) | set(get_lab("v1.04").invariants)


def _check_instruments_agree(d):
    c = {k: e.value for k, e in lab_controls(d).items()}
    # Part B: the controls are procurement's proposal, and the bottleneck they show is the graded one
    assert (c["partB_workers"], c["partB_format"], c["partB_storage"], c["partB_cache"]) == \
        (LAB.PART_B["workers"], LAB.PART_B["fmt"], LAB.PART_B["storage"], LAB.PART_B["cache_percent"])
    pipe = LAB.loader(c["partB_workers"], c["partB_format"], c["partB_storage"], c["partB_cache"])
    assert LAB.bottleneck_role(pipe) == d["partB_result"].correct_choice
    # Part C: the doorbell on its microcontroller
    assert (c["partC_sensor"], c["partC_fps"], c["partC_seconds"], c["partC_tier"]) == \
        (LAB.PART_C["sensor"], LAB.PART_C["fps"], LAB.PART_C["seconds"], LAB.PART_C["tier"])
    assert 100 * d["partC_stream"]["fraction"] == pytest.approx(d["partC_result"].actual)
    # Part D: the whole JPEG set cached and the engine's worker count: the floor is just met
    assert c["partD_format"] == "jpeg" and c["partD_cache_gb"] * 1e9 >= PL.dataset_bytes("jpeg")
    assert c["partD_workers"] == d["partD_workers_needed"] == d["partD_result"].actual
    assert d["partD_pipe"].utilization >= 0.5 and d["partD_violations"] == []
    # Part E: the nightly job in production, its engine age and the SLA verdict the reveal uses
    assert (c["partE_policy"], c["partE_period"], c["partE_latency"]) == \
        (LAB.PART_E_START["policy"], LAB.PART_E_START["period_h"], LAB.PART_E_START["latency_h"])
    nightly = LAB.plan_freshness("nightly")
    assert d["partE_fresh"].mean_age_s == pytest.approx(nightly.mean_age_s)
    assert (d["partE_violations"] == []) == (nightly.mean_age_s <= LAB.PART_E["sla_s"])
    # Part F: the schema contract and the full Fahrenheit rollout; what it flags is the graded count
    assert (c["partF_level"], c["partF_share"]) == (LAB.PART_F["level"], LAB.PART_F["fahrenheit_share"])
    assert str(sum(bool(f) for f in d["partF_flags"].values())) == d["partF_result"].correct_choice
    assert d["partF_escaped"] == ["fahrenheit", "label"]
    # Part A has no controls: its chart shows the graded pipeline
    assert 100 * d["partA_pipe"].utilization == pytest.approx(d["partA_result"].actual)


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    _check_instruments_agree(run())


@pytest.mark.parametrize("home", ["edge", "mobile", "cloud"])
def test_a_home_tier_never_moves_an_instrument(home):
    Ledger.open().save("v1.00", build_record(context=home, results=[]))
    d = run()
    _check_instruments_agree(d)
    assert d["lab_record"]["context"] == home  # the tier the learner chose in v1.00


def test_no_context_is_saved_that_the_learner_did_not_choose():
    run_lab(PATH)
    assert Ledger.open().get("v1.04")["context"] is None


def _defaults(**changes):
    """Every control at its default (read from a visit that commits nothing), then `changes`."""
    d = run_lab(PATH)[1]
    c = {k: e.value for k, e in lab_controls(d).items()}
    c.update(changes)
    return c


def test_gpu_starvation_at_its_threshold_and_not_below():
    need = math.ceil(0.5 * demand() / PL.JPEG_DECODE_PER_WORKER)
    ok = run(_defaults(partD_workers=need))
    starved = run(_defaults(partD_workers=need - 1))
    assert ok["partD_violations"] == []
    assert starved["partD_violations"] == ["GPU idle > 50%"]
    assert "GPU idle > 50%" in starved["lab_record"]["constraints"]


def test_host_ram_oom_at_its_threshold_and_not_below():
    usable_gb = PL.DGX_H100_HOST_RAM * P.DEFAULT_MEMORY_FRACTION / 1e9
    fits = run(_defaults(partD_cache_gb=math.floor(usable_gb)))
    oom = run(_defaults(partD_cache_gb=math.floor(usable_gb) + 1))
    assert "host RAM OOM" not in fits["partD_violations"]
    assert "host RAM OOM" in oom["partD_violations"]


def test_sensor_buffer_oom_at_its_threshold_and_not_below():
    per_s = 10 * 96 * 96 * 3
    usable = P.get_device("nrf52840").memory_bytes * P.DEFAULT_MEMORY_FRACTION
    tenths = math.floor(usable / per_s * 10)  # longest buffer in 0.1 s steps that fits
    assert not run(_defaults(partC_seconds=tenths / 10))["partC_oom"]
    assert run(_defaults(partC_seconds=(tenths + 1) / 10))["partC_oom"]


def test_stale_feature_at_its_threshold_and_not_below():
    e = LAB.PART_E
    # mean age T/2 + L reaches the SLA at T = 2 (SLA - L), in whole hours
    edge = int(2 * (e["sla_s"] - e["batch_latency_s"]) / 3600)
    assert not run(_defaults(partE_period=edge))["partE_violations"]
    stale = run(_defaults(partE_period=edge + 1))
    assert stale["partE_violations"] == ["feature staler than its SLA"]
    assert "feature staler than its SLA" in stale["lab_record"]["constraints"]
    # reversible: back to the nightly job, within the SLA again; streaming is within it at any period
    assert not run(_defaults(partE_period=24))["partE_violations"]
    assert not run(_defaults(partE_policy="stream", partE_period=48))["partE_violations"]


def test_silent_corruption_at_the_semantic_detection_floor_and_not_above():
    F = LAB.PART_F
    # the z-test flags a Fahrenheit share s once s (F(mu) - mu) > z_max sigma / sqrt(n)
    floor = F["z_max"] * F["temp_std"] / F["n"] ** 0.5 / ((F["temp_mean"] * 9 / 5 + 32) - F["temp_mean"]) * 100
    below = math.floor(floor * 10) / 10  # slider steps of 0.1 %
    slipped = run(_defaults(partF_level="semantic", partF_share=below))
    assert slipped["partF_escaped"] == ["fahrenheit"]
    assert "producer change escaped the data contract" in slipped["lab_record"]["constraints"]
    caught = run(_defaults(partF_level="semantic", partF_share=round(below + 0.1, 1)))
    assert caught["partF_escaped"] == [] and caught["partF_violations"] == []
    # reversible, and the schema misses the full rollout
    assert run(_defaults(partF_level="schema"))["partF_escaped"] == ["fahrenheit", "label"]


def test_constraints_count_only_in_unlocked_parts():
    c = _defaults(partD_workers=1, partD_cache_gb=2000, partE_period=48)
    assert run(c, answers={})["lab_record"]["constraints"] == []
    rec = run(c)["lab_record"]
    assert {"GPU idle > 50%", "host RAM OOM", "feature staler than its SLA"} <= set(rec["constraints"])
    assert any(x.startswith("sensor buffer OOM on the Nordic nRF52840") for x in rec["constraints"])
