"""v1.03: the scenario layer against hand calculations from the engine's documented
formulas and registry constants, the instruments at their defaults against each reveal,
each failure state at its threshold and not below, and the invariant each question tests."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.physics import workflow as W

from .harness import load_module, rendered_text, run_lab

PATH = get_lab("v1.03").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": 16.0, "partB_prediction": "about 10x", "partC_prediction": 66.0,
           "partD_prediction": 5.0, "partE_prediction": "deployment",
           "partF_prediction": "offline alone"}

# Part A's scenario by hand: 4 weeks of wall-clock hours, a 15-minute review per result,
# one reviewer working the engine's standard week, one GPU.
T = 4 * 7 * 24
REVIEW_H = 15 / 60


def by_hand(train_h, *, gpus=1, reviewers=1, hours_week=W.REVIEW_HOURS_PER_WEEK, review_h=REVIEW_H):
    """min(GPU-bound, people-bound) experiments (workflow.experiments_possible's docstring)."""
    machines = gpus * math.floor(T / (train_h + review_h) + 1e-9)
    people = math.floor(reviewers * T * hours_week / 168 / review_h + 1e-9)
    return min(machines, people)


def plan_by_hand(experiments, train_h, *, validation_weeks, caught_at, gpus=1, reviewers=1):
    machine = math.ceil(experiments / gpus) * (train_h + REVIEW_H) / 168
    people = experiments * REVIEW_H / (reviewers * W.REVIEW_HOURS_PER_WEEK)
    return validation_weeks + max(machine, people) + 0.5 * W.defect_cost_multiplier(caught_at) / 7


def test_part_a_counts_by_hand():
    fast, slow = LAB.part_a_counts()
    assert (fast, slow) == (by_hand(0.5), by_hand(8.0))
    # the short loop is capped by the reviewer (GPU alone: 896), the long one by the GPU
    assert fast == math.floor(4 * W.REVIEW_HOURS_PER_WEEK / REVIEW_H) < math.floor(T / 0.75)
    assert slow == math.floor(T / 8.25)
    assert LAB.part_a_ratio() == pytest.approx(fast / slow)
    assert LAB.part_a_ratio() < 8.0 / 0.5  # not the ratio of training times
    assert LAB.bottleneck(4, 0.5, 15, W.REVIEW_HOURS_PER_WEEK) == "reviewers"
    assert LAB.bottleneck(4, 8.0, 15, W.REVIEW_HOURS_PER_WEEK) == "GPUs"


def test_more_gpus_stop_helping_once_the_reviewer_is_saturated():
    one, many = LAB.experiments_in(4, 8.0, 15, 40, parallel=1), LAB.experiments_in(4, 8.0, 15, 40, parallel=16)
    assert many == by_hand(8.0, gpus=16) == by_hand(0.1)  # the reviewer's ceiling, not 16x
    assert many < 16 * one
    assert LAB.experiments_in(4, 8.0, 15, 40, parallel=16, reviewers=2) == by_hand(8.0, gpus=16, reviewers=2)


def test_part_b_multiplier_by_hand():
    assert LAB.part_b_multiplier() == pytest.approx(W.DEFECT_COST_RATIO) == pytest.approx(100)
    for i, stage in enumerate(W.STAGES):
        assert LAB.defect_days(stage) == pytest.approx(0.5 * 100 ** (i / 5))
    assert LAB.defect_days("production", 10.0) == pytest.approx(5.0)


def test_part_c_runs_by_hand():
    for tier in ("cloud", "edge", "mobile"):
        est = P.estimate("resnet50", P.TIER_REFERENCE[tier], phase="training", batch=64, precision="bf16")
        hours = P.pipeline.IMAGENET_TRAIN_IMAGES * 5 / est.samples_per_s / 3600
        assert LAB.run_hours(tier) == pytest.approx(hours)
        assert LAB.tier_experiments(tier) == by_hand(hours)
    assert LAB.part_c_ratio() == pytest.approx(LAB.tier_experiments("cloud") / LAB.tier_experiments("edge"))
    # the microcontroller cannot hold the training state at all
    tiny = P.estimate("resnet50", P.TIER_REFERENCE["tiny"], phase="training", batch=64, precision="bf16")
    assert tiny.memory_bytes > 0.9 * 256 * 1024
    assert LAB.run_hours("tiny") is None and LAB.tier_experiments("tiny") is None


def test_part_d_plans_by_hand():
    careful, rushed = LAB.part_d_plans()
    assert careful["caught_at"] == "data collection" and rushed["caught_at"] == "production"
    assert careful["weeks"] == pytest.approx(plan_by_hand(100, 8.0, validation_weeks=1, caught_at="data collection"))
    assert rushed["weeks"] == pytest.approx(plan_by_hand(100, 8.0, validation_weeks=0, caught_at="production"))
    assert rushed["weeks"] == pytest.approx(100 * 8.25 / 168 + 0.5 * 100 / 7)
    assert rushed["weeks"] > careful["weeks"]  # skipping the checks ships later
    for plan in (careful, rushed):
        assert plan["validation"] + plan["experiments"] + plan["rework"] == pytest.approx(plan["weeks"])


def test_each_question_is_tagged_with_the_invariant_it_tests():
    lab = get_lab("v1.03")
    assert "Drift" not in lab.invariants and "Roofline" not in lab.invariants
    assert LAB.VELOCITY in lab.invariants and LAB.DEFECT_COST in lab.invariants
    _, defs = run_lab(PATH, ANSWERS)
    assert LAB.PROPAGATION in lab.invariants
    assert LAB.BLIND_SPOTS in lab.invariants
    tags = {p: defs[f"{p}_result"].invariant for p in ("partA", "partB", "partC", "partD", "partE", "partF")}
    assert tags == {"partA": LAB.VELOCITY, "partC": LAB.VELOCITY, "partB": LAB.DEFECT_COST,
                    "partD": LAB.DEFECT_COST, "partE": LAB.PROPAGATION, "partF": LAB.BLIND_SPOTS}
    # none of them feeds a radar invariant of the capstone that this lab never asks about
    assert not set(tags.values()) & set(VOL1_INVARIANTS)


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    _, defs = run_lab(PATH, ANSWERS)
    assert defs["partA_view"]["ratio"] == pytest.approx(defs["partA_result"].actual)
    assert (defs["partA_view"]["fast"], defs["partA_view"]["slow"]) == LAB.part_a_counts()
    assert defs["partB_view"]["multiplier"] == pytest.approx(defs["partB_result"].actual)
    assert defs["partC_view"]["tier"] == "edge"
    assert defs["partC_view"]["slowdown"] == pytest.approx(defs["partC_result"].actual)
    assert defs["partD_plan"]["weeks"] == pytest.approx(defs["partD_result"].actual)
    assert defs["partD_violations"] == LAB.plan_violations(LAB.part_d_plans()[1])
    assert defs["partD_result"].correct is False  # 5 weeks: the 'skipping saves time' prior
    assert defs["partE_view"] == LAB.requirement_change() == defs["partE_change"]
    assert defs["partE_view"]["days"] == pytest.approx(defs["partE_result"].actual)
    assert defs["partE_violations"] == LAB.requirement_violations(LAB.requirement_change())
    assert defs["partE_result"].correct is False  # 'deployment onward': the late-requirement prior
    assert defs["partF_view"]["defects"] == LAB.release_defects() == defs["partF_defects"]
    assert defs["partF_view"]["checks"] == ("offline",)  # Amara's plan
    assert defs["partF_result"].correct is False and defs["partF_result"].correct_choice == LAB.part_f_answer()


def _plan_controls(**kw):
    c = {"partD_validate": True, "partD_evaluate": True, "partD_experiments": 100, "partD_train": 8.0,
         "partD_parallel": 1, "partD_reviewers": 1}
    c.update(kw)
    return c


def test_deadline_fails_at_its_threshold_and_not_below():
    careful_fixed = 1 + 0.5 * 100 ** 0.2 / 7
    n_star = (8 - careful_fixed) * 168 / 8.25  # experiments that exactly fill 8 weeks
    below = int(n_star // 5) * 5
    _, ok = run_lab(PATH, ANSWERS, _plan_controls(partD_experiments=below))
    _, late = run_lab(PATH, ANSWERS, _plan_controls(partD_experiments=below + 5))
    assert ok["partD_plan"]["weeks"] <= 8 < late["partD_plan"]["weeks"]
    assert ok["partD_violations"] == [] and late["partD_violations"] == ["missed deadline"]
    part_e = LAB.requirement_violations(LAB.requirement_change())
    part_f = ["defect escaped release"] if LAB.escaped(LAB.release_defects(), ("offline",)) else []
    assert late["lab_record"]["constraints"] == ["missed deadline"] + part_e + part_f


def test_a_late_defect_fails_only_when_no_check_catches_it():
    _, caught = run_lab(PATH, ANSWERS, _plan_controls(partD_validate=False, partD_evaluate=True))
    assert caught["partD_plan"]["caught_at"] == "evaluation" and caught["partD_violations"] == []
    outputs, missed = run_lab(PATH, ANSWERS, _plan_controls(partD_validate=False, partD_evaluate=False))
    assert "defect reached production" in missed["partD_violations"]
    assert "Requirement violated late" in rendered_text(outputs)


def test_constraints_count_only_once_part_d_is_unlocked():
    _, defs = run_lab(PATH, controls=_plan_controls(partD_validate=False, partD_evaluate=False))
    assert defs["partD_violations"] and defs["lab_record"]["constraints"] == []


def test_training_on_the_microcontroller_is_an_oom_that_keeps_the_controls():
    outputs, defs = run_lab(PATH, ANSWERS, {"partC_tier": "tiny"})
    assert defs["partC_view"]["oom"]
    text = rendered_text(outputs)
    assert "OOM" in text and P.get_device(P.TIER_REFERENCE["tiny"]).name in text
    _, edge = run_lab(PATH, ANSWERS, {"partC_tier": "edge"})
    assert not edge["partC_view"]["oom"]


def test_context_is_never_saved_for_the_learner():
    from mlsyslabs.ledger import Ledger

    run_lab(PATH, ANSWERS)
    assert Ledger.open().get("v1.03")["context"] is None


# Part E by hand: the edge box classifies one frame at a time from every camera.
def frame_s(model, precision, tier="edge"):
    est = P.estimate(model, P.TIER_REFERENCE[tier], phase="inference", batch=1, precision=precision)
    return est.step_time_s if est.fits else None


def entry_by_hand(cameras, tier="edge", privacy=False):
    budget = 1 / (cameras * 120)
    ok = lambda t: t is not None and t <= budget  # noqa: E731
    built, requant = ok(frame_s("resnet50", "fp16", tier)), ok(frame_s("resnet50", "int8", tier))
    other = any(ok(frame_s(m, p, tier)) for m in ("resnet18", "mobilenetv2", "efficientnet-b0")
                for p in ("fp16", "int8"))
    if not (built or requant or other):
        return "problem definition"
    if privacy:
        return "data collection"
    return "deployment" if built else "evaluation" if requant else "training"


def test_part_e_entry_stage_and_rework_by_hand():
    days = LAB.PART_E["stage_days"]
    for cameras in (1, 4, 6, 9, 10, 12, 20, 32):
        change = LAB.requirement_change(cameras)
        assert change["budget_s"] == pytest.approx(1 / (cameras * 120))
        assert change["entry"] == entry_by_hand(cameras)
        i = W.STAGES.index(change["entry"])
        assert change["days"] == sum(days[s] for s in W.STAGES[i:])
    scenario = LAB.requirement_change()
    # the scenario: ResNet-50 misses the new budget even in int8; a smaller model meets it: retrain
    assert scenario["entry"] == entry_by_hand(12) == "training"
    assert scenario["built_s"] == pytest.approx(frame_s("resnet50", "fp16"))
    assert scenario["requant_s"] == pytest.approx(frame_s("resnet50", "int8"))
    assert scenario["stages"] == ("training", "evaluation", "deployment", "production")
    assert LAB.requirement_change(LAB.PART_E["cameras_before"])["entry"] == "deployment"  # it met the old budget
    assert LAB.requirement_change(12, "edge", True)["entry"] == entry_by_hand(12, privacy=True) == "data collection"
    assert LAB.requirement_change(12, "tiny")["entry"] == "problem definition"  # nothing fits the microcontroller
    # every option is a stage where rework could start, with its computed days
    assert set(LAB.PART_E_OPTIONS.values()) == set(W.STAGES[1:])


def _cameras_at_requant_threshold():
    """The most cameras the re-quantized ResNet-50 still serves: rework from evaluation, within the launch."""
    n = math.floor(1 / (120 * frame_s("resnet50", "int8")) + 1e-9)
    assert 1 / (n * 120) >= frame_s("resnet50", "int8") > 1 / ((n + 1) * 120)
    return n


def test_launch_slips_at_its_threshold_and_not_below():
    n = _cameras_at_requant_threshold()
    assert 1 <= n < 32 and frame_s("resnet50", "fp16") > 1 / (n * 120)
    outputs_ok, ok = run_lab(PATH, ANSWERS, {"partE_cameras": n})
    outputs_late, late = run_lab(PATH, ANSWERS, {"partE_cameras": n + 1})
    assert ok["partE_view"]["entry"] == "evaluation" and ok["partE_view"]["days"] <= LAB.PART_E["slack_days"]
    assert late["partE_view"]["entry"] == "training" and late["partE_view"]["days"] > LAB.PART_E["slack_days"]
    assert ok["partE_violations"] == [] and late["partE_violations"] == ["rework past launch"]
    assert "Launch holds" in rendered_text(outputs_ok) and "Launch slips" not in rendered_text(outputs_ok)
    assert "Launch slips" in rendered_text(outputs_late)
    assert "rework past launch" in late["lab_record"]["constraints"]


def test_an_unreachable_requirement_fails_and_keeps_the_controls():
    outputs, defs = run_lab(PATH, ANSWERS, {"partE_tier": "tiny"})
    assert defs["partE_view"]["entry"] == "problem definition"
    text = rendered_text(outputs)
    assert "Requirement unreachable" in text and "(control)" in text
    _, back = run_lab(PATH, ANSWERS, {"partE_tier": "edge"})
    assert back["partE_view"]["entry"] == "training"


def test_part_e_constraints_count_only_once_it_is_unlocked():
    answers = {k: v for k, v in ANSWERS.items() if k != "partE_prediction"}
    _, defs = run_lab(PATH, answers, {"partE_cameras": 32})
    assert defs["partE_violations"] and "rework past launch" not in defs["lab_record"]["constraints"]
    assert defs["lab_record"]["outcomes"]["requirement_entry_stage"] == "problem definition"


# Part F by hand: the offline evaluation runs fp16 on the cloud GPU; the build runs on the edge box.
def test_part_f_coverage_by_hand():
    budget = 1 / (12 * 120)
    defects = LAB.release_defects()
    latency_on_target = frame_s("resnet50", "int8") > budget
    assert frame_s("resnet50", "fp16", "cloud") <= budget  # the host meets the budget: latency hides offline
    expected = {"labels", "quantization drift"} | ({"latency"} if latency_on_target else set())
    assert set(defects) == expected
    assert LAB.escaped(defects, ("offline",)) == [d for d in defects if d != "labels"]
    assert LAB.escaped(defects, ("on-target",)) == ["labels"]
    assert LAB.escaped(defects, ("offline", "on-target")) == []
    assert LAB.part_f_answer() == "both together"
    # an fp16 build on a line the fp16 model still serves has only the label defect: offline alone suffices
    assert set(LAB.release_defects(1, "edge", False)) == {"labels"}
    assert LAB.part_f_answer(LAB.release_defects(1, "edge", False)) == "offline alone"
    # the microcontroller: the build does not fit, and only the on-target check sees it
    tiny = LAB.release_defects(12, "tiny", True)
    assert tiny["memory"] == (False, True) and "memory" not in LAB.escaped(tiny, ("on-target",))


def _fp16_cameras_threshold():
    n = math.floor(1 / (120 * frame_s("resnet50", "fp16")) + 1e-9)
    assert 1 / (n * 120) >= frame_s("resnet50", "fp16") > 1 / ((n + 1) * 120)
    return n


def test_a_defect_escapes_the_offline_check_at_its_threshold_and_not_below():
    n = _fp16_cameras_threshold()
    controls = {"partF_int8": False, "partF_offline": True, "partF_target": False}
    outputs_ok, ok = run_lab(PATH, ANSWERS, dict(controls, partF_cameras=n))
    outputs_bad, bad = run_lab(PATH, ANSWERS, dict(controls, partF_cameras=n + 1))
    assert ok["partF_view"]["escaped"] == [] and ok["partF_violations"] == []
    assert bad["partF_view"]["escaped"] == ["latency"] and bad["partF_violations"] == ["defect escaped release"]
    assert "Release holds" in rendered_text(outputs_ok) and "Defect escaped" in rendered_text(outputs_bad)
    # reversible: the on-target check catches it
    _, both = run_lab(PATH, ANSWERS, dict(controls, partF_cameras=n + 1, partF_target=True))
    assert both["partF_view"]["escaped"] == []
    assert "defect escaped release" in bad["lab_record"]["constraints"]
