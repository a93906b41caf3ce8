"""The learner's path through v1.07 in a real browser: commit every prediction, see a
reveal, find the eager detector over its latency SLO, compile it under the SLO, push the
batch until the SLO breaks again, and find the record in the ledger."""
import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_07_predict_reveal_slo_failure_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.07/")
    expect(page.get_by_text("Commit your prediction above to unlock the fusion bench")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_role("slider")).to_have_count(0)

    page.get_by_text("Fusion: about 3x from fusing; double the FLOP/s about 1x", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    page.get_by_text("Only the FFN up-projection GEMM", exact=True).click()
    _commit(page)
    page.get_by_text("10-35%", exact=True).click()
    _commit(page)
    page.get_by_text("5 minutes to 2 hours", exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)

    slo = page.locator("[data-failure='LATENCY SLO']")
    expect(slo.first).to_be_visible(timeout=TIMEOUT)  # the scenario: eager misses 1 ms
    page.screenshot(path=str(ARTIFACTS / "v1.07-unlocked.png"))
    page.get_by_text("compiled + CUDA graph", exact=True).first.click()
    expect(slo).to_have_count(0, timeout=TIMEOUT)  # reversible
    batch = page.get_by_role("slider").nth(3)  # A: ops, size; B: tokens; then Part C's batch
    batch.focus()
    batch.press("End")
    expect(slo.first).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "v1.07-failure.png"))

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.07")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert {p["id"]: p["correct"] for p in rec["predictions"]} == {"partA": True, "partB": True, "partC": False,
                                                                   "partD": True}
    history = [c for h in led.history("v1.07") for c in h.get("constraints", [])]
    assert any(c.startswith("SLO: mobilenetv2") for c in history)
