"""What each section of the walkthrough shows, prepared from a trace (templates only loop and print).

The model's graph comes first (layers, shapes, connections, shared layers, nested models, when each layer's
weights came to exist); then the sections follow the seed article's order: compile check, adapter selection, the
callbacks container,
make_train_function, the epoch/step loop, train_step (lazy build, layer calls, loss, gradients, update, metrics),
the progress bar and History — each with the run's own values and the Keras 2 function it mirrors. On a trace
of a real Keras run (``real_runs.py``) each section names the real functions that ran instead, says which
framework, version and backend ran, where train_step's Python ran in graph mode, what Keras 3 has in place of
the DataHandler, and which stages the trace does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fittrace.analysis.folding import fold
from fittrace.analysis.graph import ModelGraph, model_graphs, shapes_text
from fittrace.analysis.real_runs import (
    FIT_STAGES,
    KERAS3_DATA,
    graph_lesson,
    not_recorded,
    participant,
    ran_on,
    real_functions,
    stage_words,
    symbolic_build,
    symbolic_note,
)
from fittrace.analysis.shapes import shape_text
from fittrace.analysis.values import epoch_comma
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

EXPLORER_LIMIT = 6000  # events embedded in the explorer; beyond it, plain steps are thinned


def _first(events: list[Event], kind: str, **match: Any) -> Event | None:
    for e in events:
        if e.kind == kind and all(e.data.get(k) == v for k, v in match.items()):
            return e
    return None


def _in(ev: Event, ancestor: int, by_seq: Mapping[int, Event]) -> bool:
    seq = ev.parent
    while seq is not None:
        if seq == ancestor:
            return True
        p = by_seq.get(seq)
        seq = p.parent if p else None
    return False


def _shapes(shape: Any) -> str:
    """A layer's input shape, or its list of them (a merge layer's) as Keras prints it: ``[(None, 8), (None, 8)]``."""
    if isinstance(shape, list) and shape and all(isinstance(s, (list, type(None))) for s in shape):
        return shapes_text(shape)
    return shape_text(shape, unknown="?")


def _params(shape: Any) -> int:
    n = 1
    for d in shape or []:
        n *= int(d or 0)
    return n


def _first_train_step(events: list[Event]) -> Event | None:
    return next(
        (
            e
            for e in events
            if e.kind == "step" and e.data.get("phase", "train") == "train" and e.data.get("full")
        ),
        None,
    ) or next(
        (e for e in events if e.kind == "step" and e.data.get("phase", "train") == "train"), None
    )


def built_when(events: list[Event], by_seq: Mapping[int, Event]) -> dict[str, str]:
    """When each layer's weights came to exist, in a few words: when the model was constructed (called on a
    KerasTensor outside fit), or at a step of fit/evaluate/predict; from each layer's first layer_build."""
    when: dict[str, str] = {}
    symbolic_builds = [e for e in events if e.kind == "symbolic_build"]
    for b in events:
        if b.kind != "layer_build" or not b.layer or b.layer in when:
            continue
        trigger = str(b.data.get("trigger", "call"))
        parent = by_seq.get(b.parent) if b.parent is not None else None
        if any(_in(b, s.seq, by_seq) for s in symbolic_builds):
            when[b.layer] = (
                "in Keras 3's symbolic build before the loop (on symbolic inputs shaped like the first batch)"
            )
            continue
        symbolic = parent is not None and parent.kind == "node_created"
        if b.step is None and trigger not in ("fit", "evaluate", "predict"):
            how = {"add": ", by add()", "build": ", by build()", "summary": ", by summary()"}
            when[b.layer] = (
                "when the model was constructed"
                + (" (called on a KerasTensor)" if symbolic else "")
                + how.get(trigger, "")
            )
        else:
            where = f" ({epoch_comma(b.epoch)}step {b.step})" if b.step is not None else ""
            how = ", as the graph network was built" if symbolic else ", on the first batch"
            when[b.layer] = f"at the first {trigger} step{where}{how}"
    return when


