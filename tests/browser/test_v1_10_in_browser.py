"""The learner's path through v1.10 in a real browser: commit every prediction, see a
reveal, find the team's fp16 plan out of memory on the edge board, push Part C's
traffic down until distillation never pays back and up again, and find the chosen
precision and the constraints in the ledger."""
import re

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
PRECISIONS = {"fp16", "int8", "int4", "ternary"}  # the ledger contract read by v1.16
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_10_predict_reveal_payback_failure_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.10/")
    expect(page.get_by_text("Commit your prediction above to unlock the quantization bench")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    number = page.locator("input").first  # a decimal-step number renders as a numeric text box
    number.fill("2.6")
    number.press("Tab")
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The physics says", timeout=TIMEOUT)
    page.get_by_text("about 1x", exact=True).click()
    _commit(page)
    expect(page.get_by_text("The answer").first).to_be_visible(timeout=TIMEOUT)
    page.get_by_text("about 10 billion", exact=True).click()
    _commit(page)
    expect(page.get_by_text("the payback calculator")).to_have_count(0, timeout=TIMEOUT)
    page.get_by_text("int4", exact=True).last.click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-failure='OOM']").first).to_be_visible(timeout=TIMEOUT)  # the team's fp16 plan
    page.screenshot(path=str(ARTIFACTS / "v1.10-unlocked.png"))

    never = page.locator("[data-failure='Never pays back']")
    expect(never).to_have_count(0)
    qps = page.get_by_role("slider").nth(6)  # A: 2, B: 2, then Part C's tokens, batch, queries/s
    qps.focus()
    qps.press("Home")
    expect(never).to_be_visible(timeout=TIMEOUT)
    expect(never).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    never.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.10-failure.png"))
    qps.press("End")  # reversible
    expect(never).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.10")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert rec["decisions"]["precision"] in PRECISIONS
    assert {p["id"]: p["correct"] for p in rec["predictions"]} == {"partA": True, "partB": True, "partC": True,
                                                                   "partD": True}
    history = [c for h in led.history("v1.10") for c in h.get("constraints", [])]
    assert any("never pays back" in c for c in history) and any(c.startswith("OOM: fp16") for c in history)
