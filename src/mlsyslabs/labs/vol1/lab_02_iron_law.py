import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_02.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui

    LAB = get_lab("v1.02")
    TIER_DEVICES = {t: P.get_device(d) for t, d in P.TIER_REFERENCE.items()}
    # The three terms of T = D/BW + O/R + L, in the order every chart lists them.
    TERMS = {"data": "D/BW data movement", "compute": "O/R compute", "fixed": "L fixed latency"}
    TERM_FIELDS = {"data": "data_s", "compute": "compute_s", "fixed": "fixed_s"}
    PHOTO_BYTES = 150e3  # one phone photo as uploaded (JPEG)
    EDGE_DISTANCE_KM = 1  # the edge box sits in the store, next to the user
    # Part A: the photo app tags photos on datacentre GPUs; infra proposes a faster GPU.
    PART_A = dict(model="mobilenetv2", precision="int8", device="h100-sxm", upgrade="b200", distance_km=1000,
                  uplink=5e6)
    PART_A_GPUS = ("h100-sxm", "b200", "a100-80gb", "t4")
    PART_A_OPTIONS = {
        "O/R, compute: operations over the GPU's peak rate": "compute",
        "D/BW, data movement: bytes over the GPU's memory bandwidth": "data",
        "L, fixed latency: dispatch, fiber round trip and photo upload": "fixed",
    }
    # Part B: the same model run on the phone itself.
    PART_B = dict(model="mobilenetv2", precision="int8", tier="mobile")
    PART_B_MODELS = ("mobilenetv2", "resnet50", "efficientnet-b0", "yolov8n", "ds-cnn-kws")
    PART_B_OPTIONS = {
        "O/R, compute: operations over the Neural Engine's peak rate": "compute",
        "D/BW, data movement: bytes over the phone's memory bandwidth": "data",
        "L, fixed latency: the runtime's dispatch of each inference": "fixed",
    }
    # Part C: the photo starts on the phone; where should it be tagged?
    PART_C = dict(model="mobilenetv2", precision="int8", distance_km=PART_A["distance_km"], uplink=PART_A["uplink"])
    PART_C_OPTIONS = {
        f"Cloud: {TIER_DEVICES['cloud'].name}, {PART_A['distance_km']:,} km away": "cloud",
        f"Edge: {TIER_DEVICES['edge'].name}, {EDGE_DISTANCE_KM} km away": "edge",
        f"Mobile: the phone's {TIER_DEVICES['mobile'].name}": "mobile",
        f"TinyML: the camera's {TIER_DEVICES['tiny'].name}": "tiny",
    }
    # Part D: the CTO's second region: ResNet-50 quality within a per-photo budget.
    PART_D = dict(model="resnet50", precision="int8", tier="cloud", distance_km=1000, uplink=PART_A["uplink"],
                  budget_s=0.100)
    PART_D_MODELS = ("resnet50", "mobilenetv2", "yolov8n")
    PART_D_MAX_KM = 20000
    PART_D_TOLERANCE = 1.5  # a numeric estimate within this factor counts as correct
    # Part E: a forest acoustic sensor on a coin cell wakes, classifies a clip, reports the label and sleeps.
    PART_E = dict(model="ds-cnn-kws", precision="int8", device="nrf52840", alternative="esp32-s3", period_s=300,
                  report_bytes=16, battery="cr2032", target_days=365, max_gap_s=900)
    PART_E_DEVICES = tuple(d.id for d in P.devices_in_tier("tiny") if d.sleep_w is not None)
    PART_E_OPTIONS = {
        "Inference: running the model at the chip's active power": "inference",
        "Sleep: the chip waiting between wake-ups, its RAM retained": "sleep",
        "Radio: sending each label over Bluetooth LE": "radio",
    }
    ENERGY_TERMS = {"inference": "inference", "sleep": "sleep", "radio": "radio (Bluetooth LE)"}
    # Part F: the gateway loses its uplink; each sensor buffers what it would send in its free RAM.
    CLIP_RAW_BYTES = 16000 * 2  # one second of 16 kHz, 16-bit audio (Warden 2018, Speech Commands format)
    CLIP_FEATURE_BYTES = 49 * 10  # the model's input: 49 x 10 MFCC features, int8 (Zhang et al. 2017)
    PAYLOADS = {"raw": ("raw clips", CLIP_RAW_BYTES), "features": ("MFCC features", CLIP_FEATURE_BYTES),
                "label": ("labels", PART_E["report_bytes"])}
    PART_F = dict(payload="label", outage_h=12, max_outage_h=72)
    PART_F_OPTIONS = {
        "No payload: the buffer holds all three until the link returns": "none",
        "Only the raw clips lose results": "raw",
        "Raw clips and MFCC features lose results": "raw+features",
        "All three lose results: offline is offline": "all",
    }


@app.function
def remote_terms(device: str, *, model: str, precision: str, distance_km: float, uplink: float,
                 payload_bytes: float = PHOTO_BYTES):
    """Iron-law terms of one photo tagged on a remote `device` (uplink in bytes/s)."""
    return P.iron_law_inference(model, device, precision=precision, distance_m=distance_km * 1e3,
                                payload_bytes=payload_bytes, uplink_bw=uplink)


@app.function
def fixed_parts(terms, *, distance_km: float, uplink: float, payload_bytes: float = PHOTO_BYTES) -> dict:
    """L split into the device's dispatch overhead, the fiber round trip and the upload."""
    return {"dispatch": terms.overhead_s, "round trip": P.network.round_trip_s(distance_km * 1e3),
            "upload": P.network.transfer_time_s(payload_bytes, uplink) if payload_bytes else 0.0}


@app.function
def part_a_terms(device: str | None = None):
    s = PART_A
    return remote_terms(device or s["device"], model=s["model"], precision=s["precision"],
                        distance_km=s["distance_km"], uplink=s["uplink"])


@app.function
def part_a_answer() -> str:
    """The term that dominates one cloud inference in Priya's scenario."""
    return part_a_terms().dominant


@app.function
def local_terms(tier: str, *, model: str, precision: str):
    """Iron-law terms of one inference on a tier's reference device (no network)."""
    return P.iron_law_inference(model, P.TIER_REFERENCE[tier], precision=precision)


@app.function
def tier_terms(*, model: str, precision: str) -> dict:
    """tier -> terms, or tier -> the reason physics has no answer there (a string)."""
    out = {}
    for tier in P.TIERS:
        try:
            out[tier] = local_terms(tier, model=model, precision=precision)
        except P.PhysicsError:
            out[tier] = (f"The {TIER_DEVICES[tier].name} has no {precision} rate in the registry; "
                         f"its peak is quoted for {', '.join(TIER_DEVICES[tier].peak_flops)}")
    return out


@app.function
def part_b_terms():
    return local_terms(PART_B["tier"], model=PART_B["model"], precision=PART_B["precision"])


@app.function
def part_b_answer() -> str:
    """The term that dominates one inference on the phone in Jonas's scenario."""
    return part_b_terms().dominant


@app.function
def placement(tier: str, *, model: str, precision: str, distance_km: float, uplink: float):
    """End-to-end terms of tagging a photo that starts on the phone: the cloud and edge
    tiers pay the upload and the round trip; the phone and the microcontroller run locally."""
    if tier in ("cloud", "edge"):
        km = distance_km if tier == "cloud" else EDGE_DISTANCE_KM
        return remote_terms(P.TIER_REFERENCE[tier], model=model, precision=precision, distance_km=km, uplink=uplink)
    return local_terms(tier, model=model, precision=precision)


@app.function
def placements(*, model: str, precision: str, distance_km: float, uplink: float) -> dict:
    return {t: placement(t, model=model, precision=precision, distance_km=distance_km, uplink=uplink)
            for t in P.TIERS}


@app.function
def fastest_tier(runs: dict) -> str:
    """The tier with the shortest end-to-end time among those that hold the model."""
    fit = {t: r for t, r in runs.items() if r.fits}
    return min(fit, key=lambda t: fit[t].total_s)


