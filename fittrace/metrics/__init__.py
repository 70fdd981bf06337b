"""Metrics, as tf-keras lays them out (tf_keras/src/metrics/): ``base_metric.py`` (Metric, Mean, Sum,
MeanMetricWrapper), ``accuracy_metrics.py``, ``regression_metrics.py``; ``get``, ``serialize`` and
``deserialize`` are ``keras.metrics``'s; ``confusion_metrics.py`` (TruePositives..., Precision, Recall, the
rates at a constraint, AUC). May import the autodiff, ``saving``, ``initializers`` and the engine's layer
naming. Not here yet: IoU, F-scores, the probabilistic and hinge metrics.

    >>> get("sparse_categorical_accuracy").__name__, get("Mean").name
    ('sparse_categorical_accuracy', 'mean')
"""

from __future__ import annotations

import warnings
from typing import Any

from fittrace.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from fittrace.metrics.base_metric import Mean, MeanMetricWrapper, Metric, Reduce, Sum
from fittrace.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from fittrace.metrics.regression_metrics import (
    MeanAbsoluteError,
    MeanSquaredError,
    RootMeanSquaredError,
    mean_absolute_error,
    mean_squared_error,
)
from fittrace.saving import serialization_lib
from fittrace.saving.api_objects import deserialize_from_module
from fittrace.saving.legacy import serialization as legacy_serialization

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
    "RootMeanSquaredError",
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "Precision",
    "Recall",
    "AUC",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "PrecisionAtRecall",
    "RecallAtPrecision",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "mean_squared_error",
    "mean_absolute_error",
    "serialize",
    "deserialize",
    "get",
]

# What a name in a config may stand for (Keras looks in the module's namespace): the classes, the functions and
# their short names.
_MODULE_OBJECTS: dict[str, Any] = {
    "Metric": Metric,
    "Mean": Mean,
    "Sum": Sum,
    "MeanMetricWrapper": MeanMetricWrapper,
    "Accuracy": Accuracy,
    "SparseCategoricalAccuracy": SparseCategoricalAccuracy,
    "CategoricalAccuracy": CategoricalAccuracy,
    "BinaryAccuracy": BinaryAccuracy,
    "TopKCategoricalAccuracy": TopKCategoricalAccuracy,
    "SparseTopKCategoricalAccuracy": SparseTopKCategoricalAccuracy,
    "MeanSquaredError": MeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "RootMeanSquaredError": RootMeanSquaredError,
    "TruePositives": TruePositives,
    "FalsePositives": FalsePositives,
    "TrueNegatives": TrueNegatives,
    "FalseNegatives": FalseNegatives,
    "Precision": Precision,
    "Recall": Recall,
    "AUC": AUC,
    "SensitivityAtSpecificity": SensitivityAtSpecificity,
    "SpecificityAtSensitivity": SpecificityAtSensitivity,
    "PrecisionAtRecall": PrecisionAtRecall,
    "RecallAtPrecision": RecallAtPrecision,
    "accuracy": accuracy,
    "acc": accuracy,
    "ACC": accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
}


def serialize(metric: Any, use_legacy_format: bool = False) -> Any:
    """A Metric's config (``{"module": "keras.metrics", ...}``); a function's config names it."""
    if metric is None:
        return None
    if not isinstance(metric, Metric):
        warnings.warn(
            "The `keras.metrics.serialize()` API should only be used for objects of type "
            f"`keras.metrics.Metric`. Found an instance of type {type(metric)}, which may lead to "
            "improper serialization.",
            stacklevel=2,
        )
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(metric)
    return serialization_lib.serialize_keras_object(metric)


def deserialize(
    config: Any, custom_objects: dict[str, Any] | None = None, use_legacy_format: bool = False
) -> Any:
    """The Metric or metric function a config or a name stands for (a class name gives an instance)."""
    return deserialize_from_module(
        config, _MODULE_OBJECTS, custom_objects, "metric function", use_legacy_format
    )


def _class_name_hint(name: str) -> str | None:
    """For "auc" or "true_positives": tf-keras 2.21 resolves a metric class by its class name only, so say which
    (Keras itself hands the string back and compile fails with "'str' object is not callable")."""
    key = name.replace("_", "").lower()
    for cls_name, obj in _MODULE_OBJECTS.items():
        if isinstance(obj, type) and cls_name.lower() == key and cls_name != name:
            return (
                f"Metric classes are found by their class name: use '{cls_name}' or "
                f"keras.metrics.{cls_name}()."
            )
    return None


def get(identifier: Any) -> Any:
    """A function name gives the function, a class name an instance, a config its object; Metric objects and
    callables as they are."""
    if isinstance(identifier, dict):
        return deserialize(identifier, use_legacy_format="module" not in identifier)
    if isinstance(identifier, str):
        try:
            return deserialize(str(identifier))
        except ValueError as e:
            hint = _class_name_hint(identifier)
            if hint is None:
                raise
            raise ValueError(f"{e} {hint}") from None
    if callable(identifier) or isinstance(identifier, Metric):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
