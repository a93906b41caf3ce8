"""Serving a model to a request stream on a fleet: P99 from queueing at the offered
load (not one request's time), GPUs needed, cost per request, availability.

Each GPU is a batching server fed 1/N of the Poisson stream. A batch of b requests
takes S(b) = prefill(b, prompt) + output x decode_step(b, prompt + output/2) from
serving.py. Strategies:
- static: wait for a full batch of `max_batch` (one timeout of 1 s caps the wait);
- dynamic: start when `max_batch` wait or the oldest has waited `window_s`;
- continuous: requests join at the next decode iteration (window = one step).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .devices import get_device
from .errors import PhysicsError
from .queueing import simulate_batching
from .serving import estimate

STRATEGIES = ("static", "dynamic", "continuous")

# Per-GPU availability: Llama 3 pre-training saw 419 unexpected interruptions in 54
# days on 16,384 H100s (Dubey et al. 2024, section 3.3.4) -> MTBF ~ 50,700 GPU-hours.
# MTTR of 4 h (swap or reboot a node) is an estimate.
GPU_MTBF_H = 54 * 24 * 16384 / 419
GPU_MTTR_H = 4.0


def request_service_time(model, device, *, batch: int, prompt: int, output: int, precision: str, **kw) -> float:
    """S(b): prefill the batch's prompts, then `output` decode steps at mean context."""
    pre = estimate(model, device, phase="prefill", batch=batch, seq_len=prompt, precision=precision, **kw)
    dec = estimate(model, device, phase="decode", batch=batch, seq_len=prompt + max(1, output // 2),
                   precision=precision, **kw)
    return pre.ttft_s + output * dec.itl_s


@dataclass(frozen=True)
class FleetResult:
    gpus: int
    strategy: str
    per_gpu_rps: float
    p50_s: float
    p99_s: float
    mean_batch: float
    utilization: float
    stable: bool
    cost_per_request: float
    availability: float
    service_b1_s: float
    service_bmax_s: float
    capacity_rps: float  # what the fleet sustains at full batches
    assumptions: dict


def fleet_availability(gpus: int, needed: int, *, mtbf_h: float = GPU_MTBF_H, mttr_h: float = GPU_MTTR_H) -> float:
    """P(at least `needed` of `gpus` are up), independent failures."""
    a = mtbf_h / (mtbf_h + mttr_h)
    la, lb = math.log(a), math.log1p(-a)
    # binomial tail in log space: math.comb(2048, 1024) would overflow a float
    logs = [math.lgamma(gpus + 1) - math.lgamma(k + 1) - math.lgamma(gpus - k + 1) + k * la + (gpus - k) * lb
            for k in range(needed, gpus + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(x - top) for x in logs))


def serve_fleet(model, device, *, gpus: int, arrival_rps: float, prompt: int = 256, output: int = 16,
                precision: str = "fp16", strategy: str = "dynamic", max_batch: int = 32, window_s: float = 0.01,
                requests: int = 6000, seed: int = 0) -> FleetResult:
    if strategy not in STRATEGIES:
        raise PhysicsError(f"strategy must be one of {', '.join(STRATEGIES)}; got {strategy!r}")
    if not isinstance(gpus, int) or gpus < 1:
        raise PhysicsError(f"gpus must be an integer >= 1, got {gpus!r}")
    d = get_device(device)
    s1 = request_service_time(model, d, batch=1, prompt=prompt, output=output, precision=precision)
    sb = request_service_time(model, d, batch=max_batch, prompt=prompt, output=output, precision=precision)
    per_item = max(0.0, (sb - s1) / (max_batch - 1)) if max_batch > 1 else 0.0
    base = s1 - per_item
    lam = arrival_rps / gpus
    step = estimate(model, d, phase="decode", batch=max_batch, seq_len=prompt, precision=precision).itl_s
    timeout = {"static": 1.0, "dynamic": window_s, "continuous": step}[strategy]
    capacity = max_batch / sb  # requests/s one GPU sustains at full batches
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
    return FleetResult(gpus, strategy, lam, p50, p99, mb, util, stable, gpus * price / 3600.0 / arrival_rps,
                       fleet_availability(gpus, min(needed, gpus)), s1, sb, capacity * gpus,
                       {"prompt_tokens": prompt, "output_tokens": output, "precision": precision,
                        "max_batch": max_batch, "window_s": timeout, "price_per_hour": price,
                        "gpu_mtbf_h": round(GPU_MTBF_H), "gpu_mttr_h": GPU_MTTR_H})


def gpus_needed(model, device, *, arrival_rps: float, p99_slo_s: float, max_gpus: int = 256, **kw) -> int | None:
    """Fewest GPUs whose simulated P99 meets the SLO (None if even max_gpus cannot)."""
    lo = 1
    while lo <= max_gpus:
        if serve_fleet(model, device, gpus=lo, arrival_rps=arrival_rps, **kw).p99_s <= p99_slo_s:
            break
        lo *= 2
    else:
        return None
    hi, lo = lo, max(1, lo // 2)
    while lo < hi:
        mid = (lo + hi) // 2
        if serve_fleet(model, device, gpus=mid, arrival_rps=arrival_rps, **kw).p99_s <= p99_slo_s:
            hi = mid
        else:
            lo = mid + 1
    return hi


def drift_accuracy(acc0: float, *, sensitivity: float, psi_per_month: float, months_since_retrain: float) -> float:
    """Acc(t) = Acc0 - k x PSI(t), PSI growing linearly between retrains (a scenario
    model: k and the PSI rate are inputs the scenario states, not constants)."""
    return acc0 - sensitivity * psi_per_month * months_since_retrain


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
    """Does one request of `model` fit and meet the latency SLO on a single device?"""
    d = get_device(device)
    e = estimate(model, d, phase="decode", batch=1, seq_len=prompt + output, precision=precision,
                 memory_fraction=memory_fraction)
    usable = e.capacity_bytes * memory_fraction
    lat = request_service_time(model, d, batch=1, prompt=prompt, output=output, precision=precision)
    return TierCheck(tier, d.id, precision, e.memory_bytes, usable, lat, e.memory_bytes / usable, lat / latency_slo_s)


def hardest(checks: list) -> str:
    """The tier furthest from feasible: the largest of its memory and latency ratios."""
    return max(checks, key=lambda c: max(c.memory_ratio, c.latency_ratio or 0)).tier
