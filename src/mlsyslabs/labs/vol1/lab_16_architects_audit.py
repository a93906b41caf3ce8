"""v1.16 The Architect's Audit: the Volume I capstone.

Act I reads every Volume I lab in the learner's Design Ledger (v1.00-v1.15): accuracy per
invariant with the number of predictions behind it, constraints hit, the largest misses
quoted with their labs, memos, and a plain "not attempted" for what was never done (never
drawn as zero). Act II starts a four-tier design from the learner's own decisions in those
labs (each setting shown with the lab it came from; defaults where a lab is missing) and
asks which tier is furthest from working; every tier can be made to work and every
constraint (memory, latency, cost, availability, quality, drift, fairness) can be broken.

Against the reference capstone (upstream vol1 section 6): its Part A (audit the ledger,
"missing is not failed") is Act I's per-lab status; its Parts B-D (one alternative moves
every margin, where a limit starts to bind, transfer across envelopes) are Act II, where
the same controls move every tier's margins on registry devices and the "closest to
binding" card names the limit that binds next, instead of a prepared fixture.
"""
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: the design's limits, where each starting setting comes from,
    # the graded answers and the constraint checks, importable without running the
    # notebook (tests/labs/test_v1_16.py).
    import math

    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import (G, LabSession, Ledger, P, U, VOL1_INVARIANTS, build_record, charts, get_lab,
                                    ledger_choice, ledger_number, report_card, ui)
    from mlsyslabs.physics import fairness as F
    from mlsyslabs.physics import fleet
    from mlsyslabs.physics import mlops as OPS
    from mlsyslabs.physics.errors import PhysicsError

    LAB = get_lab("v1.16")
    # Act I reads every Volume I lab before this one.
    AUDITED = [f"v1.{i:02d}" for i in range(16)]
    # Every invariant those labs grade, Volume I's seven first.
    INVARIANTS = list(dict.fromkeys([*VOL1_INVARIANTS, *(i for lab in AUDITED for i in get_lab(lab).invariants)]))
    # Each Act I option stands for the invariants whose misses it describes.
    ACT1_OPTIONS = {
        "memory_bw": ("Memory bandwidth: bytes moved, not compute, bound the work",
                      ("Iron Law", "Memory Wall", "Roofline")),
        "queuing": ("Queueing: P99 explodes as utilization nears 1", ("Little's Law",)),
        "serial_fraction": ("Serial fraction: parallelism helps less than hoped", ("Amdahl",)),
        "drift": ("Drift: production data moves away from training data", ("Drift",)),
        "fairness": ("Fairness: error-rate parity cannot hold with unequal base rates", ("Fairness",)),
    }
    MISSES_SHOWN = 3

    # Act II: one assistant on four tiers. The cloud serves the API to a request stream;
    # the edge gateway and the phone answer one user at a time; the sensor board runs
    # the always-on model that wakes the assistant.
    TIERS = ("cloud", "edge", "mobile", "tiny")
    CLOUD_DEVICE = P.TIER_REFERENCE["cloud"]
    LLM_MODELS = ["tinyllama-1.1b", "gemma2-2b", "phi3-mini", "llama2-7b", "llama3-8b", "llama2-13b"]
    TINY_MODELS = ["ds-cnn-kws", "resnet8-cifar", "mobilenetv1-vww", "anomaly-mlp", "mobilenetv2"]
    QUANT = ["fp16", "int8", "int4", "ternary"]  # the LLM tiers' precisions (v1.10's list)
    TINY_QUANT = ["fp32", "int8", "int4"]
    OUTPUT_TOKENS = 16
    # Longest prompt every LLM option can take with room for the answer.
    MAX_PROMPT = (min(P.get_workload(m).max_context for m in LLM_MODELS) - OUTPUT_TOKENS) // 128 * 128
    GPU_STEPS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048]
    # Dr. Vogt's limits (scenario figures).
    SLO = {"rps": 1000, "p99_s": 0.100, "cost_per_request": 0.001, "availability": 0.999,
           "latency_s": {"edge": 2.0, "mobile": 2.0, "tiny": 0.2}, "max_ppl_increase": 0.03}
    # Drift: v1.14's credit model at Part D's doubled drift, its accuracy floor.
    DRIFT = {"acc_old": 0.92, "acc_new": 0.76, "rate_per_month": 0.10, "floor": 0.86}
    # Fairness: v1.15's calibrated score (within each group) at unequal base rates, and its policy.
    GROUPS = ("group A", "group B")
    FAIR = {"base_rates": {"group A": 0.30, "group B": 0.10}, "n": 4000, "separation": 1.5, "seed": 1,
            "max_gap": 0.05}
    POP_CACHE = {}
    # The design handed over when the ledger has nothing to say (each setting's default).
    DESIGN = {"cloud_model": "llama2-7b", "q_cloud": "fp16", "gpus": 16, "strategy": "dynamic", "max_batch": 32,
              "window_ms": 10.0, "prompt": 256, "edge_model": "llama3-8b", "q_edge": "fp16",
              "mobile_model": "llama2-7b", "q_mobile": "int4", "tiny_model": "ds-cnn-kws", "q_tiny": "int8",
              "cadence": 6, "threshold_a": 0.40, "threshold_b": 0.40, "home": None}
    # The ledger keys Act II reads (a contract, listed in README): (lab, section, key, what it sets).
    LEDGER_READS = [
        ("v1.00", "context", None, "your home tier (highlighted)"),
        ("v1.00", "decisions", "tier", "which tier gets v1.00's model and precision"),
        ("v1.00", "decisions", "model", "that tier's model, if it is one of its options"),
        ("v1.00", "decisions", "precision", "that tier's precision, if it is one of its options"),
        ("v1.11", "decisions", "model", "the edge model, if it is one of the options (wins over v1.00)"),
        ("v1.11", "decisions", "precision", "the edge precision, if it is one of the options (wins over v1.00)"),
        ("v1.10", "decisions", "precision", "the cloud precision"),
        ("v1.13", "decisions", "max_batch", "the cloud's largest batch"),
        ("v1.13", "decisions", "window_ms", "the cloud's batching wait"),
        ("v1.13", "outcomes", "p99_ms", "quoted beside the cloud P99"),
        ("v1.14", "decisions", "cadence_months", "the retraining cadence"),
        ("v1.15", "decisions", "threshold_group_a", "group A's decision threshold"),
        ("v1.15", "decisions", "threshold_group_b", "group B's decision threshold"),
    ]
    SETTING_NAMES = {"cloud_model": "Cloud model", "q_cloud": "Cloud precision", "gpus": "Cloud GPUs",
                     "strategy": "Batching", "max_batch": "Largest batch", "window_ms": "Batching wait (ms)",
                     "prompt": "Prompt (tokens)", "edge_model": "Edge model", "q_edge": "Edge precision",
                     "mobile_model": "Mobile model", "q_mobile": "Mobile precision",
                     "tiny_model": "TinyML model", "q_tiny": "TinyML precision", "cadence": "Retrain every (months)",
                     "threshold_a": "Group A threshold", "threshold_b": "Group B threshold", "home": "Home tier"}


