"""Metrics: stateful running results (Mean, Sum, MeanMetricWrapper) and the accuracy family.

Mirrors ``keras.metrics`` (tf_keras/src/metrics/base_metric.py, accuracy_metrics.py, regression_metrics.py):
``update_state`` accumulates ``total`` and ``count``; ``result()`` is ``total / count``. The logged epoch
"accuracy" is therefore the number correct so far over the number seen so far. Left out: AUC, precision/recall,
confusion-matrix metrics, IoU.

    >>> m = Mean()
    >>> m.update_state(2.0, sample_weight=128); m.update_state(4.0, sample_weight=96)
    >>> round(m.result(), 4)     # (2*128 + 4*96) / 224
    2.8571
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.identifiers import unknown


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

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name or fn.__name__, dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)


# --- per-sample metric functions ---------------------------------------------------------------------------------------
def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where argmax(y_pred) equals the integer label."""
    t, p = to_numpy(y_true), to_numpy(y_pred)
    if t.ndim == p.ndim:
        t = t.reshape(t.shape[:-1])
    return (p.argmax(axis=-1) == t.astype(np.int64)).astype(np.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where argmax(y_pred) equals argmax(y_true) (one-hot targets)."""
    return (to_numpy(y_pred).argmax(axis=-1) == to_numpy(y_true).argmax(axis=-1)).astype(np.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Mean over the last axis of (y_pred > threshold) == y_true."""
    t, p = to_numpy(y_true).astype(np.float32), to_numpy(y_pred)
    if t.ndim == p.ndim - 1:
        t = t.reshape(t.shape + (1,))
    return ((p > threshold).astype(np.float32) == t).mean(axis=-1).astype(np.float32)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    p = to_numpy(y_pred)
    top = np.argsort(-p, axis=-1)[..., :k]
    return (top == to_numpy(y_true).argmax(axis=-1)[..., None]).any(axis=-1).astype(np.float32)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    t, p = to_numpy(y_true), to_numpy(y_pred)
    if t.ndim == p.ndim:
        t = t.reshape(t.shape[:-1])
    top = np.argsort(-p, axis=-1)[..., :k]
    return (top == t.astype(np.int64)[..., None]).any(axis=-1).astype(np.float32)


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = to_numpy(y_true).astype(np.float32), to_numpy(y_pred)
    return ((p - t.reshape(p.shape)) ** 2).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = to_numpy(y_true).astype(np.float32), to_numpy(y_pred)
    return np.abs(p - t.reshape(p.shape)).mean(axis=-1)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(lambda t, p: (to_numpy(t) == to_numpy(p)).astype(np.float32), name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name, dtype)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=k)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, name, dtype)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sparse_categorical_accuracy": sparse_categorical_accuracy, "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy, "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
}
_CLASSES = {c.__name__: c for c in (Mean, Sum, Accuracy, SparseCategoricalAccuracy, CategoricalAccuracy,
                                    BinaryAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                    MeanSquaredError, MeanAbsoluteError)}


def get(identifier: Any) -> Any:
    """A function name gives the function, a class name an instance; Metric objects and callables as is."""
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise unknown("metric function", identifier)
    if callable(identifier) or isinstance(identifier, Metric):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
