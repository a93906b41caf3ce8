"""What every lab does with the ledger: read the learner's home context, and
save its record when something worth saving changed."""
from __future__ import annotations

from ..ledger import CONTEXTS, Ledger


def home_context(ledger: Ledger, default: str = "cloud") -> str:
    """The context chosen in v1.00 The Map, the default tier of later labs."""
    rec = ledger.get("v1.00")
    ctx = (rec or {}).get("context")
    return ctx if ctx in CONTEXTS else default


def build_record(*, context: str | None, results: list, decisions: dict | None = None,
                 outcomes: dict | None = None, constraints: list[str] | None = None, expected: int) -> dict:
    """results: PredictionResult for each prediction committed so far."""
    done = [r for r in results if r is not None]
    cons = list(constraints or [])
    return {"context": context, "predictions": [r.to_record() for r in done], "decisions": dict(decisions or {}),
            "outcomes": dict(outcomes or {}, completed=len(done) == expected), "constraint_hit": bool(cons),
            "constraints": cons}


def save_if_changed(ledger: Ledger, lab_id: str, record: dict) -> bool:
    """Save a new version unless it equals the latest one (a re-run is not news).
    Returns True when the ledger now holds this record."""
    latest = ledger.get(lab_id)
    if latest is not None:
        latest.pop("saved_at", None)
        if latest == record:
            return True
    ledger.save(lab_id, record)
    return True


def plain_text(text: str, limit: int = 2000) -> str:
    """Free text a learner typed, made safe for the ledger (which refuses markup):
    angle brackets become look-alike quotes, length is capped. Display escapes anyway."""
    return (text or "").replace("<", "‹").replace(">", "›").replace("javascript:", "javascript :")[:limit]


def ledger_value(ledger: Ledger, lab_id: str, section: str, key: str):
    """One decision or outcome an earlier lab saved (None when absent)."""
    rec = ledger.get(lab_id) or {}
    return (rec.get(section) or {}).get(key)
