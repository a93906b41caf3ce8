"""The lab protocol, checked on every ready lab the way a learner (and a careless
one) would use it: commit is final, a revisit restores, nothing is erased, no
control can crash a lab, nothing is spoiled, nothing unreadable is shown."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsyslabs.labs.catalog import ready_labs
from mlsyslabs.ledger import Ledger

from .harness import bad_text, control_values, lab_controls, prediction_options, predictions, run_lab

LABS = ready_labs()


def _answers(base, pick=0):
    return {n: prediction_options(e)[pick % len(prediction_options(e))] for n, e in predictions(base).items()}


def _results(defs):
    return {n: defs[n.replace("_prediction", "_result")] for n in predictions(defs)}


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_commit_is_final_and_a_revisit_restores_it(lab):
    _, base = run_lab(lab.path)
    first, second = _answers(base, 0), _answers(base, 1)
    _, defs = run_lab(lab.path, first)
    committed = {n: r.answer for n, r in _results(defs).items()}
    before = Ledger.open().get(lab.id)["predictions"]
    # the learner submits different answers afterwards (a second tab, a replayed form)
    _, again = run_lab(lab.path, second)
    assert {n: r.answer for n, r in _results(again).items()} == committed
    # a plain reload restores every committed prediction and its reveal
    _, reloaded = run_lab(lab.path)
    assert all(r is not None for r in _results(reloaded).values())
    assert {n: r.answer for n, r in _results(reloaded).items()} == committed
    after = Ledger.open().get(lab.id)["predictions"]
    strip = lambda ps: [{k: v for k, v in p.items() if k != "committed_at"} for p in ps]  # noqa: E731
    assert strip(after) == strip(before)


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_reopening_a_finished_lab_keeps_it_finished(lab):
    _, base = run_lab(lab.path)
    run_lab(lab.path, _answers(base))
    assert Ledger.open().get(lab.id)["outcomes"]["completed"] is True
    for _ in range(3):
        run_lab(lab.path)
    rec = Ledger.open().get(lab.id)
    assert rec["outcomes"]["completed"] is True and len(rec["predictions"]) == len(predictions(base))


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_moving_controls_does_not_grow_history(lab):
    _, base = run_lab(lab.path)
    answers = _answers(base)
    run_lab(lab.path, answers)
    n = len(Ledger.open().history(lab.id))
    controls = lab_controls(base)
    name, element = next((k, e) for k, e in controls.items() if type(e).__name__ == "slider")
    for v in control_values(element):
        run_lab(lab.path, answers, {name: v})
    assert len(Ledger.open().history(lab.id)) <= n + 1  # at most one new constraint event


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_nothing_is_spoiled_before_predicting(lab):
    outputs, defs = run_lab(lab.path)
    from .harness import rendered_text

    text = rendered_text(outputs)
    assert "Key takeaways" not in text and "Self-check" not in text
    assert all(r is None for r in _results(defs).values())


def _control_cases():
    for lab in LABS:
        _, base = run_lab(lab.path)
        for name, element in lab_controls(base).items():
            for value in control_values(element):
                yield pytest.param(lab, name, value, id=f"{lab.id}-{name}-{value}")


@pytest.mark.parametrize("lab,name,value", list(_control_cases()))
def test_every_control_at_every_setting_renders(lab, name, value):
    _, base = run_lab(lab.path)
    outputs, defs = run_lab(lab.path, _answers(base), {name: value})  # raises on any cell error
    assert all(r is not None for r in _results(defs).values())
    assert not bad_text(outputs), bad_text(outputs)


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_random_control_combinations_render(lab):
    _, base = run_lab(lab.path)
    controls = lab_controls(base)
    answers = _answers(base)

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.fixed_dictionaries({k: st.sampled_from(control_values(e)) for k, e in controls.items()}))
    def check(setting):
        outputs, _ = run_lab(lab.path, answers, setting)
        assert not bad_text(outputs), bad_text(outputs)

    check()


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_reveal_names_both_answers(lab):
    _, base = run_lab(lab.path)
    _, defs = run_lab(lab.path, _answers(base))
    for name, r in _results(defs).items():
        if r.choice is not None:
            assert r.label and r.answer_label, f"{name}: a choice reveal names the chosen and the right option"


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_a_failed_save_is_reported_and_input_kept(lab, monkeypatch):
    import errno

    from mlsyslabs.ledger import store

    from .harness import rendered_text

    _, base = run_lab(lab.path)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "atomic_write_json", disk_full)
    outputs, defs = run_lab(lab.path, _answers(base))
    text = rendered_text(outputs)
    assert "Not saved" in text and "No space left on device" in text
    assert all(r is not None for r in _results(defs).values())  # the learner's answers are still shown


def test_a_hint_is_recorded_at_once_and_marks_the_prediction_committed_after_it(isolated_home):
    """v1.00 offers one hint per part: opening it is saved before any commit, survives a
    reload, and the prediction committed afterwards says it was hinted (the other part's does not)."""
    from mlsyslabs.labs.catalog import get_lab
    from mlsyslabs.ledger import Ledger

    from .harness import run_lab

    path = get_lab("v1.00").path
    outs, _ = run_lab(path, answers={"partA_hint": 1})
    rec = Ledger.open().get("v1.00")
    assert rec["hints"] == ["partA"] and rec["predictions"] == []
    assert "about a million kilobytes" in " ".join(str(getattr(o, "text", "")) for o in outs)
    _, defs = run_lab(path, answers={"partA_prediction": "about 300,000x", "partB_prediction": "oom"})
    preds = {p["id"]: p for p in Ledger.open().get("v1.00")["predictions"]}
    assert preds["partA"]["hinted"] is True and preds["partB"]["hinted"] is False
    assert Ledger.open().get("v1.00")["hints"] == ["partA"]
