"""The eight data adapters of Keras 2, in the order ``select_data_adapter`` asks them.

Mirrors the adapter classes of ``keras.engine.data_adapter`` (tf_keras/src/engine/data_adapter.py). Each has
``can_handle(x, y)`` and a ``verdict(x, y)`` in words. Five have numpy counterparts and work for real:
ListsOfScalars (Python lists -> arrays -> TensorLike), TensorLike (numpy arrays and nested structures of them),
GenericArrayLike (array-likes such as h5py datasets, sliced lazily per batch), Generator (Python iterators of
batches) and KerasSequence (``utils.Sequence``). Dataset, CompositeTensor and DatasetCreator take TensorFlow
objects; they stay in the list, always decline, and say what they would have taken.

Each working adapter yields batches as tuples ``(x, y)`` or ``(x, y, sample_weight)`` of numpy arrays from one
iterator over all epochs (``make_iterator``), as Keras's single dataset iterator does.
Left out: pandas special cases, multiprocessing workers and queues, ``tf.distribute`` sharding.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Iterator

import numpy as np

from fittrace import seeding
from fittrace.utils import Sequence

_SCALARS = (float, int, str, bytes, bytearray)


def flatten(structure: Any) -> list[Any]:
    """Leaves of a nested tuple/list/dict structure, None skipped (dict values in sorted key order)."""
    if structure is None:
        return []
    if isinstance(structure, dict):
        return [leaf for k in sorted(structure) for leaf in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn: Any, structure: Any) -> Any:
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)


def describe(x: Any) -> str:
    """A short, learner-readable description of an input: ``a numpy.ndarray of shape (60000, 784), float32``."""
    if x is None:
        return "None"
    if isinstance(x, np.ndarray):
        return f"a numpy.ndarray of shape {x.shape}, {x.dtype}"
    if isinstance(x, dict):
        return f"a dict with keys {sorted(map(str, x))}"
    if isinstance(x, (list, tuple)):
        inner = type(x[0]).__name__ if x else "nothing"
        return f"a {type(x).__name__} of {len(x)} item(s) ({inner} first)"
    mod = type(x).__module__
    return f"a {mod + '.' if mod not in ('builtins',) else ''}{type(x).__name__}"


class DataAdapter:
    """Base class: what every adapter tells the DataHandler."""

    would_take = ""

    @staticmethod
    def can_handle(x: Any, y: Any = None) -> bool:
        return False

    @classmethod
    def verdict(cls, x: Any, y: Any = None) -> str:
        """In words, whether this adapter takes ``x`` and ``y`` and why (the adapter_candidate event's reason)."""
        if cls.can_handle(x, y):
            return "accepts: " + cls._how_it_takes(x)
        return f"declines: it takes {cls.would_take}; x is {describe(x)}"

    @classmethod
    def _how_it_takes(cls, x: Any) -> str:
        return f"x is {describe(x)}"

    def get_size(self) -> int | None:
        return None

    def batch_size(self) -> int | None:
        return None

    def partial_batch_size(self) -> int | None:
        return None

    def has_partial_batch(self) -> bool:
        return bool(self.partial_batch_size())

    def num_samples(self) -> int | None:
        return None

    def should_recreate_iterator(self) -> bool:
        return False

    def on_epoch_end(self) -> None:
        pass

    def make_iterator(self) -> Iterator[tuple]:
        raise NotImplementedError


# --- TensorLike: numpy arrays --------------------------------------------------------------------------------------
def check_numeric(arrays: list[np.ndarray], names: list[str]) -> None:
    for a, name in zip(arrays, names):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"Input {name} has dtype {a.dtype} ({'text' if a.dtype.kind in 'US' else 'objects'}), "
                            "but fittrace trains on numbers only: convert it, e.g. with .astype('float32'), or encode "
                            "text as numbers first.")


def _pack(x: Any, y: Any, sw: Any) -> tuple:
    if y is None:
        return (x,)
    if sw is None:
        return (x, y)
    return (x, y, sw)


