"""Federated learning rounds: the bytes a round moves, which clients a round samples,
how long the straggler-limited round takes, and what a training run costs in rounds,
wall-clock time, traffic and client energy.

One FedAvg round (McMahan et al. 2017, 'Communication-Efficient Learning of Deep
Networks from Decentralized Data'): the server broadcasts the model to the sampled
clients, each trains locally and uploads an update, the server averages the first k
updates to arrive (over-selection, Bonawitz et al. 2019, 'Towards Federated Learning
at Scale', Sec. 2.2, which drops the stragglers) and starts the next round."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ._argcheck import boolean, fraction, integer, nonneg, positive, real
from .errors import PhysicsError


@dataclass(frozen=True)
class RoundTraffic:
    """Bytes of one round."""
    down_bytes_per_client: float
    up_bytes_per_client: float
    down_bytes: float          # all clients
    up_bytes: float
    total_bytes: float
    assumptions: dict = field(default_factory=dict)


def round_bytes(*, params: float, clients: int, bytes_per_param: float = 4.0, up_compression: float = 1.0,
                down_compression: float = 1.0, trainable_fraction: float = 1.0) -> RoundTraffic:
    """Traffic of one round: each of `clients` downloads the model (params x bytes /
    down_compression) and uploads its update (trainable params x bytes / up_compression).
    Compression ratios are >= 1 (e.g. 4 for fp32 -> int8 updates; 10-100 for sparsified
    updates, Konecny et al. 2016); an adapter update sends only its trainable fraction."""
    p = positive("params", params)
    n = integer("clients", clients, lo=1)
    b = positive("bytes_per_param", bytes_per_param)
    cu = real("up_compression", up_compression, lo=1.0)
    cd = real("down_compression", down_compression, lo=1.0)
    tf = fraction("trainable_fraction", trainable_fraction)
    down, up = p * b / cd, p * tf * b / cu
    return RoundTraffic(down, up, down * n, up * n, (down + up) * n,
                        {"bytes_per_param": b, "up_compression": cu, "down_compression": cd,
                         "trainable_fraction": tf, "clients": n})


# ------------------------------------------------------------------ client sampling
@dataclass(frozen=True)
class ClientSampling:
    expected_participants: float
    p_client_selected: float         # in one round
    expected_rounds_between_turns: float
    p_cohort_represented: float      # at least one of the cohort's clients in a round
    expected_cohort_members: float


def client_sampling(*, population: int, per_round: int, available_fraction: float = 1.0,
                    cohort_size: int = 0) -> ClientSampling:
    """Uniform sampling of `per_round` clients without replacement from the available
    ones (population x available_fraction, e.g. devices idle, charging and on unmetered
    Wi-Fi; Bonawitz et al. 2019). A client is picked with p = k / available per round and
    waits 1/p rounds on average (geometric); a cohort of m available clients is
    represented with 1 - C(A - m, k) / C(A, k) (hypergeometric) and contributes k m / A."""
    n = integer("population", population, lo=1)
    k = integer("per_round", per_round, lo=1)
    af = fraction("available_fraction", available_fraction)
    m = integer("cohort_size", cohort_size, lo=0)
    avail = max(1, int(n * af))
    if k > avail:
        raise PhysicsError(f"per_round must be <= the available clients ({avail} of {n}), got {per_round!r}")
    if m > avail:
        raise PhysicsError(f"cohort_size must be <= the available clients ({avail}), got {cohort_size!r}")
    p = k / avail
    if m == 0:
        p_rep = 0.0
    elif avail - m < k:
        p_rep = 1.0
    else:  # C(A-m, k)/C(A, k) = prod_{i<k} (A-m-i)/(A-i), in logs
        log_none = sum(math.log((avail - m - i) / (avail - i)) for i in range(k))
        p_rep = -math.expm1(log_none)
    return ClientSampling(float(k), p, 1 / p, p_rep, k * m / avail)


# ------------------------------------------------------------------ stragglers
def _harmonic(n: int) -> float:
    if n < 100:
        return math.fsum(1.0 / i for i in range(1, n + 1))
    return math.log(n) + 0.5772156649015329 + 1 / (2 * n) - 1 / (12 * n * n) + 1 / (120 * n ** 4)


@dataclass(frozen=True)
class StragglerRound:
    round_time_s: float              # expected time until the k-th fastest client reports
    wait_all_s: float                # expected time until all n report (no over-selection)
    fastest_s: float                 # expected minimum
    p_k_by_deadline: float           # chance that >= k of n report before deadline_s (1 if none given)
    assumptions: dict = field(default_factory=dict)


def straggler_round_time(*, clients: int, wait_for: int | None = None, min_time_s: float,
                         mean_extra_s: float, deadline_s: float | None = None) -> StragglerRound:
    """Round time set by the k-th fastest of n clients whose times are shifted
    exponential: T = min_time_s + Exp(mean mean_extra_s), the straggler model of Lee et
    al. 2018 ('Speeding Up Distributed Machine Learning Using Codes', IEEE Trans. Inf.
    Theory) and the coded-computing literature. The k-th order statistic of n
    exponentials has mean mean_extra (H_n - H_{n-k}) (Renyi representation), so waiting
    for all n costs mean_extra x H_n ~ mean_extra ln n, while k = n - a few is far
    cheaper. With a deadline d, each client reports in time with p = 1 - exp(-(d -
    min)/mean_extra) and the round succeeds if at least k do (binomial tail)."""
    n = integer("clients", clients, lo=1)
    k = n if wait_for is None else integer("wait_for", wait_for, lo=1, hi=n)
    t0 = nonneg("min_time_s", min_time_s)
    mu = nonneg("mean_extra_s", mean_extra_s)
    hn = _harmonic(n)
    kth = t0 + mu * (hn - (_harmonic(n - k) if n - k else 0.0))
    if deadline_s is None:
        p_ok = 1.0
    else:
        d = nonneg("deadline_s", deadline_s)
        p = 0.0 if d < t0 else (1.0 if mu == 0 else -math.expm1(-(d - t0) / mu))
        p_ok = _binom_tail(n, k, p)
    return StragglerRound(kth, t0 + mu * hn, t0 + mu / n, p_ok,
                          {"latency_model": "shifted exponential (Lee et al. 2018)", "clients": n, "wait_for": k})


def _binom_tail(n: int, k: int, p: float) -> float:
    """P(Binomial(n, p) >= k), summed in log space."""
    if p >= 1.0:
        return 1.0
    if p <= 0.0:
        return 0.0 if k > 0 else 1.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * lp + (n - j) * lq
             for j in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))


# ------------------------------------------------------------------ a client's round and a run
@dataclass(frozen=True)
class ClientRound:
    compute_s: float
    download_s: float
    upload_s: float
    time_s: float
    energy_j: float
    assumptions: dict = field(default_factory=dict)


def client_round(*, update_flops: float, device_flops: float, utilization: float = 0.3, down_bytes: float,
                 up_bytes: float, downlink_bytes_per_s: float, uplink_bytes_per_s: float,
                 compute_power_w: float, radio_power_w: float = 1.0) -> ClientRound:
    """One client's round: local training FLOPs / (peak x utilization), plus download and
    upload at the link rates; energy = compute power x compute time + radio power x
    transfer time. Defaults are estimates: 30% of peak for on-device training, 1 W for
    an active cellular or Wi-Fi radio (LTE uplink draws ~1-2.5 W, Huang et al. 2012,
    'A Close Examination of Performance and Power Characteristics of 4G LTE Networks')."""
    f = positive("update_flops", update_flops)
    peak = positive("device_flops", device_flops)
    u = fraction("utilization", utilization)
    db = nonneg("down_bytes", down_bytes)
    ub = nonneg("up_bytes", up_bytes)
    dl = positive("downlink_bytes_per_s", downlink_bytes_per_s)
    ul = positive("uplink_bytes_per_s", uplink_bytes_per_s)
    pc = nonneg("compute_power_w", compute_power_w)
    pr = nonneg("radio_power_w", radio_power_w)
    tc, td, tu = f / (peak * u), db / dl, ub / ul
    return ClientRound(tc, td, tu, tc + td + tu, pc * tc + pr * (td + tu),
                       {"utilization": u, "radio_power_w": pr, "compute_power_w": pc})


def rounds_to_target(*, rounds_one_epoch: float, local_epochs: float = 1.0, local_speedup_share: float = 0.9,
                     drift_per_epoch: float = 0.1) -> float:
    """ESTIMATE of rounds to reach a target accuracy with E local epochs per round:
    R(E) = R1 x ((1 - s) + s / E) x (1 + h (E - 1)). More local work replaces rounds
    (share s of the progress parallelises into local steps) until client drift on
    non-IID data (h per extra epoch) undoes it, giving the U-shape FedAvg shows
    (McMahan et al. 2017, Fig. 2 and Table 2; drift: Karimireddy et al. 2020, SCAFFOLD).
    R1, s and h are inputs to fit to a measured run; defaults are illustrative."""
    r1 = positive("rounds_one_epoch", rounds_one_epoch)
    e = real("local_epochs", local_epochs, lo=1.0, hi=1e4)
    s = fraction("local_speedup_share", local_speedup_share, allow_zero=True)
    h = nonneg("drift_per_epoch", drift_per_epoch)
    return r1 * ((1 - s) + s / e) * (1 + h * (e - 1))


@dataclass(frozen=True)
class FederatedRun:
    rounds: float
    round_time_s: float
    wall_clock_s: float
    bytes_per_round: float
    total_bytes: float
    client_energy_j: float           # energy of one participating client per round
    fleet_energy_j: float            # all participating clients, all rounds
    assumptions: dict = field(default_factory=dict)


def federated_run(*, rounds: float, params: float, clients_per_round: int, update_flops: float,
                  device_flops: float, compute_power_w: float, uplink_bytes_per_s: float,
                  downlink_bytes_per_s: float | None = None, bytes_per_param: float = 4.0,
                  up_compression: float = 1.0, trainable_fraction: float = 1.0, utilization: float = 0.3,
                  radio_power_w: float = 1.0, straggler_mean_s: float | None = None, wait_for: int | None = None,
                  server_overhead_s: float = 0.0, over_select: bool = False) -> FederatedRun:
    """A run of `rounds` FedAvg rounds: per-round bytes (`round_bytes`), one client's
    time and energy (`client_round`), straggler-limited round time (`straggler_round_time`,
    shifted exponential with the client's time as the shift and `straggler_mean_s`
    (default: half the client's time, an estimate) as the exponential tail), plus a
    fixed server overhead. `over_select` samples 30% more clients and keeps the first
    `clients_per_round` (Bonawitz et al. 2019); their uploads still count as traffic."""
    r = positive("rounds", rounds)
    k = integer("clients_per_round", clients_per_round, lo=1)
    ul = positive("uplink_bytes_per_s", uplink_bytes_per_s)
    dl = ul * 4 if downlink_bytes_per_s is None else positive("downlink_bytes_per_s", downlink_bytes_per_s)
    oh = nonneg("server_overhead_s", server_overhead_s)
    over = boolean("over_select", over_select)
    n = math.ceil(k * 1.3) if over else k
    traffic = round_bytes(params=params, clients=n, bytes_per_param=bytes_per_param, up_compression=up_compression,
                          trainable_fraction=trainable_fraction)
    cr = client_round(update_flops=update_flops, device_flops=device_flops, utilization=utilization,
                      down_bytes=traffic.down_bytes_per_client, up_bytes=traffic.up_bytes_per_client,
                      downlink_bytes_per_s=dl, uplink_bytes_per_s=ul, compute_power_w=compute_power_w,
                      radio_power_w=radio_power_w)
    tail = cr.time_s / 2 if straggler_mean_s is None else nonneg("straggler_mean_s", straggler_mean_s)
    kk = k if wait_for is None else integer("wait_for", wait_for, lo=1, hi=n)
    st = straggler_round_time(clients=n, wait_for=kk, min_time_s=cr.time_s, mean_extra_s=tail)
    rt = st.round_time_s + oh
    return FederatedRun(r, rt, r * rt, traffic.total_bytes, r * traffic.total_bytes, cr.energy_j,
                        r * n * cr.energy_j,
                        {"clients_sampled": n, "wait_for": kk, "downlink_bytes_per_s": dl,
                         "straggler_mean_s": tail, "client_time_s": cr.time_s,
                         "downlink default": "4x uplink (estimate) when not given"})


def centralized_upload_bytes(*, examples_per_client: int, bytes_per_example: float, clients: int) -> float:
    """Bytes to ship the raw data once instead: examples x bytes x clients (the
    comparison that makes federated traffic a cost, not a saving, for small datasets)."""
    e = integer("examples_per_client", examples_per_client, lo=0)
    b = positive("bytes_per_example", bytes_per_example)
    return e * b * integer("clients", clients, lo=1)
