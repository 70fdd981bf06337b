"""Scenarios for masks (Embedding, Masking, TimeDistributed and the masked loss and metrics), run twice, by real
TF-Keras 2 and by fittrace, for tests/test_keras_parity_masks.py to compare.

    python keras_parity_masks_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_masks_scenarios.py fittrace  # under the test environment

Prints one JSON object: for models that make a mask (Embedding(mask_zero=True), Masking) and pass it through
TimeDistributed(Dense) and Dense, fitted 2 epochs from the same weights, the history (masked loss and metrics),
evaluate, predictions, final weights and the output's mask; the mask values and symbolic mask shapes of single
layers; the layers' configs as JSON; and the messages of the errors. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras import layers, optimizers
else:
    import fittrace.keras as keras
    from fittrace.autodiff import Tensor
    from fittrace.keras import layers, optimizers

R = np.random.default_rng(0)
#: padded id sequences: zeros at the end, one row all padding but its first id
IDS = np.array(
    [[(i * 7 + j) % 11 + 1 if j < 2 + i % 5 else 0 for j in range(6)] for i in range(12)]
)
IDS[3, 1:] = 0
Y_SEQ = R.normal(size=(12, 6, 1)).astype("float32")
Y_CLASSES = R.integers(0, 3, size=(12, 6))
SAMPLE_WEIGHT = np.linspace(0.5, 2.0, 12).astype("float32")
#: float sequences whose padded steps are all -1
STEPS = R.normal(size=(10, 5, 3)).astype("float32")
for row, length in enumerate([5, 3, 1, 4, 2, 5, 3, 2, 4, 1]):
    STEPS[row, length:] = -1.0
Y_STEPS = R.normal(size=(10, 5, 1)).astype("float32")


def fresh() -> None:
    keras.backend.clear_session()


def same_weights(model) -> list[np.ndarray]:
    rng = np.random.default_rng(42)
    return [rng.normal(0, 0.4, tuple(w.shape)).astype("float32") for w in model.weights]


def as_list(x):
    return None if x is None else np.asarray(x).tolist()


def mask_of(t):
    return as_list(getattr(t, "_keras_mask", None))


def symbolic_mask_shape(t):
    m = getattr(t, "_keras_mask", None)
    return None if m is None else [None if d is None else int(d) for d in m.shape]


def fitted(model, x, y, loss, metrics, weighted=None, sample_weight=None) -> dict:
    model.set_weights(same_weights(model))
    model.compile(
        optimizer=optimizers.SGD(learning_rate=0.1),
        loss=loss,
        metrics=metrics,
        weighted_metrics=weighted,
    )
    before = model.evaluate(x, y, sample_weight=sample_weight, batch_size=4, verbose=0)
    history = model.fit(
        x, y, sample_weight=sample_weight, batch_size=4, epochs=2, shuffle=False, verbose=0
    )
    after = model.evaluate(x, y, sample_weight=sample_weight, batch_size=4, verbose=0)
    return {
        "weight_shapes": [list(w.shape) for w in model.get_weights()],
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "evaluate_before": [float(v) for v in np.atleast_1d(before)],
        "evaluate_after": [float(v) for v in np.atleast_1d(after)],
        "predictions": as_list(model.predict(x, verbose=0)),
        "output_mask": mask_of(model(x)),
        "symbolic_output_mask": symbolic_mask_shape(model.outputs[0]),
        "weights": [as_list(w) for w in model.get_weights()],
    }


def models() -> dict:
    out = {}
    fresh()
    inp = keras.Input((6,))
    h = layers.Embedding(12, 4, mask_zero=True)(inp)
    h = layers.TimeDistributed(layers.Dense(3, activation="tanh"))(h)
    model = keras.Model(inp, layers.Dense(1)(h))
    out["functional embedding -> TimeDistributed(Dense) -> Dense, mse"] = fitted(
        model, IDS, Y_SEQ, "mse", ["mae"], ["mse"], sample_weight=SAMPLE_WEIGHT
    )
    fresh()
    inp = keras.Input((6,))
    h = layers.Embedding(12, 4)(
        inp
    )  # the same model without the mask, for the test to see it mattered
    h = layers.TimeDistributed(layers.Dense(3, activation="tanh"))(h)
    model = keras.Model(inp, layers.Dense(1)(h))
    out["functional, the same without mask_zero"] = fitted(
        model, IDS, Y_SEQ, "mse", ["mae"], ["mse"], sample_weight=SAMPLE_WEIGHT
    )
    fresh()
    model = keras.Sequential(
        [
            layers.Masking(mask_value=-1.0, input_shape=(5, 3)),
            layers.TimeDistributed(layers.Dense(4, activation="relu")),
            layers.Dense(1),
        ]
    )
    out["sequential Masking -> TimeDistributed(Dense) -> Dense, mae"] = fitted(
        model, STEPS, Y_STEPS, "mae", ["mse"]
    )
    fresh()
    model = keras.Sequential(
        [layers.Embedding(12, 5, mask_zero=True), layers.Dense(3, activation="softmax")]
    )
    out["sequential embedding -> Dense softmax, sparse crossentropy"] = fitted(
        model, IDS, Y_CLASSES, "sparse_categorical_crossentropy", ["accuracy"]
    )
    fresh()
    model = keras.Sequential([layers.Embedding(12, 5), layers.Dense(1)])  # no mask: the plain mean
    out["sequential embedding without mask_zero, mse"] = fitted(model, IDS, Y_SEQ, "mse", ["mae"])
    return out


def tensor(x):
    return tf.constant(x) if TF else Tensor(x)


def single_layers() -> dict:
    fresh()
    out = {}
    emb = layers.Embedding(12, 3, mask_zero=True)
    e = emb(IDS[:4])
    out["embedding mask"] = mask_of(e)
    out["embedding -> Dense mask"] = mask_of(layers.Dense(2)(e))
    out["embedding -> Flatten mask"] = mask_of(layers.Flatten()(e))
    out["embedding -> TimeDistributed(Dense) mask"] = mask_of(
        layers.TimeDistributed(layers.Dense(2))(e)
    )
    out["embedding compute_mask"] = as_list(emb.compute_mask(IDS[:2]))
    out["embedding without mask_zero compute_mask"] = as_list(
        layers.Embedding(12, 3).compute_mask(IDS[:2])
    )
    out["embedding float ids"] = as_list(
        np.asarray(emb(np.array([[1.7, 2.2, 0.0]], "float32")))
        - np.asarray(emb(np.array([[1, 2, 0]])))
    )
    masking = layers.Masking(mask_value=-1.0)
    m = masking(STEPS[:3])
    out["masking output"] = as_list(m)
    out["masking mask"] = mask_of(m)
    out["masking compute_mask"] = as_list(masking.compute_mask(STEPS[:3]))
    td = layers.TimeDistributed(layers.Masking(mask_value=-1.0))
    deep = np.stack([STEPS[:3], STEPS[:3]], axis=2)  # (3, 5, 2, 3): a mask per sub-step
    out["TimeDistributed(Masking) mask"] = mask_of(td(deep))
    td_dense = layers.TimeDistributed(layers.Dense(2))
    out["TimeDistributed(Dense) explicit mask"] = mask_of(
        td_dense(STEPS[:2], mask=np.array([[1, 0, 1, 0, 1], [1, 1, 0, 0, 0]], bool))
    )
    out["supports_masking"] = {
        "Embedding": layers.Embedding(3, 2).supports_masking,
        "Embedding(mask_zero=True)": layers.Embedding(3, 2, mask_zero=True).supports_masking,
        "Masking": layers.Masking().supports_masking,
        "TimeDistributed": layers.TimeDistributed(layers.Dense(1)).supports_masking,
        "Dense": layers.Dense(1).supports_masking,
        "Flatten": layers.Flatten().supports_masking,
        "Layer": layers.Layer().supports_masking,
    }
    inp = keras.Input((6,))
    e = layers.Embedding(12, 3, mask_zero=True)(inp)
    t = layers.TimeDistributed(layers.Dense(2))(e)
    f = layers.Flatten()(t)
    mi = keras.Input((5, 3))
    mk = layers.Masking()(mi)
    out["symbolic masks"] = {
        "Embedding": symbolic_mask_shape(e),
        "TimeDistributed": symbolic_mask_shape(t),
        "Flatten": symbolic_mask_shape(f),
        "Masking": symbolic_mask_shape(mk),
        "Dense after Masking": symbolic_mask_shape(layers.Dense(2)(mk)),
        "Input": symbolic_mask_shape(inp),
    }
    return out


def configs() -> dict:
    fresh()
    td = layers.TimeDistributed(layers.Dense(2, name="step"), name="td")
    td(np.ones((2, 4, 3), "float32"))
    found = {
        "Embedding": layers.Embedding(10, 3).get_config(),
        "Embedding(all arguments)": layers.Embedding(
            7,
            2,
            embeddings_initializer="glorot_uniform",
            embeddings_regularizer="l2",
            mask_zero=True,
            input_length=5,
            name="emb",
        ).get_config(),
        "Masking": layers.Masking(mask_value=-1.0).get_config(),
        "TimeDistributed(Dense), built": td.get_config(),
    }
    return json.loads(json.dumps(found, default=str))


def error(fn) -> dict:
    try:
        fn()
    except Exception as exc:  # the error is the answer
        return {"type": type(exc).__name__, "message": str(exc)}
    return {"type": None, "message": None}


def errors() -> dict:
    fresh()
    seq = keras.Sequential([layers.Embedding(10, 3, input_length=4)])
    masked = layers.Embedding(12, 3, mask_zero=True)(IDS[:2])
    return {
        "Embedding input_dim 0": error(lambda: layers.Embedding(0, 3)),
        "Embedding output_dim -1": error(lambda: layers.Embedding(3, -1)),
        "Embedding compute_output_shape against input_length": error(
            lambda: layers.Embedding(10, 3, input_length=4).compute_output_shape((None, 7))
        ),
        "Embedding compute_output_shape, rank against input_length": error(
            lambda: layers.Embedding(10, 3, input_length=4).compute_output_shape((None, 4, 2))
        ),
        "Sequential with input_length, longer sequence": error(
            lambda: seq(np.zeros((2, 7), "int32"))
        ),
        "Embedding id out of range": error(lambda: layers.Embedding(10, 3)(np.array([[1, 12]]))),
        "TimeDistributed of a non-layer": error(lambda: layers.TimeDistributed(3)),
        "TimeDistributed on 2D input": error(
            lambda: layers.TimeDistributed(layers.Dense(2))(np.ones((2, 3), "float32"))
        ),
        "mask by hand to Dense": error(lambda: layers.Dense(2)(masked, mask=np.ones((2, 6), bool))),
        "mask by hand to Masking": error(
            lambda: layers.Masking()(STEPS[:2], mask=np.ones((2, 5), bool))
        ),
        "TimeDistributed, mask of the wrong shape": error(
            lambda: layers.TimeDistributed(layers.Dense(2))(STEPS[:2], mask=np.ones((2, 3), bool))
        ),
        "compute_mask of a layer without masking": error(
            lambda: layers.Flatten().compute_mask(STEPS[:2], np.ones((2, 5), bool))
        ),
    }


print(
    json.dumps(
        {"models": models(), "layers": single_layers(), "configs": configs(), "errors": errors()}
    )
)
