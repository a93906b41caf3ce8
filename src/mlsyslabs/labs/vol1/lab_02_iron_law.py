import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import build_record, charts, G, get_lab, home_context, Ledger, P, save_if_changed, U, ui
    from mlsyslabs.physics import network

    LAB = get_lab("v1.02")
    ledger = Ledger.open()
    SCENARIO = {"photo_bytes": 150e3, "uplink_bps": 50e6, "distance_km": 1000, "edge_distance_km": 1,
                "budget_s": 0.100, "model": "mobilenetv2", "precision": "int8"}
    return G, LAB, P, SCENARIO, U, build_record, charts, go, home_context, ledger, mo, network, save_if_changed, ui


@app.cell
def _(LAB, ledger, ui):
    ui.header(LAB, subtitle="T = D/BW + O/R + L: which term decides how fast an inference really is?",
              parts=["A: the dominant term", "B: terms per tier", "C: four tiers", "D: placement under a budget"],
              notice=ledger.notice)
    return


@app.cell
def _(ui):
    ui.section("Part A: What dominates a cloud inference?", 12)
    return


@app.cell
def _(SCENARIO, ui):
    ui.stakeholder(
        "Priya Raman", "Product manager, photo app",
        f"Our app tags photos with MobileNetV2 on H100s in a datacentre about {SCENARIO['distance_km']:,} km from "
        "most users. Tagging feels sluggish. Infra proposes upgrading to B200s, twice the FLOPS. Will users notice?",
    )
    return


@app.cell
def _(ui):
    partA_prediction = ui.choice_prediction(
        "For one photo tagged in the cloud, which term dominates the end-to-end time?",
        {"Compute: O/R (FLOPs over the GPU's rate)": "compute", "Data movement: D/BW (bytes over memory bandwidth)": "data",
         "Fixed latency L: network round trip and upload": "fixed"},
    )
    partA_prediction
    return (partA_prediction,)


@app.cell
def _(P, SCENARIO):
    def remote(device, distance_km=SCENARIO["distance_km"], uplink_bps=SCENARIO["uplink_bps"],
               model=SCENARIO["model"], precision=SCENARIO["precision"]):
        return P.iron_law_inference(model, device, precision=precision, distance_m=distance_km * 1e3,
                                    payload_bytes=SCENARIO["photo_bytes"], uplink_bw=uplink_bps / 8)
    return (remote,)


@app.cell
def _(G, U, partA_prediction, remote):
    _r = remote("h100-sxm")
    _b = remote("b200")
    partA_result = None
    if partA_prediction.value is not None:
        partA_result = G.grade_choice(
            "partA", "Iron Law", partA_prediction.value, _r.dominant,
            explanation=(f"The fixed term is {U.fmt_seconds(_r.fixed_s)} (fiber round trip plus uploading the photo), "
                         f"compute is {U.fmt_seconds(_r.compute_s)}. Upgrading to B200 changes the total from "
                         f"{U.fmt_seconds(_r.total_s)} to {U.fmt_seconds(_b.total_s)}: a faster chip only shrinks "
                         "the term that was already negligible."),
        )
    return (partA_result,)


@app.cell
def _(P, mo):
    partA_device = mo.ui.dropdown({P.get_device(d).name: d for d in ("h100-sxm", "b200", "a100-80gb", "t4")},
                                  value="NVIDIA H100 SXM5 80GB", label="Datacentre GPU")
    partA_distance = mo.ui.slider(0, 10000, step=100, value=1000, label="Distance to datacentre (km)", show_value=True)
    partA_uplink = mo.ui.slider(1, 500, value=50, label="User uplink (Mbit/s)", show_value=True)
    return partA_device, partA_distance, partA_uplink


@app.cell
def _(U, charts, go, mo, partA_device, partA_distance, partA_prediction, partA_uplink, remote, ui):
    mo.stop(partA_prediction.value is None, ui.locked("the latency breakdown"))
    _r = remote(partA_device.value, partA_distance.value, partA_uplink.value * 1e6)
    _fig = go.Figure()
    for _name, _v in (("data", _r.data_s), ("compute", _r.compute_s), ("fixed", _r.fixed_s)):
        _fig.add_trace(go.Bar(y=["end to end"], x=[_v * 1000], name=f"{_name}: {U.fmt_seconds(_v)}", orientation="h",
                              marker_color=charts.COLOR[_name]))
    _fig.update_layout(barmode="stack")
    charts.themed(_fig, title="Iron-law terms of one cloud inference", x="milliseconds", height=260)
    mo.vstack([mo.hstack([partA_device, partA_distance, partA_uplink], wrap=True), _fig,
               ui.cards(ui.metric_card("total", U.fmt_seconds(_r.total_s)),
                        ui.metric_card("fixed share", f"{_r.fixed_s / _r.total_s:.1%}", "network + upload"),
                        ui.metric_card("compute share", f"{_r.compute_s / _r.total_s:.3%}"))])
    return


