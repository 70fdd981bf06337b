"""Keras's weights file, ``model.save_weights("x.weights.h5")``, and whole-model archive, ``model.save("x.keras")``.

Mirrors tf_keras/src/saving/saving_lib.py (``save_model``, ``load_model``, ``save_weights_only``,
``load_weights_only``, ``H5IOStore`` and the ``_save_state``/``_load_state`` walk). The walk starts at the model and
goes through its attributes in reverse alphabetical order, as Keras's ``_walk_trackable`` does; every layer,
optimizer and metric it meets gets a group at its attribute path, holding a ``vars`` group with one dataset per
variable, named by position (``"0"``, ``"1"``...). A list of them (``model.layers``, ``model.metrics``) is named by
class, ``dense``, ``dense_1``... So a Sequential model's file holds ``vars`` (the model's own weights),
``layers/dense/vars/0`` (the kernel), ``layers/dense/vars/1``, a nested model's layers under
``layers/sequential/layers/...``, ``optimizer/vars/0`` (the iteration count, int64), then the optimizer's slots in
Keras's order, and ``metrics/mean/vars/0`` (total) and ``/1`` (count) once the metrics exist. Keras 2.21 writes no
attributes in this file, so neither does fittrace.

Loading reads and checks everything before it assigns anything: a file that does not fit leaves the model as it was,
with Keras's message for what does not fit ("Layer 'dense' expected 2 variables, but received 0 variables during
loading...", TensorFlow's "Cannot assign value to variable ..." for a shape). The file is opened by ``open_hdf5``,
which turns a missing, foreign, truncated or corrupt file into one error that names the file and says what is wrong;
``atomic_write`` (utils/io_utils.py) makes the writing all-or-nothing.

A ``.keras`` file is a zip archive of ``metadata.json`` (``{"keras_version": "2.21.0", "date_saved": ...}``),
``config.json`` (``serialize_keras_object(model)``, with its ``build_config`` and ``compile_config``) and
``model.weights.h5``, the same walk's file read and written through ``H5IOStore`` inside the archive. ``load_model``
rebuilds the model from the config (built, compiled and its optimizer's variables made, so the saved iteration count
and slots have somewhere to go), then loads every variable, checked before any is assigned; a class is found only
among fittrace's own, the registered ones and ``custom_objects``, and a Lambda's bytecode only with
``safe_mode=False``. A broken archive (not a zip, truncated, no config, bad JSON, no weights) gets one error naming
the file. Both emit a ``model_saved`` / ``model_loaded`` trace event.

A layer that has ``save_own_variables`` / ``load_own_variables`` (a lookup layer's ``idf_weights``) saves named
values instead of its weights by position, and one that has ``save_assets`` / ``load_assets`` writes its files (a
vocabulary) under ``assets/<its path>/`` in a ``.keras`` archive, as Keras's assets store; both are read back with
the rest, after every check. Left out: the ``.npz`` store, remote paths. The walk visits public attributes only,
and the private ones a layer lists in ``_saved_private_children`` (Keras visits every private one too, after the
public ones: it finds nothing more in the models fittrace builds, and fittrace keeps its own bookkeeping, like a
Sequential's input layer, in private attributes). Nadam's momentum product is not saved (it is not among Keras's
optimizer variables either).

    >>> to_snake_case("BatchNormalization"), WEIGHTS_SUFFIX
    ('batch_normalization', '.weights.h5')
"""

from __future__ import annotations

import datetime
import io
import json
import os
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

from fittrace.engine.base_layer import Layer, to_snake_case
from fittrace.metrics.base_metric import Metric
from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.serialization_lib import (
    ObjectSharingScope,
    deserialize_keras_object,
    serialize_keras_object,
)
from fittrace.tracing import recorder as rec
from fittrace.utils.io_utils import atomic_write

WEIGHTS_SUFFIX = ".weights.h5"
#: The weights member of a ``.keras`` archive, and its two other members.
VARS_FNAME = "model.weights.h5"
CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
#: Where a ``.keras`` archive keeps the layers' files (a lookup layer's ``vocabulary.txt``).
ASSETS_DIR = "assets"
#: The Keras version fittrace's files say they come from: the layout tf-keras 2.21 writes.
KERAS_VERSION = "2.21.0"
_KERAS = "keras.saving.saving_lib"

