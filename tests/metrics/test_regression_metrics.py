"""Regression metrics: ``fittrace/metrics/regression_metrics.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import metrics


def test_root_mean_squared_error_weighs_every_element_and_takes_the_root():
    m = metrics.RootMeanSquaredError()
    y = np.array([[0.0, 1.0], [0.0, 0.0]])
    p = np.array([[1.0, 1.0], [0.0, 0.0]])
    m.update_state(y, p)
    assert m.result() == pytest.approx(np.sqrt(1 / 4))
    m.reset_state()
    m.update_state(y, p, sample_weight=np.array([1.0, 0.0]))  # the first row only
    assert m.result() == pytest.approx(np.sqrt(1 / 2))
    assert m.name == "root_mean_squared_error" and float(m.count) == 2.0


def test_mean_squared_and_absolute_error_average_over_the_last_axis():
    y, p = np.array([[0.0, 2.0]]), np.array([[1.0, 0.0]])
    mse, mae = metrics.MeanSquaredError(), metrics.MeanAbsoluteError()
    mse.update_state(y, p)
    mae.update_state(y, p)
    assert (mse.result(), mae.result()) == (pytest.approx(2.5), pytest.approx(1.5))
