"""v1.06 Architectures and Their Costs.

Part A: attention's quadratic term (when a token's attention FLOPs overtake the linear
layers, as a function of context vs model width). Part B: mixture of experts, total vs
active parameters (memory holds every expert, a token computes with two). Part C: which
architecture is bound by what (CNN vs dense transformer vs MoE on each tier).

Against the reference lab: its "structural assumption vs data" part graded fixture
quality curves, not physics; it is dropped. Its "2x compute for 2x speed" part becomes
Part C, where the engine's roofline and dispatch overhead name the limit of each
architecture on each tier. Its "what breaks as the input grows" part becomes Part A
(attention FLOPs and the context limit) and Part B's OOM. Recurrent serial dependence
(Amdahl) is not modelled here: the engine has no recurrent workload yet.
"""
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_06.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, ui
    from mlsyslabs.physics.architectures import attention_crossover_context, flops_split_per_token
    from mlsyslabs.physics.errors import PhysicsError

    LAB = get_lab("v1.06")
    TIER_DEVICES = {t: P.get_device(d) for t, d in P.TIER_REFERENCE.items()}
    # Part A: the long-context team's model; contexts the instrument offers (tokens).
    PART_A = dict(model="llama3-8b", context=8192)
    PART_A_MODELS = ["gpt2-small", "bert-base", "tinyllama-1.1b", "llama3-8b", "mistral-7b", "mixtral-8x7b",
                     "llama2-70b"]
    CONTEXTS = [256 * 2 ** k for k in range(10)]
    # log-spaced about 4x apart, round alike: none stands out as the computed one
    PART_A_OPTIONS = {"about 2,000 tokens": 2e3, "about 8,000 tokens": 8e3, "about 30,000 tokens": 3e4,
                      "about 120,000 tokens": 1.2e5}
    # Part B: the serving lead's plan: Mixtral on one cloud GPU, "it is a 13B model".
    PART_B = dict(model="mixtral-8x7b", tier="cloud", precision="fp16", batch=1, context=4096)
    PART_B_MODELS = ["mixtral-8x7b", "deepseek-v2", "deepseek-v3", "llama2-13b", "llama3-8b", "llama3-70b"]
    PART_B_OPTIONS = {"about 1x": 1.0, "about 2x": 2.0, "about 4x": 4.0, "about 8x": 8.0}
    # Part C: three architectures, one cloud GPU, one request at a time.
    PART_C = dict(tier="cloud", precision="fp16", batch=1, context=1024)
    PART_C_MODELS = {"CNN": "resnet50", "dense transformer": "llama3-8b", "mixture of experts": "mixtral-8x7b"}
    PART_C_OPTIONS = {
        "ResNet-50: compute; Llama: memory bandwidth": "compute/memory",
        "Both: compute": "compute/compute",
        "Both: memory bandwidth": "memory/memory",
        "ResNet-50: fixed per-kernel overhead; Llama: memory bandwidth": "overhead/memory",
    }
    BOUND_TEXT = {"compute": "compute", "memory": "memory bandwidth", "overhead": "fixed per-kernel overhead"}
    PRECISIONS = ["fp16", "int8", "int4"]
    U_FLOP = "FLOP"  # a count of floating-point operations (not a rate)


@app.function
def part_a_crossover(model: str = PART_A["model"]) -> float:
    """Context (tokens) at which a token's attention FLOPs equal its linear-layer FLOPs."""
    return attention_crossover_context(model)


@app.function
def part_b_ratio(model: str = PART_B["model"]) -> float:
    """Total / active parameters: the weight memory a token's compute does not pay for."""
    m = P.get_workload(model)
    return m.params / m.active_params


@app.function
def fit_estimate(model: str, tier: str, precision: str, batch: int, context: int):
    """Decode (transformers) or one forward pass (CNNs) on a tier's reference device."""
    m = P.get_workload(model)
    llm = isinstance(m, P.Transformer)
    return P.estimate(m, TIER_DEVICES[tier], phase="decode" if llm else "inference", batch=batch,
                      seq_len=min(context, m.max_context) if llm else 1, precision=precision)


