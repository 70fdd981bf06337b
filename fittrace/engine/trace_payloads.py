"""What the engine's trace events carry: payloads made from the engine's objects, kept out of the Keras logic.

Not a tf-keras module: this is fittrace's instrumentation. ``training.py`` and ``base_layer.py`` open spans and
emit events at their stages with one short call each; the facts those events hold (a layer call's shapes and output
statistics, a step's loss, gradient and update norms and time, the data ``fit`` was given, the model's layers) are
made here, and only when the recorder keeps the event. Left out: nothing the engine records is made elsewhere but
the recorder's own fields (time, sequence, nesting).

    >>> describe_data(np.zeros((60000, 784), dtype="float32"))
    {'type': 'ndarray', 'shape': [60000, 784], 'dtype': 'float32'}
    >>> batch_rows((np.zeros((128, 784)), np.zeros(128)))
    128
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.tracing import recorder as rec
from fittrace.tracing.describe import (
    describe_data,  # noqa: F401 (training.py reads it here)
    dtype_name,
    json_shape,
    name_of,
)
from fittrace.tracing.payloads import PlainPayload
from fittrace.utils.tf_utils import logs_to_floats
from fittrace.version import __version__

#: What the trace's header says ran the model (a real tf-keras run's bridge says tf_keras, tensorflow).
FRAMEWORK = {"framework": "fittrace", "framework_version": __version__, "backend": "numpy"}


def output_stats(x: np.ndarray) -> dict[str, float]:
    """Mean, std, min and max of a layer's output. The variance comes from one sum and one dot product
    (E[x^2] - mean^2); where that would lose digits to cancellation (spread tiny against the mean) numpy's two-pass
    ``std`` is used instead."""
    if x.size == 0 or x.dtype.kind not in "fiu":
        return {}
    flat = x.reshape(-1)
    if flat.dtype.kind != "f":
        flat = flat.astype(np.float64)
    n = flat.size
    mean = float(flat.sum()) / n
    var = float(np.dot(flat, flat)) / n - mean * mean
    if not math.isfinite(var) or var < 1e-3 * mean * mean:
        std = float(flat.std())
    else:
        std = math.sqrt(var)
    return {"mean": mean, "std": std, "min": float(flat.min()), "max": float(flat.max())}


def call_payload(
    layer: Any, kind: str, inputs: Any, training: bool, out: Any, input_masks: Any = None
) -> dict[str, Any]:
    """A layer_call (or model_call) event's payload: shapes and dtypes in and out, output statistics, and the
    shapes of the masks in and out when there are any (never their values)."""
    data = {
        "input_shape": list(inputs.shape) if hasattr(inputs, "shape") else None,
        "input_dtype": dtype_name(inputs.dtype) if hasattr(inputs, "dtype") else None,
        "training": training,
        "layer_class": type(layer).__name__,
    }
    if input_masks is not None:
        data["input_mask"] = mask_shapes(input_masks)
    if out is not None:
        value = out.value if isinstance(out, Tensor) else np.asarray(out)
        data["output_shape"] = list(value.shape)
        data["output_dtype"] = dtype_name(value.dtype)
        out_mask = getattr(out, "_keras_mask", None)
        if out_mask is not None:
            data["output_mask"] = mask_shapes(out_mask)
        if kind == "model_call":
            data["model"] = layer.name
        else:
            data["stats"] = output_stats(value)
    return data


def mask_shapes(masks: Any) -> Any:
    """A mask's shape as a list (a list of them for several masks, None for an input without one)."""
    if isinstance(masks, (list, tuple)):
        return [mask_shapes(m) for m in masks]
    if isinstance(masks, dict):
        return {str(k): mask_shapes(v) for k, v in masks.items()}
    if masks is None or not hasattr(masks, "shape"):
        return None
    return [None if d is None else int(d) for d in masks.shape]


def batch_rows(data: Any) -> int | None:
    """The number of rows of a batch's first input (None when it has no shape): the ``size`` of step events."""
    x = data[0] if isinstance(data, (tuple, list)) else data
    while isinstance(x, (tuple, list)) and x:
        x = x[0]
    if isinstance(x, dict) and x:
        x = next(iter(x.values()))
    shape = getattr(x, "shape", None)
    return int(shape[0]) if shape else None


def describe_model(model: Any) -> dict[str, Any]:
    """The header's ``model`` entry: name, class, whether built, its layers, and, for a model with a graph, the
    graph_network payloads of it and of every model nested in it (so that a model built before the recording
    began can still be drawn as a graph)."""
    described = {
        "name": model.name,
        "class": type(model).__name__,
        "built": model.built,
        "layers": [
            {"name": layer.name, "class": type(layer).__name__} for layer in model._flatten_layers()
        ],
    }
    graphs = [graph_network(m) for m in _graph_models(model)]
    if graphs:
        described["graphs"] = graphs
    return described


