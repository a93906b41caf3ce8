"""Distributed training: step time, memory per GPU and MFU/HFU for data, tensor,
pipeline, context and expert parallelism, and a planner that searches for the
fastest configuration that fits.

Parallel layout (Megatron-LM order tp-cp-ep-dp-pp, innermost first): tensor-parallel
ranks are neighbours (one NVLink domain when tp <= GPUs per node), then context,
then data (expert groups are carved out of the data-parallel ranks), pipeline stages
outermost. A group of n ranks with stride s has min(n, GPUs per node / s) members in
each node; collectives use collectives.collective_core on that placement.

Per layer and microbatch (b sequences of s tokens, T = b s / cp tokens per GPU):
- GEMMs (QKV, output projection, MLP; MoE: the routed experts) each take
  max(2mnk / (R eta_gemm), bytes / (BW eta_mem)) with the per-GPU shapes after
  tensor-parallel sharding (roofline per GEMM: small shards fall off the compute roof);
  backward = 2 x forward (data and weight gradients).
- Attention core: FlashAttention by default, causal (average (s+1)/2 keys per query)
  at eta_attn, backward 2.5 x the forward FLOPs (it recomputes QK^T); or the
  materialized kernel of 2021-22 Megatron (full s x s scores through HBM, softmax and
  dropout traffic), which the Megatron anchors used.
- Element-wise ops (norms, residual adds, dropout, activation, rotary, MoE permutes)
  are memory-bound: bytes / (BW eta_mem); backward moves 2 x; the weight-gradient
  GEMM accumulates into fp32 main gradients (read + write).
- Tensor parallel: 2 all-reduces forward and 2 backward (with sequence parallelism:
  2 all-gathers + 2 reduce-scatters each way) of T h bytes; backward ones overlap the
  weight-gradient GEMMs (Megatron), forward ones are exposed unless tp_overlap="full".
  Context parallel: all-gather of K and V (reduce-scatter of their gradients), exposed
  (Llama 3's all-gather CP). Expert parallel: all-to-all dispatch and combine, exposed.
- Recompute: "selective" recomputes the attention core (Korthikanti et al. 2022),
  "full" the whole forward of each layer (with its communication).

Pipeline (1F1B, v virtual stages per rank, m microbatches): time = (m + (p-1)/v) x the
slowest rank's time per microbatch (its layers, plus embedding on the first rank,
output layer and loss on the last, plus point-to-point sends); bubble fraction
(p-1)/(v m + p - 1). Layers are spread so the first and last ranks hold fewer when L
is not a multiple of p (Llama 3). Data parallel: gradient reduce-scatter (ZeRO >= 1) or
all-reduce (ZeRO 0) in the gradient-reduction precision, parameter all-gather
(ZeRO 1-2 once per step; ZeRO 3 before forward and backward of every microbatch;
ZeRO 2 reduce-scatters every microbatch); overlapped with the backward (gradients)
or forward (parameters) compute of the rank, the remainder exposed. Optimizer step:
Adam reads and writes ~34 bytes per local parameter at memory bandwidth.

MFU = model FLOPs / (step time x GPUs x dense peak), model FLOPs per token
6 N + 12 L H d s (PaLM, Chowdhery et al. 2022, Appendix B; N = matmul parameters
incl. the output layer); HFU adds what recomputation executes again. Efficiency is
the kernel model above with per-device GEMM and attention efficiencies
(KERNEL_EFFICIENCY, sourced), never one global constant.

Memory per GPU (the pipeline rank that needs most): weights (2 B/param bf16), fp32
main gradients (4 B), Adam fp32 master + 2 moments (12 B), sharded by ZeRO over the
data x context ranks (stage 1: optimizer, 2: + gradients, 3: + weights); activations
per layer and microbatch derived from the architecture as Korthikanti et al. 2022 do
(GPT: s b h (34 + 5 a s / h), tensor parallel (10 + 24/t + 5as/(ht)), with sequence
parallel /t, selective recompute drops 5as/h, full recompute keeps the layer input
2 s b h (/t with SP) plus one layer in flight), times the layers x microbatches a
rank holds in flight: min(m, p - r) microbatches of its layers for 1F1B, and
2(p-r-1) + (v-1)p + 1 chunks when interleaved (= L (1 + (p-1)/(p v)) on the first
rank, their equation for interleaving).
"""
from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

from .collectives import collective_core
from .devices import get_device
from .efficiency import KERNELS_PER_TRANSFORMER_LAYER, TRAINING_KERNEL_PASSES, profile
from .errors import PhysicsError, check_bool, check_fraction, check_int, check_positive
from .fabrics import cluster_for
from .memory import DEFAULT_MEMORY_FRACTION
from .precisions import bytes_per_element
from .roofline import DEFAULT_MEMORY_EFFICIENCY
from .workloads import get_transformer

RECOMPUTE = ("none", "selective", "full")
TRAINING_PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "fp8")  # fp8: fp8 GEMMs, 16-bit activations and weights
ZERO_STAGES = (0, 1, 2, 3)
ATTENTION_KERNELS = ("flash", "materialized")
TP_OVERLAP = ("none", "backward", "full")
DEFAULT_GLOBAL_BATCH_TOKENS = 4 * 1024 * 1024  # 4M tokens when not given (assumption, shown)
DEFAULT_SEQ_LEN = 4096
ADAM_BYTES_PER_PARAM_STEP = 34.0  # read/write fp32 master, m, v (24) + read fp32 grad twice (norm, step) (8)
# + write bf16 weights (2)
OPTIMIZER_STATE_BYTES = 12.0  # fp32 master weights + Adam m and v (Rajbhandari et al. 2020, ZeRO, Sec. 3.1)


@dataclass(frozen=True)
class KernelEfficiency:
    gemm: float  # sustained fraction of the dense peak on large, wave-aligned GEMMs
    attention: float  # FlashAttention forward+backward fraction of the dense peak
    sources: tuple
    sms: int | None = None  # streaming multiprocessors (compute units): wave quantization of GEMM tiles


# Output tile of a large 16-bit GEMM kernel (CUTLASS/cuBLAS 128 x 256 on Ampere and Hopper): a GEMM
# runs ceil(tiles / SMs) waves, so its last wave may leave SMs idle. Estimate of the library's choice.
GEMM_TILE = (128, 256)


