import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: SLOs, the design scenario, graded answers and constraint
    # budgets, importable without running the notebook (tests/labs/test_v1_16.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import (G, LabSession, Ledger, P, U, VOL1_INVARIANTS, build_record, charts, get_lab,
                                    ledger_choice, ledger_number, report_card, ui, volume1_scored_labs)
    from mlsyslabs.physics import fleet
    from mlsyslabs.physics.errors import PhysicsError

    LAB = get_lab("v1.16")
    MODEL = "llama2-7b"
    CLOUD_DEVICE = "h100-sxm"
    SLO = {"p99_s": 0.100, "cost_per_request": 0.001, "rps": 1000, "availability": 0.999,
           "max_ppl_increase": 0.03, "min_post_drift_accuracy": 0.85, "max_fpr_gap": 0.05}
    SCENARIO = {"prompt_tokens": 256, "output_tokens": 16, "deploy_accuracy": 0.90, "drift_sensitivity": 0.5,
                "psi_per_month": 0.02, "base_rates": (0.30, 0.50), "population": 4000}
    # The design Dr. Vogt hands over: what Act II's instruments open on and its answer is computed at.
    DESIGN = {"q_cloud": "fp16", "q_edge": "int4", "q_mobile": "int4", "q_tiny": "ternary", "gpus": 16,
              "strategy": "dynamic", "prompt": SCENARIO["prompt_tokens"], "cadence": 6, "threshold": 0.50}
    QUANT = ["fp16", "int8", "int4", "ternary"]
    TIERS = ("cloud", "edge", "mobile", "tiny")
    GPU_STEPS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048]
    # Longest prompt that leaves room for the answer within the model's context window.
    MAX_PROMPT = (P.get_workload(MODEL).max_context - SCENARIO["output_tokens"]) // 128 * 128
    # Each Act I option stands for the invariants whose misses it describes.
    ACT1_OPTIONS = {
        "memory_bw": ("Memory bandwidth: bytes moved, not compute, bound the work",
                      ("Iron Law", "Memory Wall", "Roofline")),
        "queuing": ("Queueing: P99 explodes as utilization nears 1", ("Little's Law",)),
        "serial_fraction": ("Serial fraction: parallelism helps less than hoped", ("Amdahl",)),
        "drift": ("Drift: production data moves away from training data", ("Drift",)),
        "fairness": ("Fairness: error-rate parity cannot hold with unequal base rates", ("Fairness",)),
    }


@app.function
def act1_answer(card) -> tuple[str, str, str]:
    """(option key, invariant, why) read from the learner's report card."""
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
def tier_checks(q: dict, prompt: int) -> list:
    """Single-request feasibility of the 7B model on each tier's reference device."""
    return [fleet.tier_check(MODEL, P.TIER_REFERENCE[t], tier=t, precision=q[t], prompt=prompt,
                             output=SCENARIO["output_tokens"], latency_slo_s=SLO["p99_s"]) for t in TIERS]


@app.function
def act2_answer() -> str:
    """The tier furthest from feasible in the handed-over design."""
    q = {t: DESIGN[f"q_{t}"] for t in TIERS}
    return fleet.hardest(tier_checks(q, DESIGN["prompt"]))


@app.function
def quality_delta(precision: str) -> tuple[float | None, str]:
    """Published perplexity increase of the cloud precision, and its source (None: unpublished)."""
    if precision == "fp16":
        return 0.0, "fp16 is the reference"
    ref = {"int8": P.published_accuracy(MODEL, "int8"), "int4": P.published_accuracy(MODEL, "int4 AWQ")}.get(precision)
    if ref:
        return ref.compressed / ref.baseline - 1, ref.source
    return None, f"no published post-training {precision} result for this model"


@app.function
def fpr_gap(threshold: float) -> float:
    """False-positive-rate gap between the two groups at one shared threshold."""
    rates = []
    for i, br in enumerate(SCENARIO["base_rates"]):
        s, y = P.synthetic_population(SCENARIO["population"], base_rate=br, seed=11 + i)
        rates.append(P.group_rates(s, y, threshold))
    return abs(rates[0].fpr - rates[1].fpr)


