"""Small files in the formats of Keras's datasets, written by the tests themselves (imported as ``dataset_files``).

``imdb_npz`` / ``reuters_npz`` write object arrays of lists of ints as ``np.savez`` does; ``boston_npz`` plain
float arrays; ``idx_gz`` the gzipped IDX files of (fashion-)MNIST; ``cifar_folder`` pickled batch dicts with bytes
keys (protocol 2, as CIFAR's own files) and ``cifar_tar`` the same in a .tar.gz; ``image_tree`` and ``text_tree``
a directory of class folders. Every writer returns what it wrote, so a test can compare with what is read back.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np


def _ragged(rng: np.random.RandomState, n: int, vocab: int, longest: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out[:] = [
        list(map(int, rng.randint(1, vocab, size=rng.randint(1, longest + 1)))) for _ in range(n)
    ]
    return out


def imdb_npz(path: Path, n_train: int = 7, n_test: int = 5, seed: int = 0) -> dict:
    rng = np.random.RandomState(seed)
    arrays = {
        "x_train": _ragged(rng, n_train, 12, 8),
        "y_train": rng.randint(0, 2, size=n_train).astype("int64"),
        "x_test": _ragged(rng, n_test, 12, 8),
        "y_test": rng.randint(0, 2, size=n_test).astype("int64"),
    }
    np.savez(path, **arrays)
    return arrays


def reuters_npz(path: Path, n: int = 11, seed: int = 1) -> dict:
    rng = np.random.RandomState(seed)
    arrays = {"x": _ragged(rng, n, 15, 9), "y": rng.randint(0, 46, size=n).astype("int64")}
    np.savez(path, **arrays)
    return arrays


def boston_npz(path: Path, n: int = 10, seed: int = 2) -> dict:
    rng = np.random.RandomState(seed)
    arrays = {"x": rng.rand(n, 13), "y": rng.rand(n) * 50}
    np.savez(path, **arrays)
    return arrays


def word_index_json(path: Path) -> dict:
    index = {"the": 1, "and": 2, "a": 3, "film": 4}
    path.write_text('{"the": 1, "and": 2, "a": 3, "film": 4}')
    return index


def idx_gz(folder: Path, n_train: int = 4, n_test: int = 3, seed: int = 3) -> dict:
    """The four (fashion-)MNIST IDX files, gzipped, with Keras's names."""
    rng = np.random.RandomState(seed)
    arrays = {
        "x_train": rng.randint(0, 256, size=(n_train, 28, 28)).astype("uint8"),
        "y_train": rng.randint(0, 10, size=n_train).astype("uint8"),
        "x_test": rng.randint(0, 256, size=(n_test, 28, 28)).astype("uint8"),
        "y_test": rng.randint(0, 10, size=n_test).astype("uint8"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, key in (
        ("train-images-idx3-ubyte.gz", "x_train"),
        ("train-labels-idx1-ubyte.gz", "y_train"),
        ("t10k-images-idx3-ubyte.gz", "x_test"),
        ("t10k-labels-idx1-ubyte.gz", "y_test"),
    ):
        a = arrays[key]
        header = (2051 if a.ndim == 3 else 2049).to_bytes(4, "big")
        header += b"".join(int(d).to_bytes(4, "big") for d in a.shape)
        with gzip.open(folder / name, "wb") as fh:
            fh.write(header + a.tobytes())
    return arrays


def cifar_batches(kind: str, per_batch: int, seed: int = 4) -> dict[str, dict]:
    """``{batch file name: batch dict}``: cifar-10's five data batches and test batch, or cifar-100's train and
    test (with fine and coarse labels)."""
    rng = np.random.RandomState(seed)
    names = (
        [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        if kind == "10"
        else ["train", "test"]
    )
    out = {}
    for name in names:
        d = {
            b"batch_label": name.encode(),
            b"data": rng.randint(0, 256, size=(per_batch, 3072)).astype("uint8"),
            b"filenames": [f"img_{i}.png".encode() for i in range(per_batch)],
        }
        if kind == "10":
            d[b"labels"] = list(map(int, rng.randint(0, 10, size=per_batch)))
        else:
            d[b"fine_labels"] = list(map(int, rng.randint(0, 100, size=per_batch)))
            d[b"coarse_labels"] = list(map(int, rng.randint(0, 20, size=per_batch)))
        out[name] = d
    return out


def cifar_folder(folder: Path, batches: dict[str, dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, d in batches.items():
        (folder / name).write_bytes(pickle.dumps(d, protocol=2))


def cifar_tar(path: Path, dirname: str, batches: dict[str, dict]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, d in batches.items():
            data = pickle.dumps(d, protocol=2)
            info = tarfile.TarInfo(f"{dirname}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def image_tree(root: Path, counts: dict[str, int], size=(6, 5), seed: int = 5) -> None:
    """Class folders of small PNG images (and a JPEG, a nested folder and a file that is not an image)."""
    from PIL import Image

    rng = np.random.RandomState(seed)
    for cls, n in counts.items():
        folder = root / cls
        (folder / "nested").mkdir(parents=True, exist_ok=True)
        for i in range(n):
            pixels = rng.randint(0, 256, size=(size[0], size[1], 3)).astype("uint8")
            where = folder / "nested" if i == 0 else folder
            Image.fromarray(pixels, "RGB").save(where / f"img_{i:02d}.png")
        (folder / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir(exist_ok=True)


def text_tree(root: Path, counts: dict[str, int]) -> None:
    for cls, n in counts.items():
        folder = root / cls
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            (folder / f"doc_{i:02d}.txt").write_text(f"{cls} review number {i}: " + "words " * i)
        (folder / "skip.md").write_text("not a .txt file")


def snapshot(a: np.ndarray) -> dict:
    """What the parity scenarios print of an array too big to print: shape, dtype and a digest of the bytes."""
    a = np.ascontiguousarray(a)
    return {
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "sha": hashlib.sha256(a.tobytes()).hexdigest(),
    }
