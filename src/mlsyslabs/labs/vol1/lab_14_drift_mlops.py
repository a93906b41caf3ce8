import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_14.py).
    #
    # Against the reference lab ("Evidence-Driven Operations"): its proxy and quality
    # traces were supplied fixtures; here both come from one population-shift model
    # (a growing new cohort moves the input distribution, PSI, and the accuracy). Its
    # Part A/B proxy alerts and sensitivity become Part B's PSI alarm beside the
    # label-based check (alerts vs delayed labels vs check cadence); its Part C
    # retraining cadence becomes Parts C and D with a cost model whose constants are
    # stated (not an arbitrary staleness growth). Its canary and incident parts
    # (D, E) belong to serving and reliability labs and are not repeated here.
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import mlops as OPS

    LAB = get_lab("v1.14")
    # A credit-risk model: the score-band distribution of applicants at training time
    # and of a new partner channel's thin-file applicants (scenario estimates, in
    # percent per band, lowest band first).
    BANDS = [f"band {i}" for i in range(1, 11)]
    P_OLD = [2, 5, 9, 14, 18, 18, 14, 10, 6, 4]
    P_NEW = [9, 15, 18, 17, 14, 10, 7, 5, 3, 2]
    DRIFT = dict(rate_per_month=0.05, acc_old=0.92, acc_new=0.76)  # share growth per month; cohort accuracies
    SLA = 0.86  # the risk committee's accuracy floor
    MONTHS_MAX = 24
    # Part A: six months after training, no retrain.
    PART_A = dict(DRIFT, months=6)
    PART_A_OPTIONS = {"about 92%": 0.92, "about 87%": 0.87, "about 82%": 0.82, "about 76%": 0.76}
    # Part B: the dashboard computes accuracy from labelled outcomes once a month over
    # the last month of labels; a loan's label (default or not) arrives 90 days later.
    PART_B = dict(label_delay_days=OPS.DEFAULT_LABEL_DELAY_DAYS, check_interval_days=30, window_days=30)
    PART_B_OPTIONS = {"about 2 weeks": 15.0, "about 1 month": 30.0, "about 3 months": 91.0, "about 4 months": 122.0}
    POLICY_DAYS = 30  # the risk officer's limit on days of undetected SLA breach
    PSI_ALARM = dict(check_interval_days=1, window_days=7)  # a daily PSI over the last week of inputs
    PSI_OPTIONS = {"off (labels only)": 0.0, "0.25 (rule of thumb: major shift)": 0.25,
                   "0.10 (rule of thumb: some shift)": 0.10, "0.05": 0.05, "0.02": 0.02}
    # Parts C and D: what a retrain costs (labelling, compute, validation, sign-off) and
    # what an accuracy point is worth (credit losses), both scenario estimates.
    COSTS = dict(retrain_cost=60_000, cost_per_point_month=20_000)
    PART_C = dict(DRIFT)
    PART_C_OPTIONS = {"every month": 1, "every 3 months": 3, "every 6 months": 6, "every 12 months": 12}
    # Part D: the partner channel doubles its onboarding: the new cohort grows twice as fast.
    PART_D = dict(DRIFT, rate_per_month=2 * DRIFT["rate_per_month"], cadence=3)
    PART_D_OPTIONS = {"shrinks to half": 0.5, "shrinks to about 70%": 0.71, "shrinks to about a quarter": 0.25,
                      "stays the same": 1.0}
    BUDGET = 900_000  # the operations budget for retraining plus credit losses, USD per year


@app.function
def pct(fraction: float, digits: int = 3) -> str:
    """A fraction as a percentage: 0.872 -> '87.2%'."""
    return f"{U.fmt_number(100 * fraction, digits)}%"


@app.function
def usd(x: float) -> str:
    return f"{U.fmt_number(x)} USD"


@app.function
def days(d: float) -> str:
    return f"{U.fmt_number(d, 3)} days"


@app.function
def state(months: float, rate_per_month: float, acc_old: float, acc_new: float):
    """The drift state (cohort share, PSI, accuracy) `months` after training."""
    return OPS.drift_state(months, rate_per_month=rate_per_month, acc_old=acc_old, acc_new=acc_new, p_old=P_OLD,
                           p_new=P_NEW)


@app.function
def part_a_accuracy() -> float:
    return state(**PART_A).accuracy


@app.function
def loss_per_month(rate_per_month: float, acc_old: float, acc_new: float) -> float:
    """Accuracy lost per month while the new cohort's share grows (a fraction)."""
    return rate_per_month * max(0.0, acc_old - acc_new)


@app.function
def breach_months(rate_per_month: float, acc_old: float, acc_new: float):
    return OPS.months_to_accuracy(SLA, rate_per_month=rate_per_month, acc_old=acc_old, acc_new=acc_new)


