"""``tf.random``: ``set_seed``, ``normal``, ``uniform``, ``truncated_normal``, ``shuffle``, seeded as TF seeds them.

Mirrors the seeding rules of ``tensorflow/python/framework/random_seed.py``: ``set_seed`` fixes the global seed
and restarts every sequence; an op's ``seed=`` picks its own repeatable sequence under the global seed; with
neither, draws come from fittrace's shared generator (``keras.utils.set_random_seed`` seeds it). The values are
numpy's (TF's Philox generator cannot be matched): shapes, dtypes and ranges are TF's.

    >>> set_seed(3); a = normal((2,)).numpy()
    >>> set_seed(3); bool((a == normal((2,)).numpy()).all())
    True
    >>> uniform((3,), maxval=10, dtype="int32", seed=1).dtype
    dtype('int32')

Left out: stateless random ops, ``Generator``, ``categorical``, ``gamma``, ``poisson``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace import seeding
from fittrace.autodiff import Tensor
from fittrace.tf.array_ops import _tensor

_DEFAULT_GRAPH_SEED = 87654321  # TF's, used for an op seed given without a global seed
_global: list[int | None] = [None]
_streams: dict[tuple[int, int | None], np.random.Generator] = {}


def set_seed(seed: int | None) -> None:
    """Set the global random seed; every seeded sequence starts again."""
    _global[0] = None if seed is None else int(seed)
    _streams.clear()


def _generator(seed: int | None) -> np.random.Generator:
    if _global[0] is None and seed is None:
        return seeding.generator()
    key = (_DEFAULT_GRAPH_SEED if _global[0] is None else _global[0], seed)
    gen = _streams.get(key)
    if gen is None:
        gen = _streams[key] = np.random.default_rng(
            [key[0] % 2**32, 0 if seed is None else 1, 0 if seed is None else int(seed) % 2**32]
        )
    return gen


def _shape(shape: Any) -> tuple[int, ...]:
    value = np.asarray(getattr(shape, "value", shape))
    return tuple(int(d) for d in value.reshape(-1))


def normal(
    shape: Sequence[int],
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = "float32",
    seed: int | None = None,
    name: Any = None,
) -> Tensor:
    """Samples of a normal distribution."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"Invalid dtype {dt.name} for tf.random.normal: use a float dtype")
    return _tensor(_generator(seed).normal(mean, stddev, _shape(shape)).astype(dt))


def truncated_normal(
    shape: Sequence[int],
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = "float32",
    seed: int | None = None,
    name: Any = None,
) -> Tensor:
    """Samples of a normal distribution, redrawn until within two standard deviations of the mean."""
    gen = _generator(seed)
    out = gen.normal(0.0, 1.0, _shape(shape))
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = gen.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2
    return _tensor((out * stddev + mean).astype(np.dtype(dtype)))


def uniform(
    shape: Sequence[int],
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = "float32",
    seed: int | None = None,
    name: Any = None,
) -> Tensor:
    """Samples in ``[minval, maxval)``; floats default to ``[0, 1)``, integers need ``maxval``."""
    dt = np.dtype(dtype)
    gen = _generator(seed)
    if dt.kind in "iu":
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype tf.{dt.name}")
        return _tensor(gen.integers(int(minval), int(maxval), _shape(shape)).astype(dt))
    high = 1.0 if maxval is None else float(maxval)
    return _tensor(gen.uniform(float(minval), high, _shape(shape)).astype(dt))


def shuffle(value: Any, seed: int | None = None, name: Any = None) -> Tensor:
    """``value`` with its first axis in a random order."""
    arr = np.asarray(getattr(value, "value", value))
    return _tensor(arr[_generator(seed).permutation(len(arr))])
