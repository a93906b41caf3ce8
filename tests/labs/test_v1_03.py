"""v1.03: each part's computed answer against an independent hand calculation, and each
failure state at its threshold and not below."""
import math

import pytest

from mlsyslabs.labs.catalog import get_lab

from .harness import Committed, load_app, run_defs as run  # noqa: F401

E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28  # Hoffmann et al. 2022, eq. 10
FIBER = 299_792_458 / 1.4677


def loss(n, d):
    return E + A / n**ALPHA + B / d**BETA




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
