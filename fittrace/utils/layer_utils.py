"""A model's summary table, as ``Model.summary`` prints it.

Mirrors ``print_summary`` and ``readable_memory_size`` of tf_keras/src/utils/layer_utils.py: the column positions,
the rows cut to their columns and continued on the next line, the totals with their sizes in bytes; a functional
model that is not a plain chain (branches, merges, a shared layer) gets the wider table with the "Connected to"
column (``layer[node][tensor]`` for each input). Left out: nested-model expansion (``expand_nested``),
``show_trainable`` and ``layer_range``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _readable_size(n_bytes: float) -> str:
    """Keras's ``readable_memory_size``: ``1.55 MB``, ``0.00 Byte``."""
    units = ["Byte", "KB", "MB", "GB", "TB", "PB"]
    scale = 1024
    for unit in units:
        if n_bytes / scale < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= scale
    return f"{n_bytes:.2f} {units[-1]}"


def _rows(fields: list[str], positions: list[int]) -> list[str]:
    """One table row as printed lines (``print_row``): each field cut to its column; what does not fit goes on to
    the next line, broken after a "),", "}," "]," or "'," where the cut part has one."""
    left = [str(x) for x in fields]
    last = len(positions) - 1
    lines = []
    while any(left):
        line = ""
        for col in range(len(left)):
            space = 2 if col != last else 0
            cutoff = (
                positions[col]
                - (positions[col - 1] if col else 0)
                - space
                - (1 if col != last else 0)
            )
            fit = left[col][:cutoff]
            breaks = [
                fit.find(mark) + len(mark)
                for mark in ("),", "},", "],", "',")
                if fit.find(mark) >= 0
            ]
            if breaks:
                cutoff = min(breaks)
                fit = fit[:cutoff]
            line += (" " if col == 0 else "") + fit + " " * space
            left[col] = left[col][cutoff:]
            line += " " * (positions[col] - len(line))
        lines.append(line)
    return lines


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: list[float] | None = None,
    print_fn: Callable[[str], Any] | None = None,
) -> None:
    """Print a built model's table: each layer with its output shape and parameter count, then the totals."""
    print_fn = print_fn or print
    chain = _sequential_like(model)
    if chain:
        line_length = line_length or 65
        pos = [int(line_length * p) for p in (positions or [0.45, 0.85, 1.0])]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        pos = [int(line_length * p) for p in (positions or [0.3, 0.6, 0.70, 1.0])]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    lines = [
        f'Model: "{model.name}"',
        "_" * line_length,
        *_rows(header, pos),
        "=" * line_length,
    ]
    rows = _layer_rows(model, chain)
    for i, fields in enumerate(rows):
        lines += _rows(fields, pos)
        lines.append(" " * line_length if i < len(rows) - 1 else "")
    if lines[-1] == "":
        lines[-1] = " " * line_length
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    size = lambda ws: _readable_size(sum(w.value.nbytes for w in ws))  # noqa: E731
    lines += [
        "=" * line_length,
        f"Total params: {trainable + non_trainable} ({size(model.weights)})",
        f"Trainable params: {trainable} ({size(model.trainable_weights)})",
        f"Non-trainable params: {non_trainable} ({size(model.non_trainable_weights)})",
        "_" * line_length,
    ]
    for line in lines:
        print_fn(line)


def _sequential_like(model: Any) -> bool:
    """Keras's test for the narrow table: a Sequential, a subclassed model, or a functional chain."""
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False):
        return True
    return model._is_chain()


def _output_shape(layer: Any) -> Any:
    try:
        return layer.output_shape
    except AttributeError:
        return "multiple"


def _layer_rows(model: Any, chain: bool) -> list[list[str]]:
    relevant = [n for nodes in model._nodes_by_depth.values() for n in nodes] if not chain else []
    rows = []
    for layer in model.layers:
        if layer.built or getattr(layer, "_is_graph_network", False):
            params: Any = int(sum(np.prod(w.shape) for w in layer.weights))
        else:
            params = "0 (unused)"
        fields = [f"{layer.name} ({type(layer).__name__})", str(_output_shape(layer)), str(params)]
        if not chain:
            connections = [
                f"{inbound.name}[{node_index}][{tensor_index}]"
                for node in layer._inbound_nodes
                if any(node is n for n in relevant)
                for inbound, node_index, tensor_index, _ in node.iterate_inbound()
            ]
            fields.append(str(connections))
        rows.append(fields)
    return rows
