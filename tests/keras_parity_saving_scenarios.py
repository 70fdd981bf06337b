"""Whole-model files written by one side and read by the other, for tests/test_keras_parity_saving.py to compare.

    python keras_parity_saving_scenarios.py tf save DIR             # writes DIR/tf/*.keras and *.h5
    python keras_parity_saving_scenarios.py fittrace load DIR tf    # loads DIR/tf/ and trains on

``save``: builds each model (Sequential ones with Dense, Conv2D+pooling+Flatten, BatchNormalization and Dropout
layers; functional ones with a branch joined by Concatenate and Add, two inputs and two outputs, a shared layer,
a nested model), sets the same weights on both sides (one seeded generator), compiles it with Adam and metrics,
trains it two epochs, saves ``NAME.keras`` and ``NAME.h5`` into ``DIR/SIDE/``, then trains one epoch more. It
prints the predictions at the save, the epoch after it (its logs and the predictions after it), the same model
trained three epochs straight from the same weights, and the files' configs. It also saves a model with a Python
lambda in a Lambda layer and one with a registered custom layer. ``load``: loads every file the other side wrote,
predicts, trains one epoch more, and prints the predictions before and after, the logs, the optimizer's
iteration count and whether the model came back compiled; then the whole messages of the loads Keras refuses (a
lambda in safe mode, a custom class the loading side does not know) and what the lambda and custom-layer files
give when they are allowed. Prints one JSON object on its last line. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
import zipfile

import h5py
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
TF = sys.argv[1] == "tf"
ACTION = sys.argv[2]
if TF:
    import tf_keras as keras
    from tf_keras import layers, optimizers
else:
    import fittrace.keras as keras
    from fittrace.keras import layers, optimizers

Input, Model, Sequential = keras.Input, keras.Model, keras.Sequential
load_model = keras.models.load_model

rng = np.random.default_rng(0)
X = rng.random((16, 8)).astype("float32")
X2 = rng.random((16, 5)).astype("float32")
IMAGES = rng.random((16, 8, 8, 2)).astype("float32")
Y = rng.random((16, 3)).astype("float32")
Y_CLS = rng.integers(0, 2, size=(16,)).astype("int64")


def _dense():
    return Sequential(
        [
            layers.Dense(6, activation="relu", input_shape=(8,), name="d1"),
            layers.Dense(3, name="d2"),
        ],
        name="dense",
    )


def _conv():
    return Sequential(
        [
            layers.Conv2D(4, 3, activation="relu", input_shape=(8, 8, 2), name="conv"),
            layers.MaxPooling2D(name="pool"),
            layers.Flatten(name="flat"),
            layers.Dense(3, name="out"),
        ],
        name="conv",
    )


def _batchnorm():
    return Sequential(
        [
            layers.Dense(6, input_shape=(8,), name="d1"),
            layers.BatchNormalization(name="bn"),
            layers.Dense(3, name="d2"),
        ],
        name="batchnorm",
    )


def _dropout():
    return Sequential(
        [
            layers.Dense(6, activation="relu", input_shape=(8,), name="d1"),
            layers.Dropout(0.5, name="drop"),
            layers.Dense(3, name="d2"),
        ],
        name="dropout",
    )


def _branch():
    x = Input((8,), name="x")
    a = layers.Dense(4, activation="relu", name="a")(x)
    b = layers.Dense(4, activation="tanh", name="b")(x)
    c = layers.Concatenate(name="cat")([a, b])
    d = layers.Add(name="add")([layers.Dense(4, name="c")(c), a])
    return Model(x, layers.Dense(3, name="out")(d), name="branch")


def _multiio():
    a = Input((8,), name="in_a")
    b = Input((5,), name="in_b")
    h = layers.Concatenate(name="cat")(
        [layers.Dense(4, activation="relu", name="da")(a), layers.Dense(4, name="db")(b)]
    )
    reg = layers.Dense(3, name="reg")(h)
    cls = layers.Dense(2, activation="softmax", name="cls")(h)
    return Model([a, b], [reg, cls], name="multiio")


def _shared():
    x1 = Input((8,), name="x1")
    x2 = Input((8,), name="x2")
    shared = layers.Dense(4, activation="relu", name="shared")
    joined = layers.Add(name="add")([shared(x1), shared(x2)])
    return Model([x1, x2], layers.Dense(3, name="out")(joined), name="shared")


def _nested():
    inner = Sequential(
        [
            layers.Dense(5, activation="relu", input_shape=(8,), name="i1"),
            layers.Dense(4, name="i2"),
        ],
        name="inner",
    )
    x = Input((8,), name="x")
    return Model(x, layers.Dense(3, name="out")(inner(x)), name="nested")


# name -> (builder, inputs, targets, compile arguments)
MSE = {"loss": "mse", "metrics": ["mae"]}
MODELS = {
    "dense": (_dense, X, Y, MSE),
    "conv": (_conv, IMAGES, Y, MSE),
    "batchnorm": (_batchnorm, X, Y, MSE),
    "dropout": (_dropout, X, Y, MSE),
    "branch": (_branch, X, Y, {"loss": "mse", "metrics": ["mae", "mse"]}),
    "multiio": (
        _multiio,
        [X, X2],
        [Y, Y_CLS],
        {
            "loss": {"reg": "mse", "cls": "sparse_categorical_crossentropy"},
            "loss_weights": {"reg": 1.0, "cls": 0.5},
            "metrics": {"reg": ["mae"], "cls": ["accuracy"]},
        },
    ),
    "shared": (_shared, [X, X], Y, MSE),
    "nested": (_nested, X, Y, MSE),
}
#: Models whose training draws random numbers (dropout masks): the two sides cannot train them alike.
RANDOM_TRAINING = {"dropout"}


def _starting_weights(model, seed: int) -> list[np.ndarray]:
    gen = np.random.default_rng(seed)
    out = []
    for w in model.weights:
        shape = tuple(w.shape)
        if "moving_variance" in w.name:
            out.append(gen.uniform(0.5, 1.5, size=shape).astype("float32"))
        else:
            out.append(gen.uniform(-0.5, 0.5, size=shape).astype("float32"))
    return out


def _compiled(name: str):
    builder, _, _, args = MODELS[name]
    model = builder()
    model.set_weights(_starting_weights(model, sorted(MODELS).index(name)))
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), **args)
    return model


def _fit(model, name: str, epochs: int) -> dict:
    _, x, y, _ = MODELS[name]
    history = model.fit(x, y, epochs=epochs, batch_size=4, shuffle=False, verbose=0)
    return {k: [float(v) for v in vs] for k, vs in history.history.items()}


def _predict(model, name: str):
    out = model.predict(MODELS[name][1], verbose=0)
    if isinstance(out, list):
        return [o.tolist() for o in out]
    return out.tolist()


def _iterations(model) -> int:
    return int(keras.backend.get_value(model.optimizer.iterations))


def _keras_config(path: str) -> dict:
    with zipfile.ZipFile(path) as zf:
        out = {
            "config": json.loads(zf.read("config.json")),
            "metadata": json.loads(zf.read("metadata.json")),
            "members": zf.namelist(),
        }
        weights = os.path.join(os.path.dirname(path), "_weights.h5")
        with open(weights, "wb") as fh:
            fh.write(zf.read("model.weights.h5"))
    with h5py.File(weights, "r") as f:
        paths = []
        f.visititems(lambda n, o: paths.append(n))
        out["weights"] = sorted(paths)
    os.unlink(weights)
    return out


def _h5_config(path: str) -> dict:
    with h5py.File(path, "r") as f:
        attrs = {}
        for key in ("model_config", "training_config"):
            value = f.attrs.get(key)
            attrs[key] = None if value is None else json.loads(value)
        attrs["keras_version"] = str(f.attrs["keras_version"])
        attrs["backend"] = str(f.attrs["backend"])
        groups = []
        f.visititems(lambda n, o: groups.append(n))
        attrs["paths"] = sorted(groups)
    return attrs


# --- the custom layer and the lambda -------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="parity")
class Scale(layers.Layer):
    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _custom_model():
    x = Input((8,), name="x")
    return Model(x, Scale(3.0, name="scale")(layers.Dense(3, name="d")(x)), name="custom")


def _lambda_model():
    x = Input((8,), name="x")
    return Model(x, layers.Lambda(lambda t: t * 2.0 + 1.0, name="twice")(x), name="lam")


def _message(fn) -> str:
    try:
        fn()
    except Exception as e:  # the whole message, with its type, is what is compared
        return f"{type(e).__name__}: {e}"
    return "no error"


def save(folder: str) -> dict:
    here = os.path.join(folder, sys.argv[1])
    os.makedirs(here, exist_ok=True)
    out: dict = {"saved": {}, "continued": {}, "straight": {}, "configs": {}, "h5": {}}
    for name in MODELS:
        model = _compiled(name)
        _fit(model, name, 2)
        model.save(os.path.join(here, f"{name}.keras"))
        model.save(os.path.join(here, f"{name}.h5"))
        out["saved"][name] = {
            "predictions": _predict(model, name),
            "iterations": _iterations(model),
        }
        logs = _fit(model, name, 1)
        out["continued"][name] = {"logs": logs, "predictions": _predict(model, name)}
        straight = _compiled(name)
        logs = _fit(straight, name, 3)
        out["straight"][name] = {
            "logs": {k: v[-1:] for k, v in logs.items()},
            "predictions": _predict(straight, name),
        }
        out["configs"][name] = _keras_config(os.path.join(here, f"{name}.keras"))
        out["h5"][name] = _h5_config(os.path.join(here, f"{name}.h5"))
    custom = _custom_model()
    custom.set_weights(_starting_weights(custom, 99))
    lam = _lambda_model()
    for ext in (".keras", ".h5"):
        custom.save(os.path.join(here, f"custom{ext}"))
        lam.save(os.path.join(here, f"lambda{ext}"))
    out["custom"] = custom.predict(X, verbose=0).tolist()
    out["lambda"] = lam.predict(X, verbose=0).tolist()
    return out


def load(folder: str, other: str) -> dict:
    there = os.path.join(folder, other)
    out: dict = {"loaded": {}}
    for name in MODELS:
        for ext in (".keras", ".h5"):
            model = load_model(os.path.join(there, f"{name}{ext}"))
            before = _predict(model, name)
            iterations = _iterations(model)
            logs = _fit(model, name, 1)
            out["loaded"][f"{name}{ext}"] = {
                "predictions": before,
                "iterations": iterations,
                "compiled": bool(model._is_compiled),
                "metrics_names": model.metrics_names,
                "logs": logs,
                "after": _predict(model, name),
                "class_name": type(model).__name__,
            }
    messages, allowed = {}, {}
    for ext in (".keras", ".h5"):
        lam_path = os.path.join(there, f"lambda{ext}")
        if ext == ".keras":  # tf-keras loads a .h5 lambda without asking
            messages[f"lambda{ext}"] = _message(lambda p=lam_path: load_model(p))
        lam = load_model(lam_path, safe_mode=False)
        allowed[f"lambda{ext}"] = lam.predict(X, verbose=0).tolist()
        custom = load_model(os.path.join(there, f"custom{ext}"))  # Scale is registered here
        allowed[f"custom{ext}"] = custom.predict(X, verbose=0).tolist()
    # the same file where the class is not known
    del keras.saving.get_custom_objects()["parity>Scale"]
    messages["custom.keras"] = _message(lambda: load_model(os.path.join(there, "custom.keras")))
    messages["custom.h5"] = _message(lambda: load_model(os.path.join(there, "custom.h5")))
    given = load_model(os.path.join(there, "custom.keras"), custom_objects={"parity>Scale": Scale})
    allowed["custom.keras with custom_objects"] = given.predict(X, verbose=0).tolist()
    given = load_model(os.path.join(there, "custom.h5"), custom_objects={"parity>Scale": Scale})
    allowed["custom.h5 with custom_objects"] = given.predict(X, verbose=0).tolist()
    out["messages"], out["allowed"] = messages, allowed
    return out


if __name__ == "__main__":
    if ACTION == "save":
        result = save(sys.argv[3])
    else:
        result = load(sys.argv[3], sys.argv[4])
    print(json.dumps(result))
