"""The ledger document's schema and its validator (no third-party dependency).

Document:
  {"schema_version": 1, "created_at": ISO, "updated_at": ISO,
   "labs": {"v1.05": [record, ...oldest first], ...}}
Record (what a lab saves; `saved_at` added by the store):
  {"context": "cloud"|"edge"|"mobile"|"tiny"|None,
   "predictions": [{"id", "invariant", "choice", "label", "answer_label", "predicted", "actual", "correct",
                    "off_by", "committed_at"}],
   "memo": {"recommendation", "rejected", "risk", "would_change"} (strings, optional),
   "decisions": {str: scalar}, "outcomes": {str: scalar},
   "constraint_hit": bool, "constraints": [str], "saved_at": ISO}
"""
from __future__ import annotations

import re

SCHEMA_VERSION = 1
LAB_ID = re.compile(r"^v[12]\.\d\d$")
CONTEXTS = ("cloud", "edge", "mobile", "tiny")
MAX_STRING = 2000
MAX_DEPTH = 6
MAX_LABS = 100
MAX_VERSIONS = 2000
MAX_ITEMS = 200  # predictions, constraints, decision/outcome keys per record
PREDICTION_FIELDS = {"id", "invariant", "choice", "label", "answer_label", "predicted", "actual", "correct", "off_by",
                     "committed_at"}
# The decision memo that closes every lab (quoted back by the capstones).
MEMO_FIELDS = ("recommendation", "rejected", "risk", "would_change")
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|javascript:", re.IGNORECASE)


class LedgerError(ValueError):
    """A ledger document or record that does not match the schema."""


def _scalar(v) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def check_string(where: str, s: str) -> None:
    if len(s) > MAX_STRING:
        raise LedgerError(f"{where}: string longer than {MAX_STRING} characters")
    if _MARKUP.search(s):
        raise LedgerError(f"{where}: markup is not allowed in ledger text")


def _depth(obj, limit: int, where: str, level: int = 0) -> None:
    if level > limit:
        raise LedgerError(f"{where}: nested deeper than {limit} levels")
    if isinstance(obj, dict):
        for v in obj.values():
            _depth(v, limit, where, level + 1)
    elif isinstance(obj, list):
        for v in obj:
            _depth(v, limit, where, level + 1)


def _number(where, v, *, allow_none=True):
    if v is None and allow_none:
        return
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float("inf"), float("-inf")):
        raise LedgerError(f"{where}: must be a finite number")


def validate_record(lab_id: str, rec, *, require_saved_at: bool = False) -> None:
    where = f"record {lab_id}"
    if not isinstance(lab_id, str) or not LAB_ID.match(lab_id):
        raise LedgerError(f"lab id must look like v1.05 or v2.10, got {lab_id!r}")
    if not isinstance(rec, dict):
        raise LedgerError(f"{where}: must be an object")
    _depth(rec, MAX_DEPTH, where)
    allowed = {"context", "predictions", "decisions", "outcomes", "constraint_hit", "constraints", "memo", "saved_at"}
    extra = set(rec) - allowed
    if extra:
        raise LedgerError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    ctx = rec.get("context")
    if ctx is not None and ctx not in CONTEXTS:
        raise LedgerError(f"{where}: context must be one of {', '.join(CONTEXTS)} or null, got {ctx!r}")
    preds = rec.get("predictions", [])
    if not isinstance(preds, list) or len(preds) > MAX_ITEMS:
        raise LedgerError(f"{where}: predictions must be a list of at most {MAX_ITEMS}")
    for i, p in enumerate(preds):
        w = f"{where} prediction {i}"
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            raise LedgerError(f"{w}: must be an object with a string id")
        if set(p) - PREDICTION_FIELDS:
            raise LedgerError(f"{w}: unknown field(s)")
        for k in ("id", "invariant", "choice", "label", "answer_label", "committed_at"):
            if p.get(k) is not None:
                if not isinstance(p[k], str):
                    raise LedgerError(f"{w}: {k} must be a string")
                check_string(f"{w} {k}", p[k])
        for k in ("predicted", "actual", "off_by"):
            _number(f"{w} {k}", p.get(k))
        if not isinstance(p.get("correct"), bool):
            raise LedgerError(f"{w}: correct must be true or false")
    for key in ("decisions", "outcomes"):
        d = rec.get(key, {})
        if not isinstance(d, dict) or len(d) > MAX_ITEMS:
            raise LedgerError(f"{where}: {key} must be an object with at most {MAX_ITEMS} keys")
        for k, v in d.items():
            check_string(f"{where} {key} key", k)
            if not _scalar(v):
                raise LedgerError(f"{where}: {key}.{k} must be a string, number, boolean or null")
            if isinstance(v, str):
                check_string(f"{where} {key}.{k}", v)
            elif isinstance(v, float):
                _number(f"{where} {key}.{k}", v)
    memo = rec.get("memo")
    if memo is not None:
        if not isinstance(memo, dict) or set(memo) - set(MEMO_FIELDS) or not all(isinstance(v, str) for v in memo.values()):
            raise LedgerError(f"{where}: memo must be an object of strings with keys among {', '.join(MEMO_FIELDS)}")
        for k, v in memo.items():
            check_string(f"{where} memo.{k}", v)
    if not isinstance(rec.get("constraint_hit", False), bool):
        raise LedgerError(f"{where}: constraint_hit must be true or false")
    cons = rec.get("constraints", [])
    if not isinstance(cons, list) or len(cons) > MAX_ITEMS or not all(isinstance(c, str) for c in cons):
        raise LedgerError(f"{where}: constraints must be a list of strings")
    for c in cons:
        check_string(f"{where} constraint", c)
    sa = rec.get("saved_at")
    if require_saved_at and not isinstance(sa, str):
        raise LedgerError(f"{where}: saved_at missing")
    if sa is not None:
        if not isinstance(sa, str) or not re.match(r"^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?$", sa):
            raise LedgerError(f"{where}: saved_at must be an ISO 8601 timestamp")


def validate_document(doc) -> None:
    if not isinstance(doc, dict):
        raise LedgerError("ledger must be a JSON object")
    _depth(doc, MAX_DEPTH + 3, "ledger")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise LedgerError(f"schema_version must be {SCHEMA_VERSION}, got {doc.get('schema_version')!r}")
    extra = set(doc) - {"schema_version", "created_at", "updated_at", "labs"}
    if extra:
        raise LedgerError(f"unknown top-level field(s) {', '.join(sorted(extra))}")
    labs = doc.get("labs")
    if not isinstance(labs, dict) or len(labs) > MAX_LABS:
        raise LedgerError(f"labs must be an object with at most {MAX_LABS} labs")
    for lab_id, versions in labs.items():
        if not isinstance(versions, list) or len(versions) > MAX_VERSIONS:
            raise LedgerError(f"labs.{lab_id} must be a list of at most {MAX_VERSIONS} saved versions")
        for rec in versions:
            validate_record(lab_id, rec, require_saved_at=True)
