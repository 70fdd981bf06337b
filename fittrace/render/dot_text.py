"""Helpers for writing Graphviz DOT text safely: every user string goes through :func:`q`."""

from __future__ import annotations

from typing import Any


def q(text: Any) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as DOT's ``\\n``."""
    s = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + s.replace("\r", "").replace("\n", "\\n") + '"'


def attrs(**kw: Any) -> str:
    return "[" + ", ".join(f"{k}={q(v)}" for k, v in kw.items() if v is not None) + "]"
