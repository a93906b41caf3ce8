"""The efficiency model: what a device sustains of its peaks, and the fixed cost of
dispatching work to it, by device class, phase and kernel mix.

A roofline with one global efficiency makes two kinds of mistake a student will
catch: batch-1 latencies on GPUs and phones come out in microseconds (no dispatch
overhead), and CNN training comes out ~3x faster than MLPerf Training (CNN kernels
sustain far less of the tensor-core peak than LLM GEMMs do). So:

  step time = max(bytes / (BW x eta_mem), FLOPs / (R x eta_comp)) + overhead
  overhead  = per_call + kernels x per_kernel

- eta_comp depends on the device class and the phase: inference (CNN/MLP forward,
  LLM prefill and decode) uses the class's large-kernel fraction; training uses the
  class's model-FLOP utilisation for transformers or for CNNs (MLPerf-style CNN
  training spends much of its time in memory-bound batch-norm and elementwise
  kernels). In training, eta_comp applies to the FLOPs the hardware executes
  (hardware FLOP utilisation, HFU); MFU = HFU x model FLOPs / executed FLOPs, so with
  full recomputation MFU = HFU x 6/8. `estimate` reports both.
- kernels: one fused kernel per CNN weight layer (TensorRT/TFLite fuse conv + BN +
  activation); ~8 per transformer layer (norm, QKV GEMM, attention, output GEMM +
  residual, norm, gate/up GEMM + activation, down GEMM + residual; an estimate) plus
  3 (embedding, final norm and LM head, sampling). A training step runs each kernel
  3 times (forward, two backward).
- per_kernel is the fixed time each kernel costs however small (launch, ramp, tail);
  LLM decode steps, which serving engines replay as CUDA graphs with fused
  elementwise kernels, pay the smaller per_kernel_graph instead; per_call is the
  fixed cost of one inference call or step (runtime entry, input copy, sync).

Every number below has a source or is labelled an estimate; `mlsyslabs validate`
reports how far the model sits from published measurements.
"""
from __future__ import annotations

from dataclasses import dataclass

from .devices import get_device
from .errors import MissingFieldError, PhysicsError, check_choice
from .workloads import Transformer, get_workload

PHASES = ("inference", "prefill", "decode", "training")
KERNELS_PER_TRANSFORMER_LAYER = 8  # estimate: see module docstring
TRANSFORMER_EXTRA_KERNELS = 3  # embedding, final norm + LM head, sampling
TRAINING_KERNEL_PASSES = 3  # forward, backward for activations, backward for weights


@dataclass(frozen=True)
class ClassProfile:
    """Sustained efficiencies and fixed overheads of one device class."""

    device_class: str
    description: str
    compute: float  # inference / prefill / decode: fraction of dense peak for large kernels
    memory: float  # fraction of peak memory bandwidth
    training_transformer: float | None  # HFU (= MFU without recomputation) training transformers
    training_cnn: float | None  # HFU training CNNs and MLPs
    per_kernel_s: float  # fixed time per kernel
    per_call_s: float  # fixed time per inference call or step
    sources: tuple
    notes: str = ""
    per_kernel_graph_s: float | None = None  # LLM decode replayed as a CUDA graph (None: per_kernel_s)


_GENERIC = "estimate: the engine's generic large-kernel defaults (compute 0.5, memory 0.8); no class-specific source"

