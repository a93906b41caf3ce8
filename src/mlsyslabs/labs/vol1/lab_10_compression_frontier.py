"""v1.10 The Compression Frontier.

Quantization, pruning and distillation, each priced by the engine on real devices:
Part A quantizes Llama 2 7B's weights (bytes and the memory-bound decode speedup; the
KV cache does not shrink), Part B prunes VGG-16 (unstructured sparsity on dense GEMM
hardware, 2:4 sparsity at the device's separate sparse peak, structured pruning),
Part C distils BERT-Base into DistilBERT (when the student's training pays back), and
Part D picks the deployment precision for the edge robot under memory, speed and a
published-quality ceiling (saved as decisions.precision for the capstone).

Against the reference lab (MLSysBook v1.10 "Compression That Executes"): its package vs
working set vs latency part is Part A here, with weights read from device memory once
per token (never reloaded from storage per inference); its PTQ/QAT bits part becomes
Part D's published results (AWQ vs round-to-nearest int4, and ternary, which has no
post-training evidence for this model: BitNet b1.58 was trained ternary from scratch);
its sparse-format part is Part B, where the CSR index overhead and the 2:4 metadata
are shown and the sparse speedup is applied once, to the compute term only; its
distillation break-even is Part C, with the published training cost; its ordered
recipes are replaced by Part B's and Part D's point that compression gains apply to the
binding term only and do not multiply.
"""
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_10.py).
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import compression as CMP
    from mlsyslabs.physics.errors import PhysicsError

    LAB = get_lab("v1.10")
    # The deployment precisions (the ledger contract read by v1.16), widest first.
    QUANT = ["fp16", "int8", "int4", "ternary"]
    LLM = "llama2-7b"
    # Part A: the assistant team's Llama 2 7B, one user decoding at full context on an H100.
    PART_A = dict(device="h100-sxm", precision="int4", context=4096, batch=1)
    PART_A_BASE = "fp16"
    PART_A_TOLERANCE = 1.25  # a speedup within this factor of the engine's counts as right
    PART_A_DEVICES = ["h100-sxm", "a100-80gb", "l4", "jetson-orin-nx-16gb"]
    # Part B: VGG-16 pruned by magnitude to 13x fewer weights (Han et al. 2015), served on an H100.
    PART_B = dict(model="vgg16", device="h100-sxm", kind="unstructured", sparsity_percent=92.5, batch=64,
                  precision="fp16")
    PART_B_OPTIONS = {"about 1x": 1.0, "about 2x": 2.0, "about 5x": 5.0, "about 13x": 13.0}
    PART_B_MODELS = ["vgg16", "resnet50", "alexnet"]
    PART_B_DEVICES = ["h100-sxm", "a100-80gb", "t4", "jetson-orin-nx-16gb"]
    KINDS = {"unstructured": "Unstructured (any weight)", "2:4": "2:4 (two of every four)",
             "structured": "Structured (whole channels)"}
    CSR_INDEX_BITS = 16  # a sparse weight stored with a 16-bit position index (CSR-style)
    # Part C: the search team's BERT-Base ranker, one 128-token query at a time on T4s.
    PART_C = dict(teacher="bert-base", student="distilbert", device="t4", tokens=128, batch=1, qps=2000,
                  lifetime_months=6)
    PART_C_OPTIONS = {"about 1 million": 1e6, "about 100 million": 1e8, "about 10 billion": 1e10,
                      "about 1 trillion": 1e12}
    PART_C_DEVICES = ["t4", "l4", "a100-80gb", "h100-sxm"]
    DAYS_PER_MONTH = 30.4375  # 365.25 / 12
    # Part D: the robot's assistant on its edge board, and the three requirements.
    PART_D = dict(device="jetson-orin-nx-16gb", method="awq", context=2048, proposal="fp16")
    MIN_TOKENS_PER_S = 15.0  # the product's floor: faster than people read
    MAX_PPL_INCREASE = 0.03  # the quality ceiling: WikiText-2 perplexity at most 3% above fp16
    INT4_METHODS = {"awq": "AWQ (activation-aware, groups of 128)", "rtn": "Round-to-nearest (groups of 128)"}
    PART_D_DEVICES = ["jetson-orin-nx-16gb", "jetson-orin-nano", "jetson-agx-orin", "a17-pro"]
    PART_D_OPTIONS = {"fp16: no compression": "fp16", "int8": "int8", "int4": "int4", "ternary (1.58 bits)": "ternary"}


@app.function
def pct(fraction: float, digits: int = 2) -> str:
    """A fraction as a percentage with `digits` significant figures: 0.0238 -> '2.4%'."""
    return f"{U.fmt_number(100 * fraction, digits)}%"


@app.function
def count_words(n: float) -> str:
    """A large count in words: 12,400,000,000 -> '12.4 billion'."""
    for factor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if n >= factor:
            return f"{U.fmt_number(n / factor)} {word}"
    return U.fmt_number(n)


@app.function
def days(d: float) -> str:
    return f"{U.fmt_number(d)} days" if d >= 1 else U.fmt_seconds(d * 86400)


@app.function
def decode(precision: str, device: str, context: int, batch: int):
    """One decode step of the LLM at a weight precision (KV cache in the engine's default format)."""
    return P.estimate(LLM, device, phase="decode", batch=int(batch), seq_len=int(context), precision=precision)


@app.function
def part_a_speedup() -> float:
    """Time per token in fp16 over int4 weights, for the scenario."""
    s = dict(PART_A)
    base = decode(PART_A_BASE, s["device"], s["context"], s["batch"])
    return base.itl_s / decode(s["precision"], s["device"], s["context"], s["batch"]).itl_s


