"""Plotly theme and chart helpers built on the design tokens."""
from __future__ import annotations

from . import tokens as T


def themed(fig, *, title: str, x: str = "", y: str = "", height: int = 360):
    # Legend above the plot (never over an axis title); SI tick prefixes ("10G", not
    # Plotly's default "10B", which reads as ten bytes on a byte axis); no mode bar,
    # whose buttons add ten invisible tab stops per chart.
    fig.update_layout(title=dict(text=title, y=0.98, yanchor="top"), font=dict(family=T.FONT, color=T.INK, size=13),
                      paper_bgcolor=T.SURFACE, plot_bgcolor=T.SURFACE, height=height,
                      margin=dict(l=60, r=20, t=80, b=50), xaxis_title=x, yaxis_title=y,
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"), modebar=dict(remove=["all"]))
    fig.update_xaxes(gridcolor="#e2e8f0", zerolinecolor=T.BORDER, exponentformat="SI")
    fig.update_yaxes(gridcolor="#e2e8f0", zerolinecolor=T.BORDER, exponentformat="SI")
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
    "limit": T.INK,  # a capacity or budget line (usable memory, SLO)
}


def reference_line(fig, value: float, label: str, *, axis: str = "y", color: str | None = None, dash: str = "dash"):
    """A labelled horizontal (axis='y') or vertical (axis='x') line at `value` that
    stays legible on log axes: Plotly places annotations on a log axis at log10 of
    the position, so the label is positioned by hand (set the axis type first)."""
    import math

    color = color or COLOR["highlight"]
    ax = fig.layout.yaxis if axis == "y" else fig.layout.xaxis
    pos = math.log10(value) if ax.type == "log" and value > 0 else value
    line = dict(line_dash=dash, line_color=color, line_width=2)
    note = dict(text=label, showarrow=False, font=dict(color=T.INK, size=12), bgcolor=T.SURFACE,
                bordercolor=color, borderwidth=1)
    if axis == "y":
        fig.add_hline(y=value, **line)
        fig.add_annotation(x=1, xref="paper", y=pos, yref="y", xanchor="right", yanchor="bottom", **note)
    else:
        fig.add_vline(x=value, **line)
        fig.add_annotation(x=pos, xref="x", y=1, yref="paper", xanchor="left", yanchor="top", **note)
    return fig


def mark_point(fig, x, y: float, label: str, *, color: str | None = None):
    """A labelled arrow pointing at (x, y), e.g. the bar a learner predicted; legible
    on a log y axis (set the axis type first: Plotly places annotations on a log axis
    at log10 of the position)."""
    import math

    color = color or COLOR["highlight"]
    pos = math.log10(y) if fig.layout.yaxis.type == "log" and y > 0 else y
    fig.add_annotation(x=x, y=pos, text=label, showarrow=True, arrowhead=2, arrowcolor=color, ax=0, ay=-70, standoff=20,
                       font=dict(color=T.INK, size=12), bgcolor=T.SURFACE, bordercolor=color, borderwidth=1)
    return fig


def two_lines(first: str, second: str) -> str:
    """A category label on two lines (Plotly's line break), e.g. tier over device name."""
    return f"{first}<br>{second}"
