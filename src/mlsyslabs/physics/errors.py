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


class MissingFieldError(PhysicsError):
    """A registry entry lacks a field the requested physics needs."""


def _is_array(x) -> bool:
    return type(x).__module__ == "numpy" and hasattr(x, "shape") and x.shape != ()


def check_positive(name: str, value, *, allow_zero: bool = False):
    """Reject non-positive (or negative) scalars and arrays; return the value."""
    if _is_array(value):
        import numpy as np

        bad = (value < 0) if allow_zero else (value <= 0)
        if np.any(bad) or np.any(np.isnan(value)):
            raise PhysicsError(f"{name} must be {'>= 0' if allow_zero else '> 0'} everywhere")
        return value
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise PhysicsError(f"{name} must be a number, got {value!r}") from None
    if v != v or (v < 0 if allow_zero else v <= 0) or v == float("inf"):
        rng = ">= 0" if allow_zero else "> 0"
        raise PhysicsError(f"{name} must be finite and {rng}, got {value!r}")
    return value


def check_fraction(name: str, value, *, allow_zero: bool = False, allow_one: bool = True):
    """Reject values outside (0, 1] (or the variants the flags select)."""
    if _is_array(value):
        import numpy as np

        lo = value < 0 if allow_zero else value <= 0
        hi = value > 1 if allow_one else value >= 1
        if np.any(lo | hi):
            raise PhysicsError(f"{name} must lie in {_range(allow_zero, allow_one)} everywhere")
        return value
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise PhysicsError(f"{name} must be a number, got {value!r}") from None
    ok_lo = v >= 0 if allow_zero else v > 0
    ok_hi = v <= 1 if allow_one else v < 1
    if not (ok_lo and ok_hi):
        raise PhysicsError(f"{name} must lie in {_range(allow_zero, allow_one)}, got {value!r}")
    return value


def _range(allow_zero: bool, allow_one: bool) -> str:
    return f"{'[' if allow_zero else '('}0, 1{']' if allow_one else ')'}"
