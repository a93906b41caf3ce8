"""Scalar/array dispatch. The core runs on plain floats with `math`; when any
argument is a NumPy array the same formulas run on NumPy (imported only then)."""
from __future__ import annotations

import math


def is_array(*xs) -> bool:
    return any(type(x).__module__ == "numpy" and getattr(x, "ndim", 0) > 0 for x in xs)


_PLAIN = (float, int)


def maximum(a, b):
    if type(a) in _PLAIN and type(b) in _PLAIN:
        return a if a >= b else b
    if is_array(a, b):
        import numpy as np

        return np.maximum(a, b)
    return a if a >= b else b


def minimum(a, b):
    if type(a) in _PLAIN and type(b) in _PLAIN:
        return a if a <= b else b
    if is_array(a, b):
        import numpy as np

        return np.minimum(a, b)
    return a if a <= b else b


def where(cond, a, b):
    if is_array(cond, a, b):
        import numpy as np

        return np.where(cond, a, b)
    return a if cond else b


def floor(x):
    if is_array(x):
        import numpy as np

        return np.floor(x)
    return math.floor(x)


def log(x):
    if is_array(x):
        import numpy as np

        return np.log(x)
    return math.log(x)