@app.function
def part_c_runs() -> dict:
    return placements(**PART_C)


@app.function
def part_c_answer() -> str:
    return fastest_tier(part_c_runs())


@app.function
def cloud_limit_km(*, model: str, precision: str, uplink: float, budget_s: float) -> float:
    """How far the datacentre may be before the cloud path misses the budget: the round
    trip gets what the budget leaves after upload, dispatch, data and compute."""
    base = placement("cloud", model=model, precision=precision, distance_km=0, uplink=uplink)
    return P.network.reachable_distance_m(budget_s, base.total_s) / 1e3


@app.function
def part_d_answer() -> float:
    s = PART_D
    return cloud_limit_km(model=s["model"], precision=s["precision"], uplink=s["uplink"], budget_s=s["budget_s"])


@app.function
def violations(run, *, model: str, tier: str, budget_s: float = PART_D["budget_s"]) -> list:
    """Constraint hits of a placement (ledger keys: ids): OOM first, else the SLA."""
    if not run.fits:
        return [f"OOM: {model} on {tier}"]
    if run.total_s > budget_s:
        return [f"SLA: {U.fmt_seconds(run.total_s)} > {U.fmt_seconds(budget_s)}"]
    return []


@app.function
def sensor(device: str | None = None, *, period_s: float | None = None, report_bytes: float | None = None):
    """One day of Lena's sensor on `device`: energy by term (inference, sleep, radio)."""
    s = PART_E
    return P.operations.sensor_day(s["model"], device or s["device"], precision=s["precision"],
                                   period_s=s["period_s"] if period_s is None else period_s,
                                   report_bytes=s["report_bytes"] if report_bytes is None else report_bytes)


@app.function
def part_e_answer() -> str:
    """The term that draws the most of the battery's energy per day in Lena's scenario."""
    return sensor().dominant


@app.function
def battery_days(day, battery: str = PART_E["battery"]) -> float:
    return P.operations.battery_life_days(capacity_j=P.operations.BATTERIES[battery][1], energy_per_day_j=day.total_j)


@app.function
def other_chip(device: str) -> str:
    """The chip the sensor is compared against: the proposed one, or the scenario's when that is selected."""
    return PART_E["alternative"] if device != PART_E["alternative"] else PART_E["device"]


@app.function
def sensor_violations(day, *, period_s: float, battery: str = PART_E["battery"]) -> list:
    """Constraint hits of a sensor design (ledger keys: ids): battery life short of the target, results too rare."""
    out = []
    if day is not None and battery_days(day, battery) < PART_E["target_days"]:
        out.append(f"BATTERY: {U.fmt_number(battery_days(day, battery))} days < {PART_E['target_days']} days")
    if period_s > PART_E["max_gap_s"]:
        out.append(f"GAP: {U.fmt_seconds(period_s)} between results > {U.fmt_seconds(PART_E['max_gap_s'])}")
    return out


@app.function
def buffer_bytes(device: str = PART_E["device"]) -> float:
    """Free RAM for buffering: the usable memory the engine allows minus the model's weights and activations."""
    run = P.iron_law_inference(PART_E["model"], device, precision=PART_E["precision"])
    return max(0.0, run.capacity_bytes - run.memory_bytes)


@app.function
def retention(payload: str, outage_h: float, device: str = PART_E["device"]) -> float:
    """Share of an outage's results a sensor keeps when it sends `payload` every Part E period."""
    return P.network.outage_retention(PAYLOADS[payload][1], period_s=PART_E["period_s"], outage_s=outage_h * 3600,
                                      buffer_bytes=buffer_bytes(device))


@app.function
def lossy_payloads(outage_h: float) -> str:
    """The option key naming which payloads lose results during an outage (smallest payloads survive longest)."""
    lost = [k for k in PAYLOADS if retention(k, outage_h) < 1]
    return {0: "none", 1: "raw", 2: "raw+features", 3: "all"}[len(lost)] if lost == list(PAYLOADS)[:len(lost)] \
        else "+".join(lost)


@app.function
def part_f_answer() -> str:
    return lossy_payloads(PART_F["outage_h"])


@app.function
def part_f_violations(payload: str, outage_h: float) -> list:
    kept = retention(payload, outage_h)
    return [f"DATA LOSS: {PAYLOADS[payload][0]} keeps {share(kept, 1)} of a {U.fmt_number(outage_h)} h outage"] \
        if kept < 1 else []


@app.function
def fmt_small(value: float, unit: str) -> str:
    """Joules or watts with milli and micro prefixes ('847 uJ', '9.48 uW')."""
    if value == 0:
        return f"0 {unit}"
    for factor, prefix in ((1.0, ""), (1e-3, "m"), (1e-6, "u")):
        if abs(value) >= factor or prefix == "u":
            return f"{U.fmt_number(value / factor)} {prefix}{unit}"


@app.function
def source_of(device, topic: str) -> str:
    """The registry source of a device that mentions `topic` (else its first source)."""
    return next((src for src in device.sources if topic in src.lower()), device.sources[0])


@app.function
def device_label(tier: str) -> str:
    return f"{ui.tier_name(tier)}: {TIER_DEVICES[tier].name}"


