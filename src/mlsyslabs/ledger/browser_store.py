"""The Design Ledger in the browser edition (Pyodide): same API, browser storage.

marimo mounts an IndexedDB-backed folder (Emscripten's IDBFS) at /marimo in every
notebook of a site and copies it into memory before the first cell runs, so the
ledger file under it, `/marimo/mlsyslabs/ledger.json`, is there to read at once, with
every lab's records. Everything else about the file store holds (validation, merge
rules, history, set-aside of an unreadable file); what differs is durability:

- A save writes the in-memory copy (this tab's view) and then, in the background,
  merges it into the IndexedDB copy in ONE readwrite transaction: read the stored
  document, merge the two (`merge_documents`: the union of both histories, each
  lab's latest record combined by ledger.merge, and per prediction the FIRST commit
  wins), write it back, and take the result as this tab's copy too. IndexedDB runs
  overlapping readwrite transactions one at a time, across tabs, so two tabs (two
  labs, or one lab twice) never overwrite each other's work.
- After a write a BroadcastChannel message tells the other tabs, which then merge the
  stored document into their own copy (so a lab open in another tab sees the commit).
- marimo only copies memory back to IndexedDB for edits (never in run mode); this
  store writes its own entry directly, so no copy of other files is involved.
- Where there is no browser storage (a page opened from a file:// URL, storage
  blocked, a private window that refuses IndexedDB) `notice` says so at once, and
  every save raises OSError after keeping the work in this tab, so the lab shows
  "not saved" and the learner can export the ledger before closing the page.

Export and import keep the CLI's code and its validation (Ledger.export/import_ on a
file in memory), see mlsyslabs.site.ledger_io.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import json
from pathlib import Path

from . import chain
from .merge import is_news, merge_records, same_content
from .schema import MAX_VERSIONS, LedgerError, validate_document
from .store import FILENAME, Ledger, _locked, atomic_write_json, empty_document, now_iso, parse_document

MOUNT = "/marimo"  # marimo's IndexedDB-backed home folder in the browser
BROWSER_HOME = f"{MOUNT}/mlsyslabs"
CHANNEL = "mlsyslabs-ledger"
STORE = "FILE_DATA"  # IDBFS's object store: key = absolute path, value = {timestamp, mode, contents}
FILE_MODE = 0o100644
DIR_MODE = 0o40755

UNAVAILABLE = ("Browser storage is not available here (a private window that refuses it, storage blocked for "
               "this site, or a page opened as a file): your work is kept only in this tab until it closes. "
               "Open 'Your ledger' from the gallery and export it to keep a copy.")


# --------------------------------------------------------------------------- merging
def _saved_at(rec: dict) -> str:
    return rec.get("saved_at") or ""


def merge_latest(a: dict, b: dict) -> dict:
    """One lab's latest record from two copies (two tabs): ledger.merge's rules with the
    newer save on top, and for each prediction the first commit (earliest committed_at)."""
    older, newer = sorted((a, b), key=_saved_at)
    merged = merge_records(older, newer)
    first: dict[str, dict] = {}
    for p in [*a.get("predictions", []), *b.get("predictions", [])]:
        held = first.get(p["id"])
        if held is None or (p.get("committed_at") or "~") < (held.get("committed_at") or "~"):
            first[p["id"]] = p
    merged["predictions"] = [copy.deepcopy(first[p["id"]]) for p in merged.get("predictions", [])]
    return merged


def _key(rec: dict) -> str:
    return json.dumps(chain.content(rec), sort_keys=True)


def _compact(versions: list[dict]) -> list[dict]:
    """One version per meaningful event, as the file store keeps them: a version that
    only refreshed its predecessor (a moved slider, seen by one tab and not the
    other) replaces it."""
    out: list[dict] = []
    for v in versions:
        if out and not is_news(out[-1], v):
            out[-1] = v
        else:
            out.append(v)
    return out


def merge_documents(mine: dict, theirs: dict) -> dict:
    """Two copies of one ledger combined so that neither loses work: each lab's history
    is the union of both (by save time), and when the two latest records differ a new
    latest version combines them (merge_latest). Merging a document with itself, or
    with one that holds nothing new, changes nothing."""
    out = copy.deepcopy(mine)
    for lab_id, other in theirs.get("labs", {}).items():
        own = out["labs"].get(lab_id) or []
        if not other:
            continue
        if not own:
            out["labs"][lab_id] = copy.deepcopy(other)
            continue
        seen = {_key(v) for v in own}
        versions = own + [copy.deepcopy(v) for v in other if _key(v) not in seen]
        versions = _compact(sorted(versions, key=_saved_at))
        latest = merge_latest(own[-1], other[-1])
        if not same_content(versions[-1], latest):
            latest["saved_at"] = max(now_iso(), _saved_at(versions[-1]))
            versions.append(latest)
        if versions != own:
            chain.reseal_if_intact(versions, own, other)
        del versions[:-MAX_VERSIONS]
        out["labs"][lab_id] = versions
    if "learner" not in out and "learner" in theirs:
        out["learner"] = copy.deepcopy(theirs["learner"])
    out["created_at"] = min(mine.get("created_at") or "~", theirs.get("created_at") or "~")
    out["updated_at"] = max(mine.get("updated_at") or "", theirs.get("updated_at") or "")
    validate_document(out)
    return out


def _encode(doc: dict) -> bytes:
    return json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")


# --------------------------------------------------------------------------- storage
class Backend:
    """Where the shared copy lives. `transact(path, update, done)` runs `update(raw)`
    on the stored bytes (None when absent) inside one exclusive transaction and stores
    what it returns (None: leave as is); then calls done(error or None)."""

    available = False

    def transact(self, path: str, update, done) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def announce(self) -> None:
        """Tell other tabs the shared copy changed."""

    def listen(self, callback) -> None:
        """Call `callback()` when another tab says the shared copy changed."""


class IndexedDBBackend(Backend):
    """IDBFS's own database for MOUNT (the entry marimo copies into memory at start)."""

    def __init__(self):
        import js  # noqa: F401  (Pyodide only)
        import pyodide_js

        self._fs = pyodide_js.FS
        self.available = self._mounted()
        self._channel = None
        self._proxies: list = []
        with contextlib.suppress(Exception):
            self._channel = js.BroadcastChannel.new(CHANNEL)

    def _mounted(self) -> bool:
        try:
            node = self._fs.lookupPath(MOUNT).node
            idbfs = self._fs.filesystems.IDBFS
            mount = node.mount
            return bool(mount is not None and mount.type == idbfs and getattr(__import__("js"), "indexedDB", None))
        except Exception:  # noqa: BLE001 - any failure means: not mounted
            return False

    def transact(self, path: str, update, done) -> None:
        import js
        from pyodide.ffi import create_proxy, to_js

        proxies = []

        def proxy(fn):
            p = create_proxy(fn)
            proxies.append(p)
            return p

        finished = []

        def finish(err):
            if finished:
                return
            finished.append(True)
            for p in proxies:
                with contextlib.suppress(Exception):
                    p.destroy()
            done(err)

        def entry(contents: bytes | None, mode: int):
            obj = js.Object.new()
            obj.timestamp = js.Date.new()
            obj.mode = mode
            if contents is not None:
                arr = js.Uint8Array.new(len(contents))
                arr.assign(contents)
                obj.contents = arr
            return obj

        def with_db(err, db=None):
            if err:
                return finish(f"IndexedDB could not be opened ({err})")
            try:
                tx = db.transaction(to_js([STORE]), "readwrite")
                store = tx.objectStore(STORE)
                req = store.get(path)
            except Exception as exc:  # noqa: BLE001
                return finish(f"IndexedDB refused a transaction ({exc})")

            def on_get(_event):
                got = req.result
                raw = None
                if got is not None and getattr(got, "contents", None) is not None:
                    raw = got.contents.to_bytes()
                try:
                    puts = update(raw)
                except Exception as exc:  # noqa: BLE001
                    tx.abort()
                    return finish(f"the ledger could not be merged ({exc})")
                for key, data in puts:  # still inside the transaction: the write is atomic with the read
                    store.put(entry(data, DIR_MODE if data is None else FILE_MODE), key)

            req.onsuccess = proxy(on_get)
            tx.oncomplete = proxy(lambda _e: finish(None))
            tx.onerror = proxy(lambda _e: finish(f"IndexedDB write failed ({getattr(tx.error, 'message', '')})"))
            tx.onabort = proxy(lambda _e: finish(f"IndexedDB write aborted ({getattr(tx.error, 'message', '')})"))

        self._fs.filesystems.IDBFS.getDB(MOUNT, proxy(with_db))

    def announce(self) -> None:
        if self._channel is not None:
            with contextlib.suppress(Exception):
                self._channel.postMessage("changed")

    def listen(self, callback) -> None:
        if self._channel is not None:
            from pyodide.ffi import create_proxy

            p = create_proxy(lambda _event: callback())
            self._proxies.append(p)
            self._channel.onmessage = p


