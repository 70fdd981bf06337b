"""fittrace.tf.nn: activations and the fused cross-entropies (fittrace/tf/nn.py)."""

from __future__ import annotations

import numpy as np

import fittrace.tf as tf


def test_cross_entropies_agree_with_their_definitions(gradcheck):
    logits = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]], dtype="float32")
    labels = np.array([0, 1])
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    want = -log_p[np.arange(2), labels]
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    dense = tf.nn.softmax_cross_entropy_with_logits(labels=tf.one_hot(labels, 3), logits=logits)
    np.testing.assert_allclose(sparse.numpy(), want, rtol=1e-5)
    np.testing.assert_allclose(dense.numpy(), want, rtol=1e-5)
    z, y = np.array([-3.0, 0.5, 4.0]), np.array([0.0, 1.0, 1.0])
    sig = 1 / (1 + np.exp(-z))
    want = -(y * np.log(sig) + (1 - y) * np.log(1 - sig))
    got = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z.astype("float32"))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)
    gradcheck(lambda t: tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=t), z)


def test_activations():
    x = tf.constant([-1.0, 0.0, 2.0])
    assert tf.nn.relu(x).numpy().tolist() == [0.0, 0.0, 2.0]
    assert abs(float(tf.reduce_sum(tf.nn.softmax(x))) - 1.0) < 1e-6
    np.testing.assert_allclose(
        tf.nn.sigmoid(x).numpy(), 1 / (1 + np.exp([1.0, 0.0, -2.0])), rtol=1e-6
    )
    np.testing.assert_allclose(
        tf.nn.log_softmax(x).numpy(), np.log(tf.nn.softmax(x).numpy()), rtol=1e-5
    )
