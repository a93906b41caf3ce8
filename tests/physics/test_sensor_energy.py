"""Duty-cycled sensors on a battery (operations.sensor_day, network.radio_energy_j): hand
calculations from the registry's power fields and the Bluetooth LE constants."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import network as N
from mlsyslabs.physics import operations as O


def test_radio_airtime_counts_packet_overhead():
    # 16 bytes: one packet of 16 + 10 bytes; 28 bytes: two packets
    assert N.radio_airtime_s(16) == pytest.approx(26 / 125e3)
    assert N.radio_airtime_s(28) == pytest.approx(48 / 125e3)
    assert N.radio_airtime_s(0) == 0
    assert N.radio_energy_j(16) == pytest.approx(4.8e-3 * 3.0 * 26 / 125e3)


def test_average_power_and_battery_life():
    assert O.average_power_w(active_w=0.01, sleep_w=1e-5, duty=0.1) == pytest.approx(0.001 + 0.9e-5)
    assert O.average_power_w(active_w=0.01, sleep_w=1e-5, duty=0) == 1e-5
    assert O.battery_life_days(capacity_j=100, energy_per_day_j=4) == 25
    assert O.battery_life_days(capacity_j=100, energy_per_day_j=0) == math.inf


def test_sensor_day_by_hand():
    d = P.get_device("nrf52840")
    t = P.iron_law_inference("ds-cnn-kws", d, precision="int8").total_s
    s = O.sensor_day("ds-cnn-kws", "nrf52840", period_s=300, report_bytes=16)
    n = 86400 / 300
    assert s.latency_s == pytest.approx(t) and s.wakeups_per_day == pytest.approx(n)
    assert s.energy_j["inference"] == pytest.approx(n * d.tdp_w * t)
    assert s.energy_j["sleep"] == pytest.approx(n * d.sleep_w * (300 - t - 26 / 125e3))
    assert s.energy_j["radio"] == pytest.approx(n * 4.8e-3 * 3.0 * 26 / 125e3)
    assert s.total_j == pytest.approx(sum(s.energy_j.values()))
    assert s.average_w == pytest.approx(s.total_j / 86400) and s.duty == pytest.approx(t / 300)
    assert s.dominant == max(s.energy_j, key=s.energy_j.get)


def test_waking_more_often_moves_the_energy_from_sleep_to_inference():
    rare = O.sensor_day("ds-cnn-kws", "nrf52840", period_s=3600, report_bytes=16)
    often = O.sensor_day("ds-cnn-kws", "nrf52840", period_s=2, report_bytes=16)
    assert rare.dominant == "sleep" and often.dominant == "inference" and often.total_j > rare.total_j


def test_a_faster_chip_saves_energy_per_inference_yet_drains_the_battery_faster():
    slow = O.sensor_day("ds-cnn-kws", "nrf52840", period_s=300, report_bytes=16)
    fast = O.sensor_day("ds-cnn-kws", "esp32-s3", period_s=300, report_bytes=16)
    assert fast.latency_s < slow.latency_s and fast.inference_j < slow.inference_j
    assert fast.total_j > 10 * slow.total_j  # its sleep draw dominates


def test_sensor_day_failures():
    with pytest.raises(P.PhysicsError, match="shorter than"):
        O.sensor_day("ds-cnn-kws", "nrf52840", period_s=0.05, report_bytes=16)
    with pytest.raises(P.PhysicsError, match="does not fit"):
        O.sensor_day("resnet50", "nrf52840", period_s=60, report_bytes=16)
    with pytest.raises(P.MissingFieldError):
        O.sensor_day("ds-cnn-kws", "stm32h7", period_s=60, report_bytes=16)


def test_outage_retention_by_hand():
    # 490 bytes every 300 s for 12 h = 70,560 bytes produced
    assert N.outage_retention(490, period_s=300, outage_s=12 * 3600, buffer_bytes=100_000) == 1.0
    assert N.outage_retention(32_000, period_s=300, outage_s=12 * 3600, buffer_bytes=100_000) == \
        pytest.approx(100_000 / (32_000 * 144))
    assert N.outage_retention(0, period_s=300, outage_s=3600, buffer_bytes=0) == 1.0
    assert N.outage_retention(16, period_s=300, outage_s=0, buffer_bytes=0) == 1.0
