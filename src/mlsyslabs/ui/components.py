"""Lab components. Labs compose these; they hold all HTML. Every piece of text is
escaped here, so text from a user, a ledger or a file cannot inject markup."""
from __future__ import annotations

from html import escape

import marimo as mo

from . import tokens as T
from .predictions import PredictionResult
from .style import stylesheet


def _e(x) -> str:
    return escape(str(x), quote=True)


def _html(body: str) -> mo.Html:
    return mo.Html(f'<div class="mls">{body}</div>')


def tier_name(tier: str) -> str:
    """'edge' -> 'Edge': tiers are shown by name, never by id."""
    return T.TIER_LABEL.get(tier, tier)


# ------------------------------------------------------------------ framing
def header(lab, *, subtitle: str, parts: list[str], notice: str | None = None) -> mo.Html:
    """Title block: volume, chapter, invariants, contexts, time; also injects the stylesheet."""
    chips = [f"Core invariant: {i}" for i in lab.invariants] + [f"{p}" for p in parts] + \
        [f"Contexts: {', '.join(T.TIER_LABEL[c] for c in lab.contexts)}", f"~{lab.minutes} min"]
    body = (f"<style>{stylesheet()}</style><header class='mls-header'>"
            f"<div class='mls-kicker'>Volume {lab.volume} · Lab {_e(lab.id)} · {_e(lab.chapter)}</div>"
            f"<h1>{_e(lab.title)}</h1><p>{_e(subtitle)}</p>"
            f"<div class='mls-chips'>{''.join(f'<span class=mls-chip>{_e(c)}</span>' for c in chips)}</div></header>")
    if notice:
        body += _banner_html("warn", "Ledger notice", notice)
    return _html(body)


def section(title: str, minutes: int | None = None) -> mo.Html:
    m = f"<span>~{minutes} min</span>" if minutes else ""
    return _html(f"<div class='mls-section' role='heading' aria-level='2'>{_e(title)}{m}</div>")


def stakeholder(sender: str, role: str, message: str) -> mo.Html:
    return _html(f"<div class='mls-message'><div class='mls-from'>Message from {_e(sender)}, {_e(role)}</div>"
                 f"<blockquote>“{_e(message)}”</blockquote></div>")


# ---------------------------------------------------------------- prediction
COMMIT_LABEL = "Commit my prediction (final)"


def choice_prediction(question: str, options: dict[str, str]) -> mo.ui.form:
    """Multiple choice: `options` maps the text shown to a stable key. Picking an
    option commits nothing; the learner presses the commit button (keyboard: Tab to
    it, Enter). Its value stays None until then."""
    form = mo.ui.radio(options=options, label=f"**{question}**").form(
        submit_button_label=COMMIT_LABEL, validate=lambda v: None if v is not None else "Choose an option first.")
    form._mls_question = question
    return form


def numeric_prediction(question: str, *, start: float, stop: float, step: float, value: float,
                       unit: str) -> mo.ui.form:
    """Numeric estimate; its value stays None until the learner commits."""
    form = mo.ui.number(start=start, stop=stop, step=step, value=value, label=f"**{question}** ({unit})").form(
        submit_button_label=COMMIT_LABEL)
    form._mls_question, form._mls_unit = question, unit
    return form


def prediction(element, result: PredictionResult | None, *, fmt=None):
    """The prediction as the learner sees it: the open question with its commit
    button, or, once committed (now or on an earlier visit), the answer read-only."""
    if result is None:
        return element
    question = getattr(element, "_mls_question", "Your prediction")
    if result.label is not None:
        answer = result.label
    else:
        shown = (fmt or fmt_value)(result.predicted) if result.predicted is not None else str(result.choice)
        answer = f"{shown} {getattr(element, '_mls_unit', result.unit)}".strip()
    return _html(f"<div class='mls-committed' role='group' aria-label='Your committed prediction'>"
                 f"<div class='mls-label'>{_e(question)}</div>"
                 f"<div>Committed: <b>{_e(answer)}</b></div>"
                 f"<div class='mls-note'>A committed prediction is final; the reveal below grades it.</div></div>")


def fmt_value(v: float) -> str:
    """A plain number for a reveal: no scientific notation, sensible precision."""
    a = abs(v)
    if a >= 1e15 or (0 < a < 1e-3):
        mant, exp = f"{v:.2e}".split("e")
        return f"{mant} × 10^{int(exp)}"
    if a >= 100:
        return f"{v:,.0f}"
    return f"{v:,.3g}"


def locked(what: str = "the instruments") -> mo.Html:
    return banner("info", "Locked", f"Commit your prediction above to unlock {what}.")


