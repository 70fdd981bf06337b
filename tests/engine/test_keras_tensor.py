"""KerasTensor: a shape and dtype without values, Keras 2's repr and str, and the refusals of what needs values."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.engine.input_layer import Input
from fittrace.engine.keras_tensor import KerasTensor, is_keras_tensor
from fittrace.layers.core import Dense
from fittrace.layers.merging import Concatenate


def test_shape_dims_become_ints_or_none_and_dtype_a_name():
    t = KerasTensor([None, np.int64(20), 3.0], dtype=np.float64, name="x")
    assert t.shape == (None, 20, 3)
    assert all(type(d) is int for d in t.shape[1:])
    assert t.dtype == "float64" and t.ndim == 3 and t.name == "x"
    assert KerasTensor((None,)).dtype == "float32"  # Keras's floatx


def test_an_input_tensor_reads_as_keras_writes_it():
    """The texts TF-Keras 2.21 gives for keras.Input((8,), name="pixels") (tests/test_keras_parity_functional.py
    checks them against it)."""
    x = Input((8,), name="pixels")
    assert repr(x) == "<KerasTensor: shape=(None, 8) dtype=float32 (created by layer 'pixels')>"
    assert str(x) == (
        "KerasTensor(type_spec=TensorSpec(shape=(None, 8), dtype=tf.float32, name='pixels'), "
        "name='pixels', description=\"created by layer 'pixels'\")"
    )


def test_a_layer_output_names_the_layer_that_made_it_and_has_no_spec_name():
    x = Input((8,), name="pixels")
    h = Dense(4, name="hidden")(x)
    assert repr(h) == "<KerasTensor: shape=(None, 4) dtype=float32 (created by layer 'hidden')>"
    assert "TensorSpec(shape=(None, 4), dtype=tf.float32, name=None)" in str(h)
    assert str(h).endswith("description=\"created by layer 'hidden'\")")
    c = Concatenate(name="cat")([h, x])
    assert repr(c) == "<KerasTensor: shape=(None, 12) dtype=float32 (created by layer 'cat')>"


def test_a_tensor_no_layer_made_has_no_description():
    t = KerasTensor((None, 2), "int32")
    assert repr(t) == "<KerasTensor: shape=(None, 2) dtype=int32>"
    assert str(t) == "KerasTensor(type_spec=TensorSpec(shape=(None, 2), dtype=tf.int32, name=None))"


def test_len_and_bool_need_values_and_say_so():
    x = Input((3,))
    with pytest.raises(TypeError, match="do not implement `__len__`"):
        len(x)
    with pytest.raises(TypeError, match="as a Python `bool` is not allowed"):
        bool(x)


@pytest.mark.parametrize(
    "op, layer",
    [
        (lambda a, b: a + b, "layers.Add()"),
        (lambda a, b: a - b, "layers.Subtract()"),
        (lambda a, b: a * b, "layers.Multiply()"),
        (lambda a, b: 2.0 * a, "layers.Multiply()"),
        (lambda a, b: a @ b, "layers.Dot("),
        (lambda a, b: -a, "layers.Lambda("),
        (lambda a, b: a[0], "layers.Lambda("),
    ],
)
def test_python_operators_name_the_layer_to_use(op, layer):
    a, b = Input((3,)), Input((3,))
    with pytest.raises(TypeError) as err:
        op(a, b)
    assert layer in str(err.value) and "TFOpLambda" in str(err.value)


def test_is_keras_tensor():
    assert is_keras_tensor(Input((2,)))
    assert not is_keras_tensor(np.zeros((1, 2)))
    assert not is_keras_tensor(None)
