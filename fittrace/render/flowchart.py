"""The fit flowchart, like the seed article's figure, annotated with this run's numbers (Graphviz DOT).

The epoch loop, the step loop, the callbacks at each hook, and the training path train_function ->
step_function -> train_step -> call -> loss -> gradient -> update -> metrics highlighted in red. Built from a
trace only; ``flowchart_dot(trace) -> str``.

On a trace of a real Keras run the boxes name the real functions (Keras 3's ``EpochIterator`` and its
``get_data_adapter`` in place of the DataHandler, its own loops, ``jax.jit`` on JAX), the title says which framework
ran, and a stage the trace does not hold keeps its box, marked "not recorded", rather than showing made-up numbers.
"""

from __future__ import annotations

from typing import Any

from fittrace.analysis.folding import fold
from fittrace.analysis.graph import Edge, LayerBox, ModelGraph, fitted_graph
from fittrace.analysis.real_runs import (
    not_recorded,
    participant,
    ran_on,
    short_name,
    symbolic_build,
)
from fittrace.render.dot_text import attrs, q
from fittrace.render.model_graph import GraphDot
from fittrace.tracing.document import Trace

RED = "#c62828"
#: A chain longer than this shows its first and last layers around a "… n more layers" box.
LONG_CHAIN = 8
#: A branching graph with more boxes than this is named in one box; the model diagram draws it whole.
BIG_GRAPH = 24


def _facts(trace: Trace) -> dict[str, Any]:
    ev = list(trace.events)
    first = lambda kind: next((e for e in ev if e.kind == kind), None)  # noqa: E731
    fit, sel, cbs = first("fit"), first("adapter_selected"), first("callbacks_container")
    loss = first("loss")
    loops = next((c for c in fold(trace) if c.kind == "fit"), None)
    header = getattr(trace, "header", {}) or {}
    layers = []
    for e in ev:
        if e.kind == "layer_call" and e.layer and e.layer not in layers:
            layers.append(e.layer)
    if not layers:  # no layer call recorded (a real run in graph mode): the layers that were built
        for e in ev:
            if e.kind == "layer_build" and e.layer and e.layer not in layers:
                layers.append(e.layer)
    metrics = []
    for e in ev:
        if e.kind == "metric_update" and e.data.get("name") not in metrics:
            metrics.append(e.data.get("name"))
    return {
        "epochs": loops.epochs if loops else (fit.data.get("epochs") if fit else "?"),
        "steps": loops.steps_per_epoch if loops else (sel.data.get("steps") if sel else "?"),
        "batch": sel.data.get("batch_size")
        if sel
        else (fit.data.get("batch_size") if fit else "?"),
        "partial": sel.data.get("partial_batch_size") if sel else None,
        "samples": sel.data.get("num_samples") if sel else None,
        "adapter": sel.data.get("class") if sel else "?",
        "callbacks": cbs.data.get("members", []) if cbs else [],
        "optimizer": next(
            (e.data.get("optimizer") for e in ev if e.kind == "optimizer_slots"),
            (header.get("compile") or {}).get("optimizer", "optimizer"),
        ),
        "loss": loss.data.get("name")
        if loss
        else (header.get("compile") or {}).get("loss", "loss"),
        "layers": layers,
        "metrics": metrics,
        "mode": next(
            (e.data.get("mode") for e in ev if e.kind == "train_function" and e.data.get("mode")),
            "graph",
        ),
        "error": next((e for e in ev if e.kind == "error"), None),
        "compile_metrics": (header.get("compile") or {}).get("metrics") or [],
        "keras": {e.kind: e.keras for e in reversed(ev) if e.keras},
    }


def _model_cluster(lines: list[str], graph: ModelGraph) -> tuple[list[str], list[str]]:
    """``self(x, training=True)`` as a red cluster holding the trained model's graph (its layers with their output
    shapes, nested models and shared layers as in the model diagram); returns its entry and exit node ids."""
    label = f"self(x, training=True): {graph.cls} '{graph.model}'" + (
        "  (the layers as the first step called them)" if graph.source == "layer calls" else ""
    )
    boxes = sum(1 for _ in graph.walk())
    if graph.chain and not graph.nested_models and boxes > LONG_CHAIN:
        graph = _folded_chain(graph)
    elif boxes > BIG_GRAPH:
        return [], []
    dot = GraphDot(prefix="layer", compact=True, edge_attrs={"color": RED})
    lines.append("      subgraph cluster_model {")
    lines.append(
        f'        label={q(label)}; style="rounded"; color={q(RED)}; fontcolor={q(RED)}; penwidth=2;'
    )
    entries, exits = dot.add(graph, "        ")
    lines.extend(dot.lines)
    lines.append("      }")
    return entries, exits


