"""What a real tf-keras 2 model builds, and when: the model's call, a Sequential's graph network for an inferred
input shape, each layer's build with the weights it made, and the optimizer's slot variables.

Mirrors ``tf_keras.src.engine.training`` (``Model.__call__``), ``engine.sequential``
(``Sequential._build_graph_network_for_inferred_shape``), ``engine.base_layer`` (``Layer._maybe_build``,
``Layer.add_weight``) and ``optimizers.optimizer`` (each optimizer's ``build`` and
``_BaseOptimizer.add_variable_from_reference``), with the events fittrace's own engine makes for the same stages
(``model_call``, ``graph_build``, ``layer_build``, ``weight_created``, ``optimizer_slots``, and the ``warning``
when a Sequential falls back to calling its layers one by one).

These stages run in Python: in graph mode while ``train_function`` traces (the batch dimension is then the
dataset's, None when the data ends in a partial batch), with ``run_eagerly=True`` on every step with the batch's
concrete shape. That is why an eager Sequential without an ``Input`` builds its graph network for ``(32, 4)`` at
the first batch and again, relaxed to ``(None, 4)``, at a partial last batch: tf-keras relaxes the dimension
that changed and builds the network anew (its layers keep their weights).

A ``graph_build`` is recorded when the network is built or rebuilt, or when an input of another rank leaves it
as it is ("skipped"); a call with a shape the network already covers records nothing, as in fittrace's engine.
A model's own ``_maybe_build`` records a ``layer_build`` only when its class defines ``build`` (tf-keras does
not run the default one). A metric's state variables (``Metric.add_weight``) are not weights of the model and
are left out, as fittrace's engine has them.

Left out: the functional API's node and graph events (``node_created``, ``graph_network``), V1 layers
(``base_layer_v1``), and the slots of an optimizer class defined after the trace began that makes them after
calling its base's ``build``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.bridge.tf_keras.functions import (
    call_through,
    close_span,
    find_modules,
    open_span,
)
from fittrace.tracing import recorder as rec
from fittrace.tracing.describe import (
    dtype_name,
    graph_build_done,
    graph_build_reason,
    graph_build_skipped,
    json_shape,
)


def initializer_name(init: Any) -> str | None:
    """An initializer as fittrace's events name it: ``glorot_uniform`` for tf-keras's ``GlorotUniform()``."""
    if init is None:
        return None
    if isinstance(init, str):
        return init
    name = getattr(init, "__name__", None) or type(init).__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def nested_shape(shapes: Any) -> Any:
    """TensorShapes (one, or a list or dict of them) as JSON lists."""
    if isinstance(shapes, dict):
        return {str(k): nested_shape(v) for k, v in shapes.items()}
    if (
        isinstance(shapes, (list, tuple))
        and shapes
        and not all(d is None or isinstance(d, int) for d in shapes)
    ):
        return [nested_shape(s) for s in shapes]
    return json_shape(shapes) if shapes is not None else None


def _tuple(shape: Any) -> tuple | None:
    listed = json_shape(shape) if shape is not None else None
    return None if listed is None else tuple(listed)


def _shape_text(shape: tuple | None) -> str:
    return (
        "None"
        if shape is None
        else "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
    )


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook the model's call, Sequential's inferred-shape build, the layers' builds and weights, and the
    optimizers' builds."""
    base = root.__name__
    found = find_modules(
        hooks,
        *(
            f"{base}.src.{name}"
            for name in (
                "engine.training",
                "engine.sequential",
                "engine.base_layer",
                "engine.keras_tensor",
                "metrics.base_metric",
                "optimizers.optimizer",
                "utils.tf_utils",
            )
        ),
        "tensorflow",
    )
    if found is None:
        return
    training, sequential, base_layer, keras_tensor, base_metric, optimizer_mod, tf_utils, tf = found
    Model, Sequential, Layer = training.Model, sequential.Sequential, base_layer.Layer
    KerasTensor, Metric = keras_tensor.KerasTensor, base_metric.Metric
    flatten, inside_function = tf.nest.flatten, tf.inside_function
    build_counts: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    # --- Model.__call__ ---------------------------------------------------------------------------------------
    call_label = path_of(Model, "__call__")

    def call_payload(model: Any, inputs: Any, training_flag: Any, out: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "model": model.name,
            "input_shape": json_shape(inputs.shape) if hasattr(inputs, "shape") else None,
            "input_dtype": dtype_name(getattr(inputs, "dtype", None)),
            "training": bool(training_flag),
            "layer_class": type(model).__name__,
        }
        if out is not None and hasattr(out, "shape"):
            data["output_shape"] = json_shape(out.shape)
            data["output_dtype"] = dtype_name(getattr(out, "dtype", None))
        return data

    def begin_call(model: Any, args: tuple, kwargs: dict) -> Any:
        inputs = args[0] if args else kwargs.get("inputs")
        if any(isinstance(t, KerasTensor) for t in flatten(inputs)):
            return None  # a functional construction: no call on data
        flag = kwargs.get("training")
        s = open_span(
            hooks,
            call_label,
            "model_call",
            f"{type(model).__name__}.call",
            call_label,
            layer=model.name,
            data=lambda: call_payload(model, inputs, flag, None),
        )
        return s, inputs, flag

    def wrap_model_call(original: Callable[..., Any]) -> Callable[..., Any]:
        def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.active() is None:
                return original(self, *args, **kwargs)
            opened = hooks.guard(call_label, begin_call, self, args, kwargs)
            if opened is None:
                return original(self, *args, **kwargs)
            span, inputs, flag = opened
            try:
                out = original(self, *args, **kwargs)
            except BaseException as exc:
                close_span(hooks, call_label, span, exc)
                raise
            if span is not None:
                hooks.guard(
                    call_label,
                    span.set_payload,
                    lambda: call_payload(self, inputs, flag, out),
                )
            close_span(hooks, call_label, span)
            return out

        return __call__

    hooks.patch(Model, "__call__", wrap_model_call)

    # --- Sequential._build_graph_network_for_inferred_shape ---------------------------------------------------
    graph_label = path_of(Sequential, "_build_graph_network_for_inferred_shape")

    def before_graph(model: Any, input_shape: Any) -> Any:
        """Emit the graph_build tf-keras is about to act on, decided as tf-keras decides it. Returns what
        :func:`after_graph` needs to notice a fallback (the shape tried, each layer's last node), or None."""
        if input_shape is None or not model.layers:
            return None
        if model._has_explicit_input_shape or model._use_legacy_deferred_behavior:
            return None
        mode = "graph" if inside_function() else "eager"
        received = tf_utils.convert_shapes(input_shape)
        before = model._inferred_input_shape
        if before is None:
            new_shape = received
        else:
            new_shape = tf.nest.map_structure(
                sequential._relax_input_shape,
                tf_utils.convert_shapes(before, to_tuples=False),
                tf_utils.convert_shapes(received, to_tuples=False),
            )
        if new_shape is None:
            if isinstance(before, tuple) and isinstance(received, tuple):
                rec.emit(
                    "graph_build",
                    "_build_graph_network_for_inferred_shape",
                    keras=graph_label,
                    data=graph_build_skipped(model.name, before, received, mode),
                )
            return None
        if new_shape == before:
            return None
        if isinstance(received, tuple) and isinstance(new_shape, tuple):
            action, reason = graph_build_reason(
                _tuple(before) if before is not None else None, _tuple(received), _tuple(new_shape)
            )
            rec.emit(
                "graph_build",
                "_init_graph_network",
                keras=graph_label,
                data=graph_build_done(model, action, reason, before, received, new_shape, mode),
            )
        last_nodes = [
            id(layer._inbound_nodes[-1]) if layer._inbound_nodes else None for layer in model.layers
        ]
        return new_shape, last_nodes

    def after_graph(model: Any, tried: Any) -> None:
        if tried is None or not model._use_legacy_deferred_behavior:
            return
        new_shape, last_nodes = tried
        # the layer whose symbolic call failed is the first one the new Input gave no new node (None: they
        # all ran and mapping the graph failed)
        failed = next(
            (
                layer.name
                for layer, node in zip(model.layers, last_nodes)
                if not layer._inbound_nodes or id(layer._inbound_nodes[-1]) == node
            ),
            None,
        )
        shape = _tuple(new_shape) if isinstance(new_shape, tuple) else None
        who = f"calling layer '{failed}' on it" if failed else "mapping the graph"
        rec.emit(
            "warning",
            "legacy deferred behavior",
            keras=graph_label,
            layer=failed,
            data={
                "message": f"building the graph network for {_shape_text(shape)} failed ({who} raised an "
                "error that tf-keras catches and does not show); layers are called one by one instead",
                "model": model.name,
                "shape": None if shape is None else list(shape),
                "error_type": None,
                "error": None,
                "failed_layer": failed,
            },
        )

    def wrap_graph(original: Callable[..., Any]) -> Callable[..., Any]:
        def _build_graph_network_for_inferred_shape(
            self: Any, input_shape: Any, *args: Any, **kw: Any
        ) -> Any:
            if rec.active() is None:
                return original(self, input_shape, *args, **kw)
            tried = hooks.guard(graph_label, before_graph, self, input_shape)
            result = original(self, input_shape, *args, **kw)
            hooks.guard(graph_label, after_graph, self, tried)
            return result

        return _build_graph_network_for_inferred_shape

    hooks.patch(Sequential, "_build_graph_network_for_inferred_shape", wrap_graph)

    # --- Layer._maybe_build and Layer.add_weight ----------------------------------------------------------------
    build_label = path_of(Layer, "_maybe_build")

    def begin_build(layer: Any, inputs: Any) -> Any:
        if isinstance(layer, Model) and hasattr(layer.build, "_is_default"):
            return None  # tf-keras only marks it built; its layers build when its call reaches them
        try:
            shapes = tf_utils.get_shapes(inputs)
        except (AttributeError, TypeError, ValueError):
            shapes = None
        count = build_counts.get(layer, 0)
        previous = getattr(layer, "_build_input_shape", None)
        had_weights = bool(layer._trainable_weights or layer._non_trainable_weights)
        build_counts[layer] = count + 1
        return open_span(
            hooks,
            build_label,
            "layer_build",
            f"{type(layer).__name__}.build",
            build_label,
            layer=layer.name,
            data={
                "input_shape": nested_shape(shapes),
                "layer_class": type(layer).__name__,
                "reason": "called again after `built` was reset to False: its weights are created anew"
                if had_weights
                else "first call: the layer had no weights yet",
                "build_count": count,
                "previous_input_shape": None if previous is None else nested_shape(previous),
            },
        )

    def wrap_maybe_build(original: Callable[..., Any]) -> Callable[..., Any]:
        def _maybe_build(self: Any, inputs: Any, *args: Any, **kw: Any) -> Any:
            if self.built or rec.active() is None:
                return original(self, inputs, *args, **kw)
            span = hooks.guard(build_label, begin_build, self, inputs)
            return call_through(hooks, build_label, [span], original, self, inputs, *args, **kw)

        return _maybe_build

    hooks.patch(Layer, "_maybe_build", wrap_maybe_build)

    weight_label = path_of(Layer, "add_weight")

    def weight_made(layer: Any, var: Any, initializer: Any) -> None:
        name = getattr(var, "name", None)
        if name is None:
            return
        rec.emit(
            "weight_created",
            name,
            keras=weight_label,
            layer=layer.name,
            data={
                "name": name,
                "shape": json_shape(var.shape),
                "dtype": dtype_name(var.dtype),
                "initializer": initializer_name(initializer),
                "trainable": bool(getattr(var, "trainable", True)),
            },
        )

    def wrap_add_weight(original: Callable[..., Any]) -> Callable[..., Any]:
        def add_weight(self: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.active() is None or isinstance(self, Metric):
                return original(self, *args, **kwargs)
            var = original(self, *args, **kwargs)
            initializer = kwargs.get("initializer", args[3] if len(args) > 3 else None)
            hooks.guard(weight_label, weight_made, self, var, initializer)
            return var

        return add_weight

    hooks.patch(Layer, "add_weight", wrap_add_weight)

    # --- the optimizers' build and their slot variables ----------------------------------------------------------
    BaseOptimizer = optimizer_mod._BaseOptimizer
    building: dict[
        int, list[str]
    ] = {}  # optimizer id -> slot names made in its outermost build so far
    depth: dict[int, int] = {}
    slot_label = path_of(BaseOptimizer, "add_variable_from_reference")

    def wrap_slot(original: Callable[..., Any]) -> Callable[..., Any]:
        def add_variable_from_reference(self: Any, *args: Any, **kwargs: Any) -> Any:
            var = original(self, *args, **kwargs)
            made = building.get(id(self))
            if made is not None:
                hooks.guard(slot_label, made.append, getattr(var, "name", "?"))
            return var

        return add_variable_from_reference

    hooks.patch(BaseOptimizer, "add_variable_from_reference", wrap_slot)

    def built(opt: Any, owner: type) -> None:
        slots = building.pop(id(opt), None)
        if slots:
            rec.emit(
                "optimizer_slots",
                f"{type(opt).__name__}.build",
                keras=path_of(owner, "build"),
                data={"optimizer": type(opt).__name__, "slots": slots},
            )

    def build_hook(owner: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        label = path_of(owner, "build")

        def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
            def build(self: Any, *args: Any, **kwargs: Any) -> Any:
                if rec.active() is None:
                    return original(self, *args, **kwargs)
                key = id(self)
                outermost = key not in depth
                depth[key] = depth.get(key, 0) + 1
                if outermost and not getattr(self, "_built", False):
                    building[key] = []
                try:
                    return original(self, *args, **kwargs)
                finally:
                    depth[key] -= 1
                    if not depth[key]:
                        del depth[key]
                        hooks.guard(label, built, self, owner)

            return build

        return wrap

    seen: list[type] = [BaseOptimizer]
    for cls in seen:
        seen.extend(c for c in cls.__subclasses__() if c not in seen)
        if "build" in vars(cls):
            hooks.patch(cls, "build", build_hook(cls))
