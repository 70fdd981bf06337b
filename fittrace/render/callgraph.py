"""The call graph of a traced run: every distinct callable as a node, edges numbered in first-call order.

User-defined layers, callbacks and ``train_step`` overrides appear under their own names (they are traced as
themselves). Counts are of the recorded events: at "default" detail only some steps are kept whole, so per-step
calls are counted for those steps (the graph's label says so). ``callgraph_dot(trace) -> str``.

On a trace of a real Keras run a stage recorded as an instant is named by the real function behind it (the
event's ``keras`` field: ``CompileLoss.__call__``, ``get_data_adapter``), and the title says which framework ran.
"""

from __future__ import annotations

from typing import Any

from fittrace.analysis.graph import ModelGraph, fitted_graph
from fittrace.analysis.real_runs import ran_on, short_name
from fittrace.analysis.shapes import shape_text
from fittrace.render.dot_text import attrs, q
from fittrace.tracing.document import Trace

_CALL_INSTANTS = {
    "compile_check": "_assert_compile_was_called",
    "adapter_selected": None,
    "callbacks_container": "CallbackList.__init__",
    "weight_created": "Layer.add_weight",
    "loss": "LossesContainer.__call__",
    "optimizer_update": "Optimizer.apply_gradients",
    "optimizer_slots": "Optimizer.build",
    "metric_update": "MetricsContainer.update_state",
    "history": "History.on_epoch_end",
    "gradient": None,
    "adapter_candidate": "select_data_adapter",
    "graph_network": "Functional._init_graph_network",
}
_SKIP_SPANS = {"epoch", "step"}


FLOW = "#1565c0"


def _label(ev: Any, real: bool = False) -> str:
    if real and ev.dur is None and ev.kind in _CALL_INSTANTS and ev.keras:
        return str(short_name(ev.keras))
    if ev.kind in ("layer_call", "layer_build", "model_call", "node_created") and ev.layer:
        return f"{ev.name} [{ev.layer}]"
    if ev.kind == "graph_network" and ev.data.get("model") is not None:
        return f"{_CALL_INSTANTS['graph_network']} [{ev.data['model']}]"
    if ev.kind == "adapter_selected":
        return f"{ev.name}.__init__"
    return _CALL_INSTANTS.get(ev.kind) or ev.name


def callgraph_edges(trace: Trace) -> list[tuple[str, str, int, int]]:
    """(caller, callee, order, count) for every distinct edge, in first-call order."""
    by_seq = trace.events_by_seq
    edges: dict[tuple[str, str], list[int]] = {}
    real = ran_on(trace).real

    def caller(ev: Any) -> str:
        seq = ev.parent
        while seq is not None:
            p = by_seq.get(seq)
            if p is None:
                break
            if p.kind not in _SKIP_SPANS:
                return _label(p, real)
            seq = p.parent
        return "user code"

    for ev in trace.events:
        if (
            ev.kind in _SKIP_SPANS
            or (ev.dur is None and ev.kind not in _CALL_INSTANTS)
            or (
                ev.kind in _CALL_INSTANTS
                and _CALL_INSTANTS[ev.kind] is None
                and ev.kind != "adapter_selected"
            )
        ):
            continue
        key = (caller(ev), _label(ev, real))
        edges.setdefault(key, [len(edges) + 1, 0])[1] += 1
        if ev.kind == "callback_hook":
            for member in ev.data.get("callbacks", []):
                sub = (_label(ev, real), f"{member}.{ev.data.get('hook')}")
                edges.setdefault(sub, [len(edges) + 1, 0])[1] += 1
    return [
        (a, b, order, count)
        for (a, b), (order, count) in sorted(edges.items(), key=lambda kv: kv[1][0])
    ]


def data_flow(trace: Trace, graph: ModelGraph | None = None) -> list[tuple[str, str, str]]:
    """(from, to, shape) for each tensor of the trained model's graph, between the call graph's nodes: a layer's
    call node (``Dense.call [dense]``), an input as ``Input 'name'``; a nested model's tensors enter and leave
    through its own call node (``Functional.call [encoder]``), inside which its layers pass them on."""
    graph = fitted_graph(trace) if graph is None else graph
    if graph is None or graph.source == "layer calls":
        return []
    calls: dict[str, str] = {}
    for ev in trace.events:
        if ev.kind in ("layer_call", "model_call") and ev.layer:
            calls.setdefault(ev.layer, _label(ev))
    flow: dict[tuple[str, str], str] = {}

    def walk(g: ModelGraph, entry: str | None) -> None:
        for edge in g.edges:
            source, target = g.layer(edge.source), g.layer(edge.target)
            if source is None or target is None:
                continue
            if source.is_input:
                a = entry if entry is not None else f"Input '{source.name}'"
            else:
                a = calls.get(source.name, "")
            b = calls.get(target.name, "")
            if a and b:
                flow.setdefault((a, b), shape_text(edge.shape, unknown="?"))
        for box in g.layers:
            if box.nested is not None and box.name in calls:
                walk(box.nested, calls[box.name])

    walk(graph, None)
    return [(a, b, shape) for (a, b), shape in flow.items()]


def callgraph_dot(trace: Trace) -> str:
    edges = callgraph_edges(trace)
    flow = data_flow(trace)
    detail = (getattr(trace, "header", {}) or {}).get("detail", "default")
    nodes: dict[str, str] = {}
    for a, b, _, _ in edges:
        for name in (a, b):
            nodes.setdefault(name, f"n{len(nodes)}")
    inputs = []
    for a, _, _ in flow:
        if a not in nodes:
            nodes[a] = f"n{len(nodes)}"
            inputs.append(a)
    title = f"call graph: edges numbered in first-call order, × = calls recorded (detail={detail})"
    ran = ran_on(trace)
    if ran.real:
        title = f"{ran.label}: " + title
    if flow:
        title += "; dashed blue: the tensors of the model's graph, with their shapes"
    lines = [
        "digraph callgraph {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, labelloc=t, label='
        + q(title)
        + "];",
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9, color="#546e7a"];',
    ]
    if not nodes:
        lines.append(
            "  empty " + attrs(label="no call was recorded in this trace", shape="note") + ";"
        )
    for name, nid in nodes.items():
        extra = {"shape": "ellipse", "fillcolor": "#e3f2fd"} if name in inputs else {}
        lines.append(f"  {nid} " + attrs(label=name, **extra) + ";")
    for a, b, order, count in edges:
        lines.append(
            f"  {nodes[a]} -> {nodes[b]} "
            + attrs(label=f"{order}" + (f" ×{count}" if count > 1 else ""))
            + ";"
        )
    for a, b, shape in flow:
        lines.append(
            f"  {nodes[a]} -> {nodes[b]} "
            + attrs(label=shape, style="dashed", color=FLOW, fontcolor=FLOW)
            + ";"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
