import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import build_record, charts, G, get_lab, home_context, Ledger, P, save_if_changed, U, ui
    from mlsyslabs.physics import pipeline as PL

    LAB = get_lab("v1.04")
    ledger = Ledger.open()
    GPUS = 8
    DEMAND = PL.accelerator_demand("resnet50", "h100-sxm", batch=256, n_devices=GPUS)
    BASE = {"workers": 32, "fmt": "jpeg", "storage_bw": 2e9}
    return BASE, DEMAND, G, GPUS, LAB, P, PL, U, build_record, charts, go, home_context, ledger, mo, save_if_changed, ui


@app.cell
def _(LAB, ledger, ui):
    ui.header(LAB, subtitle="A pipeline runs at its slowest stage. Is your accelerator computing, or waiting?",
              parts=["A: starved GPUs", "B: find the bottleneck", "C: sensor streams", "D: feed 8 GPUs"],
              notice=ledger.notice)
    return


@app.cell
def _(ui):
    ui.section("Part A: How busy are the GPUs?", 12)
    return


@app.cell
def _(BASE, DEMAND, GPUS, ui):
    ui.stakeholder(
        "Hiro Tanaka", "ML infrastructure lead",
        f"We moved ResNet-50 training to {GPUS} H100s. The loader uses {BASE['workers']} CPU workers decoding "
        f"JPEGs from the shared file system at {BASE['storage_bw'] / 1e9:.0f} GB/s. The GPUs together can train on "
        f"about {DEMAND:,.0f} images/s. The dashboard shows the run is slow. How busy are the GPUs?",
    )
    return


@app.cell
def _(ui):
    partA_prediction = ui.numeric_prediction("GPU utilization", start=1, stop=100, step=1, value=70, unit="%")
    partA_prediction
    return (partA_prediction,)


@app.cell
def _(BASE, DEMAND, G, PL, partA_prediction):
    partA_pipe = PL.pipeline(PL.imagenet_stages(**BASE), demand_samples_per_s=DEMAND)
    partA_result = None
    if partA_prediction.value is not None:
        partA_result = G.grade_numeric(
            "partA", "Iron Law", float(partA_prediction.value), partA_pipe.utilization * 100, tolerance=1.5, unit="%",
            explanation=(f"The slowest stage, {partA_pipe.bottleneck}, delivers {partA_pipe.supply_samples_per_s:,.0f} "
                         f"images/s against a demand of {DEMAND:,.0f}: the GPUs wait "
                         f"{partA_pipe.idle_fraction:.0%} of the time. Faster GPUs would idle more, not train faster."),
        )
    return partA_pipe, partA_result


@app.cell
def _(DEMAND, U, charts, go, mo, partA_pipe, partA_prediction, ui):
    mo.stop(partA_prediction.value is None, ui.locked("the pipeline view"))
    _fig = go.Figure(go.Bar(x=[s.name for s in partA_pipe.stages], y=[s.samples_per_s for s in partA_pipe.stages],
                            text=[f"{s.samples_per_s:,.0f}/s" for s in partA_pipe.stages], textposition="outside",
                            marker_color=[charts.COLOR["highlight"] if s.name == partA_pipe.bottleneck else charts.COLOR["series"]
                                          for s in partA_pipe.stages]))
    _fig.add_hline(y=DEMAND, line_dash="dash", annotation_text="GPU demand")
    _fig.add_hline(y=DEMAND * partA_prediction.value / 100, line_dash="dot", line_color=charts.COLOR["highlight"],
                   annotation_text=f"supply your {partA_prediction.value:.0f}% prediction implies")
    _fig.update_yaxes(type="log")
    charts.themed(_fig, title="Stage throughput vs what 8 GPUs consume", y="images/s (log)")
    mo.vstack([_fig, ui.cards(ui.metric_card("GPU utilization", f"{partA_pipe.utilization:.1%}", "busy fraction",
                                             "fail" if partA_pipe.utilization < 0.5 else "ok"),
                              ui.metric_card("bottleneck", partA_pipe.bottleneck),
                              ui.metric_card("one epoch", U.fmt_seconds(1_281_167 / partA_pipe.supply_samples_per_s)))])
    return


