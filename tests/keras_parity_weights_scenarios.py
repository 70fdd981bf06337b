"""Weight files written by one side and read by the other, for tests/test_keras_parity_weights.py to compare.

    python keras_parity_weights_scenarios.py tf save DIR            # writes DIR/tf/*.weights.h5 and *.h5
    python keras_parity_weights_scenarios.py fittrace load DIR tf   # reads DIR/tf/ into fresh models

``save``: builds each model, sets the same weights on both sides (from one seeded generator), saves it as
``NAME.weights.h5`` and ``NAME.h5`` into ``DIR/SIDE/``, and prints the predictions, the optimizer's variables
(for the trained model) and the layout of the files written (every group and dataset, the key attributes).
The models: Sequential ones with Dense, Conv2D+pooling+Flatten, BatchNormalization and Dropout layers, a nested
Sequential, a functional model and a subclassed one. ``load``: builds the same models with their own starting
weights, loads the files the other side wrote, and prints the predictions before and after, the optimizer's
variables, and the whole messages of the loads Keras refuses.
Prints one JSON object on its last line. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import os
import sys

import h5py
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tf_keras as keras
    from tf_keras import layers, optimizers

    Sequential, Model = keras.Sequential, keras.Model
else:
    from fittrace.keras import layers, optimizers
    from fittrace.keras.models import Model, Sequential
    from fittrace.saving.saving_lib import optimizer_variables

rng = np.random.default_rng(0)
X = {
    "flat": rng.random((6, 8)).astype("float32"),
    "image": rng.random((4, 8, 8, 2)).astype("float32"),
}


class TwoDense(Model):
    def __init__(self, units: int = 2):
        super().__init__(name="two_dense")
        self.d1 = layers.Dense(3, activation="relu", name="d1")
        self.d2 = layers.Dense(units, name="d2")

    def call(self, x):
        return self.d2(self.d1(x))


def _sequential(layer_list, shape, name):
    m = Sequential(layer_list, name=name)
    m.build((None, *shape))
    return m


# name -> (builder, input); each builder gives a fresh, built model with its own starting weights
MODELS = {
    "dense": (
        lambda: _sequential(
            [layers.Dense(6, activation="relu", name="d1"), layers.Dense(3, name="d2")],
            (8,),
            "dense",
        ),
        "flat",
    ),
    "conv": (
        lambda: _sequential(
            [
                layers.Conv2D(4, 3, activation="relu", name="conv"),
                layers.MaxPooling2D(name="pool"),
                layers.Flatten(name="flat"),
                layers.Dense(3, name="out"),
            ],
            (8, 8, 2),
            "conv",
        ),
        "image",
    ),
    "batchnorm": (
        lambda: _sequential(
            [
                layers.Dense(5, name="d1"),
                layers.BatchNormalization(name="bn"),
                layers.Dense(2, name="d2"),
            ],
            (8,),
            "batchnorm",
        ),
        "flat",
    ),
    "dropout": (
        lambda: _sequential(
            [
                layers.Dense(5, name="d1"),
                layers.Dropout(0.5, name="drop"),
                layers.Dense(2, name="d2"),
            ],
            (8,),
            "dropout",
        ),
        "flat",
    ),
    "subclassed": (lambda: _called(TwoDense()), "flat"),
    "functional": (lambda: _functional(), "flat"),
    "nested": (
        lambda: _sequential(
            [
                layers.Dense(5, name="first"),
                Sequential([layers.Dense(4, name="i1"), layers.Dense(3, name="i2")], name="inner"),
                layers.Dense(2, name="last"),
            ],
            (8,),
            "nested",
        ),
        "flat",
    ),
}


def _functional():
    x = layers.Input((8,), name="x")
    h = layers.Dense(4, activation="tanh", name="h")(x)
    return Model(x, layers.Dense(2, name="o")(h), name="functional")


def _called(m):
    m(X["flat"][:1])
    return m


def shared_weights(model, seed: int) -> list[np.ndarray]:
    """The same arrays on both sides, shaped like the model's weights (variances kept positive)."""
    g = np.random.default_rng(seed)
    out = []
    for w in model.weights:
        value = g.normal(0, 0.5, tuple(w.shape)).astype("float32")
        out.append(np.abs(value) + 0.5 if "moving_variance" in w.name else value)
    return out


def predict(model, data: str) -> list:
    return np.asarray(model.predict(X[data], verbose=0)).tolist()


def _iterations(opt) -> int:
    it = opt.iterations
    return int(it.numpy()) if hasattr(it, "numpy") else int(it)


def optimizer_state(model) -> list:
    """The optimizer's variables in Keras's order, the iteration count first."""
    if TF:
        return [np.asarray(v.numpy()).tolist() for v in model.optimizer.variables]
    return [np.asarray(v.value).tolist() for v in optimizer_variables(model.optimizer)]


