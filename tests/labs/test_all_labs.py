"""Every ready lab in the catalog, automatically: default state, every option of
every prediction, reveal computed, ledger record saved, `marimo check` clean."""
import json
import subprocess
import sys

import pytest

from mlsyslabs.labs.catalog import ready_labs
from mlsyslabs.ledger import Ledger

from .harness import prediction_options, predictions as _predictions, run_lab

LABS = ready_labs()


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_default_state_runs_and_saves_a_visit(lab):
    _, defs = run_lab(lab.path)
    preds = _predictions(defs)
    assert preds, "a lab must have at least one *_prediction element"
    for name in preds:
        assert defs.get(name.replace("_prediction", "_result")) is None  # nothing revealed before predicting
    rec = Ledger.open().get(lab.id)
    assert rec is not None and rec["predictions"] == [] and rec["context"] is None


def _cases():
    for lab in LABS:
        _, defs = run_lab(lab.path)
        for name, element in _predictions(defs).items():
            for option in prediction_options(element):
                yield pytest.param(lab, name, option, list(_predictions(defs)), id=f"{lab.id}-{name}-{option}")


@pytest.mark.parametrize("lab,name,option,all_names", list(_cases()))
def test_every_prediction_option(lab, name, option, all_names):
    # the chosen option for this prediction; the first option for the others
    _, base = run_lab(lab.path)
    answers = {n: prediction_options(base[n])[0] for n in all_names}
    answers[name] = option
    _, defs = run_lab(lab.path, answers)
    for n in all_names:
        result = defs.get(n.replace("_prediction", "_result"))
        assert result is not None, f"{n}: reveal not computed"
        assert result.explanation and isinstance(result.correct, bool)
    rec = Ledger.open().get(lab.id)
    assert len(rec["predictions"]) == len(all_names)
    assert rec["outcomes"]["completed"] is True


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_marimo_check_is_clean(lab):
    out = subprocess.run([sys.executable, "-m", "marimo", "check", str(lab.path)], capture_output=True, text=True)
    assert out.returncode == 0 and "Found" not in out.stdout + out.stderr, out.stdout + out.stderr


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_lab_files_hold_no_html_or_css(lab):
    src = lab.path.read_text()
    for needle in ("<div", "<span", "style=", "<style", "mo.Html(", "<br", "<b>"):
        assert needle not in src, f"{lab.path.name} contains {needle!r}: use mlsyslabs.ui"
    import re

    assert not re.search(r"[\"']#[0-9a-fA-F]{3,8}[\"']", src), f"{lab.path.name}: colours come from ui.charts.COLOR"


def test_catalog_lists_every_file_and_list_json(capsys):
    from mlsyslabs.cli import main
    from mlsyslabs.labs.catalog import HERE, LABS as ALL

    files = {p.name for p in HERE.glob("vol*/lab_*.py")}
    assert files == {lab.path.name for lab in ALL if lab.ready}
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 34 and {"id", "title", "chapter", "volume", "invariants", "minutes", "path"} <= set(listed[0])
