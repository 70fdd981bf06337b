"""AdditiveAttention: ``sum(scale * tanh(query + key))`` scores, its scale vector, gradients for the inputs and the
scale, and its config: ``fittrace/layers/attention/additive_attention.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers

R = np.random.default_rng(0)
Q, V = R.normal(size=(2, 3, 4)), R.normal(size=(2, 5, 4))


def test_scores_with_and_without_scale():
    layer = layers.AdditiveAttention()
    layer([Q, V])
    scale = np.array([0.5, -1.0, 2.0, 0.1])
    layer.set_weights([scale])
    scores = (scale * np.tanh(Q[:, :, None, :] + V[:, None, :, :])).sum(-1)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    want = e / e.sum(-1, keepdims=True) @ V
    np.testing.assert_allclose(layer([Q, V]).numpy(), want, rtol=1e-4, atol=1e-6)
    assert [(w.name, w.shape) for w in layer.weights] == [(f"{layer.name}/scale:0", (4,))]
    unscaled = layers.AdditiveAttention(use_scale=False)
    unscaled([Q, V])
    assert unscaled.weights == []


def test_gradients_for_inputs_and_scale(gradcheck):
    layer = layers.AdditiveAttention()
    layer([Q, V])
    own = layer.scale

    def fn(q, v, scale):
        layer.scale = scale
        try:
            return layer([q, v], use_causal_mask=True)
        finally:
            layer.scale = own

    gradcheck(fn, Q, V, R.normal(size=4))


def test_config():
    config = layers.AdditiveAttention(use_scale=False, dropout=0.2).get_config()
    assert config["use_scale"] is False and config["dropout"] == 0.2
    assert layers.AdditiveAttention.from_config(config).get_config() == config
