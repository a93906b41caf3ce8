"""Per-token compute signatures of architectures: how a transformer's forward FLOPs
split between its linear layers (weights: constant per token) and attention (grows
with the context), and the context at which attention overtakes the linear layers.

For a plain multi-head transformer layer of width d with a 4d FFN the linear layers
cost 2 x 12 d^2 FLOPs per token and attention 4 d n at context n, so the two are equal
at n = 6 d (Kaplan et al. 2020, 'Scaling Laws for Neural Language Models',
arXiv:2001.08361, Table 1: C_forward = 2N + 2 n_layer n_ctx d_attn). The functions
below use the registry model's exact matmul parameters and attention shape instead of
that approximation."""
from __future__ import annotations

import math

from .errors import PhysicsError, check_positive
from .workloads import Transformer, get_workload


def _transformer(model) -> Transformer:
    m = get_workload(model)
    if not isinstance(m, Transformer):
        raise PhysicsError(f"model {m.id!r} is a {m.kind}: attention FLOPs need a transformer")
    return m


def flops_split_per_token(model, context: float) -> dict:
    """Forward FLOPs of one token attending to `context` keys, split into 'linear'
    (2 x matmul parameters: projections, FFN/experts, output head) and 'attention'
    (QK^T and AV: attention_flops_per_key x cached keys), with 'attention_share'."""
    m = _transformer(model)
    check_positive("context", context, allow_zero=True)
    linear = 2.0 * m.matmul_params
    attention = m.attention_flops_per_key() * m.kv_context(context)
    return {"linear": linear, "attention": attention, "total": linear + attention,
            "attention_share": attention / (linear + attention)}


def attention_crossover_context(model) -> float:
    """Context (tokens) at which a token's attention FLOPs equal its linear-layer FLOPs:
    2 x matmul_params / attention_flops_per_key for full attention. With sliding-window
    layers (a share g of global layers) the cached keys are g C + (1 - g) min(C, w), so
    the crossover is (k - (1 - g) w) / g once k = 2 N_matmul / a exceeds w, and
    math.inf when every layer is windowed and the window caps attention below it."""
    m = _transformer(model)
    k = 2.0 * m.matmul_params / m.attention_flops_per_key()
    if not m.sliding_window or k <= m.sliding_window:
        return k
    g = m.global_fraction
    if g == 0:
        return math.inf
    return (k - (1.0 - g) * m.sliding_window) / g
