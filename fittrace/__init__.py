"""fittrace: see what really happens inside a Keras-style ``model.fit()``.

    import fittrace
    with fittrace.trace(path="run.trace.jsonl") as run:
        model.fit(x, y, epochs=5, batch_size=128)
    fittrace.load("run.trace.jsonl")

The Keras-compatible API lives in ``fittrace.keras``.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "trace", "load", "Run"]


def __getattr__(name: str) -> Any:
    if name in ("trace", "load", "Run"):
        from fittrace import session
        return getattr(session, name)
    raise AttributeError(f"module 'fittrace' has no attribute {name!r}")
