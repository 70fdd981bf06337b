"""Layer: names, the lazy build and what triggered it, reset, add_weight in a user's layer, gradients through
layers: ``fittrace/engine/base_layer.py``."""

from __future__ import annotations

import numpy as np

from fittrace.engine.base_layer import Layer, clear_session, to_snake_case
from fittrace.keras import layers
from fittrace.tracing.recorder import Recorder


def test_snake_case_names_and_counters():
    clear_session()
    assert to_snake_case("BatchNormalization") == "batch_normalization"
    assert [layers.Dense(1).name, layers.Dense(1).name, layers.Dropout(0.1).name] == [
        "dense",
        "dense_1",
        "dropout",
    ]


def test_build_happens_on_first_call_and_records_the_trigger():
    layer = layers.Dense(3)
    rec = Recorder("full").start()
    layer(np.ones((2, 5), "float32"))
    rec.stop()
    assert [
        (e.kind, e.seq, e.parent) for e in rec.events
    ] == [  # the weights are made inside the build
        ("layer_build", 0, None),
        ("weight_created", 1, 0),
        ("weight_created", 2, 0),
        ("layer_call", 3, None),
    ]
    build = [e for e in rec.events if e.kind == "layer_build"][0]
    assert build.data["input_shape"] == [2, 5] and build.data["trigger"] == "call"
    kernel = [e for e in rec.events if e.kind == "weight_created"][0].data
    assert (
        kernel["shape"] == [5, 3]
        and kernel["initializer"] == "glorot_uniform"
        and kernel["trainable"]
    )


def test_reset_built_creates_fresh_weights():
    layer = layers.Dense(2)
    layer(np.ones((1, 3), "float32"))
    old = layer.kernel.numpy().copy()
    layer.built = False
    layer(np.ones((1, 3), "float32"))
    assert len(layer.weights) == 2
    assert not np.array_equal(old, layer.kernel.numpy())


def test_custom_layer_with_add_weight_trains():
    class Scale(Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.w

    layer = Scale()
    out = layer(np.array([[2.0, 3.0]], "float32"))
    np.testing.assert_allclose(out.numpy(), [[2.0, 3.0]])
    assert [w.name for w in layer.weights] == [f"{layer.name}/w:0"]


def test_layer_gradients_with_respect_to_inputs(gradcheck):
    from fittrace.seeding import set_random_seed

    set_random_seed(2)
    x = np.random.default_rng(3).normal(size=(3, 4))
    dense = layers.Dense(5, activation="tanh")
    dense.build((None, 4))
    gradcheck(lambda t: dense(t), x)
    gradcheck(lambda t: layers.Flatten()(t), x.reshape(3, 2, 2))
    gradcheck(lambda t: layers.Reshape((2, 2))(t), x)
    gradcheck(lambda t: layers.Activation("softmax")(t), x)
    gradcheck(lambda t: layers.Dropout(0.5)(t, training=False), x)