@app.function
def audited_records(latest) -> dict:
    """The audited labs' latest records that are well-formed dicts."""
    latest = latest if isinstance(latest, dict) else {}
    return {k: v for k, v in latest.items() if k in AUDITED and isinstance(v, dict)}


@app.function
def record_predictions(rec: dict) -> list:
    ps = rec.get("predictions")
    return [p for p in ps if isinstance(p, dict)] if isinstance(ps, list) else []


@app.function
def lab_rows(latest) -> list[dict]:
    """One row per audited lab: status (not attempted / visited / in progress / completed,
    or not available yet), predictions right of made, and the constraints it hit."""
    recs, rows = audited_records(latest), []
    for lab_id in AUDITED:
        lab, rec = get_lab(lab_id), recs.get(lab_id)
        preds = record_predictions(rec) if rec else []
        outcomes = rec.get("outcomes") if rec and isinstance(rec.get("outcomes"), dict) else {}
        cons = [c for c in (rec.get("constraints") if rec and isinstance(rec.get("constraints"), list) else [])
                if isinstance(c, str)]
        if rec is None:
            status = "not attempted" if lab.ready else "not available yet"
        elif outcomes.get("completed") is True:
            status = "completed"
        else:
            status = "in progress" if preds else "visited"
        rows.append({"lab": lab_id, "title": lab.title, "status": status, "predictions": len(preds),
                     "correct": sum(1 for p in preds if p.get("correct") is True), "constraints": cons})
    return rows


@app.function
def invariant_card(latest):
    """The report card over every audited lab and every invariant they grade."""
    return report_card(latest, expected_labs=AUDITED, invariants=INVARIANTS)


@app.function
def part_name(pid) -> str:
    """'partA' -> 'Part A', 'act1' -> 'Act 1'."""
    pid = str(pid)
    for word in ("part", "act"):
        if pid.startswith(word) and len(pid) > len(word):
            return f"{word.capitalize()} {pid[len(word):]}"
    return pid


@app.function
def largest_misses(latest, k: int = MISSES_SHOWN) -> list[dict]:
    """The learner's wrong predictions, largest miss first (by off-by factor; choices
    without a factor after those with one), each with its lab and its words."""
    misses = []
    for lab_id, rec in sorted(audited_records(latest).items()):
        for p in record_predictions(rec):
            if p.get("correct") is not False:
                continue
            off = p.get("off_by")
            off = float(off) if isinstance(off, (int, float)) and not isinstance(off, bool) and math.isfinite(off) \
                and off >= 1 else None
            label, answer = p.get("label"), p.get("answer_label")
            if isinstance(label, str) and isinstance(answer, str):
                said = f"you chose \u201c{label}\u201d; the answer was \u201c{answer}\u201d"
            else:
                pv, av = p.get("predicted"), p.get("actual")
                ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (pv, av))
                said = (f"you predicted {U.fmt_number(pv)}; the engine gave {U.fmt_number(av)}" if ok
                        else "your answer was not the engine's")
            misses.append({"lab": lab_id, "title": get_lab(lab_id).title, "part": part_name(p.get("id", "")),
                           "invariant": p.get("invariant") if isinstance(p.get("invariant"), str) else "",
                           "off_by": off, "said": said})
    misses.sort(key=lambda m: (m["off_by"] is None, -(m["off_by"] or 0)))
    return misses[:k]


@app.function
def memos(latest) -> list[tuple[str, str]]:
    """(lab, recommendation) for each audited lab whose memo has a recommendation."""
    out = []
    for lab_id, rec in sorted(audited_records(latest).items()):
        memo = rec.get("memo")
        text = memo.get("recommendation") if isinstance(memo, dict) else None
        if isinstance(text, str) and text.strip():
            out.append((lab_id, text.strip()))
    return out


@app.function
def act1_answer(card) -> tuple[str, str, str]:
    """(option key, invariant, why) read from the report card over Volume I's seven invariants."""
    if card.sparse or card.weakest_invariant is None:
        return ("memory_bw", "Memory Wall",
                f"Your ledger holds {card.predictions} prediction(s), too few to diagnose you. The answer shown is the "
                "blind spot most learners share: decode, pipelines and fusion are bound by bytes moved, not FLOPs. "
                "Complete more labs and this reveal will read your own pattern.")
    by_invariant = {inv: key for key, (_, invs) in ACT1_OPTIONS.items() for inv in invs}
    s = card.invariants[card.weakest_invariant]
    why = (f"Read from your ledger: {card.weakest_invariant} has your lowest prediction accuracy "
           f"({s.correct_rate:.0%} of {s.predictions})"
           + (f", with a median miss of {U.fmt_ratio(s.median_off_by)}" if s.median_off_by else "") + ".")
    return by_invariant[card.weakest_invariant], card.weakest_invariant, why


@app.function
def starting_design(ledger) -> dict:
    """Each Act II setting: {value, lab (where the learner set it, or None), note}. Reads go
    through ledger_choice / ledger_number, which fall back to the default with a note."""
    out = {k: {"value": v, "lab": None, "note": "scenario default"} for k, v in DESIGN.items()}

    def take(key, read, lab, what):
        if read.note is None and read.value is not None:
            out[key] = {"value": read.value, "lab": lab, "note": what}
        elif read.note and "not in your ledger" not in read.note and out[key]["lab"] is None:
            out[key]["note"] = read.note  # present but unusable: say why the default stands

    rec = None
    try:
        rec = ledger.get("v1.00")
    except Exception:  # an unreadable ledger: every setting keeps its default
        rec = None
    home = (rec or {}).get("context") if isinstance(rec, dict) else None
    if home in TIERS:
        out["home"] = {"value": home, "lab": "v1.00", "note": "the tier you chose in The Map"}
    tier = ledger_choice(ledger, "v1.00", "decisions", "tier", None, TIERS).value
    if tier is not None:
        models, quants = (TINY_MODELS, TINY_QUANT) if tier == "tiny" else (LLM_MODELS, QUANT)
        mkey, qkey = f"{tier}_model", f"q_{tier}"
        take(mkey, ledger_choice(ledger, "v1.00", "decisions", "model", None, models), "v1.00",
             f"the model you fitted on the {ui.tier_name(tier)} tier in Part B")
        take(qkey, ledger_choice(ledger, "v1.00", "decisions", "precision", None, quants), "v1.00",
             "the precision you fitted it at in Part B")
    # v1.11 chose the edge accelerator's model and precision: it wins over v1.00 for the edge tier
    take("edge_model", ledger_choice(ledger, "v1.11", "decisions", "model", None, LLM_MODELS), "v1.11",
         "the model you put on the edge accelerator in Part D")
    take("q_edge", ledger_choice(ledger, "v1.11", "decisions", "precision", None, QUANT), "v1.11",
         "its weight precision in Part D")
    take("q_cloud", ledger_choice(ledger, "v1.10", "decisions", "precision", None, QUANT), "v1.10",
         "the precision you shipped in Part D")
    take("max_batch", ledger_number(ledger, "v1.13", "decisions", "max_batch", None, 1, 64, integer=True), "v1.13",
         "your largest batch in Part C")
    take("window_ms", ledger_number(ledger, "v1.13", "decisions", "window_ms", None, 0, 20), "v1.13",
         "your batching wait in Part C")
    take("cadence", ledger_number(ledger, "v1.14", "decisions", "cadence_months", None, 1, 12, integer=True),
         "v1.14", "your retraining cadence in Part D")
    for g, key in (("a", "threshold_group_a"), ("b", "threshold_group_b")):
        take(f"threshold_{g}", ledger_number(ledger, "v1.15", "decisions", key, None, 0.05, 0.95), "v1.15",
             f"group {g.upper()}'s threshold in Part B")
    out["window_ms"]["value"] = round(float(out["window_ms"]["value"]) * 2) / 2  # the slider's 0.5 ms steps
    for g in ("a", "b"):
        out[f"threshold_{g}"]["value"] = round(float(out[f"threshold_{g}"]["value"]), 2)
    return out


