"""Labs v1.01-v1.04 and v1.16: each part's computed answer against an independent
hand calculation, and each failure state at its threshold and not below."""
import math

import pytest

from mlsyslabs.labs.catalog import get_lab

from .harness import Committed, load_app

E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28  # Hoffmann et al. 2022, eq. 10
FIBER = 299_792_458 / 1.4677


def loss(n, d):
    return E + A / n**ALPHA + B / d**BETA


def run(lab_id, answers=None, raw=None, **overrides):
    """answers and overrides stand in for UI elements; `raw` are plain values."""
    defs = {k: Committed(v) for k, v in (answers or {}).items()}
    defs.update({k: Committed(v) for k, v in overrides.items()})
    defs.update(raw or {})
    return load_app(get_lab(lab_id).path).run(defs=defs)[1]


# ---------------------------------------------------------------- v1.01
V101 = {"partA_prediction": "Improves ~4x (proportional)", "partB_prediction": "data", "partC_prediction": "machine",
        "partD_prediction": "3B parameters"}


def test_v101_answers_match_hand_calculation():
    d = run("v1.01", V101)
    gain = (loss(1e9, 1e9) - E) / (loss(4e9, 1e9) - E)
    assert d["partA_gain"] == pytest.approx(gain) and gain < 1.15
    assert d["partA_result"].correct_choice.startswith("Almost no change")
    assert d["partB_result"].correct_choice == "data"  # B/1e9^0.28 = 1.24 > A/1e9^0.34 = 0.35
    need = (A / (1.95 - E - B / 2e12**BETA)) ** (1 / ALPHA)
    assert need > 16e9 * 0.9 and d["partC_result"].correct_choice == "machine"
    per_token = lambda n: 6 * n / (989.4e12 * 0.4) / 3600 * 3.0 + 5e-4  # noqa: E731
    hand = {k: loss(n, 1e6 / per_token(n)) for k, n in
            {"30B parameters, fewer tokens": 3e10, "3B parameters": 3e9, "300M parameters, most tokens": 3e8}.items()}
    assert d["partD_losses"] == pytest.approx(hand)
    assert d["partD_best"] == min(hand, key=hand.get)


def _v101_controls(target):
    return {"partC_tier": "edge", "partC_precision": "int8", "partC_target": target}


def test_v101_edge_oom_at_its_threshold():
    t_star = E + A / (16e9 * 0.9) ** ALPHA + B / 2e12**BETA  # loss of the largest model that fits
    assert not run("v1.01", V101, **_v101_controls(t_star + 0.005))["partC_oom"]
    d = run("v1.01", V101, **_v101_controls(t_star - 0.005))
    assert d["partC_oom"] and "OOM at the edge" in d["lab_record"]["constraints"]


def test_v101_budget_failure_at_its_threshold():
    per_token = 6 * 10**9.5 / (989.4e12 * 0.4) / 3600 * 3.0 + 5e-4
    logd_star = math.log10(1e6 / per_token)
    under = run("v1.01", V101, partD_logn=9.5, partD_logd=round(logd_star - 0.02, 3))
    over = run("v1.01", V101, partD_logn=9.5, partD_logd=round(logd_star + 0.02, 3))
    assert "budget exceeded" not in under["partD_violations"]
    assert "budget exceeded" in over["partD_violations"]


# ---------------------------------------------------------------- v1.02
V102 = {"partA_prediction": "compute", "partB_prediction": "compute", "partC_prediction": "cloud",
        "partD_prediction": 1000.0}


def test_v102_answers_match_hand_calculation():
    d = run("v1.02", V102)
    rtt = 2 * 1e6 / FIBER
    upload = 150e3 / (50e6 / 8)
    compute = 2 * 300e6 / (1979e12 * 0.5)
    assert rtt + upload > 1000 * compute and d["partA_result"].correct_choice == "fixed"
    assert d["partB_result"].correct_choice == "data"
    assert d["partC_best"] == "mobile"
    r50_data = (25.56e6 + 2 * 3.2e6) / (3.35e12 * 0.8)
    r50_compute = 2 * 4.09e9 / (1979e12 * 0.5)
    limit_km = (0.1 - upload - r50_data - r50_compute) * FIBER / 2 / 1e3
    assert d["partD_limit_km"] == pytest.approx(limit_km, rel=1e-6)


