"""The learner's path through v1.08 in a real browser: commit every prediction, see a
reveal, find the fp32 7B run out of memory, combine the levers until it fits, and find
the record in the ledger."""
import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_08_predict_reveal_oom_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.08/")
    expect(page.get_by_text("Commit your prediction above to unlock the memory breakdown")).to_be_visible(
        timeout=TIMEOUT)
    page.get_by_text("No batch fits: even batch 1 runs out of memory", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    page.get_by_text("about +30%", exact=True).click()
    _commit(page)
    page.get_by_text("Switch to bf16 mixed precision", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)

    oom = page.locator("[data-failure='OOM']")
    expect(oom).to_have_count(2, timeout=TIMEOUT)  # Part A's 7B and Part C's fp32 run
    page.screenshot(path=str(ARTIFACTS / "v1.08-unlocked.png"))
    page.locator("label").get_by_text("bf16 mixed precision", exact=True).click()
    page.get_by_text("Full activation recomputation", exact=True).click()
    page.get_by_text("Offload optimizer states to host", exact=True).click()
    expect(oom).to_have_count(1, timeout=TIMEOUT)  # the levers combined fit: reversible
    page.screenshot(path=str(ARTIFACTS / "v1.08-fixed.png"))

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.08")
    assert rec is not None and len(rec["predictions"]) == 3
    assert {p["id"]: p["correct"] for p in rec["predictions"]} == {"partA": True, "partB": True, "partC": False}
    history = [c for h in led.history("v1.08") for c in h.get("constraints", [])]
    assert "OOM: fp32 7B levers" in history
