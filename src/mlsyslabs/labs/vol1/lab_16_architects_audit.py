import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import build_record, charts, G, get_lab, home_context, Ledger, ledger_value, P, plain_text, report_card, save_if_changed, U, ui, VOL1_INVARIANTS, volume1_scored_labs
    from mlsyslabs.physics import fleet

    LAB = get_lab("v1.16")
    ledger = Ledger.open()
    MODEL = "llama2-7b"
    SLO = {"p99_s": 0.100, "cost_per_request": 0.001, "rps": 1000, "availability": 0.999,
           "max_ppl_increase": 0.03, "min_post_drift_accuracy": 0.85, "max_fpr_gap": 0.05}
    SCENARIO = {"prompt_tokens": 256, "output_tokens": 16, "deploy_accuracy": 0.90, "drift_sensitivity": 0.5,
                "psi_per_month": 0.02, "base_rates": (0.30, 0.50), "population": 4000}
    return (
        G, LAB, MODEL, P, SCENARIO, SLO, U, VOL1_INVARIANTS, build_record, charts, fleet, go, home_context, ledger,
        ledger_value, mo, plain_text, report_card, save_if_changed, ui, volume1_scored_labs,
    )


@app.cell
def _(LAB, ledger, ui):
    ui.header(
        LAB,
        subtitle="Your Design Ledger shows what your mental model looks like; a 7B LLM across four tiers makes "
                 "you use every invariant at once.",
        parts=["Act I: ledger archaeology", "Act II: full-stack design"],
        notice=ledger.notice,
    )
    return


@app.cell
def _(ui):
    ui.section("Act I: Design Ledger archaeology", 15)
    return


@app.cell
def _(ui):
    ui.stakeholder(
        "Dr. Lena Vogt",
        "VP of Engineering",
        "Before I hand you the platform, I want to know where your instincts are wrong. Your ledger has every "
        "prediction you made in Labs 01-15. Tell me first which invariant you think you underestimated most.",
    )
    return


@app.cell
def _():
    # each option stands for the invariants whose misses it describes
    act1_options = {
        "memory_bw": ("Memory bandwidth: bandwidth, not compute, bounds the work", ("Iron Law", "Memory Wall", "Roofline")),
        "queuing": ("Queueing: P99 explodes as utilization nears 1", ("Little's Law",)),
        "serial_fraction": ("Serial fraction: parallelism helps less than hoped", ("Amdahl",)),
        "drift": ("Drift: production data moves away from training data", ("Drift",)),
        "fairness": ("Fairness: error-rate parity cannot hold with unequal base rates", ("Fairness",)),
    }
    return (act1_options,)


@app.cell
def _(act1_options, ui):
    act1_prediction = ui.choice_prediction(
        "Looking back at Labs 01-15, which did you most underestimate?",
        {text: key for key, (text, _) in act1_options.items()},
    )
    act1_prediction
    return (act1_prediction,)


@app.cell
def _(VOL1_INVARIANTS, ledger, report_card, volume1_scored_labs):
    card = report_card(ledger.all(), expected_labs=volume1_scored_labs(), invariants=list(VOL1_INVARIANTS))
    return (card,)


@app.cell
def _(G, act1_options, act1_prediction, card):
    act1_result = None
    if act1_prediction.value is not None:
        _by_invariant = {inv: key for key, (_, invs) in act1_options.items() for inv in invs}
        if card.sparse or card.weakest_invariant is None:
            _answer = "memory_bw"
            _why = (f"Your ledger holds {card.predictions} prediction(s), too few to diagnose you. The default is "
                    "the blind spot most learners share: decode, pipelines and fusion are bound by bytes moved, not "
                    "FLOPs. Complete more labs and this reveal will read your own pattern.")
        else:
            _answer = _by_invariant[card.weakest_invariant]
            _s = card.invariants[card.weakest_invariant]
            _why = (f"Read from your ledger: {card.weakest_invariant} has your lowest prediction accuracy "
                    f"({_s.correct_rate:.0%} of {_s.predictions})"
                    + (f", with a median miss of {_s.median_off_by:.1f}x" if _s.median_off_by else "") + ".")
        act1_result = G.grade_choice("act1", card.weakest_invariant or "Iron Law", act1_prediction.value, _answer,
                                     explanation=_why)
    return (act1_result,)


