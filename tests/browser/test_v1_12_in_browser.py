"""The learner's path through v1.12 in a real browser: commit every prediction, see the
reveals, push the camera pipeline past its latency budget and back, and find the
predictions, outcomes and the constraint in the ledger."""
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


def test_v1_12_predict_reveal_deadline_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.12/")
    expect(page.get_by_text("Commit your prediction above to unlock the pipeline bench")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    page.get_by_text("about 10x faster", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    page.get_by_text("about 6", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal")).to_have_count(2, timeout=TIMEOUT)
    page.get_by_text("about 100", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal")).to_have_count(3, timeout=TIMEOUT)
    page.get_by_text("all of it, about 100%", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator(".mls-reveal")).to_have_count(4, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    # the scenario's own failures: a 3% claim from 5 runs, a P99 from 100 requests
    expect(page.locator("[data-failure='Claim inside the noise']")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-failure='Tail claim unsupported']")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-failure='Deadline missed']")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "v1.12-unlocked.png"))

    deadline = page.locator("[data-failure='Deadline missed']")
    speedup = page.get_by_role("slider").first  # Part A: model speedup
    speedup.focus()
    speedup.press("Home")  # 1x: today's pipeline, over the budget
    expect(deadline).to_be_visible(timeout=TIMEOUT)
    expect(deadline).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    deadline.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.12-failure.png"))
    speedup.press("End")  # reversible
    expect(deadline).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.12")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert {p["id"]: p["choice"] for p in rec["predictions"]} == {
        "partA": "about 10x", "partB": "about 6", "partC": "about 100", "partD": "all of it, about 100%"}
    assert 0 < rec["outcomes"]["server_fraction_of_offline"] < 1 and math.isfinite(rec["outcomes"]["e2e_speedup"])
    history = [c for h in led.history("v1.12") for c in h.get("constraints", [])]
    assert any(c.startswith("deadline:") for c in history)