@app.function
def monitoring(label_delay_days: float, check_interval_days: float, window_days: float, psi_threshold: float,
               rate_per_month: float = DRIFT["rate_per_month"]) -> dict:
    """When each alarm sees the SLA breach of the drift scenario, in months after training.
    The label-based check sees accuracy; the PSI alarm sees inputs only (no labels)."""
    breach = breach_months(rate_per_month, DRIFT["acc_old"], DRIFT["acc_new"])
    label_lag = OPS.detection_lag_days(label_delay_days=label_delay_days, check_interval_days=check_interval_days,
                                       window_days=window_days)
    label_at = None if breach is None else breach + label_lag / OPS.DAYS_PER_MONTH
    psi_at = None
    if psi_threshold > 0:
        crossing = OPS.months_to_psi(psi_threshold, rate_per_month=rate_per_month, p_old=P_OLD, p_new=P_NEW)
        if crossing is not None:
            psi_at = crossing + OPS.detection_lag_days(**PSI_ALARM) / OPS.DAYS_PER_MONTH
    found = [t for t in (label_at, psi_at) if t is not None]
    first = min(found) if found else None
    exposure = None if breach is None or first is None else max(0.0, first - breach) * OPS.DAYS_PER_MONTH
    return dict(breach=breach, label_at=label_at, label_lag_days=label_lag, psi_at=psi_at, first=first,
                exposure_days=exposure, violation=breach is not None and (exposure is None or exposure > POLICY_DAYS))


@app.function
def part_b_lag_days() -> float:
    return OPS.detection_lag_days(**PART_B)


@app.function
def cost(cadence: float, rate_per_month: float, acc_old: float = DRIFT["acc_old"],
         acc_new: float = DRIFT["acc_new"], retrain_cost: float = COSTS["retrain_cost"]):
    return OPS.annual_cost(cadence, retrain_cost=retrain_cost, loss_per_month=loss_per_month(rate_per_month, acc_old,
                                                                                              acc_new),
                           cost_per_point_month=COSTS["cost_per_point_month"], acc0=acc_old)


@app.function
def best_cadence(rate_per_month: float, acc_old: float = DRIFT["acc_old"], acc_new: float = DRIFT["acc_new"],
                 retrain_cost: float = COSTS["retrain_cost"], min_accuracy: float | None = None):
    return OPS.best_cadence(retrain_cost=retrain_cost, loss_per_month=loss_per_month(rate_per_month, acc_old, acc_new),
                            cost_per_point_month=COSTS["cost_per_point_month"], acc0=acc_old,
                            min_accuracy=min_accuracy)


@app.function
def optimal_cadence(rate_per_month: float, retrain_cost: float = COSTS["retrain_cost"]) -> float:
    """The continuous cost optimum T* in months (inf when nothing decays)."""
    return OPS.optimal_cadence_months(retrain_cost=retrain_cost,
                                      loss_per_month=loss_per_month(rate_per_month, DRIFT["acc_old"],
                                                                    DRIFT["acc_new"]),
                                      cost_per_point_month=COSTS["cost_per_point_month"])


@app.function
def floor_cadence(rate_per_month: float) -> float:
    """The longest interval between retrains that keeps accuracy at or above the floor."""
    s = loss_per_month(rate_per_month, DRIFT["acc_old"], DRIFT["acc_new"])
    return float("inf") if s == 0 else (DRIFT["acc_old"] - SLA) / s


@app.function
def part_c_cadence() -> int:
    return best_cadence(PART_C["rate_per_month"])


@app.function
def part_d_ratio() -> float:
    """How the cost-optimal cadence changes when the cohort grows twice as fast."""
    return optimal_cadence(PART_D["rate_per_month"]) / optimal_cadence(PART_C["rate_per_month"])


