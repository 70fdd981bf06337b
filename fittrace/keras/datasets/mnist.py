"""The real MNIST loader: Keras's ``mnist.npz``, or the four IDX ``.gz`` files.

Mirrors ``keras.datasets.mnist.load_data`` (tf_keras/src/datasets/mnist.py): returns
``((x_train, y_train), (x_test, y_test))`` as uint8 arrays (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
Looks, in order, at: ``path`` itself (a file, or a folder of IDX files); Keras's cache folder
(``$KERAS_HOME/datasets`` or ``~/.keras/datasets``) for ``mnist.npz`` or the IDX files; else downloads Keras's
``mnist.npz`` and checks its SHA-256 before keeping it. Offline, the error names the alternatives.
``ORIGIN_FOLDER`` (or the ``FITTRACE_MNIST_ORIGIN`` environment variable) changes where it downloads from.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


class MnistUnavailableError(OSError):
    """MNIST is not on this machine and could not be downloaded."""


def cache_dir() -> Path:
    """Keras's dataset cache: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(base) / "datasets"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """One IDX file (gzipped or not): magic 2051 for images (n, rows, cols), 2049 for labels (n,)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as e:
        raise ValueError(f"{path}: cannot read this IDX file ({e}); download it again.") from None
    if len(data) < 8:
        raise ValueError(f"{path}: too short to be an IDX file ({len(data)} bytes).")
    magic = int.from_bytes(data[:4], "big")
    count = int.from_bytes(data[4:8], "big")
    if magic == 2051:
        rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
        body, shape = data[16:], (count, rows, cols)
    elif magic == 2049:
        body, shape = data[8:], (count,)
    else:
        raise ValueError(
            f"{path}: magic number {magic} is neither 2051 (images) nor 2049 (labels): not an MNIST "
            "IDX file."
        )
    expected = int(np.prod(shape))
    if len(body) != expected:
        raise ValueError(
            f"{path}: holds {len(body)} data bytes but its header announces {expected} "
            f"(shape {shape}); the file is truncated or corrupt."
        )
    return np.frombuffer(body, dtype=np.uint8).reshape(shape).copy()


def load_idx_folder(folder: str | os.PathLike) -> dict[str, np.ndarray]:
    """Whatever of the four IDX files ``folder`` holds, keyed x_train, y_train, x_test, y_test."""
    folder = Path(folder)
    return {
        key: read_idx(folder / name) for key, name in IDX_FILES.items() if (folder / name).exists()
    }


def _from_idx(folder: Path) -> tuple | None:
    present = [name for name in IDX_FILES.values() if (folder / name).exists()]
    if not present:
        return None
    missing = [name for name in IDX_FILES.values() if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"{folder} holds only some MNIST IDX files; missing: {', '.join(missing)}."
        )
    d = load_idx_folder(folder)
    return (d["x_train"], d["y_train"]), (d["x_test"], d["y_test"])


def _from_npz(path: Path) -> tuple:
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _download(target: Path) -> None:
    origin = os.environ.get("FITTRACE_MNIST_ORIGIN", ORIGIN_FOLDER)
    url = origin.rstrip("/") + "/mnist.npz"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mnist.", suffix=".part", dir=target.parent)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
            while chunk := response.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != FILE_HASH:
            raise ValueError(
                f"The file downloaded from {url} failed verification: SHA-256 {digest.hexdigest()}, "
                f"expected {FILE_HASH}. It was deleted; try again or place mnist.npz by hand."
            )
        os.replace(tmp, target)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
        raise MnistUnavailableError(
            f"MNIST is not on this machine and could not be downloaded from {url} ({getattr(e, 'reason', e)}). "
            f"Put Keras's mnist.npz in {cache_dir()}, or pass path= a folder holding the four IDX .gz files "
            f"({', '.join(IDX_FILES.values())}), or train on fittrace.keras.datasets.synthetic_digits instead."
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_data(
    path: str = "mnist.npz",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST (see the module docstring for where it looks)."""
    given = Path(path).expanduser()
    if given.is_file():
        return _from_npz(given)
    if given.is_dir():
        found = _from_idx(given)
        if found is None:
            raise FileNotFoundError(
                f"{given} holds neither mnist.npz nor the MNIST IDX files "
                f"({', '.join(IDX_FILES.values())})."
            )
        return found
    cached = cache_dir() / given.name
    if cached.is_file():
        return _from_npz(cached)
    found = _from_idx(cache_dir())
    if found is not None:
        return found
    _download(cached)
    return _from_npz(cached)
