"""Tamper evidence (a hash chain per lab) and the learner's name."""
import json

import pytest

from mlsyslabs.ledger import Ledger, LedgerError, chain
from mlsyslabs.ledger import browser_store as B
from mlsyslabs.ledger.store import parse_document


def pred(part, choice, correct=False):
    return {"id": part, "invariant": "Iron Law", "choice": choice, "label": choice, "answer_label": "x",
            "predicted": None, "actual": None, "correct": correct, "off_by": None,
            "committed_at": "2026-01-01T00:00:00Z"}


def worked(tmp_path, name="a") -> Ledger:
    led = Ledger.open(tmp_path / name)
    led.commit_prediction("v1.02", pred("partA", "y"))
    led.merge_save("v1.02", {"context": "edge", "predictions": [], "decisions": {"batch": 8}})
    led.merge_save("v1.02", {"context": None, "predictions": [], "decisions": {"batch": 16}})  # refresh
    led.commit_prediction("v1.03", pred("partA", "x", True))
    return led


def test_every_saved_version_is_sealed_and_verifies(tmp_path):
    doc = worked(tmp_path).document()
    for versions in doc["labs"].values():
        assert all(len(v["chain"]) == 64 for v in versions)
        assert chain.status(versions) == "sealed"
    assert len(doc["labs"]["v1.02"]) == 2  # the slider refresh replaced, and re-sealed, the latest version


def test_a_hand_edit_shows_as_edited(tmp_path):
    led = worked(tmp_path)
    raw = json.loads(led.path.read_text())
    raw["labs"]["v1.02"][0]["predictions"][0]["correct"] = True  # turned a wrong answer "correct"
    led.path.write_text(json.dumps(raw))
    doc = parse_document(led.path.read_bytes())  # still a valid ledger: nothing is lost
    assert chain.status(doc["labs"]["v1.02"]) == "edited"
    assert chain.status(doc["labs"]["v1.03"]) == "sealed"
    # a later save does not launder it: the edited version keeps its broken link
    led.merge_save("v1.02", {"context": "cloud", "predictions": []})
    assert chain.status(led.document()["labs"]["v1.02"]) == "edited"


def test_unsealed_legacy_records_read_as_unsealed_and_a_dropped_field_as_edited(tmp_path):
    assert chain.status([{"a": 1}, {"a": 2}]) == "unsealed"
    versions = worked(tmp_path).document()["labs"]["v1.02"]
    del versions[-1]["chain"]
    assert chain.status(versions) == "edited"


def test_import_reseals_intact_histories_and_keeps_an_edit_visible(tmp_path):
    a = worked(tmp_path, "a")
    b = Ledger.open(tmp_path / "b")
    b.commit_prediction("v1.02", pred("partB", "z"))
    out = tmp_path / "b.json"
    b.export(out)
    assert a.import_(out) == 1
    assert chain.status(a.document()["labs"]["v1.02"]) == "sealed"
    raw = json.loads(out.read_text())
    raw["labs"]["v1.02"][0]["predictions"][0]["correct"] = True
    out.write_text(json.dumps(raw))
    c = Ledger.open(tmp_path / "c")
    c.commit_prediction("v1.02", pred("partC", "q"))
    c.import_(out)
    assert chain.status(c.document()["labs"]["v1.02"]) == "edited"


def test_browser_tab_merges_stay_sealed(tmp_path):
    a, b = worked(tmp_path, "a").document(), worked(tmp_path, "b").document()
    m = B.merge_documents(a, b)
    assert all(chain.status(v) == "sealed" for v in m["labs"].values())


def test_learner_name_is_set_once_kept_and_exported(tmp_path):
    led = worked(tmp_path)
    assert led.learner() is None
    assert led.set_learner("  Ada L. (s1234) ") == "Ada L. (s1234)"
    led.merge_save("v1.02", {"context": "cloud", "predictions": []})
    assert led.learner() == "Ada L. (s1234)"
    out = tmp_path / "export.json"
    led.export(out)
    assert json.loads(out.read_text())["learner"]["name"] == "Ada L. (s1234)"
    fresh = Ledger.open(tmp_path / "fresh")
    fresh.import_(out)
    assert fresh.learner() == "Ada L. (s1234)"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 121, "<script>", "two\nlines", 42])
def test_bad_learner_names_are_refused_by_name(tmp_path, bad):
    led = Ledger.open(tmp_path)
    with pytest.raises(LedgerError, match="learner name|markup"):
        led.set_learner(bad)
    assert led.learner() is None


def test_keys_the_capstone_reads_are_typed_at_save(tmp_path):
    led = Ledger.open(tmp_path)
    for lab, key, bad in (("v1.00", "tier", 3), ("v1.11", "precision", 8), ("v1.13", "max_batch", "many"),
                          ("v1.15", "threshold_group_a", True)):
        with pytest.raises(LedgerError, match=f"decisions.{key} is read by later labs"):
            led.save(lab, {"decisions": {key: bad}})
