"""Layer: names, lazy build, add_weight, input checks, layers' own behaviour (Dropout, BatchNormalization...)."""
from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import GradientTape, Tensor
from fittrace.engine.base_layer import Layer, clear_session, to_snake_case
from fittrace.engine.input_spec import InputSpec, _Shaped, assert_input_compatibility
from fittrace.keras import layers
from fittrace.seeding import set_random_seed
from fittrace.tracing.recorder import Recorder


def test_snake_case_names_and_counters():
    clear_session()
    assert to_snake_case("BatchNormalization") == "batch_normalization"
    assert [layers.Dense(1).name, layers.Dense(1).name, layers.Dropout(0.1).name] == ["dense", "dense_1", "dropout"]


def test_build_happens_on_first_call_and_records_the_trigger():
    layer = layers.Dense(3)
    rec = Recorder("full").start()
    layer(np.ones((2, 5), "float32"))
    rec.stop()
    kinds = [e.kind for e in rec.events]
    assert kinds[:4] == ["layer_build", "weight_created", "weight_created", "layer_call"] or \
        kinds.index("layer_build") < kinds.index("weight_created") < kinds.index("layer_call")
    build = [e for e in rec.events if e.kind == "layer_build"][0]
    assert build.data["input_shape"] == [2, 5] and build.data["trigger"] == "call"
    kernel = [e for e in rec.events if e.kind == "weight_created"][0].data
    assert kernel["shape"] == [5, 3] and kernel["initializer"] == "glorot_uniform" and kernel["trainable"]


def test_glorot_limit_of_article_kernel():
    set_random_seed(0)
    layer = layers.Dense(512)
    layer.build((None, 784))
    limit = np.sqrt(6 / (784 + 512))
    assert np.abs(layer.kernel.numpy()).max() <= limit
    assert np.abs(layer.kernel.numpy()).max() > 0.9 * limit
    assert not layer.bias.numpy().any()


def test_reset_built_creates_fresh_weights():
    layer = layers.Dense(2)
    layer(np.ones((1, 3), "float32"))
    old = layer.kernel.numpy().copy()
    layer.built = False
    layer(np.ones((1, 3), "float32"))
    assert len(layer.weights) == 2
    assert not np.array_equal(old, layer.kernel.numpy())


@pytest.mark.parametrize("spec,shape,message", [
    (InputSpec(min_ndim=2), (5,), 'expected min_ndim=2, found ndim=1. Full shape received: (5,)'),
    (InputSpec(ndim=3), (2, 4), "expected ndim=3, found ndim=2. Full shape received: (2, 4)"),
    (InputSpec(max_ndim=2), (1, 2, 3), "expected max_ndim=2, found ndim=3"),
    (InputSpec(axes={-1: 784}), (32, 100),
     "expected axis -1 of input shape to have value 784, but received input with shape (32, 100)"),
])
def test_input_spec_messages(spec, shape, message):
    with pytest.raises(ValueError) as err:
        assert_input_compatibility(spec, _Shaped(shape), "dense_4")
    assert str(err.value) == f'Input 0 of layer "dense_4" is incompatible with the layer: {message}'


def test_non_tensor_input_is_a_type_error():
    with pytest.raises(TypeError, match="Inputs to a layer should be tensors"):
        assert_input_compatibility(InputSpec(min_ndim=2), 3, "dense")


def test_dropout_training_flag():
    set_random_seed(0)
    drop = layers.Dropout(0.5)
    x = np.ones((1000, 10), "float32")
    np.testing.assert_array_equal(drop(x).numpy(), x)
    y = drop(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
        layers.Dropout(1.5)


def test_batch_normalization_training_vs_inference_and_moving_stats():
    bn = layers.BatchNormalization(momentum=0.5)
    x = np.array([[1.0, 10.0], [3.0, 30.0]], "float32")
    out = bn(x, training=True).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [1.0, 10.0])          # 0*0.5 + [2, 20]*0.5
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.0, 50.5])      # 1*0.5 + [1, 100]*0.5
    inf = bn(x, training=False).numpy()
    np.testing.assert_allclose(inf, (x - [1.0, 10.0]) / np.sqrt(np.array([1.0, 50.5]) + 0.001), rtol=1e-5)
    assert [w.name.split("/")[1] for w in bn.trainable_weights] == ["gamma:0", "beta:0"]
    assert [w.name.split("/")[1] for w in bn.non_trainable_weights] == ["moving_mean:0", "moving_variance:0"]


def test_batch_normalization_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    bn = layers.BatchNormalization()
    x = rng.normal(size=(6, 3)).astype("float32")
    w = rng.normal(size=(6, 3)).astype("float32")
    bn.build((None, 3))
    xt = Tensor(x)
    with GradientTape() as tape:
        tape.watch(xt)
        loss = (bn(xt, training=True) * Tensor(w))
        from fittrace.autodiff import reduce_sum
        loss = reduce_sum(loss)
    gx = tape.gradient(loss, xt)

    def f(xv):
        m = xv.mean(0)
        v = ((xv - m) ** 2).mean(0)
        return float((((xv - m) / np.sqrt(v + 0.001)) * w).sum())
    num = np.zeros_like(x, dtype=np.float64)
    xd = x.astype(np.float64)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(xd)
        e[i] = 1e-5
        num[i] = (f(xd + e) - f(xd - e)) / 2e-5
    np.testing.assert_allclose(gx, num, atol=2e-3)


def test_flatten_reshape_activation():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert layers.Reshape((-1, 2))(x).shape == (2, 6, 2)
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        layers.Reshape((5,))(x)
    np.testing.assert_allclose(layers.Activation("relu")(np.array([[-1.0, 2.0]], "float32")).numpy(), [[0, 2]])


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


def test_dense_kernel_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 4)).astype("float32")
    w = rng.normal(size=(3, 2)).astype("float32")
    dense = layers.Dense(2, activation="sigmoid")
    dense.build((None, 4))
    k0 = dense.kernel.numpy().copy()
    with GradientTape() as tape:
        from fittrace.autodiff import reduce_sum
        loss = reduce_sum(dense(x) * Tensor(w))
    g = tape.gradient(loss, dense.kernel)

    def f(k):
        z = x.astype(np.float64) @ k
        return float((1 / (1 + np.exp(-z)) * w).sum())
    num = np.zeros_like(k0, dtype=np.float64)
    for i in np.ndindex(k0.shape):
        e = np.zeros_like(num)
        e[i] = 1e-4
        num[i] = (f(k0 + e) - f(k0 - e)) / 2e-4
    np.testing.assert_allclose(g, num, atol=1e-3)
