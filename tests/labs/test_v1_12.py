"""v1.12 Benchmarking: each answer against a hand calculation, each failure at its
threshold and just below, the instruments at their defaults against the reveals."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.physics import pipeline as PL
from mlsyslabs.physics import serving_load as SL

from .harness import load_module, rendered_text, run_lab

PATH = get_lab("v1.12").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "about 1.7x", "partB_prediction": "about 25", "partC_prediction": "about 400",
           "partD_prediction": "about 65%"}


def test_part_a_is_amdahl_on_the_engine_stage_times():
    decode = 1 / PL.JPEG_DECODE_PER_WORKER
    model = P.estimate("resnet50", "jetson-orin-nano", phase="inference", batch=1, seq_len=1,
                       precision="fp16").step_time_s
    f = model / (decode + model)
    s = LAB.PART_A["model_speedup"]
    assert LAB.model_share() == pytest.approx(f)
    assert LAB.part_a_speedup() == pytest.approx(1 / ((1 - f) + f / s))
    assert LAB.part_a_speedup() == pytest.approx((decode + model) / (decode + model / s))
    assert 0.3 < f < 0.6  # the brief's regime: the model is a minority of the frame
    # overlapped throughput: decode is the slowest stage before and after
    assert LAB.pipelined_rate(s) == pytest.approx(LAB.pipelined_rate()) == pytest.approx(1 / decode)


def test_part_b_runs_from_the_t_table():
    # t_{0.975, 42} = 2.0181, t_{0.975, 44} = 2.0154 (two builds, n runs each: 2n - 2 degrees of freedom)
    assert 2.0181 * 0.05 * math.sqrt(2 / 22) >= 0.03 > 2.0154 * 0.05 * math.sqrt(2 / 23)
    assert LAB.part_b_runs() == 23
    assert LAB.noise(0.05, 22, 0.03)[1] and not LAB.noise(0.05, 23, 0.03)[1]


def test_part_c_samples_for_an_upper_bound():
    n = math.ceil(math.log(0.025) / math.log(0.99))
    assert 0.99 ** n <= 0.025 < 0.99 ** (n - 1)
    assert LAB.part_c_samples() == n == 368


def test_part_d_server_score_meets_the_bounds_and_no_more():
    off = SL.serve_load("llama3-8b", "a100-80gb", concurrency=8 * 256)
    rate = LAB.server_rate("a100-80gb", "interactive")
    assert LAB.offline_point("a100-80gb").requests_per_s == pytest.approx(off.requests_per_s)
    assert LAB.part_d_fraction() == pytest.approx(rate / off.requests_per_s)
    ttft, tpot = LAB.BOUNDS["interactive"]
    assert (ttft, tpot) == (0.5, 0.03)  # MLCommons loadgen/mlperf.conf, llama3_1-8b-interactive
    ok = SL.serve_load("llama3-8b", "a100-80gb", rate=rate)
    assert ok.stable and ok.ttft_s["p99"] <= ttft and ok.itl_s["p99"] <= tpot
    over = SL.serve_load("llama3-8b", "a100-80gb", rate=rate * 1.01)
    assert not over.stable or over.ttft_s["p99"] > ttft or over.itl_s["p99"] > tpot
    assert 0 < LAB.part_d_fraction() < 0.85  # a latency bound costs throughput here
    assert LAB.server_fraction("a100-80gb", "server") > LAB.part_d_fraction()  # looser bounds cost less


def test_every_answer_is_the_closest_option():
    import mlsyslabs.ui.predictions as G

    assert G.closest_option(LAB.PART_A_OPTIONS, LAB.part_a_speedup()) == "about 1.7x"
    assert G.closest_option(LAB.PART_B_OPTIONS, LAB.part_b_runs()) == "about 25"
    assert G.closest_option(LAB.PART_C_OPTIONS, LAB.part_c_samples()) == "about 400"
    assert G.closest_option(LAB.PART_D_OPTIONS, 100 * LAB.part_d_fraction()) == "about 65%"


def test_instruments_open_on_the_scenarios_and_agree_with_the_reveals():
    _, d = run_lab(PATH, ANSWERS)
    assert all(d[f"part{p}_result"].correct for p in "ABCD")
    assert d["partA_model_speedup"].value == LAB.PART_A["model_speedup"]
    assert LAB.frame_latency() / d["partA_latency"] == pytest.approx(d["partA_actual"])
    assert not d["partA_miss"]
    assert (d["partB_runs"].value, d["partB_cv"].value, d["partB_gain"].value) == (5, 5.0, 3.0)
    assert d["partB_inside"]  # Tomasz's 5 runs: the claim is inside the noise, as the reveal says
    assert LAB.M.runs_to_resolve(d["partB_gain"].value / 100, d["partB_cv"].value / 100) == d["partB_actual"]
    assert d["partC_n"] == LAB.PART_C["samples"] and d["partC_unsupported"]
    assert LAB.M.min_samples_for_upper_bound(d["partC_q"]) == d["partC_actual"]
    assert d["partD_fraction"] == pytest.approx(d["partD_actual"])
    assert d["partD_device"].value == "a100-80gb" and d["partD_bounds"].value == "interactive"
    assert d["partD_misses"] == []  # the slider opens on the Server score, within the bounds
    assert d["partD_result"].actual == pytest.approx(100 * d["partD_actual"])


def _controls(**over):
    base = {"partA_model_speedup": 10.0, "partA_decode_speedup": 1.0, "partB_runs": 5, "partB_discarded": 0,
            "partB_cv": 5.0, "partB_gain": 3.0, "partC_samples": 100, "partC_percentile": "P99",
            "partD_device": "a100-80gb", "partD_bounds": "interactive",
            "partD_load": LAB.default_load_percent("a100-80gb", "interactive")}
    base.update(over)
    return base


def test_deadline_fails_at_its_threshold_and_not_below():
    need = LAB.budget_model_speedup(1.0)  # model / (budget - decode)
    assert need == pytest.approx(LAB.model_time() / (LAB.LATENCY_BUDGET_S - 1 / PL.JPEG_DECODE_PER_WORKER))
    below = math.floor(need * 2) / 2  # the slider's 0.5 steps
    above = below + 0.5
    out, d = run_lab(PATH, ANSWERS, _controls(partA_model_speedup=below))
    assert d["partA_miss"] and "Deadline missed" in rendered_text(out)
    assert any(c.startswith("deadline:") for c in d["lab_record"]["constraints"])
    _, d = run_lab(PATH, ANSWERS, _controls(partA_model_speedup=above))
    assert not d["partA_miss"]


def test_noise_and_tail_failures_at_their_thresholds():
    out, d = run_lab(PATH, ANSWERS, _controls(partB_runs=22, partC_samples=367))
    text = rendered_text(out)
    assert d["partB_inside"] and d["partC_unsupported"]
    assert "Claim inside the noise" in text and "Tail claim unsupported" in text
    out, d = run_lab(PATH, ANSWERS, _controls(partB_runs=23, partC_samples=368))
    text = rendered_text(out)
    assert not d["partB_inside"] and not d["partC_unsupported"]
    assert "Claim inside the noise" not in text and "Tail claim unsupported" not in text
    assert d["lab_record"]["constraints"] == []


def test_server_bound_fails_one_percent_past_the_score():
    top = LAB.default_load_percent("a100-80gb", "interactive")
    _, d = run_lab(PATH, ANSWERS, _controls(partD_load=top))
    assert d["partD_misses"] == []
    out, d = run_lab(PATH, ANSWERS, _controls(partD_load=top + 1))
    assert d["partD_misses"] and "SLA violation" in rendered_text(out)
    # a GPU that meets no rate under the interactive bounds says so and keeps its controls
    out, d = run_lab(PATH, ANSWERS, _controls(partD_device="l4", partD_load=1))
    if LAB.server_fraction("l4", "interactive") == 0:
        assert "no rate meets these bounds" in rendered_text(out)


def test_constraints_count_only_in_unlocked_parts():
    _, d = run_lab(PATH, controls=_controls(partA_model_speedup=1.0))
    assert d["lab_record"]["constraints"] == []


def test_invariant_tags():
    _, d = run_lab(PATH, ANSWERS)
    tags = {p: d[f"part{p}_result"].invariant for p in "ABCD"}
    assert tags == {"A": "Amdahl", "B": "Statistical confidence", "C": "Statistical confidence",
                    "D": "Little's Law"}
    assert set(tags.values()) <= set(get_lab("v1.12").invariants)


def test_ledger_keys():
    _, d = run_lab(PATH, ANSWERS)
    rec = d["lab_record"]
    assert {"e2e_speedup", "runs_needed", "samples_for_p99_bound", "server_fraction_of_offline",
            "server_tokens_per_s", "offline_tokens_per_s", "frame_latency_ms"} <= set(rec["outcomes"])
    assert {"model_speedup", "runs_per_build", "warmup_runs_discarded", "latency_samples", "server_device",
            "server_bounds", "offered_load_percent"} <= set(rec["decisions"])
    assert rec["outcomes"]["completed"] is True