# Public attributes the walk never follows (Keras's skip list, less its private names), and ``losses``, which
# computes the regularization terms.
ATTR_SKIPLIST = frozenset(
    {
        "inbound_nodes",
        "outbound_nodes",
        "input_shape",
        "output_shape",
        "submodules",
        "weights",
        "non_trainable_weights",
        "trainable_weights",
        "variables",
        "non_trainable_variables",
        "trainable_variables",
        "updates",
        "state_updates",
        "losses",
    }
)

# The order in which Keras's optimizers create their variables, after the iteration count: one loop over the model's
# variables per group of slots (Adam makes every m and v, then every vhat). Optimizers not listed make all their
# slots in one loop, in fittrace's slot order.
_SLOT_LOOPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Adam": (("m", "v"), ("vhat",)),
    "AdamW": (("m", "v"), ("vhat",)),
    "RMSprop": (("velocity",), ("momentum",), ("average_gradient",)),
}
# Slots Keras makes even where fittrace makes none: SGD without momentum still has an "m" per variable (all zeros,
# never read). fittrace writes zeros for them and ignores them when loading.
_ZERO_SLOTS: dict[str, tuple[str, ...]] = {"SGD": ("m",)}


# --- what an object saves: its "own variables" ---------------------------------------------------------------------
# Each is anything with ``name``, ``shape``, ``dtype``, ``value`` (an array) and ``assign(array)``: a Variable, or
# one of the stand-ins below for state fittrace keeps as plain numbers.


class _IterationCount:
    """An optimizer's iteration count, as the int64 scalar variable Keras saves (``iteration:0``)."""

    name = "iteration:0"
    shape: tuple = ()
    dtype = np.dtype("int64")

    def __init__(self, optimizer: Optimizer) -> None:
        self._optimizer = optimizer

    @property
    def value(self) -> np.ndarray:
        return np.array(self._optimizer.iterations, dtype=np.int64)

    def assign(self, value: Any) -> None:
        self._optimizer.iterations = int(np.asarray(value))


class _ZeroSlot:
    """A slot Keras has and fittrace does not (SGD's momentum without momentum): saved as zeros, ignored on load."""

    dtype = np.dtype("float32")

    def __init__(self, name: str, shape: tuple) -> None:
        self.name, self.shape = name, tuple(shape)

    @property
    def value(self) -> np.ndarray:
        return np.zeros(self.shape, dtype=self.dtype)

    def assign(self, value: Any) -> None:
        pass


def optimizer_variables(optimizer: Optimizer) -> list[Any]:
    """The optimizer's variables as Keras lists them (``optimizer.variables``) and saves them: the iteration count,
    then the slots in the order Keras creates them (see ``_SLOT_LOOPS``); only the count before the first update."""
    out: list[Any] = [_IterationCount(optimizer)]
    built_on = list(optimizer._variables)  # the model variables the slots were built for, in order
    if not built_on:
        return out
    kind = next(
        (
            c.__name__
            for c in type(optimizer).__mro__
            if c.__name__ in _SLOT_LOOPS or c.__name__ in _ZERO_SLOTS
        ),
        None,
    )
    zero = _ZERO_SLOTS.get(kind or "", ())
    loops = _SLOT_LOOPS.get(kind or "", (tuple(optimizer._slot_names_for()) or zero,))
    for loop in loops:
        for var in built_on:
            for slot in loop:
                try:
                    out.append(optimizer.get_slot(var, slot))
                except KeyError:
                    if slot in zero:
                        out.append(_ZeroSlot(f"{optimizer.name}/{slot}/{var.name}", var.shape))
    return out


def _metric_variables(metric: Metric) -> list[Any] | None:
    """A metric's state as Keras saves it: its variables in the order they were made (``total``, ``count`` for a
    mean; ``true_positives``... for the confusion metrics), or None for a metric that has none yet."""
    return metric.variables or None


def is_keras_trackable(obj: Any) -> bool:
    """Does the walk save this object's state (a layer or model, an optimizer, a metric)? Keras also counts losses,
    which have nothing to save."""
    return isinstance(obj, (Layer, Optimizer, Metric))


def own_variables(obj: Any) -> list[Any] | None:
    """What ``obj`` itself saves (not its sublayers): a layer its own weights, trainable ones first, as Keras's
    ``save_own_variables``; an optimizer its variables; a metric its variables. None: a metric without
    state (saved as an empty group, skipped when loading)."""
    if isinstance(obj, Optimizer):
        return optimizer_variables(obj)
    if isinstance(obj, Metric):
        return _metric_variables(obj)
    return list(obj._trainable_weights) + list(obj._non_trainable_weights)


