"""The browser edition, as a learner meets it: the offline site (built once per test
session) served by a static server on 127.0.0.1, run in Chromium with every request
off 127.0.0.1 aborted and failing the test, workers included. The ledger lives in the
browser's IndexedDB: a commit survives a reload, a second lab in a second tab keeps
both labs' work, the capstone reads another lab's prediction, and the ledger page
exports a file that imports into a fresh browser (a bad file is rejected)."""
import json
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger.store import parse_document

from .conftest import ARTIFACTS, FLAGS, guard_offsite  # noqa: F401  (FLAGS: same Chromium as the other tests)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
LOAD = 240_000  # a cold start of Pyodide on a loaded 2-core machine
STEP = 60_000
COMMIT = "Commit my prediction (final)"
READ_IDB = """() => new Promise(resolve => {
  const r = indexedDB.open('/marimo', 21);
  r.onupgradeneeded = e => { const db = e.target.result;
    if (!db.objectStoreNames.contains('FILE_DATA'))
      db.createObjectStore('FILE_DATA').createIndex('timestamp', 'timestamp', {unique: false}); };
  r.onerror = () => resolve(null);
  r.onsuccess = () => { const db = r.result;
    const g = db.transaction(['FILE_DATA'], 'readonly').objectStore('FILE_DATA').get('/marimo/mlsyslabs/ledger.json');
    g.onsuccess = () => { const v = g.result; db.close();
      resolve(v && v.contents ? new TextDecoder().decode(v.contents) : null); };
    g.onerror = () => { db.close(); resolve(null); }; };
})"""


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory):
    """One offline build per session (downloads cached under .cache/site), served."""
    from mlsyslabs.site.build import build
    from mlsyslabs.site.serve import make_server

    import fcntl

    # one build for the whole run: pytest-xdist workers share the parent of their temp dirs
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    out = shared / "offline-site"
    with open(shared / "offline-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "site.json").is_file():
            build(out, offline=True, cache=ROOT / ".cache" / "site", log=lambda m: None)
    manifest = json.loads((out / "site.json").read_text())
    srv = make_server(out)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield {"url": f"http://127.0.0.1:{srv.server_address[1]}", "out": out, "manifest": manifest}
    finally:
        srv.shutdown()
        srv.server_close()


def guard_context(context) -> list[str]:
    """Like conftest.guard_offsite, for a whole browser context: its pages and their
    workers (Pyodide runs in a web worker)."""
    from urllib.parse import urlparse

    seen: list[str] = []

    def handle(route):
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            seen.append(url)
            route.abort()

    context.route("**/*", handle)
    return seen


def stored_ledger(page) -> dict | None:
    raw = page.evaluate(READ_IDB)
    return parse_document(raw.encode()) if raw else None


def wait_stored(page, check, timeout_s: float = 60) -> dict:
    """The ledger in IndexedDB once `check(doc)` holds (the merge runs just after a save)."""
    import time

    deadline = time.time() + timeout_s
    doc = None
    while time.time() < deadline:
        doc = stored_ledger(page)
        if doc is not None and check(doc):
            return doc
        page.wait_for_timeout(250)
    raise AssertionError(f"browser storage never held the expected ledger; last seen: {json.dumps(doc)[:800]}")


def choices(doc: dict, lab: str) -> list:
    versions = doc["labs"].get(lab) or [{}]
    return [p["choice"] for p in versions[-1].get("predictions", [])]


def new_page(context):
    pg = context.new_page()
    pg.set_viewport_size({"width": 1280, "height": 1000})
    pg.offsite_requests = guard_offsite(pg)
    return pg


def test_site_layout_is_relative_and_complete(offline_site):
    out, manifest = offline_site["out"], offline_site["manifest"]
    assert manifest["offline"] and {"v1.00", "v1.01", "v1.16"} <= set(manifest["labs"])
    lock = json.loads((out / "pyodide" / "pyodide-lock.json").read_text())
    for name, pkg in lock["packages"].items():  # every wheel is vendored next to the lock, checksummed
        assert "/" not in pkg["file_name"] and (out / "pyodide" / pkg["file_name"]).is_file(), name
    for lab in manifest["labs"]:
        html = (out / "labs" / lab / "index.html").read_text()
        assert 'data-pyodide-index-url="../../pyodide/"' in html
        assert 'src="/' not in html and 'href="/' not in html and "cdn.jsdelivr" not in html
    gallery = (out / "index.html").read_text()
    assert "href='labs/v1.00/'" in gallery and "href='ledger/'" in gallery


def test_commit_persists_across_reload_tabs_and_labs(browser, offline_site):
    url = offline_site["url"]
    context = browser.new_context()
    offsite = guard_context(context)
    try:
        tab1, tab2 = new_page(context), new_page(context)
        tab1.goto(url + "/labs/v1.00/")
        tab2.goto(url + "/labs/v1.01/")
        expect(tab1.get_by_text("about 3,000x", exact=True)).to_be_visible(timeout=LOAD)
        expect(tab2.get_by_text("about 40%", exact=True)).to_be_visible(timeout=LOAD)
        # two labs open in two tabs, each commits: neither overwrites the other
        tab1.get_by_text("about 3,000x", exact=True).click()
        tab1.get_by_role("button", name=COMMIT).first.click()
        expect(tab1.get_by_text("Committed: about 3,000x")).to_be_visible(timeout=STEP)
        tab2.get_by_text("about 40%", exact=True).click()
        tab2.get_by_role("button", name=COMMIT).first.click()
        expect(tab2.get_by_text("Committed: about 40%")).to_be_visible(timeout=STEP)
        doc = wait_stored(tab1, lambda d: choices(d, "v1.00") == ["about 3,000x"] and
                          choices(d, "v1.01") == ["about 40%"])
        assert doc["labs"]["v1.00"][-1]["predictions"][0]["committed_at"]

        # a reload restores the committed prediction from browser storage
        tab1.reload()
        expect(tab1.get_by_text("Committed: about 3,000x")).to_be_visible(timeout=LOAD)
        expect(tab1.get_by_role("button", name=COMMIT).first).to_be_visible()  # Part B is still open
        tab1.screenshot(path=str(ARTIFACTS / "site-v1.00-restored.png"))

        # the capstone, in the other tab, reads the other labs' predictions
        tab2.goto(url + "/labs/v1.16/")
        expect(tab2.get_by_role("button", name=COMMIT).first).to_be_visible(timeout=LOAD)
        tab2.get_by_role("radio").first.click()
        tab2.get_by_role("button", name=COMMIT).first.click()
        expect(tab2.get_by_text("of 2 right").first).to_be_visible(timeout=STEP)  # v1.00's and v1.01's predictions
        tab2.screenshot(path=str(ARTIFACTS / "site-v1.16-report.png"), full_page=True)
        wait_stored(tab2, lambda d: len(choices(d, "v1.16")) == 1 and choices(d, "v1.00") == ["about 3,000x"])

        # the static gallery reads the same storage
        tab2.goto(url + "/")
        expect(tab2.locator("[data-lab='v1.00']")).to_contain_text("visited", timeout=STEP)
        expect(tab2.locator("[data-lab='v1.01']")).to_contain_text("visited")
        for t in (tab1, tab2):
            assert not t.offsite_requests, t.offsite_requests
    finally:
        context.close()
    assert not offsite, f"the site asked for something off this machine: {offsite}"


def test_export_then_import_round_trips_and_bad_files_are_rejected(browser, offline_site, tmp_path):
    url = offline_site["url"] + "/ledger/"
    offsite = []
    # a learner's browser with work in it: export
    a = browser.new_context(accept_downloads=True)
    offsite += guard_context(a)
    try:
        pg = new_page(a)
        pg.goto(offline_site["url"] + "/labs/v1.00/")
        expect(pg.get_by_text("about 30,000x", exact=True)).to_be_visible(timeout=LOAD)
        pg.get_by_text("about 30,000x", exact=True).click()
        pg.get_by_role("button", name=COMMIT).first.click()
        expect(pg.get_by_text("Committed: about 30,000x")).to_be_visible(timeout=STEP)
        wait_stored(pg, lambda d: choices(d, "v1.00") == ["about 30,000x"])
        pg.goto(url)
        expect(pg.get_by_text("Export my ledger")).to_be_visible(timeout=LOAD)
        with pg.expect_download(timeout=STEP) as dl:
            pg.get_by_text("Export my ledger").click()
        exported = tmp_path / "mine.json"
        dl.value.save_as(exported)
        assert dl.value.suggested_filename.startswith("mlsyslabs-ledger-")
        doc = parse_document(exported.read_bytes())  # the CLI's validation accepts it
        assert choices(doc, "v1.00") == ["about 30,000x"]
    finally:
        a.close()
    # a fresh browser: a bad file is rejected and changes nothing, the export imports
    b = browser.new_context()
    offsite += guard_context(b)
    try:
        pg = new_page(b)
        pg.goto(url)
        expect(pg.get_by_text("Nothing saved yet")).to_be_visible(timeout=LOAD)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"schema_version": 1, "labs": {"v1.00": [{"predictions": "<script>"}]}}))
        pg.locator("input[type=file]").set_input_files(str(bad))
        expect(pg.get_by_text("was not imported")).to_be_visible(timeout=STEP)
        assert stored_ledger(pg) is None
        pg.locator("input[type=file]").set_input_files(str(exported))
        expect(pg.get_by_text("Imported mine.json")).to_be_visible(timeout=STEP)
        wait_stored(pg, lambda d: choices(d, "v1.00") == ["about 30,000x"])
        pg.goto(offline_site["url"] + "/labs/v1.00/")
        expect(pg.get_by_text("Committed: about 30,000x")).to_be_visible(timeout=LOAD)
    finally:
        b.close()
    assert not offsite, f"the site asked for something off this machine: {offsite}"
