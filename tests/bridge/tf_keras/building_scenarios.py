"""Real tf-keras 2 builds traced for tests/bridge/tf_keras/test_building.py, all in one process.

Usage: ``building_scenarios.py tf OUT_DIR``. Writes one trace per case into OUT_DIR and prints one JSON object
with what tf-keras itself reports about the models afterwards (weight names and shapes, optimizer variables),
for the test to hold the traces against.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

import fittrace  # noqa: E402

OUT = Path(sys.argv[2])
X = np.random.RandomState(0).rand(100, 4).astype("float32")
Y = np.random.RandomState(1).rand(100, 1).astype("float32")


class NeedsRows(keras.layers.Layer):
    """A layer that needs the batch size as a number: fine on data, fails on a symbolic (None, 4) input."""

    def call(self, x):
        return x * (1.0 / float(x.shape[0]))


class OwnBuild(keras.Model):
    """A subclassed model that makes a weight of its own in build()."""

    def build(self, input_shape):
        self.scale = self.add_weight(
            name="scale", shape=(int(input_shape[-1]),), initializer="ones"
        )
        self.out = keras.layers.Dense(1)
        super().build(input_shape)

    def call(self, x):
        return self.out(x * self.scale)


def facts(model) -> dict:
    return {
        "weights": {w.name: [list(w.shape), bool(w.trainable)] for w in model.weights},
        "optimizer": [v.name for v in model.optimizer.variables] if model.optimizer else [],
    }


def fit(name: str, model, optimizer="adam", eager=False, detail="full", **kw) -> dict:
    model.compile(optimizer=optimizer, loss="mse", run_eagerly=eager)
    with fittrace.trace(path=OUT / f"{name}.jsonl", detail=detail):
        model.fit(X, Y, batch_size=32, epochs=1, verbose=0, **kw)
        model.predict(X[:10], verbose=0)
    return facts(model)


def dense_pair():
    keras.backend.clear_session()
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])


def main() -> None:
    out = {}
    out["graph"] = fit("graph", dense_pair())
    out["eager"] = fit("eager", dense_pair(), eager=True)
    keras.backend.clear_session()
    bn = keras.Sequential(
        [keras.layers.Dense(3), keras.layers.BatchNormalization(), keras.layers.Dense(1)]
    )
    out["bn"] = fit("bn", bn, optimizer=keras.optimizers.SGD(momentum=0.9))
    out["sgd"] = fit("sgd", dense_pair(), optimizer="sgd")
    keras.backend.clear_session()
    out["own_build"] = fit("own_build", OwnBuild())
    keras.backend.clear_session()
    legacy = keras.Sequential([NeedsRows(), keras.layers.Dense(1)])
    out["legacy"] = fit("legacy", legacy, eager=True)

    keras.backend.clear_session()
    model = dense_pair()
    layer = keras.layers.Dense(2, name="again")
    with fittrace.trace(path=OUT / "direct.jsonl", detail="full"):
        model(X[:8])  # a direct eager call: builds for (8, 4)
        model(X[:8].reshape(2, 4, 4))  # another rank: not rebuilt
        layer(X[:3])
        layer.built = False
        layer(X[:3])
    out["direct"] = {"layer_weights": [w.name for w in layer.weights]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