@app.function
def tier_eval(tier: str, model: str, precision: str, prompt: int):
    """Memory and one request's latency of `model` on the tier's reference device
    (fleet.tier_check for LLMs; one forward pass from the engine's estimate otherwise)."""
    device = P.TIER_REFERENCE[tier]
    slo = SLO["p99_s"] if tier == "cloud" else SLO["latency_s"][tier]
    if model in LLM_MODELS:
        return fleet.tier_check(model, device, tier=tier, precision=precision, prompt=prompt, output=OUTPUT_TOKENS,
                                latency_slo_s=slo)
    frac = 0.9  # the usable share of memory, as fleet.tier_check
    e = P.estimate(model, device, phase="inference", batch=1, precision=precision, memory_fraction=frac)
    usable = e.capacity_bytes * frac
    return fleet.TierCheck(tier, device, precision, e.memory_bytes, usable, e.step_time_s, e.memory_bytes / usable,
                           e.step_time_s / slo)


@app.function
def cloud_fleet(model: str, precision: str, gpus: int, strategy: str, max_batch: int, window_ms: float,
                prompt: int) -> tuple:
    """(FleetResult or None, devices per replica): the cloud serving SLO['rps'] requests/s."""
    per = fleet.replica_devices(model, CLOUD_DEVICE, max_batch=max_batch, prompt=prompt, output=OUTPUT_TOKENS,
                                precision=precision)
    if gpus < per:
        return None, per
    return fleet.serve_fleet(model, CLOUD_DEVICE, gpus=gpus, arrival_rps=SLO["rps"], prompt=prompt,
                             output=OUTPUT_TOKENS, precision=precision, strategy=strategy, max_batch=max_batch,
                             window_s=window_ms / 1000), per


@app.function
def quality(model: str, precision: str) -> tuple[float | None, str]:
    """Published perplexity increase of an LLM at `precision`, and its source (None: unpublished)."""
    if precision == "fp16":
        return 0.0, "fp16 is the reference"
    methods = {"int8": ["int8"], "int4": ["int4 AWQ", "int4"], "ternary": ["ternary"]}.get(precision, [precision])
    for m in methods:
        ref = P.published_accuracy(model, m)
        if ref:
            return ref.compressed / ref.baseline - 1, ref.source
    return None, f"no published {precision} result for {P.get_workload(model).name}"


@app.function
def drift_minimum(cadence: int) -> float:
    """Accuracy just before each retrain (v1.14's model: the new cohort's share grows, each retrain restores)."""
    loss = DRIFT["rate_per_month"] * max(0.0, DRIFT["acc_old"] - DRIFT["acc_new"])
    return OPS.cycle_accuracy(cadence, acc0=DRIFT["acc_old"], loss_per_month=loss).minimum


@app.function
def fairness(threshold_a: float, threshold_b: float) -> dict:
    """Per-group error rates of v1.15's calibrated score at one threshold per group, and the
    equalized-odds gap (the larger of the FPR and FNR gaps)."""
    if "pop" not in POP_CACHE:
        scores, labels, groups = [], [], []
        for g in GROUPS:
            s, y = F.calibrated_population(FAIR["n"], base_rate=FAIR["base_rates"][g], separation=FAIR["separation"],
                                           seed=FAIR["seed"])
            scores, labels, groups = scores + s, labels + y, groups + [g] * len(s)
        POP_CACHE["pop"] = (scores, labels, groups)
    s, y, g = POP_CACHE["pop"]
    conf = F.group_confusion(scores=s, labels=y, groups=g,
                             threshold={"group A": threshold_a, "group B": threshold_b})
    a, b = conf["group A"], conf["group B"]
    return {"conf": conf, "fpr": abs(a.fpr - b.fpr), "fnr": abs(a.fnr - b.fnr),
            "gap": max(abs(a.fpr - b.fpr), abs(a.fnr - b.fnr))}


@app.function
def tier_ratios(checks: dict, cloud, per: int, gpus: int) -> dict:
    """Each tier's (memory, latency) as used fractions of its limits; the cloud's latency is
    its fleet P99 at the offered load (infinite when overloaded), its memory whether the
    fleet can hold one replica."""
    out = {}
    for t in TIERS:
        c = checks[t]
        if t == "cloud":
            mem = c.memory_ratio if cloud is not None else per / gpus
            lat = (cloud.p99_s / SLO["p99_s"]) if cloud is not None else math.inf
        else:
            mem, lat = c.memory_ratio, c.latency_ratio
        out[t] = (mem, lat)
    return out


@app.function
def hardest_tier(ratios: dict) -> str:
    """The tier furthest from working: the largest of its memory and latency fractions."""
    return max(TIERS, key=lambda t: (max(ratios[t]), -TIERS.index(t)))


@app.function
def constraint_budgets(ratios: dict, cloud, qualities: dict, drift_min: float, fair: dict) -> dict:
    """Every constraint as the used fraction of its budget (error budgets for availability
    and accuracy); above 1 is a violation; an unpublished quality delta is unbounded."""
    b = {}
    for t in TIERS:
        mem, lat = ratios[t]
        b[f"{ui.tier_name(t)} memory"] = mem
        b["Cloud P99 latency" if t == "cloud" else f"{ui.tier_name(t)} latency"] = lat
    for t, (delta, _) in qualities.items():
        b[f"{ui.tier_name(t)} quality"] = delta / SLO["max_ppl_increase"] if delta is not None else math.inf
    b["cost per request"] = cloud.cost_per_request / SLO["cost_per_request"] if cloud is not None else math.inf
    b["availability"] = ((1 - cloud.availability) / (1 - SLO["availability"])) if cloud is not None else math.inf
    b["accuracy after drift"] = (1 - drift_min) / (1 - DRIFT["floor"])
    b["fairness gap"] = fair["gap"] / FAIR["max_gap"]
    return b


@app.function
def evaluate(v: dict) -> dict:
    """The whole design at settings `v` (DESIGN's keys): what Act II's cells compute."""
    checks = {"cloud": tier_eval("cloud", v["cloud_model"], v["q_cloud"], v["prompt"])}
    for t in ("edge", "mobile", "tiny"):
        checks[t] = tier_eval(t, v[f"{t}_model"], v[f"q_{t}"], v["prompt"])
    cloud, per = cloud_fleet(v["cloud_model"], v["q_cloud"], v["gpus"], v["strategy"], v["max_batch"],
                             v["window_ms"], v["prompt"])
    ratios = tier_ratios(checks, cloud, per, v["gpus"])
    qualities = {t: quality(v[f"{t}_model"], v[f"q_{t}"]) for t in ("cloud", "edge", "mobile")}
    budgets = constraint_budgets(ratios, cloud, qualities, drift_minimum(v["cadence"]),
                                 fairness(v["threshold_a"], v["threshold_b"]))
    return {"checks": checks, "cloud": cloud, "per": per, "ratios": ratios, "budgets": budgets,
            "violations": [k for k, x in budgets.items() if x > 1], "hardest": hardest_tier(ratios)}


