import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import math

    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import build_record, charts, G, get_lab, home_context, Ledger, P, save_if_changed, U, ui

    LAB = get_lab("v1.01")
    ledger = Ledger.open()
    LAW = P.CHINCHILLA
    H100 = P.get_device("h100-sxm")
    # The scenario: MedVision's clinical-notes model (numbers the story fixes, not constants)
    SCENARIO = {"params": 1e9, "tokens": 1e9, "budget_usd": 1e6, "data_cost_per_token": 5e-4, "mfu": 0.4,
                "target_loss": 2.9, "edge_target_loss": 1.95, "abundant_tokens": 2e12}
    COST = dict(gpu_price_per_hour=H100.price_per_hour, peak_flops=H100.peak("bf16"), mfu=SCENARIO["mfu"],
                data_cost_per_token=SCENARIO["data_cost_per_token"])
    return COST, G, H100, LAB, LAW, P, SCENARIO, U, build_record, charts, go, home_context, ledger, math, mo, save_if_changed, ui


@app.cell
def _(LAB, ledger, ui):
    ui.header(LAB, subtitle="Data, Algorithm, Machine: only the binding one moves the result.",
              parts=["A: 4x GPUs", "B: which term binds", "C: the edge", "D: spend the budget"], notice=ledger.notice)
    return


@app.cell
def _(ui):
    ui.section("Part A: Will 4x GPUs help?", 12)
    return


@app.cell
def _(SCENARIO, U, ui):
    ui.stakeholder(
        "Dr. Priya Mehta", "Head of ML, MedVision Health",
        f"Our clinical-notes model ({U.fmt_count(SCENARIO['params'])} parameters, trained on "
        f"{U.fmt_count(SCENARIO['tokens'])} tokens of notes that are now 18 months old) got worse. Infra wants 4x "
        "more GPUs to train a 4x bigger model on the same data. The data team wants fresh notes. Who is right?",
    )
    return


@app.cell
def _():
    partA_options = {"Improves ~4x (proportional)": 4.0, "Improves modestly (~1.3x)": 1.3,
                     "Almost no change: the bottleneck is elsewhere": 1.0}
    return (partA_options,)


@app.cell
def _(partA_options, ui):
    partA_prediction = ui.choice_prediction(
        "With 4x GPUs spent on a 4x larger model and the same data, the reducible loss improves by:",
        {k: k for k in partA_options})
    partA_prediction
    return (partA_prediction,)


@app.cell
def _(G, LAW, SCENARIO, partA_options, partA_prediction):
    _n, _d = SCENARIO["params"], SCENARIO["tokens"]
    _reducible = lambda n, d: LAW.loss(n, d) - LAW.E  # noqa: E731
    partA_gain = _reducible(_n, _d) / _reducible(4 * _n, _d)
    partA_data_gain = _reducible(_n, _d) / _reducible(_n, 4 * _d)
    _answer = ("Almost no change: the bottleneck is elsewhere" if partA_gain < 1.15
               else "Improves modestly (~1.3x)" if partA_gain < 2 else "Improves ~4x (proportional)")
    partA_result = None
    if partA_prediction.value is not None:
        partA_result = G.grade_choice(
            "partA", "Scaling law", partA_prediction.value, _answer, option_values=partA_options, actual=partA_gain,
            unit="x",
            explanation=(f"The reducible loss falls only {partA_gain:.2f}x: with {SCENARIO['tokens'] / SCENARIO['params']:.0f} "
                         f"token per parameter the data term dominates. 4x fresh data would give {partA_data_gain:.2f}x. "
                         "And stale data is a drift problem no amount of compute fixes."),
        )
    return partA_data_gain, partA_gain, partA_result


@app.cell
def _(mo):
    partA_gpus = mo.ui.slider(1, 16, value=4, label="GPU multiplier (spent on model size)", show_value=True)
    partA_data = mo.ui.slider(1, 16, value=1, label="Data multiplier (fresh tokens)", show_value=True)
    return partA_data, partA_gpus


