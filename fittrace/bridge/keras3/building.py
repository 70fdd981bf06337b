"""What Keras 3 builds, and when: ``Trainer._symbolic_build``, ``Layer._maybe_build``, ``Layer.add_weight`` and
the optimizer's ``build``.

Keras 3 builds a model before its loop where it can: the JAX backend's ``fit``, ``evaluate`` and ``predict``
(and the TensorFlow backend's under a distribution strategy) call ``_symbolic_build``, which runs the model on
symbolic ``KerasTensor``\\ s shaped like the first batch (``backend.compute_output_spec``), so that every layer
makes its weights, the compiled loss and metrics their state, and the optimizer its variables before the first
step. It is recorded as a ``symbolic_build`` span (payload: the model, the layers still unbuilt before it, the
layers it built, how many weights and optimizer variables it made). The TensorFlow backend without a strategy
builds in the first trace of ``train_function`` instead, inside the ``train_step`` span.

When the symbolic build fails, Keras raises (a ``ValueError`` from the model as it is, anything else as
``RuntimeError: Unable to automatically build the model...``); the bridge adds a ``warning`` named
``Trainer._symbolic_build`` with the model, the exception and the layers left unbuilt, which
``fittrace.analysis.symbolic_build`` words a fix from.

``layer_build`` (one per layer built, the shape it was built for), ``weight_created`` (one per ``add_weight``) and
``optimizer_slots`` (the variables the optimizer's build made) carry the keys fittrace's engine gives them.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.bridge.keras3 import modules
from fittrace.bridge.keras3.payloads import binder, dtype_name, json_shape, name_of
from fittrace.bridge.keras3.stage import within
from fittrace.tracing import recorder as rec


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook the symbolic build, the layers' builds and weights, and every optimizer class's build."""
    trainer = getattr(modules.module(hooks, root, "trainers.trainer"), "Trainer", None)
    if trainer is not None:
        hooks.patch(
            trainer, "_symbolic_build", lambda original: _symbolic_build(hooks, trainer, original)
        )
    layer = getattr(modules.module(hooks, root, "layers.layer"), "Layer", None)
    if layer is not None:
        hooks.patch(layer, "_maybe_build", lambda original: _maybe_build(hooks, layer, original))
        hooks.patch(layer, "add_weight", lambda original: _add_weight(hooks, layer, original))
    base = getattr(modules.module(hooks, root, "optimizers.base_optimizer"), "BaseOptimizer", None)
    if base is not None:
        building: list[
            int
        ] = []  # ids of the optimizers whose build is running (a subclass's calls its base's)
        for cls in _with_own_build(base):
            hooks.patch(
                cls,
                "build",
                lambda original, cls=cls: _optimizer_build(hooks, cls, original, building),
            )


def _with_own_build(base: type) -> list[type]:
    """``base`` and every subclass of it that defines ``build`` itself (Adam, SGD, the backends' Optimizer...)."""
    found, stack, seen = [], [base], set()
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if "build" in vars(cls):
            found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def _layers(model: Any) -> list[Any]:
    try:
        return list(model._flatten_layers(include_self=False))
    except Exception:  # a version without _flatten_layers(include_self=)
        return list(getattr(model, "layers", []) or [])


def _symbolic_build(hooks: Hooks, owner: type, original: Any) -> Any:
    keras = path_of(owner, "_symbolic_build")

    def open_span(model: Any) -> Any:
        unbuilt = [layer.name for layer in _layers(model) if not layer.built]
        optimizer = getattr(model, "optimizer", None)
        return rec.span(
            "symbolic_build",
            "Trainer._symbolic_build",
            keras=keras,
            data={
                "model": model.name,
                "unbuilt_layers": unbuilt,
                "model_built": bool(model.built),
                "optimizer": type(optimizer).__name__ if optimizer is not None else None,
                "optimizer_built": bool(getattr(optimizer, "built", False)),
                "variables_before": len(model.variables) if model.built else None,
            },
        )

    def after(span: Any, model: Any) -> None:
        data = span.data if isinstance(span.data, dict) else {}
        before = set(data.get("unbuilt_layers") or [])
        optimizer = getattr(model, "optimizer", None)
        span.set(
            built_layers=[
                layer.name for layer in _layers(model) if layer.name in before and layer.built
            ],
            weights=len(model.weights),
            optimizer_variables=len(optimizer.variables) if optimizer is not None else 0,
        )

    def failed(model: Any, exc: BaseException) -> None:
        unbuilt = [layer.name for layer in _layers(model) if not layer.built]
        rec.emit(
            "warning",
            "Trainer._symbolic_build",
            keras=keras,
            data={
                "message": f"Keras could not build model '{model.name}' before the loop: {type(exc).__name__}: {exc}",
                "model": model.name,
                "error_type": type(exc).__name__,
                "error": str(exc),
                "failed_layer": unbuilt[0] if unbuilt else None,
                "unbuilt_layers": unbuilt,
                "model_class": type(model).__name__,
                "has_input": bool(
                    getattr(model, "_is_graph_network", False) or getattr(model, "inputs", None)
                ),
            },
        )

    def _symbolic_build(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, *args, **kwargs)

        def run() -> Any:
            try:
                return original(self, *args, **kwargs)
            except Exception as exc:
                hooks.guard(keras, failed, self, exc)
                raise

        return within(
            hooks, keras, lambda: open_span(self), run, after=lambda span, _: after(span, self)
        )

    return _symbolic_build


