"""collectives.fastest_allreduce, crossover_bytes and bucketed_overlap (v2.06's physics)."""
import math

import pytest

from mlsyslabs.physics import collectives as C
from mlsyslabs.physics.errors import PhysicsError


def _t(alg, n, s, cluster="dgx-h100"):
    return C.collective("allreduce", gpus=n, size_bytes=s, algorithm=alg, cluster=cluster).time_s


@pytest.mark.parametrize("n,s", [(64, 2**16), (64, 2**32), (16, 2**20), (512, 2**30)])
def test_fastest_is_the_minimum_of_ring_and_tree(n, s):
    r = C.fastest_allreduce(gpus=n, size_bytes=s)
    assert r.time_s == min(_t("ring", n, s), _t("tree", n, s))
    assert r.algorithm in ("ring", "tree")


@pytest.mark.parametrize("n", [16, 64, 512])
def test_crossover_separates_tree_wins_from_ring_wins(n):
    x = C.crossover_bytes("tree", "ring", gpus=n)
    assert x is not None
    assert _t("ring", n, x) < _t("tree", n, x)
    assert _t("ring", n, x / 1.01) >= _t("tree", n, x / 1.01)
    assert _t("tree", n, 2**12) < _t("ring", n, 2**12)  # latency-bound: the tree's log steps win


def test_crossover_grows_with_the_number_of_gpus():
    xs = [C.crossover_bytes("tree", "ring", gpus=n) for n in (16, 64, 512)]
    assert xs[0] < xs[1] < xs[2]


def test_crossover_none_when_b_never_wins_and_lo_when_it_always_does():
    assert C.crossover_bytes("tree", "ring", gpus=64, hi=2**16) is None
    assert C.crossover_bytes("ring", "tree", gpus=64, lo=2**12) == 2**12
    with pytest.raises(PhysicsError):
        C.crossover_bytes("tree", "ring", gpus=64, lo=10, hi=5)


def _simulate(G, Tb, b, n, cluster="dgx-h100"):
    """Event by event: bucket i ready when its last byte is, one stream."""
    end, done, i = 0.0, 0.0, 0
    while done < G - 1e-6:
        size = min(b, G - done)
        done += size
        ready = Tb * done / G
        t = C.fastest_allreduce(gpus=n, size_bytes=size, cluster=cluster).time_s
        end = max(end, ready) + t
        i += 1
    return i, end


@pytest.mark.parametrize("b", [2**24, 2**27, 2**29, 3e9, 1e12])
@pytest.mark.parametrize("Tb", [0.0, 0.01, 0.2])
def test_closed_form_equals_the_event_simulation(b, Tb):
    G = 6.2e9
    r = C.bucketed_overlap(grad_bytes=G, backward_s=Tb, bucket_bytes=b, gpus=64)
    n, end = _simulate(G, Tb, b, 64)
    assert r.buckets == n
    assert r.end_s == pytest.approx(end, rel=1e-9)
    assert r.exposed_s == pytest.approx(end - Tb, rel=1e-9, abs=1e-12)
    assert 0 <= r.hidden_fraction <= 1


def test_one_bucket_hides_nothing_and_tiny_buckets_pay_latency():
    G, Tb = 6.2e9, 0.04
    fused = C.bucketed_overlap(grad_bytes=G, backward_s=Tb, bucket_bytes=G, gpus=64)
    assert fused.buckets == 1 and fused.exposed_s == pytest.approx(C.fastest_allreduce(gpus=64, size_bytes=G).time_s)
    assert fused.hidden_fraction == 0
    tiny = C.bucketed_overlap(grad_bytes=G, backward_s=Tb, bucket_bytes=2**20, gpus=64)
    assert tiny.network_bound and tiny.exposed_s > fused.exposed_s
    mid = C.bucketed_overlap(grad_bytes=G, backward_s=Tb, bucket_bytes=2**28, gpus=64)
    assert mid.exposed_s < min(fused.exposed_s, tiny.exposed_s)


def test_ddp_default_bucket_is_25_mib():
    assert C.DDP_BUCKET_BYTES == 25 * 2**20


@pytest.mark.parametrize("kw", [dict(grad_bytes=0), dict(backward_s=-1), dict(bucket_bytes=math.nan),
                                dict(algorithm="magic")])
def test_bad_input_is_named(kw):
    args = dict(grad_bytes=1e9, backward_s=0.01, bucket_bytes=1e8, gpus=64)
    args.update(kw)
    with pytest.raises(PhysicsError):
        C.bucketed_overlap(**args)