def _graph_models(model: Any) -> list[Any]:
    """``model`` and every model nested in its graph, depth first, each once, if they have a graph."""
    found: list[Any] = []
    stack = [model]
    while stack:
        m = stack.pop()
        if not getattr(m, "_is_graph_network", False) or any(m is f for f in found):
            continue
        found.append(m)
        stack.extend(reversed(getattr(m, "_graph_layers", None) or m.layers))
    return found


def step_figures(model: Any, data: dict[str, Any], logs: Any, elapsed_ns: int) -> dict[str, Any]:
    """The step span's payload with the compact per-step figures every traced step keeps, whatever the detail
    level but "summary", which keeps no steps. Made on every step, so it hands the recorder a ``PlainPayload``
    when every figure is finite."""
    tape = getattr(model, "_last_tape", None)
    norms = getattr(tape, "gradient_norms", None) or {}
    grad_norm = getattr(tape, "gradient_norm", None) if norms else None
    logs = logs_to_floats(logs)
    r = rec.active()
    update_norms = (
        model.optimizer.last_update_norms if r is not None and r.step_kept_whole() else None
    )
    data.update(
        size=getattr(model, "_last_batch_rows", None),
        logs=logs,
        grad_norms=norms,
        grad_norm=grad_norm,
        update_norms=update_norms,
        time_ns=elapsed_ns,
    )
    if update_norms is None and math.isfinite(sum(logs.values()) + (grad_norm or 0.0)):
        return PlainPayload(data)
    return data


# --- Sequential's graph network ----------------------------------------------------------------------------------


def legacy_deferred(
    model: str, shape: tuple, exc: BaseException, layer: str | None
) -> dict[str, Any]:
    """The warning when building the graph network failed and Sequential falls back to calling its layers one by
    one (legacy deferred mode): the model, the shape it tried, the error, and the layer being called then (None
    when the layers all ran and mapping the graph failed)."""
    return {
        "message": f"building the graph network for {shape} failed ({type(exc).__name__}: {exc}); layers "
        "are called one by one instead",
        "model": model,
        "shape": json_shape(shape),
        "error_type": type(exc).__name__,
        "error": str(exc),
        "failed_layer": layer,
    }


# --- the functional API -----------------------------------------------------------------------------------------
def _nested_json_shape(shapes: Any) -> Any:
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return json_shape(shapes)
    if isinstance(shapes, (list, tuple)):
        return [_nested_json_shape(s) for s in shapes]
    if isinstance(shapes, dict):
        return {str(k): _nested_json_shape(v) for k, v in shapes.items()}
    return None


def node_created(layer: Any, node: Any, built_now: bool) -> dict[str, Any]:
    """The node_created span's payload: which call of which layer, on what, giving what."""
    inbound = [f"{lay.name}[{n}][{t}]" for lay, n, t, _ in node.iterate_inbound()]
    return {
        "layer_class": type(layer).__name__,
        "node_index": len(layer._inbound_nodes) - 1,
        "inbound": inbound,
        "input_shapes": [json_shape(t.shape) for t in node.keras_inputs],
        "output_shapes": [json_shape(t.shape) for t in node.flat_outputs],
        "built_now": built_now,
        "shared": len(layer._inbound_nodes) > 1,
    }


def graph_network(model: Any) -> dict[str, Any]:
    """The graph_network event's payload: the map ``_init_graph_network`` made, nodes by depth (deepest, the
    inputs, first) and the layers in the order ``model.layers`` gives them."""
    depths = sorted(model._nodes_by_depth, reverse=True)
    return {
        "model": model.name,
        "inputs": [t._keras_history.layer.name for t in model.inputs],
        "outputs": [t._keras_history.layer.name for t in model.outputs],
        "layers": [layer.name for layer in model.layers],
        "nodes_by_depth": [
            [
                {
                    "layer": node.layer.name,
                    "node_index": node.layer._inbound_nodes.index(node),
                    "inbound": [f"{lay.name}[{n}][{t}]" for lay, n, t, _ in node.iterate_inbound()],
                    "output_shapes": [json_shape(t.shape) for t in node.flat_outputs],
                }
                for node in model._nodes_by_depth[depth]
            ]
            for depth in depths
        ],
        "chain": model._is_chain(),
    }


# --- a layer's build ---------------------------------------------------------------------------------------------
def layer_build(layer: Any, input_shape: tuple) -> dict[str, Any]:
    """The layer_build span's payload: the shape, and whether this is the first build or one after a reset."""
    previous = layer._build_input_shape
    return {
        "input_shape": list(input_shape),
        "layer_class": type(layer).__name__,
        "reason": "first call: the layer had no weights yet"
        if layer._build_count == 0
        else "called again after `built` was reset to False: its weights are created anew",
        "build_count": layer._build_count,
        "previous_input_shape": None if previous is None else list(previous),
    }


