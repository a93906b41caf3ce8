"""Per-token FLOP split of transformers and the attention crossover, by hand."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics.architectures import attention_crossover_context, flops_split_per_token
from mlsyslabs.physics.errors import PhysicsError


def test_llama3_8b_crossover_by_hand():
    # Llama 3 8B: 32 layers, 32 heads of 128; linear = 2 x (params - embedding lookup), head untied
    t = P.get_workload("llama3-8b")
    matmul = t.params - 128256 * 4096
    per_key = 4 * 32 * 32 * 128
    assert attention_crossover_context("llama3-8b") == pytest.approx(2 * matmul / per_key)
    s = flops_split_per_token("llama3-8b", 2 * matmul / per_key)
    assert s["attention"] == pytest.approx(s["linear"]) and s["attention_share"] == pytest.approx(0.5)


def test_crossover_is_about_six_times_the_width_for_a_plain_transformer():
    # Kaplan et al. 2020: 24 d^2 per layer of linear FLOPs vs 4 d n of attention -> n = 6 d (plus the head)
    for mid in ("gpt2-small", "bert-base", "llama2-7b"):
        t = P.get_workload(mid)
        assert 5 * t.hidden < attention_crossover_context(mid) < 9 * t.hidden


def test_split_grows_linearly_with_context():
    a, b = flops_split_per_token("gpt2-small", 1000), flops_split_per_token("gpt2-small", 2000)
    assert b["attention"] == pytest.approx(2 * a["attention"]) and b["linear"] == a["linear"]


def test_sliding_window_caps_attention():
    t = P.get_workload("mistral-7b")
    k = 2 * t.matmul_params / t.attention_flops_per_key()
    c = attention_crossover_context("mistral-7b")
    if t.global_fraction == 0:
        assert k > t.sliding_window and math.isinf(c)
    big = flops_split_per_token("mistral-7b", 32768)["attention"]
    assert big == pytest.approx(t.attention_flops_per_key() * t.kv_context(32768))


def test_moe_crossover_uses_active_weights():
    t = P.get_workload("mixtral-8x7b")
    assert attention_crossover_context("mixtral-8x7b") == pytest.approx(2 * t.matmul_params
                                                                        / t.attention_flops_per_key())
    assert t.matmul_params < t.params / 3


def test_cnn_has_no_attention():
    with pytest.raises(PhysicsError):
        attention_crossover_context("resnet50")
    with pytest.raises(PhysicsError):
        flops_split_per_token("llama3-8b", -1)
