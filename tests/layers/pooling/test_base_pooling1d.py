"""Pooling1D through its two layers: windows of steps against numpy, both data formats, Keras's output shapes,
config order and the refusal of "causal": ``fittrace/layers/pooling/base_pooling1d.py``.
(Numbers against TF-Keras: tests/test_keras_parity_convs.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_max_and_average_of_each_window():
    x = R.normal(size=(2, 9, 3)).astype("float32")
    want_max = x[:, :8].reshape(2, 4, 2, 3).max(axis=2)
    want_mean = x[:, :9].reshape(2, 3, 3, 3).mean(axis=2)
    np.testing.assert_allclose(layers.MaxPooling1D()(x).value, want_max)
    np.testing.assert_allclose(layers.AveragePooling1D(3)(x).value, want_mean, rtol=1e-6)
    first = layers.MaxPool1D(data_format="channels_first")(x.transpose(0, 2, 1)).value
    np.testing.assert_allclose(first, want_max.transpose(0, 2, 1))


def test_same_padding_averages_the_real_steps_only():
    x = np.arange(5, dtype="float32").reshape(1, 5, 1)
    out = layers.AvgPool1D(2, padding="same")(x).value[0, :, 0]
    np.testing.assert_allclose(out, [0.5, 2.5, 4.0])


def test_shapes_config_and_errors():
    assert layers.MaxPooling1D(3, strides=2, padding="same").compute_output_shape(
        (None, 10, 4)
    ) == (
        None,
        5,
        4,
    )
    assert layers.MaxPooling1D(data_format="channels_first").compute_output_shape(
        (None, 4, 10)
    ) == (None, 4, 5)
    assert list(layers.MaxPooling1D().get_config())[-4:] == [
        "strides",
        "pool_size",
        "padding",
        "data_format",
    ]
    with pytest.raises(ValueError, match="Invalid padding: causal"):
        layers.MaxPooling1D(padding="causal")(np.zeros((1, 4, 1), "float32"))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layers.MaxPooling1D()(np.zeros((1, 4), "float32"))


@pytest.mark.parametrize(
    "layer", [layers.MaxPooling1D(3, 2), layers.AveragePooling1D(2, padding="same")]
)
def test_gradients(gradcheck, layer):
    gradcheck(layer.call, R.normal(size=(2, 7, 2)))
