"""Serving a model to a request stream on a fleet: P99 from queueing at the offered
load (not one request's time), GPUs needed, cost per request, availability.

Every serving function checks memory first: a replica is the fewest devices whose
pooled usable memory holds the weights and the KV cache of a full batch (ideal
tensor-parallel sharding), and a fleet too small for one replica is an error, not a
fast answer. Each replica is a batching server fed 1/R of the Poisson stream. A
batch of b requests takes S(b) = prefill(b, prompt) + output x decode_step(b,
prompt + output/2) from serving.py (dispatch overheads included). Strategies:
- static: wait for a full batch of `max_batch` (one timeout of 1 s caps the wait);
- dynamic: start when `max_batch` wait or the oldest has waited `window_s`;
- continuous: requests join at the next decode iteration (window = one step).
Availability multiplies the facility's (a correlated-failure floor) by the binomial
tail of independent GPU failures, and is also given in nines.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .devices import get_device
from .errors import PhysicsError, check_bool, check_choice, check_fraction, check_int, check_number, check_positive
from .memory import DEFAULT_MEMORY_FRACTION
from .precisions import PRECISIONS
from .queueing import simulate_batching
from .serving import estimate, get_transformer_model

STRATEGIES = ("static", "dynamic", "continuous")

# Per-GPU availability: Llama 3 pre-training saw 419 unexpected interruptions in 54
# days on 16,384 H100s (Dubey et al. 2024, section 3.3.4) -> MTBF ~ 50,700 GPU-hours.
# MTTR of 4 h (swap or reboot a node) is an estimate.
GPU_MTBF_H = 54 * 24 * 16384 / 419
GPU_MTTR_H = 4.0
# Correlated failures bound what redundancy buys: a fleet in one facility is down when
# the facility is (power, cooling, network), however many GPUs it has. Uptime
# Institute Tier III site availability: 99.982%, ~1.6 h of site downtime a year.
SITE_AVAILABILITY = 0.99982
SITE_AVAILABILITY_SOURCE = ("Uptime Institute, 'Tier Classifications Define Site Infrastructure Performance' "
                            "(Turner, Seader, Renaud & Brill): Tier III site availability 99.982% (1.6 h/year)")


def request_service_time(model, device, *, batch: int, prompt: int, output: int, precision: str,
                         check_fit: bool = True, **kw) -> float:
    """S(b): prefill the batch's prompts, then `output` decode steps at mean context.
    Raises when the batch does not fit the device memory (n_devices in **kw pools
    several), unless check_fit=False (a what-if latency)."""
    check_int("prompt", prompt, lo=1)
    check_int("output", output, lo=1)
    check_bool("check_fit", check_fit)
    pre = estimate(model, device, phase="prefill", batch=batch, seq_len=prompt, precision=precision, **kw)
    dec = estimate(model, device, phase="decode", batch=batch, seq_len=prompt + max(1, output // 2),
                   precision=precision, **kw)
    if check_fit:
        full = estimate(model, device, phase="decode", batch=batch, seq_len=prompt + output, precision=precision,
                        **kw)
        if not full.fits:
            n = kw.get("n_devices", 1)
            raise PhysicsError(
                f"{full.model} at {precision} with {batch} sequence(s) of {prompt + output} tokens needs "
                f"{full.memory_bytes / 1e9:,.1f} GB, more than {n} x {full.device} hold usable: n_devices must be "
                f">= {full.devices_needed}")
    return pre.ttft_s + output * dec.itl_s


@dataclass(frozen=True)
class FleetResult:
    gpus: int
    strategy: str
    per_gpu_rps: float  # arrival rate each replica sees
    p50_s: float
    p99_s: float
    mean_batch: float
    utilization: float
    stable: bool
    cost_per_request: float
    availability: float  # with the correlated (site) floor: never more than SITE_AVAILABILITY
    service_b1_s: float
    service_bmax_s: float
    capacity_rps: float  # what the fleet sustains at full batches
    assumptions: dict
    devices_per_replica: int = 1  # fewest devices whose memory holds one replica (model + KV of max_batch)
    replicas: int = 1
    availability_independent: float = 1.0  # independent GPU failures only (no site floor)
    availability_nines: float = 0.0  # -log10(1 - availability): 3 = 99.9%


def availability_nines(availability: float) -> float:
    """Number of nines, -log10(1 - A): 0.999 -> 3. Capped at 9 (an availability closer
    to 1 than 1e-9 is a claim no measured system supports)."""
    check_fraction("availability", availability, allow_zero=True)
    if availability >= 1 - 1e-9:
        return 9.0
    return -math.log10(1.0 - availability)


def fleet_availability(gpus: int, needed: int, *, mtbf_h: float = GPU_MTBF_H, mttr_h: float = GPU_MTTR_H,
                       site_availability: float = SITE_AVAILABILITY, devices_per_replica: int = 1) -> float:
    """P(the site is up) x P(at least `needed` of the `gpus // devices_per_replica`
    replicas are up), a replica being up when all its devices are (independent GPU
    failures, a = MTBF / (MTBF + MTTR)). site_availability=1 gives the independent
    model alone; the default caps the answer at a Tier III facility's 99.982%."""
    check_int("gpus", gpus, lo=1)
    check_int("devices_per_replica", devices_per_replica, lo=1)
    units = gpus // devices_per_replica
    if units < 1:
        raise PhysicsError(f"gpus must be >= devices_per_replica ({devices_per_replica}), got {gpus}")
    check_int("needed", needed, lo=0, hi=units)
    check_positive("mtbf_h", mtbf_h)
    check_positive("mttr_h", mttr_h)
    check_fraction("site_availability", site_availability)
    if needed == 0:
        return site_availability
    a = (mtbf_h / (mtbf_h + mttr_h)) ** devices_per_replica
    la, lb = math.log(a), math.log1p(-a) if a < 1 else -math.inf
    # binomial tail in log space: math.comb(2048, 1024) would overflow a float
    logs = [math.lgamma(units + 1) - math.lgamma(k + 1) - math.lgamma(units - k + 1) + k * la
            + ((units - k) * lb if units > k else 0.0) for k in range(needed, units + 1)]
    top = max(logs)
    return site_availability * min(1.0, math.exp(top) * sum(math.exp(x - top) for x in logs))


