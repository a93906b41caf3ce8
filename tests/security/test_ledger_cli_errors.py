"""The ledger CLI under hostile files and failing disks: one line, exit code 2, never a
traceback; nothing from the file reaches the terminal as a control sequence."""
import builtins
import errno
import json
import os
import subprocess
import sys

import pytest

from mlsyslabs.cli import main
from mlsyslabs.ledger import Ledger
from mlsyslabs.ledger import store

REC = {"context": "edge", "decisions": {"tier": "edge"}, "constraint_hit": False, "constraints": []}


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(code, err):
    return code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1 \
        and err.startswith("mlsyslabs: error: ")


def test_import_of_a_device_is_refused_at_once(capsys, isolated_home):
    code, _, err = run(capsys, "ledger", "import", "/dev/zero")
    assert one_line_error(code, err) and "not a regular file" in err and "unchanged" in err


def test_import_of_a_named_pipe_does_not_block(tmp_path, isolated_home):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    # a separate process, so that a regression hangs only it (the timeout is a safety net)
    p = subprocess.run([sys.executable, "-m", "mlsyslabs.cli", "ledger", "import", str(fifo)], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, MLSYSLABS_HOME=str(isolated_home)))
    assert one_line_error(p.returncode, p.stderr) and "not a regular file" in p.stderr


def test_import_of_a_directory_or_missing_file(capsys, tmp_path, isolated_home):
    code, _, err = run(capsys, "ledger", "import", str(tmp_path))
    assert one_line_error(code, err) and "directory" in err
    code, _, err = run(capsys, "ledger", "import", str(tmp_path / "nope.json"))
    assert one_line_error(code, err) and "No such file" in err


def test_export_refuses_to_overwrite_without_force(capsys, tmp_path, isolated_home):
    Ledger.open().save("v1.00", REC)
    dest = tmp_path / "mine.json"
    dest.write_text("my thesis")
    code, _, err = run(capsys, "ledger", "export", str(dest))
    assert one_line_error(code, err) and "--force" in err and dest.read_text() == "my thesis"
    code, out, _ = run(capsys, "ledger", "export", str(dest), "--force")
    assert code == 0 and "v1.00" in json.loads(dest.read_text())["labs"]


@pytest.mark.parametrize("args", [("show",), ("show", "--json"), ("export", "{tmp}/x.json"),
                                  ("import", "{tmp}/in.json"), ("reset", "--yes")])
def test_os_errors_are_one_line(capsys, tmp_path, monkeypatch, args):
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MLSYSLABS_HOME", str(blocker / "home"))  # every access: NotADirectoryError
    (tmp_path / "in.json").write_text(json.dumps(store.empty_document()))
    code, out, err = run(capsys, "ledger", *[a.format(tmp=tmp_path) for a in args])
    if args == ("show", "--json"):
        assert code == 2 and "Traceback" not in err and json.loads(out)["error"]
    else:
        assert one_line_error(code, err), err


def test_a_read_only_disk_during_import_is_one_line(capsys, tmp_path, isolated_home, monkeypatch):
    Ledger.open().save("v1.00", REC)
    src = tmp_path / "other.json"
    doc = store.empty_document()
    doc["labs"]["v1.05"] = [dict(REC, saved_at="2026-01-01T00:00:00Z")]
    src.write_text(json.dumps(doc))

    def refuse(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system", str(isolated_home))

    with monkeypatch.context() as m:
        m.setattr(store.tempfile, "mkstemp", refuse)
        code, _, err = run(capsys, "ledger", "import", str(src))
    assert one_line_error(code, err) and "Read-only file system" in err
    assert set(Ledger.open().all()) == {"v1.00"}


def test_end_of_input_at_the_reset_prompt(capsys, isolated_home, monkeypatch):
    Ledger.open().save("v1.00", REC)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def eof(prompt=""):
        raise EOFError

    monkeypatch.setattr(builtins, "input", eof)
    code, _, err = run(capsys, "ledger", "reset")
    assert one_line_error(code, err) and "unchanged" in err
    assert set(Ledger.open().all()) == {"v1.00"}


ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b[31mred\r\u202etxt"


def test_show_strips_control_characters_from_ledger_text(capsys, isolated_home):
    Ledger.open().save("v1.00", dict(REC, decisions={"note": ESCAPES, ESCAPES: 1}))
    code, out, _ = run(capsys, "ledger", "show")
    assert code == 0 and "red" in out and "txt" in out
    assert not any(c in out for c in "\x1b\x07\r\u202e")


def test_notice_about_a_crafted_file_has_no_control_characters(capsys, isolated_home):
    isolated_home.mkdir(parents=True)
    doc = store.empty_document()
    doc["labs"]["v1.00"] = [dict(REC, saved_at="2026-01-01T00:00:00Z", **{"\x1b[2Jevil": 1})]
    (isolated_home / "ledger.json").write_text(json.dumps(doc))
    code, _, err = run(capsys, "ledger", "show")
    assert code == 0 and "could not be read" in err and "\x1b" not in err
