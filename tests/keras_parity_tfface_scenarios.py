"""The scenarios of test_keras_parity_tfface.py: one hand-written training loop and the tape, tf.function and
tf.random facts around it, run with real TensorFlow + tf_keras (``tf``) or with fittrace.tf + fittrace.keras
(``fittrace``); prints one JSON object. The code below the imports is the same on both sides."""

from __future__ import annotations

import json
import sys

import numpy as np

SIDE = sys.argv[1]
if SIDE == "tf":
    import tensorflow as tf
    import tf_keras as keras
else:
    import fittrace.keras as keras
    import fittrace.tf as tf


def _error(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the exception is the result
        return {"type": type(exc).__name__, "message": str(exc)}
    return None


def _np(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


def hand_loop() -> dict:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(4, 3)), axis=1).astype("int64")
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3),
        ]
    )
    model.set_weights(
        [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()]
    )
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

    losses, accs = [], []
    for _ in range(3):
        for step in range(4):
            loss = train_step(x[step * 16 : (step + 1) * 16], y[step * 16 : (step + 1) * 16])
            losses.append(float(loss))
        accs.append(float(train_acc.result()))
        train_acc.reset_state()
    return {
        "losses": losses,
        "accs": accs,
        "weights": [w.tolist() for w in model.get_weights()],
        "traces": train_step.experimental_get_tracing_count(),
        "iterations": int(_np(optimizer.iterations)),
    }


def tapes() -> dict:
    x = tf.constant([2.0, -1.0, 0.5])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * x + tf.reduce_sum(tf.exp(x))
    first, second = tape.gradient(y, x), tape.gradient(z, x)
    w = tf.Variable([[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]])
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(tf.reduce_max(w, axis=1)) * v + tf.reduce_mean(tf.square(w))
    nested = tape.gradient(out, {"w": w, "more": [v]})
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        out = tf.reduce_sum(w) * v
    unwatched = tape.gradient(out, [w, v])
    with tf.GradientTape() as tape:
        y = tf.constant(3.0) * v
    tape.gradient(y, v)
    again = _error(lambda: tape.gradient(y, v))
    return {
        "first": _np(first).tolist(),
        "second": _np(second).tolist(),
        "nested_w": _np(nested["w"]).tolist(),
        "nested_v": float(_np(nested["more"][0])),
        "unwatched": [None if g is None else _np(g).tolist() for g in unwatched],
        "second_call": again,
        "zero": _np(
            _zero_gradient(),
        ).tolist(),
    }


def _zero_gradient():
    a, b = tf.Variable([1.0, 2.0]), tf.Variable([5.0])
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(a)
    return tape.gradient(out, b, unconnected_gradients="zero")


def tracing() -> dict:
    @tf.function
    def exact(x):
        return tf.reduce_sum(x)

    @tf.function(reduce_retracing=True)
    def relaxed(x):
        return tf.reduce_sum(x)

    for rows in (32, 32, 16, 32, 8):
        exact(np.ones((rows, 4), "float32"))
        relaxed(np.ones((rows, 4), "float32"))

    @tf.function(jit_compile=True)
    def scaled(x, factor):
        return x * factor

    counts = []
    for value, factor in (
        (np.ones(3, "float32"), 1.0),
        (np.ones(3, "float32"), 2.0),
        (np.ones(3, "float32"), 2.0),
        (np.ones(3, "float64"), 2.0),
        (np.ones(4, "float32"), 2.0),
    ):
        scaled(value, factor)
        counts.append(scaled.experimental_get_tracing_count())
    return {
        "exact": exact.experimental_get_tracing_count(),
        "relaxed": relaxed.experimental_get_tracing_count(),
        "scaled": counts,
    }


def randomness() -> dict:
    tf.random.set_seed(11)
    a = tf.random.normal((3, 4), seed=2)
    tf.random.set_seed(11)
    a_again = tf.random.normal((3, 4), seed=2)
    b = tf.random.uniform((500,), minval=2, maxval=6, dtype=tf.int32, seed=3)
    c = tf.random.uniform((2, 5), minval=-1.0, maxval=1.0)
    d = tf.random.normal((2,), dtype=tf.float64)
    return {
        "normal": [list(a.shape), a.dtype.name, bool(np.array_equal(_np(a), _np(a_again)))],
        "ints": [b.dtype.name, sorted(set(_np(b).tolist()))],
        "floats": [list(c.shape), c.dtype.name, bool(_np(c).min() >= -1 and _np(c).max() < 1)],
        "float64": d.dtype.name,
        "no_maxval": _error(lambda: tf.random.uniform((2,), dtype=tf.int32)),
    }


def ops() -> dict:
    scores = tf.constant([[1.0, 3.0], [4.0, 0.0]])
    labels = tf.constant([1, 0])
    hot = tf.one_hot(labels, 3)
    per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=scores)
    return {
        "argmax": [_np(tf.argmax(scores, axis=1)).tolist(), tf.argmax(scores, axis=1).dtype.name],
        "one_hot": [_np(hot).tolist(), hot.dtype.name],
        "cast": _np(tf.cast(tf.constant([1.7, -1.7]), tf.int32)).tolist(),
        "shape": [_np(tf.shape(scores)).tolist(), tf.shape(scores).dtype.name],
        "constant": [tf.constant([1, 2]).dtype.name, tf.constant(1.5).dtype.name],
        "softmax": _np(tf.nn.softmax(scores)).tolist(),
        "xent": _np(per_example).tolist(),
        "reduce": [
            float(tf.reduce_mean(scores)),
            _np(tf.reduce_max(scores, axis=0)).tolist(),
            _np(tf.math.reduce_sum(scores, axis=1)).tolist(),
        ],
    }


print(
    json.dumps(
        {
            "loop": hand_loop(),
            "tapes": tapes(),
            "tracing": tracing(),
            "random": randomness(),
            "ops": ops(),
        }
    )
)
