"""Run a lab notebook headless (marimo App.run) with chosen prediction answers and
control settings, and read what it rendered (the runner is mlsyslabs.labs.headless).

A committed prediction is stood in for by `Committed(value)`, which carries the
real element's option labels and question so the lab grades and labels it exactly
as in the browser."""
from __future__ import annotations

import importlib.util
import re
from html import unescape
from pathlib import Path

# the runner itself lives in the package (`mlsyslabs class key` uses it too)
from mlsyslabs.labs.headless import (  # noqa: F401
    CONTROL_TYPES, Committed, lab_controls, load_app, prediction_options, predictions, run_lab)


def load_module(path: Path):
    """The notebook as a module: its setup names and @app.function scenario functions."""
    spec = importlib.util.spec_from_file_location(f"labmod_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def control_values(element) -> list:
    """Each option of a choice control; both ends and the middle of a range."""
    kind = type(element).__name__
    if kind in ("dropdown", "radio"):
        return list(element.options.values())
    if kind == "multiselect":
        opts = list(element.options.values())
        return [[], opts[:1], opts]
    if kind in ("switch", "checkbox"):
        return [False, True]
    if kind in ("slider", "number"):
        lo, hi = element.start, element.stop
        step = getattr(element, "step", None) or 1
        mid = lo + round((hi - lo) / 2 / step) * step
        return [lo, mid, hi]
    if kind == "range_slider":
        return [[element.start, element.start], [element.start, element.stop], [element.stop, element.stop]]
    raise TypeError(f"unsupported control {kind}")


_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S)


def rendered_text(outputs) -> str:
    """The visible text of every cell output (tags, scripts and styles removed;
    chart titles, axis titles, annotations and trace labels included)."""
    parts = []
    for out in outputs:
        if out is None:
            continue
        if hasattr(out, "layout") and hasattr(out, "data"):  # a bare plotly figure
            parts.append(_figure_text(out))
            continue
        html = getattr(out, "text", None)
        if html is None:
            continue
        parts.append(unescape(_TAG.sub(" ", _SCRIPT.sub(" ", html))))
    return "\n".join(parts)


def _figure_text(fig) -> str:
    lay = fig.layout
    bits = [lay.title.text, lay.xaxis.title.text, lay.yaxis.title.text]
    bits += [a.text for a in lay.annotations or ()]
    for tr in fig.data:
        bits.append(getattr(tr, "name", None))
        text = getattr(tr, "text", None)
        bits += list(text) if isinstance(text, (list, tuple)) else [text]
    return " ".join(str(b) for b in bits if b)


# What a learner must never see: raw floats, non-numbers, Python's None, doubled units.
BAD_TEXT = re.compile(r"\d[eE][+-]?\d|\bnan\b|\bNaN\b|\binf\b|\bNone\b|\b(ms|s|x|GB|MB|%|W)\s+\1\b")


def bad_text(outputs) -> list[str]:
    text = rendered_text(outputs)
    return [text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ") for m in BAD_TEXT.finditer(text)]


def run_defs(lab_id: str, answers: dict | None = None, raw: dict | None = None, **overrides) -> dict:
    """The definitions of a lab run headless: `answers` and `overrides` stand in for UI
    elements (predictions and controls), `raw` are plain values."""
    from mlsyslabs.labs.catalog import get_lab

    defs = {k: Committed(v) for k, v in (answers or {}).items()}
    defs.update({k: Committed(v) for k, v in overrides.items()})
    defs.update(raw or {})
    return load_app(get_lab(lab_id).path).run(defs=defs)[1]
