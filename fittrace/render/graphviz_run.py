"""Running Graphviz: DOT text -> SVG or PNG.

Uses the system's ``dot`` when there is one; otherwise the ``graphviz-pure`` program that fittrace's install
brings along on Linux x86-64 (a self-contained port of Graphviz shipped inside a PyPI wheel), so that
``fittrace demo`` draws every picture after ``pip install`` alone. With neither, the error says how to get one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

FORMATS = ("svg", "png")


class GraphvizMissingError(RuntimeError):
    """No program that can lay out DOT was found."""


def find_dot() -> list[str]:
    """The command that renders DOT: ``dot``, else ``graphviz-pure``."""
    if os.environ.get("FITTRACE_NO_SYSTEM_DOT") != "1":
        dot = shutil.which("dot")
        if dot:
            return [dot]
    pure = shutil.which("graphviz-pure") or str(Path(sys.executable).parent / "graphviz-pure")
    if os.path.exists(pure):
        return [pure, "-Kdot"]
    raise GraphvizMissingError(
        "Graphviz's dot program was not found, so DOT cannot become SVG or PNG here. Install it with "
        "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or `pip install graphviz-pure`. "
        "The DOT text itself is always available: `fittrace diagram TRACE --kind flowchart --format dot`."
    )


def dot_to(dot_text: str, fmt: str = "svg") -> str | bytes:
    """Lay out ``dot_text`` and return SVG text or PNG bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format: {fmt!r} (must be one of {list(FORMATS)})")
    cmd = find_dot() + [f"-T{fmt}"]
    result = subprocess.run(cmd, input=dot_text.encode("utf-8"), capture_output=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(
            f"{Path(cmd[0]).name} failed (exit {result.returncode}): "
            f"{result.stderr.decode('utf-8', 'replace').strip()[:500]}"
        )
    return result.stdout.decode("utf-8") if fmt == "svg" else result.stdout
