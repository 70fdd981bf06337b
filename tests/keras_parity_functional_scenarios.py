"""Scenarios for the functional API, run twice, by real TF-Keras 2 and by fittrace, for
tests/test_keras_parity_functional.py to compare.

    python keras_parity_functional_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_functional_scenarios.py fittrace  # under the test environment

Prints one JSON object. For each model (a chain, a branch and merge, several inputs and outputs, a shared layer, a
Sequential and a functional model nested in another model, a Sequential with an explicit Input, a deferred
Sequential after fit): its summary lines, its layers' names, input and output names and shapes, each layer's
output shape and number of inbound nodes, the order of its weights' names, and its outputs from weights both sides
draw alike; for the single-output ones, ten training steps with SGD and with Adam from those weights (several
inputs given as a list and as a dict). Then the messages of the errors Keras raises while building and calling a
graph, and the repr and str of KerasTensors. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tf_keras as keras
    from tf_keras import layers, optimizers
else:
    import fittrace.keras as keras
    from fittrace.keras import layers, optimizers

R = np.random.default_rng(0)
X8 = R.normal(size=(40, 8)).astype("float32")
X4 = R.normal(size=(40, 4)).astype("float32")
Y3 = R.integers(0, 3, 40)
Y1 = R.normal(size=(40, 1)).astype("float32")


def fresh() -> None:
    """Layer names count from zero again, so both sides name the same layers alike."""
    keras.backend.clear_session()


def same_weights(model) -> list[np.ndarray]:
    """Weights that depend only on the shapes and the order of ``model.weights``."""
    rng = np.random.default_rng(42)
    return [rng.normal(0, 0.4, tuple(w.shape)).astype("float32") for w in model.weights]


def summary_lines(model) -> list[str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.summary()
    return buf.getvalue().splitlines()


def jsonable(x):
    if isinstance(x, tuple):
        return [jsonable(i) for i in x]
    if isinstance(x, list):
        return [jsonable(i) for i in x]
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    return x


def attr(fn):
    """What ``fn()`` returns, or the error it raises (type and message)."""
    try:
        return {"value": jsonable(fn())}
    except Exception as exc:  # the error is the answer
        return {"error": type(exc).__name__, "message": str(exc)}


def as_list(x) -> list:
    if isinstance(x, dict):
        return {k: np.asarray(v).tolist() for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [np.asarray(v).tolist() for v in x]
    return np.asarray(x).tolist()


def describe(model) -> dict:
    """The graph's facts: names, shapes, nodes, weight order and the summary."""
    return {
        "summary": summary_lines(model),
        "layers": [layer.name for layer in model.layers],
        "layer types": [type(layer).__name__ for layer in model.layers],
        "input_names": attr(lambda: list(model.input_names)),
        "output_names": attr(lambda: list(model.output_names)),
        "input_shape": attr(lambda: model.input_shape),
        "output_shape": attr(lambda: model.output_shape),
        "layer output_shape": {
            layer.name: attr(lambda lay=layer: lay.output_shape) for layer in model.layers
        },
        "layer input_shape": {
            layer.name: attr(lambda lay=layer: lay.input_shape) for layer in model.layers
        },
        "inbound nodes": {layer.name: len(layer._inbound_nodes) for layer in model.layers},
        "outbound nodes": {layer.name: len(layer._outbound_nodes) for layer in model.layers},
        "weights": [w.name for w in model.weights],
        "inputs": [list(t.shape) for t in model.inputs],
        "outputs": [list(t.shape) for t in model.outputs],
    }


# --- the models -----------------------------------------------------------------------------------------------------
def chain():
    x = keras.Input((8,))
    h = layers.Dense(6, activation="relu")(x)
    return keras.Model(x, layers.Dense(3, activation="softmax")(h))


def branch_merge():
    x = keras.Input((8,))
    a = layers.Dense(6, activation="tanh")(x)
    b = layers.Dense(6)(x)
    s = layers.Add()([a, b])
    c = layers.Concatenate()([s, x])
    return keras.Model(x, layers.Dense(3, activation="softmax")(c), name="branchy")


