"""``plot_model`` and ``model_to_dot``: a Sequential model drawn as Graphviz boxes, one per layer.

Mirrors ``keras.utils.plot_model`` and ``model_to_dot`` (tf_keras/src/utils/vis_utils.py): the same record-shaped
nodes (name | class, then dtype, the input and output shapes, the activation, T/NT for trainable, as asked), the
model's input as its first box, top-to-bottom by default. Keras builds the graph with pydot; fittrace writes the
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
    return str(tuple(shape)).replace("{", r"\{").replace("}", r"\}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _boxes(model: Any) -> list[tuple[str, Any, Any, Any, Any]]:
    """(name, class name, layer or None, input shape, output shape) for the model's input and each layer."""
    nodes = getattr(model, "_graph_nodes", None)
    if not nodes:
        return [(model.name, type(model).__name__, None, None, None)]
    first = nodes[0][1]
    input_layer = getattr(model, "_input_layer", None)
    name = input_layer.name if input_layer is not None else f"{nodes[0][0].name}_input"
    return [(name, "InputLayer", None, first, first)] + [
        (layer.name, type(layer).__name__, layer, shape_in, shape_out)
        for layer, shape_in, shape_out in nodes
    ]


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
    boxes = _boxes(model)
    if layer_range is not None:
        start, end = layer_range
        boxes = boxes[start:end]
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
                _shape(shape_in) if shape_in else "?",
                _shape(shape_out) if shape_out else "?",
            )
        if show_trainable:
            label = f"{'T' if getattr(layer, 'trainable', True) else 'NT'}|{label}"
        lines.append(f"  {_quote(name)} [label={_quote(label)}];")
    for (a, *_), (b, *_) in zip(boxes, boxes[1:]):
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
