"""Plain-text renderings for the terminal (``fittrace why``)."""

from __future__ import annotations

from typing import Any


def diagnosis_text(diagnosis: Any) -> str:
    """The build diagnosis as readable text: the summary, then each build grouped by what it concerns."""
    lines = [diagnosis.summary, ""]
    for subject, builds in diagnosis.by_subject.items():
        lines.append(f"{builds[0].what} '{subject}':")
        for b in builds:
            where = f" (epoch {b.epoch}, step {b.step})" if b.step is not None else ""
            mark = "REBUILT" if b.repeat else "built"
            lines.append(f"  [{mark}] {b.action} via {b.trigger}{where}")
            lines.append(f"      why:  {b.cause}")
            for label, text in (
                ("diff", b.differs),
                ("kept", b.kept),
                ("lost", b.lost),
                ("fix", b.fix),
            ):
                if text:
                    lines.append(f"      {label}: {text}")
        lines.append("")
    for f in diagnosis.failures:
        lines += [f"FAILED: {f.error_type}: {f.message}"]
        if f.cause:
            lines.append(f"      why:   {f.cause}")
        lines += [
            f"      which: {f.dimension}",
            f"      from:  {f.origin}",
            f"      fix:   {f.fix}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
