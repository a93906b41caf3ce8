"""The learner's path through v1.04 in a real browser: commit all five predictions,
see Part E's reveal, push the batch period past the freshness SLA and back, and find
the new freshness keys and the constraint in the ledger."""
import re

import pytest
from playwright.sync_api import expect

from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ledger import Ledger

from tests.labs.harness import load_module
from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
LAB = load_module(get_lab("v1.04").path)
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_04_predict_reveal_stale_feature_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1280, "height": 9000})
    page.goto(fresh_server["url"] + "/labs/v1.04/")
    expect(page.get_by_text("Commit your prediction above to unlock the freshness planner")).to_be_visible(
        timeout=TIMEOUT)
    _commit(page)  # Part A: the slider's default
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(5, timeout=TIMEOUT)
    page.get_by_text(next(iter(LAB.PART_B_OPTIONS))).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(4, timeout=TIMEOUT)
    page.get_by_text("about 35%", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(3, timeout=TIMEOUT)
    _commit(page)  # Part D: the slider's default
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(2, timeout=TIMEOUT)
    answer = next(k for k, v in LAB.PART_E_OPTIONS.items() if v == LAB.part_e_answer())
    page.get_by_text(answer).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(1, timeout=TIMEOUT)
    page.get_by_text(f"{LAB.part_f_answer()} of {len(LAB.PART_F_CHANGES)}", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_text("Key takeaways").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".mls-reveal").nth(4)).to_contain_text(answer)
    expect(page.locator("[data-failure='Silent corruption']")).to_be_visible()  # the schema misses two changes
    page.screenshot(path=str(ARTIFACTS / "v1.04-unlocked.png"))

    stale = page.locator("[data-failure='Stale feature']")
    expect(stale).to_have_count(0)
    period = page.get_by_role("slider").nth(-3)  # Part E's batch period and job latency, then Part F's share
    period.focus()
    period.press("End")
    expect(stale).to_be_visible(timeout=TIMEOUT)
    expect(stale).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    stale.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.04-failure.png"))
    period.press("Home")  # reversible
    expect(stale).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.04")
    assert rec is not None and len(rec["predictions"]) == 6 and rec["outcomes"]["completed"] is True
    assert rec["outcomes"]["freshness_plan"] == LAB.part_e_answer()
    assert rec["decisions"]["freshness_policy"] == "batch" and rec["decisions"]["contract_level"] == "schema"
    assert any("feature staler than its SLA" in c for h in led.history("v1.04") for c in h.get("constraints", []))
