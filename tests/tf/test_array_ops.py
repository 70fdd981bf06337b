"""fittrace.tf's tensor-making and shape ops: TF's dtypes for Python values, one_hot, argmax, reshape's
message, Variable (fittrace/tf/array_ops.py)."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace.tf as tf


def test_python_values_get_tfs_dtypes_and_numpy_keeps_its_own():
    assert tf.constant(1.5).dtype == np.float32 and tf.constant([1, 2]).dtype == np.int32
    assert tf.constant(np.arange(3, dtype="int64")).dtype == np.int64
    assert tf.constant(1.0, dtype=tf.float64).dtype == np.float64
    assert tf.constant(0.0, shape=(2, 3)).shape == (2, 3)
    t = tf.constant([1.0])
    assert tf.convert_to_tensor(t) is t and tf.convert_to_tensor(t, tf.int32).dtype == np.int32


def test_shape_ops():
    x = tf.ones((2, 3))
    assert tf.shape(x).numpy().tolist() == [2, 3] and tf.shape(x).dtype == np.int32
    assert tf.reshape(x, (3, -1)).shape == (3, 2) and tf.reshape(x, [6]).shape == (6,)
    with pytest.raises(ValueError) as err:
        tf.reshape(x, (4,))
    assert str(err.value) == (
        "Input to reshape is a tensor with 6 values, but the requested shape has 4"
    )
    assert tf.stack([x, x], axis=0).shape == (2, 2, 3) and tf.concat([x, x], axis=1).shape == (2, 6)
    assert tf.squeeze(tf.zeros((1, 3, 1))).shape == (3,) and tf.expand_dims(x, 0).shape == (1, 2, 3)
    assert tf.transpose(x).shape == (3, 2) and int(tf.size(x)) == 6 and int(tf.rank(x)) == 2
    assert tf.range(3).dtype == np.int32 and tf.range(0.0, 1.0, 0.5).numpy().tolist() == [0.0, 0.5]


def test_one_hot_argmax_cast_where():
    assert tf.one_hot([0, 2, 5], 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
    scores = tf.constant([[1.0, 3.0], [4.0, 0.0]])
    best = tf.argmax(scores, axis=1)
    assert best.numpy().tolist() == [1, 0] and best.dtype == np.int64
    assert tf.argmin(scores, axis=1).numpy().tolist() == [0, 1]
    assert tf.cast(tf.constant([1.7, -1.7]), tf.int32).numpy().tolist() == [1, -1]
    assert tf.where(tf.equal(best, 0), 10.0, -1.0).numpy().tolist() == [-1.0, 10.0]
    assert tf.where([True, False, True]).numpy().tolist() == [[0], [2]]
    assert tf.zeros_like(best).dtype == np.int64 and tf.ones((2,), tf.int32).dtype == np.int32


def test_a_variable_is_typed_as_tf_types_it_and_only_floats_are_watched():
    v = tf.Variable(3)
    assert v.dtype == np.int32 and not v._req and v.name == "Variable"
    w = tf.Variable([1.0, 2.0], name="w")
    w.assign_add([1.0, 1.0])
    assert w.numpy().tolist() == [2.0, 3.0] and w._req
    assert not tf.Variable(1.0, trainable=False)._req
    assert tf.Variable(lambda: np.zeros(2)).dtype == np.float32
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable()
