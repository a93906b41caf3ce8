"""Predictions behind the at-scale validation anchors (validation.py lists them):
NCCL bus bandwidth, Megatron-LM and Llama 3 training throughput and MFU, activation
memory. Each function runs the engine at its documented defaults on the published
configuration; nothing here is tuned to the measurement it is compared with."""
from __future__ import annotations

from .collectives import collective, p2p_time_s
from .parallel import activation_bytes_per_layer, train_step
from .workloads import Transformer

GiB = 2**30
KORTHIKANTI = ("Korthikanti et al. 2022, 'Reducing Activation Recomputation in Large Transformer Models' "
               "(arXiv:2205.05198), Tables 3 and 5: A100 80GB (Selene), TP 8, seq 2048, vocab 51200, microbatch 1 "
               "(22B: 4), interleaved m=3 for 175B/530B, no data parallelism")


def megatron_gpt(layers: int, hidden: int, heads: int, *, name: str = "") -> Transformer:
    """GPT-3-style model of the Megatron papers: GELU MLP of 4h, LayerNorm, biases,
    learned positions, tied embeddings, vocab 51,200, sequence 2,048."""
    return Transformer(id=f"megatron-gpt-{name or hidden}", name=f"Megatron GPT {name}", layers=layers,
                       hidden=hidden, heads=heads, kv_heads=heads, ffn=4 * hidden, vocab=51200, max_context=2048,
                       ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True, learned_positions=True,
                       published_params=0, sources=(KORTHIKANTI,))


GPT_22B = megatron_gpt(48, 6144, 64, name="22B")
GPT_175B = megatron_gpt(96, 12288, 96, name="175B")
GPT_530B = megatron_gpt(105, 20480, 128, name="530B")
GPT_1T = megatron_gpt(128, 25600, 160, name="1T")

# Korthikanti Table 3 (GPUs, pipeline stages, interleaving, global batch, microbatch)
KORTHIKANTI_CONFIGS = {
    "22B": (GPT_22B, dict(gpus=8, tp=8, pp=1, microbatch=4, global_batch_tokens=4 * 2048)),
    "175B": (GPT_175B, dict(gpus=64, tp=8, pp=8, virtual_stages=3, global_batch_tokens=64 * 2048)),
    "530B": (GPT_530B, dict(gpus=280, tp=8, pp=35, virtual_stages=3, global_batch_tokens=280 * 2048)),
    "1T": (GPT_1T, dict(gpus=512, tp=8, pp=64, global_batch_tokens=512 * 2048)),
}
# 2021-22 Megatron kernels: materialized attention scores, ZeRO-free data parallel with fp32 gradients
MEGATRON_2022 = dict(attention="materialized", cluster="dgx-a100", seq_len=2048, zero=0)


def korthikanti(size: str, recompute: str = "selective", **over):
    model, kw = KORTHIKANTI_CONFIGS[size]
    kw = dict(kw, **MEGATRON_2022)
    kw.update(over)
    return train_step(model, "a100-80gb", recompute=recompute, **kw)


def korthikanti_530b_dp8():
    """530B scaled to 8-way data parallelism (2,240 GPUs), batch per replica kept (Sec. 6.3)."""
    return korthikanti("530B", gpus=2240, global_batch_tokens=2240 * 2048)


def narayanan_1t():
    """Narayanan et al. 2021, Table 1: 1T GPT on 3,072 A100 (TP 8, PP 64, DP 6), batch 3,072, full
    recomputation, no sequence parallelism (it came later)."""
    return train_step(GPT_1T, "a100-80gb", gpus=3072, tp=8, pp=64, recompute="full", sequence_parallel=False,
                      global_batch_tokens=3072 * 2048, **MEGATRON_2022)


def mt_nlg_530b():
    """Smith et al. 2022 (MT-NLG): 530B on 2,240 A100, TP 8, PP 35, DP 8, batch 1,920, full recompute."""
    return train_step(GPT_530B, "a100-80gb", gpus=2240, tp=8, pp=35, recompute="full", sequence_parallel=False,
                      global_batch_tokens=1920 * 2048, **dict(MEGATRON_2022, zero=1))


def llama3_405b(gpus: int, *, cp: int = 1, seq_len: int = 8192, zero: int = 1):
    """Dubey et al. 2024, Table 4 and Sec. 3.3.2: TP 8, PP 16, 16M tokens per step, no activation
    checkpointing, interleaved pipeline with 128 chunks on 16 ranks (126 layers + embedding and output
    chunks: V = 8), FP32 gradient reduce-scatter, Meta's RoCE cluster."""
    return train_step("llama3-405b", "h100-sxm", gpus=gpus, tp=8, pp=16, cp=cp, seq_len=seq_len,
                      global_batch_tokens=16 * 2**20, zero=zero, recompute="none", virtual_stages=8,
                      cluster="meta-llama3-roce")


def activation_reduction_530b():
    """TP baseline activations over TP + SP + selective recompute (Korthikanti: ~5x)."""
    kw = dict(seq_len=2048, tp=8, attention="materialized")
    return activation_bytes_per_layer(GPT_530B, sequence_parallel=False, **kw) / activation_bytes_per_layer(
        GPT_530B, sequence_parallel=True, recompute="selective", **kw)


def nccl_busbw(op: str, gpus: int, size: float, **kw) -> float:
    """busbw (GB/s) the engine predicts for an nccl-tests run."""
    return collective(op, gpus=gpus, size_bytes=size, **kw).busbw / 1e9


def nccl_sendrecv_nvlink3(size: float = GiB) -> float:
    """GB/s of one GPU-to-GPU send over NVLink 3 (sendrecv_perf, busbw = algbw)."""
    return size / p2p_time_s(size, fabric="nvlink3") / 1e9
