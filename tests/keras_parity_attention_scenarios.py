"""Scenarios for the attention layers, LayerNormalization and EinsumDense, run twice, by real TF-Keras 2 and by
fittrace, for tests/test_keras_parity_attention.py to compare.

    python keras_parity_attention_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_attention_scenarios.py fittrace  # under the test environment
    python keras_parity_attention_scenarios.py tf FOLDER # .keras/.h5 files saved there, the other side's loaded

Prints one JSON object: for each case, the layer's weight names and shapes, its output (and attention scores) for
the same inputs and weights, and the gradients of a weighted sum of them with respect to every input and weight
(MultiHeadAttention with attention_mask, use_causal_mask, the inputs' own ``_keras_mask``, other attention axes;
Attention and AdditiveAttention with masks; LayerNormalization over one or several axes); ``get_config`` as JSON;
a 2-epoch fit of a small transformer block from identical initial weights (losses, final weights, predictions);
the model's summary lines and the error messages; whole model configs of a transformer block (``mha(x, x)``) and
of a graph of attention calls, their round trips, and ``.keras`` files read across sides.
Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras import layers

    def tensor(a):
        return tf.constant(a)

    def masked(a, mask):
        t = tf.constant(a)
        t._keras_mask = tf.constant(mask)
        return t

else:
    import fittrace.keras as keras
    from fittrace import autodiff as tf_ops
    from fittrace.autodiff import GradientTape, Tensor
    from fittrace.keras import layers

    class _Masked(Tensor):
        """A Tensor that carries a Keras mask (whatever fittrace's Tensor itself has room for)."""

    def tensor(a):
        return Tensor(a)

    def masked(a, mask):
        t = _Masked(a)
        t._keras_mask = mask
        return t


def normal(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def as_list(x):
    return np.asarray(x).tolist()


def set_weights(layer, seed: int) -> None:
    """Give the built layer weights from a seeded stream (the same on both sides: same shapes, same order)."""
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [(rng.normal(size=w.shape) * 0.5).astype("float32") for w in layer.get_weights()]
    )


def weighted_sum(outs):
    """sum(out_i * w_i) with fixed w_i of each output's shape."""
    total = 0.0
    for i, out in enumerate(outs):
        w = np.random.default_rng(100 + i).normal(size=tuple(out.shape)).astype("float32")
        total = total + (tf.reduce_sum(out * w) if TF else tf_ops.reduce_sum(out * Tensor(w)))
    return total


def run(layer, call, inputs: list, seed: int) -> dict:
    """Build ``layer`` by one call, set seeded weights, then the outputs and the gradients of their weighted sum
    with respect to every input and weight."""
    call(layer, inputs)
    set_weights(layer, seed)
    weights = layer.trainable_weights
    if TF:
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outs = call(layer, inputs)
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            loss = weighted_sum(outs)
        grads = tape.gradient(loss, inputs + weights)
    else:
        with GradientTape() as tape:
            tape.watch(inputs)
            outs = call(layer, inputs)
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            loss = weighted_sum(outs)
        grads = tape.gradient(loss, inputs + weights)
    return {
        "weights": [[w.name, list(w.shape)] for w in layer.weights],
        "outputs": [as_list(o) for o in outs],
        "shapes": [list(o.shape) for o in outs],
        "grads": [None if g is None else as_list(g) for g in grads],
    }


def mha_cases() -> dict:
    q, v, k = normal(1, 2, 5, 6), normal(2, 2, 7, 6), normal(3, 2, 7, 4)
    mask = np.random.default_rng(4).random((2, 5, 7)) > 0.4
    mask[:, :, 0] = True  # every query sees something
    q_mask = np.array([[True] * 5, [True, True, True, False, False]])
    v_mask = np.array([[True] * 7, [True] * 4 + [False] * 3])
    grid = normal(5, 2, 3, 4, 6)
    cases = {
        "self attention, scores": (
            dict(num_heads=2, key_dim=3),
            lambda m, x: m(x[0], x[0], return_attention_scores=True),
            [q],
        ),
        "cross attention with a key, value_dim, output_shape, no bias": (
            dict(num_heads=3, key_dim=2, value_dim=4, output_shape=5, use_bias=False),
            lambda m, x: m(x[0], x[1], key=x[2], return_attention_scores=True),
            [q, v, k],
        ),
        "attention_mask": (
            dict(num_heads=2, key_dim=3),
            lambda m, x: m(x[0], x[1], attention_mask=mask, return_attention_scores=True),
            [q, v],
        ),
        "use_causal_mask": (
            dict(num_heads=2, key_dim=4),
            lambda m, x: m(x[0], x[0], use_causal_mask=True, return_attention_scores=True),
            [q],
        ),
        "causal and attention_mask, robust masking": (
            dict(num_heads=2, key_dim=4, softmax_robust_masking=True),
            lambda m, x: m(
                x[0],
                x[0],
                attention_mask=mask[:, :, :5],
                use_causal_mask=True,
                return_attention_scores=True,
            ),
            [q],
        ),
        "dropout at inference": (
            dict(num_heads=2, key_dim=3, dropout=0.5),
            lambda m, x: m(x[0], x[1], training=False),
            [q, v],
        ),
        "attention over two axes": (
            dict(num_heads=2, key_dim=3, attention_axes=(1, 2)),
            lambda m, x: m(x[0], x[0], return_attention_scores=True),
            [grid],
        ),
        "attention over the second axis": (
            dict(num_heads=2, key_dim=3, attention_axes=2),
            lambda m, x: m(x[0], x[0], return_attention_scores=True),
            [grid],
        ),
    }
    out = {}
    for i, (name, (kwargs, call, arrays)) in enumerate(cases.items()):
        out[name] = run(
            layers.MultiHeadAttention(**kwargs, name=f"mha{i}"),
            call,
            [tensor(a) for a in arrays],
            seed=i,
        )
    # the inputs' own masks (Keras reads query._keras_mask, value._keras_mask, key._keras_mask)
    out["the inputs' _keras_mask"] = run(
        layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha_masked"),
        lambda m, x: m(x[0], x[1], return_attention_scores=True),
        [masked(q, q_mask), masked(v, v_mask)],
        seed=50,
    )
    out["the inputs' _keras_mask, a key, and attention_mask"] = run(
        layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha_masked_key"),
        lambda m, x: m(x[0], x[1], key=x[2], attention_mask=mask, return_attention_scores=True),
        [masked(q, q_mask), tensor(v), masked(k, v_mask)],
        seed=51,
    )
    return out


def dense_attention_cases() -> dict:
    q, v, k = normal(11, 2, 4, 3), normal(12, 2, 6, 3), normal(13, 2, 6, 3)
    q_mask = np.array([[True, True, True, False], [True] * 4])
    v_mask = np.array([[True] * 6, [True, True, False, False, False, False]])
    cases = {
        "Attention": (layers.Attention, {}, {}),
        "Attention, key, masks, scores": (
            layers.Attention,
            {},
            dict(mask=[q_mask, v_mask], return_attention_scores=True),
        ),
        "Attention use_scale, causal": (
            layers.Attention,
            dict(use_scale=True),
            dict(use_causal_mask=True, return_attention_scores=True),
        ),
        "Attention concat, use_scale, value mask": (
            layers.Attention,
            dict(use_scale=True, score_mode="concat"),
            dict(mask=[None, v_mask]),
        ),
        "Attention concat": (layers.Attention, dict(score_mode="concat"), {}),
        "Attention dropout at inference": (
            layers.Attention,
            dict(dropout=0.3),
            dict(training=False),
        ),
        "AdditiveAttention": (layers.AdditiveAttention, {}, dict(return_attention_scores=True)),
        "AdditiveAttention no scale, masks, causal": (
            layers.AdditiveAttention,
            dict(use_scale=False),
            dict(mask=[q_mask, v_mask], use_causal_mask=True),
        ),
    }
    out = {}
    for i, (name, (cls, kwargs, call_kwargs)) in enumerate(cases.items()):
        three = "key" in name
        out[name] = run(
            cls(**kwargs, name=f"dense_attention{i}"),
            lambda m, x, ck=call_kwargs: m(list(x), **ck),
            [tensor(a) for a in ([q, v, k] if three else [q, v])],
            seed=20 + i,
        )
    return out


def layer_norm_cases() -> dict:
    x3, x4 = normal(30, 3, 4, 5) * 3 + 1, normal(31, 2, 3, 4, 5)
    cases = {
        "last axis": ({}, x3),
        "axes 1 and 2": (dict(axis=[1, 2]), x3),
        "axes -1, -3 of rank 4": (dict(axis=(-1, -3)), x4),
        "axis 1 of rank 4": (dict(axis=1), x4),
        "no center, no scale": (dict(center=False, scale=False), x3),
        "scale only, small epsilon": (dict(center=False, epsilon=1e-6), x3),
    }
    return {
        name: run(
            layers.LayerNormalization(**kwargs, name=f"ln{i}"),
            lambda m, x: m(x[0]),
            [tensor(a)],
            seed=40 + i,
        )
        for i, (name, (kwargs, a)) in enumerate(cases.items())
    }


def einsum_dense_cases() -> dict:
    x = normal(60, 2, 3, 4)
    cases = {
        "abc,cd->abd": dict(equation="abc,cd->abd", output_shape=(None, 5), bias_axes="d"),
        "...b,bc->...c": dict(equation="...b,bc->...c", output_shape=6, bias_axes="c"),
        "abc,cde->abde": dict(equation="abc,cde->abde", output_shape=(3, 2, 2), bias_axes="de"),
        "abc,ce->ae, relu": dict(equation="abc,ce->ae", output_shape=5, activation="relu"),
    }
    return {
        name: run(
            layers.EinsumDense(**kwargs, name=f"einsum_dense{i}"),
            lambda m, x: m(x[0]),
            [tensor(x)],
            seed=60 + i,
        )
        for i, (name, kwargs) in enumerate(cases.items())
    }


def config_json(config) -> str:
    return json.dumps(config, default=lambda o: o.as_list())


def configs() -> dict:
    q = normal(70, 2, 5, 6)
    made = {
        "mha unbuilt": layers.MultiHeadAttention(2, 3, name="c_mha"),
        "mha built": layers.MultiHeadAttention(
            4, 2, value_dim=3, output_shape=(2, 3), dropout=0.1, name="c_mha_b"
        ),
        "mha attention_axes int": layers.MultiHeadAttention(
            2, 2, attention_axes=2, kernel_initializer="he_normal", name="c_mha_axes"
        ),
        "mha regularized": layers.MultiHeadAttention(
            2, 2, kernel_regularizer="l2", bias_regularizer="l1", use_bias=True, name="c_mha_reg"
        ),
        "layer norm unbuilt": layers.LayerNormalization(name="c_ln"),
        "layer norm built": layers.LayerNormalization(axis=[1, -1], epsilon=1e-5, name="c_ln_b"),
        "layer norm initializers": layers.LayerNormalization(
            gamma_initializer="zeros",
            beta_initializer="ones",
            gamma_regularizer="l2",
            name="c_ln_i",
        ),
        "attention": layers.Attention(name="c_att"),
        "attention concat": layers.Attention(
            use_scale=True, score_mode="concat", dropout=0.2, name="c_att_c"
        ),
        "additive attention": layers.AdditiveAttention(use_scale=False, name="c_add"),
        "einsum dense": layers.EinsumDense(
            "abc,cd->abd", output_shape=(None, 4), bias_axes="d", activation="tanh", name="c_ed"
        ),
    }
    made["mha built"](q, q)
    made["layer norm built"](q)
    made["mha attention_axes int"](q, q)
    out = {name: config_json(layer.get_config()) for name, layer in made.items()}
    again = layers.MultiHeadAttention.from_config(made["mha built"].get_config())
    out["mha from config: weights"] = json.dumps([[w.name, list(w.shape)] for w in again.weights])
    return out


def transformer_block(seq: int, vocab: int, dim: int):
    """A small transformer block on integer tokens: a Dense front (one number per token) stands in for
    Embedding."""
    tokens = keras.Input(shape=(seq,), name="tokens")
    x = layers.Reshape((seq, 1))(tokens)
    x = layers.Dense(dim, name="embed")(x)
    attn = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(x, x)
    x = layers.LayerNormalization(epsilon=1e-6, name="ln1")(layers.Add()([x, attn]))
    ffn = layers.Dense(16, activation="relu", name="ffn1")(x)
    ffn = layers.Dense(dim, name="ffn2")(ffn)
    x = layers.LayerNormalization(epsilon=1e-6, name="ln2")(layers.Add()([x, ffn]))
    x = layers.Flatten()(x)
    out = layers.Dense(vocab, activation="softmax", name="head")(x)
    return keras.Model(tokens, out, name="block")


def fit() -> dict:
    seq, vocab, dim = 6, 3, 8
    model = transformer_block(seq, vocab, dim)
    rng = np.random.default_rng(80)
    model.set_weights(
        [(rng.normal(size=w.shape) * 0.3).astype("float32") for w in model.get_weights()]
    )
    x = np.random.default_rng(81).integers(0, vocab, size=(32, seq)).astype("float32")
    y = np.random.default_rng(82).integers(0, vocab, size=(32,))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    return {
        "weights": [[w.name, list(w.shape)] for w in model.weights],
        "losses": history.history["loss"],
        "final weights": [as_list(w) for w in model.get_weights()],
        "predictions": as_list(model.predict(x[:4], verbose=0)),
        "summary": lines,
        "layer configs": {
            layer.name: config_json(layer.get_config())
            for layer in model.layers
            if layer.name in ("mha", "ln1")
        },
        "mha inbound": json.loads(model.to_json())["config"]["layers"][3]["inbound_nodes"],
    }


def attention_graph():
    """Attention calls a config writes in its kwargs form: ``mha(x, x)``, ``mha(x, x, attention_mask=m)``, and
    ``Attention`` on a list of two and of three tensors."""
    x_in = keras.Input((5, 3), name="inp")
    m_in = keras.Input((5, 5), name="mask")
    x = layers.Dense(8, name="embed")(x_in)
    a = layers.MultiHeadAttention(2, 4, name="mha")(x, x)
    b = layers.MultiHeadAttention(2, 4, name="mha2")(x, x, attention_mask=m_in)
    c = layers.Attention(name="att")([x, a])
    d = layers.Attention(name="att2")([x, a, b])
    return keras.Model([x_in, m_in], layers.Add(name="add")([a, b, c, d]), name="graph")


def file_models() -> dict:
    """The two models of the file cases, with their weights set and their inputs."""
    block = transformer_block(6, 3, 8)
    rng = np.random.default_rng(85)
    block.set_weights(
        [(rng.normal(size=w.shape) * 0.3).astype("float32") for w in block.get_weights()]
    )
    graph = attention_graph()
    graph.set_weights([rng.normal(size=w.shape).astype("float32") for w in graph.get_weights()])
    return {
        "block": (block, [np.random.default_rng(86).integers(0, 3, size=(4, 6)).astype("float32")]),
        "graph": (
            graph,
            [normal(87, 2, 5, 3), np.random.default_rng(88).random((2, 5, 5)) > 0.3],
        ),
    }


def files(folder: str | None) -> dict:
    """Each model's whole ``to_json`` and ``.keras`` config, the round trips through to_json/model_from_json,
    ``.keras`` and ``.h5`` on this side (config and predictions again), and, in ``folder``, this side's ``.keras``
    file saved and the other side's loaded when it is there (fittrace runs first; the test loads TF-Keras's file)."""
    side = "tf" if TF else "fittrace"
    out: dict = {}
    for name, (model, data) in file_models().items():
        case: dict = {
            "json": json.loads(model.to_json()),
            "predictions": as_list(model.predict(data, verbose=0)),
            "inputs": [np.asarray(x).tolist() for x in data],
        }
        again = keras.models.model_from_json(model.to_json())
        again.set_weights(model.get_weights())
        case["from json"] = [
            again.to_json() == model.to_json(),
            as_list(again.predict(data, verbose=0)),
        ]
        if folder:
            for ext in ("keras", "h5"):
                path = os.path.join(folder, f"{name}_{side}.{ext}")
                model.save(path)
                loaded = keras.models.load_model(path)
                case[f"from .{ext}"] = [
                    loaded.to_json() == model.to_json(),
                    as_list(loaded.predict(data, verbose=0)),
                ]
            with zipfile.ZipFile(os.path.join(folder, f"{name}_{side}.keras")) as archive:
                case[".keras config"] = json.loads(archive.read("config.json"))
            other = os.path.join(folder, f"{name}_{'fittrace' if TF else 'tf'}.keras")
            if os.path.exists(other):
                loaded = keras.models.load_model(other)
                case["the other side's .keras"] = {
                    "json": json.loads(loaded.to_json()),
                    "predictions": as_list(loaded.predict(data, verbose=0)),
                }
        out[name] = case
    return out


def error(fn) -> str:
    try:
        fn()
    except Exception as exc:  # the message is what is compared
        text = str(exc)
        if text.startswith("Exception encountered when calling layer"):
            text = text.split("\n\n")[1]
        return f"{type(exc).__name__}: {text}"
    return "no error"


def errors() -> dict:
    q = normal(90, 2, 5, 6)
    v = normal(91, 2, 7, 6)
    return {
        # one sample: TF prints a tensor's values as numpy does, and a blank line between samples would split
        # the message where the preamble of TF-Keras's call error is cut off
        "Attention on one tensor": error(lambda: layers.Attention()(tensor(q[:1]))),
        "Attention on four tensors": error(
            lambda: layers.Attention()([tensor(q), tensor(q), tensor(q), tensor(q)])
        ),
        "Attention mask not a list": error(
            lambda: layers.Attention()([tensor(q), tensor(v)], mask=np.ones((2, 5), bool))
        ),
        "Attention mask of one": error(
            lambda: layers.Attention()([tensor(q), tensor(v)], mask=[np.ones((2, 5), bool)])
        ),
        "Attention score_mode": error(lambda: layers.Attention(score_mode="add")),
        "LayerNormalization axis of a wrong type": error(
            lambda: layers.LayerNormalization(axis="last")
        ),
        "LayerNormalization axis out of range": error(
            lambda: layers.LayerNormalization(axis=3)(tensor(q))
        ),
        "LayerNormalization duplicate axis": error(
            lambda: layers.LayerNormalization(axis=[2, -1])(tensor(q))
        ),
        "EinsumDense invalid equation": error(
            lambda: layers.EinsumDense("ab,bc", output_shape=3)(tensor(q))
        ),
        "EinsumDense bias axis not in output": error(
            lambda: layers.EinsumDense("abc,cd->abd", output_shape=(5, 3), bias_axes="x")(tensor(q))
        ),
        "EinsumDense output shape mismatch": error(
            lambda: layers.EinsumDense("abc,cd->abd", output_shape=(4, 3))(tensor(q))
        ),
        "MHA compute_output_shape, last axes differ": error(
            lambda: layers.MultiHeadAttention(2, 3).compute_output_shape((None, 5, 6), (None, 7, 4))
        ),
        "MHA compute_output_shape, key and value differ": error(
            lambda: layers.MultiHeadAttention(2, 3).compute_output_shape(
                (None, 5, 6), (None, 7, 6), (None, 8, 6)
            )
        ),
        "MHA attention_mask of a wrong shape": error(
            lambda: layers.MultiHeadAttention(2, 3)(
                tensor(q), tensor(v), attention_mask=np.ones((2, 5, 5), bool)
            )
        ),
    }


if __name__ == "__main__":
    print(
        json.dumps(
            {
                "mha": mha_cases(),
                "dense_attention": dense_attention_cases(),
                "layer_norm": layer_norm_cases(),
                "einsum_dense": einsum_dense_cases(),
                "configs": configs(),
                "fit": fit(),
                "errors": errors(),
                "files": files(sys.argv[2] if len(sys.argv) > 2 else None),
            }
        )
    )
