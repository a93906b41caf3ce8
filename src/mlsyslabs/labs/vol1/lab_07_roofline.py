"""v1.07 Frameworks and the Roofline.

Four parts and a synthesis. Part A: fusing an elementwise chain against a chip with more
FLOP/s (fusion removes memory round trips and launches, never arithmetic). Part B: where a
real transformer layer's operators sit against the ridge point. Part C: per-kernel dispatch
on an edge GPU, eager against compiled, and the latency SLO it breaks. Part D: what a real
compile (seconds to minutes, a measured TensorRT build) costs and how many runs repay it.

Against the reference lab ("The Framework Tax"): its dispatch tax, compile repayment and
"what fusion removes" parts are Parts C, D and A here, with the compile cost measured in
seconds rather than built from millisecond dispatch costs; its graph breaks and dynamic
shapes appear as recompiles in Part D; its recomputation part is replaced by v1.08 (The
Training Memory Wall: activation checkpointing against device memory); its operator-support
part (fallback paths) is left to the frameworks chapter's reading, since its answer is a
property of a runtime's operator table, not physics. Peaks are dense: the 2:4-sparse peak
is a separate registry field and is never used here.
"""
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_07.py).
    import math

    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import frameworks as F

    LAB = get_lab("v1.07")
    INF = float("inf")

    # Part A: the bias-add, GELU and residual-add tail of an FFN block over a batch's
    # activations (8 sequences x 2,048 tokens x Llama 3 8B's hidden size) on an H100.
    PART_A = dict(device="h100-sxm", precision="bf16", n_ops=3, peak_scale=2.0,
                  elements=8 * 2048 * P.get_workload("llama3-8b").hidden)
    # Each option names a (fusion speedup, faster-chip speedup) pair; the implied value is
    # fusion's advantage over the faster chip (their ratio).
    PART_A_OPTIONS = {
        "The faster chip: about 2x from double the FLOP/s; fusion about 1x (the arithmetic is the same)": "chip",
        "Fusion: about 3x from fusing; double the FLOP/s about 1x": "fusion",
        "Both help: fusion about 3x and double the FLOP/s about 2x": "both",
        "Neither: both about 1x; the chain is already as fast as it can be": "neither",
    }
    PART_A_IMPLIED = {"chip": 1 / 2, "fusion": 3.0, "both": 3 / 2, "neither": 1.0}
    PART_A_DEVICES = ["h100-sxm", "a100-80gb", "l4", "jetson-orin-nx-16gb", "a17-pro", "raspberry-pi-5"]
    PART_A_SIZES = [10_000, 100_000, 1_000_000, 10_000_000, PART_A["elements"], 1_000_000_000]

    # Part B: prefilling one 512-token prompt of Llama 3 8B in bf16 on an H100.
    PART_B = dict(model="llama3-8b", device="h100-sxm", precision="bf16", tokens=512)
    PART_B_MODELS = ["llama3-8b", "gpt2-small", "phi3-mini", "llama3-70b"]
    PART_B_DEVICES = ["h100-sxm", "a100-80gb", "l4", "jetson-orin-nx-16gb", "a17-pro"]
    PART_B_TOKENS = [1, 8, 32, 128, 512, 2048, 8192, 32768]

    # Part C: a MobileNetV2 obstacle detector at batch 1 in eager mode on a Jetson Orin NX,
    # with 1 ms of the robot's frame budget.
    PART_C = dict(model="mobilenetv2", device="jetson-orin-nx-16gb", precision="fp16", mode="eager", batch=1)
    PART_C_SLO_S = 1e-3
    PART_C_OPTIONS = {"Under 10%: the convolutions dominate": "lt10", "10-35%": "10-35", "35-65%": "35-65",
                      "Over 65%: dispatch dominates": "gt65"}
    PART_C_BANDS = [(0.10, "lt10"), (0.35, "10-35"), (0.65, "35-65"), (INF, "gt65")]
    PART_C_IMPLIED = {"lt10": 5.0, "10-35": 22.5, "35-65": 50.0, "gt65": 82.5}  # percent, band middles
    PART_C_MODELS = ["mobilenetv2", "efficientnet-b0", "resnet18", "resnet50", "yolov8n", "ds-cnn-kws"]
    PART_C_DEVICES = ["jetson-orin-nx-16gb", "jetson-orin-nano", "jetson-agx-orin", "h100-sxm", "raspberry-pi-5"]
    MODE_LABELS = {"eager": "eager (one kernel per op)", "compiled": "compiled (fused kernels)",
                   "compiled-graph": "compiled + CUDA graph"}

    # Part D: compiling Part C's detector (TensorRT build, measured seconds) for a 30 frame/s camera.
    PART_D = dict(compile_s=F.COMPILE_SECONDS, recompiles=0, target="compiled-graph", fps=30, job_s=8 * 3600)
    PART_D_OPTIONS = {"Under 10 seconds of video": "secs", "10 seconds to 5 minutes": "mins",
                      "5 minutes to 2 hours": "hours", "Over 2 hours": "day"}
    PART_D_BANDS = [(10.0, "secs"), (300.0, "mins"), (7200.0, "hours"), (INF, "day")]
    PART_D_IMPLIED = {"secs": 3.0, "mins": 55.0, "hours": 1200.0, "day": 20000.0}  # seconds, log band middles
    PART_D_COMPILE_STEPS = [1.0, 5.0, 15.0, F.COMPILE_SECONDS, 60.0, 120.0, 300.0, 600.0, 1800.0]
    PART_D_JOB_STEPS = [10, 60, 600, 3600, 8 * 3600, 24 * 3600, 7 * 24 * 3600]


