"""What a class predicted: completion and time per lab, accuracy per question, the most
common wrong answer per question (the class's misconception map), off-by factors of
numeric predictions, constraints most often hit, progress per learner, and whether
each record's hash chain verifies (ledger.chain).

Pure aggregation over `collect.Collection`; the result is plain data (JSON-ready) that
the text, CSV and HTML renderings share."""
from __future__ import annotations

import datetime as _dt
import math
from collections import Counter, defaultdict

from ..labs.catalog import get_lab, ready_ids
from ..ledger import chain
from .collect import Collection


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in (0, 1]); None for no values."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def _time(iso: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def minutes_to_complete(versions: list[dict]) -> float | None:
    """Minutes from the lab's first saved version to the first one marked completed."""
    done = next((v for v in versions if (v.get("outcomes") or {}).get("completed")), None)
    if done is None or not versions:
        return None
    return max(0.0, (_time(done["saved_at"]) - _time(versions[0]["saved_at"])).total_seconds() / 60.0)


def _title(lab_id: str) -> str:
    try:
        return get_lab(lab_id).title
    except Exception:  # a lab id from a newer release: show the id alone
        return ""


def _question_summary(qid: str, preds: list[dict]) -> dict:
    right = [p for p in preds if p.get("correct")]
    wrong = [p for p in preds if not p.get("correct")]
    answers = Counter(p.get("answer_label") or "" for p in preds)
    out = {"id": qid, "invariant": Counter(p.get("invariant") or "" for p in preds).most_common(1)[0][0],
           "answered": len(preds), "correct": len(right), "accuracy": len(right) / len(preds),
           "hinted": sum(1 for p in preds if p.get("hinted")),
           "answer": answers.most_common(1)[0][0],
           "wrong_answers": [[label, n] for label, n in
                             Counter(p.get("label") or p.get("choice") or "" for p in wrong
                                     if p.get("label") or p.get("choice")).most_common(3)],
           "numeric": None}
    offs = [p["off_by"] for p in preds if isinstance(p.get("off_by"), (int, float)) and p.get("choice") is None]
    if offs:
        high = sum(1 for p in preds if p.get("choice") is None and _above(p))
        low = sum(1 for p in preds if p.get("choice") is None and _below(p))
        out["numeric"] = {"n": len(offs), "median_off_by": percentile(offs, 0.5), "p25": percentile(offs, 0.25),
                          "p75": percentile(offs, 0.75), "p90": percentile(offs, 0.9), "too_high": high,
                          "too_low": low}
    return out


def _above(p) -> bool:
    return p.get("predicted") is not None and p.get("actual") is not None and p["predicted"] > p["actual"]


def _below(p) -> bool:
    return p.get("predicted") is not None and p.get("actual") is not None and p["predicted"] < p["actual"]


def class_report(col: Collection) -> dict:
    lab_ids = sorted(ready_ids() | {lab for le in col.learners for lab in le.doc["labs"]})
    per_lab = {lab: {"started": 0, "completed": 0, "minutes": [], "constraints": Counter(),
                     "integrity": Counter(), "preds": defaultdict(list)} for lab in lab_ids}
    by_invariant: dict[str, list[bool]] = defaultdict(list)
    learners = []
    for le in col.learners:
        started = completed = n_pred = n_right = 0
        edited = []
        for lab, versions in le.doc["labs"].items():
            if not versions:
                continue
            acc, latest = per_lab[lab], versions[-1]
            started += 1
            acc["started"] += 1
            seal = chain.status(versions)
            acc["integrity"][seal] += 1
            if seal == "edited":
                edited.append(lab)
            if (latest.get("outcomes") or {}).get("completed"):
                completed += 1
                acc["completed"] += 1
            m = minutes_to_complete(versions)
            if m is not None:
                acc["minutes"].append(m)
            acc["constraints"].update(set(latest.get("constraints") or []))
            for p in latest.get("predictions") or []:
                acc["preds"][p["id"]].append(p)
                by_invariant[p.get("invariant") or ""].append(bool(p.get("correct")))
                n_pred += 1
                n_right += bool(p.get("correct"))
        learners.append({"name": le.name, "named": le.named, "file": le.file, "labs_started": started,
                         "labs_completed": completed, "predictions": n_pred, "correct": n_right,
                         "accuracy": n_right / n_pred if n_pred else None, "edited_labs": sorted(edited)})
    labs = []
    for lab in lab_ids:
        acc = per_lab[lab]
        labs.append({"id": lab, "title": _title(lab), "started": acc["started"], "completed": acc["completed"],
                     "not_started": len(col.learners) - acc["started"],
                     "median_minutes": percentile(acc["minutes"], 0.5),
                     "constraints": [[c, n] for c, n in acc["constraints"].most_common()],
                     "integrity": {k: acc["integrity"].get(k, 0) for k in ("sealed", "edited", "unsealed")},
                     "questions": [_question_summary(q, ps) for q, ps in sorted(acc["preds"].items())]})
    invariants = [{"invariant": k, "predictions": len(v), "accuracy": sum(v) / len(v)}
                  for k, v in sorted(by_invariant.items())]
    return {"learners": len(col.learners), "problems": [{"file": f, "why": w} for f, w in col.problems],
            "labs": labs, "invariants": invariants, "per_learner": sorted(learners, key=lambda r: r["name"].lower())}
