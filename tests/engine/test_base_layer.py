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


# --- masks -------------------------------------------------------------------------------------------------------
class _TakesMask(Layer):
    """Records the mask its call got; passes the mask on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.seen = "not called"

    def call(self, inputs, mask=None):
        self.seen = mask
        return [x * 1.0 for x in inputs] if isinstance(inputs, list) else inputs * 1.0


class _Doubles(Layer):
    def call(self, inputs):
        return inputs * 2.0


def _masked(x, mask):
    from fittrace.autodiff import Tensor

    t = Tensor(np.asarray(x, "float32"))
    t._keras_mask = Tensor(np.asarray(mask, bool))
    return t


def test_a_tensor_has_no_mask_until_a_layer_gives_it_one():
    from fittrace.autodiff import Tensor, add

    assert Tensor(np.ones(2))._keras_mask is None
    assert add(Tensor(np.ones(2)), 1.0)._keras_mask is None


def test_the_input_mask_goes_to_call_and_on_to_the_output():
    x = _masked(np.ones((2, 3, 4)), [[1, 1, 0], [1, 0, 0]])
    layer = _TakesMask()
    out = layer(x)
    assert layer.seen is x._keras_mask
    assert out is not x and out._keras_mask is x._keras_mask


def test_a_mask_passed_by_hand_wins_over_the_inputs_own():
    x = _masked(np.ones((2, 3, 4)), [[1, 1, 0], [1, 0, 0]])
    mine = np.ones((2, 3), bool)
    layer = _TakesMask()
    out = layer(x, mask=mine)
    assert layer.seen is mine and out._keras_mask is mine
    positional = _TakesMask()
    positional(x, mine)
    assert positional.seen is mine


def test_a_layer_without_masking_drops_the_mask_silently():
    x = _masked(np.ones((2, 3, 4)), [[1, 1, 0], [1, 0, 0]])
    layer = _Doubles()
    assert not layer.supports_masking
    assert layer(x)._keras_mask is None


def test_a_mask_by_hand_to_a_layer_whose_call_takes_none_is_keras_type_error_before_the_build():
    layer = layers.Dense(2)
    with pytest.raises(
        TypeError, match=r"^Dense\.call\(\) got an unexpected keyword argument 'mask'$"
    ):
        layer(np.ones((2, 3), "float32"), mask=np.ones(2, bool))
    assert not layer.built


def test_compute_mask_default_is_keras():
    plain, passing = _Doubles(), _TakesMask()
    assert plain.compute_mask(np.ones(2), None) is None
    with pytest.raises(TypeError, match="does not support masking, but was passed an input_mask"):
        plain.compute_mask(np.ones(2), np.ones(2, bool))
    m = np.ones(2, bool)
    assert passing.compute_mask(np.ones(2), m) is m


def test_overriding_compute_mask_turns_masking_on_and_it_runs_without_an_input_mask():
    class Makes(Layer):
        def compute_mask(self, inputs, mask=None):
            return np.asarray(inputs)[..., 0] > 0

    layer = Makes()
    assert layer.supports_masking
    out = layer(np.array([[[1.0], [-1.0]]], "float32") * 1.0)
    assert np.asarray(out._keras_mask).tolist() == [[True, False]]


def test_a_mask_that_does_not_fit_the_input_is_refused_before_the_build():
    class Built(_TakesMask):
        def build(self, input_shape):
            self.w = self.add_weight("w", (input_shape[-1],))

    layer = Built(name="picky")
    with pytest.raises(ValueError) as info:
        layer(np.ones((2, 4, 3), "float32"), mask=np.ones((2, 3), bool))
    text = str(info.value)
    assert "'picky'" in text and "(2, 3)" in text and "(2, 4, 3)" in text
    assert not layer.built and layer.weights == []
    layer(np.ones((2, 4, 3), "float32"), mask=np.ones((2, 4), bool))  # the right one is taken
    assert layer.built


def test_a_list_of_inputs_gives_a_list_of_masks():
    a = _masked(np.ones((1, 2, 3)), [[1, 0]])
    b = layers.Dense(3)(np.ones((1, 2, 3), "float32"))  # no mask
    layer = _TakesMask()
    layer([a, b])
    assert isinstance(layer.seen, list) and layer.seen[0] is a._keras_mask and layer.seen[1] is None


def test_keras_tensors_carry_the_mask_symbolically_and_models_pass_it_on():
    from fittrace.keras import Input, Model

    class ZeroIsPad(Layer):
        def compute_mask(self, inputs, mask=None):
            return np.asarray(inputs) != 0

    inp = Input((5, 2))
    masked = ZeroIsPad()(inp)
    assert masked._keras_mask is not None and masked._keras_mask.shape == (None, 5, 2)
    taker = _TakesMask()
    out = taker(masked)
    assert out._keras_mask.shape == (None, 5, 2)
    assert _Doubles()(masked)._keras_mask is None
    model = Model(inp, out)
    x = np.array([[[1, 0], [0, 0], [2, 2], [0, 3], [0, 0]]], "float32")
    y = model(x)
    assert np.asarray(y._keras_mask).tolist() == (x != 0).tolist()
    assert np.asarray(taker.seen).tolist() == (x != 0).tolist()


def test_the_layer_call_event_says_a_mask_came_and_its_shape_not_its_values():
    x = _masked(np.ones((2, 3, 4)), [[1, 1, 0], [1, 0, 0]])
    rec = Recorder("full").start()
    _TakesMask(name="taker")(x)
    layers.Dense(2, name="plain")(np.ones((2, 4), "float32"))
    rec.stop()
    calls = {e.layer: e.data for e in rec.events if e.kind == "layer_call"}
    assert calls["taker"]["input_mask"] == [2, 3] and calls["taker"]["output_mask"] == [2, 3]
    assert "input_mask" not in calls["plain"] and "output_mask" not in calls["plain"]


class _Says(Layer):
    """Records the ``training`` its call was given; ``default`` is its call's own default."""

    def __init__(self, default, **kwargs):
        super().__init__(**kwargs)
        self.seen = []
        self._default = default

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


