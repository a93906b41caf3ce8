"""v1.08: each part's answer against a hand calculation from registry constants, v1.05's
breakdown read back from the ledger, instruments that open on the graded scenario, and
each OOM at its threshold and not below."""
import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.labs.protocol import build_record
from mlsyslabs.ledger import Ledger

from .harness import rendered_text, run_lab, load_module

PATH = get_lab("v1.08").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "1 to 2 sequences", "partB_prediction": "about +10%",
           "partC_prediction": "mixed"}
GPU = P.get_device("h100-sxm")
USABLE = GPU.memory_bytes * P.DEFAULT_MEMORY_FRACTION


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)


def act_bytes(model, seq, batch, bpe=2, recompute=False):
    """Korthikanti et al. 2022 eq. 1 (16-bit), scaled by bytes per element / 2."""
    m = P.get_workload(model)
    s, b, h = seq, batch, m.hidden
    per_layer = 2 * s * b * h if recompute else s * b * h * (34 + 5 * m.heads * s / h)
    return m.layers * per_layer * bpe / 2


def hand_total(model, seq, batch, precision="bf16", recompute=False, offload=False):
    n = P.get_workload(model).params
    if precision == "fp32":
        states = n * (4 + 4 + 8) - (n * 8 if offload else 0)
        return states + act_bytes(model, seq, batch, 4, recompute)
    states = n * (2 + 2 + 8 + 4) - (n * 12 if offload else 0)
    return states + act_bytes(model, seq, batch, 2, recompute)


def test_partA_no_batch_fits_by_hand():
    n = P.get_workload("llama2-7b").params
    assert n * 16 > USABLE  # the model states alone are over budget
    assert LAB.footprint(**LAB.PART_A)[1] == pytest.approx(hand_total("llama2-7b", 1024, 1))
    assert LAB.part_a_answer() == 0
    _, defs = run()
    assert defs["partA_result"].correct_choice == "No batch fits: even batch 1 runs out of memory"
    assert not defs["partA_result"].correct and defs["partA_oom"]


def test_partA_max_batch_is_the_threshold():
    b = LAB.max_batch("tinyllama-1.1b", 1024)
    assert b >= 1
    assert hand_total("tinyllama-1.1b", 1024, b) <= USABLE < hand_total("tinyllama-1.1b", 1024, b + 1)
    _, at = run({"partA_model": "tinyllama-1.1b", "partA_seq": 1024, "partA_batch": b})
    _, over = run({"partA_model": "tinyllama-1.1b", "partA_seq": 1024, "partA_batch": b + 1})
    assert not at["partA_oom"] and over["partA_oom"]
    assert "OOM: tinyllama-1.1b training" in over["lab_record"]["constraints"]
    assert "OOM: tinyllama-1.1b training" not in at["lab_record"]["constraints"]


def test_partB_overhead_is_about_a_third_of_compute():
    kw = dict(gpus=1, microbatch=16, seq_len=2048, global_batch_tokens=256 * 2048)
    none = P.train_step("tinyllama-1.1b", "h100-sxm", recompute="none", **kw)
    full = P.train_step("tinyllama-1.1b", "h100-sxm", recompute="full", **kw)
    assert LAB.part_b_overhead() == pytest.approx(full.step_time_s / none.step_time_s - 1)
    # full recompute adds one forward (2 of 6 FLOP per parameter per token): at most +33%
    assert 0.2 < LAB.part_b_overhead() < 0.34
    _, defs = run()
    assert defs["partB_result"].correct_choice == "about +30%"
    # the instrument at defaults (no recompute) and the 'full' bar agree with the reveal
    assert defs["partB_steps"]["full"].step_time_s / defs["partB_steps"]["none"].step_time_s - 1 == pytest.approx(
        defs["partB_actual"])


def test_partB_oom_and_accumulation():
    _, ok = run({"partB_micro": 16, "partB_recompute": "none"})
    _, oom = run({"partB_micro": 32, "partB_recompute": "none"})
    _, fixed = run({"partB_micro": 32, "partB_recompute": "full"})
    assert not ok["partB_oom"] and oom["partB_oom"] and not fixed["partB_oom"]
    assert ok["partB_now"].microbatches == 256 // 16 and oom["partB_now"].microbatches == 256 // 32
    assert "OOM: microbatch 32" in oom["lab_record"]["constraints"]
    assert not any("microbatch" in c for c in ok["lab_record"]["constraints"])


def test_partC_offload_frees_most_by_hand():
    n = P.get_workload("llama2-7b").params
    freed = LAB.part_c_freed()
    assert freed["offload"] == pytest.approx(8 * n)  # fp32 Adam moments, no master copy
    assert freed["mixed"] == pytest.approx(act_bytes("llama2-7b", 1024, 2, 4) / 2)  # states stay 16 B/param
    assert freed["accumulate"] == pytest.approx(act_bytes("llama2-7b", 1024, 1, 4))
    assert freed["recompute"] == pytest.approx(act_bytes("llama2-7b", 1024, 2, 4)
                                               - act_bytes("llama2-7b", 1024, 2, 4, recompute=True))
    assert LAB.part_c_answer() == "offload"
    _, defs = run()
    assert defs["partC_result"].correct_choice == "offload"
    assert defs["partC_gpu"] == pytest.approx(hand_total("llama2-7b", 1024, 2, "fp32"))  # opens on the scenario


def test_partC_fits_only_with_levers_combined():
    _, one = run({"partC_offload": True})
    _, all3 = run({"partC_offload": True, "partC_precision": "bf16", "partC_recompute": True, "partC_batch": 1})
    assert one["partC_oom"] and not all3["partC_oom"]
    assert all3["partC_gpu"] == pytest.approx(hand_total("llama2-7b", 1024, 1, "bf16", True, True))
    assert "OOM: fp32 7B levers" in one["lab_record"]["constraints"]
    assert "OOM: fp32 7B levers" not in all3["lab_record"]["constraints"]


def test_offload_engine_function():
    mem = P.training_memory("llama2-7b", batch=1, seq_len=1024, precision="bf16")
    assert P.gpu_training_bytes(mem) == mem.total_bytes
    assert P.gpu_training_bytes(mem, offload_optimizer=True) == pytest.approx(
        mem.total_bytes - 12 * P.get_workload("llama2-7b").params)


def test_constraints_only_after_unlock():
    _, defs = run_lab(PATH, {}, {"partB_micro": 64})
    assert defs["lab_record"]["constraints"] == []


def test_reads_v1_05_breakdown_and_falls_back():
    outputs, _ = run()
    assert "v1.05 not in your ledger yet" in rendered_text(outputs)
    Ledger.open().save("v1.05", build_record(context=None, results=[], outcomes={
        "bytes_per_param_training": 16.0, "total_bytes": 21.5e9, "optimizer_bytes": 8.8e9, "max_batch": 3}))
    outputs, defs = run()
    text = rendered_text(outputs)
    assert "From your Design Ledger (v1.05)" in text and "16 bytes" in text
    assert defs["lab_record"]["outcomes"]["v1_05_bytes_per_param"] == 16.0


def test_invariant_tags():
    _, defs = run()
    tags = [defs[f"part{p}_result"].invariant for p in "ABC"]
    assert tags == ["Memory Wall", "Iron Law", "Memory Wall"]
    assert all(t in VOL1_INVARIANTS for t in tags)