@app.cell
def _(LAW, P, SCENARIO, charts, go, mo, partA_data, partA_gpus, partA_options, partA_prediction, ui):
    mo.stop(partA_prediction.value is None, ui.locked("the scaling-law instruments"))
    _n, _d = SCENARIO["params"] * partA_gpus.value, SCENARIO["tokens"] * partA_data.value
    _dam = P.dam_diagnosis(_n, _d)
    _m = list(range(1, 17))
    _fig = go.Figure()
    _fig.add_trace(go.Scatter(x=_m, y=[LAW.loss(SCENARIO["params"] * k, SCENARIO["tokens"]) for k in _m],
                              name="more GPUs -> bigger model", line_color=charts.COLOR["series"]))
    _fig.add_trace(go.Scatter(x=_m, y=[LAW.loss(SCENARIO["params"], SCENARIO["tokens"] * k) for k in _m],
                              name="more fresh data", line_color=charts.COLOR["alternative"]))
    _fig.add_trace(go.Scatter(x=[max(partA_gpus.value, partA_data.value)], y=[LAW.loss(_n, _d)], mode="markers",
                              name="your mix", marker=dict(size=13, color=charts.COLOR["highlight"])))
    _r0 = LAW.loss(SCENARIO["params"], SCENARIO["tokens"]) - LAW.E
    _fig.add_trace(go.Scatter(x=[4], y=[LAW.E + _r0 / partA_options[partA_prediction.value]], mode="markers",
                              marker=dict(size=13, symbol="x", color=charts.COLOR["neutral"]),
                              name="4x GPUs if your prediction were right"))
    charts.themed(_fig, title="Loss vs multiplier: which lever moves it?", x="multiplier", y="loss (nats/token)")
    _status = {"binding": "fail", "adequate": "ok", "surplus": "info"}
    mo.vstack([mo.hstack([partA_gpus, partA_data], wrap=True), _fig,
               ui.cards(*[ui.metric_card(name, getattr(_dam, key), "", _status[getattr(_dam, key)] if
                                         getattr(_dam, key) != "surplus" else None)
                          for name, key in (("Data", "data"), ("Algorithm (model size)", "algorithm"),
                                            ("Machine", "machine"))]),
               mo.md(f"D-A-M diagnostic: {_dam.explanation}.")])
    return


@app.cell
def _(partA_result, ui):
    ui.reveal(partA_result, fmt=lambda v: f"{v:,.2f}") if partA_result else None
    return


@app.cell
def _(LAW, ui):
    ui.math_peek("the scaling law", "L(N, D) = E + A / N^alpha + B / D^beta",
                 [("E, A, B", f"{LAW.E}, {LAW.A}, {LAW.B}", LAW.source),
                  ("alpha, beta", f"{LAW.alpha}, {LAW.beta}", LAW.source)])
    return


@app.cell
def _(ui):
    ui.section("Part B: Which term binds?", 12)
    return


@app.cell
def _(ui):
    ui.stakeholder("Tomás Ruiz", "Research scientist",
                   "The loss has three terms: irreducible, model size, and data. For our 1B model on 1B tokens, "
                   "I bet model size is what is holding us back.")
    return


@app.cell
def _(ui):
    partB_prediction = ui.choice_prediction(
        "Of the reducible loss, which term is larger for 1B parameters on 1B tokens?",
        {"The model-size term A/N^alpha": "model", "The data term B/D^beta": "data", "They are about equal": "equal"},
    )
    partB_prediction
    return (partB_prediction,)


@app.cell
def _(G, LAW, P, SCENARIO, partB_prediction):
    _e, _mt, _dt = LAW.terms(SCENARIO["params"], SCENARIO["tokens"])
    _answer = "equal" if abs(_mt - _dt) / max(_mt, _dt) < 0.15 else ("data" if _dt > _mt else "model")
    partB_result = None
    if partB_prediction.value is not None:
        partB_result = G.grade_choice(
            "partB", "Scaling law", partB_prediction.value, _answer,
            explanation=(f"Model term {_mt:.3f}, data term {_dt:.3f} nats. One token per parameter is far below the "
                         f"~{P.CHINCHILLA_TOKENS_PER_PARAM:.0f} tokens per parameter of compute-optimal training "
                         "(Hoffmann et al. 2022): the model is starved of data."),
        )
    return (partB_result,)


@app.cell
def _(mo):
    partB_logn = mo.ui.slider(8.0, 11.5, step=0.1, value=9.0, label="log10 parameters", show_value=True)
    partB_logd = mo.ui.slider(9.0, 13.0, step=0.1, value=9.0, label="log10 training tokens", show_value=True)
    return partB_logd, partB_logn


