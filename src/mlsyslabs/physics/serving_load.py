"""Serving under load: many sequences sharing one model replica (continuous batching).

`estimate` prices one step at one batch; a server under load interleaves requests.
This module composes the engine's decode and prefill cores (serving.py), the KV
bytes of the model registry and the queueing module into a mean-value model of an
iteration-level scheduler (Orca, Yu et al. 2022; vLLM, Kwon et al. 2023; TensorRT-LLM
in-flight batching):

Iteration. Every iteration runs one decode token for each of the B running
sequences; some iterations also carry a prompt (or a chunk of one, with chunked
prefill, Agrawal et al. 2024 "Sarathi-Serve"). Its time is the roofline of the
combined work, the weights read once:
    t_dec(B)      = max(W_touched + B KV(c), B F_tok) / roofline + t_comm(B) + o_dec
    t_mix(B, P)   = max(W_touched + B KV(c) + KV_P, B F_tok + F_P) / roofline + t_comm(B + P) + o_pre
The extra time a chunk adds to the iteration it joins is d_j = t_mix - t_dec.

Interference. At request rate X with n_ch chunks per prompt, a fraction
f = X n_ch tau of iterations carry a chunk, so the mean iteration (the mean
inter-token latency) is
    tau = t_dec(B) / (1 - X sum_j d_j),      B = X (OSL - 1) tau / E   (Little)
where E is the tokens a sequence gains per iteration (1; more with speculation).

Closed loop (N users, each sending its next request when the last completes):
mean-value analysis with the arrival theorem over populations 1..N; the prompt
queue is FCFS with deterministic service s_p = sum_j t_mix_j (residual s_p/2),
decoding is a delay of (OSL - 1) tau / E. Only S = min(KV slots, max_batch)
requests are admitted; beyond S, throughput stays at X(S) and the rest wait for a
slot: TTFT = N / X - (OSL - 1) tau / E (Little).

Open loop (Poisson rate lambda): the same fixed point at X = lambda; TTFT is the
M/D/1 sojourn of the prompt queue (exact, queueing.md1) plus the residual of the
running iteration. The load is unsustainable when B exceeds S or the prompt queue
or the iteration fixed point saturates.

KV-slot admission (paged KV cache, Kwon et al. 2023): blocks of `kv_block_tokens`;
a sequence reserves ceil(L / block) blocks, L = ISL + OSL ("full": TensorRT-LLM's
guaranteed-no-evict policy) or ISL + OSL/2 on average ("on_demand", vLLM), or the
model's max context ("contiguous", pre-paging systems). Slots = floor(free / per-sequence).

Tensor parallelism (tp GPUs, weights and KV sharded): per layer two all-reduces of
the activations (Shoeybi et al. 2019, Megatron-LM), alpha-beta cost
    t_ar = alpha log2(tp) + 2 (tp - 1)/tp x bytes / (link_bw x link_efficiency).
Expert parallelism (MoE, ep GPUs): the FFN's all-reduce becomes two all-to-alls of
top-k token copies, (ep - 1)/ep of them cross the link.
Speculative decoding (Leviathan et al. 2023, ICML, eq. 1 and Thm 3.8): with draft
length gamma and acceptance rate a, E = (1 - a^(gamma+1)) / (1 - a) tokens per
iteration for one target pass (gamma+1 tokens) and gamma draft steps.
Disaggregated prefill/decode (Zhong et al. 2024 "DistServe"; Patel et al. 2024
"Splitwise"): prompts run on separate instances (an M/D/c queue), the KV cache is
shipped to a decode instance (ISL x KV bytes / kv_transfer_bw), and decode
iterations carry no prompts.

Percentiles (P50/P90/P99). TTFT: the queue wait is exponential-tailed with the
probability of waiting from the arrival theorem (closed loop) or exact M/D/1 (open
loop). ITL follows the benchmark convention (genai-perf/AIPerf): the mean gap of each
request, whose count of prompt-carrying iterations is Poisson with mean f x
iterations. Token-level gaps are reported separately. E2E adds TTFT and ITL
quantiles (an upper bound); per-user tokens/s is OSL / E2E at that quantile.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from . import _argcheck as A
from .devices import get_device
from .efficiency import efficiency as efficiency_model
from .errors import MissingFieldError, PhysicsError
from .memory import DEFAULT_MEMORY_FRACTION, activation_bytes_inference
from .precisions import PRECISIONS, bytes_per_element
from .queueing import ggc, md1
from .serving import decode_core, default_kv_precision, get_transformer_model, model_terms, prefill_core

# ------------------------------------------------------------------- defaults
DEFAULT_MAX_BATCH = 256  # vLLM EngineArgs max_num_seqs = 256; TensorRT-LLM build default max_batch_size 256
DEFAULT_MAX_NUM_TOKENS = 8192  # TensorRT-LLM max_num_tokens default 8192 (tokens one iteration may carry)
DEFAULT_KV_BLOCK_TOKENS = 16  # vLLM block_size default 16 (TensorRT-LLM tokens_per_block: 32 or 64)
KV_RESERVATIONS = ("full", "on_demand", "contiguous")
ALLREDUCE_LATENCY_S = 6e-6  # NVIDIA/nccl#1259: 2x H100 (HGX) all-reduce of 128 B-64 KB ~6 us with CUDA graphs
LINK_EFFICIENCY = 0.8  # estimate: NCCL sustains ~80% of the NVLink per-direction peak on large all-reduces
ACTIVATION_BYTES = 2.0  # activations exchanged between tensor-parallel ranks in bf16
KV_TRANSFER_BW_PER_GPU = 50e9  # one 400 Gb/s NIC per GPU (NVIDIA ConnectX-7 NDR 400G datasheet), per direction
QUANTILES = (0.5, 0.9, 0.99)

SOURCES = (
    "iteration-level scheduling: Yu et al. 2022 (Orca, OSDI); paged KV cache: Kwon et al. 2023 (vLLM, SOSP)",
    "chunked prefill: Agrawal et al. 2024 (Sarathi-Serve, OSDI)",
    "tensor-parallel all-reduces, two per layer: Shoeybi et al. 2019 (Megatron-LM)",
    "speculative decoding: Leviathan, Kalman & Matias 2023 (ICML), E[tokens] = (1 - a^(g+1))/(1 - a)",
    "disaggregated prefill/decode: Zhong et al. 2024 (DistServe, OSDI); Patel et al. 2024 (Splitwise, ISCA)",
    "mean-value analysis and the arrival theorem: Reiser & Lavenberg 1980 (J. ACM)",
    "defaults: vLLM max_num_seqs 256 and block_size 16; TensorRT-LLM max_num_tokens 8192",
    "all-reduce latency 6 us: NVIDIA/nccl issue #1259 (HGX H100, 2 GPUs, CUDA graphs)",
    "KV transfer 50 GB/s per GPU: NVIDIA ConnectX-7 400 Gb/s NDR adapter",
)


# ---------------------------------------------------------- speculative decoding
def expected_tokens_per_step(acceptance_rate, draft_tokens: int) -> float:
    """Leviathan et al. 2023, eq. 1: E = (1 - a^(g+1)) / (1 - a) tokens per target pass
    (g + 1 when every draft is accepted)."""
    a = A.fraction("acceptance_rate", acceptance_rate, allow_zero=True)
    g = A.integer("draft_tokens", draft_tokens, lo=1, hi=64)
    return float(g + 1) if a == 1.0 else (1.0 - a ** (g + 1)) / (1.0 - a)


def speculative_speedup(acceptance_rate, draft_tokens: int, cost_ratio) -> float:
    """Walltime improvement of speculative decoding (Leviathan et al. 2023, Thm 3.8):
    (1 - a^(g+1)) / ((1 - a)(g c + 1)), c = draft step time / target step time. Assumes
    the target verifies g + 1 tokens in the time of one step (memory-bound decode);
    `serve_load` prices the verification pass with the roofline instead."""
    c = A.nonneg("cost_ratio", cost_ratio)
    return expected_tokens_per_step(acceptance_rate, draft_tokens) / (draft_tokens * c + 1.0)


@dataclass(frozen=True)
class Speculation:
    """Speculative decoding configuration for `serve_load`."""

    draft_model: str
    draft_tokens: int = 4
    acceptance_rate: float = 0.7


@dataclass(frozen=True)
class Disaggregation:
    """Separate prefill and decode instances (each `tp` GPUs of the same device)."""

    prefill_instances: int = 1
    decode_instances: int = 1
    kv_transfer_bw: float | None = None  # B/s per instance pair; default one 400 Gb/s NIC per GPU


# --------------------------------------------------------------------- result
@dataclass(frozen=True)
class LoadPoint:
    mode: str  # "concurrency" (closed loop) or "rate" (open loop, requests/s)
    load: float
    stable: bool  # False: the offered rate exceeds what the replica sustains (latencies unbounded)
    ttft_s: dict  # mean, p50, p90, p99
    itl_s: dict  # per-request mean inter-token latency: mean, p50, p90, p99
    itl_token_s: dict  # individual token gaps: p50, p90, p99
    e2e_s: dict
    tokens_per_s: float  # output tokens/s of the whole system (benchmarks' "throughput")
    requests_per_s: float
    per_user_tokens_per_s: dict  # p50/p90/p99: OSL / E2E at that latency quantile
    running_batch: float  # mean sequences decoding per iteration
    kv_slots: int
    max_batch: int
    limits_hit: tuple  # "kv_slots", "max_batch", "prefill", "unstable"
    decode_step_s: float  # iteration with decodes only
    prefill_s: float  # one prompt's service (sum of its chunk iterations)
    prefill_utilization: float
    decode_bound: str  # "memory" or "compute" (the decode-only iteration)
    gpus: int
    assumptions: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["limits_hit"] = list(self.limits_hit)
        return _finite(d)


def _finite(obj):
    """JSON-safe copy: inf (unbounded latency) becomes None."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


