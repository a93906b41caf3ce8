"""v1.06: each part's computed answer against a hand calculation from registry
constants, instruments that open on the scenario the reveal grades, each failure
state at its threshold and not below, and invariant tags."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab

from .harness import run_lab, load_module

PATH = get_lab("v1.06").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "about 8,000 tokens", "partB_prediction": "about 1x",
           "partC_prediction": "compute/memory"}


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)[1]


def test_part_a_crossover_is_the_hand_ratio():
    # Llama 3 8B: params minus the input embedding lookup (the untied head multiplies), 2 FLOPs per MAC;
    # attention: QK^T and AV, 2 x 2 FLOPs per key per head dimension per layer
    m = P.get_workload("llama3-8b")
    linear = 2 * (m.params - m.vocab * m.hidden)
    per_key = 4 * m.layers * m.heads * m.hd
    assert (m.layers, m.heads, m.hd, m.hidden) == (32, 32, 128, 4096)
    assert LAB.part_a_crossover() == pytest.approx(linear / per_key)
    d = run()
    r = d["partA_result"]
    assert r.actual == pytest.approx(linear / per_key) and r.invariant == "Iron Law"
    closest = min(LAB.PART_A_OPTIONS, key=lambda k: abs(math.log(LAB.PART_A_OPTIONS[k] * per_key / linear)))
    assert r.correct_choice == closest == "about 30,000 tokens" and not r.correct
    # the common prior (attention takes over near the width or a few thousand tokens) is wrong by > 3x
    assert linear / per_key > 3 * LAB.PART_A_OPTIONS["about 8,000 tokens"] * 0.9


def test_part_a_options_are_spaced_alike():
    v = sorted(LAB.PART_A_OPTIONS.values())
    gaps = [b / a for a, b in zip(v, v[1:])]
    assert max(gaps) / min(gaps) < 1.4


def test_part_b_ratio_is_total_over_active_by_hand():
    m = P.get_workload("mixtral-8x7b")
    expert = 3 * m.hidden * m.ffn
    # all 8 experts minus the 6 a token skips in each layer
    assert m.params - m.active_params == m.layers * (m.experts - m.active_experts) * expert
    assert LAB.part_b_ratio() == pytest.approx(m.params / m.active_params)
    d = run()
    r = d["partB_result"]
    assert r.correct_choice == "about 4x" and r.invariant == "Memory Wall"
    assert 3.4 < r.actual < 3.9  # Mixtral paper: 47B total, 13B active


def test_part_b_oom_at_fp16_and_not_at_int8():
    h100 = P.get_device("h100-sxm")
    usable = h100.memory_bytes * P.DEFAULT_MEMORY_FRACTION
    m = P.get_workload("mixtral-8x7b")
    assert m.params * 2 > usable > m.params * 1  # fp16 weights alone overflow, int8 weights fit
    d = run()
    assert d["partB_oom"] and any(c.startswith("OOM: mixtral-8x7b fp16") for c in d["lab_record"]["constraints"])
    d = run({"partB_precision": "int8"})
    assert not d["partB_oom"] and d["partB_est"].memory_bytes < usable


def test_a_limit_not_yet_unlocked_is_not_recorded():
    d = run_lab(PATH)[1]
    assert d["partB_oom"] and d["lab_record"]["constraints"] == []


def test_part_b_batch_reads_more_experts():
    d1, d16 = run({"partB_precision": "int8"}), run({"partB_precision": "int8", "partB_batch": 16})
    read = lambda e: e.bytes_moved - e.kv_cache_bytes  # noqa: E731
    m = P.get_workload("mixtral-8x7b")
    touched = 1 - (1 - m.active_experts / m.experts) ** 16
    expert_bytes = m.routed_expert_params * 1
    assert read(d16["partB_est"]) == pytest.approx(m.params - m.routed_expert_params + expert_bytes * touched,
                                                   rel=1e-6)
    assert read(d16["partB_est"]) > 3 * read(d1["partB_est"])


def test_part_c_answer_is_the_engines_roofline():
    cnn = P.estimate("resnet50", "h100-sxm", phase="inference", batch=1, precision="fp16")
    llm = P.estimate("llama3-8b", "h100-sxm", phase="decode", batch=1, seq_len=1024, precision="fp16")
    # hand intensities: ResNet-50 2 x MACs over fp16 weights (+ activations); Llama about 2 FLOPs per 2 bytes
    r50 = P.get_workload("resnet50")
    assert cnn.arithmetic_intensity <= 2 * r50.macs / (r50.params * 2)
    assert 0.5 < llm.arithmetic_intensity < 1.5
    assert LAB.part_c_answer() == f"{cnn.bound}/{llm.bound}"
    assert LAB.part_c_answer() in LAB.PART_C_OPTIONS.values()
    d = run()
    assert d["partC_result"].correct_choice == LAB.part_c_answer() and d["partC_result"].invariant == "Roofline"


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    d = run()
    assert d["partA_cross"] == pytest.approx(d["partA_actual"])
    assert not d["partA_over_max"]
    assert d["partB_est"].weights_bytes / (P.get_workload("mixtral-8x7b").active_params * 2) == pytest.approx(
        d["partB_actual"])
    b = d["partC_bounds"]
    assert f"{b['CNN'].bound}/{b['dense transformer'].bound}" == d["partC_result"].correct_choice


def test_context_beyond_the_trained_limit_at_its_threshold():
    # GPT-2 small: 1,024 tokens trained; 1,024 is within, 2,048 beyond
    assert not run({"partA_model": "gpt2-small", "partA_context": 1024})["partA_over_max"]
    d = run({"partA_model": "gpt2-small", "partA_context": 2048})
    assert d["partA_over_max"] and any(c.startswith("Context") for c in d["lab_record"]["constraints"])


def test_sliding_window_model_never_crosses_over():
    d = run({"partA_model": "mistral-7b"})
    assert math.isinf(d["partA_cross"])


def test_part_c_oom_on_the_edge_board_and_tiny_has_a_message():
    d = run({"partC_tier": "edge"})
    assert "dense transformer" in d["partC_oom"]
    d = run({"partC_tier": "edge", "partC_precision": "int4"})
    assert "dense transformer" not in d["partC_oom"]
    d = run({"partC_tier": "tiny"})
    assert all(isinstance(v, str) or not v.fits for v in d["partC_bounds"].values())


def test_larger_batch_makes_the_cnn_compute_bound():
    d = run({"partC_batch": 256})
    assert d["partC_bounds"]["CNN"].bound == "compute"
