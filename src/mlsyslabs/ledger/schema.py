"""The ledger document's schema and its validator (no third-party dependency).

Document:
  {"schema_version": 1, "created_at": ISO, "updated_at": ISO,
   "labs": {"v1.05": [record, ...oldest first], ...}}
Record (what a lab saves; `saved_at` added by the store):
  {"context": "cloud"|"edge"|"mobile"|"tiny"|None,
   "predictions": [{"id", "invariant", "choice", "label", "answer_label", "predicted", "actual", "correct",
                    "off_by", "committed_at", "hinted"}],
   "memo": {"recommendation", "rejected", "risk", "would_change"} (strings, optional),
   "decisions": {str: scalar}, "outcomes": {str: scalar},
   "constraint_hit": bool, "constraints": [str], "saved_at": ISO,
   "hints": [part id] (parts whose hint the learner opened, before or after committing),
   "chain": hex SHA-256 (ledger.chain: tamper evidence, added by the store)}
The document may name its learner: "learner": {"name": str, "set_at": ISO}.
"""
from __future__ import annotations

import math
import re

SCHEMA_VERSION = 1
LAB_ID = re.compile(r"v[12]\.[0-9][0-9]")  # used with fullmatch: ASCII digits, no trailing newline
CONTEXTS = ("cloud", "edge", "mobile", "tiny")
MAX_STRING = 2000
MAX_DEPTH = 6
MAX_LABS = 200  # every id LAB_ID admits (v1.00-v1.99, v2.00-v2.99): a save can never exceed it
MAX_VERSIONS = 2000
MAX_ITEMS = 200  # predictions, constraints, decision/outcome keys per record
PREDICTION_FIELDS = {"id", "invariant", "choice", "label", "answer_label", "predicted", "actual", "correct", "off_by",
                     "committed_at", "hinted"}
# The decision memo that closes every lab (quoted back by the capstones).
MEMO_FIELDS = ("recommendation", "rejected", "risk", "would_change")
# Keys that later labs read (README "The Design Ledger"): their type is part of the
# schema, so a lab that saves them wrong fails at save time and an import carrying a
# wrong type is rejected. Readers still check ranges (labs.protocol.ledger_number).
CONTRACT_TYPES = {("v1.10", "decisions", "precision"): "string",
                  ("v1.13", "outcomes", "p99_ms"): "number",
                  ("v1.14", "decisions", "cadence_months"): "number",
                  # the starting design of the v1.16 capstone (README "The Design Ledger")
                  **{("v1.00", "decisions", k): "string" for k in ("tier", "model", "precision")},
                  **{("v1.11", "decisions", k): "string" for k in ("accelerator", "model", "precision")},
                  **{("v1.13", "decisions", k): "number" for k in ("max_batch", "window_ms")},
                  **{("v1.15", "decisions", k): "number" for k in ("threshold_group_a", "threshold_group_b")},
                  # v1.05's memory breakdown, read by v1.08
                  **{("v1.05", "outcomes", k): "number" for k in (
                      "weights_bytes", "gradients_bytes", "optimizer_bytes", "master_weights_bytes",
                      "activations_bytes", "total_bytes", "bytes_per_param_training", "max_batch")}}
_SAVED_AT = re.compile(r"[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9:.]+(Z|[+-][0-9][0-9]:[0-9][0-9])?")
_HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_NAME = 120
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
    """A number a JSON reader can hold as a double: finite, and an integer no larger
    than a float can represent (a 4,300-digit integer cannot even be parsed back)."""
    if v is None and allow_none:
        return
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise LedgerError(f"{where}: must be a finite number")
    try:
        ok = math.isfinite(float(v))
    except OverflowError:
        ok = False
    if not ok:
        raise LedgerError(f"{where}: must be a finite number")


def _short(x) -> str:
    r = repr(x)
    return r if len(r) <= 40 else r[:37] + "..."


