"""Keep a learner's browser on this machine while using the labs.

marimo's front end loads MathJax from a public CDN as soon as a Plotly chart is
drawn (for LaTeX in chart text, which the labs never use). This ASGI wrapper serves
marimo's own asset files with that URL pointed at a local, empty script, and
answers /favicon.ico for the gallery, so a lab session makes no request off the
machine (checked by the browser tests)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MATHJAX_CDN = b"https://cdn.jsdelivr.net/npm/mathjax-full@3.2.2/es5/tex-mml-svg.min.js"
LOCAL_STUB = b"/_mlsyslabs/no-mathjax.js"
_ASSET = re.compile(r"/assets/([A-Za-z0-9_.-]+\.js)$")


def _static_dir() -> Path:
    import marimo

    return Path(marimo.__file__).parent / "_static"


@lru_cache(maxsize=64)
def patched_asset(name: str) -> bytes | None:
    """The asset with the CDN URL replaced, or None when it has none (served as is)."""
    path = _static_dir() / "assets" / name
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data.replace(MATHJAX_CDN, LOCAL_STUB) if MATHJAX_CDN in data else None


async def _send(send, status: int, body: bytes, content_type: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"max-age=3600")]})
    await send({"type": "http.response.body", "body": body})


def keep_local(app):
    """Wrap an ASGI app (see the module docstring)."""

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            path = scope.get("path", "")
            if path == LOCAL_STUB.decode():
                return await _send(send, 200, b"/* LaTeX in charts is not used by the labs */\n",
                                   b"text/javascript; charset=utf-8")
            if path == "/favicon.ico":
                return await _send(send, 200, (_static_dir() / "favicon.ico").read_bytes(), b"image/x-icon")
            m = _ASSET.search(path)
            if m:
                body = patched_asset(m.group(1))
                if body is not None:
                    return await _send(send, 200, body, b"text/javascript; charset=utf-8")
        return await app(scope, receive, send)

    return wrapped
