"""Weight files: ``model.save_weights`` and ``model.load_weights``.

Mirrors ``save_weights`` and ``load_weights`` of tf_keras/src/saving/saving_api.py, in a format of fittrace's own:
a numpy ``.npz`` archive (one array per variable, in ``model.weights`` order, with the variable names alongside),
written atomically (a failure leaves no half-written file) and read with ``allow_pickle=False`` (loading never runs
code from the file). Left out: HDF5 and TF checkpoints, ``by_name`` and ``skip_mismatch``, whole-model saving.
"""

from __future__ import annotations

import io
import os
import tempfile
from typing import Any

import numpy as np


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Save every weight to a ``.npz`` file, atomically (a failure leaves no half-written file)."""
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False")
    weights = model.weights
    buf = io.BytesIO()
    np.savez(
        buf,
        __names__=np.array([w.name for w in weights]),
        **{f"w{i:04d}": w.value for i, w in enumerate(weights)},
    )
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


def load_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Load weights saved by :meth:`save_weights` (same architecture, same order)."""
    path = os.fspath(filepath)
    with np.load(path, allow_pickle=False) as data:
        names = [str(n) for n in data["__names__"]]
        arrays = [data[f"w{i:04d}"] for i in range(len(names))]
    if not model.built:
        raise ValueError(
            f"Unable to load weights saved in {path} into model '{model.name}': the model is not built "
            "yet, so it has no weights to fill. Call the model on a batch or call build() first."
        )
    weights = model.weights
    if len(weights) != len(arrays):
        raise ValueError(
            f"Weight count mismatch: {path} holds {len(arrays)} weights ({names[:4]}...) but model "
            f"'{model.name}' has {len(weights)}. Load weights into the architecture that saved them."
        )
    for w, a, n in zip(weights, arrays, names):
        if w.shape != a.shape:
            raise ValueError(
                f"Shape mismatch for weight {w.name}: the file has {n} with shape {a.shape}, the "
                f"model expects {w.shape}."
            )
    for w, a in zip(weights, arrays):
        w.assign(a)
