"""v1.01: each part's computed answer against an independent hand calculation, and each
failure state at its threshold and not below."""
import math

import pytest

from mlsyslabs.labs.catalog import get_lab

from .harness import Committed, load_app, run_defs as run  # noqa: F401

E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28  # Hoffmann et al. 2022, eq. 10
FIBER = 299_792_458 / 1.4677


def loss(n, d):
    return E + A / n**ALPHA + B / d**BETA




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
