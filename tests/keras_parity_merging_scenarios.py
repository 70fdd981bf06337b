"""Scenarios for the merge layers and Lambda, run twice, by real TF-Keras 2 and by fittrace, for
tests/test_keras_parity_merging.py to compare.

    python keras_parity_merging_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_merging_scenarios.py fittrace  # under the test environment
    python keras_parity_merging_scenarios.py fittrace configs.json  # load the Lambda configs TF-Keras wrote

Prints one JSON object: each layer's output for the same inputs (broadcasting, inputs of different ranks, ties)
and the gradients of a weighted sum of it with respect to every input; ``compute_output_shape`` for lists of
shapes with unknown sizes; ``get_config`` as JSON; the messages of the errors Keras raises; Lambda's refusal of
a Python lambda in safe mode, and what a Lambda loaded with safe mode off computes. With a configs file, only what
the Lambdas it holds compute once loaded. Nothing here checks anything: the test does.
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
    from tf_keras.src.saving import serialization_lib

    K = tf  # what the Lambda functions below compute with
else:
    import fittrace.keras as keras
    from fittrace import autodiff as K
    from fittrace.autodiff import GradientTape, Tensor
    from fittrace.keras import layers

R = np.random.default_rng(0)


def normal(*shape: int) -> np.ndarray:
    return R.normal(size=shape).astype("float32")


def small_ints(*shape: int) -> np.ndarray:
    """Values in {0, 1, 2}: Maximum and Minimum meet many ties."""
    return R.integers(0, 3, size=shape).astype("float32")


def weights_for(shape) -> np.ndarray:
    """Fixed weights for the sum whose gradient is compared (they depend only on the output's shape)."""
    return np.random.default_rng(7).normal(size=tuple(shape)).astype("float32")


def as_list(x):
    return np.asarray(x).tolist()


def run(fn, arrays: list) -> dict:
    """The output of ``fn(list of input tensors)`` and the gradients of sum(output * w) for each input."""
    if TF:
        xs = [tf.constant(a) for a in arrays]
        with tf.GradientTape() as tape:
            tape.watch(xs)
            out = fn(xs)
            loss = tf.reduce_sum(out * weights_for(out.shape))
        grads = tape.gradient(loss, xs)
    else:
        xs = [Tensor(a) for a in arrays]
        with GradientTape() as tape:
            tape.watch(xs)
            out = fn(xs)
            loss = K.reduce_sum(K.multiply(out, weights_for(out.shape)))
        grads = tape.gradient(loss, xs)
    return {
        "shape": list(out.shape),
        "output": as_list(out),
        "grads": [None if g is None else as_list(g) for g in grads],
    }


def call(layer):
    return lambda xs: layer(xs)


def call_one(layer):
    return lambda xs: layer(xs[0])


def merges() -> dict:
    zero_row = normal(3, 4)
    zero_row[1] = 0.0
    cases = {
        "Add": (call(layers.Add()), [normal(2, 3), normal(2, 3)]),
        "Add, three inputs": (call(layers.Add()), [normal(2, 3), normal(2, 3), normal(2, 3)]),
        "Add, broadcast": (call(layers.Add()), [normal(2, 3, 4), normal(2, 1, 4)]),
        "Add, ranks 3 and 2": (call(layers.Add()), [normal(2, 3, 1), normal(2, 4)]),
        "Add, ranks 2, 3 and 4": (
            call(layers.Add()),
            [normal(2, 4), normal(2, 3, 1), normal(2, 2, 3, 4)],
        ),
        "Add, one input": (call(layers.Add()), [normal(2, 3)]),
        "Subtract": (call(layers.Subtract()), [normal(2, 3), normal(2, 3)]),
        "Subtract, broadcast": (call(layers.Subtract()), [normal(2, 3), normal(2, 1)]),
        "Subtract, ranks 3 and 2": (call(layers.Subtract()), [normal(2, 3, 4), normal(2, 4)]),
        "Multiply, three inputs": (
            call(layers.Multiply()),
            [normal(2, 3), normal(2, 3), normal(2, 3)],
        ),
        "Multiply, ranks 3 and 2": (call(layers.Multiply()), [normal(2, 3, 1), normal(2, 4)]),
        "Average, three inputs": (
            call(layers.Average()),
            [normal(2, 3), normal(2, 3), normal(2, 3)],
        ),
        "Average, ranks 3 and 2": (call(layers.Average()), [normal(2, 3, 4), normal(2, 4)]),
        "Maximum, ties": (
            call(layers.Maximum()),
            [small_ints(3, 4), small_ints(3, 4), small_ints(3, 4)],
        ),
        "Maximum, broadcast ties": (call(layers.Maximum()), [small_ints(3, 4), small_ints(3, 1)]),
        "Minimum, ties": (
            call(layers.Minimum()),
            [small_ints(3, 4), small_ints(3, 4), small_ints(3, 4)],
        ),
        "Minimum, ranks 3 and 2": (call(layers.Minimum()), [small_ints(2, 3, 1), small_ints(2, 4)]),
        "Concatenate": (call(layers.Concatenate()), [normal(2, 3), normal(2, 4)]),
        "Concatenate, axis 1": (
            call(layers.Concatenate(axis=1)),
            [normal(2, 2, 3), normal(2, 1, 3), normal(2, 3, 3)],
        ),
        "Concatenate, axis 0": (call(layers.Concatenate(axis=0)), [normal(2, 3), normal(1, 3)]),
        "Concatenate, one input": (call(layers.Concatenate()), [normal(2, 3)]),
        "Dot, axes 1": (call(layers.Dot(axes=1)), [normal(2, 3), normal(2, 3)]),
        "Dot, axes (1, 2)": (call(layers.Dot(axes=(1, 2))), [normal(2, 3), normal(2, 4, 3)]),
        "Dot, axes (2, 2)": (call(layers.Dot(axes=(2, 2))), [normal(2, 3, 4), normal(2, 5, 4)]),
        "Dot, axes (2, 1)": (call(layers.Dot(axes=(2, 1))), [normal(2, 3, 4), normal(2, 4, 5)]),
        "Dot, axes (1, 1) of rank 3": (
            call(layers.Dot(axes=(1, 1))),
            [normal(2, 3, 4), normal(2, 3, 5)],
        ),
        "Dot, axes (3, 1) of ranks 4 and 3": (
            call(layers.Dot(axes=(3, 1))),
            [normal(2, 2, 3, 4), normal(2, 4, 5)],
        ),
        "Dot, axes -1, normalize": (
            call(layers.Dot(axes=-1, normalize=True)),
            [normal(2, 3, 4), normal(2, 5, 4)],
        ),
        "Dot, axes 1, normalize": (
            call(layers.Dot(axes=1, normalize=True)),
            [normal(3, 4), normal(3, 4)],
        ),
        "Dot, normalize a zero row": (
            call(layers.Dot(axes=1, normalize=True)),
            [zero_row, normal(3, 4)],
        ),
        "layers.add": (lambda xs: layers.add(xs), [normal(2, 3), normal(2, 1)]),
        "layers.subtract": (lambda xs: layers.subtract(xs), [normal(2, 3), normal(2, 3)]),
        "layers.multiply": (lambda xs: layers.multiply(xs), [normal(2, 3), normal(2, 3)]),
        "layers.average": (lambda xs: layers.average(xs), [normal(2, 3), normal(2, 3)]),
        "layers.maximum": (lambda xs: layers.maximum(xs), [small_ints(2, 3), small_ints(2, 3)]),
        "layers.minimum": (lambda xs: layers.minimum(xs), [small_ints(2, 3), small_ints(2, 3)]),
        "layers.concatenate": (
            lambda xs: layers.concatenate(xs, axis=1),
            [normal(2, 3), normal(2, 2)],
        ),
        "layers.dot": (
            lambda xs: layers.dot(xs, axes=(2, 2), normalize=True),
            [normal(2, 3, 4), normal(2, 2, 4)],
        ),
        "Lambda": (call_one(layers.Lambda(lambda x: x * 2.0 + 1.0)), [normal(2, 3)]),
        "Lambda, arguments": (
            call_one(layers.Lambda(lambda x, k: x * k, arguments={"k": 3.0})),
            [normal(2, 3)],
        ),
        "Lambda, a list input": (
            call(layers.Lambda(lambda xs: xs[0] * xs[1] - xs[0])),
            [normal(2, 3), normal(2, 3)],
        ),
        "Lambda, reduce_sum": (
            call_one(layers.Lambda(lambda x: K.reduce_sum(x, axis=1))),
            [normal(2, 3, 4)],
        ),
    }
    return {name: run(fn, arrays) for name, (fn, arrays) in cases.items()}


def shape_out(shape):
    """A TensorShape (TF-Keras) or a tuple (fittrace) as a list; a structure of them as a list of lists."""
    if hasattr(shape, "as_list"):
        return shape.as_list()
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return list(shape)
    return [shape_out(s) for s in shape]


def output_shapes() -> dict:
    cases = {
        "Add, same": (layers.Add(), [(None, 3), (None, 3)]),
        "Add, ranks": (layers.Add(), [(None, 3, 1), (None, 4)]),
        "Add, one batch size known": (layers.Add(), [(None, 3), (5, 1)]),
        "Add, rank 1": (layers.Add(), [(None, 3), (None,)]),
        "Add, unknown sizes": (layers.Add(), [(None, None, 3), (None, 4, 1)]),
        "Subtract, broadcast": (layers.Subtract(), [(None, 3), (None, 1)]),
        "Maximum, ranks": (layers.Maximum(), [(None, 2, 3), (None, 3)]),
        "Average, three": (layers.Average(), [(None, 3), (None, 1), (None, 3)]),
        "Concatenate": (layers.Concatenate(), [(None, 3), (None, 4)]),
        "Concatenate, axis 1 unknown": (
            layers.Concatenate(axis=1),
            [(None, 3, 2), (None, None, 2)],
        ),
        "Concatenate, axis 1": (layers.Concatenate(axis=1), [(None, 2, 5), (None, 3, 5)]),
        "Dot, axes 1": (layers.Dot(axes=1), [(None, 3), (None, 3)]),
        "Dot, axes (1, 2)": (layers.Dot(axes=(1, 2)), [(None, 3), (None, 4, 3)]),
        "Dot, axes (2, 2)": (layers.Dot(axes=(2, 2)), [(None, 3, 4), (None, 5, 4)]),
        "Dot, axes -1": (layers.Dot(axes=-1), [(None, 3, 4), (None, 5, 4)]),
        "Dot, axes (3, 1)": (layers.Dot(axes=(3, 1)), [(None, 2, 3, 4), (None, 4, 5)]),
        "Lambda, output_shape tuple": (layers.Lambda(lambda x: x, output_shape=(4,)), (None, 3)),
        "Lambda, output_shape tuple, batch known": (
            layers.Lambda(lambda x: x, output_shape=(4,)),
            (5, 3),
        ),
        "Lambda, output_shape callable": (
            layers.Lambda(lambda x: x[:, :2], output_shape=lambda s: (s[0], 2)),
            (None, 3),
        ),
        "Lambda, output_shapes for a list": (
            layers.Lambda(lambda x: x, output_shape=[(4,), (5,)]),
            [(None, 3), (7, 4)],
        ),
        "Lambda, output_shape tuple for a list": (
            layers.Lambda(lambda x: x, output_shape=(4,)),
            [(2, 3), (7, 4)],
        ),
        "Lambda, inferred": (layers.Lambda(lambda x: x * 2.0), (None, 3)),
        "Lambda, inferred slice": (layers.Lambda(lambda x: x[:, :2]), (None, 5)),
        "Lambda, inferred reduce_sum": (
            layers.Lambda(lambda x: K.reduce_sum(x, axis=1)),
            (None, None, 3),
        ),
        "Lambda, inferred reshape": (
            layers.Lambda(lambda x: K.reshape(x, (-1, 6))),
            (None, 2, 3),
        ),
        "Lambda, inferred first sample": (layers.Lambda(lambda x: x[0]), (None, 3)),
        "Lambda, inferred from a list": (
            layers.Lambda(lambda xs: xs[0] + xs[1]),
            [(None, 4, 3), (None, 4, 3)],
        ),
    }
    return {name: shape_out(layer.compute_output_shape(s)) for name, (layer, s) in cases.items()}


def configs() -> dict:
    keras.backend.clear_session()
    scale = 2.0
    made = [
        layers.Add(),
        layers.Add(),
        layers.Subtract(name="minus", trainable=False),
        layers.Multiply(dtype="float64"),
        layers.Average(),
        layers.Maximum(),
        layers.Minimum(),
        layers.Concatenate(),
        layers.Concatenate(axis=1),
        layers.Dot(axes=(1, 2), normalize=True),
        layers.Dot(axes=1),
        layers.Dot(axes=[2, 1]),
        layers.Lambda(lambda x: x * 2.0 + 1.0),
        layers.Lambda(lambda x, k=3: x * k, output_shape=(4,), arguments={"k": 2}),
        layers.Lambda(lambda x: x[:, :2], output_shape=lambda s: (s[0], 2)),
        layers.Lambda(lambda x: x * scale),
        layers.Lambda(abs),
        layers.Lambda(np.square),
        layers.Lambda(lambda x: x, mask=lambda inputs, mask: mask),
    ]
    return {layer.name: json.dumps(layer.get_config()) for layer in made}


def error(fn) -> str:
    try:
        fn()
    except Exception as exc:  # the message is what is compared
        text = str(exc)
        if text.startswith("Exception encountered when calling layer"):
            # TF-Keras wraps an error raised inside call() in a preamble and the call's arguments; the middle
            # paragraph is the error itself
            text = text.split("\n\n")[1]
        return f"{type(exc).__name__}: {text}"
    return "no error"


def errors() -> dict:
    a, b, c = np.ones((2, 3), "float32"), np.ones((2, 4), "float32"), np.ones((2, 3, 4), "float32")
    lambda_config = layers.Lambda(lambda x: x).get_config()
    return {
        "merge called on one tensor": error(lambda: layers.Add()(a)),
        "merge called on an empty list": error(lambda: layers.Add()([])),
        "merge of incompatible shapes": error(lambda: layers.Add()([a, b])),
        "merge of different batch sizes": error(
            lambda: layers.Multiply()([a, np.ones((3, 3), "float32")])
        ),
        "merge compute_output_shape, incompatible": error(
            lambda: layers.Add().compute_output_shape([(None, 3), (None, 4)])
        ),
        "Maximum called on one tensor": error(lambda: layers.Maximum()(a)),
        "Subtract of three inputs": error(lambda: layers.Subtract()([a, a, a])),
        "Subtract of one input": error(lambda: layers.Subtract()([a])),
        "Concatenate of different ranks": error(lambda: layers.Concatenate()([a, c])),
        "Concatenate of mismatched shapes": error(
            lambda: layers.Concatenate(axis=1)([c, np.ones((2, 3, 5), "float32")])
        ),
        "Concatenate called on one tensor": error(lambda: layers.Concatenate()(a)),
        "Concatenate of an empty list": error(lambda: layers.Concatenate()([])),
        "Concatenate compute_output_shape of one shape": error(
            lambda: layers.Concatenate().compute_output_shape((None, 3))
        ),
        "Dot axes of a wrong type": error(lambda: layers.Dot(axes="a")),
        "Dot axes of three": error(lambda: layers.Dot(axes=(1, 2, 3))),
        "Dot axes not integers": error(lambda: layers.Dot(axes=(1, "b"))),
        "Dot of three inputs": error(lambda: layers.Dot(axes=1)([a, a, a])),
        "Dot of incompatible sizes": error(lambda: layers.Dot(axes=1)([a, b])),
        "Dot called on one tensor": error(lambda: layers.Dot(axes=1)(a)),
        "Dot compute_output_shape of one shape": error(
            lambda: layers.Dot(axes=1).compute_output_shape([(None, 3)])
        ),
        "Dot over the batch axis": error(lambda: layers.Dot(axes=0)([a, a])),
        "Dot of rank 1 inputs": error(
            lambda: layers.Dot(axes=0)([np.ones(3, "float32"), np.ones(3, "float32")])
        ),
        "Lambda shape not inferable": error(
            lambda: layers.Lambda(lambda x: len(None)).compute_output_shape((None, 3))
        ),
        "Lambda mask not serializable": error(
            lambda: layers.Lambda(lambda x: x, mask=5).get_config()
        ),
        "Lambda unknown function_type": error(
            lambda: layers.Lambda.from_config({**lambda_config, "function_type": "bytecode"})
        ),
        "Lambda named function not found": error(
            lambda: layers.Lambda.from_config(
                {**lambda_config, "function": "no_such_fn", "function_type": "function"}
            )
        ),
    }


def lambdas_to_load() -> list:
    scale = 2.0
    return [
        layers.Lambda(lambda x: x * 2.0 + 1.0, name="affine"),
        layers.Lambda(lambda x, k=3.0: x * k, name="defaults"),
        layers.Lambda(lambda x: x * scale, name="closure"),
        layers.Lambda(lambda x: K.reduce_sum(x, axis=1), name="module_global"),
        layers.Lambda(lambda x, k: x - k, arguments={"k": 0.5}, name="arguments"),
    ]


X = np.arange(6, dtype="float32").reshape(2, 3) - 2.0


def load_unsafely(config: dict):
    """A Lambda from its config with safe mode off (on TF-Keras, as its loader does)."""
    if TF:
        wrapped = {"module": "keras.layers", "class_name": "Lambda", "config": config}
        return serialization_lib.deserialize_keras_object(wrapped, safe_mode=False)
    return layers.Lambda.from_config(config, safe_mode=False)


def safe_mode() -> dict:
    out = {}
    layer = layers.Lambda(lambda x: x * 2.0)
    if TF:
        out["refused"] = error(
            lambda: serialization_lib.deserialize_keras_object(
                serialization_lib.serialize_keras_object(layer)
            )
        )
    else:
        out["refused"] = error(lambda: layers.Lambda.from_config(layer.get_config()))
    out["loaded unsafely"] = {}
    out["configs"] = {}
    for original in lambdas_to_load():
        config = original.get_config()
        loaded = load_unsafely(config)
        out["configs"][original.name] = json.dumps(config)
        again = loaded.get_config()
        out["loaded unsafely"][original.name] = {
            "output": as_list(loaded(X)),
            # marshal may write the same code in other bytes (its back-references), so those are left out
            "config kept": {k: v for k, v in again.items() if k != "function"}
            == {k: v for k, v in config.items() if k != "function"},
            "defaults and closure kept": list(again["function"][1:])
            == list(config["function"][1:]),
        }
    named = layers.Lambda(abs).get_config()
    out["named function from custom_objects"] = as_list(
        layers.Lambda.from_config(named, custom_objects={"abs": abs})(X)
    )
    return out


def load_from(path: str) -> dict:
    """What the Lambdas in the configs file (written by the other side) compute, loaded with safe mode off."""
    with open(path) as f:
        stored = json.load(f)
    return {name: as_list(load_unsafely(json.loads(text))(X)) for name, text in stored.items()}


if __name__ == "__main__":
    if len(sys.argv) > 2:
        print(json.dumps({"loaded": load_from(sys.argv[2])}))
    else:
        out = {
            "merges": merges(),
            "output_shapes": output_shapes(),
            "configs": configs(),
            "errors": errors(),
            "safe_mode": safe_mode(),
        }
        print(json.dumps(out))
