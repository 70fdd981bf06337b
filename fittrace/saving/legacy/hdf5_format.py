"""The legacy HDF5 layout of ``model.save_weights("x.h5")``, and the pieces a whole-model ``.h5`` file reuses.

Mirrors tf_keras/src/saving/legacy/hdf5_format.py. A weights group (the file's root, or ``model_weights`` in a
whole-model file) has the attributes ``layer_names`` (the model's layers, in order), ``backend`` and
``keras_version``, and one group per layer, named after it, whose ``weight_names`` attribute lists the layer's
weights (trainable ones first) and which holds one dataset per weight at the weight's name, so ``dense/kernel:0``
lands at ``dense/dense/kernel:0``. ``top_level_model_weights`` holds the model's own weights. The optimizer's
variables go into ``optimizer_weights`` the same way (``iteration:0``, ``Adam/m/dense/kernel:0``...). Attribute
lists too big for one HDF5 object header are split into ``layer_names0``, ``layer_names1``... as Keras does.

Loading is by order (``load_weights_from_hdf5_group``: the layers that have weights, matched one to one) or by name
(``..._by_name``, with ``skip_mismatch``), with Keras's messages, and reads and checks everything before it assigns
anything. fittrace writes ``backend="tensorflow"`` and ``keras_version="2.21.0"``: the weights are in TensorFlow's
layout, as tf-keras 2.21 writes them, so tf-keras reads them without conversion.

The whole-model file (``save_model_to_hdf5``, ``load_model_from_hdf5``) adds the model's config and training
config as JSON attributes (``saving_utils.py``), its weights in ``model_weights`` and the optimizer's state in
``optimizer_weights``; loading rebuilds the model (``model_config.py``), compiles it and restores the optimizer,
all checked before anything is assigned, and runs nothing from the file.

Left out: converting Keras 1 and cuDNN weights (``preprocess_weights_for_loading``), writing into an open
``h5py.File`` handed in instead of a path, the warning about variables shared between layers.
"""

from __future__ import annotations

import json
import os
from typing import Any

import h5py
import numpy as np

from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving import object_registration, saving_lib
from fittrace.saving.legacy import model_config as model_config_lib
from fittrace.saving.legacy import saving_utils
from fittrace.saving.saving_lib import (
    assign_all,
    checked_value,
    log_warning,
    open_hdf5,
    optimizer_variables,
)
from fittrace.saving.serialization_lib import SafeModeScope
from fittrace.utils.io_utils import atomic_write

#: Keras's limit for one attribute: past it, a name list is split into numbered chunks.
HDF5_OBJECT_HEADER_LIMIT = 64512
#: What the ``backend`` and ``keras_version`` attributes say: the layout tf-keras 2.21 writes.
BACKEND = "tensorflow"
KERAS_VERSION = saving_lib.KERAS_VERSION
_KERAS = "keras.saving.legacy.hdf5_format"


# --- attributes ----------------------------------------------------------------------------------------------------
def save_attributes_to_hdf5_group(group: h5py.Group, name: str, data: list[bytes]) -> None:
    """Store a list of names as the attribute ``name``, in numbered chunks when it is too big for one header."""
    bad = [x for x in data if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if bad:
        raise RuntimeError(
            "The following attributes cannot be saved to HDF5 file because they are larger than "
            f"{HDF5_OBJECT_HEADER_LIMIT} bytes: {bad}"
        )
    data_npy = np.asarray(data)
    num_chunks = 1
    chunked = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > HDF5_OBJECT_HEADER_LIMIT for x in chunked):
        num_chunks += 1
        chunked = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for chunk_id, chunk in enumerate(chunked):
            group.attrs["%s%d" % (name, chunk_id)] = chunk
    else:
        group.attrs[name] = data


def load_attributes_from_hdf5_group(group: h5py.Group, name: str) -> list[str]:
    """The names stored by ``save_attributes_to_hdf5_group`` (whole or in chunks), as strings."""

    def text(n: Any) -> Any:
        return n.decode("utf8") if hasattr(n, "decode") else n

    if name in group.attrs:
        return [text(n) for n in group.attrs[name]]
    data: list[str] = []
    chunk_id = 0
    while "%s%d" % (name, chunk_id) in group.attrs:
        data.extend(text(n) for n in group.attrs["%s%d" % (name, chunk_id)])
        chunk_id += 1
    return data


