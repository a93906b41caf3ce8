import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and constraint checks, importable and
    # testable without running the notebook (tests/labs/test_v1_03.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, ui
    from mlsyslabs.physics import workflow as W

    LAB = get_lab("v1.03")
    # The invariant each question tests (the catalog's invariants of this lab).
    VELOCITY, DEFECT_COST = "Iteration velocity", "Late defects cost more"
    PROPAGATION = "Requirements propagate downstream"
    BLIND_SPOTS = "Single checks have blind spots"
    # Part A: Noor's two loops over four weeks; GPUs run around the clock, people review in working hours.
    PART_A = dict(weeks=4, fast_h=0.5, slow_h=8.0, review_min=15, review_hours_week=W.REVIEW_HOURS_PER_WEEK,
                  parallel=1, reviewers=1)
    # Part B: a label-schema defect, half a day to fix where it is introduced, found in production.
    PART_B = dict(fix_days=0.5, found_at="production", ratio=W.DEFECT_COST_RATIO)
    PART_B_OPTIONS = {"about 3x": 3.0, "about 10x": 10.0, "about 30x": 30.0, "about 100x": 100.0, "about 300x": 300.0}
    PART_B_RATIOS = {"5x (Boehm and Basili: small, noncritical systems)": W.SMALL_SYSTEM_DEFECT_COST_RATIO,
                     "10x": 10.0, "30x": 30.0,
                     "100x (Boehm and Basili: large, critical systems)": W.DEFECT_COST_RATIO, "300x": 300.0}
    # Part C: Kai's on-device fine-tuning loop (ImageNet-sized data set), against the cloud GPU.
    PART_C = dict(model="resnet50", tier="edge", baseline="cloud", epochs=5, precision="bf16",
                  images=P.pipeline.IMAGENET_TRAIN_IMAGES)
    # Part D: Amara's proposal: skip the week of data validation and the held-out evaluation.
    PART_D = dict(deadline_weeks=8, experiments=100, train_h=8.0, validation_weeks=1, validate=False, evaluate=False,
                  parallel=1, reviewers=1)
    # Part E: after evaluation signed off, the inspection line goes from 4 to 12 cameras on the same edge box, which
    # classifies one frame at a time. Candidates: the smaller registry vision models the team could retrain instead.
    PART_E = dict(model="resnet50", tier="edge", precision="fp16", quantized="int8", cameras_before=4, cameras=12,
                  fps=120, candidates=("resnet18", "mobilenetv2", "efficientnet-b0"), privacy=False, slack_days=10,
                  stage_days={"problem definition": 3, "data collection": 15, "training": 10, "evaluation": 4,
                              "deployment": 3, "production": 2})
    # The options: where the rework starts (every stage after it is redone too).
    PART_E_OPTIONS = {("production only" if _s == "production" else f"{_s} onward")
                      + f" ({len(W.stages_reworked(_s))} of {len(W.STAGES)} stages redone)": _s
                      for _s in reversed(W.STAGES[1:])}
    # Part F: Amara's shortcut for Priya's line: re-quantize ResNet-50 and release on the offline evaluation, which
    # runs on the training host (the cloud GPU) in training precision. Seeded: a vendor label batch with a schema
    # change; the int8 build's drift. Latency and memory defects exist where the engine says the build misses.
    PART_F = dict(tier="edge", cameras=PART_E["cameras"], int8=True, offline=True, on_target=False, host="cloud")
    PART_F_PLANS = {"offline alone": ("offline",), "on-target alone": ("on-target",),
                    "both together": ("offline", "on-target")}
    PART_F_OPTIONS = {"The offline evaluation alone": "offline alone", "The on-target check alone": "on-target alone",
                      "Only both together": "both together", "Neither: some defect escapes even both": "none"}
    # A stand-in for "as many reviewers as it takes": what the GPUs alone would complete.
    UNLIMITED_REVIEWERS = 10**6


@app.function
def review_h(review_min: float) -> float:
    """Minutes of a reviewer's attention per result, in hours (the engine's unit)."""
    return review_min / 60.0


@app.function
def experiments_in(weeks: float, train_h: float, review_min: float, review_hours_week: float, parallel: int = 1,
                   reviewers: int = 1) -> int:
    """Experiments completed in `weeks`: GPUs train around the clock, `parallel` runs at a
    time; every result waits for `review_min` of a reviewer's attention, and each of the
    `reviewers` works `review_hours_week` hours a week."""
    return W.experiments_possible(weeks * W.HOURS_PER_WEEK, train_h=train_h, turnaround_h=review_h(review_min),
                                  parallel=parallel, reviewers=reviewers, review_hours_per_week=review_hours_week)


@app.function
def bottleneck(weeks: float, train_h: float, review_min: float, review_hours_week: float, parallel: int = 1,
               reviewers: int = 1) -> str:
    """'reviewers' when people, not GPUs, cap the count (the GPUs alone would finish more)."""
    args = (weeks, train_h, review_min, review_hours_week, parallel)
    gpus_alone = experiments_in(*args, reviewers=UNLIMITED_REVIEWERS)
    return "reviewers" if experiments_in(*args, reviewers=reviewers) < gpus_alone else "GPUs"


@app.function
def part_a_counts() -> tuple[int, int]:
    """(fast-loop, slow-loop) experiments in Noor's four weeks."""
    common = {k: PART_A[k] for k in ("weeks", "review_min", "review_hours_week", "parallel", "reviewers")}
    return experiments_in(train_h=PART_A["fast_h"], **common), experiments_in(train_h=PART_A["slow_h"], **common)


@app.function
def part_a_ratio() -> float:
    fast, slow = part_a_counts()
    return fast / slow


@app.function
def defect_days(stage: str, ratio: float = PART_B["ratio"]) -> float:
    """Days to fix Part B's defect when it is first found at `stage`."""
    return PART_B["fix_days"] * W.defect_cost_multiplier(stage, ratio=ratio)


@app.function
def part_b_multiplier() -> float:
    return W.defect_cost_multiplier(PART_B["found_at"], ratio=PART_B["ratio"])


@app.function
def train_estimate(tier: str):
    """The engine's training-step estimate for Part C's model on a tier's reference device."""
    return P.estimate(PART_C["model"], P.TIER_REFERENCE[tier], phase="training", batch=64,
                      precision=PART_C["precision"])


@app.function
def run_hours(tier: str, epochs: float = PART_C["epochs"]) -> float | None:
    """Hours of one fine-tuning run on a tier; None where the training state does not fit."""
    if not train_estimate(tier).fits:
        return None
    return W.training_run_hours(PART_C["model"], P.TIER_REFERENCE[tier], samples=PART_C["images"], epochs=epochs,
                                precision=PART_C["precision"])


@app.function
def tier_experiments(tier: str, epochs: float = PART_C["epochs"]) -> int | None:
    """Part C's experiments in Part A's four weeks with Part A's reviewer; None: cannot train there."""
    h = run_hours(tier, epochs)
    if h is None:
        return None
    return experiments_in(PART_A["weeks"], h, PART_A["review_min"], PART_A["review_hours_week"], PART_A["parallel"],
                          PART_A["reviewers"])


@app.function
def tier_bottleneck(tier: str, epochs: float = PART_C["epochs"]) -> str:
    """What caps Part C's experiment count on a tier that can train: 'GPUs' or 'reviewers'."""
    return bottleneck(PART_A["weeks"], run_hours(tier, epochs), PART_A["review_min"], PART_A["review_hours_week"],
                      PART_A["parallel"], PART_A["reviewers"])


@app.function
def slowdown(cloud: int, other: int | None) -> float | None:
    """How many times fewer experiments than the cloud GPU (None: none complete)."""
    return cloud / other if other else None


@app.function
def part_c_ratio() -> float | None:
    return slowdown(tier_experiments(PART_C["baseline"]), tier_experiments(PART_C["tier"]))


