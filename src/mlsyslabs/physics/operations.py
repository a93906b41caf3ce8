"""Operations and responsibility: drift (PSI), per-group error rates on scored
populations, energy and carbon of a run."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .errors import PhysicsError, check_fraction, check_int, check_number, check_positive


def _numbers(name, values) -> list:
    """A list of finite non-negative numbers (counts or proportions)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise PhysicsError(f"{name} must be a list of non-negative numbers, got {values!r}")
    out = list(values)
    for v in out:
        check_number(f"{name} (each bin)", v, lo=0)
    return out


def psi(expected, actual, *, epsilon: float = 1e-4) -> float:
    """Population Stability Index: sum (a - e) ln(a / e) over bins, from counts or
    proportions (each normalised to 1). Empty bins are floored at `epsilon`
    (Siddiqi 2006, 'Credit Risk Scorecards', ch. 8; PSI < 0.1 stable, > 0.25 major shift)."""
    expected, actual = _numbers("expected", expected), _numbers("actual", actual)
    check_fraction("epsilon", epsilon, allow_one=False)
    if len(expected) != len(actual) or len(expected) < 2:
        raise PhysicsError("psi needs two distributions with the same number (>= 2) of bins")
    se, sa = float(sum(expected)), float(sum(actual))
    if se <= 0 or sa <= 0 or min(expected) < 0 or min(actual) < 0:
        raise PhysicsError("psi needs non-negative bins with a positive total")
    total = 0.0
    for e, a in zip(expected, actual):
        e, a = max(e / se, epsilon), max(a / sa, epsilon)
        total += (a - e) * math.log(a / e)
    return total


@dataclass(frozen=True)
class GroupRates:
    tpr: float
    fpr: float
    fnr: float
    ppv: float
    positives: int
    negatives: int
    flagged: int


def _ratio(a, b):
    return a / b if b else 0.0


def group_rates(scores, labels, threshold: float) -> GroupRates:
    """Confusion-matrix rates when score >= threshold is flagged positive."""
    for name, seq in (("scores", scores), ("labels", labels)):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise PhysicsError(f"{name} must be a list, got {seq!r}")
    if len(scores) != len(labels) or not len(scores):
        raise PhysicsError("group_rates needs equal-length, non-empty scores and labels")
    check_number("threshold", threshold)
    for v in scores:
        check_number("scores (each)", v)
    for y in labels:
        if y not in (0, 1):  # True/False count as 1/0
            raise PhysicsError(f"labels must be 0/1 or True/False, got {y!r}")
    tp = fp = fn = tn = 0
    for s, y in zip(scores, labels):
        flag = s >= threshold
        if y:
            tp += flag
            fn += not flag
        else:
            fp += flag
            tn += not flag
    return GroupRates(_ratio(tp, tp + fn), _ratio(fp, fp + tn), _ratio(fn, tp + fn), _ratio(tp, tp + fp),
                      tp + fn, fp + tn, tp + fp)


def synthetic_population(n: int, *, base_rate: float, separation: float = 1.5, seed: int = 0):
    """Seeded scored population: labels ~ Bernoulli(base_rate); scores ~ N(0, 1) for
    negatives and N(separation, 1) for positives, squashed to (0, 1) by a logistic.
    Same score model for every group, so any disparity comes from base rates."""
    check_int("n", n, lo=1, hi=1_000_000)
    check_fraction("base_rate", base_rate, allow_zero=True)
    check_number("separation", separation, lo=-50, hi=50)
    check_int("seed", seed, lo=0)
    rng = random.Random(seed)
    labels = [rng.random() < base_rate for _ in range(n)]
    scores = [1.0 / (1.0 + math.exp(-(rng.gauss(separation if y else 0.0, 1.0) - separation / 2))) for y in labels]
    return scores, labels


# Grid carbon intensity, gCO2e per kWh, annual averages.
GRID_CARBON = {
    "world": (481, "Ember, Global Electricity Review 2024: world average 2023"),
    "us": (369, "US EIA, 2023 US electricity CO2 intensity (0.81 lb/kWh)"),
    "eu": (244, "Ember, European Electricity Review 2024: EU average 2023"),
    "france": (56, "Ember, European Electricity Review 2024: France 2023"),
    "germany": (381, "Ember, European Electricity Review 2024: Germany 2023"),
    "poland": (662, "Ember, European Electricity Review 2024: Poland 2023"),
    "sweden": (41, "Ember, European Electricity Review 2024: Sweden 2023"),
    "india": (713, "Ember, Global Electricity Review 2024: India 2023"),
}
DEFAULT_PUE = 1.1  # hyperscale facility; Google 2024 Environmental Report: fleet PUE 1.10


