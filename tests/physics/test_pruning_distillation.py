"""compression.pruned_estimate and break_even_queries against closed forms: pruning
changes the weight FLOPs, the rate they run at and the weight bytes, each once."""
import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import compression as CMP
from mlsyslabs.physics.errors import PhysicsError


@pytest.mark.parametrize("device", ["h100-sxm", "a100-80gb", "t4", "jetson-orin-nx-16gb", "a17-pro", "l4"])
@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_unstructured_is_dense_and_2_4_is_capped_by_the_peak_ratio(device, precision):
    dense = P.estimate("resnet50", device, phase="inference", batch=32, precision=precision)
    u = CMP.pruned_estimate("resnet50", device, sparsity=0.9, kind="unstructured", batch=32, precision=precision)
    assert u.time_s == pytest.approx(dense.step_time_s) and u.speedup == pytest.approx(1.0)
    s = CMP.pruned_estimate("resnet50", device, sparsity=0.5, kind="2:4", batch=32, precision=precision)
    d = P.get_device(device)
    sparse = (d.sparse_peak_flops or {}).get(dense.compute_precision)
    # the speedup is never more than the sparse/dense peak ratio, nor more than the byte saving
    cap = max(sparse / dense.peak_flops_used if sparse else 1.0, 1.0)
    assert s.speedup <= cap * (1 + 1e-9)
    assert s.uses_sparse_peak == bool(sparse)


def test_2_4_below_half_sparsity_runs_dense():
    r = CMP.pruned_estimate("vgg16", "h100-sxm", sparsity=0.4, kind="2:4", batch=64)
    assert r.speedup == pytest.approx(1.0) and not r.uses_sparse_peak


def test_2_4_compute_bound_closed_form():
    e = P.estimate("vgg16", "h100-sxm", phase="inference", batch=64, precision="fp16")
    ce = e.assumptions["compute_efficiency"]
    r = CMP.pruned_estimate("vgg16", "h100-sxm", sparsity=0.5, kind="2:4", batch=64)
    assert r.time_s == pytest.approx(e.flops / (P.get_device("h100-sxm").peak("fp16", sparse=True) * ce) + e.overhead_s)
    assert r.weight_bytes == pytest.approx(e.weights_bytes * 0.5 * 18 / 16)  # half the values + 2-bit index each


def test_2_4_memory_bound_decode_saves_the_weight_bytes_only():
    e = P.estimate("llama2-7b", "h100-sxm", phase="decode", batch=1, seq_len=1024, precision="fp16")
    r = CMP.pruned_estimate("llama2-7b", "h100-sxm", sparsity=0.5, kind="2:4", phase="decode", batch=1, seq_len=1024)
    me = e.assumptions["memory_efficiency"]
    moved = e.weights_bytes * 0.5 * 18 / 16 + (e.bytes_moved - e.weights_bytes)
    assert r.bound == "memory"
    assert r.time_s == pytest.approx(moved / (P.get_device("h100-sxm").memory_bw * me) + e.overhead_s)


def test_structured_scales_flops_and_bytes():
    e = P.estimate("vgg16", "t4", phase="inference", batch=64, precision="fp16")
    r = CMP.pruned_estimate("vgg16", "t4", sparsity=0.75, kind="structured", batch=64)
    assert r.executed_flops == pytest.approx(0.25 * e.flops) and r.weight_bytes == pytest.approx(0.25 * e.weights_bytes)


def test_break_even_is_cost_over_saving():
    assert CMP.break_even_queries(648.0, 4e-8) == pytest.approx(1.62e10)
    with pytest.raises(PhysicsError, match="saving_per_query"):
        CMP.break_even_queries(648.0, 0.0)


def test_distilbert_registry_entry():
    assert P.get_workload("distilbert").params == pytest.approx(66e6, rel=0.02)
    assert CMP.DISTILBERT_TRAINING["gpus"] * CMP.DISTILBERT_TRAINING["hours"] == 720