@app.function
def chain_times(device: str, precision: str, elements: float, n_ops: int, peak_scale: float):
    """Eager chain, fused chain, and eager chain on a chip with peak_scale x the FLOP/s."""
    kw = dict(elements=elements, n_ops=n_ops, device=device, precision=precision)
    return (F.elementwise_chain(**kw), F.elementwise_chain(**kw, fused=True),
            F.elementwise_chain(**kw, peak_scale=peak_scale))


@app.function
def speedups(device: str, precision: str, elements: float, n_ops: int, peak_scale: float) -> tuple:
    """(fusion speedup, faster-chip speedup) of the chain."""
    eager, fused, faster = chain_times(device, precision, elements, n_ops, peak_scale)
    return eager.time_s / fused.time_s, eager.time_s / faster.time_s


@app.function
def part_a_choice(fusion: float, chip: float, n_ops: int = PART_A["n_ops"],
                  peak_scale: float = PART_A["peak_scale"]) -> str:
    """The option whose pair is nearest: each speedup is 'about 1x' below the geometric
    middle of 1 and its full value (n_ops for fusion, peak_scale for the chip)."""
    big_f = fusion >= math.sqrt(n_ops)
    big_c = chip >= math.sqrt(peak_scale)
    pairs = {(True, True): "both", (True, False): "fusion", (False, True): "chip", (False, False): "neither"}
    return pairs[(big_f, big_c)]


@app.function
def part_a_answer() -> tuple:
    f, c = speedups(PART_A["device"], PART_A["precision"], PART_A["elements"], PART_A["n_ops"], PART_A["peak_scale"])
    return f, c, part_a_choice(f, c)


@app.function
def layer_ops(model: str, tokens: int, precision: str) -> list:
    """Operators sorted by arithmetic intensity, highest first."""
    return sorted(F.transformer_layer_ops(model, tokens=tokens, precision=precision), key=lambda o: -o.intensity)


@app.function
def spec_ridge(device: str, precision: str) -> float:
    """Ridge point from the spec sheet: dense peak / bandwidth (FLOP per byte)."""
    d = P.get_device(device)
    return P.ridge_point(d.peak(precision), d.require("memory_bw"))


@app.function
def compute_bound_count(model: str, device: str, precision: str, tokens: int) -> int:
    ridge = spec_ridge(device, precision)
    return sum(op.intensity >= ridge for op in layer_ops(model, tokens, precision))


@app.function
def part_b_options() -> dict:
    """'None', 'only the highest-intensity op', ... 'all four', named from the scenario's ops."""
    names = [op.name for op in layer_ops(PART_B["model"], PART_B["tokens"], PART_B["precision"])]
    opts = {"No operator: everything on a GPU waits on memory": "0"}
    for k in range(1, len(names)):
        opts[f"Only the {names[0]}" if k == 1 else f"The {', '.join(names[:k - 1])} and {names[k - 1]}"] = str(k)
    opts[f"All {len(names)}: the GPU has FLOP/s to spare"] = str(len(names))
    return opts


@app.function
def part_b_answer() -> int:
    return compute_bound_count(PART_B["model"], PART_B["device"], PART_B["precision"], PART_B["tokens"])


@app.function
def part_c_runs(model: str, device: str, precision: str, batch: int) -> dict:
    return {m: F.framework_inference(model, device, mode=m, batch=batch, precision=precision) for m in F.MODES}


@app.function
def part_c_answer() -> float:
    """Dispatch share of the scenario's eager latency."""
    return part_c_runs(PART_C["model"], PART_C["device"], PART_C["precision"], PART_C["batch"])[PART_C["mode"]] \
        .dispatch_share


@app.function
def slo_broken(latency_s: float, slo_s: float = PART_C_SLO_S) -> bool:
    return latency_s > slo_s


@app.function
def break_even(compile_s: float, recompiles: int, target: str) -> dict:
    """Runs and seconds of camera time after which compiling Part C's detector pays back."""
    runs = part_c_runs(PART_C["model"], PART_C["device"], PART_C["precision"], PART_C["batch"])
    n = F.compile_break_even(compile_s=compile_s, eager_run_s=runs["eager"].time_s,
                             compiled_run_s=runs[target].time_s, recompiles=recompiles)
    return {"runs": n, "seconds": n / PART_D["fps"], "eager_s": runs["eager"].time_s,
            "compiled_s": runs[target].time_s}


@app.function
def part_d_answer() -> dict:
    return break_even(PART_D["compile_s"], PART_D["recompiles"], PART_D["target"])


@app.function
def profile_source(profile, key: str) -> str:
    """The efficiency profile's source line for one of its constants."""
    return next((s for s in profile.sources if key in s), profile.sources[0])


