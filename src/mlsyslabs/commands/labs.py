"""`mlsyslabs serve | list | open`: the labs."""
from __future__ import annotations

import secrets
import socket
import sys

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
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only); "
                   "an address beyond this machine needs --expose")
    p.add_argument("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}, or the next free one)")
    p.add_argument("--expose", action="store_true",
                   help="allow --host to be reachable from other machines (e.g. 0.0.0.0 for a lab room); "
                        "turns on a random access token carried by the printed URL")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer to this host name (e.g. a room server's DNS name); repeatable")
    p.add_argument("--token", action="store_true", help="require the access token on loopback too "
                   "(on a machine shared with other users)")
    p.add_argument("--class", dest="class_mode", action="store_true",
                   help="one ledger per browser (a cookie-bound learner id), for a lab room sharing this server")
    p.add_argument("--session-ttl", type=int, default=None, metavar="SECONDS",
                   help="close a lab session this long after its tab went away (default 15)")


def _is_loopback(host: str) -> bool:
    """Whether every address `host` names is this machine's loopback."""
    import ipaddress

    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise UserError(f"--host {host!r} is not an address of this machine (it does not resolve)") from None
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def _check_host(args) -> None:
    """Loopback by default; wider only with --expose (then with a warning and a token)."""
    host = args.host
    if not host or not host.strip():
        raise UserError("--host is empty, which would listen on every network interface; use 127.0.0.1 "
                        "(this machine), or 0.0.0.0 --expose to serve a room")
    if host != host.strip() or any(c in host for c in "/ \\@?#"):
        raise UserError(f"--host {host!r} is not an address")
    args.host = host = host.strip("[]")
    for name in args.allow_host:
        from ..guard import split_host

        if split_host(name) is None or split_host(name)[1] is not None:
            raise UserError(f"--allow-host {name!r} is not a host name (give the name alone, without a port)")
    if not _is_loopback(host) and not args.expose:
        raise UserError(f"--host {host} would let other machines drive the labs and write your ledger; add --expose "
                        "to do so on purpose (an access token is then required)")


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
            raise UserError(f"lab {lab.id} ({lab.title}) is not built yet; "
                            "`mlsyslabs list --ready` shows those that are")
        path = f"/labs/{lab.id}/"
    _check_host(args)
    from ..server import SESSION_TTL_S

    ttl = SESSION_TTL_S if args.session_ttl is None else args.session_ttl
    if not 1 <= ttl <= 86400:
        raise UserError(f"--session-ttl must be in 1..86400 seconds, got {ttl}")
    port = _pick_port(args.host, args.port)
    token = secrets.token_urlsafe(24) if (args.expose or args.token) else None
    urls = None
    if args.expose and not _is_loopback(args.host):
        print("mlsyslabs: WARNING: --expose: the labs are reachable from other machines on "
              f"{args.host}:{port}. Only people who have the URL with its token can use them; "
              "share it only with your room. The labs write to YOUR ledger on this machine.",
              file=sys.stderr, flush=True)
        shown = _lan_address() if args.host in ("0.0.0.0", "::") else args.host
        urls = [_url(shown, port, path, token)]
    try:
        run_server(host=args.host, port=port, path=path, allow_hosts=args.allow_host, token=token, urls=urls,
                   session_ttl=ttl, class_mode=args.class_mode)
    except OSError as exc:
        raise UserError(f"cannot serve on {args.host}: {exc.strerror or exc}") from None
    return 0


def _url(host: str, port: int, path: str, token: str | None) -> str:
    from ..server import _url as url

    return url(host, port, path, token)


def _lan_address() -> str:
    """This machine's address on its network (no packet is sent), else its host name."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: picks the outgoing interface only
            return s.getsockname()[0]
    except OSError:
        return socket.gethostname()


def list_labs(args) -> int:
    labs = [lab for lab in LABS if lab.ready or not args.ready]
    if args.json:
        emit_json([lab.to_dict() for lab in labs])
        return 0
    rows = [[lab.id, lab.title, lab.chapter, ", ".join(lab.invariants), f"{lab.minutes}",
             "ready" if lab.ready else "planned"] for lab in labs]
    print(table(rows, ["id", "title", "chapter", "core invariants", "min", "status"]))
    return 0
