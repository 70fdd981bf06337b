"""The one random-number source of fittrace (initializers, dropout, shuffling, synthetic data).

Mirrors ``keras.utils.set_random_seed`` (tf_keras/src/utils/tf_utils.py): one call seeds everything, so that a
run repeats exactly.

    >>> set_random_seed(7); a = generator().random()
    >>> set_random_seed(7); a == generator().random()
    True
"""

from __future__ import annotations

import random as _py_random

import numpy as np

_seed: int | None = None
_gen = np.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Seed Python's, numpy's and fittrace's generators. Raises ValueError for a non-integer seed (as Keras)."""
    global _seed, _gen
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})"
        )
    _seed = seed
    _py_random.seed(seed)
    np.random.seed(seed % 2**32)
    _gen = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The shared generator; draw from it, never from numpy's global state."""
    return _gen


def current_seed() -> int | None:
    """The seed last given to :func:`set_random_seed`, or None."""
    return _seed