@app.function
def pruned(model: str, device: str, kind: str, sparsity_percent: float, batch: int, precision: str):
    return CMP.pruned_estimate(model, device, sparsity=sparsity_percent / 100, kind=kind, phase="inference",
                               batch=int(batch), precision=precision)


@app.function
def part_b_speedup() -> float:
    return pruned(**PART_B).speedup


@app.function
def csr_bytes(model: str, sparsity_percent: float, precision: str) -> float:
    """The pruned weights stored sparse: each kept value with a position index."""
    bits = 8 * P.bytes_per_element(precision)
    return CMP.deep_compression_bytes(P.get_workload(model).params, density=1 - sparsity_percent / 100,
                                      weight_bits=bits, index_bits=CSR_INDEX_BITS)


@app.function
def distillation_cost() -> float:
    """Dollars of the published distillation run at the registry's rental price."""
    t = CMP.DISTILBERT_TRAINING
    return t["gpus"] * t["hours"] * P.get_device(t["device"]).price_per_hour


@app.function
def payback(device: str, tokens: int, batch: int, qps: float, lifetime_months: float) -> dict:
    """What the student saves per query on a serving device and when it repays its training."""
    batch, tokens = int(batch), int(tokens)
    teacher = P.estimate(PART_C["teacher"], device, phase="prefill", batch=batch, seq_len=tokens, precision="fp16")
    student = P.estimate(PART_C["student"], device, phase="prefill", batch=batch, seq_len=tokens, precision="fp16")
    saved_s = (teacher.ttft_s - student.ttft_s) / batch
    price = P.get_device(device).price_per_hour
    saving = saved_s * price / 3600
    cost = distillation_cost()
    out = dict(teacher=teacher, student=student, saved_s=saved_s, saving=saving, cost=cost, queries=None,
               days=None, lifetime_queries=qps * lifetime_months * DAYS_PER_MONTH * 86400, pays_back=False, error=None)
    try:
        out["queries"] = CMP.break_even_queries(cost, saving)
    except PhysicsError as exc:
        out["error"] = str(exc)
        return out
    out["days"] = out["queries"] / qps / 86400
    out["pays_back"] = out["queries"] <= out["lifetime_queries"]
    return out


@app.function
def part_c_queries() -> float:
    return payback(PART_C["device"], PART_C["tokens"], PART_C["batch"], PART_C["qps"],
                   PART_C["lifetime_months"])["queries"]


@app.function
def quality(precision: str, method: str) -> tuple[float | None, str]:
    """Published WikiText-2 perplexity increase of a precision for the LLM (None: nothing published)."""
    if precision == "fp16":
        return 0.0, "fp16 is the reference"
    prefix = {"int8": "int8", "int4": "int4 AWQ" if method == "awq" else "int4 RTN"}.get(precision)
    ref = CMP.published_accuracy(LLM, prefix) if prefix else None
    if ref is None:
        return None, f"no published post-training {precision} result for {P.get_workload(LLM).name}"
    return ref.compressed / ref.baseline - 1, ref.source


@app.function
def deployment(precision: str, method: str, device: str, context: int) -> dict:
    """The LLM at a precision on a device against the three requirements: memory, speed, published quality."""
    est = decode(precision, device, context, 1)
    usable = est.capacity_bytes * est.assumptions["memory_fraction"]
    increase, source = quality(precision, method)
    violations = []
    if not est.fits:
        violations.append("OOM")
    if est.tokens_per_s < MIN_TOKENS_PER_S:
        violations.append("too slow")
    if increase is None:
        violations.append("no quality evidence")
    elif increase > MAX_PPL_INCREASE:
        violations.append("quality ceiling")
    return dict(est=est, usable=usable, memory_used=est.memory_bytes / usable,
                speed_used=MIN_TOKENS_PER_S / est.tokens_per_s, increase=increase, source=source,
                quality_used=None if increase is None else increase / MAX_PPL_INCREASE, violations=violations)


@app.function
def part_d_feasible() -> list[str]:
    return [q for q in QUANT if not deployment(q, PART_D["method"], PART_D["device"], PART_D["context"])["violations"]]


