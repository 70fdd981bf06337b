"""Functional: a model that is a graph of layer calls, from ``keras.Input`` tensors to output tensors.

Mirrors tf_keras/src/engine/functional.py. ``keras.Model(inputs, outputs)`` makes a ``Functional`` and runs
``_init_graph_network``: it checks that the inputs are KerasTensors from ``Input``, walks the nodes back from the
outputs (``_map_graph_network``: a depth-first topological sort, then each node's depth, the longest path to an
output), checks that every tensor can be computed from the inputs ("Graph disconnected") and that layer names are
unique, and keeps ``layers`` in Keras's order (by depth, the inputs first; within a depth, by first visit).
``call`` runs the graph depth by depth (``_run_internal_graph``), each node's layer on the values computed for its
inputs, after ``_conform_to_reference_input`` has cast each input to its ``Input``'s dtype and given or taken a
trailing axis of 1. A model whose inputs are a layer's outputs rather than ``Input``s gets new Inputs and copies of
the nodes in between (engine/functional_utils.py). Called on KerasTensors, a built model leaves the input checks
to its layers as the graph is walked for the new shapes, so the layer that cannot take them is the one named.
A dict of inputs is read by the keys of the dict of Inputs the model was made from, else by the Input layers'
names. ``Sequential`` (engine/sequential.py) is a Functional too.

Masks flow as in Keras: ``call(inputs, mask=...)`` sets each input's ``_keras_mask`` and the layers pass them on,
so the outputs carry the masks the graph gave them (``compute_mask`` runs the graph).

Left out: ``TFOpLambda`` layers (operators on KerasTensors), nested input structures deeper than one list
or dict, subclassing ``Model`` with ``super().__init__(inputs, outputs)``, and the SavedModel-only options of
``get_config``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor, convert_to_tensor
from fittrace.engine import trace_payloads
from fittrace.engine.base_layer import Layer, unique_name
from fittrace.engine.functional_utils import clone_graph_nodes, is_input_keras_tensor
from fittrace.engine.input_spec import InputSpec, assert_input_compatibility
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.engine.node import CONSTANT_VALUE, Node, is_entry
from fittrace.engine.training import Model
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization
from fittrace.saving.legacy.model_config import deserialize_layer
from fittrace.tracing import recorder as rec
from fittrace.utils.nest import flatten, map_structure, pack_sequence_as

KERAS_FUNCTIONAL = "keras.engine.functional"


@keras_export("keras.src.engine.functional.Functional")
class Functional(Model):
    """A model defined by its inputs and outputs: ``keras.Model(inputs, outputs)``."""

    #: tf-keras writes a functional model's config under its source module and registered name
    _serialized_module = "tf_keras.src.engine.functional"
    #: the outputs' masks are those the graph's layers gave them (``__call__`` does not ask compute_mask)
    _compute_output_and_mask_jointly = True

    def __init__(
        self,
        inputs: Any,
        outputs: Any,
        name: str | None = None,
        trainable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or unique_name("model"), trainable=trainable, **kwargs)
        # a model cut from the middle of a graph gets new Inputs and copies of the nodes in between
        if not all(is_input_keras_tensor(t) for t in flatten(inputs)):
            inputs, outputs = clone_graph_nodes(inputs, outputs)
        self._init_graph_network(inputs, outputs)

    # --- the graph -------------------------------------------------------------------------------------------------
    def _init_graph_network(self, inputs: Any, outputs: Any) -> None:
        """Check the inputs and outputs, map the graph, and take its layers as the model's."""
        if isinstance(inputs, list) and len(flatten(inputs)) == 1:
            inputs = inputs[0]
        if isinstance(outputs, list) and len(flatten(outputs)) == 1:
            outputs = outputs[0]
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        self._validate_graph_inputs_and_outputs()
        self._is_graph_network = True
        nodes, by_depth, layers, _ = map_graph_network(self.inputs, self.outputs)
        self._network_nodes = nodes
        self._nodes_by_depth = by_depth
        object.__setattr__(self, "_graph_layers", layers)
        self._input_layers = [x._keras_history.layer for x in self.inputs]
        self._output_layers = [x._keras_history.layer for x in self.outputs]
        self.input_names = [layer.name for layer in self._input_layers]
        self._output_names = [layer.name for layer in self._output_layers]
        self._chain = self._chain_layers()
        self._build_input_shape = (
            self.inputs[0].shape if len(self.inputs) == 1 else [x.shape for x in self.inputs]
        )
        self.built = True
        rec.emit(
            "graph_network",
            "_init_graph_network",
            keras=f"{KERAS_FUNCTIONAL}.Functional._init_graph_network",
            data=trace_payloads.graph_network(self),
        )

    def _validate_graph_inputs_and_outputs(self) -> None:
        if len({id(i) for i in self.inputs}) != len(self.inputs):
            raise ValueError(
                "The list of inputs passed to the model contains the same input multiple times. All "
                f"inputs should only appear once.Received inputs={self.inputs}"
            )
        for x in self.inputs:
            if getattr(x, "_keras_history", None) is None:
                raise ValueError(
                    f"Input tensors to a {type(self).__name__} model must come from `tf.keras.Input`. "
                    f"Received inputs={x} (missing previous layer metadata)."
                )
            layer = x._keras_history.layer
            if len(layer._inbound_nodes) > 1 or not layer._inbound_nodes[0].is_input:
                rec.emit(
                    "warning",
                    "model inputs must come from Input",
                    keras=f"{KERAS_FUNCTIONAL}.Functional._validate_graph_inputs_and_outputs",
                    data={
                        "message": f'a tensor given as input to "{self.name}" was not an Input tensor: it '
                        f'was made by layer "{layer.name}"'
                    },
                )
        for x in self.outputs:
            if getattr(x, "_keras_history", None) is None:
                raise ValueError(
                    f"Output tensors of a {type(self).__name__} model must be the output of a TensorFlow "
                    f"`Layer` (thus holding past layer metadata). Found: {x}"
                )

    def _chain_layers(self) -> list[Layer] | None:
        """The layers in order when the graph is one chain of single-tensor calls (a Sequential's graph), else
        None; a chain runs without the general node bookkeeping."""
        if len(self.inputs) != 1 or len(self.outputs) != 1:
            return None
        chain = []
        for depth in sorted(self._nodes_by_depth, reverse=True):
            nodes = self._nodes_by_depth[depth]
            if len(nodes) != 1:
                return None
            node = nodes[0]
            if node.is_input:
                continue
            if (
                len(node.keras_inputs) != 1
                or node.call_kwargs
                or len(node.call_args) != 1
                or not isinstance(node.outputs, KerasTensor)
            ):
                return None
            chain.append(node.layer)
        if len(set(map(id, chain))) != len(chain):
            return None
        return chain

    def _is_chain(self) -> bool:
        """As ``print_summary``'s ``sequential_like``: one node per depth, each with one input, no shared layer."""
        relevant = [n for nodes in self._nodes_by_depth.values() for n in nodes]
        for nodes in self._nodes_by_depth.values():
            if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].keras_inputs) > 1):
                return False
        for layer in self.layers:
            if sum(1 for node in layer._inbound_nodes if node in relevant) > 1:
                return False
        return True

    @property
    def layers(self) -> list[Layer]:
        return list(self._graph_layers)

    def _flatten_layers(self) -> list[Layer]:
        return list(self._graph_layers)

    @property
    def output_names(self) -> list[str]:
        return list(self._output_names)

    @output_names.setter
    def output_names(self, names: list[str]) -> None:
        self._output_names = list(names)

    @property
    def input_spec(self) -> Any:
        """One InputSpec per input, the batch dimension free (``Functional.input_spec``)."""
        manual = self.__dict__.get("_manual_input_spec")
        if manual is not None or not getattr(self, "_is_graph_network", False):
            return manual
        specs = [
            InputSpec(shape=(None, *x.shape[1:]), allow_last_axis_squeeze=True) for x in self.inputs
        ]
        return specs[0] if len(specs) == 1 else specs

    @input_spec.setter
    def input_spec(self, value: Any) -> None:
        self.__dict__["_manual_input_spec"] = value

    @property
    def input_shape(self) -> Any:
        """The inputs' shapes, nested as the inputs were given (a dict of Inputs gives a dict)."""
        return map_structure(lambda t: t.shape, self._nested_inputs)

    @property
    def output_shape(self) -> Any:
        """The outputs' shapes, nested as the outputs were given."""
        return map_structure(lambda t: t.shape, self._nested_outputs)

    @property
    def input(self) -> Any:
        return self._nested_inputs

    @property
    def output(self) -> Any:
        return self._nested_outputs

    def _maybe_build(self, input_shape: Any) -> None:
        self.built = True

    def build(self, input_shape: Any = None) -> None:
        """A functional model is built when it is made; ``build`` only checks that."""
        self.built = True

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in ``layers`` (``Model.get_layer``)."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {list(layer.name for layer in self.layers)}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # --- its config -------------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The graph as Keras writes it: each layer's config with its inbound nodes, and the input and output
        coordinates (``Functional.get_config``)."""
        if not getattr(self, "use_legacy_config", False):
            return get_network_config(self, serialization_lib.serialize_keras_object)
        return get_network_config(self, _serialize_legacy)

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Any:
        """The model a config describes: its layers made (from the ``.keras`` format or the legacy one, as each
        layer's config is written), their calls replayed (``Functional.from_config``)."""
        inputs, outputs = reconstruct_from_config(
            config, lambda data: deserialize_layer(data, custom_objects=custom_objects)
        )
        model = cls(inputs=inputs, outputs=outputs, name=config.get("name"))
        if config.get("trainable") is False:
            model.trainable = False
        return model

    # --- running it ------------------------------------------------------------------------------------------------
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        # a dict of inputs is read by input name before the input specs (one per input, in order) check it
        if isinstance(inputs, dict) and getattr(self, "_is_graph_network", False):
            inputs = self._flatten_to_reference_inputs(inputs)
        if isinstance(inputs, (list, tuple)) and any(isinstance(x, np.ndarray) for x in inputs):
            # as Keras: arrays in a list of inputs become tensors before the input specs see them
            inputs = [convert_to_tensor(x) if isinstance(x, np.ndarray) else x for x in inputs]
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        """Run the graph on real tensors (``Functional.call`` -> ``_run_internal_graph``)."""
        return self._run_internal_graph(inputs, training, mask)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The outputs' masks: the graph is run (as Keras's ``Functional.compute_mask`` runs it) and the masks its
        outputs carry are returned."""
        outputs = self.call(inputs, mask=mask)
        return map_structure(lambda t: getattr(t, "_keras_mask", None), outputs)

    def _flatten_to_reference_inputs(self, inputs: Any) -> list[Any]:
        """The inputs in ``self.inputs``' order: a dict is read by the keys of the dict of Inputs the model was
        made from (sorted, as ``self.inputs`` is), else by the Input layers' names, as Keras does."""
        if isinstance(inputs, dict):
            nested = self._nested_inputs
            names = sorted(nested) if isinstance(nested, dict) else self.input_names
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(
                    f'Missing data for input "{missing[0]}". You passed a data dictionary with keys '
                    f"{list(inputs.keys())}. Expected the following keys: {names}"
                )
            return [inputs[n] for n in names]
        if len(self.inputs) == 1 and not isinstance(inputs, (list, tuple)):
            return [inputs]
        return flatten(inputs)

    def _run_internal_graph(
        self, inputs: Any, training: bool | None = None, mask: Any = None
    ) -> Any:
        flat = self._flatten_to_reference_inputs(inputs)
        # as Keras: each input tensor takes its mask (none when none was given); the layers pass them on
        masks = [None] * len(flat) if mask is None else self._flatten_to_reference_inputs(mask)
        for x, m in zip(flat, masks):
            if isinstance(x, Tensor):
                x._keras_mask = m
        values = [self._conform_to_reference_input(x, ref) for x, ref in zip(flat, self.inputs)]
        if self._chain is not None:
            x = values[0]
            for layer in self._chain:
                x = layer(x, training=training)
            return x
        computed: dict[int, Any] = {id(ref): v for ref, v in zip(self.inputs, values)}
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                if node.is_input or any(id(t) not in computed for t in node.keras_inputs):
                    continue
                args, kwargs = node.map_arguments(computed)
                if "training" not in kwargs:
                    kwargs["training"] = training
                out = node.layer(*args, **kwargs)
                for t, v in zip(node.flat_outputs, flatten(out)):
                    computed[id(t)] = v
        return pack_sequence_as(self._nested_outputs, [computed[id(t)] for t in self.outputs])

    def _conform_to_reference_input(self, x: Any, ref: KerasTensor) -> Any:
        """``_conform_to_reference_input``: a trailing axis of 1 given or taken to match the Input's rank, and
        the Input's dtype."""
        x = x if isinstance(x, Tensor) else convert_to_tensor(x)
        rank, ref_rank = x.ndim, len(ref.shape)
        if rank == ref_rank + 1 and x.shape[-1] == 1:
            x = ops.reshape(x, tuple(x.shape[:-1]))
        elif rank == ref_rank - 1 and ref.shape[-1] == 1:
            x = ops.reshape(x, (*x.shape, 1))
        if x.dtype.kind in "iubf" and ref.dtype != "string" and x.dtype != np.dtype(ref.dtype):
            x = Tensor(x.value.astype(ref.dtype))
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The graph's output shapes for input shapes: its own when they match, else each node's layer asked in
        turn (no new nodes are made)."""
        return self._graph_output_shape(input_shape, check=False)

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        return self._graph_output_shape(shapes, check=True)

    def _check_symbolic_input(self, inputs: Any) -> None:
        """A built graph network leaves the check to its layers, as the graph is walked for the new shapes
        (Keras checks a layer's input spec on a symbolic call only while the layer is unbuilt)."""
        if not self.built:
            super()._check_symbolic_input(inputs)

    def _graph_output_shape(self, input_shape: Any, check: bool) -> Any:
        """The output shapes for ``input_shape``, each node's layer asked in turn; with ``check``, each layer's
        input spec checks the shapes it is given, as each layer checks the placeholders Keras runs the graph
        on."""
        shapes = input_shape if len(self.inputs) > 1 else [input_shape]
        if [tuple(s) for s in shapes] == [x.shape for x in self.inputs]:
            out = [x.shape for x in self.outputs]
        else:
            known: dict[int, tuple] = {
                id(ref): _conform_shape(tuple(s), ref.shape) for ref, s in zip(self.inputs, shapes)
            }
            for depth in sorted(self._nodes_by_depth, reverse=True):
                for node in self._nodes_by_depth[depth]:
                    if node.is_input:
                        continue
                    stand_ins = {
                        id(t): KerasTensor(known[id(t)], t.dtype) for t in node.keras_inputs
                    }
                    args, kwargs = node.map_arguments(stand_ins)
                    if check:
                        assert_input_compatibility(node.layer.input_spec, args[0], node.layer.name)
                    shape_args = _shapes_of(args[0])
                    result = node.layer._infer_output_shape(shape_args, args[0], args[1:], kwargs)
                    for t, s in zip(node.flat_outputs, _flat_shapes(result)):
                        known[id(t)] = s
            out = [known[id(x)] for x in self.outputs]
        return pack_sequence_as(self._nested_outputs, out)


def _conform_shape(shape: tuple, ref: tuple) -> tuple:
    """The shape ``_conform_to_reference_input`` gives a tensor: a trailing 1 taken or given to match the
    Input's rank."""
    if len(shape) == len(ref) + 1 and shape[-1] == 1:
        return shape[:-1]
    if len(shape) == len(ref) - 1 and ref[-1] == 1:
        return (*shape, 1)
    return shape


def _shapes_of(x: Any) -> Any:
    if isinstance(x, KerasTensor):
        return x.shape
    if isinstance(x, (list, tuple)):
        return type(x)(_shapes_of(i) for i in x)
    if isinstance(x, dict):
        return {k: _shapes_of(v) for k, v in x.items()}
    return x


def _flat_shapes(shapes: Any) -> list[tuple]:
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return [shapes]
    if isinstance(shapes, (list, tuple)):
        return [s for item in shapes for s in _flat_shapes(item)]
    if isinstance(shapes, dict):
        return [s for k in sorted(shapes) for s in _flat_shapes(shapes[k])]
    return [shapes]


def map_graph_network(
    inputs: list[KerasTensor], outputs: list[KerasTensor]
) -> tuple[set, dict[int, list[Node]], list[Layer], dict[int, list[Layer]]]:
    """``_map_graph_network``: the nodes reachable from the outputs, by depth; the layers in Keras's order."""
    ordered, first_seen = _build_map(outputs)
    network_nodes = {f"{n.layer.name}_ib-{n.layer._inbound_nodes.index(n)}" for n in ordered}
    node_depth: dict[Node, int] = {}
    layer_depth: dict[Layer, int] = {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = depth
        node_depth[node] = depth
        for parent in node.parent_nodes:
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for x in inputs:
        layer = x._keras_history.layer
        if layer not in layer_depth:
            layer_depth[layer] = 0
            first_seen[layer] = -1
            node_depth[layer._inbound_nodes[0]] = 0
            network_nodes.add(f"{layer.name}_ib-0")
    by_depth: dict[int, list[Node]] = {}
    for node, depth in node_depth.items():
        by_depth.setdefault(depth, []).append(node)
    layers_by_depth: dict[int, list[Layer]] = {}
    for layer, depth in layer_depth.items():
        layers_by_depth.setdefault(depth, []).append(layer)
    layers: list[Layer] = []
    for depth in sorted(layers_by_depth, reverse=True):
        layers += sorted(layers_by_depth[depth], key=lambda lay: first_seen[lay])
    computable = {id(x) for x in inputs}
    done: list[str] = []
    for depth in sorted(by_depth, reverse=True):
        for node in by_depth[depth]:
            if node.is_input:
                continue
            for x in node.keras_inputs:
                if id(x) not in computable:
                    raise ValueError(
                        f"Graph disconnected: cannot obtain value for tensor {x} at layer "
                        f'"{node.layer.name}". The following previous layers were accessed without '
                        f"issue: {done}"
                    )
            computable.update(id(x) for x in node.flat_outputs)
            done.append(node.layer.name)
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the model. All layer names '
                "should be unique."
            )
    return network_nodes, by_depth, layers, layers_by_depth


def _build_map(outputs: list[KerasTensor]) -> tuple[list[Node], dict[Layer, int]]:
    """Depth-first from each output: the nodes from the inputs to the outputs, and each layer's first visit."""
    finished: set[int] = set()
    in_progress: set[int] = set()
    ordered: list[Node] = []
    first_seen: dict[Layer, int] = {}

    def visit(tensor: KerasTensor) -> None:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f'Tensor {tensor} from layer "{layer.name}" is part of a cycle.')
        first_seen.setdefault(layer, len(first_seen))
        in_progress.add(id(node))
        if not node.is_input:
            for t in node.keras_inputs:
                visit(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        ordered.append(node)

    for out in outputs:
        visit(out)
    return ordered, first_seen


def get_source_inputs(tensor: KerasTensor) -> list[KerasTensor]:
    """The Input tensors a KerasTensor was computed from (``layer_utils.get_source_inputs``)."""
    layer, node_index, _ = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    if node.is_input:
        return [tensor]
    found: list[KerasTensor] = []
    for t in node.keras_inputs:
        for source in get_source_inputs(t):
            if all(source is not f for f in found):
                found.append(source)
    return found


Model._functional_class = Functional


# --- the graph as a config -------------------------------------------------------------------------------------------
def _serialize_legacy(layer: Layer) -> Any:
    """A layer's legacy config, for a ``.h5`` model file (the model's ``use_legacy_config`` is set while it is
    written); a nested functional model writes its own layers in the legacy format too, as in Keras."""
    nested = isinstance(layer, Functional) and not getattr(layer, "use_legacy_config", False)
    if nested:
        layer.__dict__["use_legacy_config"] = True
    try:
        return legacy_serialization.serialize_keras_object(layer)
    finally:
        if nested:
            del layer.__dict__["use_legacy_config"]


def _node_key(layer: Layer, index: int) -> str:
    return f"{layer.name}_ib-{index}"


def get_network_config(model: Functional, serialize_layer: Any) -> dict[str, Any]:
    """``get_network_config``: each layer's config with its name and the inbound nodes this model uses
    (``[[inbound layer, node index, tensor index, call kwargs], ...]`` per call, node indices renumbered to count
    only this model's nodes), and the input and output coordinates. A nested model's calls count from 1, as
    Keras counts them: there, node 0 of a graph network links its own inputs to its outputs
    (``_should_skip_first_node``); fittrace's models have no such node."""
    kept: dict[str, int] = {}
    for layer in model.layers:
        count = 1 if _should_skip_first_node(layer) else 0
        for index, _node in enumerate(layer._inbound_nodes):
            key = _node_key(layer, index)
            if key in model._network_nodes:
                kept[key] = count
                count += 1
    layer_configs = []
    for layer in model.layers:
        inbound = []
        for index, node in enumerate(layer._inbound_nodes):
            if _node_key(layer, index) not in model._network_nodes or node.is_input:
                continue
            inbound.append(node.serialize(lambda lay, n: kept.get(_node_key(lay, n), 0)))
        config = serialize_layer(layer)
        config["name"] = layer.name
        config["inbound_nodes"] = inbound
        layer_configs.append(config)

    def coordinates(tensors: list[KerasTensor], nested: Any) -> Any:
        flat = []
        for x in tensors:
            layer, n, t = x._keras_history
            flat.append([layer.name, kept[_node_key(layer, n)], t])
        packed = pack_sequence_as(nested, flat) if isinstance(nested, (list, tuple, dict)) else flat
        return packed

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": coordinates(model.inputs, model._nested_inputs),
        "output_layers": coordinates(model.outputs, model._nested_outputs),
    }


