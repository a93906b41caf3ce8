"""One local ASGI server: the gallery at / and every ready lab at /labs/<id>/.

The whole app sits behind `guard.Guard` (Host allow-list, same-origin only, optional
access token, no CORS, no absolute paths in pages). Each browser tab gets one marimo
session (a kernel thread running the lab); a session whose tab went away is closed
after SESSION_TTL_S seconds (marimo's default is 120 s).
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

# A tab that reconnects within this many seconds keeps its session (a network blip,
# a laptop lid); later, its kernel is reclaimed. Reopening a lab restores committed
# work from the ledger, so a reclaimed session costs the learner nothing saved.
SESSION_TTL_S = 15


def build_app(*, host: str = "127.0.0.1", allow_hosts=(), token: str | None = None, port: int | None = None,
              session_ttl: int = SESSION_TTL_S):
    import marimo
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Mount, Route

    from .guard import Guard
    from .labs.catalog import LABS, ready_labs
    from .ledger import Ledger
    from .ui.gallery import gallery_html

    builder = marimo.create_asgi_app(quiet=True, session_ttl=session_ttl)
    for lab in ready_labs():
        builder = builder.with_app(path=f"/labs/{lab.id}", root=str(lab.path))
    labs_app = builder.build()

    def gallery_page() -> str:
        try:
            led = Ledger.open()
            progress, notice = led.all(), led.notice
            if notice:
                notice = notice.replace(str(led.path.parent) + os.sep, "")
        except Exception as exc:  # the home page must answer whatever the ledger holds
            progress = {}
            why = getattr(exc, "strerror", None) or exc.__class__.__name__
            notice = f"Your ledger could not be read ({why}); progress is not shown. `mlsyslabs ledger show` says more."
        return gallery_html(LABS, progress, notice)

    async def gallery(request):
        return HTMLResponse(gallery_page())

    from .offline import keep_local

    app = keep_local(Starlette(routes=[Route("/", gallery), Mount("/", app=labs_app)]))
    wildcard = host in ("0.0.0.0", "::")
    package = Path(__file__).resolve().parent
    hide = [package, package.parent, os.getcwd(), Path.home(), sys.prefix]
    return Guard(app, allowed_hosts=[host, *allow_hosts], allow_ip_literals=wildcard, token=token,
                 cookie_name=f"mlsyslabs_token_{port}" if port else "mlsyslabs_token", hide_paths=hide)


def port_is_free(host: str, port: int) -> bool:
    """Whether the server could listen there now. SO_REUSEADDR, as uvicorn sets it: a
    port whose last connections linger in TIME_WAIT (a browser was connected to the
    previous server) is free to listen on again."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        if os.name != "nt":  # on Windows SO_REUSEADDR would allow stealing a busy port
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def serve(host: str = "127.0.0.1", port: int = 2718, path: str = "/", *, allow_hosts=(), token: str | None = None,
          session_ttl: int = SESSION_TTL_S, urls=None) -> None:
    import uvicorn

    app = build_app(host=host, allow_hosts=allow_hosts, token=token, port=port, session_ttl=session_ttl)
    for url in urls or [_url(host, port, path, token)]:
        print(f"mlsyslabs: serving the labs at {url}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _url(host: str, port: int, path: str, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{path}" + (f"?token={token}" if token else "")
