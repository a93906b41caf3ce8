"""Accessibility in Chromium: axe-core finds no serious or critical violation in the
project's own components, and a lab can be completed with the keyboard alone."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mlsyslabs.labs.catalog import ready_labs

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 45_000
COMMIT = "Commit my prediction (final)"
# the focused element's text, looking through marimo's shadow roots
DEEP_FOCUS = """() => { let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el ? (el.textContent || el.getAttribute('aria-label') || el.tagName) : ''; }"""


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def axe_violations(page, selector: str) -> list[str]:
    """Serious and critical axe-core violations inside `selector` elements."""
    page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        """async (sel) => {
             const nodes = Array.from(document.querySelectorAll(sel));
             if (!nodes.length) return {violations: []};
             return await axe.run(nodes, {resultTypes: ['violations']});
           }""", selector)
    return [f"{v['id']} ({v['impact']}): {v['help']} x{len(v['nodes'])}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_gallery_has_no_serious_violations(server, page):
    page.goto(server["url"] + "/")
    expect(page.get_by_role("main")).to_be_visible()
    assert axe_violations(page, "body") == []


@pytest.mark.parametrize("lab", [lab.id for lab in ready_labs()])
def test_lab_components_have_no_serious_violations(server, page, lab):
    page.goto(f"{server['url']}/labs/{lab}/")
    expect(page.locator(".mls-header")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name=COMMIT).first).to_be_visible(timeout=TIMEOUT)
    assert axe_violations(page, ".mls") == []


def test_v1_00_can_be_completed_by_keyboard(fresh_server, page):
    page.goto(fresh_server["url"] + "/labs/v1.00/")
    first = page.get_by_role("radio").first
    expect(first).to_be_visible(timeout=TIMEOUT)
    for _ in range(2):  # each open question: focus an option, Space selects it (commits nothing), Tab, Enter
        radio = page.get_by_role("radio").first
        radio.focus()
        radio.press("Space")
        expect(page.get_by_text("Committed:")).to_have_count(_)
        page.keyboard.press("Tab")
        focused = page.evaluate(DEEP_FOCUS)
        assert "Commit my prediction" in focused, f"Tab from the options lands on {focused!r}"
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name=COMMIT)).to_have_count(1 if _ == 0 else 0, timeout=TIMEOUT)
    expect(page.get_by_text("Committed:")).to_have_count(2)
    expect(page.get_by_role("heading", name="Key takeaways")).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "v1.00-keyboard.png"), full_page=True)