@app.function
def part_d_answer() -> str:
    """The widest precision that meets all three requirements in the scenario."""
    ok = part_d_feasible()
    return ok[0] if ok else QUANT[-1]


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB,
              subtitle="Quantization, pruning and distillation: what each buys on real hardware, and what it costs.",
              parts=["Part A: fewer bits per weight", "Part B: pruning on dense hardware",
                     "Part C: when distillation pays back", "Part D: the deployment precision"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: Fewer bits per weight", 12)
    return


@app.cell
def _():
    _dev = P.get_device(PART_A["device"])
    ui.stakeholder(
        "Lena Park", "Assistant team lead",
        f"Our {P.get_workload(LLM).name} assistant answers one user at a time on an {_dev.name}, with the full "
        f"{PART_A['context']:,}-token context. AWQ can store the weights in int4: a quarter of fp16's bytes. But "
        f"the {_dev.name} has no int4 tensor cores (its fastest dense math is int8 at "
        f"{U.fmt_flops(_dev.peak('int8'))}). Is int4 worth it for speed, or only for memory?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.numeric_prediction(
        f"Time per generated token in fp16 divided by the time with int4 weights (context {PART_A['context']:,}, "
        "one user)", start=0.5, stop=10, step=0.1, value=1.0, unit="x")
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_speedup = part_a_speedup()
    _fp16 = decode(PART_A_BASE, PART_A["device"], PART_A["context"], PART_A["batch"])
    _int4 = decode(PART_A["precision"], PART_A["device"], PART_A["context"], PART_A["batch"])
    partA_result = lab.commit("partA", partA_prediction, lambda value: G.grade_numeric(
        "partA", "Memory Wall", float(value), partA_speedup, tolerance=PART_A_TOLERANCE, unit="x",
        explanation=(
            f"Decoding one token reads every weight once: {U.fmt_bytes(_fp16.weights_bytes)} in fp16, "
            f"{U.fmt_bytes(_int4.weights_bytes)} in int4, plus the KV cache ({U.fmt_bytes(_int4.kv_cache_bytes)}, "
            f"kept in {_int4.assumptions['kv_precision']}, so it does not shrink). The step is memory-bound, so no "
            f"int4 math unit is needed: {U.fmt_seconds(_fp16.itl_s)} becomes {U.fmt_seconds(_int4.itl_s)}, "
            f"{U.fmt_ratio(partA_speedup)} faster: less than the 4x byte ratio because the KV cache and the fixed "
            "dispatch time do not compress."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_result, partA_speedup


@app.cell
def _():
    # The instruments open on Lena's question (int4, H100, full context, one user).
    partA_precision = mo.ui.radio({q: q for q in QUANT}, value=PART_A["precision"], label="Weight precision",
                                  inline=True)
    partA_device = mo.ui.dropdown({P.get_device(d).name: d for d in PART_A_DEVICES},
                                  value=P.get_device(PART_A["device"]).name, label="Device")
    partA_context = mo.ui.slider(256, P.get_workload(LLM).max_context, step=256, value=PART_A["context"],
                                 label="Context (tokens)", show_value=True)
    partA_batch = mo.ui.slider(1, 32, value=PART_A["batch"], label="Users decoding together (batch)",
                               show_value=True)
    return partA_batch, partA_context, partA_device, partA_precision


@app.cell
def _(partA_batch, partA_context, partA_device, partA_precision):
    partA_steps = {q: decode(q, partA_device.value, partA_context.value, partA_batch.value) for q in QUANT}
    partA_est = partA_steps[partA_precision.value]
    partA_oom = not partA_est.fits
    return partA_est, partA_oom, partA_steps


@app.cell
def _(
    partA_batch,
    partA_context,
    partA_device,
    partA_est,
    partA_oom,
    partA_precision,
    partA_result,
    partA_steps,
):
    mo.stop(partA_result is None, ui.locked("the quantization bench"))
    _dev = P.get_device(partA_device.value)
    _base = partA_steps[PART_A_BASE]
    _itls = [partA_steps[q].itl_s for q in QUANT]
    _fig = go.Figure(go.Bar(
        x=QUANT, y=_itls,
        text=[f"{U.fmt_seconds(partA_steps[q].itl_s)}" + ("" if partA_steps[q].fits else " (OOM)") for q in QUANT],
        textposition="outside", showlegend=False,
        marker_color=[charts.COLOR["series"] if q == partA_precision.value else charts.COLOR["neutral"]
                      for q in QUANT]))
    charts.themed(_fig, title=f"Time per token on the {_dev.name}, context {partA_context.value:,}, "
                              f"batch {partA_batch.value} (log scale)", x="weight precision",
                  y="seconds per token (log scale)")
    _predicted = _base.itl_s / partA_result.predicted
    charts.log_axes(_fig, ys=_itls + [_predicted], pad=0.4)
    charts.reference_line(_fig, _predicted, f"your prediction: int4 {U.fmt_ratio(partA_result.predicted)} faster "
                                            f"than fp16 = {U.fmt_seconds(_predicted)}")
    _usable = partA_est.capacity_bytes * partA_est.assumptions["memory_fraction"]
    _banner = (
        ui.failure_banner(
            "OOM", what=f"{partA_est.model} in {partA_precision.value} needs {U.fmt_bytes(partA_est.memory_bytes)}; "
                        f"the {_dev.name} has {U.fmt_bytes(_usable)} usable",
            by=U.fmt_bytes(partA_est.memory_bytes - _usable),
            fix="fewer bits per weight, a shorter context, fewer users, or a device with more memory")
        if partA_oom else
        ui.banner("ok", "Fits", f"{U.fmt_bytes(partA_est.memory_bytes)} of {U.fmt_bytes(_usable)} usable on the "
                                f"{_dev.name}; the step is {partA_est.bound}-bound.")
    )
    mo.vstack([
        mo.hstack([partA_precision, partA_device], wrap=True), mo.hstack([partA_context, partA_batch], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("weights", U.fmt_bytes(partA_est.weights_bytes), f"{partA_precision.value}"),
            ui.metric_card("KV cache", U.fmt_bytes(partA_est.kv_cache_bytes),
                           f"kept in {partA_est.assumptions['kv_precision']}"),
            ui.metric_card("time per token", U.fmt_seconds(partA_est.itl_s), f"{partA_est.bound}-bound"),
            ui.metric_card(f"speedup over {PART_A_BASE}", U.fmt_ratio(_base.itl_s / partA_est.itl_s),
                           f"bytes ratio of the weights: {U.fmt_ratio(_base.weights_bytes / partA_est.weights_bytes)}"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    _dev = P.get_device(PART_A["device"])
    _m = P.get_workload(LLM)
    ui.math_peek(
        "a memory-bound decode step",
        [r"t_\text{token} = \max\left(\frac{N\, b_w + \text{KV}(C)\, B}{BW\, \eta_\text{mem}},\; "
         r"\frac{2 N B}{R\, \eta}\right) + t_\text{dispatch}",
         r"\text{speedup} = \frac{t_\text{token}(\text{fp16})}{t_\text{token}(\text{int4})} < "
         r"\frac{b_\text{fp16}}{b_\text{int4}} = 4 \quad \text{when KV and dispatch are not negligible}"],
        [(f"{_m.name} parameters N", U.fmt_params(_m.params), _m.sources[0]),
         ("bytes per weight b: fp16 / int8 / int4 / ternary",
          " / ".join(U.fmt_number(P.bytes_per_element(q)) for q in QUANT), "IEEE 754; integer formats; log2(3) bits"),
         (f"{_dev.name} memory bandwidth BW", f"{U.fmt_bytes(_dev.memory_bw)}/s", _dev.sources[0]),
         ("KV cache format", "fp16 for int8, int4 and ternary weights", "engine default: weight-only quantization"),
         ("memory efficiency", pct(P.estimate(LLM, PART_A["device"], phase="decode", seq_len=PART_A["context"],
                                              precision="int4").assumptions["memory_efficiency"]),
          "engine efficiency model (docs/engine.md)")],
    )
    return


@app.cell
def _():
    ui.section("Part B: Pruning on dense hardware", 12)
    return


@app.cell
def _():
    _m, _dev = P.get_workload(PART_B["model"]), P.get_device(PART_B["device"])
    _acc = CMP.published_accuracy(PART_B["model"], "unstructured")
    ui.stakeholder(
        "Tomás Ruiz", "Vision research lead",
        f"We pruned {_m.name} by weight magnitude: {U.fmt_number(PART_B['sparsity_percent'])}% of its "
        f"{U.fmt_params(_m.params)} weights are now zero, about 13x fewer, and top-1 accuracy held "
        f"({U.fmt_number(_acc.baseline)}% before, {U.fmt_number(_acc.compressed)}% after). We serve it on "
        f"{_dev.name} GPUs in {PART_B['precision']} at batch {PART_B['batch']}. Marketing wants to announce the "
        "speedup.",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"How much faster is the pruned {P.get_workload(PART_B['model']).name} on the "
        f"{P.get_device(PART_B['device']).name}, run with the usual dense kernels?",
        {k: k for k in PART_B_OPTIONS})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_step = pruned(**PART_B)
    partB_speedup = partB_step.speedup
    _two4 = pruned(**dict(PART_B, kind="2:4"))
    _struct = pruned(**dict(PART_B, kind="structured"))
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Roofline", choice, G.closest_option(PART_B_OPTIONS, partB_speedup),
        option_values=PART_B_OPTIONS, actual=partB_speedup, unit="x",
        explanation=(
            f"The zeros sit inside dense tensors, and a dense GEMM multiplies them like any other number: the same "
            f"{U.fmt_count(partB_step.executed_flops)}FLOP per batch at the same dense peak, so the step stays "
            f"{U.fmt_seconds(partB_step.time_s)} ({partB_step.bound}-bound), {U.fmt_ratio(partB_speedup)}. "
            f"Speed needs a pattern the hardware can skip: 2:4 sparsity runs at the separate sparse peak "
            f"({U.fmt_ratio(_two4.speedup)}), removing whole channels shrinks the GEMMs "
            f"({U.fmt_ratio(_struct.speedup)}), each at its own accuracy cost."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_result, partB_speedup, partB_step


@app.cell
def _():
    # The instruments open on Tomás's model: unstructured, the pruned fraction, his GPU and batch.
    partB_kind = mo.ui.radio({v: k for k, v in KINDS.items()}, value=KINDS[PART_B["kind"]], label="Pruning pattern",
                             inline=True)
    partB_sparsity = mo.ui.slider(0, 95, step=2.5, value=PART_B["sparsity_percent"], label="Weights pruned (%)",
                                  show_value=True)
    partB_model = mo.ui.dropdown({P.get_workload(m).name: m for m in PART_B_MODELS},
                                 value=P.get_workload(PART_B["model"]).name, label="Model")
    partB_device = mo.ui.dropdown({P.get_device(d).name: d for d in PART_B_DEVICES},
                                  value=P.get_device(PART_B["device"]).name, label="Device")
    partB_precision = mo.ui.radio({"fp16": "fp16", "int8": "int8"}, value=PART_B["precision"], label="Precision",
                                  inline=True)
    partB_batch = mo.ui.slider(1, 256, value=PART_B["batch"], label="Batch (images)", show_value=True)
    return partB_batch, partB_device, partB_kind, partB_model, partB_precision, partB_sparsity


@app.cell
def _(partB_batch, partB_device, partB_kind, partB_model, partB_precision, partB_sparsity):
    partB_steps = {k: pruned(partB_model.value, partB_device.value, k, partB_sparsity.value, partB_batch.value,
                             partB_precision.value) for k in KINDS}
    partB_now = partB_steps[partB_kind.value]
    return partB_now, partB_steps


@app.cell
def _(
    partB_batch,
    partB_device,
    partB_kind,
    partB_model,
    partB_now,
    partB_precision,
    partB_result,
    partB_sparsity,
    partB_steps,
):
    mo.stop(partB_result is None, ui.locked("the pruning bench"))
    _dev = P.get_device(partB_device.value)
    _names = ["dense"] + [KINDS[k] for k in KINDS]
    _times = [partB_now.dense_time_s] + [partB_steps[k].time_s for k in KINDS]
    _fig = go.Figure(go.Bar(
        x=_names, y=_times, showlegend=False, textposition="outside",
        text=[U.fmt_seconds(_times[0])] + [f"{U.fmt_seconds(partB_steps[k].time_s)}, "
                                           f"{U.fmt_ratio(partB_steps[k].speedup)}" for k in KINDS],
        marker_color=[charts.COLOR["neutral"]] + [charts.COLOR["series"] if k == partB_kind.value
                                                  else charts.COLOR["alternative"] for k in KINDS]))
    charts.themed(_fig, title=f"{P.get_workload(partB_model.value).name}, batch {partB_batch.value}, "
                              f"{U.fmt_number(partB_sparsity.value)}% pruned, on the {_dev.name} (log scale)",
                  y="seconds per batch (log scale)")
    _predicted = partB_now.dense_time_s / PART_B_OPTIONS[partB_result.choice]
    charts.log_axes(_fig, ys=_times + [_predicted], pad=0.4)
    charts.reference_line(_fig, _predicted, f"your prediction: {partB_result.label} faster than dense")
    _sparse_peak = partB_now.sparse_peak_flops
    _csr = csr_bytes(partB_model.value, partB_sparsity.value, partB_precision.value)
    _note_kind = "ok" if partB_now.speedup > 1.01 else "info"
    mo.vstack([
        mo.hstack([partB_kind, partB_sparsity], wrap=True),
        mo.hstack([partB_model, partB_device, partB_precision, partB_batch], wrap=True),
        _fig,
        ui.banner(_note_kind, f"{KINDS[partB_kind.value]}: {U.fmt_ratio(partB_now.speedup)}", partB_now.note + "."),
        ui.cards(
            ui.metric_card(f"dense peak ({partB_precision.value})", U.fmt_flops(partB_now.dense_peak_flops),
                           "what every dense and unstructured kernel runs at"),
            ui.metric_card("2:4 sparse peak", U.fmt_flops(_sparse_peak) if _sparse_peak else "none",
                           "a separate figure: only 2:4 weights on sparse tensor cores reach it"),
            ui.metric_card("weights read per batch", U.fmt_bytes(partB_now.weight_bytes),
                           f"dense: {U.fmt_bytes(partB_now.dense_weight_bytes)}"),
            ui.metric_card(f"stored sparse ({CSR_INDEX_BITS}-bit index)", U.fmt_bytes(_csr),
                           f"{'larger' if _csr > partB_now.dense_weight_bytes else 'smaller'} than dense: each kept "
                           "value carries its index"),
        ),
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    _dev = P.get_device(PART_B["device"])
    _acc = CMP.published_accuracy(PART_B["model"], "unstructured")
    ui.math_peek(
        "pruning on a roofline",
        [r"t = \max\left(\frac{D_w\, \rho_D + D_\text{other}}{BW\, \eta_\text{mem}},\; "
         r"\frac{O_w\, \rho_O}{R_\text{used}\, \eta}\right) + t_\text{dispatch}",
         r"\text{unstructured: } \rho_D = \rho_O = 1,\; R_\text{used} = R_\text{dense}",
         r"\text{2:4: } \rho_O = 1,\; R_\text{used} = R_\text{2:4},\; \rho_D = \tfrac{1}{2}\,\frac{b + 2}{b}"
         r"\qquad \text{structured: } \rho_D = \rho_O = 1 - s",
         r"\text{CSR bytes} = (1 - s)\, N\, \frac{b + b_\text{index}}{8}"],
        [(f"{_dev.name} dense fp16 peak R_dense", U.fmt_flops(_dev.peak("fp16")), _dev.sources[0]),
         (f"{_dev.name} 2:4 sparse fp16 peak R_2:4", U.fmt_flops(_dev.peak("fp16", sparse=True)), _dev.sources[0]),
         ("2:4 metadata per kept value", f"{CMP.SPARSE_24_METADATA_BITS} bits", CMP.SPARSE_24_SOURCE),
         ("pruned VGG-16 accuracy", f"{U.fmt_number(_acc.baseline)}% to {U.fmt_number(_acc.compressed)}% top-1",
          _acc.source),
         ("why unstructured gives 1x", "zeros are multiplied", "Hoefler et al. 2021, 'Sparsity in Deep Learning' "
                                                                "(JMLR), section 7")],
    )
    return


@app.cell
def _():
    ui.section("Part C: When distillation pays back", 10)
    return


@app.cell
def _():
    _t = CMP.DISTILBERT_TRAINING
    _acc = CMP.published_accuracy(PART_C["teacher"], "distillation")
    _dev = P.get_device(PART_C["device"])
    ui.stakeholder(
        "Priya Natarajan", "Search ranking lead",
        f"Our ranker is {P.get_workload(PART_C['teacher']).name}, one {PART_C['tokens']}-token query at a time on "
        f"{_dev.name} GPUs. DistilBERT keeps half its layers, scoring {U.fmt_number(_acc.compressed)} on GLUE "
        f"against {U.fmt_number(_acc.baseline)}, and distilling it took {_t['gpus']} V100 GPUs for about "
        f"{U.fmt_number(_t['hours'])} hours ({U.fmt_number(distillation_cost())} USD at rental prices). "
        "After how many queries has the student paid for its training?",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"Queries until the serving time DistilBERT saves on the {P.get_device(PART_C['device']).name} repays its "
        "distillation run", {k: k for k in PART_C_OPTIONS})
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_plan = payback(**{k: PART_C[k] for k in ("device", "tokens", "batch", "qps", "lifetime_months")})
    partC_queries = partC_plan["queries"]
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Iron Law", choice, G.closest_option(PART_C_OPTIONS, partC_queries),
        option_values=PART_C_OPTIONS, actual=partC_queries, unit="queries",
        explanation=(
            f"Per query the student saves {U.fmt_seconds(partC_plan['saved_s'])} of GPU time "
            f"({U.fmt_seconds(partC_plan['teacher'].ttft_s)} down to {U.fmt_seconds(partC_plan['student'].ttft_s)}: "
            f"half the layers, so half the weight bytes to read), worth {U.fmt_number(partC_plan['saving'] * 1e6)} USD "
            f"per million queries. Repaying {U.fmt_number(partC_plan['cost'])} USD takes "
            f"{count_words(partC_queries)} queries: at {U.fmt_number(PART_C['qps'])} queries/s, "
            f"{days(partC_plan['days'])}. Distillation is a training-time investment that pays back only at volume."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_queries, partC_result


@app.cell
def _():
    # The instruments open on Priya's service.
    partC_device = mo.ui.dropdown({P.get_device(d).name: d for d in PART_C_DEVICES},
                                  value=P.get_device(PART_C["device"]).name, label="Serving GPU")
    partC_tokens = mo.ui.slider(16, P.get_workload(PART_C["student"]).max_context, step=16, value=PART_C["tokens"],
                                label="Tokens per query", show_value=True)
    partC_batch = mo.ui.slider(1, 64, value=PART_C["batch"], label="Queries per batch", show_value=True)
    partC_qps = mo.ui.slider(10, 20000, step=10, value=PART_C["qps"], label="Queries per second", show_value=True)
    partC_lifetime = mo.ui.slider(1, 24, value=PART_C["lifetime_months"], label="Months before the model is replaced",
                                  show_value=True)
    return partC_batch, partC_device, partC_lifetime, partC_qps, partC_tokens


@app.cell
def _(partC_batch, partC_device, partC_lifetime, partC_qps, partC_tokens):
    partC_now = payback(partC_device.value, partC_tokens.value, partC_batch.value, partC_qps.value,
                        partC_lifetime.value)
    partC_fails = not partC_now["pays_back"]
    return partC_fails, partC_now


@app.cell
def _(
    partC_batch,
    partC_device,
    partC_fails,
    partC_lifetime,
    partC_now,
    partC_qps,
    partC_result,
    partC_tokens,
):
    mo.stop(partC_result is None, ui.locked("the payback calculator"))
    _dev = P.get_device(partC_device.value)
    _controls = [mo.hstack([partC_device, partC_tokens, partC_batch], wrap=True),
                 mo.hstack([partC_qps, partC_lifetime], wrap=True)]
    if partC_now["error"]:
        _out = _controls + [ui.failure_banner(
            "Never pays back", what=f"on the {_dev.name} the student saves no time per query ({partC_now['error']})",
            by="the whole distillation cost", fix="serve where the teacher's time per query is larger")]
    else:
        _q = partC_now["queries"]
        _life = partC_now["lifetime_queries"]
        _predicted = PART_C_OPTIONS[partC_result.choice]
        _xs = [10 ** (k / 4) for k in range(16, 57)]
        _fig = go.Figure()
        _fig.add_trace(go.Scatter(x=_xs, y=[partC_now["saving"] * x for x in _xs], mode="lines",
                                  name="serving cost saved so far", line=dict(color=charts.COLOR["series"], width=3)))
        _fig.add_trace(go.Scatter(x=[_xs[0], _xs[-1]], y=[partC_now["cost"]] * 2, mode="lines",
                                  name=f"distillation run: {U.fmt_number(partC_now['cost'])} USD",
                                  line=dict(color=charts.COLOR["neutral"], dash="dot", width=2)))
        _fig.add_trace(go.Scatter(x=[_q], y=[partC_now["cost"]], mode="markers", name=f"break-even: {count_words(_q)}",
                                  marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"])))
        charts.themed(_fig, title=f"Saved serving cost vs queries on the {_dev.name} (log-log)",
                      x="queries served (log scale)", y="USD (log scale)")
        charts.log_axes(_fig, xs=_xs, ys=[partC_now["saving"] * _xs[0], partC_now["saving"] * _xs[-1],
                                          partC_now["cost"]], pad=0.2)
        charts.reference_line(_fig, _life, f"{partC_lifetime.value} months of traffic: {count_words(_life)}",
                              axis="x", color=charts.COLOR["alternative"], dash="dot")
        charts.reference_line(_fig, _predicted, f"your prediction: {partC_result.label}", axis="x")
        _banner = (
            ui.failure_banner(
                "Never pays back", what=f"break-even needs {count_words(_q)} queries; the model serves "
                                        f"{count_words(_life)} in {partC_lifetime.value} months",
                by=f"{U.fmt_ratio(_q / _life)} the traffic", fix="more traffic, a longer model life, or keep the "
                                                                  "teacher and quantize it instead")
            if partC_fails else
            ui.banner("ok", "Pays back", f"after {days(partC_now['days'])}, within the model's "
                                         f"{partC_lifetime.value} months.")
        )
        _out = _controls + [_fig, ui.cards(
            ui.metric_card("time saved per query", U.fmt_seconds(partC_now["saved_s"]),
                           f"{U.fmt_seconds(partC_now['teacher'].ttft_s)} teacher, "
                           f"{U.fmt_seconds(partC_now['student'].ttft_s)} student per batch"),
            ui.metric_card("break-even", f"{count_words(_q)} queries", days(partC_now["days"]),
                           "fail" if partC_fails else "ok"),
            ui.metric_card("bound", partC_now["teacher"].bound, "the teacher's step at this batch")), _banner]
    mo.vstack(_out)
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result, fmt=count_words) if partC_result else None
    return


@app.cell
def _():
    _t = CMP.DISTILBERT_TRAINING
    _v = P.get_device(_t["device"])
    _s = P.get_device(PART_C["device"])
    _acc = CMP.published_accuracy(PART_C["teacher"], "distillation")
    ui.math_peek(
        "distillation break-even",
        [r"C_\text{distil} = N_\text{GPU}\, h\, p_\text{train}",
         r"s = \frac{t_\text{teacher} - t_\text{student}}{B}\, p_\text{serve}, \qquad "
         r"Q_\text{break-even} = \frac{C_\text{distil}}{s}"],
        [("distillation run", f"{_t['gpus']} GPUs x {U.fmt_number(_t['hours'])} h", _t["source"]),
         (f"{_v.name} rental p_train", f"{U.fmt_number(_v.price_per_hour)} USD/h", _v.sources[-1]),
         (f"{_s.name} rental p_serve", f"{U.fmt_number(_s.price_per_hour)} USD/h", _s.sources[-1]),
         ("DistilBERT vs BERT-Base (GLUE)", f"{U.fmt_number(_acc.compressed)} vs {U.fmt_number(_acc.baseline)}",
          _acc.source),
         ("DistilBERT parameters", U.fmt_params(P.get_workload("distilbert").params),
          P.get_workload("distilbert").sources[0])],
    )
    return


@app.cell
def _():
    ui.section("Part D: The deployment precision", 12)
    return


@app.cell
def _():
    _dev = P.get_device(PART_D["device"])
    ui.stakeholder(
        "Diego Hernández", "Robotics lead",
        f"The robot's assistant is {P.get_workload(LLM).name} on the {_dev.name} "
        f"({U.fmt_bytes(_dev.memory_bytes)}), with a {PART_D['context']:,}-token context. It must fit, answer at "
        f"{U.fmt_number(MIN_TOKENS_PER_S)} tokens/s or faster, and stay within {pct(MAX_PPL_INCREASE)} of fp16's "
        f"WikiText-2 perplexity by a published result (int4 by AWQ). The team's plan is "
        f"{PART_D['proposal']}. Which precision do we ship?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction(
        f"Which weight precision meets all three requirements on the {P.get_device(PART_D['device']).name}?",
        PART_D_OPTIONS)
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_answer = part_d_answer()
    _rows = {q: deployment(q, PART_D["method"], PART_D["device"], PART_D["context"]) for q in QUANT}
    _why = "; ".join(f"{q}: {', '.join(r['violations']) or 'meets all three'}" for q, r in _rows.items())
    _ok = _rows[partD_answer]
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", "Memory Wall", choice, partD_answer,
        explanation=(
            f"{_why}. {partD_answer} reads {U.fmt_bytes(_ok['est'].weights_bytes)} of weights per token, so it "
            f"decodes {U.fmt_number(_ok['est'].tokens_per_s)} tokens/s in {U.fmt_bytes(_ok['est'].memory_bytes)}, "
            f"and its published perplexity is {pct(_ok['increase'])} above fp16. Wider formats overflow memory or "
            "bandwidth; ternary is faster still, but no post-training result shows this model survives it "
            "(BitNet b1.58 works because it is trained ternary from the start)."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_answer, partD_result


@app.cell
def _():
    # The instruments open on the robot's board and context, with the team's plan selected.
    partD_precision = mo.ui.radio({q: q for q in QUANT}, value=PART_D["proposal"], label="Precision to ship",
                                  inline=True)
    partD_method = mo.ui.radio({v: k for k, v in INT4_METHODS.items()}, value=INT4_METHODS[PART_D["method"]],
                               label="int4 method")
    partD_device = mo.ui.dropdown({P.get_device(d).name: d for d in PART_D_DEVICES},
                                  value=P.get_device(PART_D["device"]).name, label="Device")
    partD_context = mo.ui.slider(256, P.get_workload(LLM).max_context, step=256, value=PART_D["context"],
                                 label="Context (tokens)", show_value=True)
    return partD_context, partD_device, partD_method, partD_precision


@app.cell
def _(partD_context, partD_device, partD_method, partD_precision):
    partD_rows = {q: deployment(q, partD_method.value, partD_device.value, partD_context.value) for q in QUANT}
    partD_now = partD_rows[partD_precision.value]
    partD_violations = partD_now["violations"]
    return partD_now, partD_rows, partD_violations


@app.cell
def _(
    partD_context,
    partD_device,
    partD_method,
    partD_now,
    partD_precision,
    partD_result,
    partD_rows,
    partD_violations,
):
    mo.stop(partD_result is None, ui.locked("the deployment check"))
    _dev = P.get_device(partD_device.value)
    _cap = 3.0  # bars above three times the budget are drawn at three and labelled with their value
    _fig = go.Figure()
    for _name, _key, _color in (("memory", "memory_used", "data"), ("speed", "speed_used", "compute"),
                                ("quality", "quality_used", "fixed")):
        _vals = [partD_rows[q][_key] for q in QUANT]
        _fig.add_trace(go.Bar(
            x=QUANT, y=[_cap if v is None else min(v, _cap) for v in _vals], name=f"{_name} budget used",
            marker_color=charts.COLOR[_color], textposition="outside",
            text=["no evidence" if v is None else pct(v, 3) for v in _vals]))
    charts.themed(_fig, title=f"Share of each budget used on the {_dev.name}, context {partD_context.value:,} "
                              "(1 = the limit)", x="weight precision", y="share of budget")
    _fig.update_layout(barmode="group")
    _fig.update_yaxes(range=[0, _cap * 1.25])
    charts.reference_line(_fig, 1.0, "the limit", color=charts.COLOR["neutral"], dash="dot")
    charts.mark_point(_fig, partD_result.choice, 1.0, f"your prediction: {partD_result.label}")
    _est = partD_now["est"]
    _banners = []
    if "OOM" in partD_violations:
        _banners.append(ui.failure_banner(
            "OOM", what=f"{partD_precision.value} needs {U.fmt_bytes(_est.memory_bytes)}; the {_dev.name} has "
                        f"{U.fmt_bytes(partD_now['usable'])} usable",
            by=U.fmt_bytes(_est.memory_bytes - partD_now["usable"]), fix="fewer bits per weight or a shorter context"))
    if "too slow" in partD_violations:
        _banners.append(ui.failure_banner(
            "Too slow", what=f"{U.fmt_number(_est.tokens_per_s)} tokens/s against a floor of "
                             f"{U.fmt_number(MIN_TOKENS_PER_S)}",
            by=U.fmt_ratio(partD_now["speed_used"]), fix="fewer bytes per token: fewer bits or a shorter context"))
    if "quality ceiling" in partD_violations:
        _banners.append(ui.failure_banner(
            "Quality ceiling", what=f"published perplexity {pct(partD_now['increase'])} above fp16 "
                                    f"({partD_now['source']})",
            by=f"{U.fmt_number(100 * (partD_now['increase'] - MAX_PPL_INCREASE), 2)} percentage points",
            fix="an activation-aware method (AWQ) or a wider format"))
    if "no quality evidence" in partD_violations:
        _banners.append(ui.failure_banner(
            "No quality evidence", what=partD_now["source"], by="an unknown amount",
            fix="ship a format with a published result, or train the model ternary from the start and measure"))
    if not _banners:
        _banners.append(ui.banner("ok", f"{partD_precision.value} ships",
                                  f"{U.fmt_number(_est.tokens_per_s)} tokens/s in {U.fmt_bytes(_est.memory_bytes)}; "
                                  f"perplexity {pct(partD_now['increase'])} above fp16."))
    mo.vstack([
        mo.hstack([partD_precision, partD_device], wrap=True), mo.hstack([partD_method, partD_context], wrap=True),
        _fig,
        ui.slo_bars(
            ui.slo_bar("memory", _est.memory_bytes, partD_now["usable"], fmt=U.fmt_bytes),
            ui.slo_bar("decode speed", _est.tokens_per_s, MIN_TOKENS_PER_S, unit="tokens/s",
                       fmt=U.fmt_number, higher_is_better=True),
            ui.slo_bar("perplexity increase", float("inf") if partD_now["increase"] is None
                       else 100 * partD_now["increase"], 100 * MAX_PPL_INCREASE, unit="%",
                       fmt=lambda v: U.fmt_number(v, 2))),
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
    _awq, _rtn = CMP.published_accuracy(LLM, "int4 AWQ"), CMP.published_accuracy(LLM, "int4 RTN")
    _int8, _bit = CMP.published_accuracy(LLM, "int8"), CMP.published_accuracy("bitnet-b1.58-3b", "ternary")
    ui.math_peek(
        "three requirements",
        [r"M = N\, b_w + \text{KV}(C) + M_\text{act} \le f_\text{usable}\, M_\text{device}",
         r"\frac{1}{t_\text{token}} \ge " + U.fmt_number(MIN_TOKENS_PER_S) + r"\ \text{tokens/s}",
         r"\frac{\text{PPL}_\text{compressed}}{\text{PPL}_\text{fp16}} - 1 \le " + U.fmt_number(MAX_PPL_INCREASE)],
        [(f"{_dev.name} memory", U.fmt_bytes(_dev.memory_bytes), _dev.sources[0]),
         ("usable fraction", pct(P.DEFAULT_MEMORY_FRACTION), "engine default: runtime and fragmentation reserve"),
         ("int8 (LLM.int8) perplexity", f"{U.fmt_number(_int8.baseline)} to {U.fmt_number(_int8.compressed)}",
          _int8.source),
         ("int4 AWQ perplexity", f"{U.fmt_number(_awq.baseline)} to {U.fmt_number(_awq.compressed)}", _awq.source),
         ("int4 round-to-nearest perplexity", f"{U.fmt_number(_rtn.baseline)} to {U.fmt_number(_rtn.compressed)}",
          _rtn.source),
         ("ternary, trained from scratch (3B)", f"{U.fmt_number(_bit.baseline)} to {U.fmt_number(_bit.compressed)}",
          _bit.source)],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    ui.takeaways(
        ["Weight quantization speeds a memory-bound decode by the ratio of bytes moved, without any new math unit; "
         "the KV cache and fixed dispatch time cap the gain below the byte ratio.",
         "Unstructured sparsity saves nothing on dense GEMM hardware: the zeros are multiplied. 2:4 sparsity runs at a "
         "separate sparse peak on devices that have one, and applies once, to the compute term.",
         "Storing sparse weights with indices can be larger than storing them dense.",
         "Distillation costs a training run; it pays back only at high query volume.",
         "A compressed format ships only with published quality evidence for that model and method."],
        [("Why can int4 speed up decode on a GPU with no int4 tensor cores?",
          "Decode is memory-bound: the time is bytes moved over bandwidth, and int4 moves a quarter of fp16's weight "
          "bytes; the math runs in a wider format."),
         ("A device lists a 2:4 sparse peak twice its dense peak. When does a pruned model see it?",
          "Only with the 2:4 pattern, on sparse tensor cores, for compute-bound layers; never for unstructured zeros, "
          "and never doubled again by halving the FLOPs.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md(f"Diego needs one precision to ship on the {P.get_device(PART_D['device']).name}, and the "
                     "reason it beats the team's plan. Write him a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_oom,
    partA_result,
    partA_speedup,
    partB_result,
    partB_speedup,
    partC_fails,
    partC_queries,
    partC_result,
    partD_answer,
    partD_context,
    partD_device,
    partD_method,
    partD_precision,
    partD_result,
    partD_violations,
):
    # The precision is the learner's decision (read by v1.16): saved once Part D is committed.
    _decisions = {"int4_method": partD_method.value, "device": partD_device.value,
                  "context_tokens": partD_context.value}
    if partD_result is not None:
        _decisions["precision"] = partD_precision.value
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions=_decisions,
        outcomes={"int4_decode_speedup": partA_speedup, "unstructured_speedup": partB_speedup,
                  "distillation_break_even_queries": partC_queries, "edge_precision_that_meets_all": partD_answer},
        constraints=(["OOM in Part A"] if partA_oom and partA_result else [])
        + (["distillation never pays back"] if partC_fails and partC_result else [])
        + ([f"{v}: {partD_precision.value} on {partD_device.value}" for v in partD_violations] if partD_result else []),
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
