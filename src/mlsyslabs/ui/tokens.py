"""Design tokens: the one place colours live. Status colours are always paired
with an icon and a word, never colour alone; text/background pairs are checked
for WCAG AA contrast (>= 4.5:1) by the tests."""
from __future__ import annotations

TIER = {  # accent colours of the four contexts (used as borders and chart traces)
    "cloud": "#1d4ed8",
    "edge": "#047857",
    "mobile": "#7c3aed",
    "tiny": "#b45309",
}
TIER_LABEL = {"cloud": "Cloud", "edge": "Edge", "mobile": "Mobile", "tiny": "TinyML"}

STATUS = {  # (text colour, background, icon, word)
    "ok": ("#14532d", "#dcfce7", "✔", "OK"),
    "warn": ("#713f12", "#fef9c3", "▲", "Warning"),
    "fail": ("#7f1d1d", "#fee2e2", "✖", "Failure"),
    "info": ("#1e3a8a", "#dbeafe", "ℹ", "Note"),
}

INK = "#0f172a"  # body text
MUTED = "#475569"  # secondary text
SURFACE = "#ffffff"
PANEL = "#f8fafc"
BORDER = "#cbd5e1"
HEADER_BG = "#0f172a"
HEADER_INK = "#f8fafc"
HEADER_MUTED = "#cbd5e1"
PREDICTION = "#b91c1c"  # the learner's prediction on charts
ACTUAL = "#1d4ed8"  # the engine's answer on charts
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio between two sRGB hex colours."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_pairs() -> list[tuple[str, str, str]]:
    """Every (name, text colour, background) pair the stylesheet uses for text."""
    pairs = [("body", INK, SURFACE), ("muted", MUTED, SURFACE), ("panel", INK, PANEL), ("muted-panel", MUTED, PANEL),
             ("header", HEADER_INK, HEADER_BG), ("header-muted", HEADER_MUTED, HEADER_BG)]
    pairs += [(f"status-{k}", fg, bg) for k, (fg, bg, _, _) in STATUS.items()]
    pairs += [(f"tier-{k}", c, SURFACE) for k, c in TIER.items()]
    return pairs
