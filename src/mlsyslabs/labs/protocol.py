"""What every lab does with the ledger: read the learner's home context, commit
predictions (final, durable at once, restored on every revisit), and merge-save
its record without ever losing committed work."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NamedTuple

from ..ledger import CONTEXTS, Ledger, LedgerError
from ..ledger.schema import CONTRACT_TYPES
from ..ledger.store import now_iso


def home_context(ledger: Ledger, default: str = "cloud") -> str:
    """The context chosen in v1.00 The Map, the default tier of later labs."""
    rec = ledger.get("v1.00")
    ctx = (rec or {}).get("context")
    return ctx if ctx in CONTEXTS else default


def build_record(*, context: str | None, results: list, decisions: dict | None = None,
                 outcomes: dict | None = None, constraints: list[str] | None = None, expected: int | None = None,
                 memo: dict | None = None) -> dict:
    """results: a PredictionResult or None for every prediction of the lab (None:
    not committed yet); `expected` defaults to their number."""
    done = [r for r in results if r is not None]
    cons = list(constraints or [])
    expected = len(results) if expected is None else expected
    rec = {"context": context, "predictions": [r.to_record() for r in done], "decisions": dict(decisions or {}),
           "outcomes": dict(outcomes or {}, completed=len(done) == expected), "constraint_hit": bool(cons),
           "constraints": cons}
    if memo and any(v.strip() for v in memo.values()):
        rec["memo"] = {k: plain_text(v) for k, v in memo.items()}
    return rec


_JS_SCHEME = re.compile(r"javascript:", re.IGNORECASE)


def plain_text(text: str, limit: int = 2000) -> str:
    """Free text a learner typed, made safe for the ledger (which refuses markup with
    the same rule, ledger.schema.check_string): angle brackets become look-alike
    quotes, `javascript:` in any letter case gets a space before its colon, length is
    capped. Display escapes anyway."""
    text = (text or "").replace("<", "‹").replace(">", "›")
    return _JS_SCHEME.sub(lambda m: m.group(0)[:-1] + " :", text)[:limit]


_ABSENT = object()


def _stored_value(ledger: Ledger, lab_id: str, section: str, key: str):
    """(value or _ABSENT, why it could not be read or None)."""
    try:
        rec = ledger.get(lab_id) or {}
    except (OSError, LedgerError) as exc:
        return _ABSENT, f"your ledger could not be read ({exc})"
    sec = rec.get(section) if isinstance(rec, dict) else None
    if not isinstance(sec, dict):
        return _ABSENT, None
    return sec.get(key, _ABSENT), None


def ledger_value(ledger: Ledger, lab_id: str, section: str, key: str):
    """One decision or outcome an earlier lab saved (None when absent, unreadable, or
    of the wrong type for a contract key). Prefer ledger_number / ledger_choice."""
    value, _ = _stored_value(ledger, lab_id, section, key)
    if value is _ABSENT:
        return None
    kind = CONTRACT_TYPES.get((lab_id, section, key))
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return None
    if kind == "string" and not isinstance(value, str):
        return None
    return value


class LedgerRead(NamedTuple):
    """A value read from the ledger: `note` is None when it is the learner's own saved
    value, else says why `value` is the default (absent, unreadable, out of range)."""

    value: object
    note: str | None


def ledger_number(ledger: Ledger, lab_id: str, section: str, key: str, default: float, lo: float = -math.inf,
                  hi: float = math.inf, *, integer: bool = False) -> LedgerRead:
    """A number an earlier lab saved, if it is a finite number within [lo, hi]; else
    `default` with a note. Never raises for anything the ledger holds."""
    where = f"{lab_id} {section}.{key}"
    value, err = _stored_value(ledger, lab_id, section, key)
    if err:
        return LedgerRead(default, f"{err}; the default {default} is used for {where}")
    if value is _ABSENT or value is None:
        return LedgerRead(default, f"{where} is not in your ledger yet; the default {default} is used")
    try:
        ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(float(value))
    except OverflowError:
        ok = False
    if not ok:
        return LedgerRead(default, f"{where} in your ledger is not a number; the default {default} is used")
    if not lo <= value <= hi:
        return LedgerRead(default, f"{where} in your ledger ({float(value):.6g}) is outside {lo:g}..{hi:g}; "
                                   f"the default {default} is used")
    return LedgerRead(int(round(value)) if integer else value, None)


def ledger_choice(ledger: Ledger, lab_id: str, section: str, key: str, default, allowed) -> LedgerRead:
    """A choice an earlier lab saved, if it is one of `allowed`; else `default` with a note."""
    where = f"{lab_id} {section}.{key}"
    value, err = _stored_value(ledger, lab_id, section, key)
    if err:
        return LedgerRead(default, f"{err}; the default {default} is used for {where}")
    if value is _ABSENT or value is None:
        return LedgerRead(default, f"{where} is not in your ledger yet; the default {default} is used")
    try:
        ok = isinstance(value, (str, int, float)) and not isinstance(value, bool) and value in allowed
    except TypeError:
        ok = False
    if not ok:
        return LedgerRead(default, f"{where} in your ledger is not one of {', '.join(map(str, allowed))}; "
                                   f"the default {default} is used")
    return LedgerRead(value, None)


@dataclass(frozen=True)
class SaveStatus:
    """Whether the learner's work reached the ledger; `message` says why not."""

    saved: bool
    message: str = ""


