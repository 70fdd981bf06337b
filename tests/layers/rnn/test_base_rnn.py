"""RNN over any cell: ``fittrace/layers/rnn/base_rnn.py``. A cell of the user's runs step by step with the mask
semantics of ``backend.rnn``; initial states as a keyword, in a list or as symbolic inputs; stateful layers;
the output mask; the config of an RNN over a built-in cell."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace.keras as keras
from fittrace import autodiff as ops
from fittrace.keras import layers


class Accumulate(layers.Layer):
    """A cell of the user's: state + inputs (summed over features), output = state."""

    state_size = 1

    def call(self, inputs, states):
        new = ops.add(states[0], ops.reduce_sum(inputs, axis=1, keepdims=True))
        return new, [new]


X = np.arange(2 * 4 * 2, dtype="float32").reshape(2, 4, 2)
MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 0]], bool)


def test_a_user_cell_runs_step_by_step_masked_steps_carrying_state_and_output():
    seq, state = layers.RNN(Accumulate(), return_sequences=True, return_state=True)(X, mask=MASK)
    sums = X.sum(axis=2)
    want0 = np.cumsum(sums[0] * MASK[0])
    np.testing.assert_allclose(seq.value[0, :, 0], want0)
    np.testing.assert_allclose(
        seq.value[1, :, 0], [0, sums[1, 1], sums[1, 1] + sums[1, 2], sums[1, 1] + sums[1, 2]]
    )
    np.testing.assert_allclose(state.value[:, 0], [want0[-1], sums[1, 1] + sums[1, 2]])
    back = layers.RNN(Accumulate(), go_backwards=True)(X)
    np.testing.assert_allclose(back.value[:, 0], sums.sum(axis=1))


def test_initial_states_by_keyword_in_a_list_and_as_symbolic_inputs():
    layer = layers.LSTM(2, return_state=True)
    h0 = np.ones((2, 2), "float32")
    by_keyword = layer(X, initial_state=[h0, h0])
    in_list = layer([X, h0, h0])
    for a, b in zip(by_keyword, in_list):
        np.testing.assert_array_equal(a.value, b.value)
    assert not np.allclose(layer(X)[0].value, by_keyword[0].value)
    x, h, c = keras.Input(shape=(4, 2)), keras.Input(shape=(2,)), keras.Input(shape=(2,))
    model = keras.Model([x, h, c], layers.LSTM(2)(x, initial_state=[h, c]))
    model.layers[-1].set_weights(layer.get_weights())
    np.testing.assert_allclose(
        model.predict([X, h0, h0], verbose=0), by_keyword[0].value, rtol=1e-6
    )


def test_a_stateful_layer_starts_where_it_stopped_until_reset():
    layer = layers.SimpleRNN(2, stateful=True)
    x = X / 40
    first = layer(x).value
    second = layer(x).value
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).value, first, rtol=1e-6)
    layer.reset_states([np.zeros((2, 2), "float32")])
    with pytest.raises(ValueError, match=r"State 0 is incompatible with layer"):
        layer.reset_states([np.zeros((3, 2), "float32")])
    with pytest.raises(AttributeError, match="Layer must be stateful."):
        layers.SimpleRNN(2).reset_states()


def test_the_output_mask_passes_on_with_sequences_only():
    assert layers.LSTM(2, return_sequences=True).compute_mask(X, MASK) is MASK
    assert layers.LSTM(2).compute_mask(X, MASK) is None
    assert layers.GRU(2, return_state=True).compute_mask(X, MASK) == [None, None]


def test_an_rnn_over_a_built_in_cell_round_trips_its_config_and_names_its_weights_under_its_own():
    layer = layers.RNN(layers.GRUCell(3), return_sequences=True, name="rnn")
    layer(X)
    assert [w.name for w in layer.weights][0] == f"rnn/{layer.cell.name}/kernel:0"
    again = layers.RNN.from_config(layer.get_config())
    assert again.get_config()["cell"]["config"]["units"] == 3
    assert again.return_sequences


def test_refusals_say_what_is_not_offered():
    with pytest.raises(NotImplementedError, match="time_major=False"):
        layers.LSTM(2, time_major=True)
    with pytest.raises(NotImplementedError, match="StackedRNNCells"):
        layers.RNN([layers.LSTMCell(2), layers.LSTMCell(2)])
    with pytest.raises(ValueError, match="should have a `state_size` attribute"):
        layers.RNN(layers.Dense(2))
