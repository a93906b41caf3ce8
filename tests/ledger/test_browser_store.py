"""The browser edition's ledger, without a browser: two "tabs" (two BrowserLedgers,
each with its own in-memory copy, i.e. its own folder) share one fake IndexedDB whose
transactions run one at a time, as IndexedDB's readwrite transactions do."""
import json

import pytest

from mlsyslabs.ledger import browser_store as B
from mlsyslabs.ledger.store import parse_document


def pred(part, choice, at):
    return {"id": part, "invariant": "Iron Law", "choice": choice, "label": choice, "answer_label": "x",
            "predicted": None, "actual": None, "correct": choice == "x", "off_by": None, "committed_at": at}


class FakeIDB(B.Backend):
    """One shared store; a transaction reads, lets the tab merge, then writes."""

    available = True

    def __init__(self):
        self.entries: dict[str, bytes | None] = {}
        self.listeners = []
        self.fail = None

    @staticmethod
    def key(path):  # every tab's copy is the same entry, as /marimo/mlsyslabs/ledger.json is in a browser
        return "/marimo/mlsyslabs/" + str(path).rsplit("/", 1)[-1]

    def transact(self, path, update, done):
        if self.fail:
            return done(self.fail)
        for key, data in update(self.entries.get(self.key(path))):
            self.entries[self.key(key)] = data
        done(None)

    def announce(self):
        for cb in list(self.listeners):
            cb()

    def listen(self, callback):
        self.listeners.append(callback)


class Tabs:
    """Tabs sharing one FakeIDB; background merges run when `run()` is called."""

    def __init__(self, tmp_path, idb=None):
        self.tmp, self.idb, self.queue = tmp_path, idb or FakeIDB(), []

    def open(self, name):
        B.BrowserLedger.backend_factory = lambda: self.idb
        B.BrowserLedger.later = self.queue.append
        try:
            return B.BrowserLedger.open(self.tmp / name)
        finally:
            B.BrowserLedger.backend_factory = B.BrowserLedger.later = None

    def run(self):
        while self.queue:
            self.queue.pop(0)()

    def stored(self):
        raw = self.idb.entries.get(next(k for k in self.idb.entries if k.endswith("/ledger.json")))
        return parse_document(raw)


@pytest.fixture(autouse=True)
def _fresh_syncs():
    B._SYNCS.clear()
    yield
    B._SYNCS.clear()


def test_two_tabs_two_labs_keep_both_records(tmp_path):
    tabs = Tabs(tmp_path)
    a, b = tabs.open("tab-a"), tabs.open("tab-b")
    tabs.run()
    a.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    b.commit_prediction("v1.01", pred("partA", "y", "2025-01-01T00:00:02Z"))  # before tab A's merge ran
    tabs.run()
    doc = tabs.stored()
    assert set(doc["labs"]) == {"v1.00", "v1.01"}
    # each tab's copy caught up (the announcement made the other tab merge too)
    assert set(a.all()) == set(b.all()) == {"v1.00", "v1.01"}


def test_the_first_commit_wins_across_tabs_whatever_saved_last(tmp_path):
    tabs = Tabs(tmp_path)
    a, b = tabs.open("tab-a"), tabs.open("tab-b")
    a.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    b.commit_prediction("v1.00", pred("partA", "y", "2025-01-01T00:00:05Z"))  # b never saw a's commit
    b.merge_save("v1.00", {"decisions": {"tier": "edge"}, "predictions": []})  # and saves last
    tabs.run()
    for led in (a, b):
        rec = led.get("v1.00")
        assert [p["choice"] for p in rec["predictions"]] == ["x"]
        assert rec["decisions"] == {"tier": "edge"}
    assert [p["choice"] for p in tabs.stored()["labs"]["v1.00"][-1]["predictions"]] == ["x"]


def test_moving_a_slider_does_not_grow_history_through_storage(tmp_path):
    tabs = Tabs(tmp_path)
    a = tabs.open("tab-a")
    a.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    tabs.run()
    for v in range(5):
        a.merge_save("v1.00", {"decisions": {"batch": v}, "predictions": []})
        tabs.run()
    versions = tabs.stored()["labs"]["v1.00"]
    assert len(versions) == 2 and versions[-1]["decisions"] == {"batch": 4}
    assert len(a.history("v1.00")) == 2


