"""The learner's path through v1.00 in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 45_000


def test_gallery_lists_both_volumes(server, page):
    page.goto(server["url"] + "/")
    expect(page.get_by_text("Volume I: one machine, four tiers")).to_be_visible()
    expect(page.get_by_role("link", name="The Map")).to_be_visible()
    expect(page.locator("[data-lab='v2.17']")).to_contain_text("The Fleet Architect")
    page.screenshot(path=str(ARTIFACTS / "gallery.png"), full_page=True)


def test_v1_00_lock_unlock_slider_failure_and_ledger(server, page):
    page.goto(server["url"] + "/labs/v1.00/")
    expect(page.get_by_text("about 300,000x")).to_be_visible(timeout=TIMEOUT)
    # locked: a lock notice and no instruments yet
    expect(page.get_by_text("Commit your prediction above to unlock the tier comparison")).to_be_visible()
    expect(page.get_by_role("slider")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "v1.00-locked.png"))

    page.get_by_text("about 300,000x").click()
    page.get_by_role("button", name="Commit my prediction (final)").first.click()
    expect(page.get_by_text("305,176x").first).to_be_visible(timeout=TIMEOUT)
    page.get_by_text("Does not fit").click()
    page.get_by_role("button", name="Commit my prediction (final)").first.click()
    sliders = page.get_by_role("slider")
    expect(sliders.first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Unlocked", exact=False)).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "v1.00-unlocked.png"))

    # the instrument opens on Diego's proposal (fp16 on the 16 GB board), which the reveal says does not fit
    banner = page.locator("[data-failure='OOM']")
    expect(banner).to_be_visible(timeout=TIMEOUT)
    expect(banner).to_contain_text(re.compile(r"Exceeded by .*Fix:"))
    banner.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.00-failure.png"))

    page.locator("select").filter(has_text="int8").select_option("int8")  # the fix: half the bytes per weight
    expect(banner).to_have_count(0, timeout=TIMEOUT)
    kv = page.locator(".mls-card", has_text="KV cache").locator(".mls-value")
    before = kv.inner_text()
    context_slider = sliders.first
    context_slider.focus()
    for _ in range(4):
        context_slider.press("ArrowRight")
    expect(kv).not_to_have_text(before, timeout=TIMEOUT)  # the computed figure moved

    context_slider.press("End")  # 131,072 tokens of KV cache: past the board's limit even at int8
    expect(banner).to_be_visible(timeout=TIMEOUT)
    context_slider.press("Home")  # reversible
    expect(banner).to_have_count(0, timeout=TIMEOUT)

    led = Ledger.open(server["home"])
    rec = led.get("v1.00")
    assert rec is not None and len(rec["predictions"]) == 2
    assert any(h["constraint_hit"] for h in led.history("v1.00"))  # the OOM was recorded


def test_v1_01_lock_unlock_and_edge_oom(server, page):
    page.goto(server["url"] + "/labs/v1.01/")
    expect(page.get_by_text("about 75%")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Commit your prediction above to unlock the scaling-law levers")).to_be_visible()
    expect(page.get_by_role("slider")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "v1.01-locked.png"))

    def commit(option):  # the first open prediction form: pick an option, press its commit button
        form = page.locator("form", has=page.get_by_role("button", name="Commit my prediction (final)")).first
        form.get_by_text(option, exact=True).click()
        form.get_by_role("button", name="Commit my prediction (final)").click()

    commit("about 8%")
    expect(page.get_by_text("loss with this mix")).to_be_visible(timeout=TIMEOUT)
    page.get_by_text("Share of today's reducible loss removed").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.01-unlocked.png"))
    commit("about 20%")
    expect(page.get_by_text("D-A-M diagnostic")).to_be_visible(timeout=TIMEOUT)
    commit("Machine (memory)")
    # the deployment check opens on the hospitals' box and target: the OOM the reveal explains
    banner = page.locator("[data-failure='OOM']")
    expect(banner).to_be_visible(timeout=TIMEOUT)
    banner.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "v1.01-failure.png"))
    target = page.get_by_role("slider").nth(4)  # A: 2 sliders, B: 2, C: the target loss
    target.focus()
    target.press("End")  # a looser target fits the board: reversible
    expect(banner).to_have_count(0, timeout=TIMEOUT)
    target.press("Home")  # below the data floor no model size gets there
    expect(page.locator("[data-failure='Data binds']")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".mls-card", has_text="parameters needed")).to_contain_text("unbounded")
    led = Ledger.open(server["home"])
    assert len(led.get("v1.01")["predictions"]) == 3
    assert any(h["constraint_hit"] for h in led.history("v1.01"))  # the edge OOM was recorded
