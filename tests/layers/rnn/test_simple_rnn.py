"""SimpleRNN and SimpleRNNCell: ``fittrace/layers/rnn/simple_rnn.py``. Gradients against finite differences
(with a mask, go_backwards and the sequence); the fused path against the cell step by step with dropout."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import Tensor
from fittrace.keras import layers
from fittrace.seeding import set_random_seed

MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
def test_gradients_of_every_input_and_weight_match_finite_differences(
    gradcheck, go_backwards, mask
):
    rng = np.random.default_rng(0)
    layer = layers.SimpleRNN(3, go_backwards=go_backwards, return_sequences=True)
    layer(np.zeros((2, 4, 2), "float32"))

    def fn(x, k, r, b, h0):
        cell = layer.cell
        cell.kernel, cell.recurrent_kernel, cell.bias = k, r, b
        return layer.call(x, mask=mask, initial_state=[h0])

    gradcheck(
        fn,
        rng.normal(size=(2, 4, 2)),
        rng.normal(size=(2, 3)),
        rng.normal(size=(3, 3)),
        rng.normal(size=(3,)),
        rng.normal(size=(2, 3)),
    )


def test_the_fused_sequence_equals_the_cell_called_step_by_step_with_dropout():
    x = Tensor(np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32"))
    layer = layers.SimpleRNN(3, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
    layer(x)
    set_random_seed(2)
    fused = layer(x, training=True)
    set_random_seed(2)
    layer.cell.reset_dropout_mask()
    layer.cell.reset_recurrent_dropout_mask()
    stepped = layer._step_by_step(x, layer.get_initial_state(x), None, True)[0]
    np.testing.assert_allclose(fused.value, stepped.value, rtol=1e-5, atol=1e-6)
    assert not np.allclose(fused.value, layer(x).value)  # inference has no dropout


def test_the_input_spec_wants_three_axes_and_then_the_built_feature_size():
    layer = layers.SimpleRNN(2)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layer(np.zeros((2, 3), "float32"))
    layer(np.zeros((2, 5, 3), "float32"))
    layer(np.zeros((4, 7, 3), "float32"))  # any batch and length
    with pytest.raises(
        ValueError, match=r"expected shape=\(None, None, 3\), found shape=\(2, 5, 4\)"
    ):
        layer(np.zeros((2, 5, 4), "float32"))
