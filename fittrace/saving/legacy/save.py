"""``save_weights`` and ``load_weights`` for every weights path that is not a ``.weights.h5`` file: the format
chosen from the path and ``save_format``, the file opened and checked, the legacy HDF5 layout read or written.

Mirrors ``save_weights``, ``load_weights`` and ``_detect_save_format`` of tf_keras/src/saving/legacy/save.py:
``.h5``, ``.hdf5`` and ``.keras`` (or ``save_format="h5"``) mean the legacy HDF5 layout of ``hdf5_format.py``;
any other path means a TensorFlow checkpoint, which needs TensorFlow, so fittrace raises ``NotImplementedError``
and names the formats it can write. When loading, a path that is not a TensorFlow checkpoint is read as HDF5, as
in Keras, and a whole-model ``.h5`` file's ``model_weights`` are found. The file is written atomically (a failure
leaves no half-written file and the old file in place); a file that does not fit changes nothing in the model.

``save_model`` and ``load_model`` are the legacy whole-model paths: a ``.h5`` (or ``.hdf5``) file, written and
read by ``hdf5_format.py``; any other path is a SavedModel folder to Keras, which needs TensorFlow, so fittrace
raises ``NotImplementedError`` and names the ``.keras`` format instead.

Left out: the TensorFlow checkpoint format and SavedModel folders, ``options``, and the prompt Keras shows for
``overwrite=False`` (fittrace raises ``FileExistsError`` instead).
"""

from __future__ import annotations

import os
from typing import Any

import h5py

from fittrace.saving.legacy import hdf5_format
from fittrace.saving.saving_lib import assign_all, open_hdf5
from fittrace.utils.io_utils import atomic_write


def is_hdf5_filepath(filepath: str) -> bool:
    """Does the path name an HDF5 file to Keras (``.h5``, ``.keras``, ``.hdf5``)?"""
    return filepath.endswith((".h5", ".keras", ".hdf5"))


def _needs_tensorflow(filepath: str, action: str, what: str) -> NotImplementedError:
    return NotImplementedError(
        f"Unable to {action} {filepath}: {what}, which needs TensorFlow. fittrace reads and writes Keras's "
        "HDF5 weight files: use a path ending in `.weights.h5` (Keras's weights file), or in `.h5` for the "
        "legacy HDF5 layout."
    )


def refuse_overwrite(filepath: str, overwrite: bool) -> None:
    """``FileExistsError`` when ``filepath`` exists and ``overwrite`` is False (Keras would ask; fittrace never
    prompts)."""
    if not overwrite and os.path.isfile(filepath):
        raise FileExistsError(
            f"Not saving to {filepath}: the file exists and overwrite=False (Keras would ask whether to "
            "overwrite it; fittrace never prompts). Pass overwrite=True, or another path."
        )


def save_weights(
    model: Any, filepath: str, overwrite: bool = True, save_format: Any = None
) -> None:
    """Save the weights in the legacy HDF5 layout (``hdf5_format.save_weights_to_hdf5_group``), atomically."""
    model._assert_weights_created()
    filepath_is_h5 = is_hdf5_filepath(filepath)
    asked, asked_format = save_format is not None, save_format
    if save_format is None:
        save_format = "h5" if filepath_is_h5 else "tf"
    else:
        user_format = str(save_format).lower().strip()
        if user_format in ("tensorflow", "tf"):
            save_format = "tf"
        elif user_format in ("hdf5", "h5", "keras"):
            save_format = "h5"
        else:
            raise ValueError(
                f"Unknown format. Received: `save_format`={save_format}. "
                'Was expecting one of {"tf", "h5"}.'
            )
    if save_format == "tf" and filepath_is_h5:
        raise ValueError(
            'save_weights got save_format="tf"/"tensorflow", but the '
            f"filepath ({filepath}) looks like an HDF5 file. "
            'Omit the ".h5"/".keras" when saving in TensorFlow format.'
        )
    if save_format == "tf":
        what = (
            f"save_format={asked_format!r} asks for"
            if asked
            else "a path without a `.h5`, `.hdf5` or `.keras` ending means"
        )
        raise _needs_tensorflow(
            filepath, "save weights to", f"{what} the TensorFlow checkpoint format"
        )
    refuse_overwrite(filepath, overwrite)
    with atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w") as f:
            hdf5_format.save_weights_to_hdf5_group(f, model)


def _detect_save_format(filepath: str) -> str:
    """ "h5" or "tf" (a checkpoint prefix, or a SavedModel folder), as Keras tells them apart."""
    if is_hdf5_filepath(filepath):
        return "h5"
    if os.path.exists(filepath + ".index") or os.path.isfile(
        os.path.join(filepath, "saved_model.pb")
    ):
        return "tf"
    return "h5"


