"""A small pure-ASGI guard in front of the whole labs server (http and websocket).

What it enforces, on every request before the labs see it:

- Host allow-list (DNS rebinding): the Host header must name this server: the bound
  address, localhost, 127.0.0.1, [::1], or a name given with ``--allow-host``. When the
  server listens on every interface (``--expose``), any IP literal is accepted too: a
  DNS-rebinding page reaches us under its own *name*, never under an IP literal.
  Anything else gets 400.
- Origin: a browser request that carries an Origin header (every websocket, every
  cross-origin fetch, every POST) must come from this very server (same scheme-less
  host and port as the Host header). A page on any other origin, including another
  port of 127.0.0.1, gets 403. ``Origin: null`` (sandboxed frames, files) gets 403.
- Access token (when the server is exposed beyond loopback): ``?token=...`` on any
  URL, once, sets an HttpOnly cookie and redirects to the clean URL; later requests
  must carry the cookie (or the query parameter). Anything else gets 403.
- CORS is closed: any ``Access-Control-Allow-*`` header from the apps behind it is
  dropped, so no other origin may read a response; pages may only be framed by
  this origin.
- HTML pages do not reveal absolute file paths: marimo writes the notebook's path,
  working directory and workspace root into every page; they become file names.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_DEFAULT_PORT = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def split_host(value: str) -> tuple[str, int | None] | None:
    """A Host header (or netloc) as (lower-case host name, port or None); None if malformed.
    IPv6 literals lose their brackets: '[::1]:2718' -> ('::1', 2718)."""
    value = (value or "").strip().lower()
    if not value or any(c in value for c in " \t/\\@?#"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[1:end], value[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else None
    else:
        host, sep, port = value.partition(":")
        if ":" in port:
            return None
        port = port if sep else None
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            return None
        port = int(port)
    if not host:
        return None
    return host.rstrip("."), port


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _headers(scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers") or ():
        name = k.decode("latin-1").lower()
        val = v.decode("latin-1")
        out[name] = f"{out[name]}; {val}" if name == "cookie" and name in out else out.get(name, val)
    return out


def _cookies(header: str) -> dict[str, str]:
    jar = {}
    for part in header.split(";"):
        k, sep, v = part.strip().partition("=")
        if sep and k and k not in jar:
            jar[k] = v.strip().strip('"')
    return jar


class Guard:
    """Wraps an ASGI app; see the module docstring for what it refuses and why."""

    def __init__(self, app, *, allowed_hosts=(), allow_ip_literals: bool = False, token: str | None = None,
                 cookie_name: str = "mlsyslabs_token", hide_paths=(), learner_cookie: str | None = None):
        self.app = app
        self.learner_cookie = learner_cookie  # class mode: every browser gets a learner id (classroom.learners)
        self.allowed = {h.lower().strip("[]").rstrip(".") for h in (*LOOPBACK_HOSTS, *allowed_hosts) if h}
        self.allow_ip_literals = allow_ip_literals
        self.token = token or None
        self.cookie_name = cookie_name
        self.hider = PathHider(hide_paths) if hide_paths else None

    # ------------------------------------------------------------- decisions
    def host_ok(self, host_header: str | None) -> bool:
        parsed = split_host(host_header or "")
        if parsed is None:
            return False
        host = parsed[0]
        return host in self.allowed or (self.allow_ip_literals and is_ip_literal(host))

    @staticmethod
    def origin_ok(origin: str | None, host_header: str | None, scheme: str = "http") -> bool:
        """True when there is no Origin (not a cross-origin browser request) or it is this server."""
        if origin is None:
            return True
        try:
            o = urlsplit(origin.strip())
            o_port = o.port
        except ValueError:
            return False
        if o.scheme not in ("http", "https") or not o.hostname or o.path not in ("", "/") or o.query:
            return False
        h = split_host(host_header or "")
        if h is None:
            return False
        default = _DEFAULT_PORT[o.scheme]  # a TLS proxy in front: Origin https://name, Host name
        return o.hostname.lower().rstrip(".") == h[0] and (o_port or default) == (h[1] or default)

    def token_ok(self, headers: dict, query: list[tuple[str, str]]) -> bool:
        if self.token is None:
            return True
        given = [v for k, v in query if k == "token"]
        given.append(_cookies(headers.get("cookie", "")).get(self.cookie_name, ""))
        return any(hmac.compare_digest(g.encode(), self.token.encode()) for g in given if g)

    # ------------------------------------------------------------------ ASGI
    async def __call__(self, scope, receive, send):
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        host = headers.get("host")
        if not self.host_ok(host):
            return await _refuse(scope, send, 400, "Unknown Host header: this server answers only to its own "
                                 "address (see `mlsyslabs serve --allow-host`).")
        scheme = scope.get("scheme") or ("ws" if kind == "websocket" else "http")
        scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
        if not self.origin_ok(headers.get("origin"), host, scheme):
            return await _refuse(scope, send, 403, "Cross-origin request refused: only pages served by this "
                                 "labs server may use it.")
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if not self.token_ok(headers, query):
            return await _refuse(scope, send, 403, "This labs server needs its access token: open the URL "
                                 "printed by `mlsyslabs serve` (it ends with ?token=...).")
        if self.token and kind == "http" and any(k == "token" for k, _ in query) \
                and scope.get("method") in ("GET", "HEAD"):
            return await self._set_cookie_and_redirect(scope, send, query)
        set_cookie = None
        if kind == "http" and self.learner_cookie:
            scope, set_cookie = self._with_learner(scope, headers)
        if kind == "http":
            send = self._filtered_send(send, set_cookie)
        return await self.app(scope, receive, send)

    def _with_learner(self, scope, headers):
        """A browser without a (well-formed) learner cookie gets a new id: seen by this
        request already, and set on its response."""
        from .classroom.learners import new_id, valid

        if valid(_cookies(headers.get("cookie", "")).get(self.learner_cookie)):
            return scope, None
        learner = new_id()
        pair = f"{self.learner_cookie}={learner}"
        rest = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"cookie"]
        others = [c.strip() for c in headers.get("cookie", "").split(";")
                  if c.strip() and c.strip().partition("=")[0] != self.learner_cookie]
        scope = dict(scope, headers=[*rest, (b"cookie", "; ".join([*others, pair]).encode("latin-1"))])
        return scope, f"{pair}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000"

    async def _set_cookie_and_redirect(self, scope, send, query):
        rest = [(k, v) for k, v in query if k != "token"]
        location = (scope.get("root_path", "") + scope.get("path", "/")) or "/"
        if location.startswith("//"):
            location = "/" + location.lstrip("/")
        if rest:
            location += "?" + urlencode(rest)
        cookie = f"{self.cookie_name}={self.token}; Path=/; HttpOnly; SameSite=Lax"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode("latin-1", "replace")),
                                (b"set-cookie", cookie.encode("latin-1")), (b"cache-control", b"no-store"),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def _filtered_send(self, send, set_cookie: str | None = None):
        hider = self.hider
        state = {"start": None, "buffer": []}

        async def filtered(message):
            t = message["type"]
            if t == "http.response.start":
                hdrs = [(k, v) for k, v in message.get("headers", [])
                        if not k.lower().startswith(b"access-control-allow-")]
                names = {k.lower() for k, _ in hdrs}
                if b"x-frame-options" not in names:
                    hdrs.append((b"x-frame-options", b"SAMEORIGIN"))
                if set_cookie:
                    hdrs.append((b"set-cookie", set_cookie.encode("latin-1")))
                ctype = dict((k.lower(), v) for k, v in hdrs).get(b"content-type", b"")
                message = dict(message, headers=hdrs)
                if hider and ctype.startswith(b"text/html") and b"content-encoding" not in names:
                    state["start"] = message  # hold until the whole page is here
                    return
                return await send(message)
            if t == "http.response.body" and state["start"] is not None:
                state["buffer"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = hider.rewrite(b"".join(state["buffer"]))
                start = state["start"]
                hdrs = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                hdrs.append((b"content-length", str(len(body)).encode()))
                state["start"] = None
                await send(dict(start, headers=hdrs))
                return await send({"type": "http.response.body", "body": body})
            return await send(message)

        return filtered


async def _refuse(scope, send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    elif "websocket.http.response" in (scope.get("extensions") or {}):
        await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
    else:  # closing before accepting makes the server answer the handshake with 403
        await send({"type": "websocket.close", "code": 1008})


class PathHider:
    """Rewrites absolute paths in an HTML page to file names."""

    _KEYED = re.compile(r'("(?:filename|cwd)"\s*:\s*")((?:[A-Za-z]:)?[/\\][^"]*)(")')
    _URIS = re.compile(r'("(?:documentUri|rootUri)"\s*:\s*")file://((?:[A-Za-z]:)?/[^"]*)(")')
    _TAG = re.compile(r"(<marimo-filename[^>]*>)([^<]*)(</marimo-filename>)")

    def __init__(self, prefixes):
        uniq = sorted({os.path.normpath(str(p)) for p in prefixes if p and len(os.path.normpath(str(p))) > 4},
                      key=len, reverse=True)
        self._prefixes = [re.compile(r"(?<![\w.\-])" + re.escape(p) + r"""(?=[/\\"'<\s]|$)""") for p in uniq]

    @staticmethod
    def _name(path: str) -> str:
        return re.split(r"[/\\]", path.rstrip("/\\"))[-1] if path.strip("/\\") else ""

    def rewrite(self, body: bytes) -> bytes:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        text = self._KEYED.sub(lambda m: m.group(1) + self._name(m.group(2)) + m.group(3), text)
        text = self._URIS.sub(lambda m: m.group(1) + "file:///" + self._name(m.group(2)) + m.group(3), text)
        text = self._TAG.sub(lambda m: m.group(1) + (self._name(m.group(2)) if m.group(2).startswith(("/", "\\"))
                                                     else m.group(2)) + m.group(3), text)
        for rx in self._prefixes:
            text = rx.sub("…", text)
        return text.encode("utf-8")
