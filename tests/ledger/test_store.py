import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time

import pytest

from mlsyslabs.ledger import Ledger, LedgerError

REC = {"context": "edge", "predictions": [{"id": "partA", "invariant": "Memory Wall", "choice": "oom",
                                          "predicted": None, "actual": 113.0, "correct": True, "off_by": None}],
       "decisions": {"tier": "edge", "batch": 4}, "outcomes": {"completed": True}, "constraint_hit": False,
       "constraints": []}


def test_open_honours_mlsyslabs_home(isolated_home):
    led = Ledger.open()
    assert led.path == isolated_home / "ledger.json"


def test_save_get_history_all(isolated_home):
    led = Ledger.open()
    assert led.get("v1.00") is None and led.history("v1.00") == [] and led.all() == {}
    led.save("v1.00", REC)
    led.save("v1.00", dict(REC, context="cloud"))
    led.save("v1.05", REC)
    assert led.get("v1.00")["context"] == "cloud"
    hist = led.history("v1.00")
    assert [h["context"] for h in hist] == ["edge", "cloud"] and hist[0]["saved_at"] <= hist[1]["saved_at"]
    assert set(led.all()) == {"v1.00", "v1.05"}
    assert json.loads((isolated_home / "ledger.json").read_text())["schema_version"] == 1


@pytest.mark.parametrize("lab_id,rec,match", [
    ("1.00", REC, "lab id must look like"),
    ("v1.00", dict(REC, context="moon"), "context must be one of"),
    ("v1.00", dict(REC, constraint_hit="yes"), "constraint_hit"),
    ("v1.00", dict(REC, decisions={"x": [1, 2]}), "must be a string, number"),
    ("v1.00", dict(REC, decisions={"x": "<script>alert(1)</script>"}), "markup"),
    ("v1.00", dict(REC, surprise=1), "unknown field"),
    ("v1.00", dict(REC, predictions=[{"id": "a", "correct": "maybe"}]), "correct must be"),
])
def test_invalid_saves_are_rejected(lab_id, rec, match):
    with pytest.raises(LedgerError, match=match):
        Ledger.open().save(lab_id, rec)


def test_corrupt_file_is_set_aside_byte_for_byte(isolated_home):
    isolated_home.mkdir(parents=True)
    garbage = b'{"schema_version": 1, "labs": {"v1.00": [tru'
    (isolated_home / "ledger.json").write_bytes(garbage)
    led = Ledger.open()
    assert led.notice and "could not be read" in led.notice
    aside = list(isolated_home.glob("ledger.unreadable-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    led.save("v1.00", REC)  # a new ledger starts; the old bytes stay where they were put
    assert aside[0].read_bytes() == garbage and Ledger.open().get("v1.00")["context"] == "edge"


def test_wrong_schema_version_on_disk_is_set_aside(isolated_home):
    isolated_home.mkdir(parents=True)
    (isolated_home / "ledger.json").write_text(json.dumps({"schema_version": 99, "labs": {}}))
    led = Ledger.open()
    assert "schema_version must be 1" in led.notice
    assert list(isolated_home.glob("ledger.unreadable-*.json"))


def _hostile(tmp_path, name, content: bytes):
    p = tmp_path / name
    p.write_bytes(content)
    return p


def _valid_doc(**labs):
    return {"schema_version": 1, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "labs": labs}


@pytest.mark.parametrize("name,content,match", [
    ("notjson.json", b"hello", "not valid JSON"),
    ("version.json", json.dumps(dict(_valid_doc(), schema_version=2)).encode(), "schema_version"),
    ("html.json", json.dumps(_valid_doc(**{"v1.00": [dict(REC, saved_at="2026-01-01T00:00:00Z",
                                                          decisions={"x": "<img src=x onerror=alert(1)>"})]})).encode(),
     "markup"),
    ("nested.json", ("[" * 5000 + "]" * 5000).encode(), "not valid JSON|must be a JSON object|nested"),
    ("deep.json", json.dumps(_valid_doc(**{"v1.00": [dict(REC, saved_at="2026-01-01T00:00:00Z",
                                                          decisions={"a": None}, outcomes={"b": 1})]}))
     .replace('"b": 1', '"b": ' + "[" * 50 + "]" * 50).encode(), "nested|must be a string"),
    ("huge.json", b" " * (6 * 1024 * 1024), "limited to"),
    ("badlab.json", json.dumps(_valid_doc(**{"x1.00": [dict(REC, saved_at="2026-01-01T00:00:00Z")]})).encode(),
     "lab id"),
])
def test_hostile_imports_rejected_and_ledger_unchanged(tmp_path, isolated_home, name, content, match):
    led = Ledger.open()
    led.save("v1.00", REC)
    before = (isolated_home / "ledger.json").read_bytes()
    with pytest.raises(LedgerError, match=match):
        led.import_(_hostile(tmp_path, name, content))
    assert (isolated_home / "ledger.json").read_bytes() == before


def test_export_import_roundtrip_merges_without_duplicates(tmp_path, isolated_home, monkeypatch):
    led = Ledger.open()
    led.save("v1.00", REC)
    out = led.export(tmp_path / "mine.json")
    monkeypatch.setenv("MLSYSLABS_HOME", str(tmp_path / "other"))
    other = Ledger.open()
    other.save("v1.05", REC)
    assert other.import_(out) == 1
    assert other.import_(out) == 0  # idempotent
    assert set(other.all()) == {"v1.00", "v1.05"}


def test_reset_keeps_a_backup(isolated_home):
    led = Ledger.open()
    led.save("v1.00", REC)
    backup = led.reset()
    assert backup.exists() and "v1.00" in backup.read_text() and led.all() == {}


def _writer(home, tag, n):
    os.environ["MLSYSLABS_HOME"] = home
    led = Ledger.open()
    for i in range(n):
        led.save("v1.00", dict(REC, decisions={"writer": tag, "i": i}))


def test_two_processes_100_saves_each_lose_nothing(isolated_home):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(isolated_home), t, 100)) for t in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    hist = Ledger.open().history("v1.00")
    assert len(hist) == 200
    for tag in "ab":
        assert sorted(h["decisions"]["i"] for h in hist if h["decisions"]["writer"] == tag) == list(range(100))


KILL_WRITER = """
import os, sys
os.environ['MLSYSLABS_HOME'] = sys.argv[1]
from mlsyslabs.ledger import Ledger
led = Ledger.open()
rec = {'context': 'edge', 'decisions': {'blob': 'x' * 1500}, 'outcomes': {}, 'predictions': [], 'constraints': [],
       'constraint_hit': False}
print('ready', flush=True)
i = 0
while True:
    led.save('v1.%02d' % (i % 16), dict(rec, outcomes={'i': i}))
    i += 1
"""


def test_killed_writer_leaves_a_valid_ledger(isolated_home):
    isolated_home.mkdir(parents=True)
    for delay in (0.3, 0.55, 0.8):
        p = subprocess.Popen([sys.executable, "-c", KILL_WRITER, str(isolated_home)], stdout=subprocess.PIPE)
        assert p.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        led = Ledger.open()
        assert led.notice is None, led.notice  # never corrupt: the rename is atomic
        assert sum(len(led.history(f"v1.{i:02d}")) for i in range(16)) > 0
