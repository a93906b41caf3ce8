"""Collective communication: alpha-beta cost of all-reduce, all-gather,
reduce-scatter, all-to-all and broadcast by algorithm and topology.

Every collective is T = alpha + beta: a latency term (a protocol base latency plus a
per-step latency times the number of sequential steps) and a bandwidth term (bytes
each rank must move over its bottleneck link / that link's sustained bandwidth).
`size_bytes` follows NCCL's convention (nccl-tests doc/PERFORMANCE.md): the per-rank
buffer for all-reduce and broadcast, the whole gathered (or scattered) array for
all-gather and reduce-scatter, the per-rank send buffer for all-to-all.

Algorithms (n ranks, k per node, N = n / k nodes, S bytes):
- ring: 2(n-1) steps for all-reduce, n-1 otherwise; bytes per rank 2(n-1)/n S
  (all-reduce), (n-1)/n S (all-gather, reduce-scatter, all-to-all), S (broadcast).
  Across nodes NCCL runs one ring per NIC, so the bottleneck is
  min(scale-up bandwidth per GPU, k x scale-out bandwidth per GPU).
- tree: NCCL's double binary tree (all-reduce, broadcast): 2 (k-1) intra-node chain
  steps + 2 ceil(log2 N) inter-node steps; each rank moves 2 S at 0.92 of the link
  (NCCL tuning model), so it wins on latency, never on bandwidth.
- hierarchical: reduce-scatter inside the node, all-reduce of S/k across nodes on
  each GPU's own NIC (rail), all-gather inside the node (likewise two-phase for the
  other collectives); phases run one after the other.
Protocols (NCCL): simple (full bandwidth, highest latency), ll (1/4 of the bandwidth
for all-reduce or across nodes, 1/3 otherwise, lowest latency), ll128 (0.92);
"auto" picks the fastest, as NCCL's tuner does.

algbw = S / T and busbw = algbw x factor, factor = 2(n-1)/n for all-reduce, (n-1)/n for
all-gather, reduce-scatter and all-to-all, 1 for broadcast: the numbers nccl-tests
prints, comparable with the link's bandwidth whatever n is.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .errors import PhysicsError, check_choice, check_int, check_positive
from .fabrics import BASE_LATENCY_S, Fabric, cluster_for, get_cluster, get_fabric

OPS = ("allreduce", "allgather", "reducescatter", "alltoall", "broadcast")
ALGORITHMS = ("ring", "tree", "hierarchical")
PROTOCOLS = ("auto", "simple", "ll", "ll128")
_OP_ALIASES = {"all-reduce": "allreduce", "all_reduce": "allreduce", "all-gather": "allgather",
               "all_gather": "allgather", "reduce-scatter": "reducescatter", "reduce_scatter": "reducescatter",
               "all-to-all": "alltoall", "all_to_all": "alltoall", "a2a": "alltoall"}
TREE_BW_FACTOR = 0.92  # NCCL tuning.cc: tree busBw x 0.92


def _op(op) -> str:
    o = _OP_ALIASES.get(op, op) if isinstance(op, str) else op
    if not isinstance(o, str) or o not in OPS:
        raise PhysicsError(f"op must be one of {', '.join(OPS)}; got {op!r}")
    return o


def _int_ge1(name: str, v) -> int:
    return check_int(name, v, lo=1)


def busbw_factor(op, n) -> float:
    """nccl-tests bus-bandwidth correction: 2(n-1)/n all-reduce; (n-1)/n all-gather,
    reduce-scatter, all-to-all; 1 broadcast (doc/PERFORMANCE.md)."""
    o = _op(op)
    n = _int_ge1("n", n)
    if o == "allreduce":
        return 2.0 * (n - 1) / n
    if o == "broadcast":
        return 1.0
    return (n - 1) / n


# ------------------------------------------------------------------ numeric core
def _ring_terms(op: str, n: int):
    """(steps, bytes per rank as a multiple of S) for a ring over n ranks."""
    if op == "allreduce":
        return 2 * (n - 1), 2.0 * (n - 1) / n
    if op == "broadcast":
        return n - 1, 1.0
    return n - 1, (n - 1) / n


def _proto_bw(proto: str, op: str, multinode: bool) -> float:
    if proto == "ll":
        return 0.25 if (multinode or op == "allreduce") else 1.0 / 3.0
    return 0.92 if proto == "ll128" else 1.0


def _proto_alpha(proto: str, fab: Fabric) -> float:
    return fab.ll_latency_s if proto == "ll" else fab.ll128_latency_s if proto == "ll128" else fab.latency_s


def _flat(op, n, S, k, N, intra, inter, bw_intra, bw_nic, a2a_slow, proto):
    """Ring (or pairwise all-to-all) over n ranks, k per node on N nodes: (alpha, beta)."""
    if n <= 1:
        return 0.0, 0.0
    multinode = N > 1
    f = _proto_bw(proto, op, multinode)
    steps, mult = _ring_terms(op, n)
    a_in = _proto_alpha(proto, intra)
    if not multinode:
        return BASE_LATENCY_S[proto] + steps * a_in, mult * S / (bw_intra * f)
    a_out = _proto_alpha(proto, inter)
    inter_steps = 2 * (N - 1) if op == "allreduce" else N - 1
    alpha = BASE_LATENCY_S[proto] + (steps - inter_steps) * a_in + inter_steps * a_out
    if op == "alltoall":
        t_in = (k - 1) / n * S / bw_intra if k > 1 else 0.0
        t_out = (n - k) / n * S / (bw_nic / a2a_slow)
        return alpha, max(t_in, t_out) / f
    bottleneck = min(bw_intra, k * bw_nic) if k > 1 else bw_nic
    return alpha, mult * S / (bottleneck * f)


def _tree(op, n, S, k, N, intra, inter, bw_intra, bw_nic, proto):
    if n <= 1:
        return 0.0, 0.0
    if proto == "ll":
        f = 1.0 / 3.8
    elif proto == "ll128":
        f = 7.0 / 9.0 if N == 1 else 120.0 / 128.0
    else:
        f = 1.0
    a_in, a_out = _proto_alpha(proto, intra), _proto_alpha(proto, inter)
    depth = math.ceil(math.log2(N)) if N > 1 else 0
    bottleneck = bw_intra if N == 1 else (min(bw_intra, k * bw_nic) if k > 1 else bw_nic)
    if op == "allreduce":
        alpha = BASE_LATENCY_S[proto] + 2.0 * ((k - 1) * a_in + depth * a_out)
        return alpha, 2.0 * S / (TREE_BW_FACTOR * bottleneck * f)
    # broadcast down a pipelined binary tree
    alpha = BASE_LATENCY_S[proto] + math.ceil(math.log2(k)) * a_in + depth * a_out if k > 1 else \
        BASE_LATENCY_S[proto] + depth * a_out
    return alpha, S / (bottleneck * f)


def _best(fn, proto, *args):
    if proto != "auto":
        a, b = fn(*args, proto)
        return a + b, a, b, proto
    best = None
    for p in ("simple", "ll128", "ll"):
        a, b = fn(*args, p)
        if best is None or a + b < best[0]:
            best = (a + b, a, b, p)
    return best


def collective_core(op: str, n: int, S: float, algorithm: str, protocol: str, k: int, N: int,
                    intra: Fabric, inter: Fabric, bw_intra: float, bw_nic: float, a2a_slow: float = 1.0):
    """Time of one collective: (time_s, alpha_s, beta_s, protocol). Floats only, no
    checks: the validated entry point is `collective`. `bw_intra` is the sustained
    scale-up bandwidth per GPU, `bw_nic` the sustained scale-out bandwidth per GPU,
    `a2a_slow` >= 1 the oversubscription slowdown of traffic leaving a pod."""
    if n <= 1 or S <= 0:
        return 0.0, 0.0, 0.0, "none"
    if algorithm == "tree":
        return _best(_tree, protocol, op, n, S, k, N, intra, inter, bw_intra, bw_nic)
    if algorithm == "ring" or N <= 1:
        return _best(_flat, protocol, op, n, S, k, N, intra, inter, bw_intra, bw_nic, a2a_slow)
    # hierarchical: phases inside the node (k ranks on the scale-up fabric) and across
    # nodes (N ranks, one per node, each on its own NIC)
    def ph(o, m, size, inside):
        if m <= 1:
            return 0.0, 0.0, 0.0, "none"
        if inside:
            return _best(_flat, protocol, o, m, size, m, 1, intra, inter, bw_intra, bw_nic, 1.0)
        return _best(_flat, protocol, o, m, size, 1, m, intra, inter, bw_intra, bw_nic, a2a_slow)

    if op == "allreduce":
        phases = [ph("reducescatter", k, S, True), ph("allreduce", N, S / k, False), ph("allgather", k, S, True)]
    elif op == "allgather":
        phases = [ph("allgather", N, S / k, False), ph("allgather", k, S, True)]
    elif op == "reducescatter":
        phases = [ph("reducescatter", k, S, True), ph("reducescatter", N, S / k, False)]
    elif op == "alltoall":
        phases = [ph("alltoall", k, S, True), ph("alltoall", N, S, False)]
    else:
        phases = [ph("broadcast", N, S, False), ph("broadcast", k, S, True)]
    t = sum(p[0] for p in phases)
    a = sum(p[1] for p in phases)
    used = "+".join(sorted({p[3] for p in phases if p[3] != "none"})) or "none"
    return t, a, t - a, used


@dataclass(frozen=True)
class CollectiveResult:
    op: str
    algorithm: str
    protocol: str
    gpus: int
    size_bytes: float
    time_s: float
    algbw: float  # bytes/s: S / T
    busbw: float  # bytes/s: algbw x busbw_factor (nccl-tests)
    latency_s: float  # alpha part of time_s
    bandwidth_time_s: float  # beta part of time_s
    nodes: int
    gpus_per_node: int
    assumptions: dict

    def to_dict(self) -> dict:
        return asdict(self)


def collective(op, *, gpus, size_bytes, fabric="nvlink4", algorithm="ring", gpus_per_node=None,
               inter_fabric=None, nics_per_node=None, protocol="auto", cluster=None) -> CollectiveResult:
    """Time, algbw and busbw of one collective over `gpus` ranks.

    Topology: `cluster` (an id from CLUSTERS, or a Cluster) sets both fabrics, the node
    size and NICs; otherwise `fabric` is the scale-up fabric inside a node (GPUs per node
    default: min(gpus, the fabric's switch domain)) and `inter_fabric` (default ib-ndr,
    `nics_per_node` default one per GPU) joins nodes. A scale-out `fabric` alone means
    one GPU per node on that network."""
    o = _op(op)
    n = _int_ge1("gpus", gpus)
    if getattr(size_bytes, "ndim", 0):
        raise PhysicsError(f"size_bytes must be a single number, got an array of shape {size_bytes.shape}")
    check_positive("size_bytes", size_bytes, allow_zero=True)
    S = float(size_bytes)
    check_choice("algorithm", algorithm, ALGORITHMS)
    check_choice("protocol", protocol, PROTOCOLS)
    if algorithm == "tree" and o not in ("allreduce", "broadcast"):
        raise PhysicsError(f"algorithm 'tree' supports allreduce and broadcast (as in NCCL); got op {o!r}")
    pod_gpus, oversub = None, 1.0
    if cluster is not None:
        c = get_cluster(cluster)
        intra, inter = c.intra, c.inter
        g = c.gpus_per_node if gpus_per_node is None else _int_ge1("gpus_per_node", gpus_per_node)
        nics = c.nics_per_node * g / c.gpus_per_node if nics_per_node is None else _int_ge1("nics_per_node",
                                                                                              nics_per_node)
        pod_gpus, oversub = c.pod_gpus, c.oversubscription
    else:
        f = get_fabric(fabric)
        if f.scope == "scale-out":
            g = 1 if gpus_per_node is None else _int_ge1("gpus_per_node", gpus_per_node)
            if g > 1:
                raise PhysicsError(f"gpus_per_node must be 1 when fabric is the scale-out {f.id!r}; name the "
                                   f"scale-up fabric with fabric= and this one with inter_fabric= to put {g} GPUs "
                                   "in a node")
            intra, inter = f, f
        else:
            intra = f
            inter = get_fabric(inter_fabric or "ib-ndr")
            if inter.scope != "scale-out":
                raise PhysicsError(f"inter_fabric must be a scale-out fabric (ib-*, roce-*, efa-*); got {inter.id!r}")
            dom = f.domain_gpus or n
            g = min(n, dom) if gpus_per_node is None else _int_ge1("gpus_per_node", gpus_per_node)
            if g > dom:
                raise PhysicsError(f"gpus_per_node must be <= {dom} for fabric {f.id!r}, got {g}")
        nics = g if nics_per_node is None else _int_ge1("nics_per_node", nics_per_node)
    k = min(g, n)
    if n % k:
        raise PhysicsError(f"gpus must be a multiple of gpus_per_node ({k}), got {n}")
    N = n // k
    bw_nic = inter.achievable_bw * nics / g
    slow = 1.0
    if pod_gpus and N * g > pod_gpus and oversub > 1:
        cross = 1.0 - pod_gpus / (N * g)
        slow = 1.0 + cross * (oversub - 1.0)
    t, a, b, used = collective_core(o, n, S, algorithm, protocol, k, N, intra, inter, intra.achievable_bw,
                                    bw_nic, slow)
    algbw = S / t if t > 0 else 0.0
    return CollectiveResult(
        op=o, algorithm=algorithm, protocol=used, gpus=n, size_bytes=S, time_s=t, algbw=algbw,
        busbw=algbw * busbw_factor(o, n), latency_s=a, bandwidth_time_s=b, nodes=N, gpus_per_node=k,
        assumptions={"scale_up_fabric": intra.id, "scale_out_fabric": inter.id if N > 1 else None,
                     "scale_up_bw_sustained": intra.achievable_bw, "scale_out_bw_per_gpu": bw_nic if N > 1 else None,
                     "nics_per_node": nics, "pod_slowdown": slow,
                     "size_convention": "NCCL: per-rank buffer (all-reduce, broadcast, all-to-all send), "
                                        "whole array (all-gather, reduce-scatter)"})


def p2p_time_s(size_bytes, *, fabric="ib-ndr", bw_per_gpu=None):
    """Point-to-point send: alpha + S / (bandwidth x efficiency), NCCL Simple protocol
    (base latency + one step). `bw_per_gpu` overrides the sustained bandwidth."""
    check_positive("size_bytes", size_bytes, allow_zero=True)
    f = get_fabric(fabric)
    bw = f.achievable_bw if bw_per_gpu is None else check_positive("bw_per_gpu", bw_per_gpu)
    if size_bytes == 0:
        return 0.0
    return BASE_LATENCY_S["simple"] + f.latency_s + size_bytes / bw


def collective_on(device, op, *, gpus, size_bytes, algorithm="ring", cluster=None, gpus_per_node=None):
    """`collective` on the reference topology of `device` (fabrics.cluster_for)."""
    c = cluster_for(device, cluster, gpus_per_node=gpus_per_node)
    return collective(op, gpus=gpus, size_bytes=size_bytes, algorithm=algorithm, cluster=c)


# ------------------------------------------------------- choosing and overlapping
NCCL_ALGORITHMS = ("ring", "tree")  # what NCCL's tuner chooses between for all-reduce (NVLS/CollNet not modelled)
DDP_BUCKET_BYTES = 25 * 2**20  # PyTorch DistributedDataParallel bucket_cap_mb=25 (torch.nn.parallel docs)


def fastest_allreduce(*, gpus, size_bytes, cluster="dgx-h100", algorithms=NCCL_ALGORITHMS) -> CollectiveResult:
    """The faster of `algorithms` for one all-reduce, as NCCL's tuner picks by its own
    cost model (src/graph/tuning.cc): ties go to the first."""
    if not algorithms:
        raise PhysicsError("algorithms must name at least one of ring, tree, hierarchical")
    best = None
    for a in algorithms:
        r = collective("allreduce", gpus=gpus, size_bytes=size_bytes, algorithm=a, cluster=cluster)
        if best is None or r.time_s < best.time_s:
            best = r
    return best


def crossover_bytes(a, b, *, gpus, cluster="dgx-h100", lo=2.0**10, hi=2.0**36, points=105):
    """The smallest all-reduce size in [lo, hi] at which algorithm `b` becomes faster
    than `a` (scanned on a log grid of `points`, then bisected to 0.1%); None when `b`
    never wins there, `lo` when it already wins at `lo`."""
    check_choice("a", a, ALGORITHMS)
    check_choice("b", b, ALGORITHMS)
    check_positive("lo", lo)
    check_positive("hi", hi)
    if hi <= lo:
        raise PhysicsError(f"hi must be > lo, got lo={lo}, hi={hi}")

    def b_wins(s):
        ta = collective("allreduce", gpus=gpus, size_bytes=s, algorithm=a, cluster=cluster).time_s
        tb = collective("allreduce", gpus=gpus, size_bytes=s, algorithm=b, cluster=cluster).time_s
        return tb < ta

    if b_wins(lo):
        return float(lo)
    ratio = (hi / lo) ** (1.0 / (points - 1))
    prev = lo
    for i in range(1, points):
        s = lo * ratio**i
        if b_wins(s):
            left, right = prev, s
            while right / left > 1.001:
                mid = math.sqrt(left * right)
                left, right = (left, mid) if b_wins(mid) else (mid, right)
            return right
        prev = s
    return None


@dataclass(frozen=True)
class OverlapResult:
    buckets: int
    bucket_bytes: float
    per_bucket_s: float  # one full bucket's all-reduce
    comm_s: float  # every bucket's all-reduce, end to end on one stream
    backward_s: float
    end_s: float  # when the last bucket's all-reduce finishes (backward starts at 0)
    exposed_s: float  # end - backward: communication the backward pass did not hide
    hidden_fraction: float  # share of comm_s that ran under the backward pass
    network_bound: bool  # buckets queue: each all-reduce takes longer than the backward makes a bucket
    algorithm: str
    assumptions: dict

    def to_dict(self) -> dict:
        return asdict(self)


def bucketed_overlap(*, grad_bytes, backward_s, bucket_bytes, gpus, cluster="dgx-h100",
                     algorithm="auto") -> OverlapResult:
    """Gradient bucketing as in PyTorch DDP (Li et al. 2020, "PyTorch Distributed",
    VLDB 13(12)): gradients become ready at a uniform rate over the backward pass, a
    bucket's all-reduce is launched when its last gradient is ready, and all-reduces run
    one at a time on one communication stream. With n buckets (n-1 full of b bytes, the
    last holding the rest), bucket i ready at r_i = T_b c_i / G (c_i its cumulative
    bytes), the last finishes at max_j (r_j + sum_{i>=j} t_i): over the full buckets
    j = 1..n-1 this is linear in j, so its maximum sits at j = 1 or j = n-1, and j = n
    gives T_b + t_last.
    `algorithm` "auto" takes the faster of ring and tree per bucket (NCCL's tuner)."""
    G = check_positive("grad_bytes", grad_bytes)
    Tb = check_positive("backward_s", backward_s, allow_zero=True)
    b = check_positive("bucket_bytes", bucket_bytes)
    check_choice("algorithm", algorithm, ("auto",) + ALGORITHMS)
    b = min(b, G)
    n = math.ceil(G / b - 1e-9)
    last = G - (n - 1) * b

    def t(size):
        if algorithm == "auto":
            r = fastest_allreduce(gpus=gpus, size_bytes=size, cluster=cluster)
        else:
            r = collective("allreduce", gpus=gpus, size_bytes=size, algorithm=algorithm, cluster=cluster)
        return r.time_s, r.algorithm

    t_full, alg = t(b)
    t_last, alg_last = t(last) if n > 1 else (t_full, alg)
    comm = (n - 1) * t_full + t_last
    r1 = Tb * b / G
    end = max(r1 + comm, Tb + t_last)
    if n > 1:
        end = max(end, Tb * (n - 1) * b / G + t_full + t_last)
    exposed = end - Tb
    hidden = 0.0 if comm <= 0 else max(0.0, min(1.0, (comm - exposed) / comm))
    hidden = 0.0 if hidden < 1e-12 else hidden
    algs = alg if alg == alg_last else f"{alg}+{alg_last}"
    return OverlapResult(
        buckets=n, bucket_bytes=b, per_bucket_s=t_full, comm_s=comm, backward_s=Tb, end_s=end, exposed_s=exposed,
        hidden_fraction=hidden, network_bound=n > 1 and t_full > Tb * b / G, algorithm=algs,
        assumptions={"readiness": "uniform over the backward pass", "streams": 1, "cluster": str(cluster),
                     "gpus": gpus, "source": "PyTorch DDP bucketing (Li et al. 2020, VLDB 13(12))"})
