"""v1.09 Data Selection.

Fewer, better tokens in the scaling-law view, every effect from a cited published result
(mlsyslabs.physics.data_selection): Part A, what deduplication saves at equal loss
(Lee et al. 2022; the repeated-data law of Muennighoff et al. 2023 on the Chinchilla fit);
Part B, how strict a quality filter can be before repeating the kept tokens costs loss
(failure: over-filtering misses the loss target); Part C, split leakage: near-duplicates of
eval examples in the training set inflate a measured gain (failure: the gain is inside the
leakage); Part D, selection under a labelling budget: random sampling, self-supervised
prototype pruning (Sorscher et al. 2022) and uncertainty sampling (Gal et al. 2017, with the
benchmarks that find no gain) (failure: the labels cost more than the budget).

Replaces the reference lab's parts: its fixture pool of 12 records and supplied cohort
outcomes (A, B) become registry models and published effects (A, B); its amortisation of
a scoring pass (C) is Part A's compute at equal loss; its labels-or-generated-data choice
under a budget (D) is Part D with cited label savings; its population-shift re-check (E) is
left to v1.14 (drift). Adds split leakage (the reference's v1.04 B) and annotation-budget
retention (v1.04 A, as Part D).
"""
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_09.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import data_selection as DS
    from mlsyslabs.physics.errors import PhysicsError

    LAB = get_lab("v1.09")
    SCALING = "Scaling law"
    LEAKAGE = "Leakage inflates accuracy"
    MODEL = P.get_workload("llama2-7b")  # the model trained in Parts A and B
    GPU = P.get_device("h100-sxm")  # GPU-days are priced on this device at the engine's default MFU
    # Part A: the pre-training team's crawl and its deduplication report.
    PART_A = dict(raw_tokens=2.0e12, duplicate_share=0.40, copies=100)
    COPIES = (2, 5, 10, 30, 100, 1000, 10000)
    # Part A options: the share of training compute saved at equal loss.
    PART_A_OPTIONS = {"No saving: near-duplicates are training data like any other": 0.0, "About 15%": 0.15,
                      "About 35%": 0.35, "About 60%: the cleaner tokens also learn faster": 0.60}
    # Part B: a quality filter over the deduplicated pool; the run's token budget (compute) is fixed.
    PART_B = dict(pool_tokens=1.2e12, keep_fraction=0.25, budget_tokens=2.0e12, token_value=1.0)
    PART_B_MAX_LOSS_INCREASE = 0.01  # the lead's target: within 1% of the loss of fresh tokens
    # Part B options: the effective (fresh-token-equivalent) data of the repeated kept set.
    PART_B_OPTIONS = {"About 0.3 T tokens: repeats add nothing": 0.3e12, "About 0.8 T tokens": 0.8e12,
                      "About 1.7 T tokens": 1.7e12, "The full 2 T tokens: repeats count as fresh": 2.0e12}
    # Part C: the release claim and the overlap a near-duplicate scan finds.
    PART_C = dict(old_accuracy=0.780, new_accuracy=0.790, overlap=DS.LEE_EVAL_OVERLAP, leaked_accuracy=1.0)
    PART_C_SHIP_BAR = 0.005  # the release needs +0.5 accuracy points on clean examples
    PART_C_OPTIONS = {"All of it: about +1 point": "all", "About half: about +0.5 point": "half",
                      "Almost none: well under +0.5 point": "little", "Nothing: it is really a regression": "none"}
    # Where each option puts the clean gain on Part C's chart (a fraction of the measured gain: the middle of
    # the range gain_choice grades it by).
    PART_C_IMPLIED = {"all": 1.0, "half": 0.5, "little": 0.125, "none": -0.125}
    # Part D: the imaging team's pilot and labelling budget (scenario figures).
    PART_D = dict(random_labels=20_000, cost_per_label=1.50, budget_usd=15_000, strategy="uncertainty",
                  evidence="published")
    PART_D_OPTIONS = {"About 20,000: no saving": 20_000.0, "About 8,000": 8_000.0, "About 2,000": 2_000.0,
                      "About 200": 200.0}
    EVIDENCE = {"published": "Best published case", "benchmark": "Uniform benchmarks"}


@app.function
def tokens(n: float) -> str:
    return f"{U.fmt_count(n)} tokens"


@app.function
def pct(fraction: float, digits: int = 2) -> str:
    return f"{U.fmt_number(100 * fraction, digits)}%"


@app.function
def ticks_125(lo: float, hi: float) -> list:
    """1-2-5 ticks between lo and hi, for log axes whose default minor labels crowd."""
    import math
    out = []
    for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        out += [m * 10.0**e for m in (1, 2, 5) if lo <= m * 10.0**e <= hi]
    return out


