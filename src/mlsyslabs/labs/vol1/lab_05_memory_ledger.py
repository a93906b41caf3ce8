import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_05.py).
    #
    # Against the reference lab (upstream lab_05 "Tensor Costs"): its Part A asked which
    # count grows most when a width doubles, where parameters and MACs differ only by the
    # biases (1.997x vs 2.000x); here Part A asks for the FLOPs of a forward pass, whose
    # options are a factor of two apart (1 MAC = 2 FLOPs). Its mixed-precision case omitted
    # the fp32 master copy; here training memory comes from the engine's training_memory
    # (16 bytes per parameter for mixed-precision Adam, master copy included). Memory is
    # checked against the device's own memory (SRAM on the microcontroller), never host RAM.
    # Its batching and numerics parts belong to v1.07 and v1.10; activation growth with
    # batch (Part C) and the microcontroller fit (Part D) replace them here.
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import memory as MEM
    from mlsyslabs.physics.workloads import mlp

    LAB = get_lab("v1.05")
    # The wearable's gesture classifier: a window of accelerometer samples in, one of a
    # few gestures out, through `depth` hidden layers of `hidden` units.
    GESTURE = dict(samples=128, axes=3, classes=8)
    GESTURE_IN = GESTURE["samples"] * GESTURE["axes"]
    GESTURE_SOURCE = "scenario: 128 samples x 3 axes in, 8 gestures out"
    # Part A: the network as deployed, one window.
    PART_A = dict(hidden=128, depth=2, batch=1)
    # Part A options: FLOPs of one forward pass as multiples of the parameter count,
    # shown as numbers (log-spaced alike, none stands out as the computed one).
    PART_A_MULTIPLES = {"x1": 1.0, "x2": 2.0, "x4": 4.0, "x8": 8.0}
    # Parts B and C: fine-tune a small language model on the team's own text.
    TUNE = dict(model="tinyllama-1.1b", seq_len=1024, precision="bf16", optimizer="adam")
    MODEL = P.get_workload(TUNE["model"])
    PART_B = dict(TUNE, device=P.TIER_REFERENCE["edge"], batch=1)
    PART_B_OPTIONS = {"about 2x": 2.0, "about 5x": 5.0, "about 10x": 10.0, "about 20x": 20.0}
    PART_C = dict(TUNE, device=P.TIER_REFERENCE["cloud"])
    PRECISIONS = {"bf16 weights, fp32 master copy (mixed precision)": "bf16", "fp32 throughout": "fp32"}
    OPTIMIZERS = {"SGD (no state)": "sgd", "SGD with momentum (1 value)": "momentum", "Adam (2 values)": "adam"}
    BATCH_MAX = 64  # Part C's batch slider
    # Part D: personalise the gesture network on the wearable's microcontroller.
    PART_D = dict(depth=2, batch=8, optimizer="adam", mode="train", device=P.TIER_REFERENCE["tiny"])
    PART_D_CURRENT = PART_A["hidden"]  # the width that ships today (int8 inference)
    PART_D_OPTIONS = {"16 units": 16, "32 units": 32, "64 units": 64, "128 units": 128, "256 units": 256}
    MODES = {"Train on the device (fp32: weights, gradients, optimizer state in SRAM)": "train",
             "Inference only (int8 weights in flash, activations in SRAM)": "infer"}
    WIDTH_MAX = 512  # Part D's width slider


@app.function
def pct(fraction: float, digits: int = 2) -> str:
    """A fraction as a percentage with `digits` significant figures: 0.987 -> '99%'."""
    return f"{U.fmt_number(100 * fraction, digits)}%"


@app.function
def kib(n: float) -> str:
    """Microcontroller memory in binary units, as SRAM is specified."""
    return U.fmt_bytes(n, binary=True)


@app.function
def gesture_sizes(hidden: int, depth: int) -> list:
    """Layer widths of the gesture network."""
    return [GESTURE_IN] + [int(hidden)] * int(depth) + [GESTURE["classes"]]


@app.function
def count(hidden: int, depth: int, batch: int) -> dict:
    """Parameters, MACs, FLOPs (2 per MAC) and activations of the gesture network, layer by layer."""
    sizes = gesture_sizes(hidden, depth)
    net = mlp("gesture-mlp", "gesture network", sizes, [GESTURE_SOURCE])
    layers = [mlp(f"layer-{i}", f"layer {i}", [a, b], [GESTURE_SOURCE])
              for i, (a, b) in enumerate(zip(sizes, sizes[1:]), 1)]
    return dict(sizes=sizes, net=net, layers=layers, params=net.params, macs=net.macs * batch,
                flops=net.flops * batch,
                live=MEM.mlp_activation_bytes(sizes, batch=batch, precision="int8"),  # one byte per value
                stored=MEM.mlp_activation_bytes(sizes, batch=batch, precision="int8", training=True))


@app.function
def part_a_options() -> dict:
    """Option text -> key: FLOPs of one window as multiples of the parameter count, in numbers."""
    n = count(**PART_A)["params"]
    return {f"about {U.fmt_count(k * n, digits=2)} FLOPs": key for key, k in PART_A_MULTIPLES.items()}


@app.function
def part_a_answer() -> str:
    c = count(**PART_A)
    return G.closest_option(PART_A_MULTIPLES, c["flops"] / c["params"])