def multi_io():
    a = keras.Input((8,), name="a")
    b = keras.Input((4,), name="b")
    h = layers.Concatenate()([layers.Dense(5, activation="relu")(a), b])
    cls = layers.Dense(3, activation="softmax", name="cls")(h)
    reg = layers.Dense(1, name="reg")(h)
    return keras.Model([a, b], [cls, reg])


def two_inputs():
    a = keras.Input((8,), name="a")
    b = keras.Input((4,), name="b")
    h = layers.Concatenate()([layers.Dense(5, activation="relu")(a), b])
    return keras.Model([a, b], layers.Dense(3, activation="softmax")(h))


def shared():
    a = keras.Input((8,), name="left")
    b = keras.Input((8,), name="right")
    d = layers.Dense(4, activation="relu", name="shared")
    s = layers.Concatenate()([d(a), d(b)])
    return keras.Model([a, b], layers.Dense(3, activation="softmax")(s))


def nested():
    seq = keras.Sequential([layers.Dense(6, activation="relu"), layers.Dense(5)], name="stack")
    i = keras.Input((5,))
    inner = keras.Model(i, layers.Dense(3, activation="softmax")(layers.Dense(4)(i)), name="inner")
    x = keras.Input((8,))
    return keras.Model(x, inner(seq(x)), name="outer")


def sequential_input():
    return keras.Sequential(
        [
            keras.Input((8,)),
            layers.Dense(6, activation="relu"),
            layers.Dense(3, activation="softmax"),
        ]
    )


def sequential_deferred():
    m = keras.Sequential(
        [layers.Dense(6, activation="relu"), layers.Dense(3, activation="softmax")]
    )
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    m.fit(X8, Y3, batch_size=8, epochs=1, verbose=0, shuffle=False)
    return m


def called_twice():
    i = keras.Input((4,))
    inner = keras.Model(i, layers.Dense(3, activation="relu")(i), name="encoder")
    a = keras.Input((4,), name="first")
    b = keras.Input((4,), name="second")
    both = layers.Concatenate()([inner(a), inner(b)])
    return keras.Model([a, b], layers.Dense(2)(both), name="siamese")


def two_models_one_layer():
    """A Dense used by two models: its nodes count both."""
    d = layers.Dense(3, name="common")
    a = keras.Input((4,), name="a")
    keras.Model(a, d(a), name="first")
    b = keras.Input((4,), name="b")
    return keras.Model(b, layers.Dense(2)(d(b)), name="second")


def sequential_relaxed():
    """A deferred Sequential called directly on 2 rows, then 3: the graph is built again for (None, 8)."""
    m = keras.Sequential([layers.Dense(6, activation="relu"), layers.Dense(3)])
    m(X8[:2])
    m(X8[:3])
    return m


def dict_inputs():
    a = keras.Input((8,), name="zeta")
    b = keras.Input((4,), name="alpha")
    h = layers.Concatenate()([layers.Dense(5)(a), b])
    return keras.Model({"z": a, "a": b}, layers.Dense(3, activation="softmax")(h))


def dict_outputs():
    a = keras.Input((8,))
    h = layers.Dense(5, activation="relu")(a)
    return keras.Model(
        a, {"score": layers.Dense(1, name="s")(h), "class": layers.Dense(3, name="c")(h)}
    )


MODELS = {
    "chain": (chain, X8),
    "branch+merge": (branch_merge, X8),
    "multi-io": (multi_io, [X8, X4]),
    "two inputs": (two_inputs, [X8, X4]),
    "shared": (shared, [X8, X8[::-1].copy()]),
    "nested": (nested, X8),
    "sequential, explicit input": (sequential_input, X8),
    "sequential, deferred after fit": (sequential_deferred, X8),
    "a model called twice": (called_twice, [X4, X4[::-1].copy()]),
    "a layer in two models": (two_models_one_layer, X4),
    "sequential, relaxed": (sequential_relaxed, X8),
    "dict inputs": (dict_inputs, {"z": X8, "a": X4}),
    "dict outputs": (dict_outputs, X8),
}