def _call_text(graph: ModelGraph | None, layers: list[Any]) -> str:
    if graph is None or not graph.layers:
        return "self(x, training=True)\n" + " → ".join(map(str, layers))
    boxes = [b for _, b in graph.walk() if not b.is_input]
    return (
        f"self(x, training=True)\n{graph.cls} '{graph.model}': {len(boxes)} layers in a graph, "
        f"{len(graph.shared_layers)} shared, {len(graph.nested_models)} nested model(s)\n"
        "(the model diagram draws it whole)"
    )


def _folded_chain(graph: ModelGraph) -> ModelGraph:
    """A long chain as its first three and last three boxes around one box standing for the rest."""
    boxes = list(graph.layers)
    hidden = boxes[3:-3]
    folded = LayerBox(
        f"… {len(hidden)} more layers",
        ", ".join(dict.fromkeys(b.cls for b in hidden)),
        hidden[-1].calls,
    )
    kept = boxes[:3] + [folded] + boxes[-3:]
    edges = tuple(
        Edge(
            a.name, 0, 0, b.name, 0, 0, (a.calls[0].output_shapes or [None])[0] if a.calls else None
        )
        for a, b in zip(kept, kept[1:])
    )
    return ModelGraph(
        graph.model,
        graph.cls,
        tuple(kept),
        edges,
        (kept[0].name,),
        (kept[-1].name,),
        True,
        graph.source,
        graph.seq,
    )


