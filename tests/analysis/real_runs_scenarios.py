"""Real Keras fits traced by fittrace, for ``test_real_runs.py``: run under the TF-Keras interpreter with fittrace
on PYTHONPATH (``tests/parity.py``'s ``run_side``), ``python real_runs_scenarios.py tf FOLDER``.

In one process: a small tf_keras fit in graph mode (Dense 16 relu -> Dense 3 softmax, 300 rows, batch 128: a
partial batch of 44, two epochs), the same with ``run_eagerly=True``, and the same model in Keras 3 (TensorFlow
backend). Each is traced at default detail into FOLDER; the last line printed is one JSON object with what each
fit's History said, for the test to compare with the trace.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

import fittrace  # noqa: E402


def fit(keras, path: Path, run_eagerly: bool) -> dict:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 8), dtype=np.float32), rng.integers(0, 3, 300).astype(np.uint8)
    model = keras.Sequential(
        [keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        run_eagerly=run_eagerly,
    )
    with fittrace.trace(path=path, detail="default"):
        history = model.fit(x, y, epochs=2, batch_size=128, verbose=0)
    return {"file": path.name, "history": history.history, "version": keras.__version__}


def main() -> None:
    assert sys.argv[1] == "tf", "this script runs real Keras only"
    folder = Path(sys.argv[2])
    import keras as keras3
    import tf_keras

    out = {
        "tf_keras_graph": fit(tf_keras, folder / "tf_keras_graph.trace.jsonl", False),
        "tf_keras_eager": fit(tf_keras, folder / "tf_keras_eager.trace.jsonl", True),
        "keras3": fit(keras3, folder / "keras3.trace.jsonl", False),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
