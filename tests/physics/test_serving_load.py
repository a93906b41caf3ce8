"""Serving under load: closed-loop and open-loop continuous batching, KV-slot admission,
interference, chunked prefill, tensor/expert parallel communication, speculative
decoding, disaggregation; checks against hand calculations and published sweeps."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import serving_load as SL
from mlsyslabs.physics.serving import decode_core, model_terms, prefill_core

NIM = dict(tp=2, precision="fp8", isl=5000, osl=500)  # NIM 1.8.0, Llama-3.3-70B, 2x H100 TP2
NIM_SWEEP = {1: (406.77, 18.58, 51.67), 5: (546.7, 21.83, 218.48), 25: (688.69, 38.75, 623.4),
             50: (834.51, 59.73, 814.37), 100: (7996.25, 92.91, 917.26), 250: (88605.32, 93.2, 920.12)}


def test_kv_slots_are_paged_blocks_of_the_free_memory():
    n = SL.kv_slots("llama3-70b", "h100-sxm", tp=2, precision="fp8", isl=5000, osl=500)
    m = P.get_workload("llama3-70b")
    workspace = P.activation_bytes_inference(m, batch=1, seq_len=5000, precision="fp8")
    free = 2 * 80e9 * 0.9 - m.params * 1.0 - workspace
    per_seq = math.ceil(5500 / 16) * 16 * 163840  # 344 blocks of 16 tokens, fp8 KV
    assert n == int(free // per_seq) == 81
    # reserving the whole context (pre-paging allocators) admits far fewer
    assert SL.kv_slots("llama3-70b", "h100-sxm", tp=2, precision="fp8", isl=5000, osl=500,
                       kv_reservation="contiguous") < n // 20
    assert SL.kv_slots("llama3-70b", "h100-sxm", tp=2, precision="fp8", isl=5000, osl=500,
                       kv_reservation="on_demand") > n


def test_every_serving_function_checks_the_model_fits():
    with pytest.raises(P.PhysicsError, match="does not fit"):
        SL.serve_load("llama3-405b", "h100-sxm", precision="fp16", concurrency=1)
    with pytest.raises(P.PhysicsError, match="does not fit"):
        SL.kv_slots("llama3-70b", "h100-sxm", precision="bf16")


def test_single_user_is_one_request_physics():
    """N = 1, tp = 1, no overheads: ITL is one decode step, TTFT one prefill."""
    p = SL.serve_load("llama3-8b", "h100-sxm", precision="bf16", isl=1000, osl=200, concurrency=1,
                      step_overhead_s=0.0)
    terms = model_terms(P.get_workload("llama3-8b"), "bf16")
    common = dict(peak_flops=989.4e12, memory_bw=3.35e12, compute_efficiency=0.5, memory_efficiency=0.8)
    t_dec = decode_core(batch=1, context=1100, **terms, **common)[0]
    pre = prefill_core(weight_bytes=8_030_261_248 * 2, matmul_params=terms["matmul_params"],
                       kv_bytes_per_token=terms["kv_bytes_per_token"], attn_flops_per_key=terms["attn_flops_per_key"],
                       batch=1, seq_len=1000, **common)[0]
    assert p.itl_s["mean"] == pytest.approx(t_dec, rel=0.02)
    assert p.ttft_s["mean"] == pytest.approx(pre, rel=0.05)
    assert p.tokens_per_s == pytest.approx(200 / (p.ttft_s["mean"] + 199 * p.itl_s["mean"]), rel=1e-6)


def test_littles_law_holds_at_every_concurrency():
    for p in SL.serve_load_sweep("llama3-70b", "h100-sxm", concurrency=[1, 7, 40, 90, 300], **NIM):
        cycle = p.ttft_s["mean"] + (500 - 1) * p.itl_s["mean"]
        assert p.load == pytest.approx(p.requests_per_s * cycle, rel=1e-6)


def test_prompt_bound_loads_never_exceed_the_prompt_queue_and_keep_littles_law():
    """Short outputs behind long (or many) prompts: the prompt queue is the bottleneck.
    Throughput rises to its capacity and stays there (found by the property test: a 3x
    collapse when each prompt's slack was counted once per prompt, and a small population
    running the queue above 100%)."""
    for kw in (dict(precision="bf16", isl=100, osl=5, chunked_prefill=True), dict(precision="fp8", isl=6000, osl=2)):
        pts = SL.serve_load_sweep("mistral-7b", "h200", concurrency=[1, 2, 8, 64, 128, 259, 400], **kw)
        for a, b in zip(pts, pts[1:]):
            assert b.tokens_per_s >= a.tokens_per_s * 0.99
            assert b.ttft_s["mean"] >= a.ttft_s["mean"]
        for p in pts:
            assert p.prefill_utilization <= 1.0 + 1e-9
            cycle = p.ttft_s["mean"] + (kw["osl"] - 1) * p.itl_s["mean"]
            assert p.load == pytest.approx(p.requests_per_s * cycle, rel=1e-6)
        assert "prefill" in pts[-1].limits_hit


def test_load_sweep_shows_the_knee_at_the_kv_slot_limit():
    pts = SL.serve_load_sweep("llama3-70b", "h100-sxm", concurrency=[1, 5, 25, 50, 100, 150, 250], **NIM)
    assert [p.limits_hit for p in pts[:4]] == [()] * 4
    assert all("kv_slots" in p.limits_hit for p in pts[4:])
    # throughput saturates; TTFT grows linearly in the users waiting for a slot
    assert pts[-1].tokens_per_s == pytest.approx(pts[-2].tokens_per_s)
    assert pts[-1].ttft_s["mean"] - pts[-2].ttft_s["mean"] == pytest.approx(100 / pts[-1].requests_per_s, rel=1e-6)
    k = SL.knee(pts)
    assert k is not None and k.load == 50  # 90% of the best throughput, TTFT doubled: the bend before the wall


def test_more_load_never_lowers_latency():
    pts = SL.serve_load_sweep("llama3-70b", "h100-sxm", concurrency=list(range(1, 130, 8)), **NIM)
    for a, b in zip(pts, pts[1:]):
        assert b.ttft_s["mean"] >= a.ttft_s["mean"] * (1 - 1e-9)
        assert b.itl_s["mean"] >= a.itl_s["mean"] * (1 - 1e-9)
        assert b.tokens_per_s >= a.tokens_per_s * (1 - 1e-9)
        for q in ("p50", "p90", "p99"):
            assert b.itl_s[q] >= a.itl_s[q] * (1 - 1e-9)
    rates = SL.serve_load_sweep("llama3-8b", "h100-sxm", precision="fp8", isl=1000, osl=200,
                                rate=[1, 5, 10, 20, 40, 60])
    for a, b in zip(rates, rates[1:]):
        assert b.ttft_s["p99"] >= a.ttft_s["p99"] and b.itl_s["mean"] >= a.itl_s["mean"]
    for p in pts + rates:
        assert p.ttft_s["p50"] <= p.ttft_s["p90"] <= p.ttft_s["p99"]
        assert p.itl_s["p50"] <= p.itl_s["p90"] <= p.itl_s["p99"]


def test_open_loop_overload_is_unstable_not_a_number():
    p = SL.serve_load("llama3-70b", "h100-sxm", rate=50.0, **NIM)
    assert not p.stable and "unstable" in p.limits_hit and math.isinf(p.ttft_s["p99"])
    assert p.to_dict()["ttft_s"]["p99"] is None  # JSON-safe
    assert p.tokens_per_s < 50 * 500  # what the replica sustains, not what was offered


def test_open_and_closed_loop_agree_at_the_same_throughput():
    c = SL.serve_load("llama3-70b", "h100-sxm", concurrency=25, **NIM)
    o = SL.serve_load("llama3-70b", "h100-sxm", rate=c.requests_per_s, **NIM)
    # a closed loop's request never waits on its own prompt: it sees (N - 1)/N of the prompt stream
    assert c.itl_s["mean"] <= o.itl_s["mean"] == pytest.approx(c.itl_s["mean"], rel=0.1)
    assert o.running_batch == pytest.approx(c.running_batch, rel=0.1)


def test_prefill_interference_and_chunking():
    base = dict(precision="fp8", isl=4000, osl=300)
    one = SL.serve_load("llama3-8b", "h100-sxm", concurrency=32, **base)
    alone = SL.serve_load("llama3-8b", "h100-sxm", concurrency=1, **base)
    assert one.itl_s["mean"] > 1.5 * one.decode_step_s  # prompts stall the decoders' iterations
    assert one.itl_token_s["p99"] > 3 * one.itl_token_s["p50"]  # a prompt-carrying iteration is long
    chunked = SL.serve_load("llama3-8b", "h100-sxm", concurrency=32, chunked_prefill=True, max_num_tokens=512,
                            **base)
    assert chunked.assumptions["prompt_chunks"] == 8
    assert chunked.itl_token_s["p99"] < one.itl_token_s["p99"] / 3  # stalls are shorter...
    assert chunked.ttft_s["mean"] > one.ttft_s["mean"]  # ...and the prompt takes longer
    assert alone.itl_s["p99"] == pytest.approx(alone.itl_s["p50"])


def test_tensor_parallel_communication_per_token():
    ideal = SL.serve_load("llama3-70b", "h100-sxm", concurrency=1, allreduce_latency_s=0.0, link_bw=1e18, **NIM)
    real = SL.serve_load("llama3-70b", "h100-sxm", concurrency=1, **NIM)
    alpha = 6e-6 * 2 * 80  # two all-reduces per layer, 80 layers, log2(2) = 1
    beta = 2 * 80 * 8192 * 2 / (450e9 * 0.8)  # one token's activations each time
    assert real.itl_s["mean"] - ideal.itl_s["mean"] == pytest.approx(alpha + beta, rel=1e-2)
    moe = SL.serve_load("mixtral-8x7b", "h100-sxm", tp=2, ep=2, precision="fp8", isl=1000, osl=100, concurrency=8)
    dense = SL.serve_load("mixtral-8x7b", "h100-sxm", tp=2, ep=1, precision="fp8", isl=1000, osl=100, concurrency=8)
    assert moe.stable and moe.itl_s["mean"] != dense.itl_s["mean"]
    with pytest.raises(P.PhysicsError, match="mixture-of-experts"):
        SL.serve_load("llama3-70b", "h100-sxm", ep=2, concurrency=1, **NIM)


def test_speculative_decoding_formula_and_effect():
    assert SL.expected_tokens_per_step(0.0, 4) == 1.0
    assert SL.expected_tokens_per_step(1.0, 4) == 5.0
    assert SL.expected_tokens_per_step(0.8, 4) == pytest.approx((1 - 0.8 ** 5) / 0.2)
    # Leviathan et al. 2023, Thm 3.8: a = 0.8, g = 5, c = 0.05 -> 3.69/1.25 ~ 2.95x
    assert SL.speculative_speedup(0.8, 5, 0.05) == pytest.approx((1 - 0.8 ** 6) / 0.2 / 1.25)
    base = dict(precision="fp8", isl=1000, osl=300, concurrency=1)
    plain = SL.serve_load("llama3-70b", "h100-sxm", tp=2, **base)
    good = SL.serve_load("llama3-70b", "h100-sxm", tp=2, speculation=SL.Speculation("llama3-8b", 4, 0.8), **base)
    bad = SL.serve_load("llama3-70b", "h100-sxm", tp=2, speculation=SL.Speculation("llama3-8b", 4, 0.0), **base)
    assert good.itl_s["mean"] < 0.6 * plain.itl_s["mean"] < bad.itl_s["mean"]


def test_disaggregated_prefill_removes_interference_and_ships_the_kv_cache():
    colo = SL.serve_load("llama3-70b", "h100-sxm", concurrency=40, **NIM)
    dis = SL.serve_load("llama3-70b", "h100-sxm", concurrency=40,
                        disaggregation=SL.Disaggregation(prefill_instances=1, decode_instances=1), **NIM)
    assert dis.gpus == 4 and colo.gpus == 2
    assert dis.itl_s["mean"] < 0.6 * colo.itl_s["mean"]
    assert dis.itl_s["p99"] == pytest.approx(dis.itl_s["p50"])  # no prompt ever joins a decode iteration
    transfer = 5000 * 163840 / (2 * 50e9)
    assert dis.prefill_s > transfer and dis.ttft_s["p50"] >= dis.prefill_s


def test_published_load_sweep_llama33_70b_nim():
    """NVIDIA NIM 1.8.0 benchmark (docs.nvidia.com/nim/benchmarking/llm, Performance):
    Llama-3.3-70B FP8, 2x H100 TP2, 5000 in / 500 out. Engine defaults, nothing tuned."""
    pts = SL.serve_load_sweep("llama3-70b", "h100-sxm", concurrency=list(NIM_SWEEP), **NIM)
    for p in pts:
        ttft, itl, tput = NIM_SWEEP[p.load]
        assert p.itl_s["mean"] * 1e3 == pytest.approx(itl, rel=0.25)
        assert p.tokens_per_s == pytest.approx(tput, rel=0.25)
        assert p.ttft_s["mean"] * 1e3 == pytest.approx(ttft, rel=0.40)


@pytest.mark.parametrize("kw,match", [
    (dict(isl=0), "isl"), (dict(osl=1.5), "osl"), (dict(tp=0), "tp"), (dict(tp=2, ep=3), "ep"),
    (dict(kv_reservation="lazy"), "kv_reservation"), (dict(max_batch=True), "max_batch"),
    (dict(precision="fp7"), "precision"), (dict(memory_fraction=1.5), "memory_fraction"),
    (dict(per_sequence_overhead_s=-1.0), "per_sequence_overhead_s"), (dict(chunked_prefill="yes"), "chunked_prefill"),
    (dict(isl=10 ** 6), "max context"), (dict(compute_efficiency=float("nan")), "compute_efficiency")])
def test_bad_options_name_the_argument(kw, match):
    with pytest.raises(P.PhysicsError, match=match):
        SL.serve_load("llama3-8b", "h100-sxm", concurrency=4, **kw)


def test_load_arguments_are_checked():
    with pytest.raises(P.PhysicsError, match="exactly one"):
        SL.serve_load_sweep("llama3-8b", "h100-sxm", concurrency=[1], rate=[1.0])
    with pytest.raises(P.PhysicsError, match="concurrency"):
        SL.serve_load("llama3-8b", "h100-sxm", concurrency=0)
    with pytest.raises(P.PhysicsError, match="rate"):
        SL.serve_load("llama3-8b", "h100-sxm", rate=float("inf"))
    with pytest.raises(P.PhysicsError, match="transformer"):
        SL.serve_load("resnet50", "h100-sxm", concurrency=1)
    with pytest.raises(P.PhysicsError, match="acceptance_rate"):
        SL.serve_load("llama3-8b", "h100-sxm", concurrency=1, speculation=SL.Speculation("llama3-8b", 4, 1.2))