class _Sync:
    """Per ledger file: one background merge at a time (a save during one queues one more)."""

    def __init__(self, path: Path, backend: Backend, later):
        self.path, self.backend, self.later = path, backend, later
        self.busy = self.again = self.replace = False
        self.error: str | None = None
        self.synced = 0  # completed merges (tests and the benchmark wait on it)
        if backend.available:
            backend.listen(self.request)

    def request(self) -> None:
        if not self.backend.available:
            return
        if self.busy:
            self.again = True
            return
        self.busy = True
        self.later(self._run)

    def _update(self, raw: bytes | None):
        """Inside the transaction: merge stored and local copies; return the puts."""
        puts = []
        theirs, stored = None, raw
        if self.replace and raw is not None:  # a reset: the stored copy is kept as a backup entry
            stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
            puts.append((f"{self.path.parent}/ledger.backup-{stamp}.json", raw))
            raw = None
        if raw is not None:
            try:
                theirs = parse_document(raw)
            except LedgerError:
                stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
                puts.append((f"{self.path.parent}/ledger.unreadable-{stamp}.json", raw))  # kept, never overwritten
        with _locked(self.path):
            try:
                mine = parse_document(self.path.read_bytes())
            except FileNotFoundError:
                mine = empty_document()
            except LedgerError:
                mine = empty_document()
            merged = merge_documents(mine, theirs) if theirs is not None else mine
            if merged != mine:
                atomic_write_json(self.path, merged)
        data = _encode(merged)
        if stored != data and (merged["labs"] or stored is not None):
            puts.append((str(self.path.parent), None))  # the folder entry, so marimo recreates it at start
            puts.append((str(self.path), data))
        self._wrote = bool(puts)
        return puts

    def _run(self) -> None:
        self._wrote = False

        def done(err):
            self.busy = False
            if not err:
                self.replace = False
            if err:
                self.error = err
            else:
                self.error = None
                self.synced += 1
                if self._wrote:
                    self.backend.announce()
            if self.again:
                self.again = False
                self.request()

        try:
            self.backend.transact(str(self.path), self._update, done)
        except Exception as exc:  # noqa: BLE001
            done(f"browser storage failed ({exc})")