def load_weights(
    model: Any, filepath: str, by_name: bool = False, skip_mismatch: bool = False
) -> None:
    """Load weights from a legacy HDF5 file (a ``save_weights`` file, or a whole-model file's ``model_weights``),
    by order or ``by_name``; the model is unchanged when the file cannot be loaded."""
    if skip_mismatch and not by_name:
        raise ValueError(
            "When calling model.load_weights, skip_mismatch can only be "
            "set to True when by_name is True."
        )
    if _detect_save_format(filepath) == "tf":
        kind = "SavedModel folder" if os.path.isdir(filepath) else "checkpoint"
        raise _needs_tensorflow(filepath, "load weights from", f"it is a TensorFlow {kind}")
    if not model.built:
        raise ValueError(
            "Unable to load weights saved in HDF5 format into a "
            "subclassed Model which has not created its variables yet. "
            "Call the Model first, then load the weights."
        )
    model._assert_weights_created()
    with open_hdf5(filepath) as f:
        group = hdf5_format.find_weights_group(f, filepath)
        try:
            if by_name:
                plan = hdf5_format.weights_plan_from_hdf5_group_by_name(group, model, skip_mismatch)
            else:
                plan = hdf5_format.weights_plan_from_hdf5_group(group, model)
        except (OSError, RuntimeError) as e:  # h5py could not read a group or a dataset
            raise OSError(
                f"Unable to load weights from {filepath}: the file is corrupt ({e})."
            ) from None
    assign_all(plan)


# --- whole models --------------------------------------------------------------------------------------------------
def save_model(
    model: Any,
    filepath: str,
    overwrite: bool = True,
    include_optimizer: bool = True,
    save_format: Any = None,
    signatures: Any = None,
    options: Any = None,
    save_traces: bool = True,
) -> None:
    """The legacy whole-model formats: ``.h5`` (``hdf5_format.save_model_to_hdf5``), or a SavedModel folder,
    which needs TensorFlow. ``signatures``, ``options`` and ``save_traces`` only mean something to a SavedModel."""
    if save_format == "h5" or is_hdf5_filepath(filepath):
        sequential = any(c.__name__ == "Sequential" for c in type(model).__mro__)
        if not getattr(model, "_is_graph_network", False) and not sequential:
            raise NotImplementedError(
                "Saving the model to HDF5 format requires the model to be a "
                "Functional model or a Sequential model. It does not work for "
                "subclassed models, because such models are defined via the "
                "body of a Python method, which isn't safely serializable. "
                'Consider saving to the Tensorflow SavedModel format (by setting save_format="tf") or using '
                "`save_weights`."
            )
        hdf5_format.save_model_to_hdf5(model, filepath, overwrite, include_optimizer)
        return
    raise NotImplementedError(
        f"Unable to save the model to {filepath}: "
        + (
            f"save_format={save_format!r} asks for"
            if save_format
            else "a path without a `.keras`, `.h5` or `.hdf5` ending means"
        )
        + " the TensorFlow SavedModel format, which needs TensorFlow. fittrace saves whole models in Keras's "
        "own format: use a path ending in `.keras` (or `.h5` for the legacy HDF5 file)."
    )


def load_model(
    filepath: str,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    options: Any = None,
    safe_mode: bool = True,
) -> Any:
    """A whole model from a legacy ``.h5`` file (``hdf5_format.load_model_from_hdf5``); a SavedModel folder needs
    TensorFlow, and says so."""
    if not os.path.exists(filepath):
        raise OSError(f"No file or directory found at {filepath}")
    if os.path.isdir(filepath):
        what = (
            "it is a TensorFlow SavedModel folder"
            if os.path.isfile(os.path.join(filepath, "saved_model.pb"))
            else "it is a folder, which Keras reads as a TensorFlow SavedModel"
        )
        raise NotImplementedError(
            f"Unable to load a model from {filepath}: {what}, which needs TensorFlow. fittrace loads whole "
            "models from Keras's own files: a `.keras` zip archive (`model.save('x.keras')`) or a legacy `.h5` "
            "file."
        )
    if filepath.endswith(".keras") and not h5py.is_hdf5(filepath):
        raise ValueError(
            f"Unable to load model from {filepath}: a `.keras` file is a zip archive (or, from a Keras that "
            "saved `.keras` files as HDF5, an HDF5 file), and this one is neither (or it is truncated)."
        )
    return hdf5_format.load_model_from_hdf5(filepath, custom_objects, compile, safe_mode)
