"""Mean and the metric lookup: ``fittrace/metrics/base_metric.py`` and ``metrics.get``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import metrics


def test_mean_of_plain_numbers_equals_the_mean_of_the_same_values_as_arrays():
    fast, arrays = metrics.Mean(), metrics.Mean()
    for value, weight in [(2.0, 128), (4.5, 96), (1.25, 3.5), (0.5, None)]:
        fast.update_state(value, sample_weight=weight)  # a Python float: the loss tracker's path
        arrays.update_state(
            np.float32(value), sample_weight=None if weight is None else np.array(weight)
        )
    assert fast.result() == pytest.approx(arrays.result(), rel=1e-12)
    assert float(fast.count) == float(arrays.count) == 128 + 96 + 3.5 + 1
    fast.update_state(float("nan"), sample_weight=1)
    assert np.isnan(fast.result())


def test_mean_and_unknown_metric():
    m = metrics.Mean()
    m.update_state(2.0, sample_weight=128)
    m.update_state(4.0, sample_weight=96)
    assert m.result() == pytest.approx((2 * 128 + 4 * 96) / 224)
    m.reset_state()
    assert m.result() == 0.0
    with pytest.raises(ValueError, match="Unknown metric function: 'nope'"):
        metrics.get("nope")


def test_metric_configs_names_and_printing_are_keras():
    assert metrics.Mean(dtype="float64").get_config() == {"name": "mean", "dtype": "float64"}
    wrapper = metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.3)
    assert wrapper.name.startswith("mean_metric_wrapper")
    assert list(wrapper.get_config()) == ["name", "dtype", "threshold", "fn"]
    assert "fn" not in metrics.BinaryAccuracy().get_config()  # a subclass's function is fixed
    assert str(metrics.Mean(name="loss")) == "Mean(name=loss,dtype=float32)"


def test_a_wrapper_from_an_h5_config_finds_its_function_by_name():
    config = {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"}
    wrapper = metrics.MeanMetricWrapper.from_config(config)
    wrapper.update_state(np.eye(2), np.array([[0.9, 0.1], [0.8, 0.2]]))
    assert wrapper.result() == 0.5
    with pytest.raises(ValueError, match="^Unknown metric function: 'nope'"):
        metrics.MeanMetricWrapper.from_config({"name": "x", "fn": "nope"})