# ---------------------------------------------------------------------- setup
def _efficiency(model, device, phase):
    """(compute, memory, overhead_s) from the engine's efficiency model (efficiency.py)."""
    e = efficiency_model(model, device, phase)
    return e.compute, e.memory, e.overhead_s


class _Replica:
    """Everything the load model needs about one replica, resolved once."""

    def __init__(self, model, device, *, tp, ep, precision, kv_precision, isl, osl, max_batch, max_num_tokens,
                 chunked_prefill, kv_block_tokens, kv_reservation, memory_fraction, compute_efficiency,
                 memory_efficiency, step_overhead_s, speculation, link_bw, allreduce_latency_s, disagg,
                 per_sequence_overhead_s):
        m, d = get_transformer_model(model), get_device(device)
        self.m, self.d = m, d
        self.tp = A.integer("tp", tp, lo=1, hi=1024)
        self.ep = A.integer("ep", ep, lo=1, hi=self.tp)
        if self.tp % self.ep:
            raise PhysicsError(f"ep must divide tp ({self.tp}); got {self.ep}")
        if self.ep > 1 and m.experts <= 1:
            raise PhysicsError(f"ep > 1 needs a mixture-of-experts model; {m.id} is dense")
        A.choice("precision", precision, PRECISIONS)
        self.precision = precision
        self.kvp = kv_precision or default_kv_precision(precision)
        A.choice("kv_precision", self.kvp, PRECISIONS)
        self.isl = A.integer("isl", isl, lo=1)
        self.osl = A.integer("osl", osl, lo=1)
        if isl + osl > m.max_context:
            raise PhysicsError(f"isl + osl must be <= {m.max_context} (the max context of {m.id}), got {isl + osl}")
        self.max_batch = A.integer("max_batch", max_batch, lo=1)
        self.max_num_tokens = A.integer("max_num_tokens", max_num_tokens, lo=1)
        self.chunked = A.boolean("chunked_prefill", chunked_prefill)
        self.block = A.integer("kv_block_tokens", kv_block_tokens, lo=1, hi=1 << 20)
        self.reservation = A.choice("kv_reservation", kv_reservation, KV_RESERVATIONS)
        self.memory_fraction = A.fraction("memory_fraction", memory_fraction)
        ce_d, me_d, o_dec = _efficiency(m, d, "decode")
        ce_p, me_p, o_pre = _efficiency(m, d, "prefill")
        self.ce = ce_d if compute_efficiency is None else A.fraction("compute_efficiency", compute_efficiency)
        self.me = me_d if memory_efficiency is None else A.fraction("memory_efficiency", memory_efficiency)
        if step_overhead_s is None:
            self.o_dec, self.o_pre = o_dec, o_pre
        else:
            self.o_dec = self.o_pre = A.nonneg("step_overhead_s", step_overhead_s)
        self.o_seq = A.nonneg("per_sequence_overhead_s", per_sequence_overhead_s)
        self.peak = d.peak(precision) * self.tp
        self.bw = d.require("memory_bw") * self.tp
        self.capacity = d.require("memory_bytes") * self.tp
        self.terms = model_terms(m, precision, self.kvp)
        self.kvb = self.terms["kv_bytes_per_token"]
        self.weights = m.params * bytes_per_element(precision)
        # interconnect for tensor/expert parallelism
        self.alpha = A.nonneg("allreduce_latency_s", allreduce_latency_s)
        if link_bw is not None:
            self.link_bw = A.positive("link_bw", link_bw)
        elif self.tp > 1:
            if d.scale_up_bw:
                self.link_bw = d.scale_up_bw / 2.0  # vendor aggregate is bidirectional
            elif d.host_bw:
                self.link_bw = d.host_bw
            else:
                raise MissingFieldError(f"device {d.id!r} has no scale_up_bw or host_bw figure for tp > 1")
        else:
            self.link_bw = 0.0
        # speculative decoding
        self.spec = speculation
        self.E = 1.0
        self.draft_terms = None
        draft_weights = draft_kvb = 0.0
        if speculation is not None:
            if not isinstance(speculation, Speculation):
                raise PhysicsError("speculation must be a Speculation(draft_model, draft_tokens, acceptance_rate)")
            dm = get_transformer_model(speculation.draft_model)
            self.E = expected_tokens_per_step(speculation.acceptance_rate, speculation.draft_tokens)
            self.draft_terms = model_terms(dm, precision, self.kvp)
            draft_weights = dm.params * bytes_per_element(precision)
            draft_kvb = self.draft_terms["kv_bytes_per_token"]
        # disaggregation
        self.disagg = disagg
        if disagg is not None:
            if not isinstance(disagg, Disaggregation):
                raise PhysicsError("disaggregation must be a Disaggregation(prefill_instances, decode_instances)")
            A.integer("prefill_instances", disagg.prefill_instances)
            A.integer("decode_instances", disagg.decode_instances)
            self.kv_bw = (A.positive("kv_transfer_bw", disagg.kv_transfer_bw) if disagg.kv_transfer_bw is not None
                          else KV_TRANSFER_BW_PER_GPU * self.tp)
        # KV-slot admission (paged blocks)
        usable = self.capacity * self.memory_fraction
        workspace = activation_bytes_inference(m, batch=1, seq_len=min(self.max_num_tokens, max(isl, 1)),
                                               precision=self.kvp)
        free = usable - self.weights - draft_weights - workspace
        tokens = {"full": isl + osl, "on_demand": isl + osl / 2.0, "contiguous": m.max_context}[self.reservation]
        blocks = math.ceil(tokens / self.block)
        self.reserved_tokens = blocks * self.block
        self.fragmentation = 1.0 - (isl + osl) / self.reserved_tokens if self.reservation != "on_demand" else \
            1.0 - tokens / self.reserved_tokens
        per_seq = self.reserved_tokens * (self.kvb + draft_kvb)
        if free < per_seq:
            need = self.weights + draft_weights + workspace + per_seq
            raise PhysicsError(
                f"{m.id} at {precision} does not fit {self.tp} x {d.id}: weights {self.weights / 1e9:.1f} GB + "
                f"one sequence's KV cache need {need / 1e9:.1f} GB of {usable / 1e9:.1f} GB usable "
                f"(memory_fraction {self.memory_fraction}); use more GPUs (tp), a smaller precision or shorter "
                f"sequences")
        self.kv_slots = int(free // per_seq)
        self.slots = min(self.kv_slots, self.max_batch)
        self.ctx = isl + osl / 2.0  # mean context of a decoding sequence
        self.dec_iters = (osl - 1) / self.E  # iterations a request spends decoding (0: prompt only)
        self.dec_servers = disagg.decode_instances if disagg else 1
        self._chunks()
        # Prompts one iteration can carry: as many whole prompts as fit the token budget. The prompt queue
        # is modelled as that many servers of service time s_p each, scaled so that its capacity is the
        # throughput of a full batch of prompts (fit / its iteration time), not fit / s_p.
        fit = max(1, min(self.max_batch, self.max_num_tokens // max(1, min(isl, self.max_num_tokens))))
        if not (self.chunked or isl <= self.max_num_tokens):
            fit = 1
        _, s_p1 = self.prefill_terms(1.0)
        self.prompts_per_iteration = max(1, min(fit, round(s_p1 * fit / self.prompts_iteration(1.0, fit))))
        self.pre_servers = (disagg.prefill_instances if disagg else 1) * self.prompts_per_iteration
        if disagg is not None:
            self.s_p_alone = self.prefill_alone() + isl * self.kvb / self.kv_bw

    # -- communication ------------------------------------------------------
    def _allreduce(self, tokens: float) -> float:
        if self.tp == 1:
            return 0.0
        size = tokens * self.m.hidden * ACTIVATION_BYTES
        return self.alpha * math.log2(self.tp) + 2.0 * (self.tp - 1) / self.tp * size / (
            self.link_bw * LINK_EFFICIENCY)

    def _alltoall(self, tokens: float) -> float:
        size = tokens * self.m.hidden * ACTIVATION_BYTES * self.m.active_experts
        return self.alpha * math.log2(self.ep) + (self.ep - 1) / self.ep * size / (self.link_bw * LINK_EFFICIENCY)

    def comm(self, tokens: float) -> float:
        """Tensor/expert-parallel communication of one forward pass over `tokens` tokens."""
        if self.tp == 1:
            return 0.0
        if self.ep > 1:  # attention all-reduce + dispatch and combine all-to-alls per layer
            return self.m.layers * (self._allreduce(tokens) + 2.0 * self._alltoall(tokens))
        return 2.0 * self.m.layers * self._allreduce(tokens)

    # -- iteration times ------------------------------------------------------
    def _roof(self, batch):
        """(memory s, compute s, bound) of one target decode pass for `batch` sequences
        (the verification pass prices gamma + 1 tokens per sequence)."""
        common = dict(peak_flops=self.peak, memory_bw=self.bw, compute_efficiency=self.ce,
                      memory_efficiency=self.me)
        _, tm, tc, _, _ = decode_core(batch=max(batch, 1e-9), context=self.ctx, **self.terms, **common)
        if self.spec is not None:
            tc *= self.spec.draft_tokens + 1
            _, dtm, dtc, _, _ = decode_core(batch=max(batch, 1e-9), context=self.ctx, **self.draft_terms, **common)
            draft = self.spec.draft_tokens * (max(dtm, dtc) + self.o_dec)
        else:
            draft = 0.0
        return tm, tc, draft

    def t_dec(self, batch):
        tm, tc, draft = self._roof(batch)
        tokens = batch * (self.spec.draft_tokens + 1 if self.spec else 1)
        return max(tm, tc) + self.comm(tokens) + self.o_dec + self.o_seq * batch + draft, \
            ("compute" if tc >= tm else "memory")

    def _chunks(self):
        """Per chunk of the prompt: (memory s, compute s, tokens) excluding the weights,
        which the iteration reads once for everyone."""
        size = self.max_num_tokens if self.chunked else self.isl
        pk = {k: self.terms[k] for k in ("matmul_params", "kv_bytes_per_token", "attn_flops_per_key")}
        for k in ("kv_global_fraction", "kv_window"):
            if k in self.terms:
                pk[k] = self.terms[k]
        common = dict(peak_flops=self.peak, memory_bw=self.bw, compute_efficiency=self.ce, memory_efficiency=self.me)

        def totals(length):
            if length <= 0:
                return 0.0, 0.0
            _, _, _, flops, moved = prefill_core(weight_bytes=self.weights, batch=1, seq_len=length, **pk, **common)
            return flops, moved - self.weights

        self.chunks = []
        offset = 0
        while offset < self.isl:
            p = min(size, self.isl - offset)
            f0, b0 = totals(offset)
            f1, b1 = totals(offset + p)
            moved = (b1 - b0) + offset * self.kvb  # write the chunk's KV, read the prefix's
            self.chunks.append(((moved / (self.bw * self.me)), (f1 - f0) / (self.peak * self.ce), p))
            offset += p
        self.n_chunks = len(self.chunks)

    def prefill_terms(self, batch):
        """(extra iteration time all chunks add at decode batch `batch`, the prompt's
        own service time s_p = sum of its chunk iterations)."""
        tm, tc, draft = self._roof(batch)
        base_tokens = batch * (self.spec.draft_tokens + 1 if self.spec else 1)
        t_d = max(tm, tc) + self.comm(base_tokens) + self.o_dec + self.o_seq * batch + draft
        extra = service = 0.0
        for cm, cc, p in self.chunks:
            t_mix = max(tm + cm, tc + cc) + self.comm(base_tokens + p) + self.o_pre + self.o_seq * batch + draft
            extra += t_mix - t_d
            service += t_mix
        return extra, service

    def prompts_iteration(self, batch, k):
        """Time of one iteration at decode batch `batch` carrying the work of k >= 1 whole
        prompts (all their chunks). The memory and compute of the prompts add to the decode
        pass's before the roofline max, so the slack one prompt hides in is not counted again
        for the next one."""
        tm, tc, draft = self._roof(batch)
        base_tokens = batch * (self.spec.draft_tokens + 1 if self.spec else 1)
        cm = sum(c[0] for c in self.chunks)
        cc = sum(c[1] for c in self.chunks)
        tokens = sum(c[2] for c in self.chunks)
        return max(tm + k * cm, tc + k * cc) + self.comm(base_tokens + k * tokens) + self.o_pre + \
            self.o_seq * batch + draft

    def prefill_alone(self):
        """One prompt on an idle (prefill-only) instance, plus its KV transfer when disaggregated."""
        t = 0.0
        for cm, cc, p in self.chunks:
            t += max(self.weights / (self.bw * self.me) + cm, cc) + self.comm(p) + self.o_pre
        return t


# ---------------------------------------------------------------- mean values
def _state(r: _Replica, B: float, others: float = 1.0, X: float | None = None):
    """Steady state of one decode instance running B sequences on average.

    Colocated: tau = t_dec(B) + (B / iterations) x extra(B) (the fixed point
    tau = t_dec / (1 - X extra) with X = B / (iterations x tau), solved explicitly);
    disaggregated: tau = t_dec(B). `others`: the share of the prompt stream a decoding
    request sees from other requests ((N - 1)/N in a closed loop of N users; 1 for
    Poisson arrivals). Prompt-only requests (OSL = 1) have no decode phase: pass the
    rate X per instance instead (B = 0). Returns (tau, X per instance, extra, s_p, t_dec, bound)."""
    B = 0.0 if r.dec_iters == 0 else max(B, 1e-12)
    running = max(B, 1.0)  # an iteration runs when at least one sequence decodes
    t_d, bound = r.t_dec(running)
    if r.disagg is None:
        extra, s_p = r.prefill_terms(running)
        k = others * B / r.dec_iters if r.dec_iters else 0.0  # prompts per decode iteration
        if k <= 1.0:  # an iteration carries one prompt or none: the expected time is exact
            tau = t_d + k * extra
        else:  # several prompts share an iteration: their work adds up before the roofline max
            tau = t_d + extra + r.prompts_iteration(running, k) - r.prompts_iteration(running, 1.0)
            extra = (tau - t_d) / k
    else:
        extra, s_p, tau = 0.0, r.s_p_alone, t_d
    x = X if r.dec_iters == 0 else B / (r.dec_iters * tau)
    return tau, x, extra, s_p, t_d, bound


def _poisson_quantile(mean: float, q: float) -> int:
    """Smallest k with P(K <= k) >= q, K ~ Poisson(mean)."""
    if mean <= 0:
        return 0
    if mean > 1e4:  # normal approximation far in the bulk
        z = {0.5: 0.0, 0.9: 1.2815515655446004, 0.99: 2.3263478740408408}.get(q, 0.0)
        return max(0, int(math.ceil(mean + z * math.sqrt(mean) - 0.5)))
    log_p = -mean
    cdf = math.exp(log_p)
    k = 0
    while cdf < q and k < 10 * mean + 100:
        k += 1
        log_p += math.log(mean) - math.log(k)
        cdf += math.exp(log_p)
    return k


def _point(r: _Replica, mode, load, X, st, ttft_q, ttft_mean, p_util, stable, limits, others=1.0):
    osl = r.osl
    tau, _, extra, s_p, t_d, bound = st
    B = X / r.dec_servers * r.dec_iters * tau if stable else float(r.slots) if r.dec_iters else 0.0
    gpus = r.tp * (r.disagg.prefill_instances + r.dec_servers if r.disagg else 1)
    assumptions = {"precision": r.precision, "kv_precision": r.kvp, "tp": r.tp, "ep": r.ep, "isl": r.isl,
                   "osl": osl, "max_batch": r.max_batch, "max_num_tokens": r.max_num_tokens,
                   "chunked_prefill": r.chunked, "prompt_chunks": r.n_chunks,
                   "prompts_per_iteration": r.prompts_per_iteration, "kv_block_tokens": r.block,
                   "kv_reservation": r.reservation, "kv_reserved_tokens_per_sequence": r.reserved_tokens,
                   "kv_fragmentation": round(r.fragmentation, 4), "memory_fraction": r.memory_fraction,
                   "compute_efficiency": r.ce, "memory_efficiency": r.me, "decode_overhead_s": r.o_dec,
                   "prefill_overhead_s": r.o_pre, "per_sequence_overhead_s": r.o_seq,
                   "allreduce_latency_s": r.alpha, "link_bw": r.link_bw,
                   "link_efficiency": LINK_EFFICIENCY, "tokens_per_iteration": r.E,
                   "speculation": asdict(r.spec) if r.spec else None,
                   "disaggregation": asdict(r.disagg) if r.disagg else None,
                   "itl_convention": "per-request mean gap (genai-perf/AIPerf); itl_token_s: individual gaps",
                   "e2e_percentiles": "TTFT and ITL quantiles added (an upper bound)"}
    if not stable:
        inf = math.inf
        nan_d = {"mean": inf, "p50": inf, "p90": inf, "p99": inf}
        return LoadPoint(mode, load, False, dict(nan_d), dict(nan_d), {"p50": inf, "p90": inf, "p99": inf},
                         dict(nan_d), X * osl, X, {"p50": 0.0, "p90": 0.0, "p99": 0.0}, float(r.slots), r.kv_slots,
                         r.max_batch, tuple(limits), t_d, s_p, p_util, bound, gpus, assumptions)
    itl_mean = tau / r.E
    # per-request ITL: stalls ~ Poisson(f x iterations), each adding the mean chunk extra
    iters = max(r.dec_iters, 1e-9)
    f = min(1.0, others * X / r.dec_servers * r.n_chunks * tau) if r.disagg is None else 0.0
    per_chunk = extra / r.n_chunks if r.n_chunks else 0.0
    itl = {"mean": itl_mean}
    tok = {}
    for q in QUANTILES:
        k = _poisson_quantile(f * iters, q)
        itl[f"p{int(q * 100)}"] = (iters * t_d + k * per_chunk) / iters / r.E if osl > 1 else 0.0
        tok[f"p{int(q * 100)}"] = t_d + (per_chunk if q > 1.0 - f else 0.0)
    if osl == 1:
        itl = {"mean": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0}
    ttft = {"mean": ttft_mean, **ttft_q}
    e2e = {"mean": ttft_mean + (osl - 1) * itl["mean"]}
    per_user = {}
    for k in ("p50", "p90", "p99"):
        e2e[k] = ttft[k] + (osl - 1) * itl[k]
        per_user[k] = osl / e2e[k]
    return LoadPoint(mode, load, True, ttft, itl, tok, e2e, X * osl, X, per_user, B, r.kv_slots, r.max_batch,
                     tuple(limits), t_d, s_p, p_util, bound, gpus, assumptions)


def _bisect(f, lo, hi, target, iters=60):
    """x in [lo, hi] with f(x) = target for increasing f (f(lo) <= target <= f(hi))."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-9 * hi:
            break
    return 0.5 * (lo + hi)


def _first_crossing(f, lo, hi, target, samples=48):
    """The smallest x in [lo, hi] with f(x) = target, or None when f stays below it.
    The population curve can fold back (past a saturated prefill queue a larger decode
    batch looks feasible again); the first crossing is the operating point a system
    reaches as users arrive, so the bracket is found by scanning up from lo."""
    prev = lo
    for i in range(1, samples + 1):
        x = lo + (hi - lo) * i / samples
        if f(x) >= target:
            return _bisect(f, prev, x, target)
        prev = x
    return None


def _closed_terms(r: _Replica, N: int, B: float):
    """Population implied by B decoding sequences per instance (or, for prompt-only
    requests, by the request rate B per instance) when N users circulate (Schweitzer's
    approximate MVA: an arrival sees (N - 1)/N of the mean queue)."""
    n = min(N, r.slots * r.dec_servers)  # users holding a KV slot; the rest wait outside
    a = (n - 1) / n
    st = _state(r, B, a, X=B if r.dec_iters == 0 else None)
    tau, x, extra, s_p, _, _ = st
    X = x * r.dec_servers
    s_q = s_p / r.pre_servers  # Seidmann: c servers ~ one c times faster plus a delay
    U = X * s_q
    # deterministic service; the prompt queue cannot run above its capacity (U < 1) whatever
    # Schweitzer's (N - 1)/N would allow for a small population
    wait = s_q * a * U / (2.0 * (1.0 - a * U)) if U < 1.0 else math.inf
    decoding = B * r.dec_servers if r.dec_iters else 0.0
    residual = min(1.0, a * decoding) * tau / 2.0 if r.disagg is None else 0.0
    R_p = s_p + wait + residual
    return decoding + X * R_p, st, X, R_p, wait, residual, a * U


def _prompt_utilization(r: _Replica, N: int, B: float) -> float:
    """Prompt-queue utilization at B decoding sequences per instance."""
    n = min(N, r.slots * r.dec_servers)
    st = _state(r, B, (n - 1) / n)
    return st[1] * r.dec_servers * st[3] / r.pre_servers


def _closed(r: _Replica, populations):
    """{N: LoadPoint} for closed-loop populations."""
    out = {}
    b_max = float(r.slots)
    for N in sorted(set(populations)):
        limits = []
        if r.dec_iters == 0:  # prompt-only: solve for the rate, below the prompt queue's capacity
            x_cap = r.pre_servers / _state(r, 0.0, X=0.0)[3] / r.dec_servers
            B = _bisect(lambda x: _closed_terms(r, N, x)[0], 0.0, x_cap * (1 - 1e-12), N)
        else:
            hi = min(b_max, N / r.dec_servers)
            saturated = _prompt_utilization(r, N, hi) >= 1.0
            if saturated:  # the batch at which the prompt queue reaches its capacity
                hi = _bisect(lambda b: _prompt_utilization(r, N, b), 0.0, hi, 1.0) * (1 - 1e-9)
            B = _first_crossing(lambda b: _closed_terms(r, N, b)[0], 0.0, hi, N)
            if B is None and saturated:  # the prompt queue is the bottleneck: the other users queue for it
                B = hi
            elif B is None:  # every slot busy: the rest of the users wait for one
                B = b_max
                limits.append("kv_slots" if r.kv_slots <= r.max_batch else "max_batch")
        n_in, st, X, R_p, wait, residual, p_wait = _closed_terms(r, N, B)
        if r.dec_iters and not limits and n_in < N * (1 - 1e-6):  # Little's law puts the rest in the queue
            wait += (min(N, r.slots * r.dec_servers) - n_in) / X
            R_p = st[3] + wait + residual
        tau = st[0]
        slot_wait = max(0.0, N / X - R_p - r.dec_iters * tau)  # users beyond the slots wait for one
        U = X * st[3] / r.pre_servers
        if U >= 0.9:
            limits.append("prefill")
        ttft_q = {}
        for q in QUANTILES:  # deterministic part + exponential-tailed wait, P(wait) from the arrival theorem
            w = math.log(p_wait / (1.0 - q)) * wait / p_wait if wait > 0 and 1.0 - q < p_wait else 0.0
            ttft_q[f"p{int(q * 100)}"] = st[3] + residual + slot_wait + w
        n_in = min(N, r.slots * r.dec_servers)
        out[N] = _point(r, "concurrency", N, X, st, ttft_q, R_p + slot_wait, min(U, 1.0), True, limits,
                        (n_in - 1) / n_in)
    return out


def _open(r: _Replica, rate):
    if r.dec_iters == 0:  # prompt-only requests: no decode phase, the prompt queue alone
        st = _state(r, 0.0, X=rate / r.dec_servers)
        return _open_tail(r, rate, st, 0.0)
    b_max = float(r.slots)
    st_max = _state(r, b_max)
    x_max = st_max[1] * r.dec_servers
    if x_max < rate:
        reason = "kv_slots" if r.kv_slots <= r.max_batch else "max_batch"
        return _point(r, "rate", rate, x_max, st_max, {}, math.inf, 1.0, False, ["unstable", reason])
    B = _bisect(lambda b: _state(r, b)[1] * r.dec_servers, 0.0, b_max, rate)
    return _open_tail(r, rate, _state(r, B), B)


def _open_tail(r: _Replica, rate, st, B):
    tau, _, _, s_p, _, _ = st
    rho = rate * s_p / r.pre_servers
    if rho >= 1.0:
        return _point(r, "rate", rate, r.pre_servers / s_p, st, {}, math.inf, 1.0, False, ["unstable", "prefill"])
    residual = min(1.0, B) * tau / 2.0 if r.disagg is None else 0.0
    # M/D/1 exactly; M/D/c by Allen-Cunneen (deterministic service, cs2 = 0)
    q = md1(rate, s_p) if r.pre_servers == 1 else ggc(rate, s_p, servers=r.pre_servers, ca2=1.0, cs2=0.0)
    ttft_q = {"p50": q.p50_s + residual, "p90": q.p90_s + residual, "p99": q.p99_s + residual}
    limits = ["prefill"] if rho >= 0.9 else []
    return _point(r, "rate", rate, rate, st, ttft_q, q.mean_time_s + residual, rho, True, limits)


# ------------------------------------------------------------------ public API
def _replica(model, device, kw) -> _Replica:
    return _Replica(model, device, **kw)


def _kw(tp=1, ep=1, precision="bf16", kv_precision=None, isl=1024, osl=256, max_batch=DEFAULT_MAX_BATCH,
        max_num_tokens=DEFAULT_MAX_NUM_TOKENS, chunked_prefill=False, kv_block_tokens=DEFAULT_KV_BLOCK_TOKENS,
        kv_reservation="full", memory_fraction=DEFAULT_MEMORY_FRACTION, compute_efficiency=None,
        memory_efficiency=None, step_overhead_s=None, speculation=None, link_bw=None,
        allreduce_latency_s=ALLREDUCE_LATENCY_S, disaggregation=None, per_sequence_overhead_s=0.0):
    return dict(tp=tp, ep=ep, precision=precision, kv_precision=kv_precision, isl=isl, osl=osl, max_batch=max_batch,
                max_num_tokens=max_num_tokens, chunked_prefill=chunked_prefill, kv_block_tokens=kv_block_tokens,
                kv_reservation=kv_reservation, memory_fraction=memory_fraction,
                compute_efficiency=compute_efficiency, memory_efficiency=memory_efficiency,
                step_overhead_s=step_overhead_s, speculation=speculation, link_bw=link_bw,
                allreduce_latency_s=allreduce_latency_s, disagg=disaggregation,
                per_sequence_overhead_s=per_sequence_overhead_s)


def serve_load_sweep(model, device, *, concurrency=None, rate=None, **options) -> list:
    """One `LoadPoint` per concurrency (closed loop: N users) or per request rate
    (open loop: Poisson, requests/s). Options as `serve_load`. Points are computed
    in one pass (mean-value analysis shares populations), so a sweep costs about
    one evaluation of its largest point."""
    if (concurrency is None) == (rate is None):
        raise PhysicsError("give exactly one of concurrency (users) or rate (requests/s)")
    values = concurrency if concurrency is not None else rate
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise PhysicsError(f"{'concurrency' if concurrency is not None else 'rate'} must be a number or a list "
                           f"of numbers, got {values!r}") from None
    if not values:
        raise PhysicsError("the load list is empty")
    r = _replica(model, device, _kw(**options))
    if concurrency is not None:
        ns = [A.integer("concurrency", v, lo=1, hi=1_000_000) for v in values]
        pts = _closed(r, ns)
        return [pts[n] for n in ns]
    return [_open(r, A.positive("rate", v)) for v in values]


def serve_load(model, device, *, concurrency=None, rate=None, **options) -> LoadPoint:
    """TTFT, ITL, E2E and throughput (mean, P50/P90/P99) of one model replica on `tp`
    GPUs of `device` under a closed-loop `concurrency` or an open-loop `rate`.

    Options (defaults): tp=1, ep=1, precision="bf16", kv_precision (weights' float
    format, else fp16), isl=1024, osl=256 (tokens in, out), max_batch=256,
    max_num_tokens=8192, chunked_prefill=False (chunks of max_num_tokens when True),
    kv_block_tokens=16, kv_reservation="full" | "on_demand" | "contiguous",
    memory_fraction=0.9, compute_efficiency / memory_efficiency / step_overhead_s
    (None: the engine's efficiency model), speculation=Speculation(...),
    disaggregation=Disaggregation(...), link_bw (per direction; default the device's
    scale-up link), allreduce_latency_s=6e-6. Raises PhysicsError when the model and
    one sequence's KV cache do not fit."""
    if concurrency is not None and isinstance(concurrency, (list, tuple)) or \
            rate is not None and isinstance(rate, (list, tuple)):
        raise PhysicsError("serve_load takes one load value; use serve_load_sweep for a list")
    return serve_load_sweep(model, device, concurrency=concurrency, rate=rate, **options)[0]


def kv_slots(model, device, *, tp=1, precision="bf16", kv_precision=None, isl=1024, osl=256,
             kv_block_tokens=DEFAULT_KV_BLOCK_TOKENS, kv_reservation="full",
             memory_fraction=DEFAULT_MEMORY_FRACTION, max_num_tokens=DEFAULT_MAX_NUM_TOKENS) -> int:
    """Sequences the paged KV cache admits at once (raises when not even one fits)."""
    return _replica(model, device, _kw(tp=tp, precision=precision, kv_precision=kv_precision, isl=isl, osl=osl,
                                       kv_block_tokens=kv_block_tokens, kv_reservation=kv_reservation,
                                       memory_fraction=memory_fraction, max_num_tokens=max_num_tokens)).kv_slots


def knee(points) -> LoadPoint | None:
    """The knee of a load sweep: the first point whose throughput reaches 90% of the
    sweep's best while its TTFT has at least doubled from the lightest load (None if
    the sweep never bends)."""
    pts = [p for p in points if p.stable]
    if len(pts) < 2:
        return None
    best = max(p.tokens_per_s for p in pts)
    base = pts[0].ttft_s["mean"]
    for p in pts:
        if p.tokens_per_s >= 0.9 * best and p.ttft_s["mean"] >= 2.0 * base:
            return p
    return None
