"""v1.15 Responsible Engineering: computed answers against hand calculations, failures at
their thresholds, instruments at defaults agree with each reveal, and invariant tags."""
import math

import pytest

from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.physics import fairness as Fa
from mlsyslabs.physics import get_device
from mlsyslabs.physics import sustainability as S

from .harness import load_module, run_lab

PATH = get_lab("v1.15").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "About the same FPR and FNR in both groups: the score is calibrated for each",
           "partB_prediction": "the same as group A's", "partC_prediction": "about the same"}


def run(predicted=True, **controls):
    """Every control at its default unless overridden; all predictions committed."""
    return run_lab(PATH, ANSWERS if predicted else None, controls or None)[1]


def hand_rates(threshold_a, threshold_b):
    """FPR, FNR, PPV per group counted by hand from the engine's seeded population."""
    out = {}
    for g, t in (("group A", threshold_a), ("group B", threshold_b)):
        s, y = Fa.calibrated_population(LAB.POP["n"], base_rate=LAB.BASE_RATES[g], separation=LAB.POP["separation"],
                                        seed=LAB.POP["seeds"][g])
        tp = sum(1 for si, yi in zip(s, y) if yi and si >= t)
        fp = sum(1 for si, yi in zip(s, y) if not yi and si >= t)
        pos = sum(y)
        out[g] = dict(fpr=fp / (len(y) - pos), fnr=1 - tp / pos, ppv=tp / (tp + fp), p=pos / len(y))
    return out


def test_partA_shared_threshold_splits_the_error_rates():
    t = LAB.PART_A["threshold"]
    r = hand_rates(t, t)
    assert r["group A"]["fpr"] - r["group B"]["fpr"] > LAB.POLICY_GAP
    assert r["group B"]["fnr"] - r["group A"]["fnr"] > LAB.POLICY_GAP
    assert LAB.part_a_answer() == "Group A has the higher FPR and the lower FNR"
    d = run()
    res = d["partA_result"]
    assert res.correct_choice == LAB.part_a_answer() and not res.correct
    assert res.actual == pytest.approx(100 * (r["group A"]["fpr"] - r["group B"]["fpr"]))
    # the score is calibrated in both groups (the premise Dr. Osei states)
    cal = LAB.calibration()
    assert all(c.ece < 0.03 for c in cal.values())


def test_partA_gaps_move_with_the_threshold_and_vanish_at_equal_base_rates():
    g1, g2 = LAB.gaps(LAB.confusion(0.2)), LAB.gaps(LAB.confusion(0.6))
    g3 = LAB.gaps(LAB.confusion(0.4))
    assert abs(g1["fpr"] - g2["fpr"]) > 0.1 and abs(g1["fnr"] - g3["fnr"]) > 0.03
    eq = {"group A": 0.2, "group B": 0.2}
    for t in (0.2, 0.4, 0.6):
        assert LAB.gaps(LAB.confusion(t, eq))["odds"] == 0  # the same evidence draws in both groups


def test_partB_precision_follows_the_base_rate():
    r = hand_rates(LAB.PART_B["threshold_a"], LAB.PART_B["threshold_b"])
    # the scenario's thresholds equalize both error rates within the policy
    assert abs(r["group A"]["fpr"] - r["group B"]["fpr"]) <= LAB.POLICY_GAP
    assert abs(r["group A"]["fnr"] - r["group B"]["fnr"]) <= LAB.POLICY_GAP
    # Chouldechova's identity gives group B's precision from its base rate and error rates
    p, fpr, fnr = r["group B"]["p"], r["group B"]["fpr"], r["group B"]["fnr"]
    assert r["group B"]["ppv"] == pytest.approx(p * (1 - fnr) / (p * (1 - fnr) + (1 - p) * fpr))
    d = run()
    assert d["partB_result"].actual == pytest.approx(100 * r["group B"]["ppv"])
    assert d["partB_result"].correct_choice == "about 33%" and not d["partB_result"].correct
    assert r["group A"]["ppv"] - r["group B"]["ppv"] > 0.2


