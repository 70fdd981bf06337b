"""``clone_model``: the same architecture with new layers and weights, for Sequential models (with and without an
input), functional ones (branches, a shared layer, a nested model), on given input tensors, with a
``clone_function``; the clone is uncompiled and independent of the original."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import Input, layers
from fittrace.keras.models import Model, Sequential, clone_model
from fittrace.models.cloning import share_weights

X = np.random.default_rng(0).random((4, 3)).astype("float32")


def _shared_and_nested() -> Model:
    inner = Sequential([layers.Dense(3, input_shape=(3,), name="i1")], name="inner")
    x = Input((3,), name="x")
    shared = layers.Dense(3, activation="tanh", name="shared")
    joined = layers.Add(name="add")([shared(x), shared(inner(x))])
    return Model(x, layers.Dense(2, name="out")(joined), name="graph")


def test_a_functional_clone_has_new_layers_and_the_same_graph():
    model = _shared_and_nested()
    clone = clone_model(model)
    assert type(clone) is type(model) and clone.name == model.name
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    assert clone.get_layer("shared") is not model.get_layer("shared")
    assert len(clone.get_layer("shared")._inbound_nodes) == 2  # still shared: called twice
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(X, verbose=0), model.predict(X, verbose=0), atol=1e-6)
    clone.get_layer("out").kernel.assign(np.zeros((3, 2), "float32"))
    assert np.abs(model.get_layer("out").kernel.value).sum() > 0  # independent weights


def test_a_sequential_clone_keeps_its_input_or_its_deferred_build():
    with_input = Sequential(
        [layers.Dense(4, input_shape=(3,), name="a"), layers.Dense(2, name="b")]
    )
    clone = clone_model(with_input)
    assert clone.built and [layer.name for layer in clone.layers] == ["a", "b"]
    assert clone.layers[0] is not with_input.layers[0]
    deferred = Sequential([layers.Dense(2, name="only")])
    clone = clone_model(deferred)
    assert not clone.built and clone.predict(X, verbose=0).shape == (4, 2)


def test_a_clone_is_not_compiled():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse")
    assert not clone_model(model)._is_compiled


def test_input_tensors_and_a_clone_function():
    model = _shared_and_nested()
    new_input = Input((3,), name="other")
    clone = clone_model(model, input_tensors=new_input, clone_function=share_weights)
    assert clone.inputs[0] is new_input
    assert clone.get_layer("shared") is model.get_layer("shared")  # share_weights keeps each layer
    np.testing.assert_allclose(clone.predict(X, verbose=0), model.predict(X, verbose=0), atol=1e-6)
    seq = Sequential([layers.Dense(2, name="d")])
    start = Input((3,), name="start")
    clone = clone_model(seq, input_tensors=start)
    assert clone.inputs[0] is start and clone.built


def test_what_cannot_be_cloned_gets_keras_words():
    seq = Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="we expect at most one tensor as part of `input_tensors`"):
        clone_model(seq, input_tensors=[Input((3,)), Input((3,))])
    with pytest.raises(ValueError, match="KerasTensors from `keras.Input` only"):
        clone_model(seq, input_tensors=np.zeros((1, 3)))
    x = Input((3,))
    with pytest.raises(ValueError, match="other than an `InputLayer`"):
        clone_model(seq, input_tensors=layers.Dense(3)(x))

    class Tiny(Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

    with pytest.raises(
        ValueError, match="are only supported for Sequential models or Functional models"
    ):
        clone_model(Tiny(), clone_function=share_weights)