def test_a_reload_reads_what_storage_holds(tmp_path):
    idb = FakeIDB()
    tabs = Tabs(tmp_path, idb)
    a = tabs.open("tab-a")
    a.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    tabs.run()
    # a reload starts from storage (marimo copies IndexedDB into memory before the first cell)
    B._SYNCS.clear()
    fresh = tmp_path / "reloaded"
    fresh.mkdir()
    (fresh / "ledger.json").write_bytes(idb.entries["/marimo/mlsyslabs/ledger.json"])
    r = Tabs(tmp_path, idb).open("reloaded")
    assert [p["choice"] for p in r.get("v1.00")["predictions"]] == ["x"]


def test_unavailable_storage_is_said_at_open_and_a_save_reports_it(tmp_path):
    tabs = Tabs(tmp_path, B.Backend())  # no IndexedDB (file:// page, blocked storage)
    led = tabs.open("tab")
    assert led.notice and "only in this tab" in led.notice
    with pytest.raises(OSError, match="export"):
        led.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    assert led.get("v1.00")["predictions"][0]["choice"] == "x"  # kept in the tab, and the learner is told


def test_a_failed_write_is_reported_on_the_next_save(tmp_path):
    tabs = Tabs(tmp_path)
    led = tabs.open("tab")
    tabs.idb.fail = "QuotaExceededError"
    led.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    tabs.run()
    assert led.storage_error() == "QuotaExceededError"
    with pytest.raises(OSError, match="QuotaExceeded"):
        led.merge_save("v1.00", {"decisions": {"a": 1}, "predictions": []})
    tabs.idb.fail = None
    tabs.run()
    assert led.storage_error() is None and tabs.stored()["labs"]["v1.00"]


def test_an_unreadable_stored_ledger_is_kept_aside_not_overwritten(tmp_path):
    tabs = Tabs(tmp_path)
    led = tabs.open("tab")
    tabs.idb.entries["/marimo/mlsyslabs/ledger.json"] = b"{not json"
    led.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    tabs.run()
    aside = [k for k in tabs.idb.entries if "ledger.unreadable-" in k]
    assert len(aside) == 1 and tabs.idb.entries[aside[0]] == b"{not json"
    assert tabs.stored()["labs"]["v1.00"]


def test_merge_documents_is_idempotent_and_symmetric_in_content(tmp_path):
    tabs = Tabs(tmp_path)
    a, b = tabs.open("a"), tabs.open("b")
    a.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    b.commit_prediction("v1.00", pred("partB", "y", "2025-01-01T00:00:02Z"))
    da, db = a.document(), b.document()
    m1, m2 = B.merge_documents(da, db), B.merge_documents(db, da)
    strip = lambda d: [(p["id"], p["choice"]) for p in d["labs"]["v1.00"][-1]["predictions"]]  # noqa: E731
    assert sorted(strip(m1)) == sorted(strip(m2)) == [("partA", "x"), ("partB", "y")]
    assert B.merge_documents(m1, m1) == m1


def test_import_from_bytes_uses_the_cli_validation(tmp_path):
    from mlsyslabs.site.ledger_io import export_bytes, import_bytes, summary_rows

    tabs = Tabs(tmp_path)
    a = tabs.open("a")
    a.commit_prediction("v1.00", pred("partA", "x", "2025-01-01T00:00:01Z"))
    data = export_bytes(a)
    assert parse_document(data)["labs"]["v1.00"]
    b = tabs.open("b")
    ok, msg = import_bytes(b, json.dumps({"schema_version": 1, "labs": {"v1.00": "nope"}}).encode(), "bad.json")
    assert not ok and "bad.json was not imported" in msg and b.all() == {}
    ok, msg = import_bytes(b, b"x" * (6 * 1024 * 1024), "big.json")
    assert not ok and "limited" in msg
    ok, msg = import_bytes(b, data, "mine.json")
    assert ok and "1 new saved version" in msg
    tabs.run()
    assert [r["lab"] for r in summary_rows(b)] == ["v1.00"]
