"""v1.02: each part's computed answer against an independent hand calculation, and each
failure state at its threshold and not below."""
import math

import pytest

from mlsyslabs.labs.catalog import get_lab

from .harness import Committed, load_app, run_defs as run  # noqa: F401

E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28  # Hoffmann et al. 2022, eq. 10
FIBER = 299_792_458 / 1.4677


def loss(n, d):
    return E + A / n**ALPHA + B / d**BETA




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
