"""LLM (and CNN) inference and training-step estimates.

One numeric core (`decode_core`, `prefill_core`) serves the scalar `estimate`
used by the CLI and the labs and the vectorized `sweep`, so they cannot disagree.

Decode step at batch B and context C (roofline form, see roofline.py):
  bytes = dense weights + expert weights x P(expert touched) + B x KV(C)
  FLOPs = B x (2 x active matmul params + attention FLOPs per key x keys(C))
  t     = max(bytes / (BW x eta_mem), FLOPs / (R x eta_comp)) + overhead
KV(C) and keys(C) count C tokens on full-attention layers and min(C, window) on
sliding-window layers (Mistral, Gemma 2); MLA caches one latent per token and layer
(DeepSeek-V2/V3). Mixture-of-experts: memory holds every expert; compute uses the
active ones; the weights read per step are the experts some token in the batch
routes to, expected fraction 1 - (1 - k/E)^B under uniform routing.

Efficiencies and the dispatch overhead default to the documented model of
efficiency.py (per device class and phase); pass numbers to override them.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from . import _xp
from .devices import get_device
from .efficiency import efficiency as efficiency_model
from .errors import (PhysicsError, check_bool, check_choice, check_fraction, check_int, check_number,
                     check_positive)
from .memory import (DEFAULT_MEMORY_FRACTION, OPTIMIZER_STATE_FP32_VALUES, activation_bytes_inference,
                     training_memory)
from .precisions import PRECISIONS, bytes_per_element, compute_precision_for
from .workloads import Transformer, get_workload

PHASES = ("prefill", "decode", "training", "inference")
_FLOAT_FORMATS = ("fp32", "bf16", "fp16", "fp8")
NO_WINDOW = 1e18  # "window" of a full-attention model in the numeric core


def default_kv_precision(precision: str) -> str:
    """KV cache format when not given: the weights' format for floating-point
    weights; fp16 for integer/ternary weights (weight-only quantization keeps
    16-bit activations and KV cache)."""
    check_choice("precision", precision, PRECISIONS)
    return precision if precision in _FLOAT_FORMATS else "fp16"


# ----------------------------------------------------------------- numeric core
def _core_checks(**kw):
    for name, v in kw.items():
        if name in ("compute_efficiency", "memory_efficiency"):
            check_fraction(name, v)
        elif name in ("overhead_s", "expert_weight_bytes", "attn_flops_per_key", "dense_weight_bytes"):
            check_positive(name, v, allow_zero=True)
        elif name == "kv_global_fraction":
            check_fraction(name, v, allow_zero=True)
        else:
            check_positive(name, v)


def _kv_context(context, g, window):
    """Cached (and attended) tokens per layer, averaged over layers."""
    return g * context + (1.0 - g) * _xp.minimum(context, window)


def _prefill_keys(seq_len, g, window):
    """sum_{i=1..S} kv_context(i): causal prefill, sliding-window layers capped at W."""
    m = _xp.minimum(seq_len, window)
    return g * seq_len * (seq_len + 1) / 2.0 + (1.0 - g) * (m * (m + 1) / 2.0 + (seq_len - m) * window)


def decode_core(*, dense_weight_bytes, expert_weight_bytes, experts, active_experts, matmul_params,
                kv_bytes_per_token, attn_flops_per_key, batch, context, peak_flops, memory_bw,
                compute_efficiency, memory_efficiency, overhead_s=0.0, kv_global_fraction=1.0,
                kv_window=NO_WINDOW):
    """One decode step for `batch` sequences at `context` tokens. Floats or arrays.
    Returns (time_s, memory_time_s, compute_time_s, flops, bytes)."""
    _core_checks(dense_weight_bytes=dense_weight_bytes, expert_weight_bytes=expert_weight_bytes, experts=experts,
                 active_experts=active_experts, matmul_params=matmul_params, kv_bytes_per_token=kv_bytes_per_token,
                 attn_flops_per_key=attn_flops_per_key, batch=batch, context=context, peak_flops=peak_flops,
                 memory_bw=memory_bw, compute_efficiency=compute_efficiency, memory_efficiency=memory_efficiency,
                 overhead_s=overhead_s, kv_global_fraction=kv_global_fraction, kv_window=kv_window)
    return _decode(dense_weight_bytes, expert_weight_bytes, experts, active_experts, matmul_params,
                   kv_bytes_per_token, attn_flops_per_key, batch, context, peak_flops, memory_bw,
                   compute_efficiency, memory_efficiency, overhead_s, kv_global_fraction, kv_window)


def _decode(dense_weight_bytes, expert_weight_bytes, experts, active_experts, matmul_params, kv_bytes_per_token,
            attn_flops_per_key, batch, context, peak_flops, memory_bw, compute_efficiency, memory_efficiency,
            overhead_s=0.0, kv_global_fraction=1.0, kv_window=NO_WINDOW):
    """decode_core without the input checks (callers that validated their inputs)."""
    keys = _kv_context(context, kv_global_fraction, kv_window)
    touched = 1.0 - (1.0 - _xp.minimum(active_experts / experts, 1.0)) ** batch
    weights_read = dense_weight_bytes + expert_weight_bytes * touched
    bytes_moved = weights_read + batch * keys * kv_bytes_per_token
    flops = batch * (2.0 * matmul_params + attn_flops_per_key * keys)
    tm = bytes_moved / (memory_bw * memory_efficiency)
    tc = flops / (peak_flops * compute_efficiency)
    return _xp.maximum(tm, tc) + overhead_s, tm, tc, flops, bytes_moved


def prefill_core(*, weight_bytes, matmul_params, kv_bytes_per_token, attn_flops_per_key, batch, seq_len,
                 peak_flops, memory_bw, compute_efficiency, memory_efficiency, overhead_s=0.0,
                 kv_global_fraction=1.0, kv_window=NO_WINDOW):
    """Process `seq_len` prompt tokens for `batch` sequences (causal attention:
    token i attends to i keys, or the last `window` on sliding-window layers).
    Returns (time_s, memory_time_s, compute_time_s, flops, bytes)."""
    _core_checks(weight_bytes=weight_bytes, matmul_params=matmul_params, kv_bytes_per_token=kv_bytes_per_token,
                 attn_flops_per_key=attn_flops_per_key, batch=batch, seq_len=seq_len, peak_flops=peak_flops,
                 memory_bw=memory_bw, compute_efficiency=compute_efficiency, memory_efficiency=memory_efficiency,
                 overhead_s=overhead_s, kv_global_fraction=kv_global_fraction, kv_window=kv_window)
    return _prefill(weight_bytes, matmul_params, kv_bytes_per_token, attn_flops_per_key, batch, seq_len, peak_flops,
                    memory_bw, compute_efficiency, memory_efficiency, overhead_s, kv_global_fraction, kv_window)


def _prefill(weight_bytes, matmul_params, kv_bytes_per_token, attn_flops_per_key, batch, seq_len, peak_flops,
             memory_bw, compute_efficiency, memory_efficiency, overhead_s=0.0, kv_global_fraction=1.0,
             kv_window=NO_WINDOW):
    """prefill_core without the input checks (callers that validated their inputs)."""
    flops = batch * (2.0 * matmul_params * seq_len
                     + attn_flops_per_key * _prefill_keys(seq_len, kv_global_fraction, kv_window))
    bytes_moved = weight_bytes + batch * _kv_context(seq_len, kv_global_fraction, kv_window) * kv_bytes_per_token
    tm = bytes_moved / (memory_bw * memory_efficiency)
    tc = flops / (peak_flops * compute_efficiency)
    return _xp.maximum(tm, tc) + overhead_s, tm, tc, flops, bytes_moved


def model_terms(model: Transformer, precision: str, kv_precision: str | None = None) -> dict:
    """The numbers the core needs from a transformer at a precision."""
    model = get_transformer_model(model)
    check_choice("precision", precision, PRECISIONS)
    if kv_precision is not None:
        check_choice("kv_precision", kv_precision, PRECISIONS)
    b = bytes_per_element(precision)
    kvb = bytes_per_element(kv_precision or default_kv_precision(precision))
    expert_params = float(model.routed_expert_params)
    return dict(
        dense_weight_bytes=(model.params - expert_params) * b,
        expert_weight_bytes=expert_params * b,
        experts=float(model.experts),
        active_experts=float(model.active_experts),
        matmul_params=float(model.matmul_params),
        kv_bytes_per_token=model.kv_bytes_per_token(kvb),
        attn_flops_per_key=model.attention_flops_per_key(),
        kv_global_fraction=model.global_fraction,
        kv_window=float(model.sliding_window) if model.sliding_window else NO_WINDOW,
    )


# ------------------------------------------------------------------- estimates
@dataclass(frozen=True)
class Estimate:
    model: str
    device: str
    phase: str
    batch: int
    seq_len: int
    precision: str
    ttft_s: float | None
    itl_s: float | None
    tokens_per_s: float | None
    samples_per_s: float | None
    step_time_s: float
    weights_bytes: float
    kv_cache_bytes: float
    activation_bytes: float
    memory_bytes: float
    capacity_bytes: float | None
    fits: bool
    bound: str  # "memory", "compute", or "overhead" when the fixed dispatch cost exceeds both
    arithmetic_intensity: float
    flops: float
    bytes_moved: float
    peak_flops_used: float
    compute_precision: str
    assumptions: dict = field(default_factory=dict)
    overhead_s: float = 0.0  # fixed per-call (per-step) dispatch cost included in step_time_s
    devices_needed: int = 1  # fewest devices whose usable memory holds memory_bytes (ideal sharding)
    mfu: float | None = None  # training: model FLOPs / (step time x peak)
    hfu: float | None = None  # training: executed FLOPs (with recomputation) / (step time x peak)

    def to_dict(self) -> dict:
        return asdict(self)


def _checked(batch, seq_len, compute_efficiency, memory_efficiency, memory_fraction, overhead_s):
    check_int("batch", batch, lo=1)
    check_int("seq_len", seq_len, lo=1)
    if compute_efficiency is not None:
        check_fraction("compute_efficiency", compute_efficiency)
    if memory_efficiency is not None:
        check_fraction("memory_efficiency", memory_efficiency)
    check_fraction("memory_fraction", memory_fraction)
    if overhead_s is not None:
        check_number("overhead_s", overhead_s, lo=0)


def _bound(tm, tc, overhead):
    if overhead > max(tm, tc):
        return "overhead"
    return "compute" if tc >= tm else "memory"


def _devices_needed(mem, per_device_capacity, frac) -> int:
    return max(1, math.ceil(mem / (per_device_capacity * frac) - 1e-12))


def estimate(model, device, *, phase: str = "decode", batch: int = 1, seq_len: int = 1024,
             precision: str = "bf16", kv_precision: str | None = None,
             compute_efficiency: float | None = None,
             memory_efficiency: float | None = None,
             memory_fraction: float = DEFAULT_MEMORY_FRACTION, overhead_s: float | None = None,
             n_devices: int = 1, optimizer: str = "adam", recompute: bool = False) -> Estimate:
    """Latency, throughput and memory of one phase of a model on a device.

    phase: "prefill" (seq_len = prompt length; TTFT), "decode" (seq_len = context at
    the step; ITL), "training" (one optimizer step over batch x seq_len tokens) or
    "inference" (one forward pass of a CNN/MLP).
    compute_efficiency, memory_efficiency and overhead_s default (None) to the
    documented model of efficiency.py for the device's class and the phase; in
    training compute_efficiency is the hardware FLOP utilisation (HFU) and the
    estimate reports MFU and HFU separately.
    n_devices > 1 pools peak, bandwidth and memory (ideal tensor parallelism: an
    upper bound that ignores communication); `devices_needed` says how many the
    footprint needs.
    """
    m, d = get_workload(model), get_device(device)
    check_choice("phase", phase, PHASES)
    check_choice("precision", precision, PRECISIONS)
    if kv_precision is not None:
        check_choice("kv_precision", kv_precision, PRECISIONS)
    _checked(batch, seq_len, compute_efficiency, memory_efficiency, memory_fraction, overhead_s)
    check_int("n_devices", n_devices, lo=1)
    check_choice("optimizer", optimizer.lower() if isinstance(optimizer, str) else optimizer,
                 tuple(OPTIMIZER_STATE_FP32_VALUES))
    check_bool("recompute", recompute)
    eff = efficiency_model(m, d, "inference" if phase == "prefill" and not isinstance(m, Transformer) else phase)
    ce = eff.compute if compute_efficiency is None else compute_efficiency
    me = eff.memory if memory_efficiency is None else memory_efficiency
    oh = eff.overhead_s if overhead_s is None else overhead_s
    if phase == "training":
        peak_table = d.training_peak_flops or d.peak_flops
        cprec = compute_precision_for(precision, peak_table)
        peak = d.training_peak(precision) * n_devices
    else:
        cprec = compute_precision_for(precision, d.peak_flops) if d.peak_flops else precision
        peak = d.peak(precision) * n_devices
    bw = d.require("memory_bw") * n_devices
    capacity = d.require("memory_bytes") * n_devices
    assumptions = {"precision": precision, "compute_precision": cprec, "compute_efficiency": ce,
                   "memory_efficiency": me, "memory_fraction": memory_fraction,
                   "overhead_s": oh, "n_devices": n_devices,
                   "time_model": "roofline max(memory, compute) + dispatch overhead",
                   "efficiency_source": "given" if compute_efficiency is not None else "efficiency model",
                   **eff.as_assumptions()}
    if phase == "training":
        return _training(m, d, batch, seq_len, precision, cprec, peak, bw, capacity, ce, me, memory_fraction,
                         optimizer, recompute, oh, n_devices, assumptions)
    if not isinstance(m, Transformer):
        if phase not in ("inference", "prefill"):
            raise PhysicsError(f"model {m.id!r} is a {m.kind}: use phase 'inference' or 'training'")
        return _forward(m, d, batch, precision, cprec, peak, bw, capacity, ce, me, memory_fraction, oh,
                        n_devices, assumptions)
    if phase == "inference":
        raise PhysicsError(f"model {m.id!r} is a transformer: use phase 'prefill' or 'decode'")
    if seq_len > m.max_context:
        raise PhysicsError(f"seq_len must be <= {m.max_context} (the max context of {m.id}), got {seq_len}")
    kvp = kv_precision or default_kv_precision(precision)
    terms = model_terms(m, precision, kvp)
    assumptions["kv_precision"] = kvp
    assumptions["context_tokens"] = seq_len
    if m.sliding_window:
        assumptions["sliding_window"] = f"{m.local_layers} of {m.layers} layers keep {m.sliding_window} tokens"
    common = dict(peak_flops=peak, memory_bw=bw, compute_efficiency=ce, memory_efficiency=me, overhead_s=oh)
    weights = m.params * bytes_per_element(precision)
    ttft, ptm, ptc, pflops, pbytes = _prefill(
        weight_bytes=weights, matmul_params=terms["matmul_params"], kv_bytes_per_token=terms["kv_bytes_per_token"],
        attn_flops_per_key=terms["attn_flops_per_key"], batch=batch, seq_len=seq_len,
        kv_global_fraction=terms["kv_global_fraction"], kv_window=terms["kv_window"], **common)
    itl, dtm, dtc, dflops, dbytes = _decode(batch=batch, context=seq_len, **terms, **common)
    kv = m.kv_bytes(seq_len, bytes_per_element(kvp)) * batch
    act = activation_bytes_inference(m, batch=batch, seq_len=seq_len if phase == "prefill" else 1,
                                     precision=kvp)
    mem = weights + kv + act
    if phase == "prefill":
        t, tm, tc, flops, moved, tps = ttft, ptm, ptc, pflops, pbytes, batch * seq_len / ttft
    else:
        t, tm, tc, flops, moved, tps = itl, dtm, dtc, dflops, dbytes, batch / itl
    return Estimate(model=m.id, device=d.id, phase=phase, batch=batch, seq_len=seq_len, precision=precision,
                    ttft_s=ttft, itl_s=itl, tokens_per_s=tps, samples_per_s=None, step_time_s=t,
                    weights_bytes=weights, kv_cache_bytes=kv, activation_bytes=act, memory_bytes=mem,
                    capacity_bytes=capacity, fits=mem <= capacity * memory_fraction,
                    bound=_bound(tm, tc, oh), arithmetic_intensity=flops / moved,
                    flops=flops, bytes_moved=moved, peak_flops_used=peak, compute_precision=cprec,
                    assumptions=assumptions, overhead_s=oh,
                    devices_needed=_devices_needed(mem, capacity / n_devices, memory_fraction))


def _forward(m, d, batch, precision, cprec, peak, bw, capacity, ce, me, frac, overhead_s, n_devices, assumptions):
    b = bytes_per_element(precision)
    weights = m.params * b
    act = activation_bytes_inference(m, batch=batch, precision=precision)
    flops = batch * m.flops
    moved = weights + 2 * act  # weights once, activations written and read
    tm, tc = moved / (bw * me), flops / (peak * ce)
    t = max(tm, tc) + overhead_s
    mem = weights + act
    return Estimate(model=m.id, device=d.id, phase="inference", batch=batch, seq_len=1, precision=precision,
                    ttft_s=None, itl_s=None, tokens_per_s=None, samples_per_s=batch / t, step_time_s=t,
                    weights_bytes=weights, kv_cache_bytes=0.0, activation_bytes=act, memory_bytes=mem,
                    capacity_bytes=capacity, fits=mem <= capacity * frac, bound=_bound(tm, tc, overhead_s),
                    arithmetic_intensity=flops / moved, flops=flops, bytes_moved=moved, peak_flops_used=peak,
                    compute_precision=cprec, assumptions=assumptions, overhead_s=overhead_s,
                    devices_needed=_devices_needed(mem, capacity / n_devices, frac))


def _training(m, d, batch, seq_len, precision, cprec, peak, bw, capacity, hfu, me, frac, optimizer, recompute,
              overhead_s, n_devices, assumptions):
    """Step time = (6, or 8 with full recomputation) x active params x tokens / (peak x HFU)
    + overhead; MFU counts only the 6 (model FLOPs)."""
    transformer = isinstance(m, Transformer)
    if transformer and seq_len > m.max_context:
        raise PhysicsError(f"seq_len must be <= {m.max_context} (the max context of {m.id}), got {seq_len}")
    tokens = batch * seq_len if transformer else batch
    per_token = (2.0 * m.matmul_params + m.attention_flops_per_key() * m.prefill_keys(seq_len) / seq_len) \
        if transformer else m.flops
    model_flops = 3.0 * per_token * tokens
    flops = (4.0 if recompute else 3.0) * per_token * tokens
    mem = training_memory(m, batch=batch, seq_len=seq_len if transformer else 1, precision=precision,
                          optimizer=optimizer, recompute=recompute)
    moved = 3 * (mem.weights_bytes + mem.gradient_bytes + mem.optimizer_bytes + mem.master_weights_bytes)
    tm, tc = moved / (bw * me), flops / (peak * hfu)
    t = max(tm, tc) + overhead_s
    assumptions = dict(assumptions, hfu_assumed=hfu, optimizer=mem.assumptions["optimizer"], recompute=recompute,
                       flops_per_token=f"{'8' if recompute else '6'} x params (+ attention)",
                       training_peak="GPU (the NPU runs inference only)" if d.training_peak_flops else "device peak")
    return Estimate(model=m.id, device=d.id, phase="training", batch=batch, seq_len=seq_len, precision=precision,
                    ttft_s=None, itl_s=None, tokens_per_s=tokens / t if transformer else None,
                    samples_per_s=batch / t, step_time_s=t, weights_bytes=mem.weights_bytes, kv_cache_bytes=0.0,
                    activation_bytes=mem.activation_bytes, memory_bytes=mem.total_bytes, capacity_bytes=capacity,
                    fits=mem.total_bytes <= capacity * frac, bound=_bound(tm, tc, overhead_s),
                    arithmetic_intensity=flops / moved, flops=flops, bytes_moved=moved, peak_flops_used=peak,
                    compute_precision=cprec, assumptions=assumptions, overhead_s=overhead_s,
                    devices_needed=_devices_needed(mem.total_bytes, capacity / n_devices, frac),
                    mfu=model_flops / (t * peak), hfu=flops / (t * peak))


# -------------------------------------------------------- capacity & throughput
def max_concurrent_sequences(model, device, *, context: int, precision: str = "bf16",
                             kv_precision: str | None = None, memory_fraction: float = DEFAULT_MEMORY_FRACTION,
                             n_devices: int = 1) -> int:
    """How many sequences of `context` tokens fit in the KV cache left after weights
    (sliding-window layers hold at most their window; MLA holds one latent per token)."""
    m, d = get_transformer_model(model), get_device(device)
    check_int("context", context, lo=1)
    check_choice("precision", precision, PRECISIONS)
    if kv_precision is not None:
        check_choice("kv_precision", kv_precision, PRECISIONS)
    check_fraction("memory_fraction", memory_fraction)
    check_int("n_devices", n_devices, lo=1)
    free = d.require("memory_bytes") * n_devices * memory_fraction - m.params * bytes_per_element(precision)
    per_seq = m.kv_bytes(context, bytes_per_element(kv_precision or default_kv_precision(precision)))
    return max(0, int(free // per_seq))


def min_devices(model, device, *, phase: str = "decode", batch: int = 1, seq_len: int = 1024,
                precision: str = "bf16", kv_precision: str | None = None,
                memory_fraction: float = DEFAULT_MEMORY_FRACTION, optimizer: str = "adam",
                recompute: bool = False) -> int:
    """Fewest devices whose pooled usable memory holds the footprint of `estimate`
    (weights, KV cache, activations; training state in training): the smallest
    tensor-parallel replica. Ideal sharding: an upper bound on what fits."""
    return estimate(model, device, phase=phase, batch=batch, seq_len=seq_len, precision=precision,
                    kv_precision=kv_precision, memory_fraction=memory_fraction, optimizer=optimizer,
                    recompute=recompute).devices_needed


@dataclass(frozen=True)
class ThroughputEstimate:
    output_tokens_per_s: float
    batch: int
    prefill_s: float
    decode_s: float
    decode_bound: str
    assumptions: dict


def max_throughput(model, device, *, input_len: int, output_len: int, precision: str = "bf16",
                   kv_precision: str | None = None, n_devices: int = 1,
                   compute_efficiency: float | None = None,
                   memory_efficiency: float | None = None,
                   memory_fraction: float = DEFAULT_MEMORY_FRACTION,
                   overhead_s: float | None = None) -> ThroughputEstimate:
    """Offline max-throughput serving: as many sequences as the KV cache holds at
    their final length, each prefilled then decoded; output tokens per second.
    Efficiencies and the per-step overhead default to the efficiency model."""
    m, d = get_transformer_model(model), get_device(device)
    check_int("input_len", input_len, lo=1)
    check_int("output_len", output_len, lo=1)
    if input_len + output_len > m.max_context:
        raise PhysicsError(f"input_len + output_len must be <= {m.max_context} (the max context of {m.id}), "
                           f"got {input_len + output_len}")
    _checked(1, 1, compute_efficiency, memory_efficiency, memory_fraction, overhead_s)
    batch = max_concurrent_sequences(m, d, context=input_len + output_len, precision=precision,
                                     kv_precision=kv_precision, memory_fraction=memory_fraction, n_devices=n_devices)
    if batch < 1:
        need = min_devices(m, d, batch=1, seq_len=input_len + output_len, precision=precision,
                           kv_precision=kv_precision, memory_fraction=memory_fraction)
        raise PhysicsError(f"{m.id} at {precision} does not fit {n_devices} x {d.id}: no room for a KV cache "
                           f"(n_devices must be >= {need})")
    eff = efficiency_model(m, d, "decode")
    ce = eff.compute if compute_efficiency is None else compute_efficiency
    me = eff.memory if memory_efficiency is None else memory_efficiency
    oh = eff.overhead_s if overhead_s is None else overhead_s
    terms = model_terms(m, precision, kv_precision)
    common = dict(peak_flops=d.peak(precision) * n_devices, memory_bw=d.require("memory_bw") * n_devices,
                  compute_efficiency=ce, memory_efficiency=me, overhead_s=oh)
    prefill, *_ = _prefill(weight_bytes=m.params * bytes_per_element(precision),
                               matmul_params=terms["matmul_params"], kv_bytes_per_token=terms["kv_bytes_per_token"],
                               attn_flops_per_key=terms["attn_flops_per_key"], batch=batch, seq_len=input_len,
                               kv_global_fraction=terms["kv_global_fraction"], kv_window=terms["kv_window"],
                               **common)
    step, tm, tc, *_ = _decode(batch=batch, context=input_len + output_len / 2, **terms, **common)
    decode = step * output_len
    return ThroughputEstimate(batch * output_len / (prefill + decode), batch, prefill, decode,
                              _bound(tm, tc, oh),
                              {"precision": precision, "kv_precision": kv_precision or default_kv_precision(precision),
                               "n_devices": n_devices, "compute_efficiency": ce,
                               "memory_efficiency": me, "memory_fraction": memory_fraction, "overhead_s": oh,
                               "device_class": eff.device_class,
                               "decode_context": "input + output/2 (mean over the generation)"})


def get_transformer_model(model) -> Transformer:
    m = get_workload(model)
    if not isinstance(m, Transformer):
        raise PhysicsError(f"model {m.id!r} is a {m.kind}; this needs a transformer")
    return m


# ------------------------------------------------------------------------ sweep
def _int_list(name, values, lo=1):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise PhysicsError(f"{name} must be a list of integers >= {lo}, got {values!r}")
    vals = list(values)
    if not vals:
        raise PhysicsError(f"{name} must not be empty")
    for v in vals:
        import numbers

        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < lo:
            raise PhysicsError(f"{name} must be a list of integers >= {lo}, got {v!r} in it")
    return vals


def sweep(*, devices, models, batches, precisions, contexts,
          compute_efficiency: float | None = None,
          memory_efficiency: float | None = None,
          memory_fraction: float = DEFAULT_MEMORY_FRACTION,
          overhead_s: float | None = None) -> dict:
    """Decode step over the full grid devices x models x batches x precisions x
    contexts as one vectorized call of `decode_core`. Needs NumPy. Returns a dict of
    arrays shaped (len(devices), len(models), len(batches), len(precisions), len(contexts)).
    Efficiencies and overheads default to the efficiency model per device (and model);
    `fits` is False where the memory does not fit or the context exceeds the model's."""
    import numpy as np

    for name, seq in (("devices", devices), ("models", models), ("precisions", precisions)):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__") or not list(seq):
            raise PhysicsError(f"{name} must be a non-empty list, got {seq!r}")
    batches, contexts = _int_list("batches", batches), _int_list("contexts", contexts)
    for p_ in precisions:
        check_choice("precisions", p_, PRECISIONS)
    _checked(1, 1, compute_efficiency, memory_efficiency, memory_fraction, overhead_s)
    ds = [get_device(x) for x in devices]
    ms = [get_transformer_model(x) for x in models]
    nd, nm, nb, npr, nc = len(ds), len(ms), len(batches), len(precisions), len(contexts)
    peak = np.array([[d.peak(p) for p in precisions] for d in ds]).reshape(nd, 1, 1, npr, 1)
    bw = np.array([d.require("memory_bw") for d in ds]).reshape(nd, 1, 1, 1, 1)
    cap = np.array([d.require("memory_bytes") for d in ds]).reshape(nd, 1, 1, 1, 1)
    effs = [[efficiency_model(m, d, "decode") for m in ms] for d in ds]
    ce = np.array([[compute_efficiency if compute_efficiency is not None else e.compute for e in row]
                   for row in effs]).reshape(nd, nm, 1, 1, 1)
    me = np.array([[memory_efficiency if memory_efficiency is not None else e.memory for e in row]
                   for row in effs]).reshape(nd, nm, 1, 1, 1)
    oh = np.array([[overhead_s if overhead_s is not None else e.overhead_s for e in row]
                   for row in effs]).reshape(nd, nm, 1, 1, 1)
    terms = [[model_terms(m, p) for p in precisions] for m in ms]
    arr = {k: np.array([[t[k] for t in row] for row in terms]).reshape(1, nm, 1, npr, 1) for k in terms[0][0]}
    batch = np.asarray(batches, dtype=float).reshape(1, 1, nb, 1, 1)
    ctx = np.asarray(contexts, dtype=float).reshape(1, 1, 1, 1, nc)
    t, tm, tc, flops, moved = decode_core(batch=batch, context=ctx, peak_flops=peak, memory_bw=bw,
                                          compute_efficiency=ce, memory_efficiency=me, overhead_s=oh, **arr)
    weights = arr["dense_weight_bytes"] + arr["expert_weight_bytes"]
    mem = weights + batch * _kv_context(ctx, arr["kv_global_fraction"], arr["kv_window"]) * arr["kv_bytes_per_token"]
    max_ctx = np.array([m.max_context for m in ms], dtype=float).reshape(1, nm, 1, 1, 1)
    shape = (nd, nm, nb, npr, nc)
    return {"itl_s": np.broadcast_to(t, shape), "tokens_per_s": np.broadcast_to(batch / t, shape),
            "compute_bound": np.broadcast_to(tc >= tm, shape), "memory_bytes": np.broadcast_to(mem, shape),
            "overhead_bound": np.broadcast_to(oh > np.maximum(tm, tc), shape),
            "fits": np.broadcast_to((mem <= cap * memory_fraction) & (ctx <= max_ctx), shape)}


