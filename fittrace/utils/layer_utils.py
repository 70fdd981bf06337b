"""A model's summary table, as ``Model.summary`` prints it.

Mirrors ``print_summary`` and ``readable_memory_size`` of tf_keras/src/utils/layer_utils.py: the column positions,
the rows cut to their columns and continued on the next line, the totals with their sizes in bytes. Left out:
nested-model expansion (``expand_nested``), ``show_trainable``, ``layer_range`` and the "Connected to" column of
functional models.
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
    line_length = line_length or 65
    pos = [int(line_length * p) for p in (positions or [0.45, 0.85, 1.0])]
    lines = [
        f'Model: "{model.name}"',
        "_" * line_length,
        *_rows(["Layer (type)", "Output Shape", "Param #"], pos),
        "=" * line_length,
    ]
    rows = _layer_rows(model)
    for i, (name, cls, shape, params) in enumerate(rows):
        lines += _rows([f"{name} ({cls})", str(shape), str(params)], pos)
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


def _layer_rows(model: Any) -> list[tuple[str, str, Any, int]]:
    rows = []
    for layer in model._flatten_layers():
        shape = getattr(layer, "_output_shape_for_summary", None) or "multiple"
        params = int(sum(np.prod(w.shape) for w in layer.weights)) if layer.built else 0
        rows.append((layer.name, type(layer).__name__, shape, params))
    return rows
