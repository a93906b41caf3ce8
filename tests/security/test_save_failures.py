"""A failed save is never silent: the reflection filter and the ledger agree, and an
OS failure comes back as a status the lab shows as a persistent banner."""
import errno

import pytest

from mlsyslabs.labs.protocol import LabSession, plain_text
from mlsyslabs.ledger import Ledger
from mlsyslabs.ledger import store
from mlsyslabs.ui import components as ui

REC = {"context": "cloud", "decisions": {"gpus": 16}, "outcomes": {}, "constraints": []}


@pytest.mark.parametrize("reflection", ["JavaScript:alert(1)", "JAVASCRIPT: is a URL scheme", "javascript:"])
def test_capstone_reflection_in_any_case_is_saved(reflection):
    lab = LabSession(Ledger.open(), "v1.16")
    status = lab.save(dict(REC, decisions={"reflection": plain_text(reflection)}))
    assert status.saved, status.message
    assert Ledger.open().get("v1.16")["decisions"]["reflection"].lower().startswith("javascript :")


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_an_os_failure_is_a_status_and_a_banner(monkeypatch, err):
    led = Ledger.open()

    def fail(*a, **k):
        raise OSError(err, __import__("os").strerror(err))

    monkeypatch.setattr(store.tempfile, "mkstemp", fail)
    status = LabSession(led, "v1.00").save(REC)
    assert not status.saved and "not saved" in status.message and __import__("os").strerror(err) in status.message
    html = ui.save_notice(status.message).text
    assert "Not saved" in html and "role='alert'" in html


def test_a_home_that_cannot_exist_is_a_status(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("MLSYSLABS_HOME", str(blocker / "home"))
    led = Ledger.open()  # the lab's first cell: no exception
    status = LabSession(led, "v1.00").save(REC)
    assert not status.saved and "Not a directory" in status.message


def test_save_status_component():
    from mlsyslabs.labs.protocol import SaveStatus

    failed = ui.save_status(SaveStatus(False, "your work in this lab was not saved (No space left on device)")).text
    assert "Not saved" in failed and "No space left on device" in failed and "role='alert'" in failed
    assert "Not saved" not in ui.save_status(SaveStatus(True)).text
