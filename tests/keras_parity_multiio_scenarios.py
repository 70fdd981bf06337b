"""Scenarios with several inputs and outputs, run twice, by real TF-Keras 2 and by fittrace, for
tests/test_keras_parity_multiio.py to compare.

    python keras_parity_multiio_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_multiio_scenarios.py fittrace  # under the test environment

Subclassed two-input, two-output models (outputs as a list, a tuple or a dict; inputs as a list or a dict) start
from the same weights and train 10 steps on both sides, with per-output losses, loss weights, metrics, weighted
metrics and sample weights; a functional model of the same shape keys its inputs and outputs by layer name.
Prints one JSON object: the histories, the metrics names, what evaluate, predict and
the ``*_on_batch`` methods return, and the messages of the errors a wrong structure gives. Nothing here checks
anything: the test does.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tf_keras as keras
    from tf_keras import layers, metrics, optimizers, regularizers

    Model = keras.Model
else:
    from fittrace.keras import layers, metrics, optimizers, regularizers
    from fittrace.keras.models import Model

rng = np.random.default_rng(7)
N = 40  # batches of 8: each case trains 10 steps or more (two epochs of 5, three of 4, four of 3)
X1 = rng.normal(size=(N, 5)).astype("float32")
X2 = rng.normal(size=(N, 3)).astype("float32")
Y_CLS = rng.integers(0, 3, N)
Y_REG = rng.normal(size=(N, 2)).astype("float32")
SW = np.linspace(0.2, 2.0, N).astype("float32")
SW2 = np.linspace(1.5, 0.5, N).astype("float32")
W = [
    rng.normal(0, 0.4, (5, 4)).astype("float32"),
    np.zeros(4, "float32"),
    rng.normal(0, 0.4, (4, 3)).astype("float32"),
    np.zeros(3, "float32"),
    rng.normal(0, 0.4, (3, 4)).astype("float32"),
    np.zeros(4, "float32"),
    rng.normal(0, 0.4, (4, 2)).astype("float32"),
    np.zeros(2, "float32"),
    rng.normal(0, 0.4, (4, 2)).astype("float32"),
    np.full(2, 0.1, "float32"),
]


class TwoHeads(Model):
    """Two inputs (a list or a dict with keys "a" and "b"), two outputs: class scores from the first input, a
    regression from both. ``kind`` chooses the outputs' structure: "list", "tuple" or "dict"."""

    def __init__(self, kind: str = "list", l2: float = 0.0):
        super().__init__()
        self.kind = kind
        reg = regularizers.L2(l2) if l2 else None
        self.hidden_a = layers.Dense(4, activation="relu", name="hidden_a")
        self.cls = layers.Dense(3, activation="softmax", name="cls")
        self.hidden_b = layers.Dense(4, activation="tanh", name="hidden_b")
        self.reg_a = layers.Dense(2, name="reg_a", kernel_regularizer=reg)
        self.reg_b = layers.Dense(2, name="reg_b")

    def call(self, inputs):
        if isinstance(inputs, dict):
            a, b = inputs["a"], inputs["b"]
        else:
            a, b = inputs
        ha = self.hidden_a(a)
        cls = self.cls(ha)
        reg = self.reg_a(ha) + self.reg_b(self.hidden_b(b))
        if self.kind == "dict":
            return {"cls": cls, "reg": reg}
        if self.kind == "tuple":
            return (cls, reg)
        return [cls, reg]


def two_heads(kind: str = "list", l2: float = 0.0) -> TwoHeads:
    m = TwoHeads(kind, l2)
    m([X1[:2], X2[:2]])  # builds every layer
    m.set_weights(W)
    return m


def floats(history) -> dict:
    return {k: [float(v) for v in vs] for k, vs in history.history.items()}


def as_json(value):
    """Numbers and arrays as lists, with the container type kept (a list, tuple or dict of outputs)."""
    if isinstance(value, dict):
        return {"type": "dict", "items": {str(k): as_json(v) for k, v in sorted(value.items())}}
    if isinstance(value, (list, tuple)):
        return {"type": type(value).__name__, "items": [as_json(v) for v in value]}
    return np.asarray(value, dtype="float64").tolist()


def fit_case(kind, compile_args, x, y, epochs=1, l2=0.0, **fit):
    m = two_heads(kind, l2)
    m.compile(optimizer=optimizers.SGD(learning_rate=0.05), **compile_args)
    h = m.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0, **fit)
    return m, floats(h)


