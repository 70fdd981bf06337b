"""MultiHeadAttention: its projections and weight names, the output against the written-out computation, masks
(attention_mask, causal, the inputs' own ``_keras_mask``), other attention axes, dropout, gradients for every input
and weight, the functional call, config and messages: ``fittrace/layers/attention/multi_head_attention.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff import GradientTape, Tensor
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers

R = np.random.default_rng(0)
Q, V, K = R.normal(size=(2, 4, 6)), R.normal(size=(2, 5, 6)), R.normal(size=(2, 5, 3))
MASK = R.random((2, 4, 5)) > 0.4
MASK[..., 0] = True
WEIGHTS = ("query", "key", "value", "attention_output")


class Masked(Tensor):
    """A Tensor with room for a Keras mask (``_keras_mask``), as a masking layer's output carries one."""


def built(**kwargs) -> layers.MultiHeadAttention:
    mha = layers.MultiHeadAttention(**{"num_heads": 2, "key_dim": 3, **kwargs})
    mha(Q.astype("float32"), V.astype("float32"))
    rng = np.random.default_rng(1)
    mha.set_weights([rng.normal(size=w.shape) * 0.5 for w in mha.get_weights()])
    return mha


def written_out(mha, q, v, k=None, mask=None):
    """The attention computed with numpy from the layer's weights, as Keras's equations say."""
    k = v if k is None else k
    w = mha.get_weights()
    qp = np.einsum("abc,cde->abde", q, w[0]) + w[1]
    kp = np.einsum("abc,cde->abde", k, w[2]) + w[3]
    vp = np.einsum("abc,cde->abde", v, w[4]) + w[5]
    logits = np.einsum("aecd,abcd->acbe", kp, qp / np.sqrt(mha._key_dim))
    if mask is not None:
        logits = logits + (1.0 - mask[:, None]) * -1e9
    e = np.exp(logits - logits.max(-1, keepdims=True))
    probs = e / e.sum(-1, keepdims=True)
    out = np.einsum("acbe,aecd->abcd", probs, vp)
    return np.einsum("abcd,cde->abe", out, w[6]) + w[7], probs


def test_projections_have_keras_names_and_shapes():
    clear_session()  # the first MultiHeadAttention of the session is named as Keras names it
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=7)
    assert mha.weights == []
    out = mha(Q.astype("float32"), V.astype("float32"), K.astype("float32"))
    assert out.shape == (2, 4, 7)
    assert [(w.name, w.shape) for w in mha.weights] == [
        ("multi_head_attention/query/kernel:0", (6, 2, 3)),
        ("multi_head_attention/query/bias:0", (2, 3)),
        ("multi_head_attention/key/kernel:0", (3, 2, 3)),
        ("multi_head_attention/key/bias:0", (2, 3)),
        ("multi_head_attention/value/kernel:0", (6, 2, 4)),
        ("multi_head_attention/value/bias:0", (2, 4)),
        ("multi_head_attention/attention_output/kernel:0", (2, 4, 7)),
        ("multi_head_attention/attention_output/bias:0", (7,)),
    ]
    assert mha._query_dense.equation == "abc,cde->abde"
    assert mha._output_dense.equation == "abcd,cde->abe"
    assert mha._attention_axes == (1,)


def test_output_and_scores_match_the_written_out_computation():
    mha = built()
    out, scores = mha(Q.astype("float32"), V.astype("float32"), return_attention_scores=True)
    want_out, want_scores = written_out(mha, Q, V)
    np.testing.assert_allclose(out.numpy(), want_out, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), want_scores, rtol=1e-4, atol=1e-6)


def test_attention_mask_hides_positions():
    mha = built()
    out, scores = mha(Q, V, attention_mask=MASK, return_attention_scores=True)
    want_out, _ = written_out(mha, Q, V, mask=MASK)
    np.testing.assert_allclose(out.numpy(), want_out, rtol=1e-4, atol=1e-5)
    assert np.all(scores.numpy()[np.broadcast_to(~MASK[:, None], scores.shape)] < 1e-6)


def test_causal_mask_is_a_lower_triangle():
    mha = built()
    _, scores = mha(Q, Q, use_causal_mask=True, return_attention_scores=True)
    upper = np.triu(np.ones((4, 4), bool), 1)
    assert np.all(scores.numpy()[..., upper] < 1e-6) and np.all(scores.numpy()[..., ~upper] > 0)


def test_the_inputs_own_masks_are_the_explicit_mask_keras_would_make():
    mha = built()
    q_mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool)
    v_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    q, v = Masked(Q.astype("float32")), Masked(V.astype("float32"))
    q._keras_mask, v._keras_mask = q_mask, v_mask
    implicit = mha(q, v, attention_mask=MASK, use_causal_mask=True, return_attention_scores=True)
    explicit_mask = q_mask[:, :, None] & v_mask[:, None, :] & MASK & np.tri(4, 5, dtype=bool)
    explicit = mha(Q, V, attention_mask=explicit_mask, return_attention_scores=True)
    for a, b in zip(implicit, explicit):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_attention_over_other_axes():
    grid = R.normal(size=(2, 3, 4, 6)).astype("float32")
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=(1, 2))
    out, scores = mha(grid, grid, return_attention_scores=True)
    assert out.shape == (2, 3, 4, 6) and scores.shape == (2, 2, 3, 4, 3, 4)
    np.testing.assert_allclose(scores.numpy().sum(axis=(-1, -2)), 1, rtol=1e-5)
    mha2 = layers.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=2)
    out2, scores2 = mha2(grid, grid, return_attention_scores=True)
    assert mha2._attention_axes == (2,) and scores2.shape == (2, 3, 2, 4, 4)
    # over axis 2 alone, each row of the grid attends within itself: the first row's output ignores the rest
    changed = grid.copy()
    changed[:, 1:] += 1.0
    np.testing.assert_allclose(mha2(changed, changed).numpy()[:, 0], out2.numpy()[:, 0], rtol=1e-5)


