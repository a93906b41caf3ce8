import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import build_record, charts, G, get_lab, home_context, Ledger, P, save_if_changed, U, ui

    LAB = get_lab("v1.00")
    ledger = Ledger.open()
    TIER_DEVICES = {t: P.get_device(d) for t, d in P.TIER_REFERENCE.items()}
    return G, LAB, P, TIER_DEVICES, U, build_record, charts, go, home_context, ledger, mo, save_if_changed, ui


@app.cell
def _(LAB, ledger, ui):
    ui.header(
        LAB,
        subtitle="How the labs work, the four deployment tiers, and how many orders of magnitude separate them.",
        parts=["Part A: magnitudes", "Part B: does it fit?", "Part C: your home context"],
        notice=ledger.notice,
    )
    return


@app.cell
def _(mo):
    mo.md("""
    Every lab follows one rhythm: a stakeholder frames a decision, you **commit a
    prediction** (the instruments stay locked until you do), then you explore what the
    physics engine says and see exactly how far off you were. Your predictions and
    choices are saved in your **Design Ledger**; the capstone reads it back.
    """)
    return


@app.cell
def _(ui):
    ui.section("Part A: The span of the tiers", 12)
    return


@app.cell
def _(TIER_DEVICES, U, ui):
    ui.stakeholder(
        "Maya Okafor",
        "Head of Platform, a wearables start-up",
        f"Our cloud team runs models on {TIER_DEVICES['cloud'].name} GPUs; the new product runs on a "
        f"{TIER_DEVICES['tiny'].name} microcontroller with {U.fmt_bytes(TIER_DEVICES['tiny'].memory_bytes, binary=True)} "
        "of SRAM. Someone proposed 'just shrinking' the cloud model. Before we argue, how big is the gap?",
    )
    return


@app.cell
def _():
    partA_options = {"about 10x": 10.0, "about 1,000x": 1e3, "about 300,000x": 3e5, "about 100,000,000x": 1e8}
    return (partA_options,)


@app.cell
def _(TIER_DEVICES, partA_options, ui):
    partA_prediction = ui.choice_prediction(
        f"How many times more memory does the {TIER_DEVICES['cloud'].name} have than the "
        f"{TIER_DEVICES['tiny'].name}?",
        {k: k for k in partA_options},
    )
    partA_prediction
    return (partA_prediction,)


@app.cell
def _(G, P, partA_options, partA_prediction):
    _span = P.tier_span("memory")
    partA_actual = _span["ratio"]
    partA_result = None
    if partA_prediction.value is not None:
        partA_result = G.grade_choice(
            "partA", "Memory Wall", partA_prediction.value, G.closest_option(partA_options, partA_actual),
            option_values=partA_options, actual=partA_actual, unit="x",
            explanation=(
                "Main memory is 80 GB of HBM on the GPU against 256 KiB of on-chip SRAM on the microcontroller: "
                f"a ratio of {partA_actual:,.0f}. Compute and bandwidth span similar gaps (see the chart), which is "
                "why a model is designed for its tier, not shrunk into it."
            ),
        )
    return partA_actual, partA_result


@app.cell
def _(P, mo):
    partA_metric = mo.ui.dropdown(
        options={v[0]: k for k, v in P.TIER_METRICS.items()}, value="main memory", label="Compare tiers by"
    )
    return (partA_metric,)


@app.cell
def _(P, TIER_DEVICES, U, charts, go, mo, partA_metric, partA_options, partA_prediction, ui):
    mo.stop(partA_prediction.value is None, ui.locked("the tier comparison"))
    _span = P.tier_span(partA_metric.value)
    _tiers = list(_span["values"])
    _fig = go.Figure(
        go.Bar(
            x=[f"{t}: {TIER_DEVICES[t].name}" for t in _tiers],
            y=[_span["values"][t] for t in _tiers],
            marker_color=[charts.tier_color(t) for t in _tiers],
            text=[U.fmt_count(_span["values"][t]) for t in _tiers],
            textposition="outside",
        )
    )
    _fig.update_yaxes(type="log")
    _unit = P.TIER_METRICS[partA_metric.value][1]
    charts.themed(_fig, title=f"{P.TIER_METRICS[partA_metric.value][0]} by tier (log scale)", y=_unit)
    _implied = TIER_DEVICES["tiny"].memory_bytes * partA_options[partA_prediction.value]
    if partA_metric.value == "memory":
        _fig.add_hline(y=_implied, line_dash="dash", line_color=charts.COLOR["highlight"],
                       annotation_text="cloud memory if your prediction were right")
    mo.vstack([
        partA_metric,
        _fig,
        ui.cards(ui.metric_card("cloud / tiny ratio", f"{_span['ratio']:,.0f}x",
                                f"{P.TIER_METRICS[partA_metric.value][0]}: {_span['ratio']:.1e}")),
    ])
    return