_SYNCS: dict[str, _Sync] = {}


def _default_backend() -> Backend:
    try:
        return IndexedDBBackend()
    except Exception:  # noqa: BLE001 - not in Pyodide, or no IndexedDB: nothing durable
        return Backend()


def _call_soon(fn) -> None:
    import asyncio

    try:
        asyncio.get_event_loop().call_soon(fn)
    except RuntimeError:
        fn()


def sync_for(path: Path, backend: Backend | None = None, later=None) -> _Sync:
    key = str(path)
    if key not in _SYNCS:
        _SYNCS[key] = _Sync(Path(path), backend or _default_backend(), later or _call_soon)
    return _SYNCS[key]


class BrowserLedger(Ledger):
    """Ledger whose file is this tab's copy of the IndexedDB-backed ledger (see the
    module docstring); every write is then merged into browser storage."""

    backend_factory = None  # tests: a callable returning a Backend
    later = None  # tests: how to run the background merge

    @classmethod
    def open(cls, directory=None, *, strict: bool = False) -> "BrowserLedger":
        from .store import home

        led = cls(Path(directory or home()) / FILENAME)
        backend = cls.backend_factory() if cls.backend_factory else None
        led._sync = sync_for(led.path, backend, cls.later)
        led.clean_stale_temporaries()
        if strict:
            led._load()
        else:
            led._read()
        if not led._sync.backend.available:
            led.notice = UNAVAILABLE if not led.notice else f"{led.notice} {UNAVAILABLE}"
        else:
            led._sync.request()  # pick up what other tabs stored since this page loaded
        return led

    def storage_error(self) -> str | None:
        """Why this tab's work is not in browser storage, or None when it is."""
        if not self._sync.backend.available:
            return UNAVAILABLE
        return self._sync.error

    def _after_write(self) -> None:
        self._sync.request()
        why = self.storage_error()
        if why:
            raise OSError(why)

    def _put(self, doc: dict, lab_id: str, rec: dict, *, append: bool) -> None:
        super()._put(doc, lab_id, rec, append=append)
        self._after_write()

    def import_(self, path) -> int:
        added = super().import_(path)
        self._after_write()
        return added

    def reset(self):
        backup = super().reset()
        self._sync.replace = True  # the stored copy becomes a backup entry, not merged back
        self._sync.request()
        return backup