def trained(seed: int, steps: int):
    """The dense model with Adam after ``steps`` batches of fixed data (its optimizer and metrics exist)."""
    m = MODELS["dense"][0]()
    m.set_weights(shared_weights(m, seed))
    m.compile(optimizers.Adam(learning_rate=0.01), "mse", metrics=["mae"])
    y = np.linspace(-1, 1, 18, dtype="float32").reshape(6, 3)
    m.fit(X["flat"], y, batch_size=3, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
    return m


def layout(path: str) -> dict:
    """Every group and dataset (with shape and dtype) and the attributes Keras reads, decoded."""
    out: dict = {}

    def text(v):
        if isinstance(v, bytes):
            return v.decode()
        if isinstance(v, np.ndarray):
            return [text(x) for x in v.tolist()]
        return v

    def visit(name, obj):
        entry = {"kind": "dataset" if isinstance(obj, h5py.Dataset) else "group"}
        if isinstance(obj, h5py.Dataset):
            entry.update(shape=list(obj.shape), dtype=str(obj.dtype))
        entry["attrs"] = attrs(obj)
        out[name] = entry

    def attrs(
        obj,
    ) -> dict:  # each value, and how HDF5 stores it (a variable-length string, a float array...)
        return {
            k: {"value": text(obj.attrs[k]), "stored_as": str(obj.attrs.get_id(k).dtype)}
            for k in sorted(obj.attrs)
        }

    with h5py.File(path, "r") as f:
        out["/"] = {"kind": "root", "attrs": attrs(f)}
        f.visititems(visit)
    return out


def error(fn, folder: str = "") -> str:
    """The exception's type and whole message (the folder, which differs between the sides, as FOLDER)."""
    try:
        fn()
    except Exception as e:
        text = f"{type(e).__name__}: {e}"
        return text.replace(folder, "FOLDER") if folder else text
    return "no error"


def save(folder: str) -> dict:
    os.makedirs(folder, exist_ok=True)
    out: dict = {"predictions": {}, "layouts": {}}
    for seed, (name, (build, data)) in enumerate(MODELS.items()):
        m = build()
        m.set_weights(shared_weights(m, seed))
        out["predictions"][name] = predict(m, data)
        for ending in (".weights.h5", ".h5"):
            path = os.path.join(folder, name + ending)
            m.save_weights(path)
            out["layouts"][name + ending] = layout(path)
    m = trained(seed=10, steps=2)
    out["predictions"]["trained"] = predict(m, "flat")
    out["optimizer"] = optimizer_state(m)
    m.save_weights(os.path.join(folder, "trained.weights.h5"))
    out["layouts"]["trained.weights.h5"] = layout(os.path.join(folder, "trained.weights.h5"))
    return out


def load(folder: str) -> dict:
    out: dict = {"before": {}, "after": {}}
    for name, (build, data) in MODELS.items():
        for ending in (".weights.h5", ".h5"):
            m = build()
            out["before"][name + ending] = predict(m, data)
            m.load_weights(os.path.join(folder, name + ending))
            out["after"][name + ending] = predict(m, data)
    m = trained(seed=11, steps=1)  # its optimizer is built, so the saved state loads into it
    m.load_weights(os.path.join(folder, "trained.weights.h5"))
    out["after"]["trained.weights.h5"] = predict(m, "flat")
    out["optimizer"] = optimizer_state(m)
    out["iterations"] = _iterations(m.optimizer)
    out["errors"] = errors(folder)
    return out


def errors(folder: str) -> dict:
    dense, dense_h5 = os.path.join(folder, "dense.weights.h5"), os.path.join(folder, "dense.h5")

    def model(*units, names=("d1", "d2", "d3")):
        return _sequential(
            [layers.Dense(u, name=names[i]) for i, u in enumerate(units)], (8,), "other"
        )

    def unbuilt():
        return Sequential([layers.Dense(6, name="d1"), layers.Dense(3, name="d2")], name="unbuilt")

    return {
        "new format, one layer more": error(lambda: model(6, 3, 1).load_weights(dense)),
        "new format, another shape": error(lambda: model(6, 4).load_weights(dense)),
        "new format, unbuilt model": error(lambda: unbuilt().load_weights(dense)),
        "legacy, one layer more": error(lambda: model(6, 3, 1).load_weights(dense_h5)),
        "legacy, one layer fewer": error(lambda: model(6).load_weights(dense_h5)),
        "legacy, another shape": error(lambda: model(6, 4).load_weights(dense_h5)),
        "legacy, by name, another shape": error(
            lambda: model(6, 4).load_weights(dense_h5, by_name=True)
        ),
        "legacy, skip_mismatch without by_name": error(
            lambda: model(6, 4).load_weights(dense_h5, skip_mismatch=True)
        ),
        "legacy, unbuilt model": error(lambda: unbuilt().load_weights(dense_h5)),
        "legacy, unknown save_format": error(
            lambda: model(6, 3).save_weights(os.path.join(folder, "x.h5"), save_format="pickle")
        ),
        "legacy, save_format tf for an .h5 path": error(
            lambda: model(6, 3).save_weights(os.path.join(folder, "x.h5"), save_format="tf"), folder
        ),
        "legacy, unbuilt model saved": error(
            lambda: unbuilt().save_weights(os.path.join(folder, "x.h5"))
        ),
        "by name, skip_mismatch loads what fits": by_name_skip(dense_h5),
    }


def by_name_skip(path: str) -> str:
    """Load into a model whose first layer is wider: which weights come from the file (shapes as loaded)."""
    m = _sequential([layers.Dense(7, name="d1"), layers.Dense(3, name="d2")], (8,), "wider")
    before = [np.asarray(w).copy() for w in m.get_weights()]
    m.load_weights(path, by_name=True, skip_mismatch=True)
    return json.dumps([not np.array_equal(a, b) for a, b in zip(before, m.get_weights())])


if __name__ == "__main__":
    if TF:
        keras.utils.set_random_seed(0)
    mode, folder = sys.argv[2], sys.argv[3]
    if mode == "save":
        result = save(os.path.join(folder, sys.argv[1]))
    else:
        result = load(os.path.join(folder, sys.argv[4]))
    print(json.dumps(result))
