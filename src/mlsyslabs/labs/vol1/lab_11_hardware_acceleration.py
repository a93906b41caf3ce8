"""v1.11 Hardware Acceleration.

Four parts and a synthesis. Part A: a chip with twice the dense FLOP/s and the same memory
bandwidth, against LLM decode at batch 1 (it reads every weight per token, so the extra
FLOP/s go unused). Part B: the batch at which a decode GEMM crosses the ridge point, the
only way extra FLOP/s start to pay. Part C: real rooflines of several devices and their
ridge points, from dense peaks (the 2:4-sparse vendor headline is shown beside, never
used), with precision fallback where a part has no units for a format. Part D: choosing an
edge accelerator for an on-board LLM under a speed target, a power/thermal envelope and a
unit budget.

Against the reference lab ("Acceleration That Survives the Whole Path"): its roofline part
(one resource scaled, the bottleneck moves) is Parts A and B here, on a real model's decode
step rather than a toy GEMM; its tiling part (reuse sets intensity) is replaced by Part B,
where the batch is the reuse knob a deployer owns (operand reuse through tiles is the
compiler's, and v1.07 covers fusion); its execution-contract part is Part C's precision
fallback on the same device (Hopper has no int4 units: int4 runs at the int8 peak; phones'
NPUs have no fp32), never a silent move to another accelerator; its whole-path Amdahl part
is v1.12 Benchmarking (the dispatch overhead stays in Part A's step time); its constrained
choice is Part D. Its defects are not repeated: every peak is the dense figure (Jetson
275 and 100 TOPS are 2:4-sparse headlines, shown as such); phones' fp16 Neural Engine
figures are labelled estimates; weights stream at each part's own memory bandwidth; the
energy figure is a disclosed TDP proxy.
"""
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_11.py).
    import math

    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import frameworks as F
    from mlsyslabs.physics import sustainability as S
    from mlsyslabs.physics.devices import what_if_device
    from mlsyslabs.physics.errors import PhysicsError

    LAB = get_lab("v1.11")

    # Part A: a chat service decoding Llama 3 8B in bf16, one stream per request, on an H100;
    # the vendor's next part doubles the dense FLOP/s and keeps the HBM.
    PART_A = dict(model="llama3-8b", device="h100-sxm", precision="bf16", context=2048, batch=1,
                  compute_scale=2.0, bandwidth_scale=1.0)
    PART_A_OPTIONS = {"about 1x": 1.0, "about 1.4x": math.sqrt(2), "about 2x": 2.0, "about 2.8x": 2 * math.sqrt(2)}
    PART_A_DEVICES = ["h100-sxm", "h200", "b200", "a100-80gb", "l4", "mi300x"]
    PART_A_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
    PART_A_CONTEXTS = [128, 256, 512, 1024, 2048, 4096, 8192]

    # Part B: the FFN up-projection GEMM of Llama 3 8B (hidden x FFN weights) at decode, one
    # row per sequence in the batch, on the same H100 in bf16; the service runs batch 32.
    PART_B = dict(model="llama3-8b", device="h100-sxm", precision="bf16", batch=32)
    PART_B_OPTIONS = {"about 20 sequences": 20.0, "about 80 sequences": 80.0, "about 320 sequences": 320.0,
                      "about 1,280 sequences": 1280.0}
    PART_B_DEVICES = ["h100-sxm", "h200", "b200", "a100-80gb", "l4", "mi300x", "jetson-orin-nx-16gb"]
    PART_B_PRECISIONS = ["bf16", "fp8", "int8"]
    PART_B_CONTEXT = PART_A["context"]  # the whole decode step at Part A's context, for comparison
    PART_B_BATCHES = [1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 192, 256, 320, 384, 512, 768, 1024, 1536, 2048, 4096]

    # Part C: four data-center parts a buyer compares, dense bf16.
    PART_C = dict(precision="bf16", devices=["h100-sxm", "h200", "b200", "l4"])
    PART_C_DEVICES = ["h100-sxm", "h200", "b200", "l4", "a100-80gb", "mi300x", "tpu-v5e", "jetson-agx-orin",
                      "jetson-orin-nx-16gb", "a17-pro", "snapdragon-8-gen-3", "raspberry-pi-5", "nrf52840"]
    PART_C_PRECISIONS = ["fp32", "bf16", "fp8", "int8", "int4"]

    # Part D: an on-board assistant for a field robot: Llama 3 8B with int4 weights, one
    # stream at a 2,048-token context, at least 15 tokens/s; the sealed compute bay sheds
    # 30 W; the unit budget is 800 USD. The hardware vendor proposes its flagship module.
    PART_D = dict(model="llama3-8b", precision="int4", context=2048, min_tokens_per_s=15.0, power_w=30.0,
                  budget_usd=800.0, proposal="jetson-agx-orin")
    PART_D_CANDIDATES = ["jetson-agx-orin", "jetson-orin-nx-16gb", "jetson-orin-nano", "hailo-8"]
    PART_D_NONE = "none"
    PART_D_DEVICES = PART_D_CANDIDATES + ["jetson-nano", "raspberry-pi-5", "coral-edge-tpu"]
    PART_D_MODELS = ["llama3-8b", "phi3-mini", "gemma2-2b"]
    PART_D_PRECISIONS = ["int4", "int8", "fp16"]


@app.function
def names(ids: list, get) -> dict:
    """Dropdown options: the registry name shown, the id kept."""
    return {get(i).name: i for i in ids}


@app.function
def decode(model: str, device, precision: str, context: int, batch: int):
    """One decode step (the engine's estimate, efficiency model and dispatch overhead included)."""
    return P.estimate(model, device, phase="decode", batch=batch, seq_len=context, precision=precision)


@app.function
def step_terms(est, device):
    """The memory and compute terms of an estimate on `device`, from the engine's roofline."""
    a = est.assumptions
    return P.roofline_time(bytes_moved=est.bytes_moved, flops=est.flops,
                           memory_bw=P.get_device(device).require("memory_bw") * a["n_devices"],
                           peak_flops=est.peak_flops_used, compute_efficiency=a["compute_efficiency"],
                           memory_efficiency=a["memory_efficiency"])


@app.function
def decode_speedup(model: str, device: str, precision: str, context: int, batch: int, compute_scale: float,
                   bandwidth_scale: float) -> tuple:
    """(baseline estimate, what-if estimate, speedup in tokens/s) of a part with scaled peaks."""
    base = decode(model, device, precision, context, batch)
    fast = decode(model, what_if_device(device, compute_scale=compute_scale, bandwidth_scale=bandwidth_scale),
                  precision, context, batch)
    return base, fast, base.itl_s / fast.itl_s


