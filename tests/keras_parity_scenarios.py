"""Scenarios run twice, by real TF-Keras 2 and by fittrace, for tests/test_keras_parity.py to compare.

    python keras_parity_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_scenarios.py fittrace  # under the test environment

Prints one JSON object: training histories from identical starting weights (several optimizers, losses, sample
and class weights, a validation split), the messages of errors Keras 2 has a message for, the verbose=2 progress
lines with their times masked, the model summary, the order of a model's weights, and the results of other loops
and inputs (validation_freq, initial_epoch, BatchNormalization, EarlyStopping, a generator, a Sequence, verbose=1
lines). Nothing here checks anything: the test does.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tf_keras as keras
    from tf_keras import callbacks, layers, optimizers, utils

    Sequential, Model = keras.Sequential, keras.Model
else:
    from fittrace.keras import callbacks, layers, optimizers, utils
    from fittrace.keras.models import Model, Sequential

rng = np.random.default_rng(0)
X = rng.random((100, 8)).astype("float32")
Y = rng.integers(0, 3, 100)
W = [
    rng.normal(0, 0.5, (8, 6)).astype("float32"),
    np.zeros(6, "float32"),
    rng.normal(0, 0.5, (6, 3)).astype("float32"),
    np.zeros(3, "float32"),
]


def model(
    units: int = 3,
    activation: str = "softmax",
    weights: list | None = None,
    middle: list | None = None,
):
    m = Sequential(
        [
            layers.Dense(6, activation="relu"),
            *(middle or []),
            layers.Dense(units, activation=activation),
        ]
    )
    m.build((None, 8))
    if middle:  # the middle layers keep their own starting values
        start = m.get_weights()
        start[:2], start[-2:] = W[:2], W[2:]
        m.set_weights(start)
    else:
        m.set_weights(weights if weights is not None else W)
    return m


def compiled(middle: list | None = None):
    m = model(middle=middle)
    m.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def history(
    optimizer,
    loss,
    y,
    metrics,
    units=3,
    activation="softmax",
    weights=None,
    run_eagerly=None,
    **fit,
):
    m = model(units, activation, weights)
    m.compile(optimizer=optimizer, loss=loss, metrics=metrics, run_eagerly=run_eagerly)
    h = m.fit(X, y, epochs=3, batch_size=32, shuffle=False, verbose=0, **fit)
    return {k: [float(v) for v in vs] for k, vs in h.history.items()}


def histories() -> dict:
    onehot = np.eye(3, dtype="float32")[Y]
    binary = (Y == 1).astype("float32")
    w_binary = W[:2] + [W[2][:, :1], W[3][:1]]
    return {
        "sgd, sparse CE": history("sgd", "sparse_categorical_crossentropy", Y, ["accuracy"]),
        "rmsprop, sparse CE": history(
            "rmsprop", "sparse_categorical_crossentropy", Y, ["accuracy"]
        ),
        "sgd, rate from a function of no arguments": history(
            optimizers.SGD(learning_rate=lambda: 0.05), "sparse_categorical_crossentropy", Y, []
        ),
        "adagrad": history(
            optimizers.Adagrad(learning_rate=0.05), "sparse_categorical_crossentropy", Y, []
        ),
        "adadelta": history(
            optimizers.Adadelta(learning_rate=1.0), "sparse_categorical_crossentropy", Y, []
        ),
        "adamax": history("adamax", "sparse_categorical_crossentropy", Y, ["accuracy"]),
        # eagerly: in a graph, TF-Keras's Nadam counts its momentum product with a Python int changed while
        # tracing, so the product is multiplied once per variable traced, not once per step (a bug not copied)
        "nadam": history(
            optimizers.Nadam(learning_rate=0.01),
            "sparse_categorical_crossentropy",
            Y,
            [],
            run_eagerly=True,
        ),
        "adamw": history(
            optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
            "sparse_categorical_crossentropy",
            Y,
            [],
        ),
        "adamw, amsgrad, clipnorm": history(
            optimizers.AdamW(learning_rate=0.01, amsgrad=True, clipnorm=0.5),
            "sparse_categorical_crossentropy",
            Y,
            [],
        ),
        "adam, categorical CE": history("adam", "categorical_crossentropy", onehot, ["accuracy"]),
        "adam, mse": history("adam", "mse", onehot, ["mae"], activation="linear"),
        "rmsprop, validation_split": history(
            "rmsprop", "sparse_categorical_crossentropy", Y, ["accuracy"], validation_split=0.2
        ),
        "sgd, sample_weight": history(
            "sgd",
            "sparse_categorical_crossentropy",
            Y,
            ["accuracy"],
            sample_weight=np.linspace(0.1, 2, 100),
        ),
        "sgd, class_weight": history(
            "sgd",
            "sparse_categorical_crossentropy",
            Y,
            ["accuracy"],
            class_weight={0: 1.0, 1: 2.0, 2: 0.5},
        ),
        "adam, binary CE": history(
            "adam",
            "binary_crossentropy",
            binary,
            ["accuracy"],
            units=1,
            activation="sigmoid",
            weights=w_binary,
        ),
        "sgd nesterov, binary CE": history(
            optimizers.SGD(0.1, momentum=0.9, nesterov=True),
            "binary_crossentropy",
            binary,
            ["accuracy"],
            units=1,
            activation="sigmoid",
            weights=w_binary,
        ),
    }


def error(fn) -> str:
    try:
        fn()
    except Exception as exc:  # the message is what is compared
        text = str(exc)
        if "in user code" in text or "Exception encountered when calling layer" in text:
            # TF-Keras wraps errors raised while tracing a graph in a traceback and a "calling layer" preamble;
            # the sentence that names the problem is the comparable part
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            text = next((ln for ln in lines if "is incompatible with the layer" in ln), lines[-1])
            text = text.removeprefix("ValueError: ")
        return f"{type(exc).__name__}: {text}"
    return "no error"


def errors() -> dict:
    out = {}
    m = model()
    out["fit before compile"] = error(lambda: m.fit(X, Y, verbose=0))
    unknown_loss = model()
    unknown_loss.compile(optimizer="sgd", loss="nope")  # resolved lazily, on the first batch
    out["unknown loss"] = error(lambda: unknown_loss.fit(X, Y, verbose=0))
    out["unknown optimizer"] = error(lambda: model().compile(optimizer="nope", loss="mse"))
    out["unknown activation"] = error(lambda: layers.Dense(2, activation="nope"))
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    out["cardinality"] = error(lambda: m.fit(X, Y[:50], verbose=0))
    out["batch_size 0"] = error(lambda: m.fit(X, Y, batch_size=0, verbose=0))
    out["incompatible input (graph)"] = error(
        lambda: m.predict(np.zeros((2, 5), "float32"), verbose=0)
    )
    out["targets missing"] = error(lambda: m.fit(X, verbose=0))
    no_loss = model()
    no_loss.compile(optimizer="sgd")
    out["no loss"] = error(lambda: no_loss.fit(X, Y, verbose=0))
    out["weights before build"] = error(lambda: Sequential([layers.Dense(2)]).get_weights())
    out["set_weights, wrong count"] = error(lambda: model().set_weights([np.zeros(1)]))
    out["train_on_batch before compile"] = error(lambda: model().train_on_batch(X[:4], Y[:4]))
    out["test_on_batch before compile"] = error(lambda: model().test_on_batch(X[:4], Y[:4]))
    out["train_on_batch cardinality"] = error(lambda: m.train_on_batch(X[:6], Y[:4]))
    out["train_on_batch without targets"] = error(lambda: m.train_on_batch(X[:6]))
    out["PiecewiseConstantDecay lengths"] = error(
        lambda: optimizers.schedules.PiecewiseConstantDecay([1, 2], [0.1])
    )
    fixed = model()
    fixed.compile(
        optimizer=optimizers.SGD(learning_rate=optimizers.schedules.InverseTimeDecay(0.1, 1, 1)),
        loss="mse",
    )
    out["setting a scheduled rate"] = error(lambda: setattr(fixed.optimizer, "learning_rate", 0.5))
    out["AdamW without weight_decay"] = error(lambda: optimizers.AdamW(weight_decay=None))
    out["ReduceLROnPlateau factor"] = error(lambda: callbacks.ReduceLROnPlateau(factor=1.0))
    bad = callbacks.LearningRateScheduler(lambda epoch, lr: 1)
    out["schedule returns an int"] = error(
        lambda: compiled().fit(X, Y, epochs=1, verbose=0, callbacks=[bad])
    )
    return out


def progress_lines() -> list[str]:
    m = model()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        m.fit(X, Y, epochs=2, batch_size=32, shuffle=False, verbose=2, validation_split=0.2)
    # times vary from run to run: mask them, keep the layout and the figures
    masked = re.sub(r"\d+(ms|us|s)/(epoch|step)", r"T/\2", buf.getvalue())
    masked = re.sub(r" - \d+s - ", " - Ts - ", masked)
    return masked.splitlines()


def summary() -> list[str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model().summary()
    return buf.getvalue().splitlines()


def weight_order() -> dict:
    m = Sequential([layers.Dense(6), layers.BatchNormalization(), layers.Dense(3)])
    m.build((None, 8))
    out = {"model": [w.name for w in m.weights]}
    m.layers[1].trainable = False
    out["frozen batchnorm"] = [w.name for w in m.weights]
    out["trainable"] = [w.name for w in m.trainable_weights]
    out["non-trainable"] = [w.name for w in m.non_trainable_weights]
    m.trainable = False
    out["frozen model, non-trainable"] = [w.name for w in m.non_trainable_weights]
    out["frozen model, layer flags"] = [layer.trainable for layer in m.layers]

    class Net(Model):  # a subclassed model with a weight of its own
        def __init__(self):
            super().__init__()
            self.scale = self.add_weight(name="scale", shape=(3,), initializer="ones")
            self.d1, self.bn, self.d2 = (
                layers.Dense(4),
                layers.BatchNormalization(),
                layers.Dense(3),
            )

        def call(self, x, training=False):
            return self.d2(self.bn(self.d1(x), training=training)) * self.scale

    def short(weights):
        return [w.name.split("/")[-1] + str(tuple(w.shape)) for w in weights]

    net = Net()
    net(np.zeros((2, 5), "float32"))
    out["subclass"] = [
        short(net.weights),
        short(net.trainable_weights),
        short(net.non_trainable_weights),
    ]
    net.trainable = False
    out["subclass frozen"] = [
        [net.d1.trainable, net.bn.trainable],
        short(net.non_trainable_weights),
    ]
    net.trainable = True
    net.d1.trainable = False
    out["subclass, first layer frozen"] = [
        net.bn.trainable,
        short(net.trainable_weights),
        short(net.non_trainable_weights),
    ]
    return out


def _masked_last_line(fn) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn()
    return re.sub(
        r"\d+(ms|us|s)(/step|/epoch)?", "T", buf.getvalue().replace("\r", "\n").splitlines()[-1]
    )


class Batches(utils.Sequence):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return X[i * 20 : (i + 1) * 20], Y[i * 20 : (i + 1) * 20]


def batches_forever():
    while True:
        for i in range(0, 100, 20):
            yield X[i : i + 20], Y[i : i + 20]


HOOKS = [
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
]


def hook_calls() -> dict:
    """Every callback hook with its integer arguments and the keys of its logs, in the order called."""
    calls: list = []

    def recorder(hook):
        def record(self, *args, **kwargs):
            logs = args[-1] if args and isinstance(args[-1], dict) else kwargs.get("logs")
            calls.append(
                [hook] + [a for a in args if isinstance(a, int)] + [sorted(logs) if logs else logs]
            )

        return record

    Recorder = type("Recorder", (callbacks.Callback,), {hook: recorder(hook) for hook in HOOKS})
    x, y = X[:40], Y[:40]
    m = compiled()
    out = {}
    m.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25, callbacks=[Recorder()])
    out["fit with validation"], calls[:] = list(calls), []
    m.evaluate(x, y, batch_size=16, verbose=0, callbacks=[Recorder()])
    out["evaluate"], calls[:] = list(calls), []
    m.predict(x, batch_size=16, verbose=0, callbacks=[Recorder()])
    out["predict"], calls[:] = list(calls), []
    m.compile(
        optimizer="sgd",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=2,
    )
    m.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[Recorder()])
    out["fit, steps_per_execution=2"] = list(calls)
    return out


def behaviours() -> dict:
    """Loops, inputs, callbacks and outputs beyond plain fit: values only, floats as they come."""
    out = {}
    h = compiled().fit(
        X,
        Y,
        epochs=4,
        batch_size=16,
        shuffle=False,
        verbose=0,
        validation_data=(X[:20], Y[:20]),
        validation_freq=2,
    )
    out["validation_freq=2"] = [h.history, h.params, h.epoch]
    h = compiled().fit(X, Y, epochs=4, initial_epoch=2, batch_size=16, shuffle=False, verbose=0)
    out["initial_epoch=2"] = [h.epoch, h.history]
    m = compiled()
    out["evaluate"] = m.evaluate(X, Y, batch_size=16, verbose=0)
    out["predict"] = m.predict(X[:3], verbose=0).tolist()
    m = compiled(middle=[layers.BatchNormalization()])
    h = m.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    out["batchnorm"] = [
        h.history,
        m.evaluate(X, Y, verbose=0),
        [float(w.mean()) for w in m.layers[1].get_weights()],
    ]
    stop = callbacks.EarlyStopping(
        monitor="loss", patience=0, min_delta=10.0, restore_best_weights=True
    )
    h = compiled().fit(X, Y, epochs=5, batch_size=16, shuffle=False, verbose=0, callbacks=[stop])
    out["EarlyStopping"] = [h.epoch, stop.stopped_epoch, h.history]
    h = compiled().fit(batches_forever(), steps_per_epoch=5, epochs=2, verbose=0)
    out["generator"] = [h.history, h.params]
    h = compiled().fit(Batches(), epochs=2, verbose=0, shuffle=False)
    out["Sequence"] = [h.history, h.params]
    out["to_categorical"] = utils.to_categorical([0, 2, 1], 3).tolist()

    def finite():  # a generator of unknown length: epoch 1 learns the steps
        for i in range(0, 100, 20):
            yield X[i : i + 20], Y[i : i + 20]

    h = compiled().fit(finite(), epochs=1, verbose=0)
    out["finite generator"] = [h.history, h.params, compiled().evaluate(finite(), verbose=0)]
    out["finite generator, verbose=1"] = _masked_last_line(
        lambda: compiled().fit(finite(), epochs=1, verbose=1)
    )
    m = compiled()
    h = m.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0, validation_data=(X[:30],))
    out["validation data without targets"] = [h.history, m.evaluate(X, verbose=0)]
    h = compiled().fit(X, Y, epochs=3, batch_size=16, steps_per_epoch=2, shuffle=False, verbose=0)
    out["steps_per_epoch on arrays"] = [h.history, h.params]
    h = compiled().fit(X.tolist(), Y.tolist(), epochs=2, batch_size=16, shuffle=False, verbose=0)
    out["lists of numbers"] = [h.history, h.params]
    h = compiled().fit(
        X,
        Y,
        epochs=2,
        batch_size=16,
        shuffle=False,
        verbose=0,
        validation_split=0.3,
        sample_weight=np.linspace(0.5, 1.5, 100),
    )
    out["validation_split with sample_weight"] = h.history
    shapes = []
    direct = Sequential([layers.Dense(4), layers.Dense(3)])
    direct(np.zeros((7, 5), "float32"))
    fitted = Sequential([layers.Dense(4), layers.Dense(3)])
    fitted.compile(optimizer="sgd", loss="mse")
    fitted.fit(np.zeros((10, 5)), np.zeros((10, 3)), batch_size=4, verbose=0)
    popped = Sequential([layers.Dense(4), layers.Dense(3), layers.Dense(2)])
    popped.build((None, 5))
    popped.pop()
    for m in (
        direct,
        fitted,
        Sequential([layers.Dense(4, input_shape=(5,)), layers.Flatten()]),
        popped,
    ):
        shapes.append([list(m.input_shape), list(m.output_shape), len(m.layers)])
    out["input_shape and output_shape"] = shapes
    out["fit verbose=1"] = _masked_last_line(
        lambda: compiled().fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=1)
    )
    out["evaluate verbose=1"] = _masked_last_line(
        lambda: compiled().evaluate(X, Y, batch_size=16, verbose=1)
    )
    out["predict verbose=1"] = _masked_last_line(
        lambda: compiled().predict(X, batch_size=16, verbose=1)
    )
    out["evaluate verbose=2"] = _masked_last_line(
        lambda: compiled().evaluate(X, Y, batch_size=16, verbose=2)
    )
    out.update(on_batch())
    out.update(learning_rates())
    out.update(convolutions())
    out["schedules"] = schedule_values()
    out["CSVLogger"] = csv_logs()
    return out


def _floats(hist: dict) -> dict:
    """History values as plain floats (History keeps the "lr" a callback logs as a numpy float32)."""
    return {k: [float(v) for v in vs] for k, vs in hist.items()}


IMAGES = rng.random((60, 9, 9, 1)).astype("float32")
IMAGE_Y = rng.integers(0, 3, 60)


def cnn():
    """A small MNIST-style CNN with fixed starting weights: same-padded strided conv, pooling, flatten, dense."""
    m = Sequential(
        [
            layers.Conv2D(4, 3, activation="relu", input_shape=(9, 9, 1)),
            layers.MaxPooling2D(),
            layers.Conv2D(3, 2, strides=2, padding="same", activation="relu"),
            layers.MaxPooling2D(pool_size=2, strides=1, padding="same"),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ]
    )
    local = np.random.default_rng(7)
    m.set_weights([local.normal(0, 0.4, w.shape).astype("float32") for w in m.get_weights()])
    return m


def convolutions() -> dict:
    """The CNN's summary, outputs, training from the same weights, and Keras's messages for bad arguments."""
    out = {}
    m = cnn()
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        m.summary()
    out["cnn summary"] = text.getvalue().splitlines()
    out["cnn predict"] = m.predict(IMAGES[:2], verbose=0).tolist()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(IMAGES, IMAGE_Y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    out["cnn fit"] = [
        {k: [float(v) for v in vs] for k, vs in h.history.items()},
        [float(np.abs(w).sum()) for w in m.get_weights()],
    ]
    pooled = Sequential(
        [
            layers.Conv2D(3, 3, padding="same", activation="relu", input_shape=(9, 9, 1)),
            layers.AveragePooling2D(pool_size=(3, 2), strides=(2, 1), padding="same"),
            layers.Conv2D(4, 2, activation="tanh"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(3, activation="softmax"),
        ]
    )
    local = np.random.default_rng(8)
    pooled.set_weights(
        [local.normal(0, 0.4, w.shape).astype("float32") for w in pooled.get_weights()]
    )
    pooled.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    h = pooled.fit(IMAGES, IMAGE_Y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        pooled.summary()
    out["average and global pooling"] = [
        [float(v) for v in h.history["loss"]],
        text.getvalue().splitlines(),
        Sequential([layers.GlobalMaxPooling2D(keepdims=True)])(IMAGES[:2]).numpy().tolist(),
    ]
    try:  # with an input shape, a missing channel axis of size 1 is added
        out["cnn, no channel axis"] = m.predict(IMAGES[:2, ..., 0], verbose=0).tolist()
    except Exception:
        out["cnn, no channel axis"] = error(lambda: m.predict(IMAGES[:2, ..., 0], verbose=0))
    out["no channel axis, no input shape"] = error(
        lambda: Sequential([layers.Conv2D(2, 3)]).predict(IMAGES[..., 0], verbose=0)
    )
    out["Conv2D filters=0"] = error(lambda: layers.Conv2D(0, 3))
    out["Conv2D kernel_size 0"] = error(lambda: layers.Conv2D(2, (0, 3)))
    out["Conv2D kernel_size of 3"] = error(lambda: layers.Conv2D(2, (3, 3, 3)))
    out["Conv2D padding"] = error(lambda: layers.Conv2D(2, 3, padding="full"))
    out["Conv2D input too small"] = error(
        lambda: Sequential([layers.Conv2D(2, 5)]).build((None, 3, 3, 1))
    )
    return out


def csv_logs() -> list:
    """CSVLogger's files: a fit without validation (val_ columns made up front, filled with NA), then one with
    validation appended to the same file, read back as rows (numbers as floats, the line ends kept)."""
    import csv
    import tempfile

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "log.csv")
    compiled().fit(
        X,
        Y,
        epochs=2,
        batch_size=32,
        shuffle=False,
        verbose=0,
        callbacks=[callbacks.CSVLogger(path)],
    )
    compiled().fit(
        X,
        Y,
        epochs=1,
        batch_size=32,
        shuffle=False,
        verbose=0,
        validation_split=0.2,
        callbacks=[callbacks.CSVLogger(path, separator=";", append=True)],
    )
    raw = open(path, newline="").read()
    rows = [
        [
            float(v) if v.replace(".", "").replace("-", "").replace("e", "").isdigit() else v
            for v in row
        ]
        for line in raw.splitlines()
        for row in csv.reader([line], delimiter=";" if ";" in line else ",")
    ]
    return [raw.count("\r\n"), rows]


def schedule_values() -> dict:
    """Each schedule's rate at chosen steps, and the rate an optimizer reports before and after updates."""
    S = optimizers.schedules
    made = {
        "ExponentialDecay": S.ExponentialDecay(0.1, 7, 0.5),
        "ExponentialDecay staircase": S.ExponentialDecay(0.1, 7, 0.5, staircase=True),
        "PiecewiseConstantDecay": S.PiecewiseConstantDecay([3, 9], [0.1, 0.05, 0.01]),
        "PolynomialDecay": S.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0),
        "PolynomialDecay cycle": S.PolynomialDecay(0.1, 10, power=0.5, cycle=True),
        "InverseTimeDecay": S.InverseTimeDecay(0.1, 5, 0.5),
        "InverseTimeDecay staircase": S.InverseTimeDecay(0.1, 5, 0.5, staircase=True),
        "CosineDecay": S.CosineDecay(0.1, 12, alpha=0.1),
        "CosineDecay warmup": S.CosineDecay(0.0, 12, warmup_target=0.2, warmup_steps=4),
    }
    out = {
        name: [float(sched(step)) for step in (0, 1, 3, 4, 9, 10, 14, 25)]
        for name, sched in made.items()
    }
    opt_sched = S.ExponentialDecay(0.05, 2, 0.5)
    m = model()
    m.compile(
        optimizer=optimizers.SGD(learning_rate=opt_sched), loss="sparse_categorical_crossentropy"
    )
    before = float(m.optimizer.learning_rate)
    h = m.fit(X, Y, epochs=2, batch_size=50, shuffle=False, verbose=0)
    out["SGD with ExponentialDecay"] = [
        before,
        float(m.optimizer.learning_rate),
        [float(v) for v in h.history["loss"]],
    ]
    return out


