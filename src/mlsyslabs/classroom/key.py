"""The answer key for instructors: every question of a lab with its answer at the
scenario's settings and the engine's one-paragraph why. Computed by running the lab
headless (labs.headless) with every prediction committed into a throwaway ledger,
exactly as a learner's browser would grade it; never shown in the labs."""
from __future__ import annotations

import os
import tempfile

from ..labs.catalog import get_lab, ready_labs
from ..labs.headless import prediction_options, predictions, run_lab
from ..ui.predictions import PredictionResult


def _answer_text(r: PredictionResult) -> str:
    if r.answer_label:
        return r.answer_label
    if r.actual is None:
        return "-"
    from ..physics.units import fmt_number

    return f"{fmt_number(r.actual, 3)} {r.unit}".strip()


def lab_key(lab_id: str) -> list[dict]:
    """[{question, part, invariant, answer, why}] for one ready lab, in part order."""
    lab = get_lab(lab_id)
    saved = os.environ.get("MLSYSLABS_HOME")
    with tempfile.TemporaryDirectory(prefix="mlsyslabs-key-") as home:
        os.environ["MLSYSLABS_HOME"] = home  # the key's commits never touch a real ledger
        try:
            _, base = run_lab(lab.path)
            forms = predictions(base)
            answers = {name: prediction_options(el)[0] for name, el in forms.items()}
            _, defs = run_lab(lab.path, answers=answers)
        finally:
            if saved is None:
                os.environ.pop("MLSYSLABS_HOME", None)
            else:
                os.environ["MLSYSLABS_HOME"] = saved
    results = sorted((v for v in defs.values() if isinstance(v, PredictionResult)), key=lambda r: r.id)
    questions = {name.removesuffix("_prediction"): getattr(el, "_mls_question", "") for name, el in forms.items()}
    return [{"lab": lab_id, "part": r.id, "question": questions.get(r.id, ""), "invariant": r.invariant,
             "answer": _answer_text(r), "why": r.explanation} for r in results]


def class_key(lab_id: str | None = None) -> list[dict]:
    ids = [lab_id] if lab_id else [lab.id for lab in ready_labs()]
    return [row for i in ids for row in lab_key(i)]
