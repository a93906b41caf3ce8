"""Export and import of the ledger where there is no terminal (the browser edition's
"Your ledger" page). Both go through the CLI's own code, on a file in memory: an
import is validated exactly as `mlsyslabs ledger import` validates it (size, JSON,
schema), and a rejected file changes nothing."""
from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path

from ..ledger import Ledger, LedgerError
from ..ledger.store import MAX_IMPORT_BYTES


def export_bytes(ledger: Ledger) -> bytes:
    """The whole ledger as the bytes `mlsyslabs ledger export` writes."""
    with tempfile.TemporaryDirectory(prefix="mlsyslabs-export-") as tmp:
        out = Path(tmp) / "ledger.json"
        ledger.export(out, overwrite=True)  # a fresh temporary name; os.link (no-clobber) is absent in Pyodide
        return out.read_bytes()


def export_filename() -> str:
    return f"mlsyslabs-ledger-{_dt.date.today().isoformat()}.json"


def import_bytes(ledger: Ledger, data: bytes, name: str = "upload.json") -> tuple[bool, str]:
    """Merge an uploaded ledger file. Returns (ok, message for the learner)."""
    if len(data) > MAX_IMPORT_BYTES:
        return False, (f"{name} was not imported: it is {len(data):,} bytes; "
                       f"imports are limited to {MAX_IMPORT_BYTES:,}.")
    with tempfile.TemporaryDirectory(prefix="mlsyslabs-import-") as tmp:
        path = Path(tmp) / "import.json"
        path.write_bytes(data)
        try:
            added = ledger.import_(path)
        except LedgerError as exc:
            return False, f"{name} was not imported, and your ledger is unchanged: {exc}"
        except OSError as exc:
            return False, f"{name} was merged in this tab but not into browser storage: {exc}"
    return True, f"Imported {name}: {added} new saved version(s) merged into your ledger."


def summary_rows(ledger: Ledger) -> list[dict]:
    """One row per lab in the ledger: what a learner (or an instructor) checks first."""
    from ..labs.catalog import BY_ID

    rows = []
    for lab_id, rec in sorted(ledger.all().items()):
        lab = BY_ID.get(lab_id)
        preds = rec.get("predictions", [])
        rows.append({"lab": lab_id, "title": lab.title if lab else "", "predictions": len(preds),
                     "right": sum(1 for p in preds if p.get("correct")),
                     "completed": bool(rec.get("outcomes", {}).get("completed")),
                     "saved": rec.get("saved_at", "")[:19].replace("T", " ")})
    return rows
