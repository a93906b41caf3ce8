"""The learner's path through v2.06 in a real browser: commit every prediction, see the
reveals, shrink the DDP buckets until communication outlasts compute and back, and
find the decisions, outcomes and the constraint in the ledger."""
import pytest
from playwright.sync_api import expect

from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
COMMIT = "Commit my prediction (final)"


def _load():
    """The notebook's scenario layer (its setup names and @app.function functions)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("labmod_v2_06_browser", get_lab("v2.06").path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


LAB = _load()


def _choose_and_commit(page, option):
    page.get_by_role("radio", name=option, exact=True).click()
    page.get_by_role("button", name=COMMIT).first.click()


def test_v2_06_predict_reveal_communication_bound_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v2.06/")
    expect(page.get_by_text("Commit your prediction above to unlock the algorithm explorer")).to_be_visible(
        timeout=TIMEOUT)

    _choose_and_commit(page, "Ring for both")
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    expect(page.locator(".mls-reveal").first).to_contain_text("Tree for the small one, ring for the large one")
    _choose_and_commit(page, LAB.part_b_answer())
    expect(page.locator(".mls-reveal")).to_have_count(2, timeout=TIMEOUT)
    _choose_and_commit(page, "About half as long")
    expect(page.locator(".mls-reveal")).to_have_count(3, timeout=TIMEOUT)
    _choose_and_commit(page, LAB.bucket_label(LAB.PART_D_CHOICES[1]))
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator(".mls-reveal")).to_have_count(4, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-failure]")).to_have_count(0)  # the scenario's defaults overlap fine
    page.screenshot(path=str(ARTIFACTS / "v2.06-unlocked.png"))

    bound = page.locator("[data-failure='Communication-bound']")
    buckets = page.locator("select").filter(has=page.locator("option", has_text="PyTorch DDP default"))
    buckets.select_option(label="1 MiB")
    expect(bound).to_be_visible(timeout=TIMEOUT)
    expect(bound).to_contain_text("Exceeded by")
    bound.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v2.06-failure.png"))
    buckets.select_option(label=LAB.bucket_label(2**28))  # reversible
    expect(bound).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v2.06")
    assert rec is not None and len(rec["predictions"]) == 4 and rec["outcomes"]["completed"] is True
    assert {p["id"]: p["correct"] for p in rec["predictions"]} == {"partA": False, "partB": True, "partC": False,
                                                                    "partD": False}
    assert rec["decisions"]["bucket_bytes"] == 2**28
    assert rec["outcomes"]["best_bucket_bytes"] == 2**28
    history = [c for h in led.history("v2.06") for c in h.get("constraints", [])]
    assert any(c.startswith("exposed communication > compute") for c in history)
