"""The accuracy family: the per-sample functions and the metric classes that average them.

Mirrors ``keras.metrics`` accuracy metrics (tf_keras/src/metrics/accuracy_metrics.py and the functions of
tf_keras/src/metrics/__init__.py): each class is a ``MeanMetricWrapper`` over its function, so the logged epoch
"accuracy" is the number correct so far over the number seen so far. Left out: nothing of these six.

    >>> m = SparseCategoricalAccuracy()
    >>> m.update_state(np.array([1, 0]), np.array([[0.2, 0.8], [0.4, 0.6]])); m.result()
    0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.metrics.base_metric import MeanMetricWrapper


# --- per-sample metric functions ----------------------------------------------------------
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
    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(
        self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=k)