@app.cell
def _(act1_prediction, card, mo, ui):
    mo.stop(act1_prediction.value is None, ui.locked("your report card"))
    _fav = card.favourite_context or "none yet"
    ui.cards(
        ui.metric_card("labs completed", f"{len(card.labs_completed)} of {card.labs_expected}",
                       ", ".join(card.labs_completed) or "none yet"),
        ui.metric_card("prediction accuracy", f"{card.accuracy:.0%}" if card.accuracy is not None else "n/a",
                       f"{card.correct} of {card.predictions} right"),
        ui.metric_card("constraint failures", str(len(card.constraint_hits)),
                       ", ".join(card.constraint_hits) or "none hit", "warn" if card.constraint_hits else "ok"),
        ui.metric_card("favourite context", _fav, ", ".join(f"{k} {v}" for k, v in card.contexts.items())),
        ui.metric_card("weakest invariant", card.weakest_invariant or "not enough data",
                       "lowest prediction accuracy" if card.weakest_invariant else "sparse ledger"),
    )
    return


@app.cell
def _(VOL1_INVARIANTS, act1_prediction, card, charts, go, mo):
    mo.stop(act1_prediction.value is None)
    _cats = list(VOL1_INVARIANTS)
    _acc = [(card.invariants[c].correct_rate or 0) * 100 for c in _cats]
    _hit = [(card.invariants[c].constraint_hit_rate or 0) * 100 for c in _cats]
    _fig = go.Figure()
    _fig.add_trace(go.Scatterpolar(r=_acc + _acc[:1], theta=_cats + _cats[:1], fill="toself",
                                   name="prediction accuracy (%)", line_color=charts.COLOR["alternative"]))
    _fig.add_trace(go.Scatterpolar(r=_hit + _hit[:1], theta=_cats + _cats[:1], fill="toself",
                                   name="constraint-hit rate (%)", line_color=charts.COLOR["highlight"]))
    _fig.update_polars(radialaxis=dict(range=[0, 100]))
    charts.themed(_fig, title="The seven invariants: accuracy vs constraint hits (no data = 0)", height=420)
    return


@app.cell
def _(act1_result, ui):
    ui.reveal(act1_result) if act1_result else None
    return


@app.cell
def _(ui):
    ui.math_peek(
        "the seven invariants of Volume I",
        "1 Iron Law      T = D/BW + O/R + L\n"
        "2 Memory Wall   M = params x bytes + KV (2 L h_kv d ctx b bytes) + activations\n"
        "3 Amdahl        S = 1 / ((1 - f) + f/N)\n"
        "4 Roofline      P = min(R, I x BW),  ridge I* = R / BW\n"
        "5 Little's Law  L = lambda W;  M/M/1: W = 1/(mu - lambda), P99 = ln(100) W\n"
        "6 Drift         Acc(t) = Acc0 - k PSI(t),  PSI = sum (a - e) ln(a/e)\n"
        "7 Fairness      base rates differ => calibration, equal FPR and equal FNR cannot all hold",
        [("Amdahl", "1967", "Amdahl, AFIPS Spring Joint Computer Conference"),
         ("Roofline", "2009", "Williams, Waterman & Patterson, CACM 52(4)"),
         ("Little's Law", "1961", "Little, Operations Research 9(3)"),
         ("PSI", "-", "Siddiqi 2006, Credit Risk Scorecards, ch. 8"),
         ("Fairness impossibility", "2017", "Chouldechova, Big Data 5(2)")],
    )
    return


@app.cell
def _(ui):
    ui.section("Act II: The full-stack design challenge", 25)
    return


@app.cell
def _(SLO, ui):
    ui.stakeholder(
        "Dr. Lena Vogt",
        "VP of Engineering",
        f"We ship a 7B assistant everywhere: cloud API, edge gateway, phone, and a microcontroller wake-word "
        f"device. Cloud SLOs: P99 under {SLO['p99_s'] * 1000:.0f} ms at {SLO['rps']:,} requests/s, under "
        f"${SLO['cost_per_request']} per request, {SLO['availability']:.1%} available. Quality may not drop more "
        f"than {SLO['max_ppl_increase']:.0%} in perplexity, must stay above {SLO['min_post_drift_accuracy']:.0%} "
        "task accuracy between retrains, and our false-positive rates across groups must stay within 5 points.",
    )
    return


