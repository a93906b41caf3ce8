"""The learner's path through v1.05 in a real browser: commit every prediction, see
a reveal, push the microcontroller's width past its SRAM and back, and find the
memory breakdown and the constraint in the ledger."""
import re

import pytest
from playwright.sync_api import expect

from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ledger import Ledger

from tests.labs.harness import load_module
from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
LAB = load_module(get_lab("v1.05").path)
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_05_predict_reveal_sram_overflow_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.05/")
    part_a = next(k for k, v in LAB.part_a_options().items() if v == LAB.part_a_answer())
    expect(page.get_by_text(part_a)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Commit your prediction above to unlock the network counter")).to_be_visible()
    expect(page.get_by_role("slider")).to_have_count(0)

    page.get_by_text(part_a).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    expect(page.locator(".mls-reveal").first).to_contain_text(part_a)
    page.get_by_text("about 10x", exact=True).click()
    _commit(page)
    expect(page.locator("[data-failure='OOM']").first).to_be_visible(timeout=TIMEOUT)  # fine-tuning on the edge board
    number = page.locator("input[inputmode='numeric']").first  # an integer number renders as a numeric text box
    number.fill("8")
    number.press("Tab")
    _commit(page)
    expect(page.get_by_text("the batch planner")).to_have_count(0, timeout=TIMEOUT)
    page.get_by_text("32 units", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_text("Key takeaways").first).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "v1.05-unlocked.png"))

    overflow = page.locator("[data-failure='SRAM overflow']")
    expect(overflow).to_have_count(0)
    width = page.get_by_role("slider").nth(7)  # A: 3, B: 2, C: 2, then Part D's hidden width
    width.focus()
    width.press("End")
    expect(overflow).to_be_visible(timeout=TIMEOUT)
    expect(overflow).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    overflow.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.05-failure.png"))
    width.press("Home")  # reversible
    expect(overflow).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.05")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert rec["outcomes"]["bytes_per_param_training"] == 16
    assert any("SRAM overflow" in c for h in led.history("v1.05") for c in h.get("constraints", []))
