"""Node: a layer call on KerasTensors, wired into the layers' inbound and outbound nodes and the outputs' history."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.engine.base_layer import Layer
from fittrace.engine.input_layer import Input, InputLayer
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.engine.node import KerasHistory, Node
from fittrace.layers.core import Dense
from fittrace.layers.merging import Add


def test_a_node_wires_itself_into_both_layers_and_stamps_its_outputs():
    x = Input((4,), name="x")
    source = x._keras_history.layer
    layer = Layer(name="custom")
    outs = [KerasTensor((None, 4)), KerasTensor((None, 2))]
    node = Node(layer, call_args=(x,), outputs=outs)
    assert layer._inbound_nodes == [node] and source._outbound_nodes == [node]
    assert [t._keras_history for t in outs] == [(layer, 0, 0), (layer, 0, 1)]
    assert outs[1]._keras_history.tensor_index == 1  # a KerasHistory has names
    again = Node(layer, call_args=(x,), outputs=KerasTensor((None, 4)))
    assert again.outputs._keras_history.node_index == 1  # the layer's second call
    assert source._outbound_nodes == [node, again]
    assert not node.is_input


def test_an_input_layer_has_one_node_with_no_inbound_tensors():
    x = Input((4,), name="x")
    layer = x._keras_history.layer
    assert isinstance(layer, InputLayer) and len(layer._inbound_nodes) == 1
    node = layer._inbound_nodes[0]
    assert node.is_input and node.keras_inputs == [] and node.parent_nodes == []
    assert node.outputs is x and x._keras_history == KerasHistory(layer, 0, 0)
    # Keras 2 reports an InputLayer's shapes as one-element lists
    assert node.input_shapes == [(None, 4)] and node.output_shapes == [(None, 4)]


def test_inbound_layers_parent_nodes_and_iterate_inbound():
    a, b = Input((3,), name="a"), Input((3,), name="b")
    d = Dense(3, name="d")
    da = d(a)
    s = Add(name="s")([da, b])
    node = s._keras_history.layer._inbound_nodes[0]
    assert node.inbound_layers == [d, b._keras_history.layer]
    assert node.parent_nodes == [d._inbound_nodes[0], b._keras_history.layer._inbound_nodes[0]]
    assert [(lay.name, n, t) for lay, n, t, _ in node.iterate_inbound()] == [
        ("d", 0, 0),
        ("b", 0, 0),
    ]
    assert d._inbound_nodes[0].inbound_layers is a._keras_history.layer  # one inbound layer: itself
    assert node.input_shapes == [(None, 3), (None, 3)] and node.output_shapes == (None, 3)
    assert d._inbound_nodes[0].input_shapes == (None, 3)


def test_keras_inputs_come_from_args_and_kwargs_and_map_arguments_swaps_them():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    layer = Layer(name="two_args")
    node = Node(
        layer,
        call_args=(a, 3),
        call_kwargs={"other": b, "flag": True},
        outputs=KerasTensor((None, 2)),
    )
    assert node.keras_inputs == [a, b]
    args, kwargs = node.map_arguments({id(a): "A", id(b): "B"})
    assert args == ("A", 3) and kwargs == {"other": "B", "flag": True}
    assert node.keras_inputs is not node._keras_inputs  # a copy: callers cannot edit the node


def test_nested_outputs_keep_their_nesting_in_output_shapes():
    layer = Layer(name="pair")
    x = Input((5,))
    outs = {"left": KerasTensor((None, 1)), "right": KerasTensor((None, 2))}
    node = Node(layer, call_args=(x,), outputs=outs)
    assert node.output_shapes == {"left": (None, 1), "right": (None, 2)}
    assert [t.shape for t in node.flat_outputs] == [(None, 1), (None, 2)]


class _TwoArgs(Layer):
    def call(self, inputs, other, scale=1.0, training=None):
        return inputs


def _key_index(layer, index):
    return index


def test_serialize_writes_positional_tensors_by_their_argument_names():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    layer = _TwoArgs(name="two")
    node = Node(
        layer, call_args=(a, b, 3.0), call_kwargs={"training": True}, outputs=KerasTensor((None, 2))
    )
    kwargs = {"other": ["b", 0, 0], "scale": 3.0, "training": True}
    assert node.serialize(_key_index) == [["a", 0, 0, kwargs]]
    assert list(node.serialize(_key_index)[0][3]) == ["other", "scale", "training"]


def test_serialize_keeps_a_list_first_argument_a_list_and_writes_arrays_as_lists():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    layer = _TwoArgs(name="two")
    node = Node(layer, call_args=([a, b], np.ones(2)), outputs=KerasTensor((None, 2)))
    kwargs = {"other": [1.0, 1.0]}
    assert node.serialize(_key_index) == [["a", 0, 0, kwargs], ["b", 0, 0, kwargs]]
    single = Node(layer, call_args=([a], a), outputs=KerasTensor((None, 2)))
    assert single.serialize(_key_index) == [["a", 0, 0, {"other": ["a", 0, 0]}]]


def test_serialize_refuses_an_argument_json_cannot_write():
    a = Input((2,), name="a")
    node = Node(_TwoArgs(name="two"), call_args=(a, object()), outputs=KerasTensor((None, 2)))
    with pytest.raises(TypeError, match="Layer two was passed non-JSON-serializable arguments"):
        node.serialize(_key_index)