@app.cell
def _(partA_result, ui):
    ui.reveal(partA_result, fmt=lambda v: f"{v:,.1f}") if partA_result else None
    return


@app.cell
def _(PL, ui):
    ui.math_peek(
        "a pipeline's throughput",
        "supply = min(storage_bw / sample_bytes, workers x rate_per_worker, link_bw / tensor_bytes)\n"
        "utilization = min(1, supply / demand);  demand = GPUs x peak x MFU / (3 x 2 x MACs per image)",
        [("ImageNet train", f"{PL.IMAGENET_TRAIN_IMAGES:,} images, {PL.IMAGENET_TRAIN_BYTES / 1e9:.0f} GB",
          "Russakovsky et al. 2015; ILSVRC-2012 archive size"),
         ("decode + augment", f"{PL.JPEG_DECODE_PER_WORKER:.0f} images/s per worker", "estimate (PIL-SIMD, ~110 kB JPEGs)"),
         ("ResNet-50", "4.09 GMACs", "torchvision model table"),
         ("H100 host link", "64 GB/s per direction", "PCIe Gen5 x16")],
    )
    return


@app.cell
def _(ui):
    ui.section("Part B: Find the bottleneck", 12)
    return


@app.cell
def _(ui):
    ui.stakeholder("Hiro Tanaka", "ML infrastructure lead",
                   "Procurement can double our CPU workers from 32 to 64. Is that the fix?")
    return


@app.cell
def _(ui):
    partB_prediction = ui.choice_prediction(
        "Doubling CPU workers from 32 to 64 (JPEG) changes GPU utilization by:",
        {"About 2x": "double", "Barely: another stage takes over": "barely", "To 100%": "full"},
    )
    partB_prediction
    return (partB_prediction,)


@app.cell
def _(BASE, DEMAND, G, PL, partB_prediction):
    _a = PL.pipeline(PL.imagenet_stages(**BASE), demand_samples_per_s=DEMAND)
    _b = PL.pipeline(PL.imagenet_stages(**dict(BASE, workers=64)), demand_samples_per_s=DEMAND)
    _gain = _b.utilization / _a.utilization
    partB_answer = "full" if _b.utilization >= 0.999 else ("double" if _gain > 1.7 else "barely")
    partB_result = None
    if partB_prediction.value is not None:
        partB_result = G.grade_choice(
            "partB", "Iron Law", partB_prediction.value, partB_answer,
            option_values={"double": 2.0, "barely": 1.05, "full": 1 / _a.utilization}, actual=_gain, unit="x",
            explanation=(f"Utilization goes from {_a.utilization:.1%} to {_b.utilization:.1%} ({_gain:.2f}x): the "
                         f"bottleneck moves to '{_b.bottleneck}'. Each fix helps only until the next-slowest stage binds."),
        )
    return partB_answer, partB_result


@app.cell
def _(PL, mo):
    partB_workers = mo.ui.slider(1, 256, value=32, label="CPU workers", show_value=True)
    partB_format = mo.ui.radio({"JPEG files": "jpeg", "Pre-decoded uint8 arrays": "raw"}, value="JPEG files",
                               label="Storage format", inline=True)
    partB_storage = mo.ui.dropdown({"Shared file system (2 GB/s)": 2e9, "Local NVMe (7.45 GB/s)": PL.NVME_READ_BW},
                                   value="Shared file system (2 GB/s)", label="Storage")
    partB_cache = mo.ui.slider(0, 100, value=0, label="Reads served from RAM cache (%)", show_value=True)
    return partB_cache, partB_format, partB_storage, partB_workers