@app.cell
def _(ui):
    act2_prediction = ui.choice_prediction(
        "Which tier will be hardest to make work for the 7B model?",
        {"Cloud (1000 requests/s at P99 < 100 ms)": "cloud", "Edge (Jetson Orin NX)": "edge",
         "Mobile (A17 Pro phone)": "mobile", "TinyML (nRF52840 microcontroller)": "tiny"},
    )
    act2_prediction
    return (act2_prediction,)


@app.cell
def _(home_context, ledger, ledger_value, mo):
    _prior_q = ledger_value(ledger, "v1.10", "decisions", "precision")
    _q = _prior_q if _prior_q in ("fp16", "int8", "int4", "ternary") else "fp16"
    _cadence = ledger_value(ledger, "v1.14", "decisions", "cadence_months")
    q_cloud = mo.ui.dropdown(["fp16", "int8", "int4", "ternary"], value=_q, label="Cloud precision")
    q_edge = mo.ui.dropdown(["fp16", "int8", "int4", "ternary"], value="int4", label="Edge precision")
    q_mobile = mo.ui.dropdown(["fp16", "int8", "int4", "ternary"], value="int4", label="Mobile precision")
    q_tiny = mo.ui.dropdown(["fp16", "int8", "int4", "ternary"], value="ternary", label="TinyML precision")
    gpus = mo.ui.slider(steps=[1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024,
                               1536, 2048], value=16, label="Cloud H100 GPUs", show_value=True)
    strategy = mo.ui.radio({"Static batching": "static", "Dynamic batching": "dynamic",
                            "Continuous batching": "continuous"}, value="Dynamic batching", label="Serving", inline=True)
    prompt_len = mo.ui.slider(128, 4096, step=128, value=256, label="Prompt length (tokens)", show_value=True)
    cadence = mo.ui.slider(1, 12, value=int(_cadence) if isinstance(_cadence, (int, float)) and 1 <= _cadence <= 12 else 6,
                           label="Retrain every (months)", show_value=True)
    threshold = mo.ui.slider(0.30, 0.80, step=0.01, value=0.50, label="Decision threshold (both groups)",
                             show_value=True)
    reflection = mo.ui.text_area(label="Reflection: which constraint surprised you, and why?", max_length=2000)
    start_context = home_context(ledger)
    return cadence, gpus, prompt_len, q_cloud, q_edge, q_mobile, q_tiny, reflection, start_context, strategy, threshold


@app.cell
def _(MODEL, P, SCENARIO, SLO, cadence, fleet, gpus, prompt_len, q_cloud, q_edge, q_mobile, q_tiny, strategy, threshold):
    _out = SCENARIO["output_tokens"]
    checks = [fleet.tier_check(MODEL, P.TIER_REFERENCE[t], tier=t, precision=q.value, prompt=prompt_len.value,
                               output=_out, latency_slo_s=SLO["p99_s"])
              for t, q in (("cloud", q_cloud), ("edge", q_edge), ("mobile", q_mobile), ("tiny", q_tiny))]
    cloud = fleet.serve_fleet(MODEL, "h100-sxm", gpus=gpus.value, arrival_rps=SLO["rps"], prompt=prompt_len.value,
                              output=_out, precision=q_cloud.value, strategy=strategy.value)
    _cloud_mem = P.estimate(MODEL, "h100-sxm", phase="decode", batch=32, seq_len=prompt_len.value + _out,
                            precision=q_cloud.value)
    cloud_oom = not _cloud_mem.fits
    _ref = {"int8": P.published_accuracy(MODEL, "int8"), "int4": P.published_accuracy(MODEL, "int4 AWQ")}
    if q_cloud.value == "fp16":
        ppl_increase, ppl_source = 0.0, "fp16 is the reference"
    elif _ref.get(q_cloud.value):
        ppl_increase = _ref[q_cloud.value].compressed / _ref[q_cloud.value].baseline - 1
        ppl_source = _ref[q_cloud.value].source
    else:
        ppl_increase, ppl_source = None, "no published post-training ternary result for this model"
    post_drift = fleet.drift_accuracy(SCENARIO["deploy_accuracy"], sensitivity=SCENARIO["drift_sensitivity"],
                                      psi_per_month=SCENARIO["psi_per_month"], months_since_retrain=cadence.value)
    _rates = []
    for _i, _br in enumerate(SCENARIO["base_rates"]):
        _s, _y = P.synthetic_population(SCENARIO["population"], base_rate=_br, seed=11 + _i)
        _rates.append(P.group_rates(_s, _y, threshold.value))
    fpr_gap = abs(_rates[0].fpr - _rates[1].fpr)
    hardest_tier = fleet.hardest(checks)
    return checks, cloud, cloud_oom, fpr_gap, hardest_tier, post_drift, ppl_increase, ppl_source


