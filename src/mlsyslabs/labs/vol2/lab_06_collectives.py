import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # v2.06 Collective Communication. The scenario layer: settings, graded answers and cited
    # values, importable and testable without running the notebook (tests/labs/test_v2_06.py).
    # Parts: A ring vs tree by message size (and N: the crossover moves), B busbw vs algbw when a
    # ring leaves the node, C all-to-all for MoE vs all-reduce, D gradient bucketing and overlap.
    # The reference lab's part on hierarchical all-reduce is folded into A (its curve is drawn
    # beside ring and tree at every N: on a rail-optimized cluster NCCL's ring already uses one
    # ring per NIC, so hierarchy trims latency steps only); its compression part is left to v2.09.
    import math

    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import collectives as C
    from mlsyslabs.physics import fabrics as FAB
    from mlsyslabs.physics import validation as V

    LAB = get_lab("v2.06")
    INV_A, INV_B, INV_C, INV_D = LAB.invariants  # one per part, in the catalog's order
    CLUSTER_ID = "dgx-h100"
    CLUSTER = FAB.get_cluster(CLUSTER_ID)
    GPU = P.get_device("h100-sxm")
    NVLINK, NIC = CLUSTER.intra, CLUSTER.inter
    NODE = CLUSTER.gpus_per_node
    SCENARIO_GPUS = 8 * NODE  # the team's eight DGX nodes
    # Part D's model: data-parallel training with fp32 gradients (PyTorch DDP under AMP).
    MODEL = P.get_workload("gpt2-xl")
    GRAD_BYTES = MODEL.params * P.BYTES_PER_ELEMENT["fp32"]
    GPU_COUNTS = (8, 16, 32, 64, 128, 256, 512, 1024)
    # Part A: two all-reduces on the 64 GPUs: one small bucket and the whole gradient in one call.
    PART_A = dict(gpus=SCENARIO_GPUS, small=2**20, large=GRAD_BYTES)
    ALGS = ("ring", "tree")  # what NCCL's tuner chooses between (collectives.NCCL_ALGORITHMS)
    PART_A_OPTIONS = {
        "Tree for both": "tree/tree",
        "Ring for both": "ring/ring",
        "Tree for the small one, ring for the large one": "tree/ring",
        "Ring for the small one, tree for the large one": "ring/tree",
    }
    # Part B: nccl-tests, 1 GiB ring all-reduce, one node vs eight.
    PART_B = dict(size=2**30, gpus=SCENARIO_GPUS, base_gpus=NODE, algorithm="ring")
    SIZES_B = (2**16, 2**20, 2**24, 2**28, 2**30, 2**32)
    # Part C: one MoE all-to-all (each GPU's routed tokens) vs an all-reduce of the same buffer.
    PART_C = dict(cluster=CLUSTER_ID, ep=SCENARIO_GPUS, size=2**28)
    MOE_CLUSTERS = (CLUSTER_ID, "gb200-nvl72")
    EP_SIZES = (8, 16, 32, 64, 128, 256)
    PART_C_OPTIONS = {"About half as long": 0.5, "About as long": 1.0, "About 3x longer": 3.0,
                      "About 10x longer": 10.0}
    # Part D: DDP on the 64 GPUs, 1,024-token sequences, microbatch 2 per GPU; PyTorch's default bucket.
    PART_D = dict(gpus=SCENARIO_GPUS, microbatch=2, seq_len=1024, bucket=C.DDP_BUCKET_BYTES, precision="bf16")
    BUCKETS_D = (2**16, 2**20, 4 * 2**20, C.DDP_BUCKET_BYTES, 2**26, 2**28, 2**30, GRAD_BYTES)
    PART_D_CHOICES = (2**20, C.DDP_BUCKET_BYTES, 2**28, GRAD_BYTES)
    MICROBATCH_MIN, MICROBATCH_MAX = 2, 8  # the microbatches the team runs (slider range)
    BACKWARD_SHARE = 2 / 3  # backward = 4 of the 6 N FLOPs per token (Kaplan et al. 2020, Sec. 2.1)


@app.function
def size_text(n: float) -> str:
    """Message sizes in binary units (as NCCL and nccl-tests print them); whole gradients in SI."""
    return U.fmt_bytes(n, binary=True) if float(n).is_integer() and int(n) % 2**10 == 0 else U.fmt_bytes(n)


@app.function
def source_with(fabric, word: str) -> str:
    """The registry source of `fabric` that mentions `word` (e.g. 'topo.h' for efficiency, 'hwLat' for latency)."""
    return next((x for x in fabric.sources if word in x), fabric.sources[0])


@app.function
def time_axis(fig, ys, pad: float = 0.15, fmt=U.fmt_seconds):
    """A log y axis that hugs `ys`, its ticks written with `fmt` (durations: 100 us, 10 ms), not bare numbers."""
    charts.log_axes(fig, ys=ys, pad=pad)
    lo, hi = fig.layout.yaxis.range
    mults = (1,) if hi - lo > 2 else (1, 2, 5)
    ticks = [m * 10.0**e for e in range(math.floor(lo) - 1, math.ceil(hi) + 1) for m in mults]
    ticks = [t for t in ticks if lo <= math.log10(t) <= hi]
    fig.update_yaxes(tickvals=ticks, ticktext=[fmt(t) for t in ticks])
    return fig


@app.function
def rate_text(bytes_per_s: float) -> str:
    return f"{U.fmt_bytes(bytes_per_s)}/s"


@app.function
def pct(fraction: float) -> str:
    return f"{U.fmt_number(100 * fraction, 2)}%"