def _stored_answer(pred: dict):
    return pred["choice"] if pred.get("choice") is not None else pred.get("predicted")


def _option_labels(element) -> dict:
    """key -> text of a choice prediction (a form around a radio), else {}."""
    inner = getattr(element, "element", element)
    options = getattr(inner, "options", None)
    return {v: k for k, v in options.items()} if isinstance(options, dict) else {}


class LabSession:
    """One lab's link to the ledger.

    `commit(part, element, grade)` returns the graded result of the FIRST answer ever
    committed for that part: from the ledger when it holds one (an earlier visit,
    another tab), else from the element's submitted value, which is then recorded at
    once. Later submissions never change it. `save(record)` merges (ledger.merge).
    Failures are kept in `error` so the lab can say the work was not saved.
    """

    def __init__(self, ledger: Ledger, lab_id: str):
        self.ledger, self.lab_id = ledger, lab_id
        self.error: str | None = None

    def _stored(self, part: str) -> dict | None:
        try:
            rec = self.ledger.get(self.lab_id) or {}
        except (OSError, LedgerError):
            return None
        return next((p for p in rec.get("predictions", []) if p.get("id") == part), None)

    def commit(self, part: str, element, grade):
        labels = _option_labels(element)
        stored = self._stored(part)
        if stored is None:
            value = getattr(element, "value", None)
            if value is None:
                return None
            result = grade(value).with_labels(labels)
            if result.id != part:
                raise ValueError(f"grade() returned a result for {result.id!r}, expected {part!r}")
            try:
                record = dict(result.to_record(), committed_at=now_iso(), hinted=part in self._hints())
                stored = self.ledger.commit_prediction(self.lab_id, record)
            except (OSError, LedgerError) as exc:
                self.error = f"your prediction for {part} was not saved ({exc})"
                return result
            if _stored_answer(stored) == result.answer:
                return result
        return grade(_stored_answer(stored)).with_labels(labels)

    def _hints(self) -> list:
        try:
            return list((self.ledger.get(self.lab_id) or {}).get("hints", []))
        except (OSError, LedgerError):
            return []

    def hint(self, part: str, button) -> bool:
        """Whether the learner has opened this part's hint (`ui.hint_button`), now or on an
        earlier visit. Opening it is recorded in the ledger at once; a prediction committed
        afterwards is marked `hinted`."""
        if part in self._hints():
            return True
        if not getattr(button, "value", 0):
            return False
        try:
            self.ledger.merge_save(self.lab_id, {"predictions": [], "hints": [part]})
        except (OSError, LedgerError) as exc:
            self.error = f"your use of the hint for {part} was not saved ({exc})"
        return True

    def save(self, record: dict) -> SaveStatus:
        try:
            self.ledger.merge_save(self.lab_id, record)
        except (OSError, LedgerError) as exc:
            self.error = f"your work in this lab was not saved ({exc})"
            return SaveStatus(False, self.error)
        self.error = None  # the merged record carries any earlier unsaved commit too
        return SaveStatus(True)

    def memo(self) -> dict:
        """The decision memo saved earlier, or {}."""
        try:
            return dict((self.ledger.get(self.lab_id) or {}).get("memo") or {})
        except (OSError, LedgerError):
            return {}