@dataclass(frozen=True)
class IronLawTerms:
    data_s: float  # bytes moved / (BW x eta_mem)
    compute_s: float  # FLOPs / (R x eta_comp)
    fixed_s: float  # dispatch overhead + network round trip + upload
    total_s: float
    dominant: str  # "data" | "compute" | "fixed"
    fits: bool
    memory_bytes: float
    capacity_bytes: float
    overhead_s: float = 0.0  # the dispatch part of fixed_s


def iron_law_inference(model, device, *, precision: str = "int8", batch: int = 1, distance_m: float = 0.0,
                       payload_bytes: float = 0.0, uplink_bw: float | None = None, overhead_s: float | None = None,
                       compute_efficiency: float | None = None,
                       memory_efficiency: float | None = None,
                       memory_fraction: float = DEFAULT_MEMORY_FRACTION) -> IronLawTerms:
    """T = D/BW + O/R + L for one forward pass of a CNN/MLP, served locally
    (distance 0) or remotely: L is the dispatch overhead of the device class (the
    efficiency model; overhead_s overrides it) plus the fiber round trip and the
    input upload."""
    from .network import round_trip_s, transfer_time_s

    check_number("distance_m", distance_m, lo=0)
    check_number("payload_bytes", payload_bytes, lo=0)
    if uplink_bw is not None:
        check_positive("uplink_bw", uplink_bw)
    e = estimate(model, device, phase="inference", batch=batch, precision=precision, overhead_s=overhead_s,
                 compute_efficiency=compute_efficiency, memory_efficiency=memory_efficiency,
                 memory_fraction=memory_fraction)
    d = get_device(device)
    ce, me = e.assumptions["compute_efficiency"], e.assumptions["memory_efficiency"]
    data = e.bytes_moved / (d.require("memory_bw") * me)
    compute = e.flops / (e.peak_flops_used * ce)
    fixed = e.overhead_s
    if distance_m > 0 or payload_bytes > 0:
        if payload_bytes > 0 and not uplink_bw:
            raise PhysicsError("uplink_bw is needed to upload a payload (uplink_bw must be > 0)")
        fixed += round_trip_s(distance_m) + (transfer_time_s(payload_bytes, uplink_bw) if payload_bytes else 0.0)
    terms = {"data": data, "compute": compute, "fixed": fixed}
    return IronLawTerms(data, compute, fixed, data + compute + fixed, max(terms, key=terms.get), e.fits,
                        e.memory_bytes, e.capacity_bytes * memory_fraction, e.overhead_s)