def _walk_trackable(trackable: Any) -> Iterator[tuple[str, Any]]:
    for attr in sorted(dir(trackable), reverse=True):
        if attr.startswith("_") or attr in ATTR_SKIPLIST:
            continue
        try:
            child = getattr(trackable, attr)
        except (
            Exception
        ):  # a property that cannot answer yet (an unbuilt model's input shape): nothing to save
            continue
        yield attr, child
    # Private attributes Keras's walk meets too (it visits them all, after the public ones in its reverse
    # alphabetical order) and that hold state: a TextVectorization's ``_lookup_layer``.
    for attr in getattr(trackable, "_saved_private_children", ()):
        yield attr, getattr(trackable, attr)


def _join(inner_path: str, name: str) -> str:
    return f"{inner_path}/{name}" if inner_path else name


def _children(trackable: Any) -> Iterator[tuple[str, Any, bool]]:
    """(path piece, object, inside a container) for what the walk goes into next: attributes holding a layer,
    optimizer or metric, and lists, tuples, dicts and sets of them."""
    for attr, child in _walk_trackable(trackable):
        if is_keras_trackable(child):
            yield attr, child, False
        elif isinstance(child, (list, dict, tuple, set)):
            yield attr, child, True


def _named_in_container(container: Any, visited: set[int]) -> Iterator[tuple[str, Any]]:
    """Keras names a container's members by class, not by their (auto-generated) names: ``dense``, ``dense_1``...
    counting only members not already visited through another path."""
    used: dict[str, int] = {}
    items = list(container.values()) if isinstance(container, dict) else list(container)
    for item in items:
        if not is_keras_trackable(item) or id(item) in visited:
            continue
        name = to_snake_case(type(item).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        yield name, item


# --- the store -----------------------------------------------------------------------------------------------------
def open_hdf5(filepath: str, action: str = "load weights from") -> h5py.File:
    """Open an HDF5 file for reading, or raise one error that names the file and says what is wrong with it: missing
    (``FileNotFoundError``), a folder (``IsADirectoryError``), not HDF5 at all or truncated or corrupt (``OSError``).
    ``action`` completes "Unable to ... <file>" in the messages."""
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"Unable to {action} {filepath}: there is no such file.")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Unable to {action} {filepath}: it is a folder, not an HDF5 file.")
    if not h5py.is_hdf5(filepath):
        raise OSError(
            f"Unable to {action} {filepath}: it is not an HDF5 file (its first bytes are not an HDF5 "
            "signature). Keras's weights files are HDF5 files: `.weights.h5` or `.h5`."
        )
    try:
        return h5py.File(filepath, "r")
    except OSError as e:
        raise OSError(
            f"Unable to {action} {filepath}: the HDF5 file is truncated or corrupt ({e})."
        ) from None


class H5IOStore:
    """Variables in an HDF5 file, one ``<path>/vars`` group per object, as Keras's ``H5IOStore``. With ``archive``
    (an open ``zipfile.ZipFile``), ``root_path`` names a member of the archive; otherwise a file on disk.
    Reading checks the layout: a ``vars`` group at the root, which Keras always writes."""

    def __init__(
        self, root_path: str, archive: zipfile.ZipFile | None = None, mode: str = "r"
    ) -> None:
        self.root_path, self.archive, self.mode = root_path, archive, mode
        self.io_file: io.BytesIO | None = None
        where = root_path if archive is None else f"{archive.filename}:{root_path}"
        self.where = where  # how errors name the file
        if archive is not None:
            self.io_file = io.BytesIO() if mode == "w" else io.BytesIO(archive.read(root_path))
            try:
                self.h5_file = h5py.File(self.io_file, mode=mode)
            except OSError as e:
                raise OSError(
                    f"Unable to load weights from {where}: the HDF5 member is corrupt ({e})."
                ) from None
        elif mode == "w":
            self.h5_file = h5py.File(root_path, mode="w")
        else:
            self.h5_file = open_hdf5(root_path)
        if mode == "r" and not isinstance(self.h5_file.get("vars"), h5py.Group):
            hint = _legacy_hint(self.h5_file)
            self.h5_file.close()
            raise ValueError(
                f"Unable to load weights from {where}: it is an HDF5 file, but not a Keras `.weights.h5` file "
                f"(it has no `vars` group at its root).{hint}"
            )

    def make(self, path: str) -> h5py.Group:
        if not path:
            return self.h5_file.create_group("vars")
        return self.h5_file.create_group(path).create_group("vars")

    def get(self, path: str) -> Any:
        if not path:
            return self.h5_file["vars"]
        group = self.h5_file.get(path)
        if isinstance(group, h5py.Group) and isinstance(group.get("vars"), h5py.Group):
            return group["vars"]
        return {}

    def close(self) -> None:
        self.h5_file.close()
        if self.mode == "w" and self.archive is not None and self.io_file is not None:
            self.archive.writestr(self.root_path, self.io_file.getvalue())
        if self.io_file is not None:
            self.io_file.close()


