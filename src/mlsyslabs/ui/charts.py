"""Plotly theme and chart helpers built on the design tokens."""
from __future__ import annotations

from . import tokens as T


def themed(fig, *, title: str, x: str = "", y: str = "", height: int = 360):
    fig.update_layout(title=title, font=dict(family=T.FONT, color=T.INK, size=13), paper_bgcolor=T.SURFACE,
                      plot_bgcolor=T.SURFACE, height=height, margin=dict(l=60, r=20, t=50, b=50),
                      legend=dict(orientation="h", y=-0.2), xaxis_title=x, yaxis_title=y)
    fig.update_xaxes(gridcolor="#e2e8f0", zerolinecolor=T.BORDER)
    fig.update_yaxes(gridcolor="#e2e8f0", zerolinecolor=T.BORDER)
    return fig


def tier_color(tier: str) -> str:
    return T.TIER.get(tier, T.INK)


def log_axes(fig, *, xs=None, ys=None, pad: float = 0.4):
    """Log axes whose range hugs the data (Plotly's autorange is thrown off by
    reference lines on log axes)."""
    import math

    for values, update in ((xs, fig.update_xaxes), (ys, fig.update_yaxes)):
        if values:
            logs = [math.log10(v) for v in values if v and v > 0 and math.isfinite(v)]
            update(type="log", range=[min(logs) - pad, max(logs) + pad])
    return fig


# Named chart colours (from the tokens): labs refer to these names, never to hex.
COLOR = {
    "highlight": T.PREDICTION,  # the learner's choice, the bottleneck, a limit line
    "series": T.ACTUAL,  # the main series / the engine's answer
    "alternative": T.TIER["edge"],  # a second series
    "neutral": T.MUTED,
    "data": T.TIER["cloud"],  # iron-law terms
    "compute": T.TIER["edge"],
    "fixed": T.TIER["tiny"],
}