@app.function
def part_a_speedup() -> float:
    return decode_speedup(**PART_A)[2]


@app.function
def spec_ridge(device: str, precision: str) -> float:
    """Datasheet ridge point: dense peak at the precision (or the format it falls back to) / bandwidth."""
    d = P.get_device(device)
    return P.ridge_point(d.peak(precision), d.require("memory_bw"))


@app.function
def ffn_gemm(model: str, rows: int, precision: str):
    """The FFN up-projection at decode: (rows x hidden) @ (hidden x FFN)."""
    m = P.get_workload(model)
    return F.gemm_cost(m=rows, n=m.ffn, k=m.hidden, precision=precision, name="FFN up-projection")


@app.function
def crossing_rows(model: str, device: str, precision: str, compute_efficiency: float = 1.0,
                  memory_efficiency: float = 1.0) -> float:
    """Sequences per batch at which the FFN GEMM reaches the ridge (inf: never)."""
    m, d = P.get_workload(model), P.get_device(device)
    ridge = P.ridge_point(d.peak(precision), d.require("memory_bw"), compute_efficiency=compute_efficiency,
                          memory_efficiency=memory_efficiency)
    return F.gemm_ridge_rows(n=m.ffn, k=m.hidden, ridge=ridge, precision=precision)


@app.function
def part_b_rows() -> float:
    return crossing_rows(PART_B["model"], PART_B["device"], PART_B["precision"])


@app.function
def part_c_ridges(precision: str = PART_C["precision"], devices: tuple = tuple(PART_C["devices"])) -> dict:
    return {d: spec_ridge(d, precision) for d in devices}


@app.function
def part_c_answer() -> str:
    r = part_c_ridges()
    return max(r, key=r.get)


@app.function
def compute_format(device: str, precision: str) -> str:
    """The format whose dense peak serves `precision` on the device (its own, or a wider fallback)."""
    d = P.get_device(device)
    return P.precisions.compute_precision_for(precision, d.peak_flops)


@app.function
def accelerator_check(device: str, model: str, precision: str, context: int, min_tokens_per_s: float,
                      power_w: float, budget_usd: float) -> dict:
    """A candidate against the robot's budgets: the decode estimate (or why there is none) and
    every limit it breaks (speed, power/thermal envelope, unit price, memory)."""
    d = P.get_device(device)
    out = dict(device=d, est=None, reason=None, violations=[], tokens_per_s=0.0, joules_per_token=None)
    try:
        est = decode(model, device, precision, context, 1)
    except PhysicsError as exc:  # no DRAM to hold weights, no units for the format
        out["reason"] = ("it has no external DRAM to hold the weights (on-chip memory only)"
                         if d.memory_bytes is None else str(exc))
        out["violations"].append("cannot run")
    else:
        out["est"], out["tokens_per_s"] = est, est.tokens_per_s
        if not est.fits:
            out["violations"].append("OOM")
        if est.tokens_per_s < min_tokens_per_s:
            out["violations"].append("too slow")
        out["joules_per_token"] = S.gpu_power_w(d, 1.0) / est.tokens_per_s
    if d.tdp_w is not None and d.tdp_w > power_w:
        out["violations"].append("thermal")
    if d.purchase_price is None or d.purchase_price > budget_usd:
        out["violations"].append("over budget")
    out["feasible"] = not out["violations"]
    return out


@app.function
def part_d_checks(model: str = PART_D["model"], precision: str = PART_D["precision"],
                  context: int = PART_D["context"], min_tokens_per_s: float = PART_D["min_tokens_per_s"],
                  power_w: float = PART_D["power_w"], budget_usd: float = PART_D["budget_usd"],
                  devices: tuple = tuple(PART_D_CANDIDATES)) -> dict:
    return {d: accelerator_check(d, model, precision, context, min_tokens_per_s, power_w, budget_usd)
            for d in devices}


@app.function
def part_d_answer() -> str:
    """The feasible candidate (the cheapest if several), or 'none'."""
    ok = [d for d, c in part_d_checks().items() if c["feasible"]]
    return min(ok, key=lambda d: P.get_device(d).purchase_price) if ok else PART_D_NONE


@app.function
def usd(x: float) -> str:
    return f"{U.fmt_number(x, 4)} USD"


@app.function
def ops(x: float, precision: str) -> str:
    """A peak rate: FLOP/s for floating-point formats, OP/s for integer ones."""
    return U.fmt_flops(x) if precision.startswith(("fp", "bf", "tf")) else U.fmt_quantity(x, "OP/s")