def _graph_rows(graph: ModelGraph, when: Mapping[str, str]) -> dict[str, Any]:
    """One model's graph as the report's table shows it, with what the picture shows in words."""
    rows = []

    def visit(g: ModelGraph, depth: int) -> None:
        for box in g.layers:
            rows.append(
                {
                    "model": g.model,
                    "depth": depth,
                    "name": box.name,
                    "cls": box.cls,
                    "input": box.input_text,
                    "output": box.output_text,
                    "connected": box.connected_to,
                    "nodes": len(box.calls),
                    "shared": box.shared,
                    "is_input": box.is_input,
                    "nested": box.nested is not None,
                    "built": "" if box.is_input or box.nested else when.get(box.name, ""),
                }
            )
            if box.nested is not None:
                visit(box.nested, depth + 1)

    visit(graph, 0)
    shared = [b.name for b in graph.shared_layers]
    nested = [g.model for g in graph.nested_models]
    words = [
        f"Model '{graph.model}' ({graph.cls}): {sum(1 for r in rows if not r['is_input'])} layers"
        + (", one chain" if graph.chain and not nested else ", a graph with branches or merges")
    ]
    if shared:
        words.append(
            f"shared layer(s) {', '.join(shared)}: one layer called more than once (several nodes), "
            "one set of weights"
        )
    if nested:
        words.append(
            f"nested model(s) {', '.join(nested)}: a model used as a layer, drawn inside it"
        )
    source = {
        "graph_network": "as Functional._init_graph_network mapped it",
        "header": "as saved when fit started (the graph was mapped before the recording began)",
        "layer calls": "no graph was recorded: the layers in the order the first step called them, with "
        "that batch's shapes",
    }[graph.source]
    return {
        "model": graph.model,
        "cls": graph.cls,
        "source": graph.source,
        "summary": "; ".join(words) + f" — {source}.",
        "rows": rows,
        "shared": shared,
        "nested": nested,
    }


def _first_candidates(events: list[Event]) -> list[Event]:
    """The adapter candidates of the first data stage (Keras 3 asks its chain again for every fit, evaluate and
    predict, and for validation data: only the first call's are shown)."""
    candidates = [e for e in events if e.kind == "adapter_candidate"]
    if not candidates:
        return []
    return [e for e in candidates if e.parent == candidates[0].parent][:8]


def stand_in_note(selected: Event | None) -> str | None:
    """In words, when the data stood in for a TensorFlow object: what made it, what Keras returns there and the
    adapter real Keras would have used (from the adapter_selected event's ``stands_in_for``)."""
    if selected is None or not selected.data.get("stands_in_for"):
        return None
    s = selected.data["stands_in_for"]
    note = (
        f"This data came from {s.get('made_by')}; real Keras returns a {s.get('keras_returns')} there and "
        f"would use its {s.get('keras_adapter')}. fittrace has no TensorFlow, so it made a keras.utils.Sequence "
        "with the same batches, which KerasSequenceAdapter reads"
    )
    if s.get("fit_shuffle_ignored"):
        note += "; fit's shuffle is ignored for it, as the DatasetAdapter ignores it (the data orders itself)"
    return note + "."


#: The report's sections and the kinds whose real functions each names on a trace of a real run.
REAL_SECTIONS: dict[str, tuple[str, ...]] = {
    "model": ("graph_network", "graph_build", "node_created"),
    "compile": ("compile_check",),
    "adapters": ("data_handler", "adapter_selected"),
    "callbacks": ("callbacks_container", "callback_hook"),
    "function": ("train_function",),
    "loop": ("epoch", "step", "function_call"),
    "step": ("train_step", "model_call", "layer_build", "layer_call", "loss", "optimizer_update"),
    "progbar": ("progbar", "history"),
}


def error_facts(error: Event | None) -> dict[str, Any] | None:
    """What a page says of an ``error`` event: its type, message and stage, the epoch and step, and its seq."""
    if error is None:
        return None
    return {
        "type": error.data.get("type"),
        "message": error.data.get("message"),
        "stage": error.data.get("stage"),
        "epoch": error.epoch,
        "step": error.step,
        "seq": error.seq,
    }