CLASS_PROFILES: dict[str, ClassProfile] = {p.device_class: p for p in [
    ClassProfile(
        "datacenter-gpu", "NVIDIA/AMD data-center and workstation GPUs (CUDA/ROCm, TensorRT, cuBLAS)",
        compute=0.5, memory=0.8, training_transformer=0.40, training_cnn=0.20, per_kernel_s=4e-6, per_call_s=20e-6,
        per_kernel_graph_s=1e-6,
        sources=(
            "compute 0.5, memory 0.8: estimate; `mlsyslabs validate` shows the MLPerf Inference v4.0 and "
            "TensorRT-LLM H100 anchors imply 0.37-0.53",
            "training_transformer 0.40: estimate at the low end of published large-run MFU: Llama 3 405B 38-43% on "
            "H100 (Dubey et al. 2024, Table 4), MegaScale 175B 55.2% on A100 (Jiang et al. 2024, NSDI)",
            "training_cnn 0.20: ResNet-50 v1.5 mixed-precision training on one GPU, NVIDIA DeepLearningExamples "
            "(PyTorch, resnet50v1.5 README): 2,470 img/s on A100 80GB (MFU 0.19), 1,200 img/s on V100 16GB (0.24)",
            "per_kernel 4 us: estimate of the fixed time of a batch-1 kernel (launch plus the ramp and tail of a "
            "kernel too small to fill the GPU), at the low end of the 4-6 us CPU submit cost per CUDA kernel "
            "measured by pegainfer ('From Launch Overhead to CUDA Graph', RTX 5070 Ti, CUDA 13)",
            "per_kernel_graph 1 us (LLM decode): serving engines (TensorRT-LLM, vLLM) replay decode steps as CUDA "
            "graphs; NVIDIA's 'Getting Started with CUDA Graphs' (2019) measures back-to-back 2.9-us kernels at "
            "3.8 us each from a stream and 3.4 us from a graph, i.e. under 1 us of gap per kernel; rounded up",
            "per_call 20 us: estimate (runtime entry, input copy, synchronisation)",
        )),
    ClassProfile(
        "tpu", "Google Cloud TPUs (XLA compiles a whole step into one program)",
        compute=0.5, memory=0.8, training_transformer=0.462, training_cnn=0.20, per_kernel_s=0.0, per_call_s=50e-6,
        sources=(_GENERIC,
                 "training_transformer 0.462: PaLM 540B on 6,144 TPU v4 chips, 46.2% MFU (Chowdhery et al. 2022, "
                 "Table 3)", "training_cnn 0.20: estimate, as for GPUs",
                 "per_kernel 0: XLA fuses the step into one compiled program; per_call 50 us: estimate")),
    ClassProfile(
        "edge-gpu", "NVIDIA Jetson modules (integrated Ampere/Maxwell GPU, LPDDR, Arm host)",
        compute=0.5, memory=0.8, training_transformer=0.30, training_cnn=0.20, per_kernel_s=8e-6, per_call_s=20e-6,
        per_kernel_graph_s=2e-6,
        sources=(_GENERIC, "training: estimate (same kernels as data-center GPUs; transformers lower for small "
                           "matrices and LPDDR bandwidth)",
                 "per_kernel 8 us, per_kernel_graph 2 us: estimates, twice the data-center figures: Jetson GPUs "
                 "clock at 0.6-1.3 GHz against ~2 GHz and are driven by Cortex-A78AE/A57 cores",
                 "per_call 20 us: estimate")),
    ClassProfile(
        "edge-npu", "Dataflow edge accelerators (Coral Edge TPU, Hailo-8): compiled graphs, inference only",
        compute=0.5, memory=0.8, training_transformer=None, training_cnn=None, per_kernel_s=0.0, per_call_s=100e-6,
        sources=(_GENERIC, "training: none; these parts execute compiled inference graphs only",
                 "per_call 100 us: estimate (host transfer over USB/PCIe and runtime)")),
    ClassProfile(
        "cpu", "Application CPUs running an interpreter (TFLite/XNNPACK, ONNX Runtime)",
        compute=0.3, memory=0.6, training_transformer=0.10, training_cnn=0.10, per_kernel_s=2e-6, per_call_s=50e-6,
        sources=("compute 0.3, memory 0.6, training 0.1: estimates (SIMD kernels on small cores rarely sustain "
                 "more than a third of the FMA peak; LPDDR4X streams at ~60% of its bus peak)",
                 "per_kernel 2 us, per_call 50 us: estimates (interpreter dispatch per operator and per call)")),
    ClassProfile(
        "mobile-soc", "Phone and laptop SoCs: NPU for inference, GPU for training",
        compute=0.5, memory=0.8, training_transformer=0.20, training_cnn=0.20, per_kernel_s=4e-6, per_call_s=100e-6,
        sources=(_GENERIC,
                 "training 0.20 of the GPU's peak (Device.training_peak_flops): estimate, as for GPUs",
                 "per_kernel 4 us: estimate, as for data-center GPUs",
                 "per_call 100 us: estimate of the NPU delegate's per-inference cost (NNAPI/QNN/Core ML); bounded "
                 "above by MLPerf Mobile v4.0's Snapdragon 8 Gen 3 MobileNetEdgeTPU single-stream result, 0.184 ms "
                 "at the 90th percentile including all compute (mlcommons/mobile_results_v4.0)")),
    ClassProfile(
        "mcu", "Microcontrollers (CMSIS-NN / TFLite Micro)",
        compute=0.5, memory=0.8, training_transformer=0.10, training_cnn=0.10, per_kernel_s=0.0, per_call_s=0.0,
        sources=(_GENERIC + "; `mlsyslabs validate` shows MLPerf Tiny implies 0.14-0.30 on the STM32L4R5, a "
                            "finding kept visible rather than tuned away",
                 "training 0.1: estimate", "per_kernel, per_call 0: kernels run for milliseconds, so the "
                                            "interpreter's dispatch is neglected")),
]}

