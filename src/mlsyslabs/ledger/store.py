"""Durable storage of the Design Ledger: one JSON file per learner.

- Location: $MLSYSLABS_HOME/ledger.json, else the platform's user data dir.
- Every save re-reads the file under an exclusive lock, appends, and writes a
  temporary file that is fsynced and atomically renamed over the old one (then
  the directory is fsynced), so a crash leaves either the old or the new ledger.
- A file that cannot be read or fails validation, whatever the reason, is moved
  aside byte for byte (ledger.unreadable-<timestamp>.json) and never overwritten;
  `notice` says so (naming the file, not its folder). The move happens under the
  lock, after a second look, so two processes meeting the same corrupt file at once
  move it once and neither crashes.
- Every document written is validated first: what a save writes, a load accepts.
- Reads for display (get, history, all) never raise for an OS reason: they fall
  back to an empty ledger with a `notice`; writes raise OSError or LedgerError, for
  the caller to report (a failed save is never silent).
- Temporary files left by a crashed writer (.ledger-*.tmp) are removed on open once
  they are STALE_TMP_S old.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import json
import os
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import chain
from .merge import is_news, merge_records, same_content
from .schema import MAX_VERSIONS, SCHEMA_VERSION, LedgerError, check_name, validate_document, validate_record

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_LEDGER_BYTES = 64 * 1024 * 1024  # larger is not a ledger we wrote: set aside, never read into memory
STALE_TMP_S = 300
FILENAME = "ledger.json"
_held = threading.local()  # lock files this thread holds (the lock is re-entrant per thread)


BROWSER = sys.platform == "emscripten"  # the browser edition (Pyodide): see ledger.browser_store


def base_home() -> Path:
    env = os.environ.get("MLSYSLABS_HOME")
    if env:
        return Path(env).expanduser()
    if BROWSER:
        from .browser_store import BROWSER_HOME

        return Path(BROWSER_HOME)
    import platformdirs  # native only (not installed in the browser)

    return Path(platformdirs.user_data_dir("mlsyslabs", appauthor=False))


def home() -> Path:
    """The ledger's folder: base_home(), or in a class server (`serve --class`) the
    folder of the learner whose browser the running lab session serves."""
    if os.environ.get("MLSYSLABS_CLASS"):
        from ..classroom.learners import kernel_home

        return kernel_home(base_home())
    return base_home()


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def empty_document() -> dict:
    t = now_iso()
    return {"schema_version": SCHEMA_VERSION, "created_at": t, "updated_at": t, "labs": {}}


@contextlib.contextmanager
def _locked(path: Path):
    """Exclusive advisory lock on a sidecar file (POSIX flock; msvcrt on Windows).
    Re-entrant within a thread: a load that must set a file aside while a save holds
    the lock does not deadlock on itself."""
    key = os.path.abspath(str(path))
    held = getattr(_held, "paths", None)
    if held is None:
        held = _held.paths = {}
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        held[key] = 1
        yield
    finally:
        held.pop(key, None)
        os.close(fd)  # closing releases the lock


def _encode(doc: dict) -> bytes:
    """The bytes of a ledger document, validated first: a document the loader would
    reject (too many labs, a number JSON cannot carry) is never written."""
    validate_document(doc)
    return json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")


def _temp_with(directory: Path, data: bytes) -> str:
    """A fsynced temporary file holding `data` in `directory`; returns its path."""
    fd, tmp = tempfile.mkstemp(prefix=".ledger-", suffix=".tmp", dir=str(directory))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # make a rename itself durable
        dfd = os.open(str(directory), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def atomic_write_json(path: Path, doc: dict) -> None:
    data = _encode(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_with(path.parent, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_new_json(path: Path, doc: dict) -> None:
    """Like atomic_write_json, but never replaces an existing file (FileExistsError)."""
    data = _encode(doc)
    tmp = _temp_with(path.parent, data)
    try:
        try:
            os.link(tmp, path)  # atomic, and fails if `path` exists
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def read_limited(path, limit: int) -> bytes:
    """At most `limit` bytes of a regular file, else LedgerError. Never blocks on a
    FIFO or a device (opened non-blocking, checked with fstat before any read) and
    never reads more than limit + 1 bytes, whatever the file claims its size is.
    OSError (missing, unreadable) propagates."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(str(path), flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise LedgerError(f"{Path(path).name} is {kind}")
        if st.st_size > limit:
            raise LedgerError(f"{Path(path).name} is {st.st_size:,} bytes; files are limited to {limit:,}")
        chunks, n = [], 0
        while n <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - n))
            if not chunk:
                break
            chunks.append(chunk)
            n += len(chunk)
        if n > limit:
            raise LedgerError(f"{Path(path).name} holds more than {limit:,} bytes; files are limited to {limit:,}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def parse_document(raw: bytes) -> dict:
    """A validated document, or LedgerError whatever is wrong with the bytes (bad
    UTF-8 or JSON, an integer too long to parse, nesting too deep, wrong schema)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except Exception as exc:  # ValueError (incl. int too long), RecursionError, MemoryError, ...
        raise LedgerError(f"not valid JSON ({exc.__class__.__name__}: {str(exc)[:120]})") from None
    try:
        validate_document(doc)
    except LedgerError:
        raise
    except Exception as exc:  # e.g. RecursionError on a pathological document
        raise LedgerError(f"not a ledger ({exc.__class__.__name__})") from None
    return doc


class Ledger:
    """The learner's Design Ledger. Reads are fresh from disk; writes are atomic."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.notice: str | None = None  # set when an unreadable file was moved aside

    @classmethod
    def open(cls, directory: str | os.PathLike | None = None, *, strict: bool = False) -> "Ledger":
        """strict=True: an OS error reading the file raises (the CLI reports it);
        else it becomes `notice` (labs and the gallery always open)."""
        if BROWSER and cls is Ledger:  # same API, kept in browser storage and merged across tabs
            from .browser_store import BrowserLedger

            return BrowserLedger.open(directory, strict=strict)
        led = cls(Path(directory or home()) / FILENAME)
        led.clean_stale_temporaries()
        if strict:
            led._load()
        else:
            led._read()  # surface (and set aside) a corrupt file right away
        return led

    def clean_stale_temporaries(self, max_age_s: float = STALE_TMP_S) -> int:
        """Remove .ledger-*.tmp files a crashed writer left (only old ones: a live
        writer's file is seconds old). Returns how many were removed."""
        removed, now = 0, time.time()
        try:
            candidates = list(self.path.parent.glob(".ledger-*.tmp"))
        except OSError:
            return 0
        for p in candidates:
            with contextlib.suppress(OSError):
                st = p.lstat()
                if stat.S_ISREG(st.st_mode) and now - st.st_mtime > max_age_s:
                    p.unlink()
                    removed += 1
        return removed

    # ------------------------------------------------------------------ reading
    def _load(self) -> dict:
        """The document on disk (empty when there is none). An unreadable or invalid
        file is set aside and an empty document returned; OSError propagates."""
        try:
            return parse_document(read_limited(self.path, MAX_LEDGER_BYTES))
        except FileNotFoundError:
            return empty_document()
        except LedgerError:
            pass
        with _locked(self.path):  # a second look under the lock, then set aside once
            try:
                return parse_document(read_limited(self.path, MAX_LEDGER_BYTES))
            except FileNotFoundError:  # another process set it aside (and told its learner)
                return empty_document()
            except LedgerError as exc:
                why = str(exc)
            aside = self._set_aside()
        self.notice = (f"Your ledger file could not be read ({why[:300]}). It was moved, unchanged, to {aside.name} "
                       f"in the same folder; a new ledger was started.")
        return empty_document()

    def _read(self) -> dict:
        """`_load` for display: an OS error (permissions, a read-only or full disk)
        gives an empty document and a notice instead of an exception."""
        try:
            return self._load()
        except OSError as exc:
            self.notice = (f"Your ledger could not be read ({exc.strerror or exc.__class__.__name__}); "
                           "nothing from it is shown and saving will fail until this is fixed.")
            return empty_document()

    def _set_aside(self) -> Path:
        """Rename the ledger file (bytes kept exactly) to a name no other file has."""
        stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        for n in range(1000):
            aside = self.path.with_name(f"ledger.unreadable-{stamp}{f'-{n}' if n else ''}.json")
            if not os.path.lexists(aside):
                os.replace(self.path, aside)
                return aside
        raise FileExistsError(f"no free name to set {self.path.name} aside")

    def document(self) -> dict:
        """The whole document; raises OSError when the file cannot be read."""
        return self._load()

    def get(self, lab_id: str) -> dict | None:
        versions = self._read()["labs"].get(lab_id)
        return copy.deepcopy(versions[-1]) if versions else None

    def history(self, lab_id: str) -> list[dict]:
        return copy.deepcopy(self._read()["labs"].get(lab_id, []))

    def all(self) -> dict[str, dict]:
        """Latest record of every lab."""
        return {k: copy.deepcopy(v[-1]) for k, v in self._read()["labs"].items() if v}

    # ------------------------------------------------------------------ writing
    def save(self, lab_id: str, record: dict) -> dict:
        """Append `record` as a new version, as given (import, tests, tools).
        Labs use `merge_save`, which never loses committed work."""
        rec = copy.deepcopy(record)
        rec["saved_at"] = now_iso()
        validate_record(lab_id, rec)
        with _locked(self.path):
            doc = self._load()
            self._put(doc, lab_id, rec, append=True)
        return rec

    def merge_save(self, lab_id: str, record: dict) -> dict:
        """Merge `record` into the latest version (see ledger.merge): committed
        predictions are kept, a meaningful event appends a history version, anything
        else refreshes the latest one. Returns the stored record."""
        validate_record(lab_id, record)
        with _locked(self.path):
            doc = self._load()
            versions = doc["labs"].get(lab_id) or []
            latest = versions[-1] if versions else None
            merged = merge_records(latest, record)
            if same_content(latest, merged):
                return copy.deepcopy(latest)
            merged["saved_at"] = now_iso()
            validate_record(lab_id, merged)
            self._put(doc, lab_id, merged, append=is_news(latest, merged))
        return copy.deepcopy(merged)

    def commit_prediction(self, lab_id: str, prediction: dict) -> dict:
        """Record a committed prediction at once, unless this part was already
        committed (another tab, an earlier visit): the first commit wins and is
        returned."""
        with _locked(self.path):
            doc = self._load()
            versions = doc["labs"].get(lab_id) or []
            latest = versions[-1] if versions else None
            for p in (latest or {}).get("predictions", []):
                if p["id"] == prediction["id"]:
                    return copy.deepcopy(p)
            merged = merge_records(latest, {"predictions": [prediction]})
            merged["saved_at"] = now_iso()
            validate_record(lab_id, merged)
            self._put(doc, lab_id, merged, append=True)
        return copy.deepcopy(prediction)

    def _put(self, doc: dict, lab_id: str, rec: dict, *, append: bool) -> None:
        versions = doc["labs"].setdefault(lab_id, [])
        if append or not versions:
            versions.append(rec)
        else:
            versions[-1] = rec
        chain.seal_last(versions)
        del versions[:-MAX_VERSIONS]  # bounded history per lab
        doc["updated_at"] = rec["saved_at"]
        atomic_write_json(self.path, doc)

    def export(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the whole ledger to `path`. An existing file is replaced only with
        overwrite=True; else FileExistsError."""
        out = Path(path)
        doc = self._load()
        if overwrite:
            atomic_write_json(out, doc)
        else:
            write_new_json(out, doc)
        return out

    def import_(self, path: str | os.PathLike) -> int:
        """Merge another ledger file into this one; returns the number of new
        versions. Anything invalid is rejected before the ledger is touched. Reads at
        most MAX_IMPORT_BYTES + 1 bytes, and only from a regular file."""
        p = Path(path)
        try:
            raw = read_limited(p, MAX_IMPORT_BYTES)
        except OSError as exc:
            raise LedgerError(f"cannot read {p.name}: {exc.strerror or exc.__class__.__name__}") from None
        incoming = parse_document(raw)
        added = 0
        with _locked(self.path):
            doc = self._load()
            for lab_id, versions in incoming["labs"].items():
                mine = doc["labs"].setdefault(lab_id, [])
                before = copy.deepcopy(mine)
                seen = {json.dumps(chain.content(v), sort_keys=True) for v in mine}
                for v in versions:
                    if json.dumps(chain.content(v), sort_keys=True) not in seen:
                        mine.append(v)
                        added += 1
                mine.sort(key=lambda r: r["saved_at"])
                if mine != before:
                    chain.reseal_if_intact(mine, before, versions)
            if "learner" not in doc and "learner" in incoming:
                doc["learner"] = incoming["learner"]
            validate_document(doc)
            doc["updated_at"] = now_iso()
            atomic_write_json(self.path, doc)
        return added

    def learner(self) -> str | None:
        """The learner's name or student id, when set (`mlsyslabs ledger whoami`)."""
        return (self._read().get("learner") or {}).get("name")

    def set_learner(self, name: str) -> str:
        """Name this ledger's learner (exports and class reports carry it)."""
        name = check_name(name)
        with _locked(self.path):
            doc = self._load()
            doc["learner"] = {"name": name, "set_at": now_iso()}
            doc["updated_at"] = doc["learner"]["set_at"]
            validate_document(doc)
            atomic_write_json(self.path, doc)
        return name

    def reset(self) -> Path | None:
        """Start an empty ledger; the old file is kept as a backup, not deleted."""
        with _locked(self.path):
            if not self.path.exists():
                return None
            stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
            backup = self.path.with_name(f"ledger.backup-{stamp}.json")
            os.replace(self.path, backup)
            return backup
