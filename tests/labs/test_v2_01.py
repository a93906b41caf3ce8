"""v2.01: each part's computed answer against a hand calculation from the census and
registry constants, instruments that open on the scenario the reveal grades, each
failure state at its threshold and not below, and the invariant tags."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.labs.protocol import build_record
from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import reliability as R

from .harness import lab_controls, load_module, rendered_text, run_lab

PATH = get_lab("v2.01").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "p50", "partB_prediction": "shrink8", "partC_prediction": "About 10x"}
CENSUS = R.get_census("llama3-405b")
LAMBDA = CENSUS.interruptions / (CENSUS.gpus * CENSUS.hours)  # per GPU-hour
PARAMS = P.get_workload("llama3-70b").params


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)[1]


def _defaults(**changes):
    d = run_lab(PATH)[1]
    c = {k: e.value for k, e in lab_controls(d).items()}
    c.update(changes)
    return c


def hand_goodput(tau_s, delta_s, mtbf_s, restart_s=R.DEFAULT_RESTART_S):
    """Daly 2006: useful share of wall time with segments tau, checkpoints delta, restarts R."""
    return tau_s / (mtbf_s * math.exp(restart_s / mtbf_s) * (math.exp((tau_s + delta_s) / mtbf_s) - 1))


# ------------------------------------------------------------------ Part A
def test_census_rate_is_419_interruptions_in_54_days_on_16k_gpus():
    assert (CENSUS.interruptions, CENSUS.gpus, CENSUS.hours) == (419, 16384, 54 * 24)
    assert 1 / LAB.gpu_mtbf_h() == pytest.approx(419 / (16384 * 54 * 24))


def test_part_a_answer_is_the_hand_series_system():
    p = math.exp(-16384 * 24 * LAMBDA)  # = exp(-419 / 54): the whole cluster, one day
    assert p == pytest.approx(math.exp(-419 / 54))
    assert LAB.part_a_p() == pytest.approx(p)
    d = run()
    r = d["partA_result"]
    assert r.actual == pytest.approx(100 * p) and r.correct_choice == "p1" and not r.correct
    assert r.invariant == "Failure rate grows with N"
    plan = LAB.job_plan(**LAB.PART_A)
    assert plan["mtbf_h"] == pytest.approx(1 / (16384 * LAMBDA))
    # no checkpoints: one segment as long as the job, restarted from zero at every failure
    assert plan["goodput"] == pytest.approx(hand_goodput(24 * 3600, 0, plan["mtbf_h"] * 3600))
    assert plan["never"]


def test_part_a_options_span_the_bands():
    assert set(LAB.PART_A_OPTIONS.values()) == set(LAB.PART_A_VALUES) == {k for _, k in LAB.PART_A_BANDS}
    for key, value in LAB.PART_A_VALUES.items():  # each option's value lies in its own band
        assert LAB.G.choice_for_value(value, LAB.PART_A_BANDS) == key


def _never_threshold_hours(gpus):
    """Largest whole number of hours whose no-checkpoint goodput meets the floor (hand formula)."""
    m = 3600 / (gpus * LAMBDA)
    return max(h for h in range(1, LAB.HOURS_MAX + 1) if hand_goodput(h * 3600, 0, m) >= LAB.GOODPUT_FLOOR)


def test_never_finishes_at_its_threshold_and_not_below():
    gpus = 2048
    h = _never_threshold_hours(gpus)
    assert 1 < h < LAB.HOURS_MAX
    ok = run(_defaults(partA_gpus=gpus, partA_hours=h))
    bad = run(_defaults(partA_gpus=gpus, partA_hours=h + 1))
    assert not ok["partA_never"] and bad["partA_never"]
    assert any(c.startswith("never finishes") for c in bad["lab_record"]["constraints"])
    assert not any(c.startswith("never finishes") for c in ok["lab_record"]["constraints"])


def test_checkpointing_rescues_the_scenario_job():
    d = run(_defaults(partA_checkpoint=True))
    assert not d["partA_never"]
    rel = R.training_reliability(16384, 24, params=PARAMS, write_bw=LAB.CHECKPOINT_WRITE_BW)
    delta = 14 * PARAMS / LAB.CHECKPOINT_WRITE_BW
    assert rel.checkpoint_write_s == pytest.approx(delta)
    m = 3600 / (16384 * LAMBDA)
    assert d["partA_plan"]["goodput"] == pytest.approx(hand_goodput(rel.checkpoint_interval_s, delta, m))
    assert d["partA_plan"]["goodput"] > LAB.GOODPUT_FLOOR


# ------------------------------------------------------------------ Part B
def test_part_b_sync_does_not_shrink_with_n():
    small, big = LAB.train(1024), LAB.train(8192)
    # ring reduce-scatter + all-gather move (n-1)/n of the shard each: the bandwidth term
    # grows by (n2-1)/n2 / ((n1-1)/n1); latency steps 2(n-1) alpha only add to that
    n1, n2 = 1024 // 32, 8192 // 32
    bw_ratio = ((n2 - 1) / n2) / ((n1 - 1) / n1)
    ratio = LAB.part_b_ratio()
    assert ratio == pytest.approx(big.comm_time_s["dp"] / small.comm_time_s["dp"])
    assert bw_ratio * 0.99 <= ratio <= bw_ratio * 1.1
    # meanwhile the compute pipeline shrinks by most of the 8x
    assert small.breakdown_s["pipeline_s"] / big.breakdown_s["pipeline_s"] > 4
    d = run()
    r = d["partB_result"]
    assert r.correct_choice == "same" and r.actual == pytest.approx(ratio) and not r.correct
    assert r.invariant == "Amdahl"


def test_part_b_impossible_batch_is_explained_not_crashed():
    d = run(_defaults(partB_gpus=40960, partB_batch=640))
    assert d["partB_error"] is not None and d["partB_step"] is None
    outs, _ = run_lab(PATH, ANSWERS, _defaults(partB_gpus=40960, partB_batch=640))
    assert "No answer for this combination" in rendered_text(outs)


# ------------------------------------------------------------------ Part C
def _hand_days(gpus, batch_seqs=LAB.BATCH_SEQS, write_bw=LAB.CHECKPOINT_WRITE_BW):
    step = P.train_step("llama3-70b", "h100-sxm", gpus=gpus, tp=8, pp=4, seq_len=4096,
                        global_batch_tokens=batch_seqs * 4096)
    m = 3600 / (gpus * LAMBDA)
    delta = 14 * PARAMS / write_bw
    tau = R.young_daly(delta, m).daly_s
    return 15e12 / (step.tokens_per_s * hand_goodput(tau, delta, m)) / 86400


def test_part_c_answer_is_the_hand_time_to_train():
    speedup = _hand_days(512) / _hand_days(5120)
    assert LAB.part_c_speedup() == pytest.approx(speedup)
    assert 1 < speedup < 10
    closest = min(LAB.PART_C_OPTIONS, key=lambda k: abs(math.log(LAB.PART_C_OPTIONS[k] / speedup)))
    d = run()
    r = d["partC_result"]
    assert r.correct_choice == closest and r.actual == pytest.approx(speedup)
    assert r.invariant == "Amdahl"
    v = sorted(LAB.PART_C_OPTIONS.values())  # log-spaced alike: no option stands out
    gaps = [b / a for a, b in zip(v, v[1:])]
    assert max(gaps) / min(gaps) < 1.1


def test_scaling_floor_at_its_threshold_and_not_below():
    effs = {g: (_hand_days(512) / _hand_days(g)) / (g / 512) for g in LAB.TRAIN_GPUS if g >= 512}
    first_low = next(g for g in sorted(effs) if effs[g] < LAB.SCALING_FLOOR)
    last_ok = max(g for g in effs if g < first_low)
    assert effs[last_ok] >= LAB.SCALING_FLOOR
    ok, low = run(_defaults(partC_gpus=last_ok)), run(_defaults(partC_gpus=first_low))
    assert not ok["partC_low"] and low["partC_low"]
    assert low["partC_scaling"]["efficiency"] == pytest.approx(effs[first_low])
    assert any(c.startswith("scaling efficiency") for c in low["lab_record"]["constraints"])
    # reversible: a bigger batch gives each replica more microbatches and lifts it back over the floor
    assert not run(_defaults(partC_gpus=first_low, partC_batch=2560))["partC_low"]


# ------------------------------------------------------------------ protocol
def test_invariant_tags_name_what_each_question_tests():
    d = run()
    tags = {p: d[f"{p}_result"].invariant for p in ("partA", "partB", "partC")}
    assert tags == {"partA": "Failure rate grows with N", "partB": "Amdahl", "partC": "Amdahl"}
    assert set(tags.values()) <= set(get_lab("v2.01").invariants)


def _check_instruments_agree(d):
    c = {k: e.value for k, e in lab_controls(d).items()}
    assert (c["partA_gpus"], c["partA_hours"], c["partA_checkpoint"]) == \
        (LAB.PART_A["gpus"], LAB.PART_A["hours"], LAB.PART_A["checkpoint"])
    assert 100 * d["partA_plan"]["p_clean"] == pytest.approx(d["partA_result"].actual)
    assert (c["partB_gpus"], c["partB_batch"]) == (LAB.PART_B["big"], LAB.PART_B["batch_seqs"])
    base = LAB.sync_s(LAB.train(LAB.PART_B["small"], LAB.PART_B["batch_seqs"]))
    assert LAB.sync_s(d["partB_step"]) / base == pytest.approx(d["partB_result"].actual)
    assert (c["partC_gpus"], c["partC_batch"], c["partC_write_bw"]) == \
        (LAB.PART_C["big"], LAB.PART_C["batch_seqs"], LAB.PART_C["write_bw"])
    assert d["partC_scaling"]["speedup"] == pytest.approx(d["partC_result"].actual)


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    _check_instruments_agree(run())


@pytest.mark.parametrize("home", ["edge", "cloud"])
def test_a_home_tier_never_moves_an_instrument(home):
    Ledger.open().save("v1.00", build_record(context=home, results=[]))
    d = run()
    _check_instruments_agree(d)
    assert d["lab_record"]["context"] == home


def test_constraints_count_only_in_unlocked_parts():
    c = _defaults(partC_gpus=40960)
    assert run(c, answers={})["lab_record"]["constraints"] == []
    cons = run(c)["lab_record"]["constraints"]
    assert any(x.startswith("never finishes") for x in cons) and any(x.startswith("scaling efficiency") for x in cons)


def test_ledger_keys_for_the_capstone():
    rec = run()["lab_record"]
    assert set(rec["decisions"]) == {"gpus", "global_batch_tokens", "checkpoint_write_bw", "checkpointing"}
    assert {"p_no_interruption_24h", "job_mtbf_h", "sync_ratio_8x", "speedup_10x", "speedup", "scaling_efficiency",
            "goodput"} <= set(rec["outcomes"])
    assert rec["decisions"]["gpus"] == LAB.PART_C["big"]
    assert rec["outcomes"]["speedup_10x"] == pytest.approx(LAB.part_c_speedup())


def test_an_absurd_job_reads_in_words_not_digits():
    outs, d = run_lab(PATH, ANSWERS, _defaults(partA_gpus=32768, partA_hours=LAB.HOURS_MAX))
    text = rendered_text(outs)
    assert d["partA_never"] and "more than a century" in text and "over 10,000x" in text