def models() -> dict:
    out = {}
    for name, (make, x) in MODELS.items():
        fresh()
        m = make()
        facts = describe(m)
        m.set_weights(same_weights(m))
        facts["call"] = as_list(m(x))
        if len(m.outputs) == 1:  # several outputs' predict is another piece of work
            facts["predict"] = as_list(m.predict(x, verbose=0))
        if name == "nested":
            facts["inner layers"] = {
                layer.name: describe(layer) for layer in m.layers if hasattr(layer, "layers")
            }
        out[name] = facts
    return out


TRAINING = {
    "chain": (chain, X8),
    "branch+merge": (branch_merge, X8),
    "two inputs, list": (two_inputs, [X8, X4]),
    "two inputs, dict": (two_inputs, {"a": X8, "b": X4}),
    "shared": (shared, [X8, X8[::-1].copy()]),
    "nested": (nested, X8),
    "sequential, explicit input": (sequential_input, X8),
}


def training() -> dict:
    out = {}
    for name, (make, x) in TRAINING.items():
        for opt in ("sgd", "adam"):
            fresh()
            m = make()
            m.set_weights(same_weights(m))
            optimizer = optimizers.SGD(0.1) if opt == "sgd" else optimizers.Adam(0.01)
            m.compile(
                optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"]
            )
            h = m.fit(x, Y3, batch_size=4, epochs=1, steps_per_epoch=None, shuffle=False, verbose=0)
            out[f"{name}, {opt}"] = {
                "history": {k: [float(v) for v in vs] for k, vs in h.history.items()},
                "weights": [w.tolist() for w in m.get_weights()],
                "evaluate": [float(v) for v in m.evaluate(x, Y3, verbose=0)],
            }
    return out


# --- errors ---------------------------------------------------------------------------------------------------------
def error(fn) -> dict:
    fresh()
    try:
        fn()
    except Exception as exc:  # the error is the answer
        return {"type": type(exc).__name__, "message": str(exc)}
    return {"type": None, "message": None}


def disconnected():
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    out = layers.Dense(2, name="head")(layers.Add(name="sum")([a, b]))
    keras.Model(a, out)


def disconnected_deeper():
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    h = layers.Dense(3, name="first")(a)
    g = layers.Dense(3, name="second")(b)
    out = layers.Dense(2, name="head")(layers.Concatenate(name="cat")([h, g]))
    keras.Model(a, out)


def unreachable_input():
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    h = layers.Dense(4, name="hidden")(a)
    keras.Model(h, layers.Dense(2, name="head")(layers.Add(name="sum")([h, b])))


def unvisited_input():
    a = keras.Input((4,), name="a")
    h = layers.Dense(4, name="used")(a)
    g = layers.Dense(4, name="unused")(a)
    keras.Model([h, g], layers.Dense(2, name="head")(h))


def numpy_input():
    a = keras.Input((4,))
    keras.Model(np.zeros((2, 4), "float32"), layers.Dense(2)(a))


def numpy_output():
    a = keras.Input((4,))
    keras.Model(a, np.zeros((2, 4), "float32"))


def same_input_twice():
    a = keras.Input((4,), name="a")
    keras.Model([a, a], layers.Dense(2)(a))


def duplicate_names():
    a = keras.Input((4,))
    h = layers.Dense(3, name="dup")(a)
    keras.Model(a, layers.Dense(2, name="dup")(h))


def chain_model(name_a="a"):
    a = keras.Input((4,), name=name_a)
    return keras.Model(a, layers.Dense(2, name="head")(layers.Dense(3, name="hidden")(a)))


def two_input_model():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    return keras.Model([a, b], layers.Dense(2)(layers.Concatenate()([a, b])))


def wrong_feature_size():
    chain_model()(np.zeros((2, 5), "float32"))


def wrong_rank():
    chain_model()(np.zeros((2, 4, 2), "float32"))


def wrong_feature_size_predict():
    chain_model().predict(np.zeros((2, 5), "float32"), verbose=0)


def wrong_feature_size_symbolic():
    chain_model()(keras.Input((5,)))


def one_input_for_two():
    two_input_model()(np.zeros((2, 4), "float32"))


