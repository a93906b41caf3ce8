"""Tamper evidence for saved versions: a hash chain per lab.

Every version a store writes carries `chain` = SHA-256(previous version's chain,
the version's own content in canonical JSON). Editing a saved version by hand (a
wrong answer turned "correct") breaks the chain from that version on, and the class
report shows the record as edited.

Limits, stated plainly: the chain has no secret. It detects a hand edit of the
file, not a learner who re-runs this code to re-seal an edited ledger; and a version
whose chain field is removed reads as "unsealed" (ledgers written before sealing, or
by hand). Imports and browser-tab merges re-seal a merged history only when every
input verified, so they never launder an edit.
"""
from __future__ import annotations

import hashlib
import json

from .schema import MAX_VERSIONS

GENESIS = "0" * 64
FIELD = "chain"


def content(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if k != FIELD}


def digest(previous: str, rec: dict) -> str:
    body = json.dumps(content(rec), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous + body).encode("utf-8")).hexdigest()


def seal_last(versions: list[dict]) -> None:
    """Seal the newest version onto its predecessor (in place)."""
    prev = versions[-2].get(FIELD, GENESIS) if len(versions) > 1 else GENESIS
    versions[-1][FIELD] = digest(prev, versions[-1])


def seal_all(versions: list[dict]) -> None:
    prev = GENESIS
    for v in versions:
        v[FIELD] = digest(prev, v)
        prev = v[FIELD]


def status(versions: list[dict]) -> str:
    """"sealed" (every version verifies), "edited" (a chained version does not match its
    content) or "unsealed" (no version carries a chain)."""
    if not any(FIELD in v for v in versions):
        return "unsealed"
    trimmed = len(versions) >= MAX_VERSIONS  # the store drops the oldest versions beyond this
    prev = GENESIS
    for i, v in enumerate(versions):
        link = v.get(FIELD)
        # the oldest kept version of a trimmed history lost its predecessor: it is the anchor
        if link is None or (link != digest(prev, v) and not (i == 0 and trimmed)):
            return "edited"
        prev = link
    return "sealed"


def reseal_if_intact(merged: list[dict], *sources: list[dict]) -> None:
    """After combining histories (an import, two tabs), chain the result afresh, but only
    when every source verified: an edited source keeps its broken links visible."""
    if all(status(s) == "sealed" for s in sources if s):
        seal_all(merged)
