import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_04.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import efficiency as EFF

    PL = P.pipeline
    LAB = get_lab("v1.04")
    # Parts A, B and D: one training server, ResNet-50 on eight GPUs, engine defaults for
    # the sustained efficiency of its device class (no lab-specific constants).
    RUN = dict(model="resnet50", device="h100-sxm", batch=256, n_devices=8, precision="bf16")
    GPU = P.get_device(RUN["device"])
    MODEL = P.get_workload(RUN["model"])
    SHARED_FS_BW = 2e9  # the stakeholder's shared file system, bytes/s (scenario figure)
    STORAGE = {"shared": SHARED_FS_BW, "nvme": PL.NVME_READ_BW}
    FORMATS = {"jpeg": "JPEG files", "raw": "Pre-decoded uint8 arrays"}
    # Part A: the loader as deployed.
    PART_A = dict(workers=32, fmt="jpeg", storage="shared", cache_percent=0)
    # Part B: procurement's proposal, twice the CPU workers; everything else unchanged.
    PART_B = dict(PART_A, workers=2 * PART_A["workers"])
    # Which part of the pipeline binds: the three loader stages or the GPUs themselves.
    ROLES = ("storage", "cpu", "link", "gpu")
    PART_B_OPTIONS = {
        "Storage reads from the shared file system": "storage",
        "The CPU workers decoding and augmenting": "cpu",
        "The host-to-GPU copy over the host link": "link",
        "None of them: the GPUs are fully fed": "gpu",
    }
    # Part C: the doorbell keeps the last second of camera frames in the MCU's SRAM.
    CAMERA = dict(width=96, height=96, channels=3)  # 8-bit RGB frames
    SENSORS = {
        "camera": dict(name=f"Camera {CAMERA['width']}x{CAMERA['height']} RGB, 8-bit", rate_hz=None,
                       bytes_per_sample=CAMERA["width"] * CAMERA["height"] * CAMERA["channels"], channels=1,
                       noun=f"{CAMERA['width']}x{CAMERA['height']} RGB camera frames"),
        "mic": dict(name="Microphone 16 kHz, 16-bit", rate_hz=16_000, bytes_per_sample=2, channels=1,
                    noun="16 kHz 16-bit microphone audio"),
        "imu": dict(name="Accelerometer 3-axis 100 Hz, 16-bit", rate_hz=100, bytes_per_sample=2, channels=3,
                    noun="100 Hz 3-axis accelerometer samples"),
    }
    PART_C = dict(sensor="camera", fps=10, seconds=1.0, tier="tiny")
    # Part C options: the buffer as a share of usable SRAM, log-spaced alike.
    PART_C_OPTIONS = {"about 10%": 0.10, "about 35%": 0.35, "about 120%": 1.2, "about 400%": 4.0}
    PART_C_TIERS = ("tiny", "mobile", "edge")
    # Part D: the CTO's floor on GPU utilization, with the whole JPEG dataset cached in RAM.
    PART_D = dict(target=0.5, fmt="jpeg", storage="shared")
    WORKERS_MAX = 512  # the worker sliders' upper end
    # Part E: the ranking model reads each shopper's "purchases in the last 30 days" feature on every
    # request (scenario figures: the shop's size, its purchase rate, the team's measured freshness SLA).
    HOUR = 3600.0
    PART_E = dict(entities=20_000_000, events_per_s=2_000.0, feature_bytes=64.0, sla_s=16 * HOUR,
                  batch_latency_s=2 * HOUR, stream_latency_s=60.0, local_latency_s=0.05, local_share=0.6)
    # The refresh plans on the table: (policy, period in hours; None for a stream).
    PART_E_PLANS = {"nightly": ("batch", 24), "6h": ("batch", 6), "1h": ("batch", 1), "stream": ("stream", None)}
    PART_E_SHORT = {"nightly": "nightly batch", "6h": "batch every 6 h", "1h": "batch every hour",
                    "stream": "streaming"}
    PART_E_OPTIONS = {"A nightly batch job (every 24 hours)": "nightly", "A batch job every 6 hours": "6h",
                      "A batch job every hour": "1h", "Streaming: update the row on every purchase": "stream"}
    PART_E_START = dict(policy="batch", period_h=24, latency_h=PART_E["batch_latency_s"] / HOUR)  # in production
    FRESHNESS_POLICIES = {"Batch job": "batch", "Streaming": "stream", "Computed on the phone": "local"}
    FRESHNESS_VIOLATION = "feature staler than its SLA"
    # Part F: a cold-chain supplier's probe temperatures (degrees Celsius) and spoilage labels. Each producer
    # change arrives in its own batch of n records (scenario figures). The schema is the probe's rated range;
    # the semantic contract adds the field's unit and label meaning, checked as last month's distribution.
    PART_F = dict(n=10_000, temp_lo=-40.0, temp_hi=125.0, temp_mean=4.0, temp_std=2.0, spread_std=4,
                  label_rate=0.02, new_label_rate=0.10, null_share=0.01, sentinel=999.0, sentinel_share=0.005,
                  z_max=4.0, level="schema", fahrenheit_share=100.0)
    PART_F_CHANGES = {
        "nulls": "probes that lose contact send empty readings",
        "sentinel": f"a failing probe reports {PART_F['sentinel']:.0f} instead of a temperature",
        "fahrenheit": "a firmware update reports degrees Fahrenheit",
        "label": "'spoiled' now also marks late deliveries",
    }
    PART_F_SHORT = {"nulls": "null readings", "sentinel": f"the {PART_F['sentinel']:.0f} sentinel",
                     "fahrenheit": "the Fahrenheit firmware", "label": "the new label meaning"}
    PART_F_OPTIONS = {f"{k} of {len(PART_F_CHANGES)}": str(k) for k in range(len(PART_F_CHANGES) + 1)}
    CONTRACT_LEVELS = {"No contract": "none", "Schema (types, ranges, nulls)": "schema",
                       "Semantic (schema + units and label meaning)": "semantic"}
    CONTRACT_VIOLATION = "producer change escaped the data contract"


@app.function
def pct(fraction: float, digits: int = 2) -> str:
    """A fraction as a percentage with `digits` significant figures: 0.2026 -> '20%'."""
    return f"{U.fmt_number(100 * fraction, digits)}%"


@app.function
def rate(samples_per_s: float, unit: str = "images/s") -> str:
    """A rate with three significant figures: '12,800 images/s'."""
    return f"{U.fmt_number(samples_per_s)} {unit}"


@app.function
def training_estimate():
    """One GPU's training step at the engine's default efficiency for its class."""
    return P.estimate(RUN["model"], RUN["device"], phase="training", batch=RUN["batch"], seq_len=1,
                      precision=RUN["precision"])


@app.function
def demand() -> float:
    """Images/s the eight GPUs consume when fed."""
    return PL.accelerator_demand(RUN["model"], RUN["device"], batch=RUN["batch"], n_devices=RUN["n_devices"],
                                 precision=RUN["precision"])


@app.function
def loader(workers: int, fmt: str, storage: str, cache_percent: float):
    """The input pipeline feeding the GPUs: storage -> CPU decode/augment -> host link."""
    stages = PL.imagenet_stages(workers=int(workers), fmt=fmt, storage_bw=STORAGE[storage],
                                cache_hit=cache_percent / 100, host_link_bw=GPU.host_bw)
    return PL.pipeline(stages, demand_samples_per_s=demand())


