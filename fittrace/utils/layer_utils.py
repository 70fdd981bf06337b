"""A model's summary table and its weight files (.npz).

Mirrors ``Model.summary`` (tf_keras/src/utils/layer_utils.py ``print_summary``) and ``save_weights`` /
``load_weights`` of ``keras.engine.training``. Weights are saved as a numpy ``.npz`` archive (one array per
variable, in ``model.weights`` order, with the variable names alongside) instead of HDF5/TF checkpoints.
Left out: nested-model expansion in the summary, saving whole models, ``by_name`` loading.
"""
from __future__ import annotations

import io
import os
import tempfile
from typing import Any, Callable

import numpy as np

from fittrace.tracing import recorder as rec


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
            cutoff = positions[col] - (positions[col - 1] if col else 0) - space - (1 if col != last else 0)
            fit = left[col][:cutoff]
            breaks = [fit.find(mark) + len(mark) for mark in ("),", "},", "],", "',") if fit.find(mark) >= 0]
            if breaks:
                cutoff = min(breaks)
                fit = fit[:cutoff]
            line += (" " if col == 0 else "") + fit + " " * space
            left[col] = left[col][cutoff:]
            line += " " * (positions[col] - len(line))
        lines.append(line)
    return lines


class ModelIOMixin:
    """summary, save_weights and load_weights for ``Model``."""

    def summary(self, line_length: int | None = None, positions: list[float] | None = None,
                print_fn: Callable[[str], Any] | None = None) -> None:
        """Print Keras's table: each layer with its output shape and parameter count."""
        with rec.span("api_call", "Model.summary", keras="keras.engine.training.Model.summary",
                      data={"method": "summary", "model": self.name, "detail": None}):
            if not self.built:
                raise ValueError("This model has not yet been built. Build the model first by calling `build()` or "
                                 "by calling the model on a batch of data.")
            print_fn = print_fn or print
            line_length = line_length or 65
            pos = [int(line_length * p) for p in (positions or [0.45, 0.85, 1.0])]
            lines = [f'Model: "{self.name}"', "_" * line_length,
                     *_rows(["Layer (type)", "Output Shape", "Param #"], pos), "=" * line_length]
            rows = self._summary_rows()
            for i, (name, cls, shape, params) in enumerate(rows):
                lines += _rows([f"{name} ({cls})", str(shape), str(params)], pos)
                lines.append(" " * line_length if i < len(rows) - 1 else "")
            if lines[-1] == "":
                lines[-1] = " " * line_length
            trainable = sum(int(np.prod(w.shape)) for w in self.trainable_weights)
            non_trainable = sum(int(np.prod(w.shape)) for w in self.non_trainable_weights)
            size = lambda ws: _readable_size(sum(w.value.nbytes for w in ws))  # noqa: E731
            lines += ["=" * line_length,
                      f"Total params: {trainable + non_trainable} ({size(self.weights)})",
                      f"Trainable params: {trainable} ({size(self.trainable_weights)})",
                      f"Non-trainable params: {non_trainable} ({size(self.non_trainable_weights)})",
                      "_" * line_length]
            for line in lines:
                print_fn(line)

    def _summary_rows(self) -> list[tuple[str, str, Any, int]]:
        rows = []
        for layer in self._flatten_layers():
            shape = getattr(layer, "_output_shape_for_summary", None) or "multiple"
            params = int(sum(np.prod(w.shape) for w in layer.weights)) if layer.built else 0
            rows.append((layer.name, type(layer).__name__, shape, params))
        return rows

    def save_weights(self, filepath: str | os.PathLike, overwrite: bool = True, save_format: Any = None) -> None:
        """Save every weight to a ``.npz`` file, atomically (a failure leaves no half-written file)."""
        path = os.fspath(filepath)
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"{path} exists and overwrite=False")
        weights = self.weights
        buf = io.BytesIO()
        np.savez(buf, __names__=np.array([w.name for w in weights]),
                 **{f"w{i:04d}": w.value for i, w in enumerate(weights)})
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".fittrace-", suffix=".npz.tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(buf.getvalue())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load_weights(self, filepath: str | os.PathLike) -> None:
        """Load weights saved by :meth:`save_weights` (same architecture, same order)."""
        path = os.fspath(filepath)
        with np.load(path, allow_pickle=False) as data:
            names = [str(n) for n in data["__names__"]]
            arrays = [data[f"w{i:04d}"] for i in range(len(names))]
        if not self.built:
            raise ValueError(f"Unable to load weights saved in {path} into model '{self.name}': the model is not built "
                             "yet, so it has no weights to fill. Call the model on a batch or call build() first.")
        weights = self.weights
        if len(weights) != len(arrays):
            raise ValueError(f"Weight count mismatch: {path} holds {len(arrays)} weights ({names[:4]}...) but model "
                             f"'{self.name}' has {len(weights)}. Load weights into the architecture that saved them.")
        for w, a, n in zip(weights, arrays, names):
            if w.shape != a.shape:
                raise ValueError(f"Shape mismatch for weight {w.name}: the file has {n} with shape {a.shape}, the "
                                 f"model expects {w.shape}.")
        for w, a in zip(weights, arrays):
            w.assign(a)
