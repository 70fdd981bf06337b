"""Conv1D: Keras's shapes, weights, checks and messages, gradients through the layer, a model that learns,
and the im2col path's speed at a classroom size: ``fittrace/layers/convolutional/conv1d.py``.
(The op against a direct loop: tests/autodiff/test_temporal.py; numbers against TF-Keras:
tests/test_keras_parity_convs.py.)"""

from __future__ import annotations

import time

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.keras import layers
from fittrace.keras.models import Sequential

R = np.random.default_rng(0)


def test_shapes_weights_and_alias():
    layer = layers.Convolution1D(8, 5, padding="causal", groups=2)
    assert layer is not None and layers.Convolution1D is layers.Conv1D
    out = layer(R.normal(size=(3, 20, 6)).astype("float32"))
    assert out.shape == (3, 20, 8)
    assert [w.shape for w in layer.weights] == [(5, 3, 8), (8,)]
    assert layer.compute_output_shape((None, None, 6)) == (None, None, 8)
    assert layers.Conv1D(4, 3, strides=2).compute_output_shape((None, 11, 2)) == (None, 5, 4)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(filters=0, kernel_size=3), "Expected a strictly positive value"),
        (dict(filters=4, kernel_size=3, padding="full"), 'one of "valid", "same"'),
        (dict(filters=4, kernel_size=3, strides=0), "cannot contains 0"),
        (dict(filters=4, kernel_size=3, strides=2, dilation_rate=2), "in conjunction with"),
        (dict(filters=5, kernel_size=3, groups=2), "evenly divisible by the number of groups"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Conv1D(**kwargs)


def test_a_kernel_longer_than_the_input_and_a_wrong_rank():
    with pytest.raises(ValueError, match="One of the dimensions in the output is <= 0"):
        layers.Conv1D(4, 3)(np.zeros((2, 2, 3), "float32"))
    with pytest.raises(ValueError, match="expected min_ndim=3, found ndim=2"):
        layers.Conv1D(4, 3)(np.zeros((2, 3), "float32"))
    with pytest.raises(NotImplementedError):
        layers.Conv1D(4, 3, data_format="channels_first")


def test_gradients_through_the_layer(gradcheck):
    layer = layers.Conv1D(3, 3, padding="same", dilation_rate=2, activation="tanh")
    layer.build((None, 7, 2))
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel, R.normal(size=bias.shape).astype("float32")])
    gradcheck(layer.call, R.normal(size=(2, 7, 2)))


def test_a_sequence_model_learns():
    x = R.normal(size=(64, 20, 3)).astype("float32")
    y = (x[:, :, 0].sum(axis=1) > 0).astype("float32")
    model = Sequential(
        [
            layers.Conv1D(8, 3, activation="relu", input_shape=(20, 3)),
            layers.GlobalAveragePooling1D(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_one_classroom_sized_step_is_quick():
    """Batch 128, 150 steps, 64 channels, 64 filters of width 5: im2col and one product, not a loop."""
    layer = layers.Conv1D(64, 5, padding="same")
    x = ops.Tensor(R.normal(size=(128, 150, 64)).astype("float32"))
    layer(x)
    start = time.perf_counter()
    with ops.GradientTape() as tape:
        out = layer(x)
        loss = ops.reduce_sum(out)
    tape.gradient(loss, layer.trainable_weights)
    assert time.perf_counter() - start < 1.5
