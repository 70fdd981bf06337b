"""Regression metrics: mean squared and mean absolute error, averaged over the samples seen so far, and the root
of the mean squared error over every element seen so far.

Mirrors ``keras.metrics.MeanSquaredError``, ``MeanAbsoluteError`` and ``RootMeanSquaredError``
(tf_keras/src/metrics/regression_metrics.py). Left out: CosineSimilarity, LogCoshError,
MeanAbsolutePercentageError, MeanSquaredLogarithmicError, R2Score.

    >>> m = MeanSquaredError()
    >>> m.update_state(np.array([[0.0], [1.0]]), np.array([[1.0], [1.0]])); m.result()
    0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.metrics.base_metric import Mean, MeanMetricWrapper
from fittrace.saving.keras_export import keras_export


@keras_export("keras.metrics.mean_squared_error", "keras.metrics.mse", "keras.metrics.MSE")
def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = to_numpy(y_true).astype(np.float32), to_numpy(y_pred)
    return ((p - t.reshape(p.shape)) ** 2).mean(axis=-1)


@keras_export("keras.metrics.mean_absolute_error", "keras.metrics.mae", "keras.metrics.MAE")
def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = to_numpy(y_true).astype(np.float32), to_numpy(y_pred)
    return np.abs(p - t.reshape(p.shape)).mean(axis=-1)


@keras_export("keras.metrics.MeanSquaredError")
class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_error, name, dtype)


@keras_export("keras.metrics.MeanAbsoluteError")
class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, name, dtype)


@keras_export("keras.metrics.RootMeanSquaredError")
class RootMeanSquaredError(Mean):
    """sqrt(the weighted mean of (y_pred - y_true) ** 2 over every element), Keras's weighting."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t = to_numpy(y_true).astype(self.dtype)
        p = to_numpy(y_pred).astype(self.dtype)
        if p.ndim == t.ndim + 1 and p.shape[-1] == 1:
            p = p[..., 0]
        elif t.ndim == p.ndim + 1 and t.shape[-1] == 1:
            t = t[..., 0]
        super().update_state(np.square(p - t), sample_weight=sample_weight)

    def result(self) -> float:
        return float(np.sqrt(np.float32(super().result())))