def learning_rates() -> dict:
    """LearningRateScheduler (both schedule forms) and ReduceLROnPlateau: the rates each epoch, as History logs
    them under "lr", the losses they lead to, and the verbose messages; a custom callback setting the rate through
    backend.set_value, as Keras's guide writes one."""
    from_keras = keras.backend if TF else __import__("fittrace.keras.backend", fromlist=["x"])
    out = {}
    sched = callbacks.LearningRateScheduler(
        lambda epoch, lr: lr if epoch < 1 else lr * 0.5, verbose=1
    )
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        h = compiled().fit(
            X, Y, epochs=3, batch_size=32, shuffle=False, verbose=0, callbacks=[sched]
        )
    out["LearningRateScheduler"] = [
        _floats(h.history),
        [ln for ln in text.getvalue().splitlines() if ln],
    ]
    old_form = callbacks.LearningRateScheduler(lambda epoch: 0.01 / (epoch + 1))
    out["LearningRateScheduler, schedule(epoch)"] = _floats(
        compiled()
        .fit(X, Y, epochs=3, batch_size=32, shuffle=False, verbose=0, callbacks=[old_form])
        .history
    )
    plateau = callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=1, min_delta=1.0, cooldown=1, min_lr=0.0002, verbose=1
    )
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        h = compiled().fit(
            X, Y, epochs=6, batch_size=32, shuffle=False, verbose=0, callbacks=[plateau]
        )
    out["ReduceLROnPlateau"] = [
        _floats(h.history),
        [ln for ln in text.getvalue().splitlines() if ln],
        plateau.wait,
        plateau.cooldown_counter,
    ]

    class Custom(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            lr = float(from_keras.get_value(self.model.optimizer.learning_rate))
            from_keras.set_value(self.model.optimizer.lr, lr * 0.1 if epoch == 1 else lr)
            self.seen = getattr(self, "seen", []) + [lr]

    custom = Custom()
    h = compiled().fit(X, Y, epochs=3, batch_size=32, shuffle=False, verbose=0, callbacks=[custom])
    out["backend.set_value on optimizer.lr"] = [_floats(h.history), custom.seen]
    return out


def on_batch() -> dict:
    """train_on_batch / test_on_batch / predict_on_batch: one update per call, metrics reset or accumulated, the
    return shapes (a list, a dict, a lone float), sample and class weights, and the weights after it all."""
    out = {}
    m = compiled()
    first = [m.train_on_batch(X[:32], Y[:32]) for _ in range(3)]
    kept = [
        m.train_on_batch(X[32:64], Y[32:64], reset_metrics=False, return_dict=True)
        for _ in range(2)
    ]
    weighted = m.train_on_batch(X[:40], Y[:40], sample_weight=np.linspace(0.1, 2, 40))
    classed = m.train_on_batch(X[:40], Y[:40], class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    out["train_on_batch"] = [
        first,
        kept,
        weighted,
        classed,
        m.optimizer.iterations.numpy().item() if TF else m.optimizer.iterations,
        [float(w.sum()) for w in m.get_weights()],
    ]
    out["test_on_batch"] = [
        m.test_on_batch(X[:50], Y[:50]),
        m.test_on_batch(X[:50], Y[:50], return_dict=True),
        [m.test_on_batch(X[i : i + 10], Y[i : i + 10], reset_metrics=False) for i in (0, 10)],
    ]
    out["predict_on_batch"] = [
        m.predict_on_batch(X[:4]).tolist(),
        str(m.predict_on_batch(X[:2]).dtype),
    ]
    lone = model(units=3, activation="linear")
    lone.compile(optimizer="sgd", loss="mse")
    out["on_batch, loss only"] = [
        lone.train_on_batch(X[:8], np.ones((8, 3), "float32")),
        lone.test_on_batch(X[:8], np.ones((8, 3), "float32")),
    ]
    return out


if __name__ == "__main__":
    if TF:
        keras.utils.set_random_seed(0)
    out = {
        "histories": histories(),
        "errors": errors(),
        "progress": progress_lines(),
        "summary": summary(),
        "weight_order": weight_order(),
        "behaviours": behaviours(),
        "hooks": hook_calls(),
    }
    print(json.dumps(out))