@app.function
def constraint_budgets(cloud, checks, ppl_increase, post_drift, gap) -> dict:
    """Each constraint as the used fraction of its budget (error budgets for availability
    and accuracy); above 1 is a violation. An unpublished quality delta is unbounded."""
    budgets = {
        "P99 latency": cloud.p99_s / SLO["p99_s"],
        "cost per request": cloud.cost_per_request / SLO["cost_per_request"],
        "availability": (1 - cloud.availability) / (1 - SLO["availability"]),
        "perplexity": (ppl_increase / SLO["max_ppl_increase"]) if ppl_increase is not None else float("inf"),
        "post-drift accuracy": (1 - post_drift) / (1 - SLO["min_post_drift_accuracy"]),
        "fairness gap": gap / SLO["max_fpr_gap"],
    }
    for c in checks:
        budgets[f"{ui.tier_name(c.tier)} memory"] = c.memory_ratio
    return budgets


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="Your Design Ledger shows what your mental model looks like; a 7B LLM across four tiers makes "
                 "you use every invariant at once.",
        parts=["Act I: ledger archaeology", "Act II: full-stack design"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    ui.section("Act I: Design Ledger archaeology", 15)
    return


@app.cell
def _():
    ui.stakeholder(
        "Dr. Lena Vogt",
        "VP of Engineering",
        "Before I hand you the platform, I want to know where your instincts are wrong. Your ledger has every "
        "prediction you made in Labs 01-15. Tell me first which invariant you think you underestimated most.",
    )
    return


@app.cell
def _():
    act1_prediction = ui.choice_prediction(
        "Looking back at Labs 01-15, which did you most underestimate?",
        {text: key for key, (text, _) in ACT1_OPTIONS.items()},
    )
    return (act1_prediction,)


@app.cell
def _(ledger):
    card = report_card(ledger.all(), expected_labs=volume1_scored_labs(), invariants=list(VOL1_INVARIANTS))
    return (card,)


@app.cell
def _(act1_prediction, card, lab):
    _answer, _invariant, _why = act1_answer(card)
    act1_result = lab.commit("act1", act1_prediction, lambda choice: G.grade_choice(
        "act1", _invariant, choice, _answer, explanation=_why))
    ui.prediction(act1_prediction, act1_result)
    return (act1_result,)


@app.cell
def _(act1_result, card):
    mo.stop(act1_result is None, ui.locked("your report card"))
    ui.cards(
        ui.metric_card("labs completed", f"{len(card.labs_completed)} of {card.labs_expected}",
                       ", ".join(card.labs_completed) or "none yet"),
        ui.metric_card("prediction accuracy", f"{card.accuracy:.0%}" if card.accuracy is not None else "no data",
                       f"{card.correct} of {card.predictions} right"),
        ui.metric_card("constraint failures", str(len(card.constraint_hits)),
                       ", ".join(card.constraint_hits) or "none hit", "warn" if card.constraint_hits else "ok"),
        ui.metric_card("favourite context", ui.tier_name(card.favourite_context) if card.favourite_context
                       else "none yet", ", ".join(f"{ui.tier_name(k)} {v}" for k, v in card.contexts.items())),
        ui.metric_card("weakest invariant", card.weakest_invariant or "not enough data",
                       "lowest prediction accuracy" if card.weakest_invariant else "sparse ledger"),
    )
    return


@app.cell
def _(act1_result, card):
    mo.stop(act1_result is None)
    # Only invariants with data are drawn: "no data" is not zero.
    _cats = [c for c in VOL1_INVARIANTS if card.invariants[c].predictions]
    _missing = [c for c in VOL1_INVARIANTS if not card.invariants[c].predictions]
    _note = mo.md(f"No predictions yet for: {', '.join(_missing)}." if _missing else "Every invariant has data.")
    if len(_cats) < 3:
        _view = ui.banner("info", "Radar needs three invariants with data",
                          f"Your ledger has predictions for {len(_cats)} of {len(VOL1_INVARIANTS)} invariants so far.")
    else:
        _acc = [card.invariants[c].correct_rate * 100 for c in _cats]
        _hit = [(card.invariants[c].constraint_hit_rate or 0) * 100 for c in _cats]
        _view = go.Figure()
        _view.add_trace(go.Scatterpolar(r=_acc + _acc[:1], theta=_cats + _cats[:1], fill="toself",
                                        name="prediction accuracy (%)", line_color=charts.COLOR["alternative"]))
        _view.add_trace(go.Scatterpolar(r=_hit + _hit[:1], theta=_cats + _cats[:1], fill="toself",
                                        name="constraint-hit rate (%)", line_color=charts.COLOR["highlight"]))
        _view.update_polars(radialaxis=dict(range=[0, 100]))
        charts.themed(_view, title="Invariants with data: accuracy vs constraint hits", height=420)
    mo.vstack([_view, _note])
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
         r"\text{Little: } L = \lambda W; \quad \text{M/M/1: } W = \frac{1}{\mu - \lambda},\ P_{99} = W \ln 100",
         r"\text{Drift: } \text{Acc}(t) = \text{Acc}_0 - k\,\text{PSI}(t), \quad "
         r"\text{PSI} = \sum (a - e) \ln(a/e)",
         r"\text{Fairness: unequal base rates} \Rightarrow \text{calibration, equal FPR, equal FNR cannot all hold}"],
        [("Amdahl", "1967", "Amdahl, AFIPS Spring Joint Computer Conference"),
         ("Roofline", "2009", "Williams, Waterman & Patterson, CACM 52(4)"),
         ("Little's Law", "1961", "Little, Operations Research 9(3)"),
         ("PSI", "-", "Siddiqi 2006, Credit Risk Scorecards, ch. 8"),
         ("Fairness impossibility", "2017", "Chouldechova, Big Data 5(2)")],
    )
    return


