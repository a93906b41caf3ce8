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
def choice_prediction(label: str, options: dict[str, str]) -> mo.ui.radio:
    """Multiple choice: options map the text shown to a stable key."""
    return mo.ui.radio(options=options, label=label)


def numeric_prediction(label: str, *, start: float, stop: float, step: float, value: float,
                       unit: str) -> mo.ui.form:
    """Numeric estimate; its value stays None until the learner presses Lock."""
    return mo.ui.number(start=start, stop=stop, step=step, value=value, label=f"{label} ({unit})").form(
        submit_button_label="Lock my prediction")


def locked(what: str = "the instruments") -> mo.Html:
    return banner("info", "Locked", f"Commit your prediction above to unlock {what}.")


def reveal(result: PredictionResult, *, fmt=lambda v: f"{v:,.3g}") -> mo.Html:
    """Prediction vs actual, the off-by factor, right or wrong, and why."""
    kind = "ok" if result.correct else "fail"
    verdict = "Correct" if result.correct else "Not quite"
    rows = []
    if result.predicted is not None:
        rows.append(("You predicted", f"{fmt(result.predicted)} {result.unit}"))
    if result.actual is not None:
        rows.append(("The physics says", f"{fmt(result.actual)} {result.unit}"))
    if result.off_by is not None:
        d = {"under": " (you underestimated)", "over": " (you overestimated)"}.get(result.direction, "")
        rows.append(("Off by", f"{result.off_by:,.2f}x{d}"))
    table = "".join(f"<tr><td>{_e(a)}</td><td><b>{_e(b)}</b></td></tr>" for a, b in rows)
    body = (f"<div class='mls-banner mls-{kind} mls-reveal' role='status'><strong>"
            f"{T.STATUS[kind][2]} {verdict}</strong><table>{table}</table><p>{_e(result.explanation)}</p></div>")
    return _html(body)


def math_peek(title: str, equation: str, constants: list[tuple[str, str, str]]) -> mo.Html:
    """Collapsible governing equation and the constants used, with sources."""
    rows = "\n".join(f"| {n} | {v} | {s} |" for n, v, s in constants)
    md = f"```\n{equation}\n```\n\n| constant | value | source |\n|---|---|---|\n{rows}"
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
            f"<span>{icon} {word}: {_e(shown)} {_e(unit)} (target {rel} {_e(fmt(limit))} {_e(unit)})</span></div>"
            f"<div class='mls-track' role='meter' aria-valuenow='{min(used, 10) * 100:.0f}' aria-valuemin='0' aria-valuemax='100' "
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


def takeaways(points: list[str], self_check: list[tuple[str, str]]) -> mo.Html:
    md = "\n".join(f"{i}. {p}" for i, p in enumerate(points, 1))
    checks = {f"Self-check {i}: {q}": mo.md(a) for i, (q, a) in enumerate(self_check, 1)}
    return mo.vstack([mo.md("### Key takeaways\n\n" + md), mo.accordion(checks)])
