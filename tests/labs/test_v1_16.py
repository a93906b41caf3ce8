"""v1.16: each part's computed answer against an independent hand calculation, and each
failure state at its threshold and not below."""
import pytest

from mlsyslabs import physics as P

from mlsyslabs.labs.catalog import get_lab

from .harness import Committed, load_app, load_module, run_defs as run

LAB = load_module(get_lab("v1.16").path)

# ---------------------------------------------------------------- v1.16
V116 = {"act1_prediction": "memory_bw", "act2_prediction": "cloud"}


def _v116(**kw):
    ctl = {"gpus": 16, "strategy": "dynamic", "q_cloud": "int8", "q_edge": "int4", "q_mobile": "int4",
           "q_tiny": "ternary", "prompt_len": 256, "cadence": 4, "threshold": 0.5}
    ctl.update(kw)
    return run("v1.16", V116, **ctl)


def test_v116_answers_match_hand_calculation():
    d = _v116()
    # sparse (empty) ledger -> the documented default
    assert d["act1_result"].correct_choice == "memory_bw"
    # TinyML: 6.74B params at 1.585 bits + fp16 KV (2 x 32 x 32 x 128 x 2 B/token x 272) vs 256 KiB x 0.9
    tiny = 6_738_415_616 * 1.585 / 8 + 524_288 * 272 + (2 * 4096 + 11008) * 2
    assert d["checks"][3].memory_ratio == pytest.approx(tiny / (262144 * 0.9), rel=1e-6)
    assert LAB.act2_answer() == "tiny" and d["act2_result"].correct_choice == "tiny"
    price = P.get_device("h100-sxm").price_per_hour
    assert d["cloud"].cost_per_request == pytest.approx(16 * price / 3600 / 1000)


def test_v116_p99_failure_at_its_threshold():
    from mlsyslabs.physics import fleet

    n = fleet.gpus_needed("llama2-7b", "h100-sxm", arrival_rps=1000, p99_slo_s=0.1, prompt=256, output=16,
                          precision="int8", strategy="dynamic")
    assert "P99 latency" not in _v116(gpus=n)["violations"]
    assert "P99 latency" in _v116(gpus=n - 1)["violations"]


def test_v116_drift_failure_at_its_threshold():
    # 0.90 - 0.5 x 0.02 x months >= 0.85  <=>  months <= 5
    assert "post-drift accuracy" not in _v116(cadence=5)["violations"]
    assert "post-drift accuracy" in _v116(cadence=6)["violations"]


def test_v116_reads_earlier_labs_from_the_ledger():
    from mlsyslabs.ledger import Ledger

    led = Ledger.open()
    led.save("v1.10", {"decisions": {"precision": "int4"}})
    led.save("v1.14", {"decisions": {"cadence_months": 3}})
    d = load_app(get_lab("v1.16").path).run(defs={k: Committed(v) for k, v in V116.items()})[1]
    assert d["q_cloud"].value == "int4" and d["cadence"].value == 3


def test_v116_hostile_ledger_values_fall_back_to_the_design():
    from mlsyslabs.ledger import Ledger

    led = Ledger.open()
    led.save("v1.10", {"decisions": {"precision": "fp64"}})
    led.save("v1.13", {"outcomes": {"p99_ms": -5.0}})
    led.save("v1.14", {"decisions": {"cadence_months": 1e300}})
    d = load_app(get_lab("v1.16").path).run(defs={k: Committed(v) for k, v in V116.items()})[1]
    assert d["q_cloud"].value == LAB.DESIGN["q_cloud"] and d["cadence"].value == LAB.DESIGN["cadence"]
    assert d["prior_p99_ms"].value is None and "outside" in d["prior_p99_ms"].note


def test_v116_prompt_slider_stays_inside_the_context_window():
    assert LAB.MAX_PROMPT + LAB.SCENARIO["output_tokens"] <= P.get_workload(LAB.MODEL).max_context
    d = _v116(prompt_len=LAB.MAX_PROMPT)
    assert d["design_error"] is None


def test_v116_act2_answer_ignores_the_controls():
    for q in ("fp16", "int4"):
        assert _v116(q_cloud=q, gpus=1)["act2_result"].correct_choice == LAB.act2_answer()


def test_v116_cost_failure_at_its_threshold():
    # cost/request = N x price/h / 3600 / 1000 req/s  >  0.001 USD  <=>  N > 3600 / price
    limit = 3600 / P.get_device("h100-sxm").price_per_hour
    below = max(n for n in LAB.GPU_STEPS if n <= limit)
    above = min(n for n in LAB.GPU_STEPS if n > limit)
    assert "cost per request" not in _v116(gpus=below)["violations"]
    assert "cost per request" in _v116(gpus=above)["violations"]


def test_v116_gpus_needed_meets_the_slo():
    d = _v116()
    from mlsyslabs.physics import fleet

    n = d["gpus_for_slo"]
    assert fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=n, arrival_rps=1000, precision="int8",
                             strategy="dynamic").p99_s <= 0.1