@app.cell
def _():
    ui.section("Act II: The full-stack design challenge", 25)
    return


@app.cell
def _():
    ui.stakeholder(
        "Dr. Lena Vogt",
        "VP of Engineering",
        f"We ship {P.get_workload(MODEL).name} everywhere: cloud API, edge gateway, phone, and a microcontroller "
        f"device. Cloud SLOs: P99 under {U.fmt_seconds(SLO['p99_s'])} at {SLO['rps']:,} requests/s, under "
        f"{SLO['cost_per_request']} USD per request, {SLO['availability']:.1%} available. Quality may not drop more "
        f"than {SLO['max_ppl_increase']:.0%} in perplexity, must stay above {SLO['min_post_drift_accuracy']:.0%} "
        f"task accuracy between retrains, and false-positive rates across groups must stay within "
        f"{SLO['max_fpr_gap'] * 100:.0f} points. Here is the current design: {DESIGN['gpus']} cloud GPUs in "
        f"{DESIGN['q_cloud']}, int4 on edge and phone, ternary on the microcontroller.",
    )
    return


@app.cell
def _():
    act2_prediction = ui.choice_prediction(
        "In this design, which tier is furthest from working for the 7B model?",
        {f"{ui.tier_name(t)} ({P.get_device(P.TIER_REFERENCE[t]).name})": t for t in TIERS},
    )
    return (act2_prediction,)


@app.cell
def _(act2_prediction, lab):
    _answer = act2_answer()
    _c = {c.tier: c for c in tier_checks({t: DESIGN[f"q_{t}"] for t in TIERS}, DESIGN["prompt"])}[_answer]
    act2_result = lab.commit("act2", act2_prediction, lambda choice: G.grade_choice(
        "act2", "Memory Wall", choice, _answer,
        explanation=(f"In the handed-over design the {ui.tier_name(_answer)} tier is furthest from feasible: it needs "
                     f"{U.fmt_ratio(_c.memory_ratio)} its usable memory"
                     + (f" and {U.fmt_ratio(_c.latency_ratio)} the latency budget" if _c.latency_ratio else "")
                     + f". The cloud's {SLO['rps']:,} requests/s is a queueing and money problem that more GPUs solve; "
                     "no number of microcontrollers holds 7 B parameters in kilobytes of SRAM."),
    ))
    ui.prediction(act2_prediction, act2_result)
    return (act2_result,)


@app.cell
def _(ledger):
    # Earlier labs' decisions preselect controls only when valid; else the design's default, with a note.
    prior_q = ledger_choice(ledger, "v1.10", "decisions", "precision", None, QUANT)
    prior_p99_ms = ledger_number(ledger, "v1.13", "outcomes", "p99_ms", None, 0, 1e9)
    prior_cadence = ledger_number(ledger, "v1.14", "decisions", "cadence_months", None, 1, 12, integer=True)
    return prior_cadence, prior_p99_ms, prior_q


