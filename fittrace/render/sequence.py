"""The call-sequence diagram of a trace, as SVG, PNG and Mermaid text.

Lifelines for every participant (``Model.fit``, ``DataHandler``, the adapter, ``CallbackList`` and each callback,
``train_function``, the model, each layer, ``LossesContainer``, ``GradientTape``, the optimizer,
``MetricsContainer``), messages in call order, loop frames with their counts, notes for builds and errors.
Pure functions of a trace: ``sequence_svg(trace)``, ``sequence_png(trace)``, ``sequence_mermaid(trace)``.
"""

from __future__ import annotations

import re

from fittrace.render.canvas import Canvas, text_width
from fittrace.render.sequence_model import Frame, Message, Note, SequenceModel, sequence_model
from fittrace.tracing.document import Trace

ROW, HEAD, MARGIN, GAP = 24, 34, 16, 28
TONES = {
    "info": ("#fff8d6", "#b8a200"),
    "build": ("#e3f1ff", "#2f6db5"),
    "error": ("#ffe3e3", "#c62828"),
}


def _layout(model: SequenceModel) -> Canvas:
    parts = model.participants or ["user code"]
    widths = [max(90.0, text_width(p) + 20) for p in parts]
    # room for the longest message between neighbours
    gaps = [GAP] * len(parts)
    index = {p: i for i, p in enumerate(parts)}
    for item in model.items:
        if isinstance(item, Message) and item.src in index and item.dst in index:
            a, b = sorted((index[item.src], index[item.dst]))
            need = text_width(item.label, 11) + 24
            if a == b:
                gaps[a] = max(gaps[a], need - widths[a] / 2 + 10)
            else:
                span = sum(widths[a + 1 : b]) + sum(gaps[a:b]) + widths[a] / 2 + widths[b] / 2
                if span < need:
                    gaps[b - 1] += need - span
    xs, x = [], MARGIN + 20.0
    for w, g in zip(widths, gaps):
        xs.append(x + w / 2)
        x += w + g
    width = x + MARGIN
    rows = sum(2 if isinstance(i, Note) else 1 for i in model.items) + 2
    height = HEAD * 2 + rows * ROW + MARGIN * 2
    c = Canvas(width, height)
    top, bottom = MARGIN, height - MARGIN - HEAD
    for p, w, cx in zip(parts, widths, xs):
        for y in (top, bottom):
            c.rect(cx - w / 2, y, w, HEAD - 8, stroke="#37474f", fill="#eceff1", radius=3)
            c.text(cx, y + 17, p, size=12, anchor="middle", bold=True)
        c.line(cx, top + HEAD - 8, cx, bottom, stroke="#90a4ae", dash=True)
    y = top + HEAD + ROW
    frames: list[tuple[float, str, int]] = []
    for item in model.items:
        if isinstance(item, Frame):
            if item.start:
                frames.append((y, item.label, len(frames)))
                y += ROW
            else:
                y0, label, depth = frames.pop()
                left = MARGIN + depth * 6
                c.rect(
                    left,
                    y0 - ROW + 8,
                    width - 2 * left,
                    y - y0 + ROW - 4,
                    stroke="#7b1fa2",
                    dash=False,
                )
                c.rect(
                    left,
                    y0 - ROW + 8,
                    text_width(label, 11) + 14,
                    18,
                    stroke="#7b1fa2",
                    fill="#f3e5f5",
                )
                c.text(left + 6, y0 - ROW + 21, label, size=11, color="#4a148c", bold=True)
                y += 6
        elif isinstance(item, Message):
            x1, x2 = xs[index.get(item.src, 0)], xs[index.get(item.dst, 0)]
            if x1 == x2:
                c.line(x1, y - 6, x1 + 24, y - 6)
                c.line(x1 + 24, y - 6, x1 + 24, y + 4)
                c.arrow(x1 + 24, y + 4, x1 + 2, y + 4)
                c.text(x1 + 30, y, item.label, size=11)
            else:
                c.arrow(x1, y + 2, x2, y + 2)
                c.text((x1 + x2) / 2, y - 3, item.label, size=11, anchor="middle")
            y += ROW
        elif isinstance(item, Note):
            fill, stroke = TONES.get(item.tone, TONES["info"])
            cx = xs[index.get(item.over, 0)]
            w = text_width(item.text, 11) + 16
            left = min(max(MARGIN, cx - w / 2), width - MARGIN - w)
            c.rect(left, y - 12, w, ROW + 4, stroke=stroke, fill=fill, radius=2)
            c.text(left + 8, y + 6, item.text, size=11)
            y += 2 * ROW
    return c


def sequence_svg(trace: Trace) -> str:
    """The diagram as a self-contained SVG document (every label escaped)."""
    return _layout(sequence_model(trace)).to_svg("fittrace call sequence")


def sequence_png(trace: Trace) -> bytes:
    """The same drawing as PNG bytes (Pillow; no browser or Graphviz needed)."""
    return _layout(sequence_model(trace)).to_png(scale=1.5)


_UNSAFE = re.compile(r"[#;<>\"{}\n\r]")


def mermaid_text(text: str) -> str:
    """Escape text for a Mermaid label with its entity codes (``#35;`` etc.)."""
    return _UNSAFE.sub(lambda m: " " if m.group() in "\n\r" else f"#{ord(m.group())};", str(text))


def sequence_mermaid(trace: Trace) -> str:
    """The diagram as Mermaid ``sequenceDiagram`` text (renders in Markdown on code hosts)."""
    model = sequence_model(trace)
    ids = {p: f"p{i}" for i, p in enumerate(model.participants)}
    lines = ["sequenceDiagram"]
    for p, pid in ids.items():
        lines.append(f"    participant {pid} as {mermaid_text(p)}")
    depth = 1
    for item in model.items:
        pad = "    " * depth
        if isinstance(item, Frame):
            if item.start:
                lines.append(f"{pad}loop {mermaid_text(item.label.replace('loop ', '', 1))}")
                depth += 1
            else:
                depth -= 1
                lines.append("    " * depth + "end")
        elif isinstance(item, Message):
            lines.append(
                f"{pad}{ids.get(item.src, 'p0')}->>{ids.get(item.dst, 'p0')}: {mermaid_text(item.label)}"
            )
        elif isinstance(item, Note):
            lines.append(f"{pad}Note over {ids.get(item.over, 'p0')}: {mermaid_text(item.text)}")
    return "\n".join(lines) + "\n"