#: What a layer is built on when there is no real data: Keras's KerasTensor, a TF graph tensor, a JAX tracer.
SYMBOLIC = ("KerasTensor", "SymbolicTensor")


def _symbolic(value: Any) -> bool:
    name = type(value).__name__
    return name in SYMBOLIC or name.endswith("Tracer")


def _maybe_build(hooks: Hooks, owner: type, original: Any) -> Any:
    keras = path_of(owner, "_maybe_build")

    def open_span(layer: Any, call_spec: Any) -> Any:
        first = getattr(call_spec, "first_arg", None)
        return rec.span(
            "layer_build",
            f"{type(layer).__name__}.build",
            keras=keras,
            layer=layer.name,
            data={
                "input_shape": json_shape(getattr(first, "shape", None)),
                "layer_class": type(layer).__name__,
                "reason": "first call: the layer had no weights yet",
                "build_count": 0,
                "previous_input_shape": None,
                "symbolic": _symbolic(first),
            },
        )

    def _maybe_build(self: Any, call_spec: Any, *args: Any, **kwargs: Any) -> Any:
        if self.built or rec.active() is None:
            return original(self, call_spec, *args, **kwargs)
        return within(
            hooks,
            keras,
            lambda: open_span(self, call_spec),
            original,
            self,
            call_spec,
            *args,
            **kwargs,
        )

    return _maybe_build


def _add_weight(hooks: Hooks, owner: type, original: Any) -> Any:
    keras = path_of(owner, "add_weight")
    bind = binder(original)

    def emit(layer: Any, variable: Any, args: tuple, kwargs: dict) -> None:
        a = bind(layer, *args, **kwargs)
        name = str(getattr(variable, "path", None) or getattr(variable, "name", "?"))
        rec.emit(
            "weight_created",
            name,
            keras=keras,
            layer=layer.name,
            data={
                "name": name,
                "shape": json_shape(getattr(variable, "shape", None)),
                "dtype": dtype_name(getattr(variable, "dtype", None)),
                "initializer": name_of(a.get("initializer")),
                "trainable": bool(getattr(variable, "trainable", a.get("trainable"))),
            },
        )

    def add_weight(self: Any, *args: Any, **kwargs: Any) -> Any:
        variable = original(self, *args, **kwargs)
        if rec.active() is not None:
            hooks.guard(keras, emit, self, variable, args, kwargs)
        return variable

    return add_weight


def _optimizer_build(hooks: Hooks, owner: type, original: Any, building: list[int]) -> Any:
    keras = path_of(owner, "build")

    def count(optimizer: Any) -> int:
        return len(optimizer.variables)

    def emit(optimizer: Any, before: int) -> None:
        made = optimizer.variables[before:]
        rec.emit(
            "optimizer_slots",
            f"{type(optimizer).__name__}.build",
            keras=keras,
            data={
                "optimizer": type(optimizer).__name__,
                "slots": [str(getattr(v, "path", None) or v.name) for v in made],
            },
        )

    def build(self: Any, *args: Any, **kwargs: Any) -> Any:
        if id(self) in building or rec.active() is None or getattr(self, "built", False):
            return original(self, *args, **kwargs)
        before = hooks.guard(keras, count, self) or 0
        building.append(id(self))
        try:
            result = original(self, *args, **kwargs)
        finally:
            building.remove(id(self))
        hooks.guard(keras, emit, self, before)
        return result

    return build