# --- weights -------------------------------------------------------------------------------------------------------
def _legacy_weights(layer: Any) -> list[Any]:
    """A layer's weights in the order the legacy format keeps them: trainable ones, then the others."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _own_weights(model: Any) -> list[Any]:
    return list(model._trainable_weights) + list(model._non_trainable_weights)


def save_subset_weights_to_hdf5_group(f: h5py.Group, weights: list[Any]) -> None:
    """Write ``weights`` into ``f``: their names as ``weight_names``, each value as a dataset at its name."""
    names = [w.name.encode("utf8") for w in weights]
    save_attributes_to_hdf5_group(f, "weight_names", names)
    for name, w in zip(names, weights):
        value = np.asarray(w.value)
        dset = f.create_dataset(name, value.shape, dtype=value.dtype)
        if not value.shape:
            dset[()] = value
        else:
            dset[:] = value


def save_weights_to_hdf5_group(f: h5py.Group, model: Any) -> None:
    """Write every layer's weights into ``f`` (the file's root, or a whole-model file's ``model_weights``)."""
    layers = list(model.layers)
    save_attributes_to_hdf5_group(f, "layer_names", [layer.name.encode("utf8") for layer in layers])
    f.attrs["backend"] = BACKEND.encode("utf8")
    f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    # in name order, as Keras writes them (so no group name is created before a prefix of it)
    for layer in sorted(layers, key=lambda x: x.name):
        save_subset_weights_to_hdf5_group(f.create_group(layer.name), _legacy_weights(layer))
    save_subset_weights_to_hdf5_group(
        f.create_group("top_level_model_weights"), _own_weights(model)
    )


def load_subset_weights_from_hdf5_group(f: h5py.Group) -> list[np.ndarray]:
    """The values of the weights ``f`` lists in ``weight_names``, in that order."""
    names = load_attributes_from_hdf5_group(f, "weight_names")
    out = []
    for name in names:
        dset = f.get(name)
        if not isinstance(dset, h5py.Dataset):
            raise ValueError(
                f"The weights file {f.file.filename} is corrupt: the group '{f.name}' lists the weight "
                f"'{name}' in `weight_names` but holds no dataset of that name."
            )
        out.append(np.asarray(dset[()]))
    return out


def _layer_group(f: h5py.Group, name: str) -> h5py.Group:
    group = f.get(name)
    if not isinstance(group, h5py.Group):
        raise ValueError(
            f"The weights file {f.file.filename} is corrupt: `layer_names` lists '{name}' but there is no "
            "group of that name."
        )
    return group


def weights_plan_from_hdf5_group(f: h5py.Group, model: Any) -> list[tuple[Any, np.ndarray]]:
    """(variable, value) for loading ``f`` into ``model`` by order, every value checked; Keras's errors when the
    file does not fit. Nothing is assigned."""
    filtered_layers = [layer for layer in model.layers if _legacy_weights(layer)]
    layer_names = [
        name
        for name in load_attributes_from_hdf5_group(f, "layer_names")
        if load_attributes_from_hdf5_group(_layer_group(f, name), "weight_names")
    ]
    if len(layer_names) != len(filtered_layers):
        raise ValueError(
            "Layer count mismatch when loading weights from file. "
            f"Model expected {len(filtered_layers)} layers, found "
            f"{len(layer_names)} saved layers."
        )
    pairs: list[tuple[Any, Any]] = []
    for k, name in enumerate(layer_names):
        layer = filtered_layers[k]
        symbolic_weights = _legacy_weights(layer)
        values = load_subset_weights_from_hdf5_group(f[name])
        if len(values) != len(symbolic_weights):
            raise ValueError(
                f"Weight count mismatch for layer #{k} (named {layer.name} in "
                f"the current model, {name} in the save file). "
                f"Layer expects {len(symbolic_weights)} weight(s). Received "
                f"{len(values)} saved weight(s)"
            )
        pairs += zip(symbolic_weights, values)
    if "top_level_model_weights" in f:
        symbolic_weights = _own_weights(model)
        values = load_subset_weights_from_hdf5_group(f["top_level_model_weights"])
        if len(values) != len(symbolic_weights):
            raise ValueError(
                "Weight count mismatch for top-level weights when loading "
                "weights from file. "
                f"Model expects {len(symbolic_weights)} top-level weight(s). "
                f"Received {len(values)} saved top-level weight(s)"
            )
        pairs += zip(symbolic_weights, values)
    # Keras assigns them in one batch, which fails on the first shape that does not fit
    return [(w, checked_value(w, value)) for w, value in pairs]


