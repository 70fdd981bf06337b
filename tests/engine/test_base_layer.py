"""Layer: names, the lazy build and what triggered it, reset, add_weight in a user's layer, gradients through
layers: ``fittrace/engine/base_layer.py``."""

from __future__ import annotations

import numpy as np
import pytest

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


class _Auto(Layer):
    def __init__(self, a, b=None, **kwargs):
        super().__init__(**kwargs)
        self.a, self.b = a, b


class _AutoKw(Layer):
    def __init__(self, a, **kw):
        super().__init__(**kw)
        self.a = a


def test_a_layer_without_get_config_gets_its_plain_arguments_as_keras_does():
    config = _Auto(3, b="x", name="auto").get_config()
    assert config == {"name": "auto", "trainable": True, "dtype": "float32", "b": "x", "a": 3}
    assert _Auto.from_config(config).a == 3
    # a constructor whose ** is not named kwargs loses the base keys, even the name it was given, as in Keras
    assert _AutoKw(2, name="k").get_config() == {"a": 2}
    with pytest.raises(
        NotImplementedError, match="Layer _Auto was created by passing\nnon-serializable"
    ):
        _Auto([object()]).get_config()


def test_the_base_config_has_batch_input_shape_only_when_given():
    assert "batch_input_shape" not in layers.Dense(1).get_config()
    assert layers.Dense(1, input_shape=(3,), batch_size=4).get_config()["batch_input_shape"] == (
        4,
        3,
    )
    assert layers.Dense(1, input_dim=5).get_config()["batch_input_shape"] == (None, 5)
    assert layers.Dense(1, batch_input_shape=[2, 3]).get_config()["batch_input_shape"] == (2, 3)


def test_from_config_wraps_the_constructor_error_as_keras_does():
    with pytest.raises(TypeError) as caught:
        layers.Dense.from_config({"units": 3, "bogus": 1})
    assert str(caught.value) == (
        "Error when deserializing class 'Dense' using config={'units': 3, 'bogus': 1}.\n\n"
        "Exception encountered: ('Keyword argument not understood:', 'bogus')"
    )


def test_a_built_layer_tells_its_input_shape_and_is_rebuilt_from_it():
    layer = layers.Dense(2)
    assert layer.get_build_config() is None
    layer(np.ones((5, 3), "float32"))
    assert layer.get_build_config() == {"input_shape": (5, 3)}
    fresh = layers.Dense.from_config(layer.get_config())
    fresh.build_from_config({"input_shape": [None, 3]})  # as read back from JSON
    assert fresh.built and [w.shape for w in fresh.weights] == [(3, 2), (2,)]


def test_arguments_keras_takes_but_fittrace_cannot_honour_are_refused():
    for kwargs in ({"activity_regularizer": "l2"}, {"weights": [np.zeros((1, 1))]}):
        with pytest.raises(NotImplementedError):
            layers.Dense(1, **kwargs)
    assert layers.Dense(1, activity_regularizer=None, autocast=False).get_config()["units"] == 1
