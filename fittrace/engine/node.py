"""Node: one call of a layer on symbolic tensors, the edge list of a functional model's graph.

Mirrors tf_keras/src/engine/node.py. Calling a layer on KerasTensors makes a Node that records the call's
arguments and outputs, appends itself to the layer's ``_inbound_nodes`` and to each inbound layer's
``_outbound_nodes``, and stamps every output with ``_keras_history = (layer, node_index, tensor_index)``. A layer
called twice (a shared layer) has two nodes; an ``InputLayer`` has one node with no inbound tensors
(``is_input``). ``Functional`` walks the nodes back from its outputs to map the graph.

In a config (``serialize``) a call is written by its first argument, one ``[layer, node, tensor, kwargs]`` entry
per tensor in it, nested as it is; every other argument goes into ``kwargs``, the positional ones by the names
``call`` gives them (``mha(x, x)`` writes ``{"value": [...]}``), a KerasTensor as its ``[layer, node, tensor]``.

Left out: ``_single_positional_tensor_passed`` and the other fast paths Keras keeps for speed, and the
``KerasHistory`` of tensors made by TF ops (fittrace has no TFOpLambda).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.utils.nest import flatten, is_nested, map_structure


class KerasHistory(NamedTuple):
    """Where a KerasTensor came from: the layer, which of its calls (node), which of that call's outputs."""

    layer: Any
    node_index: int
    tensor_index: int


class Node:
    """A layer's call on KerasTensors: its arguments, its outputs, and the layers it connects to."""

    def __init__(
        self,
        layer: Any,
        call_args: tuple = (),
        call_kwargs: dict[str, Any] | None = None,
        outputs: Any = None,
    ) -> None:
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.is_input = not self.call_args and not self.call_kwargs
        self._keras_inputs = [
            t for t in flatten((self.call_args, self.call_kwargs)) if isinstance(t, KerasTensor)
        ]
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for t in self._keras_inputs:
            t._keras_history.layer._outbound_nodes.append(self)
        for i, t in enumerate(flatten(outputs)):
            t._keras_history = KerasHistory(layer, node_index, i)

    def serialize(self, node_index_of: Callable[[Any, int], int]) -> Any:
        """``Node.serialize``: the call as a config's inbound-node data. ``node_index_of(layer, index)`` gives the
        index a model's config uses for that layer's call ``index``."""
        inputs, args = self.call_args[0], self.call_args[1:]
        arguments = dict(zip(positional_arg_names(self.layer)[1:], args))
        arguments.update(self.call_kwargs)

        def coords(t: KerasTensor) -> list:
            layer, node_index, tensor_index = t._keras_history
            return [layer.name, node_index_of(layer, node_index), tensor_index]

        def value(x: Any) -> Any:
            if isinstance(x, KerasTensor):
                return coords(x)
            if isinstance(x, Tensor):
                return np.asarray(x.numpy()).tolist()
            if isinstance(x, np.ndarray):
                return x.tolist()
            return x

        kwargs = map_structure(value, arguments)
        try:
            json.dumps(kwargs)
        except TypeError:
            kinds = map_structure(type, arguments)
            raise TypeError(
                f"Layer {self.layer.name} was passed non-JSON-serializable arguments. "
                f"Arguments had types: {kinds}. They cannot be serialized out when saving the model."
            ) from None

        def entry(x: Any) -> list:
            if isinstance(x, KerasTensor):
                return [*coords(x), kwargs]
            return [CONSTANT_VALUE, -1, value(x), kwargs]

        data = map_structure(entry, inputs)
        return data if is_nested(inputs) else [data]

    @property
    def keras_inputs(self) -> list[KerasTensor]:
        """The KerasTensors this call took, in the order of its arguments."""
        return list(self._keras_inputs)

    @property
    def flat_outputs(self) -> list[KerasTensor]:
        return flatten(self.outputs)

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes that made this call's inputs."""
        return [
            t._keras_history.layer._inbound_nodes[t._keras_history.node_index]
            for t in self._keras_inputs
        ]

    @property
    def inbound_layers(self) -> Any:
        layers = [t._keras_history.layer for t in self._keras_inputs]
        return layers[0] if len(layers) == 1 else layers

    def iterate_inbound(self) -> Iterator[tuple[Any, int, int, KerasTensor]]:
        """(inbound layer, node index, tensor index, tensor) for each input."""
        for t in self._keras_inputs:
            layer, node_index, tensor_index = t._keras_history
            yield layer, node_index, tensor_index, t

    @property
    def input_shapes(self) -> Any:
        """The shapes of the call's first argument, nested as it is (an InputLayer's: its own output's, in a
        list, as Keras 2 reports it)."""
        if self.is_input:
            return [t.shape for t in flatten(self.outputs)]
        shapes = map_structure(lambda t: t.shape, self.call_args[0])
        return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes

    @property
    def output_shapes(self) -> Any:
        """The outputs' shapes, nested as the outputs are; an InputLayer's is a one-element list, as Keras 2
        reports it (``[(None, 20)]``)."""
        if self.is_input:
            return [t.shape for t in flatten(self.outputs)]
        return map_structure(lambda t: t.shape, self.outputs)

    def map_arguments(self, values: dict[int, Any]) -> tuple[tuple, dict[str, Any]]:
        """The call's arguments with each KerasTensor replaced by its computed value (keyed by ``id``)."""

        def swap(x: Any) -> Any:
            return values[id(x)] if isinstance(x, KerasTensor) else x

        return map_structure(swap, self.call_args), map_structure(swap, self.call_kwargs)


#: The layer name Keras writes for a first argument that is a constant rather than a KerasTensor.
CONSTANT_VALUE = "_CONSTANT_VALUE"


def positional_arg_names(layer: Any) -> list[str]:
    """The names of ``layer.call``'s arguments that can be given by position (Keras's ``_call_spec.arg_names``)."""
    return [
        name
        for name, p in inspect.signature(layer.call).parameters.items()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def is_entry(x: Any) -> bool:
    """Is ``x`` one serialized tensor, ``[layer name, node index, tensor index(, kwargs)]``?"""
    return isinstance(x, list) and len(x) in (3, 4) and isinstance(x[0], str)
