"""LSTM and LSTMCell: ``fittrace/layers/rnn/lstm.py``. The layer's gradients (inputs, kernel, recurrent kernel,
bias, initial states) against finite differences, with a mask, go_backwards and return_sequences; the fused
whole-sequence path against the cell called step by step; Keras's initial weights."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.keras import layers
from fittrace.seeding import set_random_seed

MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)


def _with_weights(layer, kernel, recurrent, bias):
    cell = layer.cell
    cell.kernel, cell.recurrent_kernel, cell.bias = kernel, recurrent, bias


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
def test_gradients_of_every_input_and_weight_match_finite_differences(
    gradcheck, go_backwards, return_sequences, mask
):
    rng = np.random.default_rng(0)
    layer = layers.LSTM(
        3, go_backwards=go_backwards, return_sequences=return_sequences, return_state=True
    )
    layer(np.zeros((2, 4, 2), "float32"))

    def fn(x, k, r, b, h0, c0):
        _with_weights(layer, k, r, b)
        outs = layer.call(x, mask=mask, initial_state=[h0, c0])
        return ops.concat([ops.reshape(o, (2, -1)) for o in outs], axis=1)

    gradcheck(
        fn,
        rng.normal(size=(2, 4, 2)),
        rng.normal(size=(2, 12)) * 0.5,
        rng.normal(size=(3, 12)) * 0.5,
        rng.normal(size=(12,)) * 0.5,
        rng.normal(size=(2, 3)),
        rng.normal(size=(2, 3)),
    )


def test_the_fused_sequence_equals_the_cell_called_step_by_step_with_dropout():
    x = Tensor(np.random.default_rng(1).normal(size=(3, 5, 4)).astype("float32"))
    for implementation in (1, 2):
        layer = layers.RNN(
            layers.LSTMCell(3, dropout=0.3, recurrent_dropout=0.2, implementation=implementation),
            return_sequences=True,
        )
        layer(x)
        set_random_seed(3)
        fused = layer(x, mask=MASK[[0, 1, 1]][:, :4].repeat(2, axis=1)[:, :5], training=True)
        set_random_seed(3)
        layer.cell.reset_dropout_mask()
        layer.cell.reset_recurrent_dropout_mask()
        stepped = layer._step_by_step(
            x, layer.get_initial_state(x), MASK[[0, 1, 1]][:, :4].repeat(2, axis=1)[:, :5], True
        )[0]
        np.testing.assert_allclose(fused.value, stepped.value, rtol=1e-5, atol=1e-6)


def test_an_activation_the_fused_op_lacks_runs_step_by_step_with_the_same_answer():
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype("float32")
    fast, slow = layers.LSTM(2), layers.LSTM(2, activation="softplus")
    fast(x), slow(x)
    slow.set_weights(fast.get_weights())
    assert (
        slow.cell._sequence(
            Tensor(x),
            fast.get_initial_state(Tensor(x)),
            None,
            False,
            False,
            False,
            False,
            False,
            False,
        )
        is None
    )
    assert not np.allclose(fast(x).value, slow(x).value)  # a different activation, the same weights


def test_keras_s_initial_weights_forget_bias_ones_and_an_orthogonal_recurrent_kernel():
    layer = layers.LSTM(4)
    layer(np.zeros((1, 2, 3), "float32"))
    kernel, recurrent, bias = layer.get_weights()
    np.testing.assert_array_equal(bias, [0] * 4 + [1] * 4 + [0] * 8)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(4), atol=1e-5)
    assert kernel.shape == (3, 16) and np.abs(kernel).max() <= np.sqrt(6 / (3 + 16))
    assert layers.LSTM(4, unit_forget_bias=False).get_config()["unit_forget_bias"] is False


def test_recurrent_dropout_switches_to_implementation_1_as_keras():
    assert layers.LSTM(3, recurrent_dropout=0.1).implementation == 1
    assert layers.LSTM(3).implementation == 2
    assert (
        layers.LSTM.from_config({**layers.LSTM(3).get_config(), "implementation": 0}).implementation
        == 1
    )
