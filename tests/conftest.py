import os
import tempfile

import pytest
from hypothesis import settings

# CI replays the same examples every run (a red build must be reproducible); local runs
# keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Collection runs the labs headless (to enumerate their controls): even that must never
# touch the learner's real ledger, and every xdist worker must see the same empty one.
os.environ["MLSYSLABS_HOME"] = tempfile.mkdtemp(prefix="mlsyslabs-collect-")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own ledger directory; nothing touches the real one."""
    home = tmp_path / "mlsyslabs-home"
    monkeypatch.setenv("MLSYSLABS_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) per test process, shared by every package that
    drives a browser: Playwright's sync API cannot be started twice in one process."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("MLSYSLABS_CHROMIUM", "/usr/bin/chromium")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=flags)
        yield b
        b.close()