@app.function
def act2_answer(design: dict) -> tuple[str, str, str]:
    """(hardest tier, the invariant that binds it, why) of the starting design."""
    r = evaluate({k: s["value"] for k, s in design.items()})
    t = r["hardest"]
    mem, lat = r["ratios"][t]
    invariant = "Memory Wall" if mem >= lat else ("Little's Law" if t == "cloud" else "Iron Law")
    what = "memory" if mem >= lat else ("P99 latency at the offered load" if t == "cloud" else "latency")
    worst = max(mem, lat)
    amount = ("unbounded: arrivals exceed the fleet's capacity" if math.isinf(worst)
              else f"{U.fmt_ratio(worst)} its limit")
    return t, invariant, (
        f"In your starting design the {ui.tier_name(t)} tier is furthest from working: its {what} is at {amount}. "
        "Every tier's distance is the larger of its memory and latency fractions; the cloud's latency is the P99 "
        f"of a queue at {SLO['rps']:,} requests/s, not one request's time.")


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="Your Design Ledger shows where your instincts were right and wrong; then the design you built lab "
                 "by lab meets four tiers' limits at once.",
        parts=["Act I: the audit of your ledger", "Act II: your design, every constraint"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    ui.section("Act I: the audit of your ledger", 15)
    return


@app.cell
def _():
    ui.stakeholder(
        "Dr. Lena Vogt",
        "VP of Engineering",
        "Before I hand you the platform, I want to know where your instincts are wrong. Your ledger holds every "
        "prediction you made in Labs 00-15. Tell me first which of these you think you underestimated most.",
    )
    return


@app.cell
def _():
    act1_prediction = ui.choice_prediction(
        "Looking back at Labs 00-15, which did you most underestimate?",
        {text: key for key, (text, _) in ACT1_OPTIONS.items()},
    )
    return (act1_prediction,)


@app.cell
def _(ledger):
    latest = ledger.all()
    card = report_card(latest, expected_labs=AUDITED, invariants=list(VOL1_INVARIANTS))
    return card, latest


@app.cell
def _(act1_prediction, card, lab):
    _answer, _invariant, _why = act1_answer(card)
    act1_result = lab.commit("act1", act1_prediction, lambda choice: G.grade_choice(
        "act1", _invariant, choice, _answer, explanation=_why))
    ui.prediction(act1_prediction, act1_result)
    return (act1_result,)


@app.cell
def _(act1_result, card, latest):
    mo.stop(act1_result is None, ui.locked("your report card"))
    _rows = lab_rows(latest)
    _done = [r for r in _rows if r["status"] == "completed"]
    _tried = [r for r in _rows if r["status"] not in ("not attempted", "not available yet")]
    _hits = sum(len(r["constraints"]) for r in _rows)
    ui.cards(
        ui.metric_card("labs completed", f"{len(_done)} of {len(AUDITED)}",
                       f"{len(_tried)} opened" if _tried else "none opened yet"),
        ui.metric_card("prediction accuracy", f"{card.accuracy:.0%}" if card.accuracy is not None else "not attempted",
                       f"{card.correct} of {card.predictions} right"),
        ui.metric_card("constraints hit", str(_hits), ", ".join(r["lab"] for r in _rows if r["constraints"])
                       or "none hit", "warn" if _hits else "ok"),
        ui.metric_card("weakest invariant", card.weakest_invariant or "not enough data",
                       "lowest accuracy of Volume I's seven" if card.weakest_invariant else "no predictions yet"),
    )
    return


@app.cell
def _(act1_result, latest):
    mo.stop(act1_result is None)
    _lines = ["| lab | status | predictions right | constraints hit |", "|---|---|---|---|"]
    for _r in lab_rows(latest):
        _score = f"{_r['correct']} of {_r['predictions']}" if _r["predictions"] else "not attempted"
        _cons = "; ".join(_r["constraints"]) if _r["constraints"] else "none"
        _lines.append(f"| {_r['lab']} {_r['title']} | {_r['status']} | {_score} | "
                      f"{_cons.replace('|', '/')} |")
    mo.accordion({"Every lab of Volume I": mo.md("\n".join(_lines))}, multiple=True)
    return


@app.cell
def _(act1_prediction, act1_result, latest):
    mo.stop(act1_result is None)
    _full = invariant_card(latest)
    _with = [i for i in INVARIANTS if _full.invariants[i].predictions]
    _without = [i for i in INVARIANTS if not _full.invariants[i].predictions]
    _picked = [i for i in ACT1_OPTIONS[act1_result.choice][1] if i in _with] if act1_result.choice in ACT1_OPTIONS \
        else []
    if _with:
        _acc = [_full.invariants[i].correct_rate * 100 for i in _with]
        _n = [_full.invariants[i].predictions for i in _with]
        _fig = go.Figure(go.Bar(
            x=_with, y=_acc, marker_color=[charts.COLOR["alternative"] if i == act1_result.invariant
                                           else charts.COLOR["series"] for i in _with],
            text=[f"{a:.0f}% of {n}" for a, n in zip(_acc, _n)], textposition="outside", name="accuracy"))
        charts.themed(_fig, title="Prediction accuracy per invariant (invariants you have not attempted are not drawn)",
                      x="invariant", y="predictions right (%)", height=420)
        _fig.update_yaxes(range=[0, 118])
        if _picked:
            _i = min(_picked, key=lambda i: _full.invariants[i].correct_rate)
            charts.mark_point(_fig, _i, _full.invariants[_i].correct_rate * 100,
                              f"your prediction: {ACT1_OPTIONS[act1_result.choice][0].split(':')[0]}")
        _view = _fig
    else:
        _view = ui.banner("info", "No predictions yet", "Your ledger holds no committed prediction from Labs 00-15: "
                          "every invariant is not attempted, so there is nothing to draw.")
    _notes = []
    if _without:
        _notes.append(f"Not attempted (no prediction yet, not a score of zero): {', '.join(_without)}.")
    if act1_result.choice in ACT1_OPTIONS and not _picked:
        _notes.append("The invariants of the option you picked have no predictions in your ledger yet.")
    mo.vstack([_view] + ([mo.md(" ".join(_notes))] if _notes else []))
    return


@app.cell
def _(act1_result, latest):
    mo.stop(act1_result is None)
    _miss = largest_misses(latest)
    _memos = memos(latest)
    _parts = []
    if _miss:
        _parts.append(mo.md("**Your largest misses**\n\n" + "\n".join(
            f"- {m['lab']} {m['title']}, {m['part']} ({m['invariant'] or 'no invariant'}): {m['said']}"
            + (f", off by {U.fmt_ratio(m['off_by'])}" if m["off_by"] and m["off_by"] > 1 else "") + "."
            for m in _miss)))
    else:
        _parts.append(ui.banner("info", "No misses to quote", "Your ledger holds no wrong prediction from Labs "
                                "00-15 (or no prediction at all)."))
    if _memos:
        _parts.append(mo.md("**What you recommended**\n\n" + "\n".join(
            f"- {lab_id}: {text[:240]}" for lab_id, text in _memos[-3:])))
    mo.vstack(_parts)
    return


@app.cell
def _(act1_result):
    ui.reveal(act1_result) if act1_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "the seven invariants of Volume I",
        [r"\text{Iron Law: } T = \frac{D}{BW} + \frac{O}{R} + L",
         r"\text{Memory Wall: } M = N\,b + 2\,L\,h_{kv}\,d\,S\,B\,b_{kv} + M_\text{act}",
         r"\text{Amdahl: } S = \frac{1}{(1-f) + f/N}",
         r"\text{Roofline: } P = \min(R,\ I \cdot BW), \quad I^* = R / BW",
         r"\text{Little: } L = \lambda W",
         r"\text{Drift: } \text{Acc}(t) = (1 - w(t))\,\text{Acc}_\text{old} + w(t)\,\text{Acc}_\text{new}",
         r"\text{Fairness: unequal base rates} \Rightarrow \text{calibration, equal FPR, equal FNR cannot all hold}",
         r"\text{accuracy per invariant} = \frac{\text{right}}{\text{predictions}} "
         r"\ (\text{undefined, not } 0, \text{ with no predictions})"],
        [("Amdahl", "1967", "Amdahl, AFIPS Spring Joint Computer Conference"),
         ("Roofline", "2009", "Williams, Waterman & Patterson, CACM 52(4)"),
         ("Little's Law", "1961", "Little, Operations Research 9(3)"),
         ("Fairness impossibility", "2017", "Chouldechova, Big Data 5(2)")],
    )
    return


