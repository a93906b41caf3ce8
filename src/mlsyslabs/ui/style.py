"""The labs' stylesheet, generated from the tokens (injected once by the header)."""
from __future__ import annotations

from . import tokens as T


def stylesheet() -> str:
    status = "\n".join(
        f".mls-{k}{{color:{fg};background:{bg};border-left:5px solid {fg};}}" for k, (fg, bg, _, _) in T.STATUS.items())
    tiers = "\n".join(f".mls-tier-{k}{{border-top:4px solid {c};}} .mls-tier-{k} .mls-tier-name{{color:{c};}}"
                      for k, c in T.TIER.items())
    return f"""
.mls{{font-family:{T.FONT};color:{T.INK};line-height:1.5;}}
.mls-header{{background:{T.HEADER_BG};color:{T.HEADER_INK};padding:24px 28px;border-radius:12px;}}
.mls-header h1{{margin:4px 0 8px;font-size:2rem;color:{T.HEADER_INK};}}
.mls-kicker{{font-size:.75rem;letter-spacing:.12em;text-transform:uppercase;color:{T.HEADER_MUTED};}}
.mls-header p{{color:{T.HEADER_MUTED};margin:4px 0;}}
.mls-chips{{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px;}}
.mls-chip{{border:1px solid {T.HEADER_MUTED};border-radius:999px;padding:2px 10px;font-size:.8rem;
  color:{T.HEADER_INK};}}
.mls-message{{background:{T.PANEL};border:1px solid {T.BORDER};border-radius:10px;padding:14px 18px;}}
.mls-message .mls-from{{font-size:.8rem;color:{T.MUTED};margin-bottom:6px;}}
.mls-message blockquote{{margin:0;font-size:1.02rem;}}
.mls-banner{{border-radius:8px;padding:12px 16px;margin:6px 0;}}
.mls-banner strong{{display:block;margin-bottom:2px;}}
{status}
.mls-cards{{display:flex;flex-wrap:wrap;gap:10px;}}
.mls-card{{background:{T.SURFACE};border:1px solid {T.BORDER};border-radius:10px;padding:10px 14px;min-width:150px;
  flex:1;}}
.mls-card .mls-label{{font-size:.78rem;color:{T.MUTED};}}
.mls-card .mls-value{{font-size:1.35rem;font-weight:700;}}
.mls-card .mls-note{{font-size:.78rem;color:{T.MUTED};}}
.mls-slo{{margin:6px 0;}}
.mls-slo .mls-track{{background:{T.PANEL};border:1px solid {T.BORDER};border-radius:6px;height:12px;position:relative;}}
.mls-slo .mls-fill{{height:100%;border-radius:6px;}}
.mls-slo .mls-fill.ok{{background:{T.STATUS['ok'][0]};}} .mls-slo .mls-fill.warn{{background:{T.STATUS['warn'][0]};}}
.mls-slo .mls-fill.fail{{background:{T.STATUS['fail'][0]};}}
.mls-slo .mls-row{{display:flex;justify-content:space-between;font-size:.85rem;}}
.mls-tiers{{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:10px;}}
.mls-tier{{background:{T.SURFACE};border:1px solid {T.BORDER};border-radius:10px;padding:10px 14px;}}
.mls-tier-name{{font-weight:700;}}
{tiers}
.mls-tier ul{{margin:6px 0 0;padding-left:18px;font-size:.88rem;}}
.mls-hud{{display:flex;flex-wrap:wrap;gap:16px;background:{T.HEADER_BG};color:{T.HEADER_INK};border-radius:10px;
  padding:10px 16px;font-size:.85rem;}}
.mls-hud span b{{color:{T.HEADER_INK};}} .mls-hud span{{color:{T.HEADER_MUTED};}}
.mls-reveal table{{border-collapse:collapse;margin-top:6px;}} .mls-reveal td{{padding:2px 12px 2px 0;}}
.mls-committed{{background:{T.PANEL};border:1px solid {T.BORDER};border-left:5px solid {T.PREDICTION};border-radius:8px;
  padding:10px 16px;}}
.mls-committed .mls-label{{font-weight:700;}} .mls-committed .mls-note{{font-size:.8rem;color:{T.MUTED};}}
.mls-section{{font-size:1.3rem;font-weight:700;margin-top:8px;border-bottom:2px solid {T.BORDER};padding-bottom:4px;}}
.mls-section span{{font-size:.8rem;font-weight:400;color:{T.MUTED};margin-left:8px;}}
.mls-gallery-vol{{margin-top:18px;}}
.mls-lab-row{{display:flex;gap:12px;align-items:baseline;border-bottom:1px solid {T.BORDER};padding:6px 0;}}
.mls-lab-row .mls-id{{font-family:monospace;color:{T.MUTED};min-width:48px;}}
.mls-lab-row a{{font-weight:700;color:{T.TIER['cloud']};}}
.mls-lab-row .mls-meta{{font-size:.8rem;color:{T.MUTED};}}
"""