@app.cell
def _(partA_result, ui):
    ui.reveal(partA_result, fmt=lambda v: f"{v:,.0f}") if partA_result else None
    return


@app.cell
def _(TIER_DEVICES, U, ui):
    ui.math_peek(
        "magnitude ratio",
        "ratio = capacity(cloud) / capacity(tiny)\norders of magnitude = log10(ratio)",
        [(f"{t} memory", U.fmt_bytes(d.memory_bytes, binary=t == "tiny"), d.sources[0]) for t, d in TIER_DEVICES.items()],
    )
    return


@app.cell
def _(ui):
    ui.section("Part B: Does it fit?", 15)
    return


@app.cell
def _(TIER_DEVICES, ui):
    ui.stakeholder(
        "Diego Hernández",
        "Robotics lead",
        f"We want Llama 3 8B running on the robot's {TIER_DEVICES['edge'].name} in fp16, no cloud round trip. "
        "It has 16 GB, the model is 8 billion parameters at 2 bytes each. That fits, right?",
    )
    return


@app.cell
def _(ui):
    partB_prediction = ui.choice_prediction(
        "Llama 3 8B in fp16 on the 16 GB edge board:",
        {"Fits with room to spare": "room", "Just fits": "tight", "Does not fit": "oom"},
    )
    partB_prediction
    return (partB_prediction,)


@app.cell
def _(G, P, TIER_DEVICES, U, partB_prediction):
    _est = P.estimate("llama3-8b", TIER_DEVICES["edge"], phase="decode", batch=1, seq_len=2048, precision="fp16")
    partB_need = _est.memory_bytes / (_est.capacity_bytes * _est.assumptions["memory_fraction"])
    partB_result = None
    if partB_prediction.value is not None:
        partB_result = G.grade_choice(
            "partB", "Memory Wall", partB_prediction.value,
            G.choice_for_value(partB_need, [(0.8, "room"), (1.0, "tight"), (float("inf"), "oom")]),
            actual=partB_need * 100, unit="% of usable memory",
            explanation=(
                f"8.03 B parameters x 2 bytes = {U.fmt_bytes(_est.weights_bytes)} of weights before any KV cache or "
                f"activations, and only {_est.assumptions['memory_fraction']:.0%} of 16 GB is usable once the OS and "
                "runtime take their share. 'Parameters x bytes' is the floor, not the footprint."
            ),
        )
    return partB_need, partB_result


@app.cell
def _(P, home_context, ledger, mo):
    _models = ["llama3-8b", "llama2-7b", "phi3-mini", "tinyllama-1.1b", "resnet50", "mobilenetv2", "ds-cnn-kws",
               "anomaly-mlp"]
    partB_model = mo.ui.dropdown(options={P.get_workload(m).name: m for m in _models}, value="Llama 3 / 3.1 8B",
                                 label="Model")
    partB_tier = mo.ui.radio(options={"Cloud": "cloud", "Edge": "edge", "Mobile": "mobile", "TinyML": "tiny"},
                             value={"cloud": "Cloud", "edge": "Edge", "mobile": "Mobile", "tiny": "TinyML"}[
                                 home_context(ledger, "edge")], label="Tier", inline=True)
    partB_precision = mo.ui.dropdown(options=["fp32", "fp16", "int8", "int4"], value="int8", label="Weight precision")
    partB_context = mo.ui.slider(start=512, stop=131072, step=512, value=4096, label="Context length (tokens, LLMs)",
                                 show_value=True)
    partB_batch = mo.ui.slider(start=1, stop=64, value=1, label="Concurrent sequences / batch", show_value=True)
    return partB_batch, partB_context, partB_model, partB_precision, partB_tier


@app.cell
def _(P, partB_batch, partB_context, partB_model, partB_precision, partB_tier):
    _m = P.get_workload(partB_model.value)
    _dev = P.get_device(P.TIER_REFERENCE[partB_tier.value])
    _llm = isinstance(_m, P.Transformer)
    partB_est = P.estimate(_m, _dev, phase="decode" if _llm else "inference", batch=partB_batch.value,
                           seq_len=min(partB_context.value, _m.max_context) if _llm else 1,
                           precision=partB_precision.value)
    partB_oom = not partB_est.fits
    return partB_est, partB_oom