@app.cell
def _(LAW, P, U, charts, go, mo, partB_logd, partB_logn, partB_prediction, ui):
    mo.stop(partB_prediction.value is None, ui.locked("the term explorer"))
    _n, _d = 10**partB_logn.value, 10**partB_logd.value
    _e, _mt, _dt = LAW.terms(_n, _d)
    _fig = go.Figure()
    for _name, _v, _c in (("irreducible E", _e, charts.COLOR["neutral"]), ("model size A/N^a", _mt, charts.COLOR["series"]),
                          ("data B/D^b", _dt, charts.COLOR["alternative"])):
        _fig.add_trace(go.Bar(x=["loss"], y=[_v], name=f"{_name}: {_v:.3f}", marker_color=_c))
    _fig.update_layout(barmode="stack")
    charts.themed(_fig, title=f"L = {LAW.loss(_n, _d):.3f} at N = {U.fmt_count(_n)}, D = {U.fmt_count(_d)}",
                  y="nats per token", height=320)
    _ratio = _d / _n
    mo.vstack([mo.hstack([partB_logn, partB_logd], wrap=True), _fig,
               ui.cards(ui.metric_card("tokens per parameter", f"{_ratio:,.1f}",
                                       f"rule of thumb ~{P.CHINCHILLA_TOKENS_PER_PARAM:.0f}"),
                        ui.metric_card("training compute", f"{U.fmt_count(P.training_flops(_n, _d))}FLOP", "6 N D"))])
    return


@app.cell
def _(partB_result, ui):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _(ui):
    ui.section("Part C: The same question at the edge", 10)
    return


@app.cell
def _(LAW, SCENARIO, U, ui):
    ui.stakeholder("Dr. Priya Mehta", "Head of ML, MedVision Health",
                   f"Hospitals want our best model on-premise on an edge box. With plenty of data, reaching loss "
                   f"{SCENARIO['edge_target_loss']} needs about "
                   f"{U.fmt_count(LAW.params_for_loss(SCENARIO['edge_target_loss'], SCENARIO['abundant_tokens']))} "
                   "parameters. What limits us there?")
    return


@app.cell
def _(ui):
    partC_prediction = ui.choice_prediction(
        "On the edge box (Jetson Orin NX 16 GB, int8), what binds?",
        {"Data": "data", "Algorithm (model size)": "algorithm", "Machine (memory)": "machine"},
    )
    partC_prediction
    return (partC_prediction,)


@app.cell
def _(P, home_context, ledger, mo):
    partC_tier = mo.ui.radio({"Cloud": "cloud", "Edge": "edge", "Mobile": "mobile", "TinyML": "tiny"},
                             value={"cloud": "Cloud", "edge": "Edge", "mobile": "Mobile", "tiny": "TinyML"}[
                                 home_context(ledger, "edge")], label="Deploy on", inline=True)
    partC_precision = mo.ui.dropdown(["bf16", "int8", "int4"], value="int8", label="Precision")
    partC_target = mo.ui.slider(1.90, 2.50, step=0.01, value=2.10, label="Target loss", show_value=True)
    return partC_precision, partC_target, partC_tier


@app.cell
def _(G, LAW, P, SCENARIO, U, partC_precision, partC_prediction, partC_target, partC_tier):
    def _max_fit(tier, precision):
        return P.max_params_that_fit(P.TIER_REFERENCE[tier], precision)

    _need = LAW.params_for_loss(SCENARIO["edge_target_loss"], SCENARIO["abundant_tokens"])
    _dam = P.dam_diagnosis(_need, SCENARIO["abundant_tokens"], max_params_that_fit=_max_fit("edge", "int8"))
    _answer = "machine" if _dam.machine == "binding" else ("data" if _dam.data == "binding" else "algorithm")
    partC_result = None
    if partC_prediction.value is not None:
        partC_result = G.grade_choice(
            "partC", "Memory Wall", partC_prediction.value, _answer,
            explanation=(f"The target needs {U.fmt_count(_need)} parameters; at int8 the 16 GB board holds at most "
                         f"{U.fmt_count(_max_fit('edge', 'int8'))}. With data abundant, the machine's memory is the "
                         "binding constraint: the same question has a different answer on a different tier."),
        )
    partC_need = LAW.params_for_loss(partC_target.value, SCENARIO["abundant_tokens"])
    partC_fit = _max_fit(partC_tier.value, partC_precision.value)
    partC_oom = partC_need > partC_fit
    return partC_fit, partC_need, partC_oom, partC_result


