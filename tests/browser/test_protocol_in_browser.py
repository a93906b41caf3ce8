"""The protocol as a learner meets it in Chromium: a committed prediction cannot be
changed, a reload restores it with its reveal, reopening a finished lab keeps it in
the gallery, two tabs never undo each other, and nothing is fetched off the machine
(the `page` fixture aborts and fails on any request off 127.0.0.1)."""
import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS, guard_offsite, running_server

pytestmark = pytest.mark.browser
TIMEOUT = 45_000
COMMIT = "Commit my prediction (final)"


def commit(page, option: str, index: int):
    """Choose `option` and press the commit button of the index-th open prediction."""
    page.get_by_text(option, exact=True).click()
    page.get_by_role("button", name=COMMIT).nth(index).click()


def test_commit_is_final_reload_restores_and_gallery_keeps_the_lab(fresh_server, page):
    url = fresh_server["url"] + "/labs/v1.00/"
    page.goto(url)
    expect(page.get_by_text("about 300,000x")).to_be_visible(timeout=TIMEOUT)
    # choosing an option commits nothing: still locked, nothing saved
    page.get_by_text("about 3,000x", exact=True).click()
    expect(page.get_by_text("Commit your prediction above to unlock the tier comparison")).to_be_visible()
    page.get_by_role("button", name=COMMIT).first.click()
    expect(page.get_by_text("Committed: about 3,000x")).to_be_visible(timeout=TIMEOUT)
    # the question's options are gone: the answer cannot be changed any more
    expect(page.get_by_text("about 30,000x", exact=True)).to_have_count(0)
    expect(page.get_by_text("You chose")).to_be_visible()
    expect(page.get_by_text("Not quite").first).to_be_visible()
    # the learner's prediction is drawn on the chart, with a legible label (log axis)
    expect(page.locator(".annotation-text", has_text="your prediction")).to_have_count(1, timeout=TIMEOUT)
    commit(page, "Does not fit", 0)
    expect(page.get_by_text("Committed: Does not fit")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "v1.00-committed.png"), full_page=True)

    page.reload()
    expect(page.get_by_text("Committed: about 3,000x")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Committed: Does not fit")).to_be_visible()
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0)
    expect(page.get_by_role("slider").first).to_be_visible()

    rec = Ledger.open(fresh_server["home"]).get("v1.00")
    assert [p["choice"] for p in rec["predictions"]] == ["about 3,000x", "oom"]
    assert rec["outcomes"]["completed"] is True and rec["context"] is None

    page.goto(fresh_server["url"] + "/")
    expect(page.locator("[data-lab='v1.00']")).to_contain_text("1/2 predictions right")


def test_two_tabs_the_first_commit_wins(browser, tmp_path):
    with running_server(tmp_path / "home") as srv:
        url = srv["url"] + "/labs/v1.00/"
        tabs = [browser.new_page(viewport={"width": 1280, "height": 1000}) for _ in range(2)]
        offsite = [guard_offsite(t) for t in tabs]
        try:
            for t in tabs:
                t.goto(url)
                expect(t.get_by_text("about 300,000x")).to_be_visible(timeout=TIMEOUT)
            commit(tabs[0], "about 300,000x", 0)
            expect(tabs[0].get_by_text("Committed: about 300,000x")).to_be_visible(timeout=TIMEOUT)
            commit(tabs[1], "about 3,000x", 0)  # the second tab still showed the open question
            expect(tabs[1].get_by_text("Committed: about 300,000x")).to_be_visible(timeout=TIMEOUT)
            commit(tabs[1], "Just fits", 0)
            expect(tabs[1].get_by_text("Committed: Just fits")).to_be_visible(timeout=TIMEOUT)
            # the first tab, which never saw Part B committed, saves again afterwards
            tabs[0].locator("select").first.select_option(label="memory bandwidth")
            expect(tabs[0].get_by_text("memory bandwidth by tier")).to_be_visible(timeout=TIMEOUT)
        finally:
            for t in tabs:
                t.close()
        rec = Ledger.open(srv["home"]).get("v1.00")
        assert [p["choice"] for p in rec["predictions"]] == ["about 300,000x", "tight"]
        assert not any(offsite)
