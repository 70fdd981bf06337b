"""LossesContainer and MetricsContainer: metrics resolved from shapes, the loss tracker, sample weights, metrics
without targets: ``fittrace/engine/compile_utils.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import Tensor
from fittrace.engine.compile_utils import LossesContainer, MetricsContainer

LOGITS = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0], [2.0, 0.0, 0.0]], "float32")


@pytest.mark.parametrize(
    "y,pred_shape,fn",
    [
        (np.array([0, 1]), (2, 3), "sparse_categorical_accuracy"),
        (np.array([[0], [1]]), (2, 3), "sparse_categorical_accuracy"),
        (np.eye(3)[[0, 1]], (2, 3), "categorical_accuracy"),
        (np.array([[1.0], [0.0]]), (2, 1), "binary_accuracy"),
    ],
)
def test_accuracy_resolved_from_shapes_keeps_its_name(y, pred_shape, fn):
    mc = MetricsContainer(["accuracy"])
    assert mc.metrics == []
    mc.update_state(y, Tensor(np.full(pred_shape, 0.6, "float32")))
    assert [m.name for m in mc.metrics] == ["accuracy"]
    assert mc._fns[id(mc.metrics[0])] == fn


def test_loss_tracker_is_weighted_by_batch_size_and_adds_regularization():
    lc = LossesContainer("sparse_categorical_crossentropy")
    assert lc.metrics == []
    from fittrace import activations

    a = lc(np.array([0, 1]), activations.softmax(Tensor(LOGITS[:2])))
    b = lc(
        np.array([0]),
        activations.softmax(Tensor(LOGITS[1:2])),
        regularization_losses=[Tensor(np.float32(0.5))],
    )
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


def test_metrics_without_targets_are_skipped_once_built_and_refused_before():
    fresh = MetricsContainer(["accuracy"])
    with pytest.raises(
        ValueError,
        match=r"^Target data is missing: the compiled metrics \['accuracy'\] need targets",
    ):
        fresh.update_state(None, Tensor(np.eye(3, dtype="float32")))
    built = MetricsContainer(["accuracy"])
    built.update_state(np.array([0, 1, 1]), Tensor(np.eye(3, dtype="float32")))
    before = [m.result() for m in built.metrics]
    built.update_state(
        None, Tensor(np.eye(3, dtype="float32"))
    )  # as Keras: an output without targets
    assert [m.result() for m in built.metrics] == before == [pytest.approx(2 / 3)]
