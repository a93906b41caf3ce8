"""v1.08 The Training Memory Wall.

Part A: what fills GPU memory in training (weights, gradients, optimizer states, activations) and the largest
batch a 7B model trains at on one H100 (none). Part B: activation recomputation trades memory for compute
(step time from the engine's train_step), gradient accumulation keeps the effective batch with less activation
memory. Part C: mixed precision vs recomputation vs optimizer offload vs accumulation: which frees the most.
The reference lab's OOM check against host memory is replaced by the GPU's usable memory; every control moves
the footprint or the step time; every answer is computed from the scenario.
"""
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, ledger_number, ui

    LAB = get_lab("v1.08")
    DEVICE = P.get_device("h100-sxm")
    MODELS = ("tinyllama-1.1b", "phi3-mini", "llama2-7b")
    SEQ_LENS = (512, 1024, 2048, 4096)
    MICROBATCHES = (1, 2, 4, 8, 16, 32, 64)
    MAX_BATCH_SEARCH = 256
    # Part A: the research lead wants full fine-tuning of a 7B model on one GPU.
    PART_A = dict(model="llama2-7b", seq_len=1024, precision="bf16", batch=1)
    PART_A_OPTIONS = {"No batch fits: even batch 1 runs out of memory": "none", "1 to 2 sequences": "small",
                      "3 to 8 sequences": "medium", "More than 8 sequences": "large"}
    PART_A_VALUES = {"none": 0, "small": 1, "medium": 4, "large": 16}
    # Part B: a 1.1B model, 256 sequences of 2,048 tokens per optimizer step.
    PART_B = dict(model="tinyllama-1.1b", seq_len=2048, global_batch=256, microbatch=16, recompute="none")
    PART_B_OPTIONS = {"about +3%": 0.03, "about +10%": 0.10, "about +30%": 0.30, "about +100%": 1.0}
    RECOMPUTE_LABELS = {"none": "none (keep every activation)", "selective": "selective (attention only)",
                        "full": "full (keep layer inputs only)"}
    # Part C: the 7B run in fp32 at batch 1 is over budget; four single changes on the table.
    PART_C = dict(model="llama2-7b", seq_len=1024, precision="fp32", recompute=False, offload=False, batch=2)
    PART_C_CHANGES = {
        "Switch to bf16 mixed precision": "mixed",
        "Recompute activations (full checkpointing)": "recompute",
        "Offload optimizer states to host memory": "offload",
        "Halve the microbatch, accumulate gradients": "accumulate",
    }
    PART_C_SHORT = {"mixed": "bf16 mixed precision", "recompute": "full recomputation",
                    "offload": "optimizer offload", "accumulate": "half microbatch"}


@app.function
def usable_bytes() -> float:
    return DEVICE.memory_bytes * P.DEFAULT_MEMORY_FRACTION


@app.function
def footprint(model, seq_len, precision="bf16", batch=1, recompute=False, offload=False):
    """Training memory (memory.training_memory, Adam) and the bytes the GPU holds."""
    mem = P.training_memory(model, batch=batch, seq_len=seq_len, precision=precision, optimizer="adam",
                            recompute=recompute)
    return mem, P.gpu_training_bytes(mem, offload_optimizer=offload)


@app.function
def max_batch(model, seq_len, precision="bf16", recompute=False, offload=False) -> int:
    """Largest batch (sequences) whose training footprint fits the usable GPU memory; 0 if none."""
    best = 0
    for b in range(1, MAX_BATCH_SEARCH + 1):
        if footprint(model, seq_len, precision, b, recompute, offload)[1] > usable_bytes():
            break
        best = b
    return best


@app.function
def batch_choice(b: int) -> str:
    return G.choice_for_value(b, [(1, "none"), (3, "small"), (9, "medium"), (float("inf"), "large")])


@app.function
def part_a_answer() -> int:
    return max_batch(PART_A["model"], PART_A["seq_len"], PART_A["precision"])


