"""Attention variants in the model registry: multi-head latent attention (DeepSeek-V2/V3)
and sliding-window attention (Mistral 7B v0.1, Gemma 2), tested against the papers'
own per-token KV figures, parameter counts and closed forms."""
from dataclasses import replace

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import serving


def test_deepseek_v3_mla_kv_per_token_exact():
    # DeepSeek-V3 report, section 4.2: d_c = 512, decoupled RoPE key d_h^R = 64, 61 layers;
    # MLA caches (d_c + d_h^R) x layers elements per token (DeepSeek-V2, Table 1)
    m = P.get_workload("deepseek-v3")
    assert m.kv_elements_per_token() == (512 + 64) * 61 == 35_136
    assert P.kv_cache_bytes(m, context=1, precision="bf16") == 70_272
    # vs the 2 x 128 heads x 128 x 61 a full multi-head cache of the same model would hold
    assert 2 * 128 * 128 * 61 / m.kv_elements_per_token() == pytest.approx(56.9, rel=1e-3)


def test_deepseek_v2_mla_equals_gqa_with_2_25_groups():
    # DeepSeek-V2, Table 1: MLA's cache (d_c + d_h^R) l = 9/2 d_h l, "equal to GQA with only 2.25 groups"
    m = P.get_workload("deepseek-v2")
    d_h, layers = 128, 60
    assert m.kv_elements_per_token() == 4.5 * d_h * layers == 2 * 2.25 * d_h * layers


def test_deepseek_v2_cuts_the_kv_cache_by_93_3_percent():
    # DeepSeek-V2 abstract: 93.3% smaller KV cache than DeepSeek 67B, with its cache
    # quantised to ~6 bits per element on average (section 3.2.3) against 16-bit GQA
    v2, dense = P.get_workload("deepseek-v2"), P.get_workload("deepseek-llm-67b")
    assert dense.kv_elements_per_token() == 2 * 95 * 8 * 128  # 95 layers, 8 KV heads (GQA)
    reduction = 1 - v2.kv_bytes_per_token(6 / 8) / dense.kv_bytes_per_token(2)
    assert reduction == pytest.approx(0.933, abs=5e-4)


@pytest.mark.parametrize("model_id,total,active", [("deepseek-v3", 671e9, 37e9), ("deepseek-v2", 236e9, 21e9)])
def test_deepseek_parameter_counts(model_id, total, active):
    m = P.get_workload(model_id)
    assert m.params == pytest.approx(total, rel=0.02)
    assert m.active_params == pytest.approx(active, rel=0.02)
    assert m.routed_expert_params > 0.9 * m.params  # memory holds every expert


def test_deepseek_v3_decode_reads_only_routed_experts():
    m = P.get_workload("deepseek-v3")
    e = P.estimate(m, "h200", phase="decode", batch=1, seq_len=4096, precision="fp8", n_devices=8)
    assert e.weights_bytes == pytest.approx(m.params)  # fp8: 1 byte per parameter, all experts resident
    assert e.bytes_moved < 0.1 * m.params  # ~37B active of 671B
    assert e.flops == pytest.approx(2 * m.matmul_params + m.attention_flops_per_key() * 4096)
    assert e.devices_needed == 6 and e.fits  # 671 GB > 5 x 141 GB x 0.9 usable


def test_mistral_rolling_buffer_is_8x_smaller_at_32k():
    # Mistral 7B, section 2: with W = 4096 the rolling buffer cache cuts cache memory 8x at 32k tokens
    m = P.get_workload("mistral-7b")
    full = m.kv_bytes_per_token(2) * 32768
    assert P.kv_cache_bytes(m, context=32768) * 8 == full
    assert P.kv_cache_bytes(m, context=4096) == m.kv_bytes_per_token(2) * 4096  # within the window: all kept
    assert P.kv_cache_bytes(m, context=30000) == P.kv_cache_bytes(m, context=8000)  # capped at the window


def test_gemma2_exact_parameters_and_half_windowed_cache():
    # Gemma 2, Table 2: embedding + non-embedding parameters
    assert P.get_workload("gemma2-9b").params == 917_962_752 + 8_324_201_984
    assert P.get_workload("gemma2-2b").params == 590_118_912 + 2_024_517_888
    m = P.get_workload("gemma2-9b")
    per_token = 2 * 42 * 8 * 256 * 2  # bf16, every layer
    assert m.kv_bytes_per_token(2) == per_token
    # alternating layers: 21 global keep 8192 tokens, 21 local keep 4096
    assert P.kv_cache_bytes(m, context=8192) == per_token * (21 * 8192 + 21 * 4096) / 42
    assert P.kv_cache_bytes(m, context=4096) == per_token * 4096


@pytest.mark.parametrize("model_id", ["mistral-7b", "gemma2-9b"])
def test_prefill_keys_closed_form_equals_the_sum(model_id):
    m = replace(P.get_workload(model_id), sliding_window=5)
    for s in (1, 4, 5, 6, 17):
        assert m.prefill_keys(s) == pytest.approx(sum(m.kv_context(i) for i in range(1, s + 1)))


def test_sliding_window_decode_stops_growing_past_the_window():
    kw = dict(phase="decode", batch=8, precision="bf16")
    a = P.estimate("mistral-7b", "h100-sxm", seq_len=8192, **kw)
    b = P.estimate("mistral-7b", "h100-sxm", seq_len=32768, **kw)
    assert a.kv_cache_bytes == b.kv_cache_bytes and a.itl_s == pytest.approx(b.itl_s)
    full = P.estimate("llama3-8b", "h100-sxm", seq_len=32768, **kw)  # same shape, full attention
    assert full.kv_cache_bytes == pytest.approx(8 * b.kv_cache_bytes)  # same 32 x 8 x 128 KV layout
    assert full.itl_s > b.itl_s


def test_window_lets_more_sequences_fit():
    n_window = P.max_concurrent_sequences("mistral-7b", "h100-sxm", context=32768)
    n_full = P.max_concurrent_sequences(replace(P.get_workload("mistral-7b"), sliding_window=0, local_layers=0),
                                        "h100-sxm", context=32768)
    assert n_window >= 7 * n_full and n_full >= 1


def test_sweep_equals_scalar_for_mla_and_windows():
    pytest.importorskip("numpy")
    models, ctx = ["mistral-7b", "gemma2-9b", "deepseek-v2"], [1024, 6000]
    out = P.sweep(devices=["mi300x"], models=models, batches=[1, 32], precisions=["fp8"], contexts=ctx)
    for j, m in enumerate(models):
        for k, b in enumerate([1, 32]):
            for q, c in enumerate(ctx):
                e = P.estimate(m, "mi300x", phase="decode", batch=b, seq_len=c, precision="fp8")
                assert out["itl_s"][0, j, k, 0, q] == pytest.approx(e.itl_s, rel=1e-9)
                assert out["memory_bytes"][0, j, k, 0, q] == pytest.approx(e.weights_bytes + e.kv_cache_bytes)


def test_core_terms_carry_the_window():
    t = serving.model_terms(P.get_workload("gemma2-9b"), "bf16")
    assert t["kv_global_fraction"] == 0.5 and t["kv_window"] == 4096
    assert serving.model_terms(P.get_workload("llama3-8b"), "bf16")["kv_global_fraction"] == 1.0
