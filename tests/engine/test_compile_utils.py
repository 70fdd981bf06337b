"""LossesContainer and MetricsContainer, and the metrics they hold."""
from __future__ import annotations

import numpy as np
import pytest

from fittrace import metrics
from fittrace.autodiff import Tensor
from fittrace.engine.compile_utils import LossesContainer, MetricsContainer

LOGITS = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0], [2.0, 0.0, 0.0]], "float32")


@pytest.mark.parametrize("y,pred_shape,fn", [
    (np.array([0, 1]), (2, 3), "sparse_categorical_accuracy"),
    (np.array([[0], [1]]), (2, 3), "sparse_categorical_accuracy"),
    (np.eye(3)[[0, 1]], (2, 3), "categorical_accuracy"),
    (np.array([[1.0], [0.0]]), (2, 1), "binary_accuracy"),
])
def test_accuracy_resolved_from_shapes_keeps_its_name(y, pred_shape, fn):
    mc = MetricsContainer(["accuracy"])
    assert mc.metrics == []
    mc.update_state(y, Tensor(np.full(pred_shape, 0.6, "float32")))
    assert [m.name for m in mc.metrics] == ["accuracy"]
    assert mc._fns[id(mc.metrics[0])] == fn


def test_running_accuracy_over_batches_of_different_sizes():
    mc = MetricsContainer(["accuracy"])
    mc.update_state(np.array([0, 1, 2]), Tensor(LOGITS[:3]))          # 3 right
    mc.update_state(np.array([1]), Tensor(LOGITS[3:]))                # 1 wrong
    assert mc.metrics[0].result() == pytest.approx(3 / 4)


def test_loss_tracker_is_weighted_by_batch_size_and_adds_regularization():
    lc = LossesContainer("sparse_categorical_crossentropy")
    assert lc.metrics == []
    from fittrace import activations
    a = lc(np.array([0, 1]), activations.softmax(Tensor(LOGITS[:2])))
    b = lc(np.array([0]), activations.softmax(Tensor(LOGITS[1:2])),
           regularization_losses=[Tensor(np.float32(0.5))])
    assert lc.metrics[0].name == "loss"
    want = (float(a.numpy()) * 2 + float(b.numpy()) * 1) / 3
    assert lc.metrics[0].result() == pytest.approx(want, rel=1e-6)
    plain = LossesContainer("sparse_categorical_crossentropy")
    c = plain(np.array([0]), activations.softmax(Tensor(LOGITS[1:2])))
    assert float(b.numpy()) == pytest.approx(float(c.numpy()) + 0.5, rel=1e-6)


def test_metrics_ignore_sample_weight_but_weighted_metrics_use_it():
    mc = MetricsContainer(["accuracy"], weighted_metrics=["accuracy"])
    mc.update_state(np.array([0, 0]), Tensor(LOGITS[:2]), sample_weight=np.array([1.0, 0.0]))
    plain, weighted = mc.metrics
    assert plain.result() == pytest.approx(0.5) and weighted.result() == pytest.approx(1.0)


def test_mean_of_plain_numbers_equals_the_mean_of_the_same_values_as_arrays():
    fast, arrays = metrics.Mean(), metrics.Mean()
    for value, weight in [(2.0, 128), (4.5, 96), (1.25, 3.5), (0.5, None)]:
        fast.update_state(value, sample_weight=weight)              # a Python float: the loss tracker's path
        arrays.update_state(np.float32(value), sample_weight=None if weight is None else np.array(weight))
    assert fast.result() == pytest.approx(arrays.result(), rel=1e-12)
    assert fast.count == arrays.count == 128 + 96 + 3.5 + 1
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


def test_metrics_without_targets_are_skipped_once_built_and_refused_before():
    fresh = MetricsContainer(["accuracy"])
    with pytest.raises(ValueError, match=r"^Target data is missing: the compiled metrics \['accuracy'\] need targets"):
        fresh.update_state(None, Tensor(np.eye(3, dtype="float32")))
    built = MetricsContainer(["accuracy"])
    built.update_state(np.array([0, 1, 1]), Tensor(np.eye(3, dtype="float32")))
    before = [m.result() for m in built.metrics]
    built.update_state(None, Tensor(np.eye(3, dtype="float32")))       # as Keras: an output without targets
    assert [m.result() for m in built.metrics] == before == [pytest.approx(2 / 3)]
