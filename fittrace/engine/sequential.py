"""Sequential: a stack of layers, and the graph network it builds for the input shape it sees.

Mirrors ``keras.engine.sequential`` (tf_keras/src/engine/sequential.py). With an explicit input (``Input`` or
``input_shape=`` on the first layer) the graph network is built as layers are added. Without one, the first call
runs ``_build_graph_network_for_inferred_shape``: the input shape seen is stored; a later, different shape of the
same rank is relaxed dimension by dimension (differing dimensions become None) and the network is built again for
it. Inside a traced ``train_function`` the shape seen is the dataset's spec (batch dimension None when the data
ends in a partial batch); eagerly it is the concrete batch. ``_init_graph_network`` becomes, here, a symbolic pass
over the layers: each one is built for its input shape and reports its output shape.

Left out: masks, multiple inputs/outputs, nested models' node bookkeeping, ``get_config``/``from_config``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import FLOATX, Tensor
from fittrace.engine import functions, trace_payloads
from fittrace.engine.base_layer import Layer
from fittrace.engine.functions import replaying_graph, symbolic_shape, tracing_batch_unknown
from fittrace.engine.input_layer import InputLayer, KerasInput
from fittrace.engine.input_spec import InputSpec, _Shaped, assert_input_compatibility
from fittrace.engine.training import Model
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_SEQUENTIAL


def relax_input_shape(
    old: Sequence[int | None] | None, new: Sequence[int | None] | None
) -> tuple | None:
    """``_relax_input_shape``: equal dims kept, differing dims -> None; None when the ranks differ."""
    if old is None or new is None or len(old) != len(new):
        return None
    return tuple(a if a == b else None for a, b in zip(old, new))


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])``."""

    def __init__(self, layers: Sequence[Any] | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self._layers_list: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._graph_initialized = False
        self._inferred_input_shape: tuple | None = None
        self._has_explicit_input_shape = False
        self._use_legacy_deferred_behavior = False
        self._graph_build_error: Exception | None = None
        self._graph_nodes: list[tuple[Layer, tuple, tuple]] = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers_list)

    def _flatten_layers(self) -> list[Layer]:
        return list(self._layers_list)

    @property
    def input_shape(self) -> tuple:
        """The input shape the graph network was built for: ``(None, 5)`` after a fit or an explicit input,
        ``(7, 5)`` after a first direct call on 7 rows, as Keras 2 reports it."""
        if not self._graph_nodes:
            raise AttributeError(
                f'The layer "{self.name}" has never been called and thus has no defined input '
                "shape: call the model on data, fit it, or build it with an input shape first."
            )
        return self._graph_nodes[0][1]

    @property
    def output_shape(self) -> tuple:
        """The output shape of the graph network (see ``input_shape``)."""
        if not self._graph_nodes:
            raise AttributeError(
                f'The layer "{self.name}" has never been called and thus has no defined output '
                "shape: call the model on data, fit it, or build it with an input shape first."
            )
        return self._graph_nodes[-1][2]

    # --- add / pop -------------------------------------------------------------------------------------------------
    def add(self, layer: Any) -> None:
        """Append a layer; with a graph already initialised, the new layer is built on its output now."""
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
            if isinstance(layer, KerasInput):
                layer = layer._input_layer
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
            if (
                not self._layers_list
                and self._input_layer is None
                and layer._batch_input_shape is not None
            ):
                self._set_explicit_input(
                    InputLayer(
                        batch_input_shape=layer._batch_input_shape, name=f"{layer.name}_input"
                    )
                )
            self._layers_list.append(layer)
            if self._graph_initialized:
                self._init_graph_network(
                    self._graph_input_shape(), f"add() appended layer '{layer.name}'", "rebuilt"
                )

    def _set_explicit_input(self, input_layer: InputLayer) -> None:
        if self._layers_list or self._input_layer is not None:
            raise ValueError("An InputLayer can only be the first layer of a Sequential model.")
        self._input_layer = input_layer
        self._has_explicit_input_shape = True
        shape = input_layer._batch_input_shape
        self.input_spec = InputSpec(shape=shape, allow_last_axis_squeeze=True)
        self._init_graph_network(shape, "the model has an explicit input shape", "built")

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
                self.built = self._graph_initialized = False
                self._graph_nodes = []
            elif self._graph_initialized:
                self._init_graph_network(
                    self._graph_input_shape(), f"pop() removed layer '{removed.name}'", "rebuilt"
                )

    def _graph_input_shape(self) -> tuple:
        if self._has_explicit_input_shape and self._input_layer is not None:
            return self._input_layer._batch_input_shape
        return self._inferred_input_shape

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
                self._init_graph_network(
                    self._graph_input_shape(), "build() re-initialises the graph", "rebuilt"
                )
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
        """Build (or rebuild) the graph network for a newly seen input shape."""
        if self._use_legacy_deferred_behavior or replaying_graph():
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
                data=trace_payloads.graph_build_skipped(
                    self.name, self._inferred_input_shape, received, mode
                ),
            )
            return
        if new_shape == self._inferred_input_shape:
            return
        action, reason = trace_payloads.graph_build_reason(
            self._inferred_input_shape, received, new_shape
        )
        before = self._inferred_input_shape
        try:
            self._init_graph_network(
                new_shape, reason, action, shape_before=before, shape_received=received, mode=mode
            )
        except (
            Exception
        ) as exc:  # Keras falls back to calling the layers one by one (legacy deferred mode)
            self._use_legacy_deferred_behavior = True
            self._graph_build_error = exc
            rec.emit(
                "warning",
                "legacy deferred behavior",
                keras=f"{KERAS_SEQUENTIAL}.Sequential",
                data={
                    "message": f"building the graph network for {new_shape} failed ({type(exc).__name__}: "
                    f"{exc}); layers are called one by one instead"
                },
            )
            return
        self._inferred_input_shape = new_shape

    def _init_graph_network(
        self,
        input_shape: tuple,
        reason: str,
        action: str,
        shape_before: Any = None,
        shape_received: Any = None,
        mode: str | None = None,
    ) -> None:
        """The symbolic pass: build each layer for its input shape and note its output shape."""
        rec.emit(
            "graph_build",
            "_init_graph_network",
            keras="keras.engine.functional.Functional._init_graph_network",
            data=trace_payloads.graph_build_done(
                self,
                action,
                reason,
                shape_before,
                shape_received or input_shape,
                input_shape,
                mode or ("explicit" if self._has_explicit_input_shape else "eager"),
            ),
        )
        nodes = []
        shape = tuple(input_shape)
        for layer in self._layers_list:
            assert_input_compatibility(layer.input_spec, _Shaped(shape), layer.name)
            layer._maybe_build(shape)
            out = tuple(layer.compute_output_shape(shape))
            layer._output_shape_for_summary = out
            nodes.append((layer, shape, out))
            shape = out
        self._graph_nodes = nodes
        self._graph_initialized = True
        self.built = True

    # --- call ------------------------------------------------------------------------------------------------------
    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        """Run the layers in order (``Sequential.call`` -> the graph network's ``_run_internal_graph``)."""
        if isinstance(inputs, Tensor) and not self._has_explicit_input_shape:
            self._build_graph_network_for_inferred_shape(tuple(inputs.shape), inputs.dtype)
        x = inputs
        if isinstance(x, Tensor) and self._graph_initialized:
            x = self._conform_rank(x)
        if isinstance(x, Tensor) and x.dtype != FLOATX and x.dtype.kind in "iubf":
            x = Tensor(
                x.value.astype(FLOATX)
            )  # _conform_to_reference_input casts to the Input's dtype
        for layer in self._layers_list:
            x = layer(x, training=training)
        return x

    def _conform_rank(self, x: Tensor) -> Tensor:
        """``_conform_to_reference_input``: an input one axis short of the network's, whose last axis is 1, gets
        that axis (images without their channel axis); one axis long, ending in 1, loses it."""
        ref = self._graph_input_shape()
        if ref is None:
            return x
        if x.ndim == len(ref) - 1 and ref[-1] == 1:
            return ops.reshape(x, tuple(x.shape) + (1,))
        if x.ndim == len(ref) + 1 and x.shape[-1] == 1:
            return ops.reshape(x, tuple(x.shape[:-1]))
        return x


def _tracing_any() -> bool:
    return bool(functions._tracing)
