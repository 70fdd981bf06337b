"""LossesContainer and MetricsContainer: metrics resolved from shapes, the loss tracker, sample weights, metrics
without targets, and several outputs (pseudo names, per-output losses, weights and metrics, Keras's names and
messages): ``fittrace/engine/compile_utils.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import activations
from fittrace.autodiff import Tensor
from fittrace.engine.compile_utils import (
    LossesContainer,
    MetricsContainer,
    create_pseudo_output_names,
    map_to_output_names,
)
from fittrace.metrics import MeanAbsoluteError

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


# --- several outputs ---------------------------------------------------------------------------------------------
REG = np.array([[0.5], [-1.0], [2.0], [0.0]], "float32")
Y_REG = np.array([[0.0], [0.0], [1.0], [1.0]], "float32")
Y_CLS = np.array([0, 1, 2, 1])


def _outputs():
    return [activations.softmax(Tensor(LOGITS)), Tensor(REG)]


def _mse(y, p):
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2))


def _scce(y, p):
    return float(np.mean(-np.log(np.asarray(p)[np.arange(len(y)), y])))


def test_pseudo_output_names_for_a_tensor_a_list_and_a_dict():
    assert create_pseudo_output_names(np.zeros(2)) == ["output_1"]
    assert create_pseudo_output_names([1, 2]) == ["output_1", "output_2"]
    assert create_pseudo_output_names({"reg": 1, "cls": [2, 3]}) == ["cls_1", "cls_2", "reg"]


def test_a_dict_is_mapped_to_the_outputs_in_order_and_a_stray_key_is_keras_error():
    assert map_to_output_names([1, 2], ["a", "b"], {"b": "mse"}) == [None, "mse"]
    with pytest.raises(ValueError) as err:
        map_to_output_names([1, 2], None, {"output_1": "mse", "nope": "mae"})
    assert str(err.value) == (
        "Found unexpected losses or metrics that do not correspond to any Model output: "
        "dict_keys(['nope']). Valid mode output names: ['output_1', 'output_2']. "
        "Received struct is: {'nope': 'mae'}."
    )


def test_the_total_is_the_weighted_sum_and_each_output_is_tracked_unweighted():
    lc = LossesContainer(["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5])
    y_pred = _outputs()
    total = lc([Y_CLS, Y_REG], y_pred, regularization_losses=[Tensor(np.float32(0.25))])
    cls, reg = _scce(Y_CLS, y_pred[0].value), _mse(Y_REG, REG)
    assert float(total.numpy()) == pytest.approx(cls + 0.5 * reg + 0.25, rel=1e-5)
    assert [m.name for m in lc.metrics] == ["loss", "output_1_loss", "output_2_loss"]
    assert [m.result() for m in lc.metrics] == [
        pytest.approx(cls + 0.5 * reg + 0.25, rel=1e-5),
        pytest.approx(cls, rel=1e-5),
        pytest.approx(reg, rel=1e-5),
    ]


def test_one_loss_serves_every_output_and_a_dict_may_leave_one_out():
    both = LossesContainer("mse")
    y_pred = [Tensor(REG), Tensor(REG * 2)]
    total = both([Y_REG, Y_REG], y_pred)
    assert float(total.numpy()) == pytest.approx(_mse(Y_REG, REG) + _mse(Y_REG, REG * 2), rel=1e-5)
    named = LossesContainer({"b": "mse"}, loss_weights={"b": 3.0})
    out = named({"a": Y_REG, "b": Y_REG}, {"a": Tensor(REG), "b": Tensor(REG * 2)})
    assert float(out.numpy()) == pytest.approx(3 * _mse(Y_REG, REG * 2), rel=1e-5)
    assert [m.name for m in named.metrics] == ["loss", "b_loss"]


def test_an_output_without_targets_adds_no_loss_and_its_tracker_stays_at_zero():
    lc = LossesContainer("mse")
    total = lc({"a": Y_REG}, {"a": Tensor(REG), "b": Tensor(REG * 2)})
    assert float(total.numpy()) == pytest.approx(_mse(Y_REG, REG), rel=1e-5)
    assert {m.name: m.result() for m in lc.metrics}["b_loss"] == 0.0


def test_one_sample_weight_array_weighs_every_output():
    sw = np.array([1.0, 0.0, 1.0, 0.0], "float32")
    lc = LossesContainer("mse")
    lc([Y_REG, Y_REG], [Tensor(REG), Tensor(REG * 2)], sample_weight=sw)
    per_output = [m.result() for m in lc.metrics[1:]]
    # SUM_OVER_BATCH_SIZE: the weighted squared errors over all four samples
    want = [float(np.sum(sw[:, None] * (p - Y_REG) ** 2) / 4) for p in (REG, REG * 2)]
    assert per_output == [pytest.approx(w, rel=1e-5) for w in want]


def test_wrong_counts_and_stray_keys_are_refused_where_keras_pairs_them_silently():
    with pytest.raises(ValueError, match=r"^`loss` has 1 losses for the model's 2 output\(s\)"):
        LossesContainer(["mse"])([Y_REG, Y_REG], [Tensor(REG), Tensor(REG)])
    with pytest.raises(ValueError, match=r"^`loss_weights` has 3 weights for the model's 2"):
        LossesContainer("mse", loss_weights=[1, 2, 3])([Y_REG, Y_REG], [Tensor(REG), Tensor(REG)])
    with pytest.raises(
        ValueError, match=r"dict_keys\(\['c'\]\). Valid mode output names: \['a', 'b'\]"
    ):
        LossesContainer({"a": "mse", "c": "mse"})(
            {"a": Y_REG, "b": Y_REG}, {"a": Tensor(REG), "b": Tensor(REG)}
        )


def test_one_output_honours_a_loss_weight_given_as_a_list_or_a_dict_by_pseudo_name():
    plain = float(LossesContainer("mse")(Y_REG, Tensor(REG)).numpy())
    listed = LossesContainer(["mse"], loss_weights=[2.0])
    named = LossesContainer({"output_1": "mse"}, loss_weights={"output_1": 3.0})
    assert float(listed(Y_REG, Tensor(REG)).numpy()) == pytest.approx(2 * plain)
    assert float(named(Y_REG, Tensor(REG)).numpy()) == pytest.approx(3 * plain)
    assert [m.name for m in named.metrics] == ["loss"]  # one output: no per-output tracker


def test_metrics_of_several_outputs_are_prefixed_and_broadcast_copies_keep_their_own_state():
    shared = MeanAbsoluteError()
    mc = MetricsContainer([shared])
    mc.update_state([Y_REG, Y_REG], [Tensor(REG), Tensor(REG * 2)])
    first, second = mc.metrics
    assert (first.name, second.name) == (
        "output_1_mean_absolute_error",
        "output_2_mean_absolute_error",
    )
    assert first is not second and first is not shared
    want = [float(np.mean(np.abs(p - Y_REG))) for p in (REG, REG * 2)]
    assert [first.result(), second.result()] == [pytest.approx(w) for w in want]


def test_per_output_metric_lists_dicts_and_weighted_names_in_keras_order():
    mc = MetricsContainer(
        {"cls": "accuracy", "reg": ["mae", "mse"]}, weighted_metrics={"reg": ["mae"]}
    )
    y_pred = {"cls": Tensor(LOGITS), "reg": Tensor(REG)}
    mc.update_state({"cls": Y_CLS, "reg": Y_REG}, y_pred)
    assert [m.name for m in mc.metrics] == [
        "cls_accuracy",
        "reg_mae",
        "reg_mse",
        "reg_weighted_mae",
    ]
    assert mc._fns[id(mc.metrics[0])] == "sparse_categorical_accuracy"
    single = MetricsContainer(["mae"], weighted_metrics=["mae"])
    single.update_state(Y_REG, Tensor(REG))
    assert [m.name for m in single.metrics] == ["mae", "weighted_mae"]


def test_metric_name_clashes_and_shared_objects_are_keras_errors():
    shared = MeanAbsoluteError()
    with pytest.raises(ValueError, match="^Found duplicated metrics object in the user provided"):
        MetricsContainer([shared], weighted_metrics=[shared])
    twice = MetricsContainer(["mae", "mae"])
    with pytest.raises(ValueError) as err:
        twice.update_state(Y_REG, Tensor(REG))
    assert str(err.value) == (
        "Found two metrics with the same name: mae. All the metrics added to the model need to "
        "have unique names."
    )


def test_targets_that_do_not_fit_the_outputs_give_tensorflows_message():
    mc = MetricsContainer()
    with pytest.raises(
        ValueError, match="Input structure has length 1, while shallow structure has length 2"
    ):
        mc.update_state([Y_REG], [Tensor(REG), Tensor(REG)])
    missing = MetricsContainer(["accuracy"])
    with pytest.raises(ValueError, match="^Target data is missing for output 'b'"):
        missing.update_state({"a": Y_REG}, {"a": Tensor(REG), "b": Tensor(REG)})


def test_an_output_without_targets_updates_none_of_its_metrics():
    mc = MetricsContainer(["mae"])
    mc.update_state({"a": Y_REG}, {"a": Tensor(REG), "b": Tensor(REG)})
    results = {m.name: m.result() for m in mc.metrics}
    assert results == {"a_mae": pytest.approx(float(np.mean(np.abs(REG - Y_REG)))), "b_mae": 0.0}


def test_metrics_from_a_saved_model_keep_their_output_prefixes():
    outputs = [Tensor(np.zeros((2, 1), "float32")), Tensor(np.zeros((2, 1), "float32"))]
    targets = [np.zeros((2, 1), "float32"), np.zeros((2, 1), "float32")]
    fresh = MetricsContainer([["mae"], ["mae"]], output_names=["a", "b"])
    fresh.update_state(targets, outputs)
    assert [m.name for m in fresh.metrics] == ["a_mae", "b_mae"]
    saved = [[MeanAbsoluteError(name="a_mae")], [MeanAbsoluteError(name="b_mae")]]
    loaded = MetricsContainer(saved, output_names=["a", "b"], from_serialized=True)
    loaded.update_state(targets, outputs)
    assert [m.name for m in loaded.metrics] == ["a_mae", "b_mae"]  # not "a_a_mae"


def test_the_mask_of_a_prediction_weights_the_loss_and_the_metrics():
    from fittrace.engine.compile_utils import LossesContainer, MetricsContainer

    y_pred = Tensor(np.array([[[1.0], [2.0], [5.0]], [[3.0], [7.0], [7.0]]], "float32"))
    y_pred._keras_mask = Tensor(np.array([[True, True, False], [True, False, False]]))
    y_true = np.zeros((2, 3, 1), "float32")
    valid = np.array([1.0, 2.0, 3.0])
    loss = LossesContainer("mse")
    assert np.isclose(float(loss(y_true, y_pred).value), (valid**2).mean())
    metrics = MetricsContainer(["mae"], weighted_metrics=["mse"])
    metrics.update_state(y_true, y_pred, sample_weight=np.array([1.0, 2.0], "float32"))
    got = {m.name: m.result() for m in metrics.metrics}
    assert np.isclose(got["mae"], valid.mean())  # plain metrics: the mask only
    weighted = np.array([1.0, 1.0, 2.0])
    assert np.isclose(got["mse"], (valid**2 * weighted).sum() / weighted.sum())