@app.function
def names(ids: list, get) -> dict:
    return {get(i).name: i for i in ids}


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="Arithmetic intensity, the ridge point, fusion, kernel dispatch, and what compiling costs.",
        parts=["Part A: fuse or buy FLOP/s?", "Part B: a layer on the roofline", "Part C: dispatch on the edge",
               "Part D: when compiling pays"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    mo.md(r"""
    A kernel's time is set by whichever it runs out of first: arithmetic or memory
    traffic. The **roofline** draws that limit: attainable FLOP/s is the smaller of the
    peak and the **arithmetic intensity** (FLOPs per byte moved) times the bandwidth.
    Frameworks change where your operators sit on it, by fusing operators, by how many
    kernels they launch, and by compiling ahead of time.
    """)
    return


@app.cell
def _():
    ui.section("Part A: Fuse, or buy FLOP/s?", 12)
    return


@app.cell
def _():
    _d = P.get_device(PART_A["device"])
    ui.stakeholder(
        "Priya Raman",
        "ML infrastructure lead",
        f"The profiler shows our FFN tail (bias add, GELU, residual add: {PART_A['n_ops']} elementwise kernels over "
        f"{U.fmt_count(PART_A['elements'])} {PART_A['precision']} elements) is slow on the {_d.name}. Procurement "
        f"says a next-generation part with {U.fmt_ratio(PART_A['peak_scale'])} the FLOP/s (same memory bandwidth) "
        "fixes it; our compiler team says fusing the three ops into one kernel does. Which buys more?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"Speedup of the {PART_A['n_ops']}-op chain: fused into one kernel, or on a chip with "
        f"{U.fmt_ratio(PART_A['peak_scale'])} the FLOP/s?",
        PART_A_OPTIONS,
    )
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_fusion, partA_chip, _choice = part_a_answer()
    _eager, _fused, _ = chain_times(PART_A["device"], PART_A["precision"], PART_A["elements"], PART_A["n_ops"],
                                    PART_A["peak_scale"])
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Roofline", choice, _choice, option_values=PART_A_IMPLIED, actual=partA_fusion / partA_chip,
        unit="x (fusion speedup / faster-chip speedup)",
        explanation=(
            f"Fusion gives {U.fmt_ratio(partA_fusion)}; {U.fmt_ratio(PART_A['peak_scale'])} the FLOP/s gives "
            f"{U.fmt_ratio(partA_chip)}. Each elementwise op does about 1 FLOP per element but moves "
            f"{2 * P.bytes_per_element(PART_A['precision']):g} bytes (read and write), so its intensity is far "
            f"below the ridge point: the chain is memory-bound ({U.fmt_seconds(_eager.memory_time_s)} of traffic "
            f"against {U.fmt_seconds(_eager.compute_time_s)} of arithmetic). Fusing keeps the intermediate values in "
            f"registers: {U.fmt_bytes(_eager.bytes_moved)} of traffic becomes {U.fmt_bytes(_fused.bytes_moved)} "
            f"and {_eager.kernels} launches become 1. The FLOPs are unchanged."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_chip, partA_fusion, partA_result


@app.cell
def _():
    partA_device = mo.ui.dropdown(options=names(PART_A_DEVICES, P.get_device),
                                  value=P.get_device(PART_A["device"]).name, label="Device")
    partA_ops = mo.ui.slider(start=1, stop=8, value=PART_A["n_ops"], label="Elementwise ops in the chain",
                             show_value=True)
    partA_elements = mo.ui.slider(steps=PART_A_SIZES, value=PART_A["elements"], label="Tensor size (elements)",
                                  show_value=False)
    partA_scale = mo.ui.dropdown(options={U.fmt_ratio(s): s for s in (1.5, 2.0, 4.0, 10.0)},
                                 value=U.fmt_ratio(PART_A["peak_scale"]), label="Faster chip: FLOP/s multiplier")
    return partA_device, partA_elements, partA_ops, partA_scale


@app.cell
def _(partA_device, partA_elements, partA_ops, partA_result, partA_scale):
    mo.stop(partA_result is None, ui.locked("the fusion bench"))
    _controls = mo.vstack([mo.hstack([partA_device, partA_scale], wrap=True),
                           mo.hstack([partA_ops, partA_elements], wrap=True)])
    try:
        _eager, _fused, _faster = chain_times(partA_device.value, PART_A["precision"], partA_elements.value,
                                              partA_ops.value, partA_scale.value)
    except P.PhysicsError as _err:
        _out = mo.vstack([_controls, ui.banner("warn", "No answer from the engine", str(_err))])
    else:
        _labels = [f"eager: {partA_ops.value} kernels", "fused: 1 kernel",
                   f"eager on {U.fmt_ratio(partA_scale.value)} FLOP/s"]
        _runs = [_eager, _fused, _faster]
        _fig = go.Figure()
        for _term, _attr, _color in (("memory traffic", "memory_time_s", "data"), ("arithmetic", "compute_time_s",
                                     "compute"), ("kernel launches", "launch_s", "fixed")):
            _fig.add_trace(go.Bar(x=_labels, y=[getattr(r, _attr) for r in _runs], name=_term,
                                  marker_color=charts.COLOR[_color],
                                  text=[U.fmt_seconds(getattr(r, _attr)) for r in _runs], textposition="outside"))
        _pf = PART_A_IMPLIED[partA_result.choice]
        _pred_f = {"chip": 1.0, "fusion": 3.0, "both": 3.0, "neither": 1.0}[partA_result.choice]
        _pred_c = {"chip": 2.0, "fusion": 1.0, "both": 2.0, "neither": 1.0}[partA_result.choice]
        _fig.add_trace(go.Scatter(x=_labels[1:], y=[_eager.time_s / _pred_f, _eager.time_s / _pred_c],
                                  mode="markers", marker=dict(symbol="x", size=16, color=charts.COLOR["highlight"]),
                                  name=f"your prediction: {_pred_f:g}x fused, {_pred_c:g}x faster chip"))
        _fig.add_trace(go.Scatter(x=_labels, y=[r.time_s for r in _runs], mode="markers",
                                  marker=dict(symbol="line-ew", size=40,
                                              line=dict(width=3, color=charts.COLOR["limit"])),
                                  name="total time (the binding term + launches)"))
        charts.themed(_fig, title=f"Where the chain's time goes: {U.fmt_count(partA_elements.value)} elements, "
                                  f"{U.fmt_bytes(partA_elements.value * P.bytes_per_element(PART_A['precision']))} "
                                  "(log scale)", y="seconds", height=440)
        _fig.update_layout(barmode="group", margin=dict(t=120))
        _vals = [getattr(r, a) for r in _runs for a in ("memory_time_s", "compute_time_s", "launch_s", "time_s")]
        charts.log_axes(_fig, ys=_vals + [_eager.time_s / 3], pad=0.5)
        _f, _c = _eager.time_s / _fused.time_s, _eager.time_s / _faster.time_s
        _out = mo.vstack([
            _controls,
            _fig,
            ui.cards(
                ui.metric_card("fusion speedup", U.fmt_ratio(_f), f"{U.fmt_bytes(_eager.bytes_moved)} to "
                                                                 f"{U.fmt_bytes(_fused.bytes_moved)} moved"),
                ui.metric_card("faster-chip speedup", U.fmt_ratio(_c), f"{U.fmt_ratio(partA_scale.value)} the FLOP/s"),
                ui.metric_card("eager chain is bound by", _eager.bound,
                               f"{U.fmt_seconds(_eager.time_s)} per pass, {U.fmt_count(_eager.flops)} FLOPs"),
            ),
            mo.md(f"Tiny tensors are launch-bound: fusing still pays, by removing launches. "
                  f"Your prediction implied fusion beats the chip by {U.fmt_ratio(_pf)}."),
        ])
    _out
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    _d = P.get_device(PART_A["device"])
    _p = P.efficiency.profile(_d)
    ui.math_peek(
        "an elementwise chain, eager and fused",
        [r"T = \max\left(\frac{D}{BW\,\eta_m},\ \frac{O}{R\,\eta_c}\right) + k\,t_\text{kernel}",
         r"\text{eager: } D = 2\,n\,N\,b,\quad k = n \qquad \text{fused: } D = 2\,N\,b,\quad k = 1",
         r"O = n\,N \text{ in both: fusion removes traffic and launches, never FLOPs}"],
        [(f"{_d.name} dense {PART_A['precision']} peak R", U.fmt_flops(_d.peak(PART_A["precision"])), _d.sources[0]),
         (f"{_d.name} memory bandwidth BW", U.fmt_bytes(_d.memory_bw) + "/s", _d.sources[0]),
         ("efficiencies eta_c, eta_m", f"{_p.compute:g}, {_p.memory:g}", _p.sources[0]),
         ("per-kernel time", U.fmt_seconds(_p.per_kernel_s), profile_source(_p, "per_kernel")),
         ("2:4-sparse peak", "not used", "registry field sparse_peak_flops: a dense chain cannot use it")],
    )
    return


@app.cell
def _():
    ui.section("Part B: A transformer layer on the roofline", 12)
    return


@app.cell
def _():
    _m, _d = P.get_workload(PART_B["model"]), P.get_device(PART_B["device"])
    ui.stakeholder(
        "Tomás Reyes",
        "Performance engineer, inference platform",
        f"We prefill {PART_B['tokens']}-token prompts of {_m.name} in {PART_B['precision']} on the {_d.name}, "
        f"which peaks at {U.fmt_flops(_d.peak(PART_B['precision']))} dense. Before I pick which kernels to tune, tell "
        "me which of four operators in each layer are limited by arithmetic and which by memory traffic.",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"Which of these operators are compute-bound (above the {P.get_device(PART_B['device']).name}'s ridge point)?",
        part_b_options(),
    )
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_count = part_b_answer()
    _ops = layer_ops(PART_B["model"], PART_B["tokens"], PART_B["precision"])
    _ridge = spec_ridge(PART_B["device"], PART_B["precision"])
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Roofline", choice, str(partB_count), option_values={k: float(k) for k in part_b_options().values()},
        actual=float(partB_count), unit="compute-bound operators",
        explanation=(
            f"The ridge point is {U.fmt_number(_ridge)} FLOP/byte. Intensities: "
            + "; ".join(f"{op.name} {U.fmt_number(op.intensity)}" for op in _ops)
            + ". A GEMM's intensity grows with the matrix sizes; the attention-score GEMM writes a "
            f"heads x tokens x tokens score matrix, so at {PART_B['tokens']} tokens it sits below the ridge "
            "(which is why FlashAttention fuses scores, softmax and the value product). Softmax and RMSNorm do a "
            "few FLOPs per element read and written: about 1 FLOP/byte at any size."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_count, partB_result


@app.cell
def _():
    partB_model = mo.ui.dropdown(options=names(PART_B_MODELS, P.get_workload),
                                 value=P.get_workload(PART_B["model"]).name, label="Model")
    partB_device = mo.ui.dropdown(options=names(PART_B_DEVICES, P.get_device),
                                  value=P.get_device(PART_B["device"]).name, label="Device")
    partB_precision = mo.ui.dropdown(options=["bf16", "fp8", "fp32"], value=PART_B["precision"], label="Precision")
    partB_tokens = mo.ui.slider(steps=PART_B_TOKENS, value=PART_B["tokens"], label="Tokens processed together",
                                show_value=True)
    return partB_device, partB_model, partB_precision, partB_tokens


@app.cell
def _(partB_device, partB_model, partB_precision, partB_result, partB_tokens):
    mo.stop(partB_result is None, ui.locked("the roofline plot"))
    _controls = mo.vstack([mo.hstack([partB_model, partB_device, partB_precision], wrap=True), partB_tokens])
    try:
        _d = P.get_device(partB_device.value)
        _peak, _bw = _d.peak(partB_precision.value), _d.require("memory_bw")
        _ops = layer_ops(partB_model.value, partB_tokens.value, partB_precision.value)
        _ridge = spec_ridge(partB_device.value, partB_precision.value)
    except P.PhysicsError as _err:
        _out = mo.vstack([_controls, ui.banner("warn", "No answer from the engine", str(_err))])
    else:
        _ais = [op.intensity for op in _ops]
        _lo, _hi = min(_ais + [_ridge]) / 10, max(_ais + [_ridge]) * 10
        _xs = [_lo * (_hi / _lo) ** (i / 60) for i in range(61)]
        _fig = go.Figure(go.Scatter(x=_xs, y=[P.attainable_flops(x, _peak, _bw) for x in _xs], mode="lines",
                                    name=f"roofline: {_d.name}, {partB_precision.value}",
                                    line=dict(color=charts.COLOR["series"], width=3)))
        _fig.add_trace(go.Scatter(
            x=_ais, y=[P.attainable_flops(a, _peak, _bw) for a in _ais], mode="markers+text",
            text=[op.name for op in _ops], textposition="bottom right", name="operators",
            marker=dict(size=12, color=[charts.COLOR["compute"] if a >= _ridge else charts.COLOR["data"]
                                        for a in _ais])))
        charts.themed(_fig, title="Attainable FLOP/s against arithmetic intensity (log-log)", x="FLOP per byte",
                      y="FLOP/s", height=440)
        charts.log_axes(_fig, xs=[_lo, _hi], ys=[P.attainable_flops(_lo, _peak, _bw), _peak], pad=0.3)
        charts.reference_line(_fig, _ridge, f"ridge {U.fmt_number(_ridge)} FLOP/byte", axis="x",
                              color=charts.COLOR["limit"], dash="solid")
        # The learner's answer as the ridge it implies: between their k-th and (k+1)-th op of the scenario.
        _sc = [op.intensity for op in layer_ops(PART_B["model"], PART_B["tokens"], PART_B["precision"])]
        _k = int(partB_result.choice)
        _implied = _sc[0] * 3 if _k == 0 else _sc[-1] / 3 if _k == len(_sc) else math.sqrt(_sc[_k - 1] * _sc[_k])
        charts.reference_line(_fig, _implied, f"your prediction: ridge near {U.fmt_number(_implied)}", axis="x")
        _n = sum(a >= _ridge for a in _ais)
        _out = mo.vstack([
            _controls,
            _fig,
            ui.cards(
                ui.metric_card("ridge point", f"{U.fmt_number(_ridge)} FLOP/byte",
                               f"{U.fmt_flops(_peak)} / {U.fmt_bytes(_bw)}/s"),
                ui.metric_card("compute-bound operators", f"{_n} of {len(_ops)}",
                               f"at {partB_tokens.value:,} tokens"),
                *[ui.metric_card(op.name, f"{U.fmt_number(op.intensity)} FLOP/byte",
                                 "compute-bound" if op.intensity >= _ridge else "memory-bound") for op in _ops],
            ),
        ])
    _out
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    _d = P.get_device(PART_B["device"])
    _m = P.get_workload(PART_B["model"])
    ui.math_peek(
        "arithmetic intensity of a layer's operators",
        [r"I = \frac{\text{FLOPs}}{\text{bytes moved}},\qquad I^{*} = \frac{R}{BW},\qquad "
         r"\text{attainable} = \min(R,\ I \cdot BW)",
         r"I_\text{GEMM}(m{\times}k \cdot k{\times}n) = \frac{2\,m\,n\,k}{b\,(m k + k n + m n)}",
         r"I_\text{softmax} = \frac{5}{2\,b},\qquad I_\text{RMSNorm} \approx \frac{4}{2\,b}"],
        [(f"{_d.name} dense {PART_B['precision']} peak R", U.fmt_flops(_d.peak(PART_B["precision"])), _d.sources[0]),
         (f"{_d.name} bandwidth BW", U.fmt_bytes(_d.memory_bw) + "/s", _d.sources[0]),
         (f"{_m.name}: hidden, FFN, heads, KV heads", f"{_m.hidden:,}, {_m.ffn:,}, {_m.heads}, {_m.kv_heads}",
          _m.sources[0]),
         ("FLOPs per element: softmax, RMSNorm", f"{F.SOFTMAX_FLOPS_PER_ELEMENT}, {F.RMSNORM_FLOPS_PER_ELEMENT}",
          "estimate: max, subtract, exp, sum, divide; square, sum, scale, weight")],
    )
    return


@app.cell
def _():
    ui.section("Part C: Dispatch on the edge", 10)
    return


@app.cell
def _():
    _m, _d = P.get_workload(PART_C["model"]), P.get_device(PART_C["device"])
    ui.stakeholder(
        "Aiko Tanaka",
        "Perception lead, warehouse robots",
        f"Our {_m.name} obstacle detector runs in eager PyTorch at batch {PART_C['batch']} on the robot's {_d.name} "
        f"in {PART_C['precision']}. It gets {U.fmt_seconds(PART_C_SLO_S)} of each frame and misses it. Half the team "
        "wants the bigger module with more TFLOP/s. How much of the latency is the convolutions at all?",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        "What share of the detector's eager latency is kernel dispatch (launches and runtime entry), "
        "not arithmetic or memory traffic?",
        PART_C_OPTIONS,
    )
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_share = part_c_answer()
    _run = part_c_runs(PART_C["model"], PART_C["device"], PART_C["precision"], PART_C["batch"])[PART_C["mode"]]
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Iron Law", choice, G.choice_for_value(partC_share, PART_C_BANDS), option_values=PART_C_IMPLIED,
        actual=partC_share * 100, unit="% of latency",
        explanation=(
            f"Eager mode launches {_run.kernels} kernels (convolution, batch-norm and activation each its own) at "
            f"{U.fmt_seconds(_run.per_kernel_s)} each: {U.fmt_seconds(_run.dispatch_s)} of dispatch against "
            f"{U.fmt_seconds(_run.busy_s)} of actual work, {partC_share:.0%} of {U.fmt_seconds(_run.time_s)}. "
            "A chip with more FLOP/s shrinks only the small part (Amdahl); fusing and replaying the kernels shrinks "
            "the large one."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_result, partC_share


@app.cell
def _():
    partC_model = mo.ui.dropdown(options=names(PART_C_MODELS, P.get_workload),
                                 value=P.get_workload(PART_C["model"]).name, label="Model")
    partC_device = mo.ui.dropdown(options=names(PART_C_DEVICES, P.get_device),
                                  value=P.get_device(PART_C["device"]).name, label="Device")
    partC_mode = mo.ui.radio(options={v: k for k, v in MODE_LABELS.items()}, value=MODE_LABELS[PART_C["mode"]],
                             label="Execution mode", inline=True)
    partC_batch = mo.ui.slider(start=1, stop=32, value=PART_C["batch"], label="Batch (frames per call)",
                               show_value=True)
    return partC_batch, partC_device, partC_mode, partC_model


@app.cell
def _(partC_batch, partC_device, partC_mode, partC_model):
    try:
        partC_runs = part_c_runs(partC_model.value, partC_device.value, PART_C["precision"], partC_batch.value)
        partC_error = None
    except P.PhysicsError as _err:
        partC_runs, partC_error = None, str(_err)
    partC_latency = partC_runs[partC_mode.value].time_s if partC_runs else None
    partC_broken = partC_runs is not None and slo_broken(partC_latency)
    return partC_broken, partC_error, partC_latency, partC_runs


@app.cell
def _(
    partC_batch,
    partC_broken,
    partC_device,
    partC_error,
    partC_latency,
    partC_mode,
    partC_model,
    partC_result,
    partC_runs,
):
    mo.stop(partC_result is None, ui.locked("the latency profiler"))
    _controls = mo.vstack([mo.hstack([partC_model, partC_device, partC_batch], wrap=True), partC_mode])
    if partC_runs is None:
        _out = mo.vstack([_controls, ui.banner("warn", "No answer from the engine", partC_error)])
    else:
        _modes = list(F.MODES)
        _labels = [MODE_LABELS[m] for m in _modes]
        _fig = go.Figure([
            go.Bar(x=_labels, y=[partC_runs[m].dispatch_s * 1e3 for m in _modes], name="dispatch",
                   marker_color=charts.COLOR["fixed"], text=[U.fmt_seconds(partC_runs[m].dispatch_s) for m in _modes],
                   textposition="inside"),
            go.Bar(x=_labels, y=[partC_runs[m].busy_s * 1e3 for m in _modes],
                   name="arithmetic or memory (the binding one)",
                   marker_color=charts.COLOR["data"], text=[U.fmt_seconds(partC_runs[m].busy_s) for m in _modes],
                   textposition="inside"),
        ])
        _pred = PART_C_IMPLIED[partC_result.choice] / 100 * partC_runs["eager"].time_s * 1e3
        _fig.add_trace(go.Scatter(x=[_labels[0]], y=[_pred], mode="markers", name="your predicted eager dispatch",
                                  marker=dict(symbol="x", size=16, color=charts.COLOR["highlight"])))
        charts.themed(_fig, title=f"Latency per call of {P.get_workload(partC_model.value).name}", y="milliseconds",
                      height=420)
        _fig.update_layout(barmode="stack")
        _top = max(max(r.time_s for r in partC_runs.values()), PART_C_SLO_S) * 1.15e3
        _fig.update_yaxes(range=[0, _top])
        charts.reference_line(_fig, PART_C_SLO_S * 1e3, f"SLO {U.fmt_seconds(PART_C_SLO_S)}",
                              color=charts.COLOR["limit"])
        _run = partC_runs[partC_mode.value]
        _banner = (
            ui.failure_banner(
                "LATENCY SLO",
                what=f"{MODE_LABELS[partC_mode.value]} takes {U.fmt_seconds(partC_latency)} per call against a "
                     f"{U.fmt_seconds(PART_C_SLO_S)} budget",
                by=f"{U.fmt_seconds(partC_latency - PART_C_SLO_S)} ({U.fmt_ratio(partC_latency / PART_C_SLO_S)} "
                   "the budget)",
                fix="compile (fewer, fused kernels), replay as a CUDA graph, or lower the batch",
            )
            if partC_broken
            else ui.banner("ok", "Within the SLO", f"{U.fmt_seconds(partC_latency)} of "
                                                   f"{U.fmt_seconds(PART_C_SLO_S)} per call.")
        )
        _out = mo.vstack([
            _controls,
            _fig,
            ui.cards(
                ui.metric_card("latency per call", U.fmt_seconds(partC_latency), MODE_LABELS[partC_mode.value],
                               "fail" if partC_broken else "ok"),
                ui.metric_card("dispatch share", f"{_run.dispatch_share:.0%}",
                               f"{_run.kernels} kernels x {U.fmt_seconds(_run.per_kernel_s)}"),
                ui.metric_card("frames per second", U.fmt_number(partC_batch.value / partC_latency),
                               f"batch {partC_batch.value}"),
            ),
            _banner,
        ])
    _out
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    _p = P.efficiency.profile(PART_C["device"])
    ui.math_peek(
        "dispatch overhead, eager and compiled",
        [r"T = \max\left(\frac{D}{BW\,\eta_m},\ \frac{O}{R\,\eta_c}\right) + t_\text{call} + k\,t_\text{kernel}",
         r"k_\text{eager} = 3 L \ (\text{conv, norm, activation}),\quad k_\text{compiled} = L,\quad "
         r"t_\text{kernel}^\text{graph} < t_\text{kernel}"],
        [("per-kernel time t_kernel (edge GPU)", U.fmt_seconds(_p.per_kernel_s), profile_source(_p, "per_kernel")),
         ("per-kernel time in a CUDA graph", U.fmt_seconds(_p.per_kernel_graph_s or _p.per_kernel_s),
          profile_source(_p, "per_kernel_graph")),
         ("per-call time t_call", U.fmt_seconds(_p.per_call_s), profile_source(_p, "per_call")),
         (f"{P.get_workload(PART_C['model']).name} weight layers L", str(P.get_workload(PART_C["model"]).layers),
          P.get_workload(PART_C["model"]).sources[0]),
         ("eager kernels per weight layer", str(F.EAGER_KERNELS_PER_CNN_LAYER),
          "estimate: convolution, batch-norm, activation; eager traffic between them is left out (a lower bound)")],
    )
    return


@app.cell
def _():
    ui.section("Part D: When does compiling pay?", 8)
    return


@app.cell
def _():
    ui.stakeholder(
        "Aiko Tanaka",
        "Perception lead, warehouse robots",
        f"So we compile: build a TensorRT engine and replay it as a CUDA graph. The build took "
        f"{U.fmt_seconds(PART_D['compile_s'])} on our workstation. The camera runs at {PART_D['fps']} frames/s. "
        "How much video must the robot process before that build has paid for itself?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction(
        f"Camera time at {PART_D['fps']} frames/s before the {U.fmt_seconds(PART_D['compile_s'])} build is repaid:",
        PART_D_OPTIONS,
    )
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_be = part_d_answer()
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", "Iron Law", choice, G.choice_for_value(partD_be["seconds"], PART_D_BANDS),
        option_values=PART_D_IMPLIED, actual=partD_be["seconds"], unit="s of camera time",
        explanation=(
            f"Each frame saves {U.fmt_seconds(partD_be['eager_s'] - partD_be['compiled_s'])} "
            f"({U.fmt_seconds(partD_be['eager_s'])} eager against {U.fmt_seconds(partD_be['compiled_s'])} compiled), "
            f"so the build is repaid after {U.fmt_count(partD_be['runs'])} frames: "
            f"{U.fmt_seconds(partD_be['seconds'])} of video. A compile costs seconds to minutes, not milliseconds; "
            "it pays in a deployment that runs for days, not in a notebook that runs a model a few times, and every "
            "recompile (a new input shape, a graph break) pays it again."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_be, partD_result


@app.cell
def _():
    partD_compile = mo.ui.slider(steps=PART_D_COMPILE_STEPS, value=PART_D["compile_s"],
                                 label="Compile time per build (s)", show_value=True)
    partD_recompiles = mo.ui.slider(start=0, stop=20, value=PART_D["recompiles"],
                                    label="Recompiles (new input shapes, graph breaks)", show_value=True)
    partD_target = mo.ui.radio(options={MODE_LABELS[m]: m for m in ("compiled", "compiled-graph")},
                               value=MODE_LABELS[PART_D["target"]], label="Compile to", inline=True)
    partD_job = mo.ui.slider(steps=PART_D_JOB_STEPS, value=PART_D["job_s"], label="Job length (s of camera time)",
                             show_value=True)
    return partD_compile, partD_job, partD_recompiles, partD_target


@app.cell
def _(partD_compile, partD_job, partD_recompiles, partD_target):
    partD_now = break_even(partD_compile.value, partD_recompiles.value, partD_target.value)
    _frames = partD_job.value * PART_D["fps"]
    partD_eager_total = F.total_time(runs=_frames, run_s=partD_now["eager_s"])
    partD_compiled_total = F.total_time(runs=_frames, run_s=partD_now["compiled_s"], compile_s=partD_compile.value,
                                        recompiles=partD_recompiles.value)
    partD_pays = partD_compiled_total < partD_eager_total
    return partD_compiled_total, partD_eager_total, partD_now, partD_pays


@app.cell
def _(
    partD_compile,
    partD_compiled_total,
    partD_eager_total,
    partD_job,
    partD_now,
    partD_pays,
    partD_recompiles,
    partD_result,
    partD_target,
):
    mo.stop(partD_result is None, ui.locked("the amortisation chart"))
    _xs = [10 ** (i / 10) for i in range(0, 61)]  # 1 s to 1e6 s of camera time
    _builds = partD_compile.value * (1 + partD_recompiles.value)
    _fig = go.Figure([
        go.Scatter(x=_xs, y=[x * PART_D["fps"] * partD_now["eager_s"] for x in _xs], mode="lines", name="eager",
                   line=dict(color=charts.COLOR["neutral"], width=3)),
        go.Scatter(x=_xs, y=[_builds + x * PART_D["fps"] * partD_now["compiled_s"] for x in _xs], mode="lines",
                   name=f"{MODE_LABELS[partD_target.value]}, builds included",
                   line=dict(color=charts.COLOR["series"], width=3)),
    ])
    charts.themed(_fig, title="GPU time spent against camera time (log-log; solid line: break-even)",
                  x="seconds of camera time",
                  y="seconds of GPU time", height=420)
    charts.log_axes(_fig, xs=_xs, ys=[_xs[0] * PART_D["fps"] * partD_now["compiled_s"],
                                      _builds + _xs[-1] * PART_D["fps"] * partD_now["eager_s"]], pad=0.1)
    _be = partD_now["seconds"]
    if math.isfinite(_be) and _be > 0:
        _fig.add_vline(x=_be, line_color=charts.COLOR["limit"], line_width=2)
    charts.reference_line(_fig, PART_D_IMPLIED[partD_result.choice], f"your prediction: {partD_result.label}",
                          axis="x")
    _banner = (ui.banner("ok", "Compiling pays on this job",
                         f"{U.fmt_seconds(partD_compiled_total)} of GPU time compiled against "
                         f"{U.fmt_seconds(partD_eager_total)} eager over {U.fmt_seconds(partD_job.value)} of video.")
               if partD_pays else
               ui.banner("warn", "Compiling loses on this job",
                         f"The job ends before the break-even ({U.fmt_seconds(_be)} of video): "
                         f"{U.fmt_seconds(partD_compiled_total)} compiled against {U.fmt_seconds(partD_eager_total)} "
                         "eager. Run eager, or cache the compiled engine so the build is paid once."))
    mo.vstack([
        mo.hstack([partD_compile, partD_recompiles], wrap=True),
        mo.hstack([partD_target, partD_job], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("break-even", f"{U.fmt_count(partD_now['runs'])} frames" if math.isfinite(_be) else "never",
                           f"{U.fmt_seconds(_be)} of video" if math.isfinite(_be) else "no per-frame saving"),
            ui.metric_card("builds paid", U.fmt_seconds(_builds), f"{1 + partD_recompiles.value} build(s)"),
            ui.metric_card("saving per frame", U.fmt_seconds(partD_now["eager_s"] - partD_now["compiled_s"]),
                           f"{U.fmt_seconds(partD_now['eager_s'])} eager"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "compile amortisation",
        [r"T_\text{eager}(n) = n\,t_\text{eager},\qquad T_\text{compiled}(n) = (1 + r)\,C + n\,t_\text{compiled}",
         r"n^{*} = \frac{(1 + r)\,C}{t_\text{eager} - t_\text{compiled}},\qquad "
         r"\text{camera time} = \frac{n^{*}}{\text{frame rate}}"],
        [("compile time C", U.fmt_seconds(F.COMPILE_SECONDS), F.COMPILE_SOURCE),
         ("frame rate", f"{PART_D['fps']} frames/s", "scenario: the robot's camera"),
         ("t_eager, t_compiled", "Part C's eager and CUDA-graph latencies", "efficiency model (see Part C)")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    ui.takeaways(
        [
            "Arithmetic intensity (FLOPs per byte) decides which roof binds: below the ridge point (peak / "
            "bandwidth) a faster chip's extra FLOP/s buys nothing.",
            "Elementwise ops, softmax and normalisation sit near 1 FLOP/byte: fusing them removes memory round trips "
            "and kernel launches; it never removes FLOPs.",
            "GEMMs are compute-bound only when all three matrix dimensions are large; the attention-score matrix and "
            "small batches pull them below the ridge.",
            "Small models at batch 1 are dispatch-bound: compiling (fewer fused kernels) and CUDA graphs cut the "
            "fixed cost that more TFLOP/s cannot.",
            "A compile costs seconds to minutes, paid again on every recompile; it pays only over enough runs.",
        ],
        [
            ("Why does doubling peak FLOP/s leave a memory-bound kernel as slow as before?",
             "Its time is bytes / bandwidth; the FLOP/s roof is not the one it touches."),
            ("What does a GEMM's intensity depend on?",
             "On m n k / (m k + k n + m n): large in every dimension means compute-bound; one small dimension "
             "(batch-1 decode, a thin matrix) pulls it toward the memory roof."),
            ("When is eager execution the right call?",
             "When a model runs too few times to repay the compile, during development, or when shapes change so "
             "often that every run recompiles."),
        ],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Aiko must choose: ship eager, compile the detector, or buy the bigger module. Write her a "
                     "short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_chip,
    partA_fusion,
    partA_result,
    partB_count,
    partB_result,
    partC_batch,
    partC_broken,
    partC_device,
    partC_latency,
    partC_mode,
    partC_model,
    partC_result,
    partC_share,
    partD_be,
    partD_compile,
    partD_pays,
    partD_recompiles,
    partD_result,
    partD_target,
):
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions={"execution_mode": partC_mode.value, "model": partC_model.value, "device": partC_device.value,
                   "batch": partC_batch.value, "compile_target": partD_target.value,
                   "compile_s": partD_compile.value, "recompiles": partD_recompiles.value},
        outcomes={"fusion_speedup": partA_fusion, "faster_chip_speedup": partA_chip,
                  "compute_bound_ops": partB_count, "eager_dispatch_share": partC_share,
                  "latency_s": partC_latency, "break_even_frames": partD_be["runs"],
                  "break_even_s": partD_be["seconds"], "compile_pays": partD_pays},
        constraints=([f"SLO: {partC_model.value} {partC_mode.value} on {partC_device.value}"]
                     if partC_broken and partC_result else []),
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
