"""Scenarios for the recurrent layers, run twice, by real TF-Keras 2 and by fittrace, for
tests/test_keras_parity_rnn.py to compare.

    python keras_parity_rnn_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_rnn_scenarios.py fittrace  # under the test environment

Prints one JSON object: for SimpleRNN, LSTM, GRU (both reset_after forms), RNN over each cell and Bidirectional
(every merge mode) with the same weights, the outputs and states for the same inputs, with and without a mask,
go_backwards, return_sequences and initial states, and the gradients of a weighted sum of them with respect to the
inputs, the initial states and every weight; a 2-epoch fit of Input(20, 8) -> LSTM -> Dense; the configs as JSON,
the weight names and shapes, the summary lines, the output masks, and the messages of the errors Keras raises.
Nothing here checks anything: the test does.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras import layers
else:
    import fittrace.keras as keras
    from fittrace import autodiff as K
    from fittrace.autodiff import GradientTape, Tensor
    from fittrace.keras import layers


def normal(seed: int, *shape: int, scale: float = 1.0) -> np.ndarray:
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype("float32")


def _plain(o):
    """TF's tracked containers (DictWrapper, ListWrapper) as plain ones."""
    return dict(o) if hasattr(o, "items") else list(o)


def as_list(x):
    return np.asarray(x).tolist()


