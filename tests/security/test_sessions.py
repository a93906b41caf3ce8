"""A dropped lab session gives its kernel back after the session TTL (marimo's default
kept it 120 s): the server's kernel threads return to their idle count."""
import contextlib
import time

from websockets.sync.client import connect

from .conftest import start_server, stop_server


def threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


def test_dropped_sessions_are_reclaimed(tmp_path):
    srv = start_server(tmp_path / "home", "--session-ttl", "1")
    try:
        pid, port = srv["proc"].pid, srv["port"]
        idle = threads(pid)
        with contextlib.ExitStack() as stack:
            for i in range(3):
                c = stack.enter_context(connect(f"ws://127.0.0.1:{port}/labs/v1.00/ws?session_id=s_drop{i}",
                                                origin=f"http://127.0.0.1:{port}", proxy=None, open_timeout=60,
                                                ping_interval=None, max_size=None))
                assert '"kernel-ready"' in c.recv(timeout=60)
            assert threads(pid) >= idle + 3  # a kernel thread (at least) per session
        # the tabs are gone
        deadline = time.monotonic() + 90  # a bound on waiting, not a speed assertion
        while threads(pid) > idle and time.monotonic() < deadline:
            time.sleep(0.5)
        assert threads(pid) <= idle
    finally:
        stop_server(srv)