@app.function
def bottleneck_role(pipe) -> str:
    """Which of ROLES binds: a loader stage, or the GPUs when the loader keeps up."""
    if pipe.bottleneck == "accelerator":
        return "gpu"
    return ROLES[[s.name for s in pipe.stages].index(pipe.bottleneck)]


@app.function
def part_a_utilization() -> float:
    return loader(**PART_A).utilization


@app.function
def part_b_role() -> str:
    return bottleneck_role(loader(**PART_B))


@app.function
def sensor_plan(sensor: str, fps: float, seconds: float, tier: str) -> dict:
    """A sensor's stream and buffer against a tier's reference device."""
    s = SENSORS[sensor]
    stream = PL.sensor_stream(s["rate_hz"] or fps, s["bytes_per_sample"], s["channels"])
    dev = P.get_device(P.TIER_REFERENCE[tier])
    usable = dev.memory_bytes * P.DEFAULT_MEMORY_FRACTION
    buffer = stream * seconds
    return dict(device=dev, stream=stream, buffer=buffer, usable=usable, fraction=buffer / usable,
                bw_share=stream / dev.memory_bw, oom=buffer > usable)


@app.function
def part_c_fraction() -> float:
    """The doorbell's buffer as a fraction of usable SRAM (> 1: does not fit)."""
    return sensor_plan(**PART_C)["fraction"]


