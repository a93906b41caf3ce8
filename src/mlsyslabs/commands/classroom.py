"""`mlsyslabs class report LEDGERS... [--html OUT] [--csv OUT] [--json] | key [--lab ID] [--json]`:
what an instructor needs from a class's exported ledgers, and the answer key."""
from __future__ import annotations

from pathlib import Path

from . import UserError
from .output import emit_json


def add_parsers(sub) -> None:
    p = sub.add_parser("class", help="for instructors: a class report from exported ledgers, and the answer key")
    csub = p.add_subparsers(dest="action", required=True)
    r = csub.add_parser("report", help="completion, accuracy, most common wrong answers, per-learner progress")
    r.add_argument("ledgers", nargs="+", metavar="LEDGER", help="exported ledger files or folders of them (*.json)")
    r.add_argument("--html", metavar="OUT", help="write a self-contained HTML report (opens offline)")
    r.add_argument("--csv", metavar="OUT", help="write OUT (one row per question) and OUT-learners.csv")
    r.add_argument("--json", action="store_true", help="print the whole report as JSON")
    r.set_defaults(run=report)
    k = csub.add_parser("key", help="each question's answer at the scenario's settings, and why (instructors only)")
    k.add_argument("--lab", metavar="ID", help="one lab (default: every ready lab; takes a minute)")
    k.add_argument("--json", action="store_true")
    k.set_defaults(run=key)


def report(args) -> int:
    from ..classroom.collect import collect
    from ..classroom.render import to_html, to_text, write_csv
    from ..classroom.report import class_report

    missing = [p for p in args.ledgers if not Path(p).exists()]
    if missing:
        raise UserError(f"class report: no such file or folder: {', '.join(missing)}")
    col = collect(args.ledgers)
    if not col.learners:
        why = "; ".join(f"{f}: {w}" for f, w in col.problems) or "no .json files found"
        raise UserError(f"class report: no readable ledger ({why})")
    rep = class_report(col)
    try:
        if args.html:
            Path(args.html).write_text(to_html(rep), encoding="utf-8")
        if args.csv:
            written = write_csv(rep, Path(args.csv))
    except OSError as exc:
        raise UserError(f"class report: cannot write {exc.filename}: {exc.strerror}") from None
    if args.json:
        emit_json(rep)
    else:
        print(to_text(rep))
        if args.html:
            print(f"\nHTML report: {args.html}")
        if args.csv:
            print("CSV: " + ", ".join(map(str, written)))
    return 0


def key(args) -> int:
    from ..classroom.key import class_key
    from ..labs.catalog import UnknownLabError, get_lab

    if args.lab:
        try:
            lab = get_lab(args.lab)
        except UnknownLabError as exc:
            raise UserError(str(exc)) from None
        if not lab.ready:
            raise UserError(f"{lab.id} is not built yet: no key")
    rows = class_key(args.lab)
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        print(f"{r['lab']} {r['part']} [{r['invariant']}]\n  Q: {r['question']}\n  A: {r['answer']}\n"
              f"  Why: {r['why']}\n")
    return 0