@app.function
def plan_weeks(*, experiments: int, train_h: float, validate: bool, evaluate: bool, parallel: int = 1,
               reviewers: int = 1, review_min: float = PART_A["review_min"],
               review_hours_week: float = PART_A["review_hours_week"]) -> dict:
    """A project plan: where the label defect is caught and the weeks to ship, split into
    validation, experiments (GPU time or review time, whichever is longer) and rework."""
    caught = W.discovery_stage(validate_data=validate, evaluate=evaluate)
    val = PART_D["validation_weeks"] if validate else 0
    rh = review_h(review_min)
    total = W.schedule_weeks(experiments=experiments, loop_h=train_h + rh, validation_weeks=val,
                             fix_days_at_start=PART_B["fix_days"], caught_at=caught, parallel=parallel, review_h=rh,
                             reviewers=reviewers, review_hours_per_week=review_hours_week)
    rework = W.schedule_weeks(experiments=0, loop_h=train_h + rh, validation_weeks=0,
                              fix_days_at_start=PART_B["fix_days"], caught_at=caught)
    return {"caught_at": caught, "weeks": total, "validation": val, "rework": rework,
            "experiments": total - val - rework}


@app.function
def fmt_weeks(weeks: float) -> str:
    """Weeks to one decimal (a tenth of a week is about half a working day)."""
    return f"{weeks:,.1f} weeks"


@app.function
def plan_violations(plan: dict) -> list[str]:
    """The constraints a plan breaks: Amara's deadline, and a defect that reaches users."""
    return (["missed deadline"] if plan["weeks"] > PART_D["deadline_weeks"] else []) + (
        ["defect reached production"] if plan["caught_at"] == "production" else [])


@app.function
def part_d_plans() -> tuple[dict, dict]:
    """(careful, rushed): with validation and evaluation, and Amara's proposal without them."""
    common = dict(experiments=PART_D["experiments"], train_h=PART_D["train_h"], parallel=PART_D["parallel"],
                  reviewers=PART_D["reviewers"])
    return (plan_weeks(validate=True, evaluate=True, **common),
            plan_weeks(validate=PART_D["validate"], evaluate=PART_D["evaluate"], **common))


@app.function
def frame_budget_s(cameras: int, fps: float = PART_E["fps"]) -> float:
    """Seconds the edge box has per frame: it classifies one frame at a time from every camera."""
    return 1.0 / (cameras * fps)


@app.function
def frame_latency_s(model: str, tier: str, precision: str) -> float | None:
    """The engine's batch-1 inference time on a tier's reference device; None where the model does not fit there."""
    try:
        est = P.estimate(model, P.TIER_REFERENCE[tier], phase="inference", batch=1, precision=precision)
    except P.PhysicsError:
        return None
    return est.step_time_s if est.fits else None


@app.function
def meets(latency_s: float | None, budget_s: float) -> bool:
    return latency_s is not None and latency_s <= budget_s


@app.function
def rework_days(entry_stage: str) -> float:
    """Days of the team's plan redone when a requirement invalidates `entry_stage` (and so every stage after it)."""
    return sum(PART_E["stage_days"][s] for s in W.stages_reworked(entry_stage))


@app.function
def requirement_change(cameras: int = PART_E["cameras"], tier: str = PART_E["tier"],
                       privacy: bool = PART_E["privacy"]) -> dict:
    """What the new camera count (on a tier, with or without the rule that raw images stay on the device) does to
    the evaluated model: its frame time as built and re-quantized, the fastest smaller candidate that meets the
    budget, the earliest stage invalidated, the stages redone and their days."""
    budget = frame_budget_s(cameras)
    built = frame_latency_s(PART_E["model"], tier, PART_E["precision"])
    requant = frame_latency_s(PART_E["model"], tier, PART_E["quantized"])
    options = [(lat, m, prec) for m in PART_E["candidates"] for prec in (PART_E["precision"], PART_E["quantized"])
               if (lat := frame_latency_s(m, tier, prec)) is not None]
    fits = sorted(o for o in options if o[0] <= budget)
    ok_built, ok_requant = meets(built, budget), meets(built, budget) or meets(requant, budget)
    entry = W.requirement_entry_stage(as_built_meets=ok_built, requantized_meets=ok_requant,
                                      retrained_meets=ok_requant or bool(fits), data_allowed=not privacy)
    return {"budget_s": budget, "built_s": built, "requant_s": requant, "candidate": fits[0] if fits else None,
            "fastest": min(options) if options else None, "entry": entry, "stages": W.stages_reworked(entry),
            "days": rework_days(entry)}


@app.function
def entry_reason(change: dict, tier: str = PART_E["tier"]) -> str:
    """Why the rework starts where it does, from the engine's frame times."""
    device, model = P.get_device(P.TIER_REFERENCE[tier]).name, P.get_workload(PART_E["model"]).name
    budget = U.fmt_seconds(change["budget_s"])
    if change["built_s"] is None:
        built = f"{model} does not fit the {device}"
    else:
        built = (f"{model} takes {U.fmt_seconds(change['built_s'])} per frame on the {device} in "
                 f"{PART_E['precision']}, {U.fmt_seconds(change['requant_s'])} re-quantized to {PART_E['quantized']}")
    cand = change["candidate"]
    why = {
        "deployment": "it still fits, so only the deployment is re-verified on the device and monitoring re-tuned",
        "evaluation": "only the re-quantized weights fit: the evaluated model changed, so it is evaluated again, "
                      "then redeployed and monitored",
        "training": "neither fits, so the model itself changes"
                    + (f" (the fastest smaller candidate that fits: {P.get_workload(cand[1]).name} in {cand[2]}, "
                       f"{U.fmt_seconds(cand[0])})" if cand else "")
                    + ": new training, a new evaluation, a new deployment, new monitoring",
        "data collection": "the rule that raw images stay on the device voids the centrally collected data set: "
                           "everything built on it is redone",
        "problem definition": "no candidate model fits on this device, so the requirement itself (or the product) "
                              "must be renegotiated",
    }[change["entry"]]
    return f"Each frame gets {budget}; {built}: {why}."


@app.function
def requirement_violations(change: dict) -> list[str]:
    """Part E's constraint: the rework must fit before the launch."""
    return ["rework past launch"] if change["days"] > PART_E["slack_days"] else []


@app.function
def release_defects(cameras: int = PART_F["cameras"], tier: str = PART_F["tier"], int8: bool = PART_F["int8"]) -> dict:
    """The build's defects: {defect: (on_host, on_target)} for each one present on the target. Labels: seeded, they
    show everywhere; drift: only where the int8 build runs; latency and memory: where the engine's frame time misses
    the budget or the build does not fit (the host runs the training precision)."""
    budget = frame_budget_s(cameras)
    build = PART_E["quantized"] if int8 else PART_E["precision"]
    host = frame_latency_s(PART_E["model"], PART_F["host"], PART_E["precision"])
    target = frame_latency_s(PART_E["model"], tier, build)
    fits_target = P.estimate(PART_E["model"], P.TIER_REFERENCE[tier], phase="inference", batch=1,
                             precision=build).fits
    found = {"labels": (True, True), "quantization drift": (False, True) if int8 else None,
             "latency": (not meets(host, budget), True) if not meets(target, budget) else None,
             "memory": (host is None, True) if not fits_target else None}
    return {k: v for k, v in found.items() if v is not None}


@app.function
def escaped(defects: dict, checks: tuple[str, ...]) -> list[str]:
    """The defects no check in `checks` catches (the engine's detection rules)."""
    return [d for d, (on_host, on_target) in defects.items()
            if not any(W.detects(c, d, on_host=on_host, on_target=on_target) for c in checks)]


