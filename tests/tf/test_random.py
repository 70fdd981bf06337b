"""fittrace.tf.random: seeding as TF seeds (set_seed restarts, seed= picks a repeatable sequence), TF's shapes,
dtypes and ranges (fittrace/tf/random.py)."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace.tf as tf


def test_set_seed_restarts_the_sequences_and_op_seeds_pick_their_own():
    tf.random.set_seed(5)
    a, b = tf.random.normal((3,)), tf.random.normal((3,))
    tf.random.set_seed(5)
    assert np.array_equal(tf.random.normal((3,)).numpy(), a.numpy())
    assert not np.array_equal(a.numpy(), b.numpy())
    first = tf.random.uniform((4,), seed=1).numpy()
    other = tf.random.uniform((4,), seed=2).numpy()
    tf.random.set_seed(5)
    assert np.array_equal(tf.random.uniform((4,), seed=1).numpy(), first)
    assert not np.array_equal(first, other)
    tf.random.set_seed(None)


def test_shapes_dtypes_and_ranges():
    tf.random.set_seed(0)
    ints = tf.random.uniform((1000,), minval=3, maxval=7, dtype=tf.int32)
    assert ints.dtype == np.int32 and set(ints.numpy().tolist()) == {3, 4, 5, 6}
    floats = tf.random.uniform((2, 500), minval=-1.0, maxval=1.0)
    assert floats.shape == (2, 500) and floats.dtype == np.float32
    assert floats.numpy().min() >= -1.0 and floats.numpy().max() < 1.0
    normal = tf.random.normal((4000,), mean=2.0, stddev=0.5, dtype=tf.float64)
    assert normal.dtype == np.float64 and abs(normal.numpy().mean() - 2.0) < 0.05
    cut = tf.random.truncated_normal((2000,), stddev=1.0).numpy()
    assert np.abs(cut).max() <= 2.0
    assert sorted(tf.random.shuffle(np.arange(5)).numpy().tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf.random.uniform((2,), dtype=tf.int32)
    tf.random.set_seed(None)