@app.cell
def _(prior_cadence, prior_q):
    # Your own earlier decisions carry forward (the hardest tier does not depend on them).
    q_cloud = mo.ui.dropdown(QUANT, value=prior_q.value or DESIGN["q_cloud"], label="Cloud precision")
    q_edge = mo.ui.dropdown(QUANT, value=DESIGN["q_edge"], label="Edge precision")
    q_mobile = mo.ui.dropdown(QUANT, value=DESIGN["q_mobile"], label="Mobile precision")
    q_tiny = mo.ui.dropdown(QUANT, value=DESIGN["q_tiny"], label="TinyML precision")
    gpus = mo.ui.slider(steps=GPU_STEPS, value=DESIGN["gpus"], label="Cloud GPUs", show_value=True)
    strategy = mo.ui.radio({"Static batching": "static", "Dynamic batching": "dynamic",
                            "Continuous batching": "continuous"}, value="Dynamic batching", label="Serving",
                           inline=True)
    prompt_len = mo.ui.slider(128, MAX_PROMPT, step=128, value=DESIGN["prompt"], label="Prompt length (tokens)",
                              show_value=True)
    cadence = mo.ui.slider(1, 12, value=prior_cadence.value or DESIGN["cadence"], label="Retrain every (months)",
                           show_value=True)
    threshold = mo.ui.slider(0.30, 0.80, step=0.01, value=DESIGN["threshold"], label="Decision threshold (both groups)",
                             show_value=True)
    return cadence, gpus, prompt_len, q_cloud, q_edge, q_mobile, q_tiny, strategy, threshold


@app.cell
def _(cadence, gpus, prompt_len, q_cloud, q_edge, q_mobile, q_tiny, strategy, threshold):
    design_error = None
    checks = cloud = budgets = None
    violations = []
    try:
        _q = {"cloud": q_cloud.value, "edge": q_edge.value, "mobile": q_mobile.value, "tiny": q_tiny.value}
        checks = tier_checks(_q, prompt_len.value)
        cloud = fleet.serve_fleet(MODEL, CLOUD_DEVICE, gpus=gpus.value, arrival_rps=SLO["rps"], prompt=prompt_len.value,
                                  output=SCENARIO["output_tokens"], precision=q_cloud.value, strategy=strategy.value)
        ppl_increase, ppl_source = quality_delta(q_cloud.value)
        post_drift = fleet.drift_accuracy(SCENARIO["deploy_accuracy"], sensitivity=SCENARIO["drift_sensitivity"],
                                          psi_per_month=SCENARIO["psi_per_month"], months_since_retrain=cadence.value)
        gap = fpr_gap(threshold.value)
        budgets = constraint_budgets(cloud, checks, ppl_increase, post_drift, gap)
        violations = [k for k, v in budgets.items() if v > 1]
        gpus_for_slo = fleet.gpus_needed(MODEL, CLOUD_DEVICE, arrival_rps=SLO["rps"], p99_slo_s=SLO["p99_s"],
                                         max_gpus=GPU_STEPS[-1], prompt=prompt_len.value,
                                         output=SCENARIO["output_tokens"], precision=q_cloud.value,
                                         strategy=strategy.value)
    except PhysicsError as exc:  # the engine has no answer here: say so, keep the controls
        design_error = str(exc)
        ppl_increase = ppl_source = post_drift = gap = gpus_for_slo = None
    return (budgets, checks, cloud, design_error, gap, gpus_for_slo, post_drift, ppl_increase, ppl_source,
            violations)


@app.cell
def _(prior_cadence, prior_p99_ms, prior_q):
    _tips = []
    if prior_q.value:
        _tips.append(f"In Lab 10 you chose {prior_q.value} compression: it is preselected for the cloud.")
    if prior_p99_ms.value:
        _tips.append(f"In Lab 13 you measured P99 = {U.fmt_seconds(prior_p99_ms.value / 1000)} at your chosen load.")
    if prior_cadence.value:
        _tips.append(f"In Lab 14 you chose to retrain every {prior_cadence.value} months: it is preselected below.")
    # a value that was present but unusable is named, so the learner knows why a default is used
    _tips += [r.note for r in (prior_q, prior_p99_ms, prior_cadence) if r.note and "not in your ledger" not in r.note]
    ui.banner("info", "From your ledger",
              " ".join(_tips) if _tips else "No entries from Labs 10, 13 or 14 yet: the design's defaults are used.")
    return


