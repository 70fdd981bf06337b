"""The call-sequence diagram of a trace, as SVG, PNG and Mermaid text.

Lifelines for every participant (``Model.fit``, ``DataHandler``, the adapter, ``CallbackList`` and each callback,
``train_function``, the model, each layer, ``LossesContainer``, ``GradientTape``, the optimizer,
``MetricsContainer``), messages in call order, loop frames with their counts, notes for builds and errors.
Pure functions of a trace: ``sequence_svg(trace)``, ``sequence_png(trace)``, ``sequence_mermaid(trace)``, each
with ``focus=None|"setup"|"step"|"epoch-end"`` and ``fold=True`` (see ``sequence_model``). Folded, the drawing is
set tighter and long labels wrap, so one focused part fits about 1,100 px: a 1280×720 projector at 1:1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fittrace.render.canvas import Canvas, text_width
from fittrace.render.sequence_model import Frame, Message, Note, SequenceModel, sequence_model
from fittrace.tracing.document import Trace

ROW, HEAD, MARGIN, GAP = 24, 34, 16, 28
LINE = 14  # each further line of a wrapped label or a lifeline's member list
TONES = {
    "info": ("#fff8d6", "#b8a200"),
    "build": ("#e3f1ff", "#2f6db5"),
    "error": ("#ffe3e3", "#c62828"),
}


@dataclass(frozen=True, slots=True)
class _Sizes:
    """How tight the drawing is: the unfolded reference keeps one line per label; folded, labels wrap."""

    min_box: float
    pad: float
    gap: float
    wrap: int | None  # characters per label line (None: never wrap)
    #: labels may be written across lifelines (on a white halo; one message a row, so nothing else is there)
    #: instead of pushing them apart: a call to itself always, an arrow beyond ``arrow_room`` px
    self_over: bool
    arrow_room: float | None = None


WIDE = _Sizes(min_box=90, pad=20, gap=GAP, wrap=None, self_over=False)
#: folded, for a projector: 11 px type in lines of at most 30 characters, lifelines at least 120 px apart where an
#: arrow runs between them, keep one step of the demo (ten lifelines) near 1,100 px wide
COMPACT = _Sizes(min_box=56, pad=12, gap=10, wrap=30, self_over=True, arrow_room=120)


def wrap_label(text: str, width: int | None) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken only at spaces outside brackets."""
    if width is None or len(text) <= width:
        return [text]
    words, depth, word = [], 0, ""
    for ch in text:
        depth += ch in "([{" and 1 or ch in ")]}" and -1 or 0
        if ch == " " and depth <= 0:
            words.append(word)
            word = ""
        else:
            word += ch
    words.append(word)
    lines = [""]
    for w in words:
        if lines[-1] and len(lines[-1]) + 1 + len(w) > width:
            lines.append(w)
        else:
            lines[-1] = f"{lines[-1]} {w}" if lines[-1] else w
    return lines


def _head_lines(model: SequenceModel, p: str) -> list[str]:
    members = model.members.get(p) or []
    if not members:
        return [p]
    shown = members[:6] + ([f"+ {len(members) - 6} more"] if len(members) > 6 else [])
    return [p, *shown]


