"""Errors raised by the engine. All are ValueError subclasses so callers can catch
one type; messages name the argument and the accepted range."""
from __future__ import annotations

import difflib


class PhysicsError(ValueError):
    """An input the physics cannot accept."""


class UnknownIdError(PhysicsError, KeyError):
    """A registry lookup by an id that does not exist."""

    def __init__(self, kind: str, given: str, known):
        self.kind, self.given = kind, given
        self.suggestions = difflib.get_close_matches(given, list(known), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {kind} id {given!r}{hint} (see `mlsyslabs zoo`)")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


_INF = float("inf")


class MissingFieldError(PhysicsError):
    """A registry entry lacks a field the requested physics needs."""


def _is_array(x) -> bool:
    return type(x).__module__ == "numpy" and hasattr(x, "shape") and x.shape != ()


def _real(name: str, value) -> float:
    """The float value of a real number; bools, strings, None and complex are rejected."""
    t = type(value)
    if t is float or t is int:  # fast path: plain Python numbers
        return float(value)
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if type(value).__module__ == "numpy" and getattr(value, "shape", None) == () and \
                getattr(getattr(value, "dtype", None), "kind", "") in "iuf":
            return float(value)
        raise PhysicsError(f"{name} must be a number, got {value!r}")
    return float(value)


def _array(name: str, value):
    import numpy as np

    if value.dtype.kind not in "iuf":
        raise PhysicsError(f"{name} must be a numeric array, got dtype {value.dtype}")
    if not np.all(np.isfinite(value)):
        raise PhysicsError(f"{name} must be finite everywhere (no NaN or inf)")
    return value


def check_positive(name: str, value, *, allow_zero: bool = False):
    """Reject non-positive (or negative), NaN, infinite and non-numeric scalars and
    arrays; return the value."""
    t = type(value)
    if (t is float or t is int) and value == value and value != _INF and (value >= 0 if allow_zero else value > 0):
        return value  # fast path: a valid plain number
    rng = ">= 0" if allow_zero else "> 0"
    if _is_array(value):
        import numpy as np

        _array(name, value)
        bad = (value < 0) if allow_zero else (value <= 0)
        if np.any(bad):
            raise PhysicsError(f"{name} must be {rng} everywhere")
        return value
    v = _real(name, value)
    if v != v or (v < 0 if allow_zero else v <= 0) or v == float("inf"):
        raise PhysicsError(f"{name} must be finite and {rng}, got {value!r}")
    return value


def check_fraction(name: str, value, *, allow_zero: bool = False, allow_one: bool = True):
    """Reject values outside (0, 1] (or the variants the flags select), NaN and non-numbers."""
    t = type(value)
    if (t is float or t is int) and 0 < value < 1:
        return value  # fast path: strictly inside (0, 1) is valid for every flag combination
    if _is_array(value):
        import numpy as np

        _array(name, value)
        lo = value < 0 if allow_zero else value <= 0
        hi = value > 1 if allow_one else value >= 1
        if np.any(lo | hi):
            raise PhysicsError(f"{name} must lie in {_range(allow_zero, allow_one)} everywhere")
        return value
    v = _real(name, value)
    ok_lo = v >= 0 if allow_zero else v > 0
    ok_hi = v <= 1 if allow_one else v < 1
    if not (ok_lo and ok_hi):
        raise PhysicsError(f"{name} must lie in {_range(allow_zero, allow_one)}, got {value!r}")
    return value


def check_number(name: str, value, *, lo: float | None = None, hi: float | None = None,
                 lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False):
    """A finite real number (or +inf when allow_inf) inside [lo, hi] (open ends as
    flagged); NaN, bools, strings and None are rejected. Returns the value."""
    if _is_array(value):
        import numpy as np

        if value.dtype.kind not in "iuf" or np.any(np.isnan(value)) or \
                (not allow_inf and not np.all(np.isfinite(value))):
            raise PhysicsError(f"{name} must be finite numbers everywhere")
        bad = np.zeros(value.shape, dtype=bool)
        if lo is not None:
            bad |= (value <= lo) if lo_open else (value < lo)
        if hi is not None:
            bad |= (value >= hi) if hi_open else (value > hi)
        if np.any(bad):
            raise PhysicsError(f"{name} must lie in {_interval(lo, hi, lo_open, hi_open)} everywhere")
        return value
    v = _real(name, value)
    if v != v or (v in (float("inf"), float("-inf")) and not (allow_inf and v > 0)):
        raise PhysicsError(f"{name} must be a finite number in {_interval(lo, hi, lo_open, hi_open)}, got {value!r}")
    if (lo is not None and (v <= lo if lo_open else v < lo)) or (hi is not None and (v >= hi if hi_open else v > hi)):
        raise PhysicsError(f"{name} must lie in {_interval(lo, hi, lo_open, hi_open)}, got {value!r}")
    return value


def check_int(name: str, value, *, lo: int | None = 1, hi: int | None = None) -> int:
    """An integer (not a bool, not a float) in [lo, hi]. Returns it."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise PhysicsError(f"{name} must be an integer{_int_range(lo, hi)}, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise PhysicsError(f"{name} must be an integer{_int_range(lo, hi)}, got {value!r}")
    return int(value)


def check_choice(name: str, value, choices):
    """One of `choices` (strings), else an error listing them."""
    if not isinstance(value, str) or value not in choices:
        raise PhysicsError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}")
    return value


def check_bool(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise PhysicsError(f"{name} must be True or False, got {value!r}")
    return value


def _int_range(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f" in [{lo}, {hi}]"
    if lo is not None:
        return f" >= {lo}"
    if hi is not None:
        return f" <= {hi}"
    return ""


def _interval(lo, hi, lo_open, hi_open) -> str:
    a = "(" if lo_open or lo is None else "["
    b = ")" if hi_open or hi is None else "]"
    return f"{a}{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}{b}"


def _range(allow_zero: bool, allow_one: bool) -> str:
    return f"{'[' if allow_zero else '('}0, 1{']' if allow_one else ')'}"