def three_inputs_for_two():
    z = np.zeros((2, 4), "float32")
    two_input_model()([z, z[:, :3], z])


def dict_model_by_layer_names():
    dict_inputs()({"zeta": X8, "alpha": X4})


def dict_missing_key():
    two_input_model()({"a": np.zeros((2, 4), "float32")})


class TwoOutputs(layers.Layer):
    def call(self, inputs):
        return [inputs, inputs]

    def compute_output_shape(self, input_shape):
        return [input_shape, input_shape]


def sequential_two_outputs_explicit():
    keras.Sequential([keras.Input((4,)), TwoOutputs()])


def sequential_two_outputs_add():
    m = keras.Sequential([keras.Input((4,))])
    m.add(TwoOutputs())


def sequential_two_outputs_deferred():
    keras.Sequential([layers.Dense(4), TwoOutputs()])(np.ones((3, 4), "float32"))


def nested_sequential_wrong_shape():
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="inner_dense")], name="inner")
    inner(keras.Input((5,)))


def nested_functional_wrong_shape():
    a = keras.Input((8,))
    outer = keras.Model(a, chain_model()(layers.Dense(5, name="five")(a)))
    outer(np.zeros((2, 8), "float32"))


class Picky(layers.Layer):
    """Works on 3 rows only: it fails on the symbolic input a deferred Sequential builds its graph on."""

    def call(self, inputs):
        if inputs.shape[0] != 3:
            raise ValueError("needs 3 rows")
        return inputs * 2


