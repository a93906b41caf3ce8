"""Run a lab notebook headless with chosen prediction values (marimo App.run,
overriding each `*_prediction` element through `defs`)."""
from __future__ import annotations

import importlib.util
from pathlib import Path


class Committed:
    """Stands in for a prediction element the learner has answered."""

    def __init__(self, value):
        self.value = value


def load_app(path: Path):
    spec = importlib.util.spec_from_file_location(f"lab_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.app


def run_lab(path: Path, answers: dict | None = None):
    app = load_app(path)
    return app.run(defs={k: Committed(v) for k, v in (answers or {}).items()})


def prediction_options(element) -> list:
    """Every answer a prediction element offers: radio options, or for a numeric
    form its low end, high end and a middle value."""
    if hasattr(element, "options") and isinstance(element.options, dict):
        return list(element.options.values())
    inner = getattr(element, "element", None)
    if inner is not None and hasattr(inner, "start"):
        lo, hi = float(inner.start), float(inner.stop)
        return [lo, (lo * hi) ** 0.5 if lo > 0 else (lo + hi) / 2, hi]
    raise TypeError(f"unsupported prediction element {type(element).__name__}")