@app.function
def plan(cadence: int, rate_per_month: float, retrain_cost: float) -> dict:
    """Part D's plan: annual cost, the accuracy at the end of a cycle, and its failures."""
    c = cost(cadence, rate_per_month, retrain_cost=retrain_cost)
    cyc = OPS.cycle_accuracy(cadence, acc0=DRIFT["acc_old"],
                             loss_per_month=loss_per_month(rate_per_month, DRIFT["acc_old"], DRIFT["acc_new"]))
    violations = []
    if cyc.minimum < SLA:
        violations.append("accuracy SLA")
    if c.total > BUDGET:
        violations.append("budget")
    return dict(cost=c, cycle=cyc, violations=violations)


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB, subtitle="Nothing in the code changed, yet the model got worse. How fast, how would you know, "
                            "and how often should you retrain?",
              parts=["Part A: silent decay", "Part B: late labels", "Part C: the retraining bill",
                     "Part D: faster drift"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: Silent decay", 10)
    return


@app.cell
def _():
    ui.stakeholder(
        "Lena Fischer", "Head of credit risk",
        f"Our default-risk model scored {pct(DRIFT['acc_old'])} at launch. Since then a partner channel has sent us "
        f"young, thin-file applicants: their share of traffic grows by "
        f"{U.fmt_number(100 * DRIFT['rate_per_month'], 2)} percentage points a month, and on a labelled sample "
        f"of them the model scores {pct(DRIFT['acc_new'])}. Nobody has touched the model. "
        f"The committee's floor is {pct(SLA)}. Where will accuracy be {PART_A['months']} months after launch?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"Accuracy on all traffic {PART_A['months']} months after launch, with no retrain:",
        {k: k for k in PART_A_OPTIONS})
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_state = state(**PART_A)
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Drift", choice, G.closest_option(PART_A_OPTIONS, partA_state.accuracy),
        option_values={k: 100 * v for k, v in PART_A_OPTIONS.items()}, actual=100 * partA_state.accuracy, unit="%",
        explanation=(
            f"After {PART_A['months']} months the new cohort is {pct(partA_state.share_new, 2)} of traffic. Accuracy "
            f"is the traffic-weighted mean: {pct(1 - partA_state.share_new, 2)} x {pct(DRIFT['acc_old'])} + "
            f"{pct(partA_state.share_new, 2)} x {pct(DRIFT['acc_new'])} = {pct(partA_state.accuracy)}. The model did "
            f"not change; the population it serves did. Meanwhile the PSI of the score bands reads only "
            f"{U.fmt_number(partA_state.psi, 2)}, under the 0.1 that rules of thumb call stable."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_result, partA_state


@app.cell
def _():
    # Opens on Lena's scenario: six months, the stated share growth and cohort accuracy.
    partA_months = mo.ui.slider(0, MONTHS_MAX, value=PART_A["months"], label="Months since training",
                                show_value=True)
    partA_rate = mo.ui.slider(0.0, 0.2, step=0.01, value=PART_A["rate_per_month"],
                              label="New cohort's share growth (per month)", show_value=True)
    partA_acc_new = mo.ui.slider(0.5, DRIFT["acc_old"], step=0.01, value=PART_A["acc_new"],
                                 label="Model accuracy on the new cohort", show_value=True)
    return partA_acc_new, partA_months, partA_rate


@app.cell
def _(partA_acc_new, partA_months, partA_rate):
    partA_now = state(partA_months.value, partA_rate.value, DRIFT["acc_old"], partA_acc_new.value)
    partA_breached = partA_now.accuracy < SLA
    return partA_breached, partA_now


@app.cell
def _(partA_acc_new, partA_breached, partA_months, partA_now, partA_rate, partA_result):
    mo.stop(partA_result is None, ui.locked("the drift explorer"))
    _ms = list(range(MONTHS_MAX + 1))
    _curve = [state(m, partA_rate.value, DRIFT["acc_old"], partA_acc_new.value) for m in _ms]
    _fig = go.Figure(go.Scatter(x=_ms, y=[100 * s.accuracy for s in _curve], mode="lines", name="accuracy",
                                line=dict(color=charts.COLOR["series"], width=3)))
    _fig.add_trace(go.Scatter(x=[0, MONTHS_MAX], y=[100 * SLA] * 2, mode="lines", name=f"floor {pct(SLA)}",
                              line=dict(color=charts.COLOR["limit"], dash="dot")))
    _fig.add_trace(go.Scatter(x=[partA_months.value], y=[100 * partA_now.accuracy], mode="markers",
                              marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"month {partA_months.value}: {pct(partA_now.accuracy)}"))
    charts.themed(_fig, title="Accuracy on all traffic as the new cohort grows", x="months since training",
                  y="accuracy (%)")
    _fig.update_yaxes(range=[45, 100])
    charts.reference_line(_fig, 100 * PART_A_OPTIONS[partA_result.choice],
                          f"your prediction at month {PART_A['months']}: {partA_result.label}")
    _dist = go.Figure([
        go.Bar(x=BANDS, y=[v / sum(P_OLD) * 100 for v in P_OLD], name="training data",
               marker_color=charts.COLOR["neutral"]),
        go.Bar(x=BANDS, y=[v * 100 for v in OPS.mixture(partA_now.share_new, P_OLD, P_NEW)],
               name=f"traffic at month {partA_months.value}", marker_color=charts.COLOR["series"]),
    ])
    charts.themed(_dist, title=f"Credit-score bands: PSI = {U.fmt_number(partA_now.psi, 2)}",
                  x="score band (lowest first)", y="share of applicants (%)", height=300)
    _banner = (
        ui.failure_banner("Accuracy SLA", what=f"accuracy is {pct(partA_now.accuracy)} at month "
                                               f"{partA_months.value}, under the {pct(SLA)} floor",
                          by=f"{U.fmt_number(100 * (SLA - partA_now.accuracy), 2)} percentage points",
                          fix="retrain on recent traffic (Part C) or look at an earlier month")
        if partA_breached else
        ui.banner("ok", "Above the floor", f"{pct(partA_now.accuracy)} at month {partA_months.value}; the floor is "
                                           f"{pct(SLA)}.")
    )
    _psi_word = "stable" if partA_now.psi < 0.1 else ("some shift" if partA_now.psi < 0.25 else "major shift")
    mo.vstack([
        mo.hstack([partA_months, partA_rate, partA_acc_new], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("new cohort's share", pct(partA_now.share_new, 2), f"month {partA_months.value}"),
            ui.metric_card("accuracy", pct(partA_now.accuracy), f"floor {pct(SLA)}",
                           "fail" if partA_breached else "ok"),
            ui.metric_card("PSI of score bands", U.fmt_number(partA_now.psi, 2), f"rule of thumb: {_psi_word}"),
        ),
        _banner,
        _dist,
        mo.md("Set the new cohort's accuracy equal to the launch accuracy: the PSI still climbs, accuracy does not. "
              "Input drift is evidence to investigate, not proof of decay."),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "population shift as a quality model",
        [r"w(t) = \min(1,\; r\,t), \qquad p_t = (1 - w)\, p_\text{train} + w\, p_\text{new}",
         r"\text{Acc}(t) = (1 - w)\,\text{Acc}_\text{old} + w\,\text{Acc}_\text{new}",
         r"\text{PSI}(t) = \sum_i \left(p_{t,i} - p_{\text{train},i}\right) \ln\frac{p_{t,i}}{p_{\text{train},i}} "
         r"\;\approx\; w^2 \sum_i \frac{(p_{\text{new},i} - p_{\text{train},i})^2}{p_{\text{train},i}}"],
        [("share growth r", f"{pct(DRIFT['rate_per_month'], 2)} of traffic per month", "scenario"),
         ("Acc_old, Acc_new", f"{pct(DRIFT['acc_old'])}, {pct(DRIFT['acc_new'])}", "scenario (labelled samples)"),
         ("score-band distributions", "10 bands each", "scenario estimates (see the bar chart)"),
         ("PSI rule of thumb", "0.1 / 0.25", OPS.SOURCES["PSI_RULE"])],
    )
    return


@app.cell
def _():
    ui.section("Part B: Late labels", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Omar Haddad", "Model risk officer",
        f"Our dashboard computes accuracy from labelled outcomes: every {PART_B['check_interval_days']} days it scores "
        f"the last {PART_B['window_days']} days of loans whose outcome is known. A loan is labelled a default only "
        f"{PART_B['label_delay_days']} days past due. Say accuracy crosses the {pct(SLA)} floor on some day. How long "
        "after that does the dashboard first show it?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        "Time from the day accuracy crosses the floor to the first check that shows it (on average):",
        {k: k for k in PART_B_OPTIONS})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_lag = part_b_lag_days()
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Drift", choice, G.closest_option(PART_B_OPTIONS, partB_lag),
        option_values=PART_B_OPTIONS, actual=partB_lag, unit="days",
        explanation=(
            f"Three delays add up: the labels arrive {days(PART_B['label_delay_days'])} late; a window of "
            f"{days(PART_B['window_days'])} averages its loans, so it shows the accuracy of its midpoint, "
            f"{days(PART_B['window_days'] / 2)} back; and the next check comes on average "
            f"{days(PART_B['check_interval_days'] / 2)} later. {days(partB_lag)} of lending under the floor "
            "before anyone can know from labels."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_lag, partB_result


@app.cell
def _():
    # Opens on Omar's dashboard: labels only, the stated delay, interval and window.
    partB_delay = mo.ui.slider(0, 180, step=5, value=PART_B["label_delay_days"], label="Label delay (days)",
                               show_value=True)
    partB_interval = mo.ui.slider(1, 90, value=PART_B["check_interval_days"], label="Check every (days)",
                                  show_value=True)
    partB_window = mo.ui.slider(1, 90, value=PART_B["window_days"], label="Evaluation window (days)",
                                show_value=True)
    partB_psi = mo.ui.dropdown(options={k: k for k in PSI_OPTIONS}, value="off (labels only)",
                               label="PSI alarm on the score bands (daily, last 7 days of inputs)")
    return partB_delay, partB_interval, partB_psi, partB_window


@app.cell
def _(partB_delay, partB_interval, partB_psi, partB_window):
    partB_mon = monitoring(partB_delay.value, partB_interval.value, partB_window.value, PSI_OPTIONS[partB_psi.value])
    partB_late = partB_mon["violation"]
    return partB_late, partB_mon


@app.cell
def _(partB_delay, partB_interval, partB_late, partB_mon, partB_psi, partB_result, partB_window):
    mo.stop(partB_result is None, ui.locked("the monitoring timeline"))
    _b = partB_mon["breach"]
    _ms = [m / 4 for m in range(4 * MONTHS_MAX + 1)]
    _fig = go.Figure(go.Scatter(x=_ms, y=[100 * state(m, **DRIFT).accuracy for m in _ms], mode="lines",
                                name="true accuracy", line=dict(color=charts.COLOR["series"], width=3)))
    _fig.add_trace(go.Scatter(x=[0, MONTHS_MAX], y=[100 * SLA] * 2, mode="lines", name=f"floor {pct(SLA)}",
                              line=dict(color=charts.COLOR["limit"], dash="dot")))
    _marks = [(partB_mon["label_at"], "label check sees it", charts.COLOR["alternative"]),
              (partB_mon["psi_at"], "PSI alarm fires", charts.COLOR["data"])]
    for _t, _name, _color in _marks:
        if _t is not None and _t <= MONTHS_MAX:
            _fig.add_trace(go.Scatter(x=[_t, _t], y=[45, 100], mode="lines", line=dict(color=_color, width=3),
                                      name=f"{_name}: month {U.fmt_number(_t, 3)}"))
    _fig.add_trace(go.Scatter(x=[_b], y=[100 * SLA], mode="markers", name=f"floor crossed: month "
                                                                          f"{U.fmt_number(_b, 3)}",
                              marker=dict(size=12, symbol="x", color=charts.COLOR["limit"])))
    charts.themed(_fig, title="When does anyone know?", x="months since training", y="accuracy (%)", height=380)
    _fig.update_yaxes(range=[45, 100])
    _pred_at = _b + partB_result.predicted / OPS.DAYS_PER_MONTH
    charts.reference_line(_fig, _pred_at, f"your prediction: {partB_result.label} after the crossing", axis="x")
    _exp = partB_mon["exposure_days"]
    _early = partB_mon["first"] is not None and partB_mon["first"] < _b
    if partB_late:
        _banner = ui.failure_banner(
            "Undetected breach", what=("nothing detects the breach within the "
                                       f"{MONTHS_MAX} months shown" if _exp is None else
                                       f"loans are scored under the floor for {days(_exp)} before an alarm"),
            by=("the whole horizon" if _exp is None else days(_exp - POLICY_DAYS)),
            fix=f"the policy allows {days(POLICY_DAYS)}: shorten the label path, check more often, or add an "
                "input alarm whose threshold matches the accuracy floor")
    elif _early:
        _ahead = (_b - partB_mon["first"]) * OPS.DAYS_PER_MONTH
        _banner = ui.banner("ok", "Early warning", f"the PSI alarm fires {days(_ahead)} before the floor is "
                                                   "crossed; a low threshold also fires on harmless shifts, "
                                                   "so each alarm costs an investigation.")
    else:
        _banner = ui.banner("ok", "Within policy", f"the breach is seen after {days(_exp)}; the policy allows "
                                                   f"{days(POLICY_DAYS)}.")
    mo.vstack([
        mo.hstack([partB_delay, partB_interval, partB_window], wrap=True),
        partB_psi,
        _fig,
        ui.cards(
            ui.metric_card("label-based lag", days(partB_mon["label_lag_days"]),
                           "delay + window/2 + interval/2"),
            ui.metric_card("PSI alarm", "off" if PSI_OPTIONS[partB_psi.value] == 0 else
                           ("never fires" if partB_mon["psi_at"] is None else
                            f"month {U.fmt_number(partB_mon['psi_at'], 3)}"),
                           "inputs only: no labels needed"),
            ui.metric_card("days under the floor unseen", "never seen" if _exp is None else days(_exp),
                           f"policy: at most {days(POLICY_DAYS)}", "fail" if partB_late else "ok"),
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
    ui.math_peek(
        "detection delay",
        [r"\Delta t_\text{labels} = d_\text{label} + \frac{W}{2} + \frac{I}{2}",
         r"t_\text{PSI} = \min\{t : \text{PSI}(t) \ge \theta\} + \frac{W_\text{PSI}}{2} + \frac{I_\text{PSI}}{2}",
         r"\text{unseen days} = \max\left(0,\; \min(t_\text{labels}, t_\text{PSI}) - t_\text{breach}\right)"],
        [("label delay d", days(OPS.DEFAULT_LABEL_DELAY_DAYS), OPS.SOURCES["DEFAULT_LABEL_DELAY_DAYS"]),
         ("check interval I, window W", f"{days(PART_B['check_interval_days'])}, {days(PART_B['window_days'])}",
          "scenario (the dashboard)"),
         ("PSI alarm: interval, window", f"{days(PSI_ALARM['check_interval_days'])}, "
                                         f"{days(PSI_ALARM['window_days'])}", "scenario"),
         ("days per month", U.fmt_number(OPS.DAYS_PER_MONTH, 4), "Gregorian mean month"),
         ("policy limit", days(POLICY_DAYS), "scenario (model risk policy)")],
    )
    return


@app.cell
def _():
    ui.section("Part C: The retraining bill", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Priya Raman", "Head of ML platform",
        f"A retrain costs us about {usd(COSTS['retrain_cost'])}: fresh labels, compute, validation and the "
        f"committee's sign-off. Finance says each point of accuracy we lose costs "
        f"{usd(COSTS['cost_per_point_month'])} a month in credit losses. Accuracy falls "
        f"{U.fmt_number(100 * loss_per_month(**DRIFT), 2)} points a month as in Part A, and every retrain restores "
        f"{pct(DRIFT['acc_old'])}. Which schedule costs the least per year?",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction("The retraining schedule with the lowest yearly cost:",
                                            {k: k for k in PART_C_OPTIONS})
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_best = part_c_cadence()
    _c = {k: cost(v, PART_C["rate_per_month"]) for k, v in PART_C_OPTIONS.items()}
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Drift", choice, G.closest_option(PART_C_OPTIONS, partC_best),
        option_values=PART_C_OPTIONS, actual=float(partC_best), unit="months",
        explanation=(
            "Retraining cost falls as 1/T while the accuracy lost grows as T: "
            + "; ".join(f"{k}: {usd(c.total)}" for k, c in _c.items())
            + f". The optimum is T* = sqrt(2C / Vs) = {U.fmt_number(optimal_cadence(PART_C['rate_per_month']), 2)} "
            "months. Monthly retraining buys accuracy that is worth less than it costs; waiting until the floor "
            "pays for the lost points instead."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_best, partC_result


@app.cell
def _():
    partC_retrain = mo.ui.slider(10_000, 200_000, step=10_000, value=COSTS["retrain_cost"],
                                 label="Cost of one retrain (USD)", show_value=True)
    return (partC_retrain,)


@app.cell
def _(partC_result, partC_retrain):
    mo.stop(partC_result is None, ui.locked("the cost curve"))
    _ts = list(range(1, 13))
    _cs = [cost(t, PART_C["rate_per_month"], retrain_cost=partC_retrain.value) for t in _ts]
    _best = best_cadence(PART_C["rate_per_month"], retrain_cost=partC_retrain.value)
    _fig = go.Figure([
        go.Bar(x=_ts, y=[c.retraining / 1000 for c in _cs], name="retraining", marker_color=charts.COLOR["compute"]),
        go.Bar(x=_ts, y=[c.accuracy_loss / 1000 for c in _cs], name="credit losses from decay",
               marker_color=charts.COLOR["data"]),
    ])
    _fig.update_layout(barmode="stack")
    charts.themed(_fig, title="Yearly cost by retraining cadence", x="retrain every (months)",
                  y="thousand USD per year")
    _fig.update_xaxes(dtick=1)
    charts.mark_point(_fig, _best, _cs[_best - 1].total / 1000, f"cheapest: every {_best} months")
    charts.reference_line(_fig, PART_C_OPTIONS[partC_result.choice], f"your prediction: {partC_result.label}",
                          axis="x")
    _b = _cs[_best - 1]
    mo.vstack([
        partC_retrain,
        _fig,
        ui.cards(
            ui.metric_card("cheapest cadence", f"every {_best} months",
                           f"T* = {U.fmt_number(optimal_cadence(PART_C['rate_per_month'], partC_retrain.value), 2)} "
                           "months"),
            ui.metric_card("its yearly cost", usd(_b.total),
                           f"{usd(_b.retraining)} retraining + {usd(_b.accuracy_loss)} losses"),
            ui.metric_card("monthly instead", usd(_cs[0].total),
                           f"{U.fmt_ratio(_cs[0].total / _b.total)} the cheapest"),
        ),
    ])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "retraining cadence",
        [r"\overline{\text{loss}}(T) = \frac{s\,T}{2}, \qquad \text{Acc}_\text{min}(T) = \text{Acc}_0 - s\,T",
         r"\text{cost}(T) = \frac{12\,C}{T} + 12\, V\, \frac{s\,T}{2} \quad \text{(per year, } T \text{ in months)}",
         r"T^* = \sqrt{\frac{2\,C}{V\,s}}"],
        [("retrain cost C", usd(COSTS["retrain_cost"]), "scenario estimate"),
         ("value of a point V", f"{usd(COSTS['cost_per_point_month'])} per point per month", "scenario estimate"),
         ("decay s", f"{U.fmt_number(100 * loss_per_month(**DRIFT), 2)} points per month",
          "r (Acc_old - Acc_new), Part A"),
         ("square-root law", "T* = sqrt(2C / Vs)", OPS.SOURCES["SQRT_LAW"])],
    )
    return


@app.cell
def _():
    ui.section("Part D: Faster drift", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Priya Raman", "Head of ML platform",
        f"The partner channel doubles its onboarding: the new cohort's share now grows "
        f"{U.fmt_number(100 * PART_D['rate_per_month'], 2)} percentage points a month. Retrain costs and the value "
        f"of a point stay the same. We retrain every {PART_D['cadence']} months today. "
        f"Our budget is {usd(BUDGET)} a year and the "
        f"{pct(SLA)} floor still holds. How should the cost-optimal cadence move?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction("With the cohort growing twice as fast, the cost-optimal interval "
                                            "between retrains:", {k: k for k in PART_D_OPTIONS})
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_ratio = part_d_ratio()
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", "Drift", choice, G.closest_option(PART_D_OPTIONS, partD_ratio),
        option_values={k: 100 * v for k, v in PART_D_OPTIONS.items()}, actual=100 * partD_ratio,
        unit="% of the old interval",
        explanation=(
            f"T* = sqrt(2C / Vs): doubling the decay s shortens it by 1/sqrt(2), to {pct(partD_ratio, 2)} of the old "
            f"interval ({U.fmt_number(optimal_cadence(PART_C['rate_per_month']), 2)} -> "
            f"{U.fmt_number(optimal_cadence(PART_D['rate_per_month']), 2)} months), not to half: retraining more "
            "often also spends more. The floor can bind first: at the faster drift it allows at most "
            f"{U.fmt_number(floor_cadence(PART_D['rate_per_month']), 2)} months between retrains."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_ratio, partD_result


@app.cell
def _():
    # Opens on Priya's situation: today's cadence under the doubled growth and today's costs.
    partD_cadence = mo.ui.slider(1, 12, value=PART_D["cadence"], label="Retrain every (months)", show_value=True)
    partD_rate = mo.ui.slider(0.0, 0.2, step=0.01, value=PART_D["rate_per_month"],
                              label="New cohort's share growth (per month)", show_value=True)
    partD_retrain = mo.ui.slider(10_000, 200_000, step=10_000, value=COSTS["retrain_cost"],
                                 label="Cost of one retrain (USD)", show_value=True)
    return partD_cadence, partD_rate, partD_retrain


@app.cell
def _(partD_cadence, partD_rate, partD_retrain):
    partD_plan = plan(partD_cadence.value, partD_rate.value, partD_retrain.value)
    partD_violations = partD_plan["violations"]
    return partD_plan, partD_violations


@app.cell
def _(partD_cadence, partD_plan, partD_rate, partD_result, partD_retrain, partD_violations):
    mo.stop(partD_result is None, ui.locked("the cadence planner"))
    _ts = list(range(1, 13))
    _plans = [plan(t, partD_rate.value, partD_retrain.value) for t in _ts]
    _ok = [not p["violations"] for p in _plans]
    _fig = go.Figure(go.Bar(
        x=_ts, y=[p["cost"].total / 1000 for p in _plans], name="yearly cost",
        marker_color=[charts.COLOR["series"] if ok else charts.COLOR["neutral"] for ok in _ok],
        text=["" if ok else ("floor" if "accuracy SLA" in p["violations"] else "budget")
              for ok, p in zip(_ok, _plans)], textposition="outside"))
    _fig.add_trace(go.Scatter(x=[0.5, 12.5], y=[BUDGET / 1000] * 2, mode="lines", name=f"budget {usd(BUDGET)}",
                              line=dict(color=charts.COLOR["limit"], dash="dot")))
    charts.themed(_fig, title="Yearly cost by cadence (grey: breaks the floor or the budget)",
                  x="retrain every (months)", y="thousand USD per year")
    _fig.update_xaxes(dtick=1)
    _t_old = optimal_cadence(PART_C["rate_per_month"], partD_retrain.value)
    _t_new = optimal_cadence(partD_rate.value, partD_retrain.value)
    _pred = _t_old * PART_D_OPTIONS[partD_result.choice]
    charts.reference_line(_fig, _pred, f"your prediction: {U.fmt_number(_pred, 2)} months", axis="x")
    charts.mark_point(_fig, partD_cadence.value, partD_plan["cost"].total / 1000,
                      f"your plan: every {partD_cadence.value} months")
    _banners = []
    if "accuracy SLA" in partD_violations:
        _banners.append(ui.failure_banner(
            "Accuracy SLA", what=f"accuracy falls to {pct(partD_plan['cycle'].minimum)} before each retrain",
            by=f"{U.fmt_number(100 * (SLA - partD_plan['cycle'].minimum), 2)} percentage points",
            fix="retrain more often"))
    if "budget" in partD_violations:
        _banners.append(ui.failure_banner(
            "Budget", what=f"{usd(partD_plan['cost'].total)} a year against {usd(BUDGET)}",
            by=usd(partD_plan["cost"].total - BUDGET),
            fix="move the cadence toward the cost optimum, or make retrains cheaper"))
    if not _banners:
        _banners.append(ui.banner("ok", "Feasible", f"every {partD_cadence.value} months: "
                                                    f"{usd(partD_plan['cost'].total)} a year, accuracy never "
                                                    f"below {pct(partD_plan['cycle'].minimum)}."))
    _best = best_cadence(partD_rate.value, retrain_cost=partD_retrain.value, min_accuracy=SLA)
    mo.vstack([
        mo.hstack([partD_cadence, partD_rate, partD_retrain], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("cost optimum T*", "no decay" if _t_new == float("inf") else
                           f"{U.fmt_number(_t_new, 2)} months",
                           "" if _t_new == float("inf") or _t_old == float("inf") else
                           f"{pct(_t_new / _t_old, 2)} of {U.fmt_number(_t_old, 2)} months at "
                           f"{pct(PART_C['rate_per_month'], 2)} growth"),
            ui.metric_card("cheapest cadence within the floor", "none" if _best is None else f"every {_best} months",
                           "whole months, 1 to 12"),
            ui.metric_card("your plan's yearly cost", usd(partD_plan["cost"].total),
                           f"{U.fmt_number(partD_plan['cost'].retrains_per_year, 2)} retrains a year",
                           "fail" if "budget" in partD_violations else "ok"),
        ),
        ui.slo_bars(ui.slo_bar("lowest accuracy in a cycle", 100 * partD_plan["cycle"].minimum, 100 * SLA, unit="%",
                               fmt=lambda v: U.fmt_number(v, 3), higher_is_better=True),
                    ui.slo_bar("yearly cost", partD_plan["cost"].total / 1000, BUDGET / 1000,
                               unit="thousand USD", fmt=lambda v: U.fmt_number(v, 3))),
        *_banners,
    ])
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "how the optimum moves",
        [r"\frac{T^*(2s)}{T^*(s)} = \sqrt{\frac{1}{2}} \approx 0.71",
         r"T \le T_\text{floor} = \frac{\text{Acc}_0 - \text{Acc}_\text{floor}}{s}"],
        [("budget", usd(BUDGET), "scenario"),
         ("accuracy floor", pct(SLA), "scenario (risk committee)"),
         ("square-root law", "T* = sqrt(2C / Vs)", OPS.SOURCES["SQRT_LAW"])],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    ui.takeaways(
        ["A model decays without a code change: accuracy follows the traffic's mix of cohorts, linearly in the new "
         "cohort's share, while the PSI of its inputs grows roughly with the square of that share.",
         "PSI rules of thumb (0.1, 0.25) are not accuracy floors: set an input alarm's threshold from the accuracy "
         "you can afford to lose, and expect it to fire on harmless shifts too.",
         "Label-based monitoring is late by the label delay plus half the window plus half the check interval.",
         "Retraining cadence is a cost trade-off with a square-root optimum, T* = sqrt(2C / Vs), bounded by the "
         "accuracy floor: twice the drift shortens it by about 30%, not by half."],
        [("The new cohort's accuracy equals the old one's. What does drift do to accuracy, and to PSI?",
          "Accuracy stays flat; PSI rises anyway. Drift alone is not decay."),
         ("Retraining costs four times as much. How does the cost-optimal interval change?",
          "It doubles: T* grows with the square root of C.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Lena needs a retraining cadence and a monitoring plan for the faster-drifting portfolio, "
                     "within the budget and above the floor. Write her a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_breached,
    partA_result,
    partA_state,
    partB_delay,
    partB_interval,
    partB_lag,
    partB_late,
    partB_mon,
    partB_psi,
    partB_result,
    partB_window,
    partC_best,
    partC_result,
    partD_cadence,
    partD_plan,
    partD_rate,
    partD_ratio,
    partD_result,
    partD_violations,
):
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        # the cadence v1.16 reads is the learner's only once Part D is unlocked (never the unseen default)
        decisions={**({"cadence_months": int(partD_cadence.value)} if partD_result else {}),
                   "psi_threshold": PSI_OPTIONS[partB_psi.value], "label_delay_days": partB_delay.value,
                   "check_interval_days": partB_interval.value, "window_days": partB_window.value,
                   "share_growth_per_month": partD_rate.value},
        outcomes={"accuracy_after_6_months": partA_state.accuracy, "psi_after_6_months": partA_state.psi,
                  "label_detection_lag_days": partB_lag, "unseen_breach_days": partB_mon["exposure_days"],
                  "cheapest_cadence_months": partC_best, "optimum_ratio_doubled_drift": partD_ratio,
                  "yearly_cost_usd": partD_plan["cost"].total, "min_cycle_accuracy": partD_plan["cycle"].minimum},
        constraints=(["accuracy SLA (Part A)"] if partA_breached and partA_result else [])
        + (["undetected breach"] if partB_late and partB_result else [])
        + (partD_violations if partD_result else []),
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
