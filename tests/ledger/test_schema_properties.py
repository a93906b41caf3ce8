"""Properties: a schema-valid ledger (any one the schema admits) is read by every
reader without an exception: the typed accessors, the report card, the gallery and
`ledger show`. And the lab's text filter and the ledger's markup check agree."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsyslabs.cli import main
from mlsyslabs.labs.catalog import LABS, VOL1_INVARIANTS, volume1_scored_labs
from mlsyslabs.labs.protocol import (LedgerRead, home_context, ledger_choice, ledger_number, ledger_value,
                                     plain_text)
from mlsyslabs.ledger import Ledger, LedgerError, report_card
from mlsyslabs.ledger.schema import CONTEXTS, check_string, validate_document
from mlsyslabs.ledger.store import atomic_write_json

text = st.text(max_size=40).filter(lambda s: not _rejected(s))
finite = st.floats(allow_nan=False, allow_infinity=False) | st.integers(min_value=-(10 ** 300), max_value=10 ** 300)
scalar = st.none() | st.booleans() | finite | text
lab_ids = st.sampled_from([f"v{v}.{i:02d}" for v in (1, 2) for i in range(0, 100, 1)])
stamps = st.datetimes().map(lambda d: d.isoformat(timespec="microseconds") + "Z")


def _rejected(s: str) -> bool:
    try:
        check_string("t", s)
        return False
    except LedgerError:
        return True


prediction = st.fixed_dictionaries(
    {"id": text, "correct": st.booleans()},
    optional={"invariant": st.sampled_from(VOL1_INVARIANTS) | text, "choice": st.none() | text,
              "predicted": st.none() | finite, "actual": st.none() | finite, "off_by": st.none() | finite,
              "label": text, "answer_label": text})


def record(lab_id):
    contract = {"v1.10": {"decisions": {"precision": st.none() | text}},
                "v1.13": {"outcomes": {"p99_ms": st.none() | finite}},
                "v1.14": {"decisions": {"cadence_months": st.none() | finite}}}.get(lab_id, {})
    free = st.dictionaries(text.filter(lambda k: k not in ("precision", "p99_ms", "cadence_months")), scalar,
                           max_size=4)

    def section(name):
        extra = contract.get(name, {})
        return st.tuples(free, st.fixed_dictionaries({}, optional=extra)).map(lambda t: {**t[0], **t[1]})

    return st.fixed_dictionaries(
        {"saved_at": stamps},
        optional={"context": st.none() | st.sampled_from(CONTEXTS), "predictions": st.lists(prediction, max_size=4),
                  "decisions": section("decisions"), "outcomes": section("outcomes"),
                  "constraint_hit": st.booleans(), "constraints": st.lists(text, max_size=3)})


documents = st.dictionaries(
    st.sampled_from(["v1.00", "v1.01", "v1.02", "v1.05", "v1.10", "v1.13", "v1.14", "v1.16", "v2.03"]),
    st.just(None), max_size=9,
).flatmap(lambda labs: st.fixed_dictionaries(
    {lab: st.lists(record(lab), min_size=1, max_size=3) for lab in labs})).map(
    lambda labs: {"schema_version": 1, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
                  "labs": labs})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(documents)
def test_every_reader_accepts_every_schema_valid_ledger(tmp_path_factory, doc):
    validate_document(doc)  # the strategy only makes valid ledgers
    home = tmp_path_factory.mktemp("prop")
    atomic_write_json(home / "ledger.json", doc)
    led = Ledger.open(home)
    assert led.notice is None  # what the writer wrote, the reader reads

    for lab, section, key in [("v1.13", "outcomes", "p99_ms"), ("v1.14", "decisions", "cadence_months"),
                              ("v1.10", "decisions", "precision"), ("v1.05", "outcomes", "anything")]:
        n = ledger_number(led, lab, section, key, 6, 1, 12, integer=True)
        assert isinstance(n, LedgerRead) and isinstance(n.value, int) and 1 <= n.value <= 12
        c = ledger_choice(led, lab, section, key, "fp16", ("fp16", "int8", "int4", "ternary"))
        assert c.value in ("fp16", "int8", "int4", "ternary")
        assert n.note is None or isinstance(n.note, str)
        v = ledger_value(led, lab, section, key)
        if (lab, key) == ("v1.13", "p99_ms") and v is not None:
            f"{v:,.0f}"  # how the capstone formats it
    assert home_context(led) in CONTEXTS

    card = report_card(led.all(), expected_labs=volume1_scored_labs(), invariants=list(VOL1_INVARIANTS))
    if card.weakest_invariant:  # what the capstone prints from it
        s = card.invariants[card.weakest_invariant]
        f"{s.correct_rate:.0%} {s.median_off_by or 1:.1f}x"
    if card.accuracy is not None:
        f"{card.accuracy:.0%}"

    from mlsyslabs.ui.gallery import gallery_html

    assert "<html" in gallery_html(LABS, led.all(), led.notice)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_ledger_show_prints_every_schema_valid_ledger(tmp_path_factory, monkeypatch, capsys, doc):
    home = tmp_path_factory.mktemp("show")
    atomic_write_json(home / "ledger.json", doc)
    monkeypatch.setenv("MLSYSLABS_HOME", str(home))
    assert main(["ledger", "show"]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in out.out)
    assert main(["ledger", "show", "--json"]) == 0
    json.loads(capsys.readouterr().out)


@given(st.text(max_size=3000))
def test_plain_text_always_passes_the_ledgers_markup_check(s):
    check_string("reflection", plain_text(s))


@pytest.mark.parametrize("typed", ["JavaScript:alert(1)", "JAVASCRIPT:x", "jAvAsCrIpT:", "see javascript:void(0)",
                                   "<script>", "a < b and c > d", "x" * 5000])
def test_plain_text_cases_of_the_capstone_reflection(typed):
    out = plain_text(typed)
    check_string("reflection", out)
    assert len(out) <= 2000
    Ledger.open().save("v1.16", {"decisions": {"reflection": out}})
    assert Ledger.open().get("v1.16")["decisions"]["reflection"] == out


# ----------------------------------------------------------- hostile values
class FakeLedger:
    """Whatever `get` returns (the accessors' only dependency), even non-schema data."""

    def __init__(self, rec=None, exc=None):
        self.rec, self.exc = rec, exc

    def get(self, lab_id):
        if self.exc:
            raise self.exc
        return self.rec


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                           max_leaves=10)


