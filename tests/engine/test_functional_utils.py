"""A model cut from intermediate tensors: the nodes between, the new Inputs, the copies, and Keras's messages."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.engine.functional import Functional as Model
from fittrace.engine.functional_utils import (
    clone_graph_nodes,
    find_nodes_by_inputs_and_outputs,
    is_input_keras_tensor,
)
from fittrace.engine.input_layer import Input, InputLayer
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.layers.core import Dense
from fittrace.layers.merging import Add


def chain():
    x = Input((4,), name="x")
    h = Dense(3, name="hidden")(x)
    g = Dense(3, name="middle")(h)
    return x, h, g, Dense(2, name="head")(g)


def test_is_input_keras_tensor():
    x, h, _, _ = chain()
    assert is_input_keras_tensor(x) and not is_input_keras_tensor(h)
    with pytest.raises(ValueError, match=r"^Found unexpected instance .* Got: \[1, 2\]$"):
        is_input_keras_tensor([1, 2])
    with pytest.raises(ValueError, match="Found unexpected instance"):
        is_input_keras_tensor(KerasTensor((None, 2)))  # no layer made it


def test_the_nodes_between_are_found_from_the_outputs_up_to_the_given_inputs():
    x, h, g, out = chain()
    nodes = find_nodes_by_inputs_and_outputs(h, out)
    assert [n.layer.name for n in nodes] == ["head", "middle"]
    assert [n.layer.name for n in find_nodes_by_inputs_and_outputs(x, out)] == [
        "head",
        "middle",
        "hidden",
    ]


def test_an_input_reached_but_not_given_and_a_given_input_not_reached_are_refused():
    x, h, g, out = chain()
    other = Input((3,), name="other")
    joined = Add(name="sum")([g, other])
    with pytest.raises(ValueError) as err:
        find_nodes_by_inputs_and_outputs(h, joined)
    assert str(err.value) == (
        "Found input tensor cannot be reached given provided output tensors. Please make sure the tensor "
        f"{other} is included in the model inputs when building functional model."
    )
    unused = Dense(3, name="unused")(x)
    with pytest.raises(ValueError) as err:
        find_nodes_by_inputs_and_outputs([h, unused], out)
    assert str(err.value) == (
        f"Found unvisited input tensors that are disconnected from the outputs: {[unused]}"
    )


def test_cloning_makes_an_input_for_each_intermediate_tensor_and_copies_the_nodes():
    x, h, g, out = chain()
    hidden, middle, head = (t._keras_history.layer for t in (h, g, out))
    other = Input((3,), name="other")
    joined = Add(name="sum")([g, other])
    kept, _ = clone_graph_nodes([h, other], joined)
    assert kept[1] is other and kept[0] is not h  # an Input stays as it is; h gets a new one
    new_inputs, new_outputs = clone_graph_nodes([g], out)
    fresh = new_inputs[0]
    assert isinstance(fresh._keras_history.layer, InputLayer) and fresh.shape == (None, 3)
    assert new_outputs is not out and new_outputs.shape == out.shape
    assert new_outputs._keras_history == (head, 1, 0)  # the head's second node, its copy
    assert len(head._inbound_nodes) == 2 and head._inbound_nodes[1].keras_inputs == [fresh]
    assert len(middle._inbound_nodes) == 2  # copied once, for the cut at h
    assert len(hidden._inbound_nodes) == 1  # above both cuts: never copied
    assert out._keras_history == (head, 0, 0)  # the original graph is left as it was


def test_a_model_from_an_intermediate_tensor_shares_the_layers_weights():
    x, h, g, out = chain()
    full = Model(x, out)
    tail = Model(g, out)
    assert [layer.name for layer in tail.layers][1:] == ["head"]
    assert tail.weights[0] is full.get_layer("head").kernel
    data = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    middle_values = Model(x, g)(data)
    np.testing.assert_allclose(tail(middle_values).value, full(data).value, rtol=1e-5, atol=1e-6)
