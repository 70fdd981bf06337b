"""Regression metrics: mean squared and mean absolute error, averaged over the samples seen so far.

Mirrors ``keras.metrics.MeanSquaredError`` and ``MeanAbsoluteError`` (tf_keras/src/metrics/regression_metrics.py).
Left out: RootMeanSquaredError, CosineSimilarity, LogCoshError, MeanAbsolutePercentageError.

    >>> m = MeanSquaredError()
    >>> m.update_state(np.array([[0.0], [1.0]]), np.array([[1.0], [1.0]])); m.result()
    0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.metrics.base_metric import MeanMetricWrapper
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
