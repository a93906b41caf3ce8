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
           "partD_prediction": 1000.0, "partE_prediction": "inference",
           "partF_prediction": "all"}


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
    assert d["partE_result"].invariant == "Duty cycle" and "Duty cycle" in get_lab("v1.02").invariants
    assert d["partF_result"].invariant == "Duty cycle"


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


# ------------------------------------------------------------------ Part E: the coin cell
def hand_day(device, period_s, report_bytes):
    """Energy per day by hand: active power (tdp_w) x iron-law latency per wake-up, sleep power for the
    rest of the period, Bluetooth LE TX at 4.8 mA x 3 V for (payload + 10 bytes per 27-byte packet) / 125 kB/s."""
    d = P.get_device(device)
    t = P.iron_law_inference(LAB.PART_E["model"], d, precision=LAB.PART_E["precision"]).total_s
    packets = -(-report_bytes // 27)
    air = (report_bytes + 10 * packets) / 125e3
    n = 86400 / period_s
    return {"inference": n * d.tdp_w * t, "sleep": n * d.sleep_w * (period_s - t - air),
            "radio": n * 4.8e-3 * 3.0 * air}


def test_part_e_sleep_dominates_and_the_faster_chip_drains_the_battery():
    s = LAB.PART_E
    e = hand_day(s["device"], s["period_s"], s["report_bytes"])
    day = LAB.sensor()
    for k, v in e.items():
        assert day.energy_j[k] == pytest.approx(v)
    assert LAB.part_e_answer() == max(e, key=e.get) == "sleep"
    assert LAB.part_e_answer() in LAB.PART_E_OPTIONS.values()
    capacity = 0.235 * 3.0 * 3600  # CR2032: 235 mAh at 3.0 V
    assert LAB.battery_days(day) == pytest.approx(capacity / sum(e.values()))
    fast = LAB.sensor(s["alternative"])
    assert fast.latency_s < day.latency_s and fast.inference_j < day.inference_j  # faster, cheaper per inference
    assert LAB.battery_days(fast) < s["target_days"] <= LAB.battery_days(day)  # yet misses the year


def threshold_period():
    """The shortest whole-second wake-up period at which the scenario's chip still lasts the target."""
    p = 1
    while LAB.battery_days(LAB.sensor(period_s=p)) < LAB.PART_E["target_days"]:
        p += 1
    return p


def test_part_e_instruments_open_on_the_scenario():
    _, d = run()
    assert d["partE_day"] == LAB.sensor() and d["partE_day"].dominant == d["partE_result"].correct_choice
    assert d["partE_violations"] == []
    assert not d["partE_result"].correct and d["partE_result"].answer_label.startswith("Sleep")
    rec = d["lab_record"]
    assert rec["outcomes"]["sensor_dominant_energy"] == "sleep"
    assert rec["decisions"]["sensor_device"] == LAB.PART_E["device"] and len(rec["predictions"]) == 6


def test_battery_fails_below_the_threshold_period_and_not_at_it():
    p = threshold_period()
    assert 1 < p < LAB.PART_E["period_s"]
    _, ok = run(partE_period=p)
    _, short = run(partE_period=p - 1)
    assert ok["partE_violations"] == []
    assert short["partE_violations"][0].startswith("BATTERY") and short["lab_record"]["constraint_hit"]


def test_results_too_rare_is_a_gap_and_the_faster_chip_misses_the_year():
    g = LAB.PART_E["max_gap_s"]
    _, ok = run(partE_period=g)
    out, late = run(partE_period=g + 1)
    assert ok["partE_violations"] == [] and late["partE_violations"] == [late["partE_violations"][0]]
    assert late["partE_violations"][0].startswith("GAP") and "GAP" in rendered_text(out)
    out, d = run(partE_device=LAB.PART_E["alternative"])
    assert d["partE_violations"][0].startswith("BATTERY") and "BATTERY" in rendered_text(out)


def test_part_e_constraints_count_only_once_unlocked():
    answers = {k: v for k, v in ANSWERS.items() if k != "partE_prediction"}
    _, d = run(answers, partE_period=1)
    assert d["partE_violations"] and d["lab_record"]["constraints"] == []


# ------------------------------------------------------------------ Part F: filter at the source
def hand_buffer():
    e = P.estimate(LAB.PART_E["model"], LAB.PART_E["device"], phase="inference", precision=LAB.PART_E["precision"])
    return P.get_device(LAB.PART_E["device"]).memory_bytes * P.DEFAULT_MEMORY_FRACTION - e.memory_bytes


def test_part_f_only_the_raw_clips_overflow_the_buffer():
    b, h, period = hand_buffer(), LAB.PART_F["outage_h"], LAB.PART_E["period_s"]
    assert LAB.buffer_bytes() == pytest.approx(b)
    made = {k: size * h * 3600 / period for k, (_, size) in LAB.PAYLOADS.items()}
    assert LAB.PAYLOADS["raw"][1] == 32000 and LAB.PAYLOADS["features"][1] == 490
    assert made["raw"] > b > made["features"] > made["label"]
    assert LAB.retention("raw", h) == pytest.approx(b / made["raw"])
    assert LAB.part_f_answer() == "raw" and LAB.part_f_answer() in LAB.PART_F_OPTIONS.values()


def test_part_f_instruments_open_on_the_scenario():
    _, d = run()
    assert d["partF_kept"] == {k: LAB.retention(k, LAB.PART_F["outage_h"]) for k in LAB.PAYLOADS}
    assert LAB.lossy_payloads(LAB.PART_F["outage_h"]) == d["partF_result"].correct_choice
    assert d["partF_violations"] == [] and not d["partF_result"].correct
    assert d["partF_result"].answer_label.startswith("Only the raw clips")
    assert d["lab_record"]["outcomes"]["outage_lossy_payloads"] == "raw"


def test_data_loss_past_the_features_threshold_and_not_at_it():
    hours = hand_buffer() / (490 / LAB.PART_E["period_s"]) / 3600  # when the features fill the buffer
    below = int(hours)
    _, ok = run(partF_payload="features", partF_outage=below)
    out, lost = run(partF_payload="features", partF_outage=below + 1)
    assert ok["partF_violations"] == []
    assert lost["partF_violations"][0].startswith("DATA LOSS") and "DATA LOSS" in rendered_text(out)
    assert lost["lab_record"]["constraint_hit"]
    _, raw = run(partF_payload="raw")
    assert raw["partF_violations"]


def test_part_f_constraints_count_only_once_unlocked():
    answers = {k: v for k, v in ANSWERS.items() if k != "partF_prediction"}
    _, d = run(answers, partF_payload="raw", partF_outage=LAB.PART_F["max_outage_h"])
    assert d["partF_violations"] and d["lab_record"]["constraints"] == []
