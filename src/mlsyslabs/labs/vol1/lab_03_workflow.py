import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import build_record, charts, G, get_lab, home_context, Ledger, P, save_if_changed, U, ui
    from mlsyslabs.physics import workflow as W

    LAB = get_lab("v1.03")
    ledger = Ledger.open()
    # The scenario: four weeks of round-the-clock machine time, 15 minutes of human turnaround per experiment
    SCENARIO = {"hours": 4 * 7 * 24, "turnaround_h": 0.25, "fast_h": 0.5, "slow_h": 8.0, "fix_days": 0.5,
                "deadline_weeks": 12, "images": 1_281_167, "epochs": 5}
    return G, LAB, P, SCENARIO, U, W, build_record, charts, go, home_context, ledger, mo, save_if_changed, ui


@app.cell
def _(LAB, ledger, ui):
    ui.header(LAB, subtitle="Iteration velocity compounds, and a defect costs more the later it is found.",
              parts=["A: loop length", "B: late defects", "C: on-device loops", "D: ship by a deadline"],
              notice=ledger.notice)
    return


@app.cell
def _(ui):
    ui.section("Part A: How much does a short loop buy?", 12)
    return


@app.cell
def _(SCENARIO, ui):
    ui.stakeholder(
        "Noor Haddad", "ML team lead",
        f"Our training run takes {SCENARIO['slow_h']:.0f} hours. By subsampling and a smaller proxy model we could "
        f"get a {SCENARIO['fast_h'] * 60:.0f}-minute loop. Each result still needs ~{SCENARIO['turnaround_h'] * 60:.0f} "
        "minutes of someone's attention. Over the next 4 weeks, how many more experiments is that?",
    )
    return


@app.cell
def _(ui):
    partA_prediction = ui.numeric_prediction("Experiments with the 30-min loop / with the 8-h loop", start=1, stop=100,
                                             step=0.5, value=16, unit="x")
    partA_prediction
    return (partA_prediction,)


@app.cell
def _(G, SCENARIO, W, partA_prediction):
    partA_fast = W.experiments_possible(SCENARIO["hours"], train_h=SCENARIO["fast_h"], turnaround_h=SCENARIO["turnaround_h"])
    partA_slow = W.experiments_possible(SCENARIO["hours"], train_h=SCENARIO["slow_h"], turnaround_h=SCENARIO["turnaround_h"])
    partA_result = None
    if partA_prediction.value is not None:
        partA_result = G.grade_numeric(
            "partA", "Drift", float(partA_prediction.value), partA_fast / partA_slow, tolerance=1.25, unit="x",
            explanation=(f"{partA_fast} vs {partA_slow} experiments: {partA_fast / partA_slow:.1f}x, not the 16x of "
                         "8 h / 30 min, because the fixed 15 minutes of turnaround is paid by every loop. Shortening "
                         "the loop further hits that floor: the human becomes the bottleneck."),
        )
    return partA_fast, partA_result, partA_slow


@app.cell
def _(mo):
    partA_train = mo.ui.slider(0.1, 24, step=0.1, value=0.5, label="Training time per experiment (h)", show_value=True)
    partA_turn = mo.ui.slider(0, 4, step=0.05, value=0.25, label="Human turnaround per experiment (h)", show_value=True)
    partA_parallel = mo.ui.slider(1, 16, value=1, label="Experiments in parallel", show_value=True)
    return partA_parallel, partA_train, partA_turn


@app.cell
def _(SCENARIO, W, charts, go, mo, partA_parallel, partA_prediction, partA_slow, partA_train, partA_turn, ui):
    mo.stop(partA_prediction.value is None, ui.locked("the velocity instruments"))
    _n = W.experiments_possible(SCENARIO["hours"], train_h=partA_train.value, turnaround_h=partA_turn.value,
                                parallel=partA_parallel.value)
    _xs = [0.1 * 1.25**i for i in range(32)]
    _fig = go.Figure(go.Scatter(x=_xs, y=[W.experiments_possible(SCENARIO["hours"], train_h=x, turnaround_h=partA_turn.value,
                                                                 parallel=partA_parallel.value) for x in _xs],
                                name="experiments in 4 weeks"))
    _fig.add_trace(go.Scatter(x=[partA_train.value], y=[_n], mode="markers", marker=dict(size=13, color=charts.COLOR["highlight"]),
                              name="your loop"))
    _fig.add_trace(go.Scatter(x=[SCENARIO["fast_h"]], y=[partA_slow * partA_prediction.value], mode="markers",
                              marker=dict(size=13, symbol="x", color=charts.COLOR["neutral"]),
                              name="30-min loop if your prediction were right"))
    _fig.update_xaxes(type="log")
    _fig.update_yaxes(type="log")
    charts.themed(_fig, title="Experiments in 4 weeks vs training time per loop", x="hours per training run",
                  y="experiments")
    mo.vstack([mo.hstack([partA_train, partA_turn, partA_parallel], wrap=True), _fig,
               ui.cards(ui.metric_card("experiments", f"{_n:,}", "in 4 weeks"),
                        ui.metric_card("per day", f"{_n / 28:,.1f}"))])
    return