@app.cell
def _(DEMAND, PL, charts, go, mo, partB_cache, partB_format, partB_prediction, partB_storage, partB_workers, ui):
    mo.stop(partB_prediction.value is None, ui.locked("the bottleneck finder"))
    _p = PL.pipeline(PL.imagenet_stages(workers=partB_workers.value, fmt=partB_format.value,
                                        storage_bw=partB_storage.value, cache_hit=partB_cache.value / 100),
                     demand_samples_per_s=DEMAND)
    _fig = go.Figure(go.Bar(x=[s.name for s in _p.stages], y=[s.samples_per_s for s in _p.stages],
                            text=[s.detail for s in _p.stages], textposition="outside",
                            marker_color=[charts.COLOR["highlight"] if s.name == _p.bottleneck else charts.COLOR["series"] for s in _p.stages]))
    _fig.add_hline(y=DEMAND, line_dash="dash", annotation_text="GPU demand")
    _fig.update_yaxes(type="log")
    charts.themed(_fig, title=f"Bottleneck: {_p.bottleneck}; GPU utilization {_p.utilization:.1%}", y="images/s (log)")
    mo.vstack([mo.hstack([partB_workers, partB_cache], wrap=True), mo.hstack([partB_format, partB_storage], wrap=True),
               _fig])
    return


@app.cell
def _(partB_result, ui):
    ui.reveal(partB_result, fmt=lambda v: f"{v:,.2f}") if partB_result else None
    return


@app.cell
def _(ui):
    ui.section("Part C: Sensor streams on small devices", 10)
    return


@app.cell
def _(ui):
    ui.stakeholder("Sofia Marques", "Firmware lead",
                   "The doorbell's microcontroller should keep the last second of 96x96 colour video at 10 fps, "
                   "so the wake-word model can look back when it fires. 256 KB of SRAM is plenty for tiny frames.")
    return


@app.cell
def _(ui):
    partC_prediction = ui.choice_prediction(
        "One second of 96x96 RGB frames at 10 fps in the nRF52840's SRAM:",
        {"Fits easily": "fits", "Does not fit": "oom"},
    )
    partC_prediction
    return (partC_prediction,)


@app.cell
def _(G, P, PL, U, partC_prediction):
    _dev = P.get_device(P.TIER_REFERENCE["tiny"])
    _need = PL.sensor_stream(10, 96 * 96 * 3) * 1.0
    _usable = _dev.memory_bytes * P.DEFAULT_MEMORY_FRACTION
    partC_result = None
    if partC_prediction.value is not None:
        partC_result = G.grade_choice(
            "partC", "Memory Wall", partC_prediction.value, "fits" if _need <= _usable else "oom",
            actual=_need / _usable * 100, unit="% of usable SRAM",
            explanation=(f"10 frames x 96 x 96 x 3 bytes = {U.fmt_bytes(_need)} against "
                         f"{U.fmt_bytes(_usable, binary=True)} of usable SRAM, before the model's own weights and "
                         "activations. Audio is tiny by comparison: 1 s at 16 kHz x 16 bit is 32 kB."),
        )
    return (partC_result,)


@app.cell
def _(home_context, ledger, mo):
    partC_sensor = mo.ui.dropdown({"Microphone 16 kHz, 16-bit": "mic", "Accelerometer 3-axis 100 Hz, 16-bit": "imu",
                                   "Camera 96x96 RGB": "camera"}, value="Camera 96x96 RGB", label="Sensor")
    partC_fps = mo.ui.slider(1, 30, value=10, label="Camera frames per second", show_value=True)
    partC_seconds = mo.ui.slider(0.1, 5.0, step=0.1, value=1.0, label="Seconds buffered", show_value=True)
    partC_tier = mo.ui.radio({"Edge": "edge", "Mobile": "mobile", "TinyML": "tiny"},
                             value={"edge": "Edge", "mobile": "Mobile"}.get(home_context(ledger), "TinyML"),
                             label="Device", inline=True)
    return partC_fps, partC_seconds, partC_sensor, partC_tier


@app.cell
def _(P, PL, partC_fps, partC_seconds, partC_sensor, partC_tier):
    _rate = {"mic": PL.sensor_stream(16000, 2), "imu": PL.sensor_stream(100, 2, channels=3),
             "camera": PL.sensor_stream(partC_fps.value, 96 * 96 * 3)}[partC_sensor.value]
    _dev = P.get_device(P.TIER_REFERENCE[partC_tier.value])
    partC_stream = {"rate": _rate, "buffer": _rate * partC_seconds.value,
                    "usable": _dev.memory_bytes * P.DEFAULT_MEMORY_FRACTION, "bw": _dev.memory_bw}
    partC_oom = partC_stream["buffer"] > partC_stream["usable"]
    return partC_oom, partC_stream