@app.function
def memory_pair(model: str, device: str, batch: int, seq_len: int, precision: str, optimizer: str) -> dict:
    """The same model served (one prefill of seq_len tokens) and fine-tuned, on one device."""
    dev = P.get_device(device)
    served = P.estimate(model, dev, phase="prefill", batch=batch, seq_len=seq_len, precision=precision)
    tuned = P.training_memory(model, batch=batch, seq_len=seq_len, precision=precision, optimizer=optimizer)
    usable = dev.require("memory_bytes") * P.DEFAULT_MEMORY_FRACTION
    return dict(device=dev, served=served, tuned=tuned, usable=usable, ratio=tuned.total_bytes / served.memory_bytes,
                serve_oom=served.memory_bytes > usable, train_oom=tuned.total_bytes > usable)


@app.function
def part_b_ratio() -> float:
    return memory_pair(**PART_B)["ratio"]


@app.function
def training_states(t) -> float:
    """Weights + gradients + optimizer state + master copy: what does not grow with batch."""
    return t.weights_bytes + t.gradient_bytes + t.optimizer_bytes + t.master_weights_bytes


@app.function
def max_batch(model: str, device: str, seq_len: int, precision: str, optimizer: str) -> int:
    """Largest batch whose training memory fits the device's usable memory (0: not even one)."""
    usable = P.get_device(device).require("memory_bytes") * P.DEFAULT_MEMORY_FRACTION

    def total(b):
        return P.training_memory(model, batch=b, seq_len=seq_len, precision=precision,
                                 optimizer=optimizer).total_bytes

    one = P.training_memory(model, batch=1, seq_len=seq_len, precision=precision, optimizer=optimizer)
    b = max(0, int((usable - training_states(one)) // one.activation_bytes))
    while b >= 1 and total(b) > usable:
        b -= 1
    while total(b + 1) <= usable:
        b += 1
    return b


@app.function
def part_c_batch() -> int:
    return max_batch(**PART_C)


@app.function
def mcu_plan(hidden: int, depth: int, batch: int, optimizer: str, mode: str, device: str) -> dict:
    """The gesture network on a microcontroller: training keeps weights, gradients,
    optimizer state and stored activations in SRAM (fp32, the FPU's format); inference
    reads int8 weights from flash and keeps two activation buffers in SRAM."""
    dev = P.get_device(device)
    sizes = gesture_sizes(hidden, depth)
    sram = dev.require("sram_bytes") * P.DEFAULT_MEMORY_FRACTION
    flash = dev.require("flash_bytes") * P.DEFAULT_MEMORY_FRACTION
    if mode == "train":
        t = MEM.mlp_training_memory(sizes, batch=batch, precision="fp32", optimizer=optimizer)
        terms = {"weights": t.weights_bytes, "gradients": t.gradient_bytes, "optimizer state": t.optimizer_bytes,
                 "stored activations": t.activation_bytes}
        need, in_flash = t.total_bytes, 0.0
    else:
        net = mlp("gesture-mlp", "gesture network", sizes, [GESTURE_SOURCE])
        act = MEM.mlp_activation_bytes(sizes, batch=batch, precision="int8")
        terms = {"activation buffers": act}
        need, in_flash = act, P.weights_bytes(net, precision="int8")
    violations = []
    if need > sram:
        violations.append("SRAM overflow")
    if in_flash > flash:
        violations.append("flash overflow")
    return dict(device=dev, sizes=sizes, terms=terms, sram_need=need, sram=sram, flash_need=in_flash, flash=flash,
                violations=violations)


@app.function
def max_width(depth: int, batch: int, optimizer: str, mode: str, device: str, limit: int = 4096) -> int:
    """Widest hidden layer whose plan fits (memory grows with width: bisection); 0 if none."""
    if mcu_plan(1, depth, batch, optimizer, mode, device)["violations"]:
        return 0
    lo, hi = 1, limit
    if not mcu_plan(hi, depth, batch, optimizer, mode, device)["violations"]:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mcu_plan(mid, depth, batch, optimizer, mode, device)["violations"]:
            hi = mid
        else:
            lo = mid
    return lo


@app.function
def part_d_width() -> int:
    return max_width(**PART_D)


@app.function
def part_d_answer() -> str:
    """The widest option that trains in SRAM (the narrowest if none does)."""
    w = part_d_width()
    fitting = [k for k, v in PART_D_OPTIONS.items() if v <= w]
    return max(fitting, key=PART_D_OPTIONS.get) if fitting else min(PART_D_OPTIONS, key=PART_D_OPTIONS.get)


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB, subtitle="Count what a network holds and does, then add up what training keeps in memory.",
              parts=["Part A: count a network", "Part B: serving vs fine-tuning", "Part C: the batch you can afford",
                     "Part D: train on a microcontroller"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: Count a network", 10)
    return


@app.cell
def _():
    _sizes = gesture_sizes(PART_A["hidden"], PART_A["depth"])
    ui.stakeholder(
        "Lena Okafor", "Wearables firmware lead",
        f"Our gesture classifier reads a window of {GESTURE['samples']} accelerometer samples on "
        f"{GESTURE['axes']} axes ({GESTURE_IN} inputs), passes it through {PART_A['depth']} fully connected "
        f"hidden layers of {PART_A['hidden']} units, and picks one of {GESTURE['classes']} gestures: widths "
        f"{' -> '.join(str(s) for s in _sizes)}. Before we budget the battery: how much arithmetic is one "
        "window?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        "How many floating-point operations (FLOPs) does one forward pass over one window take?", part_a_options())
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_count = count(**PART_A)
    _n = partA_count["params"]
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Iron Law", choice, part_a_answer(),
        option_values={k: v * _n for k, v in PART_A_MULTIPLES.items()}, actual=partA_count["flops"], unit="FLOPs",
        explanation=(
            f"Each weight is used once per window in one multiply-accumulate (MAC), and a MAC is two FLOPs, a "
            f"multiply and an add. The network holds {U.fmt_count(_n)} parameters, of which "
            f"{U.fmt_count(partA_count['net'].macs)} are weights (the rest are biases), so one window costs "
            f"{U.fmt_count(partA_count['macs'])} MACs = {U.fmt_count(partA_count['flops'])} FLOPs, about twice the "
            "parameter count. Counting MACs as FLOPs halves every compute budget."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_count, partA_result


@app.cell
def _():
    # Opens on the network as deployed, one window (the scenario the reveal grades).
    partA_hidden = mo.ui.slider(8, 1024, step=8, value=PART_A["hidden"], label="Hidden width (units)",
                                show_value=True)
    partA_depth = mo.ui.slider(1, 6, value=PART_A["depth"], label="Hidden layers", show_value=True)
    partA_batch = mo.ui.slider(1, 256, value=PART_A["batch"], label="Windows per batch", show_value=True)
    return partA_batch, partA_depth, partA_hidden


@app.cell
def _(partA_batch, partA_depth, partA_hidden, partA_result):
    mo.stop(partA_result is None, ui.locked("the network counter"))
    _c = count(partA_hidden.value, partA_depth.value, partA_batch.value)
    _names = ["parameters", "MACs", "FLOPs", "live activations (inference)", "stored activations (training)"]
    _values = [_c["params"], _c["macs"], _c["flops"], _c["live"], _c["stored"]]
    _fig = go.Figure(go.Bar(x=_names, y=_values, text=[U.fmt_count(v) for v in _values], textposition="outside",
                            marker_color=[charts.COLOR["neutral"], charts.COLOR["compute"], charts.COLOR["series"],
                                          charts.COLOR["fixed"], charts.COLOR["fixed"]], showlegend=False))
    charts.themed(_fig, title=f"Widths {' -> '.join(str(s) for s in _c['sizes'])}, batch {partA_batch.value} "
                              "(log scale)", y="count (log scale)")
    charts.log_axes(_fig, ys=_values + [partA_result.predicted], pad=0.6)
    _fig.update_yaxes(dtick=1)  # one label per decade
    charts.reference_line(_fig, partA_result.predicted, f"your prediction for one window: {partA_result.label}")
    _rows = [ui.metric_card(f"layer {i}: {a} -> {b}", f"{U.fmt_count(layer.params)} parameters",
                            f"{U.fmt_count(layer.macs * partA_batch.value)} MACs per batch")
             for i, (layer, a, b) in enumerate(zip(_c["layers"], _c["sizes"], _c["sizes"][1:]), 1)]
    mo.vstack([
        mo.hstack([partA_hidden, partA_depth, partA_batch], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("parameters", U.fmt_count(_c["params"]), "do not change with batch"),
            ui.metric_card("FLOPs per batch", U.fmt_count(_c["flops"]), f"2 x {U.fmt_count(_c['macs'])} MACs"),
            ui.metric_card("FLOPs per parameter", U.fmt_number(_c["flops"] / _c["params"] / partA_batch.value, 3),
                           "per window"),
            ui.metric_card("activations", f"{U.fmt_count(_c['live'])} live, {U.fmt_count(_c['stored'])} stored",
                           "values in flight for inference; kept for training"),
        ),
        ui.cards(*_rows),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "counting a fully connected network",
        [r"N = \sum_i \left(a_i\, b_i + b_i\right) \quad \text{(weights + biases of a layer } a_i \to b_i)",
         r"\text{MACs} = B \sum_i a_i\, b_i, \qquad \text{FLOPs} = 2 \times \text{MACs} \approx 2 N B",
         r"A_\text{live} = B \max_i (a_i + b_i), \qquad A_\text{stored} = B \sum_j w_j \quad \text{(all widths)}"],
        [("input width", f"{GESTURE_IN} values", GESTURE_SOURCE),
         ("FLOPs per MAC", "2", "one multiply and one add (the convention of the roofline and of MLPerf)"),
         ("live activations", "two buffers", MEM.MLP_ACTIVATION_SOURCES[0]),
         ("stored activations", "every layer input", MEM.MLP_ACTIVATION_SOURCES[1])],
    )
    return


@app.cell
def _():
    ui.section("Part B: Serving vs fine-tuning", 12)
    return


@app.cell
def _():
    _pair = memory_pair(**PART_B)
    ui.stakeholder(
        "Marco Ruiz", "Edge ML lead",
        f"We serve {MODEL.name} on a {_pair['device'].name}: {TUNE['seq_len']:,}-token prompts, bf16 weights, "
        f"{U.fmt_bytes(_pair['served'].memory_bytes)} in memory. Now we want to fine-tune it on our own support "
        f"tickets on the same board, with Adam in mixed precision, one {TUNE['seq_len']:,}-token sequence at a time. "
        "Same model, same board. How much more memory is that?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"Fine-tuning memory / serving memory for {MODEL.name} ({TUNE['seq_len']:,} tokens, batch 1)",
        {k: k for k in PART_B_OPTIONS})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_pair = memory_pair(**PART_B)
    _t, _s = partB_pair["tuned"], partB_pair["served"]
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Memory Wall", choice, G.closest_option(PART_B_OPTIONS, partB_pair["ratio"]),
        option_values=PART_B_OPTIONS, actual=partB_pair["ratio"], unit="x",
        explanation=(
            f"Serving holds the bf16 weights ({U.fmt_bytes(_s.weights_bytes)}), a KV cache and a few activations: "
            f"{U.fmt_bytes(_s.memory_bytes)}. Fine-tuning adds gradients ({U.fmt_bytes(_t.gradient_bytes)}), Adam's "
            f"two fp32 moments ({U.fmt_bytes(_t.optimizer_bytes)}) and an fp32 master copy "
            f"({U.fmt_bytes(_t.master_weights_bytes)}): {U.fmt_number(_t.bytes_per_param_states, 3)} bytes per "
            f"parameter instead of 2. On top come the activations kept for the backward pass "
            f"({U.fmt_bytes(_t.activation_bytes)}). Total {U.fmt_bytes(_t.total_bytes)}: "
            f"{U.fmt_ratio(partB_pair['ratio'])} the serving footprint, "
            + ("past" if partB_pair["train_oom"] else "within")
            + f" the {U.fmt_bytes(partB_pair['usable'])} usable on the board."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_pair, partB_result


@app.cell
def _(ledger):
    # Opens on Marco's board and recipe. The learner's home tier only marks its device.
    _home = home_context(ledger, default=None)
    _devices = {f"{ui.tier_name(t)}: {P.get_device(d).name}" + (" (your home tier)" if t == _home else ""): d
                for t, d in P.TIER_REFERENCE.items()}
    partB_device = mo.ui.dropdown(_devices, value=next(k for k, v in _devices.items() if v == PART_B["device"]),
                                  label="Device")
    partB_optimizer = mo.ui.dropdown(OPTIMIZERS, value=next(k for k, v in OPTIMIZERS.items()
                                                            if v == PART_B["optimizer"]), label="Optimizer")
    partB_precision = mo.ui.radio(PRECISIONS, value=next(k for k, v in PRECISIONS.items()
                                                         if v == PART_B["precision"]), label="Precision")
    partB_batch = mo.ui.slider(1, 32, value=PART_B["batch"], label="Sequences per batch", show_value=True)
    partB_seq = mo.ui.slider(128, MODEL.max_context, step=128, value=PART_B["seq_len"], label="Tokens per sequence",
                             show_value=True)
    return partB_batch, partB_device, partB_optimizer, partB_precision, partB_seq


@app.cell
def _(partB_batch, partB_device, partB_optimizer, partB_precision, partB_seq):
    try:
        partB_now = memory_pair(TUNE["model"], partB_device.value, partB_batch.value, partB_seq.value,
                                partB_precision.value, partB_optimizer.value)
    except P.PhysicsError as _err:
        partB_now = dict(error=str(_err), train_oom=False, serve_oom=False)
    return (partB_now,)


@app.cell
def _(partB_batch, partB_device, partB_now, partB_optimizer, partB_precision, partB_result, partB_seq):
    mo.stop(partB_result is None, ui.locked("the memory ledger"))
    _controls = [mo.hstack([partB_device, partB_optimizer], wrap=True), partB_precision,
                 mo.hstack([partB_batch, partB_seq], wrap=True)]
    if "error" in partB_now:
        _out = [ui.banner("fail", "No answer from the engine", partB_now["error"])]
    else:
        _t, _s, _dev = partB_now["tuned"], partB_now["served"], partB_now["device"]
        _bars = ["serving", "fine-tuning"]
        _terms = [("weights", [_s.weights_bytes, _t.weights_bytes], charts.COLOR["neutral"], ""),
                  ("KV cache", [_s.kv_cache_bytes, 0], charts.COLOR["neutral"], "/"),
                  ("gradients", [0, _t.gradient_bytes], charts.COLOR["compute"], ""),
                  ("optimizer state", [0, _t.optimizer_bytes], charts.tier_color("mobile"), ""),
                  ("fp32 master copy", [0, _t.master_weights_bytes], charts.COLOR["fixed"], ""),
                  ("activations", [_s.activation_bytes, _t.activation_bytes], charts.COLOR["data"], "")]
        _fig = go.Figure()
        for _name, _ys, _color, _pattern in _terms:
            if any(_ys):
                _fig.add_trace(go.Bar(x=_bars, y=[y / U.GB for y in _ys], name=_name, marker_color=_color,
                                      marker_pattern_shape=_pattern,
                                      text=[U.fmt_bytes(y) if y else "" for y in _ys], textposition="inside"))
        _fig.update_layout(barmode="stack")
        _limit = dict(color=charts.COLOR["limit"], width=3, dash="dot")
        _fig.add_hline(y=partB_now["usable"] / U.GB, line=_limit)
        _fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=_limit,
                                  name=f"usable on the {_dev.name}: {U.fmt_bytes(partB_now['usable'])}"))
        _scenario = memory_pair(**PART_B)
        _predicted = PART_B_OPTIONS[partB_result.choice] * _scenario["served"].memory_bytes
        charts.themed(_fig, title=f"{MODEL.name}: serving {U.fmt_bytes(_s.memory_bytes)}, fine-tuning "
                                  f"{U.fmt_bytes(_t.total_bytes)} ({U.fmt_ratio(partB_now['ratio'])})",
                      y="memory (GB)", height=500)
        _fig.update_layout(margin=dict(t=150))  # room for a two-row legend under the title
        _top = max(_t.total_bytes, _s.memory_bytes, partB_now["usable"], _predicted) / U.GB
        _fig.update_yaxes(range=[0, 1.12 * _top])
        charts.reference_line(_fig, _predicted / U.GB, f"your prediction: {partB_result.label} Marco's serving "
                                                       f"footprint = {U.fmt_bytes(_predicted)}")
        _banners = []
        if partB_now["train_oom"]:
            _banners.append(ui.failure_banner(
                "OOM", what=f"fine-tuning needs {U.fmt_bytes(_t.total_bytes)}; the {_dev.name} has "
                            f"{U.fmt_bytes(partB_now['usable'])} usable",
                by=U.fmt_bytes(_t.total_bytes - partB_now["usable"]),
                fix="a device with more memory, a stateless optimizer, or freezing most weights (v1.08)"))
        if partB_now["serve_oom"]:
            _banners.append(ui.failure_banner(
                "OOM", what=f"even serving needs {U.fmt_bytes(_s.memory_bytes)} on the {_dev.name}",
                by=U.fmt_bytes(_s.memory_bytes - partB_now["usable"]), fix="a larger tier or a smaller model"))
        if not _banners:
            _banners.append(ui.banner("ok", "Fits", f"fine-tuning uses {pct(_t.total_bytes / partB_now['usable'])} "
                                                    f"of the usable memory on the {_dev.name}"))
        _out = [_fig, ui.cards(
            ui.metric_card("serving", U.fmt_bytes(_s.memory_bytes), "weights, KV cache, activations",
                           "fail" if partB_now["serve_oom"] else "ok"),
            ui.metric_card("fine-tuning", U.fmt_bytes(_t.total_bytes), f"{U.fmt_ratio(partB_now['ratio'])} serving",
                           "fail" if partB_now["train_oom"] else "ok"),
            ui.metric_card("bytes per parameter", U.fmt_number(_t.bytes_per_param_states, 3),
                           "weights, gradients, optimizer state, master copy"),
        ), *_banners]
    mo.vstack(_controls + _out)
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result, fmt=lambda v: U.fmt_number(v, 3)) if partB_result else None
    return


@app.cell
def _():
    _dev = P.get_device(PART_B["device"])
    ui.math_peek(
        "training memory",
        [r"M_\text{train} = N\,(b_w + b_g + 4k + 4\,[\text{mixed}]) + A_\text{train}",
         r"\text{mixed-precision Adam: } 2 + 2 + 4 \times 2 + 4 = 16 \text{ bytes per parameter}",
         r"M_\text{serve} = N\, b_w + \text{KV} + A_\text{serve}, \qquad "
         r"A_\text{train} = L\, s\, B\, h \left(34 + 5\, \frac{a\, s}{h}\right) \text{ bytes (16-bit)}"],
        [(f"{MODEL.name} parameters N", U.fmt_params(MODEL.params), MODEL.sources[0]),
         ("layers L, hidden h, heads a", f"{MODEL.layers}, {MODEL.hidden:,}, {MODEL.heads}", MODEL.sources[0]),
         ("fp32 optimizer values k", ", ".join(f"{k} {v}" for k, v in MEM.OPTIMIZER_STATE_FP32_VALUES.items()),
          "Rajbhandari et al. 2020, ZeRO, Section 3.1; Micikevicius et al. 2018, Mixed Precision Training"),
         ("activation formula", "per layer, 16-bit",
          "Korthikanti et al. 2022, Reducing Activation Recomputation in Large Transformer Models, eq. 1"),
         (f"{_dev.name} memory", U.fmt_bytes(_dev.memory_bytes), _dev.sources[0]),
         ("usable fraction", pct(P.DEFAULT_MEMORY_FRACTION), "engine default: runtime and allocator reserve")],
    )
    return


@app.cell
def _():
    ui.section("Part C: The batch you can afford", 10)
    return


@app.cell
def _():
    _dev = P.get_device(PART_C["device"])
    _one = P.training_memory(TUNE["model"], batch=1, seq_len=TUNE["seq_len"], precision=TUNE["precision"],
                             optimizer=TUNE["optimizer"])
    ui.stakeholder(
        "Marco Ruiz", "Edge ML lead",
        f"Fine, we rent one {_dev.name} for the fine-tune. One sequence needs {U.fmt_bytes(_one.total_bytes)}, "
        f"and the GPU has {U.fmt_bytes(_dev.memory_bytes)}. Bigger batches train faster: how many "
        f"{TUNE['seq_len']:,}-token sequences can we put in one batch?",
    )
    return


@app.cell
def _():
    partC_prediction = ui.numeric_prediction(
        f"Largest batch of {TUNE['seq_len']:,}-token sequences that fits on one {P.get_device(PART_C['device']).name}",
        start=1, stop=512, step=1, value=1, unit="sequences")
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_max = part_c_batch()
    _one = P.training_memory(TUNE["model"], batch=1, seq_len=TUNE["seq_len"], precision=TUNE["precision"],
                             optimizer=TUNE["optimizer"])
    _usable = P.get_device(PART_C["device"]).memory_bytes * P.DEFAULT_MEMORY_FRACTION
    partC_result = lab.commit("partC", partC_prediction, lambda value: G.grade_numeric(
        "partC", "Memory Wall", float(value), float(max(partC_max, 1)), tolerance=1.5, unit="sequences",
        explanation=(
            f"Only the activations grow with the batch: {U.fmt_bytes(_one.activation_bytes)} per sequence. "
            f"Weights, gradients and optimizer state ({U.fmt_bytes(training_states(_one))}) are paid once. So "
            f"({U.fmt_bytes(_usable)} usable - {U.fmt_bytes(training_states(_one))}) / "
            f"{U.fmt_bytes(_one.activation_bytes)} = {partC_max} sequences. Dividing the memory by one sequence's "
            "total counts the fixed states again for every sequence; dividing by the weights forgets the "
            "activations, which here dominate from the first sequence."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_max, partC_result


@app.cell
def _():
    # Opens on Marco's H100 at the engine's largest batch (the scenario the reveal grades).
    partC_batch = mo.ui.slider(1, BATCH_MAX, value=min(BATCH_MAX, max(1, part_c_batch())),
                               label="Sequences per batch", show_value=True)
    partC_seq = mo.ui.slider(128, MODEL.max_context, step=128, value=PART_C["seq_len"], label="Tokens per sequence",
                             show_value=True)
    return partC_batch, partC_seq


@app.cell
def _(partC_batch, partC_seq):
    partC_mem = P.training_memory(TUNE["model"], batch=partC_batch.value, seq_len=partC_seq.value,
                                  precision=TUNE["precision"], optimizer=TUNE["optimizer"])
    partC_usable = P.get_device(PART_C["device"]).memory_bytes * P.DEFAULT_MEMORY_FRACTION
    partC_oom = partC_mem.total_bytes > partC_usable
    return partC_mem, partC_oom, partC_usable


@app.cell
def _(partC_batch, partC_mem, partC_oom, partC_result, partC_seq, partC_usable):
    mo.stop(partC_result is None, ui.locked("the batch planner"))
    _dev = P.get_device(PART_C["device"])
    _fit = max_batch(TUNE["model"], PART_C["device"], partC_seq.value, TUNE["precision"], TUNE["optimizer"])
    _end = max(BATCH_MAX, partC_result.predicted)
    _bs = sorted({b for b in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512) if b <= _end}
                 | {partC_batch.value, max(_fit, 1), _fit + 1, int(_end)})
    _mems = [P.training_memory(TUNE["model"], batch=b, seq_len=partC_seq.value, precision=TUNE["precision"],
                               optimizer=TUNE["optimizer"]) for b in _bs]
    _fixed = training_states(_mems[0])
    _fig = go.Figure()
    _fig.add_trace(go.Scatter(x=_bs, y=[m.total_bytes / U.GB for m in _mems], mode="lines",
                              line=dict(color=charts.COLOR["series"], width=3), name="total"))
    _fig.add_trace(go.Scatter(x=_bs, y=[m.activation_bytes / U.GB for m in _mems], mode="lines",
                              line=dict(color=charts.COLOR["fixed"], width=2), name="activations"))
    _fig.add_trace(go.Scatter(x=_bs, y=[_fixed / U.GB] * len(_bs), mode="lines",
                              line=dict(color=charts.COLOR["neutral"], width=2),
                              name="weights, gradients, optimizer, master copy"))
    _fig.add_trace(go.Scatter(x=_bs, y=[partC_usable / U.GB] * len(_bs), mode="lines",
                              line=dict(color=charts.COLOR["limit"], width=2, dash="dot"),
                              name=f"usable: {U.fmt_bytes(partC_usable)}"))
    _fig.add_trace(go.Scatter(x=[partC_batch.value], y=[partC_mem.total_bytes / U.GB], mode="markers",
                              marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"batch {partC_batch.value}: {U.fmt_bytes(partC_mem.total_bytes)}"))
    charts.themed(_fig, title=f"Training memory vs batch, {partC_seq.value:,}-token sequences (log scales)",
                  x="sequences per batch (log scale)", y="memory in GB (log scale)", height=440)
    _ys = [m.total_bytes / U.GB for m in _mems] + [m.activation_bytes / U.GB for m in _mems]
    charts.log_axes(_fig, xs=_bs + [partC_result.predicted], ys=_ys, pad=0.15)
    _fig.update_xaxes(tickvals=[2**k for k in range(10)])  # batches in powers of two
    _fig.update_yaxes(dtick=1)
    charts.reference_line(_fig, partC_result.predicted,
                          f"your prediction: {U.fmt_number(partC_result.predicted)} sequences", axis="x")
    _banner = (
        ui.failure_banner("OOM", what=f"batch {partC_batch.value} needs {U.fmt_bytes(partC_mem.total_bytes)}; the "
                                      f"{_dev.name} has {U.fmt_bytes(partC_usable)} usable",
                          by=U.fmt_bytes(partC_mem.total_bytes - partC_usable),
                          fix=f"at most {_fit} sequences of {partC_seq.value:,} tokens, shorter sequences, or "
                              "gradient accumulation (v1.08)")
        if partC_oom else
        ui.banner("ok", "Fits", f"{U.fmt_bytes(partC_mem.total_bytes)} of {U.fmt_bytes(partC_usable)} usable; "
                                f"at most {_fit} sequences of {partC_seq.value:,} tokens fit")
    )
    mo.vstack([
        mo.hstack([partC_batch, partC_seq], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("fixed states", U.fmt_bytes(_fixed), "paid once, whatever the batch"),
            ui.metric_card("activations", U.fmt_bytes(partC_mem.activation_bytes),
                           f"{U.fmt_bytes(partC_mem.activation_bytes / partC_batch.value)} per sequence"),
            ui.metric_card("largest batch", f"{_fit} sequences", f"{partC_seq.value:,} tokens each",
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
    ui.math_peek(
        "the largest batch",
        [r"M(B) = \underbrace{N \times 16}_{\text{fixed}} + B\, A_1 \le f\, M_\text{GPU}",
         r"B_\text{max} = \left\lfloor \frac{f\, M_\text{GPU} - 16 N}{A_1} \right\rfloor, \qquad "
         r"A_1 = L\, s\, h \left(34 + 5\, \frac{a\, s}{h}\right)"],
        [(f"{P.get_device(PART_C['device']).name} memory", U.fmt_bytes(P.get_device(PART_C["device"]).memory_bytes),
          P.get_device(PART_C["device"]).sources[0]),
         ("usable fraction f", pct(P.DEFAULT_MEMORY_FRACTION), "engine default: runtime and allocator reserve"),
         ("sequence length s", f"{TUNE['seq_len']:,} tokens", "scenario"),
         ("attention scores", "the 5 a s / h term", "grows with s squared: no fused attention kernel assumed")],
    )
    return


@app.cell
def _():
    ui.section("Part D: Train on a microcontroller", 12)
    return


@app.cell
def _():
    _plan = mcu_plan(PART_D_CURRENT, PART_D["depth"], 1, PART_D["optimizer"], "infer", PART_D["device"])
    ui.stakeholder(
        "Lena Okafor", "Wearables firmware lead",
        f"Today the {PART_D_CURRENT}-unit gesture network runs in int8 on the {_plan['device'].name}: its "
        f"{kib(_plan['flash_need'])} of weights sit in flash and inference needs {kib(_plan['sram_need'])} of "
        f"SRAM, out of {kib(_plan['device'].sram_bytes)}. Users want it to learn their own gestures, so we would "
        f"train it on the device: fp32 (the FPU's format), Adam, batches of {PART_D['batch']} windows. How wide can "
        "the hidden layers be?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction(
        f"Widest hidden layers ({PART_D['depth']} of them) that train on the {P.get_device(PART_D['device']).name} "
        "within its usable SRAM", {k: k for k in PART_D_OPTIONS})
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_width = part_d_width()
    _plan = mcu_plan(partD_width, PART_D["depth"], PART_D["batch"], PART_D["optimizer"], "train", PART_D["device"])
    _cur = mcu_plan(PART_D_CURRENT, PART_D["depth"], PART_D["batch"], PART_D["optimizer"], "train", PART_D["device"])
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", "Memory Wall", choice, part_d_answer(), option_values=PART_D_OPTIONS, actual=float(partD_width),
        unit="units",
        explanation=(
            f"Training needs the weights in writable SRAM, plus a gradient and two Adam moments per weight: fp32 "
            f"Adam is 4 + 4 + 8 = 16 bytes per parameter, as much as mixed precision on a GPU. The "
            f"{PART_D_CURRENT}-unit network would need {kib(_cur['sram_need'])} against {kib(_plan['sram'])} usable. "
            f"Parameters grow with the square of the width between hidden layers, so the widest that fits is "
            f"{partD_width} units ({kib(_plan['sram_need'])}), and the stored activations of "
            f"{PART_D['batch']} windows are only {kib(_plan['terms']['stored activations'])} of it."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_result, partD_width


@app.cell
def _():
    # Opens on Lena's plan at the engine's widest fitting width (the scenario the reveal grades).
    _tiny = {d.name: d.id for d in P.devices_in_tier("tiny") if d.sram_bytes and d.flash_bytes}
    partD_hidden = mo.ui.slider(1, WIDTH_MAX, value=min(WIDTH_MAX, max(1, part_d_width())),
                                label="Hidden width (units)", show_value=True)
    partD_mode = mo.ui.radio(MODES, value=next(k for k, v in MODES.items() if v == PART_D["mode"]), label="Mode")
    partD_optimizer = mo.ui.dropdown(OPTIMIZERS, value=next(k for k, v in OPTIMIZERS.items()
                                                            if v == PART_D["optimizer"]), label="Optimizer")
    partD_batch = mo.ui.slider(1, 64, value=PART_D["batch"], label="Windows per batch", show_value=True)
    partD_device = mo.ui.dropdown(_tiny, value=P.get_device(PART_D["device"]).name, label="Microcontroller")
    return partD_batch, partD_device, partD_hidden, partD_mode, partD_optimizer


@app.cell
def _(partD_batch, partD_device, partD_hidden, partD_mode, partD_optimizer):
    partD_plan = mcu_plan(partD_hidden.value, PART_D["depth"], partD_batch.value, partD_optimizer.value,
                          partD_mode.value, partD_device.value)
    return (partD_plan,)


@app.cell
def _(partD_batch, partD_device, partD_hidden, partD_mode, partD_optimizer, partD_plan, partD_result):
    mo.stop(partD_result is None, ui.locked("the SRAM planner"))
    _args = (PART_D["depth"], partD_batch.value, partD_optimizer.value, partD_mode.value, partD_device.value)
    _fit = max_width(*_args)
    _ws = sorted({4, 8, 16, 32, 64, 128, 256, 512, partD_hidden.value} | ({_fit} if 1 <= _fit <= WIDTH_MAX else set()))
    _needs = [mcu_plan(w, *_args)["sram_need"] for w in _ws]
    _dev = partD_plan["device"]
    _fig = go.Figure(go.Scatter(x=_ws, y=_needs, mode="lines", line=dict(color=charts.COLOR["series"], width=3),
                                name="SRAM needed"))
    _fig.add_trace(go.Scatter(x=_ws, y=[partD_plan["sram"]] * len(_ws), mode="lines",
                              line=dict(color=charts.COLOR["limit"], width=2, dash="dot"),
                              name=f"usable SRAM on the {_dev.name}: {kib(partD_plan['sram'])}"))
    _fig.add_trace(go.Scatter(x=[partD_hidden.value], y=[partD_plan["sram_need"]], mode="markers",
                              marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"]),
                              name=f"{partD_hidden.value} units: {kib(partD_plan['sram_need'])}"))
    charts.themed(_fig, title=f"SRAM vs hidden width: widest that fits here {_fit} units (log scales)",
                  x="hidden width in units (log scale)", y="SRAM (log scale)", height=440)
    _chosen = PART_D_OPTIONS[partD_result.choice]
    charts.log_axes(_fig, xs=_ws + [_chosen], ys=_needs + [partD_plan["sram"]], pad=0.15)
    _ticks = [4.0**k for k in range(2, 14) if min(_needs) / 4 <= 4.0**k <= max(_needs) * 4]
    _fig.update_yaxes(tickvals=_ticks, ticktext=[kib(t) for t in _ticks])
    _fig.update_xaxes(tickvals=[2**k for k in range(1, 11)])  # widths in powers of two
    charts.reference_line(_fig, _chosen, f"your prediction: {partD_result.label}", axis="x")
    _banners = []
    if "SRAM overflow" in partD_plan["violations"]:
        _banners.append(ui.failure_banner(
            "SRAM overflow", what=f"{kib(partD_plan['sram_need'])} needed; the {_dev.name} has "
                                  f"{kib(partD_plan['sram'])} usable",
            by=kib(partD_plan["sram_need"] - partD_plan["sram"]),
            fix=f"at most {_fit} units here, a stateless optimizer, or train only the last layer"))
    if "flash overflow" in partD_plan["violations"]:
        _banners.append(ui.failure_banner(
            "Flash overflow", what=f"{kib(partD_plan['flash_need'])} of int8 weights; {kib(partD_plan['flash'])} "
                                   "of flash usable",
            by=kib(partD_plan["flash_need"] - partD_plan["flash"]), fix="narrower layers"))
    if not _banners:
        _banners.append(ui.banner("ok", "Fits", f"{kib(partD_plan['sram_need'])} of SRAM, "
                                                f"{pct(partD_plan['sram_need'] / partD_plan['sram'])} of the usable "
                                                f"{kib(partD_plan['sram'])}"))
    mo.vstack([
        mo.hstack([partD_hidden, partD_batch], wrap=True), partD_mode,
        mo.hstack([partD_optimizer, partD_device], wrap=True),
        _fig,
        ui.cards(*[ui.metric_card(k, kib(v), pct(v / partD_plan["sram_need"]) + " of the SRAM need")
                   for k, v in partD_plan["terms"].items()],
                 ui.metric_card("weights in flash", kib(partD_plan["flash_need"]), f"of {kib(partD_plan['flash'])}")
                 if partD_mode.value == "infer" else ""),
        *_banners,
    ])
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result) if partD_result else None
    return


@app.cell
def _():
    _dev = P.get_device(PART_D["device"])
    ui.math_peek(
        "a network in SRAM",
        [r"N(H) = 384\,H + (d-1)\,H^2 + 8\,H + d\,H + 8 \quad (d \text{ hidden layers of } H)",
         r"\text{SRAM}_\text{train} = N\,(4 + 4 + 4k) + 4\,B \sum_j w_j \le f\, M_\text{SRAM}",
         r"\text{SRAM}_\text{infer} = B \max_i (a_i + b_i), \qquad \text{flash} = N \text{ bytes (int8)}"],
        [(f"{_dev.name} SRAM", kib(_dev.sram_bytes), _dev.sources[0]),
         (f"{_dev.name} flash", kib(_dev.flash_bytes), _dev.sources[0]),
         ("usable fraction f", pct(P.DEFAULT_MEMORY_FRACTION), "engine default: stack, runtime and firmware reserve"),
         ("on-device training", "fp32, all state in SRAM", MEM.MLP_ACTIVATION_SOURCES[1]),
         ("units", "1 KiB = 1,024 bytes", "microcontroller memory is specified in binary units")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    _s = memory_pair(**PART_B)
    ui.takeaways(
        ["A multiply-accumulate is two FLOPs: a dense layer costs about 2 FLOPs per parameter per sample.",
         "Parameters are fixed by the architecture; FLOPs and activations grow with the batch.",
         f"Training keeps weights, gradients, optimizer state and (in mixed precision) a master copy: "
         f"{U.fmt_number(_s['tuned'].bytes_per_param_states, 3)} bytes per parameter with Adam, before activations.",
         "The batch that fits is (usable memory - fixed states) / activations per sample, not memory / one "
         "sample's total.",
         "On a microcontroller, inference can stream weights from flash; training puts every state in SRAM."],
        [("Why does doubling the batch not double training memory?",
          "Only the activations scale with it; weights, gradients and optimizer state are paid once."),
         ("Which optimizer change shrinks training state the most?",
          "Dropping Adam's two moments (plain SGD): 8 of the 16 bytes per parameter in mixed precision.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md(f"Marco must decide where and how to fine-tune {MODEL.name}, and Lena whether the wearable "
                     "learns on the device. Write them a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_result,
    partB_device,
    partB_now,
    partB_optimizer,
    partB_precision,
    partB_result,
    partC_batch,
    partC_max,
    partC_mem,
    partC_oom,
    partC_result,
    partC_seq,
    partD_hidden,
    partD_mode,
    partD_plan,
    partD_result,
    partD_width,
):
    _dev_b = partB_now.get("device")
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions={"train_device": partB_device.value, "optimizer": partB_optimizer.value,
                   "precision": partB_precision.value, "batch": partC_batch.value, "seq_len": partC_seq.value,
                   "mcu_hidden": partD_hidden.value, "mcu_mode": partD_mode.value},
        # the memory breakdown of the H100 fine-tune as set in Part C (read by v1.08)
        outcomes={"model": TUNE["model"], "weights_bytes": partC_mem.weights_bytes,
                  "gradients_bytes": partC_mem.gradient_bytes, "optimizer_bytes": partC_mem.optimizer_bytes,
                  "master_weights_bytes": partC_mem.master_weights_bytes,
                  "activations_bytes": partC_mem.activation_bytes, "total_bytes": partC_mem.total_bytes,
                  "bytes_per_param_training": partC_mem.bytes_per_param_states,
                  "training_to_serving": part_b_ratio(), "max_batch": partC_max, "mcu_max_hidden": partD_width},
        constraints=([f"fine-tuning OOM on the {_dev_b.name}"] if partB_result and partB_now["train_oom"] else [])
        + ([f"serving OOM on the {_dev_b.name}"] if partB_result and partB_now["serve_oom"] else [])
        + ([f"training OOM on the {P.get_device(PART_C['device']).name}"] if partC_result and partC_oom else [])
        + ([f"{v} on the {partD_plan['device'].name}" for v in partD_plan["violations"]] if partD_result else []),
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
