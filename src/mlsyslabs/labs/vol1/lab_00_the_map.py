import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_00.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, ui
    from mlsyslabs.physics.errors import PhysicsError

    LAB = get_lab("v1.00")
    TIER_DEVICES = {t: P.get_device(d) for t, d in P.TIER_REFERENCE.items()}
    # Part A: magnitude options, log-spaced alike so no option stands out as computed.
    PART_A_OPTIONS = {"about 3,000x": 3e3, "about 30,000x": 3e4, "about 300,000x": 3e5, "about 3,000,000x": 3e6}
    # Part B: the robotics lead's proposal.
    PART_B = dict(model="llama3-8b", tier="edge", precision="fp16", context=2048, batch=1)
    PART_B_OPTIONS = {"Fits with room to spare": "room", "Just fits": "tight", "Does not fit": "oom"}
    # One hint per part: a way in, never the answer.
    HINTS = {
        "partA": "Put both memories in bytes first. A gigabyte is about a million kilobytes; then ask how many "
                 "kilobytes the microcontroller has.",
        "partB": "Weights alone take (parameters x bytes per parameter). Compare that with the share of the board's "
                 "memory the operating system and runtime leave to the model.",
    }


@app.function
def part_a_ratio() -> float:
    """Cloud / TinyML main-memory ratio of the tiers' reference devices."""
    return P.tier_span("memory")["ratio"]


@app.function
def fit_estimate(model: str, tier: str, precision: str, context: int, batch: int):
    """Footprint of a model decoding at a context and batch on a tier's reference device."""
    m = P.get_workload(model)
    llm = isinstance(m, P.Transformer)
    return P.estimate(m, P.get_device(P.TIER_REFERENCE[tier]), phase="decode" if llm else "inference", batch=batch,
                      seq_len=min(context, m.max_context) if llm else 1, precision=precision)


@app.function
def usable_bytes(est) -> float:
    return est.capacity_bytes * est.assumptions["memory_fraction"]


@app.function
def part_b_need() -> float:
    """The proposal's footprint as a fraction of usable memory (>1: does not fit)."""
    est = fit_estimate(**PART_B)
    return est.memory_bytes / usable_bytes(est)


