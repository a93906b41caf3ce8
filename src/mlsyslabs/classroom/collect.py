"""Read a class's exported ledgers: every file is validated, and every file that is
not used (unreadable, invalid, a duplicate) is listed with the reason, never dropped
silently."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..ledger.schema import LedgerError
from ..ledger.store import MAX_IMPORT_BYTES, parse_document, read_limited


@dataclass
class Learner:
    name: str  # the name the learner set (ledger whoami), else the file's name
    named: bool  # False when the ledger carries no learner name
    file: str
    doc: dict


@dataclass
class Collection:
    learners: list[Learner] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, why it was not used)


def _files(paths) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix.lower() == ".json" and not q.name.startswith("."))
        else:
            out.append(p)
    return out


def collect(paths) -> Collection:
    """Learners from ledger files and folders of them (*.json)."""
    col = Collection()
    seen_whole: dict[str, str] = {}
    seen_content: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for f in _files(paths):
        try:
            doc = parse_document(read_limited(f, MAX_IMPORT_BYTES))
        except OSError as exc:
            col.problems.append((str(f), f"cannot be read ({exc.strerror or exc.__class__.__name__})"))
            continue
        except LedgerError as exc:
            col.problems.append((str(f), f"not a valid ledger: {exc}"))
            continue
        whole = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
        if whole in seen_whole:
            col.problems.append((str(f), f"the same file as {seen_whole[whole]} (a duplicate; counted once)"))
            continue
        name = (doc.get("learner") or {}).get("name")
        learner = Learner(name or f.stem, name is not None, str(f), doc)
        records = hashlib.sha256(json.dumps(doc["labs"], sort_keys=True).encode()).hexdigest()
        if doc["labs"] and records in seen_content:  # saves carry microsecond times: two learners never match
            col.problems.append((str(f), f"the same records as {seen_content[records]} under another name (copied?): "
                                         f"both counted, check them"))
        elif name and name in seen_names:
            col.problems.append((str(f), f"learner {name!r} is also in {seen_names[name]}: both counted, check them"))
        seen_whole[whole] = str(f)
        seen_content.setdefault(records, str(f))
        if name:
            seen_names.setdefault(name, str(f))
        col.learners.append(learner)
    return col
