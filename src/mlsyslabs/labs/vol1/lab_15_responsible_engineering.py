import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_15.py).
    #
    # Against the reference lab ("Responsibility Is a System Requirement"): its
    # 12-row fixtures gave subgroup gaps that did not move with the threshold (the
    # same +/-16.7 points at every setting); here a seeded population with a score
    # calibrated within each group (the engine's Bayes posterior) makes every gap move
    # with the threshold, and Chouldechova's identity is computed, not asserted. Its
    # Part A (aggregate accuracy vs affected share) is folded into Part A's error rates
    # by group; its Part B (thresholds) becomes Parts A and B (one threshold, then one
    # per group and the precision it costs); its Part D (lifecycle energy) becomes
    # Part C, from the engine's power and grid-carbon model. Its Part C (differential
    # privacy) belongs to Volume II's privacy lab and is not repeated here.
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import fairness as F
    from mlsyslabs.physics import get_device
    from mlsyslabs.physics import sustainability as S

    LAB = get_lab("v1.15")
    # A hospital's readmission-risk score flags patients for a follow-up nurse program.
    # Two patient groups with different 30-day readmission rates (scenario estimates);
    # the score is calibrated within each group (P(readmitted | score) = score).
    GROUPS = ("group A", "group B")
    BASE_RATES = {"group A": 0.30, "group B": 0.10}
    # one seed for both groups: with equal base rates the two groups are the same patients' evidence
    POP = dict(n=4000, separation=1.5, seeds={"group A": 1, "group B": 1})
    POP_CACHE = {}  # base rates -> (scores, labels, groups): the population is redrawn only when they change
    POLICY_GAP = 0.05  # the ethics board's limit on the FPR and FNR gaps between groups (5 points)
    # Part A: one shared threshold.
    PART_A = dict(threshold=0.40)
    PART_A_OPTIONS = {
        "About the same FPR and FNR in both groups: the score is calibrated for each": "same",
        "Group A has the higher FPR and the lower FNR": "a_more_flags",
        "Group A has the lower FPR and the higher FNR": "a_fewer_flags",
        "Group A has both the higher FPR and the higher FNR": "a_worse_both",
    }
    # Part B: the fairness team lowers group B's threshold until both error rates match.
    PART_B = dict(threshold_a=0.40, threshold_b=0.14)
    PART_B_OPTIONS = {"the same as group A's": "same", "about 50%": 0.50, "about 33%": 0.33, "about 20%": 0.20}
    # Part C: the hospital network's assistant model: one training run, then serving around the clock.
    DEVICE = "h100-sxm"
    TRAIN = dict(gpus=256, days=14, utilization=0.9)
    PART_C = dict(serving_gpus=64, years=2, utilization=0.4, region="us")
    PART_C_OPTIONS = {"training uses about 10x more": 0.1, "about the same": 1.0, "serving uses about 5x more": 5.0,
                      "serving uses about 30x more": 30.0}
    REGION_OPTIONS = {"United States": "us", "World average": "world", "Germany": "germany", "India": "india",
                      "France": "france", "Sweden": "sweden"}
    CARBON_BUDGET_KG = 250_000  # the network's carbon budget for this model's life, kg CO2e (scenario)
    HOURS_PER_YEAR = 8760


@app.function
def pct(fraction: float, digits: int = 3) -> str:
    """A fraction as a percentage: 0.872 -> '87.2%'."""
    return f"{U.fmt_number(100 * fraction, digits)}%"


@app.function
def points(fraction: float) -> str:
    """A difference of two rates in percentage points."""
    return f"{U.fmt_number(100 * fraction, 2)} points"


@app.function
def population(base_rates: dict | None = None) -> tuple:
    """(scores, labels, groups) of the seeded patients: a calibrated score per group."""
    rates = base_rates or BASE_RATES
    key = tuple(rates[g] for g in GROUPS)
    if key in POP_CACHE:
        return POP_CACHE[key]
    scores, labels, groups = [], [], []
    for g in GROUPS:
        s, y = F.calibrated_population(POP["n"], base_rate=rates[g], separation=POP["separation"],
                                       seed=POP["seeds"][g])
        scores += s
        labels += y
        groups += [g] * len(s)
    if len(POP_CACHE) > 64:
        POP_CACHE.clear()
    POP_CACHE[key] = (scores, labels, groups)
    return POP_CACHE[key]


