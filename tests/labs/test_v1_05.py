"""v1.05: each part's computed answer against a hand calculation from registry
constants, instruments that open on the scenario the reveal grades (also for a
learner whose home tier is elsewhere), each failure state at its threshold and not
below, invariant tags, and the memory breakdown saved for v1.08."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.labs.protocol import build_record
from mlsyslabs.ledger import Ledger

from .harness import lab_controls, load_module, run_lab

PATH = get_lab("v1.05").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "x2", "partB_prediction": "about 5x", "partC_prediction": 30.0,
           "partD_prediction": "128 units"}
TINY = P.get_workload("tinyllama-1.1b")
FRAC = P.DEFAULT_MEMORY_FRACTION


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)[1]


def _defaults(**changes):
    """Every control at its default (read from a visit that commits nothing), then `changes`."""
    d = run_lab(PATH)[1]
    c = {k: e.value for k, e in lab_controls(d).items()}
    c.update(changes)
    return c


# ---------------------------------------------------------------- hand calculations
def _mlp_params(widths):
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


def test_part_a_flops_are_two_per_mac_by_hand():
    widths = [128 * 3, 128, 128, 8]
    params = _mlp_params(widths)
    macs = sum(a * b for a, b in zip(widths, widths[1:]))
    c = LAB.count(128, 2, 1)
    assert c["params"] == params == 384 * 128 + 128 + 128 * 128 + 128 + 128 * 8 + 8
    assert c["flops"] == 2 * macs and c["macs"] == macs
    assert LAB.part_a_answer() == "x2"  # 2 FLOPs per MAC: about twice the parameters
    d = run()
    r = d["partA_result"]
    assert r.correct and r.actual == 2 * macs and r.invariant == "Iron Law"
    # the options are a factor of two apart (not the reference lab's 0.1% between params and MACs)
    v = sorted(LAB.PART_A_MULTIPLES.values())
    assert all(b / a == 2 for a, b in zip(v, v[1:]))
    # activations: two live buffers for inference, every width stored for training; both scale with batch
    assert c["live"] == 384 + 128 and c["stored"] == sum(widths)
    c32 = LAB.count(128, 2, 32)
    assert c32["params"] == params and c32["flops"] == 32 * c["flops"] and c32["stored"] == 32 * c["stored"]


def _tiny_training(batch, seq=1024, precision="bf16", optimizer="adam"):
    """Korthikanti et al. activations + 16 bytes per parameter (mixed-precision Adam), by hand."""
    n, L, h, a = TINY.params, TINY.layers, TINY.hidden, TINY.heads
    act = L * seq * batch * h * (34 + 5 * a * seq / h)
    return 16 * n + act, act


def test_part_b_ratio_is_training_over_serving_by_hand():
    total, _ = _tiny_training(1)
    serve = P.estimate("tinyllama-1.1b", "jetson-orin-nx-16gb", phase="prefill", batch=1, seq_len=1024,
                       precision="bf16")
    assert serve.weights_bytes == 2 * TINY.params
    assert LAB.part_b_ratio() == pytest.approx(total / serve.memory_bytes)
    closest = min(LAB.PART_B_OPTIONS, key=lambda k: abs(math.log(LAB.PART_B_OPTIONS[k] / LAB.part_b_ratio())))
    d = run()
    assert d["partB_result"].correct_choice == closest and d["partB_result"].invariant == "Memory Wall"
    assert d["partB_pair"]["train_oom"] and not d["partB_pair"]["serve_oom"]  # serving fits, fine-tuning does not
    v = sorted(LAB.PART_B_OPTIONS.values())
    gaps = [b / a for a, b in zip(v, v[1:])]
    assert max(gaps) / min(gaps) < 1.3


def test_part_c_largest_batch_by_hand():
    usable = P.get_device("h100-sxm").memory_bytes * FRAC
    _, act1 = _tiny_training(1)
    expected = math.floor((usable - 16 * TINY.params) / act1)
    assert LAB.part_c_batch() == expected
    assert _tiny_training(expected)[0] <= usable < _tiny_training(expected + 1)[0]
    d = run()
    assert d["partC_result"].actual == expected and d["partC_result"].invariant == "Memory Wall"


def test_part_d_widest_trainable_width_by_hand():
    usable = P.get_device("nrf52840").sram_bytes * FRAC

    def sram(h, batch=8):
        widths = [384, h, h, 8]
        return 16 * _mlp_params(widths) + 4 * batch * sum(widths)  # fp32 Adam + every width stored

    widest = max(h for h in range(1, 600) if sram(h) <= usable)
    assert LAB.part_d_width() == widest
    assert LAB.mcu_plan(widest, 2, 8, "adam", "train", "nrf52840")["sram_need"] == sram(widest)
    expected = max((k for k, v in LAB.PART_D_OPTIONS.items() if v <= widest), key=LAB.PART_D_OPTIONS.get)
    d = run()
    assert d["partD_result"].correct_choice == expected and d["partD_result"].actual == widest
    # today's int8 inference network fits: weights in flash, two activation buffers in SRAM
    infer = LAB.mcu_plan(128, 2, 1, "adam", "infer", "nrf52840")
    assert infer["violations"] == [] and infer["flash_need"] == _mlp_params([384, 128, 128, 8])
    assert infer["sram_need"] == 384 + 128


def test_invariant_tags_name_what_each_question_tests():
    d = run()
    tags = {p: d[f"{p}_result"].invariant for p in ("partA", "partB", "partC", "partD")}
    assert tags == {"partA": "Iron Law", "partB": "Memory Wall", "partC": "Memory Wall", "partD": "Memory Wall"}
    assert set(tags.values()) <= set(VOL1_INVARIANTS)


# ---------------------------------------------------------------- instruments open on the scenario
def _check_instruments_agree(d):
    c = {k: e.value for k, e in lab_controls(d).items()}
    assert (c["partA_hidden"], c["partA_depth"], c["partA_batch"]) == \
        (LAB.PART_A["hidden"], LAB.PART_A["depth"], LAB.PART_A["batch"])
    assert LAB.count(c["partA_hidden"], c["partA_depth"], c["partA_batch"])["flops"] == d["partA_result"].actual
    b = LAB.PART_B
    assert (c["partB_device"], c["partB_optimizer"], c["partB_precision"], c["partB_batch"], c["partB_seq"]) == \
        (b["device"], b["optimizer"], b["precision"], b["batch"], b["seq_len"])
    assert d["partB_now"]["ratio"] == pytest.approx(d["partB_result"].actual)
    assert (c["partC_batch"], c["partC_seq"]) == (d["partC_max"], LAB.PART_C["seq_len"])
    assert not d["partC_oom"]  # the engine's largest batch fits
    assert c["partD_hidden"] == d["partD_width"] == d["partD_result"].actual
    assert (c["partD_batch"], c["partD_optimizer"], c["partD_mode"], c["partD_device"]) == \
        (LAB.PART_D["batch"], LAB.PART_D["optimizer"], LAB.PART_D["mode"], LAB.PART_D["device"])
    assert d["partD_plan"]["violations"] == []


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    _check_instruments_agree(run())


@pytest.mark.parametrize("home", ["cloud", "tiny"])
def test_a_home_tier_never_moves_an_instrument(home):
    Ledger.open().save("v1.00", build_record(context=home, results=[]))
    d = run()
    _check_instruments_agree(d)
    assert d["lab_record"]["context"] == home


def test_no_context_is_saved_that_the_learner_did_not_choose():
    run_lab(PATH)
    assert Ledger.open().get("v1.05")["context"] is None


# ---------------------------------------------------------------- failure states
def test_gpu_oom_at_the_largest_batch_plus_one_and_not_at_it():
    n = LAB.part_c_batch()
    ok = run(_defaults(partC_batch=n))
    oom = run(_defaults(partC_batch=n + 1))
    assert not ok["partC_oom"] and oom["partC_oom"]
    assert any("training OOM" in c for c in oom["lab_record"]["constraints"])
    assert not any("training OOM" in c for c in ok["lab_record"]["constraints"])


def test_fine_tuning_oom_per_tier_and_reversible():
    edge = run()  # the scenario: fine-tuning on the edge board does not fit
    cloud = run(_defaults(partB_device="h100-sxm"))
    assert edge["partB_now"]["train_oom"] and not cloud["partB_now"]["train_oom"]
    assert any("fine-tuning OOM" in c for c in edge["lab_record"]["constraints"])
    # on the edge board, SGD and a short sequence fit where Adam does not: the optimizer state is the lever
    usable = P.get_device("jetson-orin-nx-16gb").memory_bytes * FRAC
    sgd = run(_defaults(partB_optimizer="sgd", partB_seq=128))
    assert (sgd["partB_now"]["tuned"].total_bytes <= usable) == (not sgd["partB_now"]["train_oom"])
    assert not sgd["partB_now"]["train_oom"]


def test_sram_overflow_one_unit_past_the_widest_and_not_at_it():
    w = LAB.part_d_width()
    ok = run(_defaults(partD_hidden=w))
    over = run(_defaults(partD_hidden=w + 1))
    assert ok["partD_plan"]["violations"] == [] and over["partD_plan"]["violations"] == ["SRAM overflow"]
    assert any("SRAM overflow" in c for c in over["lab_record"]["constraints"])
    # reversible: inference at the same width fits (weights in flash)
    assert run(_defaults(partD_hidden=w + 1, partD_mode="infer"))["partD_plan"]["violations"] == []


def test_flash_overflow_is_checked_for_inference():
    wide = LAB.max_width(2, 1, "adam", "infer", "nrf52840")
    assert LAB.mcu_plan(wide + 1, 2, 1, "adam", "infer", "nrf52840")["violations"] == ["flash overflow"]
    flash = P.get_device("nrf52840").flash_bytes * FRAC
    assert _mlp_params([384, wide, wide, 8]) <= flash < _mlp_params([384, wide + 1, wide + 1, 8])


def test_constraints_count_only_in_unlocked_parts():
    d = run(_defaults(partC_batch=LAB.BATCH_MAX, partD_hidden=LAB.WIDTH_MAX), answers={})
    assert d["lab_record"]["constraints"] == []


# ---------------------------------------------------------------- the ledger contract (read by v1.08)
def test_memory_breakdown_is_saved_for_v1_08():
    run()
    out = Ledger.open().get("v1.05")["outcomes"]
    keys = ("weights_bytes", "gradients_bytes", "optimizer_bytes", "master_weights_bytes", "activations_bytes",
            "bytes_per_param_training", "max_batch")
    assert all(k in out for k in keys)
    total, act = _tiny_training(LAB.part_c_batch())
    assert out["bytes_per_param_training"] == 16
    assert out["weights_bytes"] == out["gradients_bytes"] == 2 * TINY.params
    assert out["optimizer_bytes"] == 8 * TINY.params and out["master_weights_bytes"] == 4 * TINY.params
    assert out["activations_bytes"] == pytest.approx(act) and out["total_bytes"] == pytest.approx(total)