def test_v102_sla_at_its_threshold():
    limit = run("v1.02", V102)["partD_limit_km"]
    ctl = {"partD_model": "resnet50", "partD_tier": "cloud", "partD_uplink": 50}
    ok = run("v1.02", V102, partD_distance=int(limit // 100) * 100, **ctl)
    late = run("v1.02", V102, partD_distance=int(limit // 100) * 100 + 100, **ctl)
    assert ok["partD_violations"] == [] and late["partD_violations"][0].startswith("SLA")
    oom = run("v1.02", V102, partD_distance=0, partD_model="resnet50", partD_tier="tiny", partD_uplink=50)
    assert oom["partD_violations"] == ["OOM: resnet50 on tiny"]


# ---------------------------------------------------------------- v1.03
V103 = {"partA_prediction": 16.0, "partB_prediction": "about 10x", "partC_prediction": 5.0,
        "partD_prediction": "sooner"}


def test_v103_answers_match_hand_calculation():
    d = run("v1.03", V103)
    assert (d["partA_fast"], d["partA_slow"]) == (672 * 4 // 3, 81)  # 672/0.75, floor(672/8.25)
    assert d["partB_result"].correct_choice == "about 100x"
    loop = 40 * 8.25 / 168
    assert d["partD_careful"] == pytest.approx(1 + loop + 0.5 * 100**0.2 / 7)
    assert d["partD_rushed"] == pytest.approx(loop + 0.5 * 100 / 7)
    assert d["partD_result"].correct_choice == "later"
    # engine training throughput: 6 x 2 x MACs... per image, at 0.5 x dense bf16
    h100_loop = 1_281_167 * 5 / (989.4e12 * 0.5 / (3 * 2 * 4.09e9)) / 3600 + 0.25
    orin_loop = 1_281_167 * 5 / (15e12 * 0.5 / (3 * 2 * 4.09e9)) / 3600 + 0.25
    assert d["partC_ratio"] == pytest.approx(math.floor(672 / h100_loop) / math.floor(672 / orin_loop))


def test_v103_deadline_at_its_threshold():
    ctl = {"partD_validate": True, "partD_evaluate": True, "partD_loop": 8.0, "partD_parallel": 1}
    per = 8.25 / 168
    fixed = 1 + 0.5 * 100**0.2 / 7
    e_star = (12 - fixed) / per  # ~220 experiments
    ok = run("v1.03", V103, partD_experiments=int(e_star // 5) * 5, **ctl)
    late = run("v1.03", V103, partD_experiments=int(e_star // 5) * 5 + 5, **ctl)
    assert ok["partD_violations"] == [] and late["partD_violations"] == ["missed deadline"]
    rushed = run("v1.03", V103, partD_experiments=40, **dict(ctl, partD_validate=False, partD_evaluate=False))
    assert "defect reached production" in rushed["partD_violations"]


# ---------------------------------------------------------------- v1.04
V104 = {"partA_prediction": 70.0, "partB_prediction": "double", "partC_prediction": "fits", "partD_prediction": 64.0}
DEMAND = 8 * (989.4e12 * 0.5) / (3 * 2 * 4.09e9)
JPEG = 138e9 / 1_281_167


def test_v104_answers_match_hand_calculation():
    d = run("v1.04", V104)
    supply = min(2e9 / JPEG, 32 * 400, 64e9 / (224 * 224 * 3 * 2))
    assert d["partA_pipe"].utilization == pytest.approx(supply / DEMAND)
    assert d["partA_result"].actual == pytest.approx(100 * supply / DEMAND)
    # doubling workers: decode 25,600/s but storage caps at 18,568/s -> gain 1.45x -> "barely"
    assert (2e9 / JPEG) / supply < 1.7 and d["partB_answer"] == "barely"
    assert d["partC_result"].correct_choice == "oom"  # 276,480 B > 256 KiB x 0.9
    assert d["partD_workers_needed"] == math.ceil(0.5 * DEMAND / 400)


def test_v104_failures_at_their_thresholds():
    ctl = {"partD_format": "jpeg"}
    needed = math.ceil(0.5 * DEMAND / 400)
    full_cache = math.ceil(138 / 50) * 50
    below = run("v1.04", V104, partD_workers=(needed // 8) * 8, partD_cache_gb=full_cache, **ctl)
    above = run("v1.04", V104, partD_workers=(needed // 8 + 1) * 8, partD_cache_gb=full_cache, **ctl)
    assert "GPU idle > 50%" in below["partD_violations"] and "GPU idle > 50%" not in above["partD_violations"]
    ram = run("v1.04", V104, partD_workers=256, partD_cache_gb=1800, **ctl)
    oom = run("v1.04", V104, partD_workers=256, partD_cache_gb=1850, **ctl)
    assert "host RAM OOM" not in ram["partD_violations"] and "host RAM OOM" in oom["partD_violations"]


# ---------------------------------------------------------------- v1.16
V116 = {"act1_prediction": "memory_bw", "act2_prediction": "cloud"}


def _v116(**kw):
    ctl = {"gpus": 16, "strategy": "dynamic", "q_cloud": "int8", "q_edge": "int4", "q_mobile": "int4",
           "q_tiny": "ternary", "prompt_len": 256, "cadence": 4, "threshold": 0.5, "reflection": ""}
    ctl.update(kw)
    return run("v1.16", V116, raw={"start_context": "cloud"}, **ctl)


def test_v116_answers_match_hand_calculation():
    d = _v116()
    # sparse (empty) ledger -> the documented default
    assert d["act1_result"].correct_choice == "memory_bw"
    # TinyML: 6.74B params at 1.585 bits + fp16 KV (2 x 32 x 32 x 128 x 2 B/token x 272) vs 256 KiB x 0.9
    tiny = 6_738_415_616 * 1.585 / 8 + 524_288 * 272 + (2 * 4096 + 11008) * 2
    assert d["checks"][3].memory_ratio == pytest.approx(tiny / (262144 * 0.9), rel=1e-6)
    assert d["hardest_tier"] == "tiny" and d["act2_result"].correct_choice == "tiny"
    assert d["cloud"].cost_per_request == pytest.approx(16 * 3.0 / 3600 / 1000)


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


def test_v116_cost_failure_at_its_threshold():
    # cost/request = N x $3/h / 3600 / 1000 req/s  >  $0.001  <=>  N > 1200
    assert "cost per request" not in _v116(gpus=1024)["violations"]
    assert "cost per request" in _v116(gpus=1536)["violations"]


def test_v116_gpus_needed_meets_the_slo():
    d = _v116()
    from mlsyslabs.physics import fleet

    n = d["gpus_for_slo"]
    assert fleet.serve_fleet("llama2-7b", "h100-sxm", gpus=n, arrival_rps=1000, precision="int8",
                             strategy="dynamic").p99_s <= 0.1
