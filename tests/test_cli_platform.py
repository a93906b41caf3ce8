import json
import socket


from mlsyslabs.cli import build_parser, main
from mlsyslabs.ledger import Ledger


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_no_arguments_means_serve_on_localhost():
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.run.__name__ == "serve"


def test_list_shows_both_volumes(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "v1.00" in out and "v2.17" in out and "ready" in out and "planned" in out
    code, out, _ = run(capsys, "list", "--ready", "--json")
    ready = json.loads(out)
    assert {d["id"] for d in ready} >= {"v1.00", "v1.01", "v1.02", "v1.03", "v1.04", "v1.16"}
    assert all(d["path"].endswith(".py") for d in ready)


def test_open_unknown_lab_suggests(capsys):
    code, _, err = run(capsys, "open", "v1.6")
    assert code == 2 and "unknown lab 'v1.6'" in err and "v1.16" in err and "Traceback" not in err
    code, _, err = run(capsys, "open", "v2.05")
    assert code == 2 and "not built yet" in err


def test_busy_port_is_one_clear_line(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, _, err = run(capsys, "serve", "--port", str(port))
    assert code == 2 and f"port {port} on 127.0.0.1 is in use" in err
    code, _, err = run(capsys, "serve", "--port", "70000")
    assert code == 2 and "--port must be in 1..65535" in err


def test_ledger_commands(capsys, tmp_path, isolated_home):
    code, out, _ = run(capsys, "ledger", "path")
    assert code == 0 and out.strip() == str(isolated_home / "ledger.json")
    code, out, _ = run(capsys, "ledger", "show")
    assert "empty" in out
    Ledger.open().save("v1.00", {"context": "edge", "constraint_hit": True, "constraints": ["OOM"]})
    code, out, _ = run(capsys, "ledger", "show")
    assert "v1.00" in out and "context=edge" in out and "constraint hit" in out
    dest = tmp_path / "copy.json"
    assert run(capsys, "ledger", "export", str(dest))[0] == 0 and dest.exists()
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    code, _, err = run(capsys, "ledger", "import", str(bad))
    assert code == 2 and "import rejected, your ledger is unchanged" in err
    code, _, err = run(capsys, "ledger", "reset")  # not a terminal: refuses without --yes
    assert code == 2 and "--yes" in err
    code, out, _ = run(capsys, "ledger", "reset", "--yes")
    assert code == 0 and "kept at" in out and Ledger.open().all() == {}


def test_corrupt_ledger_is_reported_by_the_cli(capsys, isolated_home):
    isolated_home.mkdir(parents=True)
    (isolated_home / "ledger.json").write_text("garbage")
    code, _, err = run(capsys, "ledger", "show")
    assert code == 0 and "could not be read" in err and "unchanged" in err


def test_bare_command_takes_serve_options(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, _, err = run(capsys, "--port", str(port))  # parsed as `serve --port`
    assert code == 2 and f"port {port} on 127.0.0.1 is in use" in err


def test_whoami_sets_shows_and_refuses_markup(capsys, isolated_home):
    code, out, _ = run(capsys, "ledger", "whoami")
    assert code == 0 and "no learner name set" in out
    assert run(capsys, "ledger", "whoami", "Ada (s1234)")[0] == 0
    code, out, _ = run(capsys, "ledger", "whoami")
    assert code == 0 and out.strip() == "Ada (s1234)"
    code, _, err = run(capsys, "ledger", "whoami", "<img src=x>")
    assert code == 2 and "markup" in err and "Traceback" not in err
    assert Ledger.open().learner() == "Ada (s1234)"
