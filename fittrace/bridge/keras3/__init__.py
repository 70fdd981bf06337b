"""The bridge to real Keras 3 (``keras`` 3.x; tested against 3.15 on the TensorFlow and JAX backends): hooks on
its own functions that record its ``fit``, ``evaluate`` and ``predict`` as fittrace's events, each event's
``keras`` field naming the real function it came from (``keras.src.trainers.data_adapters.get_data_adapter``).
One module per part of the run, each with ``install(hooks, root)``; :data:`PARTS` lists them in order.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks

#: The modules of this package that hook a part of the run (each has ``install(hooks, root)``).
PARTS: tuple[str, ...] = ("trainer", "data", "building", "functions", "loop")


def install(hooks: Hooks, root: ModuleType) -> dict[str, Any]:
    """Hook every part of :data:`PARTS` into ``root`` (the imported ``keras``), when it is Keras 3; the facts
    for the header. A Keras 2 that calls itself ``keras`` is not this bridge's: nothing is hooked."""
    version = str(getattr(root, "__version__", ""))
    if not version.startswith("3."):
        return {
            "framework": "keras",
            "framework_version": version or None,
            "skipped": "not Keras 3",
        }
    for part in (
        PARTS
    ):  # a part that cannot install (a Keras unlike 3.15) is noted; the others still install
        try:
            importlib.import_module(f"{__name__}.{part}").install(hooks, root)
        except Exception as exc:
            hooks.failed.setdefault(f"{__name__}.{part}", f"{type(exc).__name__}: {exc}")
    try:
        backend = importlib.import_module(f"{root.__name__}.src.backend").backend()
    except Exception:  # a Keras 3 laid out otherwise: the header says so
        backend = None
    return {"framework": "keras", "framework_version": version, "backend": backend}