MAMF = ("stas00/ml-engineering compute/accelerator: maximum achievable matmul FLOPS (MAMF) and sustainable "
        "(MSMF, power-saturated) BF16 measurements")
FA3 = ("Shah et al. 2024, FlashAttention-3: BF16 forward up to 740 TFLOP/s (75%) on H100; backward 1.5-1.75x "
       "FlashAttention-2; forward+backward ~0.5 of peak: estimate")
H100_WP = "NVIDIA H100 Tensor Core GPU architecture whitepaper: 132 SMs (SXM5), 114 (PCIe)"
A100_WP = "NVIDIA A100 Tensor Core GPU architecture whitepaper: 108 SMs"
FA2 = "Dao 2023, FlashAttention-2: 50-73% of A100 peak (forward); forward+backward ~0.55: estimate"

KERNEL_EFFICIENCY: dict[str, KernelEfficiency] = {
    "h100-sxm": KernelEfficiency(0.71, 0.50, (MAMF + ": H200 MSMF 702.9 of 989 TFLOP/s (0.71); same GH100 "
                                                     "die and 700 W TDP as H100 SXM (MAMF 792.1, 0.80)", FA3,
                                              H100_WP), 132),
    "h200": KernelEfficiency(0.71, 0.50, (MAMF + ": H200 MSMF 702.9 of 989 TFLOP/s", FA3, H100_WP), 132),
    "h100-pcie": KernelEfficiency(0.65, 0.45, ("estimate: 350 W H100 PCIe clocks lower than SXM under load", FA3,
                                               H100_WP), 114),
    "b200": KernelEfficiency(0.64, 0.45, (MAMF + ": B200 MSMF 1438.7 of 2250 TFLOP/s (0.64)",
                                          "attention: estimate", "148 SMs: estimate (two 74-SM dies)"), 148),
    "a100-80gb": KernelEfficiency(0.80, 0.55, (MAMF + ": A100 SXM MAMF 267.9 of 312 (0.86); sustained 0.80: "
                                                      "estimate (MSMF/MAMF ratio of Hopper applied halfway)", FA2,
                                               A100_WP), 108),
    "a100-40gb": KernelEfficiency(0.80, 0.55, (MAMF + ": A100 SXM MAMF 0.86; sustained 0.80 estimate", FA2,
                                               A100_WP), 108),
    "mi300x": KernelEfficiency(0.60, 0.40, (MAMF + ": MI300X MAMF 781.9 of 1307 TFLOP/s (0.60)",
                                            "attention: estimate", "AMD MI300X datasheet: 304 compute units"), 304),
    "v100": KernelEfficiency(0.75, 0.40, ("estimate: no sustained matmul measurement", "no FlashAttention-2 on "
                                          "Volta: attention estimate", "NVIDIA V100 whitepaper: 80 SMs"), 80),
}
DEFAULT_KERNEL_EFFICIENCY = KernelEfficiency(0.70, 0.45, ("estimate for devices without a matmul measurement",))


def kernel_efficiency(device) -> KernelEfficiency:
    """The GEMM and attention efficiencies the training model uses for a device."""
    d = get_device(device)
    return KERNEL_EFFICIENCY.get(d.id, DEFAULT_KERNEL_EFFICIENCY)


def pipeline_bubble_fraction(pp, microbatches, virtual_stages=1):
    """(p - 1) / (v m + p - 1): idle share of a 1F1B (interleaved: v stages per rank)
    pipeline flush (Narayanan et al. 2021, Sec. 2.2)."""
    p = _int("pp", pp)
    m = _int("microbatches", microbatches)
    v = _int("virtual_stages", virtual_stages)
    return (p - 1) / (v * m + p - 1)


def activation_bytes_per_layer(model, *, seq_len, microbatch=1, tp=1, cp=1, sequence_parallel=None,
                               recompute="none", attention="flash", precision="bf16", dropout=None):
    """Bytes one transformer layer stores for backward, per microbatch, per GPU
    (Korthikanti et al. 2022, Sec. 4, generalised to GQA, SwiGLU and flash attention).

    GPT-3 style (MHA, GELU 4h, dropout, materialized attention) reproduces their
    Table 2: s b h (34 + 5as/h) with no parallelism, (10 + 24/t + 5as/(ht)) with tensor
    parallelism, /t with sequence parallelism, 5as/h dropped by selective recompute,
    2 s b h with full recompute."""
    m = get_transformer(model)
    t = _int("tp", tp)
    c = _int("cp", cp)
    b = _int("microbatch", microbatch)
    s = _int("seq_len", seq_len)
    rc = _choice("recompute", recompute, RECOMPUTE)
    att = _choice("attention", attention, ATTENTION_KERNELS)
    sp = (t > 1) if sequence_parallel is None else check_bool("sequence_parallel", sequence_parallel)
    drop = _default_dropout(m) if dropout is None else check_bool("dropout", dropout)
    ab = _act_bytes(precision)
    rep, shard, core = _act_terms(m, s, drop, att, ab, t)
    T = b * s / c
    if rc == "full":
        return T * m.hidden * ab / (t if sp else 1)
    per_tok = (rep / t if sp else rep) + shard / t + (0.0 if rc == "selective" else core / t)
    return T * per_tok


def _default_dropout(m) -> bool:
    # GPT-2/3 and BERT train with dropout; Llama-family models do not.
    return m.norm == "layer"


def _act_bytes(precision) -> float:
    # 16-bit activations for bf16/fp16/fp8 training (fp8 GEMMs keep bf16 activations); fp32 stores 4 bytes.
    return 4.0 if bytes_per_element(precision) >= 4 else 2.0


def _arch(m):
    """Architecture terms the training model needs, for dense, MoE (routed experts of
    `expert_ffn`, shared experts, leading dense layers), GQA/MHA/MQA and MLA attention."""
    mla = getattr(m, "attention", "gqa") == "mla"
    ef = (getattr(m, "expert_ffn", 0) or m.ffn) if m.experts > 1 else m.ffn
    dense_layers = m.layers if m.experts == 1 else min(m.layers, getattr(m, "dense_layers", 0))
    qk = m.hd
    vd = (getattr(m, "v_head_dim", 0) or m.hd) if mla else m.hd
    return dict(mla=mla, ef=ef, se=getattr(m, "shared_experts", 0), k=m.active_experts if m.experts > 1 else 1,
                w_dense=dense_layers / m.layers, w_moe=1.0 - dense_layers / m.layers, qk=qk, vd=vd,
                npl=getattr(m, "norms_per_layer", 2), mats=3 if m.ffn_type == "swiglu" else 2,
                latent=(getattr(m, "q_lora_rank", 0) + getattr(m, "kv_lora_rank", 0) + getattr(m, "qk_rope_dim", 0))
                if mla else 0)