# The engine-wide defaults other modules quote (docs/engine.md, "Documented defaults").
DEFAULT_TRAINING_MFU = CLASS_PROFILES["datacenter-gpu"].training_transformer


@dataclass(frozen=True)
class Efficiency:
    device_class: str
    phase: str
    compute: float  # eta_comp (HFU in training)
    memory: float  # eta_mem
    overhead_s: float  # per_call + kernels x per_kernel
    kernels: int  # kernels per call (per step in training: x 3)
    sources: tuple

    def as_assumptions(self) -> dict:
        return {"device_class": self.device_class, "efficiency_phase": self.phase,
                "kernels_per_call": self.kernels}


def device_class(device) -> str:
    """The efficiency class of a device (registry field; by tier when absent)."""
    d = get_device(device)
    if d.device_class:
        if d.device_class not in CLASS_PROFILES:
            raise PhysicsError(f"device_class must be one of {', '.join(CLASS_PROFILES)}; got {d.device_class!r}")
        return d.device_class
    return {"cloud": "datacenter-gpu", "edge": "edge-gpu", "mobile": "mobile-soc", "tiny": "mcu"}.get(d.tier, "cpu")


def profile(device) -> ClassProfile:
    return CLASS_PROFILES[device_class(device)]


def kernels_per_forward(model) -> int:
    """Kernels one forward pass launches: ~8 per transformer layer + 3; one fused
    kernel per CNN/MLP weight layer."""
    m = get_workload(model)
    if isinstance(m, Transformer):
        return m.layers * KERNELS_PER_TRANSFORMER_LAYER + TRANSFORMER_EXTRA_KERNELS
    return max(int(m.layers), 1)


def efficiency(model, device, phase: str) -> Efficiency:
    """Documented efficiencies and dispatch overhead for `model` on `device` in `phase`."""
    check_choice("phase", phase, PHASES)
    m, d = get_workload(model), get_device(device)
    p = profile(d)
    kernels = kernels_per_forward(m)
    if phase == "training":
        eta = p.training_transformer if isinstance(m, Transformer) else p.training_cnn
        if eta is None:
            raise MissingFieldError(f"device {d.id!r} ({p.device_class}) runs compiled inference graphs only; "
                                    "it cannot train")
        overhead = p.per_call_s + TRAINING_KERNEL_PASSES * kernels * p.per_kernel_s
    else:
        eta = p.compute
        per_kernel = p.per_kernel_graph_s if phase == "decode" and p.per_kernel_graph_s is not None else p.per_kernel_s
        overhead = p.per_call_s + kernels * per_kernel
    return Efficiency(p.device_class, phase, eta, p.memory, overhead, kernels, p.sources)


def mfu_from_hfu(hfu: float, *, recompute: bool = False) -> float:
    """MFU = HFU x model FLOPs / executed FLOPs: 6/8 with full recomputation."""
    from .errors import check_bool, check_fraction

    check_fraction("hfu", hfu)
    check_bool("recompute", recompute)
    return hfu * (6.0 / 8.0 if recompute else 1.0)


__all__ = ["CLASS_PROFILES", "ClassProfile", "DEFAULT_TRAINING_MFU", "Efficiency", "KERNELS_PER_TRANSFORMER_LAYER",
           "PHASES", "device_class", "efficiency", "kernels_per_forward", "mfu_from_hfu", "profile"]
