"""fittrace: see what really happens inside a Keras-style ``model.fit()``.

    import fittrace
    with fittrace.trace(path="run.trace.jsonl") as run:
        model.fit(x, y, epochs=5, batch_size=128)
    fittrace.load("run.trace.jsonl")

The Keras-compatible API lives in ``fittrace.keras``.
"""

from fittrace.session import Run, load, trace
from fittrace.version import __version__

__all__ = ["__version__", "trace", "load", "Run"]
