"""v1.16 The Architect's Audit: Act I's report card over labs 00-15 (not attempted is not
zero, misses quoted with their labs), Act II's starting design read from the ledger with
its provenance, hand calculations of every constraint, each failure at its threshold and
just below, a search of the control space proving every tier can work and every
constraint can break, and the hardest tier computed (each tier can be it)."""
import itertools
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import fleet

from .harness import Committed, load_app, load_module, prediction_options, predictions, rendered_text, run_lab
from .harness import run_defs as run

LAB = load_module(get_lab("v1.16").path)
PATH = get_lab("v1.16").path

# ---------------------------------------------------------------- helpers
V116 = {"act1_prediction": "memory_bw", "act2_prediction": "cloud"}
DEFAULTS = {k: v for k, v in LAB.DESIGN.items() if k != "home"}
CONTROL = {"prompt": "prompt_len"}  # design key -> control name, where they differ


def _run(ledger_first=None, **controls):
    """The lab with both predictions committed; `controls` by design key."""
    kw = {CONTROL.get(k, k): v for k, v in controls.items()}
    if kw:
        kw = {**{CONTROL.get(k, k): v for k, v in DEFAULTS.items()}, **kw}
    return run("v1.16", V116, **kw)


def _design(**kw):
    return {**DEFAULTS, **kw}


def _pred(pid, inv, correct, **extra):
    return {"id": pid, "invariant": inv, "choice": extra.pop("choice", "a"), "predicted": None, "actual": None,
            "correct": correct, "off_by": None, **extra}


def _seed_ledger():
    led = Ledger.open()
    led.save("v1.00", {"context": "edge", "predictions": [_pred("partA", "Orders of magnitude", True)],
                       "decisions": {"tier": "mobile", "model": "tinyllama-1.1b", "precision": "int8"},
                       "outcomes": {"completed": False}})
    led.save("v1.02", {"predictions": [
        _pred("partA", "Iron Law", False, label="O/R, compute", answer_label="D/BW, data movement"),
        _pred("partB", "Iron Law", False, choice=None, predicted=3.0, actual=90.0, off_by=30.0),
        _pred("partC", "Iron Law", True)], "outcomes": {"completed": True},
        "constraint_hit": True, "constraints": ["SLO: cloud placement"]})
    led.save("v1.05", {"decisions": {"batch": 8}})  # visited, nothing predicted
    return led


# ---------------------------------------------------------------- Act I
def test_empty_ledger_gives_the_documented_default_and_says_not_attempted():
    d = _run()
    assert d["act1_result"].correct_choice == "memory_bw"
    text = rendered_text(load_app(PATH).run(defs={k: Committed(v) for k, v in V116.items()})[0])
    assert "No predictions yet" in text and "0 of 0 right" in text
    rows = LAB.lab_rows({})
    assert [r["lab"] for r in rows] == [f"v1.{i:02d}" for i in range(16)]
    assert all(r["status"] in ("not attempted", "not available yet") for r in rows)


def test_report_card_counts_every_lab_00_to_15_with_its_evidence():
    led = _seed_ledger()
    latest = led.all()
    rows = {r["lab"]: r for r in LAB.lab_rows(latest)}
    score = {k: (r["status"], r["correct"], r["predictions"]) for k, r in rows.items()}
    assert score["v1.00"] == ("in progress", 1, 1) and score["v1.02"] == ("completed", 1, 3)
    assert rows["v1.02"]["constraints"] == ["SLO: cloud placement"]
    assert rows["v1.05"]["status"] == "visited"
    assert rows["v1.03"]["status"] == "not attempted"
    card = LAB.invariant_card(latest)
    iron = card.invariants["Iron Law"]
    assert iron.predictions == 3 and iron.correct_rate == pytest.approx(1 / 3)
    assert card.invariants["Orders of magnitude"].predictions == 1  # v1.00's own invariant counts too
    assert card.invariants["Drift"].predictions == 0 and card.invariants["Drift"].correct_rate is None
    misses = LAB.largest_misses(latest)
    assert [m["part"] for m in misses] == ["Part B", "Part A"]  # the 30x miss first, then the choice
    assert misses[0]["off_by"] == 30 and misses[0]["lab"] == "v1.02"
    assert "\u201cO/R, compute\u201d" in misses[1]["said"] and "D/BW, data movement" in misses[1]["said"]


