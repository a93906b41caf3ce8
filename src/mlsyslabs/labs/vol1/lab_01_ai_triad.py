import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_01.py).
    import math

    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui

    LAB = get_lab("v1.01")
    LAW = P.CHINCHILLA
    TRAIN_DEVICE = P.get_device("h100-sxm")  # the GPUs MedVision rents for training
    PRICE_SOURCE = next(s for s in TRAIN_DEVICE.sources if "price" in s)
    # MedVision's clinical-notes model today: the story's numbers, not constants.
    BASE = dict(params=1e9, tokens=1e9)
    # Part A: infra's proposal, 4x GPUs spent on a 4x larger model, same (stale) notes.
    PART_A = dict(gpu_multiplier=4, data_multiplier=1)
    # share of today's reducible loss removed (%); options log-spaced alike
    PART_A_OPTIONS = {"about 75%": 75.0, "about 40%": 40.0, "about 20%": 20.0, "about 8%": 8.0}
    # Part B: Tomás's bet, read on today's model: the model-size term's share of the reducible loss (%).
    PART_B_OPTIONS = {"about 80%": 80.0, "about 50%": 50.0, "about 20%": 20.0, "about 5%": 5.0}
    # Part C: the hospitals' on-premise box; data is abundant there (a 2 T-token corpus).
    PART_C = dict(tier="edge", precision="int8", target_loss=1.95, tokens=2e12)
    PART_C_OPTIONS = {"Data": "data", "Algorithm (model size)": "algorithm", "Machine (memory)": "machine"}
    # Part D: the CFO's budget, the price of curated notes, rented training GPUs at a stated MFU.
    PART_D = dict(budget_usd=1e6, data_cost_per_token=5e-4, mfu=0.4, target_loss=2.9)
    PART_D_MFU_SOURCE = "scenario: Llama 3 405B pre-training reported 38-43% MFU (Meta, 2024)"
    PART_D_OPTIONS = {"300M": 3e8, "3B": 3e9, "30B": 3e10}
    # Part D instrument: model sizes on offer and data prices to explore (USD per token).
    PART_D_SIZES = [1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e11, 3e11, 1e12]
    PART_D_PRICES = [5e-4, 5e-5, 5e-6, 0.0]


@app.function
def loss_text(loss: float) -> str:
    """A loss in nats per token, to the 4 significant figures the comparisons need."""
    return f"{U.fmt_number(loss, 4)} nats/token"


@app.function
def pct(x: float) -> str:
    return f"{U.fmt_number(x, 3)}%"


@app.function
def usd(x: float) -> str:
    return f"{U.fmt_number(x, 3)} USD"


@app.function
def count(n: float, what: str) -> str:
    """'1 B parameters', '2 T tokens': counts the way model cards write them (beyond
    999 T, as thousands of T rather than in scientific notation)."""
    shown = U.fmt_params(n) if abs(n) < 999.5e12 else f"{U.fmt_number(n / 1e12, 3)} T"
    return f"{shown} {what}".strip()