@app.cell
def _(U, mo, partC_fps, partC_oom, partC_prediction, partC_seconds, partC_sensor, partC_stream, partC_tier, ui):
    mo.stop(partC_prediction.value is None, ui.locked("the sensor planner"))
    _binary = partC_tier.value == "tiny"
    _f = lambda b: U.fmt_bytes(b, binary=_binary)  # noqa: E731
    mo.vstack([
        mo.hstack([partC_sensor, partC_tier], wrap=True), mo.hstack([partC_fps, partC_seconds], wrap=True),
        ui.cards(ui.metric_card("stream", f"{U.fmt_bytes(partC_stream['rate'])}/s",
                                f"{partC_stream['rate'] / partC_stream['bw']:.2e} of memory bandwidth"),
                 ui.metric_card("buffer", _f(partC_stream["buffer"]), f"usable {_f(partC_stream['usable'])}",
                                "fail" if partC_oom else "ok")),
        ui.failure_banner("OOM", what=f"the {partC_seconds.value:.1f} s buffer needs {_f(partC_stream['buffer'])}",
                          by=_f(partC_stream["buffer"] - partC_stream["usable"]),
                          fix="buffer fewer seconds, lower the frame rate, or keep features instead of raw frames")
        if partC_oom else ui.banner("ok", "Fits", f"{partC_stream['buffer'] / partC_stream['usable']:.1%} of usable memory"),
    ])
    return


@app.cell
def _(partC_result, ui):
    ui.reveal(partC_result, fmt=lambda v: f"{v:,.0f}") if partC_result else None
    return


@app.cell
def _(ui):
    ui.section("Part D: Feed eight GPUs", 12)
    return


@app.cell
def _(ui):
    ui.stakeholder("Amara Chen", "CTO",
                   "I want the GPUs at least half busy. If we cache the whole JPEG dataset in RAM, what is the "
                   "smallest number of CPU workers that gets us there? And does the cache even fit?")
    return


@app.cell
def _(ui):
    partD_prediction = ui.numeric_prediction("CPU workers for 50% GPU utilization (JPEG, cached)", start=8, stop=1024, step=8,
                                             value=64, unit="workers")
    partD_prediction
    return (partD_prediction,)


@app.cell
def _(BASE, DEMAND, G, PL, partD_prediction):
    _rate = PL.imagenet_stages(**dict(BASE, workers=1))[1].samples_per_s
    partD_workers_needed = PL.min_workers_for(0.5, DEMAND, cache_hit=1.0)
    _uncached = PL.pipeline(PL.imagenet_stages(**dict(BASE, workers=4096)), demand_samples_per_s=DEMAND)
    partD_result = None
    if partD_prediction.value is not None:
        partD_result = G.grade_numeric(
            "partD", "Iron Law", float(partD_prediction.value), float(partD_workers_needed), tolerance=1.5,
            unit="workers",
            explanation=(f"Half of {DEMAND:,.0f} images/s at {_rate:,.0f} images/s per worker needs "
                         f"{partD_workers_needed} workers once RAM serves the reads. Without the cache no worker "
                         f"count helps: the file system caps the GPUs at {_uncached.utilization:.1%}. The JPEG "
                         "dataset (138 GB) fits easily in 2 TB; pre-decoded arrays (193 GB) do too."),
        )
    return partD_result, partD_workers_needed


@app.cell
def _(mo):
    partD_workers = mo.ui.slider(8, 1024, step=8, value=64, label="CPU workers", show_value=True)
    partD_format = mo.ui.radio({"JPEG": "jpeg", "Pre-decoded": "raw"}, value="JPEG", label="Format", inline=True)
    partD_cache_gb = mo.ui.slider(0, 4000, step=50, value=0, label="RAM cache (GB)", show_value=True)
    return partD_cache_gb, partD_format, partD_workers