def _layout(model: SequenceModel) -> Canvas:
    sz = COMPACT if model.folded else WIDE
    parts = model.participants or ["user code"]
    heads = [_head_lines(model, p) for p in parts]
    widths = [  # the name is bold: about a tenth wider than text_width's plain estimate
        max(
            sz.min_box, max(text_width(t, 13.2 if i == 0 else 11) for i, t in enumerate(h)) + sz.pad
        )
        for h in heads
    ]
    head_h = HEAD + LINE * (max(len(h) for h in heads) - 1)
    labels = {
        id(i): wrap_label(i.label, sz.wrap)
        if isinstance(i, Message)
        else wrap_label(i.text, sz.wrap and sz.wrap + 16)  # a note has the width of the drawing
        for i in model.items
        if isinstance(i, Message | Note)
    }
    # room for the longest message between neighbours
    gaps = [sz.gap] * len(parts)
    index = {p: i for i, p in enumerate(parts)}
    for item in model.items:
        if isinstance(item, Message) and item.src in index and item.dst in index:
            a, b = sorted((index[item.src], index[item.dst]))
            need = max(text_width(t, 11) for t in labels[id(item)]) + 24
            if sz.arrow_room is not None:
                need = min(need, sz.arrow_room)
            if a == b:
                if not sz.self_over:
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
    for (
        item
    ) in model.items:  # a label written across lifelines still needs room before the right edge
        if isinstance(item, Message) and item.src in index and item.dst in index:
            label_w = max(text_width(t, 11) for t in labels[id(item)])
            left = min(xs[index[item.src]], xs[index[item.dst]])
            width = max(width, left + (30 if item.src == item.dst else 8) + label_w + MARGIN)
    notes = [i for i in model.items if isinstance(i, Note)]
    if notes:  # a note wider than the lifelines widens the drawing rather than leaving it
        width = max(
            width, max(text_width(t, 11) for n in notes for t in labels[id(n)]) + 16 + 2 * MARGIN
        )
    title_h = ROW + 4 if model.title else 0
    body = 0.0
    for item in model.items:
        extra = LINE * (len(labels[id(item)]) - 1) if id(item) in labels else 0
        body += (2 * ROW if isinstance(item, Note) else ROW) + extra
    height = title_h + head_h * 2 + body + 2 * ROW + MARGIN * 2
    c = Canvas(width, height)
    if model.title:
        c.text(MARGIN, MARGIN + 14, model.title, size=15, bold=True)
    top, bottom = MARGIN + title_h, height - MARGIN - head_h
    for head, w, cx in zip(heads, widths, xs):
        for y in (top, bottom):
            c.rect(cx - w / 2, y, w, head_h - 8, stroke="#37474f", fill="#eceff1", radius=3)
            c.text(cx, y + 17, head[0], size=12, anchor="middle", bold=True)
            for n, member in enumerate(head[1:], 1):
                c.text(cx, y + 17 + LINE * n, member, size=11, anchor="middle", color="#37474f")
        c.line(cx, top + head_h - 8, cx, bottom, stroke="#90a4ae", dash=True)
    y = top + head_h + ROW
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
            lines = labels[id(item)]
            more = LINE * (len(lines) - 1)
            x1, x2 = xs[index.get(item.src, 0)], xs[index.get(item.dst, 0)]
            if x1 == x2:
                c.line(x1, y - 6, x1 + 24, y - 6)
                c.line(x1 + 24, y - 6, x1 + 24, y + 4 + more)
                c.arrow(x1 + 24, y + 4 + more, x1 + 2, y + 4 + more)
                for n, line in enumerate(lines):
                    c.text(x1 + 30, y + LINE * n, line, size=11, halo=sz.self_over)
            else:
                c.arrow(x1, y + 2 + more, x2, y + 2 + more)
                fits = max(text_width(t, 11) for t in lines) + 12 <= abs(x2 - x1)
                for n, line in enumerate(lines):
                    c.text(
                        (x1 + x2) / 2 if fits else min(x1, x2) + 8,
                        y - 3 + LINE * n,
                        line,
                        size=11,
                        anchor="middle" if fits else "start",
                        halo=sz.self_over,
                    )
            y += ROW + more
        elif isinstance(item, Note):
            lines = labels[id(item)]
            more = LINE * (len(lines) - 1)
            fill, stroke = TONES.get(item.tone, TONES["info"])
            cx = xs[index.get(item.over, 0)]
            w = max(text_width(t, 11) for t in lines) + 16
            left = min(max(MARGIN, cx - w / 2), width - MARGIN - w)
            c.rect(left, y - 12, w, ROW + 4 + more, stroke=stroke, fill=fill, radius=2)
            for n, line in enumerate(lines):
                c.text(left + 8, y + 6 + LINE * n, line, size=11)
            y += 2 * ROW + more
    return c


def _title(model: SequenceModel) -> str:
    return "fittrace call sequence" + (f": {model.title}" if model.title else "")


def sequence_svg(trace: Trace, focus: str | None = None, fold: bool = True) -> str:
    """The diagram as a self-contained SVG document (every label escaped); ``focus`` and ``fold`` as in
    :func:`~fittrace.render.sequence_model.sequence_model`."""
    model = sequence_model(trace, focus=focus, fold=fold)
    return _layout(model).to_svg(_title(model))


def sequence_png(trace: Trace, focus: str | None = None, fold: bool = True) -> bytes:
    """The same drawing as PNG bytes (Pillow; no browser or Graphviz needed)."""
    return _layout(sequence_model(trace, focus=focus, fold=fold)).to_png(scale=1.5)


_UNSAFE = re.compile(r"[#;<>\"{}\n\r]")


def mermaid_text(text: str) -> str:
    """Escape text for a Mermaid label with its entity codes (``#35;`` etc.)."""
    return _UNSAFE.sub(lambda m: " " if m.group() in "\n\r" else f"#{ord(m.group())};", str(text))


def sequence_mermaid(trace: Trace, focus: str | None = None, fold: bool = True) -> str:
    """The diagram as Mermaid ``sequenceDiagram`` text (renders in Markdown on code hosts); a folded lifeline's
    members follow its name, a focus's title is the first comment."""
    model = sequence_model(trace, focus=focus, fold=fold)
    ids = {p: f"p{i}" for i, p in enumerate(model.participants)}
    lines = ["sequenceDiagram"]
    if model.title:
        lines.append(f"    %% {mermaid_text(model.title)}")
    for p, pid in ids.items():
        members = model.members.get(p)
        name = f"{p} [{', '.join(members)}]" if members else p
        lines.append(f"    participant {pid} as {mermaid_text(name)}")
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