@app.cell
def _(act2_result, cadence, gpus, prompt_len, q_cloud, q_edge, q_mobile, q_tiny, strategy, threshold):
    mo.stop(act2_result is None, ui.locked("the design instruments"))
    mo.vstack([
        mo.hstack([gpus, strategy], wrap=True),
        mo.hstack([q_cloud, q_edge, q_mobile, q_tiny], wrap=True),
        mo.hstack([prompt_len, cadence, threshold], wrap=True),
    ])
    return


@app.cell
def _(act2_result, checks, cloud, design_error):
    mo.stop(act2_result is None)
    mo.stop(design_error is not None, ui.banner("warn", "No answer from the engine", design_error))
    _rows = []
    for _c in checks:
        _fmt = (lambda b: U.fmt_bytes(b, binary=True)) if _c.tier == "tiny" else U.fmt_bytes
        _lines = [f"memory {_fmt(_c.memory_bytes)} of {_fmt(_c.capacity_bytes)} usable "
                  f"({U.fmt_ratio(_c.memory_ratio)})",
                  f"one request: {U.fmt_seconds(_c.latency_s)}" if _c.latency_s else "one request: cannot run",
                  f"precision {_c.precision}"]
        if _c.tier == "cloud":
            _lines.append(f"fleet P99 {U.fmt_seconds(cloud.p99_s)} at {U.fmt_number(cloud.per_gpu_rps)} req/s per GPU"
                          if cloud.stable else "fleet overloaded: arrivals exceed capacity")
        _fail = _c.memory_ratio > 1 or (_c.tier == "cloud" and cloud.p99_s > SLO["p99_s"])
        _rows.append({"tier": _c.tier, "title": P.get_device(_c.device).name, "lines": _lines,
                      "status": "fail" if _fail else "warn" if (_c.latency_ratio or 0) > 1 else "ok"})
    ui.tier_panel(_rows)
    return


@app.cell
def _(act2_result, cloud, design_error, gpus_for_slo):
    mo.stop(act2_result is None or design_error is not None)
    _price = P.get_device(CLOUD_DEVICE).price_per_hour
    _n = "GPU" if cloud.gpus == 1 else "GPUs"
    ui.cards(
        ui.metric_card("GPUs needed for the P99 SLO", str(gpus_for_slo) if gpus_for_slo else f"> {GPU_STEPS[-1]:,}",
                       "at this precision, strategy and prompt length"),
        ui.metric_card("cost at that fleet size",
                       f"{U.fmt_number(gpus_for_slo * _price / 3600 / SLO['rps'] * 1e6)} micro-USD/request"
                       if gpus_for_slo else "no fleet meets the SLO",
                       f"{gpus_for_slo} x {_price:.2f} USD/h over {SLO['rps']:,} req/s" if gpus_for_slo else ""),
        ui.metric_card("your fleet", f"{cloud.gpus} {_n}", f"capacity {U.fmt_number(cloud.capacity_rps)} req/s, "
                       f"P99 {U.fmt_seconds(cloud.p99_s)}", "ok" if cloud.p99_s <= SLO["p99_s"] else "fail"),
    )
    return


@app.cell
def _(act2_result, cloud, design_error, gap, post_drift, ppl_increase, ppl_source):
    mo.stop(act2_result is None or design_error is not None)
    _bars = [
        ui.slo_bar("Cloud P99 latency", cloud.p99_s * 1000, SLO["p99_s"] * 1000, unit="ms", fmt=U.fmt_number),
        ui.slo_bar("Cost per request", cloud.cost_per_request * 1e6, SLO["cost_per_request"] * 1e6,
                   unit="micro-USD", fmt=U.fmt_number),
        ui.slo_bar("Availability", cloud.availability_nines, fleet.availability_nines(SLO["availability"]),
                   unit="nines", fmt=lambda v: f"{v:.1f}", higher_is_better=True),
        ui.slo_bar("Post-drift accuracy", post_drift * 100, SLO["min_post_drift_accuracy"] * 100, unit="%",
                   higher_is_better=True, fmt=lambda v: f"{v:.1f}"),
        ui.slo_bar("FPR gap between groups", gap * 100, SLO["max_fpr_gap"] * 100, unit="points",
                   fmt=lambda v: f"{v:.1f}"),
    ]
    if ppl_increase is not None:
        _bars.insert(3, ui.slo_bar("Perplexity increase", ppl_increase * 100, SLO["max_ppl_increase"] * 100,
                                   unit="%", fmt=lambda v: f"{v:.1f}"))
    mo.vstack([ui.slo_bars(*_bars)] + ([] if ppl_increase is not None else [
        ui.banner("warn", "Perplexity: unproven", f"{ppl_source}: the quality gate cannot be shown to hold.")]))
    return