@app.function
def power_of_ten(x: float) -> str:
    """'6.0 × 10¹⁸': a magnitude beyond the SI prefixes people read at a glance."""
    mantissa, exp = f"{x:.1e}".split("e")  # rounded first, so 9.99e20 reads 1 × 10²¹
    sup = str(int(exp)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{U.fmt_number(float(mantissa), 2)} × 10{sup}"


@app.function
def reducible(params: float, tokens: float) -> float:
    """The loss above the irreducible floor E: what more parameters or data can remove."""
    return LAW.loss(params, tokens) - LAW.E


@app.function
def removed_pct(gpu_multiplier: float, data_multiplier: float) -> float:
    """Share (%) of today's reducible loss removed by a model gpu_multiplier x larger
    (the extra GPUs spent on size) trained on data_multiplier x more fresh tokens."""
    n, d = BASE["params"], BASE["tokens"]
    return 100.0 * (1.0 - reducible(n * gpu_multiplier, d * data_multiplier) / reducible(n, d))


@app.function
def part_a_actual() -> float:
    return removed_pct(**PART_A)


@app.function
def model_term_share_pct(params: float, tokens: float) -> float:
    """The model-size term's share (%) of the reducible loss: the most any larger model
    could remove at these tokens (the rest is the data term, untouched by size)."""
    _, model_t, data_t = LAW.terms(params, tokens)
    return 100.0 * model_t / (model_t + data_t)


@app.function
def part_b_actual() -> float:
    return model_term_share_pct(BASE["params"], BASE["tokens"])


@app.function
def deployment_check(tier: str, precision: str, target_loss: float, tokens: float) -> dict:
    """Parameters the target loss needs at `tokens` (inf: data and the floor alone exceed
    it) against the largest model whose weights fit the tier's reference device."""
    need = LAW.params_for_loss(target_loss, tokens)
    fit = P.max_params_that_fit(P.TIER_REFERENCE[tier], precision)
    if math.isinf(need):
        binding = "data"
    else:
        dam = P.dam_diagnosis(need, tokens, max_params_that_fit=fit)
        binding = "machine" if dam.machine == "binding" else "data" if dam.data == "binding" else "algorithm"
    return dict(need=need, fit=fit, oom=need > fit and not math.isinf(need), data_binds=math.isinf(need),
                binding=binding, floor=LAW.E + LAW.B / tokens**LAW.beta)


@app.function
def part_c_check() -> dict:
    return deployment_check(**PART_C)


@app.function
def training_plan(params: float, spend_usd: float, data_cost_per_token: float) -> dict:
    """A training run of `params` parameters that spends `spend_usd` on rented GPU time
    and curated tokens: the tokens it buys, the share of compute in its cost, its loss."""
    cost = dict(gpu_price_per_hour=TRAIN_DEVICE.price_per_hour, peak_flops=TRAIN_DEVICE.peak("bf16"),
                mfu=PART_D["mfu"])
    tokens = P.tokens_affordable(spend_usd, params, data_cost_per_token=data_cost_per_token, **cost)
    compute_usd = P.training_cost_usd(params, tokens, **cost)
    return dict(params=params, tokens=tokens, cost_usd=compute_usd + tokens * data_cost_per_token,
                compute_usd=compute_usd, compute_share=compute_usd / spend_usd, loss=LAW.loss(params, tokens))


@app.function
def part_d_losses(data_cost_per_token: float = PART_D["data_cost_per_token"]) -> dict:
    """Loss of each offered size when the whole budget is spent (compute, then tokens)."""
    return {k: training_plan(n, PART_D["budget_usd"], data_cost_per_token)["loss"] for k, n in PART_D_OPTIONS.items()}


@app.function
def part_d_answer(data_cost_per_token: float = PART_D["data_cost_per_token"]) -> str:
    losses = part_d_losses(data_cost_per_token)
    return min(losses, key=losses.get)


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="Data, Algorithm, Machine: find the one that binds before spending money on any of them.",
        parts=["Part A: 4x GPUs?", "Part B: which term binds", "Part C: the edge box", "Part D: spend the budget"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    mo.md(f"""
    A model's quality is set by three things: the **Data** it learns from, the
    **Algorithm** (here, the model's size), and the **Machine** it trains and runs on.
    This lab uses the scaling law fitted by Hoffmann et al. (2022): the loss falls
    with more parameters and with more training tokens, towards a floor of
    {loss_text(LAW.E)} that nothing removes. Commit each prediction to unlock its instruments.
    """)
    return


@app.cell
def _():
    ui.section("Part A: Will 4x GPUs help?", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Dr. Priya Mehta",
        "Head of ML, MedVision Health",
        f"Our clinical-notes model ({count(BASE['params'], 'parameters')}, trained on "
        f"{count(BASE['tokens'], 'tokens')} of notes that are now 18 months old) lost 8% accuracy. Infra wants "
        f"{PART_A['gpu_multiplier']}x the GPUs to train a {PART_A['gpu_multiplier']}x larger model on the same notes. "
        "The data team wants fresh notes instead. Who is right?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"A {PART_A['gpu_multiplier']}x larger model on the same notes: what share of today's reducible loss "
        f"(the loss above the floor of {U.fmt_number(LAW.E, 3)} nats/token) does it remove?",
        {k: k for k in PART_A_OPTIONS},
    )
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_actual = part_a_actual()
    partA_data_pct = removed_pct(1, PART_A["gpu_multiplier"])
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Amdahl", choice, G.closest_option(PART_A_OPTIONS, partA_actual),
        option_values=PART_A_OPTIONS, actual=partA_actual, unit="%",
        explanation=(
            f"A {PART_A['gpu_multiplier']}x larger model shrinks only the model-size term A/N^α, by "
            f"{U.fmt_ratio(PART_A['gpu_multiplier'] ** LAW.alpha)}; the data term is untouched, so the loss falls from "
            f"{loss_text(LAW.loss(BASE['params'], BASE['tokens']))} to "
            f"{loss_text(LAW.loss(BASE['params'] * PART_A['gpu_multiplier'], BASE['tokens']))}. This is Amdahl's "
            f"law: the part you do not improve caps the gain. {PART_A['gpu_multiplier']}x fresh tokens would remove "
            f"{pct(partA_data_pct)} instead, and only fresh notes fix 18 months of drift."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_actual, partA_data_pct, partA_result


@app.cell
def _():
    # The instruments open on infra's proposal (so they agree with the reveal).
    partA_gpus = mo.ui.slider(1, 16, value=PART_A["gpu_multiplier"], label="GPU multiplier (spent on model size)",
                              show_value=True)
    partA_data = mo.ui.slider(1, 16, value=PART_A["data_multiplier"], label="Fresh-data multiplier (tokens)",
                              show_value=True)
    return partA_data, partA_gpus


@app.cell
def _(partA_data, partA_gpus):
    partA_removed = removed_pct(partA_gpus.value, partA_data.value)
    return (partA_removed,)


@app.cell
def _(partA_data, partA_gpus, partA_removed, partA_result):
    mo.stop(partA_result is None, ui.locked("the scaling-law levers"))
    _k = list(range(1, 17))
    _mix = partA_gpus.value * partA_data.value
    _fig = go.Figure()
    _fig.add_trace(go.Scatter(x=_k, y=[removed_pct(k, 1) for k in _k], mode="lines+markers",
                              name="all extra compute on model size", line_color=charts.COLOR["series"]))
    _fig.add_trace(go.Scatter(x=_k, y=[removed_pct(1, k) for k in _k], mode="lines+markers",
                              name="all extra compute on fresh data", line_color=charts.COLOR["alternative"]))
    _fig.add_trace(go.Scatter(x=[_mix], y=[partA_removed], mode="markers+text", name="your mix",
                              text=[pct(partA_removed)], textposition="top center",
                              marker=dict(size=14, symbol="diamond", color=charts.COLOR["neutral"])))
    charts.themed(_fig, title="Share of today's reducible loss removed, by where the extra compute goes",
                  x="training compute multiplier (6 N D, log scale)", y="reducible loss removed (%)", height=400)
    charts.log_axes(_fig, xs=[1, max(16, _mix)], pad=0.1)
    _ticks = [2**i for i in range(9) if 2**i <= max(16, _mix)]
    _fig.update_xaxes(tickvals=_ticks, ticktext=[f"{t}x" for t in _ticks])
    _fig.update_yaxes(range=[0, 100])
    charts.reference_line(_fig, PART_A_OPTIONS[partA_result.choice],
                          f"your prediction for {PART_A['gpu_multiplier']}x GPUs: {partA_result.label}")
    _now = LAW.loss(BASE["params"], BASE["tokens"])
    _mixed = LAW.loss(BASE["params"] * partA_gpus.value, BASE["tokens"] * partA_data.value)
    mo.vstack([
        mo.hstack([partA_gpus, partA_data], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("loss today", loss_text(_now),
                           f"{count(BASE['params'], 'parameters')}, {count(BASE['tokens'], 'tokens')}"),
            ui.metric_card("loss with this mix", loss_text(_mixed),
                           f"{partA_gpus.value}x model size, {partA_data.value}x fresh tokens"),
            ui.metric_card("reducible loss removed", pct(partA_removed), f"training compute {U.fmt_ratio(_mix)}"),
        ),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "the scaling law",
        [r"L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}}",
         r"\text{removed} = 1 - \frac{L(kN, D) - E}{L(N, D) - E}",
         r"C_\text{train} \approx 6\, N\, D \ \text{FLOP}"],
        [("E (irreducible floor)", f"{LAW.E} nats/token", LAW.source),
         ("A, α (model-size term)", f"{LAW.A}, {LAW.alpha}", LAW.source),
         ("B, β (data term)", f"{LAW.B}, {LAW.beta}", LAW.source),
         ("6 FLOP per parameter per token", "2 forward + 4 backward", "Kaplan et al. 2020")],
    )
    return


@app.cell
def _():
    ui.section("Part B: Which term binds?", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Tomás Ruiz",
        "Research scientist",
        "The loss has three terms: the irreducible floor, a model-size term and a data term. I bet model size is "
        "what holds our model back. Give me a big enough model and the reducible loss disappears.",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"For {count(BASE['params'], 'parameters')} on {count(BASE['tokens'], 'tokens')}: what share of the "
        "reducible loss is the model-size term A/N^α, the most that any larger model could ever remove?",
        {k: k for k in PART_B_OPTIONS},
    )
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_actual = part_b_actual()
    _e, _mt, _dt = LAW.terms(BASE["params"], BASE["tokens"])
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Amdahl", choice, G.closest_option(PART_B_OPTIONS, partB_actual),
        option_values=PART_B_OPTIONS, actual=partB_actual, unit="%",
        explanation=(
            f"Model-size term {U.fmt_number(_mt, 3)}, data term {U.fmt_number(_dt, 3)} nats/token: even an infinite "
            f"model removes at most {pct(partB_actual)} of the reducible loss, Amdahl's ceiling. "
            f"{U.fmt_number(BASE['tokens'] / BASE['params'], 2)} token per parameter is far below the "
            f"~{U.fmt_number(P.CHINCHILLA_TOKENS_PER_PARAM, 2)} of compute-optimal training (Hoffmann et al. 2022): "
            "the model is starved of data, so Data binds."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_actual, partB_result


@app.cell
def _():
    # Opens on today's model (so the explorer agrees with the reveal).
    partB_logn = mo.ui.slider(8.0, 12.0, step=0.1, value=math.log10(BASE["params"]), label="log10 parameters N",
                              show_value=True)
    partB_logd = mo.ui.slider(8.0, 13.0, step=0.1, value=math.log10(BASE["tokens"]), label="log10 training tokens D",
                              show_value=True)
    return partB_logd, partB_logn


@app.cell
def _(partB_logd, partB_logn):
    partB_params, partB_tokens = 10**partB_logn.value, 10**partB_logd.value
    partB_share = model_term_share_pct(partB_params, partB_tokens)
    partB_dam = P.dam_diagnosis(partB_params, partB_tokens)
    return partB_dam, partB_params, partB_share, partB_tokens


@app.cell
def _(partB_dam, partB_logd, partB_logn, partB_params, partB_result, partB_share, partB_tokens):
    mo.stop(partB_result is None, ui.locked("the term explorer"))
    _e, _mt, _dt = LAW.terms(partB_params, partB_tokens)
    _fig = go.Figure(go.Bar(
        x=["model-size term A/N^α", "data term B/D^β"], y=[partB_share, 100 - partB_share],
        marker_color=[charts.COLOR["series"], charts.COLOR["alternative"]],
        text=[f"{pct(partB_share)} ({U.fmt_number(_mt, 3)} nats)",
              f"{pct(100 - partB_share)} ({U.fmt_number(_dt, 3)} nats)"],
        textposition="outside", name="share of the reducible loss"))
    charts.themed(_fig, title=f"Reducible loss at N = {count(partB_params, 'parameters')}, "
                              f"D = {count(partB_tokens, 'tokens')}", y="share of the reducible loss (%)", height=380)
    _fig.update_yaxes(range=[0, 115])
    charts.reference_line(_fig, PART_B_OPTIONS[partB_result.choice],
                          f"your prediction: model-size term {partB_result.label}")
    _compute = P.training_flops(partB_params, partB_tokens)
    _n_opt, _d_opt = LAW.compute_optimal(_compute)
    _status = {"binding": "fail", "adequate": "ok", "surplus": "info"}
    mo.vstack([
        mo.hstack([partB_logn, partB_logd], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("loss", loss_text(LAW.loss(partB_params, partB_tokens)),
                           f"floor {U.fmt_number(_e, 3)} + model {U.fmt_number(_mt, 3)} + data {U.fmt_number(_dt, 3)}"),
            ui.metric_card("tokens per parameter", U.fmt_number(partB_tokens / partB_params, 3),
                           f"rule of thumb ~{U.fmt_number(P.CHINCHILLA_TOKENS_PER_PARAM, 2)}"),
            ui.metric_card("training compute", f"{power_of_ten(_compute)} FLOP", "6 N D"),
            ui.metric_card("compute-optimal split of the same FLOP",
                           f"{count(_n_opt, 'parameters')}, {count(_d_opt, 'tokens')}",
                           f"loss {loss_text(LAW.loss(_n_opt, _d_opt))}"),
        ),
        ui.cards(*[ui.metric_card(name, getattr(partB_dam, key), "", _status[getattr(partB_dam, key)])
                   for name, key in (("Data", "data"), ("Algorithm (model size)", "algorithm"),
                                     ("Machine (no device limit in this part)", "machine"))]),
        mo.md(f"D-A-M diagnostic: {partB_dam.explanation}."),
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "which term binds",
        [r"\text{share}_\text{model} = \frac{A / N^{\alpha}}{A / N^{\alpha} + B / D^{\beta}}",
         r"N^*, D^* = \arg\min_{6ND = C} L(N, D)"],
        [("A, α", f"{LAW.A}, {LAW.alpha}", LAW.source), ("B, β", f"{LAW.B}, {LAW.beta}", LAW.source),
         ("compute-optimal rule of thumb", f"~{U.fmt_number(P.CHINCHILLA_TOKENS_PER_PARAM, 2)} tokens per parameter",
          "Hoffmann et al. 2022, Approaches 1-2 (the eq. 10 fit above puts the optimum higher)")],
    )
    return


@app.cell
def _():
    ui.section("Part C: The same question at the edge", 10)
    return


@app.cell
def _():
    _device = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    ui.stakeholder(
        "Dr. Priya Mehta",
        "Head of ML, MedVision Health",
        f"Hospitals want our best model on-premise, on an {_device.name} box ({U.fmt_bytes(_device.memory_bytes)}), "
        f"in {PART_C['precision']}. There we have plenty of data: a corpus of {count(PART_C['tokens'], 'tokens')}. "
        f"Reaching loss {U.fmt_number(PART_C['target_loss'], 3)} takes about "
        f"{count(LAW.params_for_loss(PART_C['target_loss'], PART_C['tokens']), 'parameters')}. What limits us there?",
    )
    return


@app.cell
def _():
    _device = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    partC_prediction = ui.choice_prediction(
        f"On the {_device.name} ({U.fmt_bytes(_device.memory_bytes)}, {PART_C['precision']}), which of Data, "
        "Algorithm and Machine binds?",
        PART_C_OPTIONS,
    )
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_answer = part_c_check()
    _device = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Memory Wall", choice, partC_answer["binding"],
        explanation=(
            f"The target needs {count(partC_answer['need'], 'parameters')}; in {PART_C['precision']} "
            f"({U.fmt_number(P.bytes_per_element(PART_C['precision']), 2)} byte per parameter) the "
            f"{U.fmt_bytes(_device.memory_bytes)} board holds at most {count(partC_answer['fit'], 'parameters')} "
            f"of weights in its usable {U.fmt_number(P.DEFAULT_MEMORY_FRACTION * 100, 2)}%. With data abundant, the "
            "machine's memory binds: the same question has a different answer on a different tier."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_answer, partC_result


@app.cell
def _():
    # Opens on the hospitals' box, precision and target (so it agrees with the reveal).
    partC_tier = mo.ui.radio({ui.tier_name(t): t for t in P.TIER_REFERENCE}, value=ui.tier_name(PART_C["tier"]),
                             label="Deploy on", inline=True)
    partC_precision = mo.ui.dropdown(["bf16", "int8", "int4"], value=PART_C["precision"], label="Weight precision")
    partC_target = mo.ui.slider(1.80, 2.50, step=0.01, value=PART_C["target_loss"], label="Target loss (nats/token)",
                                show_value=True)
    return partC_precision, partC_target, partC_tier


@app.cell
def _(partC_precision, partC_target, partC_tier):
    partC_error = None
    try:
        partC_check = deployment_check(partC_tier.value, partC_precision.value, partC_target.value, PART_C["tokens"])
    except P.PhysicsError as _exc:
        partC_check, partC_error = None, str(_exc)
    partC_oom = bool(partC_check and partC_check["oom"])
    return partC_check, partC_error, partC_oom


@app.cell
def _(ledger, partC_check, partC_error, partC_precision, partC_result, partC_target, partC_tier):
    mo.stop(partC_result is None, ui.locked("the deployment check"))
    _controls = mo.hstack([partC_tier, partC_precision, partC_target], wrap=True)
    if partC_check is None:
        _out = mo.vstack([_controls, ui.banner("warn", "No answer from the engine", partC_error)])
    else:
        _need, _fit = partC_check["need"], partC_check["fit"]
        _device = P.get_device(P.TIER_REFERENCE[partC_tier.value])
        _home = home_context(ledger, None)
        if partC_check["data_binds"]:
            _banner = ui.failure_banner(
                "Data binds",
                what=f"no model size reaches loss {U.fmt_number(partC_target.value, 3)} on "
                     f"{count(PART_C['tokens'], 'tokens')}",
                by=f"{U.fmt_number(partC_check['floor'] - partC_target.value, 2)} nats/token: the floor plus the data "
                   f"term is already {U.fmt_number(partC_check['floor'], 4)}",
                fix="relax the target or gather more data; parameters cannot get there")
        elif partC_check["oom"]:
            _banner = ui.failure_banner(
                "OOM",
                what=f"a model of {count(_need, 'parameters')} on the {_device.name} in {partC_precision.value}",
                by=f"{U.fmt_ratio(_need / _fit)} the parameters that fit "
                   f"({count(_need - _fit, 'parameters')} too many)",
                fix="lower the precision, relax the target, or serve from a bigger tier")
        else:
            _banner = ui.banner("ok", "Fits", f"the model needs {pct(100 * _need / _fit)} of the largest model that "
                                              f"fits the {_device.name} in {partC_precision.value}")
        _best = LAW.loss(_fit, PART_C["tokens"])
        _dam = {"data": "Data", "algorithm": "Algorithm (model size)", "machine": "Machine (memory)"}
        _panel = []
        for _t in P.TIER_REFERENCE:
            _f = P.max_params_that_fit(P.TIER_REFERENCE[_t], partC_precision.value)
            _panel.append(dict(
                tier=_t,
                title=P.get_device(P.TIER_REFERENCE[_t]).name + (" (your home tier)" if _t == _home else ""),
                lines=[f"holds up to {count(_f, 'parameters')} in {partC_precision.value}",
                       f"best loss here: {loss_text(LAW.loss(_f, PART_C['tokens']))}"],
                status="warn" if partC_check["data_binds"] else "ok" if _f >= _need else "fail"))
        _out = mo.vstack([
            _controls,
            ui.cards(
                ui.metric_card("parameters needed", "unbounded" if partC_check["data_binds"] else count(_need, ""),
                               f"for loss {U.fmt_number(partC_target.value, 3)} on "
                               f"{count(PART_C['tokens'], 'tokens')}"),
                ui.metric_card("largest that fits", count(_fit, ""), f"{_device.name}, {partC_precision.value}",
                               "fail" if partC_check["oom"] else "ok"),
                ui.metric_card("best loss on this device", loss_text(_best), "largest model that fits, abundant data"),
            ),
            _banner,
            ui.cards(*[ui.metric_card(
                label, "binding" if partC_check["binding"] == key else "not binding",
                "your prediction" if partC_result.choice == key else "",
                "fail" if partC_check["binding"] == key else "ok") for key, label in _dam.items()]),
            ui.tier_panel(_panel),
        ])
    _out
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    _device = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    ui.math_peek(
        "what fits",
        [r"N_\text{needed} = \left(\frac{A}{L^{*} - E - B / D^{\beta}}\right)^{1/\alpha}",
         r"N_\text{fit} = \frac{C \cdot f_\text{usable}}{b_w}",
         r"\text{Machine binds} \iff N_\text{needed} > N_\text{fit}"],
        [(f"C: {_device.name} memory", U.fmt_bytes(_device.memory_bytes), _device.sources[0]),
         ("usable fraction f", pct(P.DEFAULT_MEMORY_FRACTION * 100),
          "engine default: runtime and fragmentation reserve"),
         ("bytes per weight b: bf16 / int8 / int4",
          " / ".join(U.fmt_number(P.bytes_per_element(p), 2) for p in ("bf16", "int8", "int4")),
          "IEEE 754 and integer formats"),
         ("E, A, B, α, β", f"{LAW.E}, {LAW.A}, {LAW.B}, {LAW.alpha}, {LAW.beta}", LAW.source)],
    )
    return


@app.cell
def _():
    ui.section("Part D: Spend the budget", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Amara Chen",
        "CFO",
        f"You get {usd(PART_D['budget_usd'])} for the next model, and it must reach loss "
        f"{U.fmt_number(PART_D['target_loss'], 3)}. Curated, de-identified notes cost "
        f"{usd(PART_D['data_cost_per_token'] * 1000)} per 1,000 tokens; {TRAIN_DEVICE.name} time is "
        f"{usd(TRAIN_DEVICE.price_per_hour)} per GPU-hour. Whatever the model does not spend on GPUs buys notes. "
        "Which model size should we buy?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction(
        f"Each choice spends the whole {usd(PART_D['budget_usd'])}: GPU time for the model, the rest on curated "
        "tokens. Which gives the lowest loss?",
        {f"{count(n, 'parameters')}": k for k, n in PART_D_OPTIONS.items()},
    )
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_losses = part_d_losses()
    partD_best = part_d_answer()
    _plans = {k: training_plan(n, PART_D["budget_usd"], PART_D["data_cost_per_token"])
              for k, n in PART_D_OPTIONS.items()}
    _small = min(PART_D_OPTIONS, key=PART_D_OPTIONS.get)
    _rule = _plans[_small]["tokens"] / P.CHINCHILLA_TOKENS_PER_PARAM
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", "Amdahl", choice, partD_best,
        explanation=(
            "; ".join(f"{count(PART_D_OPTIONS[k], 'parameters')}: {count(p['tokens'], 'tokens')}, "
                      f"loss {U.fmt_number(p['loss'], 4)}" for k, p in _plans.items()) + ". "
            f"GPU time is only {pct(100 * _plans[partD_best]['compute_share'])} of the cost of training "
            f"{count(PART_D_OPTIONS[partD_best], 'parameters')}: a smaller model frees at most that share "
            "for tokens (Amdahl's law applied to the budget), so every size buys nearly the same notes and the larger "
            "model extracts more from each. The "
            f"{U.fmt_number(P.CHINCHILLA_TOKENS_PER_PARAM, 2)}-tokens-per-parameter rule would pick a model of "
            f"{count(_rule, 'parameters')}: it assumes compute is the only cost."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_best, partD_losses, partD_result


@app.cell
def _():
    # Opens on the CFO's budget and data price, with the size the engine finds best among
    # the offered ones (so the planner agrees with the reveal).
    _best = PART_D_OPTIONS[part_d_answer()]
    partD_size = mo.ui.dropdown({count(n, "parameters"): n for n in PART_D_SIZES},
                                value=count(_best, "parameters"), label="Model size")
    partD_spend = mo.ui.slider(100, 3000, step=50, value=PART_D["budget_usd"] / 1000,
                               label="Money spent (thousand USD)", show_value=True)
    partD_price = mo.ui.dropdown({f"{usd(c * 1000)} per 1,000 tokens": c for c in PART_D_PRICES},
                                 value=f"{usd(PART_D['data_cost_per_token'] * 1000)} per 1,000 tokens",
                                 label="Price of curated data")
    return partD_price, partD_size, partD_spend


@app.cell
def _(partD_price, partD_size, partD_spend):
    partD_error = None
    try:
        partD_plan = training_plan(partD_size.value, partD_spend.value * 1000, partD_price.value)
        partD_curve = {n: training_plan(n, partD_spend.value * 1000, partD_price.value)["loss"]
                       for n in [10 ** (8 + i / 10) for i in range(41)]}
    except P.PhysicsError as _exc:
        partD_plan, partD_curve, partD_error = None, {}, str(_exc)
    partD_violations = [] if partD_plan is None else (
        (["budget exceeded"] if partD_plan["cost_usd"] > PART_D["budget_usd"] * (1 + 1e-9) else [])
        + (["target loss missed"] if partD_plan["loss"] > PART_D["target_loss"] else []))
    return partD_curve, partD_error, partD_plan, partD_violations


@app.cell
def _(partD_curve, partD_error, partD_plan, partD_price, partD_result, partD_size, partD_spend, partD_violations):
    mo.stop(partD_result is None, ui.locked("the budget planner"))
    _controls = mo.hstack([partD_size, partD_spend, partD_price], wrap=True)
    if partD_plan is None:
        _out = mo.vstack([_controls, ui.banner("warn", "No answer from the engine", partD_error)])
    else:
        _b, _t = PART_D["budget_usd"], PART_D["target_loss"]
        _fig = go.Figure()
        _fig.add_trace(go.Scatter(x=list(partD_curve), y=list(partD_curve.values()), mode="lines",
                                  name="loss if this money trains a model of this size",
                                  line_color=charts.COLOR["series"]))
        _opts = {k: training_plan(n, partD_spend.value * 1000, partD_price.value) for k, n in PART_D_OPTIONS.items()}
        _fig.add_trace(go.Scatter(x=[p["params"] for p in _opts.values()], y=[p["loss"] for p in _opts.values()],
                                  mode="markers+text", name="the offered sizes",
                                  text=[U.fmt_number(p["loss"], 4) for p in _opts.values()], textposition="top right",
                                  marker=dict(size=11, color=charts.COLOR["alternative"])))
        _fig.add_trace(go.Scatter(x=[partD_plan["params"]], y=[partD_plan["loss"]], mode="markers", name="your plan",
                                  marker=dict(size=15, symbol="diamond", color=charts.COLOR["neutral"])))
        charts.themed(_fig, title="Loss bought by the money, by model size", x="model parameters (log scale)",
                      y="loss (nats/token)", height=420)
        charts.log_axes(_fig, xs=list(partD_curve))
        _ticks = [10.0**e for e in range(8, 13)]
        _fig.update_xaxes(tickvals=_ticks, ticktext=[U.fmt_params(t) for t in _ticks])
        charts.reference_line(_fig, _t, f"target loss {U.fmt_number(_t, 3)}", color=charts.COLOR["neutral"],
                              dash="dot")
        charts.reference_line(_fig, PART_D_OPTIONS[partD_result.choice], f"your prediction: {partD_result.label}",
                              axis="x")
        if partD_plan["cost_usd"] > _b * (1 + 1e-9):
            _banner = ui.failure_banner("Budget", what=f"the plan spends {usd(partD_plan['cost_usd'])}",
                                        by=f"{usd(partD_plan['cost_usd'] - _b)} over the {usd(_b)} budget",
                                        fix="spend less: a smaller spend buys fewer tokens")
        elif partD_plan["loss"] > _t:
            _banner = ui.failure_banner("Target loss", what=f"the plan reaches {loss_text(partD_plan['loss'])}",
                                        by=f"{U.fmt_number(partD_plan['loss'] - _t, 3)} nats/token above the target "
                                           f"{U.fmt_number(_t, 3)}",
                                        fix="train a larger model on the same money, or find cheaper data")
        else:
            _spare = round(_b - partD_plan["cost_usd"])
            _left = f", {usd(_spare)} of the budget left" if _spare >= 1 else ", the whole budget spent"
            _banner = ui.banner("ok", "On budget and on target", f"loss {loss_text(partD_plan['loss'])}{_left}")
        _best = min(partD_curve, key=partD_curve.get)
        _out = mo.vstack([
            _controls,
            _fig,
            ui.cards(
                ui.metric_card("tokens bought", count(partD_plan["tokens"], "tokens"),
                               f"{U.fmt_number(partD_plan['tokens'] / partD_plan['params'], 3)} per parameter"),
                ui.metric_card("GPU share of the cost", pct(100 * partD_plan["compute_share"]),
                               f"{usd(partD_plan['compute_usd'])} of GPU time"),
                ui.metric_card("loss", loss_text(partD_plan["loss"]), f"target {U.fmt_number(_t, 3)}",
                               "fail" if partD_plan["loss"] > _t else "ok"),
                ui.metric_card("best size for this money", count(_best, "parameters"),
                               f"loss {U.fmt_number(partD_curve[_best], 4)} "
                               f"(sizes up to {count(max(partD_curve), '')})"),
            ),
            _banner,
        ])
    _out
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "training cost",
        [r"\text{cost} = \frac{6 N D}{\text{peak} \cdot \text{MFU}} \cdot \frac{p_\text{GPU}}{3600}"
         r" + D \cdot c_\text{data}",
         r"D_\text{affordable} = \frac{\text{budget}}{6 N p_\text{GPU} / (3600\, \text{peak} \cdot \text{MFU})"
         r" + c_\text{data}}"],
        [(f"peak: {TRAIN_DEVICE.name}, dense bf16", U.fmt_flops(TRAIN_DEVICE.peak("bf16")), TRAIN_DEVICE.sources[0]),
         ("p_GPU: price per GPU-hour", usd(TRAIN_DEVICE.price_per_hour), PRICE_SOURCE),
         ("MFU", pct(PART_D["mfu"] * 100), PART_D_MFU_SOURCE),
         ("c_data: curated notes", f"{usd(PART_D['data_cost_per_token'] * 1000)} per 1,000 tokens", "scenario")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    ui.takeaways(
        [
            "Find the binding constraint first: money spent on a constraint that does not bind buys almost nothing.",
            "The scaling law says which of data and model size binds; the device says whether the machine does.",
            "Compute-optimal rules assume compute is the only cost; when data is the scarce input, the answer moves.",
        ],
        [
            ("A model sees 1 token per parameter. Which improves it more: 4x data or 4x parameters?",
             f"4x data: it removes {pct(removed_pct(1, 4))} of the reducible loss against {pct(removed_pct(4, 1))} "
             "for 4x parameters, because the data term dominates."),
            ("Why can the edge box never reach the cloud's loss, however much data it has?",
             "Its memory caps the parameter count, and the model-size term cannot fall below what that count allows."),
        ],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Dr. Mehta must decide where the next budget goes: GPUs, fresh notes or a larger model, and "
                     "whether the hospitals' edge box can carry it. Write her a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_actual,
    partA_data,
    partA_data_pct,
    partA_gpus,
    partA_result,
    partB_actual,
    partB_result,
    partC_answer,
    partC_oom,
    partC_precision,
    partC_result,
    partC_target,
    partC_tier,
    partD_best,
    partD_plan,
    partD_price,
    partD_result,
    partD_size,
    partD_spend,
    partD_violations,
):
    _gpu_x = PART_A["gpu_multiplier"]
    _reducible_now = reducible(BASE["params"], BASE["tokens"])
    lab_record = build_record(
        # the tier the learner chose in v1.00, or none: this lab picks no tier for them
        context=home_context(ledger, None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions={"gpu_multiplier": partA_gpus.value, "data_multiplier": partA_data.value, "tier": partC_tier.value,
                   "precision": partC_precision.value, "target_loss": partC_target.value,
                   "params": partD_size.value, "spend_usd": partD_spend.value * 1000,
                   "data_cost_per_token": partD_price.value},
        outcomes={"gpu_removed_pct": partA_actual, "data_removed_pct": partA_data_pct,
                  "gpu_gain": _reducible_now / reducible(BASE["params"] * _gpu_x, BASE["tokens"]),
                  "data_gain": _reducible_now / reducible(BASE["params"], BASE["tokens"] * _gpu_x),
                  "model_term_share_pct": partB_actual, "edge_params_needed": partC_answer["need"],
                  "edge_params_fit": partC_answer["fit"], "best_size": partD_best,
                  "cost_usd": partD_plan["cost_usd"] if partD_plan else None,
                  "loss": partD_plan["loss"] if partD_plan else None},
        constraints=(partD_violations if partD_result else [])
        + ([f"OOM on the {partC_tier.value} tier"] if partC_oom and partC_result else []),
        memo=memo_form.value,
    )
    lab_status = lab.save(lab_record)
    return lab_record, lab_status


@app.cell
def _(lab_record, lab_status):
    ui.lab_footer(LAB.id, lab_record, lab_status, of=4)
    return


if __name__ == "__main__":
    app.run()
