"""The article example and the tutorials' fits, traced: run by real TF-Keras 2 (through the bridge) and by fittrace's
engine, for tests/test_keras_parity_conformance.py to set side by side with ``fittrace compare``.

    python keras_parity_conformance_scenarios.py tf FOLDER        # under an interpreter that has tf_keras
    python keras_parity_conformance_scenarios.py fittrace FOLDER  # under the test environment

Each scenario is the model, compile and fit (evaluate, predict) calls of one tutorial (tutorials/NN-*.md), written
once for both sides (``keras`` is ``tf_keras`` or ``fittrace.keras``, ``tf`` is TensorFlow or ``fittrace.tf``), and
traced to ``FOLDER/NAME.trace.jsonl`` with ``fittrace.trace()``. Two changes from the tutorials, so that the numbers
can be compared: every weight starts from the same numpy-drawn values on both sides (``Seeded``, an initializer, so
that the lazy builds stay where they are), and ``shuffle=False`` (the two frameworks shuffle with different random
generators). Data are drawn here with numpy, MNIST-shaped where the tutorial uses digits. Prints one JSON object:
the traces written and each fit's history. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import numpy as np

import fittrace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tensorflow as tf
    import tf_keras as keras
else:
    import fittrace.keras as keras
    import fittrace.tf as tf

layers = keras.layers
FOLDER = Path(sys.argv[2])
FOLDER.mkdir(parents=True, exist_ok=True)
_seeds = iter(range(1000, 100000))


class Seeded(keras.initializers.Initializer):
    """Glorot-uniform values drawn by numpy from a fixed seed: the same starting weights on both sides."""

    def __init__(self, seed: int | None = None):
        self.seed = next(_seeds) if seed is None else seed

    def __call__(self, shape, dtype=None, **kwargs):
        shape = tuple(int(d) for d in shape)
        receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
        fan_in = (shape[-2] if len(shape) > 1 else shape[-1]) * receptive
        fan_out = shape[-1] * receptive
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        rng = np.random.default_rng(self.seed)
        return rng.uniform(-limit, limit, shape).astype("float32")

    def get_config(self):
        return {"seed": self.seed}


def dense(units, **kw):
    return layers.Dense(units, kernel_initializer=Seeded(), **kw)


HISTORIES: dict[str, list] = {}
TRACES: dict[str, str] = {}


def traced(name, detail="default"):
    path = FOLDER / f"{name}.trace.jsonl"
    TRACES[name] = str(path)
    return fittrace.trace(path=path, detail=detail)


def keep(name, history):
    HISTORIES.setdefault(name, []).append(
        {k: [float(v) for v in vs] for k, vs in history.history.items()}
    )


rng = np.random.default_rng(0)


# --- 01 what fit does: the article's example (the demo) ------------------------------------------------------------
def article():
    x = rng.random((1000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 1000)
    x_test, y_test = rng.random((300, 784), dtype=np.float32), rng.integers(0, 10, 300)
    model = keras.Sequential([dense(512, activation="relu"), dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with traced("01-article"):
        keep("01-article", model.fit(x, y, epochs=2, batch_size=128, verbose=2, shuffle=False))
        model.evaluate(x_test, y_test, verbose=0)


# --- 02 data adapters: arrays, a Sequence, a generator ----------------------------------------------------------------
def adapters():
    x = np.random.default_rng(0).random((1000, 4), dtype=np.float32)
    y = (x.sum(axis=1) > 2).astype("float32")

    def batches():
        for i in range(0, 1000, 100):
            yield x[i : i + 100], y[i : i + 100]

    class Halves(keras.utils.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[i * 500 : (i + 1) * 500], y[i * 500 : (i + 1) * 500]

    def model():
        m = keras.Sequential([dense(8, activation="relu"), dense(1, activation="sigmoid")])
        m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return m

    with traced("02-adapters"):
        keep("02-adapters", model().fit(x, y, epochs=2, batch_size=50, verbose=0, shuffle=False))
        keep("02-adapters", model().fit(Halves(), epochs=2, verbose=0, shuffle=False))
        keep("02-adapters", model().fit(batches(), epochs=1, verbose=0))


# --- 03 the lazy build, 04 inside train_step (every event kept) ---------------------------------------------------
def lazy_build():
    x = np.random.default_rng(0).random((128, 784), dtype=np.float32)
    y = np.random.default_rng(1).integers(0, 10, 128)
    model = keras.Sequential([dense(512, activation="relu"), dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with traced("03-04-lazy-build", detail="full"):
        keep("03-04-lazy-build", model.fit(x, y, epochs=1, batch_size=128, verbose=0))


# --- 05 callbacks, History, stop_training ---------------------------------------------------------------------------
def callbacks():
    r = np.random.default_rng(0)
    x = r.random((600, 10), dtype=np.float32)
    y = (x[:, 0] + x[:, 1] > 1).astype("float32")

    def make():
        m = keras.Sequential([dense(16, activation="relu"), dense(1, activation="sigmoid")])
        m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return m

    class Diary(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            pass

        def on_epoch_end(self, epoch, logs=None):
            pass

    class StopAtBatch2(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    with traced("05-callbacks"):
        fit = {"batch_size": 100, "shuffle": False}
        keep("05-callbacks", make().fit(x, y, epochs=3, verbose=2, callbacks=[Diary()], **fit))
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=0.01)
        keep(
            "05-callbacks",
            make().fit(x, y, epochs=50, validation_split=0.2, verbose=0, callbacks=[stop], **fit),
        )
        keep(
            "05-callbacks", make().fit(x, y, epochs=5, verbose=0, callbacks=[StopAtBatch2()], **fit)
        )


# --- 06 why did it rebuild -------------------------------------------------------------------------------------------
def rebuild():
    r = np.random.default_rng(0)
    x, y = r.random((300, 12), dtype=np.float32), r.integers(0, 10, 300)

    def make(**kw):
        m = keras.Sequential([dense(8, activation="relu"), dense(10, activation="softmax")])
        m.compile(
            optimizer=kw.pop("optimizer", "rmsprop"), loss="sparse_categorical_crossentropy", **kw
        )
        return m

    with traced("06-rebuild"):
        keep("06-rebuild", make().fit(x, y, epochs=2, batch_size=100, verbose=0, shuffle=False))
        eager = make(run_eagerly=True)
        keep("06-rebuild", eager.fit(x, y, epochs=1, batch_size=128, verbose=0, shuffle=False))
        again = make()
        keep("06-rebuild", again.fit(x, y, epochs=1, batch_size=100, verbose=0, shuffle=False))
        again.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
        keep("06-rebuild", again.fit(x, y, epochs=1, batch_size=100, verbose=0, shuffle=False))


# --- 07 your own layer, callback and train_step ---------------------------------------------------------------------
def own_step():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.factor = self.add_weight(
                name="factor", shape=(input_shape[-1],), initializer="ones"
            )
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.factor

    class Clipped(keras.Model):
        def __init__(self):
            super().__init__()
            self.scale = Scale()
            self.hidden = dense(16, activation="relu")
            self.out = dense(1)

        def call(self, inputs, training=False):
            return self.out(self.hidden(self.scale(inputs)))

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x, y, y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            grads = [tf.clip_by_value(g, -1.0, 1.0) for g in grads]
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return self.compute_metrics(x, y, y_pred, None)

    class Watch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    r = np.random.default_rng(0)
    x = r.normal(size=(256, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], "float32")).reshape(-1, 1)
    model = Clipped()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    with traced("07-own-step", detail="full"):
        keep(
            "07-own-step",
            model.fit(x, y, epochs=3, batch_size=64, verbose=0, callbacks=[Watch()], shuffle=False),
        )


# --- 08 a convolutional network --------------------------------------------------------------------------------------
def conv():
    r = np.random.default_rng(0)
    x = r.random((300, 28, 28, 1), dtype=np.float32)
    y = r.integers(0, 10, 300)
    model = keras.Sequential(
        [
            layers.Conv2D(
                8, 3, activation="relu", input_shape=(28, 28, 1), kernel_initializer=Seeded()
            ),
            layers.MaxPooling2D(),
            layers.Flatten(),
            dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with traced("08-conv"):
        keep("08-conv", model.fit(x, y, epochs=2, batch_size=64, verbose=2, shuffle=False))


# --- 09 one model, three ways ----------------------------------------------------------------------------------------
def three_ways():
    r = np.random.default_rng(0)
    x = r.normal(size=(240, 4)).astype("float32")
    y = np.argmax(x @ r.normal(size=(4, 3)), axis=1)

    def sequential():
        return keras.Sequential([dense(16, activation="relu"), dense(3, activation="softmax")])

    def sequential_with_input():
        return keras.Sequential(
            [keras.Input(shape=(4,)), dense(16, activation="relu"), dense(3, activation="softmax")]
        )

    def functional():
        inputs = keras.Input(shape=(4,))
        hidden = dense(16, activation="relu")(inputs)
        return keras.Model(inputs, dense(3, activation="softmax")(hidden))

    class Classifier(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = dense(16, activation="relu")
            self.out = dense(3, activation="softmax")

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    for write in (sequential, sequential_with_input, functional, Classifier):
        name = f"09-{write.__name__.lower()}"
        with traced(name, detail="full"):
            model = write()
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            keep(name, model.fit(x, y, epochs=1, batch_size=32, verbose=0, shuffle=False))


# --- 10 the loop by hand: fit's side of it ---------------------------------------------------------------------------
def by_hand_fit():
    r = np.random.default_rng(0)
    x = r.normal(size=(200, 4)).astype("float32")
    y = np.argmax(x @ r.normal(size=(4, 3)), axis=1)
    model = keras.Sequential([keras.Input(shape=(4,)), dense(16, activation="relu"), dense(3)])
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    with traced("10-fit", detail="full"):
        keep("10-fit", model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=2))


# --- 11 text classification ------------------------------------------------------------------------------------------
def text():
    r = np.random.default_rng(0)
    good = ["great", "wonderful", "moving", "funny", "brilliant", "clever"]
    bad = ["boring", "awful", "dull", "silly", "predictable", "clumsy"]
    filler = [
        "the",
        "film",
        "was",
        "a",
        "story",
        "and",
        "acting",
        "plot",
        "really",
        "quite",
        "ending",
    ]

    def review(label):
        words = list(r.choice(filler, size=r.integers(3, 9)))
        for _ in range(r.integers(1, 3)):
            words.insert(r.integers(0, len(words) + 1), r.choice(good if label else bad))
        return " ".join(words).capitalize() + r.choice([".", "!", "..."])

    labels = r.integers(0, 2, size=600)
    texts = np.array([review(y) for y in labels])
    vectorize = layers.TextVectorization(max_tokens=40, output_sequence_length=12)
    vectorize.adapt(texts)
    inputs = keras.Input(shape=(1,), dtype="string")
    x = layers.Embedding(len(vectorize.get_vocabulary()), 8, mask_zero=True)(vectorize(inputs))
    x = layers.GRU(8)(x)
    model = keras.Model(inputs, dense(1, activation="sigmoid")(x))
    for i, w in enumerate(model.trainable_weights):  # the vocabulary is a weight too on TF's side
        w.assign(np.random.default_rng(i).uniform(-0.3, 0.3, tuple(w.shape)).astype("float32"))
    model.compile(
        optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    with traced("11-text"):
        keep(
            "11-text",
            model.fit(
                texts[:, None],
                labels,
                epochs=2,
                batch_size=32,
                validation_split=0.2,
                verbose=2,
                shuffle=False,
            ),
        )


SCENARIOS = [article, adapters, lazy_build, callbacks, rebuild, own_step, conv, three_ways]
SCENARIOS += [by_hand_fit, text]

if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    failed = {}
    for scenario in SCENARIOS:
        if only and scenario.__name__ not in only:
            continue
        keras.backend.clear_session()
        try:
            scenario()
        except Exception as exc:  # one scenario's failure is reported, the others still run
            failed[scenario.__name__] = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"traces": TRACES, "histories": HISTORIES, "failed": failed}))
