"""The learner's path through v1.11 in a real browser: commit every prediction, see a
reveal, find the vendor's flagship over the robot's power envelope and budget, switch to
the part that fits every budget and back, and find the decision in the ledger."""
import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import get_device

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
COMMIT = "Commit my prediction (final)"


def _choose_and_commit(page, option):
    page.get_by_role("radio", name=option, exact=True).click()
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_11_predict_reveal_power_limit_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.11/")
    expect(page.get_by_text("Commit your prediction above to unlock the what-if chip")).to_be_visible(
        timeout=TIMEOUT)

    _choose_and_commit(page, "about 2x")
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    expect(page.locator(".mls-reveal").first).to_contain_text("about 1x")
    _choose_and_commit(page, "about 320 sequences")
    _choose_and_commit(page, get_device("l4").name)
    _choose_and_commit(page, get_device("jetson-agx-orin").name)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_text("Key takeaways").first).to_be_visible(timeout=TIMEOUT)

    thermal = page.locator("[data-failure='Power/thermal limit']")
    budget = page.locator("[data-failure='Over budget']")
    expect(thermal).to_have_count(1, timeout=TIMEOUT)  # the flagship: 60 W in a 30 W bay
    expect(budget).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "v1.11-unlocked.png"), full_page=True)

    chooser = page.locator("select").filter(has=page.locator("option", has_text="Hailo-8"))
    chooser.select_option(label=get_device("jetson-orin-nx-16gb").name)
    expect(thermal).to_have_count(0, timeout=TIMEOUT)  # reversible: the mid-range module fits every budget
    expect(budget).to_have_count(0)
    expect(page.get_by_text("Meets every budget", exact=False).first).to_be_visible()
    chooser.select_option(label=get_device("jetson-agx-orin").name)
    expect(thermal).to_have_count(1, timeout=TIMEOUT)
    chooser.select_option(label=get_device("jetson-orin-nx-16gb").name)
    expect(thermal).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.11")
    assert rec is not None and len(rec["predictions"]) == 4
    assert {p["id"]: p["correct"] for p in rec["predictions"]} == {"partA": False, "partB": True, "partC": True,
                                                                    "partD": False}
    assert rec["decisions"]["accelerator"] == "jetson-orin-nx-16gb"
    assert rec["outcomes"]["feasible_accelerator"] == "jetson-orin-nx-16gb"
    history = [c for h in led.history("v1.11") for c in h.get("constraints", [])]
    assert any(c.startswith("thermal") for c in history)