@app.cell
def _():
    ui.section("Act II: your design, every constraint", 25)
    return


@app.cell
def _(ledger):
    design = starting_design(ledger)
    return (design,)


@app.cell
def _():
    ui.stakeholder(
        "Dr. Lena Vogt",
        "VP of Engineering",
        f"We ship one assistant everywhere. The cloud API takes {SLO['rps']:,} requests/s with a P99 under "
        f"{U.fmt_seconds(SLO['p99_s'])}, under {U.fmt_number(SLO['cost_per_request'] * 1000)} USD per thousand "
        f"requests, {SLO['availability']:.1%} available. The edge gateway and the phone answer one user within "
        f"{U.fmt_seconds(SLO['latency_s']['edge'])}; the sensor board's always-on model answers within "
        f"{U.fmt_seconds(SLO['latency_s']['tiny'])}. Perplexity may rise at most {SLO['max_ppl_increase']:.0%}, "
        f"task accuracy stays above {DRIFT['floor']:.0%} between retrains, and the error rates of the two "
        f"groups we screen stay within {FAIR['max_gap'] * 100:.0f} points. I start from the settings you chose "
        "in your labs, listed below.",
    )
    return


@app.cell
def _(design):
    _lines = ["| setting | starting value | from |", "|---|---|---|"]
    for _k, _s in design.items():
        _v = _s["value"]
        if _k == "home" and _v is None:
            continue
        _shown = (P.get_workload(_v).name if _k.endswith("_model") else ui.tier_name(_v) if _k == "home"
                  else U.fmt_number(_v) if isinstance(_v, float) else str(_v))
        _from = f"{_s['lab']} {get_lab(_s['lab']).title}: {_s['note']}" if _s["lab"] else _s["note"]
        _lines.append(f"| {SETTING_NAMES[_k]} | {_shown} | {_from.replace('|', '/')} |")
    _n = sum(1 for _s in design.values() if _s["lab"])
    mo.vstack([mo.md(f"**Your starting design**: {_n} of {len(design)} settings come from your ledger; the others "
                     "are the scenario's defaults."), mo.md("\n".join(_lines))])
    return


@app.cell
def _():
    act2_prediction = ui.choice_prediction(
        "In your starting design, which tier is furthest from working (memory or latency)?",
        {f"{ui.tier_name(t)} ({P.get_device(P.TIER_REFERENCE[t]).name})": t for t in TIERS},
    )
    return (act2_prediction,)


@app.cell
def _(act2_prediction, design, lab):
    _answer, _invariant, _why = act2_answer(design)
    act2_result = lab.commit("act2", act2_prediction, lambda choice: G.grade_choice(
        "act2", _invariant, choice, _answer, explanation=_why))
    ui.prediction(act2_prediction, act2_result)
    return (act2_result,)


@app.cell
def _(design):
    # Controls open on the starting design (the reveal's scenario); created ungated.
    _v = {k: s["value"] for k, s in design.items()}
    _llm = {P.get_workload(m).name: m for m in LLM_MODELS}
    _tiny = {P.get_workload(m).name: m for m in TINY_MODELS}
    _name = {m: n for n, m in {**_llm, **_tiny}.items()}
    cloud_model = mo.ui.dropdown(_llm, value=_name[_v["cloud_model"]], label="Cloud model")
    q_cloud = mo.ui.dropdown(QUANT, value=_v["q_cloud"], label="Cloud precision")
    gpus = mo.ui.slider(steps=GPU_STEPS, value=_v["gpus"], label="Cloud GPUs", show_value=True)
    strategy = mo.ui.radio({"Static batching": "static", "Dynamic batching": "dynamic",
                            "Continuous batching": "continuous"},
                           value={"static": "Static batching", "dynamic": "Dynamic batching",
                                  "continuous": "Continuous batching"}[_v["strategy"]], label="Serving", inline=True)
    max_batch = mo.ui.slider(1, 64, value=_v["max_batch"], label="Largest batch", show_value=True)
    window_ms = mo.ui.slider(0.0, 20.0, step=0.5, value=_v["window_ms"], label="Batching wait (ms)",
                             show_value=True)
    prompt_len = mo.ui.slider(128, MAX_PROMPT, step=128, value=_v["prompt"], label="Prompt length (tokens)",
                              show_value=True)
    edge_model = mo.ui.dropdown(_llm, value=_name[_v["edge_model"]], label="Edge model")
    q_edge = mo.ui.dropdown(QUANT, value=_v["q_edge"], label="Edge precision")
    mobile_model = mo.ui.dropdown(_llm, value=_name[_v["mobile_model"]], label="Mobile model")
    q_mobile = mo.ui.dropdown(QUANT, value=_v["q_mobile"], label="Mobile precision")
    tiny_model = mo.ui.dropdown(_tiny, value=_name[_v["tiny_model"]], label="TinyML model")
    q_tiny = mo.ui.dropdown(TINY_QUANT, value=_v["q_tiny"], label="TinyML precision")
    cadence = mo.ui.slider(1, 12, value=_v["cadence"], label="Retrain every (months)", show_value=True)
    threshold_a = mo.ui.slider(0.05, 0.95, step=0.01, value=_v["threshold_a"], label="Group A threshold",
                               show_value=True)
    threshold_b = mo.ui.slider(0.05, 0.95, step=0.01, value=_v["threshold_b"], label="Group B threshold",
                               show_value=True)
    return (cadence, cloud_model, edge_model, gpus, max_batch, mobile_model, prompt_len, q_cloud, q_edge, q_mobile,
            q_tiny, strategy, threshold_a, threshold_b, tiny_model, window_ms)