def _should_skip_first_node(layer: Layer) -> bool:
    """Does Keras number this layer's calls from 1 in a config? A model that is a graph network: its node 0 (in
    Keras) is its own, from its inputs to its outputs."""
    return isinstance(layer, Functional) and bool(getattr(layer, "_is_graph_network", False))


def _first_node_indices(config: dict[str, Any]) -> dict[str, int]:
    """The index the config gives each layer's first call: 1 where the saver numbered a nested model's calls from
    1 (a reference to node ``n`` of a layer with ``n`` calls shows it), else 0. Read from the config itself, so
    that files from Keras and from fittrace replay alike, whatever the state of the rebuilt layer."""
    calls = {data["name"]: len(data.get("inbound_nodes") or []) for data in config["layers"]}
    first = dict.fromkeys(calls, 0)

    def note(name: Any, index: Any) -> None:
        if name in calls and calls[name] and index == calls[name]:
            first[name] = 1

    for data in config["layers"]:
        for node_data in data.get("inbound_nodes") or []:
            for name, index, _ in _tensor_refs(node_data):
                note(name, index)

    def outputs(coords: Any) -> None:
        if isinstance(coords, list) and len(coords) == 3 and isinstance(coords[0], str):
            note(coords[0], coords[1])
        elif isinstance(coords, dict):
            for value in coords.values():
                outputs(value)
        elif isinstance(coords, list):
            for value in coords:
                outputs(value)

    outputs(config.get("output_layers"))
    return first


