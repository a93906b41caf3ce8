"""`mlsyslabs site build OUT [--offline] | serve OUT`: the browser edition."""
from __future__ import annotations

import sys

from . import UserError


def add_parsers(sub) -> None:
    p = sub.add_parser("site", help="the browser edition: every ready lab as a static site (online or offline)")
    ssub = p.add_subparsers(dest="action", required=True)
    b = ssub.add_parser("build", help="build the static site into OUT (an empty folder or an earlier site)")
    b.add_argument("out", metavar="OUT")
    b.add_argument("--offline", action="store_true",
                   help="vendor everything (runtime, wheels): the site makes no request off its own origin")
    b.add_argument("--cache", default=None, metavar="DIR",
                   help="where downloads are kept between builds (default .cache/site)")
    b.add_argument("--lab", action="append", default=None, metavar="ID", help="only these labs (repeatable)")
    b.add_argument("--json", action="store_true", help="print the site manifest as JSON")
    b.set_defaults(run=build)
    s = ssub.add_parser("serve", help="serve a built site on this machine for a local check")
    s.add_argument("out", metavar="OUT")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(run=serve)


def build(args) -> int:
    import json

    from ..labs.catalog import UnknownLabError
    from ..site.build import build as build_site
    from ..site.runtime import SiteBuildError

    log = (lambda m: print(m, file=sys.stderr)) if args.json else print
    try:
        manifest = build_site(args.out, offline=args.offline, cache=args.cache, lab_ids=args.lab, log=log)
    except (SiteBuildError, UnknownLabError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write the site: {exc}") from None
    if args.json:
        print(json.dumps(manifest))
    else:
        print(f"Serve {args.out} with any static server (or: mlsyslabs site serve {args.out}) and open its index.html.")
    return 0


def serve(args) -> int:
    from ..site.serve import make_server

    try:
        srv = make_server(args.out, args.host, args.port, verbose=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    host, port = srv.server_address[:2]
    print(f"Serving {args.out} on http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    try:
        srv.serve_forever()
    finally:
        srv.server_close()
    return 0
