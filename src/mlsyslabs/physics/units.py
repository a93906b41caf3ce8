"""Unit constants (SI base units: bytes, seconds, FLOP, watts, dollars) and
human-readable formatting. Decimal (KB, GB) and binary (KiB, GiB) prefixes are
distinct on purpose: spec sheets quote HBM in GB, microcontroller SRAM in KiB."""
from __future__ import annotations

KB, MB, GB, TB, PB = 1e3, 1e6, 1e9, 1e12, 1e15
KiB, MiB, GiB, TiB = 1024.0, 1024.0**2, 1024.0**3, 1024.0**4
KFLOPS, MFLOPS, GFLOPS, TFLOPS, PFLOPS = 1e3, 1e6, 1e9, 1e12, 1e15
US, MS, SECOND, MINUTE, HOUR, DAY = 1e-6, 1e-3, 1.0, 60.0, 3600.0, 86400.0
MW_POWER, W, KW = 1e-3, 1.0, 1e3  # milliwatt, watt, kilowatt
KWH = 3.6e6  # joules


def fmt_number(x: float, digits: int = 3) -> str:
    """`digits` significant figures, never scientific notation ('1,230', '0.000123')."""
    import math

    x = float(x)
    if not math.isfinite(x):
        return "unbounded" if x > 0 else "undefined"
    s = f"{x:,.{digits}g}"
    if "e" not in s:
        return s
    if abs(x) >= 1:
        return f"{float(s.replace(',', '')):,.0f}"  # rounded to `digits` significant figures: '63,200', not '63,179'
    decimals = digits - 1 - math.floor(math.log10(abs(x)))
    return f"{x:.{decimals}f}"


def _scaled(value: float, steps, unit: str, digits: int) -> str:
    v = float(value)
    for factor, prefix in steps:
        if abs(v) >= factor:
            return f"{fmt_number(v / factor, digits)} {prefix}{unit}"
    factor, prefix = steps[-1]
    return f"{fmt_number(v / factor, digits)} {prefix}{unit}"


_DEC = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")]
_BIN = [(TiB, "Ti"), (GiB, "Gi"), (MiB, "Mi"), (KiB, "Ki"), (1.0, "")]


def fmt_bytes(n: float, *, binary: bool = False, digits: int = 3) -> str:
    """12.3 GB (decimal) or 11.5 GiB (binary)."""
    return _scaled(n, _BIN if binary else _DEC, "B", digits)


def fmt_flops(n: float, *, digits: int = 3) -> str:
    """Rate in FLOP/s: '989 TFLOP/s'."""
    return _scaled(n, _DEC, "FLOP/s", digits)


def fmt_count(n: float, *, digits: int = 3) -> str:
    """Plain magnitudes: 7.24 G (parameters, FLOPs)."""
    return _scaled(n, _DEC, "", digits).strip()


def fmt_params(n: float, *, digits: int = 3) -> str:
    """Parameter counts the way model cards write them: '8.03 B', '124 M', '45 k'."""
    n = float(n)
    for factor, prefix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{fmt_number(n / factor, digits)} {prefix}"
    return fmt_number(n, digits)


def fmt_quantity(value: float, unit: str, *, digits: int = 3) -> str:
    """Any engine quantity by its unit name: bytes, bytes/s, OP/s or FLOP/s, W, s, x;
    anything else gets decimal engineering prefixes ('12.3 k req/s')."""
    if unit == "bytes":
        return fmt_bytes(value, digits=digits)
    if unit == "bytes/s":
        return fmt_bytes(value, digits=digits) + "/s"
    if unit in ("W", "watts"):
        return fmt_watts(value, digits=digits)
    if unit in ("s", "seconds"):
        return fmt_seconds(value, digits=digits)
    if unit == "x":
        return fmt_ratio(value)
    return _scaled(value, _DEC, unit, digits)


def orders_of_magnitude(ratio: float) -> str:
    """'5.5 orders of magnitude' for a ratio > 0."""
    import math

    return f"{math.log10(ratio):.1f} orders of magnitude"


def fmt_seconds(s: float, *, digits: int = 3) -> str:
    """Pick us/ms/s/min/h/days to keep the number readable."""
    s = float(s)
    a = abs(s)
    if a == float("inf"):
        return "unbounded"
    if a < 1e-3:
        return f"{s / US:.{digits}g} us"
    if a < 1:
        return f"{s / MS:.{digits}g} ms"
    if a < 120:
        return f"{s:.{digits}g} s"
    if a < 2 * HOUR:
        return f"{s / MINUTE:.{digits}g} min"
    if a < 2 * DAY:
        return f"{s / HOUR:.{digits}g} h"
    return f"{s / DAY:.{digits}g} days"


def fmt_watts(p: float, *, digits: int = 3) -> str:
    p = float(p)
    if abs(p) < 1:
        return f"{p * 1e3:.{digits}g} mW"
    if abs(p) >= 1e3:
        return f"{p / 1e3:.{digits}g} kW"
    return f"{p:.{digits}g} W"


def fmt_ratio(x: float) -> str:
    """A multiplicative factor: '3.2x', '1,200x'."""
    x = float(x)
    return f"{x:,.0f}x" if x >= 100 else f"{x:.2g}x" if x < 10 else f"{x:.1f}x"
