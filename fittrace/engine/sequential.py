"""Sequential: a stack of layers, which is a functional model built on an ``Input`` of the shape it sees.

Mirrors ``keras.engine.sequential`` (tf_keras/src/engine/sequential.py): ``Sequential`` is a ``Functional``
(engine/functional.py). With an explicit input (``Input`` or ``input_shape=`` on the first layer) each ``add``
calls the new layer on the current output KerasTensor, so the layer is built right then, and the graph network
is initialised again. Without one, the first call runs ``_build_graph_network_for_inferred_shape``: it makes an
``Input`` of the shape seen (named after the first layer, ``dense_input``) and calls each layer on it, a real
functional construction; a later, different shape of the same rank is relaxed dimension by dimension (differing
dimensions become None), the nodes the model made before are cleared from its layers, and the graph is built again.
Inside a traced ``train_function`` the shape seen is the dataset's spec (batch dimension None when the data ends
in a partial batch); eagerly it is the concrete batch. When a symbolic call fails, Keras falls back to calling the
layers one by one (``_use_legacy_deferred_behavior``), and so does fittrace, leaving the nodes the layers before the
failing one made, as Keras leaves them; a layer with several outputs is refused rather than fallen back from.

Masks pass from layer to layer as in a Functional (in legacy deferred mode too).

Left out: layers with several outputs (Keras refuses them too), ``get_config``'s ``build_input_shape`` for
SavedModel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace.autodiff import Tensor
from fittrace.engine import functions, trace_payloads
from fittrace.engine.base_layer import Layer
from fittrace.engine.functional import Functional, get_source_inputs
from fittrace.engine.functions import replaying_graph, symbolic_shape, tracing_batch_unknown
from fittrace.engine.input_layer import Input, InputLayer
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.engine.training import Model
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization
from fittrace.saving.legacy.model_config import deserialize_layer
from fittrace.tracing import recorder as rec
from fittrace.tracing.describe import graph_build_done, graph_build_reason, graph_build_skipped
from fittrace.tracing.events import KERAS_SEQUENTIAL
from fittrace.utils.nest import flatten

SINGLE_LAYER_OUTPUT_ERROR_MSG = (
    "All layers in a Sequential model should have a single output tensor. For multi-output layers, use "
    "the functional API."
)


def relax_input_shape(
    old: Sequence[int | None] | None, new: Sequence[int | None] | None
) -> tuple | None:
    """``_relax_input_shape``: equal dims kept, differing dims -> None; None when the ranks differ."""
    if old is None or new is None or len(old) != len(new):
        return None
    return tuple(a if a == b else None for a, b in zip(old, new))


@keras_export("keras.Sequential", "keras.models.Sequential")
class Sequential(Functional):
    """A linear stack of layers: ``Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])``."""

    def __init__(self, layers: Sequence[Any] | None = None, name: str | None = None) -> None:
        Model.__init__(
            self, name=name
        )  # a Functional without a graph yet, as Keras's Sequential starts
        self._layers_list: list[Layer] = []
        self._is_graph_network = False
        self._graph_initialized = False
        self._inferred_input_shape: tuple | None = None
        self._has_explicit_input_shape = False
        self._use_legacy_deferred_behavior = False
        self._graph_build_error: Exception | None = None
        self._created_nodes: list[Any] = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        """The layers added, without the InputLayer the graph starts with (as Keras 2 lists them)."""
        return list(self._layers_list)

    def _flatten_layers(self) -> list[Layer]:
        return list(self._layers_list)

    @property
    def input_spec(self) -> Any:
        manual = self.__dict__.get("_manual_input_spec")
        if manual is not None:
            return manual
        if self._has_explicit_input_shape:
            return Functional.input_spec.fget(self)
        return None

    @input_spec.setter
    def input_spec(self, value: Any) -> None:
        self.__dict__["_manual_input_spec"] = value

    @property
    def output_names(self) -> list[str] | None:
        # None until the model has its graph network, as in Keras: compiled before its first call, a Sequential's
        # containers then name its output output_1
        if self._is_graph_network:
            return list(self._output_names)
        return None

    @output_names.setter
    def output_names(self, names: list[str]) -> None:
        self._output_names = list(names)

    def _no_shape(self, what: str) -> AttributeError:
        return AttributeError(
            f'The layer "{self.name}" has never been called and thus has no defined {what} shape: call '
            "the model on data, fit it, or build it with an input shape first."
        )

    @property
    def input_shape(self) -> tuple:
        """The input shape the graph network was built for: ``(None, 5)`` after a fit or an explicit input,
        ``(7, 5)`` after a first direct call on 7 rows, as Keras 2 reports it."""
        if not self._graph_initialized:
            raise self._no_shape("input")
        return self.inputs[0].shape

    @property
    def output_shape(self) -> tuple:
        """The output shape of the graph network (see ``input_shape``)."""
        if not self._graph_initialized:
            raise self._no_shape("output")
        return self.outputs[0].shape

    # --- add / pop -------------------------------------------------------------------------------------------------
    def add(self, layer: Any) -> None:
        """Append a layer; with a graph already initialised, the new layer is called on its output now."""
        with rec.span(
            "api_call",
            "Sequential.add",
            keras=f"{KERAS_SEQUENTIAL}.Sequential.add",
            data={
                "method": "add",
                "model": self.name,
                "detail": getattr(layer, "name", str(type(layer))),
            },
        ):
            if isinstance(layer, KerasTensor) and isinstance(
                layer._keras_history.layer, InputLayer
            ):
                layer = layer._keras_history.layer
            if not isinstance(layer, Layer):
                raise TypeError(
                    "The added layer must be an instance of class Layer. "
                    f"Received: layer={layer} of type {type(layer)}."
                )
            if any(layer.name == other.name for other in self._layers_list):
                raise ValueError(
                    f"All layers added to a Sequential model should have unique names. Name "
                    f'"{layer.name}" is already the name of a layer in this model. Update the `name` '
                    "argument to pass a unique name."
                )
            if isinstance(layer, InputLayer):
                self._set_explicit_input(layer)
                return
            if not self._layers_list and not self._graph_initialized:
                if layer._batch_input_shape is not None:
                    origin = Input(
                        batch_shape=layer._batch_input_shape,
                        dtype=layer.dtype,
                        name=f"{layer.name}_input",
                    )._keras_history.layer
                    self._set_explicit_input(origin)
            self._layers_list.append(layer)
            if self._graph_initialized:
                self._emit_graph_build("rebuilt", f"add() appended layer '{layer.name}'")
                out = layer(self.outputs[0])
                if len(flatten(out)) != 1:
                    self._layers_list.pop()
                    raise ValueError(SINGLE_LAYER_OUTPUT_ERROR_MSG)
                self._init_graph_network(self.inputs, out)
            else:
                self.built = False

    def _set_explicit_input(self, input_layer: InputLayer) -> None:
        if self._layers_list or self._graph_initialized:
            raise ValueError("An InputLayer can only be the first layer of a Sequential model.")
        self._has_explicit_input_shape = True
        self._emit_graph_build("built", "the model has an explicit input shape")
        tensor = input_layer._inbound_nodes[-1].outputs
        self._init_graph_network(get_source_inputs(tensor), tensor)
        self._graph_initialized = True

    def pop(self) -> None:
        """Remove the last layer (its weights stay with the layer object)."""
        with rec.span(
            "api_call",
            "Sequential.pop",
            keras=f"{KERAS_SEQUENTIAL}.Sequential.pop",
            data={
                "method": "pop",
                "model": self.name,
                "detail": self._layers_list[-1].name if self._layers_list else None,
            },
        ):
            if not self._layers_list:
                raise TypeError("There are no layers in the model.")
            removed = self._layers_list.pop()
            if not self._layers_list:
                self.inputs = self.outputs = None
                self.built = self._graph_initialized = self._is_graph_network = False
                self._inferred_input_shape = None
                self._has_explicit_input_shape = False
            elif self._graph_initialized:
                self._emit_graph_build("rebuilt", f"pop() removed layer '{removed.name}'")
                last = self._layers_list[-1]
                last._outbound_nodes = []
                self._init_graph_network(self.inputs, last._inbound_nodes[-1].outputs)

    def _graph_input_shape(self) -> tuple | None:
        return self.inputs[0].shape if self._graph_initialized else self._inferred_input_shape

    # --- build -----------------------------------------------------------------------------------------------------
    def build(self, input_shape: Sequence[int | None] | None = None) -> None:
        """Build every layer for ``input_shape`` (the batch dimension may be None), as ``Sequential.build``."""
        with rec.span(
            "api_call",
            "Sequential.build",
            keras=f"{KERAS_SEQUENTIAL}.Sequential.build",
            data={
                "method": "build",
                "model": self.name,
                "detail": None if input_shape is None else list(input_shape),
            },
        ):
            if self._graph_initialized:
                self._emit_graph_build("rebuilt", "build() re-initialises the graph")
                self._init_graph_network(self.inputs, self.outputs)
            else:
                if input_shape is None:
                    raise ValueError("You must provide an `input_shape` argument.")
                self._build_graph_network_for_inferred_shape(tuple(input_shape))
                if self._graph_build_error is not None:
                    # Keras then builds by calling the model on a placeholder, which meets the same error
                    raise self._graph_build_error
            self._build_input_shape = (
                tuple(input_shape) if input_shape is not None else self._graph_input_shape()
            )
            self.built = True

    def _build_graph_network_for_inferred_shape(
        self, input_shape: tuple, input_dtype: Any = None
    ) -> None:
        """Build (or rebuild) the graph network for a newly seen input shape, on an Input of that shape."""
        if self._use_legacy_deferred_behavior or replaying_graph() or not self._layers_list:
            return
        received = symbolic_shape(tuple(input_shape))
        mode = "graph" if tracing_batch_unknown() or _tracing_any() else "eager"
        if self._inferred_input_shape is None:
            new_shape = received
        else:
            new_shape = relax_input_shape(self._inferred_input_shape, received)
        if new_shape is None:
            rec.emit(
                "graph_build",
                "_build_graph_network_for_inferred_shape",
                keras=f"{KERAS_SEQUENTIAL}.Sequential._build_graph_network_for_inferred_shape",
                data=graph_build_skipped(self.name, self._inferred_input_shape, received, mode),
            )
            return
        if new_shape == self._inferred_input_shape:
            return
        action, reason = graph_build_reason(self._inferred_input_shape, received, new_shape)
        before = self._inferred_input_shape
        self._emit_graph_build(action, reason, before, received, new_shape, mode)
        dtype = "float32" if input_dtype is None or input_dtype.kind in "fb" else str(input_dtype)
        inputs = Input(
            batch_shape=new_shape, dtype=dtype, name=f"{self._layers_list[0].name}_input"
        )
        x: Any = inputs
        created: list[Any] = []
        for layer in self._layers_list:
            _clear_previously_created_nodes(layer, self._created_nodes)
            try:
                x = layer(x)
            except Exception as exc:
                # as Keras: any failure means the layers are called one by one; the nodes the layers
                # before this one made stay (Keras does not clear them either)
                self._fall_back_to_legacy(new_shape, exc, layer.name)
                return
            if len(flatten(x)) != 1:
                raise ValueError(SINGLE_LAYER_OUTPUT_ERROR_MSG)
            created.append(layer._inbound_nodes[-1])
        self._created_nodes = created
        try:
            self._init_graph_network(inputs, x)
            self._graph_initialized = True
        except Exception as exc:
            self._fall_back_to_legacy(new_shape, exc)
        self._inferred_input_shape = new_shape

    def _fall_back_to_legacy(
        self, new_shape: tuple, exc: Exception, failing: str | None = None
    ) -> None:
        """Keras's ``_use_legacy_deferred_behavior``: the layers are called one by one from now on. ``failing``
        is the layer whose symbolic call raised (None when mapping the graph failed)."""
        self._use_legacy_deferred_behavior = True
        self._graph_build_error = exc
        rec.emit(
            "warning",
            "legacy deferred behavior",
            keras=f"{KERAS_SEQUENTIAL}.Sequential",
            layer=failing,
            data=trace_payloads.legacy_deferred(self.name, new_shape, exc, failing),
        )

    def _emit_graph_build(
        self,
        action: str,
        reason: str,
        shape_before: Any = None,
        shape_received: Any = None,
        shape_built: Any = None,
        mode: str | None = None,
    ) -> None:
        shape = shape_built if shape_built is not None else self._graph_input_shape()
        rec.emit(
            "graph_build",
            "_init_graph_network",
            keras="keras.engine.functional.Functional._init_graph_network",
            data=graph_build_done(
                self,
                action,
                reason,
                shape_before,
                shape_received or shape,
                shape,
                mode or ("explicit" if self._has_explicit_input_shape else "eager"),
            ),
        )

    # --- its config -------------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """``{"name", "layers"}``: each layer's config, the graph's InputLayer first once there is a graph."""
        layers = list(self._graph_layers) if self._graph_initialized else list(self._layers_list)
        serialize = (
            legacy_serialization.serialize_keras_object
            if getattr(self, "use_legacy_config", False)  # set while a .h5 model file is written
            else serialization_lib.serialize_keras_object
        )
        config: dict[str, Any] = {
            "name": self.name,
            "layers": [serialize(layer) for layer in layers],
        }
        if not self._graph_initialized and self._build_input_shape is not None:
            config["build_input_shape"] = self._build_input_shape
        return config

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Any:
        """The model a config describes: each layer made (from the ``.keras`` format or the legacy one, as its
        config is written) and added in turn (``Sequential.from_config``)."""
        if "name" in config:
            name, layer_configs = config["name"], config["layers"]
        else:  # an old Sequential's config: the list of its layers
            name, layer_configs = None, config
        model = cls(name=name)
        for layer_config in layer_configs:
            model.add(deserialize_layer(layer_config, custom_objects=custom_objects))
        shape = config.get("build_input_shape") if isinstance(config, dict) else None
        if not model.inputs and isinstance(shape, (list, tuple)):
            model.build(tuple(shape))
        return model

    # --- call ------------------------------------------------------------------------------------------------------
    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        """Build for the shape seen if need be, then run the graph; in legacy deferred mode, the layers in
        order (``Sequential.call``)."""
        if not self._has_explicit_input_shape:
            if isinstance(inputs, Tensor):
                self._build_graph_network_for_inferred_shape(tuple(inputs.shape), inputs.dtype)
            else:
                self._use_legacy_deferred_behavior = True
        if self._graph_initialized:
            return self._run_internal_graph(inputs, training, mask)
        x = inputs
        if mask is not None and isinstance(x, Tensor):
            x._keras_mask = mask
        for layer in self._layers_list:
            x = layer(x, training=training)
        return x

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """A Sequential called on KerasTensors (as a layer of another model) builds its own graph for them."""
        if not self._graph_initialized and isinstance(shapes, tuple):
            self._build_graph_network_for_inferred_shape(shapes, None)
        if self._graph_initialized:
            return self._graph_output_shape(shapes, check=True)
        return self._probe_output_shape(shapes, inputs, args, kwargs)


def _clear_previously_created_nodes(layer: Layer, created: list[Any]) -> None:
    """Forget the nodes an earlier build of this Sequential made on ``layer`` (``clear_previously_created_nodes``)."""
    ids = {id(n) for n in created}
    for node in [n for n in layer._inbound_nodes if id(n) in ids]:
        for inbound in node.iterate_inbound():
            outbound = inbound[0]._outbound_nodes
            outbound[:] = [n for n in outbound if n is not node]
    layer._inbound_nodes[:] = [n for n in layer._inbound_nodes if id(n) not in ids]
    layer._outbound_nodes[:] = [n for n in layer._outbound_nodes if id(n) not in ids]


def _tracing_any() -> bool:
    return bool(functions._tracing)
