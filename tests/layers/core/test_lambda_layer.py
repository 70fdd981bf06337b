"""Lambda: its call, output shapes, config and loading (safe mode): ``fittrace/layers/core/lambda_layer.py``."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.keras import layers
from fittrace.layers.core.lambda_layer import UNSAFE_LAMBDA_MESSAGE, check_lambda_allowed
from fittrace.saving.serialization_lib import SafeModeScope, deserialize_keras_object

R = np.random.default_rng(9)
X = R.normal(size=(2, 3)).astype("float32")


def named_double(x):
    return x * 2.0


def test_call_passes_arguments_and_the_training_flag_when_the_function_names_it():
    seen = []

    def fn(x, k, training=None):
        seen.append(training)
        return x * k

    layer = layers.Lambda(fn, arguments={"k": 3.0})
    np.testing.assert_allclose(layer(X).numpy(), X * 3.0, rtol=1e-6)
    layer(X, training=True)
    assert seen == [None, True]  # as TF-Keras: no one said, so the call default (None) reaches fn


def test_a_list_input_reaches_the_function_as_tensors():
    out = layers.Lambda(lambda xs: ops.add(xs[0], xs[1]))([X, X])
    np.testing.assert_allclose(out.numpy(), 2 * X, rtol=1e-6)


def test_a_function_that_is_not_callable_is_refused():
    with pytest.raises(TypeError, match="must be callable"):
        layers.Lambda("not a function")


@pytest.mark.parametrize(
    "layer,input_shape,want",
    [
        (layers.Lambda(lambda x: x, output_shape=(4,)), (None, 3), (None, 4)),
        (layers.Lambda(lambda x: x, output_shape=(4,)), (5, 3), (5, 4)),
        (layers.Lambda(lambda x: x, output_shape=(4,)), [(2, 3), (7, 4)], (2, 4)),
        (
            layers.Lambda(lambda x: x, output_shape=[(4,), (5,)]),
            [(None, 3), (7, 4)],
            [(None, 4), (None, 5)],
        ),
        (layers.Lambda(lambda x: x, output_shape=lambda s: (s[0], 2)), (None, 3), (None, 2)),
        (layers.Lambda(lambda x: x * 2.0), (None, 3), (None, 3)),
        (layers.Lambda(lambda x: ops.reduce_sum(x, axis=1)), (None, None, 3), (None, 3)),
        (layers.Lambda(lambda x: ops.reshape(x, (-1, 6))), (None, 2, 3), (None, 6)),
        (layers.Lambda(lambda x: x[0]), (None, 3), (3,)),  # the batch axis went away
        (layers.Lambda(lambda xs: xs[0] + xs[1]), [(None, 4), (None, 4)], (None, 4)),
        (layers.Lambda(lambda xs: [xs, xs[:, :1]]), (None, 4), [(None, 4), (None, 1)]),
    ],
)
def test_compute_output_shape(layer, input_shape, want):
    assert layer.compute_output_shape(input_shape) == want


def test_a_shape_that_works_for_one_size_only_keeps_the_first_probe_with_an_unknown_batch():
    fixed = ops.Tensor(np.ones((1, 5), "float32"))
    layer = layers.Lambda(
        lambda x: ops.reshape(x, (1, 5)) + fixed
    )  # size 2 cannot be reshaped to (1, 5)
    assert layer.compute_output_shape((None, 5)) == (None, 5)


def test_a_type_error_while_inferring_asks_for_output_shape():
    with pytest.raises(NotImplementedError) as err:
        layers.Lambda(lambda x: len(None)).compute_output_shape((None, 3))
    assert str(err.value) == (
        "We could not automatically infer the shape of the Lambda's output. "
        "Please specify `output_shape` for this Lambda."
    )


def test_a_python_function_is_written_as_bytecode_and_other_callables_by_name():
    config = layers.Lambda(named_double, name="twice").get_config()
    assert config["function_type"] == "lambda"  # a def too, as in tf-keras 2.21
    assert config["module"] == __name__ and len(config["function"]) == 3
    assert config["output_shape_type"] == "raw" and config["arguments"] == {}
    named = layers.Lambda(abs, output_shape=(3,)).get_config()
    assert (named["function"], named["function_type"], named["module"]) == (
        "abs",
        "function",
        "builtins",
    )
    assert named["output_shape"] == (3,)
    assert list(named)[:3] == ["name", "trainable", "dtype"]
    masked = layers.Lambda(lambda x: x, mask=lambda inputs, mask: mask).get_config()
    assert masked["mask_type"] == "lambda"
    with pytest.raises(ValueError, match="Invalid input for serialization, type: <class 'int'>"):
        layers.Lambda(lambda x: x, mask=5).get_config()


def test_safe_mode_refuses_bytecode_unless_turned_off_explicitly():
    with pytest.raises(ValueError) as err:
        check_lambda_allowed()
    assert str(err.value) == UNSAFE_LAMBDA_MESSAGE
    for not_off in (True, None, 0):
        with pytest.raises(ValueError):
            check_lambda_allowed(not_off)
    check_lambda_allowed(False)


def test_from_config_refuses_a_lambda_by_default_and_loads_it_with_safe_mode_off():
    offset = 0.5
    layer = layers.Lambda(lambda x, k=3.0: x * k + offset, output_shape=(3,), name="scaled")
    config = json.loads(json.dumps(layer.get_config()))  # as a file gives it back
    with pytest.raises(ValueError, match="Requested the deserialization of a Lambda layer"):
        layers.Lambda.from_config(config)
    loaded = layers.Lambda.from_config(config, safe_mode=False)
    np.testing.assert_allclose(loaded(X).numpy(), X * 3.0 + 0.5, rtol=1e-6)
    assert loaded.name == "scaled" and loaded.compute_output_shape((None, 3)) == (None, 3)


def test_a_named_function_comes_from_custom_objects_or_a_loaded_fittrace_module():
    config = layers.Lambda(abs).get_config()
    loaded = layers.Lambda.from_config(config, custom_objects={"abs": np.abs})
    np.testing.assert_allclose(np.asarray(loaded(X)), np.abs(X))
    fittrace_named = {**config, "function": "relu", "module": "fittrace.autodiff.nn"}
    assert layers.Lambda.from_config(fittrace_named).function is ops.relu
    with pytest.raises(TypeError, match="Could not find the function 'abs'"):
        layers.Lambda.from_config(config)  # builtins are never searched


def test_a_module_a_file_names_is_never_imported():
    config = layers.Lambda(abs).get_config()
    config = {**config, "function": "main", "module": "fittrace.cli.__main__"}
    assert "fittrace.cli.__main__" not in sys.modules  # run only by python -m fittrace.cli
    with pytest.raises(TypeError, match="Could not find the function 'main'"):
        layers.Lambda.from_config(config)
    assert "fittrace.cli.__main__" not in sys.modules


def test_numpy_arguments_come_back_as_arrays_and_the_config_given_is_left_alone():
    config = layers.Lambda(abs).get_config()
    config["arguments"] = {"k": {"type": "ndarray", "value": [1.0, 2.0]}}
    loaded = layers.Lambda.from_config(config, custom_objects={"abs": abs})
    assert isinstance(loaded.arguments["k"], np.ndarray)
    assert config["arguments"]["k"] == {"type": "ndarray", "value": [1.0, 2.0]}
    assert config["function_type"] == "function"  # popped from a copy only


def test_an_unknown_function_type_is_refused_with_keras_words():
    config = {**layers.Lambda(abs).get_config(), "function_type": "bytecode"}
    with pytest.raises(TypeError) as err:
        layers.Lambda.from_config(config)
    assert str(err.value) == (
        "Unsupported value for `function_type` argument. Received: function_type=bytecode. "
        "Expected one of ['function', 'lambda', 'raw']"
    )


def test_lambda_gradients_match_finite_differences(gradcheck):
    gradcheck(
        lambda a, b: layers.Lambda(lambda xs: ops.multiply(xs[0], xs[1]) - xs[0])([a, b]),
        R.normal(size=(2, 3)),
        R.normal(size=(2, 3)),
    )
    gradcheck(lambda a: layers.Lambda(lambda x: x * Tensor(np.float32(2.0)))(a), X)


def test_without_its_own_safe_mode_from_config_follows_the_loaders_scope():
    config = json.loads(json.dumps(layers.Lambda(lambda x: x + 1.0).get_config()))
    with SafeModeScope(True), pytest.raises(ValueError, match="Requested the deserialization"):
        layers.Lambda.from_config(dict(config))
    with SafeModeScope(False):
        loaded = layers.Lambda.from_config(dict(config))
    np.testing.assert_allclose(loaded(X).numpy(), X + 1.0)
    wrapped = {"module": "keras.layers", "class_name": "Lambda", "config": dict(config)}
    with pytest.raises(ValueError, match="Requested the deserialization"):
        deserialize_keras_object(wrapped)
    assert isinstance(deserialize_keras_object(wrapped, safe_mode=False), layers.Lambda)
