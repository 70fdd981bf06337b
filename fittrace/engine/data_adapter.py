"""DataHandler, select_data_adapter and the eight data adapters: how ``fit`` turns (x, y) into epochs of batches.

Mirrors ``keras.engine.data_adapter`` (tf_keras/src/engine/data_adapter.py), kept whole as tf-keras keeps it.
The adapter classes come first, in the order ``select_data_adapter`` asks them; each has ``can_handle(x, y)`` and a
``verdict(x, y)`` in words. Five have numpy counterparts and work for real: ListsOfScalars (Python lists -> arrays
-> TensorLike), TensorLike (numpy arrays and nested structures of them), GenericArrayLike (array-likes such as h5py
datasets, sliced lazily per batch), Generator (Python iterators of batches) and KerasSequence (``utils.Sequence``).
Dataset, CompositeTensor and DatasetCreator take TensorFlow objects; they stay in the list, always decline, and say
what they would have taken. Each working adapter yields batches as tuples ``(x, y)`` or ``(x, y, sample_weight)``
of numpy arrays from one iterator over all epochs (``make_iterator``), as Keras's single dataset iterator does.
x, y and the sample weights may each be a list, tuple or dict of arrays (several inputs or outputs): every array is
sliced with the same indices, so a shuffle keeps their rows together; lists become tuples, as tf.data makes them;
a list of per-output sample weights may hold None for an output, which then weighs every sample 1; and the sizes
must agree (``check_cardinality``, Keras's "Data cardinality is ambiguous" message listing each array's rows).

Then ``get_data_handler`` -> ``DataHandler.__init__`` (argument checks, ``select_data_adapter``, the adapter, the
steps per epoch), whose ``enumerate_epochs`` / ``steps`` / ``catch_stop_iteration`` drive the loops of ``fit``; and
``unpack_x_y_sample_weight``, ``train_validation_split``, class weights, and ``single_batch_iterator`` (the one-batch
data of ``train_on_batch``/``test_on_batch``/``predict_on_batch``).

Left out: distribution strategies, ``steps_per_execution="auto"``, pandas special cases, multiprocessing workers
and queues, ``tf.distribute`` sharding.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from fittrace import seeding
from fittrace.autodiff import to_numpy
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_DATA_ADAPTER
from fittrace.utils import nest
from fittrace.utils.data_utils import Sequence

# --- the adapters --------------------------------------------------------------------------------------------------
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

    def stands_in_for(self) -> dict[str, Any] | None:
        """What real Keras would have been given here instead, when fittrace's input stands in for a TensorFlow
        object (a ``*_dataset_from_*`` result), else None."""
        return None

    def on_epoch_end(self) -> None:
        pass

    def make_iterator(self) -> Iterator[tuple]:
        raise NotImplementedError


# --- TensorLike: numpy arrays --------------------------------------------------------------------------------------
def is_text(a: np.ndarray) -> bool:
    """Does the array hold text (numpy's str or bytes, or objects that are all str or bytes)? Keras takes such an
    input as a ``tf.string`` tensor, for the text layers (TextVectorization, StringLookup, Hashing)."""
    if a.dtype.kind in "US":
        return True
    return a.dtype.kind == "O" and all(isinstance(v, (str, bytes)) for v in a.reshape(-1))


def check_numeric(arrays: list[np.ndarray], names: list[str], text_ok: bool = False) -> None:
    """Refuse what the engine cannot take: arrays of neither numbers nor (where ``text_ok``, as for inputs) text."""
    for a, name in zip(arrays, names):
        if a.dtype.kind not in "biuf" and not (text_ok and is_text(a)):
            what = "text" if a.dtype.kind in "US" else "objects"
            takes = "numbers or text only" if text_ok else "numbers only"
            raise TypeError(
                f"Input {name} has dtype {a.dtype} ({what}), but fittrace takes {takes} here: convert it, "
                "e.g. with .astype('float32'), or encode text as numbers first (a TextVectorization or "
                "StringLookup layer does it inside the model)."
            )


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
            return (
                f"accepts: x is {describe(x)} and y is {describe(y)}; every leaf is a numpy array"
            )
        bad = [v for v in flatten(x) + flatten(y) if not isinstance(v, np.ndarray)]
        return (
            f"declines: it needs numpy arrays, but found {describe(bad[0]) if bad else 'no data'}"
        )

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weights: Any = None,
        batch_size: int | None = None,
        steps: int | None = None,
        epochs: int = 1,
        shuffle: Any = False,
        **kwargs: Any,
    ) -> None:
        to_float = lambda a: (
            a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a
        )  # noqa
        # as tf.data sees them: lists become tuples, and an output's missing weights become ones
        self._x, self._y, self._sw = (
            nest.list_to_tuple(map_structure(to_float, v)) for v in (x, y, sample_weights)
        )
        self._sw = fill_partial_sample_weights(self._y, self._sw)
        leaves = flatten(self._x) + flatten(self._y) + flatten(self._sw)
        check_numeric(flatten(self._x), ["x"] * len(flatten(self._x)), text_ok=True)
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
            yield from perm[: full * b].reshape(full, b)  # the full batches, sliced as one reshape
            if self._partial:
                yield perm[full * b :]  # and the partial batch separately
        else:
            for i in range(self._size):
                yield slice(i * b, min((i + 1) * b, n))

    def make_iterator(self) -> Iterator[tuple]:
        x, y, sw = self._x, self._y, self._sw
        for _ in range(self._epochs):
            for idx in self._epoch_batches():
                take = lambda a, idx=idx: a[idx]  # one fancy index (or view) per array
                yield _pack(map_structure(take, x), map_structure(take, y), map_structure(take, sw))


def check_cardinality(x: Any, y: Any, sw: Any) -> None:
    """Every array of x, y and the sample weights must have the same number of rows; Keras's message lists the
    rows of each, in the order the structure flattens."""
    parts = [
        (label, flatten(part))
        for label, part in (("x", x), ("y", y), ("sample_weight", sw))
        if part is not None
    ]
    if len({int(v.shape[0]) for _, leaves in parts for v in leaves}) > 1:
        msg = "Data cardinality is ambiguous:\n"
        for label, leaves in parts:
            msg += f"  {label} sizes: {', '.join(str(int(v.shape[0])) for v in leaves)}\n"
        raise ValueError(msg + "Make sure all arrays contain the same number of samples.")


def fill_partial_sample_weights(y: Any, sample_weights: Any) -> Any:
    """A list of per-output sample weights with None for some outputs: ones for those (Keras's
    ``handle_partial_sample_weights``); None when every entry is None."""
    if not isinstance(sample_weights, (list, tuple)) or all(w is not None for w in sample_weights):
        return sample_weights
    if all(w is None for w in sample_weights):
        return None
    targets = nest.flatten(y)
    return type(sample_weights)(
        np.ones(int(targets[i].shape[0]), np.float32) if w is None else w
        for i, w in enumerate(sample_weights)
    )


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
            y is None or ListsOfScalarsDataAdapter._is_list_of_scalars(y)
        )

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
        return bool(leaves) and all(
            all(hasattr(v, a) for a in ("__getitem__", "shape", "dtype", "__len__"))
            and not isinstance(v, (str, bytes))
            for v in leaves
        )

    @classmethod
    def verdict(cls, x: Any, y: Any = None) -> str:
        if not cls.can_handle(x, y) and TensorLikeDataAdapter.can_handle(x, y):
            return "declines: these are plain numpy arrays, which TensorLikeDataAdapter handles"
        return super().verdict(x, y)

    @classmethod
    def _how_it_takes(cls, x: Any) -> str:
        return (
            f"x is {describe(x)}, an array-like that is sliced batch by batch, never loaded whole"
        )

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weights: Any = None,
        batch_size: int | None = None,
        steps: int | None = None,
        epochs: int = 1,
        shuffle: Any = False,
        **kwargs: Any,
    ) -> None:
        x, y, sample_weights = (nest.list_to_tuple(v) for v in (x, y, sample_weights))
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
                order = np.argsort(idx)  # h5py wants increasing indices
                out = np.asarray(a[np.sort(idx).tolist()])[np.argsort(order)]
            return (
                out.astype(np.float32) if out.dtype.kind == "f" and out.dtype != np.float32 else out
            )

        for _ in range(self._epochs):
            for idx in self._epoch_batches():
                yield _pack(
                    *(
                        map_structure(lambda a, idx=idx: take(a, idx), part)
                        for part in (self._x, self._y, self._sw)
                    )
                )


# --- Python iterators and Sequences ----------------------------------------------------------------------------------
def _check_batch(batch: Any, source: str) -> tuple:
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        if isinstance(batch, np.ndarray) or isinstance(batch, dict):
            return (batch,)
        raise ValueError(
            f"The {source} yielded {batch!r} (a {type(batch).__name__}), not a batch: it should yield "
            "(x, y) or (x, y, sample_weight), where x and y are arrays with one row per sample."
        )
    if not 1 <= len(batch) <= 3:
        raise ValueError(
            f"The {source} yielded a tuple of {len(batch)} items; it should yield (x,), (x, y) or "
            "(x, y, sample_weight). Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
            "`(x, y, sample_weight)`."
        )
    for part in batch:
        for leaf in flatten(part):
            if not hasattr(leaf, "shape"):
                raise ValueError(
                    f"The {source} yielded a batch holding {leaf!r} (a {type(leaf).__name__}); every "
                    "element of (x, y, sample_weight) must be an array with one row per sample."
                )
    to_float = lambda a: (
        a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a
    )  # noqa
    return tuple(map_structure(lambda a: to_float(np.asarray(a)), part) for part in batch)


class GeneratorDataAdapter(DataAdapter):
    """A Python generator/iterator of batches; the number of steps is learned at the end of the first epoch."""

    would_take = "Python generators or iterators yielding (x, y) batches"

    @staticmethod
    def can_handle(x: Any, y: Any = None) -> bool:
        return (
            (hasattr(x, "__next__") or hasattr(x, "next"))
            and hasattr(x, "__iter__")
            and not isinstance(x, Sequence)
        )

    @classmethod
    def _how_it_takes(cls, x: Any) -> str:
        return (
            f"x is {describe(x)}, an iterator: it peeks at the first batch to learn the structure"
        )

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weights: Any = None,
        batch_size: int | None = None,
        steps: int | None = None,
        **kwargs: Any,
    ) -> None:
        if y is not None:
            raise ValueError("`y` argument is not supported when using python generator as input.")
        if sample_weights is not None:
            raise ValueError(
                "`sample_weight` argument is not supported when using python generator as input."
            )
        try:
            first = next(x)
        except StopIteration:
            raise ValueError(
                "The generator yielded nothing: it must yield at least one (x, y) batch."
            ) from None
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

    def __init__(
        self,
        x: Sequence,
        y: Any = None,
        sample_weights: Any = None,
        batch_size: int | None = None,
        steps: int | None = None,
        shuffle: Any = False,
        **kwargs: Any,
    ) -> None:
        if y is not None:
            raise ValueError(
                "`y` argument is not supported when using `keras.utils.Sequence` as input."
            )
        if sample_weights is not None:
            raise ValueError(
                "`sample_weight` argument is not supported when using `keras.utils.Sequence` as input."
            )
        self._seq = x
        # A stand-in for a tf.data.Dataset orders itself: Keras's DatasetAdapter ignores fit's shuffle.
        self._stand_in = getattr(x, "keras_returns", None) is not None
        self._shuffle = bool(shuffle) and not self._stand_in
        self._len = len(x)
        self._batch = int(len(flatten(_check_batch(x[0], "Sequence")[0])[0])) if self._len else None

    def get_size(self) -> int:
        return self._len

    def batch_size(self) -> int | None:
        return self._batch

    def should_recreate_iterator(self) -> bool:
        return True

    def stands_in_for(self) -> dict[str, Any] | None:
        if not self._stand_in:
            return None
        return {
            "made_by": str(getattr(self._seq, "made_by", type(self._seq).__name__)),
            "keras_returns": str(self._seq.keras_returns),
            "keras_adapter": str(getattr(self._seq, "keras_adapter", "DatasetAdapter")),
            "fit_shuffle_ignored": True,
        }

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


ALL_ADAPTER_CLS = [
    ListsOfScalarsDataAdapter,
    TensorLikeDataAdapter,
    GenericArrayLikeDataAdapter,
    DatasetAdapter,
    GeneratorDataAdapter,
    KerasSequenceAdapter,
    CompositeTensorDataAdapter,
    DatasetCreatorAdapter,
]


# --- packing -------------------------------------------------------------------------------------------------------
def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> a 3-tuple padded with None."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found: {data}"
    )


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    if y is None:
        return x if not isinstance(x, (list, tuple)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def train_validation_split(arrays: tuple, validation_split: float) -> tuple[tuple, tuple]:
    """Split off the LAST ``validation_split`` fraction of every array (before any shuffling)."""
    if not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
        raise ValueError(
            f"validation_split must be a fraction in [0, 1) of the training data to hold out; received "
            f"validation_split={validation_split!r}."
        )
    leaves = flatten(arrays)
    bad = [type(t) for t in leaves if not isinstance(t, np.ndarray)]
    if bad:
        raise ValueError(
            "`validation_split` is only supported for Tensors or NumPy arrays, found following types "
            f"in the input: {bad}"
        )
    if not leaves:
        return arrays, arrays
    n = int(leaves[0].shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a validation "
            f"and training set as specified by `validation_split={validation_split}`. Either provide "
            "more data, or a different value for the `validation_split` argument."
        )

    def part(structure: Any, sl: slice) -> Any:
        if structure is None:
            return None
        if isinstance(structure, dict):
            return {k: part(v, sl) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)):
            return type(structure)(part(v, sl) for v in structure)
        return structure[sl]

    return part(arrays, slice(0, split_at)), part(arrays, slice(split_at, None))


# --- choosing the adapter ------------------------------------------------------------------------------------------
def _type_name(x: Any) -> str:
    if isinstance(x, dict):
        keys = {_type_name(k) for k in x.keys()}
        vals = {_type_name(v) for v in x.values()}
        return f"({type(x)} containing {keys} keys and {vals} values)"
    if isinstance(x, (list, tuple)):
        return f"({type(x)} containing values of types {set(_type_name(v) for v in x)})"
    return str(type(x))


def select_data_adapter(x: Any, y: Any) -> type:
    """Ask every adapter class, in Keras's order, whether it can handle ``(x, y)``; exactly one must."""
    accepted = []
    for cls in ALL_ADAPTER_CLS:
        ok = bool(cls.can_handle(x, y))
        if ok:
            accepted.append(cls)
        rec.emit(
            "adapter_candidate",
            cls.__name__,
            keras=f"{KERAS_DATA_ADAPTER}.{cls.__name__}.can_handle",
            data=lambda cls=cls, ok=ok: {
                "class": cls.__name__,
                "accepted": ok,
                "reason": cls.verdict(x, y),
                "would_take": cls.would_take,
            },
        )
    if not accepted:
        hint = ""
        if type(x).__module__.startswith("scipy.sparse"):
            hint = (
                " (scipy.sparse input: fittrace has no sparse tensors, convert it with x.toarray())"
            )
        raise ValueError(
            f"Failed to find data adapter that can handle input: {_type_name(x)}, {_type_name(y)}"
            + hint
        )
    if len(accepted) > 1:
        raise RuntimeError(
            "Data adapters should be mutually exclusive for handling inputs. Found multiple adapters "
            f"{accepted} to handle input: {_type_name(x)}, {_type_name(y)}"
        )
    return accepted[0]


# --- checks with plain messages ------------------------------------------------------------------------------------
def _check_int(name: str, value: Any, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"`{name}` must be a whole number, but received {name}={value!r} "
            f"(of type {type(value).__name__}). Pass an int, e.g. {name}=32."
        )


def _check_positive(name: str, value: Any) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"Expected {name} to be positive. Received is {value}.")


