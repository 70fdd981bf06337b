"""``fittrace bench --only layers``: one forward and backward pass of single layers at course sizes, beside
TF-Keras.

Each entry of ``CASES`` is data: the layer's class name in ``keras.layers``, its constructor arguments, and how to
make its input (float values of a shape, or token ids below a vocabulary size; ``self_attention`` calls the layer
as ``layer(x, x)``). The step timed is what a training step does with the layer: the forward pass under a gradient
tape, the sum of the output as the loss, the gradients of every trainable weight. fittrace's figure is the median
of ``repeats`` steps after a warm-up; with ``--keras-python`` the same entries run in TF-Keras in that interpreter
(the step inside a ``tf.function``, as ``fit`` runs it), and the ratio is printed. An entry whose layer this build
lacks (a table edited for another build) prints "not available in this build". TF-Keras gives an Embedding's
gradient as IndexedSlices (the rows looked up, not the whole table) and its time is that sparse gradient's;
fittrace computes the dense one, as its optimizers take it.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import layers as keras_layers
from fittrace.bench.keras_side import KerasBenchError, _last_json_line


@dataclass(frozen=True)
class LayerCase:
    """One entry: ``layer`` (a class of ``keras.layers``) made with ``kwargs``, given an input of ``shape``
    (float32 normal values, or with ``vocabulary`` token ids below it)."""

    layer: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    shape: tuple[int, ...] = (128, 100, 32)
    vocabulary: int | None = None
    self_attention: bool = False

    @property
    def label(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.layer}({args}) on {' x '.join(str(d) for d in self.shape)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "kwargs": self.kwargs,
            "shape": list(self.shape),
            "vocabulary": self.vocabulary,
            "self_attention": self.self_attention,
        }


CASES: tuple[LayerCase, ...] = (
    LayerCase("LSTM", {"units": 64}, (128, 100, 32)),
    LayerCase("LSTM", {"units": 32}, (128, 200, 16)),
    LayerCase("GRU", {"units": 64}, (128, 100, 32)),
    LayerCase("GRU", {"units": 32}, (128, 200, 16)),
    LayerCase("Embedding", {"input_dim": 10000, "output_dim": 64}, (128, 200), vocabulary=10000),
    LayerCase("Conv1D", {"filters": 64, "kernel_size": 5}, (128, 200, 32)),
    LayerCase(
        "MultiHeadAttention", {"num_heads": 4, "key_dim": 16}, (128, 100, 64), self_attention=True
    ),
)


def make_input(case: LayerCase, seed: int = 0) -> np.ndarray:
    """The entry's input, the same on both sides (numpy's generator, seeded)."""
    rng = np.random.default_rng(seed)
    if case.vocabulary is not None:
        return rng.integers(0, case.vocabulary, case.shape).astype(np.int32)
    return rng.normal(size=case.shape).astype(np.float32)


def available(case: LayerCase) -> bool:
    return hasattr(keras_layers, case.layer)


def time_case(case: LayerCase, repeats: int) -> dict[str, Any]:
    """fittrace's median seconds for one forward and backward step of the entry's layer, with facts that show it
    ran (the output shape, the number of weights and parameters, the size of the gradients)."""
    layer = getattr(keras_layers, case.layer)(**case.kwargs)
    x = ops.Tensor(make_input(case))

    def step() -> tuple[Any, list[Any]]:
        with ops.GradientTape() as tape:
            out = layer(x, x, training=True) if case.self_attention else layer(x, training=True)
            loss = ops.reduce_sum(out)
        return out, tape.gradient(loss, layer.trainable_weights)

    out, grads = step()  # builds the layer, and warms up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return {
        "s": float(np.median(times)),
        "output_shape": list(out.shape),
        "params": int(sum(w.value.size for w in layer.trainable_weights)),
        "weights": len(layer.trainable_weights),
        "gradient_norm": float(
            np.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads))
        ),
    }


# Runs inside the other interpreter: the same entries, each step in a tf.function.
_SCRIPT = r"""
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
try:
    import numpy as np
    import tensorflow as tf
    import tf_keras as keras
