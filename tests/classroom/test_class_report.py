"""`mlsyslabs class report` on a synthetic class of 200 ledgers whose answer
distributions are known by construction: every figure of the report is checked."""
import csv
import json

import pytest

from mlsyslabs.classroom.collect import collect
from mlsyslabs.classroom.render import to_html, write_csv
from mlsyslabs.classroom.report import class_report, percentile
from mlsyslabs.cli import main
from mlsyslabs.ledger import chain

N = 200
WRONG_A = ["the compute term", "the data term"]  # learners 0-119 right; 120-179 the first, 180-199 the second


def pred(part, *, label=None, correct, predicted=None, actual=None, at="2026-11-01T10:00:00Z"):
    off = max(predicted / actual, actual / predicted) if predicted else None
    return {"id": part, "invariant": "Iron Law", "choice": label and label[:8], "label": label,
            "answer_label": "the fixed latency" if label else None, "predicted": predicted, "actual": actual,
            "correct": correct, "off_by": off, "committed_at": at}


def ledger_doc(i: int) -> dict:
    """Learner i: everyone starts v1.02; even learners complete it in i % 50 minutes."""
    at = f"2026-11-01T10:00:00.{i:06d}Z"  # real saves never share a microsecond
    if i < 120:
        a = pred("partA", label="the fixed latency", correct=True, at=at)
    else:
        a = pred("partA", label=WRONG_A[0] if i < 180 else WRONG_A[1], correct=False, at=at)
    # numeric part D: actual 7000 km; learner i predicts 7000 * 2 (i < 50), 7000 / 4 (50 <= i < 80), else exact
    guess = 14000.0 if i < 50 else 1750.0 if i < 80 else 7000.0
    d = pred("partD", correct=guess == 7000.0, predicted=guess, actual=7000.0)
    d["hinted"] = i % 10 == 0  # every tenth learner opened part D's hint
    first = {"context": "edge", "predictions": [a], "decisions": {}, "outcomes": {}, "constraint_hit": False,
             "constraints": [], "saved_at": "2026-11-01T10:00:00.000000Z"}
    done = i % 2 == 0
    second = {**first, "predictions": [a, d], "outcomes": {"completed": done},
              "constraints": ["latency SLO"] if i % 4 == 0 else [], "constraint_hit": i % 4 == 0,
              "saved_at": f"2026-11-01T10:{i % 50:02d}:00.000000Z"}
    versions = [first, second]
    chain.seal_all(versions)
    doc = {"schema_version": 1, "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T11:00:00Z",
           "labs": {"v1.02": versions}, "learner": {"name": f"student {i:03d}", "set_at": "2026-11-01T09:00:00Z"}}
    if i == 7:  # learner 7 did v1.00 too, then turned a wrong answer "correct" by hand
        v = [{"context": None, "predictions": [pred("partA", label="about 3,000x", correct=False)],
              "constraints": [], "constraint_hit": False, "saved_at": "2026-11-02T10:00:00.000000Z"}]
        chain.seal_all(v)
        v[0]["predictions"][0]["correct"] = True
        doc["labs"]["v1.00"] = v
    return doc


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """N learners (plus a duplicate file and a broken one)."""
    folder = tmp_path_factory.mktemp("class")
    for i in range(N):
        (folder / f"s{i:03d}.json").write_text(json.dumps(ledger_doc(i)))
    (folder / "t000-again.json").write_text(json.dumps(ledger_doc(0)))  # handed in twice
    copied = ledger_doc(3)
    copied["learner"]["name"] = "student 200"  # someone else's records under a new name
    (folder / "s200.json").write_text(json.dumps(copied))
    (folder / "broken.json").write_text("{not json")
    (folder / "notes.txt").write_text("ignored: not a .json file")
    return folder


@pytest.fixture(scope="module")
def honest(klass, tmp_path_factory):
    """The class without the copied ledger."""
    return [p for p in klass.iterdir() if p.name != "s200.json"]


def test_every_file_is_used_or_listed_with_its_reason(klass):
    col = collect([klass])
    assert len(col.learners) == N + 1  # the copy is counted, and flagged
    why = dict((f.rsplit("/", 1)[-1], w) for f, w in col.problems)
    assert set(why) == {"t000-again.json", "broken.json", "s200.json"}
    assert "duplicate" in why["t000-again.json"] and "not a valid ledger" in why["broken.json"]
    assert "copied?" in why["s200.json"] and "s003.json" in why["s200.json"]