@app.function
def points(fraction: float) -> str:
    """An accuracy difference in points (percentage points) with two decimals."""
    return f"{100 * fraction:.2f} points"


@app.function
def gpu_days(tokens_trained: float) -> float:
    """H100-days to train MODEL on `tokens_trained` tokens (6 N D at the engine's default MFU)."""
    return P.training_time_s(MODEL.params, tokens_trained, peak_flops=GPU.peak("bf16")) / 86400


@app.function
def dedup(duplicate_share: float, copies: float, raw_tokens: float = PART_A["raw_tokens"]):
    return DS.dedup_outcome(MODEL.params, raw_tokens, duplicate_share, copies)


@app.function
def part_a_saved() -> float:
    return dedup(PART_A["duplicate_share"], PART_A["copies"]).compute_saved


@app.function
def nearest(options: dict, actual: float) -> str:
    """The option whose implied value is nearest the answer (linear distance)."""
    return min(options, key=lambda k: abs(options[k] - actual))


@app.function
def filtered(keep_fraction: float, token_value: float = PART_B["token_value"]):
    return DS.filter_outcome(MODEL.params, PART_B["pool_tokens"], keep_fraction, PART_B["budget_tokens"],
                             token_value=token_value)


@app.function
def part_b_effective() -> float:
    return filtered(PART_B["keep_fraction"]).effective_tokens


@app.function
def min_keep(token_value: float = PART_B["token_value"]) -> float:
    return DS.min_keep_fraction(MODEL.params, PART_B["pool_tokens"], PART_B["budget_tokens"],
                                PART_B_MAX_LOSS_INCREASE, token_value=token_value)


@app.function
def clean_gain(new_accuracy: float, overlap: float, leaked_accuracy: float) -> float:
    """The gain over the old model on eval examples the new training set does not contain."""
    return DS.leakage(new_accuracy, overlap, leaked_accuracy=leaked_accuracy).clean - PART_C["old_accuracy"]


@app.function
def gain_choice(gain: float) -> str:
    claimed = PART_C["new_accuracy"] - PART_C["old_accuracy"]
    return G.choice_for_value(gain, [(0.0, "none"), (0.25 * claimed, "little"), (0.75 * claimed, "half"),
                                     (float("inf"), "all")])


@app.function
def part_c_gain() -> float:
    return clean_gain(PART_C["new_accuracy"], PART_C["overlap"], PART_C["leaked_accuracy"])


@app.function
def label_plan(strategy: str, evidence: str, budget_usd: float) -> dict:
    need = DS.labels_needed(PART_D["random_labels"], strategy, evidence=evidence)
    cost = need * PART_D["cost_per_label"]
    return dict(labels=need, cost=cost, affordable=budget_usd / PART_D["cost_per_label"], over=cost > budget_usd)


