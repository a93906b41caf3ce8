"""How a new save combines with what the ledger already holds (pure logic, shared by
the file store and the browser edition).

Rules, so a save never replaces a more complete record with a less complete one:
- predictions are keyed by part id and the FIRST committed one wins (commit is final);
- context, memo: the new value when given, else the old one;
- decisions and outcomes: the old keys updated by the new ones; `completed` never
  goes back from true to false;
- constraints and hints used: the union, in first-seen order.

History keeps one version per meaningful event (a commit, a context choice, a new
constraint, a memo, completion); moving a slider only refreshes the latest version,
so a semester of use stays small.
"""
from __future__ import annotations

import copy

MEANINGFUL = ("context", "memo", "constraints", "hints")


def _prediction_ids(rec: dict) -> list[str]:
    return [p["id"] for p in rec.get("predictions", [])]


def merge_records(old: dict | None, new: dict) -> dict:
    """The record to store when `new` is saved on top of `old` (neither is modified)."""
    new = copy.deepcopy(new)
    if not old:
        new.setdefault("predictions", [])
        new.pop("chain", None)
        new["constraint_hit"] = bool(new.get("constraints"))
        return new
    old = copy.deepcopy(old)
    out = dict(old)
    preds = list(old.get("predictions", []))
    seen = set(_prediction_ids(old))
    for p in new.get("predictions", []):
        if p["id"] not in seen:
            preds.append(p)
            seen.add(p["id"])
    out["predictions"] = preds
    for key in ("context", "memo"):
        if new.get(key):
            out[key] = new[key]
    for key in ("decisions", "outcomes"):
        out[key] = {**old.get(key, {}), **new.get(key, {})}
    if old.get("outcomes", {}).get("completed"):
        out["outcomes"]["completed"] = True
    cons = list(old.get("constraints", []))
    cons += [c for c in new.get("constraints", []) if c not in cons]
    out["constraints"] = cons
    out["constraint_hit"] = bool(cons)
    hints = list(old.get("hints", []))
    hints += [h for h in new.get("hints", []) if h not in hints]
    if hints:
        out["hints"] = hints
    out.pop("saved_at", None)
    out.pop("chain", None)  # the store seals what it writes
    return out


def is_news(old: dict | None, merged: dict) -> bool:
    """True when `merged` differs from `old` by a meaningful event (worth a history version)."""
    if old is None:
        return True
    if _prediction_ids(old) != _prediction_ids(merged):
        return True
    if bool(old.get("outcomes", {}).get("completed")) != bool(merged.get("outcomes", {}).get("completed")):
        return True
    return any(old.get(k) != merged.get(k) for k in MEANINGFUL)


def same_content(a: dict | None, b: dict) -> bool:
    """Equal apart from the save time (and the seal, which covers it)."""
    if a is None:
        return False
    strip = lambda r: {k: v for k, v in r.items() if k not in ("saved_at", "chain")}  # noqa: E731
    return strip(a) == strip(b)