def replica_devices(model, device, *, max_batch: int, prompt: int, output: int, precision: str,
                    memory_fraction: float = DEFAULT_MEMORY_FRACTION) -> int:
    """Fewest devices per serving replica: their pooled usable memory holds the
    weights, the KV cache of `max_batch` sequences at prompt + output tokens and the
    activations (ideal tensor-parallel sharding)."""
    m = get_transformer_model(model)
    check_int("prompt", prompt, lo=1)
    check_int("output", output, lo=1)
    check_int("max_batch", max_batch, lo=1)
    if prompt + output > m.max_context:
        raise PhysicsError(f"prompt + output must be <= {m.max_context} (the max context of {m.id}), "
                           f"got {prompt + output}")
    return estimate(m, device, phase="decode", batch=max_batch, seq_len=prompt + output, precision=precision,
                    memory_fraction=memory_fraction).devices_needed


def serve_fleet(model, device, *, gpus: int, arrival_rps: float, prompt: int = 256, output: int = 16,
                precision: str = "fp16", strategy: str = "dynamic", max_batch: int = 32, window_s: float = 0.01,
                requests: int = 6000, seed: int = 0) -> FleetResult:
    """Serve a Poisson stream of `arrival_rps` on `gpus` devices: the model is sharded
    over the fewest devices that hold it (`devices_per_replica`), the fleet runs
    gpus // devices_per_replica replicas, and each replica is a batching queue at
    lambda / replicas. Fails clearly when `gpus` cannot hold one replica."""
    check_choice("strategy", strategy, STRATEGIES)
    check_int("gpus", gpus, lo=1)
    check_number("arrival_rps", arrival_rps, lo=0, lo_open=True)
    check_choice("precision", precision, PRECISIONS)
    check_number("window_s", window_s, lo=0)
    check_int("requests", requests, lo=100)
    check_int("seed", seed, lo=0)
    d = get_device(device)
    per = replica_devices(model, d, max_batch=max_batch, prompt=prompt, output=output, precision=precision)
    if gpus < per:
        raise PhysicsError(f"{get_transformer_model(model).id} at {precision} with {max_batch} sequences of "
                           f"{prompt + output} tokens needs {per} x {d.id} per replica: gpus must be >= {per}, "
                           f"got {gpus}")
    replicas = gpus // per
    kw = {"n_devices": per}
    s1 = request_service_time(model, d, batch=1, prompt=prompt, output=output, precision=precision, **kw)
    sb = request_service_time(model, d, batch=max_batch, prompt=prompt, output=output, precision=precision, **kw)
    per_item = max(0.0, (sb - s1) / (max_batch - 1)) if max_batch > 1 else 0.0
    base = s1 - per_item
    lam = arrival_rps / replicas
    step = estimate(model, d, phase="decode", batch=max_batch, seq_len=prompt, precision=precision, **kw).itl_s
    timeout = {"static": 1.0, "dynamic": window_s, "continuous": step}[strategy]
    capacity = max_batch / sb  # requests/s one replica sustains at full batches
    stable = lam < capacity
    if stable:
        sim = simulate_batching(arrival_rate=lam, base_latency_s=base, per_item_s=per_item, max_batch=max_batch,
                                timeout_s=timeout, requests=requests, seed=seed)
        p50, p99, mb, util = sim.p50_s, sim.p99_s, sim.mean_batch, sim.utilization
    else:
        p50 = p99 = math.inf
        mb, util = float(max_batch), 1.0
    price = d.require("price_per_hour")
    needed = max(1, math.ceil(arrival_rps / capacity))
    indep = fleet_availability(replicas * per, min(needed, replicas), devices_per_replica=per, site_availability=1.0)
    avail = SITE_AVAILABILITY * indep
    return FleetResult(gpus, strategy, lam, p50, p99, mb, util, stable, gpus * price / 3600.0 / arrival_rps,
                       avail, s1, sb, capacity * replicas,
                       {"prompt_tokens": prompt, "output_tokens": output, "precision": precision,
                        "max_batch": max_batch, "window_s": timeout, "price_per_hour": price,
                        "gpu_mtbf_h": round(GPU_MTBF_H), "gpu_mttr_h": GPU_MTTR_H,
                        "site_availability": SITE_AVAILABILITY, "devices_per_replica": per,
                        "sharding": "ideal tensor parallelism within a replica (communication not modelled)"},
                       per, replicas, indep, availability_nines(avail))


