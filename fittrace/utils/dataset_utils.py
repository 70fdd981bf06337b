"""What the ``*_dataset_from_*`` functions share: indexing a directory of class folders, the training/validation
split, the labels, and ``DatasetSequence``, the stand-in for the ``tf.data.Dataset`` Keras returns; and
``split_dataset``.

Mirrors tf_keras/src/utils/dataset_utils.py: ``index_directory`` (class folders in sorted order, files sorted within
each folder, then ONE ``np.random.RandomState(seed)`` shuffle of the paths and an identically seeded one of the
labels, so the order of ``file_paths`` is Keras's to the file), ``get_training_or_validation_split`` (the last
``int(validation_split * n)`` files are the validation subset), ``check_validation_split_arg``, the label modes and
``split_dataset`` (Python's ``random.seed(seed); random.shuffle`` of the samples, Keras's size rules and messages),
with Keras's messages ("Found N files belonging to M classes.").

fittrace has no TensorFlow, so where Keras returns a ``tf.data.Dataset`` these return a ``DatasetSequence``: a
``keras.utils.Sequence`` with the same elements in batches of ``batch_size``, ``class_names`` and ``file_paths``,
which ``fit`` takes through ``KerasSequenceAdapter`` (and the trace says what it stands in for). Where the order
differs: Keras's ``dataset.shuffle(buffer_size=batch_size * 8, seed=seed)`` reorders the elements again, locally,
at every pass with TensorFlow's own random numbers; a ``DatasetSequence`` gives the first pass in ``file_paths``
order and, when made with ``shuffle=True``, reorders all its elements with ``np.random.RandomState(seed)`` after
every epoch. ``split_dataset`` of a Sequence gives DatasetSequences of its samples, batched as it was. Left out:
the rest of the ``tf.data.Dataset`` API (``map``, ``cache``, ``prefetch``... a DatasetSequence has ``take``,
``unbatch`` and ``class_names``/``file_paths`` only), and dict-structured datasets in ``split_dataset``.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from fittrace.saving.keras_export import keras_export
from fittrace.utils.data_utils import Sequence
from fittrace.utils.io_utils import print_msg


class DatasetSequence(Sequence):
    """The batches a ``*_dataset_from_*`` function makes, as a ``Sequence`` (Keras returns a ``tf.data.Dataset``).

    ``fetch(indices)`` returns the element(s) at those positions, stacked: ``(x, y)`` or ``x`` alone.
    ``batch_size=None`` gives one element per item, without a batch axis (as an unbatched dataset).
    """

    #: what real Keras returns here, and the adapter its ``fit`` would use (written into the trace).
    keras_returns = "tf.data.Dataset"
    keras_adapter = "DatasetAdapter"

    def __init__(
        self,
        num_elements: int,
        fetch: Callable[[np.ndarray], Any],
        batch_size: int | None,
        made_by: str,
        shuffle: bool = False,
        seed: int | None = None,
        class_names: list[str] | None = None,
        file_paths: list[str] | None = None,
    ) -> None:
        self._n = int(num_elements)
        self._fetch = fetch
        self.batch_size = batch_size
        self.made_by = made_by
        self._shuffle = bool(shuffle)
        self._rng = np.random.RandomState(seed) if shuffle else None
        self._order = np.arange(self._n)
        if class_names is not None:
            self.class_names = class_names
        if file_paths is not None:
            self.file_paths = file_paths

    @property
    def num_elements(self) -> int:
        return self._n

    def __len__(self) -> int:
        if self.batch_size is None:
            return self._n
        return math.ceil(self._n / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        if self.batch_size is None:
            return self._fetch(self._order[index : index + 1], single=True)
        chosen = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        return self._fetch(chosen, single=False)

    def on_epoch_end(self) -> None:
        """Reorder the elements for the next pass (when made with ``shuffle=True``)."""
        if self._rng is not None:
            self._order = self._rng.permutation(self._n)

    def take(self, count: int) -> list[Any]:
        """The first ``count`` batches (all when ``count`` is -1), as ``dataset.take(count)`` yields them."""
        stop = len(self) if count == -1 else min(int(count), len(self))
        return [self[i] for i in range(stop)]

    def unbatch(self) -> DatasetSequence:
        """The same elements one by one."""
        return DatasetSequence(
            self._n,
            lambda idx, single: self._fetch(self._order[idx], single=single),
            None,
            self.made_by,
            class_names=getattr(self, "class_names", None),
            file_paths=getattr(self, "file_paths", None),
        )

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return (
            f"<DatasetSequence from {self.made_by}: {self._n} elements in {len(self)} batches "
            f"(Keras returns a {self.keras_returns} here)>"
        )


def stacked(parts: tuple[np.ndarray | None, ...]) -> Callable[[np.ndarray, bool], Any]:
    """A ``fetch`` over in-memory arrays: ``(x, y)`` rows at the chosen positions (``x`` alone if y is None)."""
    present = [p for p in parts if p is not None]

    def fetch(idx: np.ndarray, single: bool) -> Any:
        rows = tuple(p[idx[0]] if single else p[idx] for p in present)
        return rows[0] if len(rows) == 1 else rows

    return fetch


def labels_to_array(labels: np.ndarray, label_mode: str | None, num_classes: int) -> np.ndarray:
    """The labels as Keras's ``labels_to_dataset`` maps them: int as they are, binary float32 ``(n, 1)``,
    categorical float32 one-hot. A list of Python numbers becomes int32 or float32, as TensorFlow converts it."""
    if not isinstance(labels, np.ndarray):
        labels = np.asarray(labels)
        labels = labels.astype({"i": "int32", "f": "float32"}.get(labels.dtype.kind, labels.dtype))
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    return labels


def iter_valid_files(directory: str, follow_links: bool, formats: tuple[str, ...]) -> Iterator:
    """``(folder, file name)`` of every file under ``directory`` whose name ends in one of ``formats``, folders
    in sorted order and files sorted within each."""
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_subdirectory(
    directory: str, class_indices: dict[str, int], follow_links: bool, formats: tuple[str, ...]
) -> tuple[list[str], list[int]]:
    """The files of one class folder, as paths relative to its parent, with the folder's class index."""
    dirname = os.path.basename(directory)
    labels, filenames = [], []
    for root, fname in iter_valid_files(directory, follow_links, formats):
        labels.append(class_indices[dirname])
        absolute_path = os.path.join(root, fname)
        filenames.append(os.path.join(dirname, os.path.relpath(absolute_path, directory)))
    return filenames, labels