def walkthrough(trace: Trace) -> dict[str, Any]:
    """Every value the report's sections print."""
    ev: list[Event] = list(trace.events)
    by_seq = trace.events_by_seq
    header = getattr(trace, "header", {}) or {}
    fit = _first(ev, "fit")
    loops = next((c for c in fold(trace) if c.kind == "fit"), None)
    error = next((e for e in ev if e.kind == "error"), None)
    step = _first_train_step(ev)
    in_step = [e for e in ev if step is not None and _in(e, step.seq, by_seq)]
    weights = [e for e in ev if e.kind == "weight_created"]
    when = built_when(ev, by_seq)
    layers_built = []
    for b in (e for e in ev if e.kind == "layer_build"):
        own = [w for w in weights if _in(w, b.seq, by_seq)]
        layers_built.append(
            {
                "layer": b.layer,
                "cls": b.data.get("layer_class"),
                "input_shape": _shapes(b.data.get("input_shape")),
                "reason": b.data.get("reason"),
                "trigger": b.data.get("trigger"),
                "when": when.get(b.layer or "", "") if b.data.get("build_count", 0) == 0 else "",
                "epoch": b.epoch,
                "step": b.step,
                "weights": [
                    {
                        "name": w.data.get("name"),
                        "shape": shape_text(w.data.get("shape"), unknown="?"),
                        "initializer": w.data.get("initializer"),
                        "trainable": w.data.get("trainable"),
                        "params": _params(w.data.get("shape")),
                    }
                    for w in own
                ],
            }
        )
    calls = [
        {
            "layer": e.layer,
            "cls": e.data.get("layer_class"),
            "input": _shapes(e.data.get("input_shape")),
            "output": shape_text(e.data.get("output_shape"), unknown="?"),
            "dtype": e.data.get("output_dtype"),
            "stats": e.data.get("stats") or {},
        }
        for e in in_step
        if e.kind == "layer_call"
    ]
    loss = next((e for e in in_step if e.kind == "loss"), None)
    grads = [
        {
            "variable": e.data.get("variable"),
            "shape": shape_text(e.data.get("shape"), unknown="?"),
            "norm": e.data.get("norm"),
        }
        for e in in_step
        if e.kind == "gradient"
    ]
    updates = [
        {
            "variable": e.data.get("variable"),
            "norm": e.data.get("update_norm"),
            "slots": e.data.get("slots_created") or [],
        }
        for e in in_step
        if e.kind == "optimizer_update"
    ]
    first_update = next((e for e in in_step if e.kind == "optimizer_update"), None)
    slots = next((e for e in ev if e.kind == "optimizer_slots"), None)
    metrics = [
        {"name": e.data.get("name"), "fn": e.data.get("fn"), "value": e.data.get("value")}
        for e in in_step
        if e.kind == "metric_update"
    ]
    graph = [e.data for e in ev if e.kind == "graph_build"]
    ran = ran_on(trace)
    absent = not_recorded(trace)
    called = next((e.layer for e in ev if e.kind == "model_call" and e.layer), None)
    title = (
        f"model.fit of '{(header.get('model') or {}).get('name') or called or 'model'}'"
        if fit is not None
        or not any(e.kind == "step" and e.data.get("phase") == "custom" for e in ev)
        else "a hand-written training loop"
    )
    return {
        "title": title + (f" on {ran.label}" if ran.real else ""),
        "ran": ran,
        "real": {
            section: real_functions(trace, *kinds) if ran.real else []
            for section, kinds in REAL_SECTIONS.items()
        },
        "absent": absent,
        "absent_names": [stage_words(trace, k, what) for k, what in FIT_STAGES if k in absent],
        "graph_lesson": graph_lesson(trace),
        "keras3_data": KERAS3_DATA if ran.framework == "keras" else None,
        "symbolic": symbolic_build(trace),
        "symbolic_note": symbolic_note(trace),
        "loss_owner": participant(trace, "loss", "LossesContainer"),
        "tape_owner": participant(
            trace, "tape", "jax.value_and_grad" if ran.backend == "jax" else "GradientTape"
        ),
        "compiler": "jax.jit" if ran.backend == "jax" else "tf.function",
        "step_logs": (step.data.get("logs") if step is not None else None) or {},
        "header": {
            k: header.get(k) for k in ("fittrace", "numpy", "python", "detail", "seed", "started")
        },
        "compile": header.get("compile") or {},
        "fit_args": (fit.data if fit else header.get("fit")) or {},
        "status": getattr(trace, "status", "ok"),
        "complete": getattr(trace, "complete", True),
        "problems": list(getattr(trace, "problems", [])),
        "error": error_facts(error),
        "compile_check": _first(ev, "compile_check"),
        "candidates": _first_candidates(ev),
        "selected": _first(ev, "adapter_selected"),
        "stand_in": stand_in_note(_first(ev, "adapter_selected")),
        "handler": _first(ev, "data_handler"),
        "callbacks": _first(ev, "callbacks_container"),
        "functions": [e for e in ev if e.kind == "train_function"][:12],
        "loops": loops,
        "epochs": [
            {
                "epoch": e.data.get("epoch"),
                "logs": e.data.get("logs") or {},
                "steps": e.data.get("steps_run"),
            }
            for e in ev
            if e.kind == "epoch"
        ],
        "step": None
        if step is None
        else {
            "epoch": step.epoch,
            "step": step.step,
            "size": step.data.get("size"),
            "seq": step.seq,
        },
        "graph_builds": graph,
        "graphs": [g for g in (_graph_rows(g, when) for g in model_graphs(trace)) if g["rows"]],
        "layers_built": layers_built,
        "total_params": sum(w["params"] for lb in layers_built for w in lb["weights"]),
        "layer_calls": calls,
        "loss": None if loss is None else loss.data,
        "gradients": grads,
        "updates": updates,
        "hyper": (first_update.data.get("hyperparameters") if first_update else None) or {},
        "optimizer": (
            slots.data.get("optimizer") if slots else (header.get("compile") or {}).get("optimizer")
        ),
        "slots": (slots.data.get("slots") if slots else []) or [],
        "metrics": metrics,
        "progbar": [e.data.get("line") for e in ev if e.kind == "progbar"][-12:],
        "history": [e.data for e in ev if e.kind == "history"],
    }


