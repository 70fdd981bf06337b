"""The bridge to real tf-keras 2 (``tf_keras``, the article's Keras; tested against 2.21): hooks on its own
functions that record its ``fit``, ``evaluate`` and ``predict`` as fittrace's events, each event's ``keras`` field
naming the real function it came from (``tf_keras.src.engine.data_adapter.select_data_adapter``). One module per
part of the run, each with ``install(hooks, root)``; :data:`PARTS` lists them in the order they are installed.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks

#: The modules of this package that hook a part of the run (each has ``install(hooks, root)``).
PARTS: tuple[str, ...] = ("data", "loop", "functions", "building")


def install(hooks: Hooks, root: ModuleType) -> dict[str, Any]:
    """Hook every part of :data:`PARTS` into ``root`` (the imported ``tf_keras``); the facts for the header."""
    for part in PARTS:
        importlib.import_module(f"{__name__}.{part}").install(hooks, root)
    return {
        "framework": "tf_keras",
        "framework_version": getattr(root, "__version__", None),
        "backend": "tensorflow",
    }