@app.function
def headline(device: str) -> str:
    """A part's datasheet figures as a buyer reads them: dense int8 (or fp16), the sparse
    headline when the vendor quotes one, bandwidth, power, price."""
    d = P.get_device(device)
    fmt = "int8" if "int8" in d.peak_flops else "fp16"
    bits = [f"{ops(d.peak(fmt), fmt)} dense {fmt}"]
    if d.sparse_peak_flops.get(fmt):
        bits[0] += f" ({ops(d.sparse_peak_flops[fmt], fmt)} 2:4-sparse headline)"
    bits.append(f"{U.fmt_bytes(d.memory_bw)}/s memory" if d.memory_bw else "no external DRAM")
    bits.append(U.fmt_watts(d.tdp_w) if d.tdp_w else "power not listed")
    bits.append(usd(d.purchase_price) if d.purchase_price else "price not listed")
    return ", ".join(bits)


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="What an accelerator's peaks buy you: FLOP/s only pay above the ridge point, and the right chip "
                 "is the one that meets every budget.",
        parts=["Part A: twice the FLOP/s", "Part B: batch crosses the ridge", "Part C: real rooflines",
               "Part D: choose the accelerator"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    ui.section("Part A: Twice the FLOP/s", 10)
    return


@app.cell
def _():
    _d, _m = P.get_device(PART_A["device"]), P.get_workload(PART_A["model"])
    ui.stakeholder(
        "Lena Fischer", "Head of inference, a chat start-up",
        f"We serve {_m.name} in {PART_A['precision']} on {_d.name} GPUs, one stream per user at "
        f"{PART_A['context']:,}-token contexts. The vendor's next part has {PART_A['compute_scale']:g}x the dense "
        f"FLOP/s ({U.fmt_flops(_d.peak(PART_A['precision']) * PART_A['compute_scale'])} against "
        f"{U.fmt_flops(_d.peak(PART_A['precision']))}) and the same {U.fmt_bytes(_d.memory_bw)}/s of HBM. "
        "How much faster will each user's tokens arrive?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"Tokens/s per stream on the {PART_A['compute_scale']:g}x-FLOP/s part, against today's:",
        {k: k for k in PART_A_OPTIONS})
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_base, partA_fast, partA_actual = decode_speedup(**PART_A)
    _t = step_terms(partA_base, PART_A["device"])
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Roofline", choice, G.closest_option(PART_A_OPTIONS, partA_actual),
        option_values=PART_A_OPTIONS, actual=partA_actual, unit="x",
        explanation=(
            f"Each decode step at batch {PART_A['batch']} reads all {U.fmt_bytes(partA_base.weights_bytes)} of "
            f"weights for {U.fmt_count(partA_base.flops)} FLOPs: "
            f"{U.fmt_number(partA_base.arithmetic_intensity)} FLOP/byte, far below the ridge. The memory term "
            f"takes {U.fmt_seconds(_t.memory_time_s)}, the compute term {U.fmt_seconds(_t.compute_time_s)}; "
            f"doubling FLOP/s halves only the small one, so the step stays "
            f"{U.fmt_seconds(partA_base.itl_s)} and the speedup is {U.fmt_ratio(partA_actual)}. "
            "Decode speed is bought with bandwidth, not FLOP/s."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_actual, partA_base, partA_result


@app.cell
def _():
    # Opens on Lena's question: her GPU, twice the FLOP/s, the same bandwidth, one stream.
    partA_device = mo.ui.dropdown(options=names(PART_A_DEVICES, P.get_device),
                                  value=P.get_device(PART_A["device"]).name, label="Today's part")
    partA_compute = mo.ui.slider(1, 8, step=0.5, value=PART_A["compute_scale"], label="FLOP/s multiplier",
                                 show_value=True)
    partA_bandwidth = mo.ui.slider(1, 4, step=0.25, value=PART_A["bandwidth_scale"], label="Bandwidth multiplier",
                                   show_value=True)
    partA_batch = mo.ui.slider(steps=PART_A_BATCHES, value=PART_A["batch"], label="Streams decoded together (batch)",
                               show_value=True)
    partA_context = mo.ui.slider(steps=PART_A_CONTEXTS, value=PART_A["context"], label="Context (tokens)",
                                 show_value=True)
    return partA_bandwidth, partA_batch, partA_compute, partA_context, partA_device


@app.cell
def _(partA_bandwidth, partA_batch, partA_compute, partA_context, partA_device):
    partA_now = decode_speedup(PART_A["model"], partA_device.value, PART_A["precision"], int(partA_context.value),
                               int(partA_batch.value), float(partA_compute.value), float(partA_bandwidth.value))
    partA_oom = not partA_now[0].fits
    return partA_now, partA_oom


@app.cell
def _(partA_bandwidth, partA_batch, partA_compute, partA_context, partA_device, partA_now, partA_oom, partA_result):
    mo.stop(partA_result is None, ui.locked("the what-if chip"))
    _base, _fast, _speedup = partA_now
    _dev = P.get_device(partA_device.value)
    _xs = [1 + 0.25 * i for i in range(29)]
    _curve = [decode_speedup(PART_A["model"], partA_device.value, PART_A["precision"], int(partA_context.value),
                             int(partA_batch.value), x, float(partA_bandwidth.value))[2] for x in _xs]
    _fig = go.Figure(go.Scatter(x=_xs, y=_curve, mode="lines", line=dict(color=charts.COLOR["series"], width=3),
                                name=f"engine: batch {partA_batch.value}, {partA_bandwidth.value:g}x bandwidth"))
    _fig.add_trace(go.Scatter(x=_xs, y=_xs, mode="lines", line=dict(color=charts.COLOR["neutral"], dash="dot"),
                              name="if FLOP/s alone set the speed"))
    _fig.add_trace(go.Scatter(x=[partA_compute.value], y=[_speedup], mode="markers",
                              marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"your setting: {U.fmt_ratio(_speedup)}"))
    charts.themed(_fig, title=f"Decode speedup per stream vs FLOP/s, {_dev.name}", x="FLOP/s multiplier",
                  y="speedup (x)", height=400)
    _fig.update_yaxes(range=[0, 8.5])
    charts.reference_line(_fig, PART_A_OPTIONS[partA_result.choice],
                          f"your prediction at {PART_A['compute_scale']:g}x FLOP/s: {partA_result.label}")
    _tb = step_terms(_base, partA_device.value)
    _tf = step_terms(_fast, what_if_device(partA_device.value, compute_scale=float(partA_compute.value),
                                           bandwidth_scale=float(partA_bandwidth.value)))
    _h200 = decode(PART_A["model"], "h200", PART_A["precision"], PART_A["context"], PART_A["batch"])
    _h100 = decode(PART_A["model"], "h100-sxm", PART_A["precision"], PART_A["context"], PART_A["batch"])
    _usable = _base.capacity_bytes * _base.assumptions["memory_fraction"]
    _banner = (
        ui.failure_banner("OOM", what=f"{partA_batch.value} streams need {U.fmt_bytes(_base.memory_bytes)}; the "
                                      f"{_dev.name} has {U.fmt_bytes(_usable)} usable",
                          by=U.fmt_bytes(_base.memory_bytes - _usable),
                          fix="decode fewer streams per GPU, shorten the context, or quantize the KV cache")
        if partA_oom else
        ui.banner("ok" if _base.bound == "memory" else "info", f"{_base.bound}-bound today",
                  f"At batch {partA_batch.value} the step's {'memory' if _base.bound == 'memory' else 'binding'} "
                  f"term is {U.fmt_seconds(max(_tb.memory_time_s, _tb.compute_time_s))} and the other "
                  f"{U.fmt_seconds(min(_tb.memory_time_s, _tb.compute_time_s))}.")
    )
    mo.vstack([
        mo.hstack([partA_device, partA_batch, partA_context], wrap=True),
        mo.hstack([partA_compute, partA_bandwidth], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("today: time per token", U.fmt_seconds(_base.itl_s),
                           f"{U.fmt_number(_base.tokens_per_s / partA_batch.value)} tokens/s per stream, "
                           f"{_base.bound}-bound"),
            ui.metric_card("what-if part", U.fmt_seconds(_fast.itl_s),
                           f"memory {U.fmt_seconds(_tf.memory_time_s)}, compute {U.fmt_seconds(_tf.compute_time_s)}"),
            ui.metric_card("speedup", U.fmt_ratio(_speedup),
                           f"{partA_compute.value:g}x FLOP/s, {partA_bandwidth.value:g}x bandwidth"),
            ui.metric_card("a real part with more bandwidth", U.fmt_ratio(_h100.itl_s / _h200.itl_s),
                           f"{P.get_device('h200').name} vs {P.get_device('h100-sxm').name} at batch "
                           f"{PART_A['batch']}: same dense FLOP/s, "
                           f"{U.fmt_ratio(P.get_device('h200').memory_bw / P.get_device('h100-sxm').memory_bw)} "
                           "the bandwidth"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _(partA_base):
    _d, _m = P.get_device(PART_A["device"]), P.get_workload(PART_A["model"])
    _a = partA_base.assumptions
    ui.math_peek(
        "a decode step",
        [r"t_\text{token} = \max\left(\frac{N\,b + B\,\text{KV}(C)}{BW\,\eta_\text{mem}},\; "
         r"\frac{B\,(2N + a\,C)}{R\,\eta_\text{comp}}\right) + t_\text{dispatch}",
         r"\text{speedup}(k_R) = \frac{t_\text{token}(R)}{t_\text{token}(k_R\, R)} \approx 1 "
         r"\quad\text{when the memory term binds}"],
        [(f"{_d.name} dense {PART_A['precision']} peak R", U.fmt_flops(_d.peak(PART_A["precision"])), _d.sources[0]),
         (f"{_d.name} bandwidth BW", f"{U.fmt_bytes(_d.memory_bw)}/s", _d.sources[0]),
         ("sustained fractions eta_comp, eta_mem", f"{_a['compute_efficiency']:.0%}, {_a['memory_efficiency']:.0%}",
          f"efficiency model, class {_a['device_class']} (docs/engine.md)"),
         ("dispatch per step", U.fmt_seconds(partA_base.overhead_s),
          "efficiency model: per-call plus per-kernel cost (CUDA graphs in decode)"),
         (f"{_m.name} parameters N", U.fmt_params(_m.params), _m.sources[0]),
         ("bytes per weight b (bf16)", "2", "IEEE bfloat16")],
    )
    return


@app.cell
def _():
    ui.section("Part B: Batch moves a GEMM across the ridge", 12)
    return


@app.cell
def _():
    _d, _m = P.get_device(PART_B["device"]), P.get_workload(PART_B["model"])
    ui.stakeholder(
        "Lena Fischer", "Head of inference",
        f"So one stream never uses the FLOP/s. We batch {PART_B['batch']} streams per decode step today. The "
        f"biggest matrix in each layer is the FFN up-projection, {_m.hidden:,} x {_m.ffn:,} weights, one row per "
        f"stream. How many streams must share a step before that GEMM uses the {_d.name}'s compute rather than "
        "waiting on memory?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"Batch at which the FFN GEMM turns compute-bound on the {P.get_device(PART_B['device']).name} "
        f"(dense {PART_B['precision']}):",
        {k: k for k in PART_B_OPTIONS})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_actual = part_b_rows()
    _ridge = spec_ridge(PART_B["device"], PART_B["precision"])
    _now = ffn_gemm(PART_B["model"], PART_B["batch"], PART_B["precision"])
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Roofline", choice, G.closest_option(PART_B_OPTIONS, partB_actual),
        option_values=PART_B_OPTIONS, actual=partB_actual, unit="sequences",
        explanation=(
            f"The ridge is {U.fmt_flops(P.get_device(PART_B['device']).peak(PART_B['precision']))} / "
            f"{U.fmt_bytes(P.get_device(PART_B['device']).memory_bw)}/s = {U.fmt_number(_ridge)} FLOP/byte. "
            f"The GEMM does 2 FLOPs per weight per row and reads each 2-byte weight once per step, so its "
            f"intensity is about the batch itself: {U.fmt_number(_now.intensity)} FLOP/byte at batch "
            f"{PART_B['batch']}. It reaches the ridge at {U.fmt_number(math.ceil(partB_actual))} rows. Below that, "
            "more FLOP/s buy nothing; batching is what turns bandwidth-bound decode into compute-bound work. "
            "Attention is different: every sequence reads its own KV cache, so those bytes grow with the batch too "
            "and the whole step crosses later, or never at long contexts."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_actual, partB_result


@app.cell
def _():
    # Opens on Lena's service: her GPU, bf16, batch 32.
    partB_device = mo.ui.dropdown(options=names(PART_B_DEVICES, P.get_device),
                                  value=P.get_device(PART_B["device"]).name, label="Device")
    partB_precision = mo.ui.dropdown(options=PART_B_PRECISIONS, value=PART_B["precision"], label="Precision")
    partB_batch = mo.ui.slider(steps=PART_B_BATCHES, value=PART_B["batch"], label="Sequences per decode step",
                               show_value=True)
    return partB_batch, partB_device, partB_precision


@app.cell
def _(partB_device, partB_precision):
    partB_cross = crossing_rows(PART_B["model"], partB_device.value, partB_precision.value)
    return (partB_cross,)


@app.cell
def _(partB_batch, partB_cross, partB_device, partB_precision, partB_result):
    mo.stop(partB_result is None, ui.locked("the batch sweep"))
    _dev = P.get_device(partB_device.value)
    _prec = partB_precision.value
    _ridge = spec_ridge(partB_device.value, _prec)
    _cross = partB_cross
    _rows = [2 ** (i / 4) for i in range(0, 53)]
    _ai = [ffn_gemm(PART_B["model"], r, _prec).intensity for r in _rows]
    _b = int(partB_batch.value)
    _g = ffn_gemm(PART_B["model"], _b, _prec)
    _step = decode(PART_B["model"], partB_device.value, _prec, PART_B_CONTEXT, _b)
    _peak, _bw = _dev.peak(_prec), _dev.require("memory_bw")
    _att = P.attainable_flops(_g.intensity, _peak, _bw)
    _fig = go.Figure(go.Scatter(x=_rows, y=_ai, mode="lines", line=dict(color=charts.COLOR["series"], width=3),
                                name=f"FFN GEMM intensity, {_prec}"))
    _fig.add_trace(go.Scatter(x=[_rows[0], _rows[-1]], y=[_ridge, _ridge], mode="lines",
                              line=dict(color=charts.COLOR["limit"], width=2),
                              name=f"ridge of the {_dev.name}: {U.fmt_number(_ridge)} FLOP/byte"))
    _fig.add_trace(go.Scatter(x=[_b], y=[_g.intensity], mode="markers",
                              marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"your setting: batch {_b}, {U.fmt_number(_g.intensity)} FLOP/byte"))
    if math.isfinite(_cross):
        _fig.add_trace(go.Scatter(x=[_cross], y=[_ridge], mode="markers",
                                  marker=dict(size=18, symbol="circle-open", color=charts.COLOR["alternative"],
                                              line=dict(width=3)),
                                  name=f"engine: crosses at {U.fmt_number(math.ceil(_cross))} sequences"))
    charts.themed(_fig, title="Arithmetic intensity of the FFN GEMM vs batch (log-log)",
                  x="sequences per decode step", y="FLOP per byte", height=420)
    charts.log_axes(_fig, xs=_rows + [partB_result.predicted], ys=_ai + [_ridge], pad=0.2)
    charts.reference_line(_fig, partB_result.predicted, f"your prediction: {partB_result.label}", axis="x")
    _sustained = crossing_rows(PART_B["model"], partB_device.value, _prec, P.DEFAULT_COMPUTE_EFFICIENCY,
                               P.DEFAULT_MEMORY_EFFICIENCY)
    _fallback = compute_format(partB_device.value, _prec)
    mo.vstack([
        mo.hstack([partB_device, partB_precision], wrap=True), partB_batch,
        _fig,
        ui.cards(
            ui.metric_card("GEMM intensity", f"{U.fmt_number(_g.intensity)} FLOP/byte", f"at batch {_b}",
                           "ok" if _g.intensity >= _ridge else "warn"),
            ui.metric_card("bound", "compute" if _g.intensity >= _ridge else "memory",
                           f"attainable {ops(_att, _fallback)}, {_att / _peak:.0%} of the dense peak"),
            ui.metric_card("crossing batch (datasheet roofline)",
                           U.fmt_number(math.ceil(_cross)) if math.isfinite(_cross) else "never",
                           f"ridge {U.fmt_number(_ridge)} FLOP/byte" + (
                               f"; {_prec} runs on {_fallback} units" if _fallback != _prec else "")),
            ui.metric_card("whole decode step", f"{U.fmt_number(_step.arithmetic_intensity)} FLOP/byte",
                           f"batch {_b} at {PART_B_CONTEXT:,} tokens: KV reads grow with the batch too"),
            ui.metric_card("crossing batch at sustained efficiencies",
                           U.fmt_number(math.ceil(_sustained)) if math.isfinite(_sustained) else "never",
                           f"compute {P.DEFAULT_COMPUTE_EFFICIENCY:.0%} and memory "
                           f"{P.DEFAULT_MEMORY_EFFICIENCY:.0%} of peak"),
        ),
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    _d, _m = P.get_device(PART_B["device"]), P.get_workload(PART_B["model"])
    ui.math_peek(
        "a GEMM crossing the ridge",
        [r"I(m) = \frac{2\,m\,n\,k}{b\,(m k + k n + m n)} \approx \frac{2m}{b} \quad (m \ll k, n)",
         r"I^{*} = \frac{R}{BW}, \qquad m^{*} = \frac{I^{*}\, b\, k\, n}{2 k n - I^{*}\, b\,(k + n)}"],
        [(f"{_d.name} dense {PART_B['precision']} peak R", U.fmt_flops(_d.peak(PART_B["precision"])), _d.sources[0]),
         (f"{_d.name} bandwidth BW", f"{U.fmt_bytes(_d.memory_bw)}/s", _d.sources[0]),
         (f"{_m.name} hidden k, FFN n", f"{_m.hidden:,}, {_m.ffn:,}", _m.sources[0]),
         ("bytes per element b: bf16, fp8, int8", "2, 1, 1", "IEEE bfloat16; OCP FP8; int8")],
    )
    return


@app.cell
def _():
    ui.section("Part C: Real rooflines", 10)
    return


@app.cell
def _():
    ui.stakeholder(
        "Kwame Mensah", "Procurement lead, cloud platform",
        "We are comparing " + ", ".join(P.get_device(d).name for d in PART_C["devices"]) + " for inference. "
        "Our kernels have a fixed arithmetic intensity; on which part do they most risk sitting on the memory slope? "
        "Use dense peaks: our kernels are not 2:4 sparse.",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"Which part has the highest ridge point (dense {PART_C['precision']} FLOP per byte of memory traffic)?",
        names(PART_C["devices"], P.get_device))
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_ridges = part_c_ridges()
    partC_answer = part_c_answer()
    _desc = "; ".join(f"{P.get_device(d).name} {U.fmt_flops(P.get_device(d).peak(PART_C['precision']))} / "
                      f"{U.fmt_bytes(P.get_device(d).memory_bw)}/s = {U.fmt_number(r)}"
                      for d, r in partC_ridges.items())
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Roofline", choice, partC_answer, option_values=partC_ridges, actual=partC_ridges[partC_answer],
        unit="FLOP/byte",
        explanation=(
            f"Ridge = dense peak / bandwidth: {_desc} FLOP/byte. The ridge is a ratio, not a size: the "
            f"{P.get_device(partC_answer).name} pairs modest FLOP/s with much less bandwidth, so kernels need the "
            "most reuse on it, while a part with the same FLOP/s and more bandwidth (the "
            f"{P.get_device('h200').name} against the {P.get_device('h100-sxm').name}) lowers the ridge. Using the "
            "2:4-sparse headline would double every ridge and mislead."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_answer, partC_result, partC_ridges


@app.cell
def _():
    # Opens on Kwame's four parts in dense bf16.
    partC_precision = mo.ui.dropdown(options=PART_C_PRECISIONS, value=PART_C["precision"], label="Precision")
    partC_devices = mo.ui.multiselect(options=names(PART_C_DEVICES, P.get_device),
                                      value=[P.get_device(d).name for d in PART_C["devices"]], label="Devices")
    return partC_devices, partC_precision


@app.cell
def _(partC_devices, partC_precision):
    # Each selected part's (compute format, ridge) in the chosen precision; why a part has none.
    partC_now, partC_missing = {}, []
    for _id in partC_devices.value:
        try:
            partC_now[_id] = (compute_format(_id, partC_precision.value), spec_ridge(_id, partC_precision.value))
        except PhysicsError as _exc:
            partC_missing.append(f"{P.get_device(_id).name}: {_exc}")
    return partC_missing, partC_now


@app.cell
def _(partC_answer, partC_devices, partC_missing, partC_now, partC_precision, partC_result):
    mo.stop(partC_result is None, ui.locked("the rooflines"))
    _prec = partC_precision.value
    _controls = mo.hstack([partC_precision, partC_devices], wrap=True)
    _ok, _missing = partC_now, partC_missing
    _notes = [ui.banner("warn", "No dense peak for this format", "; ".join(_missing))] if _missing else []
    if not _ok:
        _out = mo.vstack([_controls, ui.banner("info", "No device to draw",
                                               "Pick at least one device with units for this format.")] + _notes)
    else:
        _xs = [0.1 * 10 ** (i / 12) for i in range(61)]
        _fig = go.Figure()
        _palette = [charts.COLOR["series"], charts.COLOR["alternative"], charts.tier_color("mobile"),
                    charts.tier_color("tiny"), charts.COLOR["neutral"], charts.COLOR["limit"]]
        _ys = []
        for _i, (_id, (_fmt, _ridge)) in enumerate(_ok.items()):
            _d = P.get_device(_id)
            _peak, _bw = _d.peak(_prec), _d.memory_bw
            _curve = [P.attainable_flops(x, _peak, _bw) for x in _xs]
            _ys += _curve
            _fig.add_trace(go.Scatter(x=_xs, y=_curve, mode="lines", line=dict(width=3, color=_palette[_i % 6]),
                                      name=f"{_d.name}: ridge {U.fmt_number(_ridge)}"))
            _fig.add_trace(go.Scatter(x=[_ridge], y=[_peak], mode="markers", showlegend=False,
                                      marker=dict(size=10, color=_palette[_i % 6])))
        charts.themed(_fig, title=f"Dense {_prec} rooflines (log-log)", x="arithmetic intensity (FLOP per byte)",
                      y="attainable FLOP/s", height=460)
        charts.log_axes(_fig, xs=_xs, ys=_ys, pad=0.2)
        _decades = [10.0 ** k for k in range(math.floor(math.log10(min(_ys))), math.ceil(math.log10(max(_ys))) + 1)]
        _fig.update_yaxes(tickvals=_decades, ticktext=[ops(v, _prec) for v in _decades])
        charts.reference_line(_fig, part_c_ridges()[partC_result.choice],
                              f"your pick: {partC_result.label}, {U.fmt_number(part_c_ridges()[partC_result.choice])}",
                              axis="x")
        _cards = []
        for _id, (_fmt, _ridge) in _ok.items():
            _d = P.get_device(_id)
            _note = f"{ops(_d.peak(_prec), _fmt)} / {U.fmt_bytes(_d.memory_bw)}/s"
            if _fmt != _prec:
                _note += f"; no {_prec} units: runs on {_fmt}"
            if _d.sparse_peak_flops.get(_fmt):
                _note += f"; vendor 2:4-sparse headline {ops(_d.sparse_peak_flops[_fmt], _fmt)} (not used)"
            _cards.append(ui.metric_card(_d.name, f"{U.fmt_number(_ridge)} FLOP/byte", _note,
                                         "warn" if _id == max(_ok, key=lambda k: _ok[k][1]) else None))
        _out = mo.vstack([_controls, _fig, ui.cards(*_cards)] + _notes + [
            mo.md(f"Highest ridge among Kwame's four in dense {PART_C['precision']}: "
                  f"**{P.get_device(partC_answer).name}**.")])
    _out
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "a device's roofline",
        [r"\text{attainable}(I) = \min\left(R_\text{dense},\; I \cdot BW\right), \qquad I^{*} = "
         r"\frac{R_\text{dense}}{BW}",
         r"R_\text{dense} = \tfrac{1}{2}\, R_\text{2:4 sparse} \quad\text{(the vendors' starred headline)}"],
        [(f"{P.get_device(d).name}: dense {PART_C['precision']} R, BW",
          f"{U.fmt_flops(P.get_device(d).peak(PART_C['precision']))}, {U.fmt_bytes(P.get_device(d).memory_bw)}/s",
          P.get_device(d).sources[0]) for d in PART_C["devices"]],
    )
    return


@app.cell
def _():
    ui.section("Part D: Choose the accelerator", 13)
    return


@app.cell
def _():
    _m = P.get_workload(PART_D["model"])
    ui.stakeholder(
        "Sofía Ramírez", "Hardware lead, field robotics",
        f"The robot gets an on-board assistant: {_m.name} with {PART_D['precision']} weights, one conversation at "
        f"{PART_D['context']:,} tokens of context, at least {U.fmt_number(PART_D['min_tokens_per_s'])} tokens/s. The "
        f"sealed compute bay sheds {U.fmt_watts(PART_D['power_w'])}, and the unit budget is "
        f"{usd(PART_D['budget_usd'])}. The vendor pitches its flagship. Datasheets: "
        + "; ".join(f"{P.get_device(d).name}: {headline(d)}" for d in PART_D_CANDIDATES) + ".",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction(
        "Which part meets the speed target, the power envelope and the budget?",
        {**{P.get_device(d).name: d for d in PART_D_CANDIDATES}, "No part meets all three": PART_D_NONE})
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_checks = part_d_checks()
    partD_answer = part_d_answer()
    _why = "; ".join(
        f"{c['device'].name}: " + (f"{U.fmt_number(c['tokens_per_s'])} tokens/s" if c["est"] else "cannot hold it")
        + (f", fails {', '.join(c['violations'])}" if c["violations"] else ", meets all")
        for c in partD_checks.values())
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", "Roofline", choice, partD_answer,
        explanation=(
            f"{_why}. Decode speed follows memory bandwidth, not TOPS: each token streams the "
            f"{U.fmt_bytes(next(c['est'] for c in partD_checks.values() if c['est']).weights_bytes)} of "
            f"{PART_D['precision']} weights, so extra TOPS buy no tokens, and TOPS per watt mean nothing on a part "
            "with no memory to hold the weights. The right part is the one inside every budget at once."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_answer, partD_result


@app.cell
def _():
    # Opens on the vendor's proposal at Sofía's budgets; the learner then chooses.
    partD_device = mo.ui.dropdown(options=names(PART_D_DEVICES, P.get_device),
                                  value=P.get_device(PART_D["proposal"]).name, label="Accelerator")
    partD_model = mo.ui.dropdown(options=names(PART_D_MODELS, P.get_workload),
                                 value=P.get_workload(PART_D["model"]).name, label="Model")
    partD_precision = mo.ui.dropdown(options=PART_D_PRECISIONS, value=PART_D["precision"], label="Weights")
    partD_power = mo.ui.slider(1, 100, step=1, value=PART_D["power_w"], label="Power envelope of the bay (W)",
                               show_value=True)
    partD_budget = mo.ui.slider(50, 2500, step=1, value=PART_D["budget_usd"], label="Unit budget (USD)",
                                show_value=True)
    partD_target = mo.ui.slider(1, 60, step=0.5, value=PART_D["min_tokens_per_s"], label="Speed target (tokens/s)",
                                show_value=True)
    return partD_budget, partD_device, partD_model, partD_power, partD_precision, partD_target


@app.cell
def _(partD_budget, partD_device, partD_model, partD_power, partD_precision, partD_target):
    partD_all = part_d_checks(partD_model.value, partD_precision.value, PART_D["context"], float(partD_target.value),
                              float(partD_power.value), float(partD_budget.value), tuple(PART_D_DEVICES))
    partD_check = partD_all[partD_device.value]
    return partD_all, partD_check


@app.cell
def _(
    partD_all,
    partD_budget,
    partD_check,
    partD_device,
    partD_model,
    partD_power,
    partD_precision,
    partD_result,
    partD_target,
):
    mo.stop(partD_result is None, ui.locked("the accelerator chooser"))
    _controls = mo.vstack([mo.hstack([partD_device, partD_model, partD_precision], wrap=True),
                           mo.hstack([partD_power, partD_budget, partD_target], wrap=True)])
    _runs = {d: c for d, c in partD_all.items() if c["est"] is not None}
    _fig = go.Figure()
    for _d, _c in _runs.items():
        _fig.add_trace(go.Scatter(
            x=[_c["device"].tdp_w], y=[_c["tokens_per_s"]], mode="markers+text", text=[_c["device"].name],
            textposition="top center" if _c["tokens_per_s"] >= float(partD_target.value) else "bottom center",
            showlegend=False,
            marker=dict(size=14 if _d == partD_device.value else 10,
                        color=charts.COLOR["series"] if _c["feasible"] else charts.COLOR["neutral"],
                        symbol="diamond" if _d == partD_device.value else "circle")))
    charts.themed(_fig, title=f"Decode speed vs power, {P.get_workload(partD_model.value).name} "
                              f"{partD_precision.value} (log-log; filled: meets every budget)",
                  x="power at full load (W)", y="tokens/s, one stream", height=460)
    _xs = [c["device"].tdp_w for c in _runs.values()] + [float(partD_power.value)]
    _ys = [c["tokens_per_s"] for c in _runs.values()] + [float(partD_target.value)]
    charts.log_axes(_fig, xs=_xs, ys=_ys, pad=0.35)
    _nice = [m * 10.0 ** k for k in range(-1, 4) for m in (1, 2, 5)]
    _fig.update_xaxes(tickvals=[v for v in _nice if min(_xs) / 3 <= v <= max(_xs) * 3],
                      ticktext=[U.fmt_number(v) for v in _nice if min(_xs) / 3 <= v <= max(_xs) * 3])
    _fig.update_yaxes(tickvals=[v for v in _nice if min(_ys) / 3 <= v <= max(_ys) * 3],
                      ticktext=[U.fmt_number(v) for v in _nice if min(_ys) / 3 <= v <= max(_ys) * 3])
    charts.reference_line(_fig, float(partD_target.value), f"speed target {U.fmt_number(partD_target.value)} tokens/s",
                          color=charts.COLOR["limit"], dash="dot")
    charts.reference_line(_fig, float(partD_power.value), f"bay envelope {U.fmt_watts(partD_power.value)}", axis="x",
                          color=charts.COLOR["limit"], dash="dot")
    if partD_result.choice in _runs:
        _p = _runs[partD_result.choice]
        charts.mark_point(_fig, _p["device"].tdp_w, _p["tokens_per_s"], f"your prediction: {partD_result.label}")
    else:  # a pick with no point on the chart (no board, or a part that cannot run the model)
        _why = ("cannot run this model here" if partD_result.choice in partD_all else "no part meets all three")
        _fig.add_annotation(x=0.01, xref="paper", y=0.99, yref="paper", xanchor="left", yanchor="top",
                            showarrow=False, text=f"your prediction: {partD_result.label} ({_why})",
                            bordercolor=charts.COLOR["highlight"], borderwidth=1)
    _c = partD_check
    _dev = _c["device"]
    _banners = []
    if "cannot run" in _c["violations"]:
        _banners.append(ui.failure_banner("Cannot run", what=f"the {_dev.name} has no way to run this model",
                                          by=_c["reason"], fix="pick a part with DRAM and units for the format"))
    if "OOM" in _c["violations"]:
        _e = _c["est"]
        _usable = _e.capacity_bytes * _e.assumptions["memory_fraction"]
        _banners.append(ui.failure_banner("OOM", what=f"{U.fmt_bytes(_e.memory_bytes)} needed, "
                                                      f"{U.fmt_bytes(_usable)} usable on the {_dev.name}",
                                          by=U.fmt_bytes(_e.memory_bytes - _usable),
                                          fix="quantize the weights further or pick a part with more memory"))
    if "too slow" in _c["violations"]:
        _banners.append(ui.failure_banner(
            "Too slow", what=f"{U.fmt_number(_c['tokens_per_s'])} tokens/s against a target of "
                             f"{U.fmt_number(partD_target.value)}",
            by=U.fmt_ratio(float(partD_target.value) / _c["tokens_per_s"]),
            fix="a part with more memory bandwidth, fewer bytes per weight, or a smaller model"))
    if "thermal" in _c["violations"]:
        _banners.append(ui.failure_banner(
            "Power/thermal limit", what=f"the {_dev.name} draws up to {U.fmt_watts(_dev.tdp_w)}; the sealed bay sheds "
                                        f"{U.fmt_watts(partD_power.value)}",
            by=U.fmt_watts(_dev.tdp_w - float(partD_power.value)),
            fix="a lower-power part, a larger heat sink or forced air (a bigger envelope)"))
    if "over budget" in _c["violations"]:
        _banners.append(ui.failure_banner(
            "Over budget", what=f"the {_dev.name} costs "
                                f"{usd(_dev.purchase_price) if _dev.purchase_price else 'an unlisted price'}; the "
                                f"budget is {usd(partD_budget.value)}",
            by=usd(_dev.purchase_price - float(partD_budget.value)) if _dev.purchase_price else "an unknown amount",
            fix="a cheaper part, or a case for a larger budget"))
    if not _banners:
        _banners.append(ui.banner("ok", "Meets every budget",
                                  f"The {_dev.name}: {U.fmt_number(_c['tokens_per_s'])} tokens/s at up to "
                                  f"{U.fmt_watts(_dev.tdp_w)} for {usd(_dev.purchase_price)}."))
    _bars = []
    if _c["est"] is not None:
        _bars.append(ui.slo_bar("speed", _c["tokens_per_s"], float(partD_target.value), unit="tokens/s",
                                fmt=U.fmt_number, higher_is_better=True))
    _bars.append(ui.slo_bar("power at full load", _dev.tdp_w, float(partD_power.value), unit="W", fmt=U.fmt_number))
    if _dev.purchase_price:
        _bars.append(ui.slo_bar("unit price", _dev.purchase_price, float(partD_budget.value), unit="USD",
                                fmt=lambda v: U.fmt_number(v, 4)))
    _rows = [dict(tier="edge", title=c["device"].name, status="ok" if c["feasible"] else "fail",
                  lines=[(f"{U.fmt_number(c['tokens_per_s'])} tokens/s" if c["est"] else "cannot run this model"),
                         f"{U.fmt_watts(c['device'].tdp_w)}, "
                         + (usd(c["device"].purchase_price) if c["device"].purchase_price else "price not listed"),
                         ("meets every budget" if c["feasible"] else "fails: " + ", ".join(c["violations"]))])
             for c in partD_all.values()]
    mo.vstack([
        _controls, _fig, ui.slo_bars(*_bars),
        ui.cards(
            ui.metric_card("energy per token", f"{U.fmt_number(_c['joules_per_token'])} J"
                           if _c["joules_per_token"] else "no estimate", "full-load power / tokens/s (TDP proxy)"),
            ui.metric_card("memory bandwidth", f"{U.fmt_bytes(_dev.memory_bw)}/s" if _dev.memory_bw else "no DRAM",
                           "what sets decode speed"),
        ),
        *_banners,
        ui.tier_panel(_rows),
    ])
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "choosing under budgets",
        [r"\text{tokens/s} = \frac{1}{t_\text{token}}, \quad t_\text{token} \approx "
         r"\frac{N\, b + \text{KV}(C)}{BW\, \eta_\text{mem}} + t_\text{dispatch}",
         r"\text{feasible} \iff \text{fits} \,\wedge\, \text{tokens/s} \ge T \,\wedge\, P_\text{TDP} \le P_\text{bay}"
         r" \,\wedge\, \text{price} \le \text{budget}",
         r"E_\text{token} = \frac{P_\text{TDP}}{\text{tokens/s}} \quad\text{(an upper-bound proxy: full-load power)}"],
        [(f"{P.get_device(d).name}: BW, TDP, price",
          f"{U.fmt_bytes(P.get_device(d).memory_bw) + '/s' if P.get_device(d).memory_bw else 'no DRAM'}, "
          f"{U.fmt_watts(P.get_device(d).tdp_w)}, "
          f"{usd(P.get_device(d).purchase_price) if P.get_device(d).purchase_price else 'not listed'}",
          P.get_device(d).sources[0]) for d in PART_D_CANDIDATES]
        + [("power modes", "maximum (TDP)", "Jetson modules also run capped modes (e.g. 15-60 W) at lower clocks; "
                                            "not modelled here")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    _h = P.get_device("h100-sxm")
    ui.takeaways(
        ["An accelerator's speed on a kernel is min(peak, intensity x bandwidth): FLOP/s only matter above the "
         "ridge point.",
         "LLM decode at small batch reads every weight per token: it is bandwidth-bound, so twice the FLOP/s "
         "changes almost nothing while more bandwidth helps nearly in proportion.",
         "Batching reuses each weight once per sequence: a decode GEMM's intensity grows about linearly with the "
         "batch until it crosses the ridge (hundreds of sequences on a data-center GPU); attention's KV reads grow "
         "with the batch too, so at long contexts the whole decode step stays memory-bound.",
         "Ridge points are ratios: a smaller, bandwidth-poor part can need more reuse than a flagship. Always use "
         "dense peaks; 2:4-sparse headlines are twice the dense figure.",
         "Choose accelerators against every budget at once (speed, power, price, memory); TOPS per watt means "
         "nothing when the weights do not fit."],
        [(f"What is the {_h.name}'s dense bf16 ridge point?",
          f"{U.fmt_flops(_h.peak('bf16'))} / {U.fmt_bytes(_h.memory_bw)}/s = "
          f"{U.fmt_number(_h.ridge_point)} FLOP/byte."),
         ("Why does fp8 barely move the batch at which the FFN GEMM crosses the ridge?",
          "fp8 doubles the peak and halves the bytes per weight: the ridge doubles and so does the intensity at "
          "each batch.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Sofía has to order the robot's accelerator this week. Write her a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_actual,
    partA_batch,
    partA_oom,
    partA_result,
    partB_actual,
    partB_result,
    partC_answer,
    partC_result,
    partC_ridges,
    partD_answer,
    partD_budget,
    partD_check,
    partD_device,
    partD_model,
    partD_power,
    partD_precision,
    partD_result,
    partD_target,
):
    _violations = [f"{v}: {partD_check['device'].name}" for v in partD_check["violations"]]
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions={"accelerator": partD_device.value, "model": partD_model.value, "precision": partD_precision.value,
                   "power_envelope_w": float(partD_power.value), "budget_usd": float(partD_budget.value),
                   "min_tokens_per_s": float(partD_target.value)},
        outcomes={"decode_speedup_2x_flops": partA_actual, "gemm_ridge_batch": partB_actual,
                  "highest_ridge_device": partC_answer, "ridge_h100_bf16": partC_ridges["h100-sxm"],
                  "feasible_accelerator": partD_answer, "accelerator_feasible": partD_check["feasible"],
                  "accelerator_tokens_per_s": partD_check["tokens_per_s"],
                  "accelerator_joules_per_token": partD_check["joules_per_token"]},
        constraints=([f"OOM: {partA_batch.value} streams"] if partA_oom and partA_result else [])
        + (_violations if partD_result else []),
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
