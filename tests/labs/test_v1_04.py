"""v1.04: each part's computed answer against an independent hand calculation, and each
failure state at its threshold and not below."""
import math

import pytest

from mlsyslabs.labs.catalog import get_lab

from .harness import Committed, load_app, run_defs as run  # noqa: F401

E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28  # Hoffmann et al. 2022, eq. 10
FIBER = 299_792_458 / 1.4677


def loss(n, d):
    return E + A / n**ALPHA + B / d**BETA




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