@app.function
def step(model, seq_len, global_batch, microbatch, recompute):
    """One optimizer step on one GPU (parallel.train_step): gradient accumulation over
    global_batch / microbatch microbatches."""
    return P.train_step(model, DEVICE.id, gpus=1, microbatch=microbatch, recompute=recompute, seq_len=seq_len,
                        global_batch_tokens=global_batch * seq_len)


@app.function
def part_b_overhead() -> float:
    """Extra step time of full recomputation over none at Part B's setting."""
    kw = dict(PART_B)
    kw.pop("recompute")
    return step(recompute="full", **kw).step_time_s / step(recompute="none", **kw).step_time_s - 1


@app.function
def change_settings(change: str) -> dict:
    """Part C's configuration after one change to the fp32 baseline."""
    s = dict(PART_C)
    if change == "mixed":
        s["precision"] = "bf16"
    elif change == "recompute":
        s["recompute"] = True
    elif change == "offload":
        s["offload"] = True
    elif change == "accumulate":
        s["batch"] = max(1, PART_C["batch"] // 2)
    return s


@app.function
def part_c_freed() -> dict:
    """GPU bytes each single change frees from the Part C baseline."""
    base = footprint(**PART_C)[1]
    return {c: base - footprint(**change_settings(c))[1] for c in PART_C_CHANGES.values()}


@app.function
def part_c_answer() -> str:
    freed = part_c_freed()
    return max(freed, key=freed.get)


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="What fills GPU memory when a model trains, and the levers that trade memory for compute.",
        parts=["Part A: what fills the GPU", "Part B: recompute and accumulate", "Part C: which lever frees most"],
        notice=ledger.notice,
    )
    return


@app.cell
def _(ledger):
    # v1.05's memory breakdown, quoted back when the learner has saved it.
    prior = {k: ledger_number(ledger, "v1.05", "outcomes", k, None, 0, 1e15)
             for k in ("bytes_per_param_training", "weights_bytes", "optimizer_bytes", "activations_bytes",
                       "total_bytes", "max_batch")}
    if all(prior[k].note is None for k in ("bytes_per_param_training", "total_bytes", "optimizer_bytes")):
        _text = (f"In v1.05 you found that fine-tuning needs {U.fmt_number(prior['bytes_per_param_training'].value)} "
                 f"bytes of state per parameter: {U.fmt_bytes(prior['total_bytes'].value)} in all, of which "
                 f"{U.fmt_bytes(prior['optimizer_bytes'].value)} was optimizer state. Today the model is six "
                 "times larger.")
        if prior["max_batch"].note is None:
            _text += f" Your largest batch there was {int(prior['max_batch'].value)}."
        _notice = ui.banner("ok", "From your Design Ledger (v1.05)", _text)
    else:
        _notice = ui.banner("warn", "v1.05 not in your ledger yet",
                            "The memory breakdown from v1.05 is not saved yet; this lab computes its own from the "
                            "engine. Doing v1.05 first shows where the bytes per parameter come from.")
    _notice
    return (prior,)


@app.cell
def _():
    ui.section("Part A: What fills the GPU", 15)
    return


