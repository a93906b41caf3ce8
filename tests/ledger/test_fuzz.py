"""Fuzz the loader: any bytes either parse into a valid document or raise
LedgerError, never anything else, and loading never loses the original bytes."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mlsyslabs.ledger import Ledger, LedgerError
from mlsyslabs.ledger.store import parse_document

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_parser(raw):
    try:
        parse_document(raw)
    except LedgerError:
        pass


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_random_json_is_valid_or_rejected(value):
    doc = {"schema_version": 1, "labs": {"v1.00": [value]}} if not isinstance(value, dict) else value
    try:
        parse_document(json.dumps(doc).encode())
    except LedgerError:
        pass


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=1, max_size=200))
def test_unreadable_file_is_always_kept(tmp_path_factory, raw):
    home = tmp_path_factory.mktemp("fuzz")
    (home / "ledger.json").write_bytes(raw)
    led = Ledger.open(home)
    if led.notice:
        kept = list(home.glob("ledger.unreadable-*.json"))
        assert len(kept) == 1 and kept[0].read_bytes() == raw