def load_weights_from_hdf5_group(f: h5py.Group, model: Any) -> None:
    """Load ``f`` into ``model`` by order (the layers that have weights, one to one), as Keras's function of this
    name; the model is unchanged when the file does not fit."""
    assign_all(weights_plan_from_hdf5_group(f, model))


def weights_plan_from_hdf5_group_by_name(
    f: h5py.Group, model: Any, skip_mismatch: bool = False
) -> list[tuple[Any, np.ndarray]]:
    """(variable, value) for loading ``f`` into ``model`` by layer name: layers without a match are left alone; with
    ``skip_mismatch``, what does not fit is skipped with Keras's warning instead of raising. Nothing is assigned."""
    layer_names = load_attributes_from_hdf5_group(f, "layer_names")
    index: dict[str, list[Any]] = {}
    for layer in model.layers:
        if layer.name:
            index.setdefault(layer.name, []).append(layer)
    where = f"{_KERAS}.load_weights_from_hdf5_group_by_name"
    pairs: list[tuple[Any, np.ndarray]] = []
    for k, name in enumerate(layer_names):
        values = load_subset_weights_from_hdf5_group(_layer_group(f, name))
        for layer in index.get(name, []):
            symbolic_weights = _legacy_weights(layer)
            if len(values) != len(symbolic_weights):
                if skip_mismatch:
                    log_warning(
                        f"Skipping loading of weights for layer #{k} (named "
                        f"{layer.name}) due to mismatch in number of weights. "
                        f"Layer expects {len(symbolic_weights)} weight(s). "
                        f"Received {len(values)} saved weight(s)",
                        where,
                        where,
                    )
                    continue
                raise ValueError(
                    f"Weight count mismatch for layer #{k} "
                    f"(named {layer.name}). "
                    f"Layer expects {len(symbolic_weights)} weight(s). "
                    f"Received {len(values)} saved weight(s)"
                )
            for w, value in zip(symbolic_weights, values):
                if tuple(w.shape) != tuple(value.shape):
                    shapes = (
                        f"for weight {w.name}. Weight expects shape {tuple(w.shape)}. "
                        f"Received saved weight with shape {tuple(value.shape)}"
                    )
                    if skip_mismatch:
                        log_warning(
                            f"Skipping loading weights for layer #{k} (named {layer.name}) due to "
                            f"mismatch in shape {shapes}",
                            where,
                            where,
                        )
                        continue
                    raise ValueError(f"Shape mismatch in layer #{k} (named {layer.name}) {shapes}")
                pairs.append((w, checked_value(w, value)))
    if "top_level_model_weights" in f:
        symbolic_weights = _own_weights(model)
        values = load_subset_weights_from_hdf5_group(f["top_level_model_weights"])
        if len(values) != len(symbolic_weights):
            counts = (
                f"Model expects {len(symbolic_weights)} top-level weight(s). "
                f"Received {len(values)} saved top-level weight(s)"
            )
            if not skip_mismatch:
                raise ValueError(f"Weight count mismatch for top-level weights of model. {counts}")
            log_warning(
                "Skipping loading top-level weights for model due to mismatch in number of "
                f"weights. {counts}",
                where,
                where,
            )
        else:
            for w, value in zip(symbolic_weights, values):
                if tuple(w.shape) != tuple(value.shape):
                    shapes = (
                        f"weight {w.name}. Weight expects shape {tuple(w.shape)}. "
                        f"Received saved weight with shape {tuple(value.shape)}"
                    )
                    if not skip_mismatch:
                        raise ValueError(f"Shape mismatch in model for top-level {shapes}")
                    log_warning(
                        f"Skipping loading top-level weight for model due to mismatch in shape for {shapes}",
                        where,
                        where,
                    )
                else:
                    pairs.append((w, checked_value(w, value)))
    return pairs


