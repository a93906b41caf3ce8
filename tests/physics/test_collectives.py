"""Collectives and fabrics: closed forms, NCCL conventions, topology effects, input checks."""
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsyslabs import physics as P
from mlsyslabs.physics.collectives import ALGORITHMS, OPS, collective, collective_core, p2p_time_s
from mlsyslabs.physics.fabrics import BASE_LATENCY_S, CLUSTERS, FABRICS, cluster_for, get_cluster, get_fabric

GiB = 2**30
FAST = settings(max_examples=60, deadline=None)


# ---------------------------------------------------------------- registry
def test_every_fabric_and_cluster_is_sourced_and_sane():
    for f in FABRICS.values():
        assert f.sources and all(isinstance(s, str) and s for s in f.sources), f.id
        assert 0 < f.efficiency <= 1 and f.bw > 0 and f.latency_s > 0, f.id
        assert f.scope in ("scale-up", "scale-out")
    for c in CLUSTERS.values():
        assert c.sources and c.intra.scope == "scale-up" and c.inter.scope == "scale-out", c.id
        assert c.oversubscription >= 1


def test_fabric_bandwidths_are_per_direction():
    # vendor headlines are bidirectional: NVLink 4 "900 GB/s" = 18 links x 25 GB/s each way
    assert get_fabric("nvlink4").bidirectional_bw == pytest.approx(900e9)
    assert get_fabric("nvlink4").bw == pytest.approx(18 * 25e9)
    assert get_fabric("nvlink3").bidirectional_bw == pytest.approx(600e9)
    assert get_fabric("nvlink5").bidirectional_bw == pytest.approx(1.8e12)
    assert get_fabric("ib-ndr").bw == pytest.approx(400e9 / 8)
    assert get_fabric("ib-xdr").bw == pytest.approx(800e9 / 8)
    assert get_fabric("roce-400").bw == get_fabric("ib-ndr").bw
    # NCCL's own per-link figure for Hopper: 20.6 GB/s of 25
    assert get_fabric("nvlink4").achievable_bw == pytest.approx(18 * 20.6e9)
    # each PCIe generation doubles the last (Gen6 FLIT mode keeps 242/256)
    assert get_fabric("pcie5-x16").bw == pytest.approx(2 * get_fabric("pcie4-x16").bw)


def test_unknown_ids_suggest():
    with pytest.raises(P.UnknownIdError) as e:
        get_fabric("nvlink-4")
    assert "nvlink4" in e.value.suggestions
    with pytest.raises(P.UnknownIdError):
        get_cluster("dgx-h1000")


def test_cluster_for_devices():
    assert cluster_for("h100-sxm").id == "dgx-h100"
    assert cluster_for("a100-80gb").intra.id == "nvlink3"
    generic = cluster_for("mi300x")
    assert generic.intra.bw == pytest.approx(P.get_device("mi300x").scale_up_bw / 2)
    assert cluster_for("l4").intra.id == "pcie4-x16"
    assert cluster_for("h100-sxm", gpus_per_node=4).nics_per_node == 4
    with pytest.raises(P.PhysicsError, match="gpus_per_node must be <= 8"):
        cluster_for("h100-sxm", gpus_per_node=16)


# ---------------------------------------------------------------- closed forms
@pytest.mark.parametrize("op,n", [("allreduce", 8), ("allgather", 8), ("reducescatter", 4), ("alltoall", 16),
                                  ("broadcast", 5), ("allreduce", 1)])
def test_busbw_factor_is_ncclts(op, n):
    expected = {"allreduce": 2 * (n - 1) / n, "broadcast": 1.0}.get(op, (n - 1) / n)
    assert P.busbw_factor(op, n) == pytest.approx(expected)


def test_ring_allreduce_alpha_beta_closed_form():
    S, n = 256e6, 8
    f = get_fabric("nvlink4")
    r = collective("allreduce", gpus=n, size_bytes=S, fabric="nvlink4", protocol="simple")
    alpha = BASE_LATENCY_S["simple"] + 2 * (n - 1) * f.latency_s
    beta = 2 * (n - 1) / n * S / f.achievable_bw
    assert r.time_s == pytest.approx(alpha + beta)
    assert r.latency_s == pytest.approx(alpha) and r.bandwidth_time_s == pytest.approx(beta)
    assert r.algbw == pytest.approx(S / r.time_s)
    assert r.busbw == pytest.approx(r.algbw * 2 * (n - 1) / n)


