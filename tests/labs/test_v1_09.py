"""v1.09: each part's computed answer against a hand calculation from the cited
constants, instruments that open on the scenario the reveal grades (also for a learner
whose home tier is elsewhere), each failure state at its threshold and not below, and
the invariant each question tests."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.labs.protocol import build_record
from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import data_selection as DS

from .harness import lab_controls, load_module, run_lab

PATH = get_lab("v1.09").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "About 35%", "partB_prediction": "About 1.7 T tokens", "partC_prediction": "little",
           "partD_prediction": "About 8,000"}
N = P.get_workload("llama2-7b").params
R_STAR = DS.REPEAT_HALF_LIFE


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)


def d_eff(u, passes):
    return u * (1 + R_STAR * (1 - math.exp(-(passes - 1) / R_STAR)))


def law(d):
    c = P.CHINCHILLA
    return c.E + c.A / N**c.alpha + c.B / d**c.beta


def test_part_a_compute_saved_is_the_hand_inversion_of_the_repeat_law():
    raw, s, k = LAB.PART_A["raw_tokens"], LAB.PART_A["duplicate_share"], LAB.PART_A["copies"]
    u, uc = raw * (1 - s), raw * s / (k - 1)
    eff = u - uc + d_eff(uc, k)
    passes = 1 - R_STAR * math.log(1 - (eff / u - 1) / R_STAR)
    saved = 1 - u * passes / raw
    assert LAB.part_a_saved() == pytest.approx(saved)
    # the answer: near the duplicates' share but short of it, since the copies were worth something
    assert 0 < saved < s
    d = run()[1]
    assert d["partA_result"].actual == pytest.approx(100 * saved)
    assert d["partA_result"].correct_choice == min(LAB.PART_A_OPTIONS, key=lambda o: abs(LAB.PART_A_OPTIONS[o] - saved))


def test_part_b_effective_tokens_by_hand():
    u = LAB.PART_B["pool_tokens"] * LAB.PART_B["keep_fraction"]
    eff = d_eff(u, LAB.PART_B["budget_tokens"] / u)
    assert LAB.part_b_effective() == pytest.approx(eff)
    d = run()[1]
    assert d["partB_result"].actual == pytest.approx(eff / 1e12)
    assert d["partB_result"].correct_choice == min(
        LAB.PART_B_OPTIONS, key=lambda o: abs(math.log(LAB.PART_B_OPTIONS[o] / eff)))
    # inside the lead's target at the proposed filter
    assert law(eff) / law(LAB.PART_B["budget_tokens"]) - 1 < LAB.PART_B_MAX_LOSS_INCREASE


def test_part_c_clean_gain_by_hand():
    c = LAB.PART_C
    clean = (c["new_accuracy"] - c["overlap"] * c["leaked_accuracy"]) / (1 - c["overlap"])
    assert LAB.part_c_gain() == pytest.approx(clean - c["old_accuracy"])
    d = run()[1]
    assert d["partC_result"].correct_choice == "little" and d["partC_result"].correct
    assert d["partC_result"].actual == pytest.approx(100 * (clean - c["old_accuracy"]))


def test_part_d_labels_by_hand():
    need = LAB.PART_D["random_labels"] * DS.GAL_LABELS_TO_5PCT["bald"] / DS.GAL_LABELS_TO_5PCT["random"]
    assert LAB.part_d_labels() == pytest.approx(need)
    d = run()[1]
    assert d["partD_result"].correct_choice == "About 8,000"
    assert need * LAB.PART_D["cost_per_label"] <= LAB.PART_D["budget_usd"]  # the vendor's plan fits, as published
    # the same strategy on the benchmarks' evidence does not
    assert LAB.label_plan("uncertainty", "benchmark", LAB.PART_D["budget_usd"])["over"]


def test_invariant_tags_name_what_each_question_tests():
    d = run()[1]
    tags = {p: d[f"{p}_result"].invariant for p in ("partA", "partB", "partC", "partD")}
    assert tags == {"partA": "Scaling law", "partB": "Scaling law", "partC": "Leakage inflates accuracy",
                    "partD": "Scaling law"}
    assert set(tags.values()) <= set(get_lab("v1.09").invariants)


def _check_instruments_agree(d):
    c = {k: e.value for k, e in lab_controls(d).items()}
    assert (c["partA_share"] / 100, c["partA_copies"]) == (LAB.PART_A["duplicate_share"], LAB.PART_A["copies"])
    assert 100 * d["partA_view"].compute_saved == pytest.approx(d["partA_result"].actual)
    assert c["partB_keep"] / 100 == LAB.PART_B["keep_fraction"] and c["partB_value"] == LAB.PART_B["token_value"]
    assert d["partB_view"].effective_tokens / 1e12 == pytest.approx(d["partB_result"].actual)
    assert c["partC_overlap"] / 100 == pytest.approx(LAB.PART_C["overlap"])
    assert c["partC_new"] / 100 == pytest.approx(LAB.PART_C["new_accuracy"])
    assert 100 * d["partC_view"] == pytest.approx(d["partC_result"].actual)
    assert (c["partD_strategy"], c["partD_evidence"], c["partD_budget"]) == \
        (LAB.PART_D["strategy"], LAB.PART_D["evidence"], LAB.PART_D["budget_usd"])
    assert d["partD_plan"]["labels"] == pytest.approx(d["partD_result"].actual)


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    _check_instruments_agree(run()[1])


@pytest.mark.parametrize("home", ["edge", "tiny"])
def test_a_home_tier_never_moves_an_instrument(home):
    Ledger.open().save("v1.00", build_record(context=home, results=[]))
    d = run()[1]
    _check_instruments_agree(d)
    assert d["lab_record"]["context"] == home


def test_no_context_is_saved_that_the_learner_did_not_choose():
    run_lab(PATH)
    assert Ledger.open().get("v1.09")["context"] is None


def _defaults(**changes):
    d = run_lab(PATH)[1]
    c = {k: e.value for k, e in lab_controls(d).items()}
    c.update(changes)
    return c


def test_over_filtering_at_its_threshold_and_not_below():
    floor = math.ceil(100 * LAB.min_keep())
    ok = run(_defaults(partB_keep=floor))[1]
    bad = run(_defaults(partB_keep=floor - 1))[1]
    assert not ok["partB_fail"] and bad["partB_fail"]
    assert "loss target: over-filtered" in bad["lab_record"]["constraints"]
    assert "loss target: over-filtered" not in ok["lab_record"]["constraints"]


def test_leakage_failure_at_its_threshold_and_not_below():
    c = LAB.PART_C
    # clean gain >= bar  <=>  overlap <= (m - old - bar) / (a_leaked - old - bar)
    o_star = (c["new_accuracy"] - c["old_accuracy"] - LAB.PART_C_SHIP_BAR) / \
        (c["leaked_accuracy"] - c["old_accuracy"] - LAB.PART_C_SHIP_BAR)
    below = math.floor(200 * o_star) / 2  # the slider's 0.5% steps
    ok = run(_defaults(partC_overlap=below))[1]
    bad = run(_defaults(partC_overlap=below + 0.5))[1]
    assert not ok["partC_fail"] and bad["partC_fail"]
    assert run()[1]["partC_fail"]  # the release claim itself fails the bar


def test_labelling_budget_at_its_threshold_and_not_below():
    cost = LAB.part_d_labels() * LAB.PART_D["cost_per_label"]
    enough = math.ceil(cost / 500) * 500
    ok = run(_defaults(partD_budget=enough))[1]
    bad = run(_defaults(partD_budget=enough - 500))[1]
    assert not ok["partD_fail"] and bad["partD_fail"]
    assert "labelling budget" in bad["lab_record"]["constraints"]
    # random sampling never fits the scenario's budget
    assert run(_defaults(partD_strategy="random"))[1]["partD_fail"]


def test_an_impossible_corpus_says_so_and_keeps_its_controls():
    d = run(_defaults(partA_share=80, partA_copies=2))[1]
    assert d["partA_view"] is None and "copies" in d["partA_error"]
    # the lab still saves the setting; the panel shows the message beside its controls
    assert d["lab_record"]["decisions"]["copies"] == 2


def test_ledger_keys_for_later_labs():
    rec = run()[1]["lab_record"]
    assert {"filter_keep_fraction", "label_strategy", "label_budget_usd"} <= set(rec["decisions"])
    assert {"dedup_compute_saved", "clean_gain_points", "labels_needed"} <= set(rec["outcomes"])


def test_part_c_chart_draws_each_option_where_it_is_graded():
    claimed = LAB.PART_C["new_accuracy"] - LAB.PART_C["old_accuracy"]
    assert set(LAB.PART_C_IMPLIED) == set(LAB.PART_C_OPTIONS.values())
    for key, share in LAB.PART_C_IMPLIED.items():
        assert LAB.gain_choice(share * claimed) == key
