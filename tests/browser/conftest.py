"""A real `mlsyslabs serve` on a free 127.0.0.1 port, driven by Debian's Chromium."""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MLSYSLABS_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(home: Path, *options: str):
    """`mlsyslabs serve [options]` on a free 127.0.0.1 port with its own ledger home."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package (see .ci/run)")
    port = _free_port()
    env = dict(os.environ, MLSYSLABS_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "mlsyslabs.cli", "serve", "--port", str(port), *options], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {proc.stdout.read()}")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("server did not start within 60 s")
    try:
        yield {"url": url, "home": home}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("browser-home")) as srv:
        yield srv


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    """A server whose ledger only this test module touches."""
    with running_server(tmp_path_factory.mktemp("browser-fresh-home")) as srv:
        yield srv


@pytest.fixture
def page(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    pg = browser.new_page(viewport={"width": 1280, "height": 1000})
    pg.offsite_requests = guard_offsite(pg)
    yield pg
    pg.close()
    assert not pg.offsite_requests, f"the page asked for something off this machine: {pg.offsite_requests}"


def guard_offsite(page) -> list[str]:
    """Abort (and record) every request that would leave 127.0.0.1."""
    from urllib.parse import urlparse

    seen: list[str] = []

    def handle(route):
        url = route.request.url
        if urlparse(url).hostname in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            seen.append(url)
            route.abort()

    page.route("**/*", handle)
    return seen
