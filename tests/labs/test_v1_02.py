"""v1.02: the scenario layer against hand calculations from registry constants, the
instruments at their defaults against each reveal, failure states at their thresholds,
and what a learner may see before committing."""
from html import unescape

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab

from .harness import rendered_text, run_lab, load_module

PATH = get_lab("v1.02").path
LAB = load_module(PATH)
FIBER = 299_792_458 / 1.4677  # m/s, c / SMF-28 group index
ANSWERS = {"partA_prediction": "compute", "partB_prediction": "compute", "partC_prediction": "cloud",
           "partD_prediction": 1000.0}


def hand_terms(model, device, precision):
    """D/BW and O/R by hand: registry peak and bandwidth, the efficiencies and dispatch
    overhead the engine documents for the device class (read from its assumptions)."""
    m, d = P.get_workload(model), P.get_device(device)
    e = P.estimate(model, device, phase="inference", precision=precision)
    a = e.assumptions
    data = e.bytes_moved / (d.memory_bw * a["memory_efficiency"])
    compute = m.flops / (d.peak_flops[precision] * a["compute_efficiency"])
    return data, compute, a["overhead_s"]


def run(answers=ANSWERS, **controls):
    return run_lab(PATH, answers, controls or None)


# ------------------------------------------------------------- scenario layer
def test_part_a_the_network_term_dominates_a_cloud_inference():
    s = LAB.PART_A
    data, compute, overhead = hand_terms(s["model"], s["device"], s["precision"])
    rtt = 2 * s["distance_km"] * 1e3 / FIBER
    upload = LAB.PHOTO_BYTES / s["uplink"]
    r = LAB.part_a_terms()
    assert r.data_s == pytest.approx(data) and r.compute_s == pytest.approx(compute)
    assert r.fixed_s == pytest.approx(overhead + rtt + upload)
    assert rtt + upload > 1000 * (data + compute)  # the GPU's own terms are a sliver
    assert LAB.part_a_answer() == "fixed"
    # the proposed upgrade saves less than a thousandth of the total
    assert 0 < r.total_s - LAB.part_a_terms(s["upgrade"]).total_s < r.total_s / 1000


def test_part_b_answer_is_the_largest_hand_term_and_never_compute():
    s = LAB.PART_B
    data, compute, overhead = hand_terms(s["model"], P.TIER_REFERENCE[s["tier"]], s["precision"])
    terms = {"data": data, "compute": compute, "fixed": overhead}
    assert LAB.part_b_answer() == max(terms, key=terms.get)
    # the stakeholder's claim is wrong whatever the dispatch overhead: bandwidth alone beats TOPS
    assert data > compute and LAB.part_b_answer() != "compute"


def test_part_c_the_phone_wins_and_the_microcontroller_cannot_hold_the_model():
    runs = LAB.part_c_runs()
    upload = LAB.PHOTO_BYTES / LAB.PART_C["uplink"]
    data, compute, overhead = hand_terms(LAB.PART_C["model"], P.TIER_REFERENCE["mobile"], LAB.PART_C["precision"])
    assert runs["mobile"].total_s == pytest.approx(data + compute + overhead)
    assert runs["mobile"].total_s < upload  # local beats even the upload to the edge box
    weights = P.get_workload(LAB.PART_C["model"]).params * 1  # int8
    assert weights > 256 * 1024 * P.DEFAULT_MEMORY_FRACTION and not runs["tiny"].fits
    assert LAB.part_c_answer() == "mobile"
    assert set(LAB.PART_C_OPTIONS.values()) == set(P.TIERS)


def test_part_d_limit_is_the_hand_distance():
    s = LAB.PART_D
    data, compute, overhead = hand_terms(s["model"], P.TIER_REFERENCE["cloud"], s["precision"])
    upload = LAB.PHOTO_BYTES / s["uplink"]
    limit_km = (s["budget_s"] - upload - data - compute - overhead) * FIBER / 2 / 1e3
    assert LAB.part_d_answer() == pytest.approx(limit_km, rel=1e-9)
    assert 10 < limit_km < LAB.PART_D_MAX_KM  # inside the prediction's and the slider's range


def test_every_answer_is_among_its_options():
    assert LAB.part_a_answer() in LAB.PART_A_OPTIONS.values()
    assert LAB.part_b_answer() in LAB.PART_B_OPTIONS.values()
    assert LAB.part_c_answer() in LAB.PART_C_OPTIONS.values()


