"""Where fittrace's jinja2 templates are found, and the one environment every page renders with.

The report, the lesson, the comparison page, the notebook summary and the tensor figures all load their templates
here, so a teacher's override folder (``FITTRACE_TEMPLATES`` or ``template_dir=``) applies to each of them, and every
page has the same filters (``num``, ``shape``, ``value``, ``setting``), autoescaping and strict undefined values.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from fittrace.analysis.shapes import shape_text
from fittrace.analysis.values import number_text, setting_value, value_text


def template_dirs(extra: str | os.PathLike | None = None) -> list[str]:
    """Where templates are looked up: the override folder first, then the installed or the source copy."""
    dirs = []
    for d in (extra, os.environ.get("FITTRACE_TEMPLATES")):
        if d:
            dirs.append(os.fspath(d))
    packaged = Path(__file__).resolve().parents[1] / "templates"  # the wheel's fittrace/templates
    if packaged.is_dir():
        dirs.append(str(packaged))
    source = Path(__file__).resolve().parents[2] / "templates"
    if source.is_dir():
        dirs.append(str(source))
    return dirs


def environment(template_dir: str | os.PathLike | None = None) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(d) for d in template_dirs(template_dir)])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number_text
    env.filters["shape"] = shape_text
    env.filters["value"] = value_text
    env.filters["setting"] = lambda value, name: setting_value(name, value)
    return env
