"""Hypothesis properties of the queueing, serving-under-load, reliability and
sustainability functions: no negative or NaN output for valid input; more load never
lowers latency; more GPUs never lower a parallel set's availability."""
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlsyslabs import physics as P
from mlsyslabs.physics import queueing as Q
from mlsyslabs.physics import reliability as R
from mlsyslabs.physics import serving_load as SL
from mlsyslabs.physics import sustainability as S

FAST = settings(max_examples=30, deadline=None)
finite = lambda x: isinstance(x, float) and math.isfinite(x)  # noqa: E731


@FAST
@given(st.floats(0.01, 0.995), st.floats(1e-6, 1e3))
def test_md1_percentiles_finite_ordered_unit_free(rho, d):
    r = Q.md1(rho / d, d)
    xs = [r.p50_s, r.p90_s, r.p95_s, r.p99_s]
    assert all(finite(x) and x >= d for x in xs) and xs == sorted(xs)
    assert r.mean_time_s >= d and r.mean_wait_s >= 0


@FAST
@given(st.floats(0.05, 0.97), st.floats(0.0, 4.0), st.floats(0.0, 4.0), st.integers(1, 16))
def test_ggc_is_finite_and_grows_with_variability(rho, ca2, cs2, c):
    a = Q.ggc(rho * c / 0.01, 0.01, servers=c, ca2=ca2, cs2=cs2)
    b = Q.ggc(rho * c / 0.01, 0.01, servers=c, ca2=ca2 + 0.5, cs2=cs2)
    assert all(finite(x) and x > 0 for x in (a.mean_time_s, a.p50_s, a.p90_s, a.p99_s))
    assert a.p50_s <= a.p90_s <= a.p99_s
    assert b.mean_wait_s >= a.mean_wait_s


LOAD = st.fixed_dictionaries({
    "model": st.sampled_from(["llama3-8b", "mistral-7b", "mixtral-8x7b"]),
    "precision": st.sampled_from(["fp8", "bf16"]), "isl": st.integers(1, 6000), "osl": st.integers(1, 1500),
    "chunked_prefill": st.booleans()})


@FAST
@given(LOAD, st.integers(1, 400))
def test_serve_load_outputs_are_finite_and_monotone(cfg, n):
    cfg = dict(cfg)
    model = cfg.pop("model")
    try:
        a, b = SL.serve_load_sweep(model, "h200", concurrency=[n, n + 1 + n // 3], **cfg)
    except P.PhysicsError:
        assume(False)
    for p in (a, b):
        for d in (p.ttft_s, p.itl_s, p.e2e_s):
            assert all(finite(v) and v >= 0 for v in d.values())
        assert p.tokens_per_s > 0 and p.running_batch >= 0
    # latencies never fall with more users (1e-4: the operating point comes from a bisection);
    # past saturation throughput may sag a little (more prefill interference per decode
    # step), never collapse
    assert b.ttft_s["mean"] >= a.ttft_s["mean"] * (1 - 1e-4)
    assert b.itl_s["mean"] >= a.itl_s["mean"] * (1 - 1e-4)
    assert b.tokens_per_s >= a.tokens_per_s * 0.98


@FAST
@given(st.integers(1, 200_000), st.floats(0.1, 1e4), st.floats(1e9, 1e13), st.floats(1e9, 1e13))
def test_reliability_bundle_is_bounded(gpus, hours, ckpt, bw):
    t = R.training_reliability(gpus, hours, checkpoint_bytes_=ckpt, write_bw=bw)
    assert t.job_mtbf_h > 0 and t.expected_interruptions >= 0
    assert 0 < t.goodput <= 1 and 0 <= t.lost_hours <= hours
    assert t.checkpoint_interval_s > 0


@FAST
@given(st.floats(0.0, 1.0), st.integers(1, 64), st.integers(0, 64))
def test_parallel_and_k_of_n_never_drop_with_more_components(a, n, k):
    assume(k <= n)
    assert R.parallel([a] * (n + 1)) >= R.parallel([a] * n) - 1e-15
    assert R.k_of_n(k, n + 1, a) >= R.k_of_n(k, n, a) - 1e-12
    assert 0.0 <= R.k_of_n(k, n, a) <= 1.0


@FAST
@given(st.integers(1, 100_000), st.floats(0.0, 1e5), st.sampled_from(["h100-sxm", "a100-80gb", "b200", "l4"]),
       st.floats(0.0, 1.0), st.sampled_from(list(S.BOUNDARIES)), st.floats(1.0, 3.0),
       st.sampled_from(list(S.REGIONS)))
def test_footprint_is_non_negative(gpus, hours, device, u, boundary, pue, region):
    f = S.footprint(gpus=gpus, hours=hours, device=device, utilization=u, boundary=boundary, pue=pue, region=region)
    for v in (f.energy_kwh, f.co2_kg, f.water_l, f.cost_usd, f.energy_cost_usd, f.embodied_co2_kg):
        assert finite(v) and v >= 0
    assert f.energy_kwh >= f.it_energy_kwh


@FAST
@given(st.floats(1.001, 100), st.floats(0, 3))
def test_rebound_is_consistent(g, e):
    r = S.rebound(g, e)
    assert r["energy_ratio"] == pytest.approx(r["demand_ratio"] / g)
    assert r["backfire"] == (e > 1 and r["energy_ratio"] > 1)