def reveal(result: PredictionResult, *, fmt=fmt_value) -> mo.Html:
    """You chose X; the answer is Y; how far off; why."""
    kind = "ok" if result.correct else "fail"
    verdict = "Correct" if result.correct else "Not quite"
    rows = []
    if result.label is not None:
        rows.append(("You chose", result.label))
        if result.answer_label is not None:
            rows.append(("The answer", result.answer_label))
    elif result.predicted is not None:
        rows.append(("You predicted", f"{fmt(result.predicted)} {result.unit}"))
    if result.actual is not None:
        rows.append(("The physics says", f"{fmt(result.actual)} {result.unit}"))
    if result.label is not None and result.predicted is not None and result.actual is not None:
        rows.append(("Your choice implies", f"{fmt(result.predicted)} {result.unit}"))
    if result.off_by is not None:
        d = {"under": " (you underestimated)", "over": " (you overestimated)"}.get(result.direction, "")
        off = result.off_by
        rows.append(("Off by", (f"{off:.2f}x" if off < 10 else f"{fmt_value(off)}x") + d))
    table = "".join(f"<tr><td>{_e(a)}</td><td><b>{_e(b)}</b></td></tr>" for a, b in rows)
    body = (f"<div class='mls-banner mls-{kind} mls-reveal' role='status'><strong>"
            f"{T.STATUS[kind][2]} {verdict}</strong><table>{table}</table><p>{_e(result.explanation)}</p></div>")
    return _html(body)


def math_peek(title: str, equations: list[str], constants: list[tuple[str, str, str]]) -> mo.Html:
    """Collapsible governing equations (LaTeX, one display line each, rendered by
    marimo's bundled KaTeX) and the constants used, with their sources."""
    eqs = "\n\n".join(f"$$\n{e}\n$$" for e in equations)
    rows = "\n".join(f"| {n} | {v} | {s} |" for n, v, s in constants)
    md = f"{eqs}\n\n| constant | value | source |\n|---|---|---|\n{rows}"
    return mo.accordion({f"Math peek: {title}": mo.md(md)})


# ------------------------------------------------------------------- status
def _banner_html(kind: str, title: str, text: str) -> str:
    icon, word = T.STATUS[kind][2], T.STATUS[kind][3]
    role = "alert" if kind == "fail" else "status"
    return (f"<div class='mls-banner mls-{kind}' role='{role}'><strong>{icon} {_e(word)}: {_e(title)}</strong>"
            f"{_e(text)}</div>")


def banner(kind: str, title: str, text: str) -> mo.Html:
    return _html(_banner_html(kind, title, text))


def failure_banner(kind: str, *, what: str, by: str, fix: str) -> mo.Html:
    """A physical limit was crossed: what broke, by how much, and how to fix it."""
    return _html(f"<div class='mls-banner mls-fail' role='alert' data-failure='{_e(kind)}'>"
                 f"<strong>{T.STATUS['fail'][2]} {_e(kind)}: {_e(what)}</strong>"
                 f"Exceeded by {_e(by)}. Fix: {_e(fix)}</div>")


def metric_card(label: str, value: str, note: str = "", status: str | None = None) -> str:
    badge = f" <span aria-label='{_e(T.STATUS[status][3])}'>{T.STATUS[status][2]}</span>" if status else ""
    return (f"<div class='mls-card'><div class='mls-label'>{_e(label)}</div>"
            f"<div class='mls-value'>{_e(value)}{badge}</div><div class='mls-note'>{_e(note)}</div></div>")


def cards(*items: str) -> mo.Html:
    return _html(f"<div class='mls-cards'>{''.join(items)}</div>")


def slo_bar(label: str, value: float, limit: float, *, fmt=lambda v: f"{v:,.3g}", unit: str = "",
            higher_is_better: bool = False) -> str:
    """value against its limit; the fill shows how much of the budget is used."""
    used = (limit / value if value > 0 else float("inf")) if higher_is_better else (value / limit if limit else 0)
    shown = "unbounded" if value == float("inf") else fmt(value)
    status = "ok" if used <= 0.8 else "warn" if used <= 1.0 else "fail"
    pct = max(2.0, min(100.0, used * 100))
    icon, word = T.STATUS[status][2], T.STATUS[status][3]
    rel = ">=" if higher_is_better else "<="
    return (f"<div class='mls-slo' data-status='{status}'><div class='mls-row'><span>{_e(label)}</span>"
            f"<span>{icon} {word}: {_e(shown)} {_e(unit)} (target {_e(rel)} {_e(fmt(limit))} {_e(unit)})</span></div>"
            f"<div class='mls-track' role='meter' aria-valuenow='{min(used, 10) * 100:.0f}' aria-valuemin='0' "
            f"aria-valuemax='100' "
            f"aria-label='{_e(label)}'><div class='mls-fill {status}' style='width:{pct:.0f}%'></div></div></div>")


