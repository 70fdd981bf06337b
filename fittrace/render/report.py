"""The whole HTML report of a trace: the four diagrams drawn, then inlined into the walkthrough page.

``render_report(trace, path)`` is what ``fittrace report``, ``Run.report()`` and the benchmark's report call; the
page is written atomically when a path is given. A report without pictures (Graphviz missing) is still a report:
the page says why the diagrams are absent.
"""

from __future__ import annotations

import os

from fittrace.render.callgraph import callgraph_dot
from fittrace.render.flowchart import flowchart_dot
from fittrace.render.graphviz_run import dot_to
from fittrace.render.html import render_html
from fittrace.render.model_graph import model_dot
from fittrace.render.sequence import sequence_mermaid, sequence_svg
from fittrace.render.sequence_model import FOCUSES
from fittrace.tracing.atomic import atomic_write_text
from fittrace.tracing.document import Trace


def diagram_sources(trace: Trace) -> dict[str, str]:
    """DOT and Mermaid text of every diagram (always available, with or without Graphviz)."""
    return {
        "sequence.mmd": sequence_mermaid(trace),
        "flowchart.dot": flowchart_dot(trace),
        "callgraph.dot": callgraph_dot(trace),
        "model.dot": model_dot(trace),
    }


def diagram_svgs(trace: Trace, focus: str | None = None) -> dict[str, str]:
    """SVG of the four diagrams, keyed sequence / flowchart / callgraph / model; the sequence folded, and only
    its ``focus`` part when given."""
    src = diagram_sources(trace)
    return {
        "sequence": sequence_svg(trace, focus=focus),
        "flowchart": dot_to(src["flowchart.dot"], "svg"),
        "callgraph": dot_to(src["callgraph.dot"], "svg"),
        "model": dot_to(src["model.dot"], "svg"),
    }


def render_report(
    trace: Trace,
    path: str | os.PathLike | None = None,
    beside: Trace | None = None,
    focus: str | None = None,
    lesson: str | None = None,
) -> str:
    """The HTML walkthrough with its diagrams inlined; written atomically when ``path`` is given. ``beside``: a
    second trace whose fit step is set beside the hand-written loop of ``trace``. ``focus``: the part of the call
    sequence its picture shows (``"setup"``, ``"step"``, ``"epoch-end"``; None: the whole call, folded).
    ``lesson``: the relative address of the run's lesson page written beside the report, linked from its "Teach
    it" note."""
    if (
        focus is not None and focus not in FOCUSES
    ):  # a wrong word is the caller's mistake, not a missing picture
        raise ValueError(f"unknown focus: {focus!r} (must be one of {list(FOCUSES)} or None)")
    try:
        svgs = diagram_svgs(trace, focus=focus)
    except Exception as exc:  # a report without pictures beats no report; say why in the page
        svgs = {"error": f"{type(exc).__name__}: {exc}"}
    html = render_html(trace, diagrams=svgs, beside=beside, sequence_focus=focus, lesson=lesson)
    if path is not None:
        atomic_write_text(path, html)
    return html
