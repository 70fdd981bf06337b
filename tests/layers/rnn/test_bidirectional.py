"""Bidirectional: ``fittrace/layers/rnn/bidirectional.py``. Forward and backward copies with Keras's names, every
merge mode, the backward sequence put back in time order, gradients through both directions."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

X = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")


def test_the_two_directions_are_copies_named_forward_and_backward_and_merged_by_each_mode():
    outs = {}
    for mode in ("concat", "sum", "mul", "ave", None):
        layer = layers.Bidirectional(
            layers.LSTM(2, name="lstm"), merge_mode=mode, name="bidirectional"
        )
        out = layer(X)
        if mode == "concat":
            assert [w.name for w in layer.weights][::3] == [
                "bidirectional/forward_lstm/lstm_cell/kernel:0",
                "bidirectional/backward_lstm/lstm_cell/kernel:0",
            ]
            weights = layer.get_weights()
        layer.set_weights(weights)
        outs[mode] = layer(X)
    y, y_rev = (t.value for t in outs[None])
    np.testing.assert_allclose(outs["concat"].value, np.concatenate([y, y_rev], axis=-1))
    np.testing.assert_allclose(outs["sum"].value, y + y_rev, rtol=1e-6)
    np.testing.assert_allclose(outs["mul"].value, y * y_rev, rtol=1e-6)
    np.testing.assert_allclose(outs["ave"].value, (y + y_rev) / 2, rtol=1e-6)
    assert out is not None


def test_the_backward_sequence_comes_back_in_time_order():
    layer = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True), merge_mode=None)
    _, backward = layer(X)
    alone = layers.SimpleRNN(2, return_sequences=True, go_backwards=True)
    alone(X)
    alone.set_weights(layer.backward_layer.get_weights())
    np.testing.assert_allclose(backward.value, alone(X).value[:, ::-1], rtol=1e-6)


def test_gradients_flow_through_both_directions(gradcheck):
    layer = layers.Bidirectional(layers.GRU(2, return_sequences=True))
    layer(X)
    gradcheck(lambda x: layer(x), X.astype(np.float64))


def test_a_layer_going_the_same_way_as_the_backward_one_is_refused():
    with pytest.raises(ValueError, match="should have different `go_backwards` value"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="Invalid merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