def cases() -> dict:
    xs, xd = [X1, X2], {"a": X1, "b": X2}
    ys, yd = [Y_CLS, Y_REG], {"cls": Y_CLS, "reg": Y_REG}
    per_output = {
        "loss": ["sparse_categorical_crossentropy", "mse"],
        "loss_weights": [1.0, 0.5],
        "metrics": [["accuracy"], ["mae", "mse"]],
    }
    by_name = {
        "loss": {"cls": "sparse_categorical_crossentropy", "reg": "mse"},
        "loss_weights": {"reg": 2.0},
        "metrics": {"cls": "accuracy", "reg": ["mae"]},
        "weighted_metrics": {"reg": ["mae"]},
    }
    out: dict = {"histories": {}, "metrics_names": {}, "evaluate": {}, "predict": {}, "batch": {}}
    runs = {
        "list in, list out, per-output lists, validation_data": (
            "list",
            per_output,
            xs,
            ys,
            {"validation_data": ([X1[:16], X2[:16]], [Y_CLS[:16], Y_REG[:16]])},
        ),
        "dict in, dict out, per-output dicts, sample_weight dict, validation_split": (
            "dict",
            by_name,
            xd,
            yd,
            {"sample_weight": {"reg": SW}, "validation_split": 0.2, "epochs": 3},
        ),
        "list in, tuple out, one loss and metrics for both, one sample_weight": (
            "tuple",
            {"loss": "mae", "metrics": ["mse"], "weighted_metrics": ["mse"]},
            xs,
            [Y_REG[:, :1] * np.ones((1, 3), "float32"), Y_REG],
            {"sample_weight": SW, "epochs": 4, "validation_split": 0.5},
        ),
        "list out, dict targets and losses by pseudo name": (
            "list",
            {
                "loss": {"output_1": "sparse_categorical_crossentropy", "output_2": "mse"},
                "loss_weights": {"output_1": 0.3, "output_2": 1.0},
                "metrics": {"output_1": ["accuracy"]},
            },
            xs,
            {"output_1": Y_CLS, "output_2": Y_REG},
            {},
        ),
        "list out, sample_weight list with None, weighted metrics": (
            "list",
            {
                "loss": ["sparse_categorical_crossentropy", "mse"],
                "metrics": [[], ["mae"]],
                "weighted_metrics": [["accuracy"], ["mae"]],
            },
            xs,
            ys,
            {"sample_weight": [None, SW2]},
        ),
        "dict out, one output without targets, regularization": (
            "dict",
            {"loss": {"cls": "sparse_categorical_crossentropy", "reg": "mse"}},
            xd,
            {"cls": Y_CLS},
            {"l2": 0.01},
        ),
        "list out, no loss for the first output, loss_weights scalar": (
            "list",
            {"loss": [None, "mse"], "loss_weights": 3.0, "metrics": [None, ["mae"]]},
            xs,
            ys,
            {},
        ),
    }
    for case, (kind, compile_args, x, y, fit) in runs.items():
        l2 = fit.pop("l2", 0.0)
        epochs = fit.pop("epochs", 2)
        m, hist = fit_case(kind, compile_args, x, y, epochs=epochs, l2=l2, **fit)
        out["histories"][case] = hist
        out["metrics_names"][case] = m.metrics_names
        sw = fit.get("sample_weight")
        out["evaluate"][case] = {
            "list": [
                float(v) for v in m.evaluate(x, y, batch_size=16, sample_weight=sw, verbose=0)
            ],
            "dict": {
                k: float(v)
                for k, v in m.evaluate(
                    x, y, batch_size=16, sample_weight=sw, verbose=0, return_dict=True
                ).items()
            },
        }
        out["predict"][case] = as_json(m.predict(x, batch_size=16, verbose=0))
    m = two_heads("dict")
    m.compile(optimizer=optimizers.SGD(learning_rate=0.05), **by_name)
    first = {"a": X1[:8], "b": X2[:8]}, {"cls": Y_CLS[:8], "reg": Y_REG[:8]}
    out["batch"]["train_on_batch"] = [float(v) for v in m.train_on_batch(*first)]
    out["batch"]["train_on_batch, dict, sample weights"] = {
        k: float(v)
        for k, v in m.train_on_batch(
            *first, sample_weight={"reg": SW[:8]}, return_dict=True, reset_metrics=False
        ).items()
    }
    out["batch"]["test_on_batch"] = [float(v) for v in m.test_on_batch(*first)]
    out["batch"]["predict_on_batch"] = as_json(m.predict_on_batch(first[0]))
    out["batch"]["predict_on_batch, tuple"] = as_json(two_heads("tuple").predict_on_batch(xs))
    out["batch"]["metrics_names"] = m.metrics_names
    return out


def functional_names() -> dict:
    """A functional two-input, two-output model: inputs and outputs keyed by their layers' names."""
    in_a, in_b = layers.Input((5,), name="in_a"), layers.Input((3,), name="in_b")
    hidden = layers.Dense(4, activation="relu", name="hidden_a")(in_a)
    outputs = [
        layers.Dense(3, activation="softmax", name="cls")(hidden),
        layers.Dense(2, name="reg")(layers.Dense(4, activation="tanh", name="hidden_b")(in_b)),
    ]
    m = Model([in_a, in_b], outputs)
    start = np.random.default_rng(11)
    m.set_weights([start.normal(0, 0.4, w.shape).astype("float32") for w in m.get_weights()])
    m.compile(
        optimizer=optimizers.SGD(learning_rate=0.05),
        loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
        loss_weights=[0.5, 1.0],
        metrics={"cls": ["accuracy"], "reg": ["mae"]},
    )
    h = m.fit(
        {"in_a": X1, "in_b": X2},
        {"cls": Y_CLS, "reg": Y_REG},
        batch_size=8,
        epochs=2,
        shuffle=False,
        verbose=0,
    )
    return {
        "output_names": m.output_names,
        "history": floats(h),
        "predict": as_json(m.predict([X1, X2], verbose=0)),
    }


