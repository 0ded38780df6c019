"""Small line charts drawn on the server as SVG: no chart library, nothing to fetch, nothing to run.

Every text in the picture is escaped; values are numbers the archive holds. A year without a value
(no report, a blank cell, a ratio over zero) leaves a gap in the line, never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from markupsafe import Markup, escape

WIDTH: Final = 320
HEIGHT: Final = 150
PAD: Final = (36, 12, 14, 24)  # left, right, top, bottom


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def line(title: str, points: Sequence[tuple[int, float | None]]) -> Markup:
    """A line over the years; None where there is no value."""
    known = [v for _, v in points if v is not None]
    left, right, top, bottom = PAD
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    high = max(known, default=1.0) or 1.0
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return top + plot_h - (v / high) * plot_h

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
              f'aria-label="{escape(title)}"><title>{escape(title)}</title>'),
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="axis"/>',
             f'<text x="{left - 4}" y="{top + 4}" class="tick" text-anchor="end">{escape(_fmt(high))}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" class="tick" text-anchor="end">0</text>']
    segment: list[str] = []
    for i, (year, value) in enumerate(points):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 6}" class="tick" text-anchor="middle">{year % 100:02d}</text>')
        if value is None:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" class="line"/>')
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" class="dot">'
                     f"<title>{year}：{escape(_fmt(value))}</title></circle>")
    if len(segment) > 1:
        parts.append(f'<polyline points="{" ".join(segment)}" class="line"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped text above