except ImportError as exc:
    print(json.dumps({"error": "cannot import tf_keras (%s)" % exc}))
    sys.exit(0)
cases, repeats = json.loads(sys.argv[1]), int(sys.argv[2])
out = []
for case in cases:
    rng = np.random.default_rng(0)
    if case["vocabulary"] is not None:
        x = rng.integers(0, case["vocabulary"], case["shape"]).astype(np.int32)
    else:
        x = rng.normal(size=case["shape"]).astype(np.float32)
    x = tf.constant(x)
    layer = getattr(keras.layers, case["layer"])(**case["kwargs"])
    call = (lambda: layer(x, x, training=True)) if case["self_attention"] else (lambda: layer(x, training=True))
    call()
    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(call())
        return tape.gradient(loss, layer.trainable_weights)
    step(); step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        [(g.values if isinstance(g, tf.IndexedSlices) else g).numpy() for g in step()]
        times.append(time.perf_counter() - t0)
    params = int(sum(int(np.prod(w.shape)) for w in layer.trainable_weights))
    out.append({"s": float(np.median(times)), "params": params})
print(json.dumps({"cases": out, "tf_keras": keras.__version__, "tensorflow": tf.__version__}))
"""


def keras_steps(
    python: str, cases: list[LayerCase], repeats: int, timeout: float = 1800
) -> dict[str, Any]:
    """TF-Keras's median step seconds for each of ``cases`` under ``python`` (checked by
    ``keras_side.check_interpreter``)."""
    try:
        done = subprocess.run(
            [python, "-c", _SCRIPT, json.dumps([c.to_json() for c in cases]), str(repeats)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise KerasBenchError(
            f"TF-Keras under {python} did not time the layers within {timeout:.0f} s"
        ) from None
    reply = _last_json_line(done.stdout)
    if reply is None:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise KerasBenchError(f"TF-Keras under {python} failed (exit {done.returncode}): {tail}")
    if "error" in reply:
        raise KerasBenchError(
            f"{python} {reply['error']}: install tensorflow and tf-keras in that environment"
        )
    return reply


def bench_layers(
    quick: bool = False, keras_python: str | None = None, cases: tuple[LayerCase, ...] = CASES
) -> dict[str, Any]:
    """Time every entry fittrace has (and the same in TF-Keras when ``keras_python`` is given); print the table.
    Returns ``{"layers": [one dict per entry: label, available, s, keras_s, ratio, facts...]}``."""
    repeats = 3 if quick else 10
    rows: list[dict[str, Any]] = []
    print(f"layers (one forward and backward pass per batch, median of {repeats})")
    for case in cases:
        row: dict[str, Any] = {
            "label": case.label,
            "layer": case.layer,
            "available": available(case),
        }
        if row["available"]:
            row.update(time_case(case, repeats))
        rows.append(row)
    ran = [row for row in rows if row["available"]]
    reply = None
    if keras_python and ran:
        reply = keras_steps(
            keras_python, [c for c, r in zip(cases, rows) if r["available"]], repeats
        )
        for row, theirs in zip(ran, reply["cases"]):
            row["keras_s"] = theirs["s"]
            row["keras_params"] = theirs["params"]
            row["ratio"] = row["s"] / theirs["s"]
    for row in rows:
        if not row["available"]:
            print(f"  {row['label']:<58} not available in this build")
            continue
        text = f"  {row['label']:<58} {row['s'] * 1e3:>8.1f} ms"
        if "keras_s" in row:
            text += (
                f"   TF-Keras {row['keras_s'] * 1e3:>7.1f} ms   {row['ratio']:.2f}x TF-Keras's time"
            )
        print(text)
    if reply is not None:
        print(
            f"  (TF-Keras {reply.get('tf_keras', '?')}, TensorFlow {reply.get('tensorflow', '?')})"
        )
    return {"layers": rows}
