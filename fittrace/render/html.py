"""The HTML walkthrough of a traced run: one self-contained file (inline CSS, JS and SVG, no network requests).

``render_html(trace, diagrams=None) -> str`` is a pure function: analysis prepares the values, the jinja2
templates (top-level ``templates/``, shipped as ``fittrace.templates``) only loop and print. Autoescaping is on and
undefined values fail loudly; data reaches the page's script only through ``|tojson``. A teacher can override any
template by putting a file of the same name in a folder named by ``FITTRACE_TEMPLATES`` (or ``template_dir=``).
"""

from __future__ import annotations

import os

from markupsafe import Markup

from fittrace.analysis.builds import why_rebuilt
from fittrace.analysis.custom_loop import compare_loops, describe
from fittrace.analysis.real_runs import ran_on, step_mode
from fittrace.analysis.stats import run_series
from fittrace.analysis.walkthrough import explorer_rows, walkthrough
from fittrace.render.plots import line_plot
from fittrace.render.sequence_model import FOCUS_WORDS
from fittrace.render.svg_check import UnsafeSvgError, checked_svg
from fittrace.render.templating import environment
from fittrace.render.tensors import tensor_section
from fittrace.tracing.document import Trace

#: The per-step plots span the report's width: a step's wiggles need room (the per-epoch ones stand two a row).
STEP_PLOT_WIDTH, EPOCH_PLOT_WIDTH = 1080, 535

#: The pictures a page can inline, by key.
DIAGRAMS = ("sequence", "flowchart", "callgraph", "model")


def safe_svg(svg: str) -> Markup:
    """Mark a diagram SVG safe to inline, after refusing any element or attribute that could run or fetch
    (``render.svg_check``; a name that merely reads like markup is escaped text there, and passes)."""
    return Markup(checked_svg(svg))


def _plots(trace: Trace) -> dict[str, Markup]:
    s = run_series(trace)
    ran = ran_on(trace)
    empty = f"not recorded in this trace of {ran.label}" if ran.real else "no data recorded"
    norms = (
        "not recorded: in graph mode the gradients stay inside the traced graph"
        if ran.real and step_mode(trace) == "graph"
        else empty
    )
    losses = [(x.name, x.points) for x in s.per_epoch if "loss" in x.name]
    others = [(x.name, x.points) for x in s.per_epoch if "loss" not in x.name]
    per_epoch = {"whole_x": True, "empty": empty, "width": EPOCH_PLOT_WIDTH}
    per_step = {"epoch_starts": s.epoch_starts, "width": STEP_PLOT_WIDTH, "height": 300}
    return {
        "epoch_loss": Markup(line_plot(losses, "loss per epoch", "epoch", "loss", **per_epoch)),
        "epoch_metrics": Markup(
            line_plot(others, "metrics per epoch", "epoch", "value", **per_epoch)
        ),
        "step_loss": Markup(
            line_plot(
                [(x.name, x.points) for x in s.per_step],
                "running loss and metrics per step",
                "step (all epochs)",
                "value",
                empty=empty,
                **per_step,
            )
        ),
        "grad_norms": Markup(
            line_plot(
                [(x.name, x.points) for x in s.grad_norms],
                "gradient norm per variable",
                "step",
                "L2 norm",
                empty=norms,
                **per_step,
            )
        ),
        "update_norms": Markup(
            line_plot(
                [(x.name, x.points) for x in s.update_norms],
                "update norm per variable",
                "step",
                "L2 norm",
                empty=norms,
                **per_step,
            )
        ),
    }


def render_html(
    trace: Trace,
    diagrams: dict[str, str] | None = None,
    template_dir: str | os.PathLike | None = None,
    beside: Trace | None = None,
    sequence_focus: str | None = None,
    lesson: str | None = None,
) -> str:
    """The walkthrough page of ``trace``; ``diagrams`` maps sequence/flowchart/callgraph/model to ready SVG text
    (and ``error`` to why some are missing). A trace holding a hand-written loop gets a section setting its step
    beside fit's, from the same trace or from ``beside``. ``sequence_focus``: the part the sequence picture
    shows, said in its caption. ``lesson``: the relative address of the run's lesson page, when one was written
    beside the report."""
    diagrams = diagrams or {}
    pictures, refused = {}, []
    for k, v in diagrams.items():
        if k in DIAGRAMS and v:
            try:
                pictures[k] = safe_svg(v)
            except UnsafeSvgError as e:  # markup that could run or fetch: left out, and said so
                refused.append(f"the {k} picture was left out: {e}")
    error = diagrams.get("error")
    if refused:
        left_out = "; ".join(refused)
        error = f"{error}; {left_out}" if error else left_out
    rows, omitted = explorer_rows(trace)
    env = environment(template_dir)
    return env.get_template("report.html.j2").render(
        w=walkthrough(trace),
        plots=_plots(trace),
        diagrams=pictures,
        diagram_error=error,
        builds=why_rebuilt(trace),
        events=rows,
        omitted=omitted,
        loops=describe(compare_loops(trace, beside)),
        sequence_focus={"name": sequence_focus, "words": FOCUS_WORDS[sequence_focus]}
        if sequence_focus
        else None,
        tensors=tensor_section(trace),
        lesson=lesson,
    )