def test_report_card_as_rendered_never_draws_no_data_as_zero():
    _seed_ledger()
    outs, d = load_app(PATH).run(defs={k: Committed(v) for k, v in V116.items()})
    text = rendered_text(outs)
    assert "Not attempted (no prediction yet, not a score of zero)" in text and "Drift" in text
    assert "off by 30.0x" in text and "v1.02 The Iron Law, Part B" in text
    assert "2 of 4 right" in text  # v1.00's one and v1.02's three
    card = LAB.invariant_card(Ledger.open().all())
    drawn = [i for i in LAB.INVARIANTS if card.invariants[i].predictions]
    assert set(drawn) == {"Iron Law", "Orders of magnitude"}


def test_act1_reads_the_weakest_invariant_when_there_is_enough_data():
    _seed_ledger()
    card = LAB.report_card(Ledger.open().all(), expected_labs=LAB.AUDITED, invariants=list(LAB.VOL1_INVARIANTS))
    key, inv, why = LAB.act1_answer(card)
    assert inv == "Iron Law" and key == "memory_bw" and "33%" in why


# ---------------------------------------------------------------- hand calculations
def test_cloud_cost_and_tier_memory_by_hand():
    r = LAB.evaluate(_design())
    price = P.get_device("h100-sxm").price_per_hour
    assert r["cloud"].cost_per_request == pytest.approx(16 * price / 3600 / 1000)
    # Llama 2 7B at int4 on the phone: 4-bit weights are at least params / 2 bytes of its usable memory
    mob = r["checks"]["mobile"]
    assert mob.memory_bytes >= P.get_workload("llama2-7b").params * 0.5
    assert mob.capacity_bytes == pytest.approx(P.get_device("a17-pro").memory_bytes * 0.9)
    # the keyword spotter at int8: one byte per weight, on 90% of the board's SRAM
    tiny = r["checks"]["tiny"]
    assert tiny.memory_bytes >= P.get_workload("ds-cnn-kws").params
    assert tiny.memory_ratio == pytest.approx(tiny.memory_bytes / (P.get_device("nrf52840").memory_bytes * 0.9))


def test_drift_by_hand():
    # v1.14's model: accuracy falls by rate x (acc_old - acc_new) per month, each retrain restores it
    for c in (1, 3, 4, 12):
        assert LAB.drift_minimum(c) == pytest.approx(0.92 - 0.10 * (0.92 - 0.76) * c)


def test_fairness_gap_by_hand_from_the_calibrated_population():
    fa = LAB.FAIR
    pops = {g: P.fairness.calibrated_population(fa["n"], base_rate=fa["base_rates"][g], separation=fa["separation"],
                                                seed=fa["seed"]) for g in LAB.GROUPS}

    def rates(g, t):
        s, y = pops[g]
        fp = sum(1 for a, b in zip(s, y) if a >= t and b == 0)
        fn = sum(1 for a, b in zip(s, y) if a < t and b == 1)
        return fp / y.count(0), fn / y.count(1)

    for ta, tb in ((0.40, 0.40), (0.40, 0.14), (0.70, 0.20)):
        (fa_, na), (fb, nb) = rates("group A", ta), rates("group B", tb)
        got = LAB.fairness(ta, tb)
        assert got["fpr"] == pytest.approx(abs(fa_ - fb)) and got["fnr"] == pytest.approx(abs(na - nb))
        assert got["gap"] == pytest.approx(max(abs(fa_ - fb), abs(na - nb)))


