"""The metric base classes: stateful running results (``Metric``, ``Reduce``, ``Sum``, ``Mean``,
``MeanMetricWrapper``).

Mirrors tf_keras/src/metrics/base_metric.py: ``update_state`` accumulates ``total`` and ``count``; ``result()`` is
``total / count``. Left out: metric variables as layer weights, distribution strategies.

    >>> m = Mean()
    >>> m.update_state(2.0, sample_weight=128); m.update_state(4.0, sample_weight=96)
    >>> round(m.result(), 4)     # (2*128 + 4*96) / 224
    2.8571
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy


class Metric:
    """Base class: ``update_state``, ``result``, ``reset_state``; ``name`` is the log key."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or type(self).__name__.lower()
        self.dtype = dtype or "float32"

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> float:
        self.update_state(*args, **kwargs)
        return self.result()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Reduce(Metric):
    """Accumulates a weighted total and count of values."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.total = 0.0
        self.count = 0.0

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        if type(values) is float and (sample_weight is None or type(sample_weight) in (int, float)):
            # the loss tracker's case, once per step: one number and a batch size, no arrays needed
            w = 1.0 if sample_weight is None else float(sample_weight)
            self.total += values * w
            self.count += w
            return
        v = to_numpy(values).astype(np.float64)
        if sample_weight is None:
            self.total += float(v.sum())
            self.count += float(v.size)
            return
        w = to_numpy(sample_weight).astype(np.float64)
        while w.ndim > v.ndim and w.shape[-1] == 1:
            w = w[..., 0]
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (v.ndim - w.ndim)), v.shape)
        self.total += float((v * w).sum())
        self.count += float(w.sum())


class Sum(Reduce):
    def result(self) -> float:
        return float(self.total)


class Mean(Reduce):
    """The weighted mean of everything seen since the last reset."""

    def result(self) -> float:
        return float(self.total / self.count) if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred)`` per sample; ``name`` is the user's key (e.g. "accuracy")."""

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(name or fn.__name__, dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)