def test_partC_serving_energy_against_training_by_hand():
    dev = get_device(LAB.DEVICE)

    def watts(u):
        return dev.tdp_w * (S.GPU_IDLE_FRACTION + (1 - S.GPU_IDLE_FRACTION) * u)

    train = LAB.TRAIN["gpus"] * 24 * LAB.TRAIN["days"] * watts(LAB.TRAIN["utilization"])
    serve = LAB.PART_C["serving_gpus"] * 8760 * LAB.PART_C["years"] * watts(LAB.PART_C["utilization"])
    assert LAB.part_c_ratio() == pytest.approx(serve / train)  # PUE and the boundary cancel
    d = run()
    assert d["partC_result"].correct_choice == "serving uses about 5x more"
    assert d["partC_result"].actual == pytest.approx(serve / train)


def test_every_option_set_has_exactly_one_right_answer_off_the_boundaries():
    for options, actual in ((LAB.part_b_option_values(), LAB.part_b_confusion()["group B"].ppv),
                            (LAB.PART_C_OPTIONS, LAB.part_c_ratio())):
        gaps = sorted(abs(math.log(v) - math.log(actual)) for v in options.values())
        assert gaps[1] > 5 * gaps[0] and gaps[1] > 0.03
    # Part A: only one direction pattern holds, and the gap is far outside the 'same' band
    assert LAB.gaps(LAB.confusion(LAB.PART_A["threshold"]))["odds"] > 3 * LAB.POLICY_GAP


def test_instruments_open_on_the_scenarios_and_agree_with_the_reveals():
    d = run()
    assert d["partA_threshold"].value == LAB.PART_A["threshold"]
    assert 100 * d["partA_now_gaps"]["fpr"] == pytest.approx(d["partA_result"].actual)
    assert d["partA_unfair"]
    assert 100 * d["partB_now"]["group B"].ppv == pytest.approx(d["partB_result"].actual)
    assert not d["partB_unfair"]
    assert d["partC_now"]["ratio"] == pytest.approx(d["partC_result"].actual)
    assert not d["partC_over"]


def test_partA_fairness_gap_at_the_policy_limit():
    # equal base rates: within the policy; unequal: over it
    assert not run(partA_rate_a=0.10, partA_rate_b=0.10)["partA_unfair"]
    assert run(partA_rate_a=0.30, partA_rate_b=0.10)["partA_unfair"]


def test_partB_fairness_gap_at_the_policy_limit():
    # the violation flag is exactly 'larger error-rate gap > 5 points', on both sides of the limit
    seen = set()
    for tb in (0.10, 0.12, 0.13, 0.15, 0.17, 0.18, 0.20, 0.25):
        g = LAB.gaps(LAB.confusion({"group A": LAB.PART_B["threshold_a"], "group B": tb}))
        assert g["violation"] == (g["odds"] > LAB.POLICY_GAP)
        seen.add(g["violation"])
    assert seen == {True, False}
    assert run(partB_threshold_b=0.40)["partB_unfair"]
    assert not run(partB_threshold_b=LAB.PART_B["threshold_b"])["partB_unfair"]


def test_partC_carbon_budget_at_its_threshold():
    # two years are within the budget, three are over it; a cleaner grid brings three years back
    assert LAB.lifecycle(64, 2, 0.4, "us")["co2_kg"] < LAB.CARBON_BUDGET_KG
    assert LAB.lifecycle(64, 3, 0.4, "us")["co2_kg"] > LAB.CARBON_BUDGET_KG
    assert not run(partC_years=2)["partC_over"]
    assert run(partC_years=3)["partC_over"]
    assert not run(partC_years=3, partC_region="France")["partC_over"]
    life = LAB.lifecycle(64, 3, 0.4, "us")
    assert life["co2_kg"] == pytest.approx(life["train"].co2_kg + life["serve"].co2_kg)


def test_constraints_count_only_in_unlocked_parts():
    d = run(predicted=False, partC_years=5)
    assert d["lab_record"]["constraints"] == []
    d = run(partC_years=5, partB_threshold_b=0.40)
    assert {"fairness gap (Part A)", "fairness gap (Part B)", "carbon budget"} <= set(d["lab_record"]["constraints"])


def test_invariant_tags():
    d = run()
    assert d["partA_result"].invariant == d["partB_result"].invariant == "Fairness"
    assert d["partC_result"].invariant == "Energy"
    assert set(get_lab("v1.15").invariants) == {"Fairness", "Energy"}
    assert "Fairness" in VOL1_INVARIANTS