# ----------------------------------------------------------- the running lab
def test_instruments_open_on_the_scenario_and_agree_with_each_reveal():
    _, d = run()
    assert d["partA_run"] == LAB.part_a_terms()
    assert d["partA_run"].dominant == d["partA_result"].correct_choice
    assert d["partB_runs"][LAB.PART_B["tier"]].dominant == d["partB_result"].correct_choice
    assert d["partC_fastest"] == d["partC_result"].correct_choice
    assert d["partD_limit_now"] == pytest.approx(d["partD_result"].actual)
    assert d["partD_run"] == LAB.placement("cloud", **{k: LAB.PART_D[k] for k in
                                                       ("model", "precision", "distance_km", "uplink")})


def test_invariant_tags():
    _, d = run()
    for part in "ABCD":
        r = d[f"part{part}_result"]
        assert r.invariant in VOL1_INVARIANTS and r.invariant == "Iron Law", part


def test_reveals_name_both_answers_and_grade_against_the_engine():
    _, d = run()
    a, b, c, dd = (d[f"part{p}_result"] for p in "ABCD")
    assert not a.correct and a.answer_label.startswith("L, fixed latency")
    assert not b.correct and b.correct_choice == LAB.part_b_answer()
    assert not c.correct and c.answer_label.startswith("Mobile")
    assert dd.actual == pytest.approx(LAB.part_d_answer()) and dd.correct == (LAB.part_d_answer() / 1000 <= 1.5)


def test_sla_fails_past_the_limit_and_not_below():
    limit = LAB.part_d_answer()
    below = int(limit // 100) * 100
    ctl = dict(partD_model="resnet50", partD_tier="cloud", partD_uplink=LAB.PART_D["uplink"] / 1e6)
    _, ok = run(partD_distance=below, **ctl)
    _, late = run(partD_distance=below + 100, **ctl)
    assert ok["partD_violations"] == [] and late["partD_violations"][0].startswith("SLA")
    assert late["lab_record"]["constraint_hit"]


def test_constraints_count_only_once_part_d_is_unlocked():
    answers = {k: v for k, v in ANSWERS.items() if k != "partD_prediction"}
    _, d = run(answers, partD_distance=LAB.PART_D_MAX_KM, partD_tier="cloud")
    assert d["partD_violations"] and d["lab_record"]["constraints"] == []


def test_oom_on_the_microcontroller():
    _, d = run(partD_model="resnet50", partD_tier="tiny", partD_distance=0)
    assert d["partD_violations"] == ["OOM: resnet50 on tiny"]
    _, d = run(partD_model="mobilenetv2", partD_tier="mobile", partD_distance=0)
    assert d["partD_violations"] == []


def test_fp32_on_the_phone_says_why_and_keeps_the_panel():
    out, d = run(partB_precision="fp32")
    assert isinstance(d["partB_runs"]["mobile"], str)
    text = rendered_text(out)
    assert "No fp32 rate on the Mobile tier" in text and TIER_NAME("mobile") in text
    assert "a17-pro" not in text  # names, never ids
    # the panel keeps its controls and still charts the other tiers
    panel = next(o.text for o in out if o is not None and "No fp32 rate" in (getattr(o, "text", "") or ""))
    assert panel.count("(control)") == 2 and "iframe" in panel  # the two dropdowns (stand-ins) and the chart
    assert "the three terms per tier" in unescape(panel)


def TIER_NAME(tier):
    return P.get_device(P.TIER_REFERENCE[tier]).name


def test_nothing_answers_a_question_before_it_is_committed():
    out, d = run_lab(PATH)
    text = rendered_text(out)
    assert "Key takeaways" not in text and "largest term" not in text
    answers = {k: v for k, v in ANSWERS.items() if k != "partC_prediction"}
    out, _ = run(answers)
    assert "Key takeaways" not in rendered_text(out)  # one part still open


def test_context_is_saved_only_when_chosen_in_v1_00():
    from mlsyslabs.ledger import Ledger

    run_lab(PATH)
    assert Ledger.open().get("v1.02")["context"] is None
    Ledger.open().save("v1.00", {"context": "edge", "predictions": [], "decisions": {}, "outcomes": {},
                                 "constraint_hit": False, "constraints": []})
    run_lab(PATH)
    assert Ledger.open().get("v1.02")["context"] == "edge"
