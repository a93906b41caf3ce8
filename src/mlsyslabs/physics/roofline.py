"""Iron law and roofline. Every function takes plain floats or NumPy arrays.

Iron law (additive):   T = bytes / (BW x eta_mem) + FLOPs / (R x eta_comp) + L
Roofline (overlapped): T = max(bytes / (BW x eta_mem), FLOPs / (R x eta_comp)) + L
The roofline form assumes compute and memory traffic overlap perfectly; the iron
law assumes none. Real kernels lie between; the engine uses the roofline form for
its estimates and offers the iron law to show the terms separately.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import _xp
from .errors import check_fraction, check_positive

# Documented defaults (docs/engine.md): sustained fraction of peak that
# well-tuned large kernels reach. Validation (`mlsyslabs validate`) reports the
# efficiency each published measurement implies.
DEFAULT_COMPUTE_EFFICIENCY = 0.5
DEFAULT_MEMORY_EFFICIENCY = 0.8


@dataclass(frozen=True)
class RooflineResult:
    time_s: float
    memory_time_s: float
    compute_time_s: float
    overhead_s: float
    arithmetic_intensity: float  # FLOP per byte
    ridge_point: float  # FLOP per byte where the two roofs meet
    bound: str  # "compute" or "memory" (arrays: array of bool `compute_bound` instead)
    attainable_flops: float  # FLOP/s actually achieved by this op


def arithmetic_intensity(flops, bytes_moved):
    check_positive("flops", flops, allow_zero=True)
    check_positive("bytes_moved", bytes_moved)
    return flops / bytes_moved


def ridge_point(peak_flops, memory_bw, *, compute_efficiency=1.0, memory_efficiency=1.0):
    """FLOP/byte above which an op is compute-bound."""
    check_positive("peak_flops", peak_flops)
    check_positive("memory_bw", memory_bw)
    check_fraction("compute_efficiency", compute_efficiency)
    check_fraction("memory_efficiency", memory_efficiency)
    return (peak_flops * compute_efficiency) / (memory_bw * memory_efficiency)


def attainable_flops(intensity, peak_flops, memory_bw, *, compute_efficiency=1.0, memory_efficiency=1.0):
    """min(peak, intensity x bandwidth): the roofline itself."""
    check_positive("intensity", intensity, allow_zero=True)
    check_positive("peak_flops", peak_flops)
    check_positive("memory_bw", memory_bw)
    check_fraction("compute_efficiency", compute_efficiency)
    check_fraction("memory_efficiency", memory_efficiency)
    return _xp.minimum(peak_flops * compute_efficiency, intensity * memory_bw * memory_efficiency)


def iron_law_time(*, bytes_moved, flops, memory_bw, peak_flops, latency_s=0.0,
                  compute_efficiency=DEFAULT_COMPUTE_EFFICIENCY, memory_efficiency=DEFAULT_MEMORY_EFFICIENCY):
    """Additive form: (data term, compute term, fixed term, total)."""
    _check(bytes_moved, flops, memory_bw, peak_flops, latency_s, compute_efficiency, memory_efficiency)
    d = bytes_moved / (memory_bw * memory_efficiency)
    o = flops / (peak_flops * compute_efficiency)
    return d, o, latency_s, d + o + latency_s


def roofline_time(*, bytes_moved, flops, memory_bw, peak_flops, overhead_s=0.0,
                  compute_efficiency=DEFAULT_COMPUTE_EFFICIENCY, memory_efficiency=DEFAULT_MEMORY_EFFICIENCY):
    """Overlapped form with the binding term identified (bytes_moved must be > 0:
    every operation reads its operands)."""
    _check(bytes_moved, flops, memory_bw, peak_flops, overhead_s, compute_efficiency, memory_efficiency)
    check_positive("bytes_moved", bytes_moved)
    tm = bytes_moved / (memory_bw * memory_efficiency)
    tc = flops / (peak_flops * compute_efficiency)
    busy = _xp.maximum(tm, tc)
    ai = flops / bytes_moved
    rp = (peak_flops * compute_efficiency) / (memory_bw * memory_efficiency)
    bound = (tc >= tm) if _xp.is_array(tm, tc) else ("compute" if tc >= tm else "memory")
    return RooflineResult(time_s=busy + overhead_s, memory_time_s=tm, compute_time_s=tc, overhead_s=overhead_s,
                          arithmetic_intensity=ai, ridge_point=rp, bound=bound, attainable_flops=flops / busy)


def _check(bytes_moved, flops, memory_bw, peak_flops, fixed, ce, me):
    check_positive("bytes_moved", bytes_moved, allow_zero=True)
    check_positive("flops", flops, allow_zero=True)
    check_positive("memory_bw", memory_bw)
    check_positive("peak_flops", peak_flops)
    check_positive("latency_s/overhead_s", fixed, allow_zero=True)
    check_fraction("compute_efficiency", ce)
    check_fraction("memory_efficiency", me)
