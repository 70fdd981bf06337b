"""TimeDistributed: one layer on every timestep, masks passed and reduced as Keras's:
``fittrace/layers/rnn/time_distributed.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.keras import Input, Model, layers

R = np.random.default_rng(5)


def test_each_step_gets_the_same_layer():
    dense = layers.Dense(4)
    td = layers.TimeDistributed(dense)
    x = R.normal(size=(2, 5, 3)).astype("float32")
    out = td(x)
    kernel, bias = dense.get_weights()
    assert out.shape == (2, 5, 4)
    np.testing.assert_allclose(out.value, x @ kernel + bias, rtol=1e-5)
    assert dense.get_build_config() == {"input_shape": (2, 3)}
    assert td.weights == dense.weights
    assert td.input_spec.shape == (None, None, 3)


def test_shapes_symbolic_and_computed():
    td = layers.TimeDistributed(layers.Dense(4))
    assert td(Input((7, 3))).shape == (None, 7, 4)
    assert td.compute_output_shape((None, 7, 3)) == (None, 7, 4)
    flat = layers.TimeDistributed(layers.Flatten())
    assert flat(Input((6, 2, 3))).shape == (None, 6, 6)


def test_gradients_match_finite_differences(gradcheck):
    td = layers.TimeDistributed(layers.Dense(3, activation="tanh"))
    x = R.normal(size=(2, 4, 2))
    td(x.astype("float32"))
    gradcheck(lambda t: td(t), x)


class _StepMask(Layer):
    """Takes a mask in call and records it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.seen = None

    def call(self, inputs, mask=None):
        self.seen = mask
        return inputs * 1.0


def test_the_mask_goes_to_the_wrapped_layer_merged_and_comes_out_per_step():
    x = Tensor(R.normal(size=(2, 3, 4)).astype("float32"))
    mask = np.array([[True, False, True], [True, True, False]])
    inner = _StepMask()
    out = layers.TimeDistributed(inner)(x, mask=mask)
    assert np.asarray(inner.seen).tolist() == mask.reshape(6).tolist()
    assert np.asarray(out._keras_mask).tolist() == mask.tolist()
    # a wrapped Dense (no mask argument) still passes the mask on
    x._keras_mask = Tensor(mask)
    assert (
        np.asarray(layers.TimeDistributed(layers.Dense(2))(x)._keras_mask).tolist() == mask.tolist()
    )
    assert layers.TimeDistributed(layers.Dense(2))(Tensor(x.value))._keras_mask is None


def test_a_deeper_mask_is_reduced_to_the_steps_and_a_layer_without_masking_refuses_one():
    td = layers.TimeDistributed(layers.Flatten())
    mask = np.zeros((2, 3, 2, 2), bool)
    mask[0, 1, 1, 0] = True
    with pytest.raises(TypeError, match="does not support masking, but was passed an input_mask"):
        td(np.ones((2, 3, 2, 2), "float32"), mask=mask)
    dense = layers.TimeDistributed(_Dropper())
    assert (
        dense.compute_mask(np.ones((2, 3, 2, 2)), mask).value.tolist()
        == mask.any(-1).any(-1).tolist()
    )


class _Dropper(Layer):
    """Supports masking but drops it."""

    def compute_mask(self, inputs, mask=None):
        return None


def test_masks_flow_through_a_functional_model():
    inp = Input((4,))
    out = layers.TimeDistributed(layers.Dense(1))(layers.Embedding(9, 3, mask_zero=True)(inp))
    assert out._keras_mask.shape == (None, 4)
    ids = np.array([[3, 1, 0, 0], [5, 0, 0, 0]])
    assert np.asarray(Model(inp, out)(ids)._keras_mask).tolist() == (ids != 0).tolist()


def test_argument_checks_and_config():
    with pytest.raises(
        ValueError,
        match=r"^Please initialize `TimeDistributed` layer with a `tf.keras.layers.Layer` instance. Received: 3$",
    ):
        layers.TimeDistributed(3)
    with pytest.raises(ValueError, match=r"with at least 3 dimensions, received: \(2, 3\)$"):
        layers.TimeDistributed(layers.Dense(2))(np.ones((2, 3), "float32"))
    td = layers.TimeDistributed(layers.Dense(2, name="step"), name="td")
    td(np.ones((1, 2, 3), "float32"))
    config = td.get_config()
    assert list(config) == ["name", "trainable", "dtype", "layer"]
    assert config["layer"]["class_name"] == "Dense" and config["layer"]["build_config"] == {
        "input_shape": (1, 3)
    }
    again = layers.TimeDistributed.from_config(config)
    assert again.layer.name == "step" and again.layer.units == 2