def _act_terms(m, s, drop, att, ab, t):
    """Bytes per token stored per layer (averaged over dense and MoE layers):
    (replicated unless SP, tensor-sharded, attention core)."""
    a = _arch(m)
    h, H, KV, d, F = m.hidden, m.heads, m.kv_heads, m.hd, m.ffn
    f = ab / 2.0  # scale 16-bit counts
    # norm inputs (2h each), QKV input (2h), MLP input (2h), dropout masks (2 x h, one byte); MLA latents
    rep = (2 * a["npl"] * h + 2 * h + 2 * h + 2 * a["latent"]) * f + (2 * h if drop else 0.0)
    if a["mla"]:
        qkv = 2 * H * (2 * a["qk"] + a["vd"]) * f  # up-projected q, k, v (FlashAttention inputs)
    else:
        kv_local = max(KV, t) if KV < t else KV  # KV heads are replicated when tp > kv_heads
        qkv = 2 * (H + 2 * kv_local) * d * f
    attn_out = 2 * H * a["vd"] * f
    per_width = 6 if a["mats"] == 3 else 4
    dense_mlp = per_width * F * f
    moe_mlp = per_width * a["ef"] * f * (a["k"] + a["se"]) + (2 * 2 * h * a["k"] * f if m.experts > 1 else 0.0)
    shard = qkv + attn_out + a["w_dense"] * dense_mlp + a["w_moe"] * moe_mlp
    if att == "materialized":
        keys = m.kv_context(s) if hasattr(m, "kv_context") else s
        core = H * keys * (2 * f + (3 if drop else 0))  # softmax out 2as; dropout mask as + output 2as
    else:
        core = H * 4.0  # FlashAttention keeps only the fp32 log-sum-exp per head
    return rep, shard, core


def _int(name, v, lo=1):
    return check_int(name, v, lo=lo)


def _choice(name, v, options):
    if isinstance(v, bool) or v not in options or type(v) is not type(options[0]):
        raise PhysicsError(f"{name} must be one of {', '.join(map(str, options))}; got {v!r}")
    return v


