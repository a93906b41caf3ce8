"""Argument checks shared by the queueing, serving-under-load, reliability and
sustainability modules. Every check raises `PhysicsError` naming the argument and
the accepted range; bools, strings, None, NaN and infinities are never numbers."""
from __future__ import annotations

import math
import numbers

from .errors import PhysicsError


def real(name: str, value, *, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
         hi_open: bool = False) -> float:
    """A finite real number inside [lo, hi] (ends open as flagged); returns it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise PhysicsError(f"{name} must be a number{_interval(lo, hi, lo_open, hi_open)}, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise PhysicsError(f"{name} must be a finite number{_interval(lo, hi, lo_open, hi_open)}, got {value!r}")
    if (lo is not None and (v <= lo if lo_open else v < lo)) or (hi is not None and (v >= hi if hi_open else v > hi)):
        raise PhysicsError(f"{name} must lie in{_interval(lo, hi, lo_open, hi_open)}, got {value!r}")
    return v


def positive(name: str, value) -> float:
    """A finite number > 0."""
    return real(name, value, lo=0.0, lo_open=True)


def nonneg(name: str, value) -> float:
    """A finite number >= 0."""
    return real(name, value, lo=0.0)


def fraction(name: str, value, *, allow_zero: bool = False, allow_one: bool = True) -> float:
    """A number in (0, 1] (or the variant the flags select)."""
    return real(name, value, lo=0.0, hi=1.0, lo_open=not allow_zero, hi_open=not allow_one)


def integer(name: str, value, *, lo: int | None = 1, hi: int | None = None) -> int:
    """An integer (not a bool, not a float) inside [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or \
            (lo is not None and value < lo) or (hi is not None and value > hi):
        rng = f" in [{lo}, {hi}]" if lo is not None and hi is not None else \
            f" >= {lo}" if lo is not None else f" <= {hi}" if hi is not None else ""
        raise PhysicsError(f"{name} must be an integer{rng}, got {value!r}")
    return int(value)


def choice(name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise PhysicsError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}")
    return value


def boolean(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise PhysicsError(f"{name} must be True or False, got {value!r}")
    return value


def _interval(lo, hi, lo_open, hi_open) -> str:
    if lo is None and hi is None:
        return ""
    a = "(" if lo_open or lo is None else "["
    b = ")" if hi_open or hi is None else "]"
    return f" {a}{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}{b}"