@app.function
def fit_choice(need: float) -> str:
    return G.choice_for_value(need, [(0.8, "room"), (1.0, "tight"), (float("inf"), "oom")])


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="How the labs work, the four deployment tiers, and how many orders of magnitude separate them.",
        parts=["Part A: the span of the tiers", "Part B: does it fit?", "Part C: your home context"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    mo.md("""
    Every lab follows one rhythm: a stakeholder frames a decision, you **commit a
    prediction** (the instruments stay locked until you do, and a committed prediction
    is final), then you explore what the physics engine says and see exactly how far
    off you were. Your predictions and decisions are saved in your **Design Ledger**;
    the capstone reads them back.
    """)
    return


@app.cell
def _():
    ui.section("Part A: The span of the tiers", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Maya Okafor",
        "Head of Platform, a wearables start-up",
        f"Our cloud team runs models on {TIER_DEVICES['cloud'].name} GPUs; the new product runs on a "
        f"{TIER_DEVICES['tiny'].name} microcontroller with "
        f"{U.fmt_bytes(TIER_DEVICES['tiny'].memory_bytes, binary=True)} "
        "of SRAM. Someone proposed 'just shrinking' the cloud model. Before we argue, how big is the gap?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"How many times more memory does the {TIER_DEVICES['cloud'].name} have than the "
        f"{TIER_DEVICES['tiny'].name}?",
        {k: k for k in PART_A_OPTIONS},
    )
    return (partA_prediction,)


@app.cell
def _():
    partA_hint = ui.hint_button()
    return (partA_hint,)


@app.cell
def _(lab, partA_hint):
    ui.hint(HINTS["partA"], lab.hint("partA", partA_hint), partA_hint)
    return


@app.cell
def _(lab, partA_prediction):
    partA_actual = part_a_ratio()
    _cloud, _tiny = TIER_DEVICES["cloud"], TIER_DEVICES["tiny"]
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Memory Wall", choice, G.closest_option(PART_A_OPTIONS, partA_actual),
        option_values=PART_A_OPTIONS, actual=partA_actual, unit="x",
        explanation=(
            f"Main memory is {U.fmt_bytes(_cloud.memory_bytes)} of HBM on the GPU against "
            f"{U.fmt_bytes(_tiny.memory_bytes, binary=True)} of on-chip SRAM on the microcontroller: a ratio of "
            f"{partA_actual:,.0f}. Compute and bandwidth span similar gaps (see the chart), which is why a model is "
            "designed for its tier, not shrunk into it."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_actual, partA_result


@app.cell
def _():
    partA_metric = mo.ui.dropdown(
        options={v[0]: k for k, v in P.TIER_METRICS.items()}, value="main memory", label="Compare tiers by"
    )
    return (partA_metric,)


@app.cell
def _(partA_metric, partA_result):
    mo.stop(partA_result is None, ui.locked("the tier comparison"))
    _span = P.tier_span(partA_metric.value)
    _tiers = list(_span["values"])
    _label, _unit = P.TIER_METRICS[partA_metric.value]
    _fig = go.Figure(
        go.Bar(
            x=[charts.two_lines(ui.tier_name(t), TIER_DEVICES[t].name) for t in _tiers],
            y=[_span["values"][t] for t in _tiers],
            marker_color=[charts.tier_color(t) for t in _tiers],
            text=[U.fmt_quantity(_span["values"][t], _unit) for t in _tiers],
            textposition="outside",
            name=_label,
        )
    )
    charts.themed(_fig, title=f"{_label} by tier (log scale)", y=_unit)
    charts.log_axes(_fig, ys=list(_span["values"].values()) + [TIER_DEVICES["tiny"].memory_bytes * 3e6], pad=0.6)
    if partA_metric.value == "memory":
        charts.reference_line(_fig, TIER_DEVICES["tiny"].memory_bytes * PART_A_OPTIONS[partA_result.choice],
                              f"your prediction: cloud memory = {partA_result.label} the MCU's")
    mo.vstack([
        partA_metric,
        _fig,
        ui.cards(ui.metric_card("cloud / tiny ratio", U.fmt_ratio(_span["ratio"]),
                                f"{_label}: {U.orders_of_magnitude(_span['ratio'])}")),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "magnitude ratio",
        [r"\text{ratio} = \frac{\text{capacity}_\text{cloud}}{\text{capacity}_\text{tiny}}",
         r"\text{orders of magnitude} = \log_{10}(\text{ratio})"],
        [(f"{ui.tier_name(t)} memory ({d.name})", U.fmt_bytes(d.memory_bytes, binary=t == "tiny"), d.sources[0])
         for t, d in TIER_DEVICES.items()],
    )
    return


@app.cell
def _():
    ui.section("Part B: Does it fit?", 15)
    return


@app.cell
def _():
    ui.stakeholder(
        "Diego Hernández",
        "Robotics lead",
        f"We want {P.get_workload(PART_B['model']).name} running on the robot's "
        f"{TIER_DEVICES[PART_B['tier']].name} in {PART_B['precision']}, no cloud round trip. It has "
        f"{U.fmt_bytes(TIER_DEVICES[PART_B['tier']].memory_bytes)}, the model is "
        f"{U.fmt_params(P.get_workload(PART_B['model']).params)} parameters at 2 bytes each. That fits, right?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"{P.get_workload(PART_B['model']).name} in {PART_B['precision']} on the "
        f"{U.fmt_bytes(TIER_DEVICES[PART_B['tier']].memory_bytes)} edge board:",
        PART_B_OPTIONS,
    )
    return (partB_prediction,)


@app.cell
def _():
    partB_hint = ui.hint_button()
    return (partB_hint,)


@app.cell
def _(lab, partB_hint):
    ui.hint(HINTS["partB"], lab.hint("partB", partB_hint), partB_hint)
    return


@app.cell
def _(lab, partB_prediction):
    _est = fit_estimate(**PART_B)
    partB_need = part_b_need()
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Memory Wall", choice, fit_choice(partB_need),
        actual=partB_need * 100, unit="% of usable memory",
        explanation=(
            f"{U.fmt_params(P.get_workload(PART_B['model']).params)} parameters x 2 bytes = "
            f"{U.fmt_bytes(_est.weights_bytes)} of weights before any KV cache or activations, and only "
            f"{_est.assumptions['memory_fraction']:.0%} of {U.fmt_bytes(_est.capacity_bytes)} is usable once the OS "
            "and runtime take their share. 'Parameters x bytes' is the floor, not the footprint."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_need, partB_result


@app.cell
def _():
    # The instruments open on Diego's proposal (so they agree with the reveal); the
    # learner then explores other models, precisions and tiers.
    _models = ["llama3-8b", "llama2-7b", "phi3-mini", "tinyllama-1.1b", "resnet50", "mobilenetv2", "ds-cnn-kws",
               "anomaly-mlp"]
    _tiers = {ui.tier_name(t): t for t in P.TIER_REFERENCE}
    partB_model = mo.ui.dropdown(options={P.get_workload(m).name: m for m in _models},
                                 value=P.get_workload(PART_B["model"]).name, label="Model")
    partB_tier = mo.ui.radio(options=_tiers, value=ui.tier_name(PART_B["tier"]), label="Tier", inline=True)
    partB_precision = mo.ui.dropdown(options=["fp32", "fp16", "int8", "int4"], value=PART_B["precision"],
                                     label="Weight precision")
    partB_context = mo.ui.slider(start=512, stop=131072, step=512, value=PART_B["context"],
                                 label="Context length (tokens, LLMs)", show_value=True)
    partB_batch = mo.ui.slider(start=1, stop=64, value=PART_B["batch"], label="Concurrent sequences / batch",
                               show_value=True)
    return partB_batch, partB_context, partB_model, partB_precision, partB_tier


@app.cell
def _(partB_batch, partB_context, partB_model, partB_precision, partB_tier):
    partB_est, partB_error = None, None
    try:
        partB_est = fit_estimate(partB_model.value, partB_tier.value, partB_precision.value, partB_context.value,
                                 partB_batch.value)
    except PhysicsError as _exc:  # e.g. no fp32 arithmetic on a phone's NPU: say so, keep the controls
        partB_error = f"{TIER_DEVICES[partB_tier.value].name} with {partB_precision.value}: {_exc}"
    partB_oom = partB_est is not None and not partB_est.fits
    return partB_error, partB_est, partB_oom


@app.cell
def _(
    partB_batch,
    partB_context,
    partB_error,
    partB_est,
    partB_model,
    partB_oom,
    partB_precision,
    partB_result,
    partB_tier,
):
    mo.stop(partB_result is None, ui.locked("the fit checker"))
    _controls = [mo.hstack([partB_model, partB_precision, partB_tier], wrap=True),
                 mo.hstack([partB_context, partB_batch], wrap=True)]
    mo.stop(partB_error is not None,
            mo.vstack(_controls + [ui.banner("warn", "No answer for this combination", str(partB_error))]))
    _usable = usable_bytes(partB_est)
    _fmt = lambda b: U.fmt_bytes(b, binary=partB_tier.value == "tiny")  # noqa: E731
    _device = TIER_DEVICES[partB_tier.value].name
    _status = "fail" if partB_oom else ("warn" if partB_est.memory_bytes > 0.8 * _usable else "ok")
    _banner = (
        ui.failure_banner(
            "OOM",
            what=f"{partB_est.model} needs {_fmt(partB_est.memory_bytes)} but the {_device} has {_fmt(_usable)} usable",
            by=f"{_fmt(partB_est.memory_bytes - _usable)} ({U.fmt_ratio(partB_est.memory_bytes / _usable)} the budget)",
            fix="lower the precision, shorten the context, serve fewer sequences, pick a smaller model, "
                "or move up a tier",
        )
        if partB_oom
        else ui.banner("ok", "Fits", f"{_fmt(partB_est.memory_bytes)} of {_fmt(_usable)} usable on the {_device} "
                                     f"({partB_est.memory_bytes / _usable:.0%}).")
    )
    _llm = partB_est.kv_cache_bytes > 0
    mo.vstack(_controls + [
        ui.cards(
            ui.metric_card("weights", _fmt(partB_est.weights_bytes), f"{partB_precision.value}"),
            ui.metric_card("KV cache", _fmt(partB_est.kv_cache_bytes) if _llm else "none",
                           f"{partB_batch.value} x {partB_est.seq_len:,} tokens" if _llm
                           else "a CNN/MLP keeps no KV cache"),
            ui.metric_card("total footprint", _fmt(partB_est.memory_bytes), f"usable {_fmt(_usable)}", _status),
        ),
        _banner,
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    _m = P.get_workload(PART_B["model"])
    ui.math_peek(
        "memory footprint",
        [r"M = N_\text{params}\, b_w + 2\, L\, H_{kv}\, d_h\, S\, B\, b_{kv} + M_\text{act}",
         r"\text{fits} \iff M \le C \cdot f_\text{usable}"],
        [("usable fraction f", f"{P.DEFAULT_MEMORY_FRACTION:.0%}", "engine default: runtime and fragmentation reserve"),
         ("bytes b: fp32 / fp16 / int8 / int4",
          " / ".join(f"{P.bytes_per_element(p):g}" for p in ("fp32", "fp16", "int8", "int4")),
          "IEEE 754 and integer formats"),
         (f"{_m.name}: layers L, KV heads H, head dim d", f"{_m.layers}, {_m.kv_heads}, {_m.hd}", _m.sources[0])],
    )
    return


@app.cell
def _():
    ui.section("Part C: Your home context", 5)
    return


@app.cell
def _(ledger):
    # No tier is pre-selected: the ledger records a context only once the learner picks one.
    _saved = (ledger.get(LAB.id) or {}).get("context")
    _labels = {"cloud": "Cloud (data-centre GPUs)", "edge": "Edge (robots, cameras, gateways)",
               "mobile": "Mobile (phones, laptops)", "tiny": "TinyML (microcontrollers, sensors)"}
    home_choice = mo.ui.radio(options={v: k for k, v in _labels.items()}, value=_labels.get(_saved),
                              label="Which tier do you care about most? Later labs open on it.")
    home_choice
    return (home_choice,)


@app.cell
def _(partA_result, partB_result):
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
        unlocked=partA_result is not None and partB_result is not None,
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Diego still wants the assistant on the robot. Write him a short memo."), memo_form])
    return


@app.cell
def _(
    home_choice,
    lab,
    memo_form,
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
):
    lab_record = build_record(
        context=home_choice.value,
        results=[partA_result, partB_result],
        decisions={"model": partB_model.value, "tier": partB_tier.value, "precision": partB_precision.value,
                   "context_tokens": partB_context.value, "batch": partB_batch.value},
        outcomes={"memory_ratio_cloud_tiny": partA_actual, "edge_fp16_fraction_of_usable": partB_need,
                  "footprint_bytes": partB_est.memory_bytes if partB_est else None},
        constraints=[f"OOM: {partB_model.value} on {partB_tier.value}"] if partB_oom and partB_result else [],
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
