"""fittrace.tf.math: the ops at tf.math.* and tf.*, differentiable where TF's are (fittrace/tf/math.py)."""

from __future__ import annotations

import numpy as np

import fittrace.tf as tf


def test_reductions_and_elementwise_ops():
    x = tf.constant([[1.0, 4.0], [9.0, 16.0]])
    assert float(tf.reduce_sum(x)) == 30.0 and float(tf.math.reduce_mean(x)) == 7.5
    assert tf.reduce_max(x, axis=1).numpy().tolist() == [4.0, 16.0]
    assert tf.reduce_min(x, axis=[0, 1]).numpy() == 1.0
    assert tf.sqrt(x).numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.reduce_mean(tf.constant([1, 2])).numpy() == 1  # an integer mean stays an integer
    assert tf.math.pow(tf.constant(2.0), 3).numpy() == 8.0
    np.testing.assert_allclose(tf.math.exp(tf.math.log(x)).numpy(), x.numpy(), rtol=1e-6)
    assert tf.add_n([x, x, x]).numpy()[0, 0] == 3.0
    assert tf.clip_by_value(x, 2.0, 10.0).numpy().tolist() == [[2, 4], [9, 10]]
    assert tf.math.is_nan(tf.constant([np.nan, 1.0])).numpy().tolist() == [True, False]


def test_matmul_transposes_and_gradients_flow():
    a = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="a")
    b = tf.constant([[1.0, 0.0], [1.0, 1.0]])
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(tf.matmul(a, b, transpose_b=True))
    np.testing.assert_allclose(tape.gradient(out, a).numpy(), [[2, 1], [2, 1]])
    assert tf.matmul(a, b, transpose_a=True).numpy().tolist() == [[4, 3], [6, 4]]
