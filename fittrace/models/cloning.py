"""``keras.models.clone_model``: the same architecture, with new layers and so new weights.

Mirrors tf_keras/src/models/cloning.py. A Sequential model is copied layer by layer (its InputLayer too, unless
``input_tensors`` gives the input); a functional model by replaying its graph (``functional.get_network_config``
and ``reconstruct_from_config``) with each layer replaced by its clone, so a shared layer stays shared and a nested
model is cloned whole. Each layer is cloned by ``clone_function`` (default: ``layer.__class__.from_config(
layer.get_config())``, fresh weights from the initializers); the InputLayers are always new (or the ones
``input_tensors`` come from). Any other model is rebuilt from its config. Nothing is compiled: the clone has no
optimizer, loss or metrics, as in Keras.

Left out: ``clone_and_build_model`` (a TF1 helper), ``input_tensors`` that are not KerasTensors from ``Input``
(Keras wraps a TensorFlow tensor in an InputLayer; fittrace has none), the ancillary layers of ``add_loss`` and
``add_metric`` (fittrace's functional models have none).

    >>> from fittrace.keras import Input, Model, layers
    >>> inputs = Input((3,), name="pixels")
    >>> model = Model(inputs, layers.Dense(2, name="out")(inputs))
    >>> clone = clone_model(model)
    >>> [layer.name for layer in clone.layers], clone.layers[1] is model.layers[1]
    (['pixels', 'out'], False)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fittrace.engine.functional import Functional, get_network_config, reconstruct_from_config
from fittrace.engine.input_layer import InputLayer
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.engine.sequential import Sequential
from fittrace.engine.training import Model
from fittrace.utils.nest import flatten


def share_weights(layer: Any) -> Any:
    """A ``clone_function`` that keeps each layer itself: the clone shares the original's weights."""
    return layer


def _clone_layer(layer: Any) -> Any:
    return layer.__class__.from_config(layer.get_config())


def _input_layer_of(tensor: Any, what: str) -> InputLayer:
    if not isinstance(tensor, KerasTensor):
        raise ValueError(
            f"fittrace clones a model onto KerasTensors from `keras.Input` only: {what} is {tensor!r}. "
            "(Keras wraps other tensors in a new InputLayer, which needs TensorFlow.)"
        )
    return tensor._keras_history.layer


def _clone_functional_model(
    model: Any, input_tensors: Any = None, layer_fn: Callable[[Any], Any] | None = _clone_layer
) -> Any:
    """A functional model's graph replayed with cloned layers, on new inputs (or on ``input_tensors``)."""
    layer_fn = _clone_layer if layer_fn is None else layer_fn
    if not isinstance(model, Model):
        raise ValueError(
            f"Expected `model` argument to be a `Model` instance. Received: model={model}"
        )
    if isinstance(model, Sequential):
        raise ValueError(
            "Expected `model` argument to be a functional `Model` instance, got a `Sequential` "
            f"instance instead: {model}"
        )
    if not isinstance(model, Functional):
        raise ValueError(
            "Expected `model` argument to be a functional `Model` instance, but got a subclassed model "
            f"instead: {model}"
        )
    input_layers = [x._keras_history.layer for x in model.inputs]
    new_input_layers: dict[int, Any] = {}
    if input_tensors is not None:
        tensors = flatten(input_tensors)
        if len(tensors) != len(input_layers):
            raise ValueError(
                f"The model has {len(input_layers)} input(s), but input_tensors gives {len(tensors)}."
            )
        for i, tensor in enumerate(tensors):
            new_input_layers[id(input_layers[i])] = _input_layer_of(tensor, f"input_tensors[{i}]")
    if not callable(layer_fn):
        raise ValueError(
            f"Expected `layer_fn` argument to be a callable. Received: layer_fn={layer_fn}"
        )
    created: dict[str, Any] = {}

    def copy_layer(layer: Any) -> dict[str, Any]:
        if id(layer) in new_input_layers:
            created[layer.name] = new_input_layers[id(layer)]
        elif any(layer is x for x in input_layers):
            created[layer.name] = InputLayer(**layer.get_config())
        else:
            created[layer.name] = layer_fn(layer)
        return {}

    config = get_network_config(model, copy_layer)
    inputs, outputs = reconstruct_from_config(config, lambda data: created[data["name"]])
    cls = type(model) if type(model).get_config is Functional.get_config else Functional
    return cls(inputs, outputs, name=model.name)


def _clone_sequential_model(
    model: Any, input_tensors: Any = None, layer_fn: Callable[[Any], Any] | None = _clone_layer
) -> Any:
    """A Sequential model's layers cloned into a new Sequential, with a new InputLayer (or ``input_tensors``')."""
    layer_fn = _clone_layer if layer_fn is None else layer_fn
    if not isinstance(model, Sequential):
        raise ValueError(
            f"Expected `model` argument to be a `Sequential` model instance. Received: model={model}"
        )
    if not callable(layer_fn):
        raise ValueError(
            f"Expected `layer_fn` argument to be a callable. Received: layer_fn={layer_fn}"
        )
    layers = [layer_fn(layer) for layer in model._layers_list]
    if input_tensors is None:
        if model._has_explicit_input_shape:
            origin = model.inputs[0]._keras_history.layer
            layers.insert(0, _clone_layer(origin))
        return Sequential(layers=layers, name=model.name)
    tensors = list(input_tensors) if isinstance(input_tensors, (list, tuple)) else [input_tensors]
    if len(tensors) != 1:
        raise ValueError(
            "To clone a `Sequential` model, we expect at most one tensor as part of `input_tensors`. "
            f"Received: input_tensors={input_tensors}"
        )
    origin = _input_layer_of(tensors[0], "input_tensors")
    if not isinstance(origin, InputLayer):
        raise ValueError(
            "Cannot clone a `Sequential` model on top of a tensor that comes from a TF-Keras layer other "
            "than an `InputLayer`. Use the Functional API instead. "
            f"Received: input_tensors={input_tensors}"
        )
    return Sequential(layers=[origin] + layers, name=model.name)


def clone_model(
    model: Any, input_tensors: Any = None, clone_function: Callable[[Any], Any] | None = None
) -> Any:
    """A copy of a Sequential or functional model with new layers (new weights from their initializers), on new
    inputs or on ``input_tensors``; ``clone_function(layer)`` makes each layer's copy (see the module)."""
    if isinstance(model, Sequential):
        return _clone_sequential_model(model, input_tensors, clone_function)
    if isinstance(model, Functional) and (
        type(model).get_config is Functional.get_config or clone_function or input_tensors
    ):
        return _clone_functional_model(model, input_tensors, clone_function)
    if clone_function or input_tensors:
        raise ValueError(
            "Arguments clone_function and input_tensors are only supported for Sequential models or "
            f"Functional models. Received model of type '{model.__class__.__name__}', with "
            f"clone_function={clone_function} and input_tensors={input_tensors}"
        )
    return model.__class__.from_config(model.get_config())