def index_directory(
    directory: str,
    labels: Any,
    formats: tuple[str, ...],
    class_names: list[str] | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    follow_links: bool = False,
) -> tuple[list[str], Any, list[str]]:
    """``(file_paths, labels, class_names)`` of a directory, ordered and shuffled as Keras orders them."""
    directory = os.fspath(directory)
    if labels != "inferred":
        subdirs = [""]
        class_names = subdirs
    else:
        subdirs = []
        for subdir in sorted(os.listdir(directory)):
            if os.path.isdir(os.path.join(directory, subdir)) and not subdir.startswith("."):
                subdirs.append(subdir.rstrip("/"))
        if not class_names:
            class_names = subdirs
        elif set(class_names) != set(subdirs):
            raise ValueError(
                "The `class_names` passed did not match the names of the subdirectories of the target "
                f"directory. Expected: {subdirs}, but received: {class_names}"
            )
    class_indices = dict(zip(class_names, range(len(class_names))))
    filenames: list[str] = []
    labels_list = []
    for subdir in subdirs:
        dirpath = os.path.join(directory, subdir)  # "" gives "directory/", whose basename is ""
        partial_filenames, partial_labels = index_subdirectory(
            dirpath, class_indices, follow_links, formats
        )
        labels_list.append(partial_labels)
        filenames += partial_filenames
    if labels not in ("inferred", None):
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target directory. "
                f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory "
                f"{directory}."
            )
        class_names = sorted(set(labels))
    else:
        labels = np.concatenate([np.asarray(p, "int32") for p in labels_list] or [np.zeros(0)])
        labels = labels.astype("int32")
    if labels is None:
        print_msg(f"Found {len(filenames)} files.")
    else:
        print_msg(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, fname) for fname in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(
    samples: Any, labels: Any, validation_split: float | None, subset: str | None
) -> tuple[Any, Any]:
    """The training part (all but the last ``int(validation_split * n)``) or the validation part (those)."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print_msg(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples]
        labels = labels[:-num_val_samples] if labels is not None else None
    elif subset == "validation":
        print_msg(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:]
        labels = labels[-num_val_samples:] if labels is not None else None
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples, labels


def check_validation_split_arg(
    validation_split: float | None, subset: str | None, shuffle: bool, seed: int | None
) -> None:
    """Keras's checks of ``validation_split``, ``subset`` and ``seed``, with its messages."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be between 0 and 1, received: {validation_split}"
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            f'`subset` must be either "training", "validation" or "both", received: {subset}'
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` argument, to "
            "make sure that there is no overlap between the training and validation subset."
        )


def check_labels_arg(labels: Any, class_names: Any, label_mode: Any, what: str, noun: str) -> None:
    """Keras's checks of ``labels``, ``class_names`` and ``label_mode`` (``what``: "image files", ``noun``:
    "images")."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as the number "
                f"of {what} in the target directory. If you wish to infer the labels from the subdirectory "
                'names in the target directory, pass `labels="inferred"`. If you wish to get a dataset that '
                f"only contains {noun} (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                'You can only pass `class_names` if `labels="inferred"`. '
                f"Received: labels={labels}, and class_names={class_names}"
            )
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode}"
        )


# --- split_dataset ------------------------------------------------------------------------------------------------
def _type_spec(dataset: Any) -> type | None:
    for kind in (tuple, list, np.ndarray, dict, Sequence):
        if isinstance(dataset, kind):
            return kind
    return None


def _samples_of(dataset: Any, kind: type) -> list:
    if kind in (list, tuple):
        word = "list" if kind is list else "tuple"
        if len(dataset) == 0:
            raise ValueError(
                "Received an empty list dataset. Please provide a non-empty list of arrays."
                if kind is list
                else "Received an empty list dataset.Please provide a non-empty tuple of arrays."
            )
        if not isinstance(dataset[0], np.ndarray):
            raise ValueError(
                f"Expected a list of `numpy.ndarray` objects,Received: {type(dataset[0])}"
                if kind is list
                else f"Expected a tuple of `numpy.ndarray` objects, Received: {type(dataset[0])}"
            )
        expected_shape = dataset[0].shape
        for i, element in enumerate(dataset):
            if np.array(element).shape[0] != expected_shape[0]:
                raise ValueError(
                    f"Received a {word} of NumPy arrays with different lengths. Mismatch found at index {i}, "
                    f"Expected shape={expected_shape} Received shape={np.array(element).shape}."
                    f"Please provide a {word} of NumPy arrays with the same length."
                )
        out = []
        for sample in zip(*dataset):
            try:  # Keras's own conversion: one array per sample (x and y share a dtype when they can)
                out.append(np.array(sample))
            except ValueError:
                out.append(np.array(sample, dtype=object))
        return out
    if kind is Sequence:
        out = []
        for i in range(len(dataset)):
            batch = dataset[i]
            batch = batch if isinstance(batch, (tuple, list)) else (batch,)
            out.extend(tuple(row) for row in zip(*batch))
        return out
    return list(dataset)


def rescale_split_sizes(left_size: Any, right_size: Any, total_length: int) -> tuple[int, int]:
    """The two sizes as sample counts, with Keras's checks and messages."""
    left_size_type, right_size_type = type(left_size), type(right_size)
    if (left_size is not None and left_size_type not in [int, float]) and (
        right_size is not None and right_size_type not in [int, float]
    ):
        raise TypeError(
            "Invalid `left_size` and `right_size` Types. Expected: integer or float or None, Received: "
            f"type(left_size)={left_size_type} and type(right_size)={right_size_type}"
        )
    if left_size is not None and left_size_type not in [int, float]:
        raise TypeError(
            "Invalid `left_size` Type. Expected: int or float or None, Received: "
            f"type(left_size)={left_size_type}.  "
        )
    if right_size is not None and right_size_type not in [int, float]:
        raise TypeError(
            "Invalid `right_size` Type. Expected: int or float or None,Received: "
            f"type(right_size)={right_size_type}."
        )
    if left_size == 0 and right_size == 0:
        raise ValueError(
            "Both `left_size` and `right_size` are zero. At least one of the split sizes must be non-zero."
        )
    if (left_size_type is int and (left_size <= 0 or left_size >= total_length)) or (
        left_size_type is float and (left_size <= 0 or left_size >= 1)
    ):
        raise ValueError(
            f"`left_size` should be either a positive integer smaller than {total_length}, or a float "
            f"within the range `[0, 1]`. Received: left_size={left_size}"
        )
    if (right_size_type is int and (right_size <= 0 or right_size >= total_length)) or (
        right_size_type is float and (right_size <= 0 or right_size >= 1)
    ):
        raise ValueError(
            f"`right_size` should be either a positive integer and smaller than {total_length} or a float "
            f"within the range `[0, 1]`. Received: right_size={right_size}"
        )
    if right_size_type is left_size_type is float and right_size + left_size > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal to 1."
        )
    if left_size_type is float:
        left_size = round(left_size * total_length)
    elif left_size_type is int:
        left_size = float(left_size)
    if right_size_type is float:
        right_size = round(right_size * total_length)
    elif right_size_type is int:
        right_size = float(right_size)
    if left_size is None:
        left_size = total_length - right_size
    elif right_size is None:
        right_size = total_length - left_size
    if left_size + right_size > total_length:
        raise ValueError(
            "The sum of `left_size` and `right_size` should be smaller than the {total_length}. "
            f"Received: left_size + right_size = {left_size + right_size}and total_length = {total_length}"
        )
    for split, side in [(left_size, "left"), (right_size, "right")]:
        if split == 0:
            raise ValueError(
                f"With `dataset` of length={total_length}, `left_size`={left_size} and "
                f"`right_size`={right_size}.Resulting {side} side dataset split will be empty. Adjust any "
                "of the aforementioned parameters"
            )
    return int(left_size), int(right_size)


def _restore(samples: list, kind: type) -> tuple[np.ndarray, ...] | np.ndarray:
    if kind in (tuple, list, Sequence):
        return tuple(np.array(sample) for sample in zip(*samples))
    return np.array(samples)


@keras_export("keras.utils.split_dataset")
def split_dataset(
    dataset: Any,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> tuple[DatasetSequence, DatasetSequence]:
    """Split arrays (an array, or a list/tuple of arrays of equal length) or a Sequence into two parts.

    ``left_size``/``right_size``: a sample count or a fraction (one may be None: the rest). Keras returns two
    ``tf.data.Dataset``s of single samples (batched as the input was, for a batched dataset); here two
    DatasetSequences, unbatched for arrays, batched as the input for a Sequence.
    """
    kind = _type_spec(dataset)
    if kind not in (list, tuple, np.ndarray, Sequence):
        raise TypeError(
            "The `dataset` argument must be either a `tf.data.Dataset` object or a list/tuple of arrays. "
            f"Received: dataset={dataset} of type {type(dataset)}"
        )
    if right_size is None and left_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. "
            "Received: left_size=None and right_size=None"
        )
    samples = _samples_of(dataset, kind)
    if not samples:
        raise ValueError(
            "Received an empty Dataset. `dataset` must be a non-empty list/tuple of `numpy.ndarray` objects "
            "or `tf.data.Dataset` objects."
        )
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.seed(seed)
        random.shuffle(samples)
    left, right = rescale_split_sizes(left_size, right_size, len(samples))
    batch = getattr(dataset, "batch_size", None) if kind is Sequence else None
    if kind is Sequence and batch is None and len(dataset):
        first = dataset[0]
        first = first if isinstance(first, (tuple, list)) else (first,)
        batch = len(first[0])
    out = []
    for part in (samples[:left], samples[-right:]):
        restored = _restore(part, kind)
        arrays = restored if isinstance(restored, tuple) else (restored,)
        out.append(DatasetSequence(len(part), stacked(arrays), batch, "split_dataset"))
    return out[0], out[1]
