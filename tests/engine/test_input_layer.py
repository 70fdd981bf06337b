"""InputLayer and Input(): the batch input shape, the one node and its KerasTensor, names, the config Keras
gives, and Keras's messages for bad arguments."""

from __future__ import annotations

import pytest

from fittrace.engine.base_layer import clear_session
from fittrace.engine.input_layer import Input, InputLayer
from fittrace.engine.keras_tensor import KerasTensor


def test_input_returns_the_tensor_of_a_new_input_layer():
    x = Input((28, 28), batch_size=16, name="images", dtype="int32")
    layer = x._keras_history.layer
    assert isinstance(x, KerasTensor) and isinstance(layer, InputLayer)
    assert x.shape == (16, 28, 28) and x.dtype == "int32" and x.name == "images"
    assert layer.name == "images" and layer.built and layer.weights == []
    assert layer._batch_input_shape == (16, 28, 28)
    assert layer.input is x and layer.output is x
    assert layer.compute_output_shape((3, 1)) == (16, 28, 28)


def test_unnamed_inputs_count_from_one_as_keras_names_them():
    clear_session()
    assert [Input((2,)).name for _ in range(3)] == ["input_1", "input_2", "input_3"]
    assert InputLayer(input_shape=(2,)).name == "input_4"
    Input((2,), name="given")  # a given name does not use up a number
    assert Input((2,)).name == "input_5"
    clear_session()
    assert Input((2,)).name == "input_1"


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        ({"shape": 5}, (None, 5)),  # an int is a one-dimensional shape
        ({"shape": (None, 3)}, (None, None, 3)),
        ({"batch_shape": (4, 3)}, (4, 3)),
        ({"batch_input_shape": (None, 7)}, (None, 7)),
    ],
)
def test_input_shapes(kwargs, shape):
    assert Input(**kwargs).shape == shape


def test_input_layer_from_batch_input_shape_or_input_shape():
    assert InputLayer(batch_input_shape=(8, 3))._batch_input_shape == (8, 3)
    assert InputLayer(input_shape=(3,), batch_size=2)._batch_input_shape == (2, 3)
    layer = InputLayer(input_shape=(3,))
    assert len(layer._inbound_nodes) == 1 and layer._inbound_nodes[0].is_input


@pytest.mark.parametrize(
    "make, error, text",
    [
        (lambda: Input(), ValueError, "Please provide to Input a `shape`"),
        (lambda: Input((2,), batch_shape=(1, 2)), ValueError, "Only provide the `shape` OR"),
        (lambda: Input((2,), sparse=True, ragged=True), ValueError, "Cannot set both `sparse`"),
        (lambda: Input((2,), bogus=1), ValueError, "Unrecognized keyword arguments: ['bogus']"),
        (lambda: Input(tensor=object()), ValueError, "`tensor=` and `type_spec=` need TensorFlow"),
        (lambda: InputLayer(), ValueError, "You should provide either `input_shape`"),
    ],
)
def test_bad_arguments_are_refused(make, error, text):
    with pytest.raises(error) as err:
        make()
    assert text in str(err.value)


def test_the_config_is_keras_and_round_trips():
    layer = InputLayer(input_shape=(3,), batch_size=2, dtype="int32", name="pixels")
    config = layer.get_config()
    assert config == {
        "batch_input_shape": (2, 3),
        "dtype": "int32",
        "sparse": False,
        "ragged": False,
        "name": "pixels",
        "optional": False,
    }
    assert InputLayer.from_config(config).get_config() == config
    assert Input(4, name="x")._keras_history[0].get_config()["batch_input_shape"] == (None, 4)


def test_bad_arguments_get_keras_messages():
    with pytest.raises(ValueError, match="^Only provide the input_shape OR batch_input_shape"):
        InputLayer(input_shape=(3,), batch_input_shape=(None, 3))
    with pytest.raises(ValueError, match=r"^Unrecognized keyword arguments: \['bogus'\]"):
        InputLayer(input_shape=(3,), bogus=1)
    with pytest.raises(ValueError, match="^Cannot set both sparse and ragged"):
        InputLayer(input_shape=(3,), sparse=True, ragged=True)
    with pytest.raises(NotImplementedError):
        InputLayer(input_shape=(3,), sparse=True)
