"""Line plots a room can read, as inline SVG: pure functions of the series they are given.

The legend stands beside the plot area, never over the lines (names escaped, a long one cut with an ellipsis and
given whole in its tooltip). Ticks are round numbers written as people write them: ``469, 938, 1,407`` or
``0.001, 0.01, 0.1`` on a log axis, never ``1.0e+03``; a per-epoch plot ticks whole epochs; a per-step plot marks
where each epoch begins with a dashed line labelled ``epoch 2``, and ticks those steps. Values that are all positive
and span two decades or more are drawn on a log scale, and the axis says so. Hovering a point shows its series, x
and y: a native SVG ``<title>``, so it works without scripts (in the report, a lesson, a notebook output), on at
most :data:`HOVER_POINTS` points a series, so that a plot of 100,000 steps stays small.

Drawn by hand rather than with a plotting library: a canvas library (uPlot, the smallest well-kept one, is 51 KB
minified plus its CSS) draws nothing without its script, prints as a bitmap, and needs data handed to it through a
script; the few hundred lines here keep the pictures vector, printable and script-free.

>>> svg = line_plot([("loss", [(1, 0.5), (2, 0.3)])], "loss per epoch", "epoch", whole_x=True)
>>> svg.startswith("<svg") and "loss per epoch" in svg and "<title>loss — epoch 2: 0.3</title>" in svg
True
>>> tick_text(1000.0, 500.0), power_text(0.001), power_text(1e-7)
('1,000', '0.001', '10⁻⁷')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

from fittrace.analysis.values import number_text

COLORS = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#4e342e"]
#: Points per series that show their values on hover (evenly spaced along the series, ends included).
HOVER_POINTS = 60
#: Characters of a series name the legend shows before it cuts the name with an ellipsis.
LEGEND_CHARS = 22
#: Series with at most this many points also get a visible dot on every point.
DOTTED = 30
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_CHAR_PX = 6.6  # about the width of one character at the tick font size


# --- ticks ---------------------------------------------------------------------------------------------------------
def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round values between ``lo`` and ``hi``: multiples of 1, 2 or 5 times a power of ten."""
    if not hi > lo:
        return [lo]
    step = _nice_step((hi - lo) / n)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [_clean(k * step) for k in range(first, last + 1)]


def _nice_step(raw: float) -> float:
    """The smallest round step of at least three quarters of ``raw`` (a little more ticks rather than too few)."""
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if 0.75 * raw <= m * power * (1 + 1e-9):
            return m * power
    return 10 * power


def _clean(v: float) -> float:
    """``0.30000000000000004`` as ``0.3``: a tick is what its label says."""
    return float(f"{v:.12g}")


def tick_text(value: float, step: float) -> str:
    """A tick on a linear axis, with as many decimals as the spacing ``step`` needs and its thousands grouped:
    ``1,000`` (step 500), ``0.25`` (step 0.05), never an exponent."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def power_text(value: float) -> str:
    """A value on a log axis (a power of ten, or 2 or 5 times one) as people write it: ``0.001``, ``0.05``, ``10``,
    ``1,000``; beyond a millionth or a million, as a power of ten (``10⁻⁷``, ``5×10⁸``)."""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10**exponent)
    if -6 <= exponent <= 6:
        return f"{value:,.{max(0, -exponent)}f}"
    power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
    return power if mantissa == 1 else f"{mantissa}×{power}"


def log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis from ``lo`` to ``hi`` (both as log10): the powers of ten inside, with 2× and 5× between
    them when fewer than three powers fit; thinned to every second, third, ... power when many do."""
    powers = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    if len(powers) >= 3:
        every = max(1, math.ceil(len(powers) / 7))
        return [10.0**p for p in powers if p % every == 0]
    ticks = [
        m * 10.0**p
        for p in range(math.floor(lo) - 1, math.ceil(hi) + 1)
        for m in (1, 2, 5)
        if lo - 1e-9 <= math.log10(m * 10.0**p) <= hi + 1e-9
    ]
    return ticks or [10**lo]


def wants_log(values: Sequence[float]) -> bool:
    """True for values that are all positive and span two decades or more (a max at least 100 times the min)."""
    return bool(values) and min(values) > 0 and max(values) / min(values) >= 100


