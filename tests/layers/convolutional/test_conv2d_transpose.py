"""Conv2DTranspose: Keras's output sizes (output_padding too), kernel layout, checks and messages, and that it
undoes a strided Conv2D's shape in an autoencoder: ``fittrace/layers/convolutional/conv2d_transpose.py``.
(The op: tests/autodiff/test_transposed.py; numbers against TF-Keras: tests/test_keras_parity_convs.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers
from fittrace.keras.models import Sequential

R = np.random.default_rng(0)


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        (dict(strides=2, padding="same"), (None, 14, 10, 4)),
        (dict(strides=2), (None, 15, 11, 4)),
        (dict(strides=2, output_padding=1), (None, 16, 12, 4)),
        (dict(), (None, 9, 7, 4)),
    ],
)
def test_output_shapes(kwargs, shape):
    layer = layers.Conv2DTranspose(4, 3, **kwargs)
    assert layer.compute_output_shape((None, 7, 5, 2)) == shape
    assert layer(R.normal(size=(1, 7, 5, 2)).astype("float32")).shape == (1,) + shape[1:]
    assert [w.shape for w in layer.weights] == [(3, 3, 4, 2), (4,)]


def test_checks_and_alias():
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    with pytest.raises(ValueError, match="Strides must be greater than output padding"):
        layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="Causal padding is only supported"):
        layers.Conv2DTranspose(4, 3, padding="causal")
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        layers.Conv2DTranspose(4, 3)(np.zeros((2, 5, 3), "float32"))
    assert layers.Conv2DTranspose(2, 3, output_padding=(0, 0)).get_config()["output_padding"] == (
        0,
        0,
    )


def test_gradients_through_the_layer(gradcheck):
    layer = layers.Conv2DTranspose(2, 3, strides=2, padding="same", activation="tanh")
    layer.build((None, 3, 3, 2))
    gradcheck(layer.call, R.normal(size=(1, 3, 3, 2)))


def test_an_autoencoder_gets_its_shape_back_and_learns():
    x = R.normal(size=(32, 8, 8, 1)).astype("float32")
    model = Sequential(
        [
            layers.Conv2D(
                4, 3, strides=2, padding="same", activation="relu", input_shape=(8, 8, 1)
            ),
            layers.Conv2DTranspose(1, 3, strides=2, padding="same"),
        ]
    )
    model.compile("adam", "mse")
    history = model.fit(x, x, epochs=6, batch_size=8, verbose=0)
    assert model.output_shape == (None, 8, 8, 1)
    assert history.history["loss"][-1] < history.history["loss"][0]