def _tensor_refs(data: Any) -> Iterator[tuple[str, int, int]]:
    """Every ``[layer, node, tensor]`` a call's inbound-node data refers to: its first argument's entries and the
    KerasTensors among its other arguments."""
    if is_entry(data):
        if data[0] != CONSTANT_VALUE:
            yield data[0], data[1], data[2]
        if len(data) == 4:
            yield from _tensor_refs(data[3])
    elif isinstance(data, dict):
        for value in data.values():
            yield from _tensor_refs(value)
    elif isinstance(data, (list, tuple)):
        for value in data:
            yield from _tensor_refs(value)


def _node_call(node_data: Any, tensors: dict[tuple[str, int], Any]) -> tuple[Any, dict[str, Any]]:
    """``process_node``: the first argument of a call, nested as the config nests its entries (one tensor alone
    rather than in a list, unless it is a dict), and the other arguments, KerasTensors looked up by their
    coordinates. As in Keras, the arguments are the last entry's."""
    kwargs: dict[str, Any] = {}

    def tensor(name: str, node_index: int, tensor_index: int) -> Any:
        return flatten(tensors[(name, node_index)])[tensor_index]

    def argument(x: Any) -> Any:
        if is_entry(x) and x[0] != CONSTANT_VALUE:
            return tensor(x[0], x[1], x[2])
        if isinstance(x, dict):
            return {k: argument(v) for k, v in x.items()}
        if isinstance(x, list):
            return [argument(v) for v in x]
        return x

    def first(x: Any) -> Any:
        nonlocal kwargs
        if is_entry(x):
            if len(x) not in (3, 4):
                raise ValueError("Improperly formatted model config.")
            kwargs = argument(x[3]) if len(x) == 4 else {}
            return x[2] if x[0] == CONSTANT_VALUE else tensor(x[0], x[1], x[2])
        if isinstance(x, dict):
            return {k: first(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [first(v) for v in x]
        raise ValueError("Improperly formatted model config.")

    inputs = first(node_data)
    if not isinstance(inputs, dict) and len(flatten(inputs)) == 1:
        inputs = flatten(inputs)[0]
    return inputs, kwargs


def reconstruct_from_config(config: dict[str, Any], deserialize_layer: Any) -> tuple[Any, Any]:
    """``reconstruct_from_config``: make each layer from its config, then replay its calls in an order that has
    every call's inputs ready; returns the model's (inputs, outputs) as the config nests them."""
    made: dict[str, Layer] = {}
    pending: list[tuple[Layer, list]] = []
    for layer_data in config["layers"]:
        layer = deserialize_layer(layer_data)
        made[layer_data["name"]] = layer
        for node_data in layer_data.get("inbound_nodes") or []:
            pending.append((layer, node_data))
    tensors: dict[tuple[str, int], Any] = {}
    for name, layer in made.items():
        if getattr(layer, "_is_input_layer", False):
            tensors[(name, 0)] = layer._inbound_nodes[0].outputs
    calls: dict[str, int] = _first_node_indices(config)
    while pending:
        progressed = False
        for item in list(pending):
            layer, node_data = item
            if not all((name, n) in tensors for name, n, _ in _tensor_refs(node_data)):
                continue
            inputs, kwargs = _node_call(node_data, tensors)
            output = layer(inputs, **kwargs)
            index = calls.get(layer.name, 0)
            calls[layer.name] = index + 1
            tensors[(layer.name, index)] = output
            pending.remove(item)
            progressed = True
        if not progressed:
            raise ValueError(
                "The model's config cannot be replayed: the calls of "
                f"{sorted({lay.name for lay, _ in pending})} need inputs no other layer makes."
            )

    def pick(coords: Any) -> Any:
        if (
            isinstance(coords, list)
            and len(coords) == 3
            and isinstance(coords[0], str)
            and isinstance(coords[1], int)
        ):
            return flatten(tensors[(coords[0], coords[1])])[coords[2]]
        if isinstance(coords, dict):
            return {k: pick(v) for k, v in coords.items()}
        return [pick(c) for c in coords]

    return pick(config["input_layers"]), pick(config["output_layers"])
