"""BaseDenseAttention's shared part, through its simplest subclass (unscaled dot-product Attention): masks as
Keras applies them, dropout, the output mask, the argument checks and the refused ``causal``:
``fittrace/layers/attention/base_dense_attention.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(0)
Q, V = R.normal(size=(2, 3, 4)).astype("float32"), R.normal(size=(2, 5, 4)).astype("float32")
Q_MASK = np.array([[1, 1, 0], [1, 1, 1]], bool)
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool)


def test_value_mask_subtracts_1e9_and_query_mask_zeroes_rows():
    out, scores = layers.Attention()([Q, V], mask=[Q_MASK, V_MASK], return_attention_scores=True)
    logits = Q @ V.transpose(0, 2, 1) - 1e9 * ~V_MASK[:, None, :]
    e = np.exp(logits - logits.max(-1, keepdims=True))
    probs = e / e.sum(-1, keepdims=True)
    np.testing.assert_allclose(scores.numpy(), probs, rtol=1e-5, atol=1e-7)
    want = (probs @ V) * Q_MASK[..., None]
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6)
    assert np.all(out.numpy()[0, 2] == 0)


def test_causal_mask():
    _, scores = layers.Attention()([Q, Q], use_causal_mask=True, return_attention_scores=True)
    assert np.all(scores.numpy()[:, np.triu(np.ones((3, 3), bool), 1)] < 1e-7)


def test_dropout_only_in_training():
    layer = layers.Attention(dropout=0.5)
    plain = layer([Q, V]).numpy()
    np.testing.assert_array_equal(layer([Q, V], training=False).numpy(), plain)
    assert not np.allclose(layer([Q, V], training=True).numpy(), plain)


def test_the_output_mask_is_the_query_mask():
    layer = layers.Attention()
    assert layer.supports_masking
    np.testing.assert_array_equal(layer.compute_mask([Q, V], [Q_MASK, V_MASK]), Q_MASK)
    assert layer.compute_mask([Q, V], [None, V_MASK]) is None
    assert layer.compute_mask([Q, V]) is None


def test_functional_call_shapes():
    q, v = layers.Input((3, 4)), layers.Input((None, 4))
    out, scores = layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, None)


def test_messages():
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        layers.Attention()(Q)
    with pytest.raises(ValueError, match="accepts inputs list of length 2 or 3"):
        layers.Attention()([Q, V, V, V])
    with pytest.raises(ValueError, match="mask must be a list, namely"):
        layers.Attention()([Q, V], mask=V_MASK)
    with pytest.raises(ValueError, match="mask must be a list of length 2"):
        layers.Attention()([Q, V], mask=[Q_MASK])
    # Layer.__call__ checks a mask against its input before the layer runs
    with pytest.raises(
        ValueError, match=r"mask of shape \(2, 3\) for an input of shape \(2, 5, 4\)"
    ):
        layers.Attention()([Q, V], mask=[None, np.ones((2, 3), bool)])
    with pytest.raises(NotImplementedError, match="use_causal_mask=True"):
        layers.Attention(causal=True)