def load_weights_from_hdf5_group_by_name(
    f: h5py.Group, model: Any, skip_mismatch: bool = False
) -> None:
    """Load ``f`` into ``model`` by layer name, as Keras's function of this name; unchanged when it raises."""
    assign_all(weights_plan_from_hdf5_group_by_name(f, model, skip_mismatch))


def find_weights_group(f: h5py.File, filepath: str) -> h5py.Group:
    """The group holding the layers' weights: the root of a ``save_weights`` file, ``model_weights`` in a
    whole-model file; or a ``ValueError`` saying that this HDF5 file has neither."""
    if "layer_names" in f.attrs or "layer_names0" in f.attrs:
        return f
    inner = f.get("model_weights")
    if isinstance(inner, h5py.Group) and (
        "layer_names" in inner.attrs or "layer_names0" in inner.attrs
    ):
        return inner
    hint = ""
    if isinstance(f.get("vars"), h5py.Group):
        hint = " It has the layout of a `.weights.h5` file: give it that ending to load it."
    raise ValueError(
        f"Unable to load weights from {filepath}: it is an HDF5 file, but not one written by Keras's "
        "`save_weights` or `save` (it has no `layer_names` attribute at its root, nor a `model_weights` group "
        f"that has one).{hint}"
    )


# --- the optimizer -------------------------------------------------------------------------------------------------
def save_optimizer_weights_to_hdf5_group(hdf5_group: h5py.Group, optimizer: Any) -> None:
    """Write the optimizer's variables (the iteration count, then its slots, in Keras's order) into
    ``optimizer_weights``, each at its name, as Keras does for a whole-model file."""
    variables = optimizer_variables(optimizer)
    if variables:
        save_subset_weights_to_hdf5_group(hdf5_group.create_group("optimizer_weights"), variables)


def load_optimizer_weights_from_hdf5_group(hdf5_group: h5py.Group) -> list[np.ndarray]:
    """The optimizer's saved values, in the order of ``optimizer_weights``'s ``weight_names``."""
    return load_subset_weights_from_hdf5_group(hdf5_group["optimizer_weights"])


# --- the whole model -----------------------------------------------------------------------------------------------
def save_model_to_hdf5(
    model: Any, filepath: str, overwrite: bool = True, include_optimizer: bool = True
) -> None:
    """Write the whole model to a legacy ``.h5`` file, atomically: the attributes ``backend``, ``keras_version``,
    ``model_config`` and ``training_config`` (JSON), the ``model_weights`` group (the layout of
    ``save_weights_to_hdf5_group``) and, with ``include_optimizer``, ``optimizer_weights``."""
    if not overwrite and os.path.isfile(filepath):
        raise FileExistsError(
            f"Not saving to {filepath}: the file exists and overwrite=False (Keras would ask whether to "
            "overwrite it; fittrace never prompts). Pass overwrite=True, or another path."
        )
    model.__dict__["use_legacy_config"] = True  # the layers' configs in the legacy format
    try:
        metadata = saving_utils.model_metadata(model, include_optimizer)
    finally:
        del model.__dict__["use_legacy_config"]
    with atomic_write(filepath) as tmp, h5py.File(tmp, mode="w") as f:
        for key, value in metadata.items():
            if isinstance(value, (dict, list, tuple)):
                f.attrs[key] = json.dumps(value, default=saving_lib.get_json_type).encode("utf8")
            else:
                f.attrs[key] = value
        save_weights_to_hdf5_group(f.create_group("model_weights"), model)
        if include_optimizer and isinstance(model.optimizer, Optimizer):
            save_optimizer_weights_to_hdf5_group(f, model.optimizer)
    saving_lib.emit_model_event(
        "model_saved", model, filepath, "h5", compiled="training_config" in metadata
    )


