"""``Sequence``: a dataset of batches by index, the input ``fit`` takes through ``KerasSequenceAdapter``;
``pad_sequences``; and ``cached_file``, Keras's ``get_file`` without the download.

Mirrors tf_keras/src/utils/data_utils.py ``Sequence``, ``pad_sequences``, ``get_file`` and ``validate_file``, and
``_remove_long_seq`` of tf_keras/src/preprocessing/sequence.py (as ``remove_long_seq``). ``cached_file`` finds a
file where ``get_file`` keeps it (``<cache_dir>/<cache_subdir>/<fname>``, an absolute ``fname`` as itself) and
checks Keras's hash of it, but never downloads: an absent or altered file is an error that says what to put where.
The cache folder is ``$KERAS_HOME`` when that is set, else ``~/.keras`` (tf-keras 2.21's ``get_file`` itself always
uses ``~/.keras``; its backend reads ``KERAS_HOME`` for the config only). Left out: the download, archive
extraction (the CIFAR loader reads its tar members directly), ``OrderedEnqueuer``, ``GeneratorEnqueuer`` and
multiprocessing (``workers`` and ``use_multiprocessing`` are accepted and ignored).

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np


class Sequence:
    """A dataset of batches by index: implement ``__getitem__(i)`` (returns ``(x, y)``) and ``__len__``.

    ``fit`` asks for every index once per epoch (in shuffled order if ``shuffle=True``) and calls
    ``on_epoch_end`` after each epoch.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called after every epoch; override to reshuffle or augment."""

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]


class DatasetFileMissingError(FileNotFoundError):
    """A Keras dataset file is not on this machine; fittrace does not download it."""


def keras_cache_dir(cache_dir: str | os.PathLike | None = None) -> str:
    """The folder ``get_file`` caches under: ``cache_dir`` if given, else ``$KERAS_HOME``, else ``~/.keras``."""
    if cache_dir:
        return os.path.expanduser(os.fspath(cache_dir))
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def hash_file(
    fpath: str | os.PathLike, file_hash: str | None = None, algorithm: str = "auto"
) -> str:
    """The hex digest of a file: SHA-256 when asked, or when ``algorithm="auto"`` and ``file_hash`` is 64 characters
    long; MD5 otherwise (Keras's ``_resolve_hasher``)."""
    use_sha = algorithm == "sha256" or (
        algorithm == "auto" and file_hash is not None and len(file_hash) == 64
    )
    hasher = hashlib.sha256() if use_sha else hashlib.md5()
    with open(fpath, "rb") as fh:
        for chunk in iter(lambda: fh.read(65535), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str | os.PathLike, file_hash: str, algorithm: str = "auto") -> bool:
    """Whether the file's hash is ``file_hash`` (Keras's ``validate_file``)."""
    return hash_file(fpath, file_hash, algorithm) == str(file_hash)


def cached_file(
    fname: str | os.PathLike,
    origin: str,
    file_hash: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    cache_subdir: str = "datasets",
    what: str = "",
) -> str:
    """Where ``get_file(fname, origin, file_hash=...)`` would find the file, checked, or an error that names the
    file and the place to put it. ``file_hash=None`` skips the check (as Keras does)."""
    datadir = os.path.join(keras_cache_dir(cache_dir), cache_subdir)
    fpath = os.path.join(datadir, os.path.expanduser(os.fspath(fname)))
    label = what or os.path.basename(fpath)
    if not os.path.isfile(fpath):
        raise DatasetFileMissingError(
            f"{label}: {fpath} is not there, and fittrace does not download. Download {origin} "
            f"(that is what Keras's get_file would fetch) and put it at {fpath}, or pass path= a file of "
            "the same format."
        )
    if file_hash is not None:
        digest = hash_file(fpath, file_hash)
        if digest != file_hash:
            kind = "sha256" if len(file_hash) == 64 else "md5"
            raise ValueError(
                f"{label}: {fpath} does not match Keras's {kind} hash {file_hash} (its hash is {digest}), so "
                f"it is not the file Keras downloads from {origin}; Keras would download it again, fittrace "
                "does not download. Replace it with the real file, or pass your own file as path= (which is "
                "read without this check)."
            )
    return fpath


def remove_long_seq(maxlen: int, seq: Any, label: Any) -> tuple[list, list]:
    """Keep only the sequences shorter than ``maxlen`` (strictly), with their labels."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pad (or cut) a list of sequences to one length: a ``(len(sequences), maxlen, *sample_shape)`` array.

    ``truncating`` says which end loses items when a sequence is longer than ``maxlen``, ``padding`` which end
    gets ``value`` when it is shorter ("pre": the start, "post": the end).
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)
    lengths = []
    sample_shape: tuple = ()
    flag = True
    for x in sequences:
        try:
            lengths.append(len(x))
            if flag and len(x):
                sample_shape = np.asarray(x).shape[1:]
                flag = False
        except TypeError as e:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {str(x)}"
            ) from e
    if maxlen is None:
        maxlen = np.max(lengths)
    is_dtype_str = np.issubdtype(dtype, np.str_)
    # Keras compares with != on purpose: dtype="object" (a string) is refused, dtype=object is not.
    if isinstance(value, str) and dtype != object and not is_dtype_str:  # noqa: E721
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    x = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        if truncating == "pre":
            trunc = s[-maxlen:]
        elif truncating == "post":
            trunc = s[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at position {idx} is different from "
                f"expected shape {sample_shape}"
            )
        if padding == "post":
            x[idx, : len(trunc)] = trunc
        elif padding == "pre":
            x[idx, -len(trunc) :] = trunc
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return x
