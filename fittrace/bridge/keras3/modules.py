"""Where Keras 3 keeps what the bridge hooks: its modules by their path under the imported ``keras`` package
(``keras.src.trainers.trainer``...), and the backend's trainer class (``TensorFlowTrainer``, ``JAXTrainer``),
which defines ``fit``, ``evaluate``, ``predict`` and the train, test and predict steps.

Nothing is imported that the process has not got: the backend's trainer module is imported only for the backend
Keras itself selected (it imports it when ``keras`` is imported). A module this version lacks is None.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks


def module(hooks: Hooks, root: ModuleType, dotted: str) -> ModuleType | None:
    """``root.src.<dotted>`` (``trainers.epoch_iterator``), or None noted in ``hooks.missing``."""
    name = f"{root.__name__}.src.{dotted}"
    try:
        return importlib.import_module(name)
    except ImportError:
        hooks.missing.append(name)
        return None


def backend_name(root: ModuleType) -> str | None:
    """The backend Keras runs on (``tensorflow``, ``jax``...), as ``keras.backend.backend()`` says."""
    try:
        return str(importlib.import_module(f"{root.__name__}.src.backend").backend())
    except (ImportError, AttributeError):
        return None


def backend_trainer(hooks: Hooks, root: ModuleType) -> type | None:
    """The backend's Trainer subclass (``keras.src.backend.jax.trainer.JAXTrainer``), or None."""
    base = module(hooks, root, "trainers.trainer")
    name = backend_name(root)
    if base is None or name is None:
        return None
    found = module(hooks, root, f"backend.{name}.trainer")
    if found is None:
        return None
    trainer = getattr(base, "Trainer", None)
    for value in vars(found).values():
        if (
            isinstance(value, type)
            and trainer is not None
            and issubclass(value, trainer)
            and value is not trainer
            and value.__module__ == found.__name__
        ):
            return value
    hooks.missing.append(f"{found.__name__}.<Trainer subclass>")
    return None


def get(owner: Any, attr: str) -> Any:
    """``owner.attr`` or None (an attribute some versions lack)."""
    return getattr(owner, attr, None) if owner is not None else None