def test_allgather_and_reducescatter_move_half_an_allreduce():
    S, n = 1e9, 8
    ar = collective("allreduce", gpus=n, size_bytes=S, protocol="simple")
    ag = collective("allgather", gpus=n, size_bytes=S, protocol="simple")
    rs = collective("reducescatter", gpus=n, size_bytes=S, protocol="simple")
    assert ag.bandwidth_time_s == pytest.approx(ar.bandwidth_time_s / 2)
    assert rs.time_s == pytest.approx(ag.time_s)


@pytest.mark.parametrize("op", ["allreduce", "allgather", "reducescatter", "alltoall"])
def test_large_messages_reach_the_link_busbw(op):
    r = collective(op, gpus=8, size_bytes=16 * GiB, fabric="nvlink4")
    assert r.busbw == pytest.approx(get_fabric("nvlink4").achievable_bw, rel=0.01)


def test_broadcast_busbw_is_algbw():
    r = collective("broadcast", gpus=8, size_bytes=4 * GiB, fabric="nvlink3")
    assert r.busbw == r.algbw
    assert r.algbw == pytest.approx(get_fabric("nvlink3").achievable_bw, rel=0.01)


def test_single_rank_and_empty_message_cost_nothing():
    assert collective("allreduce", gpus=1, size_bytes=1e9).time_s == 0
    r = collective("allreduce", gpus=8, size_bytes=0)
    assert r.time_s == 0 and r.algbw == 0 and r.busbw == 0


def test_small_messages_are_latency_bound_and_pick_ll():
    r = collective("allreduce", gpus=8, size_bytes=1024)
    assert r.protocol == "ll" and r.latency_s > 10 * r.bandwidth_time_s


# ---------------------------------------------------------------- topology
def test_multinode_ring_bottleneck_is_min_of_nvlink_and_node_nics():
    # DGX H100: 8 x 400 Gb/s NICs (384 GB/s sustained) vs NVLink 370.8 GB/s: NVLink binds
    r = collective("allreduce", gpus=32, size_bytes=16 * GiB, cluster="dgx-h100")
    assert r.busbw == pytest.approx(370.8e9, rel=0.01)
    # half the NICs: the network binds at 4 x 48 GB/s
    r4 = collective("allreduce", gpus=32, size_bytes=16 * GiB, fabric="nvlink4", nics_per_node=4)
    assert r4.busbw == pytest.approx(4 * 48e9, rel=0.01)
    # one GPU per node: one NIC
    r1 = collective("allreduce", gpus=4, size_bytes=16 * GiB, fabric="ib-ndr")
    assert r1.busbw == pytest.approx(48e9, rel=0.01) and r1.nodes == 4


def test_hierarchical_is_three_phases():
    S, k, N = 1e9, 8, 4
    intra, inter = get_fabric("nvlink4"), get_fabric("ib-ndr")
    h = collective("allreduce", gpus=k * N, size_bytes=S, algorithm="hierarchical", cluster="dgx-h100",
                   protocol="simple")
    rs = collective("reducescatter", gpus=k, size_bytes=S, fabric="nvlink4", protocol="simple").time_s
    ar = collective("allreduce", gpus=N, size_bytes=S / k, fabric="ib-ndr", protocol="simple").time_s
    ag = collective("allgather", gpus=k, size_bytes=S, fabric="nvlink4", protocol="simple").time_s
    assert h.time_s == pytest.approx(rs + ar + ag)
    assert intra and inter


def test_tree_wins_latency_at_scale_ring_wins_bandwidth():
    small_tree = collective("allreduce", gpus=1024, size_bytes=1e5, cluster="dgx-h100", algorithm="tree")
    small_ring = collective("allreduce", gpus=1024, size_bytes=1e5, cluster="dgx-h100", algorithm="ring")
    assert small_tree.time_s < small_ring.time_s / 5
    big_tree = collective("allreduce", gpus=16, size_bytes=16 * GiB, cluster="dgx-h100", algorithm="tree")
    big_ring = collective("allreduce", gpus=16, size_bytes=16 * GiB, cluster="dgx-h100", algorithm="ring")
    assert big_ring.time_s < big_tree.time_s
    with pytest.raises(P.PhysicsError, match="tree"):
        collective("allgather", gpus=16, size_bytes=1e6, algorithm="tree")


