"""`mlsyslabs serve --class`: two learners (two browsers, two cookie jars) on one
server never see each other's work; each gets a ledger of their own, named from the
gallery; a forged learner cookie cannot reach another folder."""
import urllib.request

import pytest
from playwright.sync_api import expect

from mlsyslabs.ledger import Ledger

from .conftest import guard_offsite, running_server

pytestmark = pytest.mark.browser
TIMEOUT = 45_000
COMMIT = "Commit my prediction (final)"


def test_two_learners_on_one_class_server_are_kept_apart(browser, tmp_path):
    with running_server(tmp_path / "home", "--class") as srv:
        people = [browser.new_context(viewport={"width": 1280, "height": 1000}) for _ in range(2)]
        pages = [c.new_page() for c in people]
        offsite = [guard_offsite(p) for p in pages]
        try:
            for p, name in zip(pages, ("Ada (s1)", "Grace (s2)")):
                p.goto(srv["url"] + "/")
                p.get_by_label("Your name or student id").fill(name)
                p.get_by_role("button", name="Save name").click()
                expect(p.get_by_text(f"Signed as {name}")).to_be_visible(timeout=TIMEOUT)
            ada, grace = pages
            ada.goto(srv["url"] + "/labs/v1.00/")
            expect(ada.get_by_text("about 300,000x")).to_be_visible(timeout=TIMEOUT)
            ada.get_by_text("about 3,000x", exact=True).click()
            ada.get_by_role("button", name=COMMIT).first.click()
            expect(ada.get_by_text("Committed: about 3,000x")).to_be_visible(timeout=TIMEOUT)
            # Grace opens the same lab afterwards: her question is still open
            grace.goto(srv["url"] + "/labs/v1.00/")
            expect(grace.get_by_text("about 300,000x")).to_be_visible(timeout=TIMEOUT)
            expect(grace.get_by_text("Committed: about 3,000x")).to_have_count(0)
            expect(grace.get_by_role("button", name=COMMIT).first).to_be_visible()
            grace.goto(srv["url"] + "/")
            expect(grace.locator("[data-lab='v1.00']")).to_contain_text("visited")
            expect(grace.locator("[data-lab='v1.00']")).not_to_contain_text("predictions right")
            ada.goto(srv["url"] + "/")
            expect(ada.locator("[data-lab='v1.00']")).to_contain_text("0/1 predictions right")
        finally:
            for c in people:
                c.close()
        folders = sorted((srv["home"] / "learners").iterdir())
        assert len(folders) >= 2
        named = {Ledger.open(f).learner(): Ledger.open(f) for f in folders if Ledger.open(f).learner()}
        assert set(named) == {"Ada (s1)", "Grace (s2)"}
        assert [p["choice"] for p in named["Ada (s1)"].get("v1.00")["predictions"]] == ["about 3,000x"]
        assert named["Grace (s2)"].get("v1.00") is None or not named["Grace (s2)"].get("v1.00")["predictions"]
        assert not (srv["home"] / "ledger.json").exists()  # nobody wrote the server owner's ledger
        assert not any(offsite)

        # a forged cookie naming a path is replaced by a fresh id, never used as a folder name
        port = srv["url"].rsplit(":", 1)[1]
        req = urllib.request.Request(srv["url"] + "/", headers={"Cookie": f"mlsyslabs_learner_{port}=../../etc"})
        with urllib.request.urlopen(req, timeout=10) as r:
            cookie = r.headers.get("set-cookie", "")
        assert cookie.startswith("mlsyslabs_learner_") and "../" not in cookie and "HttpOnly" in cookie
        assert not any("etc" in f.name for f in (srv["home"] / "learners").iterdir())
