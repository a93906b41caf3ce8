"""pipeline.contract_flags: a schema contract trips on nulls, types and ranges; a
semantic contract also trips when the batch mean moves more than z_max standard
errors, which is how a unit change that stays inside the schema's range is caught."""
import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import pipeline as PL

REF = dict(ref_mean=4.0, ref_std=2.0, n=10_000)


def test_no_contract_flags_nothing():
    assert PL.contract_flags("none", mean=99.0, nulls=5, out_of_range=5, **REF) == ()


def test_schema_catches_nulls_types_and_ranges_only():
    assert PL.contract_flags("schema", mean=4.0, nulls=1, type_errors=2, out_of_range=3, **REF) == \
        ("null", "type", "range")
    # Celsius -> Fahrenheit: 4 C reads 39.2, a valid in-range number: the schema passes it
    assert PL.contract_flags("schema", mean=4.0 * 1.8 + 32, **REF) == ()
    assert PL.contract_flags("semantic", mean=4.0 * 1.8 + 32, **REF) == ("distribution",)


def test_distribution_rule_fires_past_z_max_standard_errors():
    se = 2.0 / 10_000**0.5
    assert PL.contract_flags("semantic", mean=4.0 + 3.99 * se, z_max=4.0, **REF) == ()
    assert PL.contract_flags("semantic", mean=4.0 - 4.01 * se, z_max=4.0, **REF) == ("distribution",)


def test_bad_level_is_named():
    with pytest.raises(P.PhysicsError, match="level"):
        PL.contract_flags("strict", mean=4.0, **REF)
