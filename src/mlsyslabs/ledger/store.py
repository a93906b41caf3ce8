"""Durable storage of the Design Ledger: one JSON file per learner.

- Location: $MLSYSLABS_HOME/ledger.json, else the platform's user data dir.
- Every save re-reads the file under an exclusive lock, appends, and writes a
  temporary file that is fsynced and atomically renamed over the old one (then
  the directory is fsynced), so a crash leaves either the old or the new ledger.
- A file that cannot be read or fails validation is moved aside byte for byte
  (ledger.unreadable-<timestamp>.json) and never overwritten; `notice` says so.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import json
import os
import tempfile
from pathlib import Path

from .merge import is_news, merge_records, same_content
from .schema import MAX_VERSIONS, SCHEMA_VERSION, LedgerError, validate_document, validate_record

MAX_IMPORT_BYTES = 5 * 1024 * 1024
FILENAME = "ledger.json"


def home() -> Path:
    env = os.environ.get("MLSYSLABS_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("mlsyslabs", appauthor=False))


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def empty_document() -> dict:
    t = now_iso()
    return {"schema_version": SCHEMA_VERSION, "created_at": t, "updated_at": t, "labs": {}}


@contextlib.contextmanager
def _locked(path: Path):
    """Exclusive advisory lock on a sidecar file (POSIX flock; msvcrt on Windows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".ledger-", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(str(path.parent), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def parse_document(raw: bytes) -> dict:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise LedgerError(f"not valid JSON ({exc.__class__.__name__}: {str(exc)[:120]})") from None
    validate_document(doc)
    return doc


class Ledger:
    """The learner's Design Ledger. Reads are fresh from disk; writes are atomic."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.notice: str | None = None  # set when an unreadable file was moved aside

    @classmethod
    def open(cls, directory: str | os.PathLike | None = None) -> "Ledger":
        led = cls(Path(directory or home()) / FILENAME)
        led._load()  # surface (and set aside) a corrupt file right away
        return led

    # ------------------------------------------------------------------ reading
    def _load(self) -> dict:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return empty_document()
        try:
            return parse_document(raw)
        except LedgerError as exc:
            aside = self._set_aside(f"unreadable ledger ({exc})")
            self.notice = (f"Your ledger file could not be read ({exc}). It was moved, unchanged, to {aside}; "
                           f"a new ledger was started.")
            return empty_document()

    def _set_aside(self, why: str) -> Path:
        stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        aside = self.path.with_name(f"ledger.unreadable-{stamp}.json")
        os.replace(self.path, aside)  # a rename: the bytes are kept exactly
        return aside

    def document(self) -> dict:
        return self._load()

    def get(self, lab_id: str) -> dict | None:
        versions = self._load()["labs"].get(lab_id)
        return copy.deepcopy(versions[-1]) if versions else None

    def history(self, lab_id: str) -> list[dict]:
        return copy.deepcopy(self._load()["labs"].get(lab_id, []))

    def all(self) -> dict[str, dict]:
        """Latest record of every lab."""
        return {k: copy.deepcopy(v[-1]) for k, v in self._load()["labs"].items() if v}

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
        del versions[:-MAX_VERSIONS]  # bounded history per lab
        doc["updated_at"] = rec["saved_at"]
        atomic_write_json(self.path, doc)

    def export(self, path: str | os.PathLike) -> Path:
        out = Path(path)
        atomic_write_json(out, self._load())
        return out

    def import_(self, path: str | os.PathLike) -> int:
        """Merge another ledger file into this one; returns the number of new
        versions. Anything invalid is rejected before the ledger is touched."""
        p = Path(path)
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise LedgerError(f"cannot read {p}: {exc.strerror}") from None
        if size > MAX_IMPORT_BYTES:
            raise LedgerError(f"{p} is {size:,} bytes; imports are limited to {MAX_IMPORT_BYTES:,}")
        incoming = parse_document(p.read_bytes())
        added = 0
        with _locked(self.path):
            doc = self._load()
            for lab_id, versions in incoming["labs"].items():
                mine = doc["labs"].setdefault(lab_id, [])
                seen = {json.dumps(v, sort_keys=True) for v in mine}
                for v in versions:
                    if json.dumps(v, sort_keys=True) not in seen:
                        mine.append(v)
                        added += 1
                mine.sort(key=lambda r: r["saved_at"])
            validate_document(doc)
            doc["updated_at"] = now_iso()
            atomic_write_json(self.path, doc)
        return added

    def reset(self) -> Path | None:
        """Start an empty ledger; the old file is kept as a backup, not deleted."""
        with _locked(self.path):
            if not self.path.exists():
                return None
            stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
            backup = self.path.with_name(f"ledger.backup-{stamp}.json")
            os.replace(self.path, backup)
            return backup
