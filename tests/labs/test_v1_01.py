"""v1.01: the scenario functions against hand calculations (the published scaling-law fit
and registry constants), instruments that open on each part's scenario and agree with its
reveal, every failure state at its threshold and not below, and the invariant tags."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.ledger import Ledger

from .harness import bad_text, lab_controls, load_module, rendered_text, run_lab

PATH = get_lab("v1.01").path
LAB = load_module(PATH)

# Hoffmann et al. 2022, eq. 10 (the published fit, typed here independently of the engine)
E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28
H100 = P.get_device("h100-sxm")
EDGE = P.get_device(P.TIER_REFERENCE["edge"])

WRONG = {"partA_prediction": "about 75%", "partB_prediction": "about 50%", "partC_prediction": "data",
         "partD_prediction": "300M"}
RIGHT = {"partA_prediction": "about 8%", "partB_prediction": "about 20%", "partC_prediction": "machine",
         "partD_prediction": "30B"}


def loss(n, d):
    return E + A / n**ALPHA + B / d**BETA


def tokens_for(n, budget, data_cost):
    """Tokens a budget buys after the GPU time of a model of n parameters (per token)."""
    gpu_per_token = 6 * n / (H100.peak_flops["bf16"] * 0.4) / 3600 * H100.price_per_hour
    return budget / (gpu_per_token + data_cost)


def test_scenario_matches_the_story():
    assert LAB.BASE == {"params": 1e9, "tokens": 1e9}
    assert LAB.PART_A == {"gpu_multiplier": 4, "data_multiplier": 1}
    assert LAB.PART_C == {"tier": "edge", "precision": "int8", "target_loss": 1.95, "tokens": 2e12}
    assert LAB.PART_D["budget_usd"] == 1e6 and LAB.PART_D["data_cost_per_token"] == 5e-4


def test_part_a_share_removed_by_4x_gpus_is_the_hand_value():
    r0 = loss(1e9, 1e9) - E
    removed = 100 * (1 - (loss(4e9, 1e9) - E) / r0)
    assert LAB.part_a_actual() == pytest.approx(removed)
    assert LAB.removed_pct(1, 4) == pytest.approx(100 * (1 - (loss(1e9, 4e9) - E) / r0))
    assert 7 < removed < 10  # 4x GPUs remove ~8%: the closest option is "about 8%"
    assert LAB.G.closest_option(LAB.PART_A_OPTIONS, removed) == "about 8%"


def test_part_b_model_term_share_is_the_hand_value():
    m, d = A / 1e9**ALPHA, B / 1e9**BETA
    assert LAB.part_b_actual() == pytest.approx(100 * m / (m + d))
    assert LAB.G.closest_option(LAB.PART_B_OPTIONS, LAB.part_b_actual()) == "about 20%"


def test_part_c_machine_binds_on_the_edge_box():
    need = (A / (1.95 - E - B / 2e12**BETA)) ** (1 / ALPHA)
    fit = EDGE.memory_bytes * P.DEFAULT_MEMORY_FRACTION / 1.0  # int8: one byte per weight
    c = LAB.part_c_check()
    assert c["need"] == pytest.approx(need) and c["fit"] == pytest.approx(fit)
    assert need > fit and c["oom"] and c["binding"] == "machine"
    # on the cloud tier the same target fits, and nothing about memory binds
    cloud = LAB.deployment_check("cloud", "int8", 1.95, 2e12)
    assert not cloud["oom"] and cloud["binding"] != "machine"


def test_part_d_losses_are_the_hand_values():
    hand = {k: loss(n, tokens_for(n, 1e6, 5e-4)) for k, n in {"300M": 3e8, "3B": 3e9, "30B": 3e10}.items()}
    assert LAB.part_d_losses() == pytest.approx(hand)
    assert LAB.part_d_answer() == min(hand, key=hand.get) == "30B"
    plan = LAB.training_plan(3e10, 1e6, 5e-4)
    assert plan["cost_usd"] == pytest.approx(1e6) and plan["tokens"] == pytest.approx(tokens_for(3e10, 1e6, 5e-4))


@pytest.mark.parametrize("answers,correct", [(RIGHT, True), (WRONG, False)], ids=["right", "wrong"])
def test_the_notebook_grades_with_the_scenario_answers(answers, correct):
    _, d = run_lab(PATH, answers)  # each test has its own ledger: a commit is final within one
    assert [d[f"part{p}_result"].correct for p in "ABCD"] == [correct] * 4


def test_a_wrong_choice_reveal_names_the_right_option():
    outputs, d = run_lab(PATH, WRONG)
    text = rendered_text(outputs)
    expected = {"A": "about 8%", "B": "about 20%", "C": "Machine (memory)", "D": "30 B parameters"}
    for part, label in expected.items():
        assert d[f"part{part}_result"].answer_label == label
        assert f"The answer {label}" in " ".join(text.split())


def test_invariant_tags_name_what_each_question_tests():
    _, d = run_lab(PATH, RIGHT)
    tags = {p: d[f"part{p}_result"].invariant for p in "ABCD"}
    assert tags == {"A": "Amdahl", "B": "Amdahl", "C": "Memory Wall", "D": "Amdahl"}
    assert set(tags.values()) <= set(VOL1_INVARIANTS)


def test_every_instrument_opens_on_its_scenario_and_agrees_with_the_reveal():
    _, base = run_lab(PATH)
    controls = {k: e.value for k, e in lab_controls(base).items()}
    assert controls == {
        "partA_gpus": 4, "partA_data": 1,
        "partB_logn": pytest.approx(9.0), "partB_logd": pytest.approx(9.0),
        "partC_tier": "edge", "partC_precision": "int8", "partC_target": pytest.approx(1.95),
        "partD_size": 3e10, "partD_spend": pytest.approx(1000), "partD_price": 5e-4,
    }
    _, d = run_lab(PATH, WRONG)  # a wrong choice moves nothing: the instruments still show the scenario
    assert d["partA_removed"] == pytest.approx(d["partA_result"].actual)
    assert d["partB_share"] == pytest.approx(d["partB_result"].actual)
    assert d["partC_check"]["binding"] == d["partC_result"].correct_choice
    assert d["partC_check"]["need"] == pytest.approx(d["partC_answer"]["need"])
    assert d["partD_plan"]["params"] == LAB.PART_D_OPTIONS[d["partD_result"].correct_choice]
    assert d["partD_plan"]["loss"] == pytest.approx(d["partD_losses"][d["partD_result"].correct_choice])
    assert d["partD_violations"] == []  # the scenario's answer is on budget and on target


def _controls(**kw):
    c = dict(partA_gpus=4, partA_data=1, partB_logn=9.0, partB_logd=9.0, partC_tier="edge", partC_precision="int8",
             partC_target=1.95, partD_size=3e10, partD_spend=1000, partD_price=5e-4)
    c.update(kw)
    return c


def test_edge_oom_at_its_threshold_and_not_below():
    fit = EDGE.memory_bytes * P.DEFAULT_MEMORY_FRACTION
    t_star = loss(fit, 2e12)  # the loss of the largest model that fits, with 2 T tokens
    # a limit the learner has not unlocked yet is not their constraint hit
    _, d = run_lab(PATH, None, _controls(partC_target=t_star - 0.002))
    assert d["partC_oom"] and d["lab_record"]["constraints"] == []
    _, d = run_lab(PATH, RIGHT, _controls(partC_target=t_star + 0.002))
    assert not d["partC_oom"] and "OOM on the edge tier" not in d["lab_record"]["constraints"]
    outputs, d = run_lab(PATH, RIGHT, _controls(partC_target=t_star - 0.002))
    assert d["partC_oom"] and "OOM on the edge tier" in d["lab_record"]["constraints"]
    assert "Exceeded by" in rendered_text(outputs)


def test_data_binds_below_the_floor_of_the_data_term():
    floor = E + B / 2e12**BETA  # no parameter count gets below this with 2 T tokens
    outputs, d = run_lab(PATH, RIGHT, _controls(partC_target=floor - 0.005))
    assert d["partC_check"]["data_binds"] and not d["partC_oom"]
    text = rendered_text(outputs)
    assert "Data binds" in text and "unbounded" in text and not bad_text(outputs)
    _, d = run_lab(PATH, RIGHT, _controls(partC_target=floor + 0.005))
    assert not d["partC_check"]["data_binds"] and math.isfinite(d["partC_check"]["need"])


def test_budget_failure_at_its_threshold_and_not_below():
    _, d = run_lab(PATH, RIGHT, _controls(partD_spend=1000))
    assert "budget exceeded" not in d["partD_violations"]
    outputs, d = run_lab(PATH, RIGHT, _controls(partD_spend=1050))
    assert "budget exceeded" in d["partD_violations"] and "budget exceeded" in d["lab_record"]["constraints"]
    assert "Budget" in rendered_text(outputs)


def test_target_missed_at_its_threshold_and_not_below():
    # the 3 B model misses 2.9 on the full budget (hand value above 2.9), the 30 B one reaches it
    assert loss(3e9, tokens_for(3e9, 1e6, 5e-4)) > 2.9 > loss(3e10, tokens_for(3e10, 1e6, 5e-4))
    _, d = run_lab(PATH, RIGHT, _controls(partD_size=3e9))
    assert d["partD_violations"] == ["target loss missed"]
    # the smallest spend that reaches 2.9 with the 30 B model: just under it misses, just over it reaches
    need_tokens = (B / (2.9 - E - A / 3e10**ALPHA)) ** (1 / BETA)
    spend = need_tokens / tokens_for(3e10, 1.0, 5e-4)  # USD per the tokens needed
    _, under = run_lab(PATH, RIGHT, _controls(partD_spend=spend / 1000 * 0.99))
    _, over = run_lab(PATH, RIGHT, _controls(partD_spend=spend / 1000 * 1.01))
    assert "target loss missed" in under["partD_violations"] and "target loss missed" not in over["partD_violations"]


def test_cheaper_data_moves_the_best_size_towards_compute_optimal():
    """With free data the budget is all compute: the eq. 10 optimum of the budget's FLOP."""
    _, d = run_lab(PATH, RIGHT, _controls(partD_price=0.0))
    best = min(d["partD_curve"], key=d["partD_curve"].get)
    flops = 1e6 / H100.price_per_hour * 3600 * H100.peak_flops["bf16"] * 0.4
    g = (ALPHA * A / (BETA * B)) ** (1 / (ALPHA + BETA))
    n_opt = g * (flops / 6) ** (BETA / (ALPHA + BETA))
    assert abs(math.log10(best) - math.log10(n_opt)) <= 0.05 + 1e-9  # the curve's grid is 0.1 decade


def test_context_is_the_home_tier_chosen_in_v1_00_or_none():
    run_lab(PATH)
    assert Ledger.open().get("v1.01")["context"] is None
    Ledger.open().save("v1.00", {"context": "tiny", "predictions": [], "decisions": {}, "outcomes": {},
                                 "constraint_hit": False, "constraints": []})
    _, base = run_lab(PATH)
    assert base["partC_tier"].value == "edge"  # the home tier never moves a control off the scenario
    assert Ledger.open().get("v1.01")["context"] == "tiny"


def test_numbers_are_formatted_for_people():
    outputs, _ = run_lab(PATH, WRONG, _controls(partC_tier="tiny", partC_target=1.8, partD_size=1e12,
                                                partD_spend=3000))
    text = rendered_text(outputs)
    assert not bad_text(outputs)
    for ugly in ("k$", " G parameters", " G tokens", "e+", ".00x"):
        assert ugly not in text, ugly
