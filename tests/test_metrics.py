"""The metrics' API module: ``fittrace/metrics/__init__.py`` (``get``, ``serialize``, ``deserialize``)."""

from __future__ import annotations

import pytest

from fittrace import metrics


@pytest.mark.parametrize(
    "metric",
    [
        metrics.Mean(name="m", dtype="float64"),
        metrics.Sum(),
        metrics.Accuracy(),
        metrics.BinaryAccuracy(threshold=0.7),
        metrics.TopKCategoricalAccuracy(k=3),
        metrics.SparseTopKCategoricalAccuracy(k=2),
        metrics.MeanSquaredError(),
        metrics.MeanMetricWrapper(metrics.sparse_categorical_accuracy, name="w"),
    ],
    ids=lambda m: type(m).__name__,
)
def test_every_metric_comes_back_with_its_config(metric):
    back = metrics.deserialize(metrics.serialize(metric))
    assert type(back) is type(metric) and back.get_config() == metric.get_config()


def test_get_resolves_names_classes_and_configs():
    assert metrics.get("acc") is metrics.accuracy
    assert metrics.get("mse") is metrics.mean_squared_error
    assert metrics.get("BinaryAccuracy").name == "binary_accuracy"
    top = metrics.get({"class_name": "TopKCategoricalAccuracy", "config": {"k": 4}})
    assert top.get_config()["k"] == 4
    with pytest.raises(ValueError, match="^Unknown metric function: 'Nope'"):
        metrics.get({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="^Could not interpret metric identifier: 3"):
        metrics.get(3)


def test_a_lower_case_class_name_says_which_class_name_keras_resolves():
    with pytest.raises(
        ValueError, match=r"Unknown metric function: 'auc'.*use 'AUC' or keras.metrics.AUC\(\)"
    ):
        metrics.get("auc")
    with pytest.raises(ValueError, match="use 'TruePositives'"):
        metrics.get("true_positives")
    assert metrics.get("Precision").name.startswith("precision")
