"""Requirement propagation: a requirement that invalidates one stage's artifact forces
rework of that stage and every stage after it (the lifecycle is a chain)."""
import pytest

from mlsyslabs.physics import PhysicsError
from mlsyslabs.physics import workflow as W


def entry(as_built=True, requantized=True, retrained=True, data=True):
    return W.requirement_entry_stage(as_built_meets=as_built, requantized_meets=requantized,
                                     retrained_meets=retrained, data_allowed=data)


def test_the_entry_stage_is_the_earliest_artifact_that_must_change():
    assert entry() == "deployment"  # still met: re-verify on the target, then monitor
    assert entry(as_built=False) == "evaluation"  # new numerics: the evaluated model changed
    assert entry(as_built=False, requantized=False) == "training"  # a different model
    assert entry(data=False) == "data collection"  # the data may no longer be used
    assert entry(as_built=False, requantized=False, retrained=False) == W.STAGES[0]
    assert entry(retrained=False, data=False) == W.STAGES[0]  # renegotiation outranks everything


def test_rework_reaches_every_stage_downstream_of_the_entry():
    for i, stage in enumerate(W.STAGES):
        assert W.stages_reworked(stage) == W.STAGES[i:]
    assert W.stages_reworked("production") == ("production",)
    assert len(W.stages_reworked("training")) == len(W.STAGES) - W.STAGES.index("training")


def test_bad_input_is_refused():
    with pytest.raises(PhysicsError, match="entry_stage"):
        W.stages_reworked("vibes")
    with pytest.raises(PhysicsError, match="data_allowed"):
        entry(data=1)


def test_each_check_sees_only_what_it_measures_where_it_runs():
    # labels need a labelled set: only the offline check has one, wherever the defect shows
    assert W.detects("offline", "labels", on_host=True, on_target=True)
    assert not W.detects("on-target", "labels", on_host=True, on_target=True)
    for defect in ("quantization drift", "latency", "memory"):
        assert W.detects("offline", defect, on_host=True, on_target=False)
        assert not W.detects("offline", defect, on_host=False, on_target=True)  # the offline blind spot
        assert W.detects("on-target", defect, on_host=False, on_target=True)
        assert not W.detects("on-target", defect, on_host=True, on_target=False)
    with pytest.raises(PhysicsError, match="check"):
        W.detects("vibes", "labels", on_host=True, on_target=True)
