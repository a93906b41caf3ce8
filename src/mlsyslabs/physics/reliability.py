"""Reliability at scale: failure rates from published interruption censuses, job MTBF,
checkpoint size and time, the Young-Daly checkpoint interval, goodput with rework and
restart, and availability composition (series, parallel, k-of-n, shared domains).

Failures are modelled as independent and memoryless (exponential inter-arrival
times), the assumption under which the Young-Daly interval is derived; a synchronous
job on N GPUs fails when any of them does, so its failure rate is N x the per-GPU
rate (a series system) and its MTBF is 1 / (N lambda).

Sources:
- Dubey et al. 2024, "The Llama 3 Herd of Models", section 3.3.4 and Table 5: 466 job
  interruptions in a 54-day snapshot of Llama 3 405B pre-training on 16,384 H100s, 47
  planned and 419 unexpected, by root cause; "higher than 90% effective training time".
- Kokolis et al. 2025 (HPCA), "Revisiting Reliability in Large-Scale Machine Learning
  Research Clusters": 6.50 (RSC-1, 16k A100) and 2.34 (RSC-2, 8k A100) failures per
  1000 node-days (8 GPUs per node).
- Zhang et al. 2022, "OPT: Open Pre-trained Transformer Language Models", section 2.5:
  on 992 80GB A100s, hardware failures caused at least 35 manual restarts and an
  estimated 70+ automatic restarts over about 2 months.
- Young 1974, "A first order approximation to the optimum checkpoint interval" (CACM):
  tau = sqrt(2 delta M). Daly 2006, "A higher order estimate of the optimum
  checkpoint interval for restart dumps" (FGCS 22): the higher-order interval and the
  expected wall time T_w = M e^{R/M} (e^{(tau + delta)/M} - 1) T_s / tau.
- Checkpoint contents: mixed-precision Adam keeps 16 bytes per parameter (Rajbhandari
  et al. 2020, ZeRO, section 3.1): 2 (bf16 weights) + 2 (gradients) + 12 (fp32 master
  weights and two moments); a checkpoint saves all but the gradients: 14 bytes.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from . import _argcheck as A
from .errors import PhysicsError, UnknownIdError
from .units import HOUR


@dataclass(frozen=True)
class Census:
    """A published count of job interruptions on a cluster."""

    id: str
    name: str
    gpus: int
    gpus_per_node: int
    hours: float
    interruptions: float  # unexpected (failure-caused) interruptions in `hours`
    source: str
    by_component: dict = field(default_factory=dict)  # component -> (category, count)
    notes: str = ""

    @property
    def rate_per_gpu_hour(self) -> float:
        return self.interruptions / (self.gpus * self.hours)

    @property
    def per_1000_node_days(self) -> float:
        return self.rate_per_gpu_hour * self.gpus_per_node * 24.0 * 1000.0


_LLAMA3_TABLE5 = {
    "Faulty GPU": ("GPU", 148), "GPU HBM3 Memory": ("GPU", 72), "Software Bug": ("Dependency", 54),
    "Network Switch/Cable": ("Network", 35), "Host Maintenance": ("Unplanned Maintenance", 32),
    "GPU SRAM Memory": ("GPU", 19), "GPU System Processor": ("GPU", 17), "NIC": ("Host", 7),
    "NCCL Watchdog Timeouts": ("Unknown", 7), "Silent Data Corruption": ("GPU", 6),
    "GPU Thermal Interface + Sensor": ("GPU", 6), "SSD": ("Host", 3), "Power Supply": ("Host", 3),
    "Server Chassis": ("Host", 2), "IO Expansion Board": ("Host", 2), "Dependency": ("Dependency", 2),
    "CPU": ("Host", 2), "System Memory": ("Host", 2),
}

CENSUSES: dict[str, Census] = {c.id: c for c in [
    Census("llama3-405b", "Llama 3 405B pre-training, 16,384 H100 (Meta, 2024)", 16384, 8, 54 * 24.0, 419,
           "Dubey et al. 2024, 'The Llama 3 Herd of Models', section 3.3.4, Table 5 (54-day snapshot)",
           _LLAMA3_TABLE5, "47 planned interruptions excluded; about 78% of the 419 were confirmed or suspected "
                           "hardware"),
    Census("rsc-1", "Meta RSC-1 research cluster, 16k A100 (11 months)", 16384, 8, 1000 * 24.0 * 8 / 16384, 6.50,
           "Kokolis et al. 2025 (HPCA), 'Revisiting Reliability in Large-Scale ML Research Clusters': "
           "6.50 failures per 1000 node-days",
           notes="a rate: gpus x hours is exactly 1000 node-days of 8 GPUs"),
    Census("rsc-2", "Meta RSC-2 research cluster, 8k A100 (11 months)", 8192, 8, 1000 * 24.0 * 8 / 8192, 2.34,
           "Kokolis et al. 2025 (HPCA): 2.34 failures per 1000 node-days",
           notes="a rate: gpus x hours is exactly 1000 node-days of 8 GPUs"),
    Census("opt-175b", "OPT-175B pre-training, 992 A100 (Meta, 2021-22)", 992, 8, 60 * 24.0, 105,
           "Zhang et al. 2022, 'OPT', section 2.5: at least 35 manual and an estimated 70+ automatic restarts "
           "from hardware failures over 'the course of 2 months'",
           notes="2 months taken as 60 days; 35 + 70 = 105 is a lower bound the authors estimate"),
]}

DEFAULT_CENSUS = "llama3-405b"
DEFAULT_RESTART_S = 600.0  # estimate: detect, reschedule, reload and re-initialise NCCL (~10 min); no source
CHECKPOINT_BYTES_PER_PARAM = 14.0  # bf16 weights 2 + fp32 master 4 + Adam moments 8 (ZeRO, section 3.1)
DEFAULT_MTTR_H = 4.0  # estimate: swap or reboot a node (as fleet.py)


def get_census(census) -> Census:
    if isinstance(census, Census):
        return census
    if not isinstance(census, str) or census not in CENSUSES:
        raise UnknownIdError("census", str(census), CENSUSES)
    return CENSUSES[census]


def failure_rate_per_gpu_hour(census: str = DEFAULT_CENSUS) -> float:
    """Unexpected interruptions per GPU-hour: count / (GPUs x hours) of a census."""
    return get_census(census).rate_per_gpu_hour


def component_rates(census: str = DEFAULT_CENSUS) -> dict:
    """Per-component interruption rate per GPU-hour (a census with a root-cause table):
    {component: {"category", "count", "rate_per_gpu_hour", "share"}}."""
    c = get_census(census)
    if not c.by_component:
        raise PhysicsError(f"census {c.id!r} has no per-component table; use 'llama3-405b'")
    total = sum(n for _, n in c.by_component.values())
    return {k: {"category": cat, "count": n, "rate_per_gpu_hour": n / (c.gpus * c.hours), "share": n / total}
            for k, (cat, n) in c.by_component.items()}


def _rate(rate_per_gpu_hour, census):
    if rate_per_gpu_hour is None:
        return failure_rate_per_gpu_hour(census)
    return A.positive("rate_per_gpu_hour", rate_per_gpu_hour)


def job_mtbf_h(gpus, *, rate_per_gpu_hour=None, census: str = DEFAULT_CENSUS) -> float:
    """Mean time between interruptions of a synchronous job on `gpus` GPUs: 1 / (N lambda)."""
    n = A.integer("gpus", gpus, lo=1, hi=10 ** 8)
    return 1.0 / (n * _rate(rate_per_gpu_hour, census))


def expected_interruptions(gpus, hours, *, rate_per_gpu_hour=None, census: str = DEFAULT_CENSUS) -> float:
    """N x T x lambda interruptions expected in `hours` of wall time."""
    n = A.integer("gpus", gpus, lo=1, hi=10 ** 8)
    t = A.nonneg("hours", hours)
    return n * t * _rate(rate_per_gpu_hour, census)


def p_no_interruption(gpus, hours, *, rate_per_gpu_hour=None, census: str = DEFAULT_CENSUS) -> float:
    """Probability the job runs `hours` without an interruption: exp(-N T lambda)."""
    return math.exp(-expected_interruptions(gpus, hours, rate_per_gpu_hour=rate_per_gpu_hour, census=census))


# ------------------------------------------------------------------ checkpoints
def checkpoint_bytes(params, *, bytes_per_param=CHECKPOINT_BYTES_PER_PARAM) -> float:
    """Model + optimizer state saved per checkpoint: params x bytes_per_param
    (default 14: bf16 weights, fp32 master weights and Adam's two moments)."""
    return A.positive("params", params) * A.positive("bytes_per_param", bytes_per_param)


def checkpoint_time_s(nbytes, bandwidth, *, latency_s: float = 0.0) -> float:
    """Time to write (or read back) `nbytes` at an aggregate storage `bandwidth` (B/s)."""
    return A.nonneg("latency_s", latency_s) + A.nonneg("nbytes", nbytes) / A.positive("bandwidth", bandwidth)


@dataclass(frozen=True)
class CheckpointInterval:
    young_s: float  # sqrt(2 delta M)
    daly_s: float  # Daly's higher-order optimum (M when delta >= 2M)
    regime: str  # "young" (delta < M/20: both agree), "daly" (delta < 2M), "checkpoint-bound" (delta >= 2M)
    delta_over_mtbf: float
    assumptions: dict


def young_daly(checkpoint_s, mtbf_s) -> CheckpointInterval:
    """Optimal compute time between checkpoints for checkpoint cost delta and MTBF M.

    Young: tau = sqrt(2 delta M), first order, valid when delta << M.
    Daly: tau = sqrt(2 delta M) [1 + (1/3) sqrt(delta/2M) + (1/9)(delta/2M)] - delta
    for delta < 2M, else tau = M. Both assume exponential failures; the restart time
    does not change the optimum (Daly 2006, section 3)."""
    d = A.positive("checkpoint_s", checkpoint_s)
    m = A.positive("mtbf_s", mtbf_s)
    young = math.sqrt(2.0 * d * m)
    x = d / (2.0 * m)
    if d < 2.0 * m:
        daly = young * (1.0 + math.sqrt(x) / 3.0 + x / 9.0) - d
        regime = "young" if d < m / 20.0 else "daly"
    else:
        daly, regime = m, "checkpoint-bound"
    return CheckpointInterval(young, daly, regime, d / m,
                              {"failures": "exponential (memoryless), independent",
                               "young_valid": "delta << M (here delta/M = %.3g)" % (d / m),
                               "daly_valid": "delta < 2M"})


def goodput(interval_s, checkpoint_s, mtbf_s, *, restart_s: float = DEFAULT_RESTART_S) -> float:
    """Fraction of wall time that is useful compute (Daly 2006, eq. 20 inverted):
    tau / (M e^{R/M} (e^{(tau + delta)/M} - 1)). Counts checkpoint writes, rework of
    the work lost since the last checkpoint, and restarts (R: detect, reschedule,
    reload). Tends to tau / (tau + delta) as M -> infinity."""
    tau = A.positive("interval_s", interval_s)
    d = A.nonneg("checkpoint_s", checkpoint_s)
    m = A.positive("mtbf_s", mtbf_s)
    r = A.nonneg("restart_s", restart_s)
    log_denom = math.log(m) + r / m + math.log(math.expm1((tau + d) / m))
    return math.exp(math.log(tau) - log_denom)


@dataclass(frozen=True)
class TrainingReliability:
    gpus: int
    hours: float
    job_mtbf_h: float
    expected_interruptions: float
    checkpoint_bytes: float | None
    checkpoint_write_s: float | None
    checkpoint_interval_s: float | None  # Young-Daly (Daly's higher-order form)
    young_interval_s: float | None
    regime: str | None
    goodput: float | None
    lost_hours: float | None  # wall hours not spent on useful compute
    rate_per_gpu_hour: float
    assumptions: dict

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def training_reliability(gpus, hours, *, checkpoint_bytes_=None, params=None, write_bw=None,
                         restart_s: float = DEFAULT_RESTART_S, interval_s=None, rate_per_gpu_hour=None,
                         census: str = DEFAULT_CENSUS) -> TrainingReliability:
    """Interruptions, MTBF, checkpoint cost, Young-Daly interval and goodput of a
    synchronous training job of `gpus` GPUs running `hours` of wall time. Checkpoint
    size from `checkpoint_bytes_` or `params` (x 14 B); write time needs `write_bw`."""
    n = A.integer("gpus", gpus, lo=1, hi=10 ** 8)
    t = A.positive("hours", hours)
    lam = _rate(rate_per_gpu_hour, census)
    mtbf_h = 1.0 / (n * lam)
    nbytes = None
    if checkpoint_bytes_ is not None:
        nbytes = A.positive("checkpoint_bytes", checkpoint_bytes_)
    elif params is not None:
        nbytes = checkpoint_bytes(params)
    write = interval = young = regime = gp = lost = None
    if nbytes is not None and write_bw is not None:
        write = checkpoint_time_s(nbytes, write_bw)
        yd = young_daly(write, mtbf_h * HOUR)
        young, regime = yd.young_s, yd.regime
        interval = A.positive("interval_s", interval_s) if interval_s is not None else yd.daly_s
        gp = goodput(interval, write, mtbf_h * HOUR, restart_s=restart_s)
        lost = t * (1.0 - gp)
    elif write_bw is not None:
        raise PhysicsError("write_bw needs checkpoint_bytes (or params) to price a checkpoint")
    src = get_census(census).source if rate_per_gpu_hour is None else "given"
    return TrainingReliability(n, t, mtbf_h, n * t * lam, nbytes, write, interval, young, regime, gp, lost, lam,
                               {"rate_source": src, "restart_s": restart_s,
                                "failures": "independent, exponential; any GPU's failure interrupts the job",
                                "checkpoint_bytes_per_param": CHECKPOINT_BYTES_PER_PARAM})


def simulate_goodput(*, interval_s, checkpoint_s, mtbf_s, restart_s: float = 0.0, work_s: float = 1e6,
                     seed: int = 0) -> float:
    """Seeded Monte Carlo of checkpoint/restart under exponential failures (failures
    can strike during work, checkpoint writes and restarts); returns work / wall time."""
    tau = A.positive("interval_s", interval_s)
    d = A.nonneg("checkpoint_s", checkpoint_s)
    m = A.positive("mtbf_s", mtbf_s)
    r = A.nonneg("restart_s", restart_s)
    total = A.positive("work_s", work_s)
    rng = random.Random(seed)
    done = wall = 0.0
    next_fail = rng.expovariate(1.0 / m)
    while done < total:
        segment = min(tau, total - done) + d
        if next_fail >= segment:  # the segment and its checkpoint complete
            wall += segment
            next_fail -= segment
            done += segment - d
            continue
        wall += next_fail  # lost: the partial segment; then restart, which may itself fail
        while True:
            f = rng.expovariate(1.0 / m)
            if f >= r:
                wall += r
                next_fail = f - r
                break
            wall += f
    return total / wall


# ------------------------------------------------------------------ availability
def availability(mtbf_h, mttr_h=DEFAULT_MTTR_H) -> float:
    """Steady-state availability MTBF / (MTBF + MTTR)."""
    m = A.positive("mtbf_h", mtbf_h)
    r = A.nonneg("mttr_h", mttr_h)
    return m / (m + r)


def _avails(values):
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = values[0]
    if not values:
        raise PhysicsError("give at least one availability")
    return [A.fraction(f"availability[{i}]", a, allow_zero=True) for i, a in enumerate(values)]


def series(*availabilities) -> float:
    """All must be up: product of availabilities."""
    p = 1.0
    for a in _avails(availabilities):
        p *= a
    return p


def parallel(*availabilities) -> float:
    """Any one up suffices: 1 - product of unavailabilities."""
    q = 1.0
    for a in _avails(availabilities):
        q *= 1.0 - a
    return 1.0 - q


def _log_binom_pmf(n, k, la, lb):
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * la + (n - k) * lb


def _binom_tail(n: int, k: int, a: float) -> float:
    """P(Binomial(n, a) >= k), summed in log space over the terms that matter."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if a >= 1.0:
        return 1.0
    if a <= 0.0:
        return 0.0
    la, lb = math.log(a), math.log1p(-a)
    mean, sd = n * a, math.sqrt(n * a * (1.0 - a))
    width = int(40 * sd) + 100  # terms further than this from the bulk are below 1e-300
    if k <= mean:  # 1 - P(X <= k - 1), the smaller lower tail
        terms = [_log_binom_pmf(n, j, la, lb) for j in range(max(0, k - width), k)]
        top = max(terms)
        return max(0.0, 1.0 - math.exp(top) * sum(math.exp(x - top) for x in terms))
    terms = [_log_binom_pmf(n, j, la, lb) for j in range(k, min(n, k + width) + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(x - top) for x in terms))


def k_of_n(k, n, availability_each) -> float:
    """P(at least k of n independent, identical components are up)."""
    n_ = A.integer("n", n, lo=1, hi=10 ** 7)
    k_ = A.integer("k", k, lo=0, hi=n_)
    a = A.fraction("availability_each", availability_each, allow_zero=True)
    return _binom_tail(n_, k_, a)


def k_of_n_domains(k, n, availability_each, *, domain_size, domain_availability) -> float:
    """At least k of n components up when they sit in failure domains of `domain_size`
    (a node, a rack, a power feed) that each fail as a unit with availability
    `domain_availability`, independently of the components' own failures:
    sum_j P(j domains up) x P(at least k of the j x size components up)."""
    n_ = A.integer("n", n, lo=1, hi=10 ** 7)
    k_ = A.integer("k", k, lo=0, hi=n_)
    a = A.fraction("availability_each", availability_each, allow_zero=True)
    g = A.integer("domain_size", domain_size, lo=1, hi=n_)
    if n_ % g:
        raise PhysicsError(f"n ({n_}) must be a multiple of domain_size ({g})")
    ad = A.fraction("domain_availability", domain_availability, allow_zero=True)
    domains = n_ // g
    need = math.ceil(k_ / g)  # fewer domains up than this can never reach k
    if k_ == 0:
        return 1.0
    if ad >= 1.0:
        return _binom_tail(n_, k_, a)
    if ad <= 0.0:
        return 0.0
    la, lb = math.log(ad), math.log1p(-ad)
    total = 0.0
    mean, sd = domains * ad, math.sqrt(domains * ad * (1 - ad))
    lo = max(need, int(mean - 40 * sd - 40))
    for j in range(lo, domains + 1):
        pj = math.exp(_log_binom_pmf(domains, j, la, lb))
        if pj < 1e-300:
            continue
        total += pj * _binom_tail(j * g, k_, a)
    return min(1.0, total)


def cluster_availability(gpus, needed, *, mtbf_h=None, mttr_h=DEFAULT_MTTR_H, gpus_per_node: int = 8,
                         node_mtbf_h=None, census: str = DEFAULT_CENSUS) -> float:
    """P(at least `needed` of `gpus` GPUs are up) with per-GPU failures (from the census
    GPU-category rate unless mtbf_h is given) and whole-node failures (host, network and
    maintenance categories) taking down `gpus_per_node` GPUs at once."""
    n = A.integer("gpus", gpus, lo=1)
    k = A.integer("needed", needed, lo=0, hi=n)
    g = A.integer("gpus_per_node", gpus_per_node, lo=1, hi=n)
    if mtbf_h is None or node_mtbf_h is None:
        rates = component_rates(census)
        gpu_rate = sum(v["rate_per_gpu_hour"] for v in rates.values() if v["category"] == "GPU")
        node_rate = sum(v["rate_per_gpu_hour"] for v in rates.values() if v["category"] != "GPU") * g
        mtbf_h = 1.0 / gpu_rate if mtbf_h is None else mtbf_h
        node_mtbf_h = 1.0 / node_rate if node_mtbf_h is None else node_mtbf_h
    a_gpu = availability(mtbf_h, mttr_h)
    a_node = availability(node_mtbf_h, mttr_h)
    if n % g:
        raise PhysicsError(f"gpus ({n}) must be a multiple of gpus_per_node ({g})")
    return k_of_n_domains(k, n, a_gpu, domain_size=g, domain_availability=a_node)
