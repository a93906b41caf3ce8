"""The report card the capstones read: what the ledger says about a learner."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from .schema import CONTEXTS


@dataclass(frozen=True)
class InvariantScore:
    predictions: int
    correct_rate: float | None  # None when no prediction touched this invariant
    constraint_hit_rate: float | None
    median_off_by: float | None  # factor by which numeric predictions missed (>= 1)


@dataclass(frozen=True)
class ReportCard:
    labs_completed: list
    labs_expected: int
    predictions: int
    correct: int
    accuracy: float | None
    constraint_hits: list  # lab ids whose latest save hit a constraint
    contexts: dict
    favourite_context: str | None
    invariants: dict  # name -> InvariantScore
    weakest_invariant: str | None
    sparse: bool  # too little data for a confident diagnosis


def _finite(x) -> bool:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def _dict(x) -> dict:
    return x if isinstance(x, dict) else {}


def report_card(latest: dict, *, expected_labs: list[str], invariants: list[str],
                min_predictions: int = 3) -> ReportCard:
    """`latest` maps lab id -> latest record (Ledger.all()); only `expected_labs` count.
    Whatever the records hold, this never raises: malformed parts are skipped."""
    recs = {k: v for k, v in _dict(latest).items() if k in expected_labs and isinstance(v, dict)}
    completed = sorted(k for k, v in recs.items() if _dict(v.get("outcomes")).get("completed") is True)
    preds = [(lab, p) for lab, r in recs.items()
             for p in (r.get("predictions") if isinstance(r.get("predictions"), list) else []) if isinstance(p, dict)]
    correct = sum(1 for _, p in preds if p.get("correct") is True)
    contexts = Counter(r.get("context") for r in recs.values()
                       if isinstance(r.get("context"), str) and r.get("context") in CONTEXTS)
    fav = max(CONTEXTS, key=lambda c: (contexts[c], -CONTEXTS.index(c))) if contexts else None
    scores = {}
    for inv in invariants:
        mine = [(lab, p) for lab, p in preds if p.get("invariant") == inv]
        labs = {lab for lab, _ in mine}
        offs = sorted(float(p["off_by"]) for _, p in mine if _finite(p.get("off_by")))
        scores[inv] = InvariantScore(
            predictions=len(mine),
            correct_rate=(sum(1 for _, p in mine if p.get("correct") is True) / len(mine)) if mine else None,
            constraint_hit_rate=(sum(1 for lab in labs if recs[lab].get("constraint_hit") is True) / len(labs))
            if labs else None,
            median_off_by=offs[len(offs) // 2] if offs else None,
        )
    scored = {k: v for k, v in scores.items() if v.predictions}
    weakest = min(scored, key=lambda k: (scored[k].correct_rate, -(scored[k].median_off_by or 1.0),
                                         invariants.index(k))) if scored else None
    return ReportCard(
        labs_completed=completed, labs_expected=len(expected_labs), predictions=len(preds), correct=correct,
        accuracy=(correct / len(preds)) if preds else None,
        constraint_hits=sorted(lab for lab, r in recs.items() if r.get("constraint_hit") is True),
        contexts={c: contexts[c] for c in CONTEXTS}, favourite_context=fav, invariants=scores,
        weakest_invariant=weakest, sparse=len(preds) < min_predictions)


def off_by_factor(predicted: float, actual: float) -> float:
    """max(p/a, a/p) for positive values: 1.0 is exact; infinite for a zero vs a non-zero."""
    if predicted == actual:
        return 1.0
    if predicted <= 0 or actual <= 0:
        return math.inf
    return max(predicted / actual, actual / predicted)