@app.cell
def _(
    P,
    U,
    mo,
    partB_batch,
    partB_context,
    partB_est,
    partB_model,
    partB_oom,
    partB_precision,
    partB_prediction,
    partB_tier,
    ui,
):
    mo.stop(partB_prediction.value is None, ui.locked("the fit checker"))
    _usable = partB_est.capacity_bytes * partB_est.assumptions["memory_fraction"]
    _binary = partB_tier.value == "tiny"
    _fmt = lambda b: U.fmt_bytes(b, binary=_binary)  # noqa: E731
    _status = "fail" if partB_oom else ("warn" if partB_est.memory_bytes > 0.8 * _usable else "ok")
    _banner = (
        ui.failure_banner(
            "OOM",
            what=f"{partB_est.model} needs {_fmt(partB_est.memory_bytes)} but the {partB_tier.value} device has "
                 f"{_fmt(_usable)} usable",
            by=f"{_fmt(partB_est.memory_bytes - _usable)} ({partB_est.memory_bytes / _usable:.2f}x the budget)",
            fix="lower the precision, shorten the context, serve fewer sequences, pick a smaller model, or move up a tier",
        )
        if partB_oom
        else ui.banner("ok", "Fits", f"{_fmt(partB_est.memory_bytes)} of {_fmt(_usable)} usable "
                                     f"({partB_est.memory_bytes / _usable:.0%}).")
    )
    mo.vstack([
        mo.hstack([partB_model, partB_precision, partB_tier], wrap=True),
        mo.hstack([partB_context, partB_batch], wrap=True),
        ui.cards(
            ui.metric_card("weights", _fmt(partB_est.weights_bytes), f"{partB_precision.value}"),
            ui.metric_card("KV cache", _fmt(partB_est.kv_cache_bytes) if partB_est.kv_cache_bytes else "n/a",
                           f"{partB_batch.value} x {partB_context.value:,} tokens" if partB_est.kv_cache_bytes else "CNN/MLP: none"),
            ui.metric_card("total footprint", _fmt(partB_est.memory_bytes), f"usable {_fmt(_usable)}", _status),
        ),
        _banner,
    ])
    return


@app.cell
def _(partB_result, ui):
    ui.reveal(partB_result, fmt=lambda v: f"{v:,.0f}") if partB_result else None
    return


@app.cell
def _(P, ui):
    ui.math_peek(
        "memory footprint",
        "memory = params x bytes(precision)\n       + 2 x layers x kv_heads x head_dim x context x batch x bytes(kv)\n"
        "       + activations\nfits  <=>  memory <= capacity x usable fraction",
        [("usable fraction", f"{P.DEFAULT_MEMORY_FRACTION:.0%}", "engine default: runtime and fragmentation reserve"),
         ("bytes: fp32 / fp16 / int8 / int4", "4 / 2 / 1 / 0.5", "IEEE 754 and integer formats"),
         ("Llama 3 8B: layers, kv heads, head dim", "32, 8, 128", P.get_workload("llama3-8b").sources[0])],
    )
    return


@app.cell
def _(ui):
    ui.section("Part C: Your home context", 5)
    return


@app.cell
def _(home_context, ledger, mo):
    _labels = {"cloud": "Cloud (data-centre GPUs)", "edge": "Edge (robots, cameras, gateways)",
               "mobile": "Mobile (phones, laptops)", "tiny": "TinyML (microcontrollers, sensors)"}
    home_choice = mo.ui.radio(options={v: k for k, v in _labels.items()}, value=_labels[home_context(ledger)],
                              label="Which tier do you care about most? Later labs open on it.")
    home_choice
    return (home_choice,)


@app.cell
def _(ui):
    ui.takeaways(
        [
            "Cloud and microcontroller differ by 5-6 orders of magnitude in memory, compute and power: the same "
            "model cannot be 'shrunk' across that gap; each tier gets a model designed for it.",
            "Parameters x bytes per parameter is the floor of a model's footprint; KV cache, activations and the "
            "runtime's reserve come on top.",
            "Precision is the first lever: halving bytes per parameter halves the weights.",
        ],
        [
            ("What fraction of an 80 GB GPU does Llama 3 8B in fp16 take?",
             "About 16 GB of weights: a fifth, leaving room for a large KV cache."),
            ("Which grows with context length: weights or KV cache?",
             "The KV cache, linearly with context and batch; weights do not."),
        ],
    )
    return


@app.cell
def _(
    LAB,
    build_record,
    home_choice,
    ledger,
    partA_actual,
    partA_result,
    partB_batch,
    partB_context,
    partB_est,
    partB_model,
    partB_need,
    partB_oom,
    partB_precision,
    partB_result,
    partB_tier,
    save_if_changed,
):
    lab_record = build_record(
        context=home_choice.value,
        results=[partA_result, partB_result],
        expected=2,
        decisions={"model": partB_model.value, "tier": partB_tier.value, "precision": partB_precision.value,
                   "context_tokens": partB_context.value, "batch": partB_batch.value},
        outcomes={"memory_ratio_cloud_tiny": partA_actual, "edge_fp16_fraction_of_usable": partB_need,
                  "footprint_bytes": partB_est.memory_bytes},
        constraints=[f"OOM: {partB_model.value} on {partB_tier.value}"] if partB_oom and partB_result else [],
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