@app.function
def confusion(threshold, base_rates: dict | None = None) -> dict:
    """Per-group confusion at one threshold (a number) or one per group (a dict)."""
    s, y, g = population(base_rates)
    return F.group_confusion(scores=s, labels=y, groups=g, threshold=threshold)


@app.function
def gaps(conf: dict) -> dict:
    """Group A minus group B for each rate, and the equalized-odds gap (the larger FPR/FNR gap)."""
    a, b = conf["group A"], conf["group B"]
    d = {k: (None if getattr(a, k) is None or getattr(b, k) is None else getattr(a, k) - getattr(b, k))
         for k in ("fpr", "fnr", "ppv", "selection_rate")}
    known = [abs(d[k]) for k in ("fpr", "fnr") if d[k] is not None]
    d["odds"] = max(known) if len(known) == 2 else None
    d["violation"] = d["odds"] is None or d["odds"] > POLICY_GAP
    return d


@app.function
def pattern(conf: dict) -> str:
    """Which of Part A's options the error rates show."""
    d = gaps(conf)
    if d["odds"] is not None and d["odds"] <= POLICY_GAP:
        return "same"
    if d["fpr"] > 0 and d["fnr"] < 0:
        return "a_more_flags"
    if d["fpr"] < 0 and d["fnr"] > 0:
        return "a_fewer_flags"
    return "a_worse_both" if d["fpr"] > 0 else "a_better_both"


@app.function
def part_a_answer() -> str:
    key = pattern(confusion(PART_A["threshold"]))
    return next(k for k, v in PART_A_OPTIONS.items() if v == key)


@app.function
def part_b_confusion() -> dict:
    return confusion({"group A": PART_B["threshold_a"], "group B": PART_B["threshold_b"]})


@app.function
def part_b_option_values() -> dict:
    """Each option's precision for group B (the 'same' option: group A's precision)."""
    ppv_a = part_b_confusion()["group A"].ppv
    return {k: (ppv_a if v == "same" else v) for k, v in PART_B_OPTIONS.items()}


@app.function
def calibration(base_rates: dict | None = None) -> dict:
    s, y, g = population(base_rates)
    return F.calibration_by_group(scores=s, labels=y, groups=g, bins=10)


@app.function
def forced_fpr(conf: dict, base_rates: dict | None = None):
    """Chouldechova: the FPRs equal precision and equal FNR (group A's) would force."""
    a = conf["group A"]
    if a.ppv is None or a.fnr is None or a.ppv == 0:
        return None
    return F.impossibility(prevalences=dict(base_rates or BASE_RATES), ppv=a.ppv, fnr=a.fnr)


@app.function
def lifecycle(serving_gpus: int, years: float, utilization: float, region: str) -> dict:
    """Energy and carbon of the training run and of serving it over its deployment."""
    train = S.footprint(gpus=TRAIN["gpus"], hours=24 * TRAIN["days"], device=DEVICE,
                        utilization=TRAIN["utilization"], region=region)
    serve = S.footprint(gpus=serving_gpus, hours=HOURS_PER_YEAR * years, device=DEVICE, utilization=utilization,
                        region=region)
    co2 = train.co2_kg + serve.co2_kg
    return dict(train=train, serve=serve, ratio=serve.energy_kwh / train.energy_kwh, co2_kg=co2,
                over_budget=co2 > CARBON_BUDGET_KG)


@app.function
def part_c_ratio() -> float:
    return lifecycle(**PART_C)["ratio"]


@app.function
def kwh(x: float) -> str:
    return f"{U.fmt_number(x / 1000, 3)} MWh"