# --- the plot -------------------------------------------------------------------------------------------------------
def line_plot(
    series: Iterable[tuple[str, Sequence[tuple[float, float]]]],
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    width: int = 560,
    height: int = 260,
    log_y: bool | None = None,
    empty: str = "no data recorded",
    *,
    whole_x: bool = False,
    epoch_starts: Sequence[tuple[float, int]] = (),
    x_name: str | None = None,
) -> str:
    """One SVG with a line per series, ticked axes, a legend beside the plot area and values on hover; every name
    is escaped. Without data, the plot says ``empty`` (what was not recorded, and why).

    ``log_y``: True or False to choose the scale, None to let the values decide (:func:`wants_log`). ``whole_x``:
    the x values are counts (epochs), ticked as whole numbers. ``epoch_starts``: (x, epoch) where each epoch after
    the first begins, drawn as dashed lines labelled ``epoch 2``, ...; the epochs are counted from 0 as the trace
    counts them and labelled from 1 as Keras's progress bar does. ``x_name`` names x in a hover's text
    (``step 938``); by default the first word of ``xlabel``."""
    data = [(str(name), [(float(x), float(y)) for x, y in pts]) for name, pts in series]
    data = [(n, p) for n, p in data if p]
    all_y = [y for _, p in data for _, y in p]
    log = wants_log(all_y) if log_y is None else bool(log_y)
    if log:
        data = [(n, [(x, y) for x, y in p if y > 0]) for n, p in data]
        data = [(n, p) for n, p in data if p]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto" role="img" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        "<style>.plot .hit:hover{fill-opacity:1}</style>",
        f'<text x="{width / 2:.0f}" y="17" text-anchor="middle" font-size="14" font-weight="bold">'
        f"{escape(title)}</text>",
    ]
    if not data:
        out.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="#666">'
            f"{escape(empty)}</text></svg>"
        )
        return "".join(out)
    ys = [math.log10(y) if log else y for _, p in data for _, y in p]
    xs = [x for _, p in data for x, _ in p]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - (0.5 if whole_x else 1), x1 + (0.5 if whole_x else 1)
    if y1 == y0:
        y0, y1 = y0 - 0.5, y1 + 0.5
    pad = (y1 - y0) * 0.05
    y0, y1 = y0 - pad, y1 + pad
    if whole_x:
        x0, x1 = x0 - 0.25, x1 + 0.25  # the first and last epoch's dots clear of the frame

    if log:
        y_ticks = [(math.log10(t), power_text(t)) for t in log_ticks(y0, y1)]
    else:
        raw = nice_ticks(y0, y1)
        step = raw[1] - raw[0] if len(raw) > 1 else abs(raw[0]) or 1.0
        y_ticks = [(t, tick_text(t, step)) for t in raw]
    names = [_cut(n) for n, _ in data]
    legend_w = max(len(n) for n in names) * _CHAR_PX + 34
    left = max(44, max(len(label) for _, label in y_ticks) * _CHAR_PX + 30)
    right, top, bottom = legend_w + 8, 30 + (12 if epoch_starts else 0), 42
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * plot_w

    def sy(y: float) -> float:
        return top + (1 - (y - y0) / (y1 - y0)) * plot_h

    out.append(
        f'<rect x="{left:.1f}" y="{top}" width="{plot_w:.1f}" height="{plot_h}" fill="#fafafa" stroke="#bbb"/>'
    )
    for t, label in y_ticks:
        out.append(
            f'<line x1="{left:.0f}" x2="{left + plot_w:.0f}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 5:.0f}" y="{sy(t) + 4:.1f}" text-anchor="end">{label}</text>'
        )
    for t, label in _x_ticks(x0, x1, whole_x, epoch_starts, plot_w):
        out.append(
            f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="#999"/>'
            f'<text x="{sx(t):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{label}</text>'
        )
    out += _epoch_lines(epoch_starts, sx, top, plot_h, x0, x1)
    out.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle">{escape(xlabel)}</text>'
    )
    y_words = f"{ylabel} (log scale)" if log and ylabel else ("log scale" if log else ylabel)
    mid = top + plot_h / 2
    out.append(
        f'<text x="14" y="{mid:.0f}" text-anchor="middle" transform="rotate(-90 14 {mid:.0f})">'
        f"{escape(y_words)}</text>"
    )
    x_word = x_name if x_name is not None else (xlabel.split() or ["x"])[0]
    for i, (name, pts) in enumerate(data):
        color = COLORS[i % len(COLORS)]
        at = [(sx(x), sy(math.log10(y) if log else y)) for x, y in pts]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in at)
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{path}"/>')
        dotted = len(pts) <= DOTTED
        for k in _hover_indices(len(pts)):
            (x, y), (px, py) = pts[k], at[k]
            shown = 'fill-opacity="1" r="3"' if dotted else 'fill-opacity="0" r="4" class="hit"'
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" {shown} fill="{color}">'
                f"<title>{escape(name)} — {escape(x_word)} {_x_text(x, whole_x)}: "
                f"{number_text(y)}</title></circle>"
            )
    out += _legend(data, names, left + plot_w + 12, top, plot_h)
    out.append("</svg>")
    return "".join(out)