@app.cell
def _(partA_result, ui):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _(P, SCENARIO, network, ui):
    ui.math_peek(
        "the iron law with a network",
        "T = D/(BW x eta_mem) + O/(R x eta_comp) + L\nL = 2 x distance / v_fiber + payload / uplink",
        [("v_fiber", f"{network.FIBER_SPEED:.3g} m/s", "c / 1.4677, Corning SMF-28 group index"),
         ("MobileNetV2", "300 M MACs", P.get_workload("mobilenetv2").sources[0]),
         ("H100 int8 dense", "1979 TOP/s", P.get_device("h100-sxm").sources[0]),
         ("efficiencies", f"{P.DEFAULT_COMPUTE_EFFICIENCY} compute, {P.DEFAULT_MEMORY_EFFICIENCY} memory", "engine defaults"),
         ("photo", f"{SCENARIO['photo_bytes'] / 1e3:.0f} kB at {SCENARIO['uplink_bps'] / 1e6:.0f} Mbit/s", "scenario")],
    )
    return


@app.cell
def _(ui):
    ui.section("Part B: Term by term, on each tier", 12)
    return


@app.cell
def _(ui):
    ui.stakeholder("Jonas Berg", "Mobile ML engineer",
                   "Fine, we run it on the phone instead. Its Neural Engine does 35 TOPS, so compute will dominate "
                   "there, and we should look for a phone with more TOPS. Right?")
    return


@app.cell
def _(ui):
    partB_prediction = ui.choice_prediction(
        "Running MobileNetV2 locally on the phone, which term dominates?",
        {"Compute (O/R)": "compute", "Data movement (D/BW)": "data", "Fixed latency (L)": "fixed"},
    )
    partB_prediction
    return (partB_prediction,)


@app.cell
def _(G, P, SCENARIO, U, partB_prediction):
    _r = P.iron_law_inference(SCENARIO["model"], P.TIER_REFERENCE["mobile"], precision=SCENARIO["precision"])
    partB_result = None
    if partB_prediction.value is not None:
        partB_result = G.grade_choice(
            "partB", "Iron Law", partB_prediction.value, _r.dominant,
            explanation=(f"Moving the weights and activations through 51 GB/s of phone memory takes "
                         f"{U.fmt_seconds(_r.data_s)}; the 35 TOPS do the 0.6 GFLOP in {U.fmt_seconds(_r.compute_s)}. "
                         "A small CNN has low arithmetic intensity: bandwidth, not TOPS, sets its speed."),
        )
    return (partB_result,)


@app.cell
def _(P, mo):
    partB_model = mo.ui.dropdown({P.get_workload(m).name: m for m in ("mobilenetv2", "resnet50", "efficientnet-b0",
                                                                      "yolov8n", "ds-cnn-kws")},
                                 value="MobileNetV2 1.0", label="Model")
    partB_precision = mo.ui.dropdown(["fp32", "fp16", "int8"], value="int8", label="Precision")
    return partB_model, partB_precision


@app.cell
def _(P, charts, go, mo, partB_model, partB_precision, partB_prediction, ui):
    mo.stop(partB_prediction.value is None, ui.locked("the per-tier breakdown"))
    _tiers = list(P.TIER_REFERENCE)
    _rs = [P.iron_law_inference(partB_model.value, P.TIER_REFERENCE[t], precision=partB_precision.value) for t in _tiers]
    _fig = go.Figure()
    for _name, _key in (("data", "data_s"), ("compute", "compute_s")):
        _fig.add_trace(go.Bar(x=_tiers, y=[getattr(r, _key) * 1000 for r in _rs], name=_name,
                              marker_color=charts.COLOR[_name]))
    _fig.update_yaxes(type="log")
    charts.themed(_fig, title=f"{partB_model.value} ({partB_precision.value}): data vs compute term per tier",
                  y="milliseconds (log)")
    _oom = [t for t, r in zip(_tiers, _rs) if not r.fits]
    mo.vstack([mo.hstack([partB_model, partB_precision]), _fig,
               ui.banner("warn", "Does not fit", f"{', '.join(_oom)}: the model exceeds memory there (see Part D).")
               if _oom else ui.banner("ok", "Fits everywhere", "all four tiers hold this model")])
    return


@app.cell
def _(partB_result, ui):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _(ui):
    ui.section("Part C: One model, four tiers", 12)
    return


@app.cell
def _(ui):
    ui.stakeholder("Priya Raman", "Product manager, photo app",
                   "So where should tagging run for a user holding the phone: datacentre, the edge box in the "
                   "store, the phone, or the camera's microcontroller?")
    return