def explorer_rows(trace: Trace, limit: int = EXPLORER_LIMIT) -> tuple[list[list[Any]], int]:
    """Events as compact rows for the explorer; plain steps are thinned past ``limit`` (returns rows, omitted)."""
    events = list(trace.events)
    keep = events
    omitted = 0
    if len(events) > limit:
        plain = [e for e in events if e.kind == "step" and not e.data.get("full")]
        budget = max(1, limit - (len(events) - len(plain)))
        stride = max(1, -(-len(plain) // budget))
        dropped = {e.seq for i, e in enumerate(plain) if i % stride}
        keep = [e for e in events if e.seq not in dropped]
        omitted = len(dropped)
    rows = [
        [e.seq, e.kind, e.name, e.t, e.dur, e.parent, e.epoch, e.step, e.layer, e.keras, _slim(e)]
        for e in keep
    ]
    return rows, omitted


def _slim(e: Event) -> dict[str, Any]:
    """A plain step's payload without the per-variable norms (the plots carry those); a tensor snapshot's without
    its values (its picture carries them)."""
    if e.kind == "step" and not e.data.get("full"):
        return {k: v for k, v in e.data.items() if k not in ("grad_norms", "update_norms")}
    if e.kind == "tensor_snapshot" and isinstance(e.data.get("data"), str):
        return {
            **e.data,
            "data": f"{len(e.data['data'])} characters of base64, drawn in The tensors",
        }
    return dict(e.data)