@app.function
def share(part: float, total: float) -> str:
    return f"{U.fmt_number(100 * part / total)}%"


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="T = D/BW + O/R + L: bytes over bandwidth, operations over rate, and a fixed latency. "
                 "Which term decides how fast an inference really is?",
        parts=["Part A: a cloud inference", "Part B: on the phone", "Part C: four placements",
               "Part D: a latency budget", "Part E: a year on a coin cell", "Part F: filter at the source"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    ui.section("Part A: What dominates a cloud inference?", 12)
    return


@app.cell
def _():
    _gpu, _new = P.get_device(PART_A["device"]), P.get_device(PART_A["upgrade"])
    ui.stakeholder(
        "Priya Raman",
        "Product manager, photo app",
        f"Our app uploads each photo ({U.fmt_bytes(PHOTO_BYTES)}) and tags it with "
        f"{P.get_workload(PART_A['model']).name} on {_gpu.name} GPUs in a datacentre about "
        f"{PART_A['distance_km']:,} km from most users, who upload at about "
        f"{U.fmt_quantity(PART_A['uplink'], 'bytes/s')}. "
        f"Tagging feels sluggish. Infra proposes the {_new.name}: "
        f"{U.fmt_quantity(_new.peak_flops['int8'], 'OP/s')} of int8 against "
        f"{U.fmt_quantity(_gpu.peak_flops['int8'], 'OP/s')}. Will users notice?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"For one photo tagged on the {P.get_device(PART_A['device']).name}, which term of the iron law is largest?",
        PART_A_OPTIONS,
    )
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    _r, _b = part_a_terms(), part_a_terms(PART_A["upgrade"])
    _l = fixed_parts(_r, distance_km=PART_A["distance_km"], uplink=PART_A["uplink"])
    _gpu, _new = P.get_device(PART_A["device"]).name, P.get_device(PART_A["upgrade"]).name
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Iron Law", choice, part_a_answer(),
        explanation=(
            f"On the {_gpu}: data {U.fmt_seconds(_r.data_s)}, compute {U.fmt_seconds(_r.compute_s)}, fixed "
            f"{U.fmt_seconds(_r.fixed_s)} (upload {U.fmt_seconds(_l['upload'])}, fiber round trip "
            f"{U.fmt_seconds(_l['round trip'])}, dispatch {U.fmt_seconds(_l['dispatch'])}). The {_new} would save "
            f"{U.fmt_seconds(_r.total_s - _b.total_s)} of the {U.fmt_seconds(_r.total_s)}: a faster chip only "
            "shrinks the terms it owns, and here they are a sliver of the whole."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return (partA_result,)


@app.cell
def _():
    partA_device = mo.ui.dropdown({P.get_device(d).name: d for d in PART_A_GPUS},
                                  value=P.get_device(PART_A["device"]).name, label="Datacentre GPU")
    partA_distance = mo.ui.slider(0, 10000, step=100, value=PART_A["distance_km"],
                                  label="Distance to the datacentre (km)", show_value=True)
    partA_uplink = mo.ui.slider(0.5, 50, step=0.5, value=PART_A["uplink"] / 1e6, label="User uplink (MB/s)",
                                show_value=True)
    return partA_device, partA_distance, partA_uplink


@app.cell
def _(partA_device, partA_distance, partA_uplink):
    _kw = dict(model=PART_A["model"], precision=PART_A["precision"], distance_km=partA_distance.value,
               uplink=partA_uplink.value * 1e6)
    partA_run = remote_terms(partA_device.value, **_kw)
    partA_upgrade_run = remote_terms(PART_A["upgrade"], **_kw)
    return partA_run, partA_upgrade_run


@app.cell
def _(partA_device, partA_distance, partA_result, partA_run, partA_upgrade_run, partA_uplink):
    mo.stop(partA_result is None, ui.locked("the latency breakdown"))
    _runs = {P.get_device(partA_device.value).name: (partA_run, charts.COLOR["series"]),
             f"{P.get_device(PART_A['upgrade']).name} (proposed)": (partA_upgrade_run, charts.COLOR["alternative"])}
    _rows = [TERMS[k] + (" (your prediction)" if k == partA_result.choice else "") for k in TERMS]
    _fig = go.Figure()
    for _name, (_r, _color) in _runs.items():
        _v = [getattr(_r, TERM_FIELDS[k]) for k in TERMS]
        _fig.add_trace(go.Bar(
            y=_rows, x=_v, name=_name, orientation="h", marker_color=_color, text=[U.fmt_seconds(v) for v in _v],
            textposition="outside", cliponaxis=False,
            marker_line_color=charts.COLOR["highlight"],
            marker_line_width=[3 if k == partA_result.choice else 0 for k in TERMS]))
    _fig.update_layout(barmode="group")
    _fig.update_yaxes(autorange="reversed")
    charts.themed(_fig, title="Iron-law terms of one cloud inference (log scale; outlined: your prediction)",
                  x="seconds")
    _all = [getattr(r, f) for r, _ in _runs.values() for f in TERM_FIELDS.values()]
    charts.log_axes(_fig, xs=_all, pad=0.3)
    _fig.update_xaxes(range=[_fig.layout.xaxis.range[0], _fig.layout.xaxis.range[1] + 0.8])
    _l = fixed_parts(partA_run, distance_km=partA_distance.value, uplink=partA_uplink.value * 1e6)
    _saved = partA_run.total_s - partA_upgrade_run.total_s
    mo.vstack([
        mo.hstack([partA_device, partA_distance, partA_uplink], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("end to end", U.fmt_seconds(partA_run.total_s), P.get_device(partA_device.value).name),
            ui.metric_card("L, fixed latency", U.fmt_seconds(partA_run.fixed_s),
                           " + ".join(f"{k} {U.fmt_seconds(v)}" for k, v in _l.items())),
            ui.metric_card("O/R + D/BW", U.fmt_seconds(partA_run.compute_s + partA_run.data_s),
                           f"{share(partA_run.compute_s + partA_run.data_s, partA_run.total_s)} of the total"),
            ui.metric_card(f"{P.get_device(PART_A['upgrade']).name} instead",
                           U.fmt_seconds(partA_upgrade_run.total_s),
                           f"{'saves' if _saved >= 0 else 'adds'} {U.fmt_seconds(abs(_saved))}"),
        ),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    _m, _d = P.get_workload(PART_A["model"]), P.get_device(PART_A["device"])
    _a = P.estimate(_m.id, _d.id, phase="inference", precision=PART_A["precision"]).assumptions
    ui.math_peek(
        "the iron law with a network",
        [r"T = \frac{D}{BW \cdot \eta_\text{mem}} + \frac{O}{R \cdot \eta_\text{comp}} + L",
         r"L = t_\text{dispatch} + \frac{2\,d}{v_\text{fiber}} + \frac{\text{payload}}{\text{uplink}}"],
        [("v_fiber", f"{U.fmt_number(P.network.FIBER_SPEED / 1e3)} km/s",
          f"c / {P.network.FIBER_GROUP_INDEX}, Corning SMF-28 group index"),
         (f"O: {_m.name}", f"{U.fmt_count(_m.flops)}FLOP per image", _m.sources[0]),
         (f"R: {_d.name} int8 dense", U.fmt_quantity(_d.peak_flops["int8"], "OP/s"), _d.sources[0]),
         (f"BW: {_d.name}", U.fmt_quantity(_d.memory_bw, "bytes/s"), source_of(_d, "bandwidth")),
         ("eta_comp, eta_mem", f"{_a['compute_efficiency']:g}, {_a['memory_efficiency']:g}",
          f"engine efficiency model, {_a['device_class']} class"),
         ("t_dispatch", U.fmt_seconds(_a["overhead_s"]),
          f"engine efficiency model: per call + {_a['kernels_per_call']} kernels x per kernel"),
         ("payload, uplink", f"{U.fmt_bytes(PHOTO_BYTES)}, {U.fmt_quantity(PART_A['uplink'], 'bytes/s')}",
          "scenario")],
    )
    return


@app.cell
def _():
    ui.section("Part B: Term by term, on each tier", 12)
    return


@app.cell
def _():
    _phone = TIER_DEVICES[PART_B["tier"]]
    ui.stakeholder(
        "Jonas Berg",
        "Mobile ML engineer",
        f"Fine, we run {P.get_workload(PART_B['model']).name} on the phone instead, in {PART_B['precision']}. "
        f"The {_phone.name} does {U.fmt_quantity(_phone.peak(PART_B['precision']), 'OP/s')}, so "
        "compute will dominate there, and we should look for a phone with more TOPS. Right?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"Running {P.get_workload(PART_B['model']).name} locally on the {TIER_DEVICES[PART_B['tier']].name}, "
        "which term of the iron law is largest?",
        PART_B_OPTIONS,
    )
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    _r = part_b_terms()
    _phone = TIER_DEVICES[PART_B["tier"]]
    _faster_s = _r.total_s / P.amdahl_speedup(_r.compute_s / _r.total_s, 2)  # twice the TOPS: only O/R halves
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Iron Law", choice, part_b_answer(),
        explanation=(
            f"On the {_phone.name}: data {U.fmt_seconds(_r.data_s)}, compute {U.fmt_seconds(_r.compute_s)}, "
            f"fixed {U.fmt_seconds(_r.fixed_s)} (the runtime's dispatch of one call and its kernels). "
            f"Twice the TOPS would halve only O/R: {U.fmt_seconds(_r.total_s)} becomes "
            f"{U.fmt_seconds(_faster_s)}. A small CNN does few operations per byte it moves, and each "
            "call pays a fixed dispatch cost, so TOPS set the smallest term."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return (partB_result,)


@app.cell
def _():
    partB_model = mo.ui.dropdown({P.get_workload(m).name: m for m in PART_B_MODELS},
                                 value=P.get_workload(PART_B["model"]).name, label="Model")
    partB_precision = mo.ui.dropdown(["fp32", "fp16", "int8"], value=PART_B["precision"], label="Precision")
    return partB_model, partB_precision


@app.cell
def _(partB_model, partB_precision):
    partB_runs = tier_terms(model=partB_model.value, precision=partB_precision.value)
    return (partB_runs,)


@app.cell
def _(partB_model, partB_precision, partB_result, partB_runs):
    mo.stop(partB_result is None, ui.locked("the per-tier breakdown"))
    _ok = [t for t, r in partB_runs.items() if not isinstance(r, str) and r.fits]
    _name = P.get_workload(partB_model.value).name
    _notes = []
    for _t, _r in partB_runs.items():
        if isinstance(_r, str):
            _notes.append(ui.banner("warn", f"No {partB_precision.value} rate on the {ui.tier_name(_t)} tier",
                                    f"{_r}: choose another precision to see this tier."))
        elif not _r.fits:
            _notes.append(ui.failure_banner(
                "OOM", what=f"{_name} needs {U.fmt_bytes(_r.memory_bytes)} on the {TIER_DEVICES[_t].name}, "
                            f"{U.fmt_bytes(_r.capacity_bytes, binary=_t == 'tiny')} usable",
                by=U.fmt_ratio(_r.memory_bytes / _r.capacity_bytes),
                fix="a model designed for the tier (the DS-CNN keyword spotter fits a microcontroller)"))
    _items = [mo.hstack([partB_model, partB_precision])]
    if _ok:
        _rows = [device_label(t) for t in _ok]
        _fig = go.Figure()
        for _k in TERMS:
            _mark = [t == PART_B["tier"] and _k == partB_result.choice for t in _ok]
            _v = [getattr(partB_runs[t], TERM_FIELDS[_k]) for t in _ok]
            _fig.add_trace(go.Bar(
                y=_rows, x=_v, name=TERMS[_k], orientation="h", marker_color=charts.COLOR[_k],
                text=[U.fmt_seconds(v) + (" (your prediction)" if m else "") for v, m in zip(_v, _mark)],
                textposition="outside", cliponaxis=False, marker_line_color=charts.COLOR["highlight"],
                marker_line_width=[3 if m else 0 for m in _mark]))
        _fig.update_layout(barmode="group")
        _fig.update_yaxes(autorange="reversed")
        charts.themed(_fig, title=f"{_name}, {partB_precision.value}: the three terms per tier (log scale)",
                      x="seconds", height=140 + 110 * len(_ok))
        charts.log_axes(_fig, xs=[getattr(partB_runs[t], f) for t in _ok for f in TERM_FIELDS.values()], pad=0.3)
        _fig.update_xaxes(range=[_fig.layout.xaxis.range[0], _fig.layout.xaxis.range[1] + 1.0])
        _items.append(_fig)
        _items.append(mo.md("  \n".join(
            f"**{device_label(t)}**: largest term {TERMS[partB_runs[t].dominant]}, "
            f"total {U.fmt_seconds(partB_runs[t].total_s)}" for t in _ok)))
    mo.vstack(_items + _notes)
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    _m, _d = P.get_workload(PART_B["model"]), TIER_DEVICES[PART_B["tier"]]
    _e = P.estimate(_m.id, _d.id, phase="inference", precision=PART_B["precision"])
    ui.math_peek(
        "the three terms on one device",
        [r"T = \frac{D}{BW \cdot \eta_\text{mem}} + \frac{O}{R \cdot \eta_\text{comp}} + t_\text{dispatch}",
         r"\frac{O}{R\,\eta_\text{comp}} < \frac{D}{BW\,\eta_\text{mem}} \iff "
         r"\frac{O}{D} < \frac{R\,\eta_\text{comp}}{BW\,\eta_\text{mem}}"],
        [(f"D: {_m.name}, {PART_B['precision']}", f"{U.fmt_bytes(_e.bytes_moved)} per image",
          "engine: weights + activations"),
         (f"O: {_m.name}", f"{U.fmt_count(_m.flops)}FLOP per image", _m.sources[0]),
         (f"R: {_d.name}", U.fmt_quantity(_d.peak(PART_B["precision"]), "OP/s"), _d.sources[0]),
         (f"BW: {_d.name}", U.fmt_quantity(_d.memory_bw, "bytes/s"), source_of(_d, "bandwidth")),
         ("eta_comp, eta_mem", f"{_e.assumptions['compute_efficiency']:g}, {_e.assumptions['memory_efficiency']:g}",
          f"engine efficiency model, {_e.assumptions['device_class']} class"),
         ("t_dispatch", U.fmt_seconds(_e.overhead_s),
          f"engine efficiency model: per call + {_e.assumptions['kernels_per_call']} kernels x per kernel")],
    )
    return


@app.cell
def _():
    ui.section("Part C: One photo, four placements", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Priya Raman",
        "Product manager, photo app",
        "So where should tagging run for a user holding the phone: the datacentre, the edge box in the store, the "
        "phone itself, or the camera's microcontroller? The photo starts on the phone.",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"Which placement tags a photo taken on the phone fastest, end to end "
        f"({P.get_workload(PART_C['model']).name}, {PART_C['precision']})?",
        PART_C_OPTIONS,
    )
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    _runs = part_c_runs()
    _best = part_c_answer()
    _upload = P.network.transfer_time_s(PHOTO_BYTES, PART_C["uplink"])
    _oom = [TIER_DEVICES[t].name for t, r in _runs.items() if not r.fits]
    _fit_note = (f" A tier also has to hold the model: the {' and the '.join(_oom)} runs out of memory before speed "
                 "is even a question." if _oom else "")
    _desc = "; ".join(f"{ui.tier_name(t)} {U.fmt_seconds(r.total_s)}" if r.fits else f"{ui.tier_name(t)} does not fit"
                      for t, r in _runs.items())
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Iron Law", choice, _best,
        explanation=(
            f"{_desc}. Uploading the photo takes {U.fmt_seconds(_upload)} even to a box {EDGE_DISTANCE_KM} km "
            "away, far longer than computing on it where it already is." + _fit_note
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return (partC_result,)


@app.cell
def _():
    partC_model = mo.ui.dropdown({P.get_workload(m).name: m for m in PART_B_MODELS},
                                 value=P.get_workload(PART_C["model"]).name, label="Model")
    partC_uplink = mo.ui.slider(0.5, 50, step=0.5, value=PART_C["uplink"] / 1e6, label="Phone uplink (MB/s)",
                                show_value=True)
    return partC_model, partC_uplink


@app.cell
def _(partC_model, partC_uplink):
    partC_runs = placements(model=partC_model.value, precision=PART_C["precision"],
                            distance_km=PART_C["distance_km"], uplink=partC_uplink.value * 1e6)
    partC_fastest = fastest_tier(partC_runs)
    return partC_fastest, partC_runs


@app.cell
def _(partC_fastest, partC_model, partC_result, partC_runs, partC_uplink):
    mo.stop(partC_result is None, ui.locked("the four-placement comparison"))
    _name = P.get_workload(partC_model.value).name
    _ok = [t for t, r in partC_runs.items() if r.fits]
    _rows = [device_label(t) + (" (your prediction)" if t == partC_result.choice else "") for t in _ok]
    _fig = go.Figure()
    _series = [(TERMS[k], TERM_FIELDS[k], charts.COLOR[k]) for k in TERMS]
    for _label, _field, _color in _series + [("T end to end", "total_s", charts.COLOR["neutral"])]:
        _v = [getattr(partC_runs[t], _field) for t in _ok]
        _fig.add_trace(go.Bar(y=_rows, x=_v, name=_label, orientation="h", marker_color=_color,
                              text=[U.fmt_seconds(v) for v in _v], textposition="outside", cliponaxis=False))
    _fig.update_layout(barmode="group")
    _fig.update_yaxes(autorange="reversed")
    charts.themed(_fig, title=f"{_name}: one photo from the phone, by placement (log scale)", x="seconds",
                  height=160 + 130 * len(_ok))
    charts.log_axes(_fig, xs=[getattr(partC_runs[t], f) for t in _ok for f in ("data_s", "compute_s", "fixed_s",
                                                                               "total_s")], pad=0.3)
    _fig.update_xaxes(range=[_fig.layout.xaxis.range[0], _fig.layout.xaxis.range[1] + 0.8])
    _oom = [ui.failure_banner(
        "OOM", what=f"{_name} needs {U.fmt_bytes(r.memory_bytes)} on the {TIER_DEVICES[t].name}, "
                    f"{U.fmt_bytes(r.capacity_bytes, binary=t == 'tiny')} usable"
                    + (" (your prediction)" if t == partC_result.choice else ""),
        by=U.fmt_ratio(r.memory_bytes / r.capacity_bytes),
        fix="a model designed for the tier, or a bigger tier") for t, r in partC_runs.items() if not r.fits]
    _best = partC_runs[partC_fastest]
    mo.vstack([
        mo.hstack([partC_model, partC_uplink], wrap=True),
        _fig,
        ui.cards(*[ui.metric_card(device_label(t), U.fmt_seconds(partC_runs[t].total_s),
                                  "fastest" if t == partC_fastest else
                                  f"{U.fmt_ratio(partC_runs[t].total_s / _best.total_s)} the fastest",
                                  "ok" if t == partC_fastest else None) for t in _ok]),
        *_oom,
    ])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "placement",
        [r"T_\text{remote} = t_\text{dispatch} + \frac{\text{payload}}{\text{uplink}} + \frac{2\,d}{v_\text{fiber}}"
         r" + \frac{D}{BW\,\eta_\text{mem}} + \frac{O}{R\,\eta_\text{comp}}",
         r"T_\text{local} = t_\text{dispatch} + \frac{D}{BW\,\eta_\text{mem}} + \frac{O}{R\,\eta_\text{comp}}"
         r"\quad \text{if the model fits}"],
        [(f"{device_label(t)}", f"{U.fmt_quantity(d.memory_bw, 'bytes/s')}, "
          f"{U.fmt_quantity(d.peak(PART_C['precision']), 'OP/s')}, "
          f"{U.fmt_bytes(d.memory_bytes, binary=t == 'tiny')}", d.sources[0]) for t, d in TIER_DEVICES.items()]
        + [("distances", f"cloud {PART_C['distance_km']:,} km, edge {EDGE_DISTANCE_KM} km", "scenario")],
    )
    return


@app.cell
def _():
    ui.section(f"Part D: Place a workload under a {U.fmt_seconds(PART_D['budget_s'])} budget", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Amara Chen",
        "CTO",
        f"We are opening in a second region. We need {P.get_workload(PART_D['model']).name} quality, and a budget "
        f"of {U.fmt_seconds(PART_D['budget_s'])} per photo, uploaded at "
        f"{U.fmt_quantity(PART_D['uplink'], 'bytes/s')}. Up to what distance can our datacentre serve those users "
        "before we need a local deployment?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.numeric_prediction(
        f"Distance from the users at which the cloud path misses {U.fmt_seconds(PART_D['budget_s'])}",
        start=10, stop=PART_D_MAX_KM, step=10, value=PART_D["distance_km"], unit="km")
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_limit_km = part_d_answer()
    _base = placement("cloud", model=PART_D["model"], precision=PART_D["precision"], distance_km=0,
                      uplink=PART_D["uplink"])
    _per_1000 = P.network.round_trip_s(1e6)
    partD_result = lab.commit("partD", partD_prediction, lambda value: G.grade_numeric(
        "partD", "Iron Law", float(value), partD_limit_km, tolerance=PART_D_TOLERANCE, unit="km",
        explanation=(
            f"With the datacentre next door the cloud path already takes {U.fmt_seconds(_base.total_s)}, most of it "
            f"the upload ({U.fmt_seconds(P.network.transfer_time_s(PHOTO_BYTES, PART_D['uplink']))}). The rest of "
            f"the budget buys fiber: every 1,000 km adds {U.fmt_seconds(_per_1000)} of round trip, so the limit is "
            f"about {U.fmt_number(partD_limit_km)} km (within {PART_D_TOLERANCE}x counts as correct)."
        ),
    ))
    ui.prediction(partD_prediction, partD_result, fmt=lambda v: f"{v:,.0f}")
    return partD_limit_km, partD_result


@app.cell
def _():
    _tiers = {device_label(t): t for t in P.TIERS}
    partD_model = mo.ui.dropdown({P.get_workload(m).name: m for m in PART_D_MODELS},
                                 value=P.get_workload(PART_D["model"]).name, label="Model")
    partD_tier = mo.ui.radio(_tiers, value=device_label(PART_D["tier"]), label="Run on", inline=False)
    partD_distance = mo.ui.slider(0, PART_D_MAX_KM, step=100, value=PART_D["distance_km"],
                                  label="Distance to the datacentre (km)", show_value=True)
    partD_uplink = mo.ui.slider(0.5, 50, step=0.5, value=PART_D["uplink"] / 1e6, label="Uplink (MB/s)",
                                show_value=True)
    return partD_distance, partD_model, partD_tier, partD_uplink


@app.cell
def _(partD_distance, partD_model, partD_tier, partD_uplink):
    _kw = dict(model=partD_model.value, precision=PART_D["precision"], uplink=partD_uplink.value * 1e6)
    partD_run = placement(partD_tier.value, distance_km=partD_distance.value, **_kw)
    partD_violations = violations(partD_run, model=partD_model.value, tier=partD_tier.value)
    partD_limit_now = cloud_limit_km(budget_s=PART_D["budget_s"], **_kw)
    return partD_limit_now, partD_run, partD_violations


@app.cell
def _(
    partD_distance,
    partD_limit_now,
    partD_model,
    partD_result,
    partD_run,
    partD_tier,
    partD_uplink,
):
    mo.stop(partD_result is None, ui.locked("the placement planner"))
    _budget = PART_D["budget_s"]
    _name, _tier = P.get_workload(partD_model.value).name, partD_tier.value
    _kw = dict(model=partD_model.value, precision=PART_D["precision"], uplink=partD_uplink.value * 1e6)
    _km = [PART_D_MAX_KM * i / 40 for i in range(41)]
    _cloud = [placement("cloud", distance_km=k, **_kw).total_s * 1e3 for k in _km]
    _fig = go.Figure(go.Scatter(x=_km, y=_cloud, mode="lines", name=f"cloud path ({TIER_DEVICES['cloud'].name})",
                                line=dict(color=charts.COLOR["series"], width=3)))
    if _tier != "cloud" and partD_run.fits:
        _fig.add_trace(go.Scatter(x=[0, PART_D_MAX_KM], y=[partD_run.total_s * 1e3] * 2, mode="lines",
                                  name=f"{device_label(_tier)}: {U.fmt_seconds(partD_run.total_s)}",
                                  line=dict(color=charts.COLOR["alternative"], width=3)))
    elif _tier == "cloud":
        _fig.add_trace(go.Scatter(x=[partD_distance.value], y=[partD_run.total_s * 1e3], mode="markers",
                                  name=f"your setting: {U.fmt_seconds(partD_run.total_s)}",
                                  marker=dict(color=charts.COLOR["series"], size=12, symbol="diamond")))
    charts.themed(_fig, title=f"{_name}: end-to-end time against distance to the datacentre",
                  x="distance to the datacentre (km)", y="milliseconds", height=420)
    _fig.update_yaxes(rangemode="tozero")
    charts.reference_line(_fig, _budget * 1e3, f"budget {U.fmt_seconds(_budget)}", color=charts.COLOR["neutral"],
                          dash="dot")
    charts.reference_line(_fig, partD_result.predicted, f"your prediction: {U.fmt_number(partD_result.predicted)} km",
                          axis="x")
    if 0 < partD_limit_now < PART_D_MAX_KM:
        _fig.add_trace(go.Scatter(x=[partD_limit_now], y=[_budget * 1e3], mode="markers+text",
                                  name=f"limit: {U.fmt_number(partD_limit_now)} km",
                                  text=[f"limit: {U.fmt_number(partD_limit_now)} km"], textposition="bottom right",
                                  marker=dict(color=charts.COLOR["series"], size=12, symbol="x")))
    if not partD_run.fits:
        _status = ui.failure_banner(
            "OOM", what=f"{_name} needs {U.fmt_bytes(partD_run.memory_bytes)}, the {TIER_DEVICES[_tier].name} has "
                        f"{U.fmt_bytes(partD_run.capacity_bytes, binary=_tier == 'tiny')} usable",
            by=U.fmt_ratio(partD_run.memory_bytes / partD_run.capacity_bytes),
            fix="choose a smaller model or a bigger tier")
    elif partD_run.total_s > _budget:
        _status = ui.failure_banner(
            "SLA", what=f"{U.fmt_seconds(partD_run.total_s)} per photo on the {device_label(_tier)}",
            by=U.fmt_seconds(partD_run.total_s - _budget),
            fix="serve closer to users, raise the uplink, or run locally")
    else:
        _status = ui.banner("ok", "Within budget", f"{U.fmt_seconds(partD_run.total_s)} of "
                            f"{U.fmt_seconds(_budget)} on the {device_label(_tier)}; "
                            f"{U.fmt_seconds(_budget - partD_run.total_s)} to spare")
    _limit_text = (f"the cloud path meets the budget up to {U.fmt_number(partD_limit_now)} km"
                   if partD_limit_now > 0 else "the cloud path misses the budget even next door")
    mo.vstack([
        mo.hstack([partD_model, partD_tier], wrap=True),
        mo.hstack([partD_distance, partD_uplink], wrap=True),
        _fig,
        mo.md(f"With these settings {_limit_text}; you predicted {U.fmt_number(partD_result.predicted)} km."),
        *([ui.slo_bars(ui.slo_bar("end-to-end time", partD_run.total_s * 1e3, _budget * 1e3, unit="ms",
                                  fmt=U.fmt_number))] if partD_run.fits else []),
        _status,
    ])
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result, fmt=U.fmt_number) if partD_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "the distance a budget allows",
        [r"T(d) = T(0) + \frac{2\,d}{v_\text{fiber}} \le B",
         r"d_\text{max} = \frac{(B - T(0))\, v_\text{fiber}}{2}"],
        [("B", U.fmt_seconds(PART_D["budget_s"]), "scenario"),
         ("v_fiber", f"{U.fmt_number(P.network.FIBER_SPEED / 1e3)} km/s",
          f"c / {P.network.FIBER_GROUP_INDEX}, Corning SMF-28 group index"),
         ("payload, uplink", f"{U.fmt_bytes(PHOTO_BYTES)}, {U.fmt_quantity(PART_D['uplink'], 'bytes/s')}",
          "scenario"),
         (P.get_workload(PART_D["model"]).name, f"{U.fmt_params(P.get_workload(PART_D['model']).params)} parameters, "
          f"{U.fmt_count(P.get_workload(PART_D['model']).flops)}FLOP per image",
          P.get_workload(PART_D["model"]).sources[0])],
    )
    return

@app.cell
def _():
    ui.section("Part E: Can a sensor run a year on a coin cell?", 12)
    return


@app.cell
def _():
    _d, _alt = P.get_device(PART_E["device"]), P.get_device(PART_E["alternative"])
    _bat = P.operations.BATTERIES[PART_E["battery"]]
    ui.stakeholder(
        "Lena Okafor",
        "Field ecologist, forest monitoring",
        f"Our acoustic sensors run on the {_d.name} with a {_bat[0]} ({U.fmt_number(_bat[1])} J). Every "
        f"{U.fmt_seconds(PART_E['period_s'])} a sensor wakes, classifies a one-second clip with "
        f"{P.get_workload(PART_E['model']).name}, sends the label ({U.fmt_bytes(PART_E['report_bytes'])}) over "
        f"Bluetooth LE and goes back to sleep. It must run {PART_E['target_days']} days between battery swaps, "
        f"with a result at least every {U.fmt_seconds(PART_E['max_gap_s'])}. Our firmware engineer wants the "
        f"{_alt.name}: it runs the model {U.fmt_ratio(sensor().latency_s / sensor(_alt.id).latency_s)} faster. "
        "Where does the battery's energy actually go?",
    )
    return


@app.cell
def _():
    partE_prediction = ui.choice_prediction(
        f"Over one day on the {P.get_device(PART_E['device']).name}, what draws the most energy from the battery?",
        PART_E_OPTIONS,
    )
    return (partE_prediction,)


@app.cell
def _(lab, partE_prediction):
    _day, _fast = sensor(), sensor(PART_E["alternative"])
    _name, _alt = P.get_device(PART_E["device"]).name, P.get_device(PART_E["alternative"]).name
    partE_result = lab.commit("partE", partE_prediction, lambda choice: G.grade_choice(
        "partE", "Duty cycle", choice, part_e_answer(),
        explanation=(
            f"On the {_name} one inference takes {U.fmt_seconds(_day.latency_s)} and "
            f"{fmt_small(_day.inference_j, 'J')}; {U.fmt_number(_day.wakeups_per_day)} wake-ups a day cost "
            f"{fmt_small(_day.energy_j['inference'], 'J')}. The chip computes only {share(_day.duty, 1)} of the time "
            f"and sleeps the rest, which costs {fmt_small(_day.energy_j['sleep'], 'J')}; "
            f"the radio costs {fmt_small(_day.energy_j['radio'], 'J')}. The {_alt} spends less per inference "
            f"({fmt_small(_fast.inference_j, 'J')}) but sleeps at "
            f"{U.fmt_ratio(P.get_device(PART_E['alternative']).sleep_w / P.get_device(PART_E['device']).sleep_w)} "
            f"the power: its battery lasts {U.fmt_number(battery_days(_fast))} days against "
            f"{U.fmt_number(battery_days(_day))}. A faster chip saves only the energy of the term it shrinks."
        ),
    ))
    ui.prediction(partE_prediction, partE_result)
    return (partE_result,)


@app.cell
def _():
    partE_device = mo.ui.dropdown({P.get_device(d).name: d for d in PART_E_DEVICES},
                                  value=P.get_device(PART_E["device"]).name, label="Chip")
    partE_period = mo.ui.slider(1, 1800, step=1, value=PART_E["period_s"], label="Wake-up period (s)",
                                show_value=True)
    partE_report = mo.ui.slider(0, 1000, step=4, value=PART_E["report_bytes"], label="Report per wake-up (bytes)",
                                show_value=True)
    partE_battery = mo.ui.dropdown({b[0]: k for k, b in P.operations.BATTERIES.items()},
                                   value=P.operations.BATTERIES[PART_E["battery"]][0], label="Battery")
    return partE_battery, partE_device, partE_period, partE_report


@app.cell
def _(partE_battery, partE_device, partE_period, partE_report):
    _kw = dict(period_s=partE_period.value, report_bytes=partE_report.value)
    try:
        partE_day, partE_other = sensor(partE_device.value, **_kw), sensor(other_chip(partE_device.value), **_kw)
    except P.PhysicsError as _e:
        partE_day, partE_other = str(_e), None
    partE_violations = sensor_violations(None if isinstance(partE_day, str) else partE_day,
                                         period_s=partE_period.value, battery=partE_battery.value)
    return partE_day, partE_other, partE_violations


@app.cell
def _(
    partE_battery,
    partE_day,
    partE_device,
    partE_other,
    partE_period,
    partE_report,
    partE_result,
    partE_violations,
):
    mo.stop(partE_result is None, ui.locked("the sensor's energy budget"))
    _controls = mo.vstack([mo.hstack([partE_device, partE_battery], wrap=True),
                           mo.hstack([partE_period, partE_report], wrap=True)])
    if isinstance(partE_day, str):
        _out = mo.vstack([_controls, ui.banner("fail", "No schedule", partE_day)])
    else:
        _target, _bat = PART_E["target_days"], partE_battery.value
        _life, _other_life = battery_days(partE_day, _bat), battery_days(partE_other, _bat)
        _name = P.get_device(partE_device.value).name
        _oname = P.get_device(other_chip(partE_device.value)).name
        _rows = [ENERGY_TERMS[k] + (" (your prediction)" if k == partE_result.choice else "") for k in ENERGY_TERMS]
        _fig = go.Figure()
        for _label, _day, _color in ((_name, partE_day, charts.COLOR["series"]),
                                     (_oname, partE_other, charts.COLOR["alternative"])):
            _v = [_day.energy_j[k] for k in ENERGY_TERMS]
            _fig.add_trace(go.Bar(
                y=_rows, x=_v, name=_label, orientation="h", marker_color=_color,
                text=[fmt_small(v, "J") for v in _v], textposition="outside", cliponaxis=False,
                marker_line_color=charts.COLOR["highlight"],
                marker_line_width=[3 if k == partE_result.choice else 0 for k in ENERGY_TERMS]))
        _fig.update_layout(barmode="group")
        _fig.update_yaxes(autorange="reversed")
        charts.themed(_fig, title="Energy drawn per day, by term (log scale; outlined: your prediction)",
                      x="joules per day")
        _all = [d.energy_j[k] for d in (partE_day, partE_other) for k in ENERGY_TERMS if d.energy_j[k] > 0]
        charts.log_axes(_fig, xs=_all, pad=0.3)
        _fig.update_xaxes(range=[_fig.layout.xaxis.range[0], _fig.layout.xaxis.range[1] + 0.8])
        _status = [ui.failure_banner(
            "BATTERY", what=f"the {P.operations.BATTERIES[_bat][0]} lasts {U.fmt_number(_life)} days on the {_name}",
            by=f"{U.fmt_number(_target - _life)} days",
            fix="wake less often, or pick the chip with the lower sleep power")] if _life < _target else []
        if partE_period.value > PART_E["max_gap_s"]:
            _status.append(ui.failure_banner(
                "GAP", what=f"one result every {U.fmt_seconds(partE_period.value)}",
                by=U.fmt_seconds(partE_period.value - PART_E["max_gap_s"]),
                fix=f"wake at least every {U.fmt_seconds(PART_E['max_gap_s'])}"))
        if not partE_violations:
            _status.append(ui.banner("ok", "Meets both requirements",
                                     f"{U.fmt_number(_life)} days on the battery and a result every "
                                     f"{U.fmt_seconds(partE_period.value)}"))
        _out = mo.vstack([
            _controls,
            _fig,
            ui.cards(
                ui.metric_card("battery life", f"{U.fmt_number(_life)} days", f"{_name}, target {_target} days",
                               "ok" if _life >= _target else "fail"),
                ui.metric_card("largest term", ENERGY_TERMS[partE_day.dominant],
                               f"{share(partE_day.energy_j[partE_day.dominant], partE_day.total_j)} of "
                               f"{fmt_small(partE_day.total_j, 'J')} a day"),
                ui.metric_card("average power", fmt_small(partE_day.average_w, "W"),
                               f"computing {share(partE_day.duty, 1)} of the time"),
                ui.metric_card("energy per inference", fmt_small(partE_day.inference_j, "J"),
                               f"{U.fmt_seconds(partE_day.latency_s)} at "
                               f"{fmt_small(P.get_device(partE_device.value).tdp_w, 'W')}"),
                ui.metric_card(f"{_oname} instead", f"{U.fmt_number(_other_life)} days",
                               f"{fmt_small(partE_other.inference_j, 'J')} per inference"),
            ),
            ui.slo_bars(ui.slo_bar("battery life", _life, _target, unit="days", fmt=U.fmt_number,
                                   higher_is_better=True)),
            *_status,
        ])
    _out
    return


@app.cell
def _(partE_result):
    ui.reveal(partE_result) if partE_result else None
    return


@app.cell
def _():
    _d, _alt = P.get_device(PART_E["device"]), P.get_device(PART_E["alternative"])
    _bat = P.operations.BATTERIES[PART_E["battery"]]
    _N = P.network
    ui.math_peek(
        "a duty-cycled sensor's energy",
        [r"E_\text{inference} = P_\text{active}\, T, \qquad T = \frac{D}{BW\,\eta_\text{mem}} + "
         r"\frac{O}{R\,\eta_\text{comp}} + L",
         r"\bar P = \delta\, P_\text{active} + (1 - \delta)\, P_\text{sleep}, \qquad "
         r"\delta = \frac{T}{t_\text{period}}",
         r"E_\text{radio} = P_\text{TX}\, \frac{\text{payload} + n_\text{packets}\, \text{overhead}}"
         r"{\text{PHY rate}}",
         r"\text{life} = \frac{E_\text{battery}}{E_\text{day}}, \qquad E_\text{day} = \frac{86400\ \text{s}}"
         r"{t_\text{period}} (E_\text{inference} + E_\text{radio}) + P_\text{sleep}\, t_\text{asleep}"],
        [(f"P_active: {d.name}", fmt_small(d.tdp_w, "W"), source_of(d, "power")) for d in (_d, _alt)]
        + [(f"P_sleep: {d.name}", fmt_small(d.sleep_w, "W"), source_of(d, "sleep")) for d in (_d, _alt)]
        + [("P_TX, PHY rate", f"{fmt_small(_N.BLE_TX_W, 'W')}, {U.fmt_quantity(_N.BLE_PHY_BYTES_PER_S, 'bytes/s')}",
            "nRF52840 Product Specification v1.7 (0 dBm TX, 4.8 mA at 3 V); Bluetooth Core Specification 5.3, LE 1M "
            "PHY"),
           ("packet", f"{_N.BLE_PACKET_PAYLOAD_BYTES} payload + {_N.BLE_PACKET_OVERHEAD_BYTES} overhead bytes",
            "Bluetooth Core Specification 5.3, Vol 6 Part B; airtime only, a lower bound; the nRF52840's radio "
            "figure is used for both chips"),
           ("not counted", "microphone, ADC, battery self-discharge", "scope of this model"),
           (f"E_battery: {_bat[0]}", f"{U.fmt_number(_bat[1])} J", _bat[2])],
    )
    return

@app.cell
def _():
    ui.section("Part F: Filter at the source, or send it all?", 10)
    return


@app.cell
def _():
    ui.stakeholder(
        "Lena Okafor",
        "Field ecologist, forest monitoring",
        f"Our researchers ask for the raw audio ({U.fmt_bytes(CLIP_RAW_BYTES)} per clip) so they can re-analyse it; "
        f"the firmware could also send the model's input features ({U.fmt_bytes(CLIP_FEATURE_BYTES)}) or just the "
        f"label ({U.fmt_bytes(PAYLOADS['label'][1])}). The forest gateway's uplink often drops for "
        f"{PART_F['outage_h']} hours; a sensor then keeps what it would have sent in its free RAM "
        f"({U.fmt_bytes(buffer_bytes())} beside the model) and sends it when the link returns. Which of the three "
        "would come back with gaps?",
    )
    return


@app.cell
def _():
    partF_prediction = ui.choice_prediction(
        f"During a {PART_F['outage_h']} h outage, with one clip every {U.fmt_seconds(PART_E['period_s'])}, "
        "which payloads lose results?",
        PART_F_OPTIONS,
    )
    return (partF_prediction,)


@app.cell
def _(lab, partF_prediction):
    _h = PART_F["outage_h"]
    _made = {k: b * _h * 3600 / PART_E["period_s"] for k, (_, b) in PAYLOADS.items()}
    partF_result = lab.commit("partF", partF_prediction, lambda choice: G.grade_choice(
        "partF", "Duty cycle", choice, part_f_answer(),
        explanation=(
            f"In {_h} h the sensor produces {U.fmt_number(_h * 3600 / PART_E['period_s'])} clips: "
            + ", ".join(f"{U.fmt_bytes(_made[k])} of {PAYLOADS[k][0]} (keeps {share(retention(k, _h), 1)})"
                        for k in PAYLOADS)
            + f", against {U.fmt_bytes(buffer_bytes())} of free RAM. Filtering at the source turns an outage from "
            "lost data into late data; shipping raw bytes needs the link, or storage, to be there."
        ),
    ))
    ui.prediction(partF_prediction, partF_result)
    return (partF_result,)


@app.cell
def _():
    _labels = {f"{v[0]} ({U.fmt_bytes(v[1])} each)": k for k, v in PAYLOADS.items()}
    partF_payload = mo.ui.radio(_labels, value=next(t for t, k in _labels.items() if k == PART_F["payload"]),
                                label="The sensor sends", inline=True)
    partF_outage = mo.ui.slider(0, PART_F["max_outage_h"], step=1, value=PART_F["outage_h"],
                                label="Gateway outage (hours)", show_value=True)
    return partF_outage, partF_payload


@app.cell
def _(partF_outage, partF_payload):
    partF_kept = {k: retention(k, partF_outage.value) for k in PAYLOADS}
    partF_violations = part_f_violations(partF_payload.value, partF_outage.value)
    try:
        partF_day = sensor(period_s=PART_E["period_s"], report_bytes=PAYLOADS[partF_payload.value][1])
    except P.PhysicsError as _e:
        partF_day = str(_e)
    return partF_day, partF_kept, partF_violations


@app.cell
def _(partF_day, partF_kept, partF_outage, partF_payload, partF_result, partF_violations):
    mo.stop(partF_result is None, ui.locked("the outage buffer"))
    _h, _sel = partF_outage.value, partF_payload.value
    _predicted = {"none": (), "raw": ("raw",), "raw+features": ("raw", "features"), "all": tuple(PAYLOADS)}
    _mine = _predicted.get(partF_result.choice, ())
    _rows = [PAYLOADS[k][0] + (" (you predicted: loses)" if k in _mine else "") for k in PAYLOADS]
    _v = [100 * partF_kept[k] for k in PAYLOADS]
    _fig = go.Figure(go.Bar(
        y=_rows, x=_v, orientation="h", text=[f"{share(partF_kept[k], 1)} kept" for k in PAYLOADS],
        textposition="outside", cliponaxis=False, showlegend=False,
        marker_color=[charts.COLOR["series"] if k == _sel else charts.COLOR["neutral"] for k in PAYLOADS],
        marker_line_color=charts.COLOR["highlight"], marker_line_width=[3 if k in _mine else 0 for k in PAYLOADS]))
    _fig.update_yaxes(autorange="reversed")
    charts.themed(_fig, title=f"Results kept through a {U.fmt_number(_h)} h outage (outlined: your prediction)",
                  x="percent of the outage's results kept", height=300)
    _fig.update_xaxes(range=[0, 125])
    charts.reference_line(_fig, 100, "everything kept", axis="x", color=charts.COLOR["neutral"], dash="dot")
    _per_day = {k: b * P.operations.SECONDS_PER_DAY / PART_E["period_s"] for k, (_, b) in PAYLOADS.items()}
    _fill = {k: buffer_bytes() / (b / PART_E["period_s"]) for k, (_, b) in PAYLOADS.items()}
    if partF_violations:
        _status = ui.failure_banner(
            "DATA LOSS", what=f"the {PAYLOADS[_sel][0]} of a {U.fmt_number(_h)} h outage need "
                              f"{U.fmt_bytes(PAYLOADS[_sel][1] * _h * 3600 / PART_E['period_s'])}, the buffer holds "
                              f"{U.fmt_bytes(buffer_bytes())}",
            by=f"{share(1 - partF_kept[_sel], 1)} of the results",
            fix="send a smaller payload (filter at the source), or add storage")
    else:
        _status = ui.banner("ok", "Nothing lost", f"the {PAYLOADS[_sel][0]} of a {U.fmt_number(_h)} h outage fit "
                            f"the buffer for up to {U.fmt_seconds(_fill[_sel])}")
    _ok_day = not isinstance(partF_day, str)
    _life = f"{U.fmt_number(battery_days(partF_day))} days" if _ok_day else "no schedule"
    _life_note = (f"sending {PAYLOADS[_sel][0]}; largest term: {ENERGY_TERMS[partF_day.dominant]}" if _ok_day
                  else partF_day)
    mo.vstack([
        mo.hstack([partF_payload, partF_outage], wrap=True),
        _fig,
        ui.cards(*[ui.metric_card(f"{PAYLOADS[k][0]}: per day", U.fmt_bytes(_per_day[k]),
                                  f"buffer full after {U.fmt_seconds(_fill[k])}",
                                  "ok" if partF_kept[k] >= 1 else "fail") for k in PAYLOADS],
                 ui.metric_card("battery life", _life, _life_note)),
        _status,
    ])
    return


@app.cell
def _(partF_result):
    ui.reveal(partF_result) if partF_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "what a buffer keeps",
        [r"\text{produced} = b\, \frac{t_\text{outage}}{t_\text{period}}, \qquad "
         r"\text{kept} = \min\left(1, \frac{B_\text{free}}{\text{produced}}\right)",
         r"B_\text{free} = \text{usable RAM} - (\text{weights} + \text{activations})"],
        [("b: raw clip", U.fmt_bytes(CLIP_RAW_BYTES), "Warden 2018, Speech Commands: one-second 16 kHz 16-bit clips"),
         ("b: MFCC features", U.fmt_bytes(CLIP_FEATURE_BYTES),
          f"{P.get_workload(PART_E['model']).input_desc}, int8: " + P.get_workload(PART_E["model"]).sources[0]),
         ("b: label", U.fmt_bytes(PAYLOADS["label"][1]), "scenario"),
         ("B_free", U.fmt_bytes(buffer_bytes()), f"{P.get_device(PART_E['device']).name}: "
          + source_of(P.get_device(PART_E["device"]), "ram"))],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result, partE_result, partF_result):
    _rtt = P.network.round_trip_s(100e3)
    _far = 3000
    ui.takeaways(
        [
            "Find the largest term before buying anything: a faster chip only shrinks O/R (and D/BW), however big "
            "its peak.",
            "Small models do few operations per byte and pay a fixed dispatch cost per call, so TOPS set the "
            "smallest term on a phone or a GPU; a microcontroller is the tier where compute finally binds.",
            f"Across a network, physics sets a floor: {U.fmt_seconds(_rtt)} of round trip per 100 km of fiber, "
            "plus the time to upload the input.",
            "Local placement trades the network term for a memory cliff: the model must fit the tier.",
            "On a battery, energy is power x time for every state: a sensor that computes a fraction of a percent "
            "of the time spends its battery asleep, so a faster chip helps only if it also sleeps frugally.",
            "Filtering at the source shrinks the bytes a link must carry, so an outage delays results instead of "
            "losing them.",
        ],
        [
            ("Doubling peak OP/s on a dispatch- or bandwidth-bound inference gives what speedup?",
             "Almost none: only O/R shrinks, and it was the smallest term."),
            (f"What is the fiber round trip for {_far:,} km?",
             f"2 x {_far:,} km / {U.fmt_number(P.network.FIBER_SPEED / 1e3)} km/s = "
             f"{U.fmt_seconds(P.network.round_trip_s(_far * 1e3))}, before any upload or processing."),
        ],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result,
                                             partE_result, partF_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Amara has to decide for the new region: serve from the existing datacentre, or deploy "
                     "locally; Lena has to pick the sensor's chip, its wake-up period and what it sends. "
                     "Write them a short memo."),
               memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_result,
    partB_result,
    partC_result,
    partD_distance,
    partD_limit_km,
    partD_model,
    partD_result,
    partD_run,
    partD_tier,
    partD_uplink,
    partD_violations,
    partE_battery,
    partE_day,
    partE_device,
    partE_period,
    partE_result,
    partE_violations,
    partF_outage,
    partF_payload,
    partF_result,
    partF_violations,
):
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result, partE_result, partF_result],
        decisions={"model": partD_model.value, "placement": partD_tier.value, "distance_km": partD_distance.value,
                   "uplink_bytes_per_s": partD_uplink.value * 1e6, "sensor_device": partE_device.value,
                   "sensor_period_s": partE_period.value, "sensor_battery": partE_battery.value,
                   "sensor_payload": partF_payload.value, "outage_h": partF_outage.value},
        outcomes={"cloud_dominant_term": part_a_answer(), "phone_dominant_term": part_b_answer(),
                  "fastest_tier": part_c_answer(), "cloud_limit_km": partD_limit_km,
                  "total_s": partD_run.total_s, "sensor_dominant_energy": part_e_answer(),
                  "outage_lossy_payloads": part_f_answer(),
                  **({} if isinstance(partE_day, str) else
                     {"sensor_battery_days": battery_days(partE_day, partE_battery.value)})},
        constraints=((partD_violations if partD_result else []) + (partE_violations if partE_result else [])
                     + (partF_violations if partF_result else [])),
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