class _DefaultsTrue(_Says):
    def call(self, inputs, training=True):
        self.seen.append(training)
        return inputs


def test_training_comes_from_the_argument_then_the_enclosing_call_then_calls_default():
    from fittrace.keras import Sequential

    says_none, says_true = _Says(None), _DefaultsTrue(True)
    model = Sequential([says_none, says_true])
    x = np.ones((2, 3), "float32")
    model(x)  # builds the model first (a call of its own)
    for training in (None, False, True):
        del says_none.seen[:], says_true.seen[:]
        model(x) if training is None else model(x, training=training)
        # no one said: each layer's own call default (None, True), as TF-Keras 2.21 gives them
        assert (says_none.seen, says_true.seen) == (
            [training],
            [True if training is None else training],
        )
    del says_none.seen[:], says_true.seen[:]
    model.predict(x, verbose=0)
    assert set(says_none.seen) == set(says_true.seen) == {False}


def test_a_random_augmentation_in_a_model_called_directly_augments_as_in_keras():
    from fittrace.keras import Sequential

    images = np.arange(2 * 4 * 4 * 1, dtype="float32").reshape(2, 4, 4, 1)
    model = Sequential([layers.RandomFlip("horizontal", seed=3), layers.Dropout(0.9)])
    runs = [np.asarray(model(images)) for _ in range(8)]
    flipped = [not np.array_equal(r, images) for r in runs]
    assert any(flipped)  # RandomFlip's call defaults to training=True
    assert all(
        np.isin(r, images).all() for r in runs
    )  # Dropout's defaults to False: nothing dropped
    np.testing.assert_array_equal(model.predict(images, verbose=0), images)
