"""Issue #15, ledger findings: every unreadable file is set aside (whatever the parse
error), two processes meeting one corrupt file do not crash, what a save writes a load
accepts, imports read bounded bytes from regular files only, exports never overwrite
silently, crashed writers' temporary files are cleaned."""
import json
import multiprocessing as mp
import os
import time

import pytest

from mlsyslabs.ledger import Ledger, LedgerError, schema
from mlsyslabs.ledger import store
from mlsyslabs.ledger.store import MAX_IMPORT_BYTES, parse_document

REC = {"context": "edge", "predictions": [], "decisions": {"tier": "edge"}, "outcomes": {"completed": False},
       "constraint_hit": False, "constraints": []}
STAMP = "2026-01-01T00:00:00Z"


def doc(**labs):
    return {"schema_version": 1, "created_at": STAMP, "updated_at": STAMP, "labs": labs}


def rec_with(**fields):
    return dict(REC, saved_at=STAMP, **fields)


UNREADABLE = {
    "int of 4301 digits": b'{"schema_version": 1, "labs": {}, "created_at": ' + b"9" * 4301 + b"}",
    "int of 4301 digits in a record": json.dumps(doc(**{"v1.00": [rec_with(outcomes={"x": 0})]}))
    .replace('"x": 0', '"x": ' + "7" * 5000).encode(),
    "deep nesting": b"[" * 200_000 + b"]" * 200_000,
    "bad utf-8": b'{"schema_version": 1, "labs": {"\xff": []}}',
    "NaN": json.dumps(doc(**{"v1.00": [rec_with(outcomes={"x": float("nan")})]})).encode(),
    "Infinity in a prediction": json.dumps(doc(**{"v1.00": [rec_with(predictions=[
        {"id": "a", "correct": False, "off_by": float("inf")}])]})).encode(),
    "1e400 off_by": json.dumps(doc(**{"v1.00": [rec_with(predictions=[
        {"id": "a", "correct": False, "off_by": 1.0}])]})).replace('"off_by": 1.0', '"off_by": 1e400').encode(),
    "huge integer off_by": json.dumps(doc(**{"v1.00": [rec_with(predictions=[
        {"id": "a", "correct": False, "off_by": 10 ** 400}])]})).encode(),
    "string p99_ms (contract key)": json.dumps(doc(**{"v1.13": [rec_with(outcomes={"p99_ms": "fast"})]})).encode(),
    "number precision (contract key)": json.dumps(doc(**{"v1.10": [rec_with(decisions={"precision": 8})]})).encode(),
    "lab id with a newline": json.dumps(doc(**{"v1.00\n": [rec_with()]})).encode(),
    "lab id with non-ASCII digits": json.dumps(doc(**{"v1.\u0660\u0661": [rec_with()]})).encode(),
    "empty": b"",
    "a list": b"[]",
}


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_every_unreadable_file_is_set_aside_byte_for_byte(isolated_home, name):
    raw = UNREADABLE[name]
    with pytest.raises(LedgerError):
        parse_document(raw)
    isolated_home.mkdir(parents=True)
    (isolated_home / "ledger.json").write_bytes(raw)
    led = Ledger.open()
    assert led.notice and "could not be read" in led.notice and "unchanged" in led.notice
    assert str(isolated_home) not in led.notice  # names the file, not the folder
    aside = list(isolated_home.glob("ledger.unreadable-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == raw and aside[0].name in led.notice
    assert led.all() == {} and not (isolated_home / "ledger.json").exists()
    led.save("v1.00", REC)
    assert Ledger.open().get("v1.00")["context"] == "edge"


def test_a_file_set_aside_by_someone_else_meanwhile_is_fine(isolated_home, monkeypatch):
    """The race of two processes, made deterministic: we read the corrupt bytes, then
    the other process moves the file aside before we take the lock."""
    isolated_home.mkdir(parents=True)
    path = isolated_home / "ledger.json"
    path.write_bytes(b"garbage")
    real = store.read_limited
    calls = []

    def racing(p, limit):
        raw = real(p, limit)
        if not calls:
            os.replace(path, isolated_home / "ledger.unreadable-other.json")
        calls.append(p)
        return raw

    monkeypatch.setattr(store, "read_limited", racing)
    led = Ledger.open()
    assert led.notice is None and led.all() == {}
    assert [p.name for p in isolated_home.glob("ledger.unreadable-*.json")] == ["ledger.unreadable-other.json"]


def test_a_file_repaired_meanwhile_is_read_not_set_aside(isolated_home, monkeypatch):
    isolated_home.mkdir(parents=True)
    path = isolated_home / "ledger.json"
    path.write_bytes(b"garbage")
    good = json.dumps(doc(**{"v1.00": [rec_with()]})).encode()
    real = store.read_limited
    calls = []

    def racing(p, limit):
        raw = real(p, limit)
        if not calls:
            path.write_bytes(good)  # e.g. the other process reset it and saved
        calls.append(p)
        return raw

    monkeypatch.setattr(store, "read_limited", racing)
    led = Ledger.open()
    assert led.notice is None and set(led.all()) == {"v1.00"}
    assert not list(isolated_home.glob("ledger.unreadable-*.json"))


def _open_after(barrier, home, q):
    os.environ["MLSYSLABS_HOME"] = home
    barrier.wait()
    try:
        led = Ledger.open()
        q.put(("ok", bool(led.notice)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        q.put(("crash", repr(exc)))


def test_processes_meeting_one_corrupt_ledger_all_survive(tmp_path):
    ctx = mp.get_context("fork")
    for trial in range(6):
        home = tmp_path / f"t{trial}"
        home.mkdir()
        (home / "ledger.json").write_bytes(b"{corrupt " + str(trial).encode())
        n = 4
        barrier, q = ctx.Barrier(n), ctx.Queue()
        procs = [ctx.Process(target=_open_after, args=(barrier, str(home), q)) for _ in range(n)]
        for p in procs:
            p.start()
        results = [q.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(60)
        assert all(r[0] == "ok" for r in results), results
        kept = list(home.glob("ledger.unreadable-*.json"))
        assert len(kept) == 1 and kept[0].read_bytes() == b"{corrupt " + str(trial).encode()
        assert sum(r[1] for r in results) == 1  # exactly one process moved it and says so


# ------------------------------------------------- one schema for reader and writer
def test_a_save_never_writes_what_the_loader_rejects(isolated_home, monkeypatch):
    monkeypatch.setattr(schema, "MAX_LABS", 3)
    led = Ledger.open()
    for lab in ("v1.00", "v1.01", "v1.02"):
        led.save(lab, REC)
    before = (isolated_home / "ledger.json").read_bytes()
    with pytest.raises(LedgerError, match="at most 3 labs"):
        led.save("v1.03", REC)
    assert (isolated_home / "ledger.json").read_bytes() == before
    again = Ledger.open()
    assert again.notice is None and set(again.all()) == {"v1.00", "v1.01", "v1.02"}


def test_a_101st_lab_is_saved_and_read_back(isolated_home):
    doc_ = doc(**{f"v{1 + i // 100}.{i % 100:02d}": [rec_with()] for i in range(150)})
    store.atomic_write_json(isolated_home / "ledger.json", doc_)
    led = Ledger.open()
    led.save("v2.99", REC)
    again = Ledger.open()
    assert again.notice is None and len(again.all()) == 151


@pytest.mark.parametrize("field,value", [("outcomes", {"big": 10 ** 400}), ("decisions", {"n": -(10 ** 309)}),
                                         ("outcomes", {"p": float("inf")})])
def test_numbers_json_cannot_carry_are_refused_at_save(field, value):
    with pytest.raises(LedgerError, match="finite number"):
        Ledger.open().save("v1.00", dict(REC, **{field: value}))


@pytest.mark.parametrize("lab,section,key,value", [("v1.13", "outcomes", "p99_ms", "12"),
                                                    ("v1.14", "decisions", "cadence_months", True),
                                                    ("v1.10", "decisions", "precision", 4)])
def test_contract_keys_have_types_at_save(lab, section, key, value):
    with pytest.raises(LedgerError, match="read by later labs"):
        Ledger.open().save(lab, dict(REC, **{section: {key: value}}))
    Ledger.open().save(lab, dict(REC, **{section: {key: None}}))  # absent is fine


# ----------------------------------------------------------------- import / export
def test_import_reads_at_most_the_limit_from_a_device(isolated_home):
    with pytest.raises(LedgerError, match="not a regular file"):
        Ledger.open().import_("/dev/zero")


def test_import_refuses_a_fifo_without_blocking(tmp_path, isolated_home):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(LedgerError, match="not a regular file"):
        Ledger.open().import_(fifo)  # no writer: a blocking open would hang here


def test_import_refuses_a_directory_and_a_missing_file(tmp_path, isolated_home):
    with pytest.raises(LedgerError, match="a directory"):
        Ledger.open().import_(tmp_path)
    with pytest.raises(LedgerError, match="cannot read"):
        Ledger.open().import_(tmp_path / "missing.json")


def test_import_stops_reading_past_the_limit_even_if_size_lies(tmp_path, isolated_home, monkeypatch):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_IMPORT_BYTES + 10))
    with pytest.raises(LedgerError, match="limited to"):
        Ledger.open().import_(big)
    reads = []
    real_read = os.read

    def spy(fd, n):
        out = real_read(fd, n)
        reads.append(len(out))
        return out

    real_fstat = os.fstat
    monkeypatch.setattr(store.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 0, *real_fstat(fd)[7:])))
    monkeypatch.setattr(store.os, "read", spy)
    with pytest.raises(LedgerError, match="limited to"):
        Ledger.open().import_(big)
    assert sum(reads) == MAX_IMPORT_BYTES + 1


def test_export_never_overwrites_unless_asked(tmp_path, isolated_home):
    led = Ledger.open()
    led.save("v1.00", REC)
    dest = tmp_path / "mine.json"
    dest.write_text("precious")
    with pytest.raises(FileExistsError):
        led.export(dest)
    assert dest.read_text() == "precious"
    led.export(dest, overwrite=True)
    assert json.loads(dest.read_text())["labs"]["v1.00"][0]["context"] == "edge"
    fresh = tmp_path / "new.json"
    led.export(fresh)
    assert parse_document(fresh.read_bytes())["labs"].keys() == {"v1.00"}
    assert not list(tmp_path.glob(".ledger-*.tmp"))


def test_stale_temporary_files_are_cleaned_on_open(isolated_home):
    isolated_home.mkdir(parents=True)
    old = isolated_home / ".ledger-crashed.tmp"
    new = isolated_home / ".ledger-live.tmp"
    other = isolated_home / "notes.tmp"
    for p in (old, new, other):
        p.write_text("x")
    past = time.time() - store.STALE_TMP_S - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    Ledger.open()
    assert not old.exists() and new.exists() and other.exists()


def test_display_reads_survive_an_os_error_and_writes_report_it(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MLSYSLABS_HOME", str(blocker / "home"))
    led = Ledger.open()  # labs and the gallery open the ledger first: no exception
    assert led.all() == {} and led.get("v1.00") is None and "could not be read" in led.notice
    with pytest.raises(OSError):
        led.save("v1.00", REC)
    with pytest.raises(OSError):
        led.document()