@app.function
def part_f_answer(defects: dict | None = None) -> str:
    """The first plan (offline, on-target, both) that lets no defect escape; 'none' if even both miss one."""
    defects = release_defects() if defects is None else defects
    return next((plan for plan, checks in PART_F_PLANS.items() if not escaped(defects, checks)), "none")


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB, subtitle="Iteration velocity compounds, and a defect costs more the later it is found.",
              parts=["Part A: loop length", "Part B: late defects", "Part C: loops on other tiers",
                     "Part D: ship by a deadline", "Part E: a requirement arrives late",
                     "Part F: release checks"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: How much does a short loop buy?", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Noor Haddad", "ML team lead",
        f"Our training run takes {U.fmt_number(PART_A['slow_h'])} hours. With subsampling and a smaller proxy model "
        f"we could get a {U.fmt_number(PART_A['fast_h'] * 60)}-minute loop. The GPU runs around the clock, but every "
        f"result needs about {PART_A['review_min']} minutes of our reviewer's attention before the next run, and she "
        f"works {U.fmt_number(PART_A['review_hours_week'])} hours a week. Over the next {PART_A['weeks']} weeks, how "
        "many times more experiments does the short loop give us?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.numeric_prediction(
        f"Experiments in {PART_A['weeks']} weeks with the {U.fmt_number(PART_A['fast_h'] * 60)}-minute loop, "
        f"divided by those with the {U.fmt_number(PART_A['slow_h'])}-hour loop",
        start=1, stop=100, step=0.5, value=1, unit="x")
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_fast, partA_slow = part_a_counts()
    partA_ratio = partA_fast / partA_slow
    _common = {k: PART_A[k] for k in ("weeks", "review_min", "review_hours_week", "parallel")}
    _gpu_fast = experiments_in(train_h=PART_A["fast_h"], reviewers=UNLIMITED_REVIEWERS, **_common)
    _bound = {h: bottleneck(train_h=h, reviewers=PART_A["reviewers"], **_common)
              for h in (PART_A["fast_h"], PART_A["slow_h"])}
    partA_result = lab.commit("partA", partA_prediction, lambda value: G.grade_numeric(
        "partA", VELOCITY, float(value), partA_ratio, tolerance=1.25, unit="x",
        explanation=(
            f"{partA_fast:,} experiments against {partA_slow:,}: {U.fmt_ratio(partA_ratio)}, not the "
            f"{U.fmt_number(PART_A['slow_h'] / PART_A['fast_h'])}x that training time alone suggests. Every loop "
            f"also pays the {PART_A['review_min']}-minute review. The {U.fmt_number(PART_A['slow_h'])}-hour loop is "
            f"limited by the {_bound[PART_A['slow_h']]}; the short loop by the {_bound[PART_A['fast_h']]}: the GPU "
            f"could finish {_gpu_fast:,} runs, but "
            f"{U.fmt_number(PART_A['weeks'] * PART_A['review_hours_week'])} working hours of review read only "
            f"{partA_fast:,} results. Once training is short, the person is the loop."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_fast, partA_ratio, partA_result, partA_slow


@app.cell
def _():
    partA_train = mo.ui.slider(0.1, 24, step=0.1, value=PART_A["fast_h"], label="Training hours per run",
                               show_value=True)
    partA_review = mo.ui.slider(0, 120, step=5, value=PART_A["review_min"], label="Review minutes per result",
                                show_value=True)
    partA_hours = mo.ui.slider(5, 60, step=5, value=PART_A["review_hours_week"],
                               label="Hours each reviewer works per week", show_value=True)
    partA_reviewers = mo.ui.slider(1, 4, value=PART_A["reviewers"], label="Reviewers", show_value=True)
    partA_parallel = mo.ui.slider(1, 16, value=PART_A["parallel"], label="GPUs (runs at once)", show_value=True)
    return partA_hours, partA_parallel, partA_review, partA_reviewers, partA_train


@app.cell
def _(partA_hours, partA_parallel, partA_review, partA_reviewers, partA_train):
    # What the instruments show: Noor's two loops and the slider's loop at the current settings.
    partA_settings = dict(weeks=PART_A["weeks"], review_min=partA_review.value, review_hours_week=partA_hours.value,
                          parallel=partA_parallel.value, reviewers=partA_reviewers.value)
    partA_view = dict(fast=experiments_in(train_h=PART_A["fast_h"], **partA_settings),
                      slow=experiments_in(train_h=PART_A["slow_h"], **partA_settings),
                      mine=experiments_in(train_h=partA_train.value, **partA_settings),
                      bound=bottleneck(train_h=partA_train.value, **partA_settings))
    partA_view["ratio"] = partA_view["fast"] / partA_view["slow"] if partA_view["slow"] else None
    return partA_settings, partA_view


@app.cell
def _(
    partA_hours,
    partA_parallel,
    partA_result,
    partA_review,
    partA_reviewers,
    partA_settings,
    partA_train,
    partA_view,
):
    mo.stop(partA_result is None, ui.locked("the velocity instruments"))
    _xs = [0.1 * 1.25 ** i for i in range(30)]
    _ys = [experiments_in(train_h=x, **partA_settings) for x in _xs]
    _gpus = [experiments_in(train_h=x, **dict(partA_settings, reviewers=UNLIMITED_REVIEWERS)) for x in _xs]
    _fast, _slow, _mine = partA_view["fast"], partA_view["slow"], partA_view["mine"]
    _predicted = partA_result.predicted * part_a_counts()[1]
    _fig = go.Figure(go.Scatter(x=_xs, y=_gpus, mode="lines", name="what the GPUs alone would finish",
                                line=dict(color=charts.COLOR["neutral"], dash="dot")))
    _fig.add_trace(go.Scatter(x=_xs, y=_ys, mode="lines", name="experiments completed",
                              line=dict(color=charts.COLOR["series"])))
    _fig.add_trace(go.Scatter(
        x=[PART_A["fast_h"], PART_A["slow_h"]], y=[max(_fast, 0.5), max(_slow, 0.5)], mode="markers+text",
        text=[f"{_fast:,}: {U.fmt_number(PART_A['fast_h'] * 60)}-min loop",
              f"{_slow:,}: {U.fmt_number(PART_A['slow_h'])}-h loop"],
        textposition=["bottom left", "top right"], marker=dict(size=12, color=charts.COLOR["series"]),
        name="Noor's two loops"))
    _fig.add_trace(go.Scatter(x=[partA_train.value], y=[max(_mine, 0.5)], mode="markers",
                              marker=dict(size=13, symbol="diamond", color=charts.COLOR["alternative"]),
                              name="the slider's loop"))
    charts.themed(_fig, title=f"Experiments in {PART_A['weeks']} weeks vs training time per run",
                  x="training hours per run (log)", y="experiments (log)", height=420)
    charts.log_axes(_fig, xs=_xs, ys=[max(y, 0.5) for y in _ys + _gpus + [_predicted]], pad=0.2)
    charts.reference_line(_fig, _predicted, f"your prediction: {U.fmt_number(_predicted)} with the "
                                            f"{U.fmt_number(PART_A['fast_h'] * 60)}-minute loop")
    _limit = ui.banner(
        "warn" if partA_view["bound"] == "reviewers" else "info", f"The {partA_view['bound']} set the pace",
        "More GPUs or shorter runs no longer help: add review hours or make each review quicker."
        if partA_view["bound"] == "reviewers" else
        "The reviewers have spare time: shorter runs or more GPUs still add experiments.")
    mo.vstack([
        mo.hstack([partA_train, partA_review, partA_hours], wrap=True),
        mo.hstack([partA_reviewers, partA_parallel], wrap=True),
        _fig,
        ui.cards(ui.metric_card(f"{U.fmt_number(PART_A['fast_h'] * 60)}-minute loop", f"{_fast:,} experiments",
                                f"in {PART_A['weeks']} weeks"),
                 ui.metric_card(f"{U.fmt_number(PART_A['slow_h'])}-hour loop", f"{_slow:,} experiments",
                                f"in {PART_A['weeks']} weeks"),
                 ui.metric_card("the short loop buys",
                                U.fmt_ratio(partA_view["ratio"]) if partA_view["ratio"] else "no long-loop result",
                                f"training time alone: {U.fmt_number(PART_A['slow_h'] / PART_A['fast_h'])}x"),
                 ui.metric_card("the slider's loop", f"{_mine:,} experiments",
                                f"{U.fmt_number(partA_train.value)} h of training per run")),
        _limit,
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _(partA_result):
    mo.stop(partA_result is None)  # the constants answer the question: shown once it is committed
    ui.math_peek(
        "iteration velocity",
        [r"N = \min\left(N_\text{GPU},\; N_\text{people}\right)",
         r"N_\text{GPU} = g \left\lfloor \frac{T}{t_\text{train} + t_\text{review}} \right\rfloor, \qquad "
         r"N_\text{people} = \left\lfloor \frac{r \cdot T \cdot h_\text{week} / 168}{t_\text{review}} \right\rfloor"],
        [("T, wall-clock hours", f"{PART_A['weeks']} weeks x {U.fmt_number(W.HOURS_PER_WEEK)} h",
          "scenario: Noor's planning horizon; GPUs run around the clock"),
         ("t_review per result", f"{PART_A['review_min']} min", "scenario: reading results, choosing the next run"),
         ("h_week, each reviewer's hours", f"{U.fmt_number(W.REVIEW_HOURS_PER_WEEK)} h per week",
          "ILO Forty-Hour Week Convention (C047) and the US FLSA standard workweek"),
         ("g GPUs, r reviewers", f"{PART_A['parallel']}, {PART_A['reviewers']}", "scenario"),
         ("caveat", "an upper bound", "results that arrive outside working hours wait too, which N ignores")],
    )
    return


@app.cell
def _():
    ui.section("Part B: What does a late defect cost?", 10)
    return


@app.cell
def _():
    ui.stakeholder(
        "Noor Haddad", "ML team lead",
        f"A label-schema mismatch takes about {U.fmt_number(PART_B['fix_days'])} days to fix if we catch "
        "it while defining the problem. If it slips to production we re-label, retrain, re-evaluate and roll back. "
        "How much more does it cost us then?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction("Found in production, the same defect costs:",
                                            {k: k for k in PART_B_OPTIONS})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_multiplier = part_b_multiplier()
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", DEFECT_COST, choice, G.closest_option(PART_B_OPTIONS, partB_multiplier),
        option_values=PART_B_OPTIONS, actual=partB_multiplier, unit="x",
        explanation=(
            f"About {U.fmt_ratio(partB_multiplier)}: {U.fmt_number(defect_days(PART_B['found_at']))} days "
            f"instead of {U.fmt_number(PART_B['fix_days'])} ({W.DEFECT_COST_SOURCE}). Every stage the defect passes "
            "through builds work on top of it that must be redone: data, training runs, evaluation, rollout. (The "
            "stages in between follow the engine's geometric model between those two cited ends.)"
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_multiplier, partB_result


@app.cell
def _():
    partB_stage = mo.ui.dropdown(list(W.STAGES), value=PART_B["found_at"], label="Stage where it is found")
    partB_ratio = mo.ui.dropdown(PART_B_RATIOS, value=next(k for k, v in PART_B_RATIOS.items() if v == PART_B["ratio"]),
                                 label="Production / first-stage cost ratio (model)")
    return partB_ratio, partB_stage


@app.cell
def _(partB_ratio, partB_stage):
    partB_view = dict(days={s: defect_days(s, partB_ratio.value) for s in W.STAGES})
    partB_view.update(here=partB_view["days"][partB_stage.value],
                      multiplier=partB_view["days"][partB_stage.value] / PART_B["fix_days"])
    return (partB_view,)


@app.cell
def _(partB_ratio, partB_result, partB_stage, partB_view):
    mo.stop(partB_result is None, ui.locked("the rework chart"))
    _days = list(partB_view["days"].values())
    _predicted = PART_B["fix_days"] * partB_result.predicted
    _fig = go.Figure(go.Bar(
        x=list(W.STAGES), y=_days, name="days to fix",
        marker_color=[charts.COLOR["alternative"] if s == partB_stage.value else charts.COLOR["series"]
                      for s in W.STAGES],
        text=[f"{U.fmt_number(d, 2)} d ({U.fmt_number(d / PART_B['fix_days'], 2)}x)" for d in _days],
        textposition="outside"))
    charts.themed(_fig, title="Days to fix the label defect, by where it is found", y="days (log)")
    charts.log_axes(_fig, ys=_days + [_predicted], pad=0.5)
    charts.reference_line(_fig, _predicted, f"your prediction: {U.fmt_number(_predicted, 2)} days in production")
    mo.vstack([
        mo.hstack([partB_stage, partB_ratio], wrap=True),
        _fig,
        ui.cards(ui.metric_card(f"found in {partB_stage.value}", f"{U.fmt_number(partB_view['here'], 2)} days",
                                f"{U.fmt_number(partB_view['multiplier'], 2)}x the fix at the start"),
                 ui.metric_card(f"fixed in {W.STAGES[0]}", f"{U.fmt_number(PART_B['fix_days'])} days",
                                "where the defect starts")),
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _(partB_result):
    mo.stop(partB_result is None)  # the constants answer the question: shown once it is committed
    ui.math_peek(
        "cost of a late defect",
        [r"c(s) = c_0 \cdot R^{\,i(s) / (n - 1)}, \quad i = 0, \dots, n-1",
         r"c(\text{production}) = c_0 \cdot R"],
        [("c0, the fix where the defect starts", f"{U.fmt_number(PART_B['fix_days'])} days",
          "scenario: Noor's estimate"),
         ("R, production / first stage", U.fmt_ratio(W.DEFECT_COST_RATIO), W.DEFECT_COST_SOURCE),
         ("stages n", f"{len(W.STAGES)}: " + ", ".join(W.STAGES),
          "engine model: geometric steps between the two cited ends, not a measurement per stage")],
    )
    return


@app.cell
def _():
    ui.section("Part C: Loops on other tiers", 10)
    return


@app.cell
def _():
    _edge = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    _cloud = P.get_device(P.TIER_REFERENCE[PART_C["baseline"]])
    ui.stakeholder(
        "Kai Müller", "Edge team",
        f"For privacy we will fine-tune {P.get_workload(PART_C['model']).name} on the {_edge.name} itself instead "
        f"of renting an {_cloud.name}: {U.fmt_number(PART_C['images'] / 1e6, 3)} million images, "
        f"{PART_C['epochs']} epochs per run, the same reviewer as Noor's team. It is slower, sure, but we still "
        "iterate the same way.",
    )
    return


@app.cell
def _():
    partC_prediction = ui.numeric_prediction(
        f"How many times fewer experiments in {PART_A['weeks']} weeks on the "
        f"{P.get_device(P.TIER_REFERENCE[PART_C['tier']]).name} than on the "
        f"{P.get_device(P.TIER_REFERENCE[PART_C['baseline']]).name}?",
        start=1, stop=1000, step=1, value=1, unit="x")
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_ratio = part_c_ratio()
    _edge_h, _cloud_h = run_hours(PART_C["tier"]), run_hours(PART_C["baseline"])
    _edge, _cloud = (P.get_device(P.TIER_REFERENCE[t]) for t in (PART_C["tier"], PART_C["baseline"]))
    _peak = _cloud.peak(PART_C["precision"]) / _edge.peak(PART_C["precision"])
    partC_result = lab.commit("partC", partC_prediction, lambda value: G.grade_numeric(
        "partC", VELOCITY, float(value), partC_ratio, tolerance=1.5, unit="x",
        explanation=(
            f"A run takes {U.fmt_seconds(_cloud_h * 3600)} on the {_cloud.name} and "
            f"{U.fmt_seconds(_edge_h * 3600)} on the {_edge.name}: "
            f"{tier_experiments(PART_C['baseline']):,} experiments against {tier_experiments(PART_C['tier']):,}. Peak "
            f"{PART_C['precision']} compute differs {U.fmt_number(_peak, 2)}x, but the experiment count is capped by "
            f"the {tier_bottleneck(PART_C['baseline'])} on the {_cloud.name} and by the "
            f"{tier_bottleneck(PART_C['tier'])} on the {_edge.name}: a faster GPU buys fewer extra experiments once "
            "the reviewer, not the GPU, sets the pace."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_ratio, partC_result


@app.cell
def _():
    partC_tier = mo.ui.radio({ui.tier_name(t): t for t in P.TIER_REFERENCE}, value=ui.tier_name(PART_C["tier"]),
                             label="Train on", inline=True)
    partC_epochs = mo.ui.slider(1, 20, value=PART_C["epochs"], label="Epochs per run", show_value=True)
    return partC_epochs, partC_tier


@app.cell
def _(partC_epochs, partC_tier):
    # Every tier at the current epochs; None where the model cannot be trained there (OOM).
    partC_view = dict(counts={t: tier_experiments(t, partC_epochs.value) for t in P.TIER_REFERENCE},
                      hours={t: run_hours(t, partC_epochs.value) for t in P.TIER_REFERENCE}, tier=partC_tier.value)
    partC_view["slowdown"] = slowdown(partC_view["counts"][PART_C["baseline"]], partC_view["counts"][partC_tier.value])
    partC_view["oom"] = partC_view["hours"][partC_tier.value] is None
    return (partC_view,)


@app.cell
def _(partC_epochs, partC_result, partC_tier, partC_view):
    mo.stop(partC_result is None, ui.locked("the tier comparison"))
    _counts = {t: n for t, n in partC_view["counts"].items() if n is not None}
    _hours = partC_view["hours"]
    _cloud = _counts[PART_C["baseline"]]
    _predicted = tier_experiments(PART_C["baseline"]) / partC_result.predicted
    _fig = go.Figure(go.Bar(
        x=[f"{ui.tier_name(t)}: {P.get_device(P.TIER_REFERENCE[t]).name}" for t in _counts],
        y=[max(n, 0.5) for n in _counts.values()],
        text=[f"{n:,} runs of {U.fmt_seconds(_hours[t] * 3600)}" for t, n in _counts.items()],
        textposition="inside", insidetextanchor="end", marker_color=[charts.tier_color(t) for t in _counts],
        name="experiments"))
    _missing = [ui.tier_name(t) for t, n in partC_view["counts"].items() if n is None]
    charts.themed(_fig, title=f"Fine-tuning experiments in {PART_A['weeks']} weeks, by tier"
                              + (f" ({', '.join(_missing)}: cannot train, out of memory)" if _missing else ""),
                  y="experiments (log)")
    charts.log_axes(_fig, ys=[max(n, 0.5) for n in _counts.values()] + [_predicted], pad=0.6)
    charts.reference_line(_fig, _predicted, f"your prediction: {U.fmt_number(_predicted, 2)} on the edge box")
    _t = partC_tier.value
    _device = P.get_device(P.TIER_REFERENCE[_t])
    if partC_view["oom"]:
        _est = train_estimate(_t)
        _panel = ui.failure_banner(
            "OOM", what=f"training {P.get_workload(PART_C['model']).name} on the {_device.name}",
            by=f"{U.fmt_ratio(_est.memory_bytes / (_est.capacity_bytes * _est.assumptions['memory_fraction']))} "
               f"its usable memory ({U.fmt_bytes(_est.memory_bytes)} against "
               f"{U.fmt_bytes(_est.capacity_bytes, binary=True)})",
            fix="train elsewhere and deploy a model designed for the microcontroller")
    elif _counts[_t] == 0:
        _panel = ui.banner("fail", "No experiment completes",
                           f"one run on the {_device.name} takes {U.fmt_seconds(_hours[_t] * 3600)}, longer than "
                           f"{PART_A['weeks']} weeks")
    else:
        _panel = ui.cards(
            ui.metric_card("one run", U.fmt_seconds(_hours[_t] * 3600), _device.name),
            ui.metric_card("experiments", f"{_counts[_t]:,}", f"in {PART_A['weeks']} weeks"),
            ui.metric_card("fewer than the cloud GPU", U.fmt_ratio(partC_view["slowdown"]),
                           f"{_cloud:,} on the {P.get_device(P.TIER_REFERENCE[PART_C['baseline']]).name}"))
    mo.vstack([mo.hstack([partC_tier, partC_epochs], wrap=True), _fig, _panel])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _(partC_result):
    mo.stop(partC_result is None)  # the run times answer the question: shown once it is committed
    _cloud, _edge = (P.get_device(P.TIER_REFERENCE[t]) for t in (PART_C["baseline"], PART_C["tier"]))
    _m = P.get_workload(PART_C["model"])
    _rows = []
    for _t, _d in ((PART_C["baseline"], _cloud), (PART_C["tier"], _edge)):
        _est = train_estimate(_t)
        _rows += [(f"{_d.name}: peak {PART_C['precision']}", U.fmt_flops(_d.peak(PART_C["precision"])), _d.sources[0]),
                  (f"{_d.name}: training throughput", f"{U.fmt_number(_est.samples_per_s)} images/s",
                   f"engine estimate, efficiency {U.fmt_number(_est.assumptions['compute_efficiency'], 2)}")]
    ui.math_peek(
        "training-run time",
        [r"t_\text{run} = \frac{\text{images} \times \text{epochs}}{\text{images per second}}",
         r"\text{images per second} \approx \frac{\text{efficiency} \cdot \text{peak FLOP/s}}"
         r"{6 \cdot \text{MACs per image}}"],
        _rows + [(f"{_m.name} parameters", U.fmt_params(_m.params), _m.sources[0]),
                 ("images per epoch", f"{PART_C['images']:,}", "Russakovsky et al. 2015 (ILSVRC-2012 train)")],
    )
    return


@app.cell
def _():
    ui.section("Part D: Ship by the deadline", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Amara Chen", "CTO",
        f"We ship in {PART_D['deadline_weeks']} weeks. The plan is {PART_D['experiments']} experiments of "
        f"{U.fmt_number(PART_D['train_h'])}-hour runs on one GPU, reviewed by Noor's reviewer. Skipping the week of "
        "data validation gets us there sooner, doesn't it? We will evaluate on held-out data anyway... if there is "
        "time. Let's skip both.",
    )
    return


@app.cell
def _():
    partD_prediction = ui.numeric_prediction(
        f"Weeks to ship without data validation and held-out evaluation (with both: "
        f"{fmt_weeks(part_d_plans()[0]['weeks'])})",
        start=1, stop=52, step=0.5, value=1, unit="weeks")
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_careful, partD_rushed = part_d_plans()
    _diff = partD_rushed["weeks"] - partD_careful["weeks"]
    partD_result = lab.commit("partD", partD_prediction, lambda value: G.grade_numeric(
        "partD", DEFECT_COST, float(value), partD_rushed["weeks"], tolerance=1.25, unit="weeks",
        explanation=(
            f"With validation and evaluation: {fmt_weeks(partD_careful['weeks'])}. Without: "
            f"{fmt_weeks(partD_rushed['weeks'])}, "
            + (f"{fmt_weeks(_diff)} later" if _diff > 0 else f"{fmt_weeks(-_diff)} sooner")
            + f", because the label defect surfaces in {partD_rushed['caught_at']}, where fixing it costs "
            f"{U.fmt_ratio(W.defect_cost_multiplier(partD_rushed['caught_at']))} the fix at the start. The week "
            "saved up front is repaid many times over."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_careful, partD_result, partD_rushed


@app.cell
def _():
    partD_validate = mo.ui.switch(value=PART_D["validate"],
                                  label=f"Validate the data ({PART_D['validation_weeks']} week)")
    partD_evaluate = mo.ui.switch(value=PART_D["evaluate"], label="Held-out evaluation before launch")
    partD_experiments = mo.ui.slider(5, 400, step=5, value=PART_D["experiments"], label="Experiments planned",
                                     show_value=True)
    partD_train = mo.ui.slider(0.5, 24, step=0.5, value=PART_D["train_h"], label="Training hours per run",
                               show_value=True)
    partD_parallel = mo.ui.slider(1, 8, value=PART_D["parallel"], label="GPUs (runs at once)", show_value=True)
    partD_reviewers = mo.ui.slider(1, 4, value=PART_D["reviewers"],
                                   label=f"Reviewers ({U.fmt_number(W.REVIEW_HOURS_PER_WEEK)} h a week each)",
                                   show_value=True)
    return partD_evaluate, partD_experiments, partD_parallel, partD_reviewers, partD_train, partD_validate


@app.cell
def _(partD_evaluate, partD_experiments, partD_parallel, partD_reviewers, partD_train, partD_validate):
    partD_plan = plan_weeks(experiments=partD_experiments.value, train_h=partD_train.value,
                            validate=partD_validate.value, evaluate=partD_evaluate.value,
                            parallel=partD_parallel.value, reviewers=partD_reviewers.value)
    partD_violations = plan_violations(partD_plan)
    return partD_plan, partD_violations


@app.cell
def _(
    partD_careful,
    partD_evaluate,
    partD_experiments,
    partD_parallel,
    partD_plan,
    partD_result,
    partD_reviewers,
    partD_rushed,
    partD_train,
    partD_validate,
):
    mo.stop(partD_result is None, ui.locked("the project planner"))
    _dl = PART_D["deadline_weeks"]
    _rows = [("with validation and evaluation", partD_careful), ("skip both (Amara)", partD_rushed),
             ("your plan (controls)", partD_plan)]
    _fig = go.Figure()
    for _key, _name, _color in (("validation", "data validation", charts.COLOR["neutral"]),
                                ("experiments", "experiments", charts.COLOR["series"]),
                                ("rework", "defect rework", charts.COLOR["fixed"])):
        _fig.add_trace(go.Bar(y=[r[0] for r in _rows], x=[r[1][_key] for r in _rows], orientation="h", name=_name,
                              marker_color=_color, textposition="inside",
                              text=[f"{r[1][_key]:.1f}" if r[1][_key] >= 0.5 else "" for r in _rows]))
    _fig.add_trace(go.Scatter(y=[r[0] for r in _rows], x=[r[1]["weeks"] for r in _rows], mode="text",
                              text=[f"  {fmt_weeks(r[1]['weeks'])}" for r in _rows], textposition="middle right",
                              showlegend=False, name="total"))
    _fig.update_layout(barmode="stack", legend=dict(traceorder="normal"))
    _fig.update_yaxes(autorange="reversed")
    charts.themed(_fig, title="Weeks to ship, by plan", x="weeks", height=360)
    _fig.update_xaxes(range=[0, 1.2 * max([r[1]["weeks"] for r in _rows] + [_dl, partD_result.predicted])])
    _fig.add_vline(x=_dl, line_dash="dot", line_color=charts.COLOR["neutral"], line_width=2,
                   annotation_text=f"deadline: {_dl} weeks", annotation_position="bottom right")
    charts.reference_line(_fig, partD_result.predicted,
                          f"your prediction: {fmt_weeks(partD_result.predicted)} (skip both)", axis="x")
    _banners = []
    if "missed deadline" in plan_violations(partD_plan):
        _banners.append(ui.failure_banner(
            "Deadline", what=f"the plan takes {fmt_weeks(partD_plan['weeks'])}",
            by=fmt_weeks(partD_plan["weeks"] - _dl),
            fix="catch the defect early, shorten the runs, add GPUs or reviewers, or plan fewer experiments"))
    if "defect reached production" in plan_violations(partD_plan):
        _banners.append(ui.failure_banner(
            "Requirement violated late", what="the label defect reached users",
            by=f"{U.fmt_ratio(W.defect_cost_multiplier('production'))} the rework of an early fix",
            fix="validate the data or evaluate before launch"))
    if not _banners:
        _banners.append(ui.banner("ok", "On time", f"{fmt_weeks(partD_plan['weeks'])} of {_dl}; "
                                                   f"the defect is caught in {partD_plan['caught_at']}"))
    mo.vstack([mo.hstack([partD_validate, partD_evaluate], wrap=True),
               mo.hstack([partD_experiments, partD_train], wrap=True),
               mo.hstack([partD_parallel, partD_reviewers], wrap=True),
               _fig,
               ui.cards(*[ui.metric_card(_name, fmt_weeks(_plan["weeks"]), f"defect caught in {_plan['caught_at']}")
                          for _name, _plan in _rows]),
               ui.slo_bars(ui.slo_bar("schedule", partD_plan["weeks"], _dl, fmt=lambda v: f"{v:,.1f}", unit="weeks")),
               *_banners])
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _(partB_result, partD_result):
    mo.stop(partB_result is None or partD_result is None)  # shown once both questions it answers are committed
    ui.math_peek(
        "schedule",
        [r"T = T_\text{validation} + \max\left(\frac{\lceil N / g \rceil\,(t_\text{train} + t_\text{review})}{168},"
         r"\; \frac{N\, t_\text{review}}{r\, h_\text{week}}\right) + \frac{c_0\, c(s)}{7}"],
        [("deadline", f"{PART_D['deadline_weeks']} weeks", "scenario: Amara's launch date"),
         ("data validation", f"{PART_D['validation_weeks']} week", "scenario"),
         ("N experiments, g GPUs, r reviewers", f"{PART_D['experiments']}, {PART_D['parallel']}, "
                                               f"{PART_D['reviewers']}", "scenario"),
         ("t_review, h_week", f"{PART_A['review_min']} min, {U.fmt_number(W.REVIEW_HOURS_PER_WEEK)} h", "Part A"),
         ("c0, c(s)", f"{U.fmt_number(PART_B['fix_days'])} days, the stage multiplier", "Part B"),
         ("R, production / first stage", U.fmt_ratio(W.DEFECT_COST_RATIO), W.DEFECT_COST_SOURCE)],
    )
    return


@app.cell
def _():
    ui.section("Part E: A requirement arrives late", 10)
    return


@app.cell
def _():
    _edge = P.get_device(P.TIER_REFERENCE[PART_E["tier"]])
    _before = requirement_change(PART_E["cameras_before"])
    ui.stakeholder(
        "Priya Raman", "Plant operations",
        f"Evaluation signed off {P.get_workload(PART_E['model']).name} in {PART_E['precision']} on the {_edge.name} "
        f"for our {PART_E['cameras_before']} inspection cameras: {U.fmt_seconds(_before['built_s'])} per frame, "
        f"inside the {U.fmt_seconds(_before['budget_s'])} each frame had. The line upgrade brings "
        f"{PART_E['cameras']} cameras at {PART_E['fps']} frames/s, all on the same box, one frame at a time: "
        f"{U.fmt_seconds(frame_budget_s(PART_E['cameras']))} per frame. That is a deployment setting, surely: change "
        f"the config, update the dashboards. We launch in {PART_E['slack_days']} days.",
    )
    return


@app.cell
def _():
    partE_prediction = ui.choice_prediction(
        f"With {PART_E['cameras']} cameras, where does the rework start? (Every stage after it is redone too.)",
        PART_E_OPTIONS)
    return (partE_prediction,)


@app.cell
def _(lab, partE_prediction):
    partE_change = requirement_change()
    partE_result = lab.commit("partE", partE_prediction, lambda choice: G.grade_choice(
        "partE", PROPAGATION, choice, partE_change["entry"],
        option_values={v: float(rework_days(v)) for v in PART_E_OPTIONS.values()},
        actual=float(partE_change["days"]), unit="days",
        explanation=(
            entry_reason(partE_change) + f" That is {len(partE_change['stages'])} of {len(W.STAGES)} stages, "
            f"{U.fmt_number(partE_change['days'])} days of the plan against {PART_E['slack_days']} to launch. The "
            f"requirement arrived at deployment, but the rework starts at the first artifact it breaks "
            f"({partE_change['entry']}) and runs through every stage built on it."
        ),
    ))
    ui.prediction(partE_prediction, partE_result)
    return partE_change, partE_result


@app.cell
def _():
    partE_cameras = mo.ui.slider(1, 32, value=PART_E["cameras"], label=f"Cameras at {PART_E['fps']} frames/s",
                                 show_value=True)
    partE_tier = mo.ui.radio({ui.tier_name(t): t for t in P.TIER_REFERENCE}, value=ui.tier_name(PART_E["tier"]),
                             label="Deploy on", inline=True)
    partE_privacy = mo.ui.switch(value=PART_E["privacy"], label="New rule: raw images never leave the device")
    return partE_cameras, partE_privacy, partE_tier


@app.cell
def _(partE_cameras, partE_privacy, partE_tier):
    partE_view = requirement_change(partE_cameras.value, partE_tier.value, partE_privacy.value)
    partE_violations = requirement_violations(partE_view)
    return partE_view, partE_violations


@app.cell
def _(partE_cameras, partE_privacy, partE_result, partE_tier, partE_view, partE_violations):
    mo.stop(partE_result is None, ui.locked("the rework map"))
    _days = [rework_days(s) for s in W.STAGES]
    _fig = go.Figure(go.Bar(
        x=list(W.STAGES), y=_days, name="days redone if the rework starts here",
        marker_color=[charts.COLOR["alternative"] if s == partE_view["entry"] else charts.COLOR["series"]
                      for s in W.STAGES],
        text=[f"{U.fmt_number(d)} d" + (" (here)" if s == partE_view["entry"] else "")
              for s, d in zip(W.STAGES, _days)],
        textposition="outside"))
    charts.themed(_fig, title="Days of rework, by the first stage a requirement breaks", x="rework starts at",
                  y="days redone", height=400)
    _fig.update_yaxes(range=[0, 1.2 * max(_days + [PART_E["slack_days"]])])
    _fig.add_hline(y=PART_E["slack_days"], line_dash="dot", line_color=charts.COLOR["neutral"], line_width=2,
                   annotation_text=f"launch in {PART_E['slack_days']} days", annotation_position="top left")
    charts.mark_point(_fig, partE_result.choice, partE_result.predicted,
                      f"your prediction: from {partE_result.choice}, {U.fmt_number(partE_result.predicted)} days")
    _device = P.get_device(P.TIER_REFERENCE[partE_tier.value])
    _fmt = lambda t: U.fmt_seconds(t) if t is not None else "does not fit"  # noqa: E731
    _cand = partE_view["candidate"]
    _cards = ui.cards(
        ui.metric_card("per-frame budget", U.fmt_seconds(partE_view["budget_s"]),
                       f"{partE_cameras.value} cameras x {PART_E['fps']} frames/s"),
        ui.metric_card(f"as built ({PART_E['precision']})", _fmt(partE_view["built_s"]),
                       f"{P.get_workload(PART_E['model']).name} on the {_device.name}",
                       status="ok" if meets(partE_view["built_s"], partE_view["budget_s"]) else "fail"),
        ui.metric_card(f"re-quantized ({PART_E['quantized']})", _fmt(partE_view["requant_s"]), "same weights",
                       status="ok" if meets(partE_view["requant_s"], partE_view["budget_s"]) else "fail"),
        ui.metric_card("fastest smaller model that fits",
                       U.fmt_seconds(_cand[0]) if _cand else "none",
                       f"{P.get_workload(_cand[1]).name}, {_cand[2]}" if _cand else "no candidate meets the budget"),
        ui.metric_card("rework", f"{U.fmt_number(partE_view['days'])} days",
                       f"from {partE_view['entry']}: {len(partE_view['stages'])} of {len(W.STAGES)} stages"))
    _banners = []
    if partE_view["entry"] == W.STAGES[0]:
        _fast = partE_view["fastest"]
        _banners.append(ui.failure_banner(
            "Requirement unreachable", what=f"no candidate model meets the frame budget on the {_device.name}",
            by=(U.fmt_ratio(_fast[0] / partE_view["budget_s"]) + f" (fastest: {P.get_workload(_fast[1]).name})"
                if _fast else "all candidates (none fits in its memory)"),
            fix="fewer cameras per box, a faster device, or renegotiate the requirement"))
    if partE_violations:
        _banners.append(ui.failure_banner(
            "Launch slips", what=f"rework from {partE_view['entry']} on takes {U.fmt_number(partE_view['days'])} days",
            by=f"{U.fmt_number(partE_view['days'] - PART_E['slack_days'])} days",
            fix="fewer cameras per box, or check the frame budget on the device before training, not after"))
    if not _banners:
        _banners.append(ui.banner("ok", "Launch holds",
                                  f"rework from {partE_view['entry']} on: {U.fmt_number(partE_view['days'])} of "
                                  f"{PART_E['slack_days']} days"))
    mo.vstack([mo.hstack([partE_cameras, partE_tier], wrap=True), partE_privacy, _fig, _cards,
               mo.md(entry_reason(partE_view, partE_tier.value)), *_banners])
    return


@app.cell
def _(partE_result):
    ui.reveal(partE_result) if partE_result else None
    return


@app.cell
def _(partE_result):
    mo.stop(partE_result is None)  # the frame times answer the question: shown once it is committed
    _edge = P.get_device(P.TIER_REFERENCE[PART_E["tier"]])
    _rows = [(f"{P.get_workload(m).name}, {prec}, on the {_edge.name}", U.fmt_seconds(frame_latency_s(m, PART_E["tier"],
                                                                                                     prec)),
              f"engine estimate, batch 1 ({_edge.sources[0]})")
             for m, prec in ((PART_E["model"], PART_E["precision"]), (PART_E["model"], PART_E["quantized"]))]
    ui.math_peek(
        "requirement propagation",
        [r"t_\text{budget} = \frac{1}{\text{cameras} \times \text{frames per second}}",
         r"s^\ast = \text{the earliest stage whose artifact misses } t_\text{budget}, \qquad "
         r"\text{rework} = \sum_{s \,\ge\, s^\ast} d_s"],
        _rows + [("cameras, frames per second", f"{PART_E['cameras']}, {PART_E['fps']}", "scenario: the line upgrade"),
                 ("d_s, days per stage", ", ".join(f"{k} {v}" for k, v in PART_E["stage_days"].items()),
                  "scenario: the team's plan"),
                 ("launch", f"{PART_E['slack_days']} days", "scenario: Priya's date"),
                 ("stage order", " > ".join(W.STAGES), "engine: each stage builds on the one before")],
    )
    return


@app.cell
def _():
    ui.section("Part F: Which check catches what?", 10)
    return


@app.cell
def _():
    _host = P.get_device(P.TIER_REFERENCE[PART_F["host"]])
    ui.stakeholder(
        "Amara Chen", "CTO",
        f"Retraining takes too long. For Priya's {PART_F['cameras']} cameras we re-quantize "
        f"{P.get_workload(PART_E['model']).name} to {PART_E['quantized']}, run our held-out evaluation on the "
        f"{_host.name} as always, and ship if it passes. I know of two risks in this release: the vendor's new label "
        f"batch changed its schema, and {PART_E['quantized']} can drift. Our evaluation covers us, doesn't it? An "
        "on-target check on the line would cost us another day.",
    )
    return


@app.cell
def _():
    partF_prediction = ui.choice_prediction(
        "Which release check lets none of this build's defects reach the line?", PART_F_OPTIONS)
    return (partF_prediction,)


@app.cell
def _(lab, partF_prediction):
    partF_defects = release_defects()
    _answer = part_f_answer(partF_defects)
    _miss = {plan: escaped(partF_defects, checks) for plan, checks in PART_F_PLANS.items()}
    partF_result = lab.commit("partF", partF_prediction, lambda choice: G.grade_choice(
        "partF", BLIND_SPOTS, choice, _answer,
        explanation=(
            f"This build has {len(partF_defects)} defects on the line: {', '.join(partF_defects)}. "
            + " ".join(f"{plan.capitalize()}: {len(m)} escape" + (f" ({', '.join(m)})." if m else ".")
                       for plan, m in _miss.items())
            + " The offline evaluation has labels but runs the training precision on the training host, so it "
            "cannot see what only the device shows; the on-target check sees the device but has no labels. Each "
            "single check has a blind spot; together they cover each other's."
        ),
    ))
    ui.prediction(partF_prediction, partF_result)
    return partF_defects, partF_result


@app.cell
def _():
    partF_offline = mo.ui.switch(value=PART_F["offline"], label="Offline evaluation (labelled, on the training host)")
    partF_target = mo.ui.switch(value=PART_F["on_target"], label="On-target check (unlabelled frames, on the device)")
    partF_int8 = mo.ui.switch(value=PART_F["int8"], label=f"Ship the {PART_E['quantized']} build")
    partF_cameras = mo.ui.slider(1, 32, value=PART_F["cameras"], label=f"Cameras at {PART_E['fps']} frames/s",
                                 show_value=True)
    partF_tier = mo.ui.radio({ui.tier_name(t): t for t in P.TIER_REFERENCE}, value=ui.tier_name(PART_F["tier"]),
                             label="Deploy on", inline=True)
    return partF_cameras, partF_int8, partF_offline, partF_target, partF_tier


@app.cell
def _(partF_cameras, partF_int8, partF_offline, partF_target, partF_tier):
    _checks = tuple(c for c, on in zip(W.CHECKS, (partF_offline.value, partF_target.value)) if on)
    partF_view = dict(defects=release_defects(partF_cameras.value, partF_tier.value, partF_int8.value), checks=_checks)
    partF_view["escaped"] = escaped(partF_view["defects"], _checks)
    partF_violations = ["defect escaped release"] if partF_view["escaped"] else []
    return partF_view, partF_violations


@app.cell
def _(partF_cameras, partF_int8, partF_offline, partF_result, partF_target, partF_tier, partF_view):
    mo.stop(partF_result is None, ui.locked("the release-check matrix"))
    _defects = partF_view["defects"]
    _counts = {plan: len(escaped(_defects, checks)) for plan, checks in PART_F_PLANS.items()}
    _fig = go.Figure(go.Bar(
        x=list(_counts), y=list(_counts.values()), name="defects that reach the line",
        marker_color=[charts.COLOR["alternative"] if checks == partF_view["checks"] else charts.COLOR["series"]
                      for checks in PART_F_PLANS.values()],
        text=[f"{n} of {len(_defects)} escape" for n in _counts.values()], textposition="outside"))
    charts.themed(_fig, title="Defects that reach the line, by release check", x="release check",
                  y="defects escaped", height=380)
    _fig.update_yaxes(range=[0, len(W.DEFECT_KINDS) + 1], dtick=1)
    _mine = partF_result.choice if partF_result.choice in _counts else "both together"
    charts.mark_point(_fig, _mine, _counts[_mine], "your prediction: " + (
        "nothing escapes here" if partF_result.choice in _counts else "something escapes both"))
    _seen = {d: [c for c in W.CHECKS if W.detects(c, d, on_host=h, on_target=t)] for d, (h, t) in _defects.items()}
    _cards = ui.cards(*[
        ui.metric_card(d, "escapes" if d in partF_view["escaped"] else "caught",
                       ("seen by both checks" if len(_seen[d]) == len(W.CHECKS) else f"seen only by the {_seen[d][0]} "
                        "check") if _seen[d] else "no check sees it",
                       status="fail" if d in partF_view["escaped"] else "ok")
        for d in _defects])
    if partF_view["escaped"]:
        _banner = ui.failure_banner(
            "Defect escaped", what=f"{', '.join(partF_view['escaped'])} reach the line",
            by=f"{len(partF_view['escaped'])} of {len(_defects)} defects",
            fix="add the check that runs where the defect shows: labels offline, the device's build on the target")
    else:
        _banner = ui.banner("ok", "Release holds", f"all {len(_defects)} defects caught before the line")
    mo.vstack([mo.hstack([partF_offline, partF_target], wrap=True), mo.hstack([partF_int8, partF_cameras], wrap=True),
               partF_tier, _fig, _cards, _banner])
    return


@app.cell
def _(partF_result):
    ui.reveal(partF_result) if partF_result else None
    return


@app.cell
def _(partF_result):
    mo.stop(partF_result is None)  # the frame times answer the question: shown once it is committed
    _host, _edge = (P.get_device(P.TIER_REFERENCE[t]) for t in (PART_F["host"], PART_F["tier"]))
    _m = P.get_workload(PART_E["model"]).name
    ui.math_peek(
        "release coverage",
        [r"\text{caught}(d) = \bigvee_{c \in \text{plan}} \text{sees}(c, d), \qquad "
         r"\text{escaped} = \{\, d : \neg\,\text{caught}(d) \,\}",
         r"\text{sees}(\text{offline}, d) = \text{labels} \lor \text{shows on host}(d), \qquad "
         r"\text{sees}(\text{on-target}, d) = \neg\text{labels} \land \text{shows on target}(d)"],
        [(f"{_m}, {PART_E['precision']}, on the {_host.name} (offline)",
          U.fmt_seconds(frame_latency_s(PART_E["model"], PART_F["host"], PART_E["precision"])), "engine estimate"),
         (f"{_m}, {PART_E['quantized']}, on the {_edge.name} (target)",
          U.fmt_seconds(frame_latency_s(PART_E["model"], PART_F["tier"], PART_E["quantized"])), "engine estimate"),
         ("frame budget", U.fmt_seconds(frame_budget_s(PART_F["cameras"])),
          f"{PART_F['cameras']} cameras x {PART_E['fps']} frames/s (Part E)"),
         ("seeded defects", "label schema, int8 drift", "scenario: Amara's two known risks"),
         ("detection rules", "labels need a labelled set; other defects need a check where they show",
          "engine: workflow.detects")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result, partE_result, partF_result):
    ui.takeaways(
        ["Velocity is set by the whole loop: a fixed review, done in working hours, caps what faster training buys.",
         "A defect costs more at every stage it survives: checks early in the pipeline are the cheap ones.",
         "Where you train changes how often you can learn: a slower tier means fewer experiments, but a fast one "
         "makes the reviewer the bottleneck.",
         "Skipping a check saves its time once and risks paying the late-defect multiplier.",
         "A late requirement reworks every stage built on the first artifact it breaks, however late it arrives.",
         "An offline evaluation cannot see what only the device shows, and a device check without labels cannot see "
         "label errors: release on both."],
        [("A loop is 2 h of training and 1 h of review. What does halving training buy at most?",
          "3 h to 2 h: 1.5x, not 2x; less when the review waits for working hours."),
         ("Why is production the most expensive place to find a data bug?",
          "Everything built on the bad data (training, evaluation, rollout) must be redone."),
         ("A new latency budget arrives after evaluation. When does it cost only a redeploy?",
          "When the evaluated model, as built, still meets it on the target device; otherwise the rework starts "
          "at whichever earlier artifact must change.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result, partE_result,
                                             partF_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md(f"Amara needs a plan that ships in {PART_D['deadline_weeks']} weeks: which checks you keep, "
                     "how long the runs are, and how many experiments fit, knowing that a requirement which arrives "
                     "late (Priya's cameras) reworks every stage after the first one it breaks. Write her a short "
                     "memo."), memo_form])
    return


@app.cell
def _(
    lab,
    memo_form,
    partA_fast,
    partA_ratio,
    partA_result,
    partA_slow,
    partB_multiplier,
    partB_result,
    partC_ratio,
    partC_result,
    partD_careful,
    partD_evaluate,
    partD_experiments,
    partD_plan,
    partD_result,
    partD_rushed,
    partD_train,
    partD_validate,
    partD_violations,
    partE_cameras,
    partE_privacy,
    partE_result,
    partE_tier,
    partE_view,
    partE_violations,
    partF_offline,
    partF_result,
    partF_target,
    partF_view,
    partF_violations,
):
    lab_record = build_record(
        context=None,
        results=[partA_result, partB_result, partC_result, partD_result, partE_result, partF_result],
        decisions={"validate_data": partD_validate.value, "evaluate": partD_evaluate.value,
                   "experiments": partD_experiments.value, "loop_h": partD_train.value,
                   "requirement_cameras": partE_cameras.value, "requirement_tier": partE_tier.value,
                   "requirement_privacy_rule": partE_privacy.value, "release_offline_check": partF_offline.value,
                   "release_target_check": partF_target.value},
        outcomes={"velocity_ratio": partA_ratio, "fast_experiments": partA_fast, "slow_experiments": partA_slow,
                  "production_defect_multiplier": partB_multiplier, "edge_slowdown": partC_ratio,
                  "weeks": partD_plan["weeks"], "caught_at": partD_plan["caught_at"],
                  "careful_weeks": partD_careful["weeks"], "rushed_weeks": partD_rushed["weeks"],
                  "requirement_entry_stage": partE_view["entry"], "requirement_rework_days": partE_view["days"],
                  "release_escaped_defects": len(partF_view["escaped"])},
        constraints=(partD_violations if partD_result else []) + (partE_violations if partE_result else [])
        + (partF_violations if partF_result else []),
        memo=memo_form.value,
    )
    lab_status = lab.save(lab_record)
    return lab_record, lab_status


@app.cell
def _(lab_record, lab_status):
    ui.lab_footer(LAB.id, lab_record, lab_status, of=6)
    return


if __name__ == "__main__":
    app.run()
