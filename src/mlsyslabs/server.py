"""One local ASGI server: the gallery at / and every ready lab at /labs/<id>/."""
from __future__ import annotations

import socket


def build_app():
    import marimo
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Mount, Route

    from .labs.catalog import LABS, ready_labs
    from .ledger import Ledger
    from .ui.gallery import gallery_html

    builder = marimo.create_asgi_app(quiet=True)
    for lab in ready_labs():
        builder = builder.with_app(path=f"/labs/{lab.id}", root=str(lab.path))
    labs_app = builder.build()

    async def gallery(request):
        led = Ledger.open()
        return HTMLResponse(gallery_html(LABS, led.all(), led.notice))

    return Starlette(routes=[Route("/", gallery), Mount("/", app=labs_app)])


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def serve(host: str = "127.0.0.1", port: int = 2718, path: str = "/") -> None:
    import uvicorn

    app = build_app()
    shown = f"[{host}]" if ":" in host else host
    print(f"mlsyslabs: serving the labs at http://{shown}:{port}{path}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
