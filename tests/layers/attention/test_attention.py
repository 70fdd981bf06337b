"""Attention: dot and concat scores, the learned scale, the weights it makes, gradients for the inputs and weights,
the config and the score_mode check: ``fittrace/layers/attention/attention.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(0)
Q, V, K = R.normal(size=(2, 3, 4)), R.normal(size=(2, 5, 4)), R.normal(size=(2, 5, 4))
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0]], bool)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_dot_scores_with_a_scale_and_a_key():
    layer = layers.Attention(use_scale=True)
    layer([Q, V, K])
    layer.set_weights([np.array(0.7)])
    out = layer([Q, V, K]).numpy()
    np.testing.assert_allclose(out, softmax(0.7 * Q @ K.transpose(0, 2, 1)) @ V, rtol=1e-4)
    assert [(w.name, w.shape) for w in layer.weights] == [(f"{layer.name}/scale:0", ())]


def test_concat_scores():
    layer = layers.Attention(use_scale=True, score_mode="concat")
    layer([Q, V])
    layer.set_weights([np.array(0.5), np.array(2.0)])
    scores = 2.0 * np.tanh(0.5 * (Q[:, :, None, :] + V[:, None, :, :])).sum(-1)
    np.testing.assert_allclose(layer([Q, V]).numpy(), softmax(scores) @ V, rtol=1e-4, atol=1e-6)
    assert [w.name.split("/")[-1] for w in layer.weights] == ["scale:0", "concat_score_weight:0"]
    assert layers.Attention()([Q, V]) is not None and layers.Attention().weights == []


@pytest.mark.parametrize("kwargs", [{}, {"use_scale": True}, {"score_mode": "concat"}])
def test_gradients_for_inputs_and_weights(gradcheck, kwargs):
    layer = layers.Attention(**kwargs)
    layer([Q, V, K])
    names = [n for n in ("scale", "concat_score_weight") if getattr(layer, n) is not None]
    own = [getattr(layer, n) for n in names]

    def fn(q, v, k, *weights):
        for n, w in zip(names, weights):
            setattr(layer, n, w)
        try:
            return layer([q, v, k], mask=[None, V_MASK])
        finally:
            for n, w in zip(names, own):
                setattr(layer, n, w)

    gradcheck(fn, Q, V, K, *[np.array(1.3) for _ in names])


def test_config_and_score_mode_check():
    config = layers.Attention(use_scale=True, score_mode="concat", dropout=0.1).get_config()
    assert [k for k in config][-3:] == ["dropout", "use_scale", "score_mode"]
    assert layers.Attention.from_config(config).score_mode == "concat"
    with pytest.raises(ValueError, match=r'Acceptable values are: \["dot", "concat"\]'):
        layers.Attention(score_mode="add")