@app.cell
def _(MODEL, SCENARIO, SLO, fleet, prompt_len, q_cloud, strategy):
    gpus_for_slo = fleet.gpus_needed(MODEL, "h100-sxm", arrival_rps=SLO["rps"], p99_slo_s=SLO["p99_s"],
                                     max_gpus=2048, prompt=prompt_len.value, output=SCENARIO["output_tokens"],
                                     precision=q_cloud.value, strategy=strategy.value)
    return (gpus_for_slo,)


@app.cell
def _(SLO, cloud, cloud_oom, checks, fpr_gap, post_drift, ppl_increase):
    # every constraint as the used fraction of its budget (error budgets for availability
    # and accuracy); above 1 is a violation
    budgets = {
        "P99 latency": cloud.p99_s / SLO["p99_s"],
        "cost per request": cloud.cost_per_request / SLO["cost_per_request"],
        "availability": (1 - cloud.availability) / (1 - SLO["availability"]),
        "perplexity": (ppl_increase / SLO["max_ppl_increase"]) if ppl_increase is not None else float("inf"),
        "post-drift accuracy": (1 - post_drift) / (1 - SLO["min_post_drift_accuracy"]),
        "fairness gap": fpr_gap / SLO["max_fpr_gap"],
        "cloud memory": 2.0 if cloud_oom else 0.0,
    }
    for _c in checks:
        budgets[f"{_c.tier} memory"] = _c.memory_ratio
    violations = [k for k, v in budgets.items() if v > 1]
    return budgets, violations


@app.cell
def _(G, act2_prediction, checks, hardest_tier):
    act2_result = None
    if act2_prediction.value is not None:
        _c = {c.tier: c for c in checks}[hardest_tier]
        act2_result = G.grade_choice(
            "act2", "Memory Wall", act2_prediction.value, hardest_tier,
            explanation=(f"At your configuration the {hardest_tier} tier is furthest from feasible: it needs "
                         f"{_c.memory_ratio:,.1f}x its usable memory and {_c.latency_ratio:,.1f}x the latency budget. "
                         "The cloud's 1000 requests/s is a queueing and money problem that more GPUs solve; no "
                         "number of microcontrollers holds 7B parameters in 256 KiB."),
        )
    return (act2_result,)


@app.cell
def _(ledger, ledger_value, ui):
    _tips = []
    _q = ledger_value(ledger, "v1.10", "decisions", "precision")
    _p99 = ledger_value(ledger, "v1.13", "outcomes", "p99_ms")
    _cad = ledger_value(ledger, "v1.14", "decisions", "cadence_months")
    if _q:
        _tips.append(f"Lab 10 you chose {_q} compression: it is preselected for the cloud.")
    if _p99:
        _tips.append(f"Lab 13 you measured P99 = {_p99:,.0f} ms at your chosen load: batching and utilization drive it.")
    if _cad:
        _tips.append(f"Lab 14 you chose to retrain every {_cad} months: it is preselected below.")
    ui.banner("info", "From your ledger",
              " ".join(_tips) if _tips else "No entries from Labs 10, 13 or 14 yet: defaults are used.")
    return