def _legacy_hint(f: h5py.File) -> str:
    try:
        legacy = "layer_names" in f.attrs or "model_weights" in f
    except Exception:  # a closed or broken file: no hint
        return ""
    if legacy:
        return " It has the legacy HDF5 layout of `save_weights('x.h5')`: give it the `.h5` ending to load it."
    return ""


# --- saving --------------------------------------------------------------------------------------------------------
def save_weights_only(model: Any, filepath: str | os.PathLike) -> None:
    """Write every layer's, the optimizer's and the metrics' variables to a ``.weights.h5`` file, atomically."""
    filepath = os.fspath(filepath)
    if not str(filepath).endswith(WEIGHTS_SUFFIX):
        raise ValueError(
            "Invalid `filepath` argument: expected a `.weights.h5` extension. "
            f"Received: filepath={filepath}"
        )
    with atomic_write(filepath) as tmp:
        store = H5IOStore(tmp, mode="w")
        try:
            _save_state(model, store, "", set())
        finally:
            store.close()


def _save_state(
    trackable: Any,
    store: H5IOStore,
    inner_path: str,
    visited: set[int],
    archive: zipfile.ZipFile | None = None,
) -> None:
    if id(trackable) in visited:
        return
    group = store.make(inner_path)
    if hasattr(
        trackable, "save_own_variables"
    ):  # named values (a lookup layer's idf_weights), as Keras's
        named: dict[str, Any] = {}
        trackable.save_own_variables(named)
        for key, value in named.items():
            group[key] = np.asarray(value)
    else:
        for i, variable in enumerate(own_variables(trackable) or []):
            group[str(i)] = np.asarray(variable.value)
    if archive is not None and hasattr(trackable, "save_assets"):
        _save_assets(trackable, archive, inner_path)
    visited.add(id(trackable))
    for name, child, container in _children(trackable):
        path = _join(inner_path, name)
        if not container:
            _save_state(child, store, path, visited, archive)
            continue
        for member_name, member in _named_in_container(child, visited):
            _save_state(member, store, _join(path, member_name), visited, archive)


def _save_assets(trackable: Any, archive: zipfile.ZipFile, inner_path: str) -> None:
    """A layer's files (a vocabulary) under ``assets/<its path>/`` in the archive, as Keras's DiskIOStore."""
    with tempfile.TemporaryDirectory() as folder:
        trackable.save_assets(folder)
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as f:
                archive.writestr(f"{ASSETS_DIR}/{_join(inner_path, name)}", f.read())


class _Deferred:
    """A load step that is not a variable's assignment (a layer's ``load_own_variables`` or ``load_assets``): run
    by ``assign_all`` with the others, once everything has been read."""

    def __init__(self, run: Any) -> None:
        self.run = run

    def assign(self, value: Any) -> None:
        self.run(value)