def test_figures_per_lab_and_question(honest):
    rep = class_report(collect(honest))
    lab = next(lab for lab in rep["labs"] if lab["id"] == "v1.02")
    assert (lab["started"], lab["completed"], lab["not_started"]) == (N, N // 2, 0)
    # even learners complete at i % 50 minutes: 0, 2, ..., 48 (four times each); nearest-rank median is 24
    assert lab["median_minutes"] == pytest.approx(24.0)
    assert lab["constraints"] == [["latency SLO", N // 4]]
    assert lab["integrity"] == {"sealed": N, "edited": 0, "unsealed": 0}
    qa, qd = lab["questions"]
    assert (qa["id"], qa["answered"], qa["correct"]) == ("partA", N, 120)
    assert qa["accuracy"] == pytest.approx(0.6) and qa["answer"] == "the fixed latency"
    assert qa["wrong_answers"] == [[WRONG_A[0], 60], [WRONG_A[1], 20]]  # the misconception map, most common first
    assert qd["correct"] == 120 and qd["numeric"]["n"] == N
    assert (qa["hinted"], qd["hinted"]) == (0, N // 10)
    assert (qd["numeric"]["too_high"], qd["numeric"]["too_low"]) == (50, 30)
    # off-by factors: 50 x 2.0, 30 x 4.0, 120 x 1.0
    assert qd["numeric"]["median_off_by"] == 1.0 and qd["numeric"]["p75"] == 2.0 and qd["numeric"]["p90"] == 4.0
    inv = {i["invariant"]: i for i in rep["invariants"]}
    assert inv["Iron Law"]["predictions"] == 2 * N + 1


def test_hand_edits_and_progress_per_learner(honest):
    rep = class_report(collect(honest))
    v100 = next(lab for lab in rep["labs"] if lab["id"] == "v1.00")
    assert v100["integrity"]["edited"] == 1 and v100["started"] == 1 and v100["not_started"] == N - 1
    s7 = next(r for r in rep["per_learner"] if r["name"] == "student 007")
    assert s7["edited_labs"] == ["v1.00"] and s7["labs_started"] == 2 and s7["labs_completed"] == 0
    s8 = next(r for r in rep["per_learner"] if r["name"] == "student 008")
    assert (s8["labs_completed"], s8["predictions"], s8["correct"]) == (1, 2, 1)  # right on A, 2x off on D


def test_csv_and_offline_html(honest, tmp_path):
    rep = class_report(collect(honest))
    q, people = write_csv(rep, tmp_path / "class.csv")
    rows = list(csv.DictReader(open(q)))
    a = next(r for r in rows if r["lab"] == "v1.02" and r["question"] == "partA")
    assert a["most_common_wrong"] == WRONG_A[0] and a["most_common_wrong_count"] == "60"
    assert len(list(csv.DictReader(open(people)))) == N
    html = to_html(rep)
    assert "<script" not in html and "http" not in html.replace("<!doctype html>", "")  # nothing fetched
    assert html.count("<svg") >= 3 and "student 199" in html and "edited by hand" in html


def test_learner_text_is_escaped_in_html(tmp_path):
    doc = ledger_doc(1)
    doc["learner"]["name"] = 'Zoë "Z" & co'
    (tmp_path / "a.json").write_text(json.dumps(doc))
    html = to_html(class_report(collect([tmp_path])))
    assert "Zoë &quot;Z&quot; &amp; co" in html


def test_cli_report_writes_every_output_and_names_bad_input(klass, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["class", "report", str(klass), "--html", str(out), "--csv", str(tmp_path / "q.csv")]) == 0
    text = capsys.readouterr().out
    assert "201 learner(s)" in text and "not used:" in text and "broken.json" in text and out.exists()
    assert main(["class", "report", str(klass), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["learners"] == N + 1
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["class", "report", str(empty)]) == 2
    assert "no readable ledger" in capsys.readouterr().err


def test_percentile_is_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([3, 1, 2], 0.5) == 2 and percentile([1, 2, 3, 4], 0.5) == 2 and percentile([5], 0.99) == 5
