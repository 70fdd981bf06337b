"""A model's graph as the trace recorded it: its layers, their calls (Keras's nodes) and the tensors between them.

Drawn from the latest ``graph_network`` event of each model (``Functional._init_graph_network``: the nodes by depth,
each with its inbound tensors and output shapes); a model built before the recording began has its graph in the
header's ``model.graphs`` instead, saved when ``fit`` started. Layer classes come from the ``node_created`` events and
the header. A model that is a layer of another model's graph is nested in it (as ``plot_model(expand_nested=True)``
draws it), and a layer with several nodes in one graph is a shared layer: one box, one set of weights, several calls.

A trace without any graph (a version-1 trace, or a model whose graph was never mapped) gives a chain of the layers
in the order the first step called them, with that batch's shapes; its ``source`` says so.

    >>> g = ModelGraph.from_payload({"model": "m", "inputs": ["x"], "outputs": ["d"], "nodes_by_depth": [
    ...     [{"layer": "x", "node_index": 0, "inbound": [], "output_shapes": [[None, 3]]}],
    ...     [{"layer": "d", "node_index": 0, "inbound": ["x[0][0]"], "output_shapes": [[None, 2]]}]]},
    ...     classes={"d": "Dense"})
    >>> [(b.name, b.cls, b.input_text, b.output_text) for b in g.layers]
    [('x', 'InputLayer', '(None, 3)', '(None, 3)'), ('d', 'Dense', '(None, 3)', '(None, 2)')]
    >>> [(e.source, e.target, e.shape) for e in g.edges]
    [('x', 'd', [None, 3])]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fittrace.analysis.shapes import shape_text
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

#: ``layer[node][tensor]``, as Keras's summary and the trace name an inbound tensor.
_INBOUND = re.compile(r"^(?P<layer>.*)\[(?P<node>\d+)\]\[(?P<tensor>\d+)\]$")


@dataclass(frozen=True, slots=True)
class Inbound:
    """One input tensor of a call: output ``tensor`` of call ``node`` of ``layer``."""

    layer: str
    node: int
    tensor: int

    @classmethod
    def parse(cls, text: Any) -> Inbound | None:
        m = _INBOUND.match(str(text))
        if m is None:
            return None
        return cls(m["layer"], int(m["node"]), int(m["tensor"]))

    def __str__(self) -> str:
        return f"{self.layer}[{self.node}][{self.tensor}]"


@dataclass(frozen=True, slots=True)
class Call:
    """One node of a layer in the graph: a call, on its inbound tensors, giving its output shapes."""

    index: int
    inbound: tuple[Inbound, ...]
    input_shapes: tuple[Any, ...]
    output_shapes: tuple[Any, ...]


def shapes_text(shapes: Any) -> str:
    """One shape as ``(None, 8)``, several as ``[(None, 8), (None, 8)]`` (as Keras prints a layer's list of
    shapes); ``?`` when there is none."""
    shapes = list(shapes or [])
    if not shapes:
        return "?"
    if len(shapes) == 1:
        return shape_text(shapes[0], unknown="?")
    return "[" + ", ".join(shape_text(s, unknown="?") for s in shapes) + "]"


@dataclass(frozen=True, slots=True)
class LayerBox:
    """One layer of a graph, as ``plot_model`` draws it: a box with its class and shapes. ``calls`` are its
    nodes in this graph (more than one: a shared layer); ``nested`` the graph of a layer that is itself a model."""

    name: str
    cls: str
    calls: tuple[Call, ...]
    is_input: bool = False
    nested: ModelGraph | None = None

    @property
    def shared(self) -> bool:
        return len(self.calls) > 1

    def _text(self, which: str) -> str:
        texts = [shapes_text(getattr(c, which)) for c in self.calls]
        if not texts:
            return "?"
        if len(set(texts)) == 1:
            return texts[0]
        return " | ".join(f"node {c.index}: {t}" for c, t in zip(self.calls, texts))

    @property
    def input_text(self) -> str:
        """The input shape(s); for a shared layer whose calls differ, one per node."""
        return self._text("input_shapes")

    @property
    def output_text(self) -> str:
        return self._text("output_shapes")

    @property
    def connected_to(self) -> list[str]:
        """Every inbound tensor of every call, as the summary's "Connected to" column lists them."""
        return [str(i) for c in self.calls for i in c.inbound]


@dataclass(frozen=True, slots=True)
class Edge:
    """A tensor from a call of ``source`` to input ``position`` of call ``target_node`` of ``target``."""

    source: str
    source_node: int
    tensor: int
    target: str
    target_node: int
    position: int
    shape: Any