@given(st.one_of(json_values, st.dictionaries(st.sampled_from(["outcomes", "decisions"]),
                                              st.dictionaries(st.sampled_from(["p99_ms", "precision"]), json_values))))
def test_accessors_never_raise_on_hostile_values(rec):
    led = FakeLedger(rec)
    n = ledger_number(led, "v1.13", "outcomes", "p99_ms", 100.0, 0, 1e6)
    assert n.note is not None or (isinstance(n.value, (int, float)) and 0 <= n.value <= 1e6)
    c = ledger_choice(led, "v1.10", "decisions", "precision", "fp16", ("fp16", "int8"))
    assert c.value in ("fp16", "int8")
    ledger_value(led, "v1.13", "outcomes", "p99_ms")


def test_accessor_notes():
    assert ledger_number(FakeLedger({"outcomes": {"p99_ms": 80}}), "v1.13", "outcomes", "p99_ms", 100, 0, 1e6) \
        == (80, None)
    v, note = ledger_number(FakeLedger({"outcomes": {"p99_ms": "80"}}), "v1.13", "outcomes", "p99_ms", 100, 0, 1e6)
    assert v == 100 and "not a number" in note
    v, note = ledger_number(FakeLedger({"outcomes": {"p99_ms": 10 ** 400}}), "v1.13", "outcomes", "p99_ms", 100)
    assert v == 100 and "not a number" in note
    v, note = ledger_number(FakeLedger({"outcomes": {"p99_ms": 5e9}}), "v1.13", "outcomes", "p99_ms", 100, 0, 1e6)
    assert v == 100 and "outside" in note
    v, note = ledger_number(FakeLedger(None), "v1.13", "outcomes", "p99_ms", 100)
    assert v == 100 and "not in your ledger yet" in note
    v, note = ledger_choice(FakeLedger(exc=PermissionError(13, "Permission denied")), "v1.10", "decisions",
                            "precision", "fp16", ("fp16",))
    assert v == "fp16" and "could not be read" in note
    assert ledger_value(FakeLedger({"outcomes": {"p99_ms": "fast"}}), "v1.13", "outcomes", "p99_ms") is None
