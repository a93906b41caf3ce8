"""frameworks.py: fusion removes traffic and launches, never FLOPs; eager launches 3x the
kernels of a compiled CNN; compile break-even is the closed form."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import frameworks as F
from mlsyslabs.physics.efficiency import kernels_per_forward, profile


@pytest.mark.parametrize("n_ops", [1, 2, 3, 8])
def test_fusion_keeps_flops_and_divides_traffic(n_ops):
    eager = F.elementwise_chain(elements=1e6, n_ops=n_ops, device="h100-sxm")
    fused = F.elementwise_chain(elements=1e6, n_ops=n_ops, device="h100-sxm", fused=True)
    assert eager.flops == fused.flops == n_ops * 1e6
    assert eager.bytes_moved == pytest.approx(n_ops * fused.bytes_moved) and fused.bytes_moved == 2 * 1e6 * 2
    assert (eager.kernels, fused.kernels) == (n_ops, 1)
    assert eager.time_s >= fused.time_s


def test_tiny_tensors_are_launch_bound_and_large_ones_memory_bound():
    assert F.elementwise_chain(elements=1000, n_ops=3, device="h100-sxm").bound == "launch"
    assert F.elementwise_chain(elements=1e9, n_ops=3, device="h100-sxm").bound == "memory"


def test_gemm_intensity_closed_form_and_growth():
    g = F.gemm_cost(m=4096, n=4096, k=4096, precision="bf16")
    assert g.flops == 2 * 4096**3 and g.intensity == pytest.approx(4096 / 3)
    assert F.gemm_cost(m=1, n=4096, k=4096).intensity < 1.01
    assert F.softmax_cost(rows=10, cols=10).intensity == pytest.approx(5 / 4)


def test_eager_compiled_and_graph_dispatch():
    m, prof = P.get_workload("resnet50"), profile("jetson-agx-orin")
    runs = {mode: F.framework_inference("resnet50", "jetson-agx-orin", mode=mode) for mode in F.MODES}
    assert runs["eager"].kernels == 3 * runs["compiled"].kernels == 3 * kernels_per_forward(m)
    assert runs["compiled-graph"].per_kernel_s == prof.per_kernel_graph_s
    assert runs["eager"].time_s > runs["compiled"].time_s > runs["compiled-graph"].time_s
    assert runs["eager"].busy_s == runs["compiled"].busy_s


def test_break_even_closed_form():
    assert F.compile_break_even(compile_s=30, eager_run_s=2e-3, compiled_run_s=1e-3) == pytest.approx(30_000)
    assert F.compile_break_even(compile_s=30, eager_run_s=2e-3, compiled_run_s=1e-3, recompiles=2) == \
        pytest.approx(90_000)
    assert F.compile_break_even(compile_s=30, eager_run_s=1e-3, compiled_run_s=1e-3) == math.inf
    assert 1 <= F.COMPILE_SECONDS <= 3600  # seconds to minutes, never milliseconds


@pytest.mark.parametrize("bad", [dict(elements=0), dict(n_ops=0), dict(n_ops=1.5), dict(fused="yes"),
                                 dict(peak_scale=-1.0), dict(elements=float("nan"))])
def test_bad_input_names_the_argument(bad):
    kw = dict(elements=1e6, n_ops=3, device="h100-sxm") | bad
    with pytest.raises(P.PhysicsError, match=next(iter(bad))):
        F.elementwise_chain(**kw)