@app.cell
def _(partA_result, ui):
    ui.reveal(partA_result, fmt=lambda v: f"{v:,.1f}") if partA_result else None
    return


@app.cell
def _(ui):
    ui.math_peek("iteration velocity",
                 "experiments = floor(hours / (train + eval + turnaround)) x parallel runs",
                 [("hours", "4 weeks x 7 days x 24 h = 672", "scenario: machines run around the clock"),
                  ("turnaround", "15 min", "scenario: reading results, choosing the next run")])
    return


@app.cell
def _(ui):
    ui.section("Part B: What does a late defect cost?", 10)
    return


@app.cell
def _(SCENARIO, ui):
    ui.stakeholder("Noor Haddad", "ML team lead",
                   f"A label-schema mismatch takes about {SCENARIO['fix_days']} day to fix if we catch it while "
                   "defining the problem. If it slips to production, we re-label, retrain, re-evaluate and roll back.")
    return


@app.cell
def _():
    partB_options = {"about 2x": 2.0, "about 10x": 10.0, "about 100x": 100.0, "about 1,000x": 1000.0}
    return (partB_options,)


@app.cell
def _(partB_options, ui):
    partB_prediction = ui.choice_prediction("Found in production, the same defect costs:", {k: k for k in partB_options})
    partB_prediction
    return (partB_prediction,)


@app.cell
def _(G, W, partB_options, partB_prediction):
    _m = W.defect_cost_multiplier("production")
    partB_result = None
    if partB_prediction.value is not None:
        partB_result = G.grade_choice(
            "partB", "Drift", partB_prediction.value, G.closest_option(partB_options, _m), option_values=partB_options,
            actual=_m, unit="x",
            explanation=(f"About {_m:.0f}x ({W.DEFECT_COST_SOURCE}). Every stage the defect passes through builds "
                         "work on top of it that must be redone: data, training runs, evaluation, rollout."),
        )
    return (partB_result,)


@app.cell
def _(W, mo):
    partB_stage = mo.ui.dropdown(list(W.STAGES), value="evaluation", label="Stage where it is found")
    return (partB_stage,)


@app.cell
def _(SCENARIO, W, charts, go, mo, partB_prediction, partB_stage, ui):
    mo.stop(partB_prediction.value is None, ui.locked("the rework chart"))
    _m = [W.defect_cost_multiplier(s) for s in W.STAGES]
    _fig = go.Figure(go.Bar(x=list(W.STAGES), y=[m * SCENARIO["fix_days"] for m in _m],
                            marker_color=[charts.COLOR["highlight"] if s == partB_stage.value else charts.COLOR["series"] for s in W.STAGES],
                            text=[f"{m:.0f}x" for m in _m], textposition="outside"))
    _fig.update_yaxes(type="log")
    charts.themed(_fig, title="Days to fix the defect by where it is found", y="days (log)")
    mo.vstack([partB_stage, _fig, ui.cards(ui.metric_card(
        "cost if found here", f"{W.defect_cost_multiplier(partB_stage.value) * SCENARIO['fix_days']:.1f} days",
        f"{W.defect_cost_multiplier(partB_stage.value):.1f}x"))])
    return


@app.cell
def _(partB_result, ui):
    ui.reveal(partB_result, fmt=lambda v: f"{v:,.0f}") if partB_result else None
    return


@app.cell
def _(ui):
    ui.section("Part C: Loops on other tiers", 10)
    return


@app.cell
def _(ui):
    ui.stakeholder("Kai Müller", "Edge team",
                   "For privacy we will fine-tune ResNet-50 on the edge box itself instead of renting an H100. It "
                   "is slower, sure, but we still iterate the same way.")
    return


@app.cell
def _(ui):
    partC_prediction = ui.numeric_prediction("How many times fewer experiments per 4 weeks on the edge box?", start=1,
                                             stop=1000, step=1, value=5, unit="x")
    partC_prediction
    return (partC_prediction,)


