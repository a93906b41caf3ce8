"""Moving bytes over a network: propagation (speed of light in fiber) and transfer."""
from __future__ import annotations

from .errors import check_int, check_number, check_positive

# Light in silica fiber travels at c / n with group index n ~ 1.47 (Corning SMF-28
# product information sheet: effective group index 1.4677 at 1310 nm) -> ~2.04e8 m/s.
SPEED_OF_LIGHT = 299_792_458.0
FIBER_GROUP_INDEX = 1.4677
FIBER_SPEED = SPEED_OF_LIGHT / FIBER_GROUP_INDEX


def propagation_delay_s(distance_m, *, speed=FIBER_SPEED):
    """One-way time of flight; the floor no protocol or hardware removes."""
    check_positive("distance_m", distance_m, allow_zero=True)
    check_positive("speed", speed)
    return distance_m / speed


def round_trip_s(distance_m, *, route_factor: float = 1.0, per_hop_s: float = 0.0, hops: int = 0):
    """Request-response: 2 x (route_factor x distance / fiber speed) + hops x per-hop delay.
    route_factor > 1 accounts for cable paths longer than the straight line."""
    check_positive("distance_m", distance_m, allow_zero=True)
    check_number("route_factor", route_factor, lo=1)
    check_number("per_hop_s", per_hop_s, lo=0)
    check_int("hops", hops, lo=0)
    return 2.0 * propagation_delay_s(distance_m * route_factor) + hops * per_hop_s


def transfer_time_s(bytes_, link_bw, *, latency_s: float = 0.0):
    """alpha-beta: latency + bytes / bandwidth."""
    check_positive("link_bw", link_bw)
    check_positive("bytes", bytes_, allow_zero=True)
    check_positive("latency_s", latency_s, allow_zero=True)
    return latency_s + bytes_ / link_bw


def reachable_distance_m(budget_s, other_s, *, speed=FIBER_SPEED):
    """How far away a server may be when a round trip must fit in what the budget
    leaves after the other terms: (budget - other) x v / 2 (0 when nothing is left)."""
    check_positive("budget_s", budget_s)
    check_positive("other_s", other_s, allow_zero=True)
    check_positive("speed", speed)
    return max(0.0, (budget_s - other_s) * speed / 2.0)


# Bluetooth LE from the tiny tier's reference part: the nRF52840's radio draws 4.8 mA at 3 V transmitting at
# 0 dBm (nRF52840 Product Specification v1.7, radio current consumption, DC/DC on); the LE 1M PHY carries
# 1 Msym/s = 125,000 bytes/s (Bluetooth Core Specification 5.3, Vol 6 Part A); each link-layer packet adds
# 10 bytes (preamble 1, access address 4, header 2, CRC 3) to at most 27 payload bytes (Vol 6 Part B, 2.1).
BLE_TX_W = 4.8e-3 * 3.0
BLE_PHY_BYTES_PER_S = 125e3
BLE_PACKET_PAYLOAD_BYTES = 27
BLE_PACKET_OVERHEAD_BYTES = 10


def radio_airtime_s(payload_bytes, *, bytes_per_s=BLE_PHY_BYTES_PER_S, packet_payload: int = BLE_PACKET_PAYLOAD_BYTES,
                    packet_overhead: int = BLE_PACKET_OVERHEAD_BYTES):
    """On-air time of a payload cut into link-layer packets: (payload + overhead per packet) / PHY rate.
    A lower bound: connection events, acknowledgements and the radio's ramp-up add more."""
    check_positive("payload_bytes", payload_bytes, allow_zero=True)
    check_positive("bytes_per_s", bytes_per_s)
    check_int("packet_payload", packet_payload, lo=1)
    check_int("packet_overhead", packet_overhead, lo=0)
    packets = -(-payload_bytes // packet_payload)
    return (payload_bytes + packets * packet_overhead) / bytes_per_s


def radio_energy_j(payload_bytes, *, tx_w=BLE_TX_W, bytes_per_s=BLE_PHY_BYTES_PER_S):
    """Energy to transmit a payload: radio TX power x on-air time (radio_airtime_s, a lower bound)."""
    check_positive("tx_w", tx_w)
    return tx_w * radio_airtime_s(payload_bytes, bytes_per_s=bytes_per_s)


def outage_retention(bytes_per_period, *, period_s, outage_s, buffer_bytes):
    """Share of what a device produces during a link outage that survives in its buffer:
    buffer / (bytes per period x outage / period), capped at 1 (1 when nothing is produced)."""
    check_positive("bytes_per_period", bytes_per_period, allow_zero=True)
    check_positive("period_s", period_s)
    check_positive("outage_s", outage_s, allow_zero=True)
    check_positive("buffer_bytes", buffer_bytes, allow_zero=True)
    produced = bytes_per_period * outage_s / period_s
    return 1.0 if produced <= buffer_bytes else buffer_bytes / produced
