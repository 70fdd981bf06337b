"""The cells' base: ``fittrace/layers/rnn/abstract_rnn_cell.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers


def test_initial_states_are_zeros_of_each_state_size():
    h, c = layers.LSTMCell(3).get_initial_state(batch_size=2, dtype="float32")
    assert h.shape == c.shape == (2, 3) and not h.any()
    assert layers.GRUCell(4).get_initial_state(batch_size=1, dtype="float32").shape == (1, 4)


def test_a_cell_steps_once_and_its_config_round_trips():
    cell = layers.SimpleRNNCell(2, name="cell")
    cell.build((None, 3))
    out, (state,) = cell.call(np.ones((1, 3), "float32"), [np.zeros((1, 2), "float32")])
    np.testing.assert_allclose(
        out.value, np.tanh(np.ones((1, 3)) @ cell.kernel.value + cell.bias.value), atol=1e-6
    )
    assert state is out
    assert layers.SimpleRNNCell.from_config(cell.get_config()).get_config() == cell.get_config()
