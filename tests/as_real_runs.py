"""Traces made by fittrace's engine, then adjusted in the test to read as the bridge's traces of real runs.

The renderers must work on traces of real tf-keras 2 and Keras 3 fits. These helpers take an engine trace of the
article-like model and change only what a real run's trace differs in, as the schema defines it: the header's
``framework``, ``framework_version``, ``backend`` and ``bridge``; each event's ``keras`` field (the real function's
dotted path, ``tf_keras.src.engine.data_adapter.DataHandler.__init__``); for graph mode, the stages inside a step
dropped (a real run may lack layer calls, losses, gradients and updates there); for Keras 3, its EpochIterator and
get_data_adapter's chain in place of the DataHandler and its eight candidates, and a symbolic build before the loop.
Real traces made by the tests themselves (``tests/analysis/real_runs_scenarios.py``) check the same renderers on the
real thing.
"""

from __future__ import annotations

import dataclasses

import numpy as np

import fittrace
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.seeding import set_random_seed
from fittrace.tracing.document import Trace

#: The stages recorded from inside a step: in graph mode they run inside the traced graph.
IN_STEP = {"layer_call", "loss", "tape", "gradient", "optimizer_update", "metric_update"}


def engine_trace(tmp_path, epochs: int = 2) -> Trace:
    """Two epochs of Dense(16, relu) -> Dense(3, softmax) on 300 rows, batch 128 (a partial batch of 44)."""
    clear_session()
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 8), dtype=np.float32), rng.integers(0, 3, 300).astype(np.uint8)
    model = Sequential([layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "engine.trace.jsonl"
    with fittrace.trace(path=path):
        model.fit(x, y, epochs=epochs, batch_size=128, verbose=0)
    return fittrace.load(path).trace


def _drop(events, kinds):
    """``events`` without those of ``kinds`` and without anything inside a dropped span."""
    gone: set[int] = set()
    kept = []
    for e in events:
        if e.kind in kinds or (e.parent is not None and e.parent in gone):
            gone.add(e.seq)
            continue
        kept.append(e)
    return kept


def _slim_steps(events):
    """Steps without the norms a graph-mode run cannot give."""
    out = []
    for e in events:
        if e.kind == "step":
            data = {
                k: v
                for k, v in e.data.items()
                if k not in ("grad_norm", "grad_norms", "update_norms")
            }
            e = dataclasses.replace(e, data=data)
        out.append(e)
    return out


def as_tf_keras(trace: Trace, graph: bool = True, missing: tuple[str, ...] = ()) -> Trace:
    """``trace`` as the tf-keras bridge would write it: ``keras.`` paths become ``tf_keras.src.``; with
    ``graph``, the stages inside each step are gone; ``missing`` lists hooks this version lacked."""
    header = dict(trace.header)
    header.update(
        framework="tf_keras",
        framework_version="2.21.0",
        backend="tensorflow",
        bridge={
            "tf_keras": {
                "framework": "tf_keras",
                "hooked": 24,
                "missing": list(missing),
                "failed": {},
            }
        },
    )
    events = [
        dataclasses.replace(e, keras="tf_keras.src." + e.keras[len("keras.") :])
        if e.keras and e.keras.startswith("keras.")
        else e
        for e in trace.events
    ]
    if graph:
        events = _slim_steps(_drop(events, IN_STEP))
    return Trace(header, events, trace.footer)


KERAS3_TRAINER = "keras.src.backend.tensorflow.trainer.TensorFlowTrainer"


def as_keras3(
    trace: Trace, backend: str = "tensorflow", graph: bool = True, symbolic_kind: bool = False
) -> Trace:
    """``trace`` as the Keras 3 bridge would write it: the fit is TensorFlowTrainer.fit, the data stage a
    TFEpochIterator whose get_data_adapter took ArrayDataAdapter (the candidates that declined are left out:
    a chain has no verdicts), the loss CompileLoss, the metrics CompileMetrics, and the first step's model call
    stands for the symbolic build before the loop (it holds the layers' builds); with ``symbolic_kind`` it
    becomes the Keras 3 bridge's own ``symbolic_build`` span, naming the layers it built."""
    header = dict(trace.header)
    header.update(
        framework="keras",
        framework_version="3.15.0",
        backend=backend,
        bridge={"keras": {"framework": "keras", "hooked": 18, "missing": [], "failed": {}}},
    )
    events = []
    symbolic_done = False
    for e in trace.events:
        keras = e.keras
        data = dict(e.data)
        if e.kind == "fit":
            keras = f"{KERAS3_TRAINER}.fit"
        elif e.kind == "data_handler":
            e = dataclasses.replace(e, name="TFEpochIterator.__init__")
            keras = "keras.src.backend.tensorflow.trainer.TFEpochIterator.__init__"
        elif e.kind == "adapter_candidate":
            if not data.get("accepted"):
                continue
            data = {"class": "ArrayDataAdapter", "accepted": True, "reason": "can_convert_arrays"}
            keras = "keras.src.trainers.data_adapters.get_data_adapter"
        elif e.kind == "adapter_selected":
            data["class"] = "ArrayDataAdapter"
            e = dataclasses.replace(e, name="ArrayDataAdapter")
            keras = "keras.src.trainers.data_adapters.array_data_adapter.ArrayDataAdapter"
        elif e.kind == "loss":
            keras = "keras.src.trainers.compile_utils.CompileLoss.__call__"
        elif e.kind == "metric_update":
            keras = "keras.src.trainers.compile_utils.CompileMetrics.update_state"
        elif e.kind == "model_call" and not symbolic_done:
            symbolic_done = True
            keras = "keras.src.trainers.trainer.Trainer._symbolic_build"
            if symbolic_kind:
                built = [b.layer for b in trace.events if b.kind == "layer_build"]
                data = {"model": e.layer, "built_layers": built, "optimizer_variables": 5}
                e = dataclasses.replace(e, kind="symbolic_build", name="Trainer._symbolic_build")
        elif keras and keras.startswith("keras."):
            keras = "keras.src." + keras[len("keras.") :]
        events.append(dataclasses.replace(e, keras=keras, data=data))
    if graph:
        events = _slim_steps(_drop(events, IN_STEP))
    return Trace(header, events, trace.footer)
