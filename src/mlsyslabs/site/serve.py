"""`mlsyslabs site serve OUT`: any static server will do; this one is for a local
check. It binds 127.0.0.1 by default and serves files only (no directory listings)."""
from __future__ import annotations

import functools
import http.server
from pathlib import Path

TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip",
         ".woff2": "font/woff2", ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def list_directory(self, path):  # a folder without index.html is not browsable
        self.send_error(404, "Not found")
        return None

    def end_headers(self):
        # Revalidate (a cheap 304) rather than trust a stale copy after a rebuild.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)


def make_server(root, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
    root = Path(root)
    if not (root / "index.html").is_file():
        raise FileNotFoundError(f"{root} holds no site (no index.html): build one with `mlsyslabs site build`")
    handler = functools.partial(Handler, directory=str(root))
    srv = http.server.ThreadingHTTPServer((host, port), handler)
    srv.daemon_threads = True
    srv.verbose = verbose
    return srv