@app.cell
def _(ledger):
    # Lab 13's measured tail, quoted beside the cloud's.
    prior_p99_ms = ledger_number(ledger, "v1.13", "outcomes", "p99_ms", None, 0, 1e9)
    return (prior_p99_ms,)


@app.cell
def _(
    act2_result,
    cadence,
    cloud_model,
    edge_model,
    gpus,
    max_batch,
    mobile_model,
    prompt_len,
    q_cloud,
    q_edge,
    q_mobile,
    q_tiny,
    strategy,
    threshold_a,
    threshold_b,
    tiny_model,
    window_ms,
):
    mo.stop(act2_result is None, ui.locked("the design instruments"))
    mo.vstack([
        mo.md("**Cloud API**"), mo.hstack([cloud_model, q_cloud, gpus], wrap=True),
        mo.hstack([strategy, max_batch, window_ms], wrap=True),
        mo.md("**Devices**"), mo.hstack([edge_model, q_edge, mobile_model, q_mobile], wrap=True),
        mo.hstack([tiny_model, q_tiny, prompt_len], wrap=True),
        mo.md("**Operations**"), mo.hstack([cadence, threshold_a, threshold_b], wrap=True),
    ])
    return


@app.cell
def _(cloud_model, prompt_len, q_cloud):
    cloud_check = tier_eval("cloud", cloud_model.value, q_cloud.value, prompt_len.value)
    return (cloud_check,)


@app.cell
def _(edge_model, prompt_len, q_edge):
    edge_check = tier_eval("edge", edge_model.value, q_edge.value, prompt_len.value)
    return (edge_check,)


@app.cell
def _(mobile_model, prompt_len, q_mobile):
    mobile_check = tier_eval("mobile", mobile_model.value, q_mobile.value, prompt_len.value)
    return (mobile_check,)


@app.cell
def _(prompt_len, q_tiny, tiny_model):
    tiny_check = tier_eval("tiny", tiny_model.value, q_tiny.value, prompt_len.value)
    return (tiny_check,)


@app.cell
def _(cloud_model, gpus, max_batch, prompt_len, q_cloud, strategy, window_ms):
    cloud, cloud_per = cloud_fleet(cloud_model.value, q_cloud.value, gpus.value, strategy.value, max_batch.value,
                                   window_ms.value, prompt_len.value)
    return cloud, cloud_per


@app.cell
def _(cloud_model, edge_model, mobile_model, q_cloud, q_edge, q_mobile):
    qualities = {"cloud": quality(cloud_model.value, q_cloud.value), "edge": quality(edge_model.value, q_edge.value),
                 "mobile": quality(mobile_model.value, q_mobile.value)}
    return (qualities,)


@app.cell
def _(cadence):
    drift_min = drift_minimum(cadence.value)
    return (drift_min,)


@app.cell
def _(threshold_a, threshold_b):
    fair = fairness(threshold_a.value, threshold_b.value)
    return (fair,)


@app.cell
def _(cloud, cloud_check, cloud_per, edge_check, gpus, mobile_check, tiny_check):
    # Split from the budgets so that drift and fairness controls do not redraw the tier chart.
    checks = {"cloud": cloud_check, "edge": edge_check, "mobile": mobile_check, "tiny": tiny_check}
    ratios = tier_ratios(checks, cloud, cloud_per, gpus.value)
    hardest_now = hardest_tier(ratios)
    return checks, hardest_now, ratios


@app.cell
def _(cloud, drift_min, fair, qualities, ratios):
    budgets = constraint_budgets(ratios, cloud, qualities, drift_min, fair)
    violations = [k for k, v in budgets.items() if v > 1]
    return budgets, violations


@app.cell
def _(act2_result, cloud_model, max_batch, prompt_len, q_cloud, strategy, window_ms):
    mo.stop(act2_result is None)
    # The fewest GPUs that meet the P99 SLO: a search over fleet sizes, so only the
    # settings it depends on re-run it (not the GPU slider).
    try:
        gpus_for_slo = fleet.gpus_needed(cloud_model.value, CLOUD_DEVICE, arrival_rps=SLO["rps"],
                                         p99_slo_s=SLO["p99_s"], max_gpus=GPU_STEPS[-1], prompt=prompt_len.value,
                                         output=OUTPUT_TOKENS, precision=q_cloud.value, strategy=strategy.value,
                                         max_batch=max_batch.value, window_s=window_ms.value / 1000)
    except PhysicsError:
        gpus_for_slo = None
    return (gpus_for_slo,)


@app.cell
def _(
    act2_result,
    checks,
    cloud,
    cloud_model,
    cloud_per,
    design,
    edge_model,
    gpus,
    mobile_model,
    prior_p99_ms,
    tiny_model,
):
    mo.stop(act2_result is None)
    _models = {"cloud": cloud_model.value, "edge": edge_model.value, "mobile": mobile_model.value,
               "tiny": tiny_model.value}
    _home = design["home"]["value"]
    _rows = []
    for _t in TIERS:
        _c = checks[_t]
        _fmt = (lambda b: U.fmt_bytes(b, binary=True)) if _t == "tiny" else U.fmt_bytes
        _lines = [P.get_workload(_models[_t]).name,
                  f"memory {_fmt(_c.memory_bytes)} of {_fmt(_c.capacity_bytes)} usable "
                  f"({U.fmt_ratio(_c.memory_ratio)})",
                  f"precision {_c.precision}"]
        if _t == "cloud":
            if cloud is None:
                _lines.append(f"one replica needs {cloud_per} GPUs; the fleet has {gpus.value}")
                _fail = True
            else:
                _lines.append(f"fleet P99 {U.fmt_seconds(cloud.p99_s)} at {SLO['rps']:,} requests/s"
                              if cloud.stable else "fleet overloaded: arrivals exceed capacity")
                if prior_p99_ms.note is None:
                    _lines.append(f"your v1.13 endpoint's P99 was {U.fmt_seconds(prior_p99_ms.value / 1000)}")
                _fail = _c.memory_ratio > 1 or cloud.p99_s > SLO["p99_s"]
        else:
            _lines.append(f"one request {U.fmt_seconds(_c.latency_s)} (limit "
                          f"{U.fmt_seconds(SLO['latency_s'][_t])})")
            _fail = _c.memory_ratio > 1 or _c.latency_ratio > 1
        if _t == _home:
            _lines.append("your home tier (v1.00)")
        _rows.append({"tier": _t, "title": P.get_device(_c.device).name, "lines": _lines,
                      "status": "fail" if _fail else "ok"})
    ui.tier_panel(_rows)
    return


@app.cell
def _(act2_result, hardest_now, ratios):
    mo.stop(act2_result is None)
    _mem, _lat = ratios[hardest_now]
    mo.md(f"Furthest from working now: **{ui.tier_name(hardest_now)}** (memory {U.fmt_ratio(_mem)} of its limit, "
          f"latency {'unbounded' if math.isinf(_lat) else U.fmt_ratio(_lat)}).")
    return


