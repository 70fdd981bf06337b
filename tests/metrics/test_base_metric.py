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


class _PositiveRate(metrics.Metric):
    """A user's metric, written as a Keras course writes one."""

    def __init__(self, name: str = "positive_rate", **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.positives = self.add_weight(name="positives", shape=(), initializer="zeros")
        self.seen = self.add_weight("seen", initializer="zeros", dtype="float32")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self.positives.assign_add(np.sum(np.asarray(y_pred) > 0.5))
        self.seen.assign_add(np.asarray(y_pred).size)

    def result(self):
        return self.positives / self.seen


def test_a_user_metric_has_its_variables_resets_them_and_works_by_hand():
    m = _PositiveRate()
    assert [v.name for v in m.variables] == ["positives:0", "seen:0"]
    assert m.get_config() == {"name": "positive_rate", "dtype": "float32"}
    assert float(m(None, np.array([0.9, 0.1, 0.7, 0.2]))) == 0.5
    m.reset_states()  # the old name still works
    assert [float(v) for v in m.variables] == [0.0, 0.0]
    with pytest.raises(TypeError) as refused:
        _PositiveRate(colour="red")
    assert refused.value.args == ("Keyword argument not understood:", "colour")
    assert _PositiveRate(trainable=False, autocast=False).name == "positive_rate"

    class NoResult(metrics.Metric):
        def update_state(self, *args):
            pass

    with pytest.raises(TypeError, match="abstract"):
        NoResult()


def test_a_user_metric_in_compile_logs_under_its_name_and_is_traced_as_itself():
    from fittrace.keras import layers
    from fittrace.keras.models import Sequential
    from fittrace.tracing.events import KINDS
    from fittrace.tracing.recorder import Recorder

    rng = np.random.default_rng(0)
    x, y = rng.random((12, 3), dtype="float32"), (rng.random((12, 1)) > 0.5).astype("float32")
    model = Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(
        "sgd", "binary_crossentropy", metrics=["accuracy", _PositiveRate(), metrics.AUC(name="auc")]
    )
    rec = Recorder("full").start()
    try:
        history = model.fit(x, y, batch_size=6, epochs=1, verbose=0)
    finally:
        rec.stop()
    assert list(history.history) == ["loss", "accuracy", "positive_rate", "auc"]
    mine = [e for e in rec.events if e.kind == "metric_update" and e.name == "positive_rate"]
    assert len(mine) == 2
    assert mine[0].data["class"] == "_PositiveRate"
    assert set(mine[-1].data["variables"]) == {"positives", "seen"}
    assert mine[-1].data["variables"]["seen"] == 12.0
    assert mine[-1].data["value"] == pytest.approx(history.history["positive_rate"][0])
    assert set(mine[0].data) <= set(KINDS["metric_update"].payload)
    builtin = next(e for e in rec.events if e.kind == "metric_update" and e.name == "accuracy")
    assert builtin.data["class"] == "MeanMetricWrapper"
    assert set(builtin.data["variables"]) == {"total", "count"}
    auc = [e for e in rec.events if e.kind == "metric_update" and e.name == "auc"][-1].data
    # 200 thresholds a count: the trace keeps each one's shape and sum (tp + fn is every positive, 200 times)
    counts = auc["variables"]
    assert counts["true_positives"]["shape"] == [200]
    positives = float(y.sum())
    assert counts["true_positives"]["sum"] + counts["false_negatives"]["sum"] == 200 * positives
