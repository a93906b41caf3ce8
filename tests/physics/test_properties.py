"""Hypothesis properties: more bandwidth or FLOPS is never slower; memory grows
with batch and context; the vectorized sweep equals the scalar path."""
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlsyslabs import physics as P
from mlsyslabs.physics import serving

LLMS = ["llama3-8b", "llama2-70b", "mixtral-8x7b", "gpt2-xl", "mistral-7b"]
DEVS = ["h100-sxm", "a100-80gb", "l4", "jetson-orin-nx-16gb", "mi300x"]
FAST = settings(max_examples=40, deadline=None)

case = st.fixed_dictionaries({
    "model": st.sampled_from(LLMS), "device": st.sampled_from(DEVS),
    "phase": st.sampled_from(["prefill", "decode"]), "batch": st.integers(1, 512),
    "seq_len": st.integers(1, 1024), "precision": st.sampled_from(["bf16", "fp8", "int8", "int4"]),
})


@FAST
@given(case, st.floats(1.01, 10))
def test_more_bandwidth_is_never_slower(c, factor):
    d = P.get_device(c["device"])
    faster = replace(d, memory_bw=d.memory_bw * factor)
    kw = {k: v for k, v in c.items() if k not in ("model", "device")}
    assert P.estimate(c["model"], faster, **kw).step_time_s <= P.estimate(c["model"], d, **kw).step_time_s


@FAST
@given(case, st.floats(1.01, 10))
def test_more_flops_is_never_slower(c, factor):
    d = P.get_device(c["device"])
    faster = replace(d, peak_flops={k: v * factor for k, v in d.peak_flops.items()})
    kw = {k: v for k, v in c.items() if k not in ("model", "device")}
    assert P.estimate(c["model"], faster, **kw).step_time_s <= P.estimate(c["model"], d, **kw).step_time_s


@FAST
@given(case, st.integers(1, 64), st.integers(1, 512))
def test_memory_grows_with_batch_and_context(c, extra_batch, extra_ctx):
    assume(c["seq_len"] + extra_ctx <= P.get_workload(c["model"]).max_context)
    kw = {k: v for k, v in c.items() if k not in ("model", "device", "batch", "seq_len")}
    base = P.estimate(c["model"], c["device"], batch=c["batch"], seq_len=c["seq_len"], **kw).memory_bytes
    assert P.estimate(c["model"], c["device"], batch=c["batch"] + extra_batch, seq_len=c["seq_len"],
                      **kw).memory_bytes > base
    assert P.estimate(c["model"], c["device"], batch=c["batch"], seq_len=c["seq_len"] + extra_ctx,
                      **kw).memory_bytes > base


@FAST
@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_higher_efficiency_is_never_slower(lo, hi):
    lo, hi = sorted((lo, hi))
    a = P.estimate("llama3-8b", "h100-sxm", batch=64, compute_efficiency=lo, memory_efficiency=lo)
    b = P.estimate("llama3-8b", "h100-sxm", batch=64, compute_efficiency=hi, memory_efficiency=hi)
    assert b.step_time_s <= a.step_time_s


@FAST
@given(st.floats(1, 99))
def test_queueing_wait_grows_with_load(lam):
    assert P.mm1(lam, 100).p99_s < P.mm1(min(lam * 1.005, 99.9), 100).p99_s


def test_sweep_equals_scalar_path():
    devices, models = ["h100-sxm", "l4"], ["llama3-8b", "mixtral-8x7b"]
    batches, precisions, contexts = [1, 16, 256], ["bf16", "int4"], [128, 4096]
    out = P.sweep(devices=devices, models=models, batches=batches, precisions=precisions, contexts=contexts)
    assert out["itl_s"].shape == (2, 2, 3, 2, 2)
    for i, d in enumerate(devices):
        for j, m in enumerate(models):
            for k, b in enumerate(batches):
                for p_, prec in enumerate(precisions):
                    for q, ctx in enumerate(contexts):
                        e = P.estimate(m, d, phase="decode", batch=b, seq_len=ctx, precision=prec)
                        assert out["itl_s"][i, j, k, p_, q] == pytest.approx(e.itl_s, rel=1e-9)
                        assert bool(out["compute_bound"][i, j, k, p_, q]) == (e.bound == "compute")


def test_core_accepts_arrays_and_floats_alike():
    terms = serving.model_terms(P.get_workload("llama3-8b"), "bf16")
    kw = dict(peak_flops=989.4e12, memory_bw=3.35e12, compute_efficiency=0.5, memory_efficiency=0.8, **terms)
    arr = serving.decode_core(batch=np.array([1.0, 8.0]), context=np.array([512.0, 512.0]), **kw)[0]
    assert arr[1] == pytest.approx(serving.decode_core(batch=8, context=512, **kw)[0])
    with pytest.raises(P.PhysicsError):
        P.roofline_time(bytes_moved=np.array([1.0, -1.0]), flops=1.0, memory_bw=1.0, peak_flops=1.0)


def test_physics_import_does_not_pull_numpy():
    import subprocess
    import sys

    code = "import sys, mlsyslabs.physics as P; P.estimate('llama3-8b','h100-sxm'); print('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