@dataclass(frozen=True)
class Footprint:
    energy_j: float
    energy_kwh: float
    carbon_kg: float
    assumptions: dict


def energy_and_carbon(*, power_w, time_s, pue: float = DEFAULT_PUE, grid: str | float = "world",
                      n_devices: int = 1) -> Footprint:
    """Energy = power x time x PUE x devices; carbon = energy x grid intensity."""
    check_positive("power_w", power_w)
    check_positive("time_s", time_s, allow_zero=True)
    check_int("n_devices", n_devices, lo=1)
    check_number("pue", pue, lo=1)
    if isinstance(grid, str):
        if grid not in GRID_CARBON:
            raise PhysicsError(f"grid must be one of {', '.join(GRID_CARBON)} or a gCO2/kWh number; got {grid!r}")
        intensity = GRID_CARBON[grid][0]
    else:
        intensity = check_positive("grid", grid, allow_zero=True)
    j = power_w * time_s * pue * n_devices
    kwh = j / 3.6e6
    return Footprint(j, kwh, kwh * intensity / 1000.0,
                     {"pue": pue, "grid_gco2_per_kwh": intensity, "n_devices": n_devices, "power_w": power_w})


# ------------------------------------------------------------- duty-cycled sensors on a battery
SECONDS_PER_DAY = 86400.0
# Battery energy = rated capacity x nominal voltage (what a datasheet promises at a light load, new, 21 C).
BATTERIES = {
    "cr2032": ("CR2032 coin cell", 0.235 * 3.0 * 3600.0,
               "Energizer CR2032 datasheet: 235 mAh to 2.0 V at a 15 kOhm load, nominal 3.0 V"),
    "aa-pair": ("two AA alkaline cells", 2.5 * 3.0 * 3600.0,
                "estimate from the Energizer E91 datasheet: about 2,500 mAh per cell at light loads, 1.5 V, "
                "two in series"),
}


def average_power_w(*, active_w, sleep_w, duty) -> float:
    """Duty-cycled draw: duty x active power + (1 - duty) x sleep power."""
    check_positive("active_w", active_w, allow_zero=True)
    check_positive("sleep_w", sleep_w, allow_zero=True)
    check_fraction("duty", duty, allow_zero=True)
    return duty * active_w + (1.0 - duty) * sleep_w


def battery_life_days(*, capacity_j, energy_per_day_j) -> float:
    """Days a battery lasts: capacity / energy drawn per day (infinite when nothing is drawn)."""
    check_positive("capacity_j", capacity_j)
    check_positive("energy_per_day_j", energy_per_day_j, allow_zero=True)
    return math.inf if energy_per_day_j == 0 else capacity_j / energy_per_day_j


@dataclass(frozen=True)
class SensorDay:
    latency_s: float  # one inference (the iron law on the device)
    inference_j: float  # energy of one inference: active power x latency
    wakeups_per_day: float
    energy_j: dict  # per day: inference, sleep, radio
    total_j: float
    duty: float  # share of time computing
    average_w: float
    dominant: str


def sensor_day(model, device, *, period_s, report_bytes, precision: str = "int8") -> SensorDay:
    """A sensor that wakes every `period_s`, runs one inference at the device's active power
    (tdp_w x the iron-law latency), sends `report_bytes` over Bluetooth LE (network.radio_energy_j)
    and sleeps the rest of the period at the device's sleep power (sleep_w): energy per day by term."""
    from .devices import get_device
    from .network import radio_airtime_s, radio_energy_j
    from .serving import iron_law_inference

    check_positive("period_s", period_s)
    check_positive("report_bytes", report_bytes, allow_zero=True)
    d = get_device(device)
    active_w, sleep_w = d.require("tdp_w"), d.require("sleep_w")
    run = iron_law_inference(model, d, precision=precision)
    if not run.fits:
        raise PhysicsError(f"{model} does not fit in the {d.name}'s memory")
    awake = run.total_s + radio_airtime_s(report_bytes)
    if awake > period_s:
        raise PhysicsError(f"period_s {period_s:g} s is shorter than one inference plus its report ({awake:.3g} s)")
    n = SECONDS_PER_DAY / period_s
    energy = {"inference": n * active_w * run.total_s, "sleep": n * sleep_w * (period_s - awake),
              "radio": n * radio_energy_j(report_bytes)}
    total = sum(energy.values())
    return SensorDay(run.total_s, active_w * run.total_s, n, energy, total, run.total_s / period_s,
                     total / SECONDS_PER_DAY, max(energy, key=energy.get))
