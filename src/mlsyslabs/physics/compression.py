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
    AccuracyResult("vgg16", "unstructured magnitude pruning, 92.5% of weights (13x fewer)", "top1", 68.50, 68.66,
                   "Han, Pool, Tran & Dally 2015, 'Learning both Weights and Connections' (NeurIPS), Table 1: "
                   "top-1 error 31.50% -> 31.34%, 138M -> 10.3M weights"),
    AccuracyResult("bert-base", "distillation to DistilBERT (6 layers)", "glue_macro", 79.5, 77.0,
                   "Sanh et al. 2019, 'DistilBERT' (NeurIPS EMC2 workshop), Table 1: GLUE dev macro-score"),
    AccuracyResult("bitnet-b1.58-3b", "ternary (1.58-bit) trained from scratch, vs fp16 LLaMA 3B", "ppl", 10.04, 9.91,
                   "Ma et al. 2024, 'The Era of 1-bit LLMs' (arXiv:2402.17764), Table 1: trained ternary from the "
                   "start, not converted after training"),
]


def published_accuracy(model: str, method_prefix: str) -> AccuracyResult | None:
    """The published result for a model and method (None when nothing is published)."""
    if not isinstance(model, str) or not isinstance(method_prefix, str):
        raise PhysicsError(f"model and method_prefix must be strings, got {model!r}, {method_prefix!r}")
    for r in PUBLISHED_ACCURACY:
        if r.model == model and r.method.startswith(method_prefix):
            return r
    return None


# ---------------------------------------------------------------- pruning on real hardware
# 2:4 fine-grained structured sparsity stores the two kept values of every four with a
# 2-bit position index each (NVIDIA A100 Tensor Core GPU Architecture whitepaper, 2020,
# "Fine-Grained Structured Sparsity"; Mishra et al. 2021, "Accelerating Sparse Deep
# Neural Networks", arXiv:2104.08378, section 2).
SPARSE_24_METADATA_BITS = 2
SPARSE_24_SOURCE = ("NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020), 'Fine-Grained Structured Sparsity'; "
                    "Mishra et al. 2021, arXiv:2104.08378, section 2: 2 of every 4 values kept, 2-bit index each")


@dataclass(frozen=True)
class PrunedEstimate:
    """One forward step of a pruned model on a device, beside the dense one.

    The memory and compute terms are those of `estimate` (roofline max plus dispatch
    overhead); pruning changes only the weight matmuls' FLOPs, the rate they run at and
    the weight bytes, each once."""
    model: str
    device: str
    kind: str
    sparsity: float
    precision: str
    dense_time_s: float
    time_s: float
    memory_s: float
    compute_s: float
    overhead_s: float
    bound: str
    weight_bytes: float
    dense_weight_bytes: float
    executed_flops: float  # dense-equivalent FLOPs the hardware spends
    dense_flops: float
    weight_flops_share: float  # share of the dense FLOPs that are weight matmuls
    dense_peak_flops: float
    sparse_peak_flops: float | None  # the device's 2:4 peak at the compute precision; None: no sparse units
    uses_sparse_peak: bool
    note: str

    @property
    def speedup(self) -> float:
        return self.dense_time_s / self.time_s