@app.function
def tonnes(kg: float) -> str:
    return f"{U.fmt_number(kg / 1000, 3)} t CO2e"


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB, subtitle="A well-calibrated score can still treat two groups unequally, and a model's footprint "
                            "does not end when training does. Which gaps can you close, and at what price?",
              parts=["Part A: one threshold", "Part B: one threshold per group", "Part C: the model's whole life"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: One threshold, two base rates", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Dr. Amara Osei", "Chief medical officer",
        f"Our readmission-risk score flags patients for a follow-up nurse program. On audit it is calibrated in both "
        f"of our patient groups: of patients scored 0.3, about 30% are readmitted, whatever their group. But the "
        f"groups differ: {pct(BASE_RATES['group A'])} of group A are readmitted within 30 days, "
        f"{pct(BASE_RATES['group B'])} of group B. We flag everyone scoring {U.fmt_number(PART_A['threshold'], 2)} "
        f"or more. The ethics board wants the false-positive and false-negative rates within "
        f"{points(POLICY_GAP)} of each other across groups. Where do we stand?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"With one shared threshold of {U.fmt_number(PART_A['threshold'], 2)}, the groups' error rates "
        "(FPR: flagged among those not readmitted; FNR: missed among those readmitted):",
        {k: k for k in PART_A_OPTIONS})
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_conf = confusion(PART_A["threshold"])
    partA_gaps = gaps(partA_conf)
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Fairness", choice, part_a_answer(), actual=100 * partA_gaps["fpr"], unit="points of FPR gap",
        explanation=(
            f"At {U.fmt_number(PART_A['threshold'], 2)}, group A's FPR is {pct(partA_conf['group A'].fpr)} and "
            f"group B's {pct(partA_conf['group B'].fpr)}; the FNRs are {pct(partA_conf['group A'].fnr)} and "
            f"{pct(partA_conf['group B'].fnr)}. A calibrated score carries the base rate: group A's patients, "
            "readmitted more often, score higher across the board, so more of its non-readmitted patients cross "
            "the threshold (higher FPR) and fewer of its readmitted ones fall below it (lower FNR). Calibration "
            "holds in both groups, and error-rate parity fails by "
            f"{points(partA_gaps['odds'])} against a limit of {points(POLICY_GAP)}."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_conf, partA_gaps, partA_result


@app.cell
def _():
    # Opens on Dr. Osei's audit: the shared threshold and the two base rates she states.
    partA_threshold = mo.ui.slider(0.05, 0.95, step=0.01, value=PART_A["threshold"],
                                   label="Shared threshold (flag if score >= t)", show_value=True)
    partA_rate_a = mo.ui.slider(0.05, 0.60, step=0.01, value=BASE_RATES["group A"],
                                label="Group A readmission rate", show_value=True)
    partA_rate_b = mo.ui.slider(0.05, 0.60, step=0.01, value=BASE_RATES["group B"],
                                label="Group B readmission rate", show_value=True)
    return partA_rate_a, partA_rate_b, partA_threshold


@app.cell
def _(partA_rate_a, partA_rate_b, partA_threshold):
    partA_rates = {"group A": partA_rate_a.value, "group B": partA_rate_b.value}
    partA_now = confusion(partA_threshold.value, partA_rates)
    partA_now_gaps = gaps(partA_now)
    partA_unfair = partA_now_gaps["violation"]
    return partA_now, partA_now_gaps, partA_rates, partA_unfair


@app.cell
def _(partA_now, partA_now_gaps, partA_rate_a, partA_rate_b, partA_rates, partA_result, partA_threshold,
      partA_unfair):
    mo.stop(partA_result is None, ui.locked("the threshold explorer"))
    _ts = [round(0.05 + 0.1 * i, 2) for i in range(10)]
    _sweep = [gaps(confusion(t, partA_rates)) for t in _ts]
    _fig = go.Figure()
    for _key, _name, _color in (("fpr", "FPR gap (A minus B)", charts.COLOR["series"]),
                                ("fnr", "FNR gap (A minus B)", charts.COLOR["neutral"])):
        _fig.add_trace(go.Scatter(x=_ts, y=[100 * (d[_key] or 0) for d in _sweep], mode="lines+markers", name=_name,
                                  line=dict(color=_color, width=3)))
    for _sign in (1, -1):
        _fig.add_trace(go.Scatter(x=[_ts[0], _ts[-1]], y=[_sign * 100 * POLICY_GAP] * 2, mode="lines",
                                  name=f"policy band (+/-{points(POLICY_GAP)})", showlegend=_sign == 1,
                                  line=dict(color=charts.COLOR["limit"], dash="dot")))
    charts.themed(_fig, title="Error-rate gaps between the groups as the shared threshold moves",
                  x="shared threshold", y="gap (percentage points)")
    # the committed prediction as the direction of each gap at Dr. Osei's threshold
    _pred = PART_A_OPTIONS[partA_result.choice]
    _signs = {"same": (0, 0), "a_more_flags": (1, -1), "a_fewer_flags": (-1, 1), "a_worse_both": (1, 1)}[_pred]
    _size = max(abs(partA_now_gaps["fpr"] or 0), abs(partA_now_gaps["fnr"] or 0), POLICY_GAP)
    _fig.add_trace(go.Scatter(x=[PART_A["threshold"]] * 2, y=[100 * _signs[0] * _size, 100 * _signs[1] * _size],
                              mode="markers+text", text=["your FPR gap", "your FNR gap"], textposition="middle left",
                              marker=dict(size=14, symbol="x", color=charts.COLOR["highlight"]),
                              name="your prediction (direction)"))
    charts.reference_line(_fig, partA_threshold.value, f"t = {U.fmt_number(partA_threshold.value, 2)}", axis="x")
    _cal = calibration(partA_rates)
    _rel = go.Figure()
    for _g, _color in zip(GROUPS, (charts.COLOR["series"], charts.COLOR["neutral"])):
        _rows = [b for b in _cal[_g].bins if b[2] >= 20]
        _rel.add_trace(go.Scatter(x=[b[3] for b in _rows], y=[b[4] for b in _rows], mode="lines+markers", name=_g,
                                  line=dict(color=_color)))
    _rel.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration",
                              line=dict(color=charts.COLOR["limit"], dash="dot")))
    charts.themed(_rel, title="Calibration by group: readmission rate against mean score (bins of 20+ patients)",
                  x="mean score in the bin", y="share readmitted", height=300)
    _a, _b = partA_now["group A"], partA_now["group B"]
    _banner = (
        ui.failure_banner("Fairness gap", what=f"error rates differ by {points(partA_now_gaps['odds'])} between "
                                               f"the groups, over the board's {points(POLICY_GAP)}"
                          if partA_now_gaps["odds"] is not None else "a group has no cases on one side of the "
                                                                     "label, so its error rate is undefined",
                          by=points(partA_now_gaps["odds"] - POLICY_GAP) if partA_now_gaps["odds"] is not None
                          else "undefined",
                          fix="give each group its own threshold (Part B), or set the readmission rates equal")
        if partA_unfair else
        ui.banner("ok", "Within the policy", f"the FPR and FNR gaps are at most {points(partA_now_gaps['odds'])}.")
    )
    mo.vstack([
        mo.hstack([partA_threshold, partA_rate_a, partA_rate_b], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("group A: FPR / FNR", f"{pct(_a.fpr, 2) if _a.fpr is not None else 'undefined'} / "
                                                 f"{pct(_a.fnr, 2) if _a.fnr is not None else 'undefined'}",
                           f"readmission rate {pct(_a.base_rate, 2)}"),
            ui.metric_card("group B: FPR / FNR", f"{pct(_b.fpr, 2) if _b.fpr is not None else 'undefined'} / "
                                                 f"{pct(_b.fnr, 2) if _b.fnr is not None else 'undefined'}",
                           f"readmission rate {pct(_b.base_rate, 2)}"),
            ui.metric_card("calibration error (ECE)", f"{U.fmt_number(_cal['group A'].ece, 2)} / "
                                                      f"{U.fmt_number(_cal['group B'].ece, 2)}",
                           "group A / group B: both near 0"),
        ),
        _banner,
        _rel,
        mo.md("Set both readmission rates equal: the gaps close at every threshold. Move the threshold: they change "
              "size but never vanish while the rates differ."),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "why a calibrated score splits the error rates",
        [r"s(x) = P(y = 1 \mid x) = \sigma\!\left(\operatorname{logit} p_g + d\,x - d^2/2\right)",
         r"\text{FPR}_g = P(s \ge t \mid y = 0, g), \qquad \text{FNR}_g = P(s < t \mid y = 1, g)",
         r"p_A > p_B \;\Rightarrow\; s_A(x) > s_B(x) \;\Rightarrow\; \text{FPR}_A > \text{FPR}_B,\;"
         r"\text{FNR}_A < \text{FNR}_B"],
        [("base rates p_A, p_B", f"{pct(BASE_RATES['group A'])}, {pct(BASE_RATES['group B'])}", "scenario"),
         ("evidence separation d", U.fmt_number(POP["separation"], 2), "scenario (AUC about 0.86)"),
         ("patients per group", U.fmt_number(POP["n"]), "seeded synthetic population"),
         ("policy limit", points(POLICY_GAP), "scenario (ethics board)"),
         ("calibrated score", "Bayes posterior", "Chouldechova 2017; Hastie et al., ESL 4.3")],
    )
    return


@app.cell
def _():
    ui.section("Part B: One threshold per group", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Tomás Rivera", "Fairness lead",
        f"We kept group A at {U.fmt_number(PART_B['threshold_a'], 2)} and lowered group B's threshold to "
        f"{U.fmt_number(PART_B['threshold_b'], 2)}. Now both groups' false-positive and false-negative rates match "
        "within the board's limit. The nurses ask a different question: of the patients we flag, how many actually "
        "get readmitted? That is the precision of a flag, and it decides whether they trust it.",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        "With the error rates equalized, the precision of a flag in group B (share of flagged patients readmitted):",
        {k: k for k in PART_B_OPTIONS})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_conf = part_b_confusion()
    partB_values = part_b_option_values()
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Fairness", choice, G.closest_option(partB_values, partB_conf["group B"].ppv),
        option_values={k: 100 * v for k, v in partB_values.items()}, actual=100 * partB_conf["group B"].ppv,
        unit="%",
        explanation=(
            f"Group B's precision is {pct(partB_conf['group B'].ppv)} against group A's "
            f"{pct(partB_conf['group A'].ppv)}. With the same FPR and FNR, precision follows the base rate: "
            f"PPV = p (1 - FNR) / (p (1 - FNR) + (1 - p) FPR). Group B has {pct(BASE_RATES['group B'])} readmissions "
            f"against {pct(BASE_RATES['group A'])}, so most of its flags land on patients who would not be "
            "readmitted. This is Chouldechova's result: with unequal base rates, equal error rates and equal "
            "precision (calibration at the threshold) cannot hold together. Pick which one the program needs."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_conf, partB_result


@app.cell
def _():
    # Opens on Tomás's thresholds: group A at its original threshold, group B lowered.
    partB_threshold_a = mo.ui.slider(0.05, 0.95, step=0.01, value=PART_B["threshold_a"],
                                     label="Group A threshold", show_value=True)
    partB_threshold_b = mo.ui.slider(0.05, 0.95, step=0.01, value=PART_B["threshold_b"],
                                     label="Group B threshold", show_value=True)
    return partB_threshold_a, partB_threshold_b


@app.cell
def _(partB_threshold_a, partB_threshold_b):
    partB_now = confusion({"group A": partB_threshold_a.value, "group B": partB_threshold_b.value})
    partB_now_gaps = gaps(partB_now)
    partB_unfair = partB_now_gaps["violation"]
    return partB_now, partB_now_gaps, partB_unfair


@app.cell
def _(partA_conf, partB_now, partB_now_gaps, partB_result, partB_threshold_a, partB_threshold_b, partB_unfair):
    mo.stop(partB_result is None, ui.locked("the per-group thresholds"))

    def _rate(v):
        return 0.0 if v is None else 100 * v

    _metrics = ["FPR", "FNR", "precision (PPV)"]
    _fig = go.Figure([
        go.Bar(x=_metrics, y=[_rate(partB_now[g].fpr), _rate(partB_now[g].fnr), _rate(partB_now[g].ppv)], name=g,
               marker_color=c, text=[pct(v / 100, 2) for v in (_rate(partB_now[g].fpr), _rate(partB_now[g].fnr),
                                                               _rate(partB_now[g].ppv))], textposition="outside")
        for g, c in zip(GROUPS, (charts.COLOR["series"], charts.COLOR["neutral"]))])
    charts.themed(_fig, title="Error rates and precision with one threshold per group", x="", y="percent")
    _fig.update_yaxes(range=[0, 105])
    charts.reference_line(_fig, 100 * part_b_option_values()[partB_result.choice],
                          f"your prediction for group B's precision: {partB_result.label}")
    _forced = forced_fpr(partB_now)
    _errors = {g: partB_now[g].fp + partB_now[g].fn for g in GROUPS}
    _errors_a = {g: partA_conf[g].fp + partA_conf[g].fn for g in GROUPS}
    _n = sum(partB_now[g].n for g in GROUPS)
    _banner = (
        ui.failure_banner("Fairness gap", what=f"error rates differ by {points(partB_now_gaps['odds'])}, over the "
                                               f"board's {points(POLICY_GAP)}"
                          if partB_now_gaps["odds"] is not None else "a group's error rate is undefined (nobody "
                                                                     "on one side of the threshold)",
                          by=points(partB_now_gaps["odds"] - POLICY_GAP) if partB_now_gaps["odds"] is not None
                          else "undefined",
                          fix="move group B's threshold toward where its FPR and FNR meet group A's")
        if partB_unfair else
        ui.banner("ok", "Error rates within the policy",
                  f"FPR and FNR gaps at most {points(partB_now_gaps['odds'])}; the precision gap is "
                  f"{points(abs(partB_now_gaps['ppv'] or 0))}.")
    )
    mo.vstack([
        mo.hstack([partB_threshold_a, partB_threshold_b], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("precision gap (A minus B)", points(partB_now_gaps["ppv"])
                           if partB_now_gaps["ppv"] is not None else "undefined", "predictive parity"),
            ui.metric_card("FPR equal precision would force", "undefined" if _forced is None else
                           f"{pct(_forced.fpr['group A'], 2)} / {pct(_forced.fpr['group B'], 2)}",
                           "group A / group B, at group A's precision and FNR"),
            ui.metric_card("errors (false flags + misses)", f"{U.fmt_number(1000 * sum(_errors.values()) / _n, 3)} "
                                                            "per 1,000 patients",
                           f"one shared {U.fmt_number(PART_A['threshold'], 2)}: "
                           f"{U.fmt_number(1000 * sum(_errors_a.values()) / _n, 3)} per 1,000"),
        ),
        _banner,
        mo.md("The price of equal error rates: group B's lower threshold flags many more patients who would not "
              "be readmitted. Try to make the precision equal instead, and watch the error-rate gap open."),
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "Chouldechova's identity",
        [r"\text{FPR} = \frac{p}{1 - p} \cdot \frac{1 - \text{PPV}}{\text{PPV}} \cdot (1 - \text{FNR})",
         r"\text{PPV} = \frac{p\,(1 - \text{FNR})}{p\,(1 - \text{FNR}) + (1 - p)\,\text{FPR}}",
         r"p_A \ne p_B:\quad \text{equal PPV and FNR} \Rightarrow \text{FPR}_A \ne \text{FPR}_B"],
        [("identity", "eq. 2.6", "Chouldechova 2017, 'Fair prediction with disparate impact'"),
         ("equalized odds", "equal FPR and TPR", "Hardt, Price & Srebro 2016"),
         ("thresholds", f"{U.fmt_number(PART_B['threshold_a'], 2)} / {U.fmt_number(PART_B['threshold_b'], 2)}",
          "scenario (fairness lead)")],
    )
    return


@app.cell
def _():
    ui.section("Part C: The model's whole life", 12)
    return


@app.cell
def _():
    _d = get_device(DEVICE)
    ui.stakeholder(
        "Ingrid Holm", "Sustainability officer",
        f"The network also runs a clinical-notes assistant. Its training run took {TRAIN['gpus']} {_d.name} GPUs "
        f"for {TRAIN['days']} days, and the press release reported its carbon. Since launch it has been served on "
        f"{PART_C['serving_gpus']} of the same GPUs, around the clock, at about {pct(PART_C['utilization'], 2)} "
        f"utilization, and the plan is {PART_C['years']} years in service. Our carbon budget for the model's whole "
        f"life is {tonnes(CARBON_BUDGET_KG)}. How does serving compare with training?",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"Facility energy of {PART_C['years']} years of serving against the training run:",
        {k: k for k in PART_C_OPTIONS})
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_life = lifecycle(**PART_C)
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Energy", choice, G.closest_option(PART_C_OPTIONS, partC_life["ratio"]),
        option_values=PART_C_OPTIONS, actual=partC_life["ratio"], unit="x training",
        explanation=(
            f"Training: {TRAIN['gpus']} GPUs x {U.fmt_number(24 * TRAIN['days'], 6)} hours = "
            f"{kwh(partC_life['train'].energy_kwh)}. Serving: {PART_C['serving_gpus']} GPUs x "
            f"{U.fmt_number(HOURS_PER_YEAR * PART_C['years'], 6)} hours = {kwh(partC_life['serve'].energy_kwh)}, "
            f"{U.fmt_number(partC_life['ratio'], 2)} times as much. Fewer GPUs at lower utilization still draw "
            "idle power, every hour, for years; the training run is a one-off. Over a deployment, inference "
            "usually dominates a model's energy and carbon."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_life, partC_result


@app.cell
def _():
    # Opens on Ingrid's plan: the serving fleet, its utilization, the deployment and the grid she states.
    partC_gpus = mo.ui.slider(8, 256, step=8, value=PART_C["serving_gpus"], label="Serving GPUs", show_value=True)
    partC_years = mo.ui.slider(1, 5, step=1, value=PART_C["years"], label="Years in service", show_value=True)
    partC_util = mo.ui.slider(0.1, 1.0, step=0.05, value=PART_C["utilization"], label="Serving utilization",
                              show_value=True)
    partC_region = mo.ui.dropdown(options=REGION_OPTIONS,
                                  value=next(k for k, v in REGION_OPTIONS.items() if v == PART_C["region"]),
                                  label="Grid (where both run)")
    return partC_gpus, partC_region, partC_util, partC_years


@app.cell
def _(partC_gpus, partC_region, partC_util, partC_years):
    partC_now = lifecycle(partC_gpus.value, partC_years.value, partC_util.value, partC_region.value)
    partC_over = partC_now["over_budget"]
    return partC_now, partC_over


@app.cell
def _(partC_gpus, partC_now, partC_over, partC_region, partC_result, partC_util, partC_years):
    mo.stop(partC_result is None, ui.locked("the lifecycle ledger"))
    _tr, _sv = partC_now["train"], partC_now["serve"]
    _fig = go.Figure(go.Bar(
        x=["training run", f"serving, {partC_years.value} years"], y=[_tr.energy_kwh / 1000, _sv.energy_kwh / 1000],
        marker_color=[charts.COLOR["neutral"], charts.COLOR["series"]],
        text=[kwh(_tr.energy_kwh), kwh(_sv.energy_kwh)], textposition="outside", name="facility energy"))
    charts.themed(_fig, title="Facility energy over the model's life", x="", y="MWh (log scale)")
    charts.log_axes(_fig, ys=[_tr.energy_kwh / 1000, _sv.energy_kwh / 1000,
                              _tr.energy_kwh / 1000 * PART_C_OPTIONS[partC_result.choice]])
    charts.reference_line(_fig, _tr.energy_kwh / 1000 * PART_C_OPTIONS[partC_result.choice],
                          f"your prediction for serving: {partC_result.label}")
    _g = _tr.assumptions["grid_gco2_per_kwh"]
    _banner = (
        ui.failure_banner("Carbon budget", what=f"{tonnes(partC_now['co2_kg'])} over the model's life against "
                                                f"{tonnes(CARBON_BUDGET_KG)}",
                          by=tonnes(partC_now["co2_kg"] - CARBON_BUDGET_KG),
                          fix="serve on fewer, busier GPUs, shorten the deployment, or run on a cleaner grid")
        if partC_over else
        ui.banner("ok", "Within the carbon budget", f"{tonnes(partC_now['co2_kg'])} of "
                                                    f"{tonnes(CARBON_BUDGET_KG)}.")
    )
    mo.vstack([
        mo.hstack([partC_gpus, partC_years, partC_util, partC_region], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("serving / training energy", f"{U.fmt_number(partC_now['ratio'], 3)}x",
                           f"{kwh(_sv.energy_kwh)} vs {kwh(_tr.energy_kwh)}"),
            ui.metric_card("power per serving GPU", f"{U.fmt_number(_sv.power_per_gpu_w['total'], 3)} W",
                           f"at {pct(partC_util.value, 2)} utilization, before PUE"),
            ui.metric_card("lifetime carbon", tonnes(partC_now["co2_kg"]),
                           f"grid {U.fmt_number(_g, 3)} g CO2e per kWh; embodied "
                           f"{tonnes(_tr.embodied_co2_kg + _sv.embodied_co2_kg)}",
                           "fail" if partC_over else "ok"),
        ),
        ui.slo_bars(ui.slo_bar("lifetime carbon", partC_now["co2_kg"] / 1000, CARBON_BUDGET_KG / 1000,
                               unit="t CO2e", fmt=lambda v: U.fmt_number(v, 3))),
        _banner,
        mo.md("Halve the serving GPUs and double their utilization: the same work, much less idle power. Then move "
              "the grid: the same energy, a different carbon bill."),
    ])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    _d = get_device(DEVICE)
    ui.math_peek(
        "energy and carbon over a model's life",
        [r"P(u) = \text{TDP}\,\left(i + (1 - i)\,u\right)",
         r"E = N_\text{GPU}\; t\; P(u)\; \text{PUE}",
         r"\text{CO}_2 = E \cdot I_\text{grid} + \text{embodied}"],
        [("TDP", f"{U.fmt_number(_d.tdp_w)} W", f"{_d.name} datasheet"),
         ("idle fraction i", pct(S.GPU_IDLE_FRACTION, 2), "engine estimate (nvidia-smi idle draw)"),
         ("PUE", U.fmt_number(S.DEFAULT_PUE, 3), "Google 2024 Environmental Report"),
         ("grid intensity", f"{U.fmt_number(S.grid_intensity(PART_C['region'])[0], 3)} g CO2e per kWh",
          S.grid_intensity(PART_C["region"])[2]),
         ("embodied carbon", f"{U.fmt_number(S.EMBODIED_KG_PER_GPU, 3)} kg per GPU", "Luccioni et al. 2023")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result):
    ui.takeaways(
        ["A score calibrated in every group still gives unequal error rates when base rates differ: the group "
         "with more positives gets more false flags and fewer misses at any shared threshold.",
         "Per-group thresholds can equalize FPR and FNR, but then precision follows the base rate: with unequal "
         "base rates, calibration (equal precision) and equal error rates cannot all hold (Chouldechova 2017).",
         "Which fairness criterion to hold is a decision about whose errors cost what, made and documented, not "
         "a property of the model.",
         "Over a deployment, serving around the clock usually outweighs the training run in energy and carbon; "
         "utilization, fleet size and the grid are the levers."],
        [("The two groups' readmission rates become equal. Which criteria can now hold together?",
          "All of them: with equal base rates, one threshold on a calibrated score gives equal FPR, FNR and "
          "precision."),
         ("Serving moves from the United States to France, same GPUs and hours. What changes?",
          "The energy is the same; the operational carbon falls with the grid's intensity.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Dr. Osei needs a decision for the ethics board: which fairness criterion the follow-up "
                     "program holds, at what thresholds, and the serving plan within the carbon budget. "
                     "Write her a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_gaps,
    partA_result,
    partA_threshold,
    partA_unfair,
    partB_conf,
    partB_now_gaps,
    partB_result,
    partB_threshold_a,
    partB_threshold_b,
    partB_unfair,
    partC_gpus,
    partC_life,
    partC_now,
    partC_over,
    partC_region,
    partC_result,
    partC_util,
    partC_years,
):
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result],
        decisions={"shared_threshold": partA_threshold.value, "threshold_group_a": partB_threshold_a.value,
                   "threshold_group_b": partB_threshold_b.value, "serving_gpus": partC_gpus.value,
                   "years_in_service": partC_years.value, "serving_utilization": partC_util.value,
                   "region": partC_region.value},
        outcomes={"fpr_gap_shared_threshold": partA_gaps["fpr"], "fnr_gap_shared_threshold": partA_gaps["fnr"],
                  "precision_group_b_equal_error_rates": partB_conf["group B"].ppv,
                  "precision_gap": partB_now_gaps["ppv"], "error_rate_gap": partB_now_gaps["odds"],
                  "serving_to_training_energy": partC_life["ratio"], "lifetime_co2_kg": partC_now["co2_kg"]},
        constraints=(["fairness gap (Part A)"] if partA_unfair and partA_result else [])
        + (["fairness gap (Part B)"] if partB_unfair and partB_result else [])
        + (["carbon budget"] if partC_over and partC_result else []),
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