class TensorLikeDataAdapter(DataAdapter):
    """Numpy arrays (and nested tuples/lists/dicts of them): shuffled per epoch, sliced into batches."""

    would_take = "numpy arrays (or nested tuples/lists/dicts of them)"

    @staticmethod
    def can_handle(x: Any, y: Any = None) -> bool:
        leaves = flatten(x) + flatten(y)
        return bool(leaves) and all(isinstance(v, np.ndarray) for v in leaves)

    @classmethod
    def verdict(cls, x: Any, y: Any = None) -> str:
        if cls.can_handle(x, y):
            return f"accepts: x is {describe(x)} and y is {describe(y)}; every leaf is a numpy array"
        bad = [v for v in flatten(x) + flatten(y) if not isinstance(v, np.ndarray)]
        return f"declines: it needs numpy arrays, but found {describe(bad[0]) if bad else 'no data'}"

    def __init__(self, x: Any, y: Any = None, sample_weights: Any = None, batch_size: int | None = None,
                 steps: int | None = None, epochs: int = 1, shuffle: Any = False, **kwargs: Any) -> None:
        to_float = lambda a: a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a  # noqa
        self._x, self._y, self._sw = (map_structure(to_float, v) for v in (x, y, sample_weights))
        leaves = flatten(self._x) + flatten(self._y) + flatten(self._sw)
        check_numeric(flatten(self._x), ["x"] * len(flatten(self._x)))
        check_numeric(flatten(self._y), ["y"] * len(flatten(self._y)))
        check_cardinality(self._x, self._y, self._sw)
        self._n = int(leaves[0].shape[0])
        if not batch_size:
            batch_size = int(math.ceil(self._n / steps)) if steps else 32
        self._batch = int(batch_size)
        self._size = int(math.ceil(self._n / self._batch))
        self._full = self._n // self._batch
        self._partial = self._n % self._batch or None
        self._epochs = epochs
        self._shuffle = shuffle

    def get_size(self) -> int:
        return self._size

    def batch_size(self) -> int:
        return self._batch

    def partial_batch_size(self) -> int | None:
        return self._partial

    def num_samples(self) -> int:
        return self._n

    def _epoch_batches(self) -> Iterator[Any]:
        """Index batches (slices or index arrays) for one epoch."""
        n, b, full = self._n, self._batch, self._full
        if self._shuffle == "batch":
            # Contiguous batches in a new order, rows shuffled inside each batch with ONE permutation for x, y and
            # the weights. (tf-keras shuffles each array separately there, which misaligns rows: not copied.)
            rng = seeding.generator()
            for i in rng.permutation(self._size):
                start = i * b
                yield start + rng.permutation(min(b, n - start))
        elif self._shuffle:
            perm = seeding.generator().permutation(n)
            yield from perm[: full * b].reshape(full, b)     # the full batches, sliced as one reshape
            if self._partial:
                yield perm[full * b:]                        # and the partial batch separately
        else:
            for i in range(self._size):
                yield slice(i * b, min((i + 1) * b, n))

    def make_iterator(self) -> Iterator[tuple]:
        x, y, sw = self._x, self._y, self._sw
        for _ in range(self._epochs):
            for idx in self._epoch_batches():
                take = lambda a: a[idx]  # noqa: E731 - one fancy index (or view) per array
                yield _pack(map_structure(take, x), map_structure(take, y), map_structure(take, sw))


def check_cardinality(x: Any, y: Any, sw: Any) -> None:
    sizes = {label: sorted({int(v.shape[0]) for v in flatten(part)}) for label, part in
             (("x", x), ("y", y), ("sample_weight", sw)) if flatten(part)}
    all_sizes = {s for v in sizes.values() for s in v}
    if len(all_sizes) > 1:
        msg = "Data cardinality is ambiguous:\n"
        for label, vals in sizes.items():
            msg += f"  {label} sizes: {', '.join(str(v) for v in vals)}\n"
        raise ValueError(msg + "Make sure all arrays contain the same number of samples.")