MASK = np.array([[1, 1, 0, 1, 1, 0], [0, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)


def flat(out) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def run(layer, x: np.ndarray, mask=None, states=None) -> dict:
    """Outputs (and states) of ``layer`` on ``x``, with the gradients of sum(out_k * w_k) for the input, the
    initial states and every weight of the layer (its weights set to fixed arrays first)."""
    kwargs = {}
    if mask is not None:
        kwargs["mask"] = mask
    if TF:
        xt = tf.constant(x)
        st = [tf.constant(s) for s in states] if states is not None else None
        if st is not None:
            kwargs["initial_state"] = st
        layer(xt, **kwargs)  # build
        set_fixed_weights(layer)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            if st is not None:
                tape.watch(st)
            outs = flat(layer(xt, **kwargs))
            loss = tf.add_n(
                [
                    tf.reduce_sum(
                        o * np.random.default_rng(7 + i).normal(size=o.shape).astype("float32")
                    )
                    for i, o in enumerate(outs)
                ]
            )
        sources = [xt] + (st or []) + list(layer.trainable_weights)
        grads = tape.gradient(loss, sources)
    else:
        xt = Tensor(x)
        st = [Tensor(s) for s in states] if states is not None else None
        if st is not None:
            kwargs["initial_state"] = st
        layer(xt, **kwargs)
        set_fixed_weights(layer)
        with GradientTape() as tape:
            tape.watch(xt)
            if st is not None:
                tape.watch(st)
            outs = flat(layer(xt, **kwargs))
            total = None
            for i, o in enumerate(outs):
                w = np.random.default_rng(7 + i).normal(size=o.shape).astype("float32")
                part = K.reduce_sum(K.multiply(o, w))
                total = part if total is None else K.add(total, part)
            loss = total
        sources = [xt] + (st or []) + list(layer.trainable_weights)
        grads = tape.gradient(loss, sources)
    return {
        "outputs": [as_list(o) for o in outs],
        "grads": [None if g is None else as_list(g) for g in grads],
        "weights": [[w.name, list(w.shape)] for w in layer.weights],
    }


def set_fixed_weights(layer) -> None:
    layer.set_weights(
        [normal(100 + i, *w.shape, scale=0.5) for i, w in enumerate(layer.get_weights())]
    )


def layer_cases() -> dict:
    x = normal(1, 3, 6, 4)
    h0, c0 = normal(2, 3, 5), normal(3, 3, 5)
    out = {}
    for name, make in (
        ("SimpleRNN", lambda **kw: layers.SimpleRNN(5, **kw)),
        ("LSTM", lambda **kw: layers.LSTM(5, **kw)),
        ("GRU", lambda **kw: layers.GRU(5, **kw)),
        ("GRU reset_after=False", lambda **kw: layers.GRU(5, reset_after=False, **kw)),
        ("RNN(LSTMCell)", lambda **kw: layers.RNN(layers.LSTMCell(5), **kw)),
        ("RNN(GRUCell)", lambda **kw: layers.RNN(layers.GRUCell(5), **kw)),
        ("LSTM relu, hard to fuse", lambda **kw: layers.LSTM(5, activation="softplus", **kw)),
    ):
        n_states = 2 if "LSTM" in name else 1
        initial = [h0, c0][:n_states]
        out[f"{name}"] = run(make(), x)
        out[f"{name}, sequences"] = run(make(return_sequences=True), x)
        out[f"{name}, states"] = run(make(return_state=True), x)
        out[f"{name}, mask, sequences, states"] = run(
            make(return_sequences=True, return_state=True), x, mask=MASK
        )
        out[f"{name}, mask"] = run(make(), x, mask=MASK)
        out[f"{name}, go_backwards, mask, sequences"] = run(
            make(go_backwards=True, return_sequences=True), x, mask=MASK
        )
        out[f"{name}, initial state, states"] = run(make(return_state=True), x, states=initial)
    for mode in ("concat", "sum", "mul", "ave", None):
        out[f"Bidirectional LSTM {mode}"] = run(
            layers.Bidirectional(layers.LSTM(5), merge_mode=mode), x
        )
    out["Bidirectional GRU, sequences, mask"] = run(
        layers.Bidirectional(layers.GRU(5, return_sequences=True)), x, mask=MASK
    )
    out["Bidirectional SimpleRNN, states"] = run(
        layers.Bidirectional(layers.SimpleRNN(5, return_state=True)), x
    )
    out["Bidirectional LSTM, backward_layer, sequences"] = run(
        layers.Bidirectional(
            layers.LSTM(5, return_sequences=True),
            backward_layer=layers.LSTM(5, return_sequences=True, go_backwards=True),
            merge_mode="sum",
        ),
        x,
    )
    return out


def fit_case() -> dict:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 20, 8)).astype("float32")
    y = (x[:, :, 0].mean(axis=1, keepdims=True) > 0).astype("float32")
    inputs = keras.Input(shape=(20, 8))
    h = layers.LSTM(16)(inputs)
    outputs = layers.Dense(1, activation="sigmoid")(h)
    model = keras.Model(inputs, outputs)
    model.set_weights(
        [normal(200 + i, *w.shape, scale=0.3) for i, w in enumerate(model.get_weights())]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    gru_in = keras.Input(shape=(20, 8))
    gru_model = keras.Model(gru_in, layers.Dense(1)(layers.GRU(8)(gru_in)))
    gru_model.set_weights(
        [normal(300 + i, *w.shape, scale=0.3) for i, w in enumerate(gru_model.get_weights())]
    )
    gru_model.compile(optimizer="sgd", loss="mse")
    gru_history = gru_model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    return {
        "loss": history.history["loss"],
        "accuracy": history.history["accuracy"],
        "weights": [as_list(w) for w in model.get_weights()],
        "predict": as_list(model.predict(x[:4], verbose=0)),
        "gru_loss": gru_history.history["loss"],
    }


def summary_lines(model) -> list[str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.summary()
    return buf.getvalue().splitlines()


def facts() -> dict:
    keras.backend.clear_session()
    inputs = keras.Input(shape=(7, 3))
    seq = layers.LSTM(4, return_sequences=True)(inputs)
    a = layers.GRU(4)(seq)
    b = layers.SimpleRNN(4, dropout=0.2, recurrent_dropout=0.1)(seq)
    c = layers.Bidirectional(layers.LSTM(2, return_sequences=True), merge_mode="sum")(seq)
    d, h, cs = layers.LSTM(3, return_state=True)(seq)
    e = layers.RNN(layers.GRUCell(2), go_backwards=True)(seq)
    model = keras.Model(inputs, [a, b, c, d, h, cs, e])
    configs = {layer.name: layer.get_config() for layer in model.layers[1:]}
    configs["LSTMCell"] = layers.LSTMCell(3, dropout=0.5, recurrent_dropout=0.25).get_config()
    configs["GRU reset_after=False"] = layers.GRU(3, reset_after=False, use_bias=False).get_config()
    configs["Bidirectional backward_layer"] = layers.Bidirectional(
        layers.GRU(2), backward_layer=layers.GRU(2, go_backwards=True)
    ).get_config()
    shapes = {layer.name: str(layer.output_shape) for layer in model.layers[1:]}
    x = normal(9, 2, 4, 3)
    masks = {}
    for name, layer in (
        ("sequences", layers.LSTM(2, return_sequences=True)),
        ("last", layers.LSTM(2)),
        ("states", layers.GRU(2, return_state=True)),
        ("sequences, states", layers.GRU(2, return_sequences=True, return_state=True)),
        ("Bidirectional sequences", layers.Bidirectional(layers.LSTM(2, return_sequences=True))),
        (
            "Bidirectional None",
            layers.Bidirectional(layers.LSTM(2, return_sequences=True), merge_mode=None),
        ),
    ):
        layer(x)
        got = layer.compute_mask(x, MASK[:2, :4])
        masks[name] = (
            [None if m is None else as_list(m) for m in flat(got)]
            if isinstance(got, list)
            else (None if got is None else as_list(got))
        )
    rebuilt = {}
    for name in ("lstm", "bidirectional"):
        layer = model.get_layer(name)
        again = type(layer).from_config(layer.get_config())
        rebuilt[name] = again.get_config()
    return {
        "configs": json.loads(json.dumps(configs, default=_plain)),
        "rebuilt": json.loads(json.dumps(rebuilt, default=_plain)),
        "weights": [[w.name, list(w.shape)] for w in model.weights],
        "summary": summary_lines(model),
        "output_shapes": shapes,
        "masks": masks,
        "orthogonal": layers.LSTM(3).get_config()["recurrent_initializer"],
    }


def errors() -> dict:
    cases = {
        "rank 2 input": lambda: layers.LSTM(3)(np.zeros((2, 3), "float32")),
        "wrong feature size": lambda: _call_twice(layers.GRU(3), (2, 4, 3), (2, 4, 5)),
        "units 0": lambda: layers.LSTM(0),
        "units -1 GRU": lambda: layers.GRU(-1),
        "SimpleRNNCell units 0": lambda: layers.SimpleRNNCell(0),
        "merge mode": lambda: layers.Bidirectional(layers.LSTM(3), merge_mode="max"),
        "not a layer": lambda: layers.Bidirectional("lstm"),
        "backward not a layer": lambda: layers.Bidirectional(layers.LSTM(3), backward_layer=3),
        "same direction": lambda: layers.Bidirectional(
            layers.LSTM(3), backward_layer=layers.LSTM(3)
        ),
        "backward returns other": lambda: layers.Bidirectional(
            layers.LSTM(3), backward_layer=layers.LSTM(3, go_backwards=True, return_sequences=True)
        ),
        "cell without call": lambda: layers.RNN(object()),
        "wrong number of states": lambda: layers.LSTM(3)(
            np.zeros((2, 4, 3), "float32"), initial_state=[np.zeros((2, 3), "float32")]
        ),
        "reset_states not stateful": lambda: layers.LSTM(3).reset_states(),
        "odd bidirectional states": lambda: layers.Bidirectional(layers.LSTM(3))(
            np.zeros((2, 4, 3), "float32"), initial_state=[np.zeros((2, 3), "float32")] * 3
        ),
    }
    out = {}
    for name, fn in cases.items():
        try:
            fn()
            out[name] = None
        except Exception as e:  # noqa: BLE001 - the message is what is compared
            out[name] = [type(e).__name__, str(e)]
    return out


def _call_twice(layer, first, second):
    layer(np.zeros(first, "float32"))
    layer(np.zeros(second, "float32"))


def stateful_case() -> dict:
    layer = layers.LSTM(3, stateful=True, return_sequences=True)
    x = normal(11, 2, 4, 3)
    layer(x)
    set_fixed_weights(layer)
    layer.reset_states()
    first = layer(x)
    second = layer(x)
    layer.reset_states()
    third = layer(x)
    return {"first": as_list(first), "second": as_list(second), "third": as_list(third)}


def dropout_case() -> dict:
    """Dropout is random (not TensorFlow's stream): only that it acts in training and not in inference."""
    x = normal(12, 8, 5, 4)
    out = {}
    for name, layer in (
        ("LSTM dropout", layers.LSTM(3, dropout=0.5)),
        ("GRU recurrent_dropout", layers.GRU(3, recurrent_dropout=0.5)),
        ("SimpleRNN both", layers.SimpleRNN(3, dropout=0.3, recurrent_dropout=0.3)),
    ):
        plain = np.asarray(layer(x))
        again = np.asarray(layer(x, training=False))
        trained = np.asarray(layer(x, training=True))
        out[name] = {
            "inference repeats": bool(np.allclose(plain, again)),
            "training differs": not bool(np.allclose(plain, trained)),
        }
    return out


print(
    json.dumps(
        {
            "layers": layer_cases(),
            "fit": fit_case(),
            "facts": facts(),
            "errors": errors(),
            "stateful": stateful_case(),
            "dropout": dropout_case(),
        }
    )
)
