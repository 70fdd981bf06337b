"""The accuracy family: the per-sample functions and the metric classes that average them.

Mirrors ``keras.metrics`` accuracy metrics (tf_keras/src/metrics/accuracy_metrics.py and the functions of
tf_keras/src/metrics/__init__.py): each class is a ``MeanMetricWrapper`` over its function, so the logged epoch
"accuracy" is the number correct so far over the number seen so far. ``accuracy`` is the exact-match function
behind Accuracy. Left out: nothing of these six.

    >>> m = SparseCategoricalAccuracy()
    >>> m.update_state(np.array([1, 0]), np.array([[0.2, 0.8], [0.4, 0.6]])); m.result()
    0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.metrics.base_metric import MeanMetricWrapper
from fittrace.saving.keras_export import keras_export


# --- per-sample metric functions ----------------------------------------------------------
@keras_export("keras.metrics.accuracy")
def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where the prediction equals the target exactly."""
    return (to_numpy(y_true) == to_numpy(y_pred)).astype(np.float32)


@keras_export("keras.metrics.sparse_categorical_accuracy")
def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where argmax(y_pred) equals the integer label."""
    t, p = to_numpy(y_true), to_numpy(y_pred)
    if t.ndim == p.ndim:
        t = t.reshape(t.shape[:-1])
    return (p.argmax(axis=-1) == t.astype(np.int64)).astype(np.float32)


@keras_export("keras.metrics.categorical_accuracy")
def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where argmax(y_pred) equals argmax(y_true) (one-hot targets)."""
    return (to_numpy(y_pred).argmax(axis=-1) == to_numpy(y_true).argmax(axis=-1)).astype(np.float32)


@keras_export("keras.metrics.binary_accuracy")
def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Mean over the last axis of (y_pred > threshold) == y_true."""
    t, p = to_numpy(y_true).astype(np.float32), to_numpy(y_pred)
    if t.ndim == p.ndim - 1:
        t = t.reshape(t.shape + (1,))
    return ((p > threshold).astype(np.float32) == t).mean(axis=-1).astype(np.float32)


@keras_export("keras.metrics.top_k_categorical_accuracy")
def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    p = to_numpy(y_pred)
    top = np.argsort(-p, axis=-1)[..., :k]
    return (top == to_numpy(y_true).argmax(axis=-1)[..., None]).any(axis=-1).astype(np.float32)


@keras_export("keras.metrics.sparse_top_k_categorical_accuracy")
def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    t, p = to_numpy(y_true), to_numpy(y_pred)
    if t.ndim == p.ndim:
        t = t.reshape(t.shape[:-1])
    top = np.argsort(-p, axis=-1)[..., :k]
    return (top == t.astype(np.int64)[..., None]).any(axis=-1).astype(np.float32)


@keras_export("keras.metrics.Accuracy")
class Accuracy(MeanMetricWrapper):
    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name, dtype)


@keras_export("keras.metrics.SparseCategoricalAccuracy")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name, dtype)


@keras_export("keras.metrics.CategoricalAccuracy")
class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name, dtype)


@keras_export("keras.metrics.BinaryAccuracy")
class BinaryAccuracy(MeanMetricWrapper):
    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


@keras_export("keras.metrics.TopKCategoricalAccuracy")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)


@keras_export("keras.metrics.SparseTopKCategoricalAccuracy")
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(
        self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=k)
