"""Metrics, as tf-keras lays them out (tf_keras/src/metrics/): ``base_metric.py`` (Metric, Mean, Sum,
MeanMetricWrapper), ``accuracy_metrics.py``, ``regression_metrics.py``; ``get`` resolves a name as
``keras.metrics.get``. May import the autodiff and ``saving.legacy``. Not here yet: AUC, Precision, Recall and the
confusion-matrix metrics, IoU.

    >>> get("sparse_categorical_accuracy").__name__, get("Mean").name
    ('sparse_categorical_accuracy', 'mean')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fittrace.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from fittrace.metrics.base_metric import Mean, MeanMetricWrapper, Metric, Reduce, Sum
from fittrace.metrics.regression_metrics import (
    MeanAbsoluteError,
    MeanSquaredError,
    mean_absolute_error,
    mean_squared_error,
)
from fittrace.saving.legacy.serialization import unknown

__all__ = [
    "Metric",
    "Reduce",
    "Mean",
    "Sum",
    "MeanMetricWrapper",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "mean_squared_error",
    "mean_absolute_error",
    "get",
]

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
}
_CLASSES = {
    c.__name__: c
    for c in (
        Mean,
        Sum,
        Accuracy,
        SparseCategoricalAccuracy,
        CategoricalAccuracy,
        BinaryAccuracy,
        TopKCategoricalAccuracy,
        SparseTopKCategoricalAccuracy,
        MeanSquaredError,
        MeanAbsoluteError,
    )
}


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
