"""The learner's path through v1.06 in a real browser: commit every prediction, see
a reveal, find Mixtral's fp16 weights overflowing the cloud GPU, quantise them to fit,
and find the outcomes and the constraint in the ledger."""
import pytest
from playwright.sync_api import expect

from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ledger import Ledger

from tests.labs.harness import load_module
from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
LAB = load_module(get_lab("v1.06").path)
COMMIT = "Commit my prediction (final)"


def _commit(page):
    page.get_by_role("button", name=COMMIT).first.click()


def test_v1_06_predict_reveal_moe_oom_and_ledger(fresh_server, page):
    page.set_viewport_size({"width": 1200, "height": 8000})
    page.goto(fresh_server["url"] + "/labs/v1.06/")
    expect(page.get_by_text("about 30,000 tokens")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("the FLOP split")).to_be_visible()

    page.get_by_text("about 30,000 tokens", exact=True).click()
    _commit(page)
    expect(page.locator(".mls-reveal").first).to_contain_text("The answer", timeout=TIMEOUT)
    page.get_by_text("about 8x", exact=True).click()
    _commit(page)
    oom = page.locator("[data-failure='OOM']")
    expect(oom.first).to_be_visible(timeout=TIMEOUT)  # Mixtral in fp16 on one H100
    answer_c = next(k for k, v in LAB.PART_C_OPTIONS.items() if v == LAB.part_c_answer())
    page.get_by_text(answer_c, exact=True).click()
    _commit(page)
    expect(page.get_by_role("button", name=COMMIT)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_text("Key takeaways").first).to_be_visible(timeout=TIMEOUT)
    expect(oom).to_have_count(2, timeout=TIMEOUT)  # Part B's plan and Part C's MoE card
    page.screenshot(path=str(ARTIFACTS / "v1.06-unlocked.png"))

    precision_b = page.locator("select").nth(3)  # A: model, context; B: model, precision
    precision_b.select_option(label="int8")
    expect(oom).to_have_count(1, timeout=TIMEOUT)  # reversible: int8 weights fit
    precision_b.select_option(label="fp16")
    expect(oom).to_have_count(2, timeout=TIMEOUT)

    led = Ledger.open(fresh_server["home"])
    rec = led.get("v1.06")
    assert rec is not None and len(rec["predictions"]) == 3
    assert rec["outcomes"]["moe_total_to_active"] == pytest.approx(LAB.part_b_ratio())
    assert any("OOM: mixtral-8x7b" in c for h in led.history("v1.06") for c in h.get("constraints", []))