def _check_non_negative(name: str, value: Any) -> None:
    if value is not None and value < 0:
        raise ValueError(f"Expected {name} to be non-negative. Received is {value}.")


def single_batch_iterator(
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    class_weight: dict | None = None,
    method: str = "train_on_batch",
) -> Iterator[tuple]:
    """The whole of ``(x, y, sample_weight)`` as one batch (Keras's ``single_batch_iterator``, a dataset made
    ``from_tensors``): float arrays become float32, the sizes must agree, class weights become sample weights.
    No adapter is selected, nothing is shuffled or split."""

    def as_array(a: Any) -> Any:
        value = to_numpy(a)  # a fittrace Tensor gives its array
        return (
            value.astype(np.float32)
            if value.dtype.kind == "f" and value.dtype != np.float32
            else value
        )

    for name, part in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if any(not (hasattr(leaf, "shape") and hasattr(leaf, "dtype")) for leaf in flatten(part)):
            raise TypeError(
                f"`{method}` takes arrays (one batch), but {name} is {describe(part)}. Keras 2 fails on "
                f"this with an AttributeError; convert it first, e.g. np.asarray({name})."
            )
    x, y, sample_weight = (
        nest.list_to_tuple(map_structure(as_array, part)) for part in (x, y, sample_weight)
    )
    check_numeric(flatten(x), ["x"] * len(flatten(x)), text_ok=True)
    check_numeric(flatten(y), ["y"] * len(flatten(y)))
    check_cardinality(x, y, sample_weight)
    data = (x,) if y is None else (x, y) if sample_weight is None else (x, y, sample_weight)
    if class_weight:
        data = class_weight_fn(class_weight)(data)
    return iter([data])