@app.cell
def _():
    _m = P.get_workload(PART_A["model"])
    ui.stakeholder(
        "Priya Raman",
        "Research lead",
        f"I want to fine-tune all of {_m.name} ({U.fmt_params(_m.params)} parameters) on one "
        f"{DEVICE.name} with {U.fmt_bytes(DEVICE.memory_bytes)}, {PART_A['precision']} mixed precision and "
        f"Adam, sequences of {PART_A['seq_len']:,} tokens. The weights are only "
        f"{U.fmt_bytes(P.weights_bytes(_m, precision=PART_A['precision']))}, so we should get a decent batch in.",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"Largest batch (sequences of {PART_A['seq_len']:,} tokens) for full fine-tuning of "
        f"{P.get_workload(PART_A['model']).name} on one {DEVICE.name}:",
        {k: k for k in PART_A_OPTIONS},
    )
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_actual = part_a_answer()
    _mem, _ = footprint(**PART_A)
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Memory Wall", choice, next(k for k, v in PART_A_OPTIONS.items() if v == batch_choice(partA_actual)),
        option_values={k: PART_A_VALUES[v] for k, v in PART_A_OPTIONS.items()}, actual=partA_actual,
        unit="sequences",
        explanation=(
            f"Before a single activation, Adam in mixed precision keeps {U.fmt_number(_mem.bytes_per_param_states)} "
            f"bytes per parameter: weights {U.fmt_bytes(_mem.weights_bytes)}, gradients "
            f"{U.fmt_bytes(_mem.gradient_bytes)}, two fp32 moments {U.fmt_bytes(_mem.optimizer_bytes)} and an fp32 "
            f"master copy {U.fmt_bytes(_mem.master_weights_bytes)}. That is "
            f"{U.fmt_bytes(_mem.total_bytes - _mem.activation_bytes)} against {U.fmt_bytes(usable_bytes())} usable: "
            "the weights are an eighth of the training footprint."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_actual, partA_result


@app.cell
def _():
    _models = {P.get_workload(m).name: m for m in MODELS}
    partA_model = mo.ui.dropdown(options=_models, value=P.get_workload(PART_A["model"]).name, label="Model")
    partA_seq = mo.ui.dropdown(options={f"{s:,}": s for s in SEQ_LENS}, value=f"{PART_A['seq_len']:,}",
                               label="Sequence length (tokens)")
    partA_batch = mo.ui.slider(start=1, stop=32, value=PART_A["batch"], label="Batch (sequences)", show_value=True)
    return partA_batch, partA_model, partA_seq


@app.cell
def _(partA_batch, partA_model, partA_seq):
    partA_mem, partA_gpu = footprint(partA_model.value, partA_seq.value, PART_A["precision"], partA_batch.value)
    partA_oom = partA_gpu > usable_bytes()
    return partA_gpu, partA_mem, partA_oom


@app.cell
def _(partA_batch, partA_gpu, partA_mem, partA_model, partA_oom, partA_result, partA_seq):
    mo.stop(partA_result is None, ui.locked("the memory breakdown"))
    _parts = [("weights", partA_mem.weights_bytes), ("gradients", partA_mem.gradient_bytes),
              ("optimizer moments", partA_mem.optimizer_bytes), ("fp32 master copy", partA_mem.master_weights_bytes),
              ("activations", partA_mem.activation_bytes)]
    _fig = go.Figure()
    for _name, _b in _parts:
        _fig.add_trace(go.Bar(x=["training footprint"], y=[_b / 1e9], name=_name, text=[U.fmt_bytes(_b)],
                              textposition="inside"))
    _fig.update_layout(barmode="stack")
    charts.themed(_fig, title=f"{P.get_workload(partA_model.value).name}, batch {partA_batch.value}", y="GB")
    charts.reference_line(_fig, usable_bytes() / 1e9, f"usable on the {DEVICE.name}: {U.fmt_bytes(usable_bytes())}",
                          color=charts.COLOR["limit"])
    _pred = PART_A_VALUES[PART_A_OPTIONS[partA_result.choice]]
    if _pred > 0 and partA_model.value == PART_A["model"] and partA_seq.value == PART_A["seq_len"]:
        _pm, _pg = footprint(PART_A["model"], PART_A["seq_len"], PART_A["precision"], _pred)
        charts.reference_line(_fig, _pg / 1e9, f"your prediction: batch {_pred} needs {U.fmt_bytes(_pg)}")
    elif partA_model.value == PART_A["model"] and partA_seq.value == PART_A["seq_len"]:
        _fig.add_annotation(x=0, y=usable_bytes() / 1e9 / 2, text="your prediction: nothing fits", showarrow=False)
    _best = max_batch(partA_model.value, partA_seq.value, PART_A["precision"])
    _banner = (
        ui.failure_banner(
            "OOM",
            what=f"training needs {U.fmt_bytes(partA_gpu)} but the {DEVICE.name} has {U.fmt_bytes(usable_bytes())} "
                 "usable",
            by=f"{U.fmt_bytes(partA_gpu - usable_bytes())} ({U.fmt_ratio(partA_gpu / usable_bytes())} the budget)",
            fix="a smaller model, a smaller batch or shorter sequences, or the levers of Parts B and C",
        )
        if partA_oom
        else ui.banner("ok", "Fits", f"{U.fmt_bytes(partA_gpu)} of {U.fmt_bytes(usable_bytes())} usable "
                                     f"({partA_gpu / usable_bytes():.0%}).")
    )
    mo.vstack([
        mo.hstack([partA_model, partA_seq, partA_batch], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("model states", U.fmt_bytes(partA_mem.total_bytes - partA_mem.activation_bytes),
                           f"{U.fmt_number(partA_mem.bytes_per_param_states)} bytes per parameter"),
            ui.metric_card("activations", U.fmt_bytes(partA_mem.activation_bytes),
                           f"{partA_batch.value} x {partA_seq.value:,} tokens"),
            ui.metric_card("largest batch that fits", f"{_best}" if _best else "none",
                           f"of up to {MAX_BATCH_SEARCH}", "fail" if not _best else "ok"),
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
    _m = P.get_workload(PART_A["model"])
    ui.math_peek(
        "training footprint",
        [r"M = N\,(b_w + b_g + 4 k_\text{opt} + 4\,[\text{mixed}]) + M_\text{act}",
         r"M_\text{act} = L\, s\, B\, h\,(34 + 5\,a\, s / h)\ \text{bytes (16-bit)}",
         r"\text{fits} \iff M \le C \cdot f_\text{usable}"],
        [("Adam fp32 values per parameter k", "2", "Kingma & Ba 2015; ZeRO (Rajbhandari et al. 2020) Section 3.1"),
         ("mixed precision master copy", "4 bytes/param", "Micikevicius et al. 2018, Mixed Precision Training"),
         ("activation formula", "34 + 5as/h per layer per token-hidden", "Korthikanti et al. 2022, eq. 1"),
         (f"{DEVICE.name} memory C", U.fmt_bytes(DEVICE.memory_bytes), DEVICE.sources[0]),
         ("usable fraction f", f"{P.DEFAULT_MEMORY_FRACTION:.0%}", "engine default: runtime and fragmentation"),
         (f"{_m.name}: L, h, a", f"{_m.layers}, {_m.hidden}, {_m.heads}", _m.sources[0])],
    )
    return


@app.cell
def _():
    ui.section("Part B: Recompute and accumulate", 15)
    return


@app.cell
def _():
    _m = P.get_workload(PART_B["model"])
    ui.stakeholder(
        "Tomás Lindqvist",
        "Training infrastructure",
        f"We train {_m.name} on one {DEVICE.name}: {PART_B['global_batch']} sequences of {PART_B['seq_len']:,} "
        f"tokens per optimizer step, as microbatches of {PART_B['microbatch']} with gradient accumulation. "
        "Turning on full activation checkpointing would let us run bigger microbatches, but what does it cost?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"With full activation recomputation, how much longer does each optimizer step take at microbatch "
        f"{PART_B['microbatch']}?",
        {k: k for k in PART_B_OPTIONS},
    )
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_actual = part_b_overhead()
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Iron Law", choice, G.closest_option(PART_B_OPTIONS, partB_actual),
        option_values={k: v * 100 for k, v in PART_B_OPTIONS.items()}, actual=partB_actual * 100,
        unit="% longer step",
        explanation=(
            f"Full recomputation re-runs each layer's forward pass during the backward pass: the step does about "
            f"4/3 of the FLOPs (forward 1 + backward 2 + forward again 1), so it takes {partB_actual:.0%} longer. "
            "Memory is not free: it is paid for in compute time."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_actual, partB_result


@app.cell
def _():
    partB_recompute = mo.ui.radio(options={v: k for k, v in RECOMPUTE_LABELS.items()},
                                  value=RECOMPUTE_LABELS[PART_B["recompute"]], label="Activation recomputation")
    partB_micro = mo.ui.dropdown(options={str(b): b for b in MICROBATCHES}, value=str(PART_B["microbatch"]),
                                 label="Microbatch (sequences)")
    return partB_micro, partB_recompute


@app.cell
def _(partB_micro, partB_recompute):
    partB_steps = {rc: step(PART_B["model"], PART_B["seq_len"], PART_B["global_batch"], partB_micro.value, rc)
                   for rc in RECOMPUTE_LABELS}
    partB_now = partB_steps[partB_recompute.value]
    partB_oom = not partB_now.fits
    return partB_now, partB_oom, partB_steps


@app.cell
def _(partB_micro, partB_now, partB_oom, partB_recompute, partB_result, partB_steps):
    mo.stop(partB_result is None, ui.locked("the recompute trade-off"))
    _base = partB_steps["none"].step_time_s
    _fig = go.Figure(go.Bar(
        x=[RECOMPUTE_LABELS[rc].split(" (")[0] for rc in partB_steps],
        y=[r.step_time_s for r in partB_steps.values()],
        text=[f"{U.fmt_seconds(r.step_time_s)}, {U.fmt_bytes(r.memory_per_gpu_bytes)}{'' if r.fits else ' (OOM)'}"
              for r in partB_steps.values()],
        textposition="inside",
        marker_color=[charts.COLOR["neutral"] if not r.fits else charts.COLOR["series"] for r in partB_steps.values()],
    ))
    charts.themed(_fig, title=f"Step time by recomputation, microbatch {partB_micro.value}",
                  x="activation recomputation", y="seconds per optimizer step")
    _fig.update_yaxes(range=[0, 1.6 * max(r.step_time_s for r in partB_steps.values())])
    charts.reference_line(_fig, _base * (1 + PART_B_OPTIONS[partB_result.choice]),
                          f"your prediction for full: {partB_result.choice} over none")
    _banner = (
        ui.failure_banner(
            "OOM",
            what=f"microbatch {partB_micro.value} needs {U.fmt_bytes(partB_now.memory_per_gpu_bytes)} but the "
                 f"{DEVICE.name} has {U.fmt_bytes(usable_bytes())} usable",
            by=f"{U.fmt_bytes(partB_now.memory_per_gpu_bytes - usable_bytes())}",
            fix="recompute activations, or a smaller microbatch with more accumulation steps",
        )
        if partB_oom
        else ui.banner("ok", "Fits", f"{U.fmt_bytes(partB_now.memory_per_gpu_bytes)} of "
                                     f"{U.fmt_bytes(usable_bytes())} usable.")
    )
    mo.vstack([
        mo.hstack([partB_recompute, partB_micro], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("activations", U.fmt_bytes(partB_now.memory["activations"]),
                           f"microbatch {partB_micro.value}"),
            ui.metric_card("memory per GPU", U.fmt_bytes(partB_now.memory_per_gpu_bytes),
                           f"usable {U.fmt_bytes(usable_bytes())}", "fail" if partB_oom else "ok"),
            ui.metric_card("accumulation steps", f"{partB_now.microbatches}",
                           f"effective batch {PART_B['global_batch']} sequences, unchanged"),
            ui.metric_card("step time", U.fmt_seconds(partB_now.step_time_s),
                           f"{partB_now.step_time_s / _base - 1:+.0%} vs no recompute"),
        ),
        _banner,
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "recompute and accumulation",
        [r"\text{FLOPs/token} \approx 6N \;\to\; 8N \text{ with full recomputation}",
         r"M_\text{act}^\text{full} = 2\,L\,s\,b\,h \quad\text{(layer inputs only)}",
         r"B_\text{effective} = b_\text{micro} \times n_\text{accumulation}"],
        [("forward / backward FLOPs per parameter per token", "2 / 4", "Kaplan et al. 2020, Section 2.1"),
         ("selective recomputation", "attention scores only", "Korthikanti et al. 2022, Section 5"),
         ("GEMM efficiency on this device", f"{P.kernel_efficiency(DEVICE.id).gemm:.0%}",
          P.kernel_efficiency(DEVICE.id).sources[0])],
    )
    return


@app.cell
def _():
    ui.section("Part C: Which lever frees the most", 12)
    return


@app.cell
def _():
    _m = P.get_workload(PART_C["model"])
    _mem, _gpu = footprint(**PART_C)
    ui.stakeholder(
        "Priya Raman",
        "Research lead",
        f"Our {_m.name} script trains in {PART_C['precision']} with Adam at batch {PART_C['batch']} and needs "
        f"{U.fmt_bytes(_gpu)}; the {DEVICE.name} has {U.fmt_bytes(usable_bytes())} usable. The team proposes "
        "four fixes and we can do one this week.",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction("Which single change frees the most GPU memory?", PART_C_CHANGES)
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_freed = part_c_freed()
    partC_answer = part_c_answer()
    _names = {v: k for k, v in PART_C_CHANGES.items()}
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Memory Wall", choice, partC_answer,
        option_values={k: v / 1e9 for k, v in partC_freed.items()}, actual=partC_freed[partC_answer] / 1e9,
        unit="GB freed",
        explanation=(
            "Freed: " + "; ".join(f"{_names[c].lower()}: {U.fmt_bytes(b)}" for c, b in partC_freed.items())
            + ". Adam's two fp32 moments are the largest item; mixed precision halves weights, gradients and "
            "activations but adds an fp32 master copy, so the model states stay at 16 bytes per parameter."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_freed, partC_result


@app.cell
def _():
    partC_precision = mo.ui.radio(options={"fp32": "fp32", "bf16 mixed precision": "bf16"}, value="fp32",
                                  label="Precision")
    partC_recompute = mo.ui.checkbox(value=PART_C["recompute"], label="Full activation recomputation")
    partC_offload = mo.ui.checkbox(value=PART_C["offload"], label="Offload optimizer states to host")
    partC_batch = mo.ui.slider(start=1, stop=16, value=PART_C["batch"], label="Microbatch (sequences)",
                               show_value=True)
    return partC_batch, partC_offload, partC_precision, partC_recompute


@app.cell
def _(partC_batch, partC_offload, partC_precision, partC_recompute):
    partC_mem, partC_gpu = footprint(PART_C["model"], PART_C["seq_len"], partC_precision.value, partC_batch.value,
                                     partC_recompute.value, partC_offload.value)
    partC_oom = partC_gpu > usable_bytes()
    return partC_gpu, partC_mem, partC_oom


@app.cell
def _(partC_batch, partC_freed, partC_gpu, partC_mem, partC_offload, partC_oom, partC_precision,
      partC_recompute, partC_result):
    mo.stop(partC_result is None, ui.locked("the memory levers"))
    _fig = go.Figure(go.Bar(
        x=[PART_C_SHORT[c] for c in partC_freed],
        y=[b / 1e9 for b in partC_freed.values()],
        text=[U.fmt_bytes(b) for b in partC_freed.values()], textposition="outside",
        marker_color=[charts.COLOR["highlight"] if c == partC_result.choice else charts.COLOR["series"]
                      for c in partC_freed],
    ))
    charts.themed(_fig, title="GPU memory freed by each single change (highlighted: your prediction)", y="GB freed")
    _fig.update_yaxes(range=[0, 1.3 * max(partC_freed.values()) / 1e9])
    charts.reference_line(_fig, partC_freed[partC_result.choice] / 1e9,
                          f"your prediction frees {U.fmt_bytes(partC_freed[partC_result.choice])}")
    _host = partC_mem.optimizer_bytes + partC_mem.master_weights_bytes if partC_offload.value else 0.0
    _pcie = P.get_workload(PART_C["model"]).params * P.OFFLOAD_BYTES_PER_PARAM_PER_STEP if partC_offload.value else 0
    _banner = (
        ui.failure_banner(
            "OOM",
            what=f"this configuration needs {U.fmt_bytes(partC_gpu)} but the {DEVICE.name} has "
                 f"{U.fmt_bytes(usable_bytes())} usable",
            by=f"{U.fmt_bytes(partC_gpu - usable_bytes())}",
            fix="combine levers: no single one is enough here",
        )
        if partC_oom
        else ui.banner("ok", "Fits", f"{U.fmt_bytes(partC_gpu)} of {U.fmt_bytes(usable_bytes())} usable "
                                     f"({partC_gpu / usable_bytes():.0%}).")
    )
    mo.vstack([
        _fig,
        mo.md("Now combine the levers: can the run fit at all?"),
        mo.hstack([partC_precision, partC_recompute, partC_offload, partC_batch], wrap=True),
        ui.cards(
            ui.metric_card("on the GPU", U.fmt_bytes(partC_gpu), f"usable {U.fmt_bytes(usable_bytes())}",
                           "fail" if partC_oom else "ok"),
            ui.metric_card("activations", U.fmt_bytes(partC_mem.activation_bytes),
                           f"batch {partC_batch.value}, {'recomputed' if partC_recompute.value else 'all stored'}"),
            ui.metric_card("in host memory", U.fmt_bytes(_host) if _host else "nothing",
                           f"{U.fmt_bytes(_pcie)} over PCIe per step" if _pcie else "no offload"),
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
        "the levers",
        [r"\text{fp32: } 4 + 4 + 8 = 16 \;\text{B/param} \qquad \text{mixed: } 2 + 2 + 8 + 4 = 16 \;\text{B/param}",
         r"M_\text{GPU}^\text{offload} = M - M_\text{opt} - M_\text{master}",
         r"\text{PCIe per step} = 4N \ \text{bytes (gradients down, 16-bit weights up)}"],
        [("optimizer offload", "states and master copy on the host, CPU Adam",
          "Ren et al. 2021, ZeRO-Offload, USENIX ATC, Section 4"),
         ("mixed precision", "16-bit compute, fp32 master weights", "Micikevicius et al. 2018")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result):
    ui.takeaways(
        [
            "Training holds four things: weights, gradients, optimizer states and activations. With Adam the "
            "model states are 16 bytes per parameter; the weights are an eighth of that.",
            "Activation recomputation buys activation memory with about a third more compute per step.",
            "Gradient accumulation keeps the effective batch while shrinking the microbatch's activations.",
            "Mixed precision speeds compute but does not shrink the model states; offloading the optimizer does, "
            "at the cost of PCIe traffic and CPU time.",
        ],
        [
            ("Why does a 7B model need more than one 80 GB GPU to train with Adam?",
             "16 bytes per parameter of states is about 108 GB before activations."),
            ("What does gradient accumulation change, and what does it not?",
             "It shrinks activation memory per microbatch; weights, gradients and optimizer states stay."),
        ],
        unlocked=partA_result is not None and partB_result is not None and partC_result is not None,
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Priya needs a plan to fine-tune the 7B model. Write her a short memo: which levers, "
                     "what they cost, and whether one GPU is enough."), memo_form])
    return


@app.cell
def _(
    lab,
    memo_form,
    partA_actual,
    partA_model,
    partA_oom,
    partA_result,
    partB_actual,
    partB_micro,
    partB_now,
    partB_oom,
    partB_recompute,
    partB_result,
    partC_batch,
    partC_gpu,
    partC_offload,
    partC_oom,
    partC_precision,
    partC_recompute,
    partC_result,
    prior,
):
    lab_record = build_record(
        context=None,
        results=[partA_result, partB_result, partC_result],
        decisions={"recompute": partB_recompute.value, "microbatch": partB_micro.value,
                   "precision": partC_precision.value, "full_recompute": partC_recompute.value,
                   "offload_optimizer": partC_offload.value, "batch": partC_batch.value},
        outcomes={"max_batch_7b": partA_actual, "recompute_overhead": partB_actual,
                  "step_time_s": partB_now.step_time_s, "gpu_bytes": partC_gpu,
                  **({"v1_05_bytes_per_param": prior["bytes_per_param_training"].value}
                     if prior["bytes_per_param_training"].note is None else {})},
        constraints=([f"OOM: {partA_model.value} training"] if partA_result and partA_oom else [])
        + ([f"OOM: microbatch {partB_micro.value}"] if partB_result and partB_oom else [])
        + (["OOM: fp32 7B levers"] if partC_result and partC_oom else []),
        memo=memo_form.value,
    )
    lab_status = lab.save(lab_record)
    return lab_record, lab_status


@app.cell
def _(lab_record, lab_status):
    ui.lab_footer(LAB.id, lab_record, lab_status, of=3)
    return


if __name__ == "__main__":
    app.run()
