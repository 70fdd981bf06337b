"""The classroom lesson of a trace as one self-contained HTML file: projector-sized slides, stepped beat by beat.

``render_lesson(trace, path=None, focus=None) -> str`` turns the slides of ``fittrace.analysis.lesson`` into a page
(templates ``lesson.html.j2``, ``lesson.css``, ``lesson.js``; no network, CSP as the report's) and writes it
atomically when ``path`` is given. The pictures a slide asks for are drawn here: the focused call sequence of one
step, the loss per epoch, and the tensors the trace carries; a picture the trace cannot give
is left out of its slide, with nothing in its place.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from fittrace.analysis.lesson import Beat, Lesson, lesson_slides
from fittrace.render.html import safe_svg
from fittrace.render.plots import line_plot
from fittrace.render.sequence import sequence_svg
from fittrace.render.templating import environment
from fittrace.render.tensors import tensor_figures
from fittrace.tracing.atomic import atomic_write_text
from fittrace.tracing.document import Trace


@dataclass(frozen=True, slots=True)
class Picture:
    """A drawn picture of a figure beat: its markup, whether it carries its own caption (a tensor figure does),
    and whether it may be panned and zoomed."""

    html: Markup
    captioned: bool = False
    panzoom: bool = False


def _sequence(trace: Trace) -> Markup | None:
    """The call sequence focused on one step, folded (the whole diagram is far wider than a slide); none when
    the picture holds markup-like text the SVG check refuses."""
    try:
        return safe_svg(sequence_svg(trace, focus="step", fold=True))
    except ValueError:  # markup-like text in the picture: left out
        return None


def _epoch_losses(trace: Trace) -> list[tuple[str, list[tuple[float, float]]]]:
    """The losses of each epoch's logs (``loss``, ``val_loss``), epoch 1, 2, ... (only the epoch events are read:
    the per-step series the report plots are not needed here)."""
    series: dict[str, list[tuple[float, float]]] = {}
    for e in trace.of_kind("epoch"):
        for k, v in (e.data.get("logs") or {}).items():
            if "loss" in k and isinstance(v, (int, float)) and not isinstance(v, bool):
                if math.isfinite(v):
                    series.setdefault(k, []).append((int(e.data.get("epoch", 0)) + 1, float(v)))
    return list(series.items())


def _tokens(lesson: Lesson) -> set[str]:
    return {
        t for s in lesson.slides for b in s.beats if b.kind == "figure" for t in b.figure.split()
    }


def _matches(token: str, key: str) -> bool:
    """Whether a tensor figure's key answers a beat's name: the key itself, or ``kind:moment:*`` for every
    ``kind:moment:<one more part>`` (the layers' outputs, the kernel at each epoch's end)."""
    if not token.endswith(":*"):
        return key == token
    head = token[:-1]
    return key.startswith(head) and ":" not in key[len(head) :]


def _pictures(trace: Trace, lesson: Lesson) -> dict[str, list[Picture]]:
    """Each figure name the slides ask for, drawn (a name a trace cannot draw is absent)."""
    wanted = _tokens(lesson)
    out: dict[str, list[Picture]] = {}
    if "sequence:step" in wanted:
        svg = _sequence(trace)
        if svg is not None:
            out["sequence:step"] = [Picture(svg, panzoom=True)]
    if "plot:epoch_loss" in wanted:
        series = _epoch_losses(trace)
        if any(len(points) > 1 for _, points in series):
            plot = line_plot(series, "loss per epoch", "epoch", "loss", width=640, height=280)
            out["plot:epoch_loss"] = [Picture(Markup(plot))]
    tensor_tokens = sorted(t for t in wanted if t.startswith("tensor:"))
    if tensor_tokens:
        figures = tensor_figures(trace)
        for token in tensor_tokens:
            found = [f for f in figures if _matches(token[len("tensor:") :], f.key)]
            if found:
                out[token] = [Picture(Markup(f.html), captioned=True) for f in found]
    return out


def _beats(beats: tuple[Beat, ...], pictures: dict[str, list[Picture]]) -> list[dict[str, Any]]:
    """The beats a page shows. A figure beat carries its pictures (one without any is dropped); a stack figure
    becomes one beat per picture, shown in turn in the same place."""
    out: list[dict[str, Any]] = []
    for b in beats:
        if b.kind != "figure":
            out.append({"beat": b, "pictures": [], "stack": []})
            continue
        drawn = [p for token in b.figure.split() for p in pictures.get(token, [])]
        if not drawn:
            continue
        if b.stack and len(drawn) > 1:
            out.append({"beat": b, "pictures": [], "stack": [[p] for p in drawn]})
        else:
            out.append({"beat": b, "pictures": drawn, "stack": []})
    return out


def _count(items: list[dict[str, Any]]) -> int:
    return sum(len(i["stack"]) or 1 for i in items)


def lesson_page(trace: Trace, focus: str | None = None) -> str:
    """The lesson's HTML, not written anywhere."""
    lesson = lesson_slides(trace, focus=focus)
    pictures = _pictures(trace, lesson)
    slides = [
        {"slide": s, "number": i + 1, "beats": _beats(s.beats, pictures)}
        for i, s in enumerate(lesson.slides)
    ]
    for row in slides:
        row["count"] = _count(row["beats"])
    first_of = {}
    for row in slides:
        first_of.setdefault(row["slide"].stage, row["number"])
    env = environment()
    return env.get_template("lesson.html.j2").render(
        lesson=lesson,
        slides=slides,
        first_of=first_of,
        index={s.id: i + 1 for i, s in enumerate(lesson.slides)},
    )


def render_lesson(
    trace: Trace, path: str | os.PathLike | None = None, focus: str | None = None
) -> str:
    """The lesson page of ``trace`` (only the ``focus`` part when given: setup, step or epoch-end); written
    atomically when ``path`` is given."""
    html = lesson_page(trace, focus=focus)
    if path is not None:
        atomic_write_text(path, html)
    return html
