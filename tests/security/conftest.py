"""Real `mlsyslabs serve` processes on free 127.0.0.1 ports, for attacks by real clients."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home, *extra) -> dict:
    port = free_port()
    env = dict(os.environ, MLSYSLABS_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "mlsyslabs.cli", "serve", "--port", str(port), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = proc.stdout.readline()
    m = re.search(r"(http://\S+)", first)
    if not m:
        proc.kill()
        pytest.fail(f"server did not print its URL: {first!r} {proc.stdout.read()}")
    printed = m.group(1)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {proc.stdout.read()}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("server did not start within 60 s")
    return {"url": base, "port": port, "home": home, "proc": proc, "printed": printed}


def stop_server(srv) -> None:
    srv["proc"].terminate()
    try:
        srv["proc"].wait(10)
    except subprocess.TimeoutExpired:
        srv["proc"].kill()


@pytest.fixture(scope="session")
def labs_server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("sec-home"))
    # the first loads import marimo's app and read the lab: wait until both answer
    # (a loaded CI machine once answered the very first lab request with 500)
    for path in ("/", "/labs/v1.00/"):
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(srv["url"] + path, timeout=5)
                break
            except OSError:
                time.sleep(0.3)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def token_server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("sec-token-home"), "--token")
    yield srv
    stop_server(srv)