def slo_bars(*bars: str) -> mo.Html:
    return _html("".join(bars))


def tier_panel(rows: list[dict]) -> mo.Html:
    """rows: {tier, title, lines: [str], status: ok|warn|fail}."""
    out = []
    for r in rows:
        icon, word = T.STATUS[r.get("status", "ok")][2], T.STATUS[r.get("status", "ok")][3]
        lines = "".join(f"<li>{_e(x)}</li>" for x in r["lines"])
        out.append(f"<div class='mls-tier mls-tier-{_e(r['tier'])}'><div class='mls-tier-name'>"
                   f"{_e(T.TIER_LABEL.get(r['tier'], r['tier']))}: {_e(r['title'])}</div>"
                   f"<div>{icon} {word}</div><ul>{lines}</ul></div>")
    return _html(f"<div class='mls-tiers'>{''.join(out)}</div>")


def status_hud(*, lab_id: str, predictions: int, of: int, saved: bool, constraint_hit: bool,
               context: str | None) -> mo.Html:
    items = [("Lab", lab_id), ("Predictions", f"{predictions}/{of}"),
             ("Context", T.TIER_LABEL.get(context, "not set") if context else "not set"),
             ("Constraint hit", "yes ✖" if constraint_hit else "no ✔"),
             ("Ledger", "saved ✔" if saved else "not saved yet")]
    return _html("<div class='mls-hud' role='status' aria-label='Lab status'>" +
                 "".join(f"<span>{_e(k)}: <b>{_e(v)}</b></span>" for k, v in items) + "</div>")


def lab_footer(lab_id: str, record: dict, status, *, of: int):
    """The end of every lab: a persistent notice if the save failed, then the status HUD."""
    return mo.vstack([
        save_status(status),
        status_hud(lab_id=lab_id, predictions=len(record["predictions"]), of=of, saved=status.saved,
                   constraint_hit=record["constraint_hit"], context=record["context"]),
    ])


def takeaways(points: list[str], self_check: list[tuple[str, str]], *, unlocked: bool = True):
    """Key takeaways and self-check; hidden (they answer the questions) until every
    prediction of the lab is committed."""
    if not unlocked:
        return banner("info", "Takeaways locked", "Commit every prediction above to see the takeaways and self-check.")
    md = "\n".join(f"{i}. {p}" for i, p in enumerate(points, 1))
    checks = {f"Self-check {i}: {q}": mo.md(a) for i, (q, a) in enumerate(self_check, 1)}
    return mo.vstack([mo.md("### Key takeaways\n\n" + md), mo.accordion(checks)])


MEMO_PROMPTS = {
    "recommendation": "Your recommendation (what you would do, with the number that decided it)",
    "rejected": "The alternative you rejected, and why",
    "risk": "The residual risk",
    "would_change": "What would change your decision",
}


def decision_memo(saved: dict | None = None) -> mo.ui.form:
    """The memo that closes every lab; the capstones quote it back. Pre-filled with
    the memo saved on an earlier visit; saving again revises it."""
    saved = saved or {}
    fields = {k: mo.ui.text_area(value=saved.get(k, ""), label=label, max_length=2000, full_width=True, rows=3)
              for k, label in MEMO_PROMPTS.items()}
    layout = "**Decision memo**\n\n" + "\n\n".join(f"{{{k}}}" for k in MEMO_PROMPTS)
    return mo.md(layout).batch(**fields).form(submit_button_label="Save my decision memo")


def save_notice(error: str | None):
    """A persistent, explicit message when the learner's work did not reach the ledger."""
    if not error:
        return mo.md("")
    return _html(_banner_html("fail", "Not saved", f"{error}. What you entered is still on this page; fix the "
                                                  "cause (disk space, permissions) and change any control to retry."))


def save_status(status):
    """The outcome of a save (labs.protocol.SaveStatus, e.g. from LabSession.save):
    nothing when it was saved, else the persistent not-saved banner with the reason."""
    if getattr(status, "saved", False):
        return save_notice(None)
    return save_notice(getattr(status, "message", "") or "your work in this lab was not saved")


HINT_LABEL = "Show a hint (recorded)"


def hint_button() -> mo.ui.button:
    """Opens a part's one hint; `LabSession.hint` records that it was used."""
    return mo.ui.button(value=0, on_click=lambda n: (n or 0) + 1, label=HINT_LABEL)


def hint(text: str, used: bool, button) -> mo.Html:
    """The hint once opened, else its button with what opening it costs."""
    if used:
        return banner("info", "hint", text)
    return mo.vstack([button, _html("<div class='mls-meta'>One hint for this part. Opening it is recorded in your "
                                    "ledger (and in a class report); it never changes your grade.</div>")])

