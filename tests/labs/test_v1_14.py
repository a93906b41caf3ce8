"""v1.14 Drift and MLOps: computed answers against hand calculations, failures at their
thresholds, instruments at defaults agree with each reveal, and the cadence reaches v1.16."""
import math

import pytest

from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.physics import mlops as OPS
from mlsyslabs.physics import psi

from .harness import Committed, load_app, load_module, run_lab

PATH = get_lab("v1.14").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "about 92%", "partB_prediction": "about 1 month",
           "partC_prediction": "every month", "partD_prediction": "shrinks to half"}


def run(predicted=True, **controls):
    """Every control at its default unless overridden; all predictions committed."""
    return run_lab(PATH, ANSWERS if predicted else None, controls or None)[1]


def test_partA_accuracy_is_the_cohort_weighted_mean():
    w = 0.05 * 6
    acc = (1 - w) * 0.92 + w * 0.76
    assert LAB.part_a_accuracy() == pytest.approx(acc)
    d = run()
    r = d["partA_result"]
    assert r.actual == pytest.approx(100 * acc) and r.correct_choice == "about 87%" and not r.correct
    # the PSI it reveals is the one of the mixed score bands, under the 0.1 rule of thumb
    mix = [(1 - w) * a / sum(LAB.P_OLD) + w * b / sum(LAB.P_NEW) for a, b in zip(LAB.P_OLD, LAB.P_NEW)]
    assert d["partA_state"].psi == pytest.approx(psi(LAB.P_OLD, mix)) and d["partA_state"].psi < 0.1


def test_partB_lag_is_delay_plus_half_window_plus_half_interval():
    assert LAB.part_b_lag_days() == pytest.approx(90 + 30 / 2 + 30 / 2)
    assert OPS.DEFAULT_LABEL_DELAY_DAYS == 90
    assert run()["partB_result"].correct_choice == "about 4 months"


def test_partC_cheapest_cadence_by_hand():
    s = 0.05 * (0.92 - 0.76) * 100  # points per month
    yearly = {t: 12 * 60_000 / t + 12 * 20_000 * s * t / 2 for t in range(1, 13)}
    best = min(yearly, key=yearly.get)
    assert LAB.part_c_cadence() == best == 3
    assert LAB.cost(3, 0.05).total == pytest.approx(yearly[3])
    assert run()["partC_result"].correct_choice == "every 3 months"


def test_partD_ratio_is_the_square_root_law():
    assert LAB.part_d_ratio() == pytest.approx(1 / math.sqrt(2))
    assert run()["partD_result"].correct_choice == "shrinks to about 70%"


def test_every_option_set_has_exactly_one_right_answer_off_the_boundaries():
    # the answers sit well inside their option (not between two), so no two options are true
    for options, actual in ((LAB.PART_A_OPTIONS, LAB.part_a_accuracy()), (LAB.PART_B_OPTIONS, LAB.part_b_lag_days()),
                            (LAB.PART_C_OPTIONS, LAB.part_c_cadence()), (LAB.PART_D_OPTIONS, LAB.part_d_ratio())):
        gaps = sorted(abs(math.log(v) - math.log(actual)) for v in options.values())
        assert gaps[1] > 5 * gaps[0] and gaps[1] > 0.03


def test_instruments_open_on_the_scenarios_and_agree_with_the_reveals():
    d = run()
    assert d["partA_now"].accuracy == pytest.approx(d["partA_result"].actual / 100)
    assert d["partB_mon"]["label_lag_days"] == pytest.approx(d["partB_result"].actual)
    assert d["partB_mon"]["psi_at"] is None  # the dashboard as Omar describes it: labels only
    assert LAB.best_cadence(LAB.PART_C["rate_per_month"], retrain_cost=d["partC_retrain"].value) == \
        d["partC_result"].actual
    t_new = LAB.optimal_cadence(d["partD_rate"].value, d["partD_retrain"].value)
    t_old = LAB.optimal_cadence(LAB.PART_C["rate_per_month"], d["partD_retrain"].value)
    assert t_new / t_old == pytest.approx(d["partD_result"].actual / 100)
    assert d["partD_cadence"].value == LAB.PART_D["cadence"] and not d["partD_violations"]


def test_partA_accuracy_sla_at_its_threshold():
    # Acc(t) < 0.86 <=> t > (0.92 - 0.86) / (0.05 x 0.16) = 7.5 months
    assert not run(partA_months=7)["partA_breached"]
    assert run(partA_months=8)["partA_breached"]
    assert not run(partA_months=LAB.PART_A["months"])["partA_breached"]


def test_partB_undetected_breach_at_the_policy_limit():
    # labels only: lag = delay + 15 + 15 days; the policy allows 30 days
    assert not run(partB_delay=0, partB_window=29)["partB_late"]  # 29.5 days unseen
    assert run(partB_delay=0, partB_window=31)["partB_late"]  # 30.5 days unseen
    d = run(partB_psi="0.05")  # the PSI alarm fires before the breach
    assert not d["partB_late"] and d["partB_mon"]["exposure_days"] == 0
    d = run(partB_psi="0.25 (rule of thumb: major shift)")  # the textbook threshold fires months late
    assert d["partB_late"] and d["partB_mon"]["psi_at"] > d["partB_mon"]["breach"]


def test_partD_floor_and_budget_at_their_thresholds():
    # s = 1.6 points/month at the doubled growth: the floor allows T <= 6 / 1.6 = 3.75 months
    assert "accuracy SLA" not in run(partD_cadence=3)["partD_violations"]
    assert "accuracy SLA" in run(partD_cadence=4)["partD_violations"]
    # yearly cost 12 C / T + 12 V s T / 2 against 900,000 USD: T = 1 -> 912,000; T = 2 -> 744,000
    assert "budget" in run(partD_cadence=1)["partD_violations"]
    assert "budget" not in run(partD_cadence=2)["partD_violations"]
    assert LAB.plan(1, 0.10, 60_000)["cost"].total == pytest.approx(12 * 60_000 + 12 * 20_000 * 1.6 / 2)


def test_constraints_count_only_in_unlocked_parts():
    d = run(predicted=False, partD_cadence=6, partA_months=20)
    assert d["lab_record"]["constraints"] == []
    d = run(partD_cadence=6, partA_months=20)
    assert {"accuracy SLA (Part A)", "accuracy SLA", "undetected breach"} <= set(d["lab_record"]["constraints"])


def test_invariant_tags():
    d = run()
    assert {d[f"part{p}_result"].invariant for p in "ABCD"} == {"Drift"}
    assert set(get_lab("v1.14").invariants) <= set(VOL1_INVARIANTS)


def test_cadence_is_saved_and_v116_preselects_it():
    from mlsyslabs.ledger import Ledger

    run(predicted=False, partD_cadence=5)  # Part D locked: the cadence is not the learner's yet
    assert "cadence_months" not in Ledger.open().get("v1.14")["decisions"]

    run(partD_cadence=2)
    rec = Ledger.open().get("v1.14")
    assert rec["decisions"]["cadence_months"] == 2 and isinstance(rec["decisions"]["cadence_months"], int)
    from .test_v1_16 import V116

    d = load_app(get_lab("v1.16").path).run(defs={k: Committed(v) for k, v in V116.items()})[1]
    assert d["cadence"].value == 2