@app.cell
def _(SCENARIO, W):
    def loop_hours(device, precision="bf16"):
        """One fine-tuning run (images x epochs) from the engine's training estimate, plus turnaround."""
        return W.training_run_hours("resnet50", device, samples=SCENARIO["images"], epochs=SCENARIO["epochs"],
                                    precision=precision) + SCENARIO["turnaround_h"]

    def experiments_on(device):
        return W.experiments_possible(SCENARIO["hours"], train_h=loop_hours(device))
    return experiments_on, loop_hours


@app.cell
def _(G, P, experiments_on, loop_hours, partC_prediction):
    _cloud, _edge = experiments_on("h100-sxm"), experiments_on(P.TIER_REFERENCE["edge"])
    partC_ratio = _cloud / max(_edge, 1)
    partC_result = None
    if partC_prediction.value is not None:
        partC_result = G.grade_numeric(
            "partC", "Roofline", float(partC_prediction.value), partC_ratio, tolerance=1.5, unit="x",
            explanation=(f"The H100 finishes a run in {loop_hours('h100-sxm'):.2f} h including turnaround, the edge "
                         f"box in {loop_hours(P.TIER_REFERENCE['edge']):.1f} h: {_cloud} vs {_edge} experiments. Peak "
                         "compute differs ~66x; on the H100 the fixed turnaround hides part of the gap."),
        )
    return partC_ratio, partC_result


@app.cell
def _(P, charts, experiments_on, go, loop_hours, mo, partC_prediction, ui):
    mo.stop(partC_prediction.value is None, ui.locked("the tier comparison"))
    _tiers = ["cloud", "edge", "mobile"]
    _fig = go.Figure(go.Bar(x=_tiers, y=[experiments_on(P.TIER_REFERENCE[t]) for t in _tiers],
                            text=[f"{loop_hours(P.TIER_REFERENCE[t]):.2f} h/loop" for t in _tiers],
                            textposition="outside", marker_color=[charts.tier_color(t) for t in _tiers]))
    _fig.update_yaxes(type="log")
    charts.themed(_fig, title="ResNet-50 fine-tuning experiments in 4 weeks by tier", y="experiments (log)")
    _tiny = P.estimate("resnet50", P.TIER_REFERENCE["tiny"], phase="training", batch=1, precision="int8")
    mo.vstack([_fig, ui.failure_banner("OOM", what="training ResNet-50 on the microcontroller",
                                       by=f"{_tiny.memory_bytes / (_tiny.capacity_bytes * 0.9):,.0f}x its memory",
                                       fix="train elsewhere; deploy a tiny model")])
    return


@app.cell
def _(partC_result, ui):
    ui.reveal(partC_result, fmt=lambda v: f"{v:,.1f}") if partC_result else None
    return


@app.cell
def _(ui):
    ui.section("Part D: Ship by the deadline", 12)
    return


@app.cell
def _(SCENARIO, ui):
    ui.stakeholder("Amara Chen", "CTO",
                   f"We ship in {SCENARIO['deadline_weeks']} weeks. Skipping the week of data validation gets us "
                   "there sooner, doesn't it? We will evaluate anyway... if there is time.")
    return


@app.cell
def _(ui):
    partD_prediction = ui.choice_prediction(
        "Skipping data validation and final evaluation (40 experiments, 8-h loops):",
        {"Ships sooner": "sooner", "Ships later": "later"},
    )
    partD_prediction
    return (partD_prediction,)


@app.cell
def _(G, SCENARIO, W, partD_prediction):
    _common = dict(experiments=40, loop_h=SCENARIO["slow_h"] + SCENARIO["turnaround_h"], fix_days_at_start=SCENARIO["fix_days"])
    partD_careful = W.schedule_weeks(validation_weeks=1, caught_at=W.discovery_stage(validate_data=True, evaluate=True), **_common)
    partD_rushed = W.schedule_weeks(validation_weeks=0, caught_at=W.discovery_stage(validate_data=False, evaluate=False), **_common)
    partD_result = None
    if partD_prediction.value is not None:
        partD_result = G.grade_choice(
            "partD", "Drift", partD_prediction.value, "sooner" if partD_rushed < partD_careful else "later",
            explanation=(f"With validation: {partD_careful:.1f} weeks. Without: {partD_rushed:.1f} weeks, because the "
                         "defect surfaces in production where fixing it costs ~100x. Saving one week up front costs "
                         f"{partD_rushed - partD_careful:.1f} weeks later."),
        )
    return partD_careful, partD_result, partD_rushed


