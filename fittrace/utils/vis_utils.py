"""``plot_model`` and ``model_to_dot``: a model drawn as Graphviz boxes, one per layer, with its graph's edges.

Mirrors ``keras.utils.plot_model`` and ``model_to_dot`` (tf_keras/src/utils/vis_utils.py): the same record-shaped
nodes (name | class, then dtype, the input and output shapes, the activation, T/NT for trainable, as asked), the
model's InputLayer(s) as boxes, an edge for each inbound connection of each node of the model's graph (so branches,
merges and a shared layer called twice show as they are), top-to-bottom by default. A subclassed model, which has
no graph, is drawn as its layers in order, as Keras does. Keras builds the graph with pydot; fittrace writes the
DOT text itself and has Graphviz's ``dot`` program draw it, so ``model_to_dot`` returns that text, not a pydot
object. The file is written atomically. Left out: ``expand_nested`` (Sequential has nothing to expand) and the
IPython image returned in a notebook.

    >>> from fittrace.keras import layers
    >>> from fittrace.keras.models import Sequential
    >>> print(model_to_dot(Sequential([layers.Dense(2, input_shape=(3,), name="out")])).splitlines()[5])
      "out_input" [label="out_input|InputLayer"];
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from fittrace.tracing.atomic import atomic_path

_NOT_BUILT = (
    "This model has not yet been built. Build the model first by calling `build()` or by calling the model "
    "on a batch of data."
)


def _shape(shape: Any) -> str:
    return str(shape).replace("{", r"\{").replace("}", r"\}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _try(get: Any) -> Any:
    try:
        return get()
    except AttributeError:
        return None


def _boxes(model: Any) -> tuple[list[tuple[str, Any, Any, Any, Any]], list[tuple[str, str]]]:
    """(name, class name, layer, input shape, output shape) for each layer of the model's graph (its
    InputLayers included), and the edges (inbound layer name, layer name) of the graph's nodes."""
    if not getattr(model, "_is_graph_network", False):
        layers = model.layers
        boxes = [
            (
                layer.name,
                type(layer).__name__,
                layer,
                None,
                _try(lambda lay=layer: lay.output_shape),
            )
            for layer in layers
        ]
        return boxes, [(a.name, b.name) for a, b in zip(layers, layers[1:])]
    relevant = [n for nodes in model._nodes_by_depth.values() for n in nodes]
    boxes, edges = [], []
    for layer in model._graph_layers:
        boxes.append(
            (
                layer.name,
                type(layer).__name__,
                layer,
                _try(lambda lay=layer: lay.input_shape),
                _try(lambda lay=layer: lay.output_shape),
            )
        )
        for node in layer._inbound_nodes:
            if any(node is n for n in relevant):
                edges += [(inbound.name, layer.name) for inbound, *_ in node.iterate_inbound()]
    return boxes, edges


def model_to_dot(
    model: Any,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 96,
    subgraph: bool = False,
    layer_range: Any = None,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
) -> str:
    """The model as Graphviz DOT text."""
    if not model.built:
        raise ValueError(_NOT_BUILT)
    boxes, edges = _boxes(model)
    if layer_range is not None:
        start, end = layer_range
        boxes = boxes[start:end]
        kept = {b[0] for b in boxes}
        edges = [(a, b) for a, b in edges if a in kept and b in kept]
    lines = [
        "digraph G {",
        f"  rankdir={rankdir};",
        "  concentrate=true;",
        f"  dpi={dpi};",
        "  node [shape=record];",
    ]
    for name, cls, layer, shape_in, shape_out in boxes:
        label = cls
        activation = getattr(layer, "activation", None)
        if show_layer_activations and activation is not None:
            label = "{%s|%s}" % (label, getattr(activation, "__name__", str(activation)))
        if show_layer_names:
            label = f"{name}|{label}"
        if show_dtype:
            label = f"{label}|{getattr(layer, 'dtype', None) or 'float32'}"
        if show_shapes:
            label = "{%s}|{input:|output:}|{{%s}|{%s}}" % (
                label,
                _shape(shape_in) if shape_in is not None else "?",
                _shape(shape_out) if shape_out is not None else "?",
            )
        if show_trainable:
            label = f"{'T' if getattr(layer, 'trainable', True) else 'NT'}|{label}"
        lines.append(f"  {_quote(name)} [label={_quote(label)}];")
    for a, b in edges:
        lines.append(f"  {_quote(a)} -> {_quote(b)};")
    lines.append("}")
    return "\n".join(lines)


def plot_model(
    model: Any,
    to_file: str | os.PathLike = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 96,
    layer_range: Any = None,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
) -> None:
    """Draw the model into ``to_file``; its extension (png when none) picks the format."""
    if not model.built:
        raise ValueError(_NOT_BUILT)
    dot = shutil.which("dot")
    if dot is None:
        raise ImportError(
            "You must install graphviz (the `dot` program, e.g. `apt-get install graphviz`) for "
            "plot_model to work."
        )
    source = model_to_dot(
        model,
        show_shapes,
        show_dtype,
        show_layer_names,
        rankdir,
        expand_nested,
        dpi,
        layer_range=layer_range,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    extension = os.path.splitext(os.fspath(to_file))[1][1:] or "png"
    drawn = subprocess.run([dot, f"-T{extension}"], input=source.encode(), capture_output=True)
    if drawn.returncode != 0:
        raise ValueError(
            f"Graphviz could not draw the model as {extension!r}: "
            f"{drawn.stderr.decode(errors='replace').strip()}"
        )
    with atomic_path(to_file) as tmp:
        tmp.write_bytes(drawn.stdout)
