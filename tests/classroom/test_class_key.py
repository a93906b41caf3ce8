"""`mlsyslabs class key`: every question of a lab with its computed answer and why,
produced by running the lab headless; the instructor's own ledger is never touched."""
import json

from mlsyslabs.classroom.key import lab_key
from mlsyslabs.cli import main
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.labs.headless import predictions, run_lab
from mlsyslabs.ledger import Ledger


def test_key_lists_every_question_with_the_graded_answer(isolated_home):
    rows = lab_key("v1.00")
    assert Ledger.open().all() == {}  # the key's commits went to a throwaway ledger
    _, base = run_lab(get_lab("v1.00").path)
    assert [r["part"] for r in rows] == sorted(k.removesuffix("_prediction") for k in predictions(base))
    for r in rows:
        assert r["question"] and r["answer"] not in ("", "-") and len(r["why"]) > 40
    # the key's answer is the one the lab grades against: commit the key's answer and it is correct
    part_a = rows[0]
    el = predictions(base)[f"{part_a['part']}_prediction"]
    options = el.element.options  # label -> key
    assert part_a["answer"] in options


def test_cli_key_and_bad_lab(capsys):
    assert main(["class", "key", "--lab", "v1.00", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["lab"] == "v1.00" for r in rows)
    assert main(["class", "key", "--lab", "v9.99"]) == 2
    assert main(["class", "key", "--lab", "v2.05"]) == 2
    assert "not built yet" in capsys.readouterr().err
