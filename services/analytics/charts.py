"""Charts of the annual report as SVG, drawn here in Python: no JavaScript and no network, so the
same markup goes into the HTML, the PDF (WeasyPrint draws SVG itself) and, as ``data:`` URIs, the
Markdown. Each chart carries a ``<title>`` and ``aria-label``; the report prints the figures as
a table beside it, so nothing is said by colour alone.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe-Ito: told apart with every common colour-vision deficiency, dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
INK, GRID, FONT = "#1a1a1a", "#d0d0d0", "font-family:DejaVu Sans,Arial,sans-serif"
WIDTH = 640


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def nice_ticks(top: float, most: int = 5) -> list[float]:
    """Axis ticks from 0 up to at least ``top``, on a step of 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0.0, 1.0]
    rough = top / most
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)]


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _svg(title: str, height: float, body: list[str]) -> str:
    label = escape(title, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}"'
        f' viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}"'
        f' style="{FONT};font-size:12px">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts, x = [], 8.0
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x:.0f}" y="{y - 9:.0f}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.0f}" y="{y:.0f}" fill="{INK}">{escape(s.name)}</text>')
        x += 24 + 7 * len(s.name)
    return parts


def hbars(
    title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "", top: float = 0
) -> str:
    """Horizontal bars, one group per label and one bar per series (a missing value: no bar,
    and "n/a" written where it would be). ``top`` fixes the scale (4 for a score out of 4)."""
    label_w, bar_h = 250.0, 12.0
    group_h = bar_h * len(series) + 10
    top_y = 24.0 if len(series) > 1 else 8.0
    height = top_y + group_h * len(labels) + 24
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max([top, *values, 0]))
    scale = (WIDTH - label_w - 50) / ticks[-1]
    body = _legend(series, 14) if len(series) > 1 else []
    for t in ticks:
        x = label_w + t * scale
        body.append(
            f'<line x1="{x:.1f}" y1="{top_y:.0f}" x2="{x:.1f}" y2="{height - 20:.0f}"'
            f' stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{height - 6:.0f}" text-anchor="middle" fill="{INK}">'
            f"{_fmt(t)}{escape(unit)}</text>"
        )
    for row, label in enumerate(labels):
        y0 = top_y + row * group_h + 5
        short = label if len(label) <= 40 else label[:39] + "\u2026"
        body.append(
            f'<text x="{label_w - 6:.0f}" y="{y0 + group_h / 2:.1f}" text-anchor="end"'
            f' fill="{INK}">{escape(short)}</text>'
        )
        for i, s in enumerate(series):
            value, y = s.values[row], y0 + i * bar_h
            if value is None:
                body.append(
                    f'<text x="{label_w + 4:.0f}" y="{y + bar_h - 2:.1f}" fill="{INK}">n/a</text>'
                )
                continue
            w = value * scale
            body.append(
                f'<rect x="{label_w:.0f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2:.0f}"'
                f' fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(s.name)}, {escape(label)}:'
                f" {_fmt(value)}{escape(unit)}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 2:.1f}" fill="{INK}">'
                f"{_fmt(value)}{escape(unit)}</text>"
            )
    return _svg(title, height, body)


def lines(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """A line per series over ``labels`` (months), at most about twelve labels on the axis."""
    left, right, top_y, height = 40.0, 16.0, 28.0, 260.0
    bottom = height - 30
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max([*values, 0]))
    y_scale = (bottom - top_y) / ticks[-1]
    n = len(labels)
    x_step = (WIDTH - left - right) / max(n - 1, 1)
    every = max(1, math.ceil(n / 12))
    body = _legend(series, 14)
    for t in ticks:
        y = bottom - t * y_scale
        body.append(
            f'<line x1="{left:.0f}" y1="{y:.1f}" x2="{WIDTH - right:.0f}" y2="{y:.1f}"'
            f' stroke="{GRID}"/><text x="{left - 6:.0f}" y="{y + 4:.1f}" text-anchor="end"'
            f' fill="{INK}">{_fmt(t)}</text>'
        )
    for i, label in enumerate(labels):
        if i % every == 0:
            x = left + i * x_step
            body.append(
                f'<text x="{x:.1f}" y="{bottom + 16:.0f}" text-anchor="middle" fill="{INK}">'
                f"{escape(label)}</text>"
            )
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (left + i * x_step, bottom - v * y_scale)
            for i, v in enumerate(s.values)
            if v is not None
        ]
        body.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + '"/>'
        )
        body.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points
        )
    return _svg(title, height, body)


def data_uri(svg: str) -> str:
    """The chart as a ``data:`` URI, for an image in the Markdown report (self-contained)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