def _load_assets(
    trackable: Any, archive: zipfile.ZipFile, inner_path: str
) -> tuple[_Deferred, dict[str, bytes]] | None:
    prefix = f"{ASSETS_DIR}/{inner_path}/" if inner_path else f"{ASSETS_DIR}/"
    files = {
        n[len(prefix) :]: archive.read(n)
        for n in archive.namelist()
        if n.startswith(prefix) and "/" not in n[len(prefix) :]
    }

    def run(contents: dict[str, bytes]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            for name, data in contents.items():
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(data)
            trackable.load_assets(folder)

    return _Deferred(run), files


# --- loading -------------------------------------------------------------------------------------------------------
def load_weights_only(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False) -> None:
    """Load a ``.weights.h5`` file (or the weights of a ``.keras`` archive) into ``model``: everything is read and
    checked first, then assigned, so a file that does not fit changes nothing. With ``skip_mismatch``, an object
    whose variables do not fit is skipped with a warning, as in Keras."""
    filepath = os.fspath(filepath)
    archive = None
    if str(filepath).endswith(".keras"):
        archive = _open_archive(filepath)
        if VARS_FNAME not in archive.namelist():
            archive.close()
            raise ValueError(
                f"Unable to load weights from {filepath}: the `.keras` archive has no {VARS_FNAME} in it."
            )
        store = H5IOStore(VARS_FNAME, archive=archive, mode="r")
    else:
        store = H5IOStore(filepath, mode="r")
    try:
        plan: list[tuple[Any, np.ndarray]] = []
        try:
            _load_state(model, store, "", skip_mismatch, set(), plan)
        except (OSError, RuntimeError) as e:  # h5py could not read a group or a dataset
            raise OSError(
                f"Unable to load weights from {filepath}: the file is corrupt ({e})."
            ) from None
    finally:
        store.close()
        if archive is not None:
            archive.close()
    assign_all(plan)


def _open_archive(filepath: str, action: str = "load weights from") -> zipfile.ZipFile:
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"Unable to {action} {filepath}: there is no such file.")
    if os.path.isdir(filepath):
        raise IsADirectoryError(
            f"Unable to {action} {filepath}: it is a folder, not a `.keras` file."
        )
    if not zipfile.is_zipfile(filepath):
        raise ValueError(
            f"Unable to {action} {filepath}: a `.keras` file is a zip archive, and this one is not (or it "
            "is truncated: its end, where a zip archive keeps its table of contents, is missing)."
        )
    try:
        return zipfile.ZipFile(filepath, "r")
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(
            f"Unable to {action} {filepath}: the zip archive is truncated or corrupt ({e})."
        ) from None


def _load_state(
    trackable: Any,
    store: H5IOStore,
    inner_path: str,
    skip_mismatch: bool,
    visited: set[int],
    plan: list[tuple[Any, np.ndarray]],
    archive: zipfile.ZipFile | None = None,
) -> None:
    if id(trackable) in visited:
        return
    if hasattr(trackable, "load_own_variables"):
        group = store.get(inner_path)
        named = {key: group[key][()] for key in group.keys()}
        plan.append((_Deferred(trackable.load_own_variables), named))
    else:
        variables = own_variables(trackable)
        if variables is not None:
            try:
                plan += _match_own_variables(
                    trackable,
                    variables,
                    store.get(inner_path),
                    _join(inner_path, "vars"),
                    store.where,
                )
            except ValueError as e:
                if not skip_mismatch:
                    raise
                warnings.warn(
                    f"Could not load weights in object {trackable!r}. Skipping object. Exception "
                    f"encountered: {e}",
                    stacklevel=3,
                )
    if archive is not None and hasattr(trackable, "load_assets"):
        deferred = _load_assets(trackable, archive, inner_path)
        if deferred is not None:
            plan.append(deferred)
    visited.add(id(trackable))
    for name, child, container in _children(trackable):
        path = _join(inner_path, name)
        if not container:
            _load_state(child, store, path, skip_mismatch, visited, plan, archive)
            continue
        for member_name, member in _named_in_container(child, visited):
            _load_state(
                member, store, _join(path, member_name), skip_mismatch, visited, plan, archive
            )


def _match_own_variables(
    trackable: Any, variables: list[Any], group: Any, group_path: str, where: str
) -> list[tuple[Any, np.ndarray]]:
    """Pair each variable with its value from ``group`` (Keras's ``load_own_variables``), or raise Keras's error."""
    keys = list(group.keys())
    if len(keys) != len(variables):
        if isinstance(
            trackable, Optimizer
        ):  # Keras only logs this one, and loads nothing into the optimizer
            message = (
                f"Skipping variable loading for optimizer '{trackable.name}', because it has "
                f"{len(variables)} variables whereas the saved optimizer has {len(keys)} variables. "
            )
            log_warning(
                message,
                f"{_KERAS}.load_weights_only",
                "keras.optimizers.Optimizer.load_own_variables",
            )
            return []
        raise ValueError(
            f"Layer '{trackable.name}' expected {len(variables)} variables, but received {len(keys)} "
            f"variables during loading. Expected: {[v.name for v in variables]}"
        )
    pairs = []
    for i, variable in enumerate(variables):
        if str(i) not in group or not isinstance(group[str(i)], h5py.Dataset):
            raise ValueError(
                f"The weights file {where} is corrupt: the group '{group_path}' holds {keys} instead of the "
                f"datasets '0'...'{len(variables) - 1}' Keras writes."
            )
        pairs.append((variable, checked_value(variable, group[str(i)][()])))
    return pairs