def _json_attr(f: h5py.File, name: str, filepath: str) -> Any:
    """The attribute ``name`` decoded from JSON (None when absent), or an error naming the file."""
    value = f.attrs.get(name)
    if value is None:
        return None
    if hasattr(value, "decode"):
        value = value.decode("utf-8")
    try:
        return json.loads(value)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"Unable to load model from {filepath}: its `{name}` attribute is not valid JSON ({e})."
        ) from None


def load_model_from_hdf5(
    filepath: str,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """The model a legacy ``.h5`` file holds: rebuilt from ``model_config``, its weights read from
    ``model_weights``, compiled from ``training_config`` (unless ``compile=False``) and the optimizer's state
    restored from ``optimizer_weights``. Everything is read and checked before anything is assigned; nothing in the
    file is run (a Lambda's bytecode only with ``safe_mode=False``, where tf-keras loads it without asking)."""
    custom_objects = {
        **(custom_objects or {}),
        **object_registration._THREAD_LOCAL_CUSTOM_OBJECTS.__dict__,
        **object_registration._GLOBAL_CUSTOM_OBJECTS,
    }
    with open_hdf5(filepath, "load model from") as f:
        config = _json_attr(f, "model_config", filepath)
        if config is None:
            hint = ""
            if "layer_names" in f.attrs or isinstance(f.get("vars"), h5py.Group):
                hint = " It holds weights only (a `save_weights` file): load them with `model.load_weights`."
            raise ValueError(f"No model config found in the file at {filepath}.{hint}")
        with SafeModeScope(safe_mode), object_registration.CustomObjectScope(custom_objects):
            model = model_config_lib.model_from_config(config, custom_objects=custom_objects)
        group = f.get("model_weights")
        if not isinstance(group, h5py.Group):
            raise ValueError(
                f"Unable to load model from {filepath}: it has a `model_config` but no `model_weights` group."
            )
        try:
            plan = weights_plan_from_hdf5_group(group, model)
            if compile:
                plan += _compile_from_training_config(f, model, filepath, custom_objects)
        except (OSError, RuntimeError) as e:  # h5py could not read a group or a dataset
            raise OSError(
                f"Unable to load model from {filepath}: the file is corrupt ({e})."
            ) from None
    assign_all(plan)
    saving_lib.emit_model_event(
        "model_loaded",
        model,
        filepath,
        "h5",
        compiled=bool(getattr(model, "_is_compiled", False)),
        optimizer_restored=saving_lib.count_optimizer_values(model, plan),
    )
    return model


def _compile_from_training_config(
    f: h5py.File, model: Any, filepath: str, custom_objects: dict[str, Any]
) -> list[tuple[Any, np.ndarray]]:
    """Compile ``model`` as the file's ``training_config`` says, and pair the optimizer's variables (created for
    the model's trainable weights) with the file's ``optimizer_weights``: Keras's warning, and a fresh optimizer,
    when they do not fit."""
    training_config = _json_attr(f, "training_config", filepath)
    if training_config is None:
        log_warning(
            "No training configuration found in the save file, so the model was *not* compiled. "
            "Compile it manually.",
            f"{_KERAS}.load_model_from_hdf5",
            f"{_KERAS}.load_model_from_hdf5",
        )
        return []
    model.compile(
        **saving_utils.compile_args_from_training_config(training_config, custom_objects),
        from_serialized=True,
    )
    if "optimizer_weights" not in f or not isinstance(model.optimizer, Optimizer):
        return []
    model.optimizer.build(model.trainable_variables)
    values = load_optimizer_weights_from_hdf5_group(f)
    variables = optimizer_variables(model.optimizer)
    try:
        if len(values) != len(variables):
            raise ValueError("count")
        return [(v, checked_value(v, value)) for v, value in zip(variables, values)]
    except ValueError:
        log_warning(
            "Error in loading the saved optimizer state. As a result, your model is starting with a freshly "
            "initialized optimizer.",
            f"{_KERAS}.load_model_from_hdf5",
            f"{_KERAS}.load_model_from_hdf5",
        )
        return []
