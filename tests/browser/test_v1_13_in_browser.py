"""The learner's path through v1.13 in a real browser: commit every prediction, see the
reveals, push the endpoint past saturation and back, and find the operating point's
P99 (the ledger contract read by v1.16) and the constraint in the ledger."""
import math
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


def test_v1_13_predict_reveal_overload_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.13/")
    expect(page.get_by_text("Commit your prediction above to unlock the utilization curve")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    page.get_by_text("about 2.6x", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    page.get_by_text("about 20x", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal")).to_have_count(2, timeout=TIMEOUT)
    page.get_by_text("Batch up to 8, take whatever is waiting", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal")).to_have_count(3, timeout=TIMEOUT)
    number = page.locator("input").last
    number.fill("60")
    number.press("Tab")
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator(".mls-reveal")).to_have_count(4, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-failure]")).to_have_count(0)  # the scenario's defaults meet every objective
    page.screenshot(path=str(ARTIFACTS / "v1.13-unlocked.png"))

    overload = page.locator("[data-failure='Overload']")
    util = page.get_by_role("slider").first  # Part A: GPU utilization
    util.focus()
    util.press("End")
    expect(overload).to_be_visible(timeout=TIMEOUT)
    expect(overload).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    overload.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.13-failure.png"))
    util.press("Home")  # reversible
    expect(overload).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.13")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert math.isfinite(rec["outcomes"]["p99_ms"]) and rec["outcomes"]["p99_ms"] > 0
    history = [c for h in led.history("v1.13") for c in h.get("constraints", [])]
    assert any(c.startswith("overload: batch-1 endpoint at 105%") for c in history)
