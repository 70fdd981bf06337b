"""Line plots as small inline SVG documents: pure functions of the series they are given.

>>> svg = line_plot([("loss", [(1, 0.5), (2, 0.3)])], title="loss per epoch")
>>> svg.startswith("<svg") and "loss per epoch" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

COLORS = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#4e342e"]


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= n:
            step *= m
            break
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1000 or abs(v) < 0.01:
        return f"{v:.1e}"
    return f"{v:.3g}"


def line_plot(
    series: Iterable[tuple[str, Sequence[tuple[float, float]]]],
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    width: int = 560,
    height: int = 260,
    log_y: bool = False,
    empty: str = "no data recorded",
) -> str:
    """One SVG with a line per series, axes with ticks, and a legend; names are escaped. Without data, the
    plot says ``empty`` (what was not recorded, and why)."""
    data = [
        (name, [(float(x), float(y)) for x, y in pts if not log_y or y > 0]) for name, pts in series
    ]
    data = [(n, p) for n, p in data if p]
    left, right, top, bottom = 58, 12, 28, 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    if not data:
        out.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#777">{escape(empty)}</text>'
        )
        return "".join(out) + "</svg>"
    xs = [x for _, p in data for x, _ in p]
    ys = [math.log10(y) if log_y else y for _, p in data for _, y in p]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        y0, y1 = y0 - 0.5, y1 + 0.5
    pad = (y1 - y0) * 0.05
    y0, y1 = y0 - pad, y1 + pad
    sx = lambda x: left + (x - x0) / (x1 - x0) * (width - left - right)  # noqa: E731
    sy = lambda y: top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom)  # noqa: E731
    out.append(
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
        'fill="#fafafa" stroke="#bbb"/>'
    )
    for t in _ticks(y0, y1):
        label = _fmt(10**t) if log_y else _fmt(t)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#e0e0e0"/>'
            f'<text x="{left - 4}" y="{sy(t) + 4:.1f}" text-anchor="end">{label}</text>'
        )
    for t in _ticks(x0, x1):
        out.append(
            f'<text x="{sx(t):.1f}" y="{height - bottom + 14}" text-anchor="middle">{_fmt(t)}</text>'
        )
    out.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle">{escape(xlabel)}</text>'
    )
    out.append(
        f'<text x="12" y="{(top + height - bottom) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(top + height - bottom) / 2})">{escape(ylabel)}</text>'
    )
    for i, (name, pts) in enumerate(data):
        color = COLORS[i % len(COLORS)]
        path = " ".join(f"{sx(x):.1f},{sy(math.log10(y) if log_y else y):.1f}" for x, y in pts)
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{path}"/>')
        if len(pts) <= 30:
            out += [
                f'<circle cx="{sx(x):.1f}" cy="{sy(math.log10(y) if log_y else y):.1f}" r="2.5" fill="{color}"/>'
                for x, y in pts
            ]
        out.append(
            f'<rect x="{left + 8}" y="{top + 6 + i * 14}" width="10" height="3" fill="{color}"/>'
            f'<text x="{left + 22}" y="{top + 10 + i * 14}">{escape(name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
