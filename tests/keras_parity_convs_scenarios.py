"""Scenarios for the convolutional, pooling and reshaping layers, run twice, by real TF-Keras 2 and by fittrace,
for tests/test_keras_parity_convs.py to compare.

    python keras_parity_convs_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_convs_scenarios.py fittrace  # under the test environment

Prints one JSON object: for each layer and its main options, the output for the same input and weights and the
gradients of a weighted sum of it with respect to the input and every weight; a masked global average; output
shapes; ``get_config`` as JSON; the summary lines of a model; the losses and final weights of two 2-epoch fits
from identical starting weights (a Conv1D text-like model, a Conv2DTranspose/UpSampling model); the messages of
the errors Keras raises; and for the image preprocessing layers, the values of the deterministic ones and of the
random ones given a range that leaves one choice (a rotation by (f, f)...), identity at inference, statistics
of the random draws, configs and errors. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras import layers
else:
    import fittrace.keras as keras
    from fittrace import autodiff as K
    from fittrace.autodiff import GradientTape, Tensor
    from fittrace.keras import layers


def normal(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def as_list(x):
    return np.asarray(x).tolist()


def run(layer, x: np.ndarray, mask=None) -> dict:
    """Build ``layer`` for x, give it fixed weights, and return output and gradients of sum(output * w)."""
    layer.build(x.shape)
    layer.set_weights([normal(10 + i, *w.shape) * 0.5 for i, w in enumerate(layer.get_weights())])
    kwargs = {} if mask is None else {"mask": mask}
    if TF:
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            out = layer(xt, **kwargs)
            w = np.random.default_rng(7).normal(size=tuple(out.shape)).astype("float32")
            loss = tf.reduce_sum(out * w)
        grads = tape.gradient(loss, [xt] + layer.trainable_weights)
    else:
        xt = Tensor(x)
        with GradientTape() as tape:
            tape.watch(xt)
            out = layer(xt, **kwargs)
            w = np.random.default_rng(7).normal(size=tuple(out.shape)).astype("float32")
            loss = K.reduce_sum(K.multiply(out, w))
        grads = tape.gradient(loss, [xt] + layer.trainable_weights)
    return {
        "shape": list(out.shape),
        "output": as_list(out),
        "grads": [None if g is None else as_list(g) for g in grads],
        "weights": [w.name.split("/")[-1].split(":")[0] for w in layer.weights],
    }


def seq(seed: int = 1, n: int = 2, steps: int = 11, c: int = 4) -> np.ndarray:
    return normal(seed, n, steps, c)


def img(seed: int = 2, n: int = 2, h: int = 6, w: int = 5, c: int = 3) -> np.ndarray:
    return normal(seed, n, h, w, c)


def layer_cases() -> dict:
    mask = np.array([[1] * 7 + [0] * 4, [1] * 11], dtype=bool)
    cases = {
        "Conv1D": (layers.Conv1D(5, 3), seq()),
        "Conv1D same strides 2": (layers.Conv1D(5, 4, strides=2, padding="same"), seq()),
        "Conv1D causal dilation 2": (layers.Conv1D(3, 3, padding="causal", dilation_rate=2), seq()),
        "Conv1D same dilation 3": (layers.Conv1D(3, 2, padding="same", dilation_rate=3), seq()),
        "Conv1D groups 2 relu": (layers.Conv1D(6, 3, groups=2, activation="relu"), seq()),
        "Conv1D no bias strides 3": (layers.Conv1D(4, 2, strides=3, use_bias=False), seq()),
        "SeparableConv2D": (layers.SeparableConv2D(4, 3), img()),
        "SeparableConv2D same strides 2 multiplier 2": (
            layers.SeparableConv2D(4, (3, 2), strides=2, padding="same", depth_multiplier=2),
            img(),
        ),
        "Conv2DTranspose": (layers.Conv2DTranspose(4, 3), img()),
        "Conv2DTranspose same strides 2": (
            layers.Conv2DTranspose(4, 3, strides=2, padding="same"),
            img(),
        ),
        "Conv2DTranspose valid strides 2 output_padding 1": (
            layers.Conv2DTranspose(2, (3, 2), strides=2, output_padding=1),
            img(),
        ),
        "Conv2DTranspose same strides (3, 2) output_padding (2, 1) kernel 4": (
            layers.Conv2DTranspose(3, 4, strides=(3, 2), padding="same", output_padding=(2, 1)),
            img(),
        ),
        "Conv2DTranspose same kernel 2 tanh": (
            layers.Conv2DTranspose(3, 2, padding="same", activation="tanh"),
            img(),
        ),
        "MaxPooling1D": (layers.MaxPooling1D(), seq()),
        "MaxPooling1D 3 strides 2 same": (layers.MaxPool1D(3, strides=2, padding="same"), seq()),
        "MaxPooling1D channels_first": (
            layers.MaxPooling1D(2, data_format="channels_first"),
            seq(),
        ),
        "AveragePooling1D": (layers.AveragePooling1D(3), seq()),
        "AveragePooling1D same 4 strides 3": (
            layers.AvgPool1D(4, strides=3, padding="same"),
            seq(),
        ),
        "GlobalAveragePooling1D": (layers.GlobalAveragePooling1D(), seq()),
        "GlobalAveragePooling1D keepdims": (layers.GlobalAvgPool1D(keepdims=True), seq()),
        "GlobalAveragePooling1D channels_first": (
            layers.GlobalAveragePooling1D(data_format="channels_first"),
            seq(),
        ),
        "GlobalMaxPooling1D": (layers.GlobalMaxPooling1D(), seq()),
        "GlobalMaxPooling1D keepdims channels_first": (
            layers.GlobalMaxPool1D(keepdims=True, data_format="channels_first"),
            seq(),
        ),
        "UpSampling1D": (layers.UpSampling1D(3), seq()),
        "UpSampling2D": (layers.UpSampling2D(), img()),
        "UpSampling2D (2, 3)": (layers.UpSampling2D((2, 3)), img()),
        "UpSampling2D bilinear": (layers.UpSampling2D(interpolation="bilinear"), img()),
        "UpSampling2D bilinear (3, 2)": (
            layers.UpSampling2D((3, 2), interpolation="bilinear"),
            img(),
        ),
        "UpSampling2D channels_first bilinear": (
            layers.UpSampling2D(data_format="channels_first", interpolation="bilinear"),
            img(),
        ),
        "ZeroPadding1D": (layers.ZeroPadding1D((2, 1)), seq()),
        "ZeroPadding2D": (layers.ZeroPadding2D(), img()),
        "ZeroPadding2D pairs": (layers.ZeroPadding2D(((1, 0), (2, 3))), img()),
        "ZeroPadding2D channels_first": (
            layers.ZeroPadding2D((1, 2), data_format="channels_first"),
            img(),
        ),
        "Cropping1D": (layers.Cropping1D((2, 3)), seq()),
        "Cropping2D": (layers.Cropping2D(1), img()),
        "Cropping2D pairs": (layers.Cropping2D(((1, 0), (0, 2))), img()),
        "Cropping2D channels_first": (
            layers.Cropping2D(((0, 1), (1, 1)), data_format="channels_first"),
            img(),
        ),
    }
    out = {name: run(layer, x) for name, (layer, x) in cases.items()}
    out["GlobalAveragePooling1D masked"] = run(layers.GlobalAveragePooling1D(), seq(), mask=mask)
    out["GlobalAveragePooling1D masked keepdims"] = run(
        layers.GlobalAveragePooling1D(keepdims=True), seq(), mask=mask
    )
    return out


def shapes() -> dict:
    made = {
        "Conv1D causal": (layers.Conv1D(8, 5, padding="causal"), (None, 100, 16)),
        "Conv1D strides 2": (layers.Conv1D(8, 5, strides=2), (None, None, 16)),
        "Conv1D dilation 4": (layers.Conv1D(8, 3, dilation_rate=4), (None, 50, 16)),
        "SeparableConv2D": (layers.SeparableConv2D(8, 3, strides=2), (None, 28, 28, 3)),
        "Conv2DTranspose same": (
            layers.Conv2DTranspose(8, 3, strides=2, padding="same"),
            (None, 7, 7, 16),
        ),
        "Conv2DTranspose valid": (layers.Conv2DTranspose(8, 5, strides=3), (None, 7, None, 16)),
        "Conv2DTranspose output_padding": (
            layers.Conv2DTranspose(8, 4, strides=2, padding="same", output_padding=1),
            (None, 7, 7, 16),
        ),
        "MaxPooling1D": (layers.MaxPooling1D(3), (None, 100, 16)),
        "AveragePooling1D same": (layers.AveragePooling1D(3, padding="same"), (None, 100, 16)),
        "GlobalMaxPooling1D keepdims": (layers.GlobalMaxPooling1D(keepdims=True), (None, 10, 4)),
        "GlobalAveragePooling1D channels_first": (
            layers.GlobalAveragePooling1D(data_format="channels_first"),
            (None, 10, 4),
        ),
        "UpSampling1D": (layers.UpSampling1D(4), (None, 5, 3)),
        "UpSampling2D": (layers.UpSampling2D((2, 3)), (None, 5, None, 3)),
        "ZeroPadding1D": (layers.ZeroPadding1D(3), (None, 5, 3)),
        "ZeroPadding2D": (layers.ZeroPadding2D(((1, 2), (3, 4))), (None, 5, 6, 3)),
        "Cropping1D": (layers.Cropping1D(1), (None, 5, 3)),
        "Cropping2D": (layers.Cropping2D(((1, 2), (0, 1))), (None, 5, 6, 3)),
    }
    return {name: list(layer.compute_output_shape(shape)) for name, (layer, shape) in made.items()}


def configs() -> dict:
    made = [
        layers.Conv1D(16, 5, strides=1, padding="causal", dilation_rate=2, activation="relu"),
        layers.Convolution1D(8, 3, groups=2, use_bias=False, kernel_regularizer="l2"),
        layers.SeparableConv2D(8, 3, depth_multiplier=2, padding="same"),
        layers.SeparableConvolution2D(4, (3, 2), strides=2, pointwise_regularizer="l1"),
        layers.Conv2DTranspose(8, 3, strides=2, padding="same"),
        layers.Convolution2DTranspose(4, 3, strides=(2, 3), output_padding=(1, 2)),
        layers.MaxPooling1D(3, strides=2, padding="same"),
        layers.MaxPool1D(),
        layers.AveragePooling1D(4, data_format="channels_first"),
        layers.AvgPool1D(),
        layers.GlobalAveragePooling1D(keepdims=True),
        layers.GlobalAvgPool1D(data_format="channels_first"),
        layers.GlobalMaxPooling1D(),
        layers.GlobalMaxPool1D(keepdims=True),
        layers.UpSampling1D(3),
        layers.UpSampling2D((2, 3), interpolation="bilinear"),
        layers.ZeroPadding1D((1, 2)),
        layers.ZeroPadding2D(((1, 2), (3, 4))),
        layers.ZeroPadding2D(2),
        layers.Cropping1D(2),
        layers.Cropping2D(((1, 2), (3, 4))),
        layers.Cropping2D((1, 2), data_format="channels_first"),
    ]
    return {
        f"{type(layer).__name__} {i}": json.dumps(layer.get_config())
        for i, layer in enumerate(made)
    }


def error(fn) -> str:
    try:
        fn()
    except Exception as exc:  # the message is what is compared
        text = str(exc)
        if text.startswith("Exception encountered when calling layer"):
            text = text.split("\n\n")[1]
        return f"{type(exc).__name__}: {text}"
    return "no error"


def errors() -> dict:
    z = np.zeros
    return {
        "Conv1D kernel longer than a 1-step input": error(
            lambda: layers.Conv1D(4, 3)(z((2, 1, 3), "float32"))
        ),
        "Conv1D kernel longer than a symbolic 1-step input": error(
            lambda: layers.Conv1D(4, 3)(keras.Input((1, 3)))
        ),
        "Conv1D on a 2-D input": error(lambda: layers.Conv1D(4, 3)(z((2, 3), "float32"))),
        "Conv1D bad padding": error(lambda: layers.Conv1D(4, 3, padding="full")),
        "Conv1D zero strides": error(lambda: layers.Conv1D(4, 3, strides=0)),
        "Conv1D zero kernel": error(lambda: layers.Conv1D(4, 0)),
        "Conv1D zero filters": error(lambda: layers.Conv1D(0, 3)),
        "Conv1D strides and dilation": error(
            lambda: layers.Conv1D(4, 3, strides=2, dilation_rate=2)
        ),
        "Conv1D filters not divisible by groups": error(lambda: layers.Conv1D(5, 3, groups=2)),
        "Conv1D channels not divisible by groups": error(
            lambda: layers.Conv1D(4, 3, groups=2)(z((2, 5, 3), "float32"))
        ),
        "Conv1D wrong channels after build": error(
            lambda: (lambda c: (c(z((1, 5, 3), "float32")), c(z((1, 5, 4), "float32"))))(
                layers.Conv1D(2, 3)
            )
        ),
        "SeparableConv2D causal": error(lambda: layers.SeparableConv2D(4, 3, padding="causal")),
        "SeparableConv2D on a 3-D input": error(
            lambda: layers.SeparableConv2D(4, 3)(z((2, 5, 3), "float32"))
        ),
        "Conv2DTranspose causal": error(lambda: layers.Conv2DTranspose(4, 3, padding="causal")),
        "Conv2DTranspose output_padding not below strides": error(
            lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)
        ),
        "Conv2DTranspose on a 3-D input": error(
            lambda: layers.Conv2DTranspose(4, 3)(z((2, 5, 3), "float32"))
        ),
        "MaxPooling1D on a 2-D input": error(lambda: layers.MaxPooling1D(3)(z((2, 2), "float32"))),
        "GlobalAveragePooling1D bad data_format": error(
            lambda: layers.GlobalAveragePooling1D(data_format="nchw")
        ),
        "GlobalAveragePooling1D zero steps": error(
            lambda: layers.GlobalAveragePooling1D()(keras.Input((0, 3)))
        ),
        "UpSampling2D unknown interpolation": error(
            lambda: layers.UpSampling2D(interpolation="cubic")
        ),
        "UpSampling2D three sizes": error(lambda: layers.UpSampling2D(size=(2, 2, 2))),
        "UpSampling1D on a 4-D input": error(
            lambda: layers.UpSampling1D(2)(z((1, 4, 4, 1), "float32"))
        ),
        "ZeroPadding2D three pairs": error(lambda: layers.ZeroPadding2D(((1, 1), (1, 1), (1, 1)))),
        "ZeroPadding2D a string": error(lambda: layers.ZeroPadding2D("a")),
        "ZeroPadding2D a float": error(lambda: layers.ZeroPadding2D(1.5)),
        "ZeroPadding2D a bad pair": error(lambda: layers.ZeroPadding2D(((1, 2, 3), (1, 1)))),
        "Cropping2D a float": error(lambda: layers.Cropping2D(1.5)),
        "Cropping2D all rows": error(
            lambda: layers.Cropping2D(((2, 2), (0, 0)))(z((1, 4, 4, 1), "float32"))
        ),
        "Cropping2D all rows, symbolic": error(
            lambda: layers.Cropping2D(((2, 2), (0, 0)))(keras.Input((4, 4, 1)))
        ),
        "Cropping1D all steps, symbolic": error(lambda: layers.Cropping1D(3)(keras.Input((6, 2)))),
        "Cropping1D all steps": error(lambda: layers.Cropping1D((2, 2))(z((1, 4, 1), "float32"))),
        "Cropping2D on a 3-D input": error(lambda: layers.Cropping2D(1)(z((1, 4, 4), "float32"))),
    }


def summary_lines() -> list[str]:
    model = keras.Sequential(
        [
            keras.Input((40, 8)),
            layers.Conv1D(16, 5, padding="causal", activation="relu"),
            layers.MaxPooling1D(2),
            layers.Conv1D(8, 3, dilation_rate=2),
            layers.GlobalAveragePooling1D(),
            layers.Dense(1),
        ],
        name="text",
    )
    images = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            layers.ZeroPadding2D(1),
            layers.SeparableConv2D(4, 3, strides=2),
            layers.Conv2DTranspose(4, 3, strides=2, padding="same"),
            layers.UpSampling2D(),
            layers.Cropping2D(2),
            layers.Flatten(),
        ],
        name="images",
    )
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    images.summary(print_fn=lines.append)
    return lines


def fit(model, x, y, loss: str) -> dict:
    model.set_weights([normal(30 + i, *w.shape) * 0.3 for i, w in enumerate(model.get_weights())])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=loss)
    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return {
        "loss": [float(v) for v in history.history["loss"]],
        "weights": [as_list(w) for w in model.get_weights()],
        "predict": as_list(model.predict(x[:4], verbose=0)),
    }


def fits() -> dict:
    rng = np.random.default_rng(3)
    text_x = rng.normal(size=(64, 30, 6)).astype("float32")
    text_y = (text_x[:, :10, 0].mean(axis=1) > 0).astype("float32")[:, None]
    text = keras.Sequential(
        [
            keras.Input((30, 6)),
            layers.Conv1D(8, 5, padding="causal", activation="relu"),
            layers.MaxPooling1D(2),
            layers.Conv1D(8, 3, dilation_rate=2, activation="relu"),
            layers.AveragePooling1D(2, padding="same"),
            layers.Conv1D(4, 3, strides=2, padding="same", groups=2),
            layers.GlobalMaxPooling1D(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    img_x = rng.normal(size=(32, 8, 8, 1)).astype("float32")
    img_y = np.tanh(img_x)
    auto = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.SeparableConv2D(4, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
            layers.ZeroPadding2D(1),
            layers.UpSampling2D(interpolation="bilinear"),
            layers.Cropping2D(2),
            layers.Conv2D(1, 3, strides=2, padding="same"),
        ]
    )
    return {
        "text": fit(text, text_x, text_y, "binary_crossentropy"),
        "autoencoder": fit(auto, img_x, img_y, "mse"),
    }


def images() -> dict:
    """The image preprocessing layers: deterministic values exactly, the random ones by their statistics."""
    rng = np.random.default_rng(5)
    pics = rng.uniform(0, 255, size=(3, 7, 9, 2)).astype("float32")
    ints = rng.integers(0, 256, size=(2, 5, 4, 3)).astype("uint8")
    out = {
        "Rescaling 1/255 of uint8": as_list(layers.Rescaling(1 / 255)(ints)),
        "Rescaling 1/127.5 - 1": as_list(layers.Rescaling(1 / 127.5, offset=-1)(pics)),
        "Rescaling per channel": as_list(layers.Rescaling([0.5, 2.0], offset=[1, 0])(pics)),
        "CenterCrop odd": as_list(layers.CenterCrop(4, 4)(pics)),
        "CenterCrop unbatched": as_list(layers.CenterCrop(3, 8)(pics[0])),
        "CenterCrop larger than the image": as_list(layers.CenterCrop(10, 12)(pics)),
    }
    for h, w in ((4, 5), (14, 4), (11, 13)):
        for method in ("bilinear", "nearest"):
            for crop in (False, True):
                name = f"Resizing {h}x{w} {method}{' crop' if crop else ''}"
                out[name] = as_list(layers.Resizing(h, w, method, crop_to_aspect_ratio=crop)(pics))
    out["Resizing unbatched"] = as_list(layers.Resizing(3, 4)(pics[0]))
    fills = [
        ("reflect", "bilinear", 0.0),
        ("wrap", "bilinear", 0.0),
        ("constant", "bilinear", 17.0),
        ("nearest", "nearest", 0.0),
        ("reflect", "nearest", 0.0),
        ("constant", "nearest", 0.0),
    ]
    for f in (0.1, -0.3, 0.25, 0.6):
        for mode, interp, value in fills:
            layer = layers.RandomRotation(
                (f, f), fill_mode=mode, interpolation=interp, fill_value=value
            )
            out[f"RandomRotation {f} {mode} {interp}"] = as_list(layer(pics, training=True))
    for hf, wf in ((0.3, None), (-0.4, None), (0.5, -0.25), (-0.2, 0.7)):
        for mode, interp, value in fills:
            layer = layers.RandomZoom(
                (hf, hf),
                None if wf is None else (wf, wf),
                fill_mode=mode,
                interpolation=interp,
                fill_value=value,
            )
            out[f"RandomZoom {hf} {wf} {mode} {interp}"] = as_list(layer(pics, training=True))
    for hf, wf in ((0.2, 0.0), (-0.3, 0.45), (0.9, -0.9)):
        for mode, interp, value in fills[:4]:
            layer = layers.RandomTranslation(
                (hf, hf), (wf, wf), fill_mode=mode, interpolation=interp, fill_value=value
            )
            out[f"RandomTranslation {hf} {wf} {mode} {interp}"] = as_list(
                layer(pics, training=True)
            )
    random_layers = [
        layers.RandomFlip(),
        layers.RandomRotation(0.2),
        layers.RandomZoom(0.3),
        layers.RandomTranslation(0.2, 0.2),
        layers.RandomContrast(0.5),
    ]
    out["identity at inference"] = [
        bool(np.array_equal(np.asarray(layer(pics, training=False)), pics))
        for layer in random_layers
    ]
    model = keras.Sequential([keras.Input((7, 9, 2))] + random_layers)
    out["identity in predict"] = bool(np.allclose(model.predict(pics, verbose=0), pics, atol=1e-4))
    out["a plain call augments"] = [
        not np.array_equal(np.asarray(layer(pics)), pics) for layer in random_layers
    ]
    return out


def image_statistics() -> dict:
    """What the random layers do over many draws (the draws themselves differ between the two sides)."""
    grid = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    batch = np.repeat(grid, 400, axis=0)
    stats = {}
    for mode in ("horizontal", "vertical", "horizontal_and_vertical"):
        flipped = np.asarray(layers.RandomFlip(mode, seed=1)(batch, training=True))
        lr = (flipped == grid[:, :, ::-1]).all(axis=(1, 2, 3))
        ud = (flipped == grid[:, ::-1]).all(axis=(1, 2, 3))
        both = (flipped == grid[:, ::-1, ::-1]).all(axis=(1, 2, 3))
        same = (flipped == grid).all(axis=(1, 2, 3))
        stats[f"RandomFlip {mode}"] = [float(v.mean()) for v in (same, lr, ud, both)]
    pics = np.random.default_rng(6).uniform(60, 190, size=(1, 6, 6, 3)).astype("float32")
    layer = layers.RandomContrast((0.3, 0.6), seed=2)
    ratios = []
    for _ in range(300):
        out = np.asarray(layer(pics, training=True))
        ratios.append(float(out.std() / pics.std()))
    stats["RandomContrast factors"] = [min(ratios), max(ratios), float(np.mean(ratios))]
    dot = np.zeros((200, 9, 9, 1), "float32")
    dot[:, 4, 8] = 1.0  # a point on the right edge: where it lands tells the angle
    turned = np.asarray(
        layers.RandomRotation((0.0, 0.25), fill_mode="constant", seed=3)(dot, training=True)
    )
    rows, cols = np.indices((9, 9))
    mass = turned[..., 0].sum(axis=(1, 2))
    y = (turned[..., 0] * rows).sum(axis=(1, 2)) / mass
    x = (turned[..., 0] * cols).sum(axis=(1, 2)) / mass
    angles = np.degrees(np.arctan2(4 - y, x - 4))
    stats["RandomRotation angles"] = [
        float(angles.min()),
        float(angles.max()),
        float(angles.mean()),
    ]
    return stats


def image_configs() -> dict:
    made = [
        layers.Rescaling(1 / 255),
        layers.Rescaling(2.0, offset=-1.0),
        layers.Resizing(64, 32, interpolation="nearest", crop_to_aspect_ratio=True),
        layers.CenterCrop(20, 30),
        layers.RandomFlip("horizontal", seed=4),
        layers.RandomTranslation((-0.1, 0.2), 0.3, fill_mode="constant", fill_value=1.0),
        layers.RandomRotation((-0.2, 0.3), fill_mode="wrap", interpolation="nearest", seed=3),
        layers.RandomZoom(0.2, (-0.1, 0.3), fill_mode="nearest"),
        layers.RandomZoom((-0.3, -0.1)),
        layers.RandomContrast((0.1, 0.2), seed=9),
        layers.RandomContrast(0.5),
    ]
    return {
        f"{type(layer).__name__} {i}": json.dumps(layer.get_config())
        for i, layer in enumerate(made)
    }


def image_errors() -> dict:
    pics = np.zeros((1, 4, 4, 1), "float32")
    return {
        "RandomRotation unknown fill_mode": error(lambda: layers.RandomRotation(0.1, "mirror")),
        "RandomZoom unknown interpolation": error(
            lambda: layers.RandomZoom(0.1, interpolation="bicubic")
        ),
        "RandomFlip unknown mode": error(lambda: layers.RandomFlip("diagonal", name="flip")),
        "RandomRotation upper below lower": error(lambda: layers.RandomRotation((0.3, 0.1))),
        "RandomZoom height beyond 1": error(lambda: layers.RandomZoom(1.5)),
        "RandomZoom width below -1": error(lambda: layers.RandomZoom(0.1, (-1.5, 0.2))),
        "RandomTranslation height upper below lower": error(
            lambda: layers.RandomTranslation((0.3, 0.1), 0.1)
        ),
        "RandomTranslation width beyond 1": error(lambda: layers.RandomTranslation(0.1, 1.2)),
        "RandomContrast negative": error(lambda: layers.RandomContrast(-0.1)),
        "RandomContrast above 1": error(lambda: layers.RandomContrast((1.2, 0.1))),
        "RandomContrast zero in training": error(
            lambda: layers.RandomContrast(0.0)(pics, training=True)
        ),
        "Resizing unknown interpolation": error(lambda: layers.Resizing(2, 2, "cubic")),
    }


def main() -> None:
    if TF:
        tf.random.set_seed(0)
    result = {
        "layers": layer_cases(),
        "shapes": shapes(),
        "configs": configs(),
        "errors": errors(),
        "summary": summary_lines(),
        "fits": fits(),
        "images": images(),
        "image_statistics": image_statistics(),
        "image_configs": image_configs(),
        "image_errors": image_errors(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