def test_v1_15s_claim_holds_a_shared_threshold_is_unfair_different_ones_can_be_fair():
    assert LAB.fairness(0.40, 0.40)["gap"] > LAB.FAIR["max_gap"]  # calibrated + unequal base rates
    assert LAB.fairness(0.40, 0.14)["gap"] <= LAB.FAIR["max_gap"]  # v1.15 Part B's thresholds


# ---------------------------------------------------------------- failures at their thresholds
def test_drift_failure_at_its_threshold():
    # 0.92 - 0.016 c >= 0.86  <=>  c <= 3.75
    assert "accuracy after drift" not in LAB.evaluate(_design(cadence=3))["violations"]
    assert "accuracy after drift" in LAB.evaluate(_design(cadence=4))["violations"]


def test_p99_failure_at_its_threshold():
    kw = dict(cloud_model="llama2-7b", q_cloud="int4")
    n = fleet.gpus_needed("llama2-7b", "h100-sxm", arrival_rps=1000, p99_slo_s=0.1, prompt=256, output=16,
                          precision="int4", strategy="dynamic", max_batch=32, window_s=0.01)
    assert "Cloud P99 latency" not in LAB.evaluate(_design(gpus=n, **kw))["violations"]
    assert "Cloud P99 latency" in LAB.evaluate(_design(gpus=n - 1, **kw))["violations"]


def test_cost_failure_at_its_threshold():
    # cost/request = N x price / 3600 / 1000 req/s > 0.001 USD  <=>  N > 3600 / price
    limit = 3600 / P.get_device("h100-sxm").price_per_hour
    below, above = math.floor(limit), math.floor(limit) + 1
    assert "cost per request" not in LAB.evaluate(_design(gpus=below))["violations"]
    assert "cost per request" in LAB.evaluate(_design(gpus=above))["violations"]


def test_fairness_failure_at_its_threshold():
    gaps = [(tb / 100, LAB.fairness(0.40, tb / 100)["gap"]) for tb in range(5, 41)]
    cross = [(a, b) for a, b in zip(gaps, gaps[1:]) if (a[1] <= 0.05) != (b[1] <= 0.05)]
    assert cross, "some group B threshold moves the gap across the policy"
    (t1, g1), (t2, g2) = cross[-1]
    v1 = LAB.evaluate(_design(threshold_a=0.40, threshold_b=t1))["violations"]
    v2 = LAB.evaluate(_design(threshold_a=0.40, threshold_b=t2))["violations"]
    assert ("fairness gap" in v1) == (g1 > 0.05) and ("fairness gap" in v2) == (g2 > 0.05)


def test_memory_failure_at_its_threshold_on_the_sensor_board():
    # the visual wake-word model: int8 just over the usable SRAM, int4 under it
    over = LAB.evaluate(_design(tiny_model="mobilenetv1-vww", q_tiny="int8"))
    under = LAB.evaluate(_design(tiny_model="mobilenetv1-vww", q_tiny="int4"))
    assert 1 < over["budgets"]["TinyML memory"] < 1.5 and "TinyML memory" in over["violations"]
    assert "TinyML memory" not in under["violations"]


def test_cloud_cannot_hold_a_replica_is_a_memory_failure_not_a_crash():
    r = LAB.evaluate(_design(cloud_model="llama2-13b", q_cloud="fp16", gpus=1, max_batch=64, prompt=LAB.MAX_PROMPT))
    assert r["cloud"] is None and r["per"] > 1 and "Cloud memory" in r["violations"]
    d = _run(cloud_model="llama2-13b", q_cloud="fp16", gpus=1, max_batch=64, prompt=LAB.MAX_PROMPT)
    assert d["cloud"] is None and "Cloud memory" in d["lab_record"]["constraints"]


# ---------------------------------------------------------------- the control space
def _tier_ok(t, model, q, prompt=256):
    c = LAB.tier_eval(t, model, q, prompt)
    qual_ok = t == "tiny" or (LAB.quality(model, q)[0] or math.inf) <= LAB.SLO["max_ppl_increase"]
    return c.memory_ratio <= 1 and (t == "cloud" or c.latency_ratio <= 1) and qual_ok


