import pytest

from mlsyslabs.labs.catalog import VOL1_INVARIANTS, volume1_scored_labs
from mlsyslabs.ledger import off_by_factor, report_card


def rec(ctx, preds, hit=False, completed=True):
    return {"context": ctx, "predictions": [{"id": f"p{i}", "invariant": inv, "correct": ok, "off_by": off}
                                            for i, (inv, ok, off) in enumerate(preds)],
            "constraint_hit": hit, "outcomes": {"completed": completed}}


def test_empty_ledger_is_sparse_with_no_weakest():
    rc = report_card({}, expected_labs=volume1_scored_labs(), invariants=list(VOL1_INVARIANTS))
    assert rc.sparse and rc.weakest_invariant is None and rc.accuracy is None and rc.labs_expected == 15


def test_report_card_numbers():
    latest = {
        "v1.02": rec("edge", [("Iron Law", False, 25.0), ("Iron Law", True, 1.1)]),
        "v1.13": rec("edge", [("Little's Law", False, 4.0)], hit=True),
        "v1.05": rec("cloud", [("Memory Wall", True, 1.2)]),
        "v1.07": rec("tiny", [("Roofline", True, None)], completed=False),
        "v2.01": rec("cloud", [("Iron Law", False, 9.0)]),  # other volume: ignored
    }
    rc = report_card(latest, expected_labs=volume1_scored_labs(), invariants=list(VOL1_INVARIANTS))
    assert rc.labs_completed == ["v1.02", "v1.05", "v1.13"]
    assert rc.predictions == 5 and rc.correct == 3 and rc.accuracy == pytest.approx(0.6)
    assert rc.constraint_hits == ["v1.13"] and rc.favourite_context == "edge"
    assert rc.invariants["Iron Law"].correct_rate == 0.5
    assert rc.invariants["Little's Law"].constraint_hit_rate == 1.0
    assert rc.weakest_invariant == "Little's Law"  # 0% right
    assert rc.invariants["Drift"].predictions == 0 and rc.invariants["Drift"].correct_rate is None


def test_off_by_factor():
    assert off_by_factor(2, 50) == 25 and off_by_factor(50, 2) == 25 and off_by_factor(3, 3) == 1