@app.cell
def _(act2_result, checks, design_error):
    mo.stop(act2_result is None or design_error is not None)
    _fig = go.Figure()
    for _c in checks:
        if _c.latency_s:
            _fig.add_trace(go.Scatter(x=[_c.latency_s], y=[_c.memory_bytes], mode="markers+text",
                                      text=[ui.tier_name(_c.tier)], textposition="top center",
                                      name=f"{ui.tier_name(_c.tier)} ({_c.precision})",
                                      marker=dict(size=14, color=charts.tier_color(_c.tier))))
    _lat = [c.latency_s for c in checks if c.latency_s] + [SLO["p99_s"]]
    charts.themed(_fig, title="Memory needed vs single-request latency per tier (log-log)",
                  x="latency of one request (s)", y="memory (bytes)", height=440)
    charts.log_axes(_fig, xs=_lat, ys=[v for c in checks for v in (c.memory_bytes, c.capacity_bytes)])
    for _c in checks:
        charts.reference_line(_fig, _c.capacity_bytes, f"{ui.tier_name(_c.tier)} usable memory",
                              color=charts.tier_color(_c.tier), dash="dot")
    charts.reference_line(_fig, SLO["p99_s"], f"{U.fmt_seconds(SLO['p99_s'])} SLO", axis="x")
    _fig
    return


@app.cell
def _(act2_result, budgets, checks, cloud, design_error, post_drift, ppl_increase, ppl_source, gap, violations):
    mo.stop(act2_result is None or design_error is not None)
    _b = []
    for _c in checks:
        if _c.memory_ratio > 1:
            _cap = U.fmt_bytes(_c.capacity_bytes, binary=_c.tier == "tiny")
            _b.append(ui.failure_banner(
                f"{ui.tier_name(_c.tier)} OOM",
                what=f"{U.fmt_bytes(_c.memory_bytes)} needed on the {P.get_device(_c.device).name} ({_cap} usable)",
                by=U.fmt_ratio(_c.memory_ratio),
                fix="no precision fits: run a small keyword-spotting model on the device and the LLM elsewhere"
                if _c.tier == "tiny" else "quantize further or shorten the prompt (KV cache)"))
    if cloud.p99_s > SLO["p99_s"]:
        _b.append(ui.failure_banner(
            "P99 SLA",
            what=(f"P99 {U.fmt_seconds(cloud.p99_s)} vs {U.fmt_seconds(SLO['p99_s'])}" if cloud.stable else
                  f"{SLO['rps']:,} requests/s exceed the fleet's capacity of {U.fmt_number(cloud.capacity_rps)}/s"),
            by=U.fmt_ratio(budgets["P99 latency"]) if cloud.stable else "an unbounded queue",
            fix="add GPUs (lower utilization), quantize (shorter service), or use continuous batching"))
    if cloud.cost_per_request > SLO["cost_per_request"]:
        _b.append(ui.failure_banner("Budget",
                                    what=f"{U.fmt_number(cloud.cost_per_request * 1e6)} micro-USD per request",
                                    by=U.fmt_ratio(budgets["cost per request"]), fix="fewer GPUs or cheaper precision"))
    if budgets["availability"] > 1:
        _b.append(ui.failure_banner("Availability", what=f"{cloud.availability:.3%} available",
                                    by=U.fmt_ratio(budgets["availability"]), fix="more spare GPUs"))
    if ppl_increase is None or ppl_increase > SLO["max_ppl_increase"]:
        _b.append(ui.failure_banner("Accuracy", what="quality gate not met",
                                    by=ppl_source if ppl_increase is None else f"+{ppl_increase:.1%} perplexity",
                                    fix="use int8 or int4 with AWQ"))
    if post_drift < SLO["min_post_drift_accuracy"]:
        _b.append(ui.failure_banner("Drift", what=f"accuracy falls to {post_drift:.1%} before the next retrain",
                                    by=f"{(SLO['min_post_drift_accuracy'] - post_drift) * 100:.1f} points",
                                    fix="retrain more often"))
    if gap > SLO["max_fpr_gap"]:
        _b.append(ui.banner("warn", "Fairness", f"FPR differs by {gap * 100:.1f} points between groups (policy "
                            f"{SLO['max_fpr_gap'] * 100:.0f}): with unequal base rates one threshold cannot equalize "
                            "error rates."))
    if not violations:
        _k = max(budgets, key=budgets.get)
        _b.append(ui.banner("ok", "Feasible design",
                            f"All constraints hold. Closest to binding: {_k} at {budgets[_k]:.0%} of its budget."))
    mo.vstack(_b)
    return