@app.cell
def _(
    act2_prediction,
    cadence,
    gpus,
    mo,
    prompt_len,
    q_cloud,
    q_edge,
    q_mobile,
    q_tiny,
    strategy,
    threshold,
    ui,
):
    mo.stop(act2_prediction.value is None, ui.locked("the design instruments"))
    mo.vstack([
        mo.hstack([gpus, strategy], wrap=True),
        mo.hstack([q_cloud, q_edge, q_mobile, q_tiny], wrap=True),
        mo.hstack([prompt_len, cadence, threshold], wrap=True),
    ])
    return


@app.cell
def _(U, act2_prediction, checks, cloud, mo, ui):
    mo.stop(act2_prediction.value is None)
    _rows = []
    for _c in checks:
        _fmt = (lambda b: U.fmt_bytes(b, binary=True)) if _c.tier == "tiny" else U.fmt_bytes
        _lines = [f"memory {_fmt(_c.memory_bytes)} of {_fmt(_c.capacity_bytes)} usable ({_c.memory_ratio:,.2f}x)",
                  f"one request: {U.fmt_seconds(_c.latency_s)}", f"precision {_c.precision}"]
        if _c.tier == "cloud":
            _lines.append(f"fleet P99 {U.fmt_seconds(cloud.p99_s)} at {cloud.per_gpu_rps:,.0f} req/s per GPU"
                          if cloud.stable else "fleet overloaded: arrivals exceed capacity")
        _fail = _c.memory_ratio > 1 or (_c.tier == "cloud" and cloud.p99_s > 0.1)
        _rows.append({"tier": _c.tier, "title": _c.device, "lines": _lines,
                      "status": "fail" if _fail else "warn" if (_c.latency_ratio or 0) > 1 else "ok"})
    ui.tier_panel(_rows)
    return


@app.cell
def _(P, SLO, U, act2_prediction, cloud, gpus_for_slo, mo, ui):
    mo.stop(act2_prediction.value is None)
    _price = P.get_device("h100-sxm").price_per_hour
    ui.cards(
        ui.metric_card("GPUs needed for the P99 SLO", str(gpus_for_slo) if gpus_for_slo else "> 2048",
                       "at this precision, strategy and prompt length"),
        ui.metric_card("cost at that fleet size",
                       f"${gpus_for_slo * _price / 3600 / SLO['rps']:.6f}/req" if gpus_for_slo else "n/a",
                       f"{gpus_for_slo} x ${_price:.2f}/h over {SLO['rps']:,} req/s" if gpus_for_slo else ""),
        ui.metric_card("your fleet", f"{cloud.gpus} GPUs", f"capacity {cloud.capacity_rps:,.0f} req/s, "
                       f"P99 {U.fmt_seconds(cloud.p99_s)}", "ok" if cloud.p99_s <= SLO["p99_s"] else "fail"),
    )
    return


@app.cell
def _(SLO, act2_prediction, cloud, fpr_gap, mo, post_drift, ppl_increase, ui):
    mo.stop(act2_prediction.value is None)
    ui.slo_bars(
        ui.slo_bar("Cloud P99 latency", cloud.p99_s * 1000, SLO["p99_s"] * 1000, unit="ms"),
        ui.slo_bar("Cost per request", cloud.cost_per_request * 1e6, SLO["cost_per_request"] * 1e6, unit="micro-$"),
        ui.slo_bar("Unavailability", (1 - cloud.availability) * 100, (1 - SLO["availability"]) * 100, unit="%",
                   fmt=lambda v: f"{v:.2g}"),
        ui.slo_bar("Perplexity increase", (ppl_increase if ppl_increase is not None else 9.99) * 100,
                   SLO["max_ppl_increase"] * 100, unit="%"),
        ui.slo_bar("Post-drift accuracy", post_drift * 100, SLO["min_post_drift_accuracy"] * 100, unit="%",
                   higher_is_better=True),
        ui.slo_bar("FPR gap between groups", fpr_gap * 100, SLO["max_fpr_gap"] * 100, unit="points"),
    )
    return


