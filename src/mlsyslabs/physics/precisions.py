"""Numeric precisions: bytes per element, and which compute peak serves them."""
from __future__ import annotations

from .errors import PhysicsError

# Bytes per stored element. tf32 is a compute format stored as fp32.
# Ternary {-1, 0, +1} carries log2(3) = 1.585 bits (Ma et al. 2024, "The Era of
# 1-bit LLMs", arXiv:2402.17764); packed storage approaches that bound.
BYTES_PER_ELEMENT: dict[str, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    "ternary": 1.585 / 8,
}

# When a device has no peak for a precision, compute runs in the next format of
# this chain that it does have (e.g. int4 weights on a part with int8 units).
_COMPUTE_FALLBACK = {
    "ternary": "int4",
    "int4": "int8",
    "int8": "fp16",
    "fp8": "fp16",
    "fp16": "bf16",
    "bf16": "fp16",
    "tf32": "fp32",
}

PRECISIONS = tuple(BYTES_PER_ELEMENT)


def bytes_per_element(precision: str) -> float:
    try:
        return BYTES_PER_ELEMENT[precision]
    except (KeyError, TypeError):
        raise PhysicsError(
            f"precision must be one of {', '.join(PRECISIONS)}; got {precision!r}"
        ) from None


def compute_precision_for(precision: str, available) -> str:
    """The precision whose peak applies on a device offering `available` peaks."""
    bytes_per_element(precision)
    if isinstance(available, (str, bytes)) or not hasattr(available, "__contains__"):
        raise PhysicsError(f"available must be a collection of precisions, got {available!r}")
    seen, p = set(), precision
    while p not in available:
        seen.add(p)
        p = _COMPUTE_FALLBACK.get(p, "fp32")
        if p in seen:
            p = "fp32"
            break
    if p not in available:
        raise PhysicsError(f"precision {precision!r} has no usable compute peak on this device "
                           f"(it has {', '.join(sorted(available))})")
    return p