@app.cell
def _(LAW, SCENARIO, U, mo, partC_fit, partC_need, partC_oom, partC_precision, partC_prediction, partC_target, partC_tier, ui):
    mo.stop(partC_prediction.value is None, ui.locked("the deployment check"))
    _best = LAW.loss(partC_fit, SCENARIO["abundant_tokens"])
    mo.vstack([
        mo.hstack([partC_tier, partC_precision, partC_target], wrap=True),
        ui.cards(ui.metric_card("parameters needed", U.fmt_count(partC_need), f"for loss {partC_target.value}"),
                 ui.metric_card("largest that fits", U.fmt_count(partC_fit), f"{partC_tier.value}, {partC_precision.value}",
                                "fail" if partC_oom else "ok"),
                 ui.metric_card("best loss on this tier", f"{_best:.3f}", "largest model, abundant data")),
        ui.failure_banner("OOM", what=f"a {U.fmt_count(partC_need)}-parameter model on the {partC_tier.value} tier",
                          by=f"{partC_need / partC_fit:,.1f}x the parameters that fit",
                          fix="lower precision, relax the target, or serve from a bigger tier")
        if partC_oom else ui.banner("ok", "Fits", f"{partC_need / partC_fit:.0%} of the largest model that fits"),
    ])
    return


@app.cell
def _(partC_result, ui):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _(ui):
    ui.section("Part D: Spend the budget", 12)
    return


@app.cell
def _(SCENARIO, ui):
    ui.stakeholder("Amara Chen", "CFO",
                   f"You get ${SCENARIO['budget_usd']:,.0f} for the next model. Curated, de-identified notes cost "
                   f"${SCENARIO['data_cost_per_token'] * 1000:.2f} per thousand tokens; H100 time is rented by the hour. "
                   "Which model size should we buy?")
    return


@app.cell
def _():
    partD_sizes = {"30B parameters, fewer tokens": 3e10, "3B parameters": 3e9, "300M parameters, most tokens": 3e8}
    return (partD_sizes,)


@app.cell
def _(partD_sizes, ui):
    partD_prediction = ui.choice_prediction("For the lowest loss within the budget, choose:",
                                            {k: k for k in partD_sizes})
    partD_prediction
    return (partD_prediction,)


@app.cell
def _(COST, G, LAW, P, SCENARIO, U, partD_prediction, partD_sizes):
    partD_losses = {k: LAW.loss(n, P.tokens_affordable(SCENARIO["budget_usd"], n, **COST)) for k, n in partD_sizes.items()}
    partD_best = min(partD_losses, key=partD_losses.get)
    partD_result = None
    if partD_prediction.value is not None:
        _d = P.tokens_affordable(SCENARIO["budget_usd"], partD_sizes[partD_best], **COST)
        partD_result = G.grade_choice(
            "partD", "Scaling law", partD_prediction.value, partD_best,
            explanation=(", ".join(f"{k}: loss {v:.3f}" for k, v in partD_losses.items()) + ". "
                         f"Data costs far more per token than compute here, so the budget buys ~{U.fmt_count(_d)} "
                         "tokens whatever the size; a bigger model extracts more from each scarce token. The "
                         "20-tokens-per-parameter rule assumes compute is the only cost."),
        )
    return partD_best, partD_losses, partD_result


@app.cell
def _(mo):
    partD_logn = mo.ui.slider(8.0, 11.0, step=0.1, value=9.5, label="log10 parameters", show_value=True)
    partD_logd = mo.ui.slider(8.5, 10.5, step=0.05, value=9.0, label="log10 tokens bought", show_value=True)
    return partD_logd, partD_logn


@app.cell
def _(COST, LAW, P, SCENARIO, partD_logd, partD_logn):
    partD_cost = P.training_cost_usd(10**partD_logn.value, 10**partD_logd.value, **COST)
    partD_loss = LAW.loss(10**partD_logn.value, 10**partD_logd.value)
    partD_violations = (["budget exceeded"] if partD_cost > SCENARIO["budget_usd"] else []) + (
        ["target loss missed"] if partD_loss > SCENARIO["target_loss"] else [])
    return partD_cost, partD_loss, partD_violations


