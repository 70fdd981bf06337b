"""A functional model made from intermediate tensors: the graph between them is copied onto new Inputs.

Mirrors tf_keras/src/engine/functional_utils.py. ``keras.Model(h, out)``, where ``h`` is a layer's output rather
than an ``Input``'s, is allowed: ``Functional.__init__`` finds the nodes between the given inputs and outputs
(``find_nodes_by_inputs_and_outputs``, walking up from the outputs and stopping at the given inputs), makes a new
``Input`` of the same shape and dtype for each intermediate input, and calls no layer: it copies each node found
(``clone_graph_nodes``), so each of their layers gains one inbound node, as if it had been called again on the new
tensors. The new model shares its layers and weights with the graph it was cut from.

Left out: nested input structures deeper than one list or dict (``tf.nest`` packing of any depth).

    >>> from fittrace.engine.input_layer import Input
    >>> from fittrace.layers.core import Dense
    >>> x = Input((4,))
    >>> h = Dense(3)(x)
    >>> is_input_keras_tensor(x), is_input_keras_tensor(h)
    (True, False)
"""

from __future__ import annotations

from typing import Any

from fittrace.engine.input_layer import Input
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.engine.node import Node
from fittrace.utils.nest import flatten, map_structure, pack_sequence_as

_KERAS_TENSOR_TYPE_CHECK_ERROR_MSG = (
    "Found unexpected instance while processing input tensors for keras functional model. "
    "Expecting KerasTensor which is from tf.keras.Input() or output from keras layer call(). Got: {}"
)


def _node_of(tensor: KerasTensor) -> Node:
    layer, node_index, _ = tensor._keras_history
    return layer._inbound_nodes[node_index]


def _is_keras_tensor(x: Any) -> bool:
    return isinstance(x, KerasTensor) and getattr(x, "_keras_history", None) is not None


def is_input_keras_tensor(tensor: Any) -> bool:
    """True when ``tensor`` is an ``Input``'s own tensor; a ValueError when it is no KerasTensor at all."""
    if not _is_keras_tensor(tensor):
        raise ValueError(_KERAS_TENSOR_TYPE_CHECK_ERROR_MSG.format(tensor))
    return _node_of(tensor).is_input


def find_nodes_by_inputs_and_outputs(inputs: Any, outputs: Any) -> list[Node]:
    """The nodes between ``inputs`` and ``outputs``, breadth first from the outputs."""
    starts = flatten(outputs)
    ends = flatten(inputs)
    for t in starts + ends:
        if not _is_keras_tensor(t):
            raise ValueError(_KERAS_TENSOR_TYPE_CHECK_ERROR_MSG.format(t))
    end_ids = {id(t) for t in ends}
    found: set[int] = set()
    to_visit = [_node_of(t) for t in starts]
    visited: set[int] = set()
    in_graph: list[Node] = []
    while to_visit:
        node = to_visit.pop(0)
        if id(node) in visited:
            continue
        visited.add(id(node))
        in_graph.append(node)
        for t in node.keras_inputs:
            if id(t) in end_ids:
                found.add(id(t))
                continue
            inbound = _node_of(t)
            if inbound.is_input:
                raise ValueError(
                    "Found input tensor cannot be reached given provided output tensors. Please make "
                    f"sure the tensor {t} is included in the model inputs when building functional "
                    "model."
                )
            to_visit.append(inbound)
    if found != end_ids:
        unvisited = [t for t in ends if id(t) not in found]
        raise ValueError(
            f"Found unvisited input tensors that are disconnected from the outputs: {unvisited}"
        )
    return in_graph


def _copy(tensor: KerasTensor) -> KerasTensor:
    return KerasTensor(tensor.shape, tensor.dtype, name=tensor.name)


def clone_keras_tensors(args: Any, mapping: dict[int, KerasTensor]) -> Any:
    """``args`` with each KerasTensor replaced by its copy (made once per tensor, kept in ``mapping``)."""

    def swap(x: Any) -> Any:
        if not _is_keras_tensor(x):
            return x
        if id(x) not in mapping:
            cpy = _copy(x)
            cpy._keras_history = x._keras_history
            mapping[id(x)] = cpy
        return mapping[id(x)]

    return map_structure(swap, args)


def clone_graph_nodes(inputs: Any, outputs: Any) -> tuple[Any, Any]:
    """New Inputs for the intermediate ``inputs`` and copies of the nodes up to ``outputs``: the inputs and
    outputs of a model cut from the middle of a graph."""
    nodes = find_nodes_by_inputs_and_outputs(inputs, outputs)
    mapping: dict[int, KerasTensor] = {}
    new_inputs = []
    for t in flatten(inputs):
        if _node_of(t).is_input:
            new_inputs.append(t)
            mapping[id(t)] = t
        else:
            fresh = Input(batch_shape=t.shape, dtype=t.dtype)
            new_inputs.append(fresh)
            mapping[id(t)] = fresh
    new_outputs = []
    for t in flatten(outputs):
        cpy = _copy(t)
        cpy._keras_history = t._keras_history
        new_outputs.append(cpy)
        mapping[id(t)] = cpy
    for node in nodes:
        Node(
            node.layer,
            call_args=clone_keras_tensors(node.call_args, mapping),
            call_kwargs=clone_keras_tensors(node.call_kwargs, mapping),
            outputs=clone_keras_tensors(node.outputs, mapping),
        )
    return pack_sequence_as(inputs, new_inputs), pack_sequence_as(outputs, new_outputs)
