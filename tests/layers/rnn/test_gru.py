"""GRU and GRUCell: ``fittrace/layers/rnn/gru.py``. Gradients against finite differences for both reset_after
forms (with the (2, 3*units) bias of reset_after=True), masks and go_backwards; the fused path against the cell
step by step."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.keras import layers
from fittrace.seeding import set_random_seed

MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
def test_gradients_of_every_input_and_weight_match_finite_differences(
    gradcheck, reset_after, go_backwards, mask
):
    rng = np.random.default_rng(0)
    layer = layers.GRU(3, reset_after=reset_after, go_backwards=go_backwards, return_sequences=True)
    layer(np.zeros((2, 4, 2), "float32"))
    bias_shape = (2, 9) if reset_after else (9,)
    assert layer.cell.bias.shape == bias_shape

    def fn(x, k, r, b, h0):
        cell = layer.cell
        cell.kernel, cell.recurrent_kernel, cell.bias = k, r, b
        return layer.call(x, mask=mask, initial_state=[h0])

    gradcheck(
        fn,
        rng.normal(size=(2, 4, 2)),
        rng.normal(size=(2, 9)) * 0.5,
        rng.normal(size=(3, 9)) * 0.5,
        rng.normal(size=bias_shape) * 0.5,
        rng.normal(size=(2, 3)),
    )


@pytest.mark.parametrize("reset_after", [True, False])
def test_the_fused_sequence_equals_the_cell_called_step_by_step(reset_after):
    x = Tensor(np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32"))
    layer = layers.RNN(
        layers.GRUCell(3, reset_after=reset_after, dropout=0.2, recurrent_dropout=0.3),
        return_state=True,
    )
    layer(x)
    set_random_seed(5)
    fused = layer(x, mask=MASK, training=True)
    set_random_seed(5)
    layer.cell.reset_dropout_mask()
    layer.cell.reset_recurrent_dropout_mask()
    stepped = layer._step_by_step(x, layer.get_initial_state(x), MASK, True)
    for a, b in zip(fused, stepped):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-5, atol=1e-6)


def test_a_gru_without_bias_has_two_weights_and_keras_s_config_keys():
    layer = layers.GRU(2, use_bias=False, name="gru")
    layer(np.zeros((1, 3, 2), "float32"))
    assert [w.name for w in layer.weights] == [
        "gru/gru_cell/kernel:0",
        "gru/gru_cell/recurrent_kernel:0",
    ]
    assert list(layer.get_config())[-2:] == ["implementation", "reset_after"]
    assert ops.to_numpy(layer(np.ones((1, 3, 2), "float32"))).shape == (1, 2)