@app.cell
def _(mo):
    partD_validate = mo.ui.switch(value=True, label="Validate the data (1 week)")
    partD_evaluate = mo.ui.switch(value=True, label="Held-out evaluation before launch")
    partD_experiments = mo.ui.slider(5, 400, step=5, value=40, label="Experiments planned", show_value=True)
    partD_loop = mo.ui.slider(0.5, 24, step=0.5, value=8, label="Training hours per experiment", show_value=True)
    partD_parallel = mo.ui.slider(1, 8, value=1, label="Experiments in parallel", show_value=True)
    return partD_evaluate, partD_experiments, partD_loop, partD_parallel, partD_validate


@app.cell
def _(SCENARIO, W, partD_evaluate, partD_experiments, partD_loop, partD_parallel, partD_validate):
    partD_caught = W.discovery_stage(validate_data=partD_validate.value, evaluate=partD_evaluate.value)
    partD_weeks = W.schedule_weeks(experiments=partD_experiments.value, loop_h=partD_loop.value + SCENARIO["turnaround_h"],
                                   validation_weeks=1 if partD_validate.value else 0, fix_days_at_start=SCENARIO["fix_days"],
                                   caught_at=partD_caught, parallel=partD_parallel.value)
    partD_violations = (["missed deadline"] if partD_weeks > SCENARIO["deadline_weeks"] else []) + (
        ["defect reached production"] if partD_caught == "production" else [])
    return partD_caught, partD_violations, partD_weeks


@app.cell
def _(
    SCENARIO,
    mo,
    partD_caught,
    partD_evaluate,
    partD_experiments,
    partD_loop,
    partD_parallel,
    partD_prediction,
    partD_validate,
    partD_weeks,
    ui,
):
    mo.stop(partD_prediction.value is None, ui.locked("the project planner"))
    _dl = SCENARIO["deadline_weeks"]
    _banners = []
    if partD_weeks > _dl:
        _banners.append(ui.failure_banner("Deadline", what=f"the plan takes {partD_weeks:.1f} weeks",
                                          by=f"{partD_weeks - _dl:.1f} weeks",
                                          fix="shorten loops, run in parallel, plan fewer experiments, catch defects early"))
    if partD_caught == "production":
        _banners.append(ui.failure_banner("Requirement violated late", what="the label defect reached users",
                                          by="a ~100x rework", fix="validate the data or evaluate before launch"))
    if not _banners:
        _banners.append(ui.banner("ok", "On time", f"{partD_weeks:.1f} of {_dl} weeks; defect caught at {partD_caught}"))
    mo.vstack([mo.hstack([partD_validate, partD_evaluate], wrap=True),
               mo.hstack([partD_experiments, partD_loop, partD_parallel], wrap=True),
               ui.slo_bars(ui.slo_bar("schedule", partD_weeks, _dl, unit="weeks")), *_banners])
    return


@app.cell
def _(partD_result, ui):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _(ui):
    ui.takeaways(
        ["Velocity is set by the whole loop: a fixed human turnaround caps what faster training buys.",
         "A defect costs more at every stage it survives: checks early in the pipeline are the cheap ones.",
         "Where you train changes how often you can learn: a slower tier means fewer experiments."],
        [("A loop is 2 h of training and 1 h of review. What does halving training buy?", "3 h -> 2 h: 1.5x, not 2x."),
         ("Why is production the most expensive place to find a data bug?",
          "Everything built on the bad data (training, evaluation, rollout) must be redone.")],
    )
    return


@app.cell
def _(
    LAB,
    build_record,
    home_context,
    ledger,
    partA_fast,
    partA_result,
    partA_slow,
    partB_result,
    partC_ratio,
    partC_result,
    partD_caught,
    partD_careful,
    partD_evaluate,
    partD_experiments,
    partD_loop,
    partD_result,
    partD_rushed,
    partD_validate,
    partD_violations,
    partD_weeks,
    save_if_changed,
):
    lab_record = build_record(
        context=home_context(ledger), results=[partA_result, partB_result, partC_result, partD_result], expected=4,
        decisions={"validate_data": partD_validate.value, "evaluate": partD_evaluate.value,
                   "experiments": partD_experiments.value, "loop_h": partD_loop.value},
        outcomes={"velocity_ratio": partA_fast / partA_slow, "edge_slowdown": partC_ratio, "weeks": partD_weeks,
                  "caught_at": partD_caught, "careful_weeks": partD_careful, "rushed_weeks": partD_rushed},
        constraints=partD_violations if partD_result else [],
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
