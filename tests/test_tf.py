"""The fittrace.tf face: the teaching loop runs with only its imports changed, and a name the face does not
offer fails with what to use instead (fittrace/tf/__init__.py)."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace.keras as keras
import fittrace.tf as tf


def test_the_teaching_loop_runs_and_learns():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 4)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(4, 3)), axis=1)
    model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3)])
    optimizer = keras.optimizers.Adam(1e-2)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc = keras.metrics.SparseCategoricalAccuracy()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = loss_fn(y, logits)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_acc.update_state(y, logits)
        return loss

    accs, losses = [], []
    for _ in range(8):
        for step in range(4):
            loss = train_step(x[step * 32 : (step + 1) * 32], y[step * 32 : (step + 1) * 32])
            losses.append(float(loss))
        accs.append(float(train_acc.result()))
        train_acc.reset_state()
    assert accs[-1] > accs[0] and np.mean(losses[-4:]) < np.mean(losses[:4])
    # the first call made the weights and the optimizer's slots, so TF traced it a second time
    assert train_step.experimental_get_tracing_count() == 2


def test_what_is_not_offered_says_what_to_use_instead():
    with pytest.raises(AttributeError) as err:
        tf.data  # noqa: B018
    text = str(err.value)
    assert text.startswith("fittrace.tf has no 'data': feed numpy arrays")
    assert "GradientTape" in text and "function" in text
    with pytest.raises(AttributeError, match="fittrace.tf has no 'image'"):
        tf.image  # noqa: B018
    assert not hasattr(tf, "distribute")


def test_the_dtypes_are_numpys_and_tf_keras_is_the_keras_face():
    assert tf.float32 == np.float32 and tf.int32 == np.dtype("int32") and tf.bool == np.bool_
    assert tf.keras is keras and tf.executing_eagerly()
    assert tf.math.reduce_sum is not None and tf.nn.softmax is tf.math.softmax
