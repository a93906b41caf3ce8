"""Memory footprints for inference and training, and whether they fit a device."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import PhysicsError, check_bool, check_fraction, check_int, check_positive
from .precisions import bytes_per_element
from .workloads import Transformer, get_workload

# Usable fraction of device memory: runtime, CUDA context and allocator
# fragmentation take the rest. An assumption, shown beside every `fits`.
DEFAULT_MEMORY_FRACTION = 0.9

# Optimizer state bytes per parameter beyond weights and gradients.
# Mixed precision keeps an fp32 master copy (4 B) in addition (Micikevicius et al.
# 2018, "Mixed Precision Training"; Rajbhandari et al. 2020, ZeRO, Section 3.1:
# Adam in mixed precision = 2 + 2 + 12 = 16 bytes per parameter).
OPTIMIZER_STATE_FP32_VALUES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}


def kv_cache_bytes(model, *, context, batch=1, precision="bf16"):
    """KV cache of `batch` sequences at `context` tokens: per-token bytes x cached
    tokens x batch. Per token: GQA/MHA 2 x layers x kv_heads x head_dim x bytes; MLA
    layers x (kv_lora_rank + qk_rope_dim) x bytes. Sliding-window layers cache at most
    their window (workloads.Transformer.kv_bytes). 0 for non-transformers."""
    m = get_workload(model)
    check_positive("context", context, allow_zero=True)
    check_positive("batch", batch)
    bpe = bytes_per_element(precision)
    if not isinstance(m, Transformer):
        return 0.0
    return m.kv_bytes(context, bpe) * batch


def weights_bytes(model, *, precision="bf16", total: bool = True):
    """Stored weights; MoE models hold every expert in memory (total=True)."""
    m = get_workload(model)
    check_bool("total", total)
    n = m.params if total else m.active_params
    return n * bytes_per_element(precision)


def activation_bytes_inference(model, *, batch=1, seq_len=1, precision="bf16"):
    """Live activations during inference: transformers ~ a few hidden-size buffers
    per token in flight (residual + FFN intermediate); CNNs from the registry's
    peak live activation count."""
    m = get_workload(model)
    check_positive("batch", batch)
    check_positive("seq_len", seq_len)
    b = bytes_per_element(precision)
    if isinstance(m, Transformer):
        return batch * seq_len * (2 * m.hidden + m.ffn) * b
    return batch * m.activation_elements * b


def activation_bytes_training(model, *, batch, seq_len, precision="bf16", recompute: bool = False):
    """Stored activations for the backward pass of a transformer.

    Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large
    Transformer Models", eq. 1): per layer s*b*h*(34 + 5*a*s/h) bytes in 16-bit.
    Full recomputation keeps only each layer's input: 2*s*b*h bytes per layer.
    """
    m = get_workload(model)
    check_positive("batch", batch)
    check_positive("seq_len", seq_len)
    check_bool("recompute", recompute)
    if not isinstance(m, Transformer):
        return 2 * batch * m.activation_elements * bytes_per_element(precision)
    scale = bytes_per_element(precision) / 2.0
    s, b, h, a = seq_len, batch, m.hidden, m.heads
    per_layer = 2 * s * b * h if recompute else s * b * h * (34 + 5 * a * s / h)
    return m.layers * per_layer * scale


@dataclass(frozen=True)
class TrainingMemory:
    weights_bytes: float
    gradient_bytes: float
    optimizer_bytes: float
    master_weights_bytes: float
    activation_bytes: float
    total_bytes: float
    bytes_per_param_states: float  # weights + grads + optimizer + master, per parameter
    assumptions: dict


def training_memory(model, *, batch=1, seq_len=None, precision="bf16", optimizer="adam",
                    mixed_precision: bool | None = None, recompute: bool = False) -> TrainingMemory:
    """Weights + gradients + optimizer state (+ fp32 master copy) + activations."""
    m = get_workload(model)
    opt = optimizer.lower() if isinstance(optimizer, str) else optimizer
    if opt not in OPTIMIZER_STATE_FP32_VALUES:
        raise PhysicsError(f"optimizer must be one of {', '.join(OPTIMIZER_STATE_FP32_VALUES)}; got {optimizer!r}")
    b = bytes_per_element(precision)
    if mixed_precision is not None:
        check_bool("mixed_precision", mixed_precision)
    check_bool("recompute", recompute)
    if seq_len is not None:
        check_positive("seq_len", seq_len)
    mixed = (b < 4) if mixed_precision is None else mixed_precision
    n = m.params
    w = n * b
    g = n * b
    o = n * 4.0 * OPTIMIZER_STATE_FP32_VALUES[opt]
    master = n * 4.0 if mixed else 0.0
    seq = seq_len if seq_len is not None else getattr(m, "max_context", 1)
    act = activation_bytes_training(m, batch=batch, seq_len=seq, precision=precision, recompute=recompute)
    return TrainingMemory(w, g, o, master, act, w + g + o + master + act, (w + g + o + master) / n,
                          {"precision": precision, "optimizer": opt, "mixed_precision": mixed,
                           "recompute": recompute, "batch": batch, "seq_len": seq})


def fits(required_bytes, capacity_bytes, *, memory_fraction=DEFAULT_MEMORY_FRACTION):
    """True when the footprint fits the usable part of the device memory."""
    check_fraction("memory_fraction", memory_fraction)
    check_positive("capacity_bytes", capacity_bytes)
    check_positive("required_bytes", required_bytes, allow_zero=True)
    return required_bytes <= capacity_bytes * memory_fraction


def max_params_that_fit(device, precision: str = "bf16", *, memory_fraction=DEFAULT_MEMORY_FRACTION) -> float:
    """Largest parameter count whose weights fit the usable device memory (weights only:
    an upper bound, since KV cache and activations need room too)."""
    from .devices import get_device

    check_fraction("memory_fraction", memory_fraction)
    return get_device(device).require("memory_bytes") * memory_fraction / bytes_per_element(precision)


# Fully connected networks, layer by layer (the counting of a first course: a layer
# of fan-in a and fan-out b holds a*b weights + b biases and does a*b MACs per sample).
MLP_ACTIVATION_SOURCES = (
    "inference: two-buffer arena schedule, a layer's input and output live (David et al. 2021, "
    "'TensorFlow Lite Micro', MLSys, Section 4.4: memory planner reuses buffers)",
    "training: every layer's input kept for its weight gradient dW = delta x^T, plus the output for the loss "
    "(Goodfellow, Bengio & Courville 2016, 'Deep Learning', Section 6.5; Lin et al. 2022, 'On-Device Training "
    "Under 256KB Memory', NeurIPS)",
)


def mlp_activation_bytes(sizes, *, batch=1, precision="fp32", training: bool = False) -> float:
    """Activation memory of a fully connected network with layer widths `sizes`.

    Inference: a layer reads its input buffer and writes its output buffer while
    earlier buffers are freed, so the peak is batch x max(in + out) elements.
    Training keeps every layer's input for its weight gradient and the output for
    the loss: batch x sum(sizes) elements (MLP_ACTIVATION_SOURCES)."""
    from .workloads import mlp

    mlp("mlp", "MLP", sizes, ())  # validates sizes
    sizes = list(sizes)
    check_int("batch", batch, lo=1)
    check_bool("training", training)
    b = bytes_per_element(precision)
    elements = sum(sizes) if training else max(x + y for x, y in zip(sizes, sizes[1:]))
    return batch * elements * b


def mlp_training_memory(sizes, *, batch=1, precision="fp32", optimizer="adam",
                        mixed_precision: bool | None = None) -> TrainingMemory:
    """training_memory of a fully connected network of widths `sizes`: weights,
    gradients, optimizer state and master copy per parameter as for any model;
    activations from mlp_activation_bytes(training=True)."""
    from dataclasses import replace

    from .workloads import mlp

    net = mlp("mlp", "MLP", sizes, ())
    check_int("batch", batch, lo=1)
    mem = training_memory(net, batch=batch, precision=precision, optimizer=optimizer,
                          mixed_precision=mixed_precision)
    act = mlp_activation_bytes(sizes, batch=batch, precision=precision, training=True)
    return replace(mem, activation_bytes=act, total_bytes=mem.total_bytes - mem.activation_bytes + act,
                   assumptions=dict(mem.assumptions, seq_len=1, activations="batch x sum(layer widths)"))


# ZeRO-Offload (Ren et al. 2021, "ZeRO-Offload: Democratizing Billion-Scale Model
# Training", USENIX ATC, Section 4): optimizer states and the fp32 master weights
# live in host memory and the optimizer step runs on the CPU; the GPU keeps the
# 16-bit weights, gradients and activations. Per step, gradients go down to the
# host and updated 16-bit weights come back up: 2 x 2 bytes per parameter.
OFFLOAD_BYTES_PER_PARAM_PER_STEP = 4


def gpu_training_bytes(mem: TrainingMemory, *, offload_optimizer: bool = False) -> float:
    """Bytes a training footprint keeps in GPU memory: everything, or with the
    optimizer offloaded (ZeRO-Offload), all but the optimizer states and master copy."""
    check_bool("offload_optimizer", offload_optimizer)
    if not offload_optimizer:
        return mem.total_bytes
    return mem.total_bytes - mem.optimizer_bytes - mem.master_weights_bytes