@dataclass(frozen=True)
class TrainingStep:
    model: str
    device: str
    gpus: int
    config: dict  # tp, pp, dp, cp, ep, microbatch, virtual_stages, zero, recompute, sequence_parallel
    step_time_s: float
    tokens_per_step: float
    tokens_per_s: float
    model_flops_per_step: float
    hardware_flops_per_step: float
    model_tflops_per_gpu: float
    hardware_tflops_per_gpu: float
    mfu: float
    hfu: float
    memory_per_gpu_bytes: float
    memory: dict  # weights, grads, optimizer, activations, total, binding_stage
    capacity_bytes: float
    fits: bool
    bubble_fraction: float
    microbatches: int
    comm_time_s: dict  # per kind: total time the kind's collectives take per step on the binding rank
    comm_exposed_s: dict  # per kind: the part not hidden behind compute
    breakdown_s: dict  # pipeline, compute per microbatch, dp exposed, optimizer
    assumptions: dict

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------- the model
class _Trainer:
    """Constants of one (model, device, cluster, precision, seq_len) for fast
    evaluation of many parallel configurations (the planner reuses it)."""

    def __init__(self, model, device, *, seq_len, precision, cluster, gpus_per_node, attention, dropout,
                 tp_overlap, dp_overlap, grad_reduce_precision, memory_fraction, compute_efficiency=None):
        self.m = get_transformer(model)
        self.d = get_device(device)
        self.s = _int("seq_len", seq_len)
        if self.s > self.m.max_context:
            raise PhysicsError(f"seq_len must be <= {self.m.max_context} (the max context of {self.m.id}), "
                               f"got {self.s}")
        self.prec = precision
        bytes_per_element(precision)
        if precision not in TRAINING_PRECISIONS:
            raise PhysicsError(f"precision must be one of {', '.join(TRAINING_PRECISIONS)} for training; "
                               f"got {precision!r}")
        self.peak = self.d.peak(precision)
        self.peak_bf16 = self.d.peak("bf16") if precision in ("fp8", "int8") else self.peak
        self.bw = self.d.require("memory_bw")
        self.cap = self.d.require("memory_bytes")
        self.c = cluster_for(self.d, cluster, gpus_per_node=gpus_per_node)
        self.g = self.c.gpus_per_node
        self.intra, self.inter = self.c.intra, self.c.inter
        self.bw_intra = self.intra.achievable_bw
        self.bw_nic = self.c.inter.achievable_bw * self.c.nics_per_node / self.g
        ke = kernel_efficiency(self.d)
        if compute_efficiency is not None:
            check_fraction("compute_efficiency", compute_efficiency)
            ke = KernelEfficiency(compute_efficiency, compute_efficiency * ke.attention / ke.gemm,
                                  ("compute_efficiency given by the caller",))
        self.ke = ke
        self.eta_m = DEFAULT_MEMORY_EFFICIENCY
        # fixed cost per kernel (launch, ramp, tail) from the engine's efficiency model, per
        # layer: ~8 kernels per pass (efficiency.KERNELS_PER_TRANSFORMER_LAYER)
        self.k_over = profile(self.d).per_kernel_s * KERNELS_PER_TRANSFORMER_LAYER
        self.R = self.peak * ke.gemm
        self.Ra = self.peak_bf16 * ke.attention
        self.B = self.bw * self.eta_m
        self.att = _choice("attention", attention, ATTENTION_KERNELS)
        self.drop = _default_dropout(self.m) if dropout is None else check_bool("dropout", dropout)
        self.tp_overlap = _choice("tp_overlap", tp_overlap, TP_OVERLAP)
        self.dp_overlap = check_bool("dp_overlap", dp_overlap)
        self.gr_b = bytes_per_element(grad_reduce_precision)
        check_fraction("memory_fraction", memory_fraction)
        self.mem_frac = memory_fraction
        self.ab = _act_bytes(precision)
        self.wb = bytes_per_element(precision) if precision in ("fp32", "bf16", "fp16") else 2.0
        self._layer_cache: dict = {}
        self._coll_cache: dict = {}
        m = self.m
        h = m.hidden
        self.a = _arch(m)
        self.mats = self.a["mats"]
        self.k_act = self.a["k"]
        self.E = m.experts
        self.p_attn = m._attn_params()
        self.p_dense_ffn = m._ffn_params(m.ffn)
        self.p_expert = m._expert_params() if m.experts > 1 else 0
        self.p_router = h * m.experts if m.experts > 1 else 0
        self.p_norms = self.a["npl"] * m._norm_params()
        self.p_embed = m.vocab * h + (m.max_context * h if m.learned_positions else 0) + m.token_types * h
        self.p_out = 0 if m.tied_embeddings else m.vocab * h
        # model FLOPs per token (PaLM convention, every key counted): 6 N_matmul + 3 x forward attention
        self.n_mm = float(m.matmul_params)
        self.n_mm_layers = float(m.matmul_params - m.vocab * h)
        keys_model = m.kv_context(self.s) if m.sliding_window else self.s
        self.attn_model_fwd_tok = m.attention_flops_per_key() * keys_model
        self.model_flops_tok = 6.0 * self.n_mm + 3.0 * self.attn_model_fwd_tok
        # keys a query attends to on average when the kernel skips masked blocks (causal, windows)
        self.keys_exec = (m.kv_context(self.s) if m.kind == "encoder" else m.prefill_keys(self.s) / self.s)
        self.attn_fwd_per_key_layer = m.attention_flops_per_key() / m.layers

    # ---------------------------------------------------------- collectives
    def _group(self, n, stride):
        if n <= 1:
            return 1, 1
        k = max(1, min(n, self.g // stride)) if stride < self.g else 1
        k = math.gcd(n, k)
        return k, n // k

    def coll(self, op, n, S, stride, algorithm="ring"):
        if n <= 1 or S <= 0:
            return 0.0
        key = (op, n, S, stride, algorithm)
        t = self._coll_cache.get(key)
        if t is None:
            k, N = self._group(n, stride)
            slow = 1.0
            pod, o = self.c.pod_gpus, self.c.oversubscription
            if pod and N * self.g > pod and o > 1:
                slow = 1.0 + (1.0 - pod / (N * self.g)) * (o - 1.0)
            t = collective_core(op, n, S, algorithm, "auto", k, N, self.intra, self.inter, self.bw_intra,
                                self.bw_nic, slow)[0]
            if op == "allreduce" and algorithm == "ring" and N > 1:
                t = min(t, collective_core(op, n, S, "tree", "auto", k, N, self.intra, self.inter, self.bw_intra,
                                           self.bw_nic, slow)[0])
            self._coll_cache[key] = t
        return t

    def p2p(self, S, stride):
        if S <= 0:
            return 0.0
        if stride < self.g:
            return 8.4e-6 + self.intra.latency_s + S / self.bw_intra
        return 8.4e-6 + self.inter.latency_s + S / self.bw_nic

    # ---------------------------------------------------------- per layer
    def _gemm(self, mm, nn, kk, count=1.0):
        fl = 2.0 * mm * nn * kk
        by = self.wb * (mm * kk + kk * nn + mm * nn)
        tc = fl / self.R
        sms = self.ke.sms
        if sms:
            a, b = GEMM_TILE
            best = 0.0
            for tm, tn in ((a, b), (b, a)):
                tiles = math.ceil(mm / tm) * math.ceil(nn / tn) * count
                best = max(best, tiles / (math.ceil(tiles / sms) * sms))
            tc /= best
        return count * max(tc, by / self.B), count * fl

    def layer(self, tp, cp, ep, b, sp, rc):
        key = (tp, cp, ep, b, sp, rc)
        r = self._layer_cache.get(key)
        if r is not None:
            return r
        m, s, a = self.m, self.s, self.a
        h, H, KV, d, F = m.hidden, m.heads, m.kv_heads, m.hd, m.ffn
        T = b * s / cp
        kvl = max(KV / tp, 1.0)
        # attention GEMMs (forward)
        if a["mla"]:
            ql, kl, rope = m.q_lora_rank, m.kv_lora_rank, m.qk_rope_dim
            att_g = [self._gemm(T, ql, h), self._gemm(T, H * a["qk"] / tp, ql)] if ql else \
                [self._gemm(T, H * a["qk"] / tp, h)]
            att_g += [self._gemm(T, kl + rope, h), self._gemm(T, H * (m.qk_nope_dim + a["vd"]) / tp, kl),
                      self._gemm(T, h, H * a["vd"] / tp)]
        else:
            att_g = [self._gemm(T, (H / tp + 2 * kvl) * d, h), self._gemm(T, h, H * d / tp)]
        # FFN GEMMs: dense layers and MoE layers (routed experts over ep ranks, shared experts, router)
        ffn_d = [self._gemm(T, (self.mats - 1) * F / tp, h), self._gemm(T, h, F / tp)] if a["w_dense"] else []
        ffn_m = []
        if a["w_moe"]:
            ef, se = a["ef"], a["se"]
            me = T * self.k_act * ep / self.E
            ffn_m = [self._gemm(me, (self.mats - 1) * ef / tp, h, self.E / ep), self._gemm(me, h, ef / tp, self.E / ep),
                     self._gemm(T, self.E, h)]
            if se:
                ffn_m += [self._gemm(T, (self.mats - 1) * se * ef / tp, h), self._gemm(T, h, se * ef / tp)]
        wd, wm = a["w_dense"], a["w_moe"]
        gemm_f = sum(g[0] for g in att_g) + wd * sum(g[0] for g in ffn_d) + wm * sum(g[0] for g in ffn_m)
        gemm_flops_f = sum(g[1] for g in att_g) + wd * sum(g[1] for g in ffn_d) + wm * sum(g[1] for g in ffn_m)
        # attention core
        heads_local = H / tp
        if self.att == "flash":
            af = T * self.keys_exec * self.attn_fwd_per_key_layer / tp
            attn_f = af / self.Ra
            attn_b = 2.5 * af / self.Ra
            attn_flops_f = af
        else:
            nh = b * heads_local
            sq = s / cp
            keys = m.kv_context(s) if m.sliding_window else s
            t1 = self._gemm(sq, keys, a["qk"], nh)
            t2 = self._gemm(sq, a["vd"], keys, nh)
            soft = nh * sq * keys * (2 * self.ab + (3 if self.drop else 0))  # read+write scores, mask, dropout out
            attn_f = t1[0] + t2[0] + soft / self.B
            attn_b = 2 * (t1[0] + t2[0]) + 2 * soft / self.B
            attn_flops_f = t1[1] + t2[1]
        # element-wise traffic (forward bytes)
        rsp = 1.0 / tp if sp else 1.0
        ab = self.ab
        e = (2 * a["npl"] * h * ab + 6 * h * ab + (2 * h if self.drop else 0.0)) * rsp
        act_w = (3 if self.mats == 3 else 2) * ab / tp
        e += wd * act_w * F + wm * act_w * a["ef"] * (self.k_act + a["se"])
        if not m.learned_positions:
            e += 2 * (H / tp + (H / tp if a["mla"] else kvl)) * a["qk"] * ab
        if self.E > 1:
            e += wm * 4 * self.k_act * h * ab
        elem_f = T * e / self.B
        elem_b = 2 * elem_f
        # fp32 main-gradient accumulation by the weight-gradient GEMMs (read + write)
        p_local = self._layer_params_local(tp, ep)
        gacc = p_local * 8.0 / self.B
        # tensor-parallel communication
        S_tp = T * h * ab
        if tp > 1:
            if sp:
                one_way = 2 * (self.coll("allgather", tp, S_tp, 1) + self.coll("reducescatter", tp, S_tp, 1))
            else:
                one_way = 2 * self.coll("allreduce", tp, S_tp, 1)
        else:
            one_way = 0.0
        tp_f = one_way
        # with SP the backward all-gathers the stored sequence-sharded inputs of the QKV and
        # first MLP GEMMs again (Korthikanti et al. 2022, Sec. 4.2.2), overlapped like the rest
        tp_b = one_way + (2 * self.coll("allgather", tp, S_tp, 1) if (tp > 1 and sp) else 0.0)
        wgrad = gemm_f  # the weight-gradient half of the backward GEMMs
        tp_f_exp = max(0.0, tp_f - gemm_f) if self.tp_overlap == "full" else tp_f
        tp_b_exp = tp_b if self.tp_overlap == "none" else max(0.0, tp_b - wgrad)
        # expert-parallel all-to-all (dispatch + combine), context-parallel K/V all-gather
        a2a = 0.0
        if self.E > 1 and ep > 1:
            tokens = T / tp if sp else T
            a2a = wm * 2 * self.coll("alltoall", ep, tokens * self.k_act * h * ab, tp * cp)
        cpc_f = cpc_b = 0.0
        if cp > 1:
            S_kv = T * cp * (a["latent"] if a["mla"] else 2 * kvl * d) * ab
            cpc_f = self.coll("allgather", cp, S_kv, tp)
            cpc_b = self.coll("reducescatter", cp, S_kv, tp)
        ko = self.k_over
        t_f = gemm_f + attn_f + elem_f + tp_f_exp + a2a + cpc_f + ko
        t_b = 2 * gemm_f + attn_b + elem_b + gacc + tp_b_exp + a2a + cpc_b + (TRAINING_KERNEL_PASSES - 1) * ko
        rc_extra = 0.0
        rc_flops = 0.0
        if rc == "selective":
            rc_extra = attn_f
            rc_flops = attn_flops_f
        elif rc == "full":
            rc_extra = t_f
            rc_flops = gemm_flops_f + attn_flops_f
        t_b += rc_extra
        r = dict(t_f=t_f, t_b=t_b, gemm_f=gemm_f, attn_f=attn_f, attn_b=attn_b, elem=elem_f + elem_b + gacc,
                 tp=tp_f + tp_b + (tp_f if rc == "full" else 0.0),
                 tp_exp=tp_f_exp + tp_b_exp + (tp_f_exp if rc == "full" else 0.0),
                 ep=2 * a2a + (a2a if rc == "full" else 0.0), cp=cpc_f + cpc_b + (cpc_f if rc == "full" else 0.0),
                 rc=rc_extra, rc_flops=rc_flops, S_tp=S_tp)
        self._layer_cache[key] = r
        return r

    def _layer_params_local(self, tp, ep):
        key = ("plocal", tp, ep)
        r = self._layer_cache.get(key)
        if r is not None:
            return r
        a = self.a
        dense = a["w_dense"] * self.p_dense_ffn / tp
        experts = a["w_moe"] * ((self.E / ep + a["se"]) * self.p_expert / tp + self.p_router) if self.E > 1 else 0.0
        dense += self.p_attn / tp + self.p_norms
        self._layer_cache[key] = dense + experts
        return dense + experts

    def ends(self, tp, cp, b, sp):
        """(first-rank extra time, last-rank extra time) per microbatch: embedding and
        the output layer + loss."""
        m = self.m
        T = b * self.s / cp
        h, V = m.hidden, m.vocab
        S_tp = T * h * self.ab
        emb_coll = 0.0
        if tp > 1:
            emb_coll = self.coll("reducescatter" if sp else "allreduce", tp, S_tp, 1)
        emb = T * h * self.ab * 3 / self.B + 2 * emb_coll
        g = self._gemm(T, V / tp, h)
        ce = T * V / tp * 10.0 / self.B  # logits bf16 -> fp32 softmax / cross-entropy, forward and backward
        out = 3 * g[0] + 2 * ce + T * h * self.ab * 4 * (1.0 / tp if sp else 1.0) / self.B
        if tp > 1:
            out += 2 * self.coll("allgather" if sp else "allreduce", tp, S_tp, 1)
        return emb, out

    # ---------------------------------------------------------- layout helpers
    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def stage_layers(L, p):
        base, extra = divmod(L, p)
        counts = [base] * p
        # extra layers go to the middle ranks first, so the first rank (embedding, most
        # microbatches in flight) and the last (output layer, loss) hold fewer (Llama 3)
        order = list(range(1, p - 1)) + [0, p - 1] if p > 2 else list(range(p))
        for i in order[:extra]:
            counts[i] += 1
        return tuple(counts)

    def params_on_rank(self, r, p, layers_r, tp, ep):
        n = layers_r * self._layer_params_local(tp, ep)
        if r == 0:
            n += self.p_embed / tp
        if r == p - 1:
            n += (self.p_out / tp if self.p_out else (self.p_embed / tp if p > 1 else 0.0)) + self.m.hidden
        return n

    # ---------------------------------------------------------- one configuration
    def evaluate(self, *, gpus, tp, pp, dp, cp, ep, b, v, zero, rc, sp, gbt, memory_only=False):
        m = self.m
        L = m.layers
        s = self.s
        seq_per_step = gbt / s
        mb = max(1, int(seq_per_step // (dp * b)))
        tokens_step = float(mb * dp * b * s)
        layers = self.stage_layers(L, pp)
        ranks = sorted({0, min(1, pp - 1), pp - 1})
        ndp = dp * cp
        # ---- memory
        act_layer = self._act_per_layer(tp, cp, b, sp, rc)
        full_layer = self._act_per_layer(tp, cp, b, sp, "none") if rc == "full" else 0.0
        best = None
        for r in ranks:
            lr = layers[r]
            if v == 1:
                in_flight = lr * min(mb, pp - r)
            else:
                chunks = min(mb * v, 2 * (pp - r - 1) + (v - 1) * pp + 1)
                in_flight = chunks * lr / v
            act = in_flight * act_layer + full_layer
            T = b * s / cp
            if r == 0 and self.drop:
                act += T * m.hidden / tp * min(mb, pp)
            if r == pp - 1:
                act += T * m.vocab / tp * 6.0 + 2 * T * m.hidden * self.ab / (tp if sp else 1)
            P = self.params_on_rank(r, pp, lr, tp, ep)
            w = P * self.wb
            g = P * 4.0 if self.wb < 4 else P * self.wb
            o = P * (OPTIMIZER_STATE_BYTES if self.wb < 4 else 8.0)
            if zero >= 1:
                o /= ndp
            if zero >= 2:
                g /= ndp
            if zero >= 3:
                w = w / ndp + 2 * self._layer_params_local(tp, ep) * self.wb
            tot = w + g + o + act
            if best is None or tot > best[4]:
                best = (w, g, o, act, tot, r, P)
        w, g, o, act, tot, rbind, _ = best
        fits = tot <= self.cap * self.mem_frac
        memory = dict(weights=w, grads=g, optimizer=o, activations=act, total=tot, binding_stage=rbind)
        if memory_only:
            return memory, fits, mb, tokens_step
        # ---- time per microbatch on each rank, the pipeline, data parallel
        lc = self.layer(tp, cp, ep, b, sp, rc)
        emb, out = self.ends(tp, cp, b, sp)
        T = b * s / cp
        pp_stride = tp * cp * dp
        p2p_one = self.p2p(T * m.hidden * self.ab / (tp if tp > 1 else 1), pp_stride) if pp > 1 else 0.0
        t_max, rmax = -1.0, 0
        for r in sorted({0, pp - 1, layers.index(max(layers))}):
            t = layers[r] * (lc["t_f"] + lc["t_b"]) + (2 * v * p2p_one if pp > 1 else 0.0)
            if r == 0:
                t += emb
            if r == pp - 1:
                t += out
            if t > t_max:
                t_max, rmax = t, r
        pipe = (mb + (pp - 1) / v) * t_max
        bubble = (pp - 1) / (v * mb + pp - 1)
        # data parallel on the slowest rank (its parameters)
        P = self.params_on_rank(rmax, pp, layers[rmax], tp, ep)
        nl_r = max(1, layers[rmax])
        fwd_win = layers[rmax] * lc["t_f"] if self.dp_overlap else 0.0
        bwd_win = layers[rmax] * lc["t_b"] if self.dp_overlap else 0.0

        def hidden(t, window):
            # bucketed per layer: the first (parameters) or last (gradients) layer's share
            # cannot overlap; the rest hides behind `window` of compute
            if window <= 0.0:
                return t
            return max(t / nl_r, t - window)

        dp_total = dp_exp = 0.0
        if ndp > 1:
            g_bytes, w_bytes = P * self.gr_b, P * self.wb
            if zero == 0:
                t_ar = self.coll("allreduce", ndp, g_bytes, tp)
                dp_total, dp_exp = t_ar, hidden(t_ar, bwd_win)
            elif zero == 1:
                t_rs = self.coll("reducescatter", ndp, g_bytes, tp)
                t_ag = self.coll("allgather", ndp, w_bytes, tp)
                dp_total = t_rs + t_ag
                dp_exp = hidden(t_rs, bwd_win) + hidden(t_ag, fwd_win)
            elif zero == 2:
                t_rs = self.coll("reducescatter", ndp, g_bytes, tp)
                t_ag = self.coll("allgather", ndp, w_bytes, tp)
                dp_total = mb * t_rs + t_ag
                dp_exp = mb * hidden(t_rs, bwd_win) + hidden(t_ag, fwd_win)
            else:
                t_rs = self.coll("reducescatter", ndp, g_bytes, tp)
                t_ag = self.coll("allgather", ndp, w_bytes, tp)
                dp_total = mb * (2 * t_ag + t_rs)
                dp_exp = mb * (hidden(t_ag, fwd_win) + hidden(t_ag + t_rs, bwd_win))
        local = P / ndp if zero >= 1 else P
        opt = local * ADAM_BYTES_PER_PARAM_STEP / self.B
        step = pipe + dp_exp + opt
        # ---- FLOPs
        model_flops = tokens_step * self.model_flops_tok
        if rc == "selective":
            hw_flops = model_flops + tokens_step * self.attn_model_fwd_tok
        elif rc == "full":
            hw_flops = model_flops + tokens_step * (2.0 * self.n_mm_layers + self.attn_model_fwd_tok)
        else:
            hw_flops = model_flops
        denom = step * gpus * self.peak
        nl = layers[rmax]
        comm = dict(tp=mb * nl * lc["tp"], cp=mb * nl * lc["cp"], ep=mb * nl * lc["ep"],
                    pp=mb * 2 * v * p2p_one, dp=dp_total)
        exposed = dict(tp=mb * nl * lc["tp_exp"], cp=mb * nl * lc["cp"], ep=mb * nl * lc["ep"],
                       pp=mb * 2 * v * p2p_one, dp=dp_exp)
        return dict(step=step, tokens=tokens_step, model_flops=model_flops, hw_flops=hw_flops,
                    mfu=model_flops / denom, hfu=hw_flops / denom, memory=memory, fits=fits, bubble=bubble,
                    mb=mb, comm=comm, exposed=exposed,
                    breakdown=dict(pipeline_s=pipe, per_microbatch_slowest_rank_s=t_max, slowest_rank=rmax,
                                   dp_exposed_s=dp_exp, optimizer_s=opt,
                                   layer_forward_s=lc["t_f"], layer_backward_s=lc["t_b"],
                                   layer_gemm_forward_s=lc["gemm_f"], layer_attention_forward_s=lc["attn_f"],
                                   layer_recompute_s=lc["rc"]))

    def _act_per_layer(self, tp, cp, b, sp, rc):
        key = ("act", tp, cp, b, sp, rc)
        r = self._layer_cache.get(key)
        if r is not None:
            return r
        r = self._act_per_layer_uncached(tp, cp, b, sp, rc)
        self._layer_cache[key] = r
        return r

    def _act_per_layer_uncached(self, tp, cp, b, sp, rc):
        rep, shard, core = _act_terms(self.m, self.s, self.drop, self.att, self.ab, tp)
        T = b * self.s / cp
        if rc == "full":
            return T * self.m.hidden * self.ab / (tp if sp else 1)
        return T * ((rep / tp if sp else rep) + shard / tp + (0.0 if rc == "selective" else core / tp))


def _resolve(trainer, gpus, tp, pp, dp, cp, ep):
    gpus = _int("gpus", gpus)
    tp, pp, cp, ep = _int("tp", tp), _int("pp", pp), _int("cp", cp), _int("ep", ep)
    if gpus % (tp * pp * cp):
        raise PhysicsError(f"gpus ({gpus}) must be a multiple of tp x pp x cp = {tp * pp * cp}")
    if dp is None:
        dp = gpus // (tp * pp * cp)
    else:
        dp = _int("dp", dp)
        if tp * pp * cp * dp != gpus:
            raise PhysicsError(f"tp x pp x cp x dp must equal gpus: {tp} x {pp} x {cp} x {dp} = "
                               f"{tp * pp * cp * dp}, gpus = {gpus}")
    m = trainer.m
    if m.heads % tp:
        raise PhysicsError(f"tp must divide the {m.heads} attention heads of {m.id}, got {tp}")
    if pp > m.layers:
        raise PhysicsError(f"pp must be <= the {m.layers} layers of {m.id}, got {pp}")
    if cp > trainer.s:
        raise PhysicsError(f"cp must be <= seq_len ({trainer.s}), got {cp}")
    if ep > 1:
        if m.experts == 1:
            raise PhysicsError(f"ep must be 1 for the dense model {m.id}, got {ep}")
        if m.experts % ep:
            raise PhysicsError(f"ep must divide the {m.experts} experts of {m.id}, got {ep}")
        if (dp * cp) % ep:
            raise PhysicsError(f"ep must divide dp x cp = {dp * cp} (experts are spread over data-parallel "
                               f"ranks), got {ep}")
    return gpus, tp, pp, dp, cp, ep


def train_step(model, device, *, gpus, tp=1, pp=1, dp=None, cp=1, ep=1, microbatch=1, global_batch_tokens=None,
               seq_len=None, zero=1, recompute="selective", precision="bf16", virtual_stages=1,
               sequence_parallel=None, attention="flash", cluster=None, gpus_per_node=None, tp_overlap="backward",
               dp_overlap=True, grad_reduce_precision="fp32", memory_fraction=DEFAULT_MEMORY_FRACTION,
               dropout=None, compute_efficiency=None) -> TrainingStep:
    """Step time, throughput, MFU/HFU, memory per GPU and communication of one
    training step of a transformer on `gpus` GPUs (see the module docstring for the
    model). Defaults: zero=1 (distributed optimizer), selective recompute, sequence
    parallelism whenever tp > 1, FlashAttention, bf16 with fp32 gradient reduction,
    4M tokens per step (rounded to whole microbatches), seq_len min(max context, 4096),
    the device's reference cluster (fabrics.cluster_for)."""
    m = get_transformer(model)
    s = min(m.max_context, DEFAULT_SEQ_LEN) if seq_len is None else seq_len
    tr = _Trainer(m, device, seq_len=s, precision=precision, cluster=cluster, gpus_per_node=gpus_per_node,
                  attention=attention, dropout=dropout, tp_overlap=tp_overlap, dp_overlap=dp_overlap,
                  grad_reduce_precision=grad_reduce_precision, memory_fraction=memory_fraction,
                  compute_efficiency=compute_efficiency)
    gpus, tp, pp, dp, cp, ep = _resolve(tr, gpus, tp, pp, dp, cp, ep)
    b = _int("microbatch", microbatch)
    v = _int("virtual_stages", virtual_stages)
    zero = _choice("zero", zero, ZERO_STAGES)
    rc = _choice("recompute", recompute, RECOMPUTE)
    if v > 1 and pp == 1:
        raise PhysicsError("virtual_stages > 1 needs pp > 1")
    if v > math.ceil(m.layers / pp):
        raise PhysicsError(f"virtual_stages must be <= layers per pipeline rank ({math.ceil(m.layers / pp)}), got {v}")
    sp = (tp > 1) if sequence_parallel is None else check_bool("sequence_parallel", sequence_parallel)
    per_step_min = dp * b * tr.s
    if global_batch_tokens is None:
        gbt = float(max(per_step_min, DEFAULT_GLOBAL_BATCH_TOKENS))
    else:
        check_positive("global_batch_tokens", global_batch_tokens)
        gbt = float(global_batch_tokens)
        if gbt < per_step_min:
            raise PhysicsError(f"global_batch_tokens must be >= dp x microbatch x seq_len = {per_step_min:,}, "
                               f"got {global_batch_tokens:,}")
    return _result(tr, gpus, tp, pp, dp, cp, ep, b, v, zero, rc, sp, gbt)


def _result(tr, gpus, tp, pp, dp, cp, ep, b, v, zero, rc, sp, gbt) -> TrainingStep:
    r = tr.evaluate(gpus=gpus, tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, b=b, v=v, zero=zero, rc=rc, sp=sp, gbt=gbt)
    step = r["step"]
    return TrainingStep(
        model=tr.m.id, device=tr.d.id, gpus=gpus,
        config=dict(tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, microbatch=b, virtual_stages=v, zero=zero,
                    recompute=rc, sequence_parallel=sp),
        step_time_s=step, tokens_per_step=r["tokens"], tokens_per_s=r["tokens"] / step,
        model_flops_per_step=r["model_flops"], hardware_flops_per_step=r["hw_flops"],
        model_tflops_per_gpu=r["model_flops"] / step / gpus / 1e12,
        hardware_tflops_per_gpu=r["hw_flops"] / step / gpus / 1e12, mfu=r["mfu"], hfu=r["hfu"],
        memory_per_gpu_bytes=r["memory"]["total"], memory=r["memory"], capacity_bytes=tr.cap, fits=r["fits"],
        bubble_fraction=r["bubble"], microbatches=r["mb"], comm_time_s=r["comm"], comm_exposed_s=r["exposed"],
        breakdown_s=r["breakdown"],
        assumptions=dict(precision=tr.prec, seq_len=tr.s, global_batch_tokens=r["tokens"],
                         cluster=tr.c.id, gpus_per_node=tr.g, scale_up=tr.intra.id, scale_out=tr.inter.id,
                         gemm_efficiency=tr.ke.gemm, attention_efficiency=tr.ke.attention,
                         memory_efficiency=tr.eta_m, efficiency_sources=list(tr.ke.sources),
                         attention_kernel=tr.att, dropout=tr.drop, tp_overlap=tr.tp_overlap,
                         dp_overlap=tr.dp_overlap, grad_reduce_bytes=tr.gr_b, memory_fraction=tr.mem_frac,
                         optimizer="adam (fp32 master + 2 moments, 12 B/param; fp32 main grads 4 B/param)",
                         mfu_convention="model FLOPs 6N + 12LHds per token (PaLM); peak = dense "
                                        f"{tr.prec} of the device"))


# ------------------------------------------------------------------------ planner
@dataclass(frozen=True)
class Plan:
    model: str
    device: str
    gpus: int
    candidates: list  # TrainingStep, fastest first, all fit
    searched: int
    fit: int
    assumptions: dict

    def to_dict(self) -> dict:
        return {"model": self.model, "device": self.device, "gpus": self.gpus, "searched": self.searched,
                "fit": self.fit, "assumptions": self.assumptions,
                "candidates": [c.to_dict() for c in self.candidates]}


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def plan(model, device, *, gpus, seq_len=None, global_batch_tokens=None, precision="bf16", cluster=None,
         gpus_per_node=None, top=10, microbatches=(1, 2, 4, 8), zero_stages=ZERO_STAGES, recomputes=RECOMPUTE,
         virtual_stages=(1, 2, 4, 8), context_parallel=None, memory_fraction=DEFAULT_MEMORY_FRACTION,
         attention="flash") -> Plan:
    """Search (tp, pp, dp, cp, ep, microbatch, virtual stages, zero, recompute) for the
    fastest configurations that fit, by train_step's model. tp ranges over powers of two
    up to the GPUs per node that divide the heads; pp over divisors of gpus / tp up to
    the layer count; cp over powers of two only for sequences >= 16K tokens (or
    `context_parallel` given); ep over the experts' divisors for MoE models.
    Returns the `top` fits, fastest first."""
    m = get_transformer(model)
    s = min(m.max_context, DEFAULT_SEQ_LEN) if seq_len is None else seq_len
    tr = _Trainer(m, device, seq_len=s, precision=precision, cluster=cluster, gpus_per_node=gpus_per_node,
                  attention=attention, dropout=None, tp_overlap="backward", dp_overlap=True,
                  grad_reduce_precision="fp32", memory_fraction=memory_fraction)
    gpus = _int("gpus", gpus)
    top = _int("top", top)
    gbt = float(DEFAULT_GLOBAL_BATCH_TOKENS if global_batch_tokens is None else
                check_positive("global_batch_tokens", global_batch_tokens))
    for z in zero_stages:
        _choice("zero", z, ZERO_STAGES)
    for rc in recomputes:
        _choice("recompute", rc, RECOMPUTE)
    mbs = [_int("microbatch", x) for x in microbatches]
    vs = [_int("virtual_stages", x) for x in virtual_stages]
    if context_parallel is None:
        cps = [c for c in (1, 2, 4, 8, 16, 32) if c == 1 or tr.s >= 16384]
    else:
        cps = [_int("cp", c) for c in context_parallel]
    tps = [t for t in (1, 2, 4, 8, 16, 32, 64) if t <= tr.g and m.heads % t == 0 and gpus % t == 0]
    seen = 0
    results = []
    for tp in tps:
        for cp in cps:
            if gpus % (tp * cp) or cp > tr.s:
                continue
            rest = gpus // (tp * cp)
            for pp in _divisors(rest):
                if pp > m.layers:
                    break
                dp = rest // pp
                eps = [1] if m.experts == 1 else [e for e in _divisors(m.experts) if (dp * cp) % e == 0]
                for ep in eps:
                    for b in mbs:
                        if dp * b * tr.s > gbt:
                            continue
                        for v in vs:
                            if v > 1 and (pp == 1 or v > math.ceil(m.layers / pp)):
                                continue
                            for zero in zero_stages:
                                if zero >= 2 and dp * cp == 1:
                                    continue
                                for rc in recomputes:
                                    seen += 1
                                    sp = tp > 1
                                    mem, ok, _, _ = tr.evaluate(gpus=gpus, tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, b=b,
                                                                v=v, zero=zero, rc=rc, sp=sp, gbt=gbt,
                                                                memory_only=True)
                                    if not ok:
                                        continue
                                    r = tr.evaluate(gpus=gpus, tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, b=b, v=v,
                                                    zero=zero, rc=rc, sp=sp, gbt=gbt)
                                    results.append((r["step"] / r["tokens"], (tp, pp, dp, cp, ep, b, v, zero, rc)))
    results.sort(key=lambda x: x[0])
    cands = [_result(tr, gpus, *cfg[:6], cfg[6], cfg[7], cfg[8], cfg[0] > 1, gbt) for _, cfg in results[:top]]
    return Plan(model=m.id, device=tr.d.id, gpus=gpus, candidates=cands, searched=seen, fit=len(results),
                assumptions=dict(seq_len=tr.s, global_batch_tokens=gbt, precision=precision, cluster=tr.c.id,
                                 memory_fraction=memory_fraction, ranking="time per token (seconds / token)",
                                 space=dict(tp=tps, cp=cps, microbatch=mbs, virtual_stages=vs,
                                            zero=list(zero_stages), recompute=list(recomputes))))
