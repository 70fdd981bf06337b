"""Scenarios for the ``training`` argument a layer's ``call`` receives, run twice, by real TF-Keras 2 and by
fittrace, for tests/test_keras_parity_training_arg.py to compare.

    python keras_parity_training_arg_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_training_arg_scenarios.py fittrace  # under the test environment

Prints one JSON object: what two layers (``call(x, training=None)`` and ``call(x, training=True)``) receive in a
Sequential and a functional model called directly with no ``training``, with False and with True, and in a
Lambda's function; and whether a RandomFlip inside a model called directly flips. Nothing here checks anything:
the test does.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if sys.argv[1] == "tf":
    import tf_keras as keras
else:
    import fittrace.keras as keras

keras.utils.set_random_seed(0)


class Says(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.log = []

    def call(self, x, training=None):
        self.log.append(training)
        return x


class SaysTrue(Says):
    def call(self, x, training=True):
        self.log.append(training)
        return x


def received(model, a, b):
    x = np.ones((2, 3), "float32")
    model(x)  # a first call builds what is still to build
    out = {}
    for name, kwargs in (
        ("none", {}),
        ("false", {"training": False}),
        ("true", {"training": True}),
    ):
        del a.log[:], b.log[:]
        model(x, **kwargs)
        out[name] = [list(a.log), list(b.log)]
    return out


result = {}
a, b = Says(), SaysTrue()
result["sequential"] = received(keras.Sequential([a, b]), a, b)
a, b = Says(), SaysTrue()
inputs = keras.Input((3,))
result["functional"] = received(keras.Model(inputs, b(a(inputs))), a, b)
seen = []


def fn(x, training=None):
    seen.append(training)
    return x


lam = keras.layers.Lambda(fn)
lam(np.ones((2, 3), "float32"))
lam(np.ones((2, 3), "float32"), training=True)
result["lambda"] = seen
images = np.arange(4 * 4 * 4, dtype="float32").reshape(4, 4, 4, 1)
flipper = keras.Sequential([keras.layers.RandomFlip("horizontal", seed=1)])
result["random flip in model(x) flips"] = any(
    not np.array_equal(np.asarray(flipper(images)), images) for _ in range(6)
)
result["random flip in predict flips"] = not np.array_equal(
    flipper.predict(images, verbose=0), images
)
print(json.dumps(result))