class ListsOfScalarsDataAdapter(TensorLikeDataAdapter):
    """Python lists of numbers: converted with ``np.asarray``, then handled like arrays."""

    would_take = "Python lists/tuples of scalars"

    @staticmethod
    def _is_list_of_scalars(inp: Any) -> bool:
        if isinstance(inp, _SCALARS):
            return True
        if isinstance(inp, (list, tuple)) and inp:
            return ListsOfScalarsDataAdapter._is_list_of_scalars(inp[0])
        return False

    @staticmethod
    def can_handle(x: Any, y: Any = None) -> bool:
        return ListsOfScalarsDataAdapter._is_list_of_scalars(x) and (
            y is None or ListsOfScalarsDataAdapter._is_list_of_scalars(y))

    @classmethod
    def verdict(cls, x: Any, y: Any = None) -> str:
        if cls.can_handle(x, y):
            return f"accepts: x is {describe(x)} of scalars; it converts them to numpy arrays"
        return f"declines: it takes Python lists of scalars, x is {describe(x)}"

    def __init__(self, x: Any, y: Any = None, sample_weights: Any = None, **kwargs: Any) -> None:
        conv = lambda v: None if v is None else np.asarray(v)  # noqa: E731
        super().__init__(conv(x), conv(y), conv(sample_weights), **kwargs)


class GenericArrayLikeDataAdapter(TensorLikeDataAdapter):
    """Array-likes that are not numpy arrays (h5py datasets, custom classes): each batch sliced on demand."""

    would_take = "array-likes with shape, dtype, __getitem__ and __len__ (e.g. h5py datasets)"

    @staticmethod
    def can_handle(x: Any, y: Any = None) -> bool:
        if TensorLikeDataAdapter.can_handle(x, y):
            return False
        leaves = flatten(x) + flatten(y)
        return bool(leaves) and all(all(hasattr(v, a) for a in ("__getitem__", "shape", "dtype", "__len__"))
                                    and not isinstance(v, (str, bytes)) for v in leaves)

    @classmethod
    def verdict(cls, x: Any, y: Any = None) -> str:
        if not cls.can_handle(x, y) and TensorLikeDataAdapter.can_handle(x, y):
            return "declines: these are plain numpy arrays, which TensorLikeDataAdapter handles"
        return super().verdict(x, y)

    @classmethod
    def _how_it_takes(cls, x: Any) -> str:
        return f"x is {describe(x)}, an array-like that is sliced batch by batch, never loaded whole"

    def __init__(self, x: Any, y: Any = None, sample_weights: Any = None, batch_size: int | None = None,
                 steps: int | None = None, epochs: int = 1, shuffle: Any = False, **kwargs: Any) -> None:
        self._x, self._y, self._sw = x, y, sample_weights
        leaves = flatten(x) + flatten(y) + flatten(sample_weights)
        check_cardinality(x, y, sample_weights)
        self._n = int(leaves[0].shape[0])
        self._batch = int(batch_size or (math.ceil(self._n / steps) if steps else 32))
        self._size = int(math.ceil(self._n / self._batch))
        self._full = self._n // self._batch
        self._partial = self._n % self._batch or None
        self._epochs = epochs
        self._shuffle = shuffle

    def make_iterator(self) -> Iterator[tuple]:
        def take(a: Any, idx: Any) -> np.ndarray:
            if isinstance(idx, slice):
                out = np.asarray(a[idx])
            else:
                order = np.argsort(idx)                       # h5py wants increasing indices
                out = np.asarray(a[np.sort(idx).tolist()])[np.argsort(order)]
            return out.astype(np.float32) if out.dtype.kind == "f" and out.dtype != np.float32 else out
        for _ in range(self._epochs):
            for idx in self._epoch_batches():
                yield _pack(*(map_structure(lambda a: take(a, idx), part) for part in (self._x, self._y, self._sw)))


