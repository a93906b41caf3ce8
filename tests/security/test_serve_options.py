"""`mlsyslabs serve` binding rules, the guard's decisions, and port reuse."""
import socket

import pytest

from mlsyslabs import server
from mlsyslabs.cli import main
from mlsyslabs.guard import Guard, split_host


@pytest.fixture
def captured(monkeypatch):
    """Replace the real server: record what `serve` would run."""
    calls = []
    monkeypatch.setattr(server, "serve", lambda **kw: calls.append(kw))
    monkeypatch.setattr(server, "port_is_free", lambda host, port: True)
    return calls


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_empty_host_is_rejected(capsys, captured):
    code, _, err = run(capsys, "serve", "--host", "")
    assert code == 2 and "--host is empty" in err and "every network interface" in err
    assert captured == [] and "Traceback" not in err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7"])
def test_binding_beyond_loopback_needs_expose(capsys, captured, host):
    code, _, err = run(capsys, "serve", "--host", host)
    assert code == 2 and "--expose" in err and captured == []


def test_expose_warns_and_turns_on_a_token(capsys, captured):
    code, _, err = run(capsys, "serve", "--host", "0.0.0.0", "--expose", "--port", "2799")
    assert code == 0 and "WARNING" in err and "reachable from other machines" in err
    (call,) = captured
    assert call["host"] == "0.0.0.0" and call["port"] == 2799
    token = call["token"]
    assert token and len(token) >= 24
    assert call["urls"] and all(u.endswith(f"?token={token}") and ":2799/" in u for u in call["urls"])


def test_loopback_needs_no_token_unless_asked(capsys, captured):
    assert run(capsys, "serve", "--port", "2799")[0] == 0
    assert run(capsys, "serve", "--host", "localhost", "--port", "2799", "--token")[0] == 0
    assert captured[0]["token"] is None and captured[1]["token"]
    assert captured[0]["host"] == "127.0.0.1" and captured[1]["host"] == "localhost"


def test_allow_host_is_passed_and_validated(capsys, captured):
    assert run(capsys, "serve", "--allow-host", "labs.example", "--port", "2799")[0] == 0
    assert captured[0]["allow_hosts"] == ["labs.example"]
    code, _, err = run(capsys, "serve", "--allow-host", "labs.example:80")
    assert code == 2 and "not a host name" in err


def test_port_is_free_after_a_browser_was_connected():
    """The old server's accepted connections linger in TIME_WAIT after it exits; a
    restart on the same port must not be refused."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn's listening socket
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    conn, _ = listener.accept()
    conn.close()  # the server side closes first: its end goes to TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    with socket.socket() as plain:  # the situation is real: a bind without SO_REUSEADDR fails
        with pytest.raises(OSError):
            plain.bind(("127.0.0.1", port))
    assert server.port_is_free("127.0.0.1", port)


def test_port_in_use_by_a_listener_is_not_free():
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert not server.port_is_free("127.0.0.1", s.getsockname()[1])


# ----------------------------------------------------------- guard decisions
@pytest.mark.parametrize("value,expected", [
    ("127.0.0.1:2718", ("127.0.0.1", 2718)), ("LOCALHOST", ("localhost", None)), ("[::1]:80", ("::1", 80)),
    ("example.com.:8080", ("example.com", 8080)), ("", None), ("a:b", None), ("a:1:2", None), ("[::1", None),
    ("evil.com/x", None), ("a:70000", None), ("user@host", None)])
def test_split_host(value, expected):
    assert split_host(value) == expected


def test_host_allow_list():
    g = Guard(None, allowed_hosts=["labs.example"])
    assert all(g.host_ok(h) for h in ["localhost:1", "127.0.0.1", "[::1]:2718", "labs.example:2718"])
    assert not any(g.host_ok(h) for h in ["evil.example", "10.0.0.5:2718", "", None, "localhost.evil.example"])
    wide = Guard(None, allow_ip_literals=True)
    assert wide.host_ok("10.0.0.5:2718") and wide.host_ok("[fe80::1]:2718") and not wide.host_ok("rebind.example")


@pytest.mark.parametrize("origin,host,ok", [
    (None, "127.0.0.1:2718", True), ("http://127.0.0.1:2718", "127.0.0.1:2718", True),
    ("http://127.0.0.1:2719", "127.0.0.1:2718", False), ("http://localhost:2718", "127.0.0.1:2718", False),
    ("https://127.0.0.1:2718", "127.0.0.1:2718", True), ("http://labs.example", "labs.example", True),
    ("http://labs.example", "labs.example:8080", False), ("null", "127.0.0.1:2718", False),
    ("file://", "127.0.0.1:2718", False), ("http://127.0.0.1:2718/path", "127.0.0.1:2718", False),
    ("garbage", "127.0.0.1:2718", False), ("http://[::1]:2718", "[::1]:2718", True),
    ("https://labs.example", "labs.example", True), ("https://labs.example", "labs.example:80", False),
    ("http://labs.example:8443", "labs.example:8443", True)])
def test_origin_must_be_this_server(origin, host, ok):
    assert Guard.origin_ok(origin, host, "http") is ok


def test_session_ttl_option(capsys, captured):
    assert run(capsys, "serve", "--port", "2799")[0] == 0
    assert run(capsys, "serve", "--port", "2799", "--session-ttl", "60")[0] == 0
    assert captured[0]["session_ttl"] == server.SESSION_TTL_S <= 30 and captured[1]["session_ttl"] == 60
    code, _, err = run(capsys, "serve", "--session-ttl", "0")
    assert code == 2 and "--session-ttl" in err
