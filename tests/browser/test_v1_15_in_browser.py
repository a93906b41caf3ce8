"""The learner's path through v1.15 in a real browser: commit every prediction, see the
reveals, find the shared threshold over the fairness policy, push Part C's deployment
one year past the carbon budget and back, and find the record in the ledger."""
import re

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_15_predict_reveal_failure_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.15/")
    expect(page.get_by_text("Commit your prediction above to unlock the threshold explorer")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    page.get_by_text("Group A has the higher FPR and the lower FNR", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    page.get_by_text("about 50%", exact=True).click()
    _commit(page)
    expect(page.get_by_text("unlock the per-group thresholds")).to_have_count(0, timeout=TIMEOUT)
    page.get_by_text("serving uses about 5x more", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-failure='Fairness gap']")).to_have_count(1, timeout=TIMEOUT)  # Part A's shared t
    page.screenshot(path=str(ARTIFACTS / "v1.15-unlocked.png"))

    carbon = page.locator("[data-failure='Carbon budget']")
    expect(carbon).to_have_count(0)
    years = page.get_by_role("slider").nth(6)  # A: 3, B: 2, then Part C's serving GPUs and years
    years.focus()
    years.press("ArrowRight")  # three years in service: over the carbon budget
    expect(carbon).to_be_visible(timeout=TIMEOUT)
    expect(carbon).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    carbon.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.15-failure.png"))
    years.press("ArrowLeft")  # reversible
    expect(carbon).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.15")
    assert rec is not None and len(rec["predictions"]) == 3
    assert [p["correct"] for p in rec["predictions"]] == [True, False, True]
    assert rec["outcomes"]["serving_to_training_energy"] > 1
