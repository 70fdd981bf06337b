"""What an optimizer does to the gradients before its update: dropping missing ones and clipping.

Mirrors ``keras.optimizers.utils`` (tf_keras/src/optimizers/utils.py): ``filter_empty_gradients`` and the three
clipping functions Keras makes from ``clipnorm``, ``global_clipnorm`` and ``clipvalue``. Pure functions on
``(gradient, variable)`` pairs; the optimizer (``optimizers.py``) calls them in that order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fittrace.autodiff import squared_norm
from fittrace.callbacks.callback import warn

Pairs = list[tuple[Any, Any]]


def norm(a: np.ndarray) -> float:
    """The L2 norm of an array of any shape."""
    return math.sqrt(squared_norm(a))


def filter_empty_gradients(pairs: Pairs, warned: set[tuple[str, ...]]) -> Pairs:
    """Drop variables without a gradient, warning once per set of them (``warned`` remembers the sets; Keras warns
    each time its function is traced). No gradient at all is an error, as in Keras."""
    kept = [(g, v) for g, v in pairs if g is not None]
    if not kept and pairs:
        raise ValueError(
            f"No gradients provided for any variable: {([v.name for _, v in pairs],)}. The loss "
            "does not depend on any of them: check that it is computed from the model's output."
        )
    missing = [v.name for g, v in pairs if g is None]
    if missing and tuple(missing) not in warned:
        warned.add(tuple(missing))
        warn(
            f"Gradients do not exist for variables {missing} when minimizing the loss. If you're using "
            "`model.compile()`, did you forget to provide a `loss` argument?",
            "filter_empty_gradients",
            "keras.optimizers.utils.filter_empty_gradients",
        )
    return kept


def clip_gradients(
    pairs: Pairs, clipnorm: float | None, global_clipnorm: float | None, clipvalue: float | None
) -> Pairs:
    """Each gradient's norm to at most ``clipnorm``, then all of them together to ``global_clipnorm``, then every
    value into ``[-clipvalue, clipvalue]`` (each step only when its setting is given)."""
    if clipnorm is not None:
        pairs = [(g * np.float32(clipnorm / max(norm(g), clipnorm)), v) for g, v in pairs]
    if global_clipnorm is not None:
        total = math.sqrt(sum(norm(g) ** 2 for g, _ in pairs))
        scale = global_clipnorm / max(total, global_clipnorm)
        pairs = [(g * np.float32(scale), v) for g, v in pairs]
    if clipvalue is not None:
        pairs = [(np.clip(g, -clipvalue, clipvalue), v) for g, v in pairs]
    return pairs
