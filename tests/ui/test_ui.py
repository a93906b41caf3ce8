import math

import pytest

from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.ui import components as ui
from mlsyslabs.ui import predictions as G
from mlsyslabs.ui import tokens
from mlsyslabs.ui.gallery import gallery_html

EVIL = "<script>alert('x')</script>&"


@pytest.mark.parametrize("name,fg,bg", tokens.text_pairs())
def test_text_meets_wcag_aa(name, fg, bg):
    assert tokens.contrast_ratio(fg, bg) >= 4.5, name


def test_contrast_ratio_known_values():
    assert tokens.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert tokens.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_status_is_never_colour_alone():
    for fg, bg, icon, word in tokens.STATUS.values():
        assert icon and word
    html = ui.slo_bars(ui.slo_bar("P99", 150, 100, unit="ms")).text
    assert "Failure" in html and "✖" in html


@pytest.mark.parametrize("render", [
    lambda: ui.stakeholder(EVIL, EVIL, EVIL),
    lambda: ui.banner("warn", EVIL, EVIL),
    lambda: ui.failure_banner(EVIL, what=EVIL, by=EVIL, fix=EVIL),
    lambda: ui.cards(ui.metric_card(EVIL, EVIL, EVIL, "ok")),
    lambda: ui.slo_bars(ui.slo_bar(EVIL, 1, 2, unit=EVIL)),
    lambda: ui.tier_panel([{"tier": "edge", "title": EVIL, "lines": [EVIL], "status": "fail"}]),
    lambda: ui.status_hud(lab_id=EVIL, predictions=0, of=1, saved=False, constraint_hit=False, context=None),
    lambda: ui.header(get_lab("v1.00"), subtitle=EVIL, parts=[EVIL], notice=EVIL),
    lambda: ui.reveal(G.grade_numeric("p", EVIL, 2, 4, explanation=EVIL, unit=EVIL)),
])
def test_components_escape_text(render):
    html = render().text
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_gallery_escapes_ledger_content_and_shows_progress():
    page = gallery_html([get_lab("v1.00"), get_lab("v2.17")],  # v2.17: the last lab to ship
                        {"v1.00": {"predictions": [{"correct": True}, {"correct": False}]}}, notice=EVIL)
    assert "<script>" not in page and "1/2 predictions right" in page and "coming soon" in page


def test_failure_banner_says_what_by_how_much_and_fix():
    html = ui.failure_banner("OOM", what="needs 20 GB", by="5 GB", fix="quantize").text
    assert all(s in html for s in ("OOM", "needs 20 GB", "Exceeded by 5 GB", "Fix: quantize", "role='alert'"))


def test_grading():
    r = G.grade_numeric("partA", "Amdahl", 2.0, 50.0, explanation="why")
    assert not r.correct and r.off_by == 25 and r.direction == "under"
    assert G.grade_numeric("a", "x", 40, 50, explanation="").correct
    c = G.grade_choice("b", "x", "4x", "1x", option_values={"4x": 4.0, "1x": 1.0}, actual=1.02, explanation="")
    assert not c.correct and c.off_by == pytest.approx(4 / 1.02)
    assert G.closest_option({"a": 10, "b": 1e3, "c": 3e5}, 305_176) == "c"
    assert G.choice_for_value(0.9, [(0.8, "room"), (1.0, "tight"), (math.inf, "oom")]) == "tight"
    rec = G.grade_numeric("z", "x", 0.0, 5.0, explanation="").to_record()
    assert rec["off_by"] is None and rec["correct"] is False  # never an infinity in the ledger


def test_unbounded_values_read_as_words():
    from mlsyslabs.physics.units import fmt_seconds

    assert fmt_seconds(float("inf")) == "unbounded"
    html = ui.slo_bars(ui.slo_bar("P99", float("inf"), 100, unit="ms")).text
    assert "unbounded" in html and "inf" not in html.replace("info", "")


def test_gallery_names_its_learner_escaped_and_a_static_site_has_no_name_form():
    page = gallery_html([get_lab("v1.00")], {}, learner='Zoë "Z" & co')
    assert "Signed as <b>Zoë &quot;Z&quot; &amp; co</b>" in page and "action='whoami'" in page
    assert "action='whoami'" not in gallery_html([get_lab("v1.00")], {}, name_form=False)
