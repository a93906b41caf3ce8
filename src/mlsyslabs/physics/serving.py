"""LLM (and CNN) inference and training-step estimates.

One numeric core (`decode_core`, `prefill_core`) serves the scalar `estimate`
used by the CLI and the labs and the vectorized `sweep`, so they cannot disagree.

Decode step at batch B and context C (roofline form, see roofline.py):
  bytes = dense weights + expert weights x P(expert touched) + B x C x KV/token
  FLOPs = B x (2 x active matmul params + 4 x layers x heads x head_dim x C)
  t     = max(bytes / (BW x eta_mem), FLOPs / (R x eta_comp)) + overhead
Mixture-of-experts: memory holds every expert; compute uses the active ones; the
weights read per step are the experts some token in the batch routes to,
expected fraction 1 - (1 - k/E)^B under uniform routing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import _xp
from .devices import Device, get_device
from .errors import PhysicsError, check_fraction, check_positive
from .memory import (DEFAULT_MEMORY_FRACTION, activation_bytes_inference, training_memory)
from .precisions import bytes_per_element, compute_precision_for
from .roofline import DEFAULT_COMPUTE_EFFICIENCY, DEFAULT_MEMORY_EFFICIENCY
from .workloads import Transformer, get_workload

PHASES = ("prefill", "decode", "training", "inference")
_FLOAT_FORMATS = ("fp32", "bf16", "fp16", "fp8")


def default_kv_precision(precision: str) -> str:
    """KV cache format when not given: the weights' format for floating-point
    weights; fp16 for integer/ternary weights (weight-only quantization keeps
    16-bit activations and KV cache)."""
    return precision if precision in _FLOAT_FORMATS else "fp16"


# ----------------------------------------------------------------- numeric core
def decode_core(*, dense_weight_bytes, expert_weight_bytes, experts, active_experts, matmul_params,
                kv_bytes_per_token, attn_flops_per_key, batch, context, peak_flops, memory_bw,
                compute_efficiency, memory_efficiency, overhead_s=0.0):
    """One decode step for `batch` sequences at `context` tokens. Floats or arrays.
    Returns (time_s, memory_time_s, compute_time_s, flops, bytes)."""
    touched = 1.0 - (1.0 - active_experts / experts) ** batch
    weights_read = dense_weight_bytes + expert_weight_bytes * touched
    bytes_moved = weights_read + batch * context * kv_bytes_per_token
    flops = batch * (2.0 * matmul_params + attn_flops_per_key * context)
    tm = bytes_moved / (memory_bw * memory_efficiency)
    tc = flops / (peak_flops * compute_efficiency)
    return _xp.maximum(tm, tc) + overhead_s, tm, tc, flops, bytes_moved


def prefill_core(*, weight_bytes, matmul_params, kv_bytes_per_token, attn_flops_per_key, batch, seq_len,
                 peak_flops, memory_bw, compute_efficiency, memory_efficiency, overhead_s=0.0):
    """Process `seq_len` prompt tokens for `batch` sequences (causal attention:
    token i attends to i keys). Returns (time_s, memory_time_s, compute_time_s, flops, bytes)."""
    flops = batch * (2.0 * matmul_params * seq_len + attn_flops_per_key * seq_len * (seq_len + 1) / 2.0)
    bytes_moved = weight_bytes + batch * seq_len * kv_bytes_per_token
    tm = bytes_moved / (memory_bw * memory_efficiency)
    tc = flops / (peak_flops * compute_efficiency)
    return _xp.maximum(tm, tc) + overhead_s, tm, tc, flops, bytes_moved


def model_terms(model: Transformer, precision: str, kv_precision: str | None = None) -> dict:
    """The numbers the core needs from a transformer at a precision."""
    b = bytes_per_element(precision)
    kvb = bytes_per_element(kv_precision or default_kv_precision(precision))
    expert_params = (model.params - model.active_params) * model.experts / max(model.experts - model.active_experts, 1) \
        if model.experts > 1 else 0.0
    return dict(
        dense_weight_bytes=(model.params - expert_params) * b,
        expert_weight_bytes=expert_params * b,
        experts=float(model.experts),
        active_experts=float(model.active_experts),
        matmul_params=float(model.matmul_params),
        kv_bytes_per_token=model.kv_bytes_per_token(kvb),
        attn_flops_per_key=model.attention_flops_per_key(),
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
    bound: str
    arithmetic_intensity: float
    flops: float
    bytes_moved: float
    peak_flops_used: float
    compute_precision: str
    assumptions: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _checked(batch, seq_len, compute_efficiency, memory_efficiency, memory_fraction, overhead_s):
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise PhysicsError(f"batch must be an integer >= 1, got {batch!r}")
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len < 1:
        raise PhysicsError(f"seq_len must be an integer >= 1, got {seq_len!r}")
    check_fraction("compute_efficiency", compute_efficiency)
    check_fraction("memory_efficiency", memory_efficiency)
    check_fraction("memory_fraction", memory_fraction)
    check_positive("overhead_s", overhead_s, allow_zero=True)


def estimate(model, device, *, phase: str = "decode", batch: int = 1, seq_len: int = 1024,
             precision: str = "bf16", kv_precision: str | None = None,
             compute_efficiency: float = DEFAULT_COMPUTE_EFFICIENCY,
             memory_efficiency: float = DEFAULT_MEMORY_EFFICIENCY,
             memory_fraction: float = DEFAULT_MEMORY_FRACTION, overhead_s: float = 0.0,
             n_devices: int = 1, optimizer: str = "adam", recompute: bool = False) -> Estimate:
    """Latency, throughput and memory of one phase of a model on a device.

    phase: "prefill" (seq_len = prompt length; TTFT), "decode" (seq_len = context at
    the step; ITL), "training" (one optimizer step over batch x seq_len tokens, with
    compute_efficiency read as MFU), or "inference" (one forward pass of a CNN/MLP).
    n_devices > 1 pools peak, bandwidth and memory (ideal tensor parallelism: an
    upper bound that ignores communication).
    """
    m, d = get_workload(model), get_device(device)
    if phase not in PHASES:
        raise PhysicsError(f"phase must be one of {', '.join(PHASES)}; got {phase!r}")
    _checked(batch, seq_len, compute_efficiency, memory_efficiency, memory_fraction, overhead_s)
    if isinstance(n_devices, bool) or not isinstance(n_devices, int) or n_devices < 1:
        raise PhysicsError(f"n_devices must be an integer >= 1, got {n_devices!r}")
    cprec = compute_precision_for(precision, d.peak_flops) if d.peak_flops else precision
    peak = d.peak(precision) * n_devices
    bw = d.require("memory_bw") * n_devices
    capacity = d.require("memory_bytes") * n_devices
    assumptions = {"precision": precision, "compute_precision": cprec, "compute_efficiency": compute_efficiency,
                   "memory_efficiency": memory_efficiency, "memory_fraction": memory_fraction,
                   "overhead_s": overhead_s, "n_devices": n_devices, "time_model": "roofline max(memory, compute)"}
    if phase == "training":
        return _training(m, d, batch, seq_len, precision, cprec, peak, bw, capacity, compute_efficiency,
                         memory_efficiency, memory_fraction, optimizer, recompute, assumptions)
    if not isinstance(m, Transformer):
        if phase not in ("inference", "prefill"):
            raise PhysicsError(f"model {m.id!r} is a {m.kind}: use phase 'inference' or 'training'")
        return _forward(m, d, batch, precision, cprec, peak, bw, capacity, compute_efficiency,
                        memory_efficiency, memory_fraction, overhead_s, assumptions)
    if phase == "inference":
        raise PhysicsError(f"model {m.id!r} is a transformer: use phase 'prefill' or 'decode'")
    if seq_len > m.max_context:
        raise PhysicsError(f"seq_len must be <= {m.max_context} (the max context of {m.id}), got {seq_len}")
    kvp = kv_precision or default_kv_precision(precision)
    terms = model_terms(m, precision, kvp)
    assumptions["kv_precision"] = kvp
    assumptions["context_tokens"] = seq_len
    common = dict(peak_flops=peak, memory_bw=bw, compute_efficiency=compute_efficiency,
                  memory_efficiency=memory_efficiency, overhead_s=overhead_s)
    weights = m.params * bytes_per_element(precision)
    ttft, ptm, ptc, pflops, pbytes = prefill_core(weight_bytes=weights, matmul_params=terms["matmul_params"],
                                                  kv_bytes_per_token=terms["kv_bytes_per_token"],
                                                  attn_flops_per_key=terms["attn_flops_per_key"], batch=batch,
                                                  seq_len=seq_len, **common)
    itl, dtm, dtc, dflops, dbytes = decode_core(batch=batch, context=seq_len, **terms, **common)
    kv = terms["kv_bytes_per_token"] * seq_len * batch
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
                    bound="compute" if tc >= tm else "memory", arithmetic_intensity=flops / moved,
                    flops=flops, bytes_moved=moved, peak_flops_used=peak, compute_precision=cprec,
                    assumptions=assumptions)


def _forward(m, d, batch, precision, cprec, peak, bw, capacity, ce, me, frac, overhead_s, assumptions):
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
                    capacity_bytes=capacity, fits=mem <= capacity * frac, bound="compute" if tc >= tm else "memory",
                    arithmetic_intensity=flops / moved, flops=flops, bytes_moved=moved, peak_flops_used=peak,
                    compute_precision=cprec, assumptions=assumptions)


def _training(m, d, batch, seq_len, precision, cprec, peak, bw, capacity, mfu, me, frac, optimizer, recompute,
              assumptions):
    """Step time = (6, or 8 with full recomputation) x active params x tokens / (peak x MFU)."""
    transformer = isinstance(m, Transformer)
    tokens = batch * seq_len if transformer else batch
    per_token = (2.0 * m.matmul_params + m.attention_flops_per_key() * seq_len / 2) if transformer else m.flops
    flops = (4.0 if recompute else 3.0) * per_token * tokens
    mem = training_memory(m, batch=batch, seq_len=seq_len if transformer else 1, precision=precision,
                          optimizer=optimizer, recompute=recompute)
    moved = 3 * (mem.weights_bytes + mem.gradient_bytes + mem.optimizer_bytes + mem.master_weights_bytes)
    tm, tc = moved / (bw * me), flops / (peak * mfu)
    t = max(tm, tc)
    assumptions = dict(assumptions, mfu=mfu, optimizer=mem.assumptions["optimizer"], recompute=recompute,
                       flops_per_token=f"{'8' if recompute else '6'} x params (+ attention)")
    return Estimate(model=m.id, device=d.id, phase="training", batch=batch, seq_len=seq_len, precision=precision,
                    ttft_s=None, itl_s=None, tokens_per_s=tokens / t if transformer else None,
                    samples_per_s=batch / t, step_time_s=t, weights_bytes=mem.weights_bytes, kv_cache_bytes=0.0,
                    activation_bytes=mem.activation_bytes, memory_bytes=mem.total_bytes, capacity_bytes=capacity,
                    fits=mem.total_bytes <= capacity * frac, bound="compute" if tc >= tm else "memory",
                    arithmetic_intensity=flops / moved, flops=flops, bytes_moved=moved, peak_flops_used=peak,
                    compute_precision=cprec, assumptions=assumptions)


# -------------------------------------------------------- capacity & throughput
def max_concurrent_sequences(model, device, *, context: int, precision: str = "bf16",
                             kv_precision: str | None = None, memory_fraction: float = DEFAULT_MEMORY_FRACTION,
                             n_devices: int = 1) -> int:
    """How many sequences of `context` tokens fit in the KV cache left after weights."""
    m, d = get_transformer_model(model), get_device(device)
    check_positive("context", context)
    check_fraction("memory_fraction", memory_fraction)
    free = d.require("memory_bytes") * n_devices * memory_fraction - m.params * bytes_per_element(precision)
    per_seq = m.kv_bytes_per_token(bytes_per_element(kv_precision or default_kv_precision(precision))) * context
    return max(0, int(free // per_seq))


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
                   compute_efficiency: float = DEFAULT_COMPUTE_EFFICIENCY,
                   memory_efficiency: float = DEFAULT_MEMORY_EFFICIENCY,
                   memory_fraction: float = DEFAULT_MEMORY_FRACTION) -> ThroughputEstimate:
    """Offline max-throughput serving: as many sequences as the KV cache holds at
    their final length, each prefilled then decoded; output tokens per second."""
    m, d = get_transformer_model(model), get_device(device)
    check_positive("input_len", input_len)
    check_positive("output_len", output_len)
    batch = max_concurrent_sequences(m, d, context=input_len + output_len, precision=precision,
                                     kv_precision=kv_precision, memory_fraction=memory_fraction, n_devices=n_devices)
    if batch < 1:
        raise PhysicsError(f"{m.id} at {precision} does not fit {n_devices} x {d.id}: no room for a KV cache")
    terms = model_terms(m, precision, kv_precision)
    common = dict(peak_flops=d.peak(precision) * n_devices, memory_bw=d.require("memory_bw") * n_devices,
                  compute_efficiency=compute_efficiency, memory_efficiency=memory_efficiency)
    prefill, *_ = prefill_core(weight_bytes=m.params * bytes_per_element(precision),
                               matmul_params=terms["matmul_params"], kv_bytes_per_token=terms["kv_bytes_per_token"],
                               attn_flops_per_key=terms["attn_flops_per_key"], batch=batch, seq_len=input_len, **common)
    step, tm, tc, *_ = decode_core(batch=batch, context=input_len + output_len / 2, **terms, **common)
    decode = step * output_len
    return ThroughputEstimate(batch * output_len / (prefill + decode), batch, prefill, decode,
                              "compute" if tc >= tm else "memory",
                              {"precision": precision, "kv_precision": kv_precision or default_kv_precision(precision),
                               "n_devices": n_devices, "compute_efficiency": compute_efficiency,
                               "memory_efficiency": memory_efficiency, "memory_fraction": memory_fraction,
                               "decode_context": "input + output/2 (mean over the generation)"})


def get_transformer_model(model) -> Transformer:
    m = get_workload(model)
    if not isinstance(m, Transformer):
        raise PhysicsError(f"model {m.id!r} is a {m.kind}; this needs a transformer")
    return m


# ------------------------------------------------------------------------ sweep
def sweep(*, devices, models, batches, precisions, contexts,
          compute_efficiency: float = DEFAULT_COMPUTE_EFFICIENCY,
          memory_efficiency: float = DEFAULT_MEMORY_EFFICIENCY,
          memory_fraction: float = DEFAULT_MEMORY_FRACTION) -> dict:
    """Decode step over the full grid devices x models x batches x precisions x
    contexts as one vectorized call of `decode_core`. Needs NumPy. Returns a dict of
    arrays shaped (len(devices), len(models), len(batches), len(precisions), len(contexts))."""
    import numpy as np

    ds = [get_device(x) for x in devices]
    ms = [get_transformer_model(x) for x in models]
    nd, nm, nb, npr, nc = len(ds), len(ms), len(batches), len(precisions), len(contexts)
    peak = np.array([[d.peak(p) for p in precisions] for d in ds]).reshape(nd, 1, 1, npr, 1)
    bw = np.array([d.require("memory_bw") for d in ds]).reshape(nd, 1, 1, 1, 1)
    cap = np.array([d.require("memory_bytes") for d in ds]).reshape(nd, 1, 1, 1, 1)
    terms = [[model_terms(m, p) for p in precisions] for m in ms]
    arr = {k: np.array([[t[k] for t in row] for row in terms]).reshape(1, nm, 1, npr, 1) for k in terms[0][0]}
    batch = np.asarray(batches, dtype=float).reshape(1, 1, nb, 1, 1)
    ctx = np.asarray(contexts, dtype=float).reshape(1, 1, 1, 1, nc)
    t, tm, tc, flops, moved = decode_core(batch=batch, context=ctx, peak_flops=peak, memory_bw=bw,
                                          compute_efficiency=compute_efficiency,
                                          memory_efficiency=memory_efficiency, **arr)
    weights = arr["dense_weight_bytes"] + arr["expert_weight_bytes"]
    mem = weights + batch * ctx * arr["kv_bytes_per_token"]
    shape = (nd, nm, nb, npr, nc)
    return {"itl_s": np.broadcast_to(t, shape), "tokens_per_s": np.broadcast_to(batch / t, shape),
            "compute_bound": np.broadcast_to(tc >= tm, shape), "memory_bytes": np.broadcast_to(mem, shape),
            "fits": np.broadcast_to(mem <= cap * memory_fraction, shape)}


@dataclass(frozen=True)
class IronLawTerms:
    data_s: float  # bytes moved / (BW x eta_mem)
    compute_s: float  # FLOPs / (R x eta_comp)
    fixed_s: float  # network round trip + upload + fixed overhead
    total_s: float
    dominant: str  # "data" | "compute" | "fixed"
    fits: bool
    memory_bytes: float
    capacity_bytes: float


def iron_law_inference(model, device, *, precision: str = "int8", batch: int = 1, distance_m: float = 0.0,
                       payload_bytes: float = 0.0, uplink_bw: float | None = None, overhead_s: float = 0.0,
                       compute_efficiency: float = DEFAULT_COMPUTE_EFFICIENCY,
                       memory_efficiency: float = DEFAULT_MEMORY_EFFICIENCY,
                       memory_fraction: float = DEFAULT_MEMORY_FRACTION) -> IronLawTerms:
    """T = D/BW + O/R + L for one forward pass of a CNN/MLP, served locally
    (distance 0) or remotely: L adds the fiber round trip and the input upload."""
    from .network import round_trip_s, transfer_time_s

    e = estimate(model, device, phase="inference", batch=batch, precision=precision, overhead_s=overhead_s,
                 compute_efficiency=compute_efficiency, memory_efficiency=memory_efficiency,
                 memory_fraction=memory_fraction)
    d = get_device(device)
    data = e.bytes_moved / (d.require("memory_bw") * memory_efficiency)
    compute = e.flops / (e.peak_flops_used * compute_efficiency)
    fixed = overhead_s
    if distance_m > 0 or payload_bytes > 0:
        if payload_bytes > 0 and not uplink_bw:
            raise PhysicsError("uplink_bw is needed to upload a payload")
        fixed += round_trip_s(distance_m) + (transfer_time_s(payload_bytes, uplink_bw) if payload_bytes else 0.0)
    terms = {"data": data, "compute": compute, "fixed": fixed}
    return IronLawTerms(data, compute, fixed, data + compute + fixed, max(terms, key=terms.get), e.fits,
                        e.memory_bytes, e.capacity_bytes * memory_fraction)