def test_every_tier_can_work_and_a_whole_design_meets_every_constraint():
    found = {}
    for t in ("edge", "mobile", "tiny"):
        models, quants = (LAB.TINY_MODELS, LAB.TINY_QUANT) if t == "tiny" else (LAB.LLM_MODELS, LAB.QUANT)
        found[t] = next(((m, q) for m, q in itertools.product(models, quants) if _tier_ok(t, m, q)), None)
        assert found[t], f"no reachable setting makes the {t} tier work"
    cloud = None
    for m, q in itertools.product(LAB.LLM_MODELS, LAB.QUANT):
        if not _tier_ok("cloud", m, q):
            continue
        n = fleet.gpus_needed(m, "h100-sxm", arrival_rps=1000, p99_slo_s=0.1, max_gpus=LAB.GPU_STEPS[-1], prompt=256,
                              output=16, precision=q, strategy="dynamic", max_batch=32, window_s=0.01)
        if n is None:
            continue
        for g in (s for s in LAB.GPU_STEPS if s >= n):
            v = _design(cloud_model=m, q_cloud=q, gpus=g, cadence=3, threshold_a=0.40, threshold_b=0.14,
                        **{f"{t}_model": found[t][0] for t in found}, **{f"q_{t}": found[t][1] for t in found})
            if not LAB.evaluate(v)["violations"]:
                cloud = v
                break
        if cloud:
            break
    assert cloud, "no reachable design meets every constraint"
    d = _run(**cloud)  # and the notebook agrees
    assert d["violations"] == []


CONSTRAINT_BREAKERS = {
    "memory": dict(edge_model="llama2-13b", q_edge="fp16"),
    "latency": dict(edge_model="llama2-13b", q_edge="int8"),
    "P99": dict(gpus=1),
    "cost": dict(gpus=2048),
    "availability": dict(cloud_model="llama2-13b", q_cloud="fp16", gpus=16),
    "quality": dict(q_cloud="ternary"),
    "drift": dict(cadence=12),
    "fairness": dict(threshold_a=0.40, threshold_b=0.40),
}


@pytest.mark.parametrize("what", sorted(CONSTRAINT_BREAKERS))
def test_every_constraint_can_be_broken_by_a_reachable_setting(what):
    setting = CONSTRAINT_BREAKERS[what]
    names = {"memory": "memory", "latency": "latency", "P99": "P99", "cost": "cost", "availability": "availability",
             "quality": "quality", "drift": "drift", "fairness": "fairness"}
    # every value is one its control offers
    _, base = load_app(PATH).run()
    for k, v in setting.items():
        el = base[CONTROL.get(k, k)]
        opts = list(el.options.values()) if hasattr(el, "options") else None
        assert (v in opts) if opts is not None else el.start <= v <= el.stop
    r = LAB.evaluate(_design(**setting))
    assert any(names[what] in c for c in r["violations"]), r["violations"]


def test_the_availability_breaker_is_found_by_search_not_only_by_hand():
    hits = []
    for m, q, g in itertools.product(("llama2-7b", "llama2-13b"), ("fp16", "int8"), (8, 12, 16, 24, 32)):
        if LAB.evaluate(_design(cloud_model=m, q_cloud=q, gpus=g))["budgets"]["availability"] > 1:
            hits.append((m, q, g))
    assert hits


HARDEST = {"cloud": dict(gpus=1, cloud_model="llama2-7b", q_cloud="fp16"),
           "edge": dict(q_cloud="int4", gpus=64, edge_model="llama2-13b", q_edge="fp16"),
           "mobile": dict(q_cloud="int4", gpus=64, edge_model="tinyllama-1.1b", q_edge="int8",
                          mobile_model="llama2-13b", q_mobile="fp16"),
           "tiny": dict(q_cloud="int4", gpus=64, edge_model="tinyllama-1.1b", q_edge="int8",
                        mobile_model="tinyllama-1.1b", tiny_model="mobilenetv2", q_tiny="fp32")}