def test_dropout_drops_probabilities_only_in_training():
    mha = built(dropout=0.5)
    plain = mha(Q, V).numpy()
    np.testing.assert_array_equal(mha(Q, V, training=False).numpy(), plain)
    assert not np.allclose(mha(Q, V, training=True).numpy(), plain)


WEIGHT_ATTRS = [(name, attr) for name in WEIGHTS for attr in ("kernel", "bias")]


def with_weights(mha, call):
    """``fn(*inputs, *weights)`` for gradcheck: the layer computes with the given weight tensors."""
    dense = {
        n: getattr(mha, f"_{n}_dense" if n != "attention_output" else "_output_dense")
        for n in WEIGHTS
    }

    def fn(*arrays):
        n_in = len(arrays) - len(WEIGHT_ATTRS)
        own = [getattr(dense[n], a) for n, a in WEIGHT_ATTRS]
        for (n, a), w in zip(WEIGHT_ATTRS, arrays[n_in:]):
            setattr(dense[n], a, w)
        try:
            return call(mha, *arrays[:n_in])
        finally:
            for (n, a), w in zip(WEIGHT_ATTRS, own):
                setattr(dense[n], a, w)

    return fn, [w.numpy() for w in mha.weights]


SCORES_DEPEND_ON = [0, 2, 3, 4, 5, 6]  # the query, the key and their projections' weights


@pytest.mark.parametrize(
    "call,which",
    [
        (lambda m, q, v, k: m(q, v, key=k), None),
        (lambda m, q, v, k: m(q, v, key=k, attention_mask=MASK), None),
        (lambda m, q, v, k: m(q, v, key=k, return_attention_scores=True)[1], SCORES_DEPEND_ON),
        (
            lambda m, q, v, k: m(q, v, key=k, attention_mask=MASK, return_attention_scores=True)[1],
            SCORES_DEPEND_ON,
        ),
    ],
    ids=["output", "output, mask", "scores", "scores, mask"],
)
def test_gradients_for_every_input_and_weight(gradcheck, call, which):
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    mha(Q.astype("float32"), V.astype("float32"), K.astype("float32"))
    fn, weights = with_weights(mha, call)
    gradcheck(fn, Q, V, K, *weights, which=which)


def test_causal_gradients(gradcheck):
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    mha(Q.astype("float32"), Q.astype("float32"))
    fn, weights = with_weights(mha, lambda m, q: m(q, q, use_causal_mask=True))
    gradcheck(fn, Q, *weights)


def test_one_record_for_the_attention_itself():
    mha = built()
    q = Tensor(Q.astype("float32"))
    with GradientTape() as tape:
        tape.watch(q)
        ops.reduce_sum(mha(q, q))
    # 4 projections (einsum, bias), 4 transposes, the attention and its scores, the sum
    assert tape.num_ops == 15


def test_functional_call_builds_and_gives_shapes():
    query, value = layers.Input((4, 6)), layers.Input((None, 6))
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=(2, 5))
    out, scores = mha(query, value, return_attention_scores=True)
    assert out.shape == (None, 4, 2, 5) and scores.shape == (None, 2, 4, None)
    assert len(mha.weights) == 8 and mha._query_shape == (None, 4, 6)


def test_config_as_keras_writes_it_and_from_config_builds_the_projections():
    mha = layers.MultiHeadAttention(2, 3, attention_axes=1, kernel_regularizer="l2")
    config = mha.get_config()
    assert config["attention_axes"] == (1,) and config["value_dim"] == 3
    assert config["query_shape"] is None and config["kernel_regularizer"]["class_name"] == "L2"
    mha(Q, V)
    config = mha.get_config()
    assert config["query_shape"] == (2, 4, 6) and config["key_shape"] == (2, 5, 6)
    again = layers.MultiHeadAttention.from_config(config)
    assert again.weights == []  # as Keras: made, not built, until the first call
    out = again(Q, V)
    assert out.shape == (2, 4, 6) and len(again.weights) == 8
    assert mha.losses and len(mha.losses) == 4  # the l2 of the four kernels


def test_messages():
    mha = layers.MultiHeadAttention(2, 3)
    with pytest.raises(
        ValueError, match=r"mask of shape \(2, 1, 4, 4\).*scores' shape \(2, 2, 4, 5\)"
    ):
        mha(Q, V, attention_mask=np.ones((2, 4, 4), bool))
    with pytest.raises(
        ValueError, match="All dimensions of `value` and `key`, except the last one"
    ):
        mha(Q, V, key=np.ones((2, 3, 6), "float32"))
    with pytest.raises(ValueError, match="The last dimension of `query_shape` and `value_shape`"):
        mha.compute_output_shape((None, 4, 6), (None, 5, 3))
    assert mha.compute_output_shape((None, 4, 6), (None, 5, 6)) == (None, 4, 6)
    with pytest.raises(NotImplementedError, match="constraints"):
        layers.MultiHeadAttention(2, 3, kernel_constraint="non_neg")