def test_oversubscription_slows_all_to_all_across_pods():
    per_gpu = 64e6
    inside = collective("alltoall", gpus=2048, size_bytes=per_gpu, cluster="meta-llama3-roce")
    across = collective("alltoall", gpus=16384, size_bytes=per_gpu, cluster="meta-llama3-roce")
    assert across.assumptions["pod_slowdown"] > 5 and inside.assumptions["pod_slowdown"] == 1
    assert across.bandwidth_time_s > 4 * inside.bandwidth_time_s


def test_p2p():
    f = get_fabric("ib-ndr")
    assert p2p_time_s(1e9, fabric="ib-ndr") == pytest.approx(8.4e-6 + f.latency_s + 1e9 / f.achievable_bw)
    assert p2p_time_s(0) == 0


# ---------------------------------------------------------------- input checks
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, "1e9", None, True])
def test_size_bytes_rejected(bad):
    with pytest.raises(P.PhysicsError, match="size_bytes"):
        collective("allreduce", gpus=8, size_bytes=bad)


@pytest.mark.parametrize("bad", [0, -8, 1.5, "8", None, True, float("nan")])
def test_gpus_rejected(bad):
    with pytest.raises(P.PhysicsError, match="gpus"):
        collective("allreduce", gpus=bad, size_bytes=1e6)


def test_other_arguments_rejected():
    with pytest.raises(P.PhysicsError, match="op must be"):
        collective("allsum", gpus=8, size_bytes=1e6)
    with pytest.raises(P.PhysicsError, match="algorithm must be"):
        collective("allreduce", gpus=8, size_bytes=1e6, algorithm="butterfly")
    with pytest.raises(P.PhysicsError, match="protocol must be"):
        collective("allreduce", gpus=8, size_bytes=1e6, protocol="fast")
    with pytest.raises(P.PhysicsError, match="multiple of gpus_per_node"):
        collective("allreduce", gpus=12, size_bytes=1e6, gpus_per_node=8)
    with pytest.raises(P.PhysicsError, match="inter_fabric"):
        collective("allreduce", gpus=16, size_bytes=1e6, inter_fabric="nvlink3")
    with pytest.raises(P.PhysicsError, match="gpus_per_node"):
        collective("allreduce", gpus=16, size_bytes=1e6, fabric="ib-ndr", gpus_per_node=8)
    with pytest.raises(P.PhysicsError, match="n must be"):
        P.busbw_factor("allreduce", 0)


# ---------------------------------------------------------------- properties
case = st.fixed_dictionaries({
    "op": st.sampled_from(OPS), "algorithm": st.sampled_from(ALGORITHMS),
    "nodes": st.integers(1, 64), "per_node": st.sampled_from([1, 2, 4, 8]),
    "size": st.floats(0, 1e11, allow_nan=False), "fabric": st.sampled_from(["nvlink3", "nvlink4", "pcie5-x16"]),
})


def _run(c, **kw):
    if c["algorithm"] == "tree" and c["op"] not in ("allreduce", "broadcast"):
        c = dict(c, algorithm="ring")
    return collective(c["op"], gpus=c["nodes"] * c["per_node"], size_bytes=c["size"], fabric=c["fabric"],
                      gpus_per_node=c["per_node"], algorithm=c["algorithm"], **kw)


@FAST
@given(case)
def test_outputs_are_finite_and_non_negative(c):
    r = _run(c)
    for v in (r.time_s, r.algbw, r.busbw, r.latency_s, r.bandwidth_time_s):
        assert math.isfinite(v) and v >= 0
    assert r.latency_s <= r.time_s + 1e-15


@FAST
@given(case, st.floats(1.01, 10))
def test_more_bytes_never_faster(c, factor):
    assert _run(dict(c, size=c["size"] * factor)).time_s >= _run(c).time_s


@FAST
@given(case, st.floats(1.01, 10))
def test_more_bandwidth_never_slower(c, factor):
    intra, inter = get_fabric(c["fabric"]), get_fabric("ib-ndr")
    n, k = c["nodes"] * c["per_node"], c["per_node"]
    alg = c["algorithm"] if not (c["algorithm"] == "tree" and c["op"] not in ("allreduce", "broadcast")) else "ring"
    base = collective_core(c["op"], n, c["size"], alg, "auto", k, c["nodes"], intra, inter, intra.achievable_bw,
                           inter.achievable_bw)[0]
    fast_intra = replace(intra, bw=intra.bw * factor)
    faster = collective_core(c["op"], n, c["size"], alg, "auto", k, c["nodes"], fast_intra, inter,
                             fast_intra.achievable_bw, inter.achievable_bw * factor)[0]
    assert faster <= base * (1 + 1e-12)
