"""Sustainability and economics at scale: utilisation-dependent power of GPUs, hosts,
network and storage; PUE and water (WUE); grid carbon by region and year; embodied
carbon; demand rebound; total cost of ownership, $/token, $/training run, cloud vs own.

Energy boundary (what a footprint counts), from narrow to wide:
  "gpu"  GPU board power only: P_gpu(u) = TDP x (idle + (1 - idle) u). The convention of
         published model cards (Meta's Llama 2/3 cards, BLOOM's "dynamic" energy).
  "node" + the host's share (CPUs, memory, NICs, fans, PSU losses) of its 8-GPU server.
  "it"   + the cluster network (fat-tree switches) and storage.
Facility energy = boundary energy x PUE. Carbon = facility energy x grid intensity +
embodied carbon (hardware manufacturing, amortised over its service life). Water =
IT energy x WUE (on-site cooling) + facility energy x EWIF (water evaporated to
generate the electricity, off-site).

Every constant below carries its source; estimates say so. Prices move: they are for
orders of magnitude and for comparing choices, not for quotes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from . import _argcheck as A
from .devices import get_device
from .errors import MissingFieldError, PhysicsError
from .operations import DEFAULT_PUE, GRID_CARBON

LB = 453.59237  # grams per pound (for EIA's lb/kWh)

# ----------------------------------------------------------------- power model
GPU_IDLE_FRACTION = 0.10  # estimate: H100/A100 boards idle at ~60-90 W (nvidia-smi) against 400-700 W TDP
HOST_ACTIVITY = 0.6  # host draw / host budget under training load: Latif et al. 2024 (arXiv 2412.08602)
# measured an 8x H100 HGX node at 8.4 kW max during training with GPUs near full load, of a 10.2 kW rating:
# (8.4 - 8 x 0.7) / (10.2 - 8 x 0.7) = 2.8 / 4.6 ~ 0.6 of the non-GPU budget.
HOST_IDLE_FRACTION = 0.5  # estimate: host draw at idle as a share of its loaded draw (fans, DRAM, CPUs idle)

# Servers: GPUs per node and the vendor's maximum system power (datasheets).
SYSTEMS = {
    "h100-sxm": (8, 10200.0, "NVIDIA DGX H100 datasheet: 8x H100 SXM, ~10.2 kW max system power"),
    "h200": (8, 10200.0, "NVIDIA DGX H200 datasheet: 8x H200, ~10.2 kW max system power"),
    "b200": (8, 14300.0, "NVIDIA DGX B200 datasheet: 8x B200, ~14.3 kW max system power"),
    "a100-80gb": (8, 6500.0, "NVIDIA DGX A100 datasheet: 8x A100, 6.5 kW max system power"),
    "a100-40gb": (8, 6500.0, "NVIDIA DGX A100 datasheet: 8x A100, 6.5 kW max system power"),
    "v100": (8, 3500.0, "NVIDIA DGX-1 (V100) datasheet: 8x V100, 3.5 kW max system power"),
}
HOST_BUDGET_FRACTION_DEFAULT = 0.5  # estimate for parts without a system entry: host budget = 0.5 x GPU TDP

# Network: non-blocking fat tree of radix-k switches has (2 tiers - 1)/k switches per endpoint
# (1 tier: 1/k; leaf-spine: 3/k; three tiers: 5/k) -- Al-Fares et al. 2008 (SIGCOMM), k-ary fat tree.
SWITCH_RADIX = 64  # NVIDIA Quantum-2 QM9700: 64 ports of NDR 400 Gb/s (datasheet)
SWITCH_POWER_W = 1500.0  # estimate: a 64-port 400G switch with its optics, ~1.5 kW
STORAGE_W_PER_GPU = 15.0  # estimate: shared flash storage servers amortised per GPU

# ---------------------------------------------------------------- water, carbon
DEFAULT_WUE_L_PER_KWH = 0.55  # on-site, per IT kWh: Li et al. 2023 ("Making AI Less Thirsty") for Microsoft's
# U.S. data centres; reproduces their 700,000 L on-site for GPT-3's 1,287 MWh.
DEFAULT_EWIF_L_PER_KWH = 3.14  # off-site water per kWh generated, U.S. average (Li et al. 2023, after Reig 2020)

# Grid carbon intensity by region and year, gCO2e/kWh (annual averages).
_OWID = "Ember and Energy Institute via Our World in Data, 'Carbon intensity of electricity generation' (lifecycle)"
_EIA = "U.S. EIA FAQ 'How much carbon dioxide is produced per kilowatthour of U.S. electricity generation?'"
GRID_CARBON_BY_YEAR: dict = {
    ("us", 2019): (0.92 * LB, _EIA + ": 2019, 0.92 lb/kWh"),
    ("us", 2021): (0.855 * LB, _EIA + ": 2021, 0.855 lb/kWh"),
    ("us", 2022): (0.86 * LB, _EIA + ": 2022, 0.86 lb/kWh"),
    ("us", 2023): (0.81 * LB, _EIA + ": 2023, 0.81 lb/kWh"),
    ("france", 1990): (104.0, _OWID + ": France 1990"), ("france", 2023): (56.0, _OWID + ": France 2023"),
    ("germany", 1990): (622.0, _OWID + ": Germany 1990"), ("germany", 2023): (381.0, _OWID + ": Germany 2023"),
    ("denmark", 1990): (890.0, _OWID + ": Denmark 1990"), ("denmark", 2023): (152.0, _OWID + ": Denmark 2023"),
    ("finland", 1990): (282.0, _OWID + ": Finland 1990"), ("finland", 2023): (79.0, _OWID + ": Finland 2023"),
    ("ireland", 1990): (695.0, _OWID + ": Ireland 1990"), ("ireland", 2023): (291.0, _OWID + ": Ireland 2023"),
    ("belgium", 1990): (313.0, _OWID + ": Belgium 1990"), ("belgium", 2023): (138.0, _OWID + ": Belgium 2023"),
    ("austria", 1990): (250.0, _OWID + ": Austria 1990"), ("austria", 2023): (111.0, _OWID + ": Austria 2023"),
    ("greece", 1990): (884.0, _OWID + ": Greece 1990"), ("greece", 2023): (337.0, _OWID + ": Greece 2023"),
    ("czechia", 1990): (778.0, _OWID + ": Czechia 1990"), ("czechia", 2023): (450.0, _OWID + ": Czechia 2023"),
    ("china", 2023): (582.0, _OWID + ": China 2023"), ("canada", 2023): (170.0, _OWID + ": Canada 2023"),
    ("australia", 2023): (549.0, _OWID + ": Australia 2023"), ("brazil", 2023): (98.0, _OWID + ": Brazil 2023"),
    ("chile", 2023): (291.0, _OWID + ": Chile 2023"), ("iran", 2023): (655.0, _OWID + ": Iran 2023"),
}
for _region, (_value, _src) in GRID_CARBON.items():  # the engine's 2023 table (operations.py)
    GRID_CARBON_BY_YEAR.setdefault((_region, 2023), (float(_value), _src))
REGIONS = tuple(sorted({r for r, _ in GRID_CARBON_BY_YEAR}))

# Embodied (manufacturing) carbon per GPU with its server share, and service life.
EMBODIED_KG_PER_GPU = 150.0 + 2500.0 / 8  # Luccioni et al. 2023 (BLOOM, JMLR 24): 150 kg per A100 GPU and
# 2,500 kg per 8-GPU HPE Apollo 6500 server (their estimates)
EMBODIED_LIFETIME_YEARS = 6.0  # Luccioni et al. 2023: 6-year hardware life
EMBODIED_FLEET_UTILIZATION = 0.85  # Luccioni et al. 2023: Jean Zay's share of life spent on jobs

# ------------------------------------------------------------------- economics
ELECTRICITY_USD_PER_KWH = 0.080  # U.S. EIA Electric Power Monthly: 2023 average industrial retail price ~8.0 c/kWh
SERVER_PRICE_USD = {  # per 8-GPU server; estimates from public reporting, prices vary widely by buyer
    "h100-sxm": (280_000.0, "estimate: 8x H100 SXM server (HGX) ~$250-300k in 2023-24 press reports"),
    "h200": (320_000.0, "estimate: 8x H200 server ~$300-350k (2024 press reports)"),
    "b200": (450_000.0, "estimate: 8x B200 server ~$400-500k (2025 press reports)"),
    "a100-80gb": (150_000.0, "estimate: 8x A100 80GB server ~$150k (2021-22 list prices)"),
}
NETWORK_CAPEX_FRACTION = 0.15  # estimate: InfiniBand/Ethernet fabric as a share of server capex
FACILITY_USD_PER_KW_MONTH = 150.0  # estimate: wholesale colocation, ~$150/kW-month (2023-24 US market reports)
STAFF_GPUS_PER_FTE = 500.0  # estimate: one operations engineer per ~500 GPUs
STAFF_USD_PER_FTE_YEAR = 200_000.0  # estimate: loaded annual cost
COST_OF_CAPITAL = 0.08  # estimate: annual rate for the capex annuity
SERVICE_YEARS = 5.0  # estimate: depreciation life of accelerator servers


# ------------------------------------------------------------------ functions
def gpu_power_w(device, utilization=1.0, *, idle_fraction: float = GPU_IDLE_FRACTION) -> float:
    """Board power at utilisation u: TDP x (idle + (1 - idle) u) (linear in activity;
    Fan, Weber & Barroso 2007 'Power provisioning for a warehouse-sized computer')."""
    d = get_device(device)
    tdp = d.require("tdp_w")
    u = A.fraction("utilization", utilization, allow_zero=True)
    i = A.fraction("idle_fraction", idle_fraction, allow_zero=True)
    return tdp * (i + (1.0 - i) * u)


def host_power_w(device, utilization=1.0) -> float:
    """Per-GPU share of its server's non-GPU power: budget = (system max - GPUs x TDP) /
    GPUs from the datasheet; draw = budget x HOST_ACTIVITY x (idle + (1 - idle) u)."""
    d = get_device(device)
    u = A.fraction("utilization", utilization, allow_zero=True)
    tdp = d.require("tdp_w")
    if d.id in SYSTEMS:
        n, system_w, _ = SYSTEMS[d.id]
        budget = system_w / n - tdp
    else:
        budget = HOST_BUDGET_FRACTION_DEFAULT * tdp
    return budget * HOST_ACTIVITY * (HOST_IDLE_FRACTION + (1.0 - HOST_IDLE_FRACTION) * u)


def fat_tree_tiers(gpus: int, radix: int = SWITCH_RADIX) -> int:
    """Tiers of a non-blocking k-ary fat tree for `gpus` endpoints: k, k^2/2, k^3/4."""
    n = A.integer("gpus", gpus, lo=1)
    k = A.integer("radix", radix, lo=2)
    if n <= k:
        return 1
    return 2 if n <= k * k // 2 else 3


def network_power_w(gpus, *, radix: int = SWITCH_RADIX, switch_w: float = SWITCH_POWER_W) -> float:
    """Per-GPU switch power: (2 tiers - 1)/radix switches per endpoint x switch power
    (one GPU alone needs no fabric)."""
    n = A.integer("gpus", gpus, lo=1)
    if n == 1:
        return 0.0
    return (2 * fat_tree_tiers(n, radix) - 1) / radix * A.positive("switch_w", switch_w)


BOUNDARIES = ("gpu", "node", "it")


def power_per_gpu_w(device, *, utilization=1.0, boundary: str = "gpu", gpus: int = 1) -> dict:
    """Watts per GPU inside the boundary, split by part (before PUE)."""
    A.choice("boundary", boundary, BOUNDARIES)
    parts = {"gpu": gpu_power_w(device, utilization)}
    if boundary in ("node", "it"):
        parts["host"] = host_power_w(device, utilization)
    if boundary == "it":
        parts["network"] = network_power_w(gpus)
        parts["storage"] = STORAGE_W_PER_GPU
    parts["total"] = sum(parts.values())
    return parts


def grid_intensity(region, year=None) -> tuple:
    """(gCO2e/kWh, year used, source) for a region's annual average; the closest year
    on record when `year` is not in the registry (stated in the result)."""
    if not isinstance(region, str):
        return A.nonneg("region (gCO2e/kWh)", region), None, "given"
    region = region.lower()
    years = sorted(y for r, y in GRID_CARBON_BY_YEAR if r == region)
    if not years:
        raise PhysicsError(f"region must be one of {', '.join(REGIONS)} or a gCO2e/kWh number; got {region!r}")
    if year is None:
        y = years[-1]
    else:
        want = A.integer("year", year, lo=1900, hi=2100)
        y = min(years, key=lambda v: (abs(v - want), -v))
    value, src = GRID_CARBON_BY_YEAR[(region, y)]
    return value, y, src


def embodied_carbon_kg(gpus, hours, *, kg_per_gpu: float = EMBODIED_KG_PER_GPU,
                       lifetime_years: float = EMBODIED_LIFETIME_YEARS,
                       fleet_utilization: float = EMBODIED_FLEET_UTILIZATION) -> float:
    """Manufacturing carbon charged to a job: GPUs x kg x hours / (life hours x share of
    life spent on jobs) (Luccioni et al. 2023's amortisation)."""
    n = A.positive("gpus", gpus)
    t = A.nonneg("hours", hours)
    life_h = A.positive("lifetime_years", lifetime_years) * 8760.0
    u = A.fraction("fleet_utilization", fleet_utilization)
    return n * A.nonneg("kg_per_gpu", kg_per_gpu) * t / (life_h * u)


@dataclass(frozen=True)
class FootprintResult:
    gpus: int
    hours: float
    device: str
    energy_kwh: float  # facility energy (boundary energy x PUE)
    it_energy_kwh: float
    co2_kg: float  # operational + embodied
    operational_co2_kg: float
    embodied_co2_kg: float
    water_l: float  # on-site + off-site
    onsite_water_l: float
    offsite_water_l: float
    cost_usd: float  # cloud rental at the device's hourly price (None-like 0 when unknown)
    energy_cost_usd: float
    power_per_gpu_w: dict
    assumptions: dict

    def to_dict(self) -> dict:
        return asdict(self)


def footprint(*, gpus, hours, device, utilization=1.0, boundary: str = "gpu", pue=DEFAULT_PUE,
              region="world", year=None, wue=DEFAULT_WUE_L_PER_KWH, ewif=DEFAULT_EWIF_L_PER_KWH,
              embodied: bool = True, electricity_usd_per_kwh=ELECTRICITY_USD_PER_KWH) -> FootprintResult:
    """Energy, carbon, water and cost of `gpus` GPUs running `hours` at `utilization`.

    energy = gpus x hours x P(boundary, u) x PUE; CO2 = energy x grid(region, year)
    + embodied; water = IT energy x WUE + energy x EWIF; cost = GPU-hours x $/h."""
    n = A.integer("gpus", gpus, lo=1, hi=10 ** 8)
    t = A.nonneg("hours", hours)
    p = A.real("pue", pue, lo=1.0, hi=5.0)
    w = A.nonneg("wue", wue)
    e = A.nonneg("ewif", ewif)
    A.boolean("embodied", embodied)
    price_kwh = A.nonneg("electricity_usd_per_kwh", electricity_usd_per_kwh)
    d = get_device(device)
    parts = power_per_gpu_w(d, utilization=utilization, boundary=boundary, gpus=n)
    it_kwh = n * t * parts["total"] / 1000.0
    kwh = it_kwh * p
    g, y, src = grid_intensity(region, year)
    op = kwh * g / 1000.0
    emb = embodied_carbon_kg(n, t) if embodied else 0.0
    onsite, offsite = it_kwh * w, kwh * e
    rent = n * t * d.price_per_hour if d.price_per_hour else 0.0
    return FootprintResult(n, t, d.id, kwh, it_kwh, op + emb, op, emb, onsite + offsite, onsite, offsite, rent,
                           kwh * price_kwh, parts,
                           {"boundary": boundary, "utilization": utilization, "pue": p, "region": region,
                            "grid_year": y, "grid_gco2_per_kwh": g, "grid_source": src, "wue_l_per_kwh": w,
                            "ewif_l_per_kwh": e, "embodied_kg_per_gpu": EMBODIED_KG_PER_GPU if embodied else 0.0,
                            "price_per_gpu_hour": d.price_per_hour,
                            "electricity_usd_per_kwh": price_kwh})


def rebound(efficiency_gain, elasticity) -> dict:
    """Demand rebound (Jevons 1865; Khazzoom-Brookes): energy per unit of service falls by
    `efficiency_gain` (x), cost per unit falls with it, demand rises as price^-elasticity
    (constant elasticity). Energy after / before = gain^(elasticity - 1); the rebound is
    the share of the expected saving that demand growth takes back (> 1: backfire)."""
    g = A.real("efficiency_gain", efficiency_gain, lo=1.0, lo_open=True)
    e = A.nonneg("elasticity", elasticity)
    ratio = g ** (e - 1.0)
    expected = 1.0 - 1.0 / g
    actual = 1.0 - ratio
    return {"energy_ratio": ratio, "demand_ratio": g ** e, "expected_saving": expected, "actual_saving": actual,
            "rebound": (expected - actual) / expected, "backfire": ratio > 1.0}


# ------------------------------------------------------------------------- TCO
def annuity_factor(rate, years) -> float:
    """Capital recovery factor r / (1 - (1 + r)^-n): the yearly payment per $ of capex."""
    r = A.nonneg("rate", rate)
    n = A.positive("years", years)
    return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)


