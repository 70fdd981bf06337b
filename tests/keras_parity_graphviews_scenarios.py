"""Scenarios for the model graph fittrace draws and the functional cases why-rebuilt explains, run twice, by real
TF-Keras 2 and by fittrace, for tests/test_keras_parity_graphviews.py to compare.

    python keras_parity_graphviews_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_graphviews_scenarios.py fittrace  # under the test environment

Prints one JSON object: every node of each model's graph (its layer and class, which call of the layer it is, its
inbound tensors as ``layer[node][tensor]``, its output shapes) for a functional model with a branch, a merge, a
shared layer and a nested model, and for a Sequential built by fit; the TF-Keras side reads them from the model,
the fittrace side from the trace (what the renderers draw). Then the messages of the errors the functional cases
raise, and the output shape of a layer shared on another input shape. Nothing here checks anything: the test does.
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
    from tf_keras import layers
else:
    import fittrace
    import fittrace.keras as keras
    from fittrace.analysis.graph import model_graphs
    from fittrace.keras import layers

R = np.random.default_rng(0)


def siamese():
    inner_in = keras.Input(shape=(8,), name="inner_in")
    encoder = keras.Model(inner_in, layers.Dense(4, name="inner_dense")(inner_in), name="encoder")
    a, b = keras.Input(shape=(6,), name="a"), keras.Input(shape=(6,), name="b")
    shared = layers.Dense(8, activation="relu", name="shared")
    ha, hb = shared(a), shared(b)
    merged = layers.concatenate([ha, hb], name="both")
    joined = layers.concatenate([merged, encoder(layers.Add(name="sum")([ha, hb]))], name="joined")
    return keras.Model([a, b], layers.Dense(1, name="out")(joined), name="siamese")


def sequential():
    model = keras.Sequential(
        [layers.Dense(5, name="hidden"), layers.Dense(2, name="top")], name="seq"
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(
        R.random((10, 3), dtype=np.float32),
        R.random((10, 2), dtype=np.float32),
        batch_size=4,
        verbose=0,
    )
    return model


def keras_nodes(model) -> list[dict]:
    """The model's graph as TF-Keras holds it (``_nodes_by_depth``), one entry per node."""
    out = []
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            layer = node.layer
            out.append(
                {
                    "layer": layer.name,
                    "class": type(layer).__name__,
                    "node": layer._inbound_nodes.index(node),
                    "inbound": [f"{lay.name}[{n}][{t}]" for lay, n, t, _ in node.iterate_inbound()],
                    "output_shapes": [t.shape.as_list() for t in tf.nest.flatten(node.outputs)],
                }
            )
    return sorted(out, key=lambda d: (d["layer"], d["node"]))


def traced_nodes(graph) -> list[dict]:
    """The same, from the graph fittrace read back out of the trace."""
    out = [
        {
            "layer": box.name,
            "class": box.cls,
            "node": call.index,
            "inbound": [str(i) for i in call.inbound],
            "output_shapes": [list(s) for s in call.output_shapes],
        }
        for box in graph.layers
        for call in box.calls
    ]
    return sorted(out, key=lambda d: (d["layer"], d["node"]))


def error(fn) -> str:
    try:
        fn()
    except Exception as exc:  # the scenario reports whatever was raised
        text = str(exc)
        if "in user code" in text:
            # TF-Keras wraps an error raised while tracing a graph in the traceback of the traced code; the
            # sentence that names the problem is the comparable part
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            text = next((ln for ln in lines if "is incompatible with the layer" in ln), lines[-1])
            text = text.removeprefix("ValueError: ")
        return f"{type(exc).__name__}: {text}"
    return "no error"


def main() -> None:
    result: dict = {}
    if TF:
        model = siamese()
        result["siamese"] = keras_nodes(model)
        result["encoder"] = keras_nodes(model.get_layer("encoder"))
        result["seq"] = keras_nodes(sequential())
    else:
        with fittrace.trace() as run:
            model = siamese()
            seq = sequential()
        graphs = {g.model: g for g in model_graphs(run.trace)}
        result["siamese"] = traced_nodes(graphs["siamese"])
        result["encoder"] = traced_nodes(graphs["siamese"].layer("encoder").nested)
        result["seq"] = traced_nodes(graphs[seq.name])
    inputs = keras.Input(shape=(20,))
    fixed = keras.Model(inputs, layers.Dense(3)(inputs))
    fixed.compile(optimizer="sgd", loss="mse")
    wrong = np.zeros((2, 5), np.float32)
    result["functional fit"] = error(
        lambda: fixed.fit(wrong, np.zeros((2, 3), np.float32), verbose=0)
    )
    result["functional predict"] = error(lambda: fixed.predict(wrong, verbose=0))
    result["functional call"] = error(lambda: fixed(wrong))
    reused = layers.Dense(4, name="reused")
    reused(keras.Input(shape=(6,)))
    result["reused on another width"] = error(lambda: reused(keras.Input(shape=(5,))))
    result["reused on another rank"] = list(reused(keras.Input(shape=(3, 6))).shape)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