def checked_value(variable: Any, value: Any) -> np.ndarray:
    """``value`` as an array of the variable's dtype, or TensorFlow's ``ValueError`` for a shape that does not fit
    (what ``variable.assign`` raises in Keras)."""
    value = np.asarray(value)
    if tuple(value.shape) != tuple(variable.shape):
        raise ValueError(
            f"Cannot assign value to variable ' {variable.name}': Shape mismatch.The variable shape "
            f"{tuple(variable.shape)}, and the assigned value shape {tuple(value.shape)} are incompatible."
        )
    try:
        return value.astype(variable.dtype)
    except (TypeError, ValueError):
        raise ValueError(
            f"Cannot assign value to variable ' {variable.name}': the saved value has dtype {value.dtype}, "
            f"which does not convert to {variable.dtype}."
        ) from None


def assign_all(plan: list[tuple[Any, np.ndarray]]) -> None:
    """Assign checked values (see ``checked_value``): the last step of a load, after every check has passed."""
    for variable, value in plan:
        variable.assign(value)


def log_warning(message: str, name: str, keras: str) -> None:
    """A warning Keras logs (``logging.warning``): written to stderr and recorded as a ``warning`` event."""
    sys.stderr.write(f"WARNING: {message}\n")
    rec.emit("warning", name, keras=keras, data={"message": message})


# --- whole models: the .keras archive --------------------------------------------------------------------------------
#: Keras's warning when a model whose class overrides ``compile`` is loaded (``Model.compile_from_config``).
CUSTOM_COMPILE_WARNING = (
    "`compile()` was not called as part of model loading because the model's `compile()` method is custom. "
    "All subclassed Models that have `compile()` overridden should also override `get_compile_config()` and "
    "`compile_from_config(config)`. Alternatively, you can call `compile()` manually after loading."
)


def updated_config(model: Any) -> dict[str, Any]:
    """``{"class_name", "config", "keras_version", "backend"}``: what ``model.to_json()`` writes (Keras's
    ``Model._updated_config``)."""
    return {
        "class_name": type(model).__name__,
        "config": model.get_config(),
        "keras_version": KERAS_VERSION,
        "backend": "tensorflow",
    }