@app.cell
def _(ui):
    partC_prediction = ui.choice_prediction(
        "Which tier tags a photo taken on the phone fastest, end to end?",
        {"Cloud H100 (1000 km away)": "cloud", "Edge box (1 km away, same uplink)": "edge", "The phone itself": "mobile",
         "The microcontroller": "tiny"},
    )
    partC_prediction
    return (partC_prediction,)


@app.cell
def _(P, SCENARIO):
    def placement(tier, model=SCENARIO["model"], precision=SCENARIO["precision"],
                  distance_km=SCENARIO["distance_km"], uplink_bps=SCENARIO["uplink_bps"]):
        """End-to-end terms when the photo starts on the phone."""
        dist = {"cloud": distance_km, "edge": SCENARIO["edge_distance_km"]}.get(tier, 0)
        payload = SCENARIO["photo_bytes"] if tier in ("cloud", "edge") else 0.0
        return P.iron_law_inference(model, P.TIER_REFERENCE[tier], precision=precision, distance_m=dist * 1e3,
                                    payload_bytes=payload, uplink_bw=uplink_bps / 8)
    return (placement,)


@app.cell
def _(G, P, U, partC_prediction, placement):
    partC_times = {t: placement(t) for t in P.TIERS}
    _ok = {t: r for t, r in partC_times.items() if r.fits}
    partC_best = min(_ok, key=lambda t: _ok[t].total_s)
    partC_result = None
    if partC_prediction.value is not None:
        partC_result = G.grade_choice(
            "partC", "Iron Law", partC_prediction.value, partC_best,
            explanation=(f"{partC_best} wins at {U.fmt_seconds(_ok[partC_best].total_s)}. "
                         + ", ".join(f"{t}: {U.fmt_seconds(r.total_s)}" if r.fits else f"{t}: does not fit"
                                     for t, r in partC_times.items())
                         + ". Moving the photo costs more than computing on it; the microcontroller cannot hold "
                           "the model at all."),
        )
    return partC_best, partC_result, partC_times


@app.cell
def _(U, charts, go, mo, partC_prediction, partC_times, ui):
    mo.stop(partC_prediction.value is None, ui.locked("the four-tier comparison"))
    _tiers = [t for t, r in partC_times.items() if r.fits]
    _fig = go.Figure()
    for _name, _key in (("data", "data_s"), ("compute", "compute_s"), ("fixed", "fixed_s")):
        _fig.add_trace(go.Bar(x=_tiers, y=[getattr(partC_times[t], _key) * 1000 for t in _tiers], name=_name,
                              marker_color=charts.COLOR[_name]))
    _fig.update_layout(barmode="stack")
    charts.themed(_fig, title="End-to-end time of one photo by placement", y="milliseconds")
    _tiny = partC_times["tiny"]
    mo.vstack([_fig, ui.failure_banner("OOM", what=f"MobileNetV2 needs {U.fmt_bytes(_tiny.memory_bytes)} on the "
                                       f"microcontroller with {U.fmt_bytes(_tiny.capacity_bytes, binary=True)} usable",
                                       by=f"{_tiny.memory_bytes / _tiny.capacity_bytes:,.0f}x",
                                       fix="use a model designed for the tier (e.g. the 39K-parameter DS-CNN)")
               if not _tiny.fits else ui.banner("ok", "Fits", "the microcontroller holds the model")])
    return


@app.cell
def _(partC_result, ui):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _(ui):
    ui.section("Part D: Place a workload under a 100 ms budget", 12)
    return


@app.cell
def _(ui):
    ui.stakeholder("Amara Chen", "CTO",
                   "We are opening in a second region. ResNet-50 quality is needed, budget 100 ms per photo. Up to "
                   "what distance can the datacentre serve users before we need a local deployment?")
    return


@app.cell
def _(ui):
    partD_prediction = ui.numeric_prediction("Distance at which the cloud path misses 100 ms", start=10, stop=20000,
                                             step=10, value=1000, unit="km")
    partD_prediction
    return (partD_prediction,)


@app.cell
def _(G, SCENARIO, network, partD_prediction, placement):
    _r0 = placement("cloud", model="resnet50", distance_km=0)
    # the round trip may take whatever the budget leaves after upload, data and compute
    partD_limit_km = network.reachable_distance_m(SCENARIO["budget_s"], _r0.total_s) / 1e3
    partD_result = None
    if partD_prediction.value is not None:
        partD_result = G.grade_numeric(
            "partD", "Iron Law", float(partD_prediction.value), partD_limit_km, tolerance=1.5, unit="km",
            explanation=(f"Without distance the cloud path takes {_r0.total_s * 1000:.1f} ms, almost all of it the "
                         "photo upload. The rest of the budget buys fiber: light covers ~204 km per millisecond, "
                         "and a round trip pays it twice."),
        )
    return partD_limit_km, partD_result