def validate_record(lab_id: str, rec, *, require_saved_at: bool = False) -> None:
    where = f"record {lab_id}"
    if not isinstance(lab_id, str) or not LAB_ID.fullmatch(lab_id):
        raise LedgerError(f"lab id must look like v1.05 or v2.10, got {_short(lab_id)}")
    if not isinstance(rec, dict):
        raise LedgerError(f"{where}: must be an object")
    _depth(rec, MAX_DEPTH, where)
    allowed = {"context", "predictions", "decisions", "outcomes", "constraint_hit", "constraints", "memo", "saved_at",
               "chain", "hints"}
    extra = set(rec) - allowed
    if extra:
        raise LedgerError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    ctx = rec.get("context")
    if ctx is not None and ctx not in CONTEXTS:
        raise LedgerError(f"{where}: context must be one of {', '.join(CONTEXTS)} or null, got {_short(ctx)}")
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
        if not isinstance(p.get("hinted", False), bool):
            raise LedgerError(f"{w}: hinted must be true or false")
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
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                _number(f"{where} {key}.{k}", v)
            kind = CONTRACT_TYPES.get((lab_id, key, k))
            if v is not None and kind == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise LedgerError(f"{where}: {key}.{k} is read by later labs and must be a number")
            if v is not None and kind == "string" and not isinstance(v, str):
                raise LedgerError(f"{where}: {key}.{k} is read by later labs and must be a string")
    memo = rec.get("memo")
    if memo is not None:
        if (not isinstance(memo, dict) or set(memo) - set(MEMO_FIELDS)
                or not all(isinstance(v, str) for v in memo.values())):
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
    hints = rec.get("hints", [])
    if not isinstance(hints, list) or len(hints) > MAX_ITEMS or not all(isinstance(h, str) for h in hints):
        raise LedgerError(f"{where}: hints must be a list of part ids")
    for h in hints:
        check_string(f"{where} hint", h)
    chain = rec.get("chain")
    if chain is not None and not (isinstance(chain, str) and _HEX64.fullmatch(chain)):
        raise LedgerError(f"{where}: chain must be 64 hexadecimal digits")
    sa = rec.get("saved_at")
    if require_saved_at and not isinstance(sa, str):
        raise LedgerError(f"{where}: saved_at missing")
    if sa is not None:
        if not isinstance(sa, str) or not _SAVED_AT.fullmatch(sa):
            raise LedgerError(f"{where}: saved_at must be an ISO 8601 timestamp")


def check_name(name) -> str:
    """A learner's name or student id: one printable line, 1-120 characters, no markup."""
    if not isinstance(name, str) or not name.strip():
        raise LedgerError("a learner name must be a non-empty string")
    name = name.strip()
    if len(name) > MAX_NAME or not name.isprintable():
        raise LedgerError(f"a learner name must be one printable line of at most {MAX_NAME} characters")
    check_string("learner name", name)
    return name


def validate_learner(learner) -> None:
    if not isinstance(learner, dict) or set(learner) - {"name", "set_at"}:
        raise LedgerError("learner must be an object with keys name and set_at")
    check_name(learner.get("name"))
    sa = learner.get("set_at")
    if sa is not None and not (isinstance(sa, str) and _SAVED_AT.fullmatch(sa)):
        raise LedgerError("learner.set_at must be an ISO 8601 timestamp")


def validate_document(doc) -> None:
    if not isinstance(doc, dict):
        raise LedgerError("ledger must be a JSON object")
    _depth(doc, MAX_DEPTH + 3, "ledger")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise LedgerError(f"schema_version must be {SCHEMA_VERSION}, got {doc.get('schema_version')!r}")
    extra = set(doc) - {"schema_version", "created_at", "updated_at", "labs", "learner"}
    if extra:
        raise LedgerError(f"unknown top-level field(s) {', '.join(sorted(extra))}")
    if "learner" in doc:
        validate_learner(doc["learner"])
    labs = doc.get("labs")
    if not isinstance(labs, dict) or len(labs) > MAX_LABS:
        raise LedgerError(f"labs must be an object with at most {MAX_LABS} labs")
    for lab_id, versions in labs.items():
        if not isinstance(versions, list) or len(versions) > MAX_VERSIONS:
            raise LedgerError(f"labs.{_short(lab_id)} must be a list of at most {MAX_VERSIONS} saved versions")
        for rec in versions:
            validate_record(lab_id, rec, require_saved_at=True)