def gpus_needed(model, device, *, arrival_rps: float, p99_slo_s: float, max_gpus: int = 256, **kw) -> int | None:
    """Fewest GPUs (whole replicas of `devices_per_replica`) whose simulated P99 meets
    the SLO (None if even max_gpus cannot)."""
    check_number("p99_slo_s", p99_slo_s, lo=0, lo_open=True)
    check_int("max_gpus", max_gpus, lo=1)
    check_number("arrival_rps", arrival_rps, lo=0, lo_open=True)
    per = replica_devices(model, device, max_batch=kw.get("max_batch", 32), prompt=kw.get("prompt", 256),
                          output=kw.get("output", 16), precision=kw.get("precision", "fp16"))
    max_replicas = max_gpus // per
    if max_replicas < 1:
        return None

    def ok(r):
        return serve_fleet(model, device, gpus=r * per, arrival_rps=arrival_rps, **kw).p99_s <= p99_slo_s

    lo = 1
    while lo <= max_replicas:
        if ok(lo):
            break
        lo *= 2
    else:
        if not ok(max_replicas):
            return None
        lo = max_replicas
    hi, lo = lo, max(1, lo // 2)
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi * per


def drift_accuracy(acc0: float, *, sensitivity: float, psi_per_month: float, months_since_retrain: float) -> float:
    """Acc(t) = max(0, Acc0 - k x PSI(t)), PSI growing linearly between retrains (a
    scenario model: k and the PSI rate are inputs the scenario states, not constants)."""
    check_fraction("acc0", acc0, allow_zero=True)
    check_number("sensitivity", sensitivity, lo=0)
    check_number("psi_per_month", psi_per_month, lo=0)
    check_number("months_since_retrain", months_since_retrain, lo=0)
    return max(0.0, acc0 - sensitivity * psi_per_month * months_since_retrain)


@dataclass(frozen=True)
class TierCheck:
    tier: str
    device: str
    precision: str
    memory_bytes: float
    capacity_bytes: float  # usable
    latency_s: float | None  # one request, single stream (None when it cannot run at all)
    memory_ratio: float  # need / usable
    latency_ratio: float | None  # latency / SLO


def tier_check(model, device, *, tier: str, precision: str, prompt: int, output: int, latency_slo_s: float,
               memory_fraction: float = 0.9) -> TierCheck:
    """Does one request of `model` fit and meet the latency SLO on a single device?
    latency_s is what it would take if it fit (memory_ratio > 1 says it does not)."""
    from .devices import TIERS

    check_choice("tier", tier, TIERS)
    check_number("latency_slo_s", latency_slo_s, lo=0, lo_open=True)
    check_int("prompt", prompt, lo=1)
    check_int("output", output, lo=1)
    d = get_device(device)
    e = estimate(model, d, phase="decode", batch=1, seq_len=prompt + output, precision=precision,
                 memory_fraction=memory_fraction)
    usable = e.capacity_bytes * memory_fraction
    lat = request_service_time(model, d, batch=1, prompt=prompt, output=output, precision=precision, check_fit=False)
    return TierCheck(tier, d.id, precision, e.memory_bytes, usable, lat, e.memory_bytes / usable, lat / latency_slo_s)


def hardest(checks: list) -> str:
    """The tier furthest from feasible: the largest of its memory and latency ratios."""
    if isinstance(checks, (str, bytes)) or not hasattr(checks, "__iter__"):
        raise PhysicsError(f"checks must be a non-empty list of TierCheck, got {checks!r}")
    checks = list(checks)
    if not checks or not all(isinstance(c, TierCheck) for c in checks):
        raise PhysicsError("checks must be a non-empty list of TierCheck (from tier_check)")
    return max(checks, key=lambda c: max(c.memory_ratio, c.latency_ratio or 0)).tier