def pruned_estimate(model, device, *, sparsity: float, kind: str, phase: str = "inference", batch: int = 1,
                    seq_len: int = 1, precision: str = "fp16") -> PrunedEstimate:
    """Step time after pruning a fraction `sparsity` of the weights, by `kind`:

    - unstructured: the zeros stay in a dense tensor (a mask); dense GEMM hardware
      multiplies them anyway, so FLOPs, rate and bytes are unchanged (Hoefler et al.
      2021, "Sparsity in Deep Learning", JMLR, section 7).
    - 2:4 (needs sparsity >= 0.5 and sparse tensor cores at the compute precision): the
      weight matmuls run at the device's 2:4 sparse peak, a dense-equivalent rate, so the
      dense FLOPs are divided by it (the sparse peak already counts the skipped zeros:
      halving the FLOPs too would count the speedup twice); weights shrink to half plus
      `SPARSE_24_METADATA_BITS` per kept value. Sparsity above 0.5 is unstructured on top.
    - structured (whole channels, filters or heads removed): the weight FLOPs and weight
      bytes shrink by (1 - sparsity), at the dense peak.
    Activations and KV cache are left as they are (a conservative simplification)."""
    from .serving import estimate  # here, so the engine's import order stays one-way
    from .workloads import Transformer, get_workload

    check_fraction("sparsity", sparsity, allow_zero=True, allow_one=False)
    check_choice("kind", kind, SPARSITY_KINDS)
    est = estimate(model, device, phase=phase, batch=batch, seq_len=seq_len, precision=precision)
    d, m = get_device(device), get_workload(model)
    ce, me = est.assumptions["compute_efficiency"], est.assumptions["memory_efficiency"]
    peak, bw = est.peak_flops_used, d.require("memory_bw")
    if isinstance(m, Transformer):
        tokens = batch * (seq_len if phase == "prefill" else 1)
        share = min(1.0, 2 * m.matmul_params * tokens / est.flops)
    else:
        share = 1.0
    w_flops, other_flops = est.flops * share, est.flops * (1 - share)
    w_bytes, other_bytes = est.weights_bytes, max(0.0, est.bytes_moved - est.weights_bytes)
    sparse_peak = d.sparse_peak_flops.get(est.compute_precision) if d.sparse_peak_flops else None
    uses_sparse, note = False, ""
    compute = w_flops / (peak * ce)
    if kind == "unstructured":
        note = "dense hardware multiplies the zeros: same FLOPs, same rate, same bytes"
    elif kind == "structured":
        w_flops, w_bytes = w_flops * (1 - sparsity), w_bytes * (1 - sparsity)
        compute = w_flops / (peak * ce)
        note = "whole channels removed: fewer FLOPs and fewer bytes at the dense peak"
    elif sparsity < 0.5:
        note = "2:4 keeps 2 of every 4 weights: below 50% sparsity the pattern cannot be formed, so it runs dense"
    elif sparse_peak is None:
        note = (f"{d.name} has no 2:4 sparse units at {est.compute_precision}: the pruned weights run dense "
                "(zeros multiplied)")
    else:
        uses_sparse = True
        compute = w_flops / (sparse_peak * ce)
        bits = 8 * bytes_per_element(precision)
        w_bytes = w_bytes * 0.5 * (bits + SPARSE_24_METADATA_BITS) / bits
        note = "2:4 sparse tensor cores: the weight matmuls run at the sparse peak; half the weights plus metadata"
    compute += other_flops / (peak * ce)
    memory = (w_bytes + other_bytes) / (bw * me)
    oh = est.overhead_s
    time = max(memory, compute) + oh
    bound = "overhead" if oh > max(memory, compute) else ("memory" if memory >= compute else "compute")
    return PrunedEstimate(model=m.id, device=d.id, kind=kind, sparsity=float(sparsity), precision=precision,
                          dense_time_s=est.step_time_s, time_s=time, memory_s=memory, compute_s=compute,
                          overhead_s=oh, bound=bound, weight_bytes=w_bytes, dense_weight_bytes=est.weights_bytes,
                          executed_flops=w_flops + other_flops, dense_flops=est.flops, weight_flops_share=share,
                          dense_peak_flops=peak, sparse_peak_flops=sparse_peak, uses_sparse_peak=uses_sparse,
                          note=note)


# ---------------------------------------------------------------- distillation pays back
# Sanh et al. 2019, "DistilBERT, a distilled version of BERT" (NeurIPS EMC^2 workshop),
# section 3: "DistilBERT was trained on 8 16GB V100 GPUs for approximately 90 hours."
DISTILBERT_TRAINING = {"gpus": 8, "device": "v100", "hours": 90.0,
                       "source": "Sanh et al. 2019, 'DistilBERT', section 3: 8 V100 GPUs for about 90 hours"}


def break_even_queries(one_time_cost: float, saving_per_query: float) -> float:
    """Queries after which a one-time cost (distilling a student, in dollars) is repaid
    by what each query saves (dollars): cost / saving. A student that saves nothing
    never pays back: that is an error, not an infinite count."""
    check_number("one_time_cost", one_time_cost, lo=0)
    check_positive("saving_per_query", saving_per_query)
    return one_time_cost / saving_per_query