@dataclass(frozen=True)
class TCO:
    gpus: int
    years: float
    capex_usd: float
    annual_usd: dict  # capex (annuity), power, facility, staff, total
    gpu_hour_usd: float  # per GPU-hour actually used
    cloud_gpu_hour_usd: float | None
    breakeven_utilization: float | None  # owning is cheaper above this utilisation (None: never)
    assumptions: dict

    def to_dict(self) -> dict:
        return asdict(self)


def tco(device, *, gpus, years=SERVICE_YEARS, utilization=0.8, server_price_usd=None, pue=DEFAULT_PUE,
        electricity_usd_per_kwh=ELECTRICITY_USD_PER_KWH, facility_usd_per_kw_month=FACILITY_USD_PER_KW_MONTH,
        gpus_per_fte=STAFF_GPUS_PER_FTE, usd_per_fte_year=STAFF_USD_PER_FTE_YEAR,
        cost_of_capital=COST_OF_CAPITAL, network_capex_fraction=NETWORK_CAPEX_FRACTION) -> TCO:
    """Owning `gpus` GPUs: capex (servers + network) as an annuity over `years`, energy at
    the IT boundary x PUE, facility (colocation per provisioned kW), staff; cost per
    used GPU-hour; the utilisation above which owning beats the cloud's hourly price."""
    d = get_device(device)
    n = A.integer("gpus", gpus, lo=1, hi=10 ** 8)
    yrs = A.positive("years", years)
    u = A.fraction("utilization", utilization)
    if server_price_usd is None:
        if d.id not in SERVER_PRICE_USD:
            raise MissingFieldError(f"no server price for {d.id!r}; pass server_price_usd (per 8-GPU server)")
        server_price_usd = SERVER_PRICE_USD[d.id][0]
    price = A.positive("server_price_usd", server_price_usd)
    gpn = SYSTEMS.get(d.id, (8, None, None))[0]
    capex = n / gpn * price * (1.0 + A.nonneg("network_capex_fraction", network_capex_fraction))
    capex_year = capex * annuity_factor(cost_of_capital, yrs)
    watts = power_per_gpu_w(d, utilization=u, boundary="it", gpus=n)["total"]
    p = A.real("pue", pue, lo=1.0, hi=5.0)
    power_year = n * watts / 1000.0 * 8760.0 * p * A.nonneg("electricity_usd_per_kwh", electricity_usd_per_kwh)
    provisioned_kw = n * power_per_gpu_w(d, utilization=1.0, boundary="it", gpus=n)["total"] / 1000.0
    facility_year = provisioned_kw * A.nonneg("facility_usd_per_kw_month", facility_usd_per_kw_month) * 12.0
    staff_year = n / A.positive("gpus_per_fte", gpus_per_fte) * A.nonneg("usd_per_fte_year", usd_per_fte_year)
    total = capex_year + power_year + facility_year + staff_year
    per_hour = total / (n * 8760.0 * u)
    cloud = d.price_per_hour
    breakeven = None
    if cloud:
        # own(u) = fixed + energy(u), energy linear in u; cloud(u) = GPUs x 8760 x u x price
        fixed = capex_year + facility_year + staff_year
        per_w_year = n / 1000.0 * 8760.0 * p * electricity_usd_per_kwh
        e0 = power_per_gpu_w(d, utilization=0.0, boundary="it", gpus=n)["total"] * per_w_year
        e1 = power_per_gpu_w(d, utilization=1.0, boundary="it", gpus=n)["total"] * per_w_year - e0
        denom = n * 8760.0 * cloud - e1
        if denom > 0 and (fixed + e0) / denom <= 1.0:
            breakeven = (fixed + e0) / denom
    return TCO(n, yrs, capex, {"capex": capex_year, "power": power_year, "facility": facility_year,
                               "staff": staff_year, "total": total}, per_hour, cloud, breakeven,
               {"server_price_usd": price, "gpus_per_server": gpn, "utilization": u, "pue": p,
                "electricity_usd_per_kwh": electricity_usd_per_kwh, "cost_of_capital": cost_of_capital,
                "facility_usd_per_kw_month": facility_usd_per_kw_month, "gpus_per_fte": gpus_per_fte,
                "usd_per_fte_year": usd_per_fte_year, "network_capex_fraction": network_capex_fraction,
                "it_watts_per_gpu": watts})


def cost_per_million_tokens(tokens_per_s, gpus, gpu_hour_usd) -> float:
    """$ per 1e6 tokens: GPUs x $/GPU-hour / (tokens/s x 3600) x 1e6."""
    tps = A.positive("tokens_per_s", tokens_per_s)
    n = A.positive("gpus", gpus)
    return n * A.nonneg("gpu_hour_usd", gpu_hour_usd) / (tps * 3600.0) * 1e6


def training_run_cost_usd(gpu_hours, gpu_hour_usd) -> float:
    """GPU-hours x $/GPU-hour."""
    return A.nonneg("gpu_hours", gpu_hours) * A.nonneg("gpu_hour_usd", gpu_hour_usd)
