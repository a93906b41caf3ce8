"""v1.11: each part's computed answer against a hand calculation from registry
constants, instruments that open on the scenario the reveal grades, each failure state
at its threshold and not below, dense peaks only, invariant tags and the ledger keys."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import efficiency as E
from mlsyslabs.physics.memory import activation_bytes_inference

from .harness import load_module, run_lab

PATH = get_lab("v1.11").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "about 2x", "partB_prediction": "about 20 sequences", "partC_prediction": "h100-sxm",
           "partD_prediction": "jetson-agx-orin"}


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)[1]


# ------------------------------------------------------------------ Part A
def _hand_itl(device, compute_scale=1.0, bandwidth_scale=1.0, batch=1, context=2048):
    """Llama 3 8B bf16 decode step from registry constants and the efficiency profile."""
    m, d = P.get_workload("llama3-8b"), P.get_device(device)
    prof = E.profile(d)
    moved = m.params * 2 + batch * m.kv_bytes(context, 2)
    flops = batch * (2 * m.matmul_params + m.attention_flops_per_key() * context)
    tm = moved / (d.memory_bw * bandwidth_scale * prof.memory)
    tc = flops / (d.peak_flops["bf16"] * compute_scale * prof.compute)
    overhead = prof.per_call_s + E.kernels_per_forward(m) * prof.per_kernel_graph_s
    return max(tm, tc) + overhead


def test_part_a_speedup_is_the_hand_roofline():
    base, fast = _hand_itl("h100-sxm"), _hand_itl("h100-sxm", compute_scale=2)
    assert LAB.part_a_speedup() == pytest.approx(base / fast) == pytest.approx(1.0)
    b, f, s = LAB.decode_speedup(**LAB.PART_A)
    assert b.itl_s == pytest.approx(base, rel=1e-9) and b.bound == "memory"
    d = run()
    r = d["partA_result"]
    assert r.correct_choice == "about 1x" and not r.correct and r.invariant == "Roofline"
    assert r.actual == pytest.approx(1.0)


def test_part_a_bandwidth_is_what_pays():
    # the H200: the H100's dense FLOP/s, 4.8 / 3.35 the bandwidth
    h100, h200 = P.get_device("h100-sxm"), P.get_device("h200")
    assert h200.peak_flops["bf16"] == h100.peak_flops["bf16"]
    wide = LAB.decode_speedup(**{**LAB.PART_A, "compute_scale": 1.0, "bandwidth_scale": 2.0})[2]
    assert wide == pytest.approx(_hand_itl("h100-sxm") / _hand_itl("h100-sxm", bandwidth_scale=2))
    assert 1.8 < wide < 2.0  # the dispatch overhead keeps it under 2x


def test_part_a_flops_pay_only_at_large_batch_and_short_context():
    # at the scenario's 2,048 tokens every sequence's KV reads keep the step memory-bound at any batch
    assert LAB.decode_speedup(**{**LAB.PART_A, "batch": 1024})[2] == pytest.approx(1.0)
    assert LAB.decode_speedup(**{**LAB.PART_A, "batch": 1024, "context": 128})[2] > 1.5
    d = run({"partA_batch": 1024, "partA_context": 128})
    assert d["partA_now"][2] > 1.5 and not d["partA_oom"]


def test_part_a_oom_at_its_threshold():
    m, d = P.get_workload("llama3-8b"), P.get_device("h100-sxm")
    usable = d.memory_bytes * P.DEFAULT_MEMORY_FRACTION
    per_seq = m.kv_bytes(2048, 2) + activation_bytes_inference(m, batch=1, seq_len=1, precision="bf16")
    limit = math.floor((usable - m.params * 2) / per_seq)
    assert LAB.decode("llama3-8b", "h100-sxm", "bf16", 2048, limit).fits
    assert not LAB.decode("llama3-8b", "h100-sxm", "bf16", 2048, limit + 1).fits
    assert 128 <= limit < 256  # between two of the slider's steps
    ok = run({"partA_batch": 128})
    assert not ok["partA_oom"] and not any(c.startswith("OOM") for c in ok["lab_record"]["constraints"])
    bad = run({"partA_batch": 256})
    assert bad["partA_oom"] and "OOM: 256 streams" in bad["lab_record"]["constraints"]


# ------------------------------------------------------------------ Part B
def test_part_b_crossing_batch_by_hand():
    m, d = P.get_workload("llama3-8b"), P.get_device("h100-sxm")
    ridge = d.peak_flops["bf16"] / d.memory_bw
    assert ridge == pytest.approx(295.3, abs=0.1)
    b, k, n = 2, m.hidden, m.ffn
    rows = ridge * b * k * n / (2 * k * n - ridge * b * (k + n))
    assert LAB.part_b_rows() == pytest.approx(rows)
    r = run()["partB_result"]
    assert r.correct_choice == "about 320 sequences" and r.invariant == "Roofline"
    assert r.actual == pytest.approx(rows)


def test_part_b_options_are_spaced_alike():
    v = sorted(LAB.PART_B_OPTIONS.values())
    assert len({round(b / a, 6) for a, b in zip(v, v[1:])}) == 1


def test_part_b_fp8_moves_the_crossing_little():
    bf16 = LAB.crossing_rows("llama3-8b", "h100-sxm", "bf16")
    fp8 = LAB.crossing_rows("llama3-8b", "h100-sxm", "fp8")
    assert 0.8 < fp8 / bf16 < 1.2


# ------------------------------------------------------------------ Part C
def test_part_c_ridges_from_dense_peaks_by_hand():
    ridges = LAB.part_c_ridges()
    for dev in LAB.PART_C["devices"]:
        d = P.get_device(dev)
        assert ridges[dev] == pytest.approx(d.peak_flops["bf16"] / d.memory_bw)
        if d.sparse_peak_flops.get("bf16"):  # the 2:4 headline is twice the dense figure, never used
            assert ridges[dev] == pytest.approx(d.sparse_peak_flops["bf16"] / d.memory_bw / 2, rel=0.01)
    assert LAB.part_c_answer() == "l4" == max(ridges, key=ridges.get)
    assert ridges["h200"] < ridges["h100-sxm"]  # same FLOP/s, more bandwidth: lower ridge
    r = run()["partC_result"]
    assert r.correct_choice == "l4" and r.invariant == "Roofline"


def test_part_c_precision_fallback_and_missing_units():
    # Hopper has no int4 units: int4 runs at the int8 peak
    assert LAB.compute_format("h100-sxm", "int4") == "int8"
    d = run({"partC_precision": "int4"})
    assert d["partC_now"]["h100-sxm"][0] == "int8"
    # a phone NPU has no fp32 units: the lab says so and keeps the others
    d = run({"partC_precision": "fp32", "partC_devices": ["a17-pro", "h100-sxm"]})
    assert list(d["partC_now"]) == ["h100-sxm"] and "Apple A17 Pro" in d["partC_missing"][0]
    d = run({"partC_devices": []})
    assert d["partC_now"] == {}


# ------------------------------------------------------------------ Part D
def test_part_d_answer_by_hand():
    m = P.get_workload("llama3-8b")
    checks = LAB.part_d_checks()
    for dev, c in checks.items():
        d = P.get_device(dev)
        if d.memory_bw is None:
            assert "cannot run" in c["violations"]
            continue
        prof = E.profile(d)
        tm = (m.params * 0.5 + m.kv_bytes(2048, 2)) / (d.memory_bw * prof.memory)  # int4 weights, fp16 KV
        overhead = prof.per_call_s + E.kernels_per_forward(m) * prof.per_kernel_graph_s
        assert c["tokens_per_s"] == pytest.approx(1 / (tm + overhead), rel=1e-6)
    assert [d for d, c in checks.items() if c["feasible"]] == ["jetson-orin-nx-16gb"]
    assert set(checks["jetson-agx-orin"]["violations"]) == {"thermal", "over budget"}
    assert checks["jetson-orin-nano"]["violations"] == ["too slow"]
    assert LAB.part_d_answer() == "jetson-orin-nx-16gb"
    r = run()["partD_result"]
    assert r.correct_choice == "jetson-orin-nx-16gb" and not r.correct and r.invariant == "Roofline"


def _check(**kw):
    args = dict(device="jetson-orin-nx-16gb", model=LAB.PART_D["model"], precision=LAB.PART_D["precision"],
                context=LAB.PART_D["context"], min_tokens_per_s=LAB.PART_D["min_tokens_per_s"],
                power_w=LAB.PART_D["power_w"], budget_usd=LAB.PART_D["budget_usd"])
    return LAB.accelerator_check(**{**args, **kw})


def test_part_d_thresholds():
    nx = P.get_device("jetson-orin-nx-16gb")
    assert _check(power_w=nx.tdp_w)["feasible"] and _check(power_w=nx.tdp_w - 1)["violations"] == ["thermal"]
    assert _check(budget_usd=nx.purchase_price)["feasible"]
    assert _check(budget_usd=nx.purchase_price - 1)["violations"] == ["over budget"]
    tps = _check()["tokens_per_s"]
    assert _check(min_tokens_per_s=tps)["feasible"]
    assert _check(min_tokens_per_s=tps * 1.001)["violations"] == ["too slow"]


def test_part_d_failures_in_the_lab_are_reachable_and_reversible():
    d = run()  # opens on the vendor's flagship: over the envelope and the budget
    assert set(d["partD_check"]["violations"]) == {"thermal", "over budget"}
    assert any(c.startswith("thermal") for c in d["lab_record"]["constraints"])
    nx = P.get_device("jetson-orin-nx-16gb")
    d = run({"partD_device": "jetson-orin-nx-16gb"})
    assert d["partD_check"]["feasible"] and d["lab_record"]["decisions"]["accelerator"] == "jetson-orin-nx-16gb"
    d = run({"partD_device": "jetson-orin-nx-16gb", "partD_power": nx.tdp_w - 1})
    assert d["partD_check"]["violations"] == ["thermal"]
    d = run({"partD_device": "jetson-nano"})
    assert "OOM" in d["partD_check"]["violations"]
    d = run({"partD_device": "jetson-nano", "partD_model": "gemma2-2b"})
    assert "OOM" not in d["partD_check"]["violations"]
    d = run({"partD_device": "hailo-8"})
    assert "cannot run" in d["partD_check"]["violations"] and "DRAM" in d["partD_check"]["reason"]


def test_a_limit_not_yet_unlocked_is_not_recorded():
    d = run_lab(PATH)[1]
    assert d["partD_check"]["violations"] and d["lab_record"]["constraints"] == []


# ------------------------------------------------------------------ protocol
def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    d = run()
    assert d["partA_now"][2] == pytest.approx(d["partA_result"].actual)
    assert d["partB_cross"] == pytest.approx(d["partB_result"].actual)
    assert max(d["partC_now"], key=lambda k: d["partC_now"][k][1]) == d["partC_result"].correct_choice
    assert set(d["partC_now"]) == set(LAB.PART_C["devices"])
    feasible = [k for k, c in d["partD_all"].items() if c["feasible"] and k in LAB.PART_D_CANDIDATES]
    assert feasible == [d["partD_result"].correct_choice]


def test_invariant_tags_are_catalog_invariants():
    d = run()
    for part in "ABCD":
        assert d[f"part{part}_result"].invariant in get_lab("v1.11").invariants


def test_ledger_keys_for_the_capstone():
    d = run({"partD_device": "jetson-orin-nx-16gb"})
    rec = Ledger.open().get("v1.11")
    assert rec["decisions"]["accelerator"] == "jetson-orin-nx-16gb"
    out = rec["outcomes"]
    assert out["feasible_accelerator"] == "jetson-orin-nx-16gb" and out["accelerator_feasible"] is True
    assert out["decode_speedup_2x_flops"] == pytest.approx(1.0)
    assert out["ridge_h100_bf16"] == pytest.approx(P.get_device("h100-sxm").ridge_point)
    assert out["accelerator_joules_per_token"] == pytest.approx(
        P.get_device("jetson-orin-nx-16gb").tdp_w / out["accelerator_tokens_per_s"])
    assert d["lab_record"]["outcomes"]["completed"] is True
