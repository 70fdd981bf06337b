"""Every diagram in every format, by name: ``render(trace, "flowchart", "svg")``.

A renderer is anything with ``name``, ``suffix`` and ``render(trace)``; they are kept in a plain dict, and an
unknown name lists the valid ones. The sequence diagram also takes ``focus`` and ``fold``
(``render(trace, "sequence", "svg", focus="step")``); the other diagrams refuse them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fittrace.render import sequence
from fittrace.render.callgraph import callgraph_dot
from fittrace.render.flowchart import flowchart_dot
from fittrace.render.graphviz_run import dot_to
from fittrace.render.model_graph import model_dot
from fittrace.tracing.document import Trace


class Renderer(Protocol):
    name: str
    suffix: str

    def render(self, trace: Trace) -> str | bytes: ...


@dataclass(frozen=True, slots=True)
class FunctionRenderer:
    name: str
    suffix: str
    fn: Callable[[Trace], str | bytes]

    def render(self, trace: Trace) -> str | bytes:
        return self.fn(trace)


def _dot(kind: str, fmt: str) -> Callable[[Trace], str | bytes]:
    def run(trace: Trace) -> str | bytes:
        return dot_to(_source(kind)(trace), fmt)

    return run


def _source(kind: str) -> Callable[[Trace], str]:
    return {"flowchart": flowchart_dot, "model": model_dot}.get(kind, callgraph_dot)


def _sequence(fmt: str) -> Callable[..., str | bytes]:
    def run(trace: Trace, focus: str | None = None, fold: bool = True) -> str | bytes:
        draw = {
            "svg": sequence.sequence_svg,
            "png": sequence.sequence_png,
            "mermaid": sequence.sequence_mermaid,
        }[fmt]
        return draw(trace, focus=focus, fold=fold)

    return run


RENDERERS: dict[str, dict[str, Renderer]] = {
    "sequence": {
        fmt: FunctionRenderer(f"sequence.{fmt}", sfx, _sequence(fmt))
        for fmt, sfx in (("svg", ".svg"), ("png", ".png"), ("mermaid", ".mmd"))
    },
    "flowchart": {
        "dot": FunctionRenderer("flowchart.dot", ".dot", lambda t: _source("flowchart")(t)),
        "svg": FunctionRenderer("flowchart.svg", ".svg", _dot("flowchart", "svg")),
        "png": FunctionRenderer("flowchart.png", ".png", _dot("flowchart", "png")),
    },
    **{
        kind: {
            "dot": FunctionRenderer(f"{kind}.dot", ".dot", _source(kind)),
            "svg": FunctionRenderer(f"{kind}.svg", ".svg", _dot(kind, "svg")),
            "png": FunctionRenderer(f"{kind}.png", ".png", _dot(kind, "png")),
        }
        for kind in ("callgraph", "model")
    },
}


def get_renderer(kind: str, fmt: str) -> Renderer:
    if kind not in RENDERERS:
        raise ValueError(f"unknown diagram: {kind!r} (must be one of {sorted(RENDERERS)})")
    formats = RENDERERS[kind]
    if fmt not in formats:
        raise ValueError(
            f"unknown format: {fmt!r} for the {kind} diagram (must be one of {sorted(formats)})"
        )
    return formats[fmt]


def render(
    trace: Trace, kind: str, fmt: str, focus: str | None = None, fold: bool = True
) -> str | bytes:
    """One diagram in one format; ``focus`` and ``fold`` only for the sequence diagram."""
    renderer = get_renderer(kind, fmt)
    if kind == "sequence":
        return _sequence(fmt)(trace, focus=focus, fold=fold)
    if focus is not None or not fold:
        raise ValueError(
            f"focus and fold apply to the sequence diagram only, not to the {kind} diagram"
        )
    return renderer.render(trace)
