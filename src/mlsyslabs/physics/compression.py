"""Quantization and sparsity: memory, memory-bound speedup, and cited accuracy
effects. The engine never invents an accuracy delta: it returns published
results with their sources, or says none is published."""
from __future__ import annotations

from dataclasses import dataclass

from .devices import get_device
from .errors import PhysicsError, check_choice, check_fraction, check_int, check_number, check_positive
from .precisions import PRECISIONS, bytes_per_element


def quantized_bytes(params, precision: str):
    check_positive("params", params)
    return params * bytes_per_element(precision)


def memory_bound_speedup(from_precision: str, to_precision: str) -> float:
    """A memory-bound kernel speeds up by the ratio of bytes moved."""
    return bytes_per_element(from_precision) / bytes_per_element(to_precision)


SPARSITY_KINDS = ("unstructured", "2:4", "structured")


def sparsity_speedup(sparsity: float, kind: str, device, *, precision: str = "bf16", bound: str = "compute") -> float:
    """Speedup of pruning on a device.

    - unstructured: dense hardware multiplies the zeros anyway -> 1.0 (Hoefler et al.
      2021, "Sparsity in Deep Learning", section 7: gains need specialised kernels or
      >~90% sparsity on CPUs; we model dense accelerators).
    - 2:4 (50% fine-grained structured): the device's sparse/dense peak ratio when it
      has sparse tensor cores and the op is compute-bound, else 1.0.
    - structured (whole channels/heads removed): the work shrinks, 1 / (1 - s).
    """
    check_fraction("sparsity", sparsity, allow_zero=True, allow_one=False)
    check_choice("kind", kind, SPARSITY_KINDS)
    check_choice("bound", bound, ("compute", "memory"))
    check_choice("precision", precision, PRECISIONS)
    d = get_device(device)
    if kind == "unstructured":
        return 1.0
    if kind == "structured":
        return 1.0 / (1.0 - sparsity)
    if sparsity < 0.5 or not d.sparse_peak_flops or bound != "compute":
        return 1.0
    return d.peak(precision, sparse=True) / d.peak(precision)


def deep_compression_bytes(params, *, density: float, weight_bits: float, index_bits: float,
                           codebook_entries: int = 0):
    """Storage after pruning to `density`, weight sharing to `weight_bits`-bit indices
    and relative sparse indices of `index_bits` (Han, Mao & Dally 2016, sections 2-3),
    before Huffman coding (which the paper adds on top)."""
    check_positive("params", params)
    check_fraction("density", density)
    check_number("weight_bits", weight_bits, lo=0, lo_open=True, hi=64)
    check_number("index_bits", index_bits, lo=0, hi=64)
    check_int("codebook_entries", codebook_entries, lo=0)
    kept = params * density
    return kept * (weight_bits + index_bits) / 8.0 + codebook_entries * 4.0


@dataclass(frozen=True)
class AccuracyResult:
    model: str
    method: str
    metric: str
    baseline: float
    compressed: float
    source: str

    @property
    def delta(self) -> float:
        return self.compressed - self.baseline


# Published results only. Perplexity: lower is better. Top-1: higher is better.
PUBLISHED_ACCURACY = [
    AccuracyResult("llama2-7b", "int4 AWQ (g128)", "wikitext2_ppl", 5.47, 5.60,
                   "Lin et al. 2024, 'AWQ' (MLSys), Table 4"),
    AccuracyResult("llama2-7b", "int4 RTN (g128)", "wikitext2_ppl", 5.47, 5.73,
                   "Lin et al. 2024, 'AWQ' (MLSys), Table 4"),
    AccuracyResult("llama2-7b", "int8 (LLM.int8)", "wikitext2_ppl", 5.47, 5.47,
                   "Dettmers et al. 2022, 'LLM.int8()' (NeurIPS): no degradation at int8; value carried from fp16"),
    AccuracyResult("alexnet", "Deep Compression (prune+quantize+Huffman)", "top1", 57.22, 57.22,
                   "Han, Mao & Dally 2016 (ICLR), Table 1: no accuracy loss"),
    AccuracyResult("vgg16", "Deep Compression (prune+quantize+Huffman)", "top1", 68.50, 68.83,
                   "Han, Mao & Dally 2016 (ICLR), Table 1"),
    AccuracyResult("resnet50", "int8 post-training, per-channel", "top1", 75.2, 75.1,
                   "Krishnamoorthi 2018, 'Quantizing deep convolutional networks for efficient inference', Table 2"),
    AccuracyResult("mobilenetv2", "int8 post-training, per-channel", "top1", 71.9, 69.8,
                   "Krishnamoorthi 2018, Table 2"),
]


def published_accuracy(model: str, method_prefix: str) -> AccuracyResult | None:
    """The published result for a model and method (None when nothing is published)."""
    if not isinstance(model, str) or not isinstance(method_prefix, str):
        raise PhysicsError(f"model and method_prefix must be strings, got {model!r}, {method_prefix!r}")
    for r in PUBLISHED_ACCURACY:
        if r.model == model and r.method.startswith(method_prefix):
            return r
    return None