@app.function
def part_d_labels() -> float:
    return label_plan(PART_D["strategy"], PART_D["evidence"], PART_D["budget_usd"])["labels"]


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB, subtitle="Which tokens and which labels are worth paying for? Fewer, better data, priced by the "
                            "scaling law.",
              parts=["Part A: deduplicate", "Part B: filter and repeat", "Part C: leakage",
                     "Part D: a labelling budget"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: What does deduplication save?", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Priya Raman", "Pre-training lead",
        f"We train a {U.fmt_params(MODEL.params)}-parameter model ({MODEL.name} shape) on a "
        f"{tokens(PART_A['raw_tokens'])} web crawl. The near-duplicate scan says {pct(PART_A['duplicate_share'])} of "
        f"the tokens are extra copies of documents that appear about {PART_A['copies']} times each. Throwing away "
        f"{pct(PART_A['duplicate_share'])} of our data sounds like throwing away quality. If we deduplicate and "
        "train until we reach the same loss, what do we save?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        "Trained to the same loss, how much less training compute does the deduplicated corpus need?",
        {k: k for k in PART_A_OPTIONS})
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_out = dedup(PART_A["duplicate_share"], PART_A["copies"])
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", SCALING, choice, nearest(PART_A_OPTIONS, partA_out.compute_saved),
        option_values={k: 100 * v for k, v in PART_A_OPTIONS.items()}, actual=100 * partA_out.compute_saved,
        unit="% less compute",
        explanation=(
            f"Each duplicated document is one unique text seen {PART_A['copies']} times. By the repeated-data law, "
            f"those copies are worth about {U.fmt_number(DS.REPEAT_HALF_LIFE, 3)} fresh passes at most, so the raw "
            f"crawl holds {tokens(partA_out.effective_raw)} of effective data, not "
            f"{tokens(PART_A['raw_tokens'])}. The deduplicated {tokens(partA_out.unique_tokens)} reach the same "
            f"loss after {tokens(partA_out.tokens_equal_loss)}: {pct(partA_out.compute_saved)} less compute at "
            "equal quality. Lee et al. measured the same direction: same or better accuracy in fewer steps, and "
            "ten times less memorised output."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_out, partA_result


@app.cell
def _():
    partA_share = mo.ui.slider(0, 80, step=5, value=round(100 * PART_A["duplicate_share"]),
                               label="Near-duplicate share of the tokens (%)", show_value=True)
    partA_copies = mo.ui.dropdown({f"{c:,} copies": c for c in COPIES}, value=f"{PART_A['copies']:,} copies",
                                  label="Copies per duplicated document")
    return partA_copies, partA_share


@app.cell
def _(partA_copies, partA_share):
    partA_view, partA_error = None, None
    try:
        partA_view = dedup(partA_share.value / 100, partA_copies.value)
    except PhysicsError as _exc:
        partA_error = str(_exc)
    return partA_error, partA_view


@app.cell
def _(partA_copies, partA_error, partA_result, partA_share, partA_view):
    mo.stop(partA_result is None, ui.locked("the deduplication calculator"))
    _controls = mo.hstack([partA_share, partA_copies], wrap=True)
    mo.stop(partA_error is not None,
            mo.vstack([_controls, ui.banner("warn", "No such corpus", str(partA_error))]))
    _raw_days = gpu_days(PART_A["raw_tokens"])
    _names = ["Raw crawl, one pass", "Deduplicated, same loss", "Deduplicated, one pass"]
    _toks = [PART_A["raw_tokens"], partA_view.tokens_equal_loss, partA_view.unique_tokens]
    _days = [gpu_days(t) for t in _toks]
    _fig = go.Figure(go.Bar(
        x=_names, y=_days, text=[f"{U.fmt_number(d)} GPU-days" for d in _days], textposition="outside",
        marker_color=[charts.COLOR["neutral"], charts.COLOR["series"], charts.COLOR["alternative"]],
        showlegend=False))
    charts.themed(_fig, title=f"{GPU.name} GPU-days to train (6 N D at the default MFU)", y="GPU-days")
    _fig.update_yaxes(range=[0, 1.25 * _raw_days])
    _pred = PART_A_OPTIONS[partA_result.choice]
    charts.reference_line(_fig, _raw_days * (1 - _pred), f"your prediction: {pct(_pred)} saved")
    mo.vstack([
        _controls, _fig,
        ui.cards(
            ui.metric_card("compute saved at equal loss", pct(partA_view.compute_saved),
                           f"{tokens(partA_view.tokens_equal_loss)} instead of {tokens(PART_A['raw_tokens'])}"),
            ui.metric_card("effective data in the raw crawl", tokens(partA_view.effective_raw),
                           f"of {tokens(PART_A['raw_tokens'])} raw"),
            ui.metric_card("loss: raw pass vs one deduplicated pass",
                           f"{U.fmt_number(partA_view.loss_raw, 4)} vs "
                           f"{U.fmt_number(partA_view.loss_dedup_one_pass, 4)}",
                           f"{pct(partA_view.loss_dedup_one_pass / partA_view.loss_raw - 1)} higher for "
                           f"{pct(partA_view.unique_tokens / PART_A['raw_tokens'])} of the compute"),
        ),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    _law = P.CHINCHILLA
    ui.math_peek(
        "deduplication in the data-constrained scaling law",
        [r"L(N, D') = E + \frac{A}{N^{\alpha}} + \frac{B}{D'^{\beta}}",
         r"D'(U, R) = U + U R^{*}\left(1 - e^{-R/R^{*}}\right), \qquad R = \text{passes} - 1",
         r"D'_\text{raw} = (U - U_c) + D'(U_c, k - 1), \qquad U_c = \frac{s\, D_\text{raw}}{k - 1}",
         r"\text{saved} = 1 - \frac{D_\text{dedup}}{D_\text{raw}} \quad\text{where}\quad D'(U, D_\text{dedup}/U - 1) = "
         r"D'_\text{raw}"],
        [("repeat decay R*", U.fmt_number(DS.REPEAT_HALF_LIFE, 3), DS.SOURCES["REPEAT_HALF_LIFE"]),
         ("E, A, B, alpha, beta", f"{_law.E}, {_law.A}, {_law.B}, {_law.alpha}, {_law.beta}", _law.source),
         (f"parameters N ({MODEL.name})", U.fmt_params(MODEL.params), MODEL.sources[0]),
         ("duplicate share s, copies k", f"{pct(PART_A['duplicate_share'])}, {PART_A['copies']}",
          "scenario (Lee et al. found one C4 sentence repeated over 60,000 times)"),
         ("what the loss model leaves out", "memorisation, eval overlap",
          DS.SOURCES["LEE_EVAL_OVERLAP"])],
    )
    return


@app.cell
def _():
    ui.section("Part B: Filter, then repeat", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Priya Raman", "Pre-training lead",
        f"The compute budget buys {tokens(PART_B['budget_tokens'])} of training. Our quality classifier keeps the top "
        f"{pct(PART_B['keep_fraction'])} of the {tokens(PART_B['pool_tokens'])} deduplicated pool, "
        f"{tokens(PART_B['pool_tokens'] * PART_B['keep_fraction'])}, so we would repeat it about "
        f"{U.fmt_number(PART_B['budget_tokens'] / (PART_B['pool_tokens'] * PART_B['keep_fraction']), 2)} times. "
        f"My target: a loss within {pct(PART_B_MAX_LOSS_INCREASE)} of what fresh tokens would give.",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"Repeating the kept {tokens(PART_B['pool_tokens'] * PART_B['keep_fraction'])} to fill the "
        f"{tokens(PART_B['budget_tokens'])} budget is worth as much as how many fresh tokens?",
        {k: k for k in PART_B_OPTIONS})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_out = filtered(PART_B["keep_fraction"])
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", SCALING, choice, G.closest_option(PART_B_OPTIONS, partB_out.effective_tokens),
        option_values={k: v / 1e12 for k, v in PART_B_OPTIONS.items()}, actual=partB_out.effective_tokens / 1e12,
        unit="T effective tokens",
        explanation=(
            f"{U.fmt_number(partB_out.epochs, 2)} passes over {tokens(partB_out.unique_tokens)} are worth "
            f"{tokens(partB_out.effective_tokens)} of fresh data: the first few repeats are nearly as good as new "
            f"tokens, and their value decays only over about {U.fmt_number(DS.REPEAT_HALF_LIFE, 3)} passes. The loss "
            f"is {pct(partB_out.loss_increase)} above the fresh-data loss, inside the {pct(PART_B_MAX_LOSS_INCREASE)} "
            f"target. Filter much harder and the repeats run out of value: below {pct(min_keep())} kept, the target "
            "breaks unless each kept token is worth more than a raw one."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_out, partB_result


@app.cell
def _():
    partB_keep = mo.ui.slider(1, 100, step=1, value=round(100 * PART_B["keep_fraction"]),
                              label="Filter keeps (% of the pool)", show_value=True)
    partB_value = mo.ui.slider(1.0, 3.0, step=0.1, value=PART_B["token_value"],
                               label="Assumed worth of a kept token (x a raw token)", show_value=True)
    return partB_keep, partB_value


@app.cell
def _(partB_keep, partB_value):
    partB_view = filtered(partB_keep.value / 100, partB_value.value)
    partB_fail = partB_view.loss_increase > PART_B_MAX_LOSS_INCREASE
    return partB_fail, partB_view


@app.cell
def _(partB_fail, partB_keep, partB_result, partB_value, partB_view):
    mo.stop(partB_result is None, ui.locked("the filter explorer"))
    _keeps = sorted({k / 100 for k in range(1, 101)} | {partB_keep.value / 100})
    _eff = [filtered(k, partB_value.value).effective_tokens for k in _keeps]
    _floor = min_keep(partB_value.value)
    _fig = go.Figure(go.Scatter(x=[100 * k for k in _keeps], y=_eff, mode="lines", name="effective tokens",
                                line=dict(color=charts.COLOR["series"], width=3)))
    _fig.add_trace(go.Scatter(x=[partB_keep.value], y=[partB_view.effective_tokens], mode="markers",
                              marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"your filter: {tokens(partB_view.effective_tokens)} effective"))
    _fig.add_trace(go.Scatter(x=[1, 100], y=[PART_B["budget_tokens"]] * 2, mode="lines",
                              line=dict(color=charts.COLOR["neutral"], dash="dot"),
                              name=f"fresh tokens: {tokens(PART_B['budget_tokens'])}"))
    charts.themed(_fig, title="Effective data of the repeated kept set vs the filter's strictness",
                  x="kept share of the pool (%, log scale)", y="effective tokens (log scale)")
    _pred = PART_B_OPTIONS[partB_result.choice]
    charts.log_axes(_fig, xs=[1, 100], ys=_eff + [_pred, PART_B["budget_tokens"]], pad=0.15)
    _yt = ticks_125(min(_eff + [_pred]) / 1.5, 1.5 * max(_eff + [_pred, PART_B["budget_tokens"]]))
    _fig.update_yaxes(tickvals=_yt, ticktext=[U.fmt_count(t) for t in _yt])
    _fig.update_xaxes(tickvals=ticks_125(1, 100), ticktext=[U.fmt_number(t) for t in ticks_125(1, 100)])
    charts.reference_line(_fig, _pred, f"your prediction at {pct(PART_B['keep_fraction'])} kept: {tokens(_pred)}")
    _banner = (
        ui.failure_banner(
            "Loss target", what=f"the loss is {pct(partB_view.loss_increase)} above the fresh-data loss "
                                f"(target: within {pct(PART_B_MAX_LOSS_INCREASE)})",
            by=f"{U.fmt_number(100 * (partB_view.loss_increase - PART_B_MAX_LOSS_INCREASE), 2)} percentage points",
            fix=f"keep at least {pct(_floor)} of the pool, or show that each kept token is worth more")
        if partB_fail else
        ui.banner("ok", "Within target", f"{pct(partB_view.loss_increase)} above the fresh-data loss after "
                                         f"{U.fmt_number(partB_view.epochs, 3)} passes.")
    )
    mo.vstack([
        mo.hstack([partB_keep, partB_value], wrap=True), _fig,
        ui.cards(
            ui.metric_card("passes over the kept set", U.fmt_number(partB_view.epochs, 3),
                           f"{tokens(partB_view.unique_tokens)} unique"),
            ui.metric_card("effective data", tokens(partB_view.effective_tokens),
                           f"of a {tokens(PART_B['budget_tokens'])} budget"),
            ui.metric_card("loss vs fresh tokens", f"+{pct(partB_view.loss_increase)}",
                           f"target within {pct(PART_B_MAX_LOSS_INCREASE)}", "fail" if partB_fail else "ok"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result, fmt=lambda v: U.fmt_number(v, 2)) if partB_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "filter, then repeat",
        [r"U = f_\text{keep}\, D_\text{pool}, \qquad \text{passes} = \max\left(1, \frac{D_\text{budget}}{U}\right)",
         r"D' = v \cdot U\left(1 + R^{*}\left(1 - e^{-(\text{passes} - 1)/R^{*}}\right)\right)",
         r"\text{fail} \iff \frac{L(N, D')}{L(N, D_\text{budget})} - 1 > \epsilon"],
        [("repeat decay R*", U.fmt_number(DS.REPEAT_HALF_LIFE, 3), DS.SOURCES["REPEAT_HALF_LIFE"]),
         ("worth of a kept token v", "1 (no credit)", "assumption: published per-token gains depend on the filter "
                                                     "and the task, so the engine credits none by default"),
         ("loss target epsilon", pct(PART_B_MAX_LOSS_INCREASE), "scenario"),
         ("pool and budget", f"{tokens(PART_B['pool_tokens'])}, {tokens(PART_B['budget_tokens'])}", "scenario")],
    )
    return


@app.cell
def _():
    ui.section("Part C: Is the gain real?", 10)
    return


@app.cell
def _():
    ui.stakeholder(
        "Tomás Ortega", "Evaluation lead",
        f"The new model scores {pct(PART_C['new_accuracy'], 3)} on our eval set against "
        f"{pct(PART_C['old_accuracy'], 3)} for the old one. It was trained on a bigger crawl, and the "
        f"near-duplicate scan now finds "
        f"{pct(PART_C['overlap'])} of the eval examples in that crawl (the old training set had none). We ship if "
        f"the gain is at least {U.fmt_number(100 * PART_C_SHIP_BAR, 2)} points.",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"How much of the {U.fmt_number(100 * (PART_C['new_accuracy'] - PART_C['old_accuracy']), 2)}-point gain "
        "survives on the eval examples the new model never saw?", PART_C_OPTIONS)
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_gain = part_c_gain()
    _leak = DS.leakage(PART_C["new_accuracy"], PART_C["overlap"], leaked_accuracy=PART_C["leaked_accuracy"])
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", LEAKAGE, choice, gain_choice(partC_gain), actual=100 * partC_gain, unit="accuracy points",
        explanation=(
            f"The {pct(PART_C['overlap'])} of eval examples that sit in the training crawl score like memorised "
            f"training data. Taking them out, the new model scores {pct(_leak.clean, 4)} on the rest: a gain of "
            f"{points(partC_gain)}, not {points(PART_C['new_accuracy'] - PART_C['old_accuracy'])}. A few percent "
            f"of overlap is enough, because a leaked example scores {pct(PART_C['leaked_accuracy'])} where clean ones "
            f"score about {pct(_leak.clean)}. Deduplicate the eval set against training before comparing models."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_gain, partC_result


@app.cell
def _():
    partC_overlap = mo.ui.slider(0.0, 10.0, step=0.5, value=100 * PART_C["overlap"],
                                 label="Eval examples found in the new training set (%)", show_value=True)
    partC_new = mo.ui.slider(78.0, 82.0, step=0.1, value=100 * PART_C["new_accuracy"],
                             label="New model's measured accuracy (%)", show_value=True)
    partC_leaked = mo.ui.slider(50, 100, step=5, value=round(100 * PART_C["leaked_accuracy"]),
                                label="Accuracy on the leaked examples (%)", show_value=True)
    return partC_leaked, partC_new, partC_overlap


@app.cell
def _(partC_leaked, partC_new, partC_overlap):
    partC_view, partC_error = None, None
    try:
        partC_view = clean_gain(partC_new.value / 100, partC_overlap.value / 100, partC_leaked.value / 100)
    except PhysicsError as _exc:
        partC_error = str(_exc)
    partC_fail = partC_view is not None and partC_view < PART_C_SHIP_BAR
    return partC_error, partC_fail, partC_view


@app.cell
def _(partC_error, partC_fail, partC_leaked, partC_new, partC_overlap, partC_result, partC_view):
    mo.stop(partC_result is None, ui.locked("the leakage check"))
    _controls = mo.vstack([mo.hstack([partC_overlap, partC_new], wrap=True), partC_leaked])
    mo.stop(partC_error is not None, mo.vstack([_controls, ui.banner("warn", "No clean accuracy", str(partC_error))]))
    _claimed = partC_new.value / 100 - PART_C["old_accuracy"]
    _os = [k / 2 for k in range(0, 21)]
    _gains = [100 * clean_gain(partC_new.value / 100, o / 100, partC_leaked.value / 100) for o in _os]
    _fig = go.Figure(go.Scatter(x=_os, y=_gains, mode="lines", line=dict(color=charts.COLOR["series"], width=3),
                                name=f"clean gain at {pct(partC_new.value / 100, 3)} measured"))
    _fig.add_trace(go.Scatter(x=[0, 10], y=[100 * PART_C_SHIP_BAR] * 2, mode="lines",
                              line=dict(color=charts.COLOR["neutral"], dash="dot"),
                              name=f"ship bar: {points(PART_C_SHIP_BAR)}"))
    _fig.add_trace(go.Scatter(x=[partC_overlap.value], y=[100 * partC_view], mode="markers",
                              marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"your setting: {points(partC_view)}"))
    charts.themed(_fig, title="Gain on clean eval examples vs the leaked share",
                  x="eval examples found in training (%)", y="clean gain (accuracy points)")
    _pred = PART_C_IMPLIED[partC_result.choice] * (PART_C["new_accuracy"] - PART_C["old_accuracy"])
    charts.reference_line(_fig, 100 * _pred, f"your prediction at {pct(PART_C['overlap'])}: {points(_pred)}")
    _banner = (
        ui.failure_banner(
            "Gain inside the leakage",
            what=f"the clean gain is {points(partC_view)} of the {points(_claimed)} measured",
            by=f"{points(PART_C_SHIP_BAR - partC_view)} (the bar is {points(PART_C_SHIP_BAR)})",
            fix="deduplicate the eval set against the training crawl and re-measure before shipping")
        if partC_fail else
        ui.banner("ok", "The gain survives", f"{points(partC_view)} on clean examples, at or above the "
                                             f"{points(PART_C_SHIP_BAR)} bar.")
    )
    mo.vstack([
        _controls, _fig,
        ui.cards(
            ui.metric_card("measured gain", points(_claimed), "whole eval set"),
            ui.metric_card("clean gain", points(partC_view),
                           f"examples not in the training crawl; bar {points(PART_C_SHIP_BAR)}",
                           "fail" if partC_fail else "ok"),
            ui.metric_card("inflation", points(_claimed - partC_view),
                           f"from {pct(partC_overlap.value / 100)} overlap"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result, fmt=lambda v: U.fmt_number(v, 2)) if partC_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "accuracy with a leaked share",
        [r"a_\text{measured} = (1 - o)\, a_\text{clean} + o\, a_\text{leaked}",
         r"a_\text{clean} = \frac{a_\text{measured} - o\, a_\text{leaked}}{1 - o}, \qquad "
         r"\Delta_\text{clean} = a_\text{clean} - a_\text{old}"],
        [("overlap o", pct(DS.LEE_EVAL_OVERLAP), DS.SOURCES["LEE_EVAL_OVERLAP"]),
         ("accuracy on leaked examples", pct(PART_C["leaked_accuracy"]), "assumption: memorised (an upper bound)"),
         ("ship bar", f"{U.fmt_number(100 * PART_C_SHIP_BAR, 2)} points", "scenario")],
    )
    return


@app.cell
def _():
    ui.section("Part D: Spend a labelling budget", 11)
    return


@app.cell
def _():
    ui.stakeholder(
        "Dr. Amina Yusuf", "Clinical imaging lead",
        f"Our pilot says random sampling reaches the target error with {PART_D['random_labels']:,} labelled images. "
        f"A dermatologist's label costs USD {PART_D['cost_per_label']:.2f}, and I have USD "
        f"{PART_D['budget_usd']:,}. A vendor pitches active learning: label only the images the model is unsure "
        "about.",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction(
        "With uncertainty sampling (BALD), how many labels reach the same error, going by the best published result?",
        {k: k for k in PART_D_OPTIONS})
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_need = part_d_labels()
    _gal = DS.GAL_LABELS_TO_5PCT
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", SCALING, choice, G.closest_option(PART_D_OPTIONS, partD_need), option_values=PART_D_OPTIONS,
        actual=partD_need, unit="labels",
        explanation=(
            f"Gal et al. reached 5% MNIST error with {_gal['bald']} BALD-chosen labels against {_gal['random']} random "
            f"ones: {U.fmt_number(_gal['random'] / _gal['bald'], 3)}x fewer. Applied to the pilot, "
            f"{PART_D['random_labels']:,} become about {U.fmt_number(partD_need)}, USD "
            f"{U.fmt_number(partD_need * PART_D['cost_per_label'])}: inside the budget. Savings of 10x or more are "
            "not what the evidence shows, and uniform benchmarks find most methods no better than random: plan "
            "for that case too."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_need, partD_result


@app.cell
def _():
    partD_strategy = mo.ui.radio({s["name"]: k for k, s in DS.LABEL_STRATEGIES.items()},
                                 value=DS.LABEL_STRATEGIES[PART_D["strategy"]]["name"], label="Selection strategy")
    partD_evidence = mo.ui.radio({v: k for k, v in EVIDENCE.items()}, value=EVIDENCE[PART_D["evidence"]],
                                 label="Plan on", inline=True)
    partD_budget = mo.ui.slider(0, 40_000, step=500, value=PART_D["budget_usd"], label="Labelling budget (USD)",
                                show_value=True)
    return partD_budget, partD_evidence, partD_strategy


@app.cell
def _(partD_budget, partD_evidence, partD_strategy):
    partD_plan = label_plan(partD_strategy.value, partD_evidence.value, partD_budget.value)
    partD_fail = partD_plan["over"]
    return partD_fail, partD_plan


@app.cell
def _(partD_budget, partD_evidence, partD_fail, partD_plan, partD_result, partD_strategy):
    mo.stop(partD_result is None, ui.locked("the labelling planner"))
    _keys = list(DS.LABEL_STRATEGIES)
    _need = [label_plan(k, partD_evidence.value, partD_budget.value)["labels"] for k in _keys]
    _fig = go.Figure(go.Bar(
        x=[DS.LABEL_STRATEGIES[k]["name"] for k in _keys], y=_need, text=[U.fmt_number(v) for v in _need],
        textposition="outside", showlegend=False,
        marker_color=[charts.COLOR["series"] if k == partD_strategy.value else charts.COLOR["neutral"] for k in _keys]))
    _fig.add_trace(go.Scatter(x=[DS.LABEL_STRATEGIES[k]["name"] for k in (_keys[0], _keys[-1])],
                              y=[partD_plan["affordable"]] * 2, mode="lines",
                              line=dict(color=charts.COLOR["alternative"], width=3),
                              name=f"the budget buys {U.fmt_number(partD_plan['affordable'])} labels"))
    charts.themed(_fig, title=f"Labels to the target error ({EVIDENCE[partD_evidence.value].lower()})",
                  y="labels (log scale)")
    _ys = _need + [max(partD_plan["affordable"], 100), PART_D_OPTIONS[partD_result.choice]]
    charts.log_axes(_fig, ys=_ys, pad=0.3)
    _yt = ticks_125(min(_ys) / 2, 2 * max(_ys))
    _fig.update_yaxes(tickvals=_yt, ticktext=[U.fmt_number(t) for t in _yt])
    charts.reference_line(_fig, PART_D_OPTIONS[partD_result.choice],
                          f"your prediction for BALD: {partD_result.label}")
    _name = DS.LABEL_STRATEGIES[partD_strategy.value]["name"]
    _banner = (
        ui.failure_banner(
            "Labelling budget", what=f"{_name} needs {U.fmt_number(partD_plan['labels'])} labels, "
                                     f"USD {U.fmt_number(partD_plan['cost'])}",
            by=f"USD {U.fmt_number(partD_plan['cost'] - partD_budget.value)}",
            fix="raise the budget, or choose a strategy that needs fewer labels (and check its evidence)")
        if partD_fail else
        ui.banner("ok", "Within budget", f"{_name}: {U.fmt_number(partD_plan['labels'])} labels, USD "
                                         f"{U.fmt_number(partD_plan['cost'])} of USD {partD_budget.value:,}.")
    )
    mo.vstack([
        mo.hstack([partD_strategy, partD_budget], wrap=True), partD_evidence, _fig,
        ui.slo_bars(ui.slo_bar("labelling cost (USD)", partD_plan["cost"], max(partD_budget.value, 1),
                               fmt=lambda v: U.fmt_number(v))),
        _banner,
    ])
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _():
    _gal = DS.GAL_LABELS_TO_5PCT
    ui.math_peek(
        "labels at equal error",
        [r"n_\text{strategy} = \frac{n_\text{random}}{g}, \qquad \text{cost} = n_\text{strategy}\, c_\text{label}",
         r"g_\text{BALD} = \frac{n_\text{random}}{n_\text{BALD}}\Big|_\text{5\% MNIST error}, \qquad "
         r"g_\text{prototype} = \frac{1}{1 - p_\text{prune}}"],
        [("MNIST labels to 5% error: random / BALD", f"{_gal['random']} / {_gal['bald']}",
          DS.SOURCES["GAL_LABELS_TO_5PCT"]),
         ("pruned without loss p_prune", pct(DS.SORSCHER_PRUNE_NO_LOSS), DS.SOURCES["SORSCHER_PRUNE_NO_LOSS"]),
         ("uniform benchmarks: g = 1 for active learning", "1", DS.SOURCES["AL_NO_GAIN"]),
         ("random labels and cost per label", f"{PART_D['random_labels']:,}, USD "
                                              f"{PART_D['cost_per_label']:.2f}", "scenario")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    ui.takeaways(
        [f"Near-duplicates are repeated tokens, and repeats are worth little once a document has been seen many "
         f"times: deduplicating the crawl saved {pct(part_a_saved())} of compute at equal loss.",
         f"Fewer, better tokens pay while repetition is cheap: a few passes over a filtered set are worth almost "
         f"as much as fresh data; below about {pct(min_keep())} kept, this run misses its loss target.",
         "A few percent of eval examples leaked into training can account for most of a measured gain.",
         "Active learning saves labels, but by small factors in the best published cases and often not at all "
         "in uniform benchmarks: budget for both."],
        [("Why does deduplication save almost nothing when each duplicated document appears only twice?",
          f"A second copy is nearly as good as a new document: {pct(dedup(PART_A['duplicate_share'], 2).compute_saved)}"
          " saved at equal loss with 2 copies, against the share saved with 100."),
         ("Why test for eval overlap before comparing two models?",
          "Only the new model's training set may contain the eval examples, which turns recall into accuracy.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Priya and Amina need one data plan: how hard to deduplicate and filter, how to check the "
                     "eval set, and which labelling strategy to fund. Write them a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_copies,
    partA_out,
    partA_result,
    partA_share,
    partB_fail,
    partB_keep,
    partB_out,
    partB_result,
    partB_value,
    partC_fail,
    partC_gain,
    partC_result,
    partD_budget,
    partD_evidence,
    partD_fail,
    partD_need,
    partD_plan,
    partD_result,
    partD_strategy,
):
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions={"duplicate_share": partA_share.value / 100, "copies": partA_copies.value,
                   "filter_keep_fraction": partB_keep.value / 100, "kept_token_value": partB_value.value,
                   "label_strategy": partD_strategy.value, "label_evidence": partD_evidence.value,
                   "label_budget_usd": partD_budget.value},
        outcomes={"dedup_compute_saved": partA_out.compute_saved, "filter_effective_tokens": partB_out.effective_tokens,
                  "filter_loss_increase": partB_out.loss_increase, "min_keep_fraction": min_keep(),
                  "clean_gain_points": 100 * partC_gain, "labels_needed": partD_need,
                  "planned_labels": partD_plan["labels"], "planned_label_cost_usd": partD_plan["cost"]},
        constraints=(["loss target: over-filtered"] if partB_fail and partB_result else [])
        + (["gain inside the leakage"] if partC_fail and partC_result else [])
        + (["labelling budget"] if partD_fail and partD_result else []),
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