# --- the train, test and predict functions -----------------------------------------------------------------------
def function_traced(
    name: str, previous: tuple | None, signature: tuple, spec: tuple
) -> dict[str, Any]:
    """A train_function event for a trace: the first one, or a retrace for a signature ``previous`` does not
    cover (``spec`` is the relaxed signature traced)."""
    if previous is None:
        reason = (
            "first call: tf.function traces the Python step into a graph, with the input signature of "
            "the dataset's elements"
        )
    else:
        reason = (
            f"a new input signature {_spelled(signature)} is not covered by the traced "
            f"{_spelled(previous)}: tf.function retraces, relaxing differing dimensions to None "
            f"(reduce_retracing=True)"
        )
    relaxed = sorted(
        {
            i
            for s, c in zip(spec, signature)
            for i, (a, b) in enumerate(zip(s, c))
            if a is None and b is not None
        }
    )
    cause = "first_call" if previous is None else "relaxed" if relaxed else "new_shape"
    data = {
        "action": "traced",
        "function": name,
        "mode": "graph",
        "reason": reason,
        "signature": [list(s) for s in spec],
        "cause": cause,
        "called_with": [list(s) for s in signature],
    }
    if relaxed:
        data["relaxed"] = relaxed
    return data


def _spelled(signature: Any) -> str:
    """A signature in words: ``(None, 784), (None,)`` for shapes, TF's own text for each argument otherwise."""
    return ", ".join(str(tuple(s)) if isinstance(s, list) else str(s) for s in signature)


def tf_function_traced(
    name: str,
    previous: list[str] | None,
    signature: list[str],
    spec: list[str],
    relaxed: bool,
    count: int,
) -> dict[str, Any]:
    """A train_function event for a user's ``tf.function`` (a hand-written loop's step): its first trace, or a
    retrace because no traced signature covers the call's ``signature``. Signatures come as TF prints them, one
    text per argument (``TensorSpec(shape=(32, 4), dtype=tf.float32)``, or a Python value); ``spec`` is what was
    traced (relaxed when ``reduce_retracing=True``); ``count`` the traces so far, this one included."""
    if previous is None:
        reason = (
            f"first call: tf.function traces the Python function {name} into a graph for the input "
            f"signature {_spelled(signature)}"
        )
    elif relaxed:
        reason = (
            f"a new input signature {_spelled(signature)} is not covered by the traced {_spelled(previous)}: "
            "tf.function retraces, relaxing differing dimensions to None (reduce_retracing=True)"
        )
    else:
        reason = (
            f"a new input signature {_spelled(signature)} is not covered by the traced {_spelled(previous)}: "
            "tf.function traces a new concrete function for exactly these shapes, dtypes and Python values "
            "(reduce_retracing=False, the default)"
        )
    return {
        "action": "traced",
        "function": name,
        "mode": "graph",
        "reason": reason,
        "signature": list(spec),
        "source": "tf.function",
        "traces": count,
    }


def tf_function_traced_for_variables(
    name: str, signature: list[str], variables: int, count: int
) -> dict[str, Any]:
    """The second trace of a user's ``tf.function`` whose first call made ``variables`` variables: TF lifts
    them out of the graph and traces the function again, for the same signature."""
    return {
        "action": "traced",
        "function": name,
        "mode": "graph",
        "reason": (
            f"the first call made {variables} variable(s) (weights or optimizer slots): tf.function lifts "
            "them out of the graph and traces the function again, now that they exist (once, on the first "
            "call only)"
        ),
        "signature": list(signature),
        "source": "tf.function",
        "traces": count,
        "variables": variables,
    }


def function_made(name: str, action: str, graph: bool, forced: bool) -> dict[str, Any]:
    """A train_function event when ``make_<name>`` returns the cached function ("reused") or a new one."""
    if action == "reused":
        reason = f"model.{name} was cached by an earlier call; compile() would reset it"
    elif forced:
        reason = f"forced by make_{name}(force=True)"
    else:
        reason = f"no cached {name}: fit/evaluate/predict makes one and caches it on the model"
    return {
        "action": action,
        "function": name,
        "mode": "graph" if graph else "eager",
        "reason": reason,
    }


def compile_args(
    optimizer: Any,
    loss: Any,
    metrics: Any,
    loss_weights: Any,
    weighted_metrics: Any,
    run_eagerly: bool | None,
    steps_per_execution: int,
) -> dict[str, Any]:
    """The ``compile`` event's payload (and the ``fit`` event's ``compile``): what compile got, by name."""
    return {
        "optimizer": type(optimizer).__name__,
        "loss": name_of(loss),
        "metrics": name_of(metrics or []),
        "loss_weights": name_of(loss_weights),
        "weighted_metrics": name_of(weighted_metrics or []),
        "run_eagerly": run_eagerly,
        "steps_per_execution": steps_per_execution,
    }
