"""The class report as text, CSV and one self-contained HTML file (inline SVG charts,
no script, nothing fetched: it opens offline). Every string from a ledger is escaped."""
from __future__ import annotations

import csv
from html import escape
from pathlib import Path


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _num(x, digits=2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _wrong(q: dict) -> str:
    if q["wrong_answers"]:
        label, n = q["wrong_answers"][0]
        return f"{label} ({n})"
    if q["numeric"]:
        nm = q["numeric"]
        return f"off by {_num(nm['median_off_by'])}x median; {nm['too_high']} too high, {nm['too_low']} too low"
    return "-"


def question_rows(report: dict) -> list[dict]:
    rows = []
    for lab in report["labs"]:
        for q in lab["questions"]:
            nm = q["numeric"] or {}
            rows.append({"lab": lab["id"], "question": q["id"], "invariant": q["invariant"], "answered": q["answered"],
                         "correct": q["correct"], "accuracy": round(q["accuracy"], 4), "hinted": q["hinted"],
                         "answer": q["answer"],
                         "most_common_wrong": q["wrong_answers"][0][0] if q["wrong_answers"] else "",
                         "most_common_wrong_count": q["wrong_answers"][0][1] if q["wrong_answers"] else 0,
                         "median_off_by": nm.get("median_off_by"), "p90_off_by": nm.get("p90"),
                         "too_high": nm.get("too_high"), "too_low": nm.get("too_low")})
    return rows


def to_text(report: dict) -> str:
    from ..commands.output import table

    out = [f"{report['learners']} learner(s)"]
    for p in report["problems"]:
        out.append(f"not used: {p['file']}: {p['why']}")
    labs = [lab for lab in report["labs"] if lab["started"]]
    out += ["", table([[lab["id"], lab["title"], lab["started"], lab["completed"], _num(lab["median_minutes"], 0),
                        ", ".join(f"{c} ({n})" for c, n in lab["constraints"][:2]) or "-",
                        lab["integrity"]["edited"]] for lab in labs],
                      ["lab", "title", "started", "completed", "median min", "constraints most hit", "edited"])]
    rows = [[lab["id"], q["id"], q["invariant"], f"{q['correct']}/{q['answered']}", _pct(q["accuracy"]), q["hinted"],
             q["answer"][:40], _wrong(q)[:60]] for lab in labs for q in lab["questions"]]
    out += ["", table(rows, ["lab", "question", "invariant", "right", "accuracy", "hinted", "answer",
                             "most common wrong"])]
    out += ["", table([[r["name"] + ("" if r["named"] else " (no name set)"), r["labs_started"], r["labs_completed"],
                        f"{r['correct']}/{r['predictions']}", ", ".join(r["edited_labs"]) or "-"]
                       for r in report["per_learner"]], ["learner", "started", "completed", "right", "edited labs"])]
    return "\n".join(out)


def write_csv(report: dict, path: Path) -> list[Path]:
    """Two tables: PATH (one row per question) and PATH-learners.csv (one per learner)."""
    path = Path(path)
    learners = path.with_name(path.stem + "-learners.csv")
    rows = question_rows(report)
    fields = list(rows[0]) if rows else ["lab", "question"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    with open(learners, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["learner", "name_set", "file", "labs_started", "labs_completed", "predictions", "correct",
                    "edited_labs"])
        for r in report["per_learner"]:
            w.writerow([r["name"], r["named"], r["file"], r["labs_started"], r["labs_completed"], r["predictions"],
                        r["correct"], " ".join(r["edited_labs"])])
    return [path, learners]


def _bars(items: list[tuple[str, float, str]], *, width=520) -> str:
    """Horizontal bars for values in [0, 1] with their label and the value in words."""
    h = 22
    rows = []
    for i, (label, value, words) in enumerate(items):
        y = i * h
        w = max(0.0, min(1.0, value)) * (width - 260)
        rows.append(f'<text x="0" y="{y + 15}">{escape(label)}</text>'
                    f'<rect x="170" y="{y + 4}" width="{w:.1f}" height="14" fill="#1f5f8b"/>'
                    f'<text x="{176 + w:.1f}" y="{y + 15}">{escape(words)}</text>')
    return (f'<svg role="img" width="{width}" height="{h * len(items) + 4}" font-size="12" '
            f'font-family="sans-serif">{"".join(rows)}</svg>')


_STYLE = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#1a1a1a}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:4px 8px;text-align:left}"
          "th{background:#eee}.warn{color:#8a1c1c}")


def to_html(report: dict) -> str:
    labs = [lab for lab in report["labs"] if lab["started"]]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Class report</title>"
             f"<style>{_STYLE}</style></head><body><h1>Class report</h1>"
             f"<p>{report['learners']} learner(s), {len(labs)} lab(s) started.</p>"]
    if report["problems"]:
        parts.append("<h2>Files not used</h2><ul>" + "".join(
            f"<li class='warn'>&#9888; {escape(p['file'])}: {escape(p['why'])}</li>" for p in report["problems"])
            + "</ul>")
    n = max(1, report["learners"])
    parts.append("<h2>Completion</h2>" + _bars([(lab["id"], lab["completed"] / n,
                                                  f"{lab['completed']} of {report['learners']} completed")
                                                 for lab in labs]))
    if report["invariants"]:
        parts.append("<h2>Accuracy per invariant</h2>" + _bars(
            [(i["invariant"][:26], i["accuracy"], f"{_pct(i['accuracy'])} of {i['predictions']}")
             for i in report["invariants"]]))
    for lab in labs:
        hit = ", ".join(f"{c} ({k})" for c, k in lab["constraints"]) or "none"
        parts.append(f"<h2>{escape(lab['id'])} {escape(lab['title'])}</h2><p>{lab['started']} started, "
                     f"{lab['completed']} completed, median {_num(lab['median_minutes'], 0)} min to complete. "
                     f"Constraints most hit: {escape(hit)}."
                     + (f" <span class='warn'>&#9888; {lab['integrity']['edited']} record(s) edited by hand.</span>"
                        if lab["integrity"]["edited"] else "") + "</p>")
        parts.append(_bars([(q["id"], q["accuracy"], f"{_pct(q['accuracy'])} right of {q['answered']}")
                            for q in lab["questions"]]))
        parts.append("<table><tr><th>question</th><th>invariant</th><th>right</th><th>used the hint</th><th>answer</th>"
                     "<th>most common wrong answer</th></tr>" + "".join(
                         f"<tr><td>{escape(q['id'])}</td><td>{escape(q['invariant'])}</td>"
                         f"<td>{q['correct']}/{q['answered']}</td><td>{q['hinted']}</td><td>{escape(q['answer'])}</td>"
                         f"<td>{escape(_wrong(q))}</td></tr>" for q in lab["questions"]) + "</table>")
    parts.append("<h2>Learners</h2><table><tr><th>learner</th><th>labs started</th><th>completed</th><th>right</th>"
                 "<th>records edited by hand</th></tr>" + "".join(
                     f"<tr><td>{escape(r['name'])}{'' if r['named'] else ' (no name set)'}</td>"
                     f"<td>{r['labs_started']}</td><td>{r['labs_completed']}</td>"
                     f"<td>{r['correct']}/{r['predictions']}</td>"
                     f"<td>{escape(', '.join(r['edited_labs'])) or 'none'}</td></tr>"
                     for r in report["per_learner"]) + "</table></body></html>")
    return "".join(parts)
