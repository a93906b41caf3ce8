"""One local ASGI server: the gallery at / and every ready lab at /labs/<id>/.

The whole app sits behind `guard.Guard` (Host allow-list, same-origin only, optional
access token, no CORS, no absolute paths in pages). Each browser tab gets one marimo
session (a kernel thread running the lab); a session whose tab went away is closed
after SESSION_TTL_S seconds (marimo's default is 120 s).
"""
from __future__ import annotations

import os
import socket
from urllib.parse import parse_qs
import sys
from pathlib import Path

# A tab that reconnects within this many seconds keeps its session (a network blip,
# a laptop lid); later, its kernel is reclaimed. Reopening a lab restores committed
# work from the ledger, so a reclaimed session costs the learner nothing saved.
SESSION_TTL_S = 15


def build_app(*, host: str = "127.0.0.1", allow_hosts=(), token: str | None = None, port: int | None = None,
              session_ttl: int = SESSION_TTL_S, class_mode: bool = False):
    """class_mode: one ledger per browser (classroom.learners) instead of this user's."""
    import marimo
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, RedirectResponse
    from starlette.routing import Mount, Route

    from .guard import Guard
    from .labs.catalog import LABS, ready_labs
    from .ledger import Ledger, LedgerError
    from .ui.gallery import gallery_html

    from .classroom import learners
    from .ledger.store import base_home

    learner_cookie = learners.cookie_name(port) if class_mode else None
    if class_mode:
        os.environ[learners.ENV] = learner_cookie  # lab sessions open their browser's ledger (ledger.store.home)
    else:
        os.environ.pop(learners.ENV, None)

    def open_ledger(request) -> Ledger:
        if not class_mode:
            return Ledger.open()
        learner = request.cookies.get(learner_cookie)  # the guard gave every browser a valid one
        return Ledger.open(learners.learner_home(base_home(), learner))

    builder = marimo.create_asgi_app(quiet=True, session_ttl=session_ttl)
    for lab in ready_labs():
        builder = builder.with_app(path=f"/labs/{lab.id}", root=str(lab.path))
    labs_app = builder.build()

    def gallery_page(request, notice: str | None = None) -> str:
        learner = None
        try:
            led = open_ledger(request)
            progress, learner, notice = led.all(), led.learner(), notice or led.notice
            if notice:
                notice = notice.replace(str(led.path.parent) + os.sep, "")
        except Exception as exc:  # the home page must answer whatever the ledger holds
            progress = {}
            why = getattr(exc, "strerror", None) or exc.__class__.__name__
            notice = f"Your ledger could not be read ({why}); progress is not shown. `mlsyslabs ledger show` says more."
        return gallery_html(LABS, progress, notice, learner=learner)

    async def gallery(request):
        return HTMLResponse(gallery_page(request))

    async def whoami(request):
        """The gallery's name form (same origin only: the guard refuses foreign pages)."""
        body = b""
        async for chunk in request.stream():  # a name is short: never read more than 4 KiB
            body += chunk
            if len(body) > 4096:
                return HTMLResponse(gallery_page(request, "Your name was not saved: too long."), status_code=413)
        name = parse_qs(body.decode("utf-8", "replace")).get("name", [""])[0]
        try:
            open_ledger(request).set_learner(name)
        except (LedgerError, OSError) as exc:
            return HTMLResponse(gallery_page(request, f"Your name was not saved: {exc}"), status_code=400)
        return RedirectResponse("./", status_code=303)

    from .offline import keep_local

    routes = [Route("/", gallery), Route("/whoami", whoami, methods=["POST"]), Mount("/", app=labs_app)]
    app = keep_local(Starlette(routes=routes))
    wildcard = host in ("0.0.0.0", "::")
    package = Path(__file__).resolve().parent
    hide = [package, package.parent, os.getcwd(), Path.home(), sys.prefix]
    return Guard(app, allowed_hosts=[host, *allow_hosts], allow_ip_literals=wildcard, token=token,
                 cookie_name=f"mlsyslabs_token_{port}" if port else "mlsyslabs_token", hide_paths=hide,
                 learner_cookie=learner_cookie)


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
          session_ttl: int = SESSION_TTL_S, urls=None, class_mode: bool = False) -> None:
    import uvicorn

    app = build_app(host=host, allow_hosts=allow_hosts, token=token, port=port, session_ttl=session_ttl,
                    class_mode=class_mode)
    for url in urls or [_url(host, port, path, token)]:
        print(f"mlsyslabs: serving the labs at {url}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _url(host: str, port: int, path: str, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{path}" + (f"?token={token}" if token else "")
