"""Losses: values by hand, Keras 2's logits path, reductions, gradients, and plain errors."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import activations, losses
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor

Z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], "float32")


def test_sparse_cce_by_hand():
    per = losses.sparse_categorical_crossentropy(np.array([2, 0]), Z, from_logits=True).numpy()
    want = [np.log(np.exp(Z[0]).sum()) - 3.0, np.log(np.exp(Z[1]).sum()) - 0.5]
    np.testing.assert_allclose(per, want, rtol=1e-6)
    assert per[0] == pytest.approx(0.40760596, rel=1e-6)


def test_softmax_output_uses_its_logits_not_clipped_probabilities():
    z = np.array([[0.0, 200.0, -200.0]], "float32")  # saturated softmax: p(label 0) underflows
    probs = activations.softmax(Tensor(z))
    via_logits = float(losses.sparse_categorical_crossentropy(np.array([0]), probs).numpy()[0])
    plain = Tensor(probs.numpy())  # same numbers, no logits attached
    via_clip = float(losses.sparse_categorical_crossentropy(np.array([0]), plain).numpy()[0])
    assert via_logits == pytest.approx(200.0, rel=1e-4)
    assert via_clip == pytest.approx(-np.log(1e-7), rel=1e-2)


def test_sum_over_batch_size_divides_by_n_not_by_weights():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    per = losses.sparse_categorical_crossentropy(np.array([2, 0]), Z, from_logits=True).numpy()
    value = float(loss(np.array([2, 0]), Z, sample_weight=np.array([1.0, 0.0])).numpy())
    assert value == pytest.approx(per[0] / 2, rel=1e-6)


@pytest.mark.parametrize(
    "fn,target",
    [
        (lambda t, p: losses.categorical_crossentropy(t, p, from_logits=True), np.eye(3)[[2, 0]]),
        (
            lambda t, p: losses.binary_crossentropy(t, p, from_logits=True),
            np.array([[1, 0, 1], [0, 1, 1.0]]),
        ),
        (losses.mean_squared_error, np.array([[1, 0, 1], [0, 1, 1.0]])),
        (losses.mean_absolute_error, np.array([[1, 0, 1], [0, 1, 1.0]]) + 0.37),
        (
            lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=True),
            np.array([2, 0]),
        ),
    ],
)
def test_loss_gradients(gradcheck, fn, target):
    gradcheck(lambda p: fn(target, p), Z.astype(np.float64))


@pytest.mark.parametrize(
    "act,loss,target",
    [
        ("softmax", losses.sparse_categorical_crossentropy, np.array([2, 0])),
        ("softmax", losses.categorical_crossentropy, np.eye(3)[[2, 0]]),
        ("sigmoid", losses.binary_crossentropy, np.array([[1, 0, 1], [0, 1, 1.0]])),
    ],
)
def test_gradients_through_probability_outputs(gradcheck, act, loss, target):
    f = activations.get(act)
    gradcheck(lambda z: loss(target, f(z)), Z.astype(np.float64))


def test_clip_path_gradient(gradcheck):
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    gradcheck(lambda p: losses.categorical_crossentropy(np.eye(3)[[2, 0]], p), probs, atol=5e-3)


def test_label_out_of_range_is_plain():
    with pytest.raises(
        ValueError, match=r"label value of 10 which is outside the valid range of \[0, 3\)"
    ):
        losses.sparse_categorical_crossentropy(np.array([10, 0]), Z, from_logits=True)


def test_wrong_target_shapes_are_plain():
    with pytest.raises(
        ValueError, match="for integer class labels use sparse_categorical_crossentropy"
    ):
        losses.categorical_crossentropy(np.array([[2], [0]]), Z)
    with pytest.raises(ValueError, match=r"Sparse labels of shape \(3,\) do not match predictions"):
        losses.sparse_categorical_crossentropy(np.array([0, 1, 2]), Z)


def test_get_and_unknown_identifier():
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    with pytest.raises(ValueError, match="Unknown loss function: 'nope'"):
        losses.get("nope")


def test_mse_accepts_rank_1_targets_for_a_single_output():
    value = losses.mean_squared_error(
        np.array([1.0, 2.0]), np.array([[1.5], [2.0]], "float32")
    ).numpy()
    np.testing.assert_allclose(value, [0.25, 0.0])


def test_targets_of_another_size_than_tensor_predictions_get_the_shape_message():
    with pytest.raises(
        ValueError, match=r"must have the same shape, received \(\(2, 3\) vs \(2, 1\)\)"
    ):
        losses.mean_squared_error(np.zeros((2, 1)), Tensor(np.zeros((2, 3), "float32")))


def test_regularizer_values(gradcheck):
    from fittrace import regularizers

    w = np.array([1.0, -2.0], "float32")
    assert float(regularizers.L1(0.1)(w).numpy()) == pytest.approx(0.3)
    assert float(regularizers.L1L2(0.1, 0.01)(w).numpy()) == pytest.approx(0.35)
    gradcheck(lambda x: ops.reshape(regularizers.L2(0.5)(x), (1,)), w.astype(np.float64))


def test_activation_gradients(gradcheck):
    x = np.array([[-1.3, -0.2, 0.4, 2.1]])
    for name in (
        "relu",
        "sigmoid",
        "tanh",
        "softmax",
        "linear",
        "gelu",
        "elu",
        "softplus",
        "swish",
    ):
        gradcheck(activations.get(name), x)
    with pytest.raises(
        ValueError, match="^Unknown activation function 'nope' cannot be deserialized.$"
    ):
        activations.get("nope")


def test_loss_configs_are_keras_and_round_trip():
    scce = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum", name="s")
    assert scce.get_config() == {
        "reduction": "sum",
        "name": "s",
        "from_logits": True,
        "ignore_class": None,
        "fn": "sparse_categorical_crossentropy",
    }
    cce = losses.CategoricalCrossentropy(label_smoothing=0.1)
    assert list(cce.get_config()) == [
        "reduction",
        "name",
        "from_logits",
        "label_smoothing",
        "axis",
        "fn",
    ]
    for loss in (
        scce,
        cce,
        losses.MeanSquaredError(reduction="none"),
        losses.LossFunctionWrapper(losses.mae),
    ):
        back = losses.deserialize(losses.serialize(loss))
        assert type(back) is type(loss) and back.get_config() == loss.get_config()
    assert losses.LossFunctionWrapper(losses.mse).get_config()["name"] is None


def test_label_smoothing_moves_the_targets_as_keras_does():
    z = np.array([[2.0, -1.0, 0.5]], dtype="float32")
    smoothed = losses.categorical_crossentropy(
        np.eye(3)[[0]], z, from_logits=True, label_smoothing=0.3
    )
    by_hand = losses.categorical_crossentropy(np.array([[0.8, 0.1, 0.1]]), z, from_logits=True)
    assert float(smoothed.numpy()[0]) == pytest.approx(float(by_hand.numpy()[0]))
    p = np.array([[0.9]], dtype="float32")
    bce = losses.binary_crossentropy(np.array([[1.0]]), p, label_smoothing=0.2)
    assert float(bce.numpy()[0]) == pytest.approx(
        -(0.9 * np.log(0.9) + 0.1 * np.log(0.1)), rel=1e-5
    )


def test_get_resolves_names_classes_and_configs():
    assert losses.get("MAE") is losses.mean_absolute_error
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    loss = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert loss.get_config()["from_logits"] is True
    with pytest.raises(NotImplementedError, match="ignore_class"):
        losses.SparseCategoricalCrossentropy(ignore_class=0)


# --- the regression and margin losses -------------------------------------------------------------------------------
_T = np.array([[0.0, 1.0, 0.5], [2.0, -1.0, 0.25]], dtype=np.float32)
_P = np.array([[0.3, 0.6, 1.9], [1.1, -0.4, 0.2]], dtype=np.float64)
_ONE_HOT = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32)
_POSITIVE = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], dtype=np.float32)


def _by_hand(name: str, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    e = p - t
    if name == "huber":
        return np.where(np.abs(e) <= 1.0, 0.5 * e**2, np.abs(e) - 0.5).mean(-1)
    if name == "log_cosh":
        return np.log(np.cosh(e)).mean(-1)
    if name == "poisson":
        return (p - t * np.log(p + 1e-7)).mean(-1)
    if name == "kl_divergence":
        tc, pc = np.clip(t, 1e-7, 1), np.clip(p, 1e-7, 1)
        return (tc * np.log(tc / pc)).sum(-1)
    if name == "cosine_similarity":
        return -(t * p).sum(-1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1)
    if name in ("hinge", "squared_hinge"):
        s = 2 * t - 1 if np.all((t == 0) | (t == 1)) else t
        m = np.maximum(1 - s * p, 0)
        return (m if name == "hinge" else m**2).mean(-1)
    if name == "categorical_hinge":
        return np.maximum((p * (1 - t)).max(-1) - (p * t).sum(-1) + 1, 0)
    if name == "mean_absolute_percentage_error":
        return 100 * (np.abs(t - p) / np.maximum(np.abs(t), 1e-7)).mean(-1)
    assert name == "mean_squared_logarithmic_error"
    return ((np.log(np.maximum(p, 1e-7) + 1) - np.log(np.maximum(t, 1e-7) + 1)) ** 2).mean(-1)


_NEW = [
    ("huber", _T, _P),
    ("log_cosh", _T, _P),
    ("poisson", _T, np.abs(_P) + 0.1),
    ("kl_divergence", _POSITIVE, np.abs(_P) / 3 + 0.05),
    ("cosine_similarity", _T, _P),
    ("hinge", _ONE_HOT, _P),
    ("hinge", _T, _P),
    ("squared_hinge", _ONE_HOT, _P),
    ("categorical_hinge", _ONE_HOT, _P),
    ("mean_absolute_percentage_error", _T + 3.0, _P),
    ("mean_squared_logarithmic_error", np.abs(_T), np.abs(_P)),
]


@pytest.mark.parametrize(
    "name,target,pred", _NEW, ids=[f"{n}-{i}" for i, (n, *_) in enumerate(_NEW)]
)
def test_the_regression_and_margin_losses_by_hand_and_their_gradients(
    gradcheck, name, target, pred
):
    fn = losses.get(name)
    got = fn(target, pred.astype(np.float32)).numpy()
    np.testing.assert_allclose(
        got, _by_hand(name, target.astype(np.float64), pred), rtol=1e-5, atol=1e-6
    )
    gradcheck(lambda p: fn(target, p), pred)


def test_the_short_names_are_keras_and_the_classes_reduce_and_configure_as_keras():
    assert losses.get("kld") is losses.get("kl_divergence") is losses.kullback_leibler_divergence
    assert losses.get("logcosh") is losses.log_cosh and losses.get("huber_loss") is losses.huber
    huber = losses.Huber(delta=0.5, reduction="sum")
    assert huber.get_config() == {
        "reduction": "sum",
        "name": "huber_loss",
        "delta": 0.5,
        "fn": "huber",
    }
    sw = np.array([1.0, 3.0], dtype=np.float32)
    per_sample = losses.huber(_T, _P.astype(np.float32), delta=0.5).numpy()
    assert float(huber(_T, _P, sample_weight=sw).numpy()) == pytest.approx(
        float((per_sample * sw).sum())
    )
    for cls in (
        losses.KLDivergence,
        losses.Poisson,
        losses.LogCosh,
        losses.Hinge,
        losses.CosineSimilarity,
    ):
        obj = cls()
        again = losses.deserialize(losses.serialize(obj))
        assert type(again) is cls and again.get_config() == obj.get_config()
    assert losses.CosineSimilarity(axis=0).get_config()["axis"] == 0


def _with_mask(value, mask):
    t = Tensor(np.asarray(value, "float32"))
    t._keras_mask = Tensor(np.asarray(mask, bool))
    return t


def test_a_loss_means_over_the_unmasked_entries_of_a_masked_prediction():
    y_pred = _with_mask([[[1.0], [2.0], [5.0]], [[3.0], [7.0], [7.0]]], [[1, 1, 0], [1, 0, 0]])
    y_true = np.zeros((2, 3, 1), "float32")
    per_step = (np.asarray(y_pred.value)[..., 0]) ** 2
    valid = per_step[[0, 0, 1], [0, 1, 0]]
    mse = losses.MeanSquaredError()
    assert np.isclose(float(mse(y_true, y_pred).value), valid.mean())
    summed = losses.MeanSquaredError(reduction="sum")
    assert np.isclose(float(summed(y_true, y_pred).value), valid.sum())
    weights = np.array([2.0, 1.0], "float32")  # per sample
    expected = (valid * np.array([2.0, 2.0, 1.0])).sum() / 3
    assert np.isclose(float(mse(y_true, y_pred, sample_weight=weights).value), expected)


def test_per_sample_weights_weigh_per_timestep_losses():
    y_pred = Tensor(np.ones((2, 3, 1), "float32"))
    value = losses.MeanSquaredError()(
        np.zeros((2, 3, 1)), y_pred, sample_weight=np.array([1.0, 0.0])
    )
    assert np.isclose(float(value.value), 3 / 6)