@app.cell
def _(act2_result):
    ui.reveal(act2_result) if act2_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "serving a request stream",
        [r"S(b) = t_\text{prefill}(b \cdot n_\text{prompt}) + n_\text{out} \cdot t_\text{decode}(b, \text{context})",
         r"P_{99} = \text{99th percentile of wait + service at } \lambda / N \text{ per GPU, with batching}",
         r"N_\text{SLO} = \min \{ N : P_{99}(N) \le \text{SLO} \}, \quad "
         r"\text{cost/request} = \frac{N \cdot \text{price/h}}{3600\, \lambda}",
         r"A = P(\text{at least } \lceil \lambda / \text{capacity} \rceil \text{ of } N \text{ GPUs up}) "
         r"\cdot A_\text{site}, \quad a = \frac{\text{MTBF}}{\text{MTBF} + \text{MTTR}}"],
        [(f"{P.get_device(CLOUD_DEVICE).name} price", f"{P.get_device(CLOUD_DEVICE).price_per_hour:.2f} USD/h",
          P.get_device(CLOUD_DEVICE).sources[-1]),
         ("GPU MTBF", f"{fleet.GPU_MTBF_H:,.0f} h", "Dubey et al. 2024: 419 interruptions / 54 days / 16,384 GPUs"),
         ("site availability floor", f"{fleet.SITE_AVAILABILITY:.3%}", fleet.SITE_AVAILABILITY_SOURCE),
         ("request", f"{SCENARIO['prompt_tokens']} prompt + {SCENARIO['output_tokens']} output tokens", "scenario"),
         ("drift", f"PSI +{SCENARIO['psi_per_month']}/month, k = {SCENARIO['drift_sensitivity']}", "scenario"),
         ("SLOs", f"P99 {U.fmt_seconds(SLO['p99_s'])}, {SLO['cost_per_request']} USD/request", "scenario")],
    )
    return


@app.cell
def _(act1_result, act2_result):
    ui.takeaways(
        [
            "Every tier fails for a different invariant: TinyML on memory, mobile and edge on bandwidth-bound "
            "latency, the cloud on queueing and cost.",
            "P99 is a property of the queue at the offered load, not of one request: GPUs and batching move it.",
            "Quantization is the lever that moves memory, latency and cost at once; its price is a published "
            "quality delta, and where none is published the design is unproven.",
            "A feasible design still has a binding constraint: know which one and by how much.",
        ],
        [("Why does doubling GPUs help P99 more than halve it near saturation?",
          "Queueing delay grows like 1/(1 - utilization); moving from 95% to 47% utilization removes most of "
          "the wait."),
         ("Why can't any precision fit a 7B model on the microcontroller?",
          "Even at 1.58 bits per parameter, 7 B parameters are about 1.4 GB: thousands of times its SRAM.")],
        unlocked=act1_result is not None and act2_result is not None,
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Dr. Vogt wants your platform recommendation in writing: which design ships, at what cost, "
                     "and which constraint you are watching."), memo_form])
    return


@app.cell
def _(
    act1_result,
    act2_result,
    budgets,
    cadence,
    card,
    cloud,
    gpus,
    lab,
    memo_form,
    q_cloud,
    q_edge,
    q_mobile,
    q_tiny,
    strategy,
    threshold,
    violations,
):
    _outcomes = {"weakest_invariant": card.weakest_invariant, "hardest_tier": act2_answer()}
    if cloud is not None:
        _outcomes.update(p99_ms=cloud.p99_s * 1000 if cloud.stable else None, cost_per_request=cloud.cost_per_request,
                         closest_constraint=max(budgets, key=budgets.get))
    lab_record = build_record(
        context=None, results=[act1_result, act2_result],
        decisions={"gpus": gpus.value, "strategy": strategy.value, "q_cloud": q_cloud.value, "q_edge": q_edge.value,
                   "q_mobile": q_mobile.value, "q_tiny": q_tiny.value, "cadence_months": cadence.value,
                   "threshold": threshold.value},
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