@app.cell
def _(DEMAND, P, PL, partD_cache_gb, partD_format, partD_workers):
    _ds = PL.dataset_bytes(partD_format.value)
    _hit = min(1.0, partD_cache_gb.value * 1e9 / _ds)
    partD_pipe = PL.pipeline(PL.imagenet_stages(workers=partD_workers.value, fmt=partD_format.value, cache_hit=_hit),
                             demand_samples_per_s=DEMAND)
    partD_ram_usable = PL.DGX_H100_HOST_RAM * P.DEFAULT_MEMORY_FRACTION
    partD_violations = (["GPU idle > 50%"] if partD_pipe.idle_fraction > 0.5 else []) + (
        ["host RAM OOM"] if partD_cache_gb.value * 1e9 > partD_ram_usable else [])
    return partD_pipe, partD_ram_usable, partD_violations


@app.cell
def _(U, mo, partD_cache_gb, partD_format, partD_pipe, partD_prediction, partD_ram_usable, partD_workers, ui):
    mo.stop(partD_prediction.value is None, ui.locked("the feeding plan"))
    _banners = []
    if partD_pipe.idle_fraction > 0.5:
        _banners.append(ui.failure_banner("GPU starvation", what=f"GPUs idle {partD_pipe.idle_fraction:.0%} of the time",
                                          by=f"{(partD_pipe.idle_fraction - 0.5) * 100:.0f} points over the 50% limit",
                                          fix=f"speed up '{partD_pipe.bottleneck}'"))
    if partD_cache_gb.value * 1e9 > partD_ram_usable:
        _banners.append(ui.failure_banner("Host RAM OOM", what=f"a {partD_cache_gb.value:,} GB cache",
                                          by=U.fmt_bytes(partD_cache_gb.value * 1e9 - partD_ram_usable),
                                          fix="cache less, or cache the compact JPEG format"))
    if not _banners:
        _banners.append(ui.banner("ok", "Fed", f"GPUs busy {partD_pipe.utilization:.0%}; bottleneck: {partD_pipe.bottleneck}"))
    mo.vstack([mo.hstack([partD_workers, partD_cache_gb], wrap=True), partD_format,
               ui.slo_bars(ui.slo_bar("GPU idle time", partD_pipe.idle_fraction * 100, 50, unit="%"),
                           ui.slo_bar("host RAM for cache", partD_cache_gb.value, partD_ram_usable / 1e9, unit="GB")),
               *_banners])
    return


@app.cell
def _(partD_result, ui):
    ui.reveal(partD_result, fmt=lambda v: f"{v:,.0f}") if partD_result else None
    return


@app.cell
def _(ui):
    ui.takeaways(
        ["Throughput is the minimum over stages; the accelerator is only one of them.",
         "Fixing one stage moves the bottleneck: re-measure after every change.",
         "Formats trade CPU for bytes: pre-decoded data needs ~1.4x the storage bandwidth and RAM of JPEGs.",
         "On microcontrollers raw sensor buffers, not models, are often what overflows SRAM."],
        [("Why can faster GPUs make a starved run no faster?", "The supply is set by the slowest input stage."),
         ("How much SRAM does 1 s of 16 kHz 16-bit audio need?", "32 kB: it fits; video frames do not.")],
    )
    return


@app.cell
def _(
    LAB,
    build_record,
    home_context,
    ledger,
    partA_pipe,
    partA_result,
    partB_answer,
    partB_result,
    partC_oom,
    partC_result,
    partD_cache_gb,
    partD_format,
    partD_pipe,
    partD_result,
    partD_violations,
    partD_workers,
    partD_workers_needed,
    save_if_changed,
):
    lab_record = build_record(
        context=home_context(ledger), results=[partA_result, partB_result, partC_result, partD_result], expected=4,
        decisions={"workers": partD_workers.value, "format": partD_format.value, "cache_gb": partD_cache_gb.value},
        outcomes={"baseline_utilization": partA_pipe.utilization, "doubling_workers": partB_answer,
                  "workers_for_half": partD_workers_needed, "utilization": partD_pipe.utilization},
        constraints=(partD_violations if partD_result else []) + (["sensor buffer OOM"] if partC_oom and partC_result else []),
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