def _cut(name: str) -> str:
    return name if len(name) <= LEGEND_CHARS else name[: LEGEND_CHARS - 1] + "…"


def _x_text(x: float, whole: bool) -> str:
    return number_text(int(round(x))) if whole or x.is_integer() else number_text(x)


def _x_ticks(
    x0: float, x1: float, whole: bool, epoch_starts: Sequence[tuple[float, int]], plot_w: float
) -> list[tuple[float, str]]:
    """Where x is ticked: whole numbers for epochs, the epochs' first steps for a per-step plot of a few epochs
    (``0, 469, 938, ...``), round numbers otherwise."""
    starts = [float(x) for x, _ in epoch_starts if x0 <= x <= x1]
    if starts and len(starts) <= 8 and _spaced([0.0, *starts], x1 - x0, plot_w):
        return [(t, tick_text(t, 1)) for t in [max(0.0, x0), *starts]]
    if whole and _spaced([0.0, 1.0], x1 - x0, plot_w, gap=30):  # room to tick every epoch
        return [(float(t), str(t)) for t in range(math.ceil(x0), math.floor(x1) + 1)]
    raw = nice_ticks(x0, x1, n=max(2, min(8, int(plot_w // 90))))
    if whole:
        raw = [t for t in raw if float(t).is_integer()] or [round((x0 + x1) / 2)]
    step = raw[1] - raw[0] if len(raw) > 1 else 1.0
    return [(t, tick_text(t, max(step, 1.0) if whole else step)) for t in raw]


def _spaced(xs: list[float], span: float, plot_w: float, gap: float = 46) -> bool:
    """True if ticks at ``xs`` would stand at least ``gap`` pixels apart."""
    return all((b - a) / span * plot_w >= gap for a, b in zip(xs, xs[1:]))


def _epoch_lines(
    epoch_starts: Sequence[tuple[float, int]], sx, top: float, plot_h: float, x0: float, x1: float
) -> list[str]:
    """A dashed line where each epoch begins, labelled above the plot area (every k-th label when they crowd)."""
    inside = [(x, e) for x, e in epoch_starts if x0 < x <= x1]
    if not inside:
        return []
    crowd = min((sx(b[0]) - sx(a[0]) for a, b in zip(inside, inside[1:])), default=1e9)
    every = max(1, math.ceil(58 / max(crowd, 1e-9)))
    out = []
    for k, (x, epoch) in enumerate(inside):
        out.append(
            f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{top}" y2="{top + plot_h}" stroke="#8a8a8a" '
            'stroke-dasharray="4 3"/>'
        )
        if k % every == 0:
            out.append(
                f'<text x="{sx(x):.1f}" y="{top - 4}" text-anchor="middle" font-size="11" fill="#555">'
                f"epoch {epoch + 1}</text>"
            )
    return out


def _hover_indices(n: int) -> list[int]:
    if n <= HOVER_POINTS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (HOVER_POINTS - 1)) for i in range(HOVER_POINTS)})


def _legend(
    data: list[tuple[str, list]], names: list[str], x: float, top: float, plot_h: float
) -> list[str]:
    """The legend, one row per series beside the plot area; the full name on hover; '+ N more' past its height."""
    rows = max(1, int(plot_h // 17))
    shown = data if len(data) <= rows else data[: rows - 1]
    out = []
    for i, (name, _) in enumerate(shown):
        y = top + 10 + i * 17
        out.append(
            f"<g><title>{escape(name)}</title>"
            f'<line x1="{x:.0f}" x2="{x + 16:.0f}" y1="{y - 4}" y2="{y - 4}" stroke="{COLORS[i % len(COLORS)]}" '
            f'stroke-width="3"/><text x="{x + 22:.0f}" y="{y}">{escape(names[i])}</text></g>'
        )
    if len(shown) < len(data):
        rest = data[len(shown) :]
        out.append(
            f"<g><title>{escape(', '.join(n for n, _ in rest))}</title>"
            f'<text x="{x:.0f}" y="{top + 10 + len(shown) * 17}" fill="#555">+ {len(rest)} more</text></g>'
        )
    return out
