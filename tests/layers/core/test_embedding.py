"""Embedding: lookups, ids kept integers, the mask of zeros, shapes, config, errors:
``fittrace/layers/core/embedding.py``. TF-Keras's own values are compared in tests/test_keras_parity_masks.py."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import GradientTape, reduce_sum
from fittrace.keras import Input, Sequential, layers


def test_rows_are_looked_up_for_int_and_float_ids():
    layer = layers.Embedding(6, 3)
    ids = np.array([[5, 0, 2]])
    out = layer(ids)
    table = layer.get_weights()[0]
    assert layer.weights[0].name.endswith("embeddings:0") and table.shape == (6, 3)
    assert np.array_equal(out.value, table[ids])
    assert np.array_equal(
        layer(np.array([[5.7, 0.2, 2.9]])).value, table[ids]
    )  # truncated, as tf.cast
    assert -0.05 <= table.min() and table.max() <= 0.05  # "uniform": RandomUniform(-0.05, 0.05)


def test_integer_inputs_reach_the_lookup_as_integers():
    seen = []

    class Spy(layers.Embedding):
        def call(self, inputs):
            seen.append(inputs.dtype)
            return super().call(inputs)

    Spy(10, 2)(np.array([[3, 4]], dtype="int64"))
    model = Sequential([Spy(10, 2)])
    model.compile("sgd", "mse")
    model.fit(np.array([[1, 2], [3, 4]], "int32"), np.zeros((2, 2, 2)), epochs=1, verbose=0)
    assert seen[0] == np.int64 and all(d.kind in "if" for d in seen)


def test_mask_zero_gives_the_mask_of_nonzero_ids():
    plain, masking = layers.Embedding(5, 2), layers.Embedding(5, 2, mask_zero=True)
    assert not plain.supports_masking and masking.supports_masking
    ids = np.array([[3, 1, 0, 0], [2, 0, 0, 0]])
    assert plain(ids)._keras_mask is None
    assert np.asarray(masking(ids)._keras_mask).tolist() == (ids != 0).tolist()
    assert masking.compute_mask(ids).value.dtype == bool
    symbolic = masking(Input((4,)))
    assert symbolic._keras_mask.shape == (None, 4)


def test_gradient_is_a_scatter_add_into_the_table():
    layer = layers.Embedding(4, 2)
    ids = np.array([[1, 1, 3]])
    w = np.arange(6, dtype="float32").reshape(1, 3, 2)
    with GradientTape() as tape:
        loss = reduce_sum(layer(ids) * w)
    (grad,) = tape.gradient(loss, layer.trainable_weights)
    assert grad.tolist() == [[0, 0], [0 + 2, 1 + 3], [0, 0], [4, 5]]


def test_output_shapes_and_input_length():
    assert layers.Embedding(5, 2).compute_output_shape((None, 7)) == (None, 7, 2)
    fixed = layers.Embedding(5, 2, input_length=4)
    assert fixed.compute_output_shape((None, 4)) == (None, 4, 2)
    with pytest.raises(
        ValueError, match=r'^"input_length" is 4, but received input has shape \(None, 7\)$'
    ):
        fixed.compute_output_shape((None, 7))
    # on KerasTensors the lookup decides, as in Keras; a Sequential's input shape holds the length
    assert layers.Embedding(5, 2, input_length=4)(Input((7,))).shape == (None, 7, 2)
    model = Sequential([layers.Embedding(5, 2, input_length=4)])
    with pytest.raises(ValueError, match="expected shape=\\(None, 4\\), found shape=\\(2, 7\\)"):
        model(np.zeros((2, 7), "int32"))


def test_ids_out_of_range_are_refused_plainly():
    layer = layers.Embedding(10, 3, name="words")
    for bad in (12, -1):
        with pytest.raises(ValueError) as info:
            layer(np.array([[1, bad]]))
        text = str(info.value)
        assert f"indices[0,1] = {bad} is not in [0, 10)" in text and "'words'" in text


def test_argument_checks_are_keras():
    with pytest.raises(ValueError, match="^Both `input_dim` and `output_dim` should be positive, "):
        layers.Embedding(0, 3)
    with pytest.raises(NotImplementedError, match="constraints"):
        layers.Embedding(3, 3, embeddings_constraint="non_neg")


def test_config_round_trips():
    layer = layers.Embedding(7, 2, mask_zero=True, input_length=5, embeddings_regularizer="l2")
    config = layer.get_config()
    assert config["batch_input_shape"] == (None, 5) and config["mask_zero"] is True
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    again = layers.Embedding.from_config(config)
    assert again.get_config() == config
