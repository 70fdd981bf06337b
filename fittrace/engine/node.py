"""Node: one call of a layer on symbolic tensors, the edge list of a functional model's graph.

Mirrors tf_keras/src/engine/node.py. Calling a layer on KerasTensors makes a Node that records the call's
arguments and outputs, appends itself to the layer's ``_inbound_nodes`` and to each inbound layer's
``_outbound_nodes``, and stamps every output with ``_keras_history = (layer, node_index, tensor_index)``. A layer
called twice (a shared layer) has two nodes; an ``InputLayer`` has one node with no inbound tensors
(``is_input``). ``Functional`` walks the nodes back from its outputs to map the graph.

Left out: ``_single_positional_tensor_passed`` and the other fast paths Keras keeps for speed, and the
``KerasHistory`` of tensors made by TF ops (fittrace has no TFOpLambda).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from fittrace.engine.keras_tensor import KerasTensor
from fittrace.utils.nest import flatten, map_structure


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
