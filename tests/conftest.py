import os
import tempfile

import pytest

# Collection runs the labs headless (to enumerate their controls): even that must never
# touch the learner's real ledger, and every xdist worker must see the same empty one.
os.environ["MLSYSLABS_HOME"] = tempfile.mkdtemp(prefix="mlsyslabs-collect-")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own ledger directory; nothing touches the real one."""
    home = tmp_path / "mlsyslabs-home"
    monkeypatch.setenv("MLSYSLABS_HOME", str(home))
    return home
