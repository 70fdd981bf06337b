"""Real tf-keras runs traced for the bridge's data stage (test_data.py): ``python data_scenarios.py tf FOLDER``
writes one trace per case into FOLDER and prints one JSON line with what the run itself said (Keras's own
adapter list, History), for the test to set beside the traces."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import fittrace


def main(folder: Path) -> dict:
    import tensorflow as tf
    import tf_keras
    from tf_keras.src.engine import data_adapter

    out: dict = {"adapters": [c.__name__ for c in data_adapter.ALL_ADAPTER_CLS]}
    tf_keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.random((1000, 4), dtype=np.float32)
    y = rng.random((1000, 1), dtype=np.float32)

    def model():
        m = tf_keras.Sequential(
            [tf_keras.layers.Dense(3, activation="relu"), tf_keras.layers.Dense(1)]
        )
        m.compile("sgd", "mse")
        return m

    # numpy arrays: 1000 rows in batches of 128 are 8 steps, the last of 104 rows
    m = model()
    with fittrace.trace(path=folder / "numpy.jsonl"):
        m.fit(x, y, batch_size=128, epochs=1, verbose=0)

    # a tf.data.Dataset: its cardinality gives the steps, the batch size is the dataset's own
    dataset = tf.data.Dataset.from_tensor_slices((x[:100], y[:100])).batch(32)
    with fittrace.trace(path=folder / "dataset.jsonl"):
        m.evaluate(dataset, verbose=0)

    # a keras Sequence, predicted
    class Batches(tf_keras.utils.Sequence):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 10 : (i + 1) * 10]

    with fittrace.trace(path=folder / "sequence.jsonl"):
        m.predict(Batches(), verbose=0)

    # no adapter takes a string: every candidate declines and Keras raises
    try:
        with fittrace.trace(path=folder / "nothing.jsonl"):
            m.fit("not data", y, verbose=0)
    except ValueError as exc:
        out["nothing_error"] = str(exc)
    return out


if __name__ == "__main__":
    assert sys.argv[1] == "tf"
    print(json.dumps(main(Path(sys.argv[2]))))
