"""Real Keras 3 runs traced by fittrace's bridge, for tests/bridge/keras3: ``python scenarios.py BACKEND OUT``
(BACKEND ``tensorflow`` or ``jax``) runs every case under that backend in one process, writes the traces into OUT
and prints one JSON line (the cases' facts that need the live process: numbers with and without tracing, hooks
put back)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ["KERAS_BACKEND"] = sys.argv[1]
OUT = Path(sys.argv[2])

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

import fittrace  # noqa: E402

ROWS, FEATURES = 50, 4


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((ROWS, FEATURES), dtype=np.float32)
    return x, (x @ rng.random((FEATURES, 1), dtype=np.float32)).astype("float32")


def model() -> keras.Model:
    """The article's kind of model, with no Input: Keras builds it from the first batch. Names start again
    (dense, dense_1) in every case."""
    keras.backend.clear_session()
    return keras.Sequential([layers.Dense(3, activation="relu"), layers.Dense(1)])


def run(traced: bool, path: Path | None = None) -> tuple[dict, list[np.ndarray]]:
    """Seeded fit (with shuffling and a partial last batch): its History and final weights."""
    keras.utils.set_random_seed(7)
    x, y = data()
    m = model()
    m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    if traced:
        with fittrace.trace(path=str(path), detail="full"):
            history = m.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.2)
    else:
        history = m.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.2)
    return history.history, [np.asarray(w) for w in m.get_weights()]


def fit_and_predict() -> None:
    """fit with validation, then predict on 10 and on 7 rows."""
    x, y = data()
    keras.utils.set_random_seed(1)
    m = model()
    with fittrace.trace(path=str(OUT / "fit.jsonl"), detail="full"):
        m.compile(optimizer="adam", loss="mse", metrics=["mae"])
        m.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.2)
        m.predict(x[:10], verbose=0)
        m.predict(x[:7], verbose=0)


def eager() -> None:
    """run_eagerly=True: the Python train_step runs at every step, nothing is traced."""
    x, y = data()
    m = model()
    m.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    with fittrace.trace(path=str(OUT / "eager.jsonl"), detail="full"):
        m.fit(x, y, batch_size=16, epochs=1, verbose=0)


def default_detail() -> None:
    """The default detail level: steps in the middle keep only their step event."""
    x, y = data()
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(path=str(OUT / "default.jsonl")):
        m.fit(x, y, batch_size=8, epochs=1, verbose=0)


class Peek(keras.callbacks.Callback):
    """A callback that says it is safe to run on Keras's worker thread (JAX): its batch ends run there. (It
    reads no ``self.model``: on JAX that syncs the state from the worker thread, racing the next step for
    buffers it donates.)"""

    async_safe = True

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += "loss" in (logs or {})


def worker_thread() -> dict:
    x, y = data()
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    peek = Peek()
    with fittrace.trace(path=str(OUT / "worker.jsonl"), detail="full"):
        m.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[peek])
    return {"seen": peek.seen}


def strategy() -> None:
    """TensorFlow under a distribution strategy builds symbolically before the loop, as JAX does."""
    import tensorflow as tf

    x, y = data()
    keras.backend.clear_session()
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        m = keras.Sequential([layers.Dense(3, activation="relu"), layers.Dense(1)])
        m.compile(optimizer="adam", loss="mse")
    with fittrace.trace(path=str(OUT / "strategy.jsonl"), detail="full"):
        m.fit(x, y, batch_size=16, epochs=1, verbose=0)


class Peeky(keras.Model):
    """A subclassed model whose call reads its input's values: it cannot run on symbolic tensors."""

    def __init__(self) -> None:
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, x):
        scale = float(np.max(np.asarray(x)))
        return self.dense(x / scale)


def symbolic_failure() -> dict:
    """JAX builds before the loop; a model that cannot run symbolically fails there."""
    x, y = data()
    keras.backend.clear_session()
    m = Peeky()
    m.compile(optimizer="sgd", loss="mse")
    error = None
    with fittrace.trace(path=str(OUT / "symbolic_failure.jsonl"), detail="full"):
        try:
            m.fit(x, y, batch_size=16, epochs=1, verbose=0)
        except Exception as exc:  # the failure the trace explains
            error = {"type": type(exc).__name__, "message": str(exc)}
    return {"error": error}


def hooked_attributes() -> dict[str, object]:
    """Every attribute the bridge may patch, by dotted name: what must be back after a trace."""
    from keras.src.callbacks import callback_list, history
    from keras.src.layers import layer
    from keras.src.optimizers import base_optimizer
    from keras.src.trainers import data_adapters, epoch_iterator, trainer

    backend = __import__(f"keras.src.backend.{keras.backend.backend()}.trainer", fromlist=["x"])
    owners = [
        trainer.Trainer,
        epoch_iterator.EpochIterator,
        callback_list.CallbackList,
        history.History,
        layer.Layer,
        data_adapters,
        *[
            v
            for v in vars(backend).values()
            if isinstance(v, type) and v.__module__ == backend.__name__
        ],
    ]
    stack = [base_optimizer.BaseOptimizer]
    while stack:
        cls = stack.pop()
        owners.append(cls)
        stack.extend(cls.__subclasses__())
    return {
        f"{getattr(o, '__qualname__', o.__name__)}.{k}@{id(o)}": v
        for o in owners
        for k, v in list(vars(o).items())
        if callable(v) or isinstance(v, (classmethod, staticmethod))
    }


def hooks_restored() -> dict:
    before = hooked_attributes()
    run(True, OUT / "identical.jsonl")
    after_trace = hooked_attributes()
    x, y = data()
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    raised = None
    try:
        with fittrace.trace(path=str(OUT / "raised.jsonl")):
            m.fit(x, y[:7], batch_size=16, epochs=1, verbose=0)
    except Exception as exc:  # the user's error passes through the hooks
        raised = type(exc).__name__
    after_error = hooked_attributes()

    def changed(after: dict) -> list[str]:
        return sorted(k for k in set(before) | set(after) if before.get(k) is not after.get(k))

    return {
        "after_trace": changed(after_trace),
        "after_error": changed(after_error),
        "raised": raised,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    plain_history, plain_weights = run(False)
    fit_and_predict()
    eager()
    default_detail()
    if keras.backend.backend() == "tensorflow":
        strategy()
    facts = {"backend": keras.backend.backend(), "version": keras.__version__}
    facts["restored"] = hooks_restored()
    traced_history, traced_weights = run(True, OUT / "identical.jsonl")
    facts["history"] = {"plain": plain_history, "traced": traced_history}
    facts["weights_identical"] = len(plain_weights) == len(traced_weights) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(plain_weights, traced_weights)
    )
    facts["weights_count"] = len(plain_weights)
    facts["symbolic_failure"] = symbolic_failure()
    facts["worker"] = worker_thread()
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