@dataclass(frozen=True, slots=True)
class ModelGraph:
    """The graph of one model: ``layers`` in Keras's order (inputs first), the ``edges`` between them.

    ``source`` is where it came from: ``graph_network`` (an event, ``seq``), ``header`` (saved when fit started) or
    ``layer calls`` (no graph was recorded: the layers in the order the first step called them)."""

    model: str
    cls: str
    layers: tuple[LayerBox, ...]
    edges: tuple[Edge, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    chain: bool = True
    source: str = "graph_network"
    seq: int | None = None

    def layer(self, name: str) -> LayerBox | None:
        return next((b for b in self.layers if b.name == name), None)

    def walk(self) -> Iterator[tuple[ModelGraph, LayerBox]]:
        """Every (graph, box) pair, this graph's first, nested graphs' in place."""
        for box in self.layers:
            yield self, box
            if box.nested is not None:
                yield from box.nested.walk()

    @property
    def shared_layers(self) -> list[LayerBox]:
        return [b for _, b in self.walk() if b.shared]

    @property
    def nested_models(self) -> list[ModelGraph]:
        return [b.nested for _, b in self.walk() if b.nested is not None]

    @classmethod
    def from_payload(
        cls,
        payload: Mapping[str, Any],
        classes: Mapping[str, str] | None = None,
        nested: Mapping[str, ModelGraph] | None = None,
        model_cls: str = "Functional",
        source: str = "graph_network",
        seq: int | None = None,
    ) -> ModelGraph:
        """The graph a ``graph_network`` payload maps (``classes``: layer name -> class; ``nested``: the graphs
        of layers that are models)."""
        classes, nested = classes or {}, nested or {}
        calls: dict[str, list[dict[str, Any]]] = {}
        outputs_of: dict[tuple[str, int], list[Any]] = {}
        for depth in payload.get("nodes_by_depth") or []:
            for node in depth or []:
                if not isinstance(node, Mapping) or "layer" not in node:
                    continue
                name = str(node["layer"])
                calls.setdefault(name, []).append(dict(node))
                outputs_of[(name, int(node.get("node_index") or 0))] = list(
                    node.get("output_shapes") or []
                )
        order = [str(n) for n in payload.get("layers") or []]
        names = [n for n in calls if n not in order] + [n for n in order if n in calls]
        inputs = tuple(str(n) for n in payload.get("inputs") or [])
        # the inputs first, in the model's order; within a layer, its calls in node order
        names.sort(key=lambda n: inputs.index(n) if n in inputs else len(inputs))
        boxes, edges = [], []
        for name in names:
            own = sorted(calls[name], key=lambda n: int(n.get("node_index") or 0))
            made = []
            for node in own:
                index = int(node.get("node_index") or 0)
                inbound = tuple(i for i in map(Inbound.parse, node.get("inbound") or []) if i)
                shapes = []
                for pos, i in enumerate(inbound):
                    outs = outputs_of.get((i.layer, i.node)) or []
                    shape = outs[i.tensor] if i.tensor < len(outs) else None
                    shapes.append(shape)
                    edges.append(Edge(i.layer, i.node, i.tensor, name, index, pos, shape))
                outs = tuple(node.get("output_shapes") or [])
                made.append(Call(index, inbound, tuple(shapes) if inbound else outs, outs))
            is_input = all(not c.inbound for c in made)
            boxes.append(
                LayerBox(
                    name,
                    "InputLayer" if is_input else classes.get(name, "Layer"),
                    tuple(made),
                    is_input,
                    nested.get(name),
                )
            )
        return cls(
            str(payload.get("model")),
            model_cls,
            tuple(boxes),
            tuple(edges),
            inputs,
            tuple(str(n) for n in payload.get("outputs") or []),
            bool(payload.get("chain", len(edges) == max(0, len(boxes) - 1))),
            source,
            seq,
        )

    @classmethod
    def from_chain(
        cls, model: str, layers: list[tuple[str, str, Any, Any]], model_cls: str = "Sequential"
    ) -> ModelGraph:
        """A chain of (name, class, input shape, output shape): a model whose graph was not recorded."""
        boxes, edges = [], []
        for i, (name, layer_cls, shape_in, shape_out) in enumerate(layers):
            inbound = (Inbound(layers[i - 1][0], 0, 0),) if i else ()
            boxes.append(LayerBox(name, layer_cls, (Call(0, inbound, (shape_in,), (shape_out,)),)))
            if i:
                edges.append(Edge(layers[i - 1][0], 0, 0, name, 0, 0, shape_in))
        return cls(
            model,
            model_cls,
            tuple(boxes),
            tuple(edges),
            (layers[0][0],) if layers else (),
            (layers[-1][0],) if layers else (),
            True,
            "layer calls",
        )


# --- from a trace ----------------------------------------------------------------------------------------------------
def _header_model(trace: Trace) -> Mapping[str, Any]:
    model = (getattr(trace, "header", {}) or {}).get("model")
    return model if isinstance(model, Mapping) else {}


def graph_payloads(trace: Trace) -> dict[str, tuple[Mapping[str, Any], str, int | None]]:
    """model name -> (payload, source, seq) of its latest graph: the header's, then each graph_network event."""
    found: dict[str, tuple[Mapping[str, Any], str, int | None]] = {}
    for payload in _header_model(trace).get("graphs") or []:
        if isinstance(payload, Mapping) and payload.get("model") is not None:
            found[str(payload["model"])] = (payload, "header", None)
    for ev in trace.events:
        if ev.kind == "graph_network" and ev.data.get("model") is not None:
            found[str(ev.data["model"])] = (ev.data, "graph_network", ev.seq)
    return found


def layer_classes(trace: Trace) -> dict[str, str]:
    """Layer name -> class name, from the header's layers and every node_created, layer_build, layer_call and
    model_call event (the latest wins)."""
    classes: dict[str, str] = {}
    header = _header_model(trace)
    for layer in header.get("layers") or []:
        if isinstance(layer, Mapping) and layer.get("name") is not None:
            classes[str(layer["name"])] = str(layer.get("class"))
    if header.get("name") is not None and header.get("class"):
        classes[str(header["name"])] = str(header["class"])
    for ev in trace.events:
        if ev.layer and ev.data.get("layer_class") and ev.kind != "model_call":
            classes[ev.layer] = str(ev.data["layer_class"])
        elif ev.kind == "model_call" and ev.layer and ev.data.get("layer_class"):
            classes.setdefault(ev.layer, str(ev.data["layer_class"]))
        elif ev.kind == "graph_build" and ev.data.get("model") is not None:
            classes.setdefault(str(ev.data["model"]), "Sequential")
    return classes


def _build(
    name: str,
    payloads: Mapping[str, tuple[Mapping[str, Any], str, int | None]],
    classes: Mapping[str, str],
    stack: tuple[str, ...],
) -> ModelGraph:
    payload, source, seq = payloads[name]
    nested = {
        layer: _build(layer, payloads, classes, stack + (name,))
        for layer in _layer_names(payload)
        if layer in payloads and layer != name and layer not in stack
    }
    return ModelGraph.from_payload(
        payload, classes, nested, classes.get(name, "Functional"), source, seq
    )


def _layer_names(payload: Mapping[str, Any]) -> list[str]:
    names = [str(n) for n in payload.get("layers") or []]
    for depth in payload.get("nodes_by_depth") or []:
        for node in depth or []:
            if isinstance(node, Mapping) and str(node.get("layer")) not in names:
                names.append(str(node.get("layer")))
    return names


def model_graphs(trace: Trace) -> list[ModelGraph]:
    """The graph of every model that is not a layer of another recorded graph, the fitted model's first, then in
    the order their graphs were mapped; a chain from the layer calls when no graph was recorded at all."""
    payloads = graph_payloads(trace)
    if not payloads:
        fallback = _chain_from_calls(trace)
        return [fallback] if fallback is not None else []
    classes = layer_classes(trace)
    inner = {n for p, _, _ in payloads.values() for n in _layer_names(p) if n != p.get("model")}
    top = [name for name in payloads if name not in inner]
    fitted = _header_model(trace).get("name")
    top.sort(key=lambda n: (n != fitted, payloads[n][2] if payloads[n][2] is not None else -1))
    return [_build(name, payloads, classes, ()) for name in top]


def fitted_graph(trace: Trace) -> ModelGraph | None:
    """The graph of the model the run trained (the header's model), else the first top-level graph."""
    graphs = model_graphs(trace)
    fitted = _header_model(trace).get("name")
    return next((g for g in graphs if g.model == fitted), graphs[0] if graphs else None)


def _chain_from_calls(trace: Trace) -> ModelGraph | None:
    """The layers in the order the first model call (a training step's, if any) called them."""
    events = list(trace.events)
    children: dict[int | None, list[Event]] = {}
    for e in events:
        children.setdefault(e.parent, []).append(e)
    call = next((e for e in events if e.kind == "model_call" and children.get(e.seq)), None)
    if call is None:
        return None

    def chain(span: Event) -> ModelGraph:
        layers, nested = [], {}
        for e in children.get(span.seq, []):
            if e.kind not in ("layer_call", "model_call") or not e.layer:
                continue
            if e.kind == "model_call" and children.get(e.seq):
                nested[e.layer] = chain(e)
            layers.append(
                (
                    e.layer,
                    str(e.data.get("layer_class") or "Layer"),
                    e.data.get("input_shape"),
                    e.data.get("output_shape"),
                )
            )
        graph = ModelGraph.from_chain(
            span.layer or "model", layers, str(span.data.get("layer_class") or "Sequential")
        )
        if not nested:
            return graph
        boxes = tuple(
            LayerBox(b.name, b.cls, b.calls, b.is_input, nested.get(b.name)) for b in graph.layers
        )
        return ModelGraph(
            graph.model,
            graph.cls,
            boxes,
            graph.edges,
            graph.inputs,
            graph.outputs,
            True,
            "layer calls",
        )

    return chain(call)
