"""`mlsyslabs ledger path | show | export | import | reset`."""
from __future__ import annotations

import json
import sys

from ..ledger import Ledger, LedgerError
from . import UserError
from .output import emit_json


def add_parsers(sub) -> None:
    p = sub.add_parser("ledger", help="your Design Ledger: where it is, what it holds, export/import/reset")
    lsub = p.add_subparsers(dest="action", required=True)
    lsub.add_parser("path", help="print the ledger file's path").set_defaults(run=path)
    s = lsub.add_parser("show", help="the latest record of every lab")
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=show)
    e = lsub.add_parser("export", help="write the whole ledger to FILE")
    e.add_argument("file")
    e.set_defaults(run=export)
    i = lsub.add_parser("import", help="merge a ledger FILE into yours (validated first)")
    i.add_argument("file")
    i.set_defaults(run=import_)
    r = lsub.add_parser("reset", help="start an empty ledger (the old one is kept as a backup)")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(run=reset)


def _open() -> Ledger:
    led = Ledger.open()
    if led.notice:
        print(f"mlsyslabs: {led.notice}", file=sys.stderr)
    return led


def path(args) -> int:
    print(_open().path)
    return 0


def show(args) -> int:
    latest = _open().all()
    if args.json:
        emit_json(latest)
        return 0
    if not latest:
        print("The ledger is empty: open a lab with `mlsyslabs` to start.")
        return 0
    for lab_id, rec in sorted(latest.items()):
        preds = rec.get("predictions", [])
        right = sum(1 for p in preds if p.get("correct"))
        hit = " constraint hit" if rec.get("constraint_hit") else ""
        print(f"{lab_id}  {rec.get('saved_at', '')[:19]}  context={rec.get('context') or '-'}  "
              f"predictions {right}/{len(preds)} right{hit}")
        if rec.get("decisions"):
            print("       decisions: " + json.dumps(rec["decisions"], sort_keys=True))
    return 0


def export(args) -> int:
    out = _open().export(args.file)
    print(f"exported the ledger to {out}")
    return 0


def import_(args) -> int:
    try:
        added = _open().import_(args.file)
    except LedgerError as exc:
        raise UserError(f"import rejected, your ledger is unchanged: {exc}") from None
    print(f"imported {added} new saved version(s)")
    return 0


def reset(args) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("ledger reset needs --yes when not run interactively")
        if input("Start an empty ledger? The current one is kept as a backup. [y/N] ").strip().lower() != "y":
            print("cancelled")
            return 1
    backup = _open().reset()
    print(f"ledger reset; previous ledger kept at {backup}" if backup else "the ledger was already empty")
    return 0