@app.function
def gpus_label(n: int) -> str:
    nodes = max(1, n // NODE)
    return f"{n} GPUs ({nodes} node{'s' if nodes > 1 else ''})"


@app.function
def allreduce(alg: str, gpus: int, size: float, cluster: str = CLUSTER_ID):
    return C.collective("allreduce", gpus=gpus, size_bytes=size, algorithm=alg, cluster=cluster)


@app.function
def winner(gpus: int, size: float) -> str:
    """The faster of ring and tree, as NCCL's tuner picks."""
    return C.fastest_allreduce(gpus=gpus, size_bytes=size, cluster=CLUSTER_ID).algorithm


@app.function
def part_a_answer() -> str:
    return f"{winner(PART_A['gpus'], PART_A['small'])}/{winner(PART_A['gpus'], PART_A['large'])}"


@app.function
def crossover(gpus: int):
    """Size at which ring overtakes tree (None: tree wins up to 64 GiB)."""
    return C.crossover_bytes("tree", "ring", gpus=gpus, cluster=CLUSTER_ID)


@app.function
def crossover_text(gpus: int) -> str:
    x = crossover(gpus)
    if x is None:
        return "none up to 64 GiB: tree wins at every size"
    if x <= 2**10:
        return "none: ring wins at every size"
    return U.fmt_bytes(x, binary=True)


@app.function
def busbw(gpus: int, size: float = PART_B["size"], alg: str = PART_B["algorithm"]) -> float:
    return allreduce(alg, gpus, size).busbw


@app.function
def part_b_options() -> dict:
    """Option text -> the busbw (bytes/s) it implies: the NIC's rate, half, the same, double the one-node figure."""
    one = busbw(PART_B["base_gpus"])
    vals = [CLUSTER.nic_bw_per_gpu * NIC.efficiency, one / 2, one, 2 * one]
    words = ("down to one network port's sustained rate", "about half of it", "about the same", "about double")
    return {f"{rate_text(v)}: {w}": v for v, w in zip(vals, words)}


@app.function
def part_b_answer() -> str:
    return G.closest_option(part_b_options(), busbw(PART_B["gpus"]))


@app.function
def moe_times(cluster: str, ep: int, size: float):
    """(all-to-all, all-reduce) of `size` bytes per GPU over `ep` GPUs on `cluster`."""
    a2a = C.collective("alltoall", gpus=ep, size_bytes=size, cluster=cluster)
    ar = C.collective("allreduce", gpus=ep, size_bytes=size, algorithm="ring", cluster=cluster)
    return a2a, ar


@app.function
def part_c_ratio() -> float:
    a2a, ar = moe_times(**PART_C)
    return a2a.time_s / ar.time_s


@app.function
def part_c_answer() -> str:
    return G.closest_option(PART_C_OPTIONS, part_c_ratio())


@app.function
def bucket_label(b: float) -> str:
    if b == GRAD_BYTES:
        return f"one bucket: all {U.fmt_bytes(GRAD_BYTES)}"
    if b == C.DDP_BUCKET_BYTES:
        return f"{size_text(b)} (PyTorch DDP default)"
    return size_text(b)


@app.function
def overlap_plan(bucket: float, gpus: int, microbatch: int) -> dict:
    """One DDP step: compute from the engine's training estimate, gradients all-reduced in buckets
    that overlap the backward pass; failures: OOM, and exposed communication longer than compute."""
    est = P.estimate(MODEL.id, GPU.id, phase="training", batch=int(microbatch), seq_len=PART_D["seq_len"],
                     precision=PART_D["precision"])
    backward = est.step_time_s * BACKWARD_SHARE
    ov = C.bucketed_overlap(grad_bytes=GRAD_BYTES, backward_s=backward, bucket_bytes=bucket, gpus=int(gpus),
                            cluster=CLUSTER_ID)
    return dict(est=est, compute_s=est.step_time_s, backward_s=backward, ov=ov, step_s=est.step_time_s + ov.exposed_s,
                violations=step_violations(ov.exposed_s, est.step_time_s, est.fits))


@app.function
def step_violations(exposed_s: float, compute_s: float, fits: bool) -> list:
    out = []
    if not fits:
        out.append("OOM")
    if exposed_s > compute_s:
        out.append("exposed communication > compute")
    return out


@app.function
def part_d_exposed() -> dict:
    return {b: overlap_plan(b, PART_D["gpus"], PART_D["microbatch"])["ov"].exposed_s for b in PART_D_CHOICES}


@app.function
def part_d_answer() -> float:
    ex = part_d_exposed()
    return min(ex, key=ex.get)


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(LAB, subtitle="Every step of data-parallel training ends in a collective. Which algorithm, "
                            "which placement and which bucket size decide whether the network or the GPUs set "
                            "the pace?",
              parts=["Part A: ring or tree", "Part B: busbw across nodes", "Part C: all-to-all for MoE",
                     "Part D: buckets and overlap"],
              notice=ledger.notice)
    return


@app.cell
def _():
    ui.section("Part A: Ring or tree?", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Dana Okafor", "training infrastructure lead",
        f"We train {MODEL.name} on {gpus_label(SCENARIO_GPUS)} of {GPU.name}: NVLink inside each node, one "
        f"{NIC.name} port per GPU between nodes. Every step all-reduces gradients; NCCL picks ring or tree for each "
        f"call. Two calls matter to me: a {size_text(PART_A['small'])} bucket and the whole "
        f"{U.fmt_bytes(PART_A['large'])} fp32 gradient in one call. Which algorithm should win each?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"On {SCENARIO_GPUS} GPUs, which all-reduce algorithm is faster for the {size_text(PART_A['small'])} call "
        f"and for the {U.fmt_bytes(PART_A['large'])} call?", PART_A_OPTIONS)
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_answer = part_a_answer()
    _n, _s, _l = PART_A["gpus"], PART_A["small"], PART_A["large"]
    _rs, _ts = allreduce("ring", _n, _s), allreduce("tree", _n, _s)
    _rl, _tl = allreduce("ring", _n, _l), allreduce("tree", _n, _l)
    _x = crossover(_n)
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", INV_A, choice, partA_answer, actual=(_x or 0) / 2**20, unit="MiB: where ring overtakes tree",
        explanation=(
            f"{size_text(_s)}: ring {U.fmt_seconds(_rs.time_s)}, tree {U.fmt_seconds(_ts.time_s)}. A small message "
            f"is latency: the ring takes 2(n-1) = {2 * (_n - 1)} steps in a row, the tree about 2(k-1) + "
            f"2 log2(N) = {2 * (NODE - 1) + 2 * (_n // NODE).bit_length() - 2}. "
            f"{U.fmt_bytes(_l)}: ring {U.fmt_seconds(_rl.time_s)}, tree {U.fmt_seconds(_tl.time_s)}. A large one is "
            f"bandwidth: the ring moves 2(n-1)/n of the buffer per GPU at full link speed, the tree 2x the buffer at "
            f"{pct(C.TREE_BW_FACTOR)} of it. On {_n} GPUs the crossover sits at {crossover_text(_n)}; it grows with "
            "N because the ring's step count does."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_answer, partA_result


@app.cell
def _():
    partA_gpus = mo.ui.dropdown({gpus_label(n): n for n in GPU_COUNTS}, value=gpus_label(PART_A["gpus"]),
                                label="GPUs in the all-reduce")
    return (partA_gpus,)


@app.cell
def _(partA_gpus, partA_result):
    mo.stop(partA_result is None, ui.locked("the algorithm explorer"))
    _n = partA_gpus.value
    _sizes = [2.0**k for k in range(10, 36)]
    _fig = go.Figure()
    _styles = {"ring": charts.COLOR["data"], "tree": charts.COLOR["compute"], "hierarchical": charts.COLOR["neutral"]}
    _curves = {a: [allreduce(a, _n, s).time_s for s in _sizes] for a in _styles}
    for _alg, _color in _styles.items():
        _fig.add_trace(go.Scatter(x=_sizes, y=_curves[_alg], mode="lines",
                                  name=_alg, line=dict(color=_color, width=3 if _alg != "hierarchical" else 2,
                                                       dash="dot" if _alg == "hierarchical" else "solid")))
    _picked = partA_result.choice.split("/")
    _marks = [(PART_A["small"], _picked[0]), (PART_A["large"], _picked[1])]
    _fig.add_trace(go.Scatter(
        x=[s for s, _ in _marks], y=[allreduce(a, _n, s).time_s for s, a in _marks], mode="markers+text",
        text=[f"your pick: {a}" for _, a in _marks], textposition="top left", name="your prediction",
        marker=dict(size=14, symbol="diamond-open", color=charts.COLOR["highlight"], line=dict(width=3))))
    _best = [(s, winner(_n, s)) for s, _ in _marks]
    _fig.add_trace(go.Scatter(
        x=[s for s, _ in _best], y=[allreduce(a, _n, s).time_s for s, a in _best], mode="markers+text",
        text=[f"faster: {a}" for _, a in _best], textposition="bottom right", name="the engine's winner",
        marker=dict(size=9, color=charts.COLOR["series"])))
    charts.themed(_fig, title=f"All-reduce time vs message size on {gpus_label(_n)}", x="bytes per GPU (log scale)",
                  y="time (log scale)", height=420)
    _ticks = [2.0**k for k in range(10, 36, 5)]
    _fig.update_xaxes(tickvals=_ticks, ticktext=[size_text(t) for t in _ticks])
    charts.log_axes(_fig, xs=_sizes, pad=0.1)
    time_axis(_fig, [t for c in _curves.values() for t in c], pad=0.1)
    _x = crossover(_n)
    if _x is not None and _x > 2**10:
        charts.reference_line(_fig, _x, f"crossover {crossover_text(_n)}", axis="x", color=charts.COLOR["limit"],
                              dash="dot")
    _s, _l = PART_A["small"], PART_A["large"]
    mo.vstack([
        partA_gpus, _fig,
        ui.cards(
            ui.metric_card(f"{size_text(_s)} call", f"{winner(_n, _s)} wins",
                           f"ring {U.fmt_seconds(allreduce('ring', _n, _s).time_s)}, "
                           f"tree {U.fmt_seconds(allreduce('tree', _n, _s).time_s)}"),
            ui.metric_card(f"{U.fmt_bytes(_l)} call", f"{winner(_n, _l)} wins",
                           f"ring {U.fmt_seconds(allreduce('ring', _n, _l).time_s)}, "
                           f"tree {U.fmt_seconds(allreduce('tree', _n, _l).time_s)}"),
            ui.metric_card("ring overtakes tree at", crossover_text(_n), gpus_label(_n)),
        ),
        mo.md("The dotted curve is the two-level (hierarchical) all-reduce: reduce-scatter on NVLink, ring across "
              "nodes on 1/8 of the buffer, all-gather on NVLink. With one network port per GPU, NCCL's flat ring "
              "already runs one ring per port, so the hierarchy saves latency steps but adds two phases."),
    ])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "ring and tree all-reduce (alpha-beta)",
        [r"T_\text{ring} = 2(n-1)\,\alpha + \frac{2(n-1)}{n}\,\frac{S}{B}",
         r"T_\text{tree} = 2\left[(k-1)\,\alpha_\text{NVLink} + \lceil \log_2 N \rceil\, \alpha_\text{net}\right] "
         r"+ \frac{2S}{0.92\, B}",
         r"B = \min(B_\text{NVLink},\; k\, B_\text{port}) \quad \text{(one ring per network port)}"],
        [(f"{NVLINK.name} per direction", rate_text(NVLINK.bw), NVLINK.sources[0]),
         ("sustained fraction", pct(NVLINK.efficiency), source_with(NVLINK, "topo.h")),
         (f"{NIC.name} per GPU", rate_text(NIC.bw), NIC.sources[0]),
         ("alpha per step (Simple protocol): NVLink / network",
          f"{U.fmt_seconds(NVLINK.latency_s)} / {U.fmt_seconds(NIC.latency_s)}", source_with(NIC, "hwLat")),
         ("tree bandwidth factor", U.fmt_number(C.TREE_BW_FACTOR, 2), "NCCL tuning.cc (double binary tree)"),
         ("GPUs per node k", str(NODE), CLUSTER.sources[0])],
    )
    return


@app.cell
def _():
    ui.section("Part B: What does nccl-tests print across nodes?", 10)
    return


@app.cell
def _():
    _one = busbw(PART_B["base_gpus"])
    ui.stakeholder(
        "Dana Okafor", "training infrastructure lead",
        f"On one node, nccl-tests' all_reduce_perf prints a bus bandwidth of {rate_text(_one)} for a "
        f"{size_text(PART_B['size'])} ring all-reduce: NVLink at work. Between nodes each GPU has only its "
        f"{NIC.name} port, {rate_text(NIC.bw)} per direction. When we run the same test on all "
        f"{gpus_label(PART_B['gpus'])}, what bus bandwidth should I expect before I call it a bad fabric?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"busbw of a {size_text(PART_B['size'])} ring all-reduce on {gpus_label(PART_B['gpus'])}",
        {k: k for k in part_b_options()})
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_answer = part_b_answer()
    _opts = part_b_options()
    _n, _one = PART_B["gpus"], PART_B["base_gpus"]
    _r = allreduce(PART_B["algorithm"], _n, PART_B["size"])
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", INV_B, choice, partB_answer, option_values={k: v / 1e9 for k, v in _opts.items()},
        actual=_r.busbw / 1e9, unit="GB/s busbw",
        explanation=(
            f"busbw {rate_text(_r.busbw)} on {_n} GPUs vs {rate_text(busbw(_one))} on {_one}. NCCL runs one ring per "
            f"network port: each ring crosses the network once per node, so the {NODE} ports of a node together "
            f"carry {rate_text(NODE * CLUSTER.nic_bw_per_gpu * NIC.efficiency)}, more than NVLink's sustained "
            f"{rate_text(NVLINK.achievable_bw)}. The test's algbw column ({rate_text(_r.algbw)}) is the buffer over "
            f"the time; busbw multiplies it by 2(n-1)/n = {U.fmt_number(C.busbw_factor('allreduce', _n), 3)}, the "
            "bytes each GPU really moves, so it is the number to hold against the links."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_answer, partB_result


@app.cell
def _():
    partB_gpus = mo.ui.dropdown({gpus_label(n): n for n in GPU_COUNTS}, value=gpus_label(PART_B["gpus"]),
                                label="GPUs")
    partB_size = mo.ui.dropdown({size_text(s): s for s in SIZES_B}, value=size_text(PART_B["size"]),
                                label="Message size")
    partB_alg = mo.ui.radio({"ring": "ring", "tree": "tree"}, value=PART_B["algorithm"], label="Algorithm",
                            inline=True)
    return partB_alg, partB_gpus, partB_size


@app.cell
def _(partB_alg, partB_gpus, partB_size):
    partB_run = allreduce(partB_alg.value, partB_gpus.value, partB_size.value)
    return (partB_run,)


@app.cell
def _(partB_alg, partB_gpus, partB_result, partB_run, partB_size):
    mo.stop(partB_result is None, ui.locked("the nccl-tests view"))
    _ns = [8 * 2**i for i in range(10)]
    _runs = [allreduce(partB_alg.value, n, partB_size.value) for n in _ns]
    _fig = go.Figure()
    _fig.add_trace(go.Scatter(x=_ns, y=[r.busbw for r in _runs], mode="lines+markers", name="busbw",
                              line=dict(color=charts.COLOR["series"], width=3)))
    _fig.add_trace(go.Scatter(x=_ns, y=[r.algbw for r in _runs], mode="lines+markers", name="algbw",
                              line=dict(color=charts.COLOR["alternative"], width=2, dash="dash")))
    _fig.add_trace(go.Scatter(x=[_ns[0], _ns[-1]], y=[NVLINK.achievable_bw] * 2, mode="lines",
                              name=f"NVLink sustained: {rate_text(NVLINK.achievable_bw)}",
                              line=dict(color=charts.COLOR["neutral"], dash="dot")))
    _fig.add_trace(go.Scatter(x=[partB_gpus.value], y=[partB_run.busbw], mode="markers", name="your setting",
                              marker=dict(size=14, symbol="circle-open", color=charts.COLOR["limit"],
                                          line=dict(width=3))))
    charts.themed(_fig, title=f"nccl-tests columns: {partB_alg.value} all-reduce of {size_text(partB_size.value)}",
                  x="GPUs (log scale)", y="bytes/s (log scale)", height=420)
    _predicted = part_b_options()[partB_result.choice]
    _ys = [r.busbw for r in _runs] + [r.algbw for r in _runs] + [_predicted, NVLINK.achievable_bw]
    charts.log_axes(_fig, xs=_ns, pad=0.1)
    time_axis(_fig, _ys, pad=0.15, fmt=rate_text)
    _fig.update_xaxes(tickvals=_ns, ticktext=[str(n) for n in _ns])
    charts.reference_line(_fig, _predicted, f"your prediction: {rate_text(_predicted)} on {PART_B['gpus']} GPUs")
    mo.vstack([
        mo.hstack([partB_gpus, partB_size, partB_alg], wrap=True), _fig,
        ui.cards(
            ui.metric_card("time", U.fmt_seconds(partB_run.time_s),
                           f"{U.fmt_seconds(partB_run.latency_s)} of it latency"),
            ui.metric_card("algbw", rate_text(partB_run.algbw), "buffer / time"),
            ui.metric_card("busbw", rate_text(partB_run.busbw),
                           f"algbw x 2(n-1)/n = x{U.fmt_number(C.busbw_factor('allreduce', partB_gpus.value), 3)}"),
        ),
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    _anchors = {a.id: a for a in V.ANCHORS}
    _one, _multi = _anchors["nccl-allreduce-8xh100-ring-16GiB"], _anchors["nccl-allreduce-4x8-h200-efa-4GiB"]
    ui.math_peek(
        "algbw and busbw",
        [r"\text{algbw} = \frac{S}{T}, \qquad \text{busbw} = \text{algbw} \times \frac{2(n-1)}{n}",
         r"\text{busbw} \to \min(B_\text{NVLink},\; k\, B_\text{port}) \text{ as } S \to \infty"],
        [("measured busbw, 8 GPUs in one node (16 GiB)", f"{U.fmt_number(_one.measured)} GB/s", _one.source),
         ("measured busbw, 4 nodes x 8 GPUs (4 GiB)", f"{U.fmt_number(_multi.measured)} GB/s", _multi.source),
         ("busbw definition", "2(n-1)/n for all-reduce", "nccl-tests doc/PERFORMANCE.md"),
         (f"{NIC.name} sustained", pct(NIC.efficiency), source_with(NIC, "efficiency"))],
    )
    return


@app.cell
def _():
    ui.section("Part C: All-to-all for a mixture of experts", 10)
    return


@app.cell
def _():
    _a2a, _ar = moe_times(**PART_C)
    ui.stakeholder(
        "Lucía Ferrer", "MoE research lead",
        f"Our next model is a mixture of experts, spread over all {PART_C['ep']} GPUs (expert parallelism). Each "
        f"layer every GPU sends its routed tokens, {size_text(PART_C['size'])}, to the experts' owners in an "
        f"all-to-all. A {size_text(PART_C['size'])} ring all-reduce on the same GPUs takes "
        f"{U.fmt_seconds(_ar.time_s)}. The all-to-all moves each byte once, not twice: is it cheaper?",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"The {size_text(PART_C['size'])} all-to-all on {PART_C['ep']} GPUs, compared with the all-reduce",
        {k: k for k in PART_C_OPTIONS})
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_answer = part_c_answer()
    _a2a, _ar = moe_times(**PART_C)
    _n, _leave = PART_C["ep"], (PART_C["ep"] - NODE) / PART_C["ep"]
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", INV_C, choice, partC_answer, option_values=PART_C_OPTIONS, actual=_a2a.time_s / _ar.time_s,
        unit="x the all-reduce time",
        explanation=(
            f"All-to-all {U.fmt_seconds(_a2a.time_s)} vs all-reduce {U.fmt_seconds(_ar.time_s)}. A reduction can be "
            f"pipelined around a ring whose network hops are shared by the node's {NODE} ports; an exchange cannot: "
            f"{pct(_leave)} of every GPU's tokens go to GPUs in other nodes, through that GPU's own port at "
            f"{rate_text(CLUSTER.nic_bw_per_gpu * NIC.efficiency)}, about "
            f"{U.fmt_number(NVLINK.achievable_bw / (CLUSTER.nic_bw_per_gpu * NIC.efficiency), 2)}x "
            "slower than NVLink. Half the bytes over a far slower path."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_answer, partC_result


@app.cell
def _():
    partC_cluster = mo.ui.dropdown({FAB.get_cluster(c).name: c for c in MOE_CLUSTERS},
                                   value=FAB.get_cluster(PART_C["cluster"]).name, label="Cluster")
    partC_ep = mo.ui.dropdown({f"{n} GPUs": n for n in EP_SIZES}, value=f"{PART_C['ep']} GPUs",
                              label="Expert-parallel group")
    return partC_cluster, partC_ep


@app.cell
def _(partC_cluster, partC_ep):
    try:
        partC_times = moe_times(partC_cluster.value, partC_ep.value, PART_C["size"])
        partC_error = None
    except P.PhysicsError as exc:
        partC_times, partC_error = None, str(exc)
    return partC_error, partC_times


@app.cell
def _(partC_cluster, partC_ep, partC_error, partC_result, partC_times):
    mo.stop(partC_result is None, ui.locked("the expert-placement explorer"))
    _cl = FAB.get_cluster(partC_cluster.value)
    _rows = []
    for _n in EP_SIZES:
        try:
            _a, _r = moe_times(partC_cluster.value, _n, PART_C["size"])
            _rows.append((_n, _a.time_s, _r.time_s))
        except P.PhysicsError:
            continue
    _fig = go.Figure()
    _fig.add_trace(go.Bar(x=[f"{n} GPUs" for n, _, _ in _rows], y=[a for _, a, _ in _rows], name="all-to-all",
                          marker_color=charts.COLOR["series"], text=[U.fmt_seconds(a) for _, a, _ in _rows],
                          textposition="outside"))
    _fig.add_trace(go.Bar(x=[f"{n} GPUs" for n, _, _ in _rows], y=[r for _, _, r in _rows], name="ring all-reduce",
                          marker_color=charts.COLOR["neutral"], text=[U.fmt_seconds(r) for _, _, r in _rows],
                          textposition="outside"))
    charts.themed(_fig, title=f"{size_text(PART_C['size'])} per GPU on {_cl.name}", x="expert-parallel group",
                  y="time (log scale)", height=420)
    _fig.update_layout(barmode="group")
    _, _ar0 = moe_times(**PART_C)
    _predicted = PART_C_OPTIONS[partC_result.choice] * _ar0.time_s
    time_axis(_fig, [a for _, a, _ in _rows] + [r for _, _, r in _rows] + [_predicted], pad=0.4)
    charts.reference_line(_fig, _predicted, f"your prediction for {PART_C['ep']} GPUs on "
                                            f"{FAB.get_cluster(PART_C['cluster']).name}: {U.fmt_seconds(_predicted)}")
    if partC_error:
        _panel = ui.banner("warn", "No such placement", f"{partC_error}. Pick a group that fills whole "
                                                        f"{_cl.gpus_per_node}-GPU domains.")
    else:
        _a, _r = partC_times
        _k = min(_cl.gpus_per_node, partC_ep.value)
        _panel = ui.cards(
            ui.metric_card("all-to-all", U.fmt_seconds(_a.time_s), f"{pct((partC_ep.value - _k) / partC_ep.value)} "
                                                                   "of each GPU's tokens leave its NVLink domain"),
            ui.metric_card("all-reduce", U.fmt_seconds(_r.time_s), "same buffer, ring"),
            ui.metric_card("all-to-all / all-reduce", U.fmt_ratio(_a.time_s / _r.time_s),
                           f"{partC_ep.value} GPUs, {_cl.gpus_per_node} per NVLink domain"),
        )
    mo.vstack([mo.hstack([partC_cluster, partC_ep], wrap=True), _fig, _panel])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    _nvl = FAB.get_cluster("gb200-nvl72")
    ui.math_peek(
        "all-to-all across nodes",
        [r"T_\text{a2a} = \alpha_\text{steps} + \max\left(\frac{k-1}{n}\frac{S}{B_\text{NVLink}},\; "
         r"\frac{n-k}{n}\frac{S}{B_\text{port}}\right)",
         r"T_\text{all-reduce} = \alpha_\text{steps}"
         r" + \frac{2(n-1)}{n}\,\frac{S}{\min(B_\text{NVLink},\,k\,B_\text{port})}"],
        [(f"{NIC.name} per GPU B_port", rate_text(CLUSTER.nic_bw_per_gpu), NIC.sources[0]),
         (f"{NVLINK.name} sustained", rate_text(NVLINK.achievable_bw), NVLINK.sources[0]),
         (f"{_nvl.name}: GPUs per NVLink domain", str(_nvl.gpus_per_node), _nvl.sources[0]),
         ("size convention", "per-GPU send buffer", "nccl-tests doc/PERFORMANCE.md (alltoall_perf)")],
    )
    return


@app.cell
def _():
    ui.section("Part D: Buckets that hide behind the backward pass", 12)
    return


@app.cell
def _():
    _plan = overlap_plan(PART_D["bucket"], PART_D["gpus"], PART_D["microbatch"])
    ui.stakeholder(
        "Dana Okafor", "training infrastructure lead",
        f"Back to {MODEL.name} with DDP on {PART_D['gpus']} GPUs: {PART_D['microbatch']} sequences of "
        f"{PART_D['seq_len']:,} tokens per GPU, a backward pass of {U.fmt_seconds(_plan['backward_s'])}, "
        f"{U.fmt_bytes(GRAD_BYTES)} of fp32 gradients. DDP all-reduces them in buckets while the backward pass "
        f"is still running; we use PyTorch's default of {size_text(C.DDP_BUCKET_BYTES)}. Should we change it?",
    )
    return


@app.cell
def _():
    partD_prediction = ui.choice_prediction(
        "Which bucket size leaves the least communication exposed after the backward pass?",
        {bucket_label(b): bucket_label(b) for b in PART_D_CHOICES})
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_best = part_d_answer()
    _ex = part_d_exposed()
    _plans = {b: overlap_plan(b, PART_D["gpus"], PART_D["microbatch"]) for b in PART_D_CHOICES}
    _best = _plans[partD_best]["ov"]
    _tiny, _fused = _plans[PART_D_CHOICES[0]]["ov"], _plans[GRAD_BYTES]["ov"]
    partD_result = lab.commit("partD", partD_prediction, lambda choice: G.grade_choice(
        "partD", INV_D, choice, bucket_label(partD_best),
        option_values={bucket_label(b): v * 1e3 for b, v in _ex.items()}, actual=_ex[partD_best] * 1e3,
        unit="ms exposed",
        explanation=(
            f"{bucket_label(partD_best)} leaves {U.fmt_seconds(_best.exposed_s)} exposed: "
            f"{_best.buckets} all-reduces of {U.fmt_seconds(_best.per_bucket_s)} each. Tiny buckets pay the "
            f"latency {_tiny.buckets:,} times ({U.fmt_seconds(_tiny.comm_s)} in all, far past the backward pass); "
            f"one bucket cannot start before the last gradient exists, so all {U.fmt_seconds(_fused.comm_s)} are "
            f"exposed. On {PART_D['gpus']} GPUs one {size_text(C.DDP_BUCKET_BYTES)} all-reduce takes "
            f"{U.fmt_seconds(_plans[C.DDP_BUCKET_BYTES]['ov'].per_bucket_s)} while the backward pass fills one every "
            f"{U.fmt_seconds(_plans[C.DDP_BUCKET_BYTES]['backward_s'] * C.DDP_BUCKET_BYTES / GRAD_BYTES)}: the "
            "default's buckets queue up, and fewer, larger ones win."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_best, partD_result


@app.cell
def _():
    partD_bucket = mo.ui.dropdown({bucket_label(b): b for b in BUCKETS_D}, value=bucket_label(PART_D["bucket"]),
                                  label="Bucket size")
    partD_gpus = mo.ui.dropdown({gpus_label(n): n for n in GPU_COUNTS}, value=gpus_label(PART_D["gpus"]),
                                label="Data-parallel GPUs")
    partD_micro = mo.ui.slider(MICROBATCH_MIN, MICROBATCH_MAX, value=PART_D["microbatch"], label="Sequences per GPU",
                               show_value=True)
    return partD_bucket, partD_gpus, partD_micro


@app.cell
def _(partD_bucket, partD_gpus, partD_micro):
    partD_plan = overlap_plan(partD_bucket.value, partD_gpus.value, partD_micro.value)
    partD_violations = partD_plan["violations"]
    return partD_plan, partD_violations


@app.cell
def _(partD_bucket, partD_gpus, partD_micro, partD_plan, partD_result, partD_violations):
    mo.stop(partD_result is None, ui.locked("the bucket tuner"))
    _sizes = sorted({2.0**k for k in range(14, 34)} | set(BUCKETS_D))
    _sizes = [s for s in _sizes if s <= GRAD_BYTES]
    _curve = [overlap_plan(s, partD_gpus.value, partD_micro.value)["ov"].exposed_s for s in _sizes]
    _fig = go.Figure(go.Scatter(x=_sizes, y=_curve, mode="lines", name="exposed communication",
                                line=dict(color=charts.COLOR["series"], width=3)))
    _fig.add_trace(go.Scatter(x=[_sizes[0], _sizes[-1]], y=[partD_plan["compute_s"]] * 2, mode="lines",
                              name=f"compute per step: {U.fmt_seconds(partD_plan['compute_s'])}",
                              line=dict(color=charts.COLOR["limit"], dash="dot")))
    _fig.add_trace(go.Scatter(x=[partD_bucket.value], y=[partD_plan["ov"].exposed_s], mode="markers",
                              name=f"your setting: {U.fmt_seconds(partD_plan['ov'].exposed_s)}",
                              marker=dict(size=12, symbol="circle-open", color=charts.COLOR["limit"],
                                          line=dict(width=3))))
    _label = {bucket_label(b): b for b in PART_D_CHOICES}
    _pick = _label[partD_result.choice]
    # the options at the current settings (at the defaults: the graded scenario)
    _scen = {b: overlap_plan(b, partD_gpus.value, partD_micro.value)["ov"].exposed_s for b in PART_D_CHOICES}
    _fig.add_trace(go.Scatter(x=[_pick], y=[_scen[_pick]], mode="markers+text", text=["your pick"],
                              textposition="top center", name=f"your prediction: {partD_result.choice}",
                              marker=dict(size=15, symbol="diamond-open", color=charts.COLOR["highlight"],
                                          line=dict(width=3))))
    _best = part_d_answer()
    _fig.add_trace(go.Scatter(x=[_best], y=[_scen[_best]], mode="markers", name=f"the answer (graded at the "
                                                                             f"scenario): {bucket_label(_best)}",
                              marker=dict(size=9, color=charts.COLOR["series"])))
    charts.themed(_fig, title=f"Exposed all-reduce time vs bucket size ({gpus_label(partD_gpus.value)}, "
                              f"{partD_micro.value} sequences per GPU)",
                  x="bucket size (log scale)", y="exposed time (log scale)", height=420)
    _ticks = [2.0**k for k in range(14, 34, 4)]
    _fig.update_xaxes(tickvals=_ticks, ticktext=[size_text(t) for t in _ticks])
    charts.log_axes(_fig, xs=_sizes, pad=0.1)
    time_axis(_fig, _curve + [partD_plan["compute_s"], _scen[_pick]], pad=0.15)
    _ov = partD_plan["ov"]
    _banners = []
    if "OOM" in partD_violations:
        _est = partD_plan["est"]
        _banners.append(ui.failure_banner(
            "OOM", what=f"{partD_micro.value} sequences need {U.fmt_bytes(_est.memory_bytes)} per GPU; "
                        f"{U.fmt_bytes(_est.capacity_bytes * P.DEFAULT_MEMORY_FRACTION)} is usable",
            by=U.fmt_bytes(_est.memory_bytes - _est.capacity_bytes * P.DEFAULT_MEMORY_FRACTION),
            fix="fewer sequences per GPU (or shard the optimizer: v2.05)"))
    if "exposed communication > compute" in partD_violations:
        _banners.append(ui.failure_banner(
            "Communication-bound", what=f"{U.fmt_seconds(_ov.exposed_s)} of all-reduce after the backward pass, "
                                        f"longer than the {U.fmt_seconds(partD_plan['compute_s'])} of compute",
            by=U.fmt_seconds(_ov.exposed_s - partD_plan["compute_s"]),
            fix="larger buckets (fewer latencies), more sequences per GPU, or fewer GPUs"))
    if not _banners:
        _banners.append(ui.banner("ok", "Overlapped", f"{pct(_ov.hidden_fraction)} of the all-reduce time runs under "
                                                      "the backward pass."))
    mo.vstack([
        mo.hstack([partD_bucket, partD_gpus, partD_micro], wrap=True), _fig,
        ui.cards(
            ui.metric_card("buckets", f"{_ov.buckets:,}", f"{U.fmt_seconds(_ov.per_bucket_s)} each ({_ov.algorithm})"),
            ui.metric_card("exposed", U.fmt_seconds(_ov.exposed_s), f"of {U.fmt_seconds(_ov.comm_s)} all-reduce",
                           "fail" if "exposed communication > compute" in partD_violations else "ok"),
            ui.metric_card("step", U.fmt_seconds(partD_plan["step_s"]),
                           f"compute {U.fmt_seconds(partD_plan['compute_s'])} + exposed"),
        ),
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
        "bucketed overlap",
        [r"r_i = T_b \,\frac{c_i}{G} \quad \text{(bucket } i \text{ ready when its last gradient is)}",
         r"t_\text{end} = \max_j \left( r_j + \sum_{i \ge j} t_i \right), \qquad "
         r"T_\text{exposed} = t_\text{end} - T_b",
         r"T_b = \tfrac{2}{3}\, T_\text{step}, \qquad t_i = \min(T_\text{ring}, T_\text{tree})(b_i)"],
        [("gradients G", U.fmt_bytes(GRAD_BYTES), f"{U.fmt_params(MODEL.params)} parameters x 4 bytes (fp32); "
                                                   f"{MODEL.sources[0]}"),
         ("DDP default bucket", size_text(C.DDP_BUCKET_BYTES), "PyTorch DistributedDataParallel bucket_cap_mb=25"),
         ("bucketing and overlap model", "one stream, buckets in gradient order", "Li et al. 2020, 'PyTorch "
                                                                                   "Distributed', VLDB 13(12)"),
         ("backward share of a step", U.fmt_number(BACKWARD_SHARE, 2), "4 of 6 N FLOPs per token (Kaplan et al. "
                                                                       "2020, Sec. 2.1)"),
         (f"{GPU.name} step", "engine training estimate", "efficiency model: transformer training HFU")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    _x = crossover(16), crossover(SCENARIO_GPUS), crossover(512)
    ui.takeaways(
        ["Small all-reduces are latency: the tree's logarithmic depth beats the ring's 2(n-1) steps. Large ones are "
         "bandwidth, where the ring's 2(n-1)/n bytes per GPU is optimal. The crossover grows with N: "
         f"{crossover_text(16)} on 16 GPUs, {crossover_text(SCENARIO_GPUS)} on {SCENARIO_GPUS}, "
         f"{crossover_text(512)} on 512.",
         "Judge a fabric by busbw (algbw x 2(n-1)/n), not algbw: with one network port per GPU, a ring all-reduce "
         "keeps nearly NVLink's busbw across nodes.",
         "An all-to-all is not a reduction: the bytes bound for other nodes leave through each GPU's own port. "
         "Keep expert-parallel groups inside one NVLink domain, or buy a bigger domain.",
         "Buckets trade latency (too many calls) against overlap (one call cannot start early); the best size "
         "depends on N and on how long the backward pass is."],
        [("Why does adding GPUs push the ring/tree crossover to larger messages?",
          "The ring's latency term grows linearly with n (2(n-1) steps), the tree's only with log2 of the nodes, "
          "so the ring needs an ever larger message before its bandwidth advantage pays."),
         ("A nccl-tests run on 64 GPUs prints algbw 170 GB/s. Is the fabric slow?",
          f"No: busbw = 170 x 2 x 63/64 = {U.fmt_number(170 * C.busbw_factor('allreduce', 64), 3)} GB/s, "
          "close to NVLink's sustained rate.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md(f"Dana must set the {SCENARIO_GPUS}-GPU run's communication plan: the DDP bucket size, and "
                     "where the MoE's expert groups may live. Write her a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_result,
    partB_result,
    partC_cluster,
    partC_ep,
    partC_result,
    partD_best,
    partD_bucket,
    partD_gpus,
    partD_micro,
    partD_plan,
    partD_result,
    partD_violations,
):
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions={"bucket_bytes": float(partD_bucket.value), "dp_gpus": partD_gpus.value,
                   "microbatch": partD_micro.value, "ep_gpus": partC_ep.value, "moe_cluster": partC_cluster.value},
        outcomes={"crossover_bytes": crossover(SCENARIO_GPUS) or 0.0, "busbw_multinode": busbw(PART_B["gpus"]),
                  "alltoall_over_allreduce": part_c_ratio(), "best_bucket_bytes": float(partD_best),
                  "exposed_comm_s": partD_plan["ov"].exposed_s,
                  "exposed_fraction": partD_plan["ov"].exposed_s / partD_plan["step_s"]},
        constraints=[f"{v} ({partD_gpus.value} GPUs, {size_text(partD_bucket.value)} buckets)"
                     for v in partD_violations] if partD_result else [],
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
