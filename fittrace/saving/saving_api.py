"""Whole models and weight files: ``save_model``/``load_model`` and ``model.save_weights``/``load_weights``.

Mirrors tf_keras/src/saving/saving_api.py. ``save_model`` picks the format from ``save_format``, else the path:
``x.keras`` is Keras's zip archive (``saving_lib.py``), ``x.h5`` and ``x.hdf5`` the legacy HDF5 file
(``legacy/save.py``, with Keras's warning that it is legacy), any other path a TensorFlow SavedModel folder, which
fittrace cannot write and says so, naming ``.keras``. ``load_model`` reads a ``.keras`` zip archive through
``saving_lib``, anything else through the legacy code (an HDF5 file; a folder is a SavedModel, which needs
TensorFlow). ``save_weights`` and ``load_weights`` choose the format from
the path: ``x.weights.h5`` is Keras's weights file (``saving_lib.py``), the weights of a ``x.keras`` zip archive
load the same way, and every other path goes to the legacy code (``legacy/save.py``): ``.h5``, ``.hdf5`` and
``.keras`` the legacy HDF5 layout, anything else the TensorFlow checkpoint format, which fittrace cannot write and
says so. Files written by tf-keras 2.21 load here and files written here load in tf-keras, both ways.

fittrace also keeps a format of its own, ``x.npz``: a numpy archive of every variable in ``model.weights`` order
with the names alongside, read with ``allow_pickle=False``. Every format is written atomically (a failure leaves no
half-written file), and a load that fails leaves the model's weights as they were.

Left out: remote paths (``gs://``...), ``options``, the prompt for ``overwrite=False`` (``FileExistsError``
instead), the SavedModel format.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from typing import Any

import numpy as np

from fittrace.saving import saving_lib
from fittrace.saving.legacy import save as legacy_save
from fittrace.utils.io_utils import atomic_write

NPZ_SUFFIX = ".npz"


def get_save_format(filepath: str, save_format: Any) -> str:
    """``"keras"``, ``"h5"`` or ``"tf"``: the whole-model format ``save_format`` names, else the path's ending,
    as Keras chooses it (no recognizable ending means a SavedModel, TF2's default)."""
    if save_format:
        if save_format in ("keras", "keras_v3"):
            return "keras"
        if save_format in ("h5", "hdf5"):
            return "h5"
        if save_format in ("tf", "tensorflow"):
            return "tf"
        raise ValueError(
            "Unknown `save_format` argument. Expected one of "
            "'keras', 'tf', or 'h5'. "
            f"Received: save_format={save_format}"
        )
    if str(filepath).endswith(".keras"):
        return "keras"
    if str(filepath).endswith((".h5", ".hdf5")):
        return "h5"
    return "tf"


def save_model(
    model: Any,
    filepath: str | os.PathLike,
    overwrite: bool = True,
    save_format: Any = None,
    **kwargs: Any,
) -> None:
    """Save the whole model: ``x.keras`` (or ``save_format="keras"``) as Keras's zip archive
    (``saving_lib.save_model``), ``x.h5`` as the legacy HDF5 file (``legacy/save.py``); a SavedModel (any other
    path) needs TensorFlow and raises. Written atomically either way."""
    path = os.fspath(filepath)
    file_format = get_save_format(path, save_format)
    if file_format == "h5":
        warnings.warn(
            "You are saving your model as an HDF5 file via `model.save()`. "
            "This file format is considered legacy. "
            "We recommend using instead the native TF-Keras format, "
            "e.g. `model.save('my_model.keras')`.",
            stacklevel=3,
        )
    if file_format == "keras":
        legacy_save.refuse_overwrite(path, overwrite)
        if kwargs:
            raise ValueError(
                "The following argument(s) are not supported "
                f"with the native TF-Keras format: {list(kwargs.keys())}"
            )
        saving_lib.save_model(model, path)
        return
    legacy_save.save_model(model, path, overwrite=overwrite, save_format=file_format, **kwargs)


def load_model(
    filepath: str | os.PathLike,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
    **kwargs: Any,
) -> Any:
    """Load a whole model saved by ``model.save`` (here or by tf-keras): a ``.keras`` zip archive, or a legacy
    HDF5 file. Nothing in the file is run; a load that fails returns nothing and says why."""
    path = os.fspath(filepath)
    if path.endswith(".keras") and os.path.isfile(path) and zipfile.is_zipfile(path):
        if kwargs:
            raise ValueError(
                "The following argument(s) are not supported "
                f"with the native TF-Keras format: {list(kwargs.keys())}"
            )
        return saving_lib.load_model(
            path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        )
    return legacy_save.load_model(
        path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode, **kwargs
    )


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