@app.cell
def _(act2_result, cloud, gpus, gpus_for_slo):
    mo.stop(act2_result is None)
    _price = P.get_device(CLOUD_DEVICE).price_per_hour
    ui.cards(
        ui.metric_card("GPUs needed for the P99 SLO", str(gpus_for_slo) if gpus_for_slo else
                       f"more than {GPU_STEPS[-1]:,}", "at this model, precision, batching and prompt"),
        ui.metric_card("cost at that fleet size",
                       f"{U.fmt_number(gpus_for_slo * _price / 3600 / SLO['rps'] * 1e6)} micro-USD per request"
                       if gpus_for_slo else "no fleet meets the SLO",
                       f"{gpus_for_slo} x {_price:.2f} USD/h over {SLO['rps']:,} requests/s" if gpus_for_slo else ""),
        ui.metric_card("your fleet", f"{gpus.value} GPU" + ("" if gpus.value == 1 else "s"),
                       f"capacity {U.fmt_number(cloud.capacity_rps)} requests/s" if cloud is not None
                       else "cannot hold one replica", "ok" if cloud is not None and cloud.p99_s <= SLO["p99_s"]
                       else "fail"),
    )
    return


@app.cell
def _(act2_result, budgets, cloud, drift_min, fair, qualities):
    mo.stop(act2_result is None)
    _bars = []
    if cloud is not None:
        _bars += [
            ui.slo_bar("Cloud P99 latency", cloud.p99_s * 1000, SLO["p99_s"] * 1000, unit="ms", fmt=U.fmt_number),
            ui.slo_bar("Cost per request", cloud.cost_per_request * 1e6, SLO["cost_per_request"] * 1e6,
                       unit="micro-USD", fmt=U.fmt_number),
            ui.slo_bar("Availability", cloud.availability_nines, fleet.availability_nines(SLO["availability"]),
                       unit="nines", fmt=lambda v: f"{v:.2f}", higher_is_better=True),
        ]
    for _t, (_d, _src) in qualities.items():
        if _d is not None:
            _bars.append(ui.slo_bar(f"{ui.tier_name(_t)} perplexity increase", _d * 100,
                                    SLO["max_ppl_increase"] * 100, unit="%", fmt=lambda v: f"{v:.1f}"))
    _bars += [
        ui.slo_bar("Accuracy before each retrain", drift_min * 100, DRIFT["floor"] * 100, unit="%",
                   higher_is_better=True, fmt=lambda v: f"{v:.1f}"),
        ui.slo_bar("Error-rate gap between groups", fair["gap"] * 100, FAIR["max_gap"] * 100, unit="points",
                   fmt=lambda v: f"{v:.1f}"),
    ]
    _k = max(budgets, key=budgets.get)
    _close = (ui.banner("ok", "Feasible design", f"Every constraint holds. Closest to binding: {_k} at "
                        f"{budgets[_k]:.0%} of its budget.") if budgets[_k] <= 1 else
              mo.md(f"{sum(1 for v in budgets.values() if v > 1)} of {len(budgets)} constraints are broken."))
    mo.vstack([ui.slo_bars(*_bars), _close])
    return


@app.cell
def _(act2_result, budgets, checks, cloud, cloud_per, drift_min, fair, gpus, qualities):
    mo.stop(act2_result is None)
    _b = []
    for _t in TIERS:
        _c = checks[_t]
        _name = ui.tier_name(_t)
        if _t == "cloud" and cloud is None:
            _b.append(ui.failure_banner("Cloud OOM", what=f"one replica needs {cloud_per} GPUs to hold the model and "
                                        f"a full batch's KV cache; the fleet has {gpus.value}",
                                        by=U.fmt_ratio(cloud_per / gpus.value),
                                        fix="more GPUs, a smaller batch or prompt, or a lower precision"))
        elif _c.memory_ratio > 1:
            _cap = U.fmt_bytes(_c.capacity_bytes, binary=_t == "tiny")
            _b.append(ui.failure_banner(
                f"{_name} OOM", what=f"{U.fmt_bytes(_c.memory_bytes, binary=_t == 'tiny')} needed on the "
                f"{P.get_device(_c.device).name} ({_cap} usable)", by=U.fmt_ratio(_c.memory_ratio),
                fix="a smaller model or a lower precision" + ("" if _t == "tiny" else ", or a shorter prompt")))
        if _t != "cloud" and _c.latency_ratio > 1:
            _b.append(ui.failure_banner(
                f"{_name} latency", what=f"one request takes {U.fmt_seconds(_c.latency_s)} (limit "
                f"{U.fmt_seconds(SLO['latency_s'][_t])})", by=U.fmt_ratio(_c.latency_ratio),
                fix="a smaller model or fewer bytes per weight (decode is bound by memory bandwidth)"))
    if cloud is not None and cloud.p99_s > SLO["p99_s"]:
        _b.append(ui.failure_banner(
            "P99 SLA",
            what=(f"P99 {U.fmt_seconds(cloud.p99_s)} vs {U.fmt_seconds(SLO['p99_s'])}" if cloud.stable else
                  f"{SLO['rps']:,} requests/s exceed the fleet's capacity of {U.fmt_number(cloud.capacity_rps)}/s"),
            by=U.fmt_ratio(budgets["Cloud P99 latency"]) if cloud.stable else "an unbounded queue",
            fix="more GPUs (lower utilization), a lower precision (shorter service), or continuous batching"))
    if cloud is not None and budgets["cost per request"] > 1:
        _b.append(ui.failure_banner("Budget", what=f"{U.fmt_number(cloud.cost_per_request * 1e6)} micro-USD per "
                                    "request", by=U.fmt_ratio(budgets["cost per request"]),
                                    fix="fewer GPUs, or more requests per GPU"))
    if cloud is not None and budgets["availability"] > 1:
        _b.append(ui.failure_banner("Availability", what=f"{U.fmt_number(cloud.availability * 100, 5)}% available",
                                    by=U.fmt_ratio(budgets["availability"]),
                                    fix="spare GPUs beyond what the load needs"))
    for _t, (_d, _src) in qualities.items():
        if _d is None or _d > SLO["max_ppl_increase"]:
            _b.append(ui.failure_banner(f"{ui.tier_name(_t)} quality", what="the perplexity limit is not shown to hold",
                                        by=_src if _d is None else f"+{_d:.1%} perplexity",
                                        fix="fp16, or a precision with a published result within the limit"))
    if drift_min < DRIFT["floor"]:
        _b.append(ui.failure_banner("Drift", what=f"accuracy falls to {drift_min:.1%} before the next retrain",
                                    by=f"{(DRIFT['floor'] - drift_min) * 100:.1f} points", fix="retrain more often"))
    if fair["gap"] > FAIR["max_gap"]:
        _b.append(ui.failure_banner(
            "Fairness", what=f"error rates differ by {fair['gap'] * 100:.1f} points between the groups (FPR "
            f"{fair['fpr'] * 100:.1f}, FNR {fair['fnr'] * 100:.1f})", by=f"{(fair['gap'] - FAIR['max_gap']) * 100:.1f}"
            " points", fix="a lower threshold for the group with the lower base rate (v1.15 Part B), at a cost in "
            "that group's precision"))
    mo.vstack(_b) if _b else ui.banner("ok", "No limit crossed", "Every tier and every operating constraint holds.")
    return


