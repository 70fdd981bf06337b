"""Real tf-keras 2 runs that trace or build again, traced for tests/analysis/test_retraces.py in one process.

Usage: ``retraces_scenarios.py tf OUT_DIR``. Writes one trace per case into OUT_DIR and prints one JSON object
(the case names). The case that makes TensorFlow warn about retracing runs first: TensorFlow warns at most twice
per Python function in a process, and counts the calls of every model's predict_function together.
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


def model(eager: bool = False):
    m = keras.Sequential([keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", run_eagerly=eager)
    return m


def case(name: str):
    return fittrace.trace(path=OUT / f"{name}.jsonl", detail="full")


def main() -> None:
    keras.utils.set_random_seed(0)
    with case("new_models"):
        for _ in range(6):  # a new model, and so a new predict_function, each time round
            model().predict(X[:5], verbose=0)
    m = model()
    with case("predict_on_batch_sizes"):
        for n in (5, 7, 9):
            m.predict_on_batch(X[:n])
    m = model()
    with case("train_on_batch_sizes"):
        for n in (8, 16, 24):
            m.train_on_batch(X[:n], Y[:n])
    m = model()
    with case("predict_sizes"):
        for n in (32, 64, 100):  # 32 and 64 rows split evenly into batches of 32; 100 end in 4 rows
            m.predict(X[:n], batch_size=32, verbose=0)
    m = model()
    with case("dtypes"):
        m.predict_on_batch(X[:5])
        m.predict_on_batch(X[:5].astype("int32"))
    with case("eager_partial"):
        model(eager=True).fit(X, Y, batch_size=32, epochs=1, verbose=0)
    with case("graph_fit"):
        model().fit(X, Y, batch_size=32, epochs=2, verbose=0)
    print(json.dumps({"cases": sorted(p.stem for p in OUT.glob("*.jsonl"))}))


if __name__ == "__main__":
    main()