@app.cell
def _(act2_prediction, charts, checks, go, mo):
    mo.stop(act2_prediction.value is None)
    _fig = go.Figure()
    for _c in checks:
        _fig.add_trace(go.Scatter(x=[_c.latency_s * 1000], y=[_c.memory_bytes], mode="markers+text",
                                  text=[_c.tier], textposition="top center", name=f"{_c.tier} ({_c.precision})",
                                  marker=dict(size=14, color=charts.tier_color(_c.tier))))
        _fig.add_hline(y=_c.capacity_bytes, line_dash="dot", line_color=charts.tier_color(_c.tier),
                       annotation_text=f"{_c.tier} usable memory")
    _fig.add_vline(x=100, line_dash="dash", line_color=charts.COLOR["highlight"], annotation_text="100 ms SLO")
    charts.log_axes(_fig, xs=[c.latency_s * 1000 for c in checks] + [100],
                    ys=[v for c in checks for v in (c.memory_bytes, c.capacity_bytes)])
    charts.themed(_fig, title="Memory vs single-request latency per tier (log-log); lines = capacity",
                  x="latency (ms)", y="bytes", height=440)
    return


@app.cell
def _(SLO, U, act2_prediction, budgets, checks, cloud, cloud_oom, fpr_gap, mo, post_drift, ppl_increase, ppl_source, ui, violations):
    mo.stop(act2_prediction.value is None)
    _b = []
    _by = {c.tier: c for c in checks}
    if cloud_oom:
        _b.append(ui.failure_banner("Cloud OOM", what="a 32-request batch does not fit one H100", by="the KV cache",
                                    fix="shorten prompts or quantize"))
    for _t, _label in (("edge", "Edge OOM"), ("mobile", "Mobile OOM")):
        _c = _by[_t]
        if _c.memory_ratio > 1:
            _b.append(ui.failure_banner(_label, what=f"{U.fmt_bytes(_c.memory_bytes)} needed on {_c.device}",
                                        by=f"{U.fmt_bytes(_c.memory_bytes - _c.capacity_bytes)} ({_c.memory_ratio:.2f}x)",
                                        fix="quantize further (int4) or shorten the prompt (KV cache)"))
    _t = _by["tiny"]
    if _t.memory_ratio > 1:
        _b.append(ui.failure_banner("TinyML SRAM overflow",
                                    what=f"{U.fmt_bytes(_t.memory_bytes)} vs {U.fmt_bytes(_t.capacity_bytes, binary=True)} usable SRAM",
                                    by=f"{_t.memory_ratio:,.0f}x",
                                    fix="no precision fits: run a keyword-spotting model on the device and the LLM elsewhere"))
    if cloud.p99_s > SLO["p99_s"]:
        _b.append(ui.failure_banner("P99 SLA", what=(f"P99 {U.fmt_seconds(cloud.p99_s)} vs {SLO['p99_s'] * 1000:.0f} ms"
                                                     if cloud.stable else f"{SLO['rps']:,} requests/s exceed the "
                                                     f"fleet's capacity of {cloud.capacity_rps:,.0f}/s"),
                                    by=f"{budgets['P99 latency']:.2f}x" if cloud.stable else "an unbounded queue",
                                    fix="add GPUs (lower utilization), quantize (shorter service), or use continuous batching"))
    if cloud.cost_per_request > SLO["cost_per_request"]:
        _b.append(ui.failure_banner("Budget", what=f"${cloud.cost_per_request:.5f} per request",
                                    by=f"{budgets['cost per request']:.2f}x", fix="fewer GPUs or cheaper precision"))
    if ppl_increase is None or ppl_increase > SLO["max_ppl_increase"]:
        _b.append(ui.failure_banner("Accuracy", what="quality gate not met", by=ppl_source if ppl_increase is None
                                    else f"+{ppl_increase:.1%} perplexity", fix="use int8 or int4 with AWQ"))
    if post_drift < SLO["min_post_drift_accuracy"]:
        _b.append(ui.failure_banner("Drift", what=f"accuracy falls to {post_drift:.1%} before the next retrain",
                                    by=f"{(SLO['min_post_drift_accuracy'] - post_drift) * 100:.1f} points",
                                    fix="retrain more often"))
    if fpr_gap > SLO["max_fpr_gap"]:
        _b.append(ui.banner("warn", "Fairness", f"FPR differs by {fpr_gap * 100:.1f} points between groups "
                            "(policy 5): with unequal base rates one threshold cannot equalize error rates."))
    if not violations:
        _k = max(budgets, key=budgets.get)
        _b.append(ui.banner("ok", "Feasible design",
                            f"All constraints hold. Closest to binding: {_k} at {budgets[_k]:.0%} of its budget."))
    mo.vstack(_b)
    return


