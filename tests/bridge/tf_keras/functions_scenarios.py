"""Real tf-keras 2 runs traced for tests/bridge/tf_keras/test_functions.py, all in one process.

Usage: ``functions_scenarios.py tf OUT_DIR``. Writes one trace per case into OUT_DIR and prints one JSON object:
the histories and final weights of each fit run untraced and traced (the same seed), and whether every hooked
attribute was back as it was after the traces.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tensorflow.python.eager import backprop  # noqa: E402
from tensorflow.python.eager.polymorphic_function import polymorphic_function  # noqa: E402
from tensorflow.python.platform import tf_logging  # noqa: E402
from tf_keras.src.engine import base_layer, compile_utils, sequential, training  # noqa: E402
from tf_keras.src.optimizers import optimizer as optimizer_module  # noqa: E402

import fittrace  # noqa: E402

OUT = Path(sys.argv[2])
X = np.random.RandomState(0).rand(100, 4).astype("float32")
Y = np.random.RandomState(1).rand(100, 1).astype("float32")


class Custom(keras.Sequential):
    """A user's model whose own train_step runs Keras's."""

    def train_step(self, data):
        return super().train_step(data)


def _classes() -> list:
    found = [optimizer_module._BaseOptimizer]
    for cls in found:
        found.extend(c for c in cls.__subclasses__() if c not in found)
    return [
        training.Model,
        sequential.Sequential,
        base_layer.Layer,
        polymorphic_function.Function,
        backprop.GradientTape,
        compile_utils.LossesContainer,
        compile_utils.MetricsContainer,
        tf_logging,
        Custom,
        *found,
    ]


def _snapshot() -> dict:
    return {(id(owner), key): value for owner in _classes() for key, value in vars(owner).items()}


def _model(cls=keras.Sequential):
    return cls([keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])


def _fit(eager: bool, trace: str | None, detail: str = "default", cls=keras.Sequential) -> dict:
    keras.backend.clear_session()  # layer names from dense again
    keras.utils.set_random_seed(7)
    model = _model(cls)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"], run_eagerly=eager)
    if trace is None:
        history = model.fit(X, Y, batch_size=32, epochs=2, verbose=0)
    else:
        with fittrace.trace(path=OUT / f"{trace}.jsonl", detail=detail):
            history = model.fit(X, Y, batch_size=32, epochs=2, verbose=0)
    return {
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "weights": [w.tolist() for w in model.get_weights()],
    }


def main() -> None:
    before = _snapshot()
    runs = {}
    for mode, eager in (("graph", False), ("eager", True)):
        runs[f"{mode}_untraced"] = _fit(eager, None)
        runs[f"{mode}_full"] = _fit(eager, f"{mode}_full", "full")
        runs[f"{mode}_default"] = _fit(eager, f"{mode}_default", "default")
    runs["custom"] = _fit(False, "custom", "full", cls=Custom)

    keras.backend.clear_session()
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Dense(3)(inputs)))
    model.compile(optimizer="rmsprop", loss="mse", steps_per_execution=2)
    with fittrace.trace(path=OUT / "two_steps.jsonl", detail="full"):
        model.fit(X, Y, batch_size=25, epochs=2, verbose=0, validation_data=(X[:50], Y[:50]))

    keras.backend.clear_session()
    keras.utils.set_random_seed(7)
    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(path=OUT / "on_batch.jsonl", detail="full"):
        for n in (8, 16, 24):
            model.train_on_batch(X[:n], Y[:n])
        model.predict_on_batch(X[:5])
        model.predict_on_batch(X[:5].astype("int32"))
    after = _snapshot()
    restored = all(after.get(key) is value for key, value in before.items()) and set(after) == set(
        before
    )
    leftover = [
        f"{owner.__name__}.{key}"
        for owner in _classes()
        for key, value in vars(owner).items()
        if hasattr(value, "__fittrace_original__")
        or hasattr(getattr(value, "__func__", None), "__fittrace_original__")
    ]
    print(
        json.dumps(
            {
                "runs": runs,
                "restored": restored,
                "leftover": leftover,
                "tf": tf.__version__,
                "custom_train_step_is_own": Custom.__dict__["train_step"].__qualname__
                == "Custom.train_step",
            }
        )
    )


if __name__ == "__main__":
    main()