def flowchart_dot(trace: Trace) -> str:
    f = _facts(trace)
    ran = ran_on(trace)
    absent = not_recorded(trace)
    keras3 = ran.framework == "keras"
    lost = "\n(not recorded)"

    def real(kind: str, default: str) -> str:
        """The box's function: on a real run, the real one behind the kind's events."""
        name = short_name(f["keras"].get(kind)) if ran.real else None
        return name or default

    hooks = ", ".join(map(str, f["callbacks"])) or "none"
    data = f"{f['adapter']}\\n{f['samples']} samples, batch {f['batch']}, {f['steps']} steps" + (
        f", last batch {f['partial']}" if f["partial"] else ""
    )
    if "adapter_selected" in absent:
        data = f"adapter not recorded\\nbatch {f['batch']}, {f['steps']} steps"
    compiler = "jax.jit" if ran.backend == "jax" else "tf.function"
    title = f"model.fit: {f['epochs']} epochs × {f['steps']} steps" + (
        f" — {ran.label}" if ran.real else ""
    )
    lines = [
        "digraph fit {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, label='
        + q(title)
        + ", labelloc=t];",
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]

    def node(name: str, label: str, red: bool = False, shape: str | None = None) -> None:
        extra = (
            {"color": RED, "fontcolor": RED, "penwidth": "2", "fillcolor": "#ffebee"} if red else {}
        )
        if shape:
            extra["shape"] = shape
        lines.append(f"  {name} " + attrs(label=label, **extra) + ";")

    node("fit", real("fit", "Model.fit"))
    node(
        "check",
        real("compile_check", "_assert_compile_was_called")
        + (lost if "compile_check" in absent else ""),
    )
    iterator = participant(trace, "data_handler", "EpochIterator")
    node(
        "handler",
        (f"{iterator} → get_data_adapter\n" if keras3 else "get_data_handler → DataHandler\n")
        + data.replace("\\n", "\n")
        + (lost if "data_handler" in absent else ""),
    )
    node(
        "cbl",
        f"{participant(trace, 'callbacks_container', 'CallbackList')}\n[{hooks}]"
        + (lost if "callbacks_container" in absent else ""),
    )
    traces = sum(
        1
        for e in trace.events
        if e.kind == "train_function"
        and e.data.get("action") == "traced"
        and e.data.get("function", "train_function") == "train_function"
    )
    node(
        "make",
        "make_train_function\n("
        + (
            f"{compiler}, traced once per input signature"
            if f["mode"] == "graph"
            else "run eagerly"
        )
        + ")"
        + (f"\n{traces} trace(s) recorded" if ran.real and f["mode"] == "graph" else "")
        + (lost if "train_function" in absent else ""),
    )
    node("tbegin", "callbacks.on_train_begin")
    built = symbolic_build(trace)
    if built is not None:  # Keras 3 builds on symbolic inputs before the loop
        layers = ", ".join(map(str, built["layers"][:6])) + (
            " …" if len(built["layers"]) > 6 else ""
        )
        node(
            "symbolic",
            f"{short_name(built['keras'])}\nbuilt: {layers or 'no layer'}"
            + ("\n+ the optimizer's variables" if built["optimizer"] else "")
            + (f"\nfailed: {built['error']}" if built["error"] else ""),
        )
    epochs_loop = (
        "for epoch in range(initial_epoch, epochs)"
        if keras3
        else "for epoch, iterator in data_handler.enumerate_epochs()"
    )
    steps_loop = (
        "for begin_step, end_step, iterator in epoch_iterator"
        if keras3
        else "for step in data_handler.steps()"
    )
    lines.append("  subgraph cluster_epochs {")
    lines.append(
        "    "
        + f"label={q(epochs_loop + '   × ' + str(f['epochs']))};"
        + ' style="rounded"; color="#7b1fa2";'
    )
    node("ebegin", "callbacks.on_epoch_begin(epoch)")
    lines.append("    subgraph cluster_steps {")
    lines.append(
        "      "
        + f"label={q(steps_loop + '   × ' + str(f['steps']))};"
        + ' style="rounded"; color="#7b1fa2";'
    )
    node("bbegin", "callbacks.on_train_batch_begin(step)")
    node("tf", "train_function(iterator)", red=True)
    node("sf", "step_function", red=True)
    in_graph = ran.real and f["mode"] == "graph"
    node(
        "ts",
        "train_step(data)" + ("\n(its Python ran only while tracing)" if in_graph else ""),
        red=True,
    )
    graph = fitted_graph(trace)
    into, out_of = _model_cluster(lines, graph) if graph is not None and graph.layers else ([], [])
    if not into:
        node(
            "call",
            _call_text(graph, f["layers"]) + (lost if "layer_call" in absent else ""),
            red=True,
        )
        into, out_of = ["call"], ["call"]
    node("loss", f"compute_loss\n{f['loss']}" + (lost if "loss" in absent else ""), red=True)
    tape = "jax.value_and_grad" if ran.backend == "jax" else "GradientTape.gradient"
    node("grad", real("tape", tape) + (lost if "gradient" in absent else ""), red=True)
    node(
        "upd",
        f"{f['optimizer']}.apply_gradients" + (lost if "optimizer_update" in absent else ""),
        red=True,
    )
    metrics = f["metrics"] or ([] if "metric_update" not in absent else f["compile_metrics"])
    node(
        "met",
        "compute_metrics\n"
        + ", ".join(map(str, metrics))
        + (lost if "metric_update" in absent else ""),
        red=True,
    )
    node("bend", "callbacks.on_train_batch_end(step, logs)")
    node("stopb", "stop_training?", shape="diamond")
    lines.append("    }")
    node("val", "validation (evaluate) if validation data")
    node("eend", "callbacks.on_epoch_end(epoch, logs)\nHistory records, progress bar prints")
    node("stope", "stop_training?", shape="diamond")
    lines.append("  }")
    node("tend", "callbacks.on_train_end")
    node("ret", "return History")
    path = ["fit", "check", "handler", "cbl", "make", "tbegin", "ebegin", "bbegin"]
    if built is not None:
        path.insert(3, "symbolic")
    lines += [f"  {a} -> {b};" for a, b in zip(path, path[1:])]
    red = ["bbegin", "tf", "sf", "ts", "call", "loss", "grad", "upd", "met", "bend"]
    for a, b in zip(red, red[1:]):
        style = {"color": RED, "penwidth": "2"} if a != "bbegin" and b != "bend" else {}
        for tail in out_of if a == "call" else [a]:
            for head in into if b == "call" else [b]:
                lines.append(f"  {tail} -> {head} " + attrs(**style) + ";")
    lines += [
        "  bend -> stopb;",
        "  stopb -> bbegin "
        + attrs(label="no: next step", style="dashed", constraint="false")
        + ";",
        "  stopb -> val " + attrs(label="steps done / yes") + ";",
        "  val -> eend;",
        "  eend -> stope;",
        "  stope -> ebegin "
        + attrs(label="no: next epoch", style="dashed", constraint="false")
        + ";",
        "  stope -> tend " + attrs(label="epochs done / yes") + ";",
        "  tend -> ret;",
    ]
    if f["error"] is not None:
        e = f["error"]
        node(
            "err",
            f"stopped by {e.data.get('type')}:\n{str(e.data.get('message'))[:80]}",
            shape="note",
        )
        lines.append(f'  err [color="{RED}", fontcolor="{RED}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
