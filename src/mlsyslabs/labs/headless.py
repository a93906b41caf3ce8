"""Run a lab notebook headless (marimo App.run) with chosen prediction answers and
control settings: used by the tests and by `mlsyslabs class key`.

A committed prediction is stood in for by `Committed(value)`, which carries the
real element's option labels and question so the lab grades and labels it exactly
as in the browser."""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path


# UI element types that are controls a learner moves (not predictions, not memos).
CONTROL_TYPES = {"slider", "dropdown", "radio", "number", "switch", "checkbox", "range_slider", "multiselect"}


class Committed:
    """Stands in for a UI element holding `value` (a submitted prediction or a control)."""

    def __init__(self, value, like=None):
        self.value = value
        if like is not None:
            for attr in ("element", "options", "_mls_question", "_mls_unit"):
                if hasattr(like, attr):
                    setattr(self, attr, getattr(like, attr))

    def __repr__(self) -> str:  # how a lab shows the stand-in where it displays the element
        return "(control)"


@functools.lru_cache(maxsize=None)
def load_app(path: Path):
    spec = importlib.util.spec_from_file_location(f"lab_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.app


def run_lab(path: Path, answers: dict | None = None, controls: dict | None = None):
    """answers: prediction name -> value; controls: control name -> value. Every
    control of the lab is passed when any is (marimo needs a cell's whole set)."""
    app = load_app(path)
    defs = {}
    if answers or controls:
        _, base = app.run()
        defs = {k: Committed(v, like=base[k]) for k, v in (answers or {}).items()}
        if controls:
            defs.update({k: Committed(e.value) for k, e in lab_controls(base).items()})
            defs.update({k: Committed(v) for k, v in controls.items()})
    return app.run(defs=defs)


# Sorted by name: marimo's definition order varies between processes, and pytest-xdist
# workers must collect the same parametrized tests in the same order.
def predictions(defs) -> dict:
    return {k: defs[k] for k in sorted(defs) if k.endswith("_prediction")}


def prediction_options(element) -> list:
    """Every answer a prediction offers: the options of a choice (a form around a
    radio), or for a numeric form its low end, high end and a middle value."""
    inner = getattr(element, "element", element)
    if isinstance(getattr(inner, "options", None), dict):
        return list(inner.options.values())
    if hasattr(inner, "start"):
        lo, hi = float(inner.start), float(inner.stop)
        return [lo, (lo * hi) ** 0.5 if lo > 0 else (lo + hi) / 2, hi]
    raise TypeError(f"unsupported prediction element {type(element).__name__}")


def lab_controls(defs) -> dict:
    """Every control element the lab defines (name -> element)."""
    return {k: defs[k] for k in sorted(defs)
            if type(defs[k]).__name__ in CONTROL_TYPES and not k.endswith("_prediction") and not k.startswith("_")}
