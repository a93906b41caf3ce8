"""`mlsyslabs serve | list | open`: the labs."""
from __future__ import annotations

from ..labs.catalog import LABS, UnknownLabError, get_lab
from . import UserError
from .output import emit_json, table

DEFAULT_PORT = 2718


def add_parsers(sub) -> None:
    s = sub.add_parser("serve", help="serve the gallery and all labs (the default command)")
    _server_args(s)
    s.set_defaults(run=serve, lab=None)

    o = sub.add_parser("open", help="serve the labs and print the URL of one")
    o.add_argument("lab", help="lab id, e.g. v1.00")
    _server_args(o)
    o.set_defaults(run=serve)

    ls = sub.add_parser("list", help="list the labs")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--ready", action="store_true", help="only labs that can be opened now")
    ls.set_defaults(run=list_labs)


def _server_args(p) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}, or the next free one)")


def _pick_port(host: str, asked: int | None) -> int:
    from ..server import port_is_free

    if asked is not None:
        if not 1 <= asked <= 65535:
            raise UserError(f"--port must be in 1..65535, got {asked}")
        if not port_is_free(host, asked):
            raise UserError(f"port {asked} on {host} is in use; choose another with --port")
        return asked
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 50):
        if port_is_free(host, port):
            return port
    raise UserError(f"no free port in {DEFAULT_PORT}..{DEFAULT_PORT + 49}; choose one with --port")


def serve(args) -> int:
    from ..server import serve as run_server

    path = "/"
    if args.lab:
        try:
            lab = get_lab(args.lab)
        except UnknownLabError as exc:
            raise UserError(str(exc), suggestions=exc.suggestions) from None
        if not lab.ready:
            raise UserError(f"lab {lab.id} ({lab.title}) is not built yet; `mlsyslabs list --ready` shows those that are")
        path = f"/labs/{lab.id}/"
    try:
        run_server(host=args.host, port=_pick_port(args.host, args.port), path=path)
    except OSError as exc:
        raise UserError(f"cannot serve on {args.host}: {exc.strerror or exc}") from None
    return 0


def list_labs(args) -> int:
    labs = [lab for lab in LABS if lab.ready or not args.ready]
    if args.json:
        emit_json([lab.to_dict() for lab in labs])
        return 0
    rows = [[lab.id, lab.title, lab.chapter, ", ".join(lab.invariants), f"{lab.minutes}",
             "ready" if lab.ready else "planned"] for lab in labs]
    print(table(rows, ["id", "title", "chapter", "core invariants", "min", "status"]))
    return 0
