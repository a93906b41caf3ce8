"""The home page: every lab of both volumes with the learner's progress."""
from __future__ import annotations

from html import escape

from .style import stylesheet


def _e(x) -> str:
    return escape(str(x), quote=True)


def learner_form(name: str | None) -> str:
    """Who this ledger belongs to: exports and class reports carry the name."""
    shown = f"Signed as <b>{_e(name)}</b>. " if name else "No name set yet. "
    return ("<form class='mls-learner' method='post' action='whoami'>"
            f"<label for='mls-learner-name'>{shown}Your name or student id (your exports carry it): </label>"
            f"<input id='mls-learner-name' name='name' maxlength='120' required value='{_e(name or '')}'>"
            "<button type='submit'>Save name</button></form>")


def gallery_html(labs: list, progress: dict, notice: str | None = None, *, learner: str | None = None,
                 name_form: bool = True) -> str:
    """labs: catalog Lab objects; progress: lab id -> latest ledger record; learner: the ledger's name;
    name_form: offer the form that names it (only where a server answers it, not on a static site)."""
    done = sum(1 for lab in labs if lab.id in progress)
    ready = sum(1 for lab in labs if lab.ready)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>ML Systems Labs</title>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{stylesheet()}"
             f"body{{max-width:980px;margin:24px auto;padding:0 16px;}}</style></head><body class='mls'>",
             "<header class='mls-header'><div class='mls-kicker'>mlsyslabs</div><h1>ML Systems Labs</h1>"
             "<p>Predict first, then discover what the physics says. Every number comes from the mlsyslabs engine.</p>"
             f"<p>Progress: {done} of the {ready} ready labs visited ({len(labs)} planned).</p></header>"]
    if name_form:
        parts.append(learner_form(learner))
    if notice:
        parts.append("<div class='mls-banner mls-warn' role='status'><strong>▲ Ledger notice</strong>"
                     f"{_e(notice)}</div>")
    parts.append("<main>")
    for vol, name in ((1, "Volume I: one machine, four tiers"), (2, "Volume II: at scale")):
        parts.append(f"<section class='mls-gallery-vol'><h2>{_e(name)}</h2>")
        for lab in (x for x in labs if x.volume == vol):
            rec = progress.get(lab.id)
            if rec:
                n = len(rec.get("predictions", []))
                ok = sum(1 for p in rec.get("predictions", []) if p.get("correct"))
                state = f"✔ visited: {ok}/{n} predictions right" if n else "✔ visited"
            else:
                state = "not started"
            title = (f"<a href='labs/{_e(lab.id)}/'>{_e(lab.title)}</a>" if lab.ready
                     else f"<span>{_e(lab.title)}</span> <span class='mls-meta'>(coming soon)</span>")
            parts.append(f"<div class='mls-lab-row' data-lab='{_e(lab.id)}'><span class='mls-id'>{_e(lab.id)}</span>"
                         f"<div>{title}<div class='mls-meta'>{_e(lab.chapter)} · {_e(', '.join(lab.invariants))} · "
                         f"~{lab.minutes} min · {_e(state)}</div></div></div>")
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "".join(parts)