@app.cell
def _(P, mo):
    partD_model = mo.ui.dropdown({P.get_workload(m).name: m for m in ("resnet50", "mobilenetv2", "yolov8n")},
                                 value="ResNet-50", label="Model")
    partD_tier = mo.ui.radio({"Cloud (remote)": "cloud", "Edge box": "edge", "Phone": "mobile", "Microcontroller": "tiny"},
                             value="Cloud (remote)", label="Run on", inline=True)
    partD_distance = mo.ui.slider(0, 20000, step=100, value=1000, label="Distance to datacentre (km)", show_value=True)
    partD_uplink = mo.ui.slider(1, 500, value=50, label="Uplink (Mbit/s)", show_value=True)
    return partD_distance, partD_model, partD_tier, partD_uplink


@app.cell
def _(SCENARIO, partD_distance, partD_model, partD_tier, partD_uplink, placement):
    partD_run = placement(partD_tier.value, model=partD_model.value, distance_km=partD_distance.value,
                          uplink_bps=partD_uplink.value * 1e6)
    partD_violations = ([] if partD_run.fits else [f"OOM: {partD_model.value} on {partD_tier.value}"]) + (
        [f"SLA: {partD_run.total_s * 1000:.0f} ms > {SCENARIO['budget_s'] * 1000:.0f} ms"]
        if partD_run.fits and partD_run.total_s > SCENARIO["budget_s"] else [])
    return partD_run, partD_violations


@app.cell
def _(SCENARIO, U, mo, partD_distance, partD_model, partD_prediction, partD_run, partD_tier, partD_uplink, ui):
    mo.stop(partD_prediction.value is None, ui.locked("the placement planner"))
    _budget = SCENARIO["budget_s"]
    if not partD_run.fits:
        _status = ui.failure_banner("OOM", what=f"{U.fmt_bytes(partD_run.memory_bytes)} needed, "
                                    f"{U.fmt_bytes(partD_run.capacity_bytes)} usable on the {partD_tier.value} tier",
                                    by=f"{partD_run.memory_bytes / partD_run.capacity_bytes:,.1f}x",
                                    fix="choose a smaller model or a bigger tier")
    elif partD_run.total_s > _budget:
        _status = ui.failure_banner("SLA", what=f"{U.fmt_seconds(partD_run.total_s)} per photo",
                                    by=U.fmt_seconds(partD_run.total_s - _budget),
                                    fix="serve closer to users, raise the uplink, or run locally")
    else:
        _status = ui.banner("ok", "Within budget", f"{U.fmt_seconds(partD_run.total_s)} of {_budget * 1000:.0f} ms; "
                            f"{U.fmt_seconds(_budget - partD_run.total_s)} to spare")
    mo.vstack([mo.hstack([partD_model, partD_tier], wrap=True), mo.hstack([partD_distance, partD_uplink], wrap=True),
               ui.slo_bars(ui.slo_bar("end-to-end time", partD_run.total_s * 1000, _budget * 1000, unit="ms")),
               _status])
    return


@app.cell
def _(U, partD_result, ui):
    ui.reveal(partD_result, fmt=lambda v: f"{v:,.0f}") if partD_result else None
    return


@app.cell
def _(ui):
    ui.takeaways(
        ["Find the dominant term before buying anything: a faster chip only shrinks O/R.",
         "Small models are memory-bound on every tier; bandwidth, not TOPS, sets their speed.",
         "Across a network, physics sets a floor: ~1 ms of round trip per 100 km of fiber, plus the upload.",
         "Local placement trades the network term for a memory cliff: the model must fit."],
        [("Doubling peak FLOPS on a memory-bound op gives what speedup?", "About none: the data term is unchanged."),
         ("What is the fiber round trip for 3000 km?", "2 x 3e6 m / 2.04e8 m/s = 29 ms, before any processing.")],
    )
    return


@app.cell
def _(
    LAB,
    build_record,
    home_context,
    ledger,
    partA_result,
    partB_result,
    partC_best,
    partC_result,
    partD_distance,
    partD_limit_km,
    partD_model,
    partD_result,
    partD_run,
    partD_tier,
    partD_uplink,
    partD_violations,
    save_if_changed,
):
    lab_record = build_record(
        context=home_context(ledger), results=[partA_result, partB_result, partC_result, partD_result], expected=4,
        decisions={"model": partD_model.value, "placement": partD_tier.value, "distance_km": partD_distance.value,
                   "uplink_mbps": partD_uplink.value},
        outcomes={"fastest_tier": partC_best, "cloud_limit_km": partD_limit_km, "total_ms": partD_run.total_s * 1000},
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
