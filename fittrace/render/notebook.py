"""What a Jupyter notebook shows of a run: a compact summary, and whole pages in a sandboxed frame.

A cell's ``text/html`` output is inlined into the notebook's own page, so what is shown there must neither restyle
the notebook nor reach it. ``summary_html(trace)`` is a fragment (no doctype, ``<html>``, ``<head>`` or ``<body>``,
no script; inline styles, and the plot's one ``<style>`` scoped under the summary's root class ``fittrace-summary``;
every name escaped by the template): the run in a few lines, its builds, a small loss plot, and the report one click
away. ``framed(page)`` puts a whole page (the report, the
lesson: their own CSS and scripts) in an ``<iframe sandbox="allow-scripts" srcdoc=...>``: without
``allow-same-origin`` its scripts run in an opaque origin, cannot read ``parent.document``, and its styles stay in
the frame. Opening it is a ``<details>`` element, which works without the notebook running any script (an
untrusted notebook, nbviewer).

:class:`Page` is the text of such a page that is still a ``str``: ``Run.report()`` and ``Run.lesson()`` return one,
which a notebook shows framed instead of printing a megabyte of HTML as text.
"""

from __future__ import annotations

import os
import re

from markupsafe import Markup

from fittrace.analysis.summary import run_summary
from fittrace.render.html import safe_svg
from fittrace.render.plots import line_plot
from fittrace.render.report import render_report
from fittrace.render.templating import environment
from fittrace.tracing.atomic import atomic_write_text
from fittrace.tracing.document import Trace

#: The class of the summary's root element: every selector of a <style> in the summary starts with it.
ROOT_CLASS = "fittrace-summary"

#: The frame's height in pixels: a screen of the report at a laptop's size, scrolled inside the frame.
FRAME_HEIGHT = 720

_STATUS_COLOUR = {
    "complete": "#2e7d32",
    "stopped by an error": "#c62828",
    "cut short": "#ef6c00",
    "still recording": "#ef6c00",
}


def framed(page: str, title: str = "fittrace page", height: int = FRAME_HEIGHT) -> str:
    """``page`` (a whole HTML document) in a sandboxed ``<iframe srcdoc>``: its text escaped into the attribute,
    so the notebook never parses it as its own markup."""
    return environment().get_template("frame.html.j2").render(page=page, title=title, height=height)


def _size(text: str) -> str:
    n = len(text.encode("utf-8"))
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def scoped_css(css: str) -> str | None:
    """``css`` with every selector put under ``.fittrace-summary`` (a ``<style>`` in a cell's output applies to the
    whole notebook page); None for anything but plain rules (an ``@media``, an ``@import``)."""
    if "@" in css:
        return None
    rules = []
    for rule in css.split("}"):
        if not rule.strip():
            continue
        selectors, _, body = rule.partition("{")
        if not _:
            return None
        scoped = ", ".join(f".{ROOT_CLASS} {sel.strip()}" for sel in selectors.split(","))
        rules.append(f"{scoped}{{{body.strip()}}}")
    return "".join(rules)


def _scoped_styles(svg: str) -> str:
    """The plot's own ``<style>`` (its hover highlight) kept only where it can be scoped; else left out."""

    def scope(m: re.Match[str]) -> str:
        css = scoped_css(m.group(1))
        return "" if css is None else f"<style>{css}</style>"

    return re.sub(r"<style[^>]*>(.*?)</style>", scope, svg, flags=re.DOTALL)


def _loss_plot(series: tuple, per: str, epoch_starts: list[tuple[int, int]]) -> Markup:
    svg = line_plot(
        list(series),
        title=f"loss per {per}",
        xlabel="step (all epochs)" if per == "step" else "epoch",
        ylabel="loss",
        width=420,
        height=220,
        empty="no loss recorded",
        whole_x=per == "epoch",
        epoch_starts=epoch_starts if per == "step" else (),
    )
    try:
        return Markup(_scoped_styles(safe_svg(svg)))
    except ValueError:  # a plot that carries a script would run in the notebook's page: left out
        return Markup("")


def summary_html(trace: Trace, report: str | None = None) -> str:
    """The notebook's view of ``trace``: a fragment with the run in a few lines, the builds, the loss, and the
    report in a closed ``<details>`` (``report``: its text if already rendered, else rendered here; ``""`` for none).
    """
    s = run_summary(trace)
    page = render_report(trace, None) if report is None else report
    hints = [
        {"code": 'run.report("run.html")', "what": "writes the report to a file"},
        {"code": "run.lesson()", "what": "shows the lesson, slide by slide"},
    ]
    return (
        environment()
        .get_template("notebook.html.j2")
        .render(
            s=s,
            plot=_loss_plot(s.loss_series, s.loss_per, s.epoch_starts),
            status_colour=_STATUS_COLOUR.get(s.status, "inherit"),
            page=page,
            page_size=_size(page),
            title=f"fittrace report: {s.title}",
            height=FRAME_HEIGHT,
            hints=hints,
        )
    )


class Page(str):
    """A whole HTML page (the report, the lesson) that is still its ``str`` text, so code that wrote or compared
    the text goes on working; ``save(path)`` writes it atomically, and a notebook shows it in a sandboxed frame.

    >>> p = Page("<!DOCTYPE html><title>x</title>", "report")
    >>> p.startswith("<!DOCTYPE") and "srcdoc=" in p._repr_html_() and repr(p)
    '<fittrace report: 31 characters; .save(path) writes it>'
    """

    def __new__(cls, text: str, title: str = "page") -> Page:
        page = super().__new__(cls, text)
        page.title = title
        return page

    def _repr_html_(self) -> str:
        return framed(str(self), f"fittrace {self.title}")

    def save(self, path: str | os.PathLike) -> None:
        atomic_write_text(path, str(self))

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"<fittrace {self.title}: {len(self)} characters; .save(path) writes it>"
