"""The learner's path through the capstone v1.16 in a real browser, with a ledger that
has a few labs done: the report card quotes a miss with its lab and says "not
attempted" for the rest; the starting design names the labs its settings came from;
commit both predictions, see the reveal, push the cloud fleet into an unbounded queue
and back, and find the record in the ledger."""
import importlib.util

import pytest
from playwright.sync_api import expect

from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
COMMIT = "Commit my prediction (final)"


def _lab_module():
    path = get_lab("v1.16").path
    spec = importlib.util.spec_from_file_location("v116_browser", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _seed(home):
    led = Ledger.open(home)
    led.save("v1.02", {"predictions": [
        {"id": "partA", "invariant": "Iron Law", "choice": "compute", "predicted": None, "actual": None,
         "correct": False, "off_by": None, "label": "O/R, compute", "answer_label": "D/BW, data movement"},
        {"id": "partB", "invariant": "Iron Law", "choice": "data", "predicted": None, "actual": None,
         "correct": True, "off_by": None}], "outcomes": {"completed": False}})
    led.save("v1.10", {"decisions": {"precision": "int4"}})
    led.save("v1.14", {"decisions": {"cadence_months": 2}})
    return led


def test_v1_16_report_card_design_from_ledger_failure_and_record(fresh_server, page):
    home = fresh_server["home"]
    led = _seed(home)
    lab = _lab_module()
    answer = lab.act2_answer(lab.starting_design(led))[0]
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.16/")
    expect(page.get_by_text("Commit your prediction above to unlock your report card")).to_be_visible(timeout=TIMEOUT)
    # the starting design shows where its settings came from, before any prediction
    expect(page.get_by_text("v1.10 The Compression Frontier: the precision you shipped in Part D")).to_be_visible()
    expect(page.get_by_text("v1.14 Drift and MLOps: your retraining cadence in Part D")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "v1.16-locked.png"))

    page.get_by_text("Memory bandwidth: bytes moved, not compute").click()
    page.get_by_role("button", name=COMMIT).first.click()
    expect(page.get_by_text("Your largest misses")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("v1.02 The Iron Law, Part A (Iron Law)")).to_be_visible()
    expect(page.get_by_text("Not attempted (no prediction yet, not a score of zero)")).to_be_visible()
    expect(page.get_by_text("1 of 2 right")).to_be_visible()

    page.get_by_text(f"{lab.ui.tier_name(answer)} (", exact=False).first.click()
    page.get_by_role("button", name=COMMIT).first.click()
    expect(page.get_by_text("unlock the design instruments")).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("slider").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".mls-reveal")).to_have_count(2, timeout=TIMEOUT)
    expect(page.locator(".mls-reveal").last).to_contain_text("The answer", timeout=TIMEOUT)
    expect(page.get_by_text("how far each tier was from working", exact=False)).to_have_count(1, timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "v1.16-unlocked.png"))

    gpus = page.get_by_role("slider").first  # the cloud fleet
    gpus.focus()
    gpus.press("Home")  # one GPU cannot carry 1,000 requests/s: the queue is unbounded
    banner = page.locator("[data-failure='P99 SLA']")
    expect(banner).to_be_visible(timeout=TIMEOUT)
    expect(banner).to_contain_text("unbounded queue", timeout=TIMEOUT)
    banner.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.16-failure.png"))
    gpus.press("End")  # 2,048 GPUs: the queue is gone (and the bill is too high)
    expect(banner).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator("[data-failure='Budget']")).to_be_visible(timeout=TIMEOUT)

    rec = Ledger.open(home).get("v1.16")
    assert len(rec["predictions"]) == 2 and rec["outcomes"]["hardest_tier"] == answer
    assert any("P99" in c for c in rec["constraints"])
    assert rec["decisions"]["q_cloud"] == "int4" and rec["decisions"]["cadence_months"] == 2
