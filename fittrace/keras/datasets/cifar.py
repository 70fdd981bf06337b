"""Reading CIFAR's pickled batches, and finding them where Keras keeps them; shared by ``cifar10`` and ``cifar100``.

Mirrors tf_keras/src/datasets/cifar.py ``load_batch``: a batch is a pickled dict (bytes keys, as Keras's
``encoding="bytes"`` gives them) whose ``data`` is ``(N, 3072)`` uint8 and whose labels sit under ``label_key``;
``load_batch`` returns ``(data.reshape(N, 3, 32, 32), labels)``. Here the pickle goes through a restricted unpickler
that accepts only numpy arrays, lists of ints and dicts (fittrace.utils.restricted_pickle): a batch never runs code.

Where the batches are (``find_batches``): ``path=`` if given (the extracted folder or the ``.tar.gz``, read as it
is); else Keras's cache ``<cache_dir or $KERAS_HOME or ~/.keras>/datasets/``, first the extracted folder
(``cifar-10-batches-py``, ``cifar-100-python``: Keras's own ``get_file(..., untar=True)`` leaves it there), then the
archive as Keras names it (``cifar-10-batches-py.tar.gz``), checked against Keras's SHA-256 and read member by
member without extracting. Left out: the download, and Keras's check of the archive's hash when the extracted
folder is there already (fittrace reads the folder and does not need the archive).
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace.utils.data_utils import DatasetFileMissingError, cached_file, keras_cache_dir
from fittrace.utils.restricted_pickle import load_restricted, loads_restricted


def _decode_batch(d: Any, where: str, label_key: str) -> tuple[np.ndarray, list]:
    if not isinstance(d, dict):
        raise ValueError(f"{where}: holds a pickled {type(d).__name__}, not a CIFAR batch dict.")
    d = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}
    if "data" not in d or label_key not in d:
        raise ValueError(
            f"{where}: a CIFAR batch needs the keys 'data' and {label_key!r}; it has {sorted(d)}."
        )
    data = np.asarray(d["data"])
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(
            f"{where}: 'data' is {data.shape}, not (N, 3072) (32x32 pixels, 3 channels)."
        )
    labels = d[label_key]
    if len(labels) != len(data):
        raise ValueError(f"{where}: {len(labels)} labels for {len(data)} images.")
    return data.reshape(data.shape[0], 3, 32, 32), labels


def load_batch(fpath: str | os.PathLike, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """One CIFAR batch file: ``(data (N, 3, 32, 32), labels)``."""
    where = os.fspath(fpath)
    with open(fpath, "rb") as fh:
        d = load_restricted(fh, where, encoding="bytes")
    return _decode_batch(d, where, label_key)


def _tar_reader(archive: str, dirname: str) -> Callable[[str, str], tuple[np.ndarray, list]]:
    try:
        tar = tarfile.open(archive, "r:*")
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
    except (tarfile.TarError, OSError, EOFError) as e:
        raise ValueError(f"{archive}: not a readable .tar.gz ({e}).") from None

    def read(name: str, label_key: str) -> tuple[np.ndarray, list]:
        member = members.get(f"{dirname}/{name}")
        if member is None:
            raise DatasetFileMissingError(f"{archive} has no {dirname}/{name}.")
        fh = tar.extractfile(member)
        assert fh is not None
        where = f"{archive}:{member.name}"
        return _decode_batch(loads_restricted(fh.read(), where, encoding="bytes"), where, label_key)

    return read


def _folder_reader(folder: str) -> Callable[[str, str], tuple[np.ndarray, list]]:
    def read(name: str, label_key: str) -> tuple[np.ndarray, list]:
        fpath = os.path.join(folder, name)
        if not os.path.isfile(fpath):
            raise DatasetFileMissingError(
                f"{fpath} is not there: the folder {folder} lacks the CIFAR batch {name!r}."
            )
        return load_batch(fpath, label_key)

    return read


def find_batches(
    dirname: str, origin: str, file_hash: str, cache_dir: Any, path: Any
) -> Callable[[str, str], tuple[np.ndarray, list]]:
    """A function ``read(batch_name, label_key)`` over wherever the batches are (see the module docstring)."""
    if path is not None:
        given = os.path.expanduser(os.fspath(path))
        if os.path.isdir(given):
            return _folder_reader(given)
        if os.path.isfile(given):
            return _tar_reader(given, dirname)
        raise DatasetFileMissingError(f"path={given!r} is neither a folder nor a file.")
    datadir = os.path.join(keras_cache_dir(cache_dir), "datasets")
    folder = os.path.join(datadir, dirname)
    if os.path.isdir(folder):
        return _folder_reader(folder)
    archive = os.path.join(datadir, dirname + ".tar.gz")
    if not os.path.isfile(archive):
        raise DatasetFileMissingError(
            f"{dirname}: neither the folder {folder} nor the archive {archive} is there, and fittrace does "
            f"not download. Download {origin} and put it at {archive} (the name Keras's get_file gives it), "
            f"or extract it there so that {folder} holds the batches."
        )
    return _tar_reader(
        cached_file(archive, origin, file_hash=file_hash, cache_dir=cache_dir), dirname
    )