@pytest.mark.parametrize("tier", LAB.TIERS)
def test_the_hardest_tier_is_computed_each_tier_can_be_it(tier):
    assert LAB.evaluate(_design(**HARDEST[tier]))["hardest"] == tier


# ---------------------------------------------------------------- the ledger: starting design
def test_empty_ledger_starts_from_the_scenario_design_and_it_is_coherent():
    d = _run()
    design = d["design"]
    assert {k: s["value"] for k, s in design.items()} == LAB.DESIGN and not any(s["lab"] for s in design.values())
    assert d["act2_result"].correct_choice == LAB.act2_answer(design)[0] == d["hardest_now"]


def test_instruments_at_defaults_agree_with_the_reveal():
    _seed_ledger()
    led = Ledger.open()
    led.save("v1.10", {"decisions": {"precision": "int4"}})
    d = _run()
    assert d["hardest_now"] == d["act2_result"].correct_choice == LAB.act2_answer(d["design"])[0]
    r = LAB.evaluate({k: s["value"] for k, s in d["design"].items()})
    assert r["violations"] == d["violations"]
    # act1: the reveal's invariant is the one the card names weakest
    assert d["act1_result"].invariant == (d["card"].weakest_invariant or "Memory Wall")


def test_each_ledger_key_sets_its_setting_with_its_lab():
    led = Ledger.open()
    led.save("v1.00", {"context": "mobile", "decisions": {"tier": "edge", "model": "phi3-mini", "precision": "int8"}})
    led.save("v1.10", {"decisions": {"precision": "int8"}})
    led.save("v1.13", {"decisions": {"max_batch": 8, "window_ms": 2.5}, "outcomes": {"p99_ms": 7.5}})
    led.save("v1.14", {"decisions": {"cadence_months": 2}})
    led.save("v1.15", {"decisions": {"threshold_group_a": 0.45, "threshold_group_b": 0.2}})
    d = _run()
    got = {k: (s["value"], s["lab"]) for k, s in d["design"].items()}
    assert got["home"] == ("mobile", "v1.00")
    assert got["edge_model"] == ("phi3-mini", "v1.00") and got["q_edge"] == ("int8", "v1.00")
    assert got["q_cloud"] == ("int8", "v1.10")
    assert got["max_batch"] == (8, "v1.13") and got["window_ms"] == (2.5, "v1.13")
    assert got["cadence"] == (2, "v1.14")
    assert got["threshold_a"] == (0.45, "v1.15") and got["threshold_b"] == (0.2, "v1.15")
    assert got["mobile_model"] == (LAB.DESIGN["mobile_model"], None)  # untouched
    # v1.11's edge accelerator choice wins over v1.00's fit check for the edge tier
    led.save("v1.11", {"decisions": {"model": "gemma2-2b", "precision": "int4"}})
    d11 = LAB.starting_design(Ledger.open())
    assert (d11["edge_model"]["value"], d11["edge_model"]["lab"]) == ("gemma2-2b", "v1.11")
    assert (d11["q_edge"]["value"], d11["q_edge"]["lab"]) == ("int4", "v1.11")
    # the controls open on them, and the table says where each came from
    assert d["q_cloud"].value == "int8" and d["cadence"].value == 2 and d["max_batch"].value == 8
    assert d["edge_model"].value == "phi3-mini" and d["threshold_b"].value == 0.2
    assert d["prior_p99_ms"].value == 7.5
    text = rendered_text(load_app(PATH).run()[0])
    assert "v1.14 Drift and MLOps: your retraining cadence in Part D" in text
    assert "v1.10 The Compression Frontier: the precision you shipped in Part D" in text
    # every key Act II reads is listed in the contract
    read = {(lab, key) for lab, _, key, _ in LAB.LEDGER_READS}
    assert {("v1.10", "precision"), ("v1.13", "max_batch"), ("v1.14", "cadence_months"),
            ("v1.15", "threshold_group_b"), ("v1.00", "tier")} <= read


