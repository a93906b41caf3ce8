"""What an ML framework adds to or removes from the roofline: kernel fusion, per-kernel
dispatch, eager versus compiled execution, the one-off cost of compiling, and where a
transformer layer's operators sit against a device's ridge point.

- An elementwise chain of n ops run one kernel per op (eager) reads and writes the whole
  tensor n times: bytes = 2 n N b, kernels = n. Fused into one kernel it reads the input
  once and writes the output once: bytes = 2 N b, kernels = 1. The arithmetic (n N f
  FLOPs) is the same: fusion removes memory round trips and launches, never FLOPs.
- Operator costs: GEMM (m x k) @ (k x n): 2 m n k FLOPs over b (m k + k n + m n) bytes;
  softmax over a rows x cols matrix and RMSNorm over tokens x hidden: a few FLOPs per
  element over one read and one write (intensity about 1 FLOP/byte in 16-bit).
- Eager CNN inference launches conv, batch-norm and activation as separate kernels
  (EAGER_KERNELS_PER_CNN_LAYER each weight layer); a compiler (TensorRT, TorchInductor,
  TFLite) fuses them into one kernel per weight layer (efficiency.kernels_per_forward),
  and a captured CUDA graph replays them at the smaller per_kernel_graph cost.
- Compiling is paid once (again after each recompile) and repaid by the per-run saving:
  break-even runs = compile_s (1 + recompiles) / (eager_run_s - compiled_run_s).
  COMPILE_SECONDS is a measured build of a small CNN: seconds to minutes, not
  milliseconds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .devices import get_device
from .efficiency import kernels_per_forward, profile
from .errors import PhysicsError, check_bool, check_choice, check_int, check_positive
from .precisions import bytes_per_element
from .roofline import roofline_time
from .workloads import Transformer, get_workload

# Compile cost: TensorRT engine builds through ONNX Runtime's TensorRT execution provider,
# no timing cache: EfficientNet-Lite4 34.6 s, YOLOv4 108.6 s (microsoft/onnxruntime pull
# request #14767, "TensorRT EP - timing cache", 2023). Graph compilers take seconds to
# minutes; larger models and embedded hosts take longer.
COMPILE_SECONDS = 34.6
COMPILE_SOURCE = ("TensorRT engine build via ONNX Runtime's TensorRT EP without a timing cache: EfficientNet-Lite4 "
                  "34.6 s, YOLOv4 108.6 s (microsoft/onnxruntime PR #14767, 2023)")
# Eager CNN inference: convolution, batch-norm and activation each run as a kernel
# (estimate: projection layers without an activation make it slightly fewer).
EAGER_KERNELS_PER_CNN_LAYER = 3
# FLOPs per element (estimates from the operations each performs).
SOFTMAX_FLOPS_PER_ELEMENT = 5  # max, subtract, exp, sum, divide
RMSNORM_FLOPS_PER_ELEMENT = 4  # square, sum, scale by the reciprocal root, multiply by the weight
MODES = ("eager", "compiled", "compiled-graph")


@dataclass(frozen=True)
class ChainTime:
    time_s: float
    memory_time_s: float
    compute_time_s: float
    launch_s: float
    bytes_moved: float
    flops: float
    kernels: int
    bound: str  # "memory", "compute" or "launch" (the largest of the three terms)


def elementwise_chain(*, elements, n_ops: int, device, precision: str = "bf16", fused: bool = False,
                      flops_per_element: float = 1.0, peak_scale: float = 1.0) -> ChainTime:
    """Time of n elementwise ops over a tensor of `elements` on `device`, one kernel per
    op (fused=False) or one kernel for the chain (fused=True). `peak_scale` multiplies
    the dense peak (a hypothetical chip with more FLOP/s and the same bandwidth).
    Efficiencies and per-kernel time come from the device class (efficiency.py)."""
    check_positive("elements", elements)
    n_ops = check_int("n_ops", n_ops, lo=1)
    check_bool("fused", fused)
    check_positive("flops_per_element", flops_per_element)
    check_positive("peak_scale", peak_scale)
    d, p = get_device(device), profile(device)
    b = bytes_per_element(precision)
    kernels = 1 if fused else n_ops
    moved = 2.0 * elements * b * (1 if fused else n_ops)
    flops = n_ops * elements * flops_per_element
    launch = kernels * p.per_kernel_s
    r = roofline_time(bytes_moved=moved, flops=flops, memory_bw=d.require("memory_bw"),
                      peak_flops=d.peak(precision) * peak_scale, overhead_s=launch,
                      compute_efficiency=p.compute, memory_efficiency=p.memory)
    terms = {"memory": r.memory_time_s, "compute": r.compute_time_s, "launch": launch}
    return ChainTime(time_s=r.time_s, memory_time_s=r.memory_time_s, compute_time_s=r.compute_time_s, launch_s=launch,
                     bytes_moved=moved, flops=flops, kernels=kernels, bound=max(terms, key=terms.get))


@dataclass(frozen=True)
class OpCost:
    name: str
    kind: str  # "gemm", "softmax", "norm"
    flops: float
    bytes_moved: float

    @property
    def intensity(self) -> float:
        """FLOP per byte."""
        return self.flops / self.bytes_moved


def gemm_cost(*, m, n, k, precision: str = "bf16", name: str = "GEMM") -> OpCost:
    """(m x k) @ (k x n): 2 m n k FLOPs; reads both operands, writes the product once."""
    for arg, v in (("m", m), ("n", n), ("k", k)):
        check_positive(arg, v)
    b = bytes_per_element(precision)
    return OpCost(name, "gemm", 2.0 * m * n * k, b * (m * k + k * n + m * n))


def gemm_ridge_rows(*, n, k, ridge, precision: str = "bf16") -> float:
    """Rows m (tokens in a batch) at which an (m x k) @ (k x n) GEMM's intensity
    2 m n k / (b (m k + k n + m n)) reaches `ridge` FLOP/byte (v1.11):
    m* = R b k n / (2 k n - R b (k + n)); infinity when the intensity's limit for large m,
    2 k n / (b (k + n)), stays at or below the ridge (the GEMM never turns compute-bound)."""
    for arg, v in (("n", n), ("k", k), ("ridge", ridge)):
        check_positive(arg, v)
    b = bytes_per_element(precision)
    denom = 2.0 * k * n - ridge * b * (k + n)
    return math.inf if denom <= 0 else ridge * b * k * n / denom


def softmax_cost(*, rows, cols, precision: str = "bf16", name: str = "softmax") -> OpCost:
    check_positive("rows", rows)
    check_positive("cols", cols)
    e = rows * cols
    return OpCost(name, "softmax", SOFTMAX_FLOPS_PER_ELEMENT * e, 2.0 * e * bytes_per_element(precision))


def norm_cost(*, tokens, hidden, precision: str = "bf16", name: str = "RMSNorm") -> OpCost:
    check_positive("tokens", tokens)
    check_positive("hidden", hidden)
    b = bytes_per_element(precision)
    e = tokens * hidden
    return OpCost(name, "norm", RMSNORM_FLOPS_PER_ELEMENT * e, (2.0 * e + hidden) * b)


def transformer_layer_ops(model, *, tokens: int, precision: str = "bf16") -> list[OpCost]:
    """Four operators of one transformer layer processing `tokens` tokens of one
    sequence, as an eager framework runs them (attention scores materialised): the FFN
    up-projection GEMM, the attention-score GEMM Q K^T over all heads, the softmax over
    the scores, and the RMSNorm before attention."""
    m = get_workload(model)
    if not isinstance(m, Transformer):
        raise PhysicsError(f"model must be a transformer for transformer_layer_ops; {m.id!r} is a {m.kind}")
    tokens = check_int("tokens", tokens, lo=1)
    b = bytes_per_element(precision)
    hd = m.hd
    scores = m.heads * tokens * tokens
    qk = OpCost("attention scores (Q K^T)", "gemm", 2.0 * scores * hd,
                b * (tokens * m.heads * hd + tokens * m.kv_heads * hd + scores))
    return [gemm_cost(m=tokens, n=m.ffn, k=m.hidden, precision=precision, name="FFN up-projection GEMM"), qk,
            softmax_cost(rows=m.heads * tokens, cols=tokens, precision=precision, name="attention softmax"),
            norm_cost(tokens=tokens, hidden=m.hidden, precision=precision, name="RMSNorm")]


@dataclass(frozen=True)
class FrameworkRun:
    mode: str
    time_s: float
    busy_s: float  # max(memory, compute) of the forward pass
    dispatch_s: float  # per_call + kernels x per_kernel
    kernels: int
    per_kernel_s: float

    @property
    def dispatch_share(self) -> float:
        return self.dispatch_s / self.time_s


def framework_inference(model, device, *, mode: str, batch: int = 1, precision: str = "fp16") -> FrameworkRun:
    """One forward pass of a CNN/MLP in eager mode (conv, norm and activation as separate
    kernels), compiled (one fused kernel per weight layer) or compiled and replayed as a
    CUDA graph (per_kernel_graph). The busy time is the engine's roofline estimate; the
    extra activation traffic of eager's unfused kernels is left out, so eager is a lower
    bound."""
    from .serving import estimate

    check_choice("mode", mode, MODES)
    m = get_workload(model)
    if isinstance(m, Transformer):
        raise PhysicsError(f"framework_inference models CNN and MLP workloads; {m.id!r} is a transformer")
    p = profile(device)
    busy = estimate(m, device, phase="inference", batch=batch, precision=precision, overhead_s=0.0).step_time_s
    fused = kernels_per_forward(m)
    kernels = fused * EAGER_KERNELS_PER_CNN_LAYER if mode == "eager" else fused
    per_kernel = (p.per_kernel_graph_s if mode == "compiled-graph" and p.per_kernel_graph_s is not None
                  else p.per_kernel_s)
    dispatch = p.per_call_s + kernels * per_kernel
    return FrameworkRun(mode, busy + dispatch, busy, dispatch, kernels, per_kernel)


def compile_break_even(*, compile_s, eager_run_s, compiled_run_s, recompiles: int = 0) -> float:
    """Runs after which compiling has paid for itself; infinity when compiled runs save
    nothing."""
    check_positive("compile_s", compile_s, allow_zero=True)
    check_positive("eager_run_s", eager_run_s)
    check_positive("compiled_run_s", compiled_run_s)
    recompiles = check_int("recompiles", recompiles, lo=0)
    saving = eager_run_s - compiled_run_s
    if saving <= 0:
        return math.inf
    return compile_s * (1 + recompiles) / saving


def total_time(*, runs, run_s, compile_s=0.0, recompiles: int = 0) -> float:
    """Wall time of `runs` runs plus every compile: compile_s (1 + recompiles) + runs x run_s."""
    check_positive("runs", runs, allow_zero=True)
    check_positive("run_s", run_s)
    check_positive("compile_s", compile_s, allow_zero=True)
    recompiles = check_int("recompiles", recompiles, lo=0)
    return compile_s * (1 + recompiles) + runs * run_s


__all__ = ["COMPILE_SECONDS", "COMPILE_SOURCE", "EAGER_KERNELS_PER_CNN_LAYER", "MODES", "RMSNORM_FLOPS_PER_ELEMENT",
           "SOFTMAX_FLOPS_PER_ELEMENT", "ChainTime", "FrameworkRun", "OpCost", "compile_break_even",
           "elementwise_chain", "framework_inference", "gemm_cost", "norm_cost", "softmax_cost", "total_time",
           "transformer_layer_ops"]