def get_json_type(obj: Any) -> Any:
    """What ``json.dumps`` cannot write itself, as Keras's ``json_utils.get_json_type`` writes it: numpy values
    as plain numbers and lists, an object with a config as that config."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.dtype):
        return obj.name
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"Not JSON Serializable: {obj}")


def save_model(model: Any, filepath: str | os.PathLike) -> None:
    """Write ``model`` to a ``.keras`` zip archive, atomically: ``metadata.json`` (the Keras version and the
    date), ``config.json`` (the model serialized, with its build and compile configs) and ``model.weights.h5``
    (every layer's, the optimizer's and the metrics' variables, as ``save_weights_only`` lays them out)."""
    filepath = os.fspath(filepath)
    if not str(filepath).endswith(".keras"):
        raise ValueError(
            "Invalid `filepath` argument: expected a `.keras` extension. "
            f"Received: filepath={filepath}"
        )
    if not model.built:
        warnings.warn(
            "You are saving a model that has not yet been built. It might not contain any weights yet. "
            "Consider building the model first by calling it on some data.",
            stacklevel=3,
        )
    with ObjectSharingScope():
        serialized = serialize_keras_object(model)
    config_json = json.dumps(serialized, default=get_json_type)
    metadata_json = json.dumps(
        {
            "keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        }
    )
    with atomic_write(filepath) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr(METADATA_FILENAME, metadata_json)
        zf.writestr(CONFIG_FILENAME, config_json)
        store = H5IOStore(VARS_FNAME, archive=zf, mode="w")
        try:
            _save_state(model, store, "", set(), zf)
        finally:
            store.close()
    emit_model_event(
        "model_saved", model, filepath, "keras", compiled="compile_config" in serialized
    )


def load_model(
    filepath: str | os.PathLike,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """The model a ``.keras`` archive holds: rebuilt from ``config.json`` (compiled from its compile config unless
    ``compile=False``, the optimizer's variables created), then every variable read from ``model.weights.h5`` and
    checked before any is assigned. Nothing in the file is run: a class is found only among fittrace's own, the
    registered ones and ``custom_objects``, and a Lambda's bytecode is refused unless ``safe_mode=False``. When
    anything fails, the error says so and no model is returned."""
    filepath = os.fspath(filepath)
    if not str(filepath).endswith(".keras"):
        raise ValueError(
            f"Invalid filename: expected a `.keras` extension. Received: filepath={filepath}"
        )
    archive = _open_archive(filepath, "load model from")
    try:
        config = _read_config(archive, filepath)
        if not compile:
            config["compile_config"] = None
        with ObjectSharingScope():
            model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
        names = archive.namelist()
        if VARS_FNAME not in names:
            raise ValueError(
                f"Unable to load model from {filepath}: expected a {VARS_FNAME} or model.weights.npz file "
                f"in the archive, which holds {names}."
            )
        store = H5IOStore(VARS_FNAME, archive=archive, mode="r")
        plan: list[tuple[Any, np.ndarray]] = []
        try:
            _load_state(model, store, "", False, set(), plan, archive)
        except (OSError, RuntimeError) as e:  # h5py could not read a group or a dataset
            raise OSError(
                f"Unable to load model from {filepath}: its {VARS_FNAME} is corrupt ({e})."
            ) from None
        finally:
            store.close()
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise ValueError(
            f"Unable to load model from {filepath}: the zip archive is truncated or corrupt ({e})."
        ) from None
    finally:
        archive.close()
    assign_all(plan)
    emit_model_event(
        "model_loaded",
        model,
        filepath,
        "keras",
        compiled=bool(getattr(model, "_is_compiled", False)),
        optimizer_restored=count_optimizer_values(model, plan),
    )
    return model


def _read_config(archive: zipfile.ZipFile, filepath: str) -> dict[str, Any]:
    """The archive's ``config.json`` as a dict that describes an object, or an error naming the file."""
    if CONFIG_FILENAME not in archive.namelist():
        raise ValueError(
            f"Unable to load model from {filepath}: the zip archive has no {CONFIG_FILENAME}, so it is not a "
            f"`.keras` model file (it holds {archive.namelist()})."
        )
    raw = archive.read(CONFIG_FILENAME)
    try:
        config = json.loads(raw)
    except ValueError as e:
        raise ValueError(
            f"Unable to load model from {filepath}: its {CONFIG_FILENAME} is not valid JSON ({e})."
        ) from None
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(
            f"Unable to load model from {filepath}: its {CONFIG_FILENAME} does not describe a model (Keras "
            "writes an object with `class_name` and `config`)."
        )
    return config


def count_optimizer_values(model: Any, plan: list[tuple[Any, np.ndarray]]) -> int:
    """How many of the values a load assigns go to the model's optimizer (its iteration count and slots)."""
    optimizer = getattr(model, "optimizer", None)
    if not isinstance(optimizer, Optimizer):
        return 0
    slot_ids = {id(v) for v in optimizer.variables()}
    return sum(1 for v, _ in plan if isinstance(v, _IterationCount) or id(v) in slot_ids)


def emit_model_event(
    kind: str,
    model: Any,
    filepath: str,
    file_format: str,
    compiled: bool,
    optimizer_restored: int | None = None,
) -> None:
    """The ``model_saved`` or ``model_loaded`` event: the file, its format, and what it holds or gave back."""
    optimizer = getattr(model, "optimizer", None)
    data: dict[str, Any] = {
        "file": filepath,
        "format": file_format,
        "model": model.name,
        "class_name": type(model).__name__,
        "weights": len(model.weights) if model.built else 0,
        "compiled": compiled,
    }
    if kind == "model_saved":
        data["optimizer"] = (
            len(optimizer_variables(optimizer)) if isinstance(optimizer, Optimizer) else 0
        )
    else:
        data["optimizer"] = optimizer_restored or 0
        data["iterations"] = int(optimizer.iterations) if isinstance(optimizer, Optimizer) else None
    function = "save_model" if kind == "model_saved" else "load_model"
    module = _KERAS if file_format == "keras" else "keras.saving.legacy.hdf5_format"
    keras_fn = function if file_format == "keras" else f"{function}_to_hdf5"
    if file_format != "keras" and kind == "model_loaded":
        keras_fn = "load_model_from_hdf5"
    rec.emit(kind, function, keras=f"{module}.{keras_fn}", data=data)