# --- Python iterators and Sequences ----------------------------------------------------------------------------------
def _check_batch(batch: Any, source: str) -> tuple:
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        if isinstance(batch, np.ndarray) or isinstance(batch, dict):
            return (batch,)
        raise ValueError(f"The {source} yielded {batch!r} (a {type(batch).__name__}), not a batch: it should yield "
                         "(x, y) or (x, y, sample_weight), where x and y are arrays with one row per sample.")
    if not 1 <= len(batch) <= 3:
        raise ValueError(f"The {source} yielded a tuple of {len(batch)} items; it should yield (x,), (x, y) or "
                         "(x, y, sample_weight). Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                         "`(x, y, sample_weight)`.")
    for part in batch:
        for leaf in flatten(part):
            if not hasattr(leaf, "shape"):
                raise ValueError(f"The {source} yielded a batch holding {leaf!r} (a {type(leaf).__name__}); every "
                                 "element of (x, y, sample_weight) must be an array with one row per sample.")
    to_float = lambda a: a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a  # noqa
    return tuple(map_structure(lambda a: to_float(np.asarray(a)), part) for part in batch)


class GeneratorDataAdapter(DataAdapter):
    """A Python generator/iterator of batches; the number of steps is learned at the end of the first epoch."""

    would_take = "Python generators or iterators yielding (x, y) batches"

    @staticmethod
    def can_handle(x: Any, y: Any = None) -> bool:
        return (hasattr(x, "__next__") or hasattr(x, "next")) and hasattr(x, "__iter__") and \
            not isinstance(x, Sequence)

    @classmethod
    def _how_it_takes(cls, x: Any) -> str:
        return f"x is {describe(x)}, an iterator: it peeks at the first batch to learn the structure"

    def __init__(self, x: Any, y: Any = None, sample_weights: Any = None, batch_size: int | None = None,
                 steps: int | None = None, **kwargs: Any) -> None:
        if y is not None:
            raise ValueError("`y` argument is not supported when using python generator as input.")
        if sample_weights is not None:
            raise ValueError("`sample_weight` argument is not supported when using python generator as input.")
        try:
            first = next(x)
        except StopIteration:
            raise ValueError("The generator yielded nothing: it must yield at least one (x, y) batch.") from None
        self._peek = _check_batch(first, "generator")
        self._source = x
        self._steps = steps
        self._batch = int(len(flatten(self._peek[0])[0]))

    def get_size(self) -> int | None:
        return self._steps

    def batch_size(self) -> int:
        return self._batch

    def make_iterator(self) -> Iterator[tuple]:
        for batch in itertools.chain([self._peek], self._source):
            yield batch if batch is self._peek else _check_batch(batch, "generator")


class KerasSequenceAdapter(DataAdapter):
    """A ``utils.Sequence``: batches by index, ``len()`` steps, ``on_epoch_end`` after each epoch."""

    would_take = "fittrace.keras.utils.Sequence objects"

    @staticmethod
    def can_handle(x: Any, y: Any = None) -> bool:
        return isinstance(x, Sequence)

    @classmethod
    def _how_it_takes(cls, x: Any) -> str:
        return f"x is a Sequence ({type(x).__name__}) of {len(x)} batches, fetched by index"

    def __init__(self, x: Sequence, y: Any = None, sample_weights: Any = None, batch_size: int | None = None,
                 steps: int | None = None, shuffle: Any = False, **kwargs: Any) -> None:
        if y is not None:
            raise ValueError("`y` argument is not supported when using `keras.utils.Sequence` as input.")
        if sample_weights is not None:
            raise ValueError("`sample_weight` argument is not supported when using `keras.utils.Sequence` as input.")
        self._seq = x
        self._shuffle = bool(shuffle)
        self._len = len(x)
        self._batch = int(len(flatten(_check_batch(x[0], "Sequence")[0])[0])) if self._len else None

    def get_size(self) -> int:
        return self._len

    def batch_size(self) -> int | None:
        return self._batch

    def should_recreate_iterator(self) -> bool:
        return True

    def on_epoch_end(self) -> None:
        self._seq.on_epoch_end()

    def make_iterator(self) -> Iterator[tuple]:
        order = seeding.generator().permutation(self._len) if self._shuffle else range(self._len)
        for i in order:
            yield _check_batch(self._seq[int(i)], "Sequence")


# --- TensorFlow-only inputs: always decline ------------------------------------------------------------------------
class DatasetAdapter(DataAdapter):
    would_take = "a tf.data.Dataset (fittrace has no TensorFlow, so never here)"


class CompositeTensorDataAdapter(DataAdapter):
    would_take = "sparse or ragged tensors, or scipy.sparse matrices (fittrace has none: densify with .toarray())"


class DatasetCreatorAdapter(DataAdapter):
    would_take = "a tf.keras.utils.experimental.DatasetCreator (TensorFlow only)"


ALL_ADAPTER_CLS = [ListsOfScalarsDataAdapter, TensorLikeDataAdapter, GenericArrayLikeDataAdapter, DatasetAdapter,
                   GeneratorDataAdapter, KerasSequenceAdapter, CompositeTensorDataAdapter, DatasetCreatorAdapter]
