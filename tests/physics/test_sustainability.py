"""Sustainability and economics: power model, PUE/WUE, grid by year, embodied carbon,
rebound, TCO; published training emissions."""
import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import sustainability as S


def test_power_is_linear_in_utilization_and_bounded_by_tdp():
    assert S.gpu_power_w("h100-sxm", 1.0) == 700.0
    assert S.gpu_power_w("h100-sxm", 0.0) == pytest.approx(70.0)
    assert S.gpu_power_w("h100-sxm", 0.5) == pytest.approx(385.0)
    # host share: (10.2 kW - 8 x 700 W) / 8 x 0.6 at full load
    assert S.host_power_w("h100-sxm", 1.0) == pytest.approx((10200 / 8 - 700) * 0.6)
    node = S.power_per_gpu_w("h100-sxm", boundary="node")
    assert 8 * node["total"] <= 10200  # never above the datasheet maximum
    prev = 0
    for u in (0, 0.25, 0.5, 0.75, 1.0):
        w = S.power_per_gpu_w("a100-80gb", utilization=u, boundary="it", gpus=4096)["total"]
        assert w > prev
        prev = w


def test_network_power_grows_with_fat_tree_tiers():
    assert S.fat_tree_tiers(64) == 1 and S.fat_tree_tiers(2048) == 2 and S.fat_tree_tiers(2049) == 3
    assert S.network_power_w(1) == 0.0
    assert S.network_power_w(16384) == pytest.approx(5 / 64 * 1500)


def test_footprint_hand_calculation():
    f = S.footprint(gpus=8, hours=10, device="h100-sxm", pue=1.2, region="france", year=2023, embodied=False)
    kwh = 8 * 10 * 0.7 * 1.2
    assert f.energy_kwh == pytest.approx(kwh)
    assert f.co2_kg == pytest.approx(kwh * 56 / 1000)
    assert f.water_l == pytest.approx(8 * 10 * 0.7 * 0.55 + kwh * 3.14)
    assert f.cost_usd == pytest.approx(80 * 3.0)
    wider = S.footprint(gpus=8, hours=10, device="h100-sxm", pue=1.2, boundary="it", region="france")
    assert wider.energy_kwh > f.energy_kwh and wider.co2_kg > f.co2_kg


def test_grid_by_year_and_nearest_year():
    assert S.grid_intensity("us", 2023)[0] == pytest.approx(0.81 * 453.59237)
    assert S.grid_intensity("us", 2019)[0] > S.grid_intensity("us", 2023)[0]
    g, y, src = S.grid_intensity("germany", 2010)
    assert y in (1990, 2023) and "Germany" in src
    assert S.grid_intensity("denmark", 1990)[0] > 5 * S.grid_intensity("denmark", 2023)[0]
    with pytest.raises(P.PhysicsError, match="region"):
        S.grid_intensity("atlantis")


def test_embodied_carbon_amortised_over_life():
    kg = S.embodied_carbon_kg(8, 6 * 8760 * 0.85)
    assert kg == pytest.approx(8 * S.EMBODIED_KG_PER_GPU)


def test_published_training_emissions_llama():
    """Meta model cards (location-based): Llama 3.1 405B 30.84M H100-hours at 700 W,
    8,930 tCO2eq; Llama 2 3.3M A100-hours at 400 W, 539 tCO2eq. Engine: GPU boundary,
    PUE 1.1 default, U.S. grid 2023 (EIA)."""
    f405 = S.footprint(gpus=1, hours=30.84e6, device="h100-sxm", region="us", year=2023, embodied=False)
    assert f405.co2_kg / 1e3 == pytest.approx(8930, rel=0.1)
    f2 = S.footprint(gpus=1, hours=3.3e6, device="a100-80gb", region="us", year=2023, embodied=False)
    assert f2.co2_kg / 1e3 == pytest.approx(539, rel=0.1)


def test_rebound_and_backfire():
    r = S.rebound(2.0, 0.0)
    assert r["energy_ratio"] == 0.5 and r["rebound"] == 0.0
    assert S.rebound(2.0, 1.0)["rebound"] == pytest.approx(1.0)  # all savings taken back
    assert S.rebound(2.0, 1.5)["backfire"]


def test_tco_components_and_breakeven():
    t = S.tco("h100-sxm", gpus=1024)
    assert t.capex_usd == pytest.approx(1024 / 8 * 280_000 * 1.15)
    assert t.annual_usd["capex"] == pytest.approx(t.capex_usd * 0.08 / (1 - 1.08 ** -5))
    assert t.annual_usd["total"] == pytest.approx(sum(v for k, v in t.annual_usd.items() if k != "total"))
    assert t.gpu_hour_usd == pytest.approx(t.annual_usd["total"] / (1024 * 8760 * 0.8))
    assert 0 < t.breakeven_utilization < 1
    # at the break-even utilisation owning costs what renting the used hours costs
    u = t.breakeven_utilization
    own = S.tco("h100-sxm", gpus=1024, utilization=u)
    assert own.gpu_hour_usd == pytest.approx(3.0, rel=1e-6)
    assert S.tco("h100-sxm", gpus=1024, utilization=0.3).gpu_hour_usd > 3.0 > S.tco(
        "h100-sxm", gpus=1024, utilization=0.9).gpu_hour_usd
    assert S.annuity_factor(0.0, 4) == 0.25


def test_cost_per_token_and_run():
    assert S.cost_per_million_tokens(1000.0, 2, 3.0) == pytest.approx(2 * 3.0 / 3.6e6 * 1e6)
    assert S.training_run_cost_usd(30.84e6, 2.0) == pytest.approx(61.68e6)


@pytest.mark.parametrize("call,name", [
    (lambda: S.footprint(gpus=0, hours=1, device="h100-sxm"), "gpus"),
    (lambda: S.footprint(gpus=1, hours=-1, device="h100-sxm"), "hours"),
    (lambda: S.footprint(gpus=1, hours=1, device="h100-sxm", pue=0.9), "pue"),
    (lambda: S.footprint(gpus=1, hours=1, device="h100-sxm", boundary="room"), "boundary"),
    (lambda: S.footprint(gpus=1, hours=1, device="h100-sxm", utilization=float("nan")), "utilization"),
    (lambda: S.rebound(0.5, 1.0), "efficiency_gain"), (lambda: S.tco("h100-sxm", gpus=8, years=0), "years"),
    (lambda: S.tco("l4", gpus=8), "server price"), (lambda: S.grid_intensity("us", 1500), "year")])
def test_bad_inputs_name_the_argument(call, name):
    with pytest.raises(P.PhysicsError, match=name):
        call()
