"""The learner's path through v2.01 in a real browser: commit every prediction, see the
reveals, find the 24-hour job that never finishes without checkpoints and rescue it,
push Part C's cluster past the scaling-efficiency floor and back, and find the
decisions, outcomes and constraints in the ledger."""
import re

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v2_01_predict_reveal_failures_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v2.01/")
    expect(page.get_by_text("Commit your prediction above to unlock the failure calculator")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    page.get_by_text("About 90%", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    expect(page.locator(".mls-reveal").first).to_contain_text("Under 1%")
    page.get_by_text("About the same", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal")).to_have_count(2, timeout=TIMEOUT)
    page.get_by_text("About 10x", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator(".mls-reveal")).to_have_count(3, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)

    # Part A opens on the scenario: the whole cluster for a day without checkpoints never finishes
    never = page.locator("[data-failure='Never finishes']")
    expect(never).to_be_visible(timeout=TIMEOUT)
    expect(never).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    page.screenshot(path=str(ARTIFACTS / "v2.01-unlocked.png"))
    page.get_by_role("switch").first.click()  # checkpoint at the Young-Daly interval
    expect(never).to_have_count(0, timeout=TIMEOUT)

    # Part C: the scenario's 10x cluster clears the floor; 40,960 GPUs do not
    low = page.locator("[data-failure='Scaling efficiency under the floor']")
    expect(low).to_have_count(0)
    cluster = page.locator("select").filter(has_text="40,960 GPUs").last
    cluster.select_option(label="40,960 GPUs")
    expect(low).to_be_visible(timeout=TIMEOUT)
    low.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v2.01-failure.png"))
    cluster.select_option(label="5,120 GPUs")  # reversible
    expect(low).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v2.01")
    assert rec is not None and len(rec["predictions"]) == 3 and rec["outcomes"]["completed"] is True
    assert rec["decisions"]["gpus"] == 5120 and rec["decisions"]["checkpointing"] is True
    assert 0 < rec["outcomes"]["p_no_interruption_24h"] < 0.01
    history = [c for h in led.history("v2.01") for c in h.get("constraints", [])]
    assert any(c.startswith("never finishes") for c in history)
    assert any(c.startswith("scaling efficiency under") for c in history)