def class_weight_fn(class_weight: dict) -> Any:
    """Per-batch sample weights from a {class id: weight} dict (Keras's ``_make_class_weight_map_fn``)."""
    keys = sorted(class_weight)
    if keys != list(range(len(keys))):
        raise ValueError(
            "Expected `class_weight` to be a dict with keys from 0 to one less than the number of "
            f"classes, found {class_weight}"
        )
    weights = np.array([class_weight[k] for k in keys], dtype=np.float32)

    def apply(batch: tuple) -> tuple:
        x, y, sw = unpack_x_y_sample_weight(batch)
        if y is None or nest.is_nested(y):
            raise ValueError("`class_weight` is only supported for Models with a single output.")
        if y.ndim > 1 and y.shape[-1] > 1:
            ids = np.argmax(y, axis=-1)
        else:
            ids = np.round(y.reshape(len(y), -1)[:, 0] if y.ndim > 1 else y).astype(np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= len(weights)):
            raise ValueError(
                f"class_weight has weights for classes 0..{len(weights) - 1}, but the labels hold class "
                f"{int(ids.max() if ids.max() >= len(weights) else ids.min())}: give a weight to every "
                "class."
            )
        cw = weights[ids]
        sw = (
            cw if sw is None else sw.reshape(len(cw), -1)[:, 0] * cw if np.ndim(sw) > 1 else sw * cw
        )
        return (x, y, sw)

    return apply


