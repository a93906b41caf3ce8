"""Per-learner ledgers on one server (`mlsyslabs serve --class`).

The guard gives every browser a random learner id in an HttpOnly, SameSite=Strict
cookie; each lab session (a kernel thread in the server process) opens the ledger
in <home>/learners/<id>/, chosen from the cookie marimo hands the kernel with every
request. Nothing is shared between learners: a browser without the cookie (cookies
blocked) gets a throwaway ledger for that session and is told so.

The id is only ever used as a path component after matching 32 hex digits, so a
crafted cookie cannot name another directory."""
from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

ENV = "MLSYSLABS_CLASS"  # set by `serve --class` in the server process: the learner cookie's name
_ID = re.compile(r"[0-9a-f]{32}")


def cookie_name(port: int | None) -> str:
    return f"mlsyslabs_learner_{port}" if port else "mlsyslabs_learner"


def new_id() -> str:
    return secrets.token_hex(16)


def valid(learner_id) -> bool:
    return isinstance(learner_id, str) and _ID.fullmatch(learner_id) is not None


def learner_home(base: Path, learner_id: str) -> Path:
    if not valid(learner_id):
        raise ValueError("not a learner id")
    return Path(base) / "learners" / learner_id


def class_mode() -> str | None:
    """The learner cookie's name when this process serves a class, else None."""
    return os.environ.get(ENV) or None


def kernel_learner(cookie: str) -> str | None:
    """The learner id of the request the running lab cell serves (None outside a kernel)."""
    try:
        import marimo as mo

        request = mo.app_meta().request
    except Exception:  # no marimo, or no request context (a script, a test)
        return None
    if request is None:
        return None
    value = (request.cookies or {}).get(cookie)
    return value if valid(value) else None


def kernel_home(base: Path) -> Path:
    """Where the running lab session's ledger lives in class mode."""
    learner = kernel_learner(class_mode() or "")
    if learner is None:  # no cookie: keep this session's work apart from everyone's
        return Path(tempfile.mkdtemp(prefix="mlsyslabs-no-learner-"))
    return learner_home(base, learner)
