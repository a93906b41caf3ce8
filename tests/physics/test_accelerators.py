"""v1.11's engine pieces: a hypothetical part with scaled peaks (what_if_device) and the
batch at which a GEMM crosses a device's ridge point (frameworks.gemm_ridge_rows)."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import frameworks as F
from mlsyslabs.physics.devices import what_if_device


def test_what_if_device_scales_every_peak_and_only_the_bandwidth():
    h = P.get_device("h100-sxm")
    w = what_if_device("h100-sxm", compute_scale=2, bandwidth_scale=1.5)
    assert w.peak_flops == {p: 2 * v for p, v in h.peak_flops.items()}
    assert w.sparse_peak_flops == {p: 2 * v for p, v in h.sparse_peak_flops.items()}
    assert w.memory_bw == 1.5 * h.memory_bw
    assert (w.memory_bytes, w.tdp_w, w.price_per_hour, w.device_class) == (
        h.memory_bytes, h.tdp_w, h.price_per_hour, h.device_class)
    assert "hypothetical" in w.name and w.id != h.id
    assert what_if_device("h100-sxm") is h
    assert w.ridge_point == pytest.approx(h.ridge_point * 2 / 1.5)


def test_what_if_device_rejects_non_positive_scales():
    with pytest.raises(P.PhysicsError, match="compute_scale"):
        what_if_device("h100-sxm", compute_scale=0)
    with pytest.raises(P.PhysicsError, match="bandwidth_scale"):
        what_if_device("h100-sxm", bandwidth_scale=-1)


def test_decode_ignores_doubled_flops_at_batch_one():
    """Batch-1 decode reads every weight per token: twice the FLOP/s changes nothing,
    1.43x the bandwidth (the H200's) gives nearly 1.43x."""
    kw = dict(phase="decode", batch=1, seq_len=2048, precision="bf16")
    base = P.estimate("llama3-8b", "h100-sxm", **kw)
    fast = P.estimate("llama3-8b", what_if_device("h100-sxm", compute_scale=2), **kw)
    wide = P.estimate("llama3-8b", what_if_device("h100-sxm", bandwidth_scale=2), **kw)
    assert base.bound == "memory" and fast.itl_s == pytest.approx(base.itl_s)
    assert base.itl_s / wide.itl_s == pytest.approx(2 * base.itl_s / (base.itl_s + base.overhead_s), rel=1e-6)


def test_gemm_ridge_rows_is_where_the_intensity_meets_the_ridge():
    m = P.get_workload("llama3-8b")
    ridge = P.get_device("h100-sxm").ridge_point  # 989.4 TFLOP/s / 3.35 TB/s
    rows = F.gemm_ridge_rows(n=m.ffn, k=m.hidden, ridge=ridge)
    b = 2  # bf16
    assert rows == pytest.approx(ridge * b * m.hidden * m.ffn / (2 * m.hidden * m.ffn - ridge * b * (m.hidden + m.ffn)))
    assert F.gemm_cost(m=math.ceil(rows), n=m.ffn, k=m.hidden).intensity >= ridge
    assert F.gemm_cost(m=math.floor(rows), n=m.ffn, k=m.hidden).intensity < ridge
    assert 300 < rows < 350


def test_gemm_ridge_rows_infinite_when_the_weights_cap_the_intensity():
    # a 256 x 256 layer in bf16 never exceeds 2 k n / (2 (k + n)) = 128 FLOP/byte
    assert math.isinf(F.gemm_ridge_rows(n=256, k=256, ridge=128))
    assert math.isfinite(F.gemm_ridge_rows(n=256, k=256, ridge=127))
    with pytest.raises(P.PhysicsError, match="ridge"):
        F.gemm_ridge_rows(n=256, k=256, ridge=0)