class _CatchStopIteration:
    def __init__(self, handler: DataHandler) -> None:
        self.handler = handler

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None or not issubclass(exc_type, StopIteration):
            return False
        h = self.handler
        if h._inferred_steps is None:
            h._inferred_steps = (
                h._current_step
            )  # a generator of unknown length: epoch 1 teaches the length
        else:
            h._insufficient_data = True
            total = h._inferred_steps * (h._epochs - h._initial_epoch)
            text = (
                "Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
                "generate at least `steps_per_epoch * epochs` batches (in this case, "
                f"{total} batches). You may need to use the repeat() function when building your dataset."
            )
            sys.stderr.write(
                f"WARNING: {text}\n"
            )  # Keras logs it (to stderr), the output stays clean
            rec.emit(
                "warning",
                "DataHandler.catch_stop_iteration",
                keras=f"{KERAS_DATA_ADAPTER}.DataHandler.catch_stop_iteration",
                data={"message": text},
            )
        return True


class DataHandler:
    """Turns fit's data arguments into an adapter, an iterator and the epoch/step loops."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        initial_epoch: int = 0,
        epochs: int = 1,
        shuffle: Any = False,
        class_weight: dict | None = None,
        max_queue_size: int = 10,
        workers: int = 1,
        use_multiprocessing: bool = False,
        model: Any = None,
        steps_per_execution: int = 1,
    ) -> None:
        with rec.span(
            "data_handler",
            "DataHandler.__init__",
            keras=f"{KERAS_DATA_ADAPTER}.DataHandler.__init__",
            data={
                "batch_size": batch_size,
                "epochs": epochs,
                "initial_epoch": initial_epoch,
                "steps_per_epoch": steps_per_epoch,
                "shuffle": shuffle,
                "class_weight": class_weight is not None,
                "steps_per_execution": steps_per_execution,
            },
        ) as span:
            for name, value in (
                ("batch_size", batch_size),
                ("epochs", epochs),
                ("initial_epoch", initial_epoch),
                ("steps_per_epoch", steps_per_epoch),
                ("steps_per_execution", steps_per_execution),
            ):
                _check_int(name, value)
            _check_positive("batch_size", batch_size)
            _check_positive("epochs", epochs)
            _check_non_negative("initial_epoch", initial_epoch)
            _check_positive("steps_per_execution", steps_per_execution)
            if steps_per_epoch is not None and steps_per_epoch <= 0 and steps_per_epoch != -1:
                raise ValueError(
                    f"steps_per_epoch must be positive, None or -1. Received {steps_per_epoch}. "
                    "See `Model.fit`."
                )
            self._initial_epoch, self._epochs = int(initial_epoch), int(epochs)
            self._initial_step = 0
            self._insufficient_data = False
            self._spe = int(steps_per_execution or 1)
            self._step_increment = self._spe - 1
            self._current_step = 0
            adapter_cls = select_data_adapter(x, y)
            self._adapter = adapter_cls(
                x,
                y,
                sample_weights=sample_weight,
                batch_size=batch_size,
                steps=steps_per_epoch,
                epochs=self._epochs - self._initial_epoch,
                shuffle=shuffle,
                model=model,
            )
            self._class_weight = class_weight_fn(class_weight) if class_weight else None
            self._inferred_steps = self._infer_steps(steps_per_epoch)
            if self._inferred_steps == 0:
                raise ValueError("Expected input data to be non-empty.")
            a = self._adapter
            selected = {
                "class": adapter_cls.__name__,
                "num_samples": a.num_samples(),
                "batch_size": a.batch_size(),
                "steps": self._inferred_steps,
                "partial_batch_size": a.partial_batch_size(),
                "shuffle": shuffle,
            }
            stand_in = a.stands_in_for()
            if stand_in is not None:
                selected["stands_in_for"] = stand_in
            rec.emit(
                "adapter_selected",
                adapter_cls.__name__,
                keras=f"{KERAS_DATA_ADAPTER}.{adapter_cls.__name__}",
                data=selected,
            )
            span.set(inferred_steps=self._inferred_steps)

    def _infer_steps(self, steps: int | None) -> int | None:
        if steps == -1:
            return None
        if steps is not None:
            return int(steps)
        return self._adapter.get_size()

    @property
    def inferred_steps(self) -> int | None:
        return self._inferred_steps

    @property
    def step_increment(self) -> int:
        return self._step_increment

    def reaches_end(self, step: int) -> bool:
        """Whether the execution starting at ``step`` runs the epoch's last step (fittrace's, for the trace: the
        recorder keeps that step whole). False when the epoch's length is not known."""
        steps = self._inferred_steps
        return steps is not None and step + self._step_increment == steps - 1

    @property
    def should_sync(self) -> bool:
        return self._inferred_steps is None

    def _iterator(self) -> Iterator[tuple]:
        it = self._adapter.make_iterator()
        if self._class_weight is None:
            return it
        return map(self._class_weight, it)

    def enumerate_epochs(self) -> Iterator[tuple[int, Iterator[tuple]]]:
        """``(epoch, iterator)`` for each epoch; one iterator serves every epoch unless the adapter says not."""
        iterator = self._iterator()
        for epoch in range(self._initial_epoch, self._epochs):
            if self._insufficient_data:
                break
            if self._adapter.should_recreate_iterator() and epoch > self._initial_epoch:
                iterator = self._iterator()
            yield epoch, iterator
            self._adapter.on_epoch_end()

    def catch_stop_iteration(self) -> _CatchStopIteration:
        """Ends the epoch when the data runs out: learns the epoch length, or flags insufficient data."""
        return _CatchStopIteration(self)

    def steps(self) -> Iterator[int]:
        """Step indices of one epoch, ``steps_per_execution`` at a time (the last execution may be shorter)."""
        self._current_step = self._initial_step
        self._step_increment = self._spe - 1
        while self._inferred_steps is None or self._current_step < self._inferred_steps:
            if self._insufficient_data:
                break
            remaining = (
                None if self._inferred_steps is None else self._inferred_steps - self._current_step
            )
            run = self._spe if remaining is None or remaining >= self._spe else remaining
            self._step_increment = run - 1
            yield self._current_step
            self._current_step += run
        self._step_increment = self._spe - 1


def get_data_handler(*args: Any, **kwargs: Any) -> DataHandler:
    """Keras's factory; fittrace has only the plain DataHandler (no cluster coordinator)."""
    return DataHandler(*args, **kwargs)
