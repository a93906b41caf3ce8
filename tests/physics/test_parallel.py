"""Distributed training: Korthikanti activation formulas, pipeline bubble, ZeRO sharding,
MFU/HFU, communication, the planner, input checks and properties."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsyslabs import physics as P
from mlsyslabs.physics.parallel import _Trainer, activation_bytes_per_layer, plan, train_step
from mlsyslabs.physics.workloads import Transformer

FAST = settings(max_examples=30, deadline=None)


def gpt(L, h, a, V=51200, s=2048):
    """GPT-3-style model as in Korthikanti et al. 2022, Table 3 (GELU 4h, LayerNorm, dropout)."""
    return Transformer(id=f"gpt-{h}", name="GPT", layers=L, hidden=h, heads=a, kv_heads=a, ffn=4 * h, vocab=V,
                       max_context=s, ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True,
                       learned_positions=True, published_params=0, sources=("Korthikanti et al. 2022, Table 3",))


GPT175 = gpt(96, 12288, 96)


# ------------------------------------------------------- Korthikanti Table 2, exactly
@pytest.mark.parametrize("t", [1, 2, 8])
def test_activation_memory_matches_korthikanti_table_2(t):
    s, b, h, a = 2048, 1, 12288, 96
    sbh = s * b * h
    kw = dict(seq_len=s, microbatch=b, tp=t, attention="materialized")
    base = activation_bytes_per_layer(GPT175, sequence_parallel=False, **kw)
    assert base == pytest.approx(sbh * (10 + 24 / t + 5 * a * s / (h * t)))
    if t == 1:
        assert base == pytest.approx(sbh * (34 + 5 * a * s / h))  # equation 1
    sp = activation_bytes_per_layer(GPT175, sequence_parallel=True, **kw)
    assert sp == pytest.approx(sbh * (34 / t + 5 * a * s / (h * t)))  # equation 4
    sel = activation_bytes_per_layer(GPT175, sequence_parallel=False, recompute="selective", **kw)
    assert sel == pytest.approx(sbh * (10 + 24 / t))
    both = activation_bytes_per_layer(GPT175, sequence_parallel=True, recompute="selective", **kw)
    assert both == pytest.approx(sbh * 34 / t)  # equation 6 per layer
    full = activation_bytes_per_layer(GPT175, sequence_parallel=False, recompute="full", **kw)
    assert full == pytest.approx(2 * sbh)


def test_selective_plus_sp_cuts_activations_about_5x():
    # Korthikanti et al. 2022 abstract: "reduces activation memory by 5x"
    for m in (gpt(96, 12288, 96), gpt(105, 20480, 128), gpt(128, 25600, 160)):
        kw = dict(seq_len=2048, tp=8, attention="materialized")
        ratio = activation_bytes_per_layer(m, sequence_parallel=False, **kw) / activation_bytes_per_layer(
            m, sequence_parallel=True, recompute="selective", **kw)
        assert 4.5 < ratio < 6


def test_flash_attention_stores_no_score_matrix_and_gqa_shrinks_kv():
    flash = activation_bytes_per_layer(GPT175, seq_len=2048, tp=8)
    sel = activation_bytes_per_layer(GPT175, seq_len=2048, tp=8, recompute="selective")
    assert flash == pytest.approx(sel, rel=1e-3)
    # Llama 3 405B, TP8 + SP, no dropout, SwiGLU: 31.75 s b h / t
    m = P.get_workload("llama3-405b")
    per = activation_bytes_per_layer(m, seq_len=8192, tp=8)
    assert per == pytest.approx(8192 * m.hidden / 8 * (12 + 2 * 2 * m.kv_heads * m.hd / m.hidden + 6 * m.ffn / m.hidden
                                                       + 4 * m.heads / m.hidden), rel=1e-9)


def test_interleaving_first_rank_holds_korthikanti_factor():
    # first pipeline rank holds L (1 + (p - 1) / (p v)) layers of activations (Sec. 4.2.3)
    m = P.get_workload("llama3-8b")  # no dropout: no embedding-mask term
    L, p, v = m.layers, 4, 2
    tr = _Trainer(m, "h100-sxm", seq_len=4096, precision="bf16", cluster=None, gpus_per_node=None,
                  attention="flash", dropout=None, tp_overlap="backward", dp_overlap=True,
                  grad_reduce_precision="fp32", memory_fraction=0.9)
    mem, *_ = tr.evaluate(gpus=32, tp=8, pp=p, dp=1, cp=1, ep=1, b=1, v=v, zero=1, rc="none", sp=True,
                          gbt=64 * 4096, memory_only=True)
    per = activation_bytes_per_layer(m, seq_len=4096, tp=8)
    assert mem["binding_stage"] == 0
    assert mem["activations"] == pytest.approx(L * (1 + (p - 1) / (p * v)) * per)
    # plain 1F1B: the first rank holds p microbatches of its L/p layers = L layers
    mem1, *_ = tr.evaluate(gpus=32, tp=8, pp=p, dp=1, cp=1, ep=1, b=1, v=1, zero=1, rc="none", sp=True,
                           gbt=64 * 4096, memory_only=True)
    assert mem1["activations"] == pytest.approx(L * per)


# ------------------------------------------------------- pipeline, ZeRO, FLOPs
@pytest.mark.parametrize("p,m,v", [(16, 16, 1), (16, 16, 5), (8, 64, 3), (1, 4, 1)])
def test_bubble_closed_form(p, m, v):
    assert P.pipeline_bubble_fraction(p, m, v) == pytest.approx((p - 1) / (v * m + p - 1))
    if p > 1:
        r = train_step("llama3-70b", "h100-sxm", gpus=8 * p, tp=8, pp=p, virtual_stages=v, seq_len=4096,
                       global_batch_tokens=m * 4096)
        assert r.bubble_fraction == pytest.approx((p - 1) / (v * m + p - 1))
        assert r.microbatches == m


def test_zero_stages_shard_states():
    kw = dict(gpus=64, tp=8, pp=1, seq_len=2048, recompute="full")
    mems = {z: train_step("llama3-70b", "h100-sxm", zero=z, **kw).memory for z in (0, 1, 2, 3)}
    P_local = mems[0]["weights"] / 2.0  # bf16 weights
    assert mems[0]["grads"] == pytest.approx(4 * P_local)  # fp32 main gradients
    assert mems[0]["optimizer"] == pytest.approx(12 * P_local)  # fp32 master + Adam m, v
    assert mems[1]["optimizer"] == pytest.approx(12 * P_local / 8)  # dp = 8
    assert mems[1]["grads"] == mems[0]["grads"]
    assert mems[2]["grads"] == pytest.approx(4 * P_local / 8)
    assert mems[3]["weights"] < mems[2]["weights"] / 4
    totals = [mems[z]["total"] for z in (0, 1, 2, 3)]
    assert totals == sorted(totals, reverse=True)


def test_llama3_405b_real_configuration_fits_in_80_gb():
    # Dubey et al. 2024: TP8 PP16 DP128 on 16,384 H100 at 8K tokens, 16M tokens per step, no activation
    # checkpointing, FSDP sharding optimizer states and gradients
    r = train_step("llama3-405b", "h100-sxm", gpus=16384, tp=8, pp=16, seq_len=8192,
                   global_batch_tokens=16 * 2**20, zero=2, recompute="none")
    assert r.memory_per_gpu_bytes < 80e9 and r.fits
    old = P.training_memory("llama3-405b", seq_len=8192).total_bytes / 16384  # no sharding: ~1.5 TB/GPU before
    assert r.memory_per_gpu_bytes < old / 10 or old < 80e9
    # recomputation only lowers memory
    rs = [train_step("llama3-405b", "h100-sxm", gpus=16384, tp=8, pp=16, seq_len=8192,
                     global_batch_tokens=16 * 2**20, zero=2, recompute=rc).memory["activations"]
          for rc in ("none", "selective", "full")]
    assert rs[0] >= rs[1] > rs[2]


def test_mfu_hfu_and_model_flops_convention():
    m = P.get_workload("llama3-70b")
    r = train_step(m, "h100-sxm", gpus=64, tp=8, pp=2, seq_len=4096, recompute="none")
    per_token = 6 * m.matmul_params + 12 * m.layers * m.heads * m.hd * 4096
    assert r.model_flops_per_step == pytest.approx(r.tokens_per_step * per_token)
    assert r.mfu == pytest.approx(r.model_flops_per_step / (r.step_time_s * 64 * P.get_device("h100-sxm").peak("bf16")))
    assert r.hfu == pytest.approx(r.mfu)
    full = train_step(m, "h100-sxm", gpus=64, tp=8, pp=2, seq_len=4096, recompute="full")
    assert full.hfu > full.mfu and full.step_time_s > r.step_time_s
    extra = full.hardware_flops_per_step / full.model_flops_per_step - 1
    assert 0.25 < extra < 0.34  # one more forward of the layers: ~1/3 of 6N
    assert r.tokens_per_s == pytest.approx(r.tokens_per_step / r.step_time_s)
    assert r.model_tflops_per_gpu == pytest.approx(r.mfu * 989.4, rel=1e-3)


def test_communication_is_reported_per_kind():
    r = train_step("mixtral-8x7b", "h100-sxm", gpus=128, tp=2, pp=2, cp=2, ep=8, seq_len=32768,
                   global_batch_tokens=2**22)
    for kind in ("tp", "cp", "ep", "pp", "dp"):
        assert r.comm_time_s[kind] > 0, kind
        assert 0 <= r.comm_exposed_s[kind] <= r.comm_time_s[kind] * (1 + 1e-9), kind
    single = train_step("llama3-8b", "h100-sxm", gpus=1, seq_len=2048)
    assert all(v == 0 for v in single.comm_time_s.values())


def test_faster_network_and_nvlink_never_slower():
    slow = train_step("llama3-70b", "a100-80gb", gpus=256, tp=8, pp=4, seq_len=4096)
    fast = train_step("llama3-70b", "a100-80gb", gpus=256, tp=8, pp=4, seq_len=4096, cluster="dgx-h100")
    assert fast.step_time_s < slow.step_time_s  # same A100s, NVLink 4 + NDR instead of NVLink 3 + HDR


def test_tp_overlap_and_dp_overlap_only_help():
    kw = dict(gpus=128, tp=8, pp=2, seq_len=4096)
    none = train_step("llama3-70b", "h100-sxm", tp_overlap="none", dp_overlap=False, **kw).step_time_s
    bwd = train_step("llama3-70b", "h100-sxm", **kw).step_time_s
    full = train_step("llama3-70b", "h100-sxm", tp_overlap="full", **kw).step_time_s
    assert full <= bwd <= none


# ------------------------------------------------------- planner
def test_planner_returns_fitting_configs_fastest_first():
    p = plan("llama3-8b", "h100-sxm", gpus=64, seq_len=4096)
    assert p.candidates and p.fit >= len(p.candidates) and p.searched >= p.fit
    per_token = [c.step_time_s / c.tokens_per_step for c in p.candidates]
    assert per_token == sorted(per_token)
    for c in p.candidates:
        cfg = c.config
        assert c.fits and cfg["tp"] * cfg["pp"] * cfg["dp"] * cfg["cp"] == 64
    best = p.candidates[0]
    hand = train_step("llama3-8b", "h100-sxm", gpus=64, tp=8, pp=1, seq_len=4096, zero=1)
    assert best.step_time_s / best.tokens_per_step <= hand.step_time_s / hand.tokens_per_step


def test_planner_405b_on_16k_gpus_finds_a_fit_no_better_than_physics_allows():
    p = plan("llama3-405b", "h100-sxm", gpus=16384, seq_len=8192, global_batch_tokens=16 * 2**20, top=3)
    assert p.candidates and all(c.fits for c in p.candidates)
    real = train_step("llama3-405b", "h100-sxm", gpus=16384, tp=8, pp=16, seq_len=8192,
                      global_batch_tokens=16 * 2**20, zero=2, recompute="none")
    assert p.candidates[0].step_time_s / p.candidates[0].tokens_per_step <= \
        real.step_time_s / real.tokens_per_step
    assert all(c.mfu < 0.75 for c in p.candidates)


def test_planner_reports_when_nothing_fits():
    p = plan("llama3-405b", "l4", gpus=8, seq_len=4096)
    assert p.candidates == [] and p.fit == 0


# ------------------------------------------------------- input checks
@pytest.mark.parametrize("kw,needle", [
    (dict(gpus=0), "gpus"), (dict(gpus=8.0), "gpus"), (dict(gpus=True), "gpus"), (dict(gpus="8"), "gpus"),
    (dict(gpus=12, tp=8), "multiple of tp"), (dict(gpus=9, tp=3), "tp must divide"),
    (dict(gpus=8, dp=2), "tp x pp x cp x dp"), (dict(gpus=8, ep=2), "ep must be 1"),
    (dict(gpus=8, zero=4), "zero must be"), (dict(gpus=8, zero="1"), "zero must be"),
    (dict(gpus=8, recompute="some"), "recompute must be"), (dict(gpus=8, precision="fp7"), "precision"),
    (dict(gpus=8, precision="int4"), "for training"),
    (dict(gpus=8, seq_len=10**7), "seq_len must be <="), (dict(gpus=8, seq_len=-1), "seq_len"),
    (dict(gpus=8, global_batch_tokens=float("nan")), "global_batch_tokens"),
    (dict(gpus=8, global_batch_tokens=-5), "global_batch_tokens"),
    (dict(gpus=8, global_batch_tokens=float("inf")), "global_batch_tokens"),
    (dict(gpus=8, dp=8, global_batch_tokens=1000, seq_len=2048), "global_batch_tokens must be >="),
    (dict(gpus=8, pp=2, virtual_stages=40), "virtual_stages"), (dict(gpus=8, virtual_stages=2), "needs pp > 1"),
    (dict(gpus=8, microbatch=0), "microbatch"), (dict(gpus=8, memory_fraction=1.5), "memory_fraction"),
    (dict(gpus=8, cluster="dgx-z"), "cluster"), (dict(gpus=8, attention="paged"), "attention"),
    (dict(gpus=8, compute_efficiency=float("nan")), "compute_efficiency"),
])
def test_train_step_rejects_bad_input(kw, needle):
    with pytest.raises(P.PhysicsError, match=needle):
        train_step("llama3-8b", "h100-sxm", **kw)


def test_non_transformers_and_unknown_ids_rejected():
    with pytest.raises(P.PhysicsError, match="transformer"):
        train_step("resnet50", "h100-sxm", gpus=8)
    with pytest.raises(P.UnknownIdError):
        train_step("llama-3-8b", "h100-sxm", gpus=8)
    with pytest.raises(P.PhysicsError, match="top"):
        plan("llama3-8b", "h100-sxm", gpus=8, top=0)
    with pytest.raises(P.PhysicsError, match="microbatch"):
        P.activation_bytes_per_layer("llama3-8b", seq_len=128, microbatch=-1)


# ------------------------------------------------------- properties
cfg = st.fixed_dictionaries({
    "model": st.sampled_from(["llama3-8b", "llama2-13b", "mixtral-8x7b", "gpt2-xl"]),
    "device": st.sampled_from(["h100-sxm", "a100-80gb", "b200", "mi300x", "l40s"]),
    "tp": st.sampled_from([1, 2, 4]), "pp": st.sampled_from([1, 2, 4]), "dp": st.sampled_from([1, 2, 8]),
    "microbatch": st.integers(1, 4), "zero": st.sampled_from([0, 1, 2, 3]),
    "recompute": st.sampled_from(["none", "selective", "full"]), "seq_len": st.sampled_from([256, 1024]),
    "extra_mb": st.integers(1, 8),
})


def _train(c, **over):
    m = P.get_workload(c["model"])
    tp = c["tp"] if m.heads % c["tp"] == 0 else 1
    gpus = tp * c["pp"] * c["dp"]
    gbt = c["dp"] * c["microbatch"] * c["seq_len"] * c["extra_mb"]
    kw = dict(gpus=gpus, tp=tp, pp=c["pp"], microbatch=c["microbatch"], zero=c["zero"], recompute=c["recompute"],
              seq_len=c["seq_len"], global_batch_tokens=gbt)
    kw.update(over)
    return train_step(c["model"], c["device"], **kw)


@FAST
@given(cfg)
def test_outputs_finite_non_negative_and_bounded(c):
    r = _train(c)
    for v in (r.step_time_s, r.tokens_per_s, r.mfu, r.hfu, r.memory_per_gpu_bytes, r.bubble_fraction,
              *r.comm_time_s.values(), *r.comm_exposed_s.values(), *r.breakdown_s.values(),
              *(x for x in r.memory.values())):
        assert math.isfinite(v) and v >= 0
    assert 0 < r.mfu <= r.hfu + 1e-12 and r.hfu < 1


@FAST
@given(cfg, st.floats(1.05, 3))
def test_more_gemm_efficiency_never_slower(c, factor):
    from mlsyslabs.physics.parallel import kernel_efficiency

    base = kernel_efficiency(c["device"]).gemm
    hi = min(1.0, base * factor)
    assert _train(c, compute_efficiency=hi).step_time_s <= _train(c, compute_efficiency=base).step_time_s * (1 + 1e-9)


@FAST
@given(cfg)
def test_more_microbatches_shrink_the_bubble_and_raise_throughput(c):
    a = _train(c)
    b = _train(dict(c, extra_mb=c["extra_mb"] * 2))
    assert b.bubble_fraction <= a.bubble_fraction
    assert b.tokens_per_s >= a.tokens_per_s * (1 - 1e-9)


def test_at_scale_validation_anchors_are_registered():
    from mlsyslabs.physics.validation import ANCHORS

    ids = {a.id for a in ANCHORS}
    for prefix in ("nccl-allreduce-8xh100", "nccl-allreduce-4x8", "korthikanti-175b-mfu", "korthikanti-1t-full",
                   "narayanan-1t", "llama3-405b-16k-gpus-parallel", "mt-nlg-530b", "llama3-405b-memory"):
        assert any(i.startswith(prefix) for i in ids), prefix


@pytest.mark.parametrize("model,ep", [("mixtral-8x7b", 8), ("deepseek-v3", 16), ("deepseek-v2", 8)])
def test_moe_weights_per_gpu_hold_one_ep_share_of_routed_experts(model, ep):
    m = P.get_workload(model)
    r = train_step(model, "h100-sxm", gpus=ep, ep=ep, seq_len=1024, zero=0, global_batch_tokens=ep * 1024)
    local = m.params - m.routed_expert_params * (1 - 1 / ep)
    assert r.memory["weights"] == pytest.approx(2 * local, rel=1e-9)
    assert r.comm_time_s["ep"] > 0


def test_mla_and_sliding_window_flops_follow_the_registry():
    for model, s in (("deepseek-v2", 4096), ("gemma2-9b", 8192)):
        m = P.get_workload(model)
        r = train_step(model, "h100-sxm", gpus=8, seq_len=s, global_batch_tokens=8 * s, recompute="none")
        keys = m.kv_context(s)
        per_token = 6 * m.matmul_params + 3 * m.attention_flops_per_key() * keys
        assert r.model_flops_per_step == pytest.approx(r.tokens_per_step * per_token)
    # windows cut the attention the kernel executes: Gemma 2's local layers see 4K keys at most
    g = P.get_workload("gemma2-9b")
    assert g.prefill_keys(8192) / 8192 < (8192 + 1) / 2


@FAST
@given(st.integers(1, 128), st.integers(1, 1024), st.integers(1, 16),
       st.sampled_from(["llama3-8b", "gpt3-175b", "mixtral-8x7b", "deepseek-v2", "gemma2-9b"]),
       st.sampled_from([1, 2, 4, 8]), st.sampled_from(["none", "selective", "full"]), st.integers(1, 2048))
def test_bubble_and_activation_bytes_are_bounded(p, m, v, model, t, rc, s):
    f = P.pipeline_bubble_fraction(p, m, v)
    assert 0 <= f < 1
    mdl = P.get_workload(model)
    if mdl.heads % t == 0:
        a = P.activation_bytes_per_layer(model, seq_len=s, tp=t, recompute=rc)
        assert math.isfinite(a) and a > 0


@pytest.mark.parametrize("bad", [0, -1, 2.5, float("nan"), "4", None])
def test_bubble_rejects_bad_input(bad):
    with pytest.raises(P.PhysicsError):
        P.pipeline_bubble_fraction(bad, 8)
    with pytest.raises(P.PhysicsError):
        P.pipeline_bubble_fraction(4, bad)