class FailsOnce(layers.Layer):
    """Fails on its first call, which a deferred Sequential makes on the symbolic input of its graph."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        if self.calls == 1:
            raise ValueError("not on a symbolic input")
        return inputs * 2


def legacy_build():
    keras.Sequential([layers.Dense(4, name="a"), Picky(name="p"), layers.Dense(2, name="b")]).build(
        (None, 4)
    )


def get_layer_no_name():
    chain_model().get_layer("nope")


def get_layer_bad_index():
    chain_model().get_layer(index=7)


def get_layer_both():
    chain_model().get_layer("head", 1)


def get_layer_neither():
    chain_model().get_layer()


def sequential_duplicate_names():
    keras.Sequential([layers.Dense(2, name="x"), layers.Dense(2, name="x")])


def sequential_add_not_a_layer():
    keras.Sequential().add("dense")


def call_dense_on_wrong_symbolic():
    a = keras.Input((4,))
    d = layers.Dense(2)
    d(a)
    d(keras.Input((5,)))


ERRORS = {
    "graph disconnected": disconnected,
    "graph disconnected, deeper": disconnected_deeper,
    "an input the outputs reach that is not given": unreachable_input,
    "an intermediate input the outputs do not use": unvisited_input,
    "numpy array as input": numpy_input,
    "numpy array as output": numpy_output,
    "the same input twice": same_input_twice,
    "duplicate layer names": duplicate_names,
    "wrong feature size": wrong_feature_size,
    "wrong rank": wrong_rank,
    "wrong feature size, predict": wrong_feature_size_predict,
    "wrong feature size, symbolic": wrong_feature_size_symbolic,
    "one input for two": one_input_for_two,
    "three inputs for two": three_inputs_for_two,
    "dict missing a key": dict_missing_key,
    "a dict-input model given its layers' names": dict_model_by_layer_names,
    "Sequential, two outputs, explicit input": sequential_two_outputs_explicit,
    "Sequential, two outputs, add": sequential_two_outputs_add,
    "Sequential, two outputs, deferred": sequential_two_outputs_deferred,
    "a nested Sequential on a wider input": nested_sequential_wrong_shape,
    "a model inside a model that cannot take its input": nested_functional_wrong_shape,
    "build of a Sequential whose layer fails symbolically": legacy_build,
    "get_layer, unknown name": get_layer_no_name,
    "get_layer, bad index": get_layer_bad_index,
    "get_layer, name and index": get_layer_both,
    "get_layer, neither": get_layer_neither,
    "Sequential, duplicate names": sequential_duplicate_names,
    "Sequential.add, not a layer": sequential_add_not_a_layer,
    "a built Dense on a wider input": call_dense_on_wrong_symbolic,
}


def legacy() -> dict:
    """A deferred Sequential whose second layer fails on the symbolic input: Keras calls the layers one by one,
    and the node the first layer made while the graph was tried stays."""
    fresh()
    m = keras.Sequential(
        [layers.Dense(4, name="a"), FailsOnce(name="p"), layers.Dense(2, name="b")]
    )
    x3 = X4[:3]
    first = m(x3)
    m.set_weights(same_weights(m))
    out = {
        "inbound nodes": [len(layer._inbound_nodes) for layer in m.layers],
        "built": m.built,
        "weights": [w.name for w in m.weights],
        "summary": summary_lines(m),
        "first shape": list(first.shape),
        "call": as_list(m(x3)),
        "input_shape": attr(lambda: m.input_shape),
    }
    fresh()
    m = keras.Sequential(
        [layers.Dense(4, name="a"), FailsOnce(name="p"), layers.Dense(2, name="b")]
    )
    m.compile(optimizer="sgd", loss="mse")
    m.fit(X4[:6], np.ones((6, 2), "float32"), batch_size=3, verbose=0, shuffle=False)
    out["after fit"] = {
        "inbound nodes": [len(layer._inbound_nodes) for layer in m.layers],
        "summary": summary_lines(m),
    }
    return out


def unbuilt() -> dict:
    """What a Sequential that has seen no data, and a subclassed model, say about their graph."""
    fresh()
    seq = keras.Sequential([layers.Dense(2)])

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)

    sub = Sub()
    names = ("inputs", "outputs", "input_names", "output_names")
    out = {f"Sequential {n}": attr(lambda n=n: getattr(seq, n)) for n in names}
    out.update({f"subclassed {n}": attr(lambda n=n: getattr(sub, n)) for n in names})
    seq.add(layers.Dense(3))
    seq.build((None, 4))
    seq.pop()
    seq.pop()
    out["Sequential emptied inputs"] = attr(lambda: seq.inputs)
    return out


def intermediate_input() -> dict:
    """A model whose input is a layer's output (Keras warns, then builds from that tensor)."""
    fresh()
    a = keras.Input((4,), name="a")
    h = layers.Dense(3, name="hidden")(a)
    out = layers.Dense(2, name="head")(h)
    try:
        m = keras.Model(h, out)
    except Exception as exc:  # the error is the answer
        return {"error": type(exc).__name__, "message": str(exc)}
    m.set_weights(same_weights(m))
    return {
        "layers": [layer.name for layer in m.layers],
        "input_names": list(m.input_names),
        "input_shape": jsonable(m.input_shape),
        "predict": as_list(m.predict(X4[:, :3], verbose=0)),
    }


def tensors() -> dict:
    fresh()
    x = keras.Input((8,), name="pixels")
    y = keras.Input(shape=(3, 2), batch_size=5, dtype="int32")
    h = layers.Dense(4, name="hidden")(x)
    c = layers.Concatenate(name="cat")([h, x])
    out = {
        "input repr": repr(x),
        "input str": str(x),
        "unnamed input repr": repr(y),
        "unnamed input str": str(y),
        "dense repr": repr(h),
        "dense str": str(h),
        "concat repr": repr(c),
        "shape": list(x.shape),
        "dtype": str(y.dtype.name if TF else y.dtype),
        "input name": x.name,
        "unnamed input name": y.name,
        "history": [
            h._keras_history.layer.name,
            h._keras_history.node_index,
            h._keras_history.tensor_index,
        ],
    }
    fresh()
    m = multi_io()
    out["model.input"] = [repr(t) for t in m.input]
    out["model.output"] = [repr(t) for t in m.output]
    out["layer.input"] = repr(m.get_layer("cls").input)
    out["layer.output"] = str(m.get_layer("cls").output)
    return out


def main() -> None:
    result = {
        "models": models(),
        "training": training(),
        "errors": {name: error(fn) for name, fn in ERRORS.items()},
        "intermediate input": intermediate_input(),
        "legacy": legacy(),
        "unbuilt": unbuilt(),
        "tensors": tensors(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
