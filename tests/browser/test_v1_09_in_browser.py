"""The learner's path through v1.09 in a real browser: commit every prediction, see the
reveals and the leakage failure the release claim hits, switch Part D to random sampling
past the labelling budget and back, and find the plan in the ledger."""
import re

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
COMMIT = "Commit my prediction (final)"


def _commit(page, option):
    page.get_by_text(option, exact=True).click()
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_09_predict_reveal_failure_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.09/")
    expect(page.get_by_text("Commit your prediction above to unlock the deduplication calculator")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    _commit(page, "About 35%")
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    _commit(page, "About 1.7 T tokens")
    expect(page.get_by_text("unlock the filter explorer")).to_have_count(0, timeout=TIMEOUT)
    _commit(page, "Almost none: well under +0.5 point")
    expect(page.locator("[data-failure='Gain inside the leakage']")).to_be_visible(timeout=TIMEOUT)
    _commit(page, "About 8,000")
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "v1.09-unlocked.png"))

    budget = page.locator("[data-failure='Labelling budget']")
    expect(budget).to_have_count(0)
    page.locator("label", has_text=re.compile(r"^Random sampling$")).click()
    expect(budget).to_be_visible(timeout=TIMEOUT)
    expect(budget).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    budget.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.09-failure.png"))
    page.locator("label", has_text=re.compile(r"^Uncertainty sampling \(BALD\)$")).click()  # reversible
    expect(budget).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.09")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert all(p["correct"] for p in rec["predictions"])
    assert rec["decisions"]["label_strategy"] == "uncertainty"
    history = [c for h in led.history("v1.09") for c in h.get("constraints", [])]
    assert "labelling budget" in history and "gain inside the leakage" in history
