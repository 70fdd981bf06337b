"""Weight files: ``model.save_weights`` and ``model.load_weights``, in Keras's own file layouts.

Mirrors ``save_weights`` and ``load_weights`` of tf_keras/src/saving/saving_api.py, which choose the format from
the path: ``x.weights.h5`` is Keras's weights file (``saving_lib.py``), the weights of a ``x.keras`` zip archive
load the same way, and every other path goes to the legacy code (``legacy/save.py``): ``.h5``, ``.hdf5`` and
``.keras`` the legacy HDF5 layout, anything else the TensorFlow checkpoint format, which fittrace cannot write and
says so. Files written by tf-keras 2.21 load here and files written here load in tf-keras, both ways.

fittrace also keeps a format of its own, ``x.npz``: a numpy archive of every variable in ``model.weights`` order
with the names alongside, read with ``allow_pickle=False``. Every format is written atomically (a failure leaves no
half-written file), and a load that fails leaves the model's weights as they were.

Left out: remote paths (``gs://``...), ``options``, the prompt for ``overwrite=False`` (``FileExistsError``
instead), whole-model saving (``save_model``, ``load_model``).
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

import numpy as np

from fittrace.saving import saving_lib
from fittrace.saving.legacy import save as legacy_save
from fittrace.utils.io_utils import atomic_write

NPZ_SUFFIX = ".npz"


def save_weights(
    model: Any, filepath: str | os.PathLike, overwrite: bool = True, save_format: Any = None
) -> None:
    """Save every weight to ``filepath`` in the format its ending names (see the module's docstring)."""
    path = os.fspath(filepath)
    if path.endswith(saving_lib.WEIGHTS_SUFFIX):
        legacy_save.refuse_overwrite(path, overwrite)
        saving_lib.save_weights_only(model, path)
    elif path.endswith(NPZ_SUFFIX):
        legacy_save.refuse_overwrite(path, overwrite)
        _save_npz(model, path)
    else:
        legacy_save.save_weights(model, path, overwrite=overwrite, save_format=save_format)


def load_weights(
    model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False, by_name: bool = False
) -> None:
    """Load weights from ``filepath``, in the format its ending names; the model is unchanged if it fails."""
    path = os.fspath(filepath)
    if (path.endswith(".keras") and zipfile.is_zipfile(path)) or path.endswith(
        saving_lib.WEIGHTS_SUFFIX
    ):
        # like Keras, by_name means nothing to these files
        saving_lib.load_weights_only(model, path, skip_mismatch=skip_mismatch)
    elif path.endswith(NPZ_SUFFIX):
        if by_name or skip_mismatch:
            raise ValueError(
                f"by_name and skip_mismatch apply to HDF5 weight files (.h5), not to fittrace's {path}: "
                "an .npz file loads whole, in order."
            )
        _load_npz(model, path)
    else:
        legacy_save.load_weights(model, path, by_name=by_name, skip_mismatch=skip_mismatch)


# --- fittrace's own .npz -------------------------------------------------------------------------------------------
def _save_npz(model: Any, path: str) -> None:
    weights = model.weights
    buf = io.BytesIO()
    np.savez(
        buf,
        __names__=np.array([w.name for w in weights]),
        **{f"w{i:04d}": w.value for i, w in enumerate(weights)},
    )
    with atomic_write(path) as tmp, open(tmp, "wb") as fh:
        fh.write(buf.getvalue())


def _load_npz(model: Any, path: str) -> None:
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
