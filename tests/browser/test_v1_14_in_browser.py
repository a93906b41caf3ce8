"""The learner's path through v1.14 in a real browser: commit every prediction, see the
reveals, find the label-only dashboard too late for the policy, push Part D's cadence
one month past the accuracy floor and back, and find the cadence (read by v1.16) in
the ledger."""
import re
import time

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_14_predict_reveal_failure_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.14/")
    expect(page.get_by_text("Commit your prediction above to unlock the drift explorer")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    page.get_by_text("about 87%", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    page.get_by_text("about 4 months", exact=True).click()
    _commit(page)
    expect(page.get_by_text("unlock the monitoring timeline")).to_have_count(0, timeout=TIMEOUT)
    page.get_by_text("every 3 months", exact=True).click()
    _commit(page)
    expect(page.get_by_text("Commit your prediction above to unlock the cost curve")).to_have_count(0,
                                                                                                   timeout=TIMEOUT)
    page.get_by_text("shrinks to about 70%", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-failure='Undetected breach']")).to_be_visible(timeout=TIMEOUT)  # labels only
    page.screenshot(path=str(ARTIFACTS / "v1.14-unlocked.png"))

    floor = page.locator("[data-failure='Accuracy SLA']")
    expect(floor).to_have_count(0)
    cadence = page.get_by_role("slider").nth(7)  # A: 3, B: 3, C: 1, then Part D's cadence
    cadence.focus()
    cadence.press("ArrowRight")  # every 4 months: the floor breaks at the doubled drift
    expect(floor).to_be_visible(timeout=TIMEOUT)
    expect(floor).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    floor.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.14-failure.png"))
    cadence.press("ArrowLeft")  # reversible
    expect(floor).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    deadline = time.time() + TIMEOUT / 1000  # the save cell runs after the banner's cell: wait for it
    while (led.get("v1.14") or {}).get("decisions", {}).get("cadence_months") != 3 and time.time() < deadline:
        time.sleep(0.2)
    rec = led.get("v1.14")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert rec["decisions"]["cadence_months"] == 3
    assert all(p["correct"] for p in rec["predictions"])
    history = [c for h in led.history("v1.14") for c in h.get("constraints", [])]
    assert "accuracy SLA" in history and "undetected breach" in history