@app.cell
def _(act2_result, ui):
    ui.reveal(act2_result) if act2_result else None
    return


@app.cell
def _(SCENARIO, SLO, fleet, ui):
    ui.math_peek(
        "serving a request stream",
        "S(b) = prefill(b x prompt) + output x decode_step(b, context)      (engine roofline)\n"
        "P99  = 99th percentile of wait + service, simulated at lambda/N per GPU with batching\n"
        "GPUs: smallest N with P99 <= SLO;  cost/request = N x $/h / 3600 / lambda\n"
        "availability = P(at least ceil(lambda / capacity) of N GPUs up),  a = MTBF/(MTBF+MTTR)",
        [("H100 dense bf16 / fp8", "989 / 1979 TFLOP/s", "NVIDIA H100 datasheet (dense = half the sparse figure)"),
         ("H100 price", "$3.00/h", "estimate: 2025 on-demand cloud list price"),
         ("GPU MTBF", f"{fleet.GPU_MTBF_H:,.0f} h", "Dubey et al. 2024: 419 interruptions / 54 days / 16,384 GPUs"),
         ("request", f"{SCENARIO['prompt_tokens']} prompt + {SCENARIO['output_tokens']} output tokens", "scenario"),
         ("drift", f"PSI +{SCENARIO['psi_per_month']}/month, k = {SCENARIO['drift_sensitivity']}", "scenario"),
         ("SLOs", f"P99 {SLO['p99_s'] * 1000:.0f} ms, ${SLO['cost_per_request']}/req", "scenario")],
    )
    return


@app.cell
def _(mo, reflection):
    mo.vstack([mo.md("### Reflection"), reflection])
    return


@app.cell
def _(ui):
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
          "Queueing delay grows like 1/(1 - utilization); moving from 95% to 47% utilization removes most of the wait."),
         ("Why can't any precision fit a 7B model on the nRF52840?",
          "Even at 1.58 bits/parameter, 7B parameters are ~1.4 GB: about 5,000x the 256 KiB of SRAM.")],
    )
    return


@app.cell
def _(
    LAB,
    act1_result,
    act2_result,
    build_record,
    budgets,
    cadence,
    card,
    cloud,
    gpus,
    hardest_tier,
    ledger,
    plain_text,
    q_cloud,
    q_edge,
    q_mobile,
    q_tiny,
    reflection,
    save_if_changed,
    start_context,
    strategy,
    threshold,
    violations,
):
    lab_record = build_record(
        context=start_context, results=[act1_result, act2_result], expected=2,
        decisions={"gpus": gpus.value, "strategy": strategy.value, "q_cloud": q_cloud.value, "q_edge": q_edge.value,
                   "q_mobile": q_mobile.value, "q_tiny": q_tiny.value, "cadence_months": cadence.value,
                   "threshold": threshold.value, "reflection": plain_text(reflection.value)},
        outcomes={"p99_ms": cloud.p99_s * 1000 if cloud.stable else None, "cost_per_request": cloud.cost_per_request,
                  "hardest_tier": hardest_tier, "weakest_invariant": card.weakest_invariant,
                  "closest_constraint": max(budgets, key=budgets.get)},
        constraints=violations if act2_result else [],
    )
    lab_saved = save_if_changed(ledger, LAB.id, lab_record)
    return lab_record, lab_saved


@app.cell
def _(LAB, lab_record, lab_saved, ui):
    ui.status_hud(lab_id=LAB.id, predictions=len(lab_record["predictions"]), of=2, saved=lab_saved,
                  constraint_hit=lab_record["constraint_hit"], context=lab_record["context"])
    return


if __name__ == "__main__":
    app.run()
