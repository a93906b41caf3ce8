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
