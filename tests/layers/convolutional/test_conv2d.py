"""Conv2D: the arithmetic against a direct loop, Keras's shapes, parameter counts and messages, a CNN that learns,
and the channel axis Keras adds to images given without it: ``fittrace/layers/convolutional/conv2d.py``.
(Gradients: tests/autodiff/test_conv.py; numbers against TF-Keras: tests/test_keras_parity.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff.conv import conv2d
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.seeding import set_random_seed
from fittrace.tracing.recorder import Recorder

R = np.random.default_rng(0)


def _direct_conv(x, k, strides, padding):
    """Every output position as an explicit sum over its window (TensorFlow's "same" padding)."""
    (n, h, w, _), (kh, kw, _, f) = x.shape, k.shape
    sh, sw = strides
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        ph, pw = max((oh - 1) * sh + kh - h, 0), max((ow - 1) * sw + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = np.einsum(
                "nhwc,hwcf->nf", x[:, i * sh : i * sh + kh, j * sw : j * sw + kw], k
            )
    return out


@pytest.mark.parametrize(
    "strides, padding",
    [((1, 1), "valid"), ((2, 2), "valid"), ((1, 1), "same"), ((2, 3), "same"), ((3, 1), "valid")],
)
def test_conv2d_is_the_sum_over_each_window(strides, padding):
    x, k = (
        R.normal(size=(2, 8, 7, 3)).astype("float32"),
        R.normal(size=(3, 2, 3, 5)).astype("float32"),
    )
    np.testing.assert_allclose(
        conv2d(x, k, strides, padding).value,
        _direct_conv(x, k, strides, padding),
        rtol=1e-5,
        atol=1e-5,
    )


def test_shapes_parameter_counts_and_weight_names_are_keras():
    m = Sequential(
        [
            layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
            layers.MaxPooling2D(),
            layers.Conv2D(64, (3, 3), strides=2, padding="same"),
            layers.MaxPool2D(pool_size=3, strides=1),
            layers.Flatten(),
            layers.Dense(10),
        ]
    )
    shape, shapes = (None, 28, 28, 1), []
    for lay in m.layers[:4]:  # each layer's output shape is the next one's input
        shape = tuple(lay.compute_output_shape(shape))
        shapes.append(shape)
    assert shapes == [
        (None, 26, 26, 32),
        (None, 13, 13, 32),
        (None, 7, 7, 64),
        (None, 5, 5, 64),
    ]
    assert m.output_shape == (None, 10)
    assert [w.shape for w in m.get_weights()][:4] == [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,)]
    assert sum(w.size for w in m.get_weights()) == 320 + 18496 + 16010  # as summary() counts them
    first = m.layers[0].name
    assert [w.name for w in m.layers[0].weights] == [f"{first}/kernel:0", f"{first}/bias:0"]


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: layers.Conv2D(0, 3),
            "Invalid value for argument `filters`. Expected a strictly positive value.",
        ),
        (
            lambda: layers.Conv2D(4, (3, 0)),
            "The `kernel_size` argument must be a tuple of 2 integers. Received: (3, 0) "
            "including {0} that does not satisfy the requirement `> 0`.",
        ),
        (
            lambda: layers.Conv2D(4, 3, padding="full"),
            'The `padding` argument must be a list/tuple or one of "valid"',
        ),
        (
            lambda: layers.MaxPooling2D(pool_size=(2, 2, 2)),
            "The `pool_size` argument must be a tuple of 2 integers.",
        ),
    ],
)
def test_bad_arguments_get_keras_messages(make, message):
    with pytest.raises(ValueError) as err:
        make()
    assert message in str(err.value)


def test_unsupported_options_are_refused_plainly():
    with pytest.raises(ValueError, match="takes 4-D inputs .* received shape \\(2, 1, 5, 5, 1\\)"):
        layers.Conv2D(2, 3)(np.zeros((2, 1, 5, 5, 1), "float32"))
    with pytest.raises(NotImplementedError, match="channels_last"):
        layers.Conv2D(4, 3, data_format="channels_first")
    with pytest.raises(NotImplementedError, match="dilation_rate=1"):
        layers.Conv2D(4, 3, dilation_rate=2)


def test_images_without_their_channel_axis():
    x = R.random((4, 9, 9)).astype("float32")
    with_shape = Sequential([layers.Conv2D(2, 3, input_shape=(9, 9, 1)), layers.Flatten()])
    out = with_shape.predict(x, verbose=0)  # Keras adds the axis of size 1
    np.testing.assert_allclose(out, with_shape.predict(x[..., None], verbose=0), rtol=1e-6)
    with pytest.raises(
        ValueError,
        match=r'Input 0 of layer "conv2d_\d+" is incompatible with the layer: expected '
        r"min_ndim=4, found ndim=3. Full shape received: \(None, 9, 9\)",
    ):
        Sequential([layers.Conv2D(2, 3)]).predict(
            x, verbose=0
        )  # no input shape: nothing to conform to


def test_an_input_too_small_for_the_kernel():
    with pytest.raises(
        ValueError, match="One of the dimensions in the output is <= 0 due to downsampling"
    ):
        Sequential([layers.Conv2D(2, 5)]).build((None, 3, 3, 1))
    with pytest.raises(
        ValueError, match="One of the dimensions in the output is <= 0 due to downsampling"
    ):
        layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), "float32"))


def test_a_small_cnn_learns_where_the_bright_square_is():
    set_random_seed(0)
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 512)
    x = rng.normal(0, 0.1, (512, 8, 8, 1)).astype("float32")
    for i, label in enumerate(y):  # a bright 3x3 square in one quadrant
        r, c = divmod(int(label), 2)
        x[i, r * 4 : r * 4 + 3, c * 4 : c * 4 + 3, 0] += 1.0
    m = Sequential(
        [
            layers.Conv2D(4, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(4, activation="softmax"),
        ]
    )
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert h.history["accuracy"][-1] > 0.95 and h.history["loss"][-1] < h.history["loss"][0] / 3


def test_traced_layer_calls_carry_image_shapes_and_weights_their_kernel_shape():
    x = R.random((6, 9, 9, 1)).astype("float32")
    m = Sequential([layers.Conv2D(2, 3), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)])
    m.compile(optimizer="sgd", loss="mse")
    rec = Recorder("full").start()
    try:
        m.fit(x, np.zeros((6, 2)), epochs=1, batch_size=6, verbose=0)
    finally:
        rec.stop()
    shapes = {
        e.data["layer_class"]: e.data["output_shape"] for e in rec.events if e.kind == "layer_call"
    }
    assert shapes["Conv2D"] == [6, 7, 7, 2] and shapes["MaxPooling2D"] == [6, 3, 3, 2]
    made = {e.data["name"]: e.data["shape"] for e in rec.events if e.kind == "weight_created"}
    assert any(name.endswith("kernel:0") and shape == [3, 3, 1, 2] for name, shape in made.items())


def test_conv2d_config_is_keras():
    config = layers.Conv2D(
        8, 3, strides=2, padding="same", activation="relu", name="c"
    ).get_config()
    assert (config["kernel_size"], config["strides"], config["dilation_rate"]) == (
        (3, 3),
        (2, 2),
        (1, 1),
    )
    assert (config["data_format"], config["groups"], config["activation"]) == (
        "channels_last",
        1,
        "relu",
    )
    assert config["bias_initializer"]["class_name"] == "Zeros"
    assert layers.Conv2D.from_config(config).get_config() == config
