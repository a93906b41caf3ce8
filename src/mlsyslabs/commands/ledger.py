"""`mlsyslabs ledger path | show | whoami | export | import | reset`.

Every failure is one line on stderr and exit code 2 (an OS error, a rejected file,
end of input at the reset prompt), never a traceback. Text that comes from the
ledger file is printed without control characters, so a crafted ledger cannot send
escape sequences to the terminal."""
from __future__ import annotations

import functools
import json
import re
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
    e = lsub.add_parser("export", help="write the whole ledger to FILE (a new file; --force replaces one)")
    e.add_argument("file")
    e.add_argument("--force", action="store_true", help="replace FILE if it exists")
    e.set_defaults(run=export)
    i = lsub.add_parser("import", help="merge a ledger FILE into yours (validated first)")
    i.add_argument("file")
    i.set_defaults(run=import_)
    w = lsub.add_parser("whoami", help="show, or set with NAME, the learner name or student id your exports carry")
    w.add_argument("name", nargs="?")
    w.set_defaults(run=whoami)
    r = lsub.add_parser("reset", help="start an empty ledger (the old one is kept as a backup)")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(run=reset)


# C0 and C1 controls (escape sequences, carriage returns) and bidirectional overrides
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text) -> str:
    """`text` as one printable line: control characters removed."""
    return _CONTROL.sub("", str(text))


def _os_errors(command):
    """OSError (and a failed read of the ledger) as one line, exit code 2."""

    @functools.wraps(command)
    def run(args):
        try:
            return command(args)
        except OSError as exc:
            where = f" ({clean(exc.filename)})" if getattr(exc, "filename", None) else ""
            raise UserError(f"ledger {args.action}: {clean(exc.strerror or exc)}{where}") from None
        except LedgerError as exc:
            raise UserError(f"ledger {args.action}: {clean(exc)}") from None

    return run


def _open() -> Ledger:
    led = Ledger.open(strict=True)  # an OS error is reported by _os_errors, once
    if led.notice:
        print(f"mlsyslabs: {clean(led.notice)} (folder: {clean(led.path.parent)})", file=sys.stderr)
    return led


@_os_errors
def path(args) -> int:
    from ..ledger.store import FILENAME, home

    print(home() / FILENAME)
    return 0


@_os_errors
def show(args) -> int:
    doc = _open().document()  # raises OSError when the file cannot be read
    latest = {k: v[-1] for k, v in doc["labs"].items() if v}
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
        print(clean(f"{lab_id}  {rec.get('saved_at', '')[:19]}  context={rec.get('context') or '-'}  "
                    f"predictions {right}/{len(preds)} right{hit}"))
        if rec.get("decisions"):
            print("       decisions: " + clean(json.dumps(rec["decisions"], sort_keys=True, ensure_ascii=False)))
    return 0


@_os_errors
def whoami(args) -> int:
    led = _open()
    if args.name is not None:
        print(f"learner set to {clean(led.set_learner(args.name))}")
    else:
        name = led.learner()
        print(clean(name) if name else "no learner name set: `mlsyslabs ledger whoami NAME` sets one")
    return 0


@_os_errors
def export(args) -> int:
    try:
        out = _open().export(args.file, overwrite=args.force)
    except FileExistsError:
        raise UserError(f"{clean(args.file)} exists; choose another name or add --force to replace it") from None
    print(f"exported the ledger to {clean(out)}")
    return 0


@_os_errors
def import_(args) -> int:
    led = _open()
    try:
        added = led.import_(args.file)
    except LedgerError as exc:
        raise UserError(f"import rejected, your ledger is unchanged: {clean(exc)}") from None
    print(f"imported {added} new saved version(s)")
    return 0


@_os_errors
def reset(args) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("ledger reset needs --yes when not run interactively")
        try:
            answer = input("Start an empty ledger? The current one is kept as a backup. [y/N] ")
        except EOFError:
            raise UserError("ledger reset: no answer (end of input); the ledger is unchanged") from None
        if answer.strip().lower() != "y":
            print("cancelled")
            return 1
    backup = _open().reset()
    print(f"ledger reset; previous ledger kept at {clean(backup)}" if backup else "the ledger was already empty")
    return 0
