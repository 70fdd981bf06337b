"""Reading the pickles inside Keras's dataset files without running code from them.

Keras's ``imdb.npz`` and ``reuters.npz`` hold object arrays (``np.load(..., allow_pickle=True)`` unpickles them) and
CIFAR's batches are Python pickles (``pickle.load(f, encoding="bytes")`` in tf_keras/src/datasets/cifar.py). Either
way a crafted file could run any code. Here the unpickler knows only the few globals a numpy array needs
(``_reconstruct``, ``_frombuffer``, ``ndarray``, ``dtype``, ``scalar``, and ``_codecs.encode`` for protocol-2
bytes); anything else stops with :class:`UnsafePickleError`. :func:`check_plain` then checks that what came
out is made of lists of ints, numpy arrays (not of objects other than such lists) and dicts with bytes or str
keys.

Left out: everything pickle can carry beyond those (classes, functions, sets, arbitrary objects).

    >>> import pickle
    >>> loads_restricted(pickle.dumps({b"labels": [1, 2]}))
    {b'labels': [1, 2]}
    >>> loads_restricted(pickle.dumps(print))
    Traceback (most recent call last):
    ...
    fittrace.utils.restricted_pickle.UnsafePickleError: ...builtins.print...
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from typing import Any, BinaryIO

import numpy as np

# What a pickled numpy array refers to, under numpy 1 and numpy 2 module names.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class UnsafePickleError(ValueError):
    """A pickle asked for something other than plain data (lists of ints, numpy arrays, dicts)."""


class _Unpickler(pickle.Unpickler):
    def __init__(self, fh: BinaryIO, where: str, **kwargs: Any) -> None:
        super().__init__(fh, **kwargs)
        self._where = where

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise UnsafePickleError(
            f"{self._where}: the pickle inside asks for {module}.{name}; fittrace reads only plain data "
            "(lists of ints, numpy arrays, dicts) from dataset files and never runs code from them. "
            "This is not a file Keras wrote."
        )


def check_plain(obj: Any, where: str) -> Any:
    """``obj`` itself if it is plain data (see the module docstring), else :class:`UnsafePickleError`."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (bool, int, float, str, bytes, np.generic)) or item is None:
            continue
        if isinstance(item, np.ndarray):
            if item.dtype == object:
                stack.extend(item.ravel().tolist())
            continue
        if isinstance(item, (list, tuple)):
            if not all(
                type(v) is int for v in item
            ):  # the common case (a review's word indices) in one pass
                stack.extend(item)
            continue
        if isinstance(item, dict):
            for key, value in item.items():
                if not isinstance(key, (bytes, str)):
                    raise UnsafePickleError(
                        f"{where}: a dict key is {type(key).__name__}, not bytes."
                    )
                stack.append(value)
            continue
        raise UnsafePickleError(
            f"{where}: holds a {type(item).__name__}; fittrace reads only lists of ints, numpy arrays "
            "and dicts from dataset files."
        )
    return obj


def loads_restricted(data: bytes, where: str = "<bytes>", encoding: str = "ASCII") -> Any:
    """Unpickle ``data`` with only numpy's array globals allowed, then :func:`check_plain` the result."""
    return load_restricted(io.BytesIO(data), where, encoding)


def load_restricted(fh: BinaryIO, where: str, encoding: str = "ASCII") -> Any:
    """As :func:`loads_restricted`, from an open binary file."""
    try:
        obj = _Unpickler(fh, where, encoding=encoding).load()
    except UnsafePickleError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise ValueError(f"{where}: cannot read the pickle inside ({e}).") from None
    return check_plain(obj, where)


def load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file: plain arrays as ``np.load(allow_pickle=False)`` reads them, object arrays
    through the restricted unpickler (where ``np.load(allow_pickle=True)`` would run ``pickle.load``)."""
    where = os.fspath(path)
    out: dict[str, np.ndarray] = {}
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"{where}: not an .npz file ({e}).") from None
    with archive:
        for member in archive.namelist():
            key = member[:-4] if member.endswith(".npy") else member
            with archive.open(member) as raw:
                fh = io.BytesIO(raw.read())
            try:
                version = np.lib.format.read_magic(fh)
                read_header = _HEADER_READERS.get(version)
                if read_header is None:
                    raise ValueError(f"format version {version} is not one numpy's np.savez writes")
                _, _, dtype = read_header(fh)
            except ValueError as e:
                raise ValueError(f"{where}: {member} is not a .npy array ({e}).") from None
            if dtype.hasobject:
                arr = load_restricted(fh, f"{where}:{member}", encoding="latin1")
                if not isinstance(arr, np.ndarray):
                    raise UnsafePickleError(
                        f"{where}:{member} holds a {type(arr).__name__}, not an array."
                    )
            else:
                fh.seek(0)
                arr = np.lib.format.read_array(fh, allow_pickle=False)
            out[key] = arr
    return out