@app.cell
def _(SCENARIO, U, mo, partD_cost, partD_logd, partD_logn, partD_loss, partD_prediction, ui):
    mo.stop(partD_prediction.value is None, ui.locked("the budget planner"))
    _b = SCENARIO["budget_usd"]
    _banner = (ui.failure_banner("Budget", what=f"${partD_cost:,.0f} planned", by=f"${partD_cost - _b:,.0f}",
                                 fix="buy fewer tokens or train a smaller model")
               if partD_cost > _b else
               ui.banner("warn", "Target missed", f"loss {partD_loss:.3f} > {SCENARIO['target_loss']}")
               if partD_loss > SCENARIO["target_loss"] else
               ui.banner("ok", "On budget and on target", f"${_b - partD_cost:,.0f} to spare"))
    mo.vstack([mo.hstack([partD_logn, partD_logd], wrap=True),
               ui.slo_bars(ui.slo_bar("cost", partD_cost / 1e3, _b / 1e3, unit="k$"),
                           ui.slo_bar("loss", partD_loss, SCENARIO["target_loss"], fmt=lambda v: f"{v:.3f}")),
               ui.cards(ui.metric_card("model", U.fmt_count(10**partD_logn.value) + " params"),
                        ui.metric_card("data", U.fmt_count(10**partD_logd.value) + " tokens")), _banner])
    return


@app.cell
def _(partD_result, ui):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _(COST, SCENARIO, ui):
    ui.math_peek("training cost",
                 "cost = 6 N D / (peak x MFU) / 3600 x $/GPU-hour + D x $/token",
                 [("H100 dense bf16", "989 TFLOP/s", "NVIDIA H100 datasheet"),
                  ("H100 price", f"${COST['gpu_price_per_hour']:.2f}/h", "estimate: 2025 on-demand list price"),
                  ("MFU", f"{SCENARIO['mfu']}", "scenario (Llama 3 reported 38-43%)"),
                  ("data", f"${SCENARIO['data_cost_per_token'] * 1000:.2f} per 1k tokens", "scenario")])
    return


@app.cell
def _(ui):
    ui.takeaways(
        ["Find the binding constraint first: money spent on a non-binding one buys nothing.",
         "The scaling law says which of data and model size binds; the device says whether the machine does.",
         "Compute-optimal rules assume compute is the cost; when data is the scarce input, the answer changes."],
        [("A model has 1 token per parameter. Which is cheaper to improve it: 4x data or 4x parameters?",
          "4x data: the data term dominates the reducible loss."),
         ("Why can the edge tier never reach the cloud's loss?", "Memory caps the parameter count.")],
    )
    return


@app.cell
def _(
    LAB,
    build_record,
    home_context,
    ledger,
    partA_data_gain,
    partA_gain,
    partA_result,
    partB_result,
    partC_oom,
    partC_precision,
    partC_result,
    partC_tier,
    partD_best,
    partD_cost,
    partD_logd,
    partD_logn,
    partD_loss,
    partD_result,
    partD_violations,
    save_if_changed,
):
    lab_record = build_record(
        context=home_context(ledger), results=[partA_result, partB_result, partC_result, partD_result], expected=4,
        decisions={"params_log10": partD_logn.value, "tokens_log10": partD_logd.value, "tier": partC_tier.value,
                   "precision": partC_precision.value},
        outcomes={"gpu_gain": partA_gain, "data_gain": partA_data_gain, "best_size": partD_best,
                  "cost_usd": partD_cost, "loss": partD_loss},
        constraints=(partD_violations if partD_result else []) + (["OOM at the edge"] if partC_oom and partC_result else []),
    )
    lab_saved = save_if_changed(ledger, LAB.id, lab_record)
    return lab_record, lab_saved


@app.cell
def _(LAB, lab_record, lab_saved, ui):
    ui.status_hud(lab_id=LAB.id, predictions=len(lab_record["predictions"]), of=4, saved=lab_saved,
                  constraint_hit=lab_record["constraint_hit"], context=lab_record["context"])
    return


if __name__ == "__main__":
    app.run()
