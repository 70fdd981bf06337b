"""The comparison page: two runs side by side, stage by stage (``fittrace compare A B -o compare.html``).

``render_compare(comparison, path=None) -> str`` turns an ``analysis.compare.Comparison`` into one self-contained
HTML file (inline CSS, no script, no network: it opens from ``file://``), written atomically when a path is given.
The values are prepared here; the template (``templates/compare.html.j2``) only loops and prints, with
autoescaping on, so every name the user chose (layers, callbacks, models) reaches the page escaped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from fittrace.analysis.compare import EQUIVALENTS, NOT_STAGES, Comparison, Difference, Stage
from fittrace.analysis.shapes import shape_text
from fittrace.render.templating import environment
from fittrace.tracing.atomic import atomic_write_text

_SHAPE_FACTS = {"shape", "input_shape", "shape_received", "shape_built", "shape_before"}

_STATUS_WORDS = {
    "same": "same",
    "differs": "differs",
    "explained": "inherent",
    "only_a": "only in A",
    "only_b": "only in B",
    "moved": "moved",
}


def _value(fact: str, value: Any) -> str:
    if fact in _SHAPE_FACTS and isinstance(value, list):
        return shape_text(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_value(str(k), v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_value(fact, v) for v in value) + "]"
    return str(value)


def _cell(stage: Stage | None, differing: set[str], explained: set[str]) -> dict[str, Any] | None:
    if stage is None:
        return None
    return {
        "label": stage.label,
        "name": "" if stage.name in stage.label else stage.name,
        "layer": stage.layer,
        "keras": stage.keras,
        "facts": [
            {
                "key": k,
                "text": _value(k, v),
                "differs": k in differing,
                "explained": k in explained and k not in differing,
            }
            for k, v in stage.facts.items()
        ],
    }


def _difference(d: Difference) -> dict[str, Any]:
    return {
        "what": d.what,
        "stage": d.stage.label,
        "fact": d.fact,
        "a": None if d.a_value is None else _value(d.fact or "", d.a_value),
        "b": None if d.b_value is None else _value(d.fact or "", d.b_value),
        "text": d.text(),
        "explained_by": d.explained_by,
    }


def compare_view(c: Comparison) -> dict[str, Any]:
    """What the page shows, as plain values: the sides, the rows, the differences by sort, the inherent list."""
    rows = []
    for number, row in enumerate(c.rows, 1):
        facts = [d for d in row.differences if d.fact]
        differing = {d.fact.split(".")[0] for d in facts if not d.explained_by}  # type: ignore[union-attr]
        explained = {d.fact.split(".")[0] for d in facts if d.explained_by}  # type: ignore[union-attr]
        inherent: dict[str, list[str]] = {}
        for d in row.differences:
            if d.explained_by:
                inherent.setdefault(d.explained_by, []).append(d.fact or d.what)
        rows.append(
            {
                "number": number,
                "status": row.status,
                "status_text": _STATUS_WORDS.get(row.status, row.status),
                "a": _cell(row.a, differing, explained),
                "b": _cell(row.b, differing, explained),
                "notes": [d.text() for d in row.differences if d.what == "order"]
                + [f"{key}: {', '.join(what)}" for key, what in inherent.items()],
            }
        )
    explained_by: dict[str, int] = {}
    for d in c.explained:
        explained_by[d.explained_by or ""] = explained_by.get(d.explained_by or "", 0) + 1
    return {
        "summary": c.summary,
        "conforms": c.conforms,
        "counted": len(c.counted),
        "explained": len(c.explained),
        "a": c.a,
        "b": c.b,
        "notes": list(c.notes),
        "rtol": c.rtol,
        "atol": c.atol,
        "rows": rows,
        "groups": [
            {"what": what, "title": title, "items": [_difference(d) for d in c.of(what)]}
            for what, title in (
                ("only_a", "Only in A"),
                ("only_b", "Only in B"),
                ("order", "Out of order"),
                ("value", "Numbers that differ"),
            )
        ],
        "inherent": [
            {"id": e.id, "reason": e.reason, "count": explained_by.get(e.id, 0)} for e in c.inherent
        ],
        "not_stages": sorted(NOT_STAGES.items()),
        "equivalents": [
            {"canonical": e.canonical, "spellings": e.spellings, "reason": e.reason}
            for e in EQUIVALENTS
        ],
    }


def render_compare(
    c: Comparison,
    path: str | os.PathLike | None = None,
    template_dir: str | os.PathLike | None = None,
) -> str:
    """The comparison page of ``c``; written atomically to ``path`` when one is given."""
    html = environment(template_dir).get_template("compare.html.j2").render(v=compare_view(c))
    if path is not None:
        atomic_write_text(path, html)
    return html