def test_the_starting_design_follows_the_ledger_and_so_does_the_answer():
    assert LAB.act2_answer(LAB.starting_design(Ledger.open()))[0] == "cloud"  # fp16 7B on 16 GPUs: the queue
    Ledger.open().save("v1.10", {"decisions": {"precision": "int4"}})
    t, inv, why = LAB.act2_answer(LAB.starting_design(Ledger.open()))
    assert t == "edge" and inv in ("Memory Wall", "Iron Law")  # v1.00's 8B at fp16 on the Jetson


def test_hostile_ledger_values_fall_back_with_a_note():
    """Values of the right type (the schema refuses wrong types at save and import) but
    out of range or not among the options: each falls back, with a note."""
    led = Ledger.open()
    led.save("v1.00", {"decisions": {"tier": "tiny", "model": "llama2-7b", "precision": "fp7"}})
    led.save("v1.10", {"decisions": {"precision": "fp64"}})
    led.save("v1.13", {"decisions": {"max_batch": -5, "window_ms": 1e300}, "outcomes": {"p99_ms": -5.0}})
    led.save("v1.14", {"decisions": {"cadence_months": 1e300}})
    led.save("v1.15", {"decisions": {"threshold_group_a": 5.0, "threshold_group_b": -1.0}})
    d = _run()
    design = d["design"]
    assert {k: s["value"] for k, s in design.items()} == LAB.DESIGN
    assert "not one of" in design["tiny_model"]["note"] and "outside" in design["cadence"]["note"]
    assert d["prior_p99_ms"].value is None and "outside" in d["prior_p99_ms"].note


def test_a_learner_who_kept_every_default_in_every_lab_gets_a_coherent_design():
    from mlsyslabs.labs.catalog import ready_labs

    for lab in ready_labs():
        if lab.id in LAB.AUDITED:
            _, base = run_lab(lab.path)
            run_lab(lab.path, {n: prediction_options(e)[0] for n, e in predictions(base).items()})
    design = LAB.starting_design(Ledger.open())
    v = {k: s["value"] for k, s in design.items()}
    assert v["q_cloud"] in LAB.QUANT and v["tiny_model"] in LAB.TINY_MODELS and 1 <= v["cadence"] <= 12
    assert {s["lab"] for s in design.values() if s["lab"]} >= {"v1.10", "v1.14", "v1.15"}
    r = LAB.evaluate(v)
    assert r["hardest"] in LAB.TIERS and all(math.isfinite(x) or x == math.inf for x in r["budgets"].values())
    d = _run()
    assert d["act2_result"].correct_choice == d["hardest_now"]
    card_text = rendered_text(load_app(PATH).run(defs={k: Committed(v) for k, v in V116.items()})[0])
    assert "not attempted" in card_text or "completed" in card_text


# ---------------------------------------------------------------- record, tags, keys others read
def test_invariant_tags_and_the_saved_record():
    d = _run()
    assert d["act1_result"].invariant in LAB.VOL1_INVARIANTS
    assert d["act2_result"].invariant == "Little's Law"  # the default design's cloud queue binds
    rec = Ledger.open().get("v1.16")
    assert rec["outcomes"]["hardest_tier"] == "cloud" and rec["decisions"]["cadence_months"] == LAB.DESIGN["cadence"]
    assert set(rec["constraints"]) == set(d["violations"])


def test_constraints_count_only_once_act2_is_committed():
    d = run("v1.16", {"act1_prediction": "memory_bw"})
    assert d["act2_result"] is None and d["lab_record"]["constraints"] == []


def test_prompt_slider_stays_inside_every_models_context():
    for m in LAB.LLM_MODELS:
        assert LAB.MAX_PROMPT + LAB.OUTPUT_TOKENS <= P.get_workload(m).max_context
    assert _run(prompt=LAB.MAX_PROMPT)["lab_record"]["outcomes"]["completed"]