def single_output_names() -> dict:
    """One output: no prefixes; a weighted metric that repeats a metric's name becomes weighted_<name>."""

    class One(Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)

    m = One()
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae"])
    h = m.fit(X1, Y_REG, batch_size=8, epochs=1, verbose=0, sample_weight=SW)
    by_dict = One()
    by_dict.compile(optimizer="sgd", loss={"output_1": "mse"}, loss_weights=[2.0])
    h2 = by_dict.fit(X1, Y_REG, batch_size=8, epochs=1, verbose=0)
    return {"weighted": sorted(h.history), "dict loss": sorted(h2.history)}


def error(fn) -> str:
    try:
        fn()
    except Exception as exc:  # the message is what is compared
        text = str(exc)
        if "in user code" in text:
            # TF-Keras wraps errors raised while tracing a graph in a traceback: the last line names the problem
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            text = (
                lines[-1].split(": ", 1)[1]
                if lines[-1].startswith(type(exc).__name__)
                else lines[-1]
            )
        return f"{type(exc).__name__}: {text}"
    return "no error"


def errors() -> dict:
    xs, xd = [X1, X2], {"a": X1, "b": X2}
    ys, yd = [Y_CLS, Y_REG], {"cls": Y_CLS, "reg": Y_REG}
    by_name = {"cls": "sparse_categorical_crossentropy", "reg": "mse"}

    def fit(kind="list", x=xs, y=ys, loss=("sparse_categorical_crossentropy", "mse"), **kw):
        compile_args = {k: kw.pop(k) for k in ("loss_weights", "metrics") if k in kw}
        m = two_heads(kind)
        m.compile(
            optimizer="sgd", loss=list(loss) if isinstance(loss, tuple) else loss, **compile_args
        )
        m.fit(x, y, batch_size=8, epochs=1, verbose=0, **kw)

    out = {
        "loss dict key that is no output": lambda: fit(loss={"output_1": "mse", "nope": "mse"}),
        "loss_weights dict key that is no output": lambda: fit(loss_weights={"nope": 1.0}),
        "metrics dict key that is no output": lambda: fit(metrics={"nope": ["mae"]}),
        "targets for one output of two (list)": lambda: fit(y=[Y_CLS]),
        "targets for three outputs of two (list)": lambda: fit(y=[Y_CLS, Y_REG, Y_REG]),
        "targets dict with a key that is no output": lambda: fit(
            "dict", xd, {"cls": Y_CLS, "reg": Y_REG, "nope": Y_REG}, loss=by_name
        ),
        "targets list for dict outputs": lambda: fit("dict", xd, ys, loss=by_name),
        "metrics list of lists one short": lambda: fit(metrics=[["mae"]]),
        "class_weight with two outputs": lambda: fit(class_weight={0: 1.0, 1: 2.0, 2: 1.0}),
        "cardinality, an input short": lambda: fit(x=[X1, X2[:30]]),
        "cardinality, a target short": lambda: fit(y=[Y_CLS, Y_REG[:30]]),
        "cardinality, dict inputs": lambda: fit("dict", {"a": X1, "b": X2[:30]}, yd),
        "cardinality, sample weights": lambda: fit(sample_weight=[SW, SW[:30]]),
        "train_on_batch cardinality": lambda: two_heads().train_on_batch([X1, X2[:6]], ys),
        "duplicated metric object": lambda: two_heads().compile(
            loss="mse", metrics=[shared := metrics.MeanAbsoluteError()], weighted_metrics=[shared]
        ),
        "two metrics of one name": lambda: fit(metrics=[["mae", "mae"], []]),
        # Keras 2 says nothing here (the last one fails with an AttributeError); fittrace does, on purpose
        "loss list one short": lambda: fit(loss=("mse",)),
        "loss list one too many": lambda: fit(
            loss=("sparse_categorical_crossentropy", "mse", "mse")
        ),
        "loss_weights list one short": lambda: fit(loss_weights=[1.0]),
        "loss dict key that is no output of a dict output": lambda: fit(
            "dict", xd, yd, loss={"cls": "sparse_categorical_crossentropy", "nope": "mse"}
        ),
        "predict cardinality, dict inputs": lambda: two_heads("dict").predict(
            {"a": X1, "b": X2[:30]}, verbose=0
        ),
    }
    return {case: error(fn) for case, fn in out.items()}


if __name__ == "__main__":
    result = cases()
    result["single output names"] = single_output_names()
    result["functional"] = functional_names()
    result["errors"] = errors()
    print(json.dumps(result))