@app.function
def dataset_cache_gb(fmt: str) -> int:
    """Whole gigabytes of host RAM that cache the entire training set in `fmt`."""
    return -int(-PL.dataset_bytes(fmt) // U.GB)


@app.function
def part_d_workers() -> int | None:
    """Fewest CPU workers for the CTO's utilization floor with every read served from RAM."""
    return PL.min_workers_for(PART_D["target"], demand(), max_workers=4096, cache_hit=1.0, fmt=PART_D["fmt"],
                              storage_bw=STORAGE[PART_D["storage"]], host_link_bw=GPU.host_bw)


@app.function
def feeding_plan(workers: int, fmt: str, cache_gb: float):
    """Part D's pipeline and its failures: GPUs idle beyond the floor, the cache past usable host RAM."""
    hit = min(1.0, cache_gb * U.GB / PL.dataset_bytes(fmt))
    pipe = loader(workers, fmt, PART_D["storage"], hit * 100)
    ram_usable = PL.DGX_H100_HOST_RAM * P.DEFAULT_MEMORY_FRACTION
    violations = []
    if pipe.idle_fraction > 1 - PART_D["target"]:
        violations.append(f"GPU idle > {pct(1 - PART_D['target'])}")
    if cache_gb * U.GB > ram_usable:
        violations.append("host RAM OOM")
    return pipe, violations, ram_usable


@app.function
def feature_freshness(policy: str, period_h: float | None = None, latency_s: float | None = None):
    """The engine's freshness of the scenario's feature under `policy` (batch: refreshed every period_h)."""
    default = {"batch": PART_E["batch_latency_s"], "stream": PART_E["stream_latency_s"],
               "local": PART_E["local_latency_s"]}[policy]
    return PL.freshness(policy, pipeline_latency_s=default if latency_s is None else latency_s,
                        entities=PART_E["entities"], events_per_s=PART_E["events_per_s"],
                        feature_bytes=PART_E["feature_bytes"], period_s=period_h * HOUR if policy == "batch" else None)


@app.function
def plan_freshness(plan: str):
    policy, period_h = PART_E_PLANS[plan]
    return feature_freshness(policy, period_h)


@app.function
def part_e_answer() -> str:
    """The plan with the fewest feature updates whose mean age meets the SLA (else the freshest)."""
    ok = [k for k in PART_E_PLANS if plan_freshness(k).mean_age_s <= PART_E["sla_s"]]
    if not ok:
        return min(PART_E_PLANS, key=lambda k: plan_freshness(k).mean_age_s)
    return min(ok, key=lambda k: plan_freshness(k).updates_per_s)


@app.function
def freshness_check(policy: str, period_h: float, latency_h: float):
    """Part E's instrument: the feature's freshness and whether its mean age misses the SLA."""
    f = feature_freshness(policy, period_h, latency_h * HOUR if policy == "batch" else None)
    return f, [FRESHNESS_VIOLATION] if f.mean_age_s > PART_E["sla_s"] else []


@app.function
def per_day(per_s: float) -> float:
    return per_s * 24 * HOUR


@app.function
def to_fahrenheit(celsius: float) -> float:
    return celsius * 9 / 5 + 32


@app.function
def change_flags(change: str, level: str, fahrenheit_share: float = PART_F["fahrenheit_share"]) -> tuple:
    """The contract rules one producer change's batch trips (engine: pipeline.contract_flags)."""
    F, n = PART_F, PART_F["n"]
    temp = dict(n=n, ref_mean=F["temp_mean"], ref_std=F["temp_std"], z_max=F["z_max"])
    if change == "nulls":
        return PL.contract_flags(level, mean=F["temp_mean"], nulls=round(F["null_share"] * n), **temp)
    if change == "sentinel":
        bad = round(F["sentinel_share"] * n) if not F["temp_lo"] <= F["sentinel"] <= F["temp_hi"] else 0
        return PL.contract_flags(level, mean=F["temp_mean"], out_of_range=bad, **temp)
    if change == "fahrenheit":
        share = fahrenheit_share / 100
        # readings span mean +- spread_std standard deviations; in Fahrenheit do they leave the rated range?
        hottest = to_fahrenheit(F["temp_mean"] + F["spread_std"] * F["temp_std"])
        bad = round(share * n) if hottest > F["temp_hi"] else 0
        mean = (1 - share) * F["temp_mean"] + share * to_fahrenheit(F["temp_mean"])
        return PL.contract_flags(level, mean=mean, out_of_range=bad, **temp)
    p = F["label_rate"]  # labels are 0/1, inside their schema range; a new meaning moves the positive rate
    return PL.contract_flags(level, n=n, mean=F["new_label_rate"], ref_mean=p, ref_std=(p * (1 - p)) ** 0.5,
                             z_max=F["z_max"])


@app.function
def caught_changes(level: str, fahrenheit_share: float = PART_F["fahrenheit_share"]) -> list:
    return [c for c in PART_F_CHANGES if change_flags(c, level, fahrenheit_share)]


@app.function
def part_f_answer() -> str:
    """How many of the producer changes a schema contract flags."""
    return str(len(caught_changes("schema")))


@app.function
def contract_check(level: str, fahrenheit_share: float):
    """Part F's instrument: what each change trips, and the changes that escape (a Fahrenheit share of 0 is no
    change)."""
    present = [c for c in PART_F_CHANGES if c != "fahrenheit" or fahrenheit_share > 0]
    flags = {c: change_flags(c, level, fahrenheit_share) for c in present}
    escaped = [c for c in present if not flags[c]]
    return flags, escaped, [CONTRACT_VIOLATION] if escaped else []


@app.function
def stage_chart(pipe, *, title: str):
    """Stage rates and the GPUs' demand as bars on a log axis; the binding one in the answer colour."""
    names = [s.name for s in pipe.stages] + [f"{RUN['n_devices']} GPUs consume"]
    values = [s.samples_per_s for s in pipe.stages] + [pipe.demand_samples_per_s]
    binding = bottleneck_role(pipe)
    colors = [charts.COLOR["series"] if ROLES[i] == binding else charts.COLOR["neutral"] for i in range(len(ROLES))]
    fig = go.Figure(go.Bar(x=names, y=values, marker_color=colors, text=[U.fmt_number(v) for v in values],
                           textposition="outside", name="images/s", showlegend=False))
    charts.themed(fig, title=title, y="images/s (log scale)")
    return fig, names, values


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB, subtitle="A pipeline runs at its slowest stage. Is your accelerator computing, or waiting?",
              parts=["Part A: starved GPUs", "Part B: find the bottleneck", "Part C: sensor streams",
                     "Part D: feed eight GPUs", "Part E: feature freshness",
                     "Part F: data contracts"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: How busy are the GPUs?", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Hiro Tanaka", "ML infrastructure lead",
        f"We moved {MODEL.name} training to {RUN['n_devices']} {GPU.name} GPUs. The loader uses "
        f"{PART_A['workers']} CPU workers decoding JPEGs read from the shared file system at "
        f"{U.fmt_bytes(SHARED_FS_BW)}/s. Fed, the GPUs together train on about {rate(demand())}. "
        "The dashboard says the run is slow. How busy are the GPUs?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.numeric_prediction(
        f"Average utilization of the {RUN['n_devices']} GPUs", start=1, stop=100, step=1, value=50, unit="%")
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_pipe = loader(**PART_A)
    partA_actual = partA_pipe.utilization * 100
    partA_result = lab.commit("partA", partA_prediction, lambda value: G.grade_numeric(
        "partA", "Iron Law", float(value), partA_actual, tolerance=1.5, unit="%",
        explanation=(
            f"The slowest stage, {partA_pipe.bottleneck}, delivers {rate(partA_pipe.supply_samples_per_s)} "
            f"against the {rate(demand())} the GPUs could consume, so they compute {pct(partA_pipe.utilization)} of "
            f"the time and wait the rest. Faster GPUs would wait more, not train faster."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_pipe, partA_result


@app.cell
def _(partA_pipe, partA_result):
    mo.stop(partA_result is None, ui.locked("the pipeline view"))
    _fig, _names, _values = stage_chart(
        partA_pipe, title=f"Stage throughput vs what {RUN['n_devices']} GPUs consume (log scale)")
    _predicted = partA_result.predicted / 100 * partA_pipe.demand_samples_per_s
    charts.log_axes(_fig, ys=_values + [_predicted], pad=0.5)
    charts.reference_line(_fig, _predicted, f"your prediction: {pct(partA_result.predicted / 100)} busy = "
                                            f"{rate(_predicted)} delivered")
    mo.vstack([
        _fig,
        ui.cards(
            ui.metric_card("GPU utilization", pct(partA_pipe.utilization), "busy fraction",
                           "fail" if partA_pipe.utilization < PART_D["target"] else "ok"),
            ui.metric_card("bottleneck", partA_pipe.bottleneck, rate(partA_pipe.supply_samples_per_s)),
            ui.metric_card("one epoch", U.fmt_seconds(PL.IMAGENET_TRAIN_IMAGES / partA_pipe.supply_samples_per_s),
                           f"{PL.IMAGENET_TRAIN_IMAGES:,} images at the loader's rate"),
        ),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result, fmt=lambda v: U.fmt_number(v, 2)) if partA_result else None
    return


@app.cell
def _():
    _est = training_estimate()
    _eff = EFF.efficiency(RUN["model"], RUN["device"], "training")
    _eff_source = next((s for s in _eff.sources if s.startswith("training_cnn")), _eff.sources[0])
    ui.math_peek(
        "a pipeline's throughput",
        [r"\text{supply} = \min\left(\frac{BW_\text{storage}}{s_\text{file}},\; W\, r_\text{worker},\; "
         r"\frac{BW_\text{host}}{s_\text{tensor}}\right)",
         r"t_\text{step} = \max\left(\frac{\text{bytes}}{BW_\text{HBM}\,\eta_\text{mem}},\; "
         r"\frac{6\, \text{MACs}\, B}{R\, \eta}\right) + t_\text{overhead}",
         r"\text{demand} = N_\text{GPU}\, \frac{B}{t_\text{step}}, \qquad "
         r"U = \min\left(1, \frac{\text{supply}}{\text{demand}}\right)"],
        [("ImageNet training images", f"{PL.IMAGENET_TRAIN_IMAGES:,}", PL.SOURCES["IMAGENET_TRAIN_IMAGES"]),
         ("JPEG training set", U.fmt_bytes(PL.IMAGENET_TRAIN_BYTES), PL.SOURCES["IMAGENET_TRAIN_BYTES"]),
         ("decode + augment per worker r", rate(PL.JPEG_DECODE_PER_WORKER), PL.SOURCES["JPEG_DECODE_PER_WORKER"]),
         (f"{MODEL.name} MACs per image", U.fmt_count(MODEL.macs), MODEL.sources[0]),
         (f"{GPU.name} peak R (bf16, dense)", U.fmt_flops(GPU.peak(RUN["precision"])), GPU.sources[0]),
         (f"training efficiency eta ({_est.assumptions['device_class']})", pct(_est.assumptions["compute_efficiency"]),
          _eff_source),
         ("host link BW_host", f"{U.fmt_bytes(GPU.host_bw)}/s", GPU.sources[0]),
         ("batch B per GPU", str(RUN["batch"]), "scenario")],
    )
    return


@app.cell
def _():
    ui.section("Part B: Find the bottleneck", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Hiro Tanaka", "ML infrastructure lead",
        f"Procurement can double our CPU workers from {PART_A['workers']} to {PART_B['workers']}. Same JPEGs, same "
        "file system. Is that the fix?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"With {PART_B['workers']} CPU workers, what limits how fast the GPUs train?", PART_B_OPTIONS)
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    _before, _after = loader(**PART_A), loader(**PART_B)
    partB_role = bottleneck_role(_after)
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Iron Law", choice, partB_role, actual=_after.utilization * 100, unit="% GPU utilization",
        explanation=(
            f"{PART_B['workers']} workers decode {rate(_after.stages[1].samples_per_s)}, but the file system "
            f"delivers {rate(_after.stages[0].samples_per_s)} and the host link "
            f"{rate(_after.stages[2].samples_per_s)}: the binding stage is now '{_after.bottleneck}'. "
            f"Utilization goes from {pct(_before.utilization)} to {pct(_after.utilization)}, not double: each fix "
            "helps only until the next-slowest stage binds."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_result, partB_role


@app.cell
def _():
    # The instruments open on the proposal the reveal grades; the learner explores from there.
    partB_workers = mo.ui.slider(1, WORKERS_MAX, value=PART_B["workers"], label="CPU workers", show_value=True)
    partB_format = mo.ui.radio({v: k for k, v in FORMATS.items()}, value=FORMATS[PART_B["fmt"]],
                               label="Storage format", inline=True)
    partB_storage = mo.ui.dropdown(
        {f"Shared file system ({U.fmt_bytes(SHARED_FS_BW)}/s)": "shared",
         f"Local NVMe ({U.fmt_bytes(PL.NVME_READ_BW)}/s)": "nvme"},
        value=f"Shared file system ({U.fmt_bytes(SHARED_FS_BW)}/s)", label="Storage")
    partB_cache = mo.ui.slider(0, 100, value=PART_B["cache_percent"], label="Reads served from the RAM cache (%)",
                               show_value=True)
    return partB_cache, partB_format, partB_storage, partB_workers


@app.cell
def _(partB_cache, partB_format, partB_result, partB_storage, partB_workers):
    mo.stop(partB_result is None, ui.locked("the bottleneck finder"))
    _controls = [mo.hstack([partB_workers, partB_cache], wrap=True),
                 mo.hstack([partB_format, partB_storage], wrap=True)]
    try:
        _p = loader(partB_workers.value, partB_format.value, partB_storage.value, partB_cache.value)
    except P.PhysicsError as _err:
        _out = [ui.banner("fail", "No answer from the engine", str(_err))]
    else:
        _fig, _names, _values = stage_chart(
            _p, title=f"Bottleneck: {_p.bottleneck}; GPU utilization {pct(_p.utilization)}")
        charts.log_axes(_fig, ys=_values, pad=0.6)
        _i = ROLES.index(partB_result.choice)
        charts.mark_point(_fig, _names[_i], _values[_i], f"your prediction: {partB_result.label}")
        _out = [_fig, ui.cards(
            ui.metric_card("binding stage", _names[ROLES.index(bottleneck_role(_p))], rate(_p.supply_samples_per_s)),
            ui.metric_card("GPU utilization", pct(_p.utilization), f"of {rate(_p.demand_samples_per_s)} demanded",
                           "fail" if _p.utilization < PART_D["target"] else "ok"),
        )]
    mo.vstack(_controls + _out)
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result, fmt=lambda v: U.fmt_number(v, 2)) if partB_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "stage rates",
        [r"r_\text{storage} = \left(\frac{(1-h)\, s}{BW_\text{storage}} + \frac{h\, s}{BW_\text{RAM}}\right)^{-1}",
         r"r_\text{CPU} = W\, r_\text{worker}, \qquad r_\text{link} = \frac{BW_\text{host}}{s_\text{tensor}}",
         r"\text{binding stage} = \arg\min(r_\text{storage},\, r_\text{CPU},\, r_\text{link},\, \text{demand})"],
        [("JPEG file s", U.fmt_bytes(PL.dataset_bytes("jpeg") / PL.IMAGENET_TRAIN_IMAGES),
          PL.SOURCES["IMAGENET_TRAIN_BYTES"]),
         ("pre-decoded array s", U.fmt_bytes(PL.RAW_SAMPLE_BYTES), PL.SOURCES["RAW_SAMPLE_BYTES"]),
         ("augment per worker (pre-decoded)", rate(PL.RAW_AUGMENT_PER_WORKER), PL.SOURCES["RAW_AUGMENT_PER_WORKER"]),
         ("local NVMe read", f"{U.fmt_bytes(PL.NVME_READ_BW)}/s", PL.SOURCES["NVME_READ_BW"]),
         ("RAM cache read BW_RAM", f"{U.fmt_bytes(PL.RAM_CACHE_BW)}/s", PL.SOURCES["RAM_CACHE_BW"]),
         ("tensor to the GPU s_tensor", U.fmt_bytes(2 * PL.RAW_SAMPLE_BYTES), "224x224x3 in bf16 (2 bytes)")],
    )
    return


@app.cell
def _():
    ui.section("Part C: Sensor streams on small devices", 10)
    return


@app.cell
def _():
    _dev = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    ui.stakeholder(
        "Sofia Marques", "Firmware lead",
        f"The doorbell's {_dev.name} should keep the last {U.fmt_seconds(PART_C['seconds'])} of "
        f"{CAMERA['width']}x{CAMERA['height']} colour video at {PART_C['fps']} frames per second, so the wake-up "
        f"model can look back when it fires. {U.fmt_bytes(_dev.memory_bytes, binary=True)} of SRAM is plenty for "
        "frames that small.",
    )
    return


@app.cell
def _():
    _dev = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    partC_prediction = ui.choice_prediction(
        f"{U.fmt_seconds(PART_C['seconds'])} of {CAMERA['width']}x{CAMERA['height']} RGB frames at {PART_C['fps']} "
        f"frames per second takes what share of the usable SRAM on the {_dev.name}?",
        {k: k for k in PART_C_OPTIONS},
    )
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_plan = sensor_plan(**PART_C)
    _kib = lambda b: U.fmt_bytes(b, binary=True)  # noqa: E731  (Part C counts bytes in binary units)
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Memory Wall", choice, G.closest_option(PART_C_OPTIONS, partC_plan["fraction"]),
        option_values={k: 100 * v for k, v in PART_C_OPTIONS.items()}, actual=100 * partC_plan["fraction"],
        unit="% of usable SRAM",
        explanation=(
            f"{PART_C['fps']} frames x {CAMERA['width']} x {CAMERA['height']} x {CAMERA['channels']} bytes = "
            f"{_kib(partC_plan['buffer'])} against {_kib(partC_plan['usable'])} of usable SRAM "
            f"({pct(P.DEFAULT_MEMORY_FRACTION)} of {_kib(partC_plan['device'].memory_bytes)}), before the model's "
            f"own weights and activations. Bandwidth is not the problem: the stream uses "
            f"{pct(partC_plan['bw_share'])} of the memory bandwidth. Capacity is."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_plan, partC_result


@app.cell
def _(ledger):
    # The instruments open on the doorbell (the scenario the reveal grades). The learner's
    # home tier only marks its device in the list; it never moves a control.
    _home = home_context(ledger, default=None)
    _tiers = {f"{ui.tier_name(t)}: {P.get_device(P.TIER_REFERENCE[t]).name}"
              + (" (your home tier)" if t == _home else ""): t for t in PART_C_TIERS}
    partC_sensor = mo.ui.dropdown({v["name"]: k for k, v in SENSORS.items()}, value=SENSORS[PART_C["sensor"]]["name"],
                                  label="Sensor")
    partC_fps = mo.ui.slider(1, 30, value=PART_C["fps"], label="Camera frames per second", show_value=True)
    partC_seconds = mo.ui.slider(0.1, 5.0, step=0.1, value=PART_C["seconds"], label="Seconds buffered",
                                 show_value=True)
    partC_tier = mo.ui.radio(_tiers, value=next(k for k, v in _tiers.items() if v == PART_C["tier"]), label="Device",
                             inline=True)
    return partC_fps, partC_seconds, partC_sensor, partC_tier


@app.cell
def _(partC_fps, partC_seconds, partC_sensor, partC_tier):
    partC_stream = sensor_plan(partC_sensor.value, partC_fps.value, partC_seconds.value, partC_tier.value)
    partC_oom = partC_stream["oom"]
    return partC_oom, partC_stream


@app.cell
def _(partC_fps, partC_oom, partC_result, partC_seconds, partC_sensor, partC_stream, partC_tier):
    mo.stop(partC_result is None, ui.locked("the sensor planner"))
    _kib = lambda b: U.fmt_bytes(b, binary=True)  # noqa: E731
    _dev = partC_stream["device"]
    _secs = U.fmt_seconds(partC_seconds.value)
    _plans = {k: sensor_plan(k, partC_fps.value, partC_seconds.value, partC_tier.value) for k in SENSORS}
    _fig = go.Figure(go.Bar(
        x=[SENSORS[k]["name"] for k in _plans], y=[p["buffer"] for p in _plans.values()],
        text=[_kib(p["buffer"]) for p in _plans.values()], textposition="outside", showlegend=False,
        marker_color=[charts.COLOR["series"] if k == partC_sensor.value else charts.COLOR["neutral"] for k in _plans]))
    _limit = dict(color=charts.COLOR["alternative"], width=3)
    _fig.add_hline(y=partC_stream["usable"], line=_limit)
    _fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=_limit,
                              name=f"usable memory on the {_dev.name}: {_kib(partC_stream['usable'])}"))
    charts.themed(_fig, title=f"Bytes to buffer {_secs} of each sensor (log scale)", y="buffer (log scale)")
    _scenario = sensor_plan(**PART_C)
    _predicted = _scenario["usable"] * PART_C_OPTIONS[partC_result.choice]
    _ys = [p["buffer"] for p in _plans.values()] + [partC_stream["usable"], _predicted]
    charts.log_axes(_fig, ys=_ys, pad=0.5)
    # binary ticks (powers of 4 bytes), so the axis speaks the same units as the labels
    _ticks = [4.0**k for k in range(2, 20) if min(_ys) / 4 <= 4.0**k <= max(_ys) * 4]
    _fig.update_yaxes(tickvals=_ticks, ticktext=[_kib(t) for t in _ticks])
    charts.reference_line(_fig, _predicted, f"your prediction: the doorbell's {U.fmt_seconds(PART_C['seconds'])} "
                                            f"of video = {partC_result.label} of usable SRAM, {_kib(_predicted)}")
    _banner = (
        ui.failure_banner("OOM", what=f"{_secs} of {SENSORS[partC_sensor.value]['noun']} needs "
                                      f"{_kib(partC_stream['buffer'])}; the {_dev.name} has "
                                      f"{_kib(partC_stream['usable'])} usable",
                          by=_kib(partC_stream["buffer"] - partC_stream["usable"]),
                          fix="buffer fewer seconds, lower the frame rate, or keep features instead of raw frames")
        if partC_oom else
        ui.banner("ok", "Fits", f"{_kib(partC_stream['buffer'])} is {pct(partC_stream['fraction'])} of the "
                                f"usable memory on the {_dev.name}.")
    )
    mo.vstack([
        mo.hstack([partC_sensor, partC_tier], wrap=True), mo.hstack([partC_fps, partC_seconds], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("stream", f"{_kib(partC_stream['stream'])}/s",
                           f"{pct(partC_stream['bw_share'])} of the memory bandwidth"),
            ui.metric_card("buffer", _kib(partC_stream["buffer"]), f"usable {_kib(partC_stream['usable'])}",
                           "fail" if partC_oom else "ok"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    _dev = P.get_device(P.TIER_REFERENCE[PART_C["tier"]])
    ui.math_peek(
        "sensor buffers",
        [r"\text{stream} = f_\text{sample}\, b_\text{sample}\, c \quad \text{(bytes/s)}",
         r"\text{buffer} = \text{stream} \times t_\text{buffered}, \qquad "
         r"\text{fits} \iff \text{buffer} \le f_\text{usable}\, M_\text{SRAM}"],
        [(f"{_dev.name} SRAM M", U.fmt_bytes(_dev.memory_bytes, binary=True), _dev.sources[0]),
         ("usable fraction f", pct(P.DEFAULT_MEMORY_FRACTION), "engine default: runtime and fragmentation reserve"),
         ("camera frame b", U.fmt_bytes(SENSORS["camera"]["bytes_per_sample"], binary=True),
          f"{CAMERA['width']} x {CAMERA['height']} pixels x {CAMERA['channels']} bytes (8-bit RGB)"),
         ("units", "1 KiB = 1,024 bytes", "Part C counts bytes in binary units, as microcontroller SRAM is specified")],
    )
    return


@app.cell
def _():
    ui.section("Part D: Feed eight GPUs", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Amara Chen", "CTO",
        f"I want the GPUs at least {pct(PART_D['target'])} busy. If we cache the whole JPEG training set "
        f"({U.fmt_bytes(PL.dataset_bytes('jpeg'))}) in the server's RAM, what is the smallest number of CPU workers "
        "that gets us there? And does the cache even fit?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.numeric_prediction(
        f"CPU workers for {pct(PART_D['target'])} GPU utilization (JPEG, every read served from RAM)",
        start=1, stop=1024, step=1, value=PART_A["workers"], unit="workers")
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_workers_needed = part_d_workers()
    _uncached = loader(WORKERS_MAX, PART_D["fmt"], PART_D["storage"], 0)
    _ram = PL.DGX_H100_HOST_RAM * P.DEFAULT_MEMORY_FRACTION
    partD_result = lab.commit("partD", partD_prediction, lambda value: G.grade_numeric(
        "partD", "Iron Law", float(value), float(partD_workers_needed), tolerance=1.5, unit="workers",
        explanation=(
            f"{pct(PART_D['target'])} of {rate(demand())} at {rate(PL.JPEG_DECODE_PER_WORKER)} per worker "
            f"needs {partD_workers_needed} workers once RAM serves every read. Without the cache no worker "
            f"count helps: the file system caps the GPUs at {pct(_uncached.utilization)}. The JPEG set "
            f"({U.fmt_bytes(PL.dataset_bytes('jpeg'))}) and even pre-decoded arrays "
            f"({U.fmt_bytes(PL.dataset_bytes('raw'))}) fit in the {U.fmt_bytes(_ram)} of usable host RAM."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_result, partD_workers_needed


@app.cell
def _():
    # Opens on the CTO's plan: JPEG, the whole set cached, the fewest workers the engine finds.
    partD_workers = mo.ui.slider(1, WORKERS_MAX, value=min(part_d_workers() or WORKERS_MAX, WORKERS_MAX),
                                 label="CPU workers", show_value=True)
    partD_format = mo.ui.radio({v: k for k, v in FORMATS.items()}, value=FORMATS[PART_D["fmt"]], label="Format",
                               inline=True)
    partD_cache_gb = mo.ui.slider(0, int(PL.DGX_H100_HOST_RAM / U.GB), step=1, value=dataset_cache_gb(PART_D["fmt"]),
                                  label="RAM cache (GB)", show_value=True)
    return partD_cache_gb, partD_format, partD_workers


@app.cell
def _(partD_cache_gb, partD_format, partD_workers):
    partD_pipe, partD_violations, partD_ram_usable = feeding_plan(partD_workers.value, partD_format.value,
                                                                  partD_cache_gb.value)
    return partD_pipe, partD_ram_usable, partD_violations


@app.cell
def _(
    partD_cache_gb,
    partD_format,
    partD_pipe,
    partD_ram_usable,
    partD_result,
    partD_violations,
    partD_workers,
    partD_workers_needed,
):
    mo.stop(partD_result is None, ui.locked("the feeding plan"))
    _floor = PART_D["target"]
    _ws = sorted({round(1.1**k) for k in range(66)} | {WORKERS_MAX, partD_workers.value, partD_workers_needed})
    _curve = [feeding_plan(w, partD_format.value, partD_cache_gb.value)[0].utilization * 100 for w in _ws]
    _fig = go.Figure(go.Scatter(x=_ws, y=_curve, mode="lines", line=dict(color=charts.COLOR["series"], width=3),
                                name=f"{FORMATS[partD_format.value]}, {U.fmt_bytes(partD_cache_gb.value * U.GB)} "
                                     "cached"))
    _fig.add_trace(go.Scatter(x=[_ws[0], _ws[-1]], y=[_floor * 100] * 2, mode="lines", name=f"floor: {pct(_floor)}",
                              line=dict(color=charts.COLOR["neutral"], dash="dot")))
    _fig.add_trace(go.Scatter(x=[partD_workers.value], y=[partD_pipe.utilization * 100], mode="markers",
                              marker=dict(size=11, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"your setting: {partD_workers.value} workers, {pct(partD_pipe.utilization)}"))
    _fig.add_trace(go.Scatter(x=[partD_workers_needed], y=[_floor * 100], mode="markers",
                              marker=dict(size=20, symbol="circle-open", color=charts.COLOR["alternative"],
                                          line=dict(width=3)),
                              name=f"engine: {partD_workers_needed} workers (JPEG, all cached)"))
    charts.themed(_fig, title="GPU utilization vs CPU workers", x="CPU workers (log scale)", y="GPU utilization (%)")
    _fig.update_yaxes(range=[0, 105])
    charts.log_axes(_fig, xs=_ws + [partD_result.predicted], pad=0.1)
    charts.reference_line(_fig, partD_result.predicted,
                          f"your prediction: {U.fmt_number(partD_result.predicted)} workers", axis="x")
    _banners = []
    if partD_pipe.idle_fraction > 1 - _floor:
        _banners.append(ui.failure_banner(
            "GPU starvation", what=f"the GPUs wait {pct(partD_pipe.idle_fraction)} of the time",
            by=f"{U.fmt_number((partD_pipe.idle_fraction - (1 - _floor)) * 100, 2)} percentage points",
            fix=f"speed up '{partD_pipe.bottleneck}'"))
    if "host RAM OOM" in partD_violations:
        _banners.append(ui.failure_banner(
            "Host RAM OOM", what=f"a {U.fmt_bytes(partD_cache_gb.value * U.GB)} cache; "
                                 f"{U.fmt_bytes(partD_ram_usable)} of host RAM is usable",
            by=U.fmt_bytes(partD_cache_gb.value * U.GB - partD_ram_usable),
            fix="cache no more than the dataset: the compact JPEG set needs the least"))
    if not _banners:
        _banners.append(ui.banner("ok", "Fed", f"GPUs busy {pct(partD_pipe.utilization)}; binding stage: "
                                               f"{partD_pipe.bottleneck}"))
    mo.vstack([
        mo.hstack([partD_workers, partD_cache_gb], wrap=True), partD_format, _fig,
        ui.slo_bars(
            ui.slo_bar("GPU idle time", partD_pipe.idle_fraction * 100, (1 - _floor) * 100, unit="%",
                       fmt=lambda v: U.fmt_number(v, 2)),
            ui.slo_bar("host RAM for the cache", partD_cache_gb.value * U.GB, partD_ram_usable, fmt=U.fmt_bytes)),
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
        "workers for a utilization floor",
        [r"W_\text{min} = \left\lceil \frac{U_\text{floor}\, \text{demand}}{r_\text{worker}} \right\rceil "
         r"\quad \text{(when RAM serves every read)}",
         r"h = \min\left(1, \frac{\text{cache}}{\text{dataset}}\right), \qquad "
         r"\text{OOM} \iff \text{cache} > f_\text{usable}\, M_\text{host}"],
        [("host RAM M_host", U.fmt_bytes(PL.DGX_H100_HOST_RAM), PL.SOURCES["DGX_H100_HOST_RAM"]),
         ("usable fraction f", pct(P.DEFAULT_MEMORY_FRACTION), "engine default: OS and runtime reserve"),
         ("JPEG dataset", U.fmt_bytes(PL.dataset_bytes("jpeg")), PL.SOURCES["IMAGENET_TRAIN_BYTES"]),
         ("pre-decoded dataset", U.fmt_bytes(PL.dataset_bytes("raw")),
          f"{PL.IMAGENET_TRAIN_IMAGES:,} images x {U.fmt_bytes(PL.RAW_SAMPLE_BYTES)}")],
    )
    return


@app.cell
def _():
    ui.section("Part E: How stale is the feature?", 10)
    return


@app.cell
def _():
    ui.stakeholder(
        "Priya Raman", "Ranking team lead",
        "Our ranking model reads each shopper's purchases in the last 30 days on every request. A nightly job "
        f"recomputes that feature for all {U.fmt_count(PART_E['entities'])} shoppers and lands "
        f"{U.fmt_seconds(PART_E['batch_latency_s'])} after its data cut-off. Our experiments say the lift holds while "
        f"the value the model reads is on average no older than {U.fmt_seconds(PART_E['sla_s'])}. The team wants to "
        f"stream the {rate(PART_E['events_per_s'], 'purchases/s')} instead. What is the cheapest plan that meets "
        "the SLA?",
    )
    return


@app.cell
def _():
    partE_prediction = ui.choice_prediction(
        f"Which refresh plan keeps the feature's mean age within {U.fmt_seconds(PART_E['sla_s'])} with the fewest "
        "feature updates per day?", PART_E_OPTIONS)
    return (partE_prediction,)


@app.cell
def _(lab, partE_prediction):
    partE_answer = part_e_answer()
    _f = {k: plan_freshness(k) for k in PART_E_PLANS}
    _a, _s, _h = _f[partE_answer], _f["stream"], _f["1h"]
    _sla = U.fmt_seconds(PART_E["sla_s"])
    partE_result = lab.commit("partE", partE_prediction, lambda choice: G.grade_choice(
        "partE", "Freshness costs compute or traffic", choice, partE_answer,
        actual=_a.mean_age_s / HOUR, unit="h mean age of the answer's feature",
        explanation=(
            f"A batch value is read at a uniformly random moment between two refreshes, so it is on average half a "
            f"period plus the job's latency old, not a whole period: the {PART_E_SHORT[partE_answer]} is "
            f"{U.fmt_seconds(_a.mean_age_s)} old on average ({U.fmt_seconds(_a.worst_age_s)} at worst) against "
            f"{_sla}, for {U.fmt_count(per_day(_a.updates_per_s))} row updates a day. Streaming keeps it "
            f"{U.fmt_seconds(_s.mean_age_s)} old but rewrites a row on every purchase: "
            f"{U.fmt_count(per_day(_s.updates_per_s))} updates a day, "
            f"{U.fmt_number(_s.updates_per_s / _a.updates_per_s, 2)}x as many. Batch cost follows shoppers x "
            f"refreshes, stream cost follows purchases: an hourly job "
            f"({U.fmt_count(per_day(_h.updates_per_s))} a day) costs more than streaming. "
            "Freshness past the SLA buys nothing."
        ),
    ))
    ui.prediction(partE_prediction, partE_result)
    return partE_answer, partE_result


@app.cell
def _():
    # Opens on the plan in production today: the nightly job with its measured latency.
    partE_policy = mo.ui.radio(FRESHNESS_POLICIES, value=next(k for k, v in FRESHNESS_POLICIES.items()
                                                               if v == PART_E_START["policy"]),
                               label="Refresh policy", inline=True)
    partE_period = mo.ui.slider(1, 48, step=1, value=PART_E_START["period_h"], label="Batch period (hours)",
                                show_value=True)
    partE_latency = mo.ui.slider(0, 12, step=0.5, value=PART_E_START["latency_h"],
                                 label="Batch job latency (hours)", show_value=True)
    return partE_latency, partE_period, partE_policy


@app.cell
def _(partE_latency, partE_period, partE_policy):
    partE_fresh, partE_violations = freshness_check(partE_policy.value, partE_period.value, partE_latency.value)
    return partE_fresh, partE_violations


@app.cell
def _(partE_answer, partE_fresh, partE_latency, partE_period, partE_policy, partE_result, partE_violations):
    mo.stop(partE_result is None, ui.locked("the freshness planner"))
    _sla = PART_E["sla_s"]
    _plans = {PART_E_SHORT[k]: plan_freshness(k) for k in PART_E_PLANS}
    _setting = {"batch": f"your setting: batch every {partE_period.value} h", "stream": "your setting: streaming",
                "local": "your setting: on the phone"}[partE_policy.value]
    _plans[_setting] = partE_fresh
    _names = list(_plans)
    _answer, _chosen = PART_E_SHORT[partE_answer], PART_E_SHORT[partE_result.choice]
    _colors = [charts.COLOR["series"] if n == _answer else charts.COLOR["alternative"] if n == _setting
               else charts.COLOR["neutral"] for n in _names]
    _labels = [charts.two_lines(n, f"mean {U.fmt_seconds(f.mean_age_s)}, worst {U.fmt_seconds(f.worst_age_s)}")
               for n, f in _plans.items()]
    _fig = go.Figure(go.Bar(x=_labels, y=[f.mean_age_s / HOUR for f in _plans.values()], marker_color=_colors,
                            name="mean age"))
    _fig.add_trace(go.Scatter(x=_labels, y=[f.worst_age_s / HOUR for f in _plans.values()], mode="markers",
                              marker=dict(symbol="line-ew-open", size=26, line=dict(width=3),
                                          color=charts.COLOR["neutral"]), name="worst age"))
    _limit = dict(color=charts.COLOR["highlight"], width=3, dash="dot")
    _fig.add_hline(y=_sla / HOUR, line=_limit)
    _fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=_limit,
                              name=f"SLA: mean age {U.fmt_seconds(_sla)}"))
    charts.themed(_fig, title="Age of the feature the model reads, per refresh plan (log scale)",
                  y="age (hours, log scale)")
    _chosen_age = plan_freshness(partE_result.choice).mean_age_s / HOUR
    _ys = [f.mean_age_s / HOUR for f in _plans.values()] + [f.worst_age_s / HOUR for f in _plans.values()]
    charts.log_axes(_fig, ys=_ys + [_sla / HOUR, _chosen_age], pad=0.6)
    charts.reference_line(_fig, _chosen_age, f"your prediction: {_chosen}, "
                                             f"{U.fmt_seconds(_chosen_age * HOUR)} on average")
    _stale = bool(partE_violations)
    if _stale:
        _banner = ui.failure_banner(
            "Stale feature", what=f"the model reads a value {U.fmt_seconds(partE_fresh.mean_age_s)} old on average; "
                                  f"the SLA is {U.fmt_seconds(_sla)}",
            by=U.fmt_seconds(partE_fresh.mean_age_s - _sla),
            fix="refresh more often, shorten the job, or stream")
    elif partE_policy.value == "local":
        _banner = ui.banner("warn", "Fresh but incomplete",
                            f"The phone sees only its own purchases, {pct(PART_E['local_share'])} of a shopper's; "
                            "the rest are made on the web and other devices, so the local count is low, not stale.")
    else:
        _banner = ui.banner("ok", "Within the SLA", f"Mean age {U.fmt_seconds(partE_fresh.mean_age_s)} against "
                                                    f"{U.fmt_seconds(_sla)}.")
    _where = "on the phones" if partE_fresh.where == "device" else "on the servers"
    mo.vstack([
        partE_policy, mo.hstack([partE_period, partE_latency], wrap=True),
        mo.md("The period and latency sliders apply to the batch policy; a stream lands each purchase "
              f"{U.fmt_seconds(PART_E['stream_latency_s'])} after it happens, the phone computes the feature in "
              f"{U.fmt_seconds(PART_E['local_latency_s'])}."),
        _fig,
        ui.cards(
            ui.metric_card("mean age", U.fmt_seconds(partE_fresh.mean_age_s), f"SLA {U.fmt_seconds(_sla)}",
                           "fail" if _stale else "ok"),
            ui.metric_card("worst age", U.fmt_seconds(partE_fresh.worst_age_s), "just before the next refresh"),
            ui.metric_card("row updates per day", U.fmt_count(per_day(partE_fresh.updates_per_s)), _where),
            ui.metric_card("bytes to the feature store", f"{U.fmt_bytes(per_day(partE_fresh.store_bytes_per_s))}/day",
                           f"{U.fmt_bytes(PART_E['feature_bytes'])} per row"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partE_result):
    ui.reveal(partE_result, fmt=lambda v: U.fmt_number(v, 2)) if partE_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "feature age and its cost",
        [r"	ext{age}(t) = L + (t mod T) \;\Rightarrow\; \overline{	ext{age}} = rac{T}{2} + L, \qquad "
         r"	ext{age}_	ext{max} = T + L",
         r"	ext{updates/s} = rac{N_	ext{entities}}{T} \;	ext{(batch)}, \qquad "
         r"	ext{updates/s} = \lambda_	ext{events} \;	ext{(stream)}",
         r"	ext{store bytes/s} = 	ext{updates/s} 	imes b_	ext{row} \quad (0 	ext{ when computed on the phone})"],
        [("mean age of periodic updates", "T/2 + L", PL.SOURCES["freshness"]),
         ("shoppers N_entities", U.fmt_count(PART_E["entities"]), "scenario"),
         ("purchases lambda_events", rate(PART_E["events_per_s"], "purchases/s"), "scenario"),
         ("feature row b_row", U.fmt_bytes(PART_E["feature_bytes"]), "scenario"),
         ("batch job latency L", U.fmt_seconds(PART_E["batch_latency_s"]), "scenario: the nightly job's runtime"),
         ("stream latency", U.fmt_seconds(PART_E["stream_latency_s"]), "scenario"),
         ("SLA on mean age", U.fmt_seconds(PART_E["sla_s"]), "scenario: the ranking team's experiments")],
    )
    return


@app.cell
def _():
    ui.section("Part F: What does a schema check miss?", 10)
    return


@app.cell
def _():
    ui.stakeholder(
        "Tomas Lindqvist", "Data platform engineer",
        f"Our cold-chain supplier streams probe temperatures in degrees Celsius and spoilage labels; we validate "
        f"every batch against a schema: numeric, no nulls, within the probe's rated "
        f"{U.fmt_number(PART_F['temp_lo'])} to {U.fmt_number(PART_F['temp_hi'])} degrees. This quarter they "
        "announced four changes: " + "; ".join(PART_F_CHANGES.values()) + ". Are we covered?",
    )
    return


@app.cell
def _():
    partF_prediction = ui.choice_prediction(
        f"Each change arrives in its own batch of {U.fmt_count(PART_F['n'])} records. How many of the "
        f"{len(PART_F_CHANGES)} does the schema check flag?", PART_F_OPTIONS)
    return (partF_prediction,)


@app.cell
def _(lab, partF_prediction):
    partF_answer = part_f_answer()
    _schema = caught_changes("schema")
    _missed = [c for c in PART_F_CHANGES if c not in _schema]
    _F = PART_F
    partF_result = lab.commit("partF", partF_prediction, lambda choice: G.grade_choice(
        "partF", "Types do not carry meaning", choice, partF_answer,
        actual=float(partF_answer),
        unit=f"of {len(PART_F_CHANGES)} changes flagged",
        explanation=(
            f"The schema flags what breaks a type, a range or a null: "
            f"{', '.join(PART_F_SHORT[c] for c in _schema) or 'nothing'}. "
            f"{U.fmt_number(_F['temp_mean'])} degrees Celsius reads {U.fmt_number(to_fahrenheit(_F['temp_mean']))} "
            f"in Fahrenheit, a valid number inside the rated range, and a 0/1 label with a new meaning is still "
            f"0 or 1: {' and '.join(PART_F_SHORT[c] for c in _missed)} pass every schema rule. "
            f"Only the meaning moved, and meaning shows in "
            f"the distribution: the semantic contract compares each batch's mean with last month's and flags a "
            f"shift of more than {U.fmt_number(_F['z_max'])} standard errors."
        ),
    ))
    ui.prediction(partF_prediction, partF_result)
    return partF_answer, partF_result


@app.cell
def _():
    # Opens on what runs today: the schema contract, the Fahrenheit firmware on every probe.
    partF_level = mo.ui.radio(CONTRACT_LEVELS, value=next(k for k, v in CONTRACT_LEVELS.items()
                                                          if v == PART_F["level"]), label="Contract", inline=True)
    partF_share = mo.ui.slider(0, 100, step=0.1, value=PART_F["fahrenheit_share"],
                               label="Probes on the Fahrenheit firmware (%)", show_value=True)
    return partF_level, partF_share


@app.cell
def _(partF_level, partF_share):
    partF_flags, partF_escaped, partF_violations = contract_check(partF_level.value, partF_share.value)
    return partF_escaped, partF_flags, partF_violations


@app.cell
def _(partF_escaped, partF_flags, partF_level, partF_result, partF_share, partF_violations):
    mo.stop(partF_result is None, ui.locked("the contract checker"))
    _levels = {v: k for k, v in CONTRACT_LEVELS.items()}
    _counts = {lv: len(caught_changes(lv, partF_share.value)) for lv in _levels}
    _fig = go.Figure(go.Bar(
        x=list(_levels.values()), y=list(_counts.values()), text=[f"{c} flagged" for c in _counts.values()],
        textposition="outside", showlegend=False,
        marker_color=[charts.COLOR["series"] if lv == partF_level.value else charts.COLOR["neutral"]
                      for lv in _levels]))
    charts.themed(_fig, title=f"Producer changes each contract flags, of {len(PART_F_CHANGES)}",
                  y="changes flagged")
    _fig.update_yaxes(range=[0, len(PART_F_CHANGES) + 0.8])
    charts.reference_line(_fig, float(partF_result.choice),
                          f"your prediction: the schema flags {partF_result.label}")
    _rows = [f"- **{PART_F_SHORT[c]}** ({PART_F_CHANGES[c]}): " + (", ".join(f) + " rule" if f else "passes")
             for c, f in partF_flags.items()]
    if partF_violations:
        _banner = ui.failure_banner(
            "Silent corruption",
            what=f"{' and '.join(PART_F_SHORT[c] for c in partF_escaped)} reach training looking valid",
            by=f"{len(partF_escaped)} of {len(partF_flags)} changes escaping",
            fix="check the meaning as well as the types: a semantic contract on units and label rates")
    else:
        _banner = ui.banner("ok", "Every change flagged", f"All {len(partF_flags)} changes in the feed are caught.")
    mo.vstack([partF_level, partF_share, _fig, mo.md("\n".join(_rows)), _banner])
    return


@app.cell
def _(partF_result):
    ui.reveal(partF_result, fmt=lambda v: U.fmt_number(v, 2)) if partF_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "schema and semantic rules",
        [r"\text{schema trips} \iff \exists\, x:\; x = \text{null} \,\lor\, x \notin \text{type} "
         r"\,\lor\, x \notin [lo, hi]",
         r"\text{semantic trips} \iff \text{schema trips} \,\lor\, "
         r"\frac{|\bar{x} - \mu_\text{ref}|}{\sigma_\text{ref} / \sqrt{n}} > z_\text{max}",
         r"{}^\circ\mathrm{F} = \tfrac{9}{5}\, {}^\circ\mathrm{C} + 32"],
        [("rules", "null, type, range; batch-mean z-test", PL.SOURCES["contracts"]),
         ("rated range [lo, hi]", f"{U.fmt_number(PART_F['temp_lo'])} to {U.fmt_number(PART_F['temp_hi'])} degrees",
          "scenario: the probe's rating"),
         ("reference mu_ref, sigma_ref", f"{U.fmt_number(PART_F['temp_mean'])}, {U.fmt_number(PART_F['temp_std'])} "
          "degrees Celsius", "scenario: last month's batches"),
         ("spoiled label rate", f"{pct(PART_F['label_rate'])}, then {pct(PART_F['new_label_rate'])}", "scenario"),
         ("batch size n", U.fmt_count(PART_F["n"]), "scenario"),
         ("z_max", U.fmt_number(PART_F["z_max"]), "scenario: alarm threshold")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result, partE_result, partF_result):
    _mic = sensor_plan("mic", PART_C["fps"], 1.0, PART_C["tier"])
    _nightly = feature_freshness("batch", 24)
    ui.takeaways(
        ["Throughput is the minimum over stages; the accelerator is only one of them.",
         "Fixing one stage moves the bottleneck: re-measure after every change.",
         f"Formats trade CPU for bytes: pre-decoded data needs "
         f"{U.fmt_number(PL.dataset_bytes('raw') / PL.dataset_bytes('jpeg'), 2)}x the storage bandwidth and RAM of "
         f"JPEGs and {U.fmt_number(PL.RAW_AUGMENT_PER_WORKER / PL.JPEG_DECODE_PER_WORKER, 2)}x less CPU.",
         "On microcontrollers raw sensor buffers, not models, are often what overflows SRAM.",
         "A feature refreshed every T by a job of latency L is T/2 + L old on average and T + L at worst; batch "
         "cost follows entities x refreshes, streaming cost follows the event rate.",
         "A schema checks types, ranges and nulls; a unit or label-meaning change passes it and shows only in the "
         "distribution."],
        [("Why can faster GPUs make a starved run no faster?", "The supply is set by the slowest input stage."),
         (f"How much SRAM does one second of {SENSORS['mic']['noun']} need?",
          f"{U.fmt_bytes(_mic['buffer'], binary=True)}, {pct(_mic['fraction'])} of the usable SRAM on the "
          f"{_mic['device'].name}: audio fits where video does not."),
         (f"How old, on average, is a feature a {U.fmt_seconds(PART_E['batch_latency_s'])} job recomputes every "
          "24 h?",
          f"{U.fmt_seconds(_nightly.mean_age_s)}: half the period plus the job's latency, not a day; "
          f"{U.fmt_seconds(_nightly.worst_age_s)} just before the next run lands.")],
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
    mo.vstack([mo.md(f"Hiro has to decide what to change so the {RUN['n_devices']} GPUs stop waiting: more workers, "
                     "another format, local storage or a RAM cache; Priya, whether the nightly feature job "
                     "stays; Tomas, which contract guards the feed. Write them a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_pipe,
    partA_result,
    partB_result,
    partB_role,
    partC_oom,
    partC_result,
    partC_stream,
    partD_cache_gb,
    partD_format,
    partD_pipe,
    partD_result,
    partD_violations,
    partD_workers,
    partD_workers_needed,
    partE_answer,
    partE_fresh,
    partE_period,
    partE_policy,
    partE_result,
    partE_violations,
    partF_answer,
    partF_escaped,
    partF_level,
    partF_result,
    partF_share,
    partF_violations,
):
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result, partE_result, partF_result],
        decisions={"workers": partD_workers.value, "format": partD_format.value, "cache_gb": partD_cache_gb.value,
                   "freshness_policy": partE_policy.value, "refresh_period_h": partE_period.value,
                   "contract_level": partF_level.value, "fahrenheit_share": partF_share.value},
        outcomes={"baseline_utilization": partA_pipe.utilization, "doubling_workers": partB_role,
                  "workers_for_half": partD_workers_needed, "utilization": partD_pipe.utilization,
                  "freshness_plan": partE_answer, "feature_mean_age_s": partE_fresh.mean_age_s,
                  "schema_catches": int(partF_answer), "escaped_changes": ", ".join(partF_escaped)},
        constraints=(partD_violations if partD_result else [])
        + ([f"sensor buffer OOM on the {partC_stream['device'].name}"] if partC_oom and partC_result else [])
        + (partE_violations if partE_result else []) + (partF_violations if partF_result else []),
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