@app.function
def usable_bytes(est) -> float:
    return est.capacity_bytes * est.assumptions["memory_fraction"]


@app.function
def part_c_bounds(tier: str = PART_C["tier"], precision: str = PART_C["precision"], batch: int = PART_C["batch"],
                  context: int = PART_C["context"]) -> dict:
    """The limiting term of each architecture: name -> estimate or the engine's message."""
    out = {}
    for label, model in PART_C_MODELS.items():
        try:
            out[label] = fit_estimate(model, tier, precision, batch, context)
        except PhysicsError as exc:  # e.g. no fp16 arithmetic on a microcontroller
            out[label] = str(exc)
    return out


@app.function
def part_c_answer() -> str:
    b = part_c_bounds()
    return f"{b['CNN'].bound}/{b['dense transformer'].bound}"


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="FLOPs, parameters and bytes per token or image: what each architecture costs and what limits it.",
        parts=["Part A: attention's quadratic term", "Part B: experts in memory, experts in use",
               "Part C: bound by what?"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    ui.section("Part A: Attention's quadratic term", 15)
    return


@app.cell
def _():
    _m = P.get_workload(PART_A["model"])
    ui.stakeholder(
        "Priya Raman",
        "Lead, long-context project",
        f"We serve {_m.name} (width {_m.hidden:,}) and want to raise its context towards "
        f"{_m.max_context:,} tokens. The team says attention is quadratic, so past a couple of thousand tokens "
        "it will eat our compute. Before we buy a special attention kernel: where does attention really take over?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"At what context length does one token's attention cost as many FLOPs as all the linear layers "
        f"(projections, FFN, output head) of {P.get_workload(PART_A['model']).name}?",
        {k: k for k in PART_A_OPTIONS},
    )
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_actual = part_a_crossover()
    _m = P.get_workload(PART_A["model"])
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Iron Law", choice, G.closest_option(PART_A_OPTIONS, partA_actual),
        option_values=PART_A_OPTIONS, actual=partA_actual, unit="tokens",
        explanation=(
            f"A token pays 2 FLOPs per weight it multiplies: {U.fmt_quantity(2 * _m.matmul_params, U_FLOP)} in "
            f"the linear layers, whatever the context. Attention pays "
            f"{U.fmt_number(_m.attention_flops_per_key())} FLOPs per earlier token it looks at. "
            f"They are equal at {U.fmt_number(partA_actual)} tokens: about "
            f"{partA_actual / _m.hidden:.0f}x the model width. Attention is quadratic over a whole sequence, but "
            "the weights dominate until the context is several times the width."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_actual, partA_result


@app.cell
def _():
    partA_model = mo.ui.dropdown(options={P.get_workload(m).name: m for m in PART_A_MODELS},
                                 value=P.get_workload(PART_A["model"]).name, label="Model")
    partA_context = mo.ui.dropdown(options={f"{c:,}": c for c in CONTEXTS}, value=f"{PART_A['context']:,}",
                                   label="Context (tokens)")
    return partA_context, partA_model


@app.cell
def _(partA_context, partA_model):
    _m = P.get_workload(partA_model.value)
    partA_split = flops_split_per_token(_m, partA_context.value)
    partA_cross = attention_crossover_context(_m)
    partA_over_max = partA_context.value > _m.max_context
    return partA_cross, partA_over_max, partA_split


@app.cell
def _(partA_context, partA_cross, partA_model, partA_over_max, partA_result, partA_split):
    mo.stop(partA_result is None, ui.locked("the FLOP split"))
    _m = P.get_workload(partA_model.value)
    _xs = CONTEXTS
    _lin = [flops_split_per_token(_m, c)["linear"] for c in _xs]
    _att = [flops_split_per_token(_m, c)["attention"] for c in _xs]
    _fig = go.Figure([
        go.Scatter(x=_xs, y=_lin, name="linear layers (weights)", mode="lines+markers",
                   line=dict(color=charts.COLOR["data"])),
        go.Scatter(x=_xs, y=_att, name="attention (QK and AV)", mode="lines+markers",
                   line=dict(color=charts.COLOR["compute"])),
    ])
    charts.themed(_fig, title=f"{_m.name}: forward FLOPs per token (log-log)", x="context (tokens)",
                  y="FLOPs per token")
    charts.log_axes(_fig, xs=_xs, ys=_lin + [a for a in _att if a > 0])
    charts.reference_line(_fig, PART_A_OPTIONS[partA_result.choice], f"your prediction: {partA_result.label}",
                          axis="x")
    if partA_cross < _xs[-1] and partA_cross > _xs[0]:
        charts.mark_point(_fig, partA_cross, partA_split["linear"], f"crossover {U.fmt_number(partA_cross)} tokens")
    _cross = (f"{U.fmt_number(partA_cross)} tokens ({partA_cross / _m.hidden:.1f}x width {_m.hidden:,})"
              if partA_cross != float("inf") else "never: every layer's window caps attention below it")
    _share = partA_split["attention_share"]
    _items = [
        mo.hstack([partA_model, partA_context], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("linear layers", U.fmt_quantity(partA_split["linear"], U_FLOP), "per token, any context"),
            ui.metric_card("attention", U.fmt_quantity(partA_split["attention"], U_FLOP),
                           f"per token at {partA_context.value:,} tokens"),
            ui.metric_card("attention share", f"{_share:.0%}", "of the token's forward FLOPs",
                           "warn" if _share > 0.5 else "ok"),
            ui.metric_card("crossover", _cross, "attention = linear layers"),
        ),
    ]
    if partA_over_max:
        _items.append(ui.failure_banner(
            "Beyond the trained context",
            what=f"{_m.name} was trained for {_m.max_context:,} tokens; {partA_context.value:,} is outside it",
            by=f"{partA_context.value - _m.max_context:,} tokens",
            fix="pick a context within the model's limit or a long-context model; the FLOPs above are what it "
                "would cost, not what the model supports",
        ))
    mo.vstack(_items)
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    _m = P.get_workload(PART_A["model"])
    ui.math_peek(
        "linear vs attention FLOPs per token",
        [r"F_\text{linear} = 2\, N_\text{matmul} \approx 2 \cdot 12\, L\, d^2",
         r"F_\text{attn}(n) = 4\, L\, H\, d_h\, n = 4\, L\, d\, n",
         r"F_\text{attn}(n^\ast) = F_\text{linear} \Rightarrow n^\ast = \frac{2 N_\text{matmul}}{4 L H d_h} "
         r"\approx 6\, d"],
        [(f"{_m.name}: layers L, heads H, head dim d_h, width d", f"{_m.layers}, {_m.heads}, {_m.hd}, {_m.hidden}",
          _m.sources[0]),
         ("matmul parameters N (weights a token multiplies)", U.fmt_params(_m.matmul_params),
          "engine: computed from the architecture"),
         ("forward FLOPs 2N + 2 L n d", "2 FLOPs per multiply-accumulate",
          "Kaplan et al. 2020, arXiv:2001.08361, Table 1")],
    )
    return


@app.cell
def _():
    ui.section("Part B: Experts in memory, experts in use", 15)
    return


@app.cell
def _():
    _m = P.get_workload(PART_B["model"])
    _d = TIER_DEVICES[PART_B["tier"]]
    ui.stakeholder(
        "Tomás Lindqvist",
        "Serving lead",
        f"{_m.name} only runs {U.fmt_params(_m.active_params)} parameters per token, so it is really a 13B-class "
        f"model. One {_d.name} with {U.fmt_bytes(_d.memory_bytes)} serves a 13B model in {PART_B['precision']} "
        "comfortably. Let's order one GPU per replica.",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"How many times more parameters must {P.get_workload(PART_B['model']).name} hold in memory than one "
        "token actually computes with (total / active parameters)?",
        {k: k for k in PART_B_OPTIONS},
    )
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_actual = part_b_ratio()
    _m = P.get_workload(PART_B["model"])
    _est = fit_estimate(**PART_B)
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Memory Wall", choice, G.closest_option(PART_B_OPTIONS, partB_actual),
        option_values=PART_B_OPTIONS, actual=partB_actual, unit="x",
        explanation=(
            f"{_m.name} holds {U.fmt_params(_m.params)} parameters and a token uses "
            f"{U.fmt_params(_m.active_params)}: {partB_actual:.1f}x. Not 8x: attention, embeddings and the output "
            f"head are shared, only the FFN is split into {_m.experts} experts (a token uses {_m.active_experts}). "
            f"In {PART_B['precision']} the weights alone are {U.fmt_bytes(_est.weights_bytes)}, more than the "
            f"{U.fmt_bytes(usable_bytes(_est))} usable on the {TIER_DEVICES[PART_B['tier']].name}: memory pays for "
            "every expert, compute for the active ones."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_actual, partB_result


@app.cell
def _():
    # The instruments open on Tomás's plan (so they agree with the reveal).
    partB_model = mo.ui.dropdown(options={P.get_workload(m).name: m for m in PART_B_MODELS},
                                 value=P.get_workload(PART_B["model"]).name, label="Model")
    partB_tier = mo.ui.radio(options={ui.tier_name(t): t for t in ("cloud", "edge")},
                             value=ui.tier_name(PART_B["tier"]), label="Tier", inline=True)
    partB_precision = mo.ui.dropdown(options=PRECISIONS, value=PART_B["precision"], label="Weight precision")
    partB_batch = mo.ui.slider(start=1, stop=64, value=PART_B["batch"], label="Sequences decoded together",
                               show_value=True)
    return partB_batch, partB_model, partB_precision, partB_tier


@app.cell
def _(partB_batch, partB_model, partB_precision, partB_tier):
    partB_est, partB_error = None, None
    try:
        partB_est = fit_estimate(partB_model.value, partB_tier.value, partB_precision.value, partB_batch.value,
                                 PART_B["context"])
    except PhysicsError as _exc:
        partB_error = f"{TIER_DEVICES[partB_tier.value].name} with {partB_precision.value}: {_exc}"
    partB_oom = partB_est is not None and not partB_est.fits
    return partB_error, partB_est, partB_oom


@app.cell
def _(partB_batch, partB_error, partB_est, partB_model, partB_oom, partB_precision, partB_result, partB_tier):
    mo.stop(partB_result is None, ui.locked("the expert ledger"))
    _controls = [mo.hstack([partB_model, partB_precision, partB_tier], wrap=True), partB_batch]
    mo.stop(partB_error is not None,
            mo.vstack(_controls + [ui.banner("warn", "No answer for this combination", str(partB_error))]))
    _m = P.get_workload(partB_model.value)
    _b = P.bytes_per_element(partB_precision.value)
    _usable = usable_bytes(partB_est)
    _device = TIER_DEVICES[partB_tier.value].name
    _read = partB_est.bytes_moved - partB_est.kv_cache_bytes  # weights read per decode step
    _fig = go.Figure(go.Bar(
        x=["active per token", "read per step (this batch)", "held in memory"],
        y=[_m.active_params * _b, _read, partB_est.weights_bytes],
        marker_color=[charts.COLOR["compute"], charts.COLOR["alternative"], charts.COLOR["data"]],
        text=[U.fmt_bytes(v) for v in (_m.active_params * _b, _read, partB_est.weights_bytes)],
        textposition="outside",
    ))
    charts.themed(_fig, title=f"{_m.name}: weight bytes, {partB_precision.value} (log scale)", y="bytes")
    _pred = _m.active_params * _b * PART_B_OPTIONS[partB_result.choice]
    charts.log_axes(_fig, ys=[_m.active_params * _b, partB_est.weights_bytes, _pred, _usable], pad=0.6)
    charts.reference_line(_fig, _pred, f"your prediction: held = {partB_result.label} active")
    charts.reference_line(_fig, _usable, f"usable on the {_device}", color=charts.COLOR["limit"], dash="dot")
    _banner = (
        ui.failure_banner(
            "OOM",
            what=f"{_m.name} needs {U.fmt_bytes(partB_est.memory_bytes)} but the {_device} has "
                 f"{U.fmt_bytes(_usable)} usable",
            by=f"{U.fmt_bytes(partB_est.memory_bytes - _usable)} "
               f"({U.fmt_ratio(partB_est.memory_bytes / _usable)} the budget)",
            fix="quantise the weights, shard across more GPUs, or choose a smaller model",
        )
        if partB_oom
        else ui.banner("ok", "Fits", f"{U.fmt_bytes(partB_est.memory_bytes)} of {U.fmt_bytes(_usable)} usable "
                                     f"on the {_device} ({partB_est.memory_bytes / _usable:.0%}).")
    )
    mo.vstack(_controls + [
        _fig,
        ui.cards(
            ui.metric_card("total parameters", U.fmt_params(_m.params), f"{U.fmt_bytes(partB_est.weights_bytes)}"),
            ui.metric_card("active per token", U.fmt_params(_m.active_params),
                           f"{U.fmt_ratio(_m.params / _m.active_params)} fewer than held"),
            ui.metric_card("weights read per step", U.fmt_bytes(_read),
                           f"{partB_batch.value} sequence(s) touch {_read / partB_est.weights_bytes:.0%} of them"),
            ui.metric_card("time per decode step", U.fmt_seconds(partB_est.step_time_s),
                           f"bound: {BOUND_TEXT[partB_est.bound]}"),
            ui.metric_card("footprint", U.fmt_bytes(partB_est.memory_bytes), f"usable {U.fmt_bytes(_usable)}",
                           "fail" if partB_oom else "ok"),
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
        "total vs active parameters",
        [r"N_\text{total} = N_\text{shared} + L\, E\, N_\text{expert}, \quad "
         r"N_\text{active} = N_\text{shared} + L\, k\, N_\text{expert}",
         r"\text{memory} \propto N_\text{total}\, b, \qquad \text{FLOPs per token} \approx 2\, N_\text{active}",
         r"\text{experts read per step} = E\left(1 - (1 - k/E)^{B}\right)"],
        [(f"{_m.name}: experts E, active k, layers L", f"{_m.experts}, {_m.active_experts}, {_m.layers}",
          _m.sources[0]),
         ("total / active parameters", f"{U.fmt_params(_m.params)} / {U.fmt_params(_m.active_params)}",
          "engine: computed from the architecture"),
         ("usable memory fraction", f"{P.DEFAULT_MEMORY_FRACTION:.0%}", "engine default: runtime reserve")],
    )
    return


@app.cell
def _():
    ui.section("Part C: Bound by what?", 12)
    return


@app.cell
def _():
    _d = TIER_DEVICES[PART_C["tier"]]
    ui.stakeholder(
        "Amara Nwosu",
        "Inference platform manager",
        f"Our {_d.name} fleet serves a vision model (ResNet-50) and a chat model (Llama 3 8B), one request at a "
        f"time. The vendor offers a card with twice the FLOP/s. Which of the two would it speed up?",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"On the {TIER_DEVICES[PART_C['tier']].name} at batch {PART_C['batch']} in {PART_C['precision']}, what "
        "limits one ResNet-50 image and one Llama 3 8B decode token?",
        PART_C_OPTIONS,
    )
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_answer = part_c_answer()
    _b = part_c_bounds()
    _cnn, _llm = _b["CNN"], _b["dense transformer"]
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Roofline", choice, partC_answer,
        explanation=(
            f"ResNet-50 does {U.fmt_number(_cnn.arithmetic_intensity)} FLOPs per byte moved, Llama decode "
            f"{U.fmt_number(_llm.arithmetic_intensity)}: a convolution reuses each weight at every pixel, a decode "
            f"token uses each weight once. The CNN's math takes microseconds, so its "
            f"{U.fmt_seconds(_cnn.step_time_s)} per image is mostly the fixed cost of launching its kernels "
            f"({U.fmt_seconds(_cnn.overhead_s)}); Llama waits on reading "
            f"{U.fmt_bytes(_llm.bytes_moved)} per token. Twice the FLOP/s speeds up neither at batch 1."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_answer, partC_result


@app.cell
def _():
    partC_tier = mo.ui.radio(options={ui.tier_name(t): t for t in P.TIER_REFERENCE},
                             value=ui.tier_name(PART_C["tier"]), label="Tier", inline=True)
    partC_precision = mo.ui.dropdown(options=PRECISIONS, value=PART_C["precision"], label="Precision")
    partC_batch = mo.ui.slider(start=1, stop=256, value=PART_C["batch"], label="Batch (images or sequences)",
                               show_value=True)
    return partC_batch, partC_precision, partC_tier


@app.cell
def _(partC_batch, partC_precision, partC_tier):
    partC_bounds = part_c_bounds(partC_tier.value, partC_precision.value, partC_batch.value)
    partC_oom = [k for k, e in partC_bounds.items() if not isinstance(e, str) and not e.fits]
    return partC_bounds, partC_oom


@app.cell
def _(partC_batch, partC_bounds, partC_oom, partC_precision, partC_result, partC_tier):
    mo.stop(partC_result is None, ui.locked("the roofline comparison"))
    _d = TIER_DEVICES[partC_tier.value]
    _controls = mo.hstack([partC_tier, partC_precision, partC_batch], wrap=True)
    _ok = {k: e for k, e in partC_bounds.items() if not isinstance(e, str)}
    _items = [_controls]
    for _k, _e in partC_bounds.items():
        if isinstance(_e, str):
            _items.append(ui.banner("warn", f"{_k}: no answer on the {_d.name}", _e))
    if _ok:
        _ridge = _d.peak(partC_precision.value) / _d.memory_bw
        _fig = go.Figure(go.Bar(
            x=[charts.two_lines(k, P.get_workload(PART_C_MODELS[k]).name) for k in _ok],
            y=[e.arithmetic_intensity for e in _ok.values()],
            marker_color=[charts.COLOR["compute"] if e.bound == "compute" else
                          charts.COLOR["data"] if e.bound == "memory" else charts.COLOR["neutral"]
                          for e in _ok.values()],
            text=[f"{U.fmt_number(e.arithmetic_intensity)} FLOP/byte: {BOUND_TEXT[e.bound]}" for e in _ok.values()],
            textposition="outside",
        ))
        charts.themed(_fig, title=f"Arithmetic intensity on the {_d.name} (log scale)", y="FLOPs per byte moved")
        charts.log_axes(_fig, ys=[e.arithmetic_intensity for e in _ok.values()] + [_ridge], pad=0.8)
        charts.reference_line(_fig, _ridge, f"ridge point {U.fmt_number(_ridge)} FLOP/byte",
                              color=charts.COLOR["limit"], dash="dot")
        if "CNN" in _ok:
            _guess = partC_result.choice.split("/")[0]
            charts.mark_point(_fig, charts.two_lines("CNN", P.get_workload(PART_C_MODELS["CNN"]).name),
                              _ok["CNN"].arithmetic_intensity, f"your prediction: {BOUND_TEXT[_guess]}")
        _items.append(_fig)
        _items.append(ui.cards(*[
            ui.metric_card(k, BOUND_TEXT[e.bound],
                           f"{U.fmt_seconds(e.step_time_s)} per step, {U.fmt_bytes(e.memory_bytes)} resident"
                           + ("" if e.fits else ": does not fit"),
                           "fail" if not e.fits else "ok") for k, e in _ok.items()]))
    if partC_oom:
        _e = partC_bounds[partC_oom[0]]
        _items.append(ui.failure_banner(
            "OOM",
            what=f"{', '.join(partC_oom)} does not fit the {_d.name} ({U.fmt_bytes(usable_bytes(_e))} usable)",
            by=f"{U.fmt_bytes(_e.memory_bytes - usable_bytes(_e))} for the {partC_oom[0]}",
            fix="lower the precision or the batch, or move up a tier",
        ))
    mo.vstack(_items)
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    _d = TIER_DEVICES[PART_C["tier"]]
    ui.math_peek(
        "roofline with a fixed overhead",
        [r"t = \max\left(\frac{F}{P_\text{peak}\, \eta_c},\ \frac{Q}{B\, \eta_m}\right) + t_\text{overhead}",
         r"I = \frac{F}{Q}, \qquad \text{compute-bound} \iff I > \frac{P_\text{peak}\,\eta_c}{B\,\eta_m}"],
        [(f"{_d.name} peak ({PART_C['precision']})", U.fmt_quantity(_d.peak(PART_C["precision"]), "FLOP/s"),
          _d.sources[0]),
         (f"{_d.name} memory bandwidth", U.fmt_quantity(_d.memory_bw, "B/s"), _d.sources[0]),
         ("efficiencies and per-kernel overhead", "by device class", "engine: physics/efficiency.py")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result):
    ui.takeaways(
        [
            "A token's linear layers cost 2 FLOPs per weight at any context; attention adds about 4 x width FLOPs "
            "per layer per earlier token, so it overtakes the weights only near 6-7x the model width.",
            "A mixture of experts holds every expert in memory but computes with a few: size the memory by total "
            "parameters, the compute by active ones, and expect a batch to read most experts.",
            "Arithmetic intensity decides the limit: a CNN reuses weights across pixels, a decoding transformer "
            "uses each weight once per token; at batch 1 a small CNN on a big GPU waits on kernel launches.",
        ],
        [
            ("At which context does GPT-2 small's attention match its linear layers?",
             f"About {U.fmt_number(attention_crossover_context('gpt2-small'))} tokens: "
             f"{attention_crossover_context('gpt2-small') / P.get_workload('gpt2-small').hidden:.1f}x its width, "
             f"past its {P.get_workload('gpt2-small').max_context:,}-token limit."),
            ("Does a batch of 16 sequences read more of Mixtral's experts than one?",
             "Yes: each sequence picks 2 of 8 per layer, so 16 touch nearly all of them."),
        ],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Tomás needs to know how many GPUs a Mixtral replica takes and whether faster FLOP/s helps. "
                     "Write him a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    memo_form,
    partA_actual,
    partA_context,
    partA_model,
    partA_over_max,
    partA_result,
    partB_actual,
    partB_batch,
    partB_est,
    partB_model,
    partB_oom,
    partB_precision,
    partB_result,
    partB_tier,
    partC_answer,
    partC_batch,
    partC_oom,
    partC_precision,
    partC_result,
    partC_tier,
):
    _hits = []
    if partA_result and partA_over_max:
        _hits.append(f"Context: {partA_context.value} tokens beyond {partA_model.value}'s limit")
    if partB_result and partB_oom:
        _hits.append(f"OOM: {partB_model.value} {partB_precision.value} on {partB_tier.value}")
    if partC_result and partC_oom:
        _hits.append(f"OOM: {', '.join(partC_oom)} on {partC_tier.value}")
    lab_record = build_record(
        context=None,
        results=[partA_result, partB_result, partC_result],
        decisions={"attention_model": partA_model.value, "context_tokens": partA_context.value,
                   "moe_model": partB_model.value, "precision": partB_precision.value, "tier": partB_tier.value,
                   "batch": partB_batch.value, "roofline_tier": partC_tier.value,
                   "roofline_precision": partC_precision.value, "roofline_batch": partC_batch.value},
        outcomes={"attention_crossover_tokens": partA_actual, "moe_total_to_active": partB_actual,
                  "cnn_llm_bounds": partC_answer,
                  "moe_footprint_bytes": partB_est.memory_bytes if partB_est else None},
        constraints=_hits,
        memo=memo_form.value,
    )
    lab_status = lab.save(lab_record)
    return lab_record, lab_status


@app.cell
def _(lab_record, lab_status):
    ui.lab_footer(LAB.id, lab_record, lab_status, of=3)
    return


if __name__ == "__main__":
    app.run()