@app.cell
def _(act2_result, design):
    mo.stop(act2_result is None)
    # The reveal's chart: the starting design the answer was computed on (it does not follow
    # the controls, so moving one does not redraw it; the tier cards above follow them).
    _start = evaluate({k: s["value"] for k, s in design.items()})
    _ratios = _start["ratios"]
    _cap = 1000.0  # an unbounded queue is drawn at the top of the chart and labelled
    _names = [ui.tier_name(t) for t in TIERS]
    _fig = go.Figure()
    for _i, (_what, _color) in enumerate((("memory", charts.COLOR["data"]), ("latency", charts.COLOR["compute"]))):
        _vals = [_ratios[t][_i] for t in TIERS]
        _fig.add_trace(go.Bar(x=_names, y=[min(v, _cap) for v in _vals], name=f"{_what} (share of its limit)",
                              marker_color=_color,
                              text=["unbounded" if math.isinf(v) else U.fmt_ratio(v) for v in _vals],
                              textposition="outside"))
    charts.themed(_fig, title="Your starting design: how far each tier was from working (log scale; over 1 fails)",
                  x="tier", y="share of the limit", height=440)
    _fig.update_layout(barmode="group")
    _all = [min(v, _cap) for t in TIERS for v in _ratios[t]]
    charts.log_axes(_fig, ys=_all + [1.0, max(_all + [1.0]) * 20], pad=0.4)  # headroom for the labels
    charts.reference_line(_fig, 1.0, "limit", color=charts.COLOR["limit"])
    _pred = act2_result.choice
    charts.mark_point(_fig, ui.tier_name(_pred), min(max(_ratios[_pred]), _cap),
                      f"your prediction: {ui.tier_name(_pred)}")
    _fig
    return


@app.cell
def _(act2_result):
    ui.reveal(act2_result) if act2_result else None
    return


@app.cell
def _():
    _d = P.get_device(CLOUD_DEVICE)
    ui.math_peek(
        "what each constraint computes",
        [r"\text{tier distance} = \max\left(\frac{M_\text{need}}{M_\text{usable}},\ "
         r"\frac{T_\text{request}}{T_\text{limit}}\right), \quad T_\text{cloud} = P_{99}\ \text{of the queue}",
         r"S(b) = t_\text{prefill}(b \cdot n_\text{prompt}) + n_\text{out} \cdot t_\text{decode}(b)",
         r"\text{cost/request} = \frac{N \cdot \text{price/h}}{3600\, \lambda}, \quad "
         r"A = A_\text{site} \cdot P(\text{at least } \lceil \lambda / \text{capacity} \rceil \text{ replicas up})",
         r"\text{Acc}_\text{min} = \text{Acc}_\text{old} - r\,(\text{Acc}_\text{old} - \text{Acc}_\text{new})\,c",
         r"\text{gap} = \max(|\text{FPR}_A - \text{FPR}_B|,\ |\text{FNR}_A - \text{FNR}_B|), "
         r"\quad \text{score calibrated within each group}"],
        [(f"{_d.name} price", f"{_d.price_per_hour:.2f} USD/h", _d.sources[-1]),
         ("GPU MTBF", f"{fleet.GPU_MTBF_H:,.0f} h", "Dubey et al. 2024: 419 interruptions / 54 days / 16,384 GPUs"),
         ("site availability", f"{fleet.SITE_AVAILABILITY:.3%}", fleet.SITE_AVAILABILITY_SOURCE),
         ("request", f"your prompt + {OUTPUT_TOKENS} output tokens", "scenario"),
         ("drift", f"new cohort +{DRIFT['rate_per_month']:.0%}/month, accuracy {DRIFT['acc_old']:.0%} vs "
          f"{DRIFT['acc_new']:.0%}", "v1.14's credit model (scenario estimates), Part D's rate"),
         ("groups", f"base rates {FAIR['base_rates']['group A']:.0%} and {FAIR['base_rates']['group B']:.0%}, "
          f"{FAIR['n']:,} each", "v1.15's calibrated score (scenario estimates)")],
    )
    return


@app.cell
def _(act1_result, act2_result):
    ui.takeaways(
        [
            "Your ledger is evidence about your instincts: a miss is a number, and an invariant you never predicted "
            "is not attempted, not zero.",
            "Each tier breaks for its own reason: memory on small devices, bandwidth-bound decode latency on the "
            "edge and the phone, queueing on the cloud, where 80 GB GPUs still miss a P99 at high load.",
            "Quantization moves memory, latency and cost at once; its price is a published quality delta, and "
            "where none is published the design is unproven.",
            "Operations are constraints too: the retraining cadence sets the worst accuracy, and with unequal base "
            "rates only different thresholds per group bring the error rates together.",
        ],
        [("Why can the cloud, with the largest memory and fastest chip, be the tier furthest from working?",
          "Its limit is a P99 at the offered load: near saturation the queue, not the chip, sets the tail."),
         ("Why does one shared threshold leave a gap in error rates?",
          "The score is calibrated within each group, so with different base rates the same threshold cuts each "
          "group's score distribution at a different place.")],
        unlocked=act1_result is not None and act2_result is not None,
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Dr. Vogt wants your platform recommendation in writing: which design ships on each tier, "
                     "at what cost, and which constraint you are watching."), memo_form])
    return


@app.cell
def _(
    act1_result,
    act2_result,
    budgets,
    cadence,
    card,
    cloud,
    cloud_model,
    design,
    edge_model,
    gpus,
    hardest_now,
    lab,
    max_batch,
    memo_form,
    mobile_model,
    prompt_len,
    q_cloud,
    q_edge,
    q_mobile,
    q_tiny,
    strategy,
    threshold_a,
    threshold_b,
    tiny_model,
    violations,
    window_ms,
):
    _outcomes = {"weakest_invariant": card.weakest_invariant, "hardest_tier": act2_answer(design)[0],
                 "hardest_tier_now": hardest_now, "closest_constraint": max(budgets, key=budgets.get),
                 "from_ledger": ", ".join(sorted({s["lab"] for s in design.values() if s["lab"]}))}
    if cloud is not None:
        _outcomes.update(p99_ms=cloud.p99_s * 1000 if cloud.stable else None,
                         cost_per_request=cloud.cost_per_request)
    lab_record = build_record(
        context=None, results=[act1_result, act2_result],
        decisions={"gpus": gpus.value, "strategy": strategy.value, "max_batch": max_batch.value,
                   "window_ms": window_ms.value, "prompt_tokens": prompt_len.value, "cloud_model": cloud_model.value,
                   "q_cloud": q_cloud.value, "edge_model": edge_model.value, "q_edge": q_edge.value,
                   "mobile_model": mobile_model.value, "q_mobile": q_mobile.value, "tiny_model": tiny_model.value,
                   "q_tiny": q_tiny.value, "cadence_months": cadence.value, "threshold_a": threshold_a.value,
                   "threshold_b": threshold_b.value},
        outcomes=_outcomes,
        constraints=violations if act2_result else [],
        memo=memo_form.value,
    )
    lab_status = lab.save(lab_record)
    return lab_record, lab_status


@app.cell
def _(lab_record, lab_status):
    ui.lab_footer(LAB.id, lab_record, lab_status, of=2)
    return


if __name__ == "__main__":
    app.run()
