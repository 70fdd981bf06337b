"""The model's graph in Graphviz DOT, as ``plot_model(show_shapes=True, expand_nested=True)`` draws it: one box per
layer with its class and its input and output shapes, an edge per tensor, a nested model as a dashed cluster holding
its own graph, a shared layer (one layer, several nodes) as one box whose edges say which node they belong to.

``model_dot(trace) -> str`` draws every top-level model the trace recorded a graph for (``analysis/graph.py``);
:class:`GraphDot` writes one graph's nodes and edges into another picture (the fit flowchart holds the trained
model's graph where ``self(x)`` runs). Every user string goes through the DOT quoting of ``dot_text.py`` or, in the
HTML-like labels, through HTML escaping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from fittrace.analysis.graph import Edge, LayerBox, ModelGraph, model_graphs
from fittrace.render.dot_text import attrs, q
from fittrace.tracing.document import Trace

INPUT_FILL = "#e3f2fd"
SHARED = "#ef6c00"
NESTED = "#6a1b9a"


def _h(text: object) -> str:
    """Text for a Graphviz HTML-like label: every markup character escaped."""
    return escape(str(text), quote=True)


def table_label(box: LayerBox) -> str:
    """A box as plot_model(show_shapes=True) draws it: "name (Class)", then its input and output shapes; a shared
    layer says how many nodes share its weights."""
    head = f"<B>{_h(box.name)}</B>&#160;({_h(box.cls)})"
    rows = [
        f'<TR><TD COLSPAN="2" BGCOLOR="{INPUT_FILL if box.is_input else "#f5f5f5"}">{head}</TD></TR>'
    ]
    if box.shared:
        rows.append(
            f'<TR><TD COLSPAN="2"><FONT COLOR="{SHARED}">shared: {len(box.calls)} nodes, one set of '
            "weights</FONT></TD></TR>"
        )
    for label, text in (("input:", box.input_text), ("output:", box.output_text)):
        rows.append(f'<TR><TD ALIGN="LEFT">{label}</TD><TD ALIGN="LEFT">{_h(text)}</TD></TR>')
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>>"
    )


def compact_label(box: LayerBox) -> str:
    """A box in two lines (an HTML-like label, escaped), for pictures where the graph is one part among
    others: "name (Class)" and its output shape."""
    if box.is_input:
        return f"<Input&#160;<B>{_h(box.name)}</B><BR/>{_h(box.output_text)}>"
    shared = f'  <FONT COLOR="{SHARED}">×{len(box.calls)} nodes</FONT>' if box.shared else ""
    return f"<<B>{_h(box.name)}</B>&#160;({_h(box.cls)}){shared}<BR/>→ {_h(box.output_text)}>"


@dataclass
class GraphDot:
    """Writes a graph's boxes, nested clusters and edges as DOT lines, with ids unique in the whole picture.

    ``compact`` picks the two-line labels instead of plot_model's tables; ``edge_attrs`` adds attributes to every
    edge (the flowchart colours the data path). ``entries``/``exits`` are the ids where data comes in (the inputs)
    and goes out (the outputs), for edges from and to the rest of a picture."""

    prefix: str = "m"
    compact: bool = False
    edge_attrs: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    _ids: dict[tuple[tuple[str, ...], str], str] = field(default_factory=dict)
    _clusters: int = 0

    def _id(self, path: tuple[str, ...], name: str) -> str:
        key = (path, name)
        if key not in self._ids:
            self._ids[key] = f"{self.prefix}{len(self._ids)}"
        return self._ids[key]

    def add(self, graph: ModelGraph, indent: str = "  ") -> tuple[list[str], list[str]]:
        """Write ``graph``; return (entry ids, exit ids)."""
        self._graph(graph, (), indent)
        self._edges(graph, ())
        entries = [self._in(graph, (), name, 0) for name in graph.inputs if graph.layer(name)]
        if not entries and graph.layers:
            entries = [self._in(graph, (), graph.layers[0].name, 0)]
        exits = [self._out(graph, (), name, 0) for name in graph.outputs if graph.layer(name)]
        return entries, exits

    def _graph(self, graph: ModelGraph, path: tuple[str, ...], indent: str) -> None:
        for box in graph.layers:
            if box.nested is not None:
                self._clusters += 1
                inner = path + (box.name,)
                title = (
                    f"nested model '{box.name}' ({box.cls}): input {box.input_text}, output "
                    f"{box.output_text}"
                )
                self.lines.append(f"{indent}subgraph cluster_{self.prefix}{self._clusters} {{")
                self.lines.append(
                    f"{indent}  label={q(title)}; labeljust=l; style=dashed; color={q(NESTED)}; "
                    f"fontcolor={q(NESTED)};"
                )
                self._graph(box.nested, inner, indent + "  ")
                self.lines.append(f"{indent}}}")
                continue
            nid = self._id(path, box.name)
            color = SHARED if box.shared else None
            if self.compact:
                style = "rounded,filled" + (",bold" if box.shared else "")
                fill = INPUT_FILL if box.is_input else "#ffffff"
                more = attrs(shape="box", style=style, fillcolor=fill, color=color)[1:]
                self.lines.append(f"{indent}{nid} [label={compact_label(box)}, {more};")
            else:
                extra = f", color={q(color)}" if color else ""
                self.lines.append(f"{indent}{nid} [shape=plain, label={table_label(box)}{extra}];")

    def _out(self, graph: ModelGraph, path: tuple[str, ...], name: str, tensor: int) -> str:
        box = graph.layer(name)
        if box is not None and box.nested is not None and box.nested.outputs:
            inner = box.nested
            pick = inner.outputs[min(tensor, len(inner.outputs) - 1)]
            return self._out(inner, path + (name,), pick, 0)
        return self._id(path, name)

    def _in(self, graph: ModelGraph, path: tuple[str, ...], name: str, position: int) -> str:
        box = graph.layer(name)
        if box is not None and box.nested is not None and box.nested.inputs:
            inner = box.nested
            pick = inner.inputs[min(position, len(inner.inputs) - 1)]
            return self._in(inner, path + (name,), pick, 0)
        return self._id(path, name)

    def _edges(self, graph: ModelGraph, path: tuple[str, ...]) -> None:
        """One line per pair of boxes (two tensors between the same boxes, as from both nodes of a shared layer,
        make one edge, as plot_model's ``concentrate`` draws them), labelled with the shared layer's nodes."""
        pairs: dict[tuple[str, str], list[str]] = {}
        for edge in graph.edges:
            if graph.layer(edge.source) is None or graph.layer(edge.target) is None:
                continue
            a = self._out(graph, path, edge.source, edge.tensor)
            b = self._in(graph, path, edge.target, edge.position)
            nodes = pairs.setdefault((a, b), [])
            node = self._node_of(graph, edge)
            if node is not None and node not in nodes:
                nodes.append(node)
        for (a, b), nodes in pairs.items():
            kw = dict(self.edge_attrs)
            if nodes:
                kw["label"] = ("node " if len(nodes) == 1 else "nodes ") + ", ".join(nodes)
                kw["fontcolor"] = SHARED
            self.lines.append(f"  {a} -> {b} " + attrs(**kw) + ";")
        for box in graph.layers:
            if box.nested is not None:
                self._edges(box.nested, path + (box.name,))

    @staticmethod
    def _node_of(graph: ModelGraph, edge: Edge) -> str | None:
        """Which node of a shared layer an edge belongs to (``1``, as in ``shared[1][0]``), else None."""
        source, target = graph.layer(edge.source), graph.layer(edge.target)
        if source is not None and source.shared:
            return str(edge.source_node)
        if target is not None and target.shared:
            return str(edge.target_node)
        return None


def model_dot(trace: Trace, graphs: list[ModelGraph] | None = None) -> str:
    """plot_model(show_shapes=True, expand_nested=True) of every top-level model in the trace, as DOT."""
    graphs = model_graphs(trace) if graphs is None else graphs
    title = _title(graphs)
    lines = [
        "digraph model {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, labelloc=t, label='
        + q(title)
        + "];",
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9, color="#546e7a"];',
    ]
    if not graphs:
        lines.append(
            "  none " + attrs(label="no model graph was recorded in this trace", shape="note") + ";"
        )
    for i, graph in enumerate(graphs):
        dot = GraphDot(prefix=f"g{i}_")
        if len(graphs) > 1:
            dot.lines.append(f"  subgraph cluster_model{i} {{")
            dot.lines.append(f'    label={q(_heading(graph))}; style=rounded; color="#90a4ae";')
            dot.add(graph, "    ")
            dot.lines.append("  }")
        else:
            dot.add(graph)
        lines += dot.lines
    lines.append("}")
    return "\n".join(lines) + "\n"


def _heading(graph: ModelGraph) -> str:
    return f"model '{graph.model}' ({graph.cls})"


def _title(graphs: list[ModelGraph]) -> str:
    if not graphs:
        return "model graph"
    first = graphs[0]
    words = [_heading(first) if len(graphs) == 1 else f"{len(graphs)} models"]
    shared = sum(len(g.shared_layers) for g in graphs)
    nested = sum(len(g.nested_models) for g in graphs)
    if shared:
        words.append(f"{shared} shared layer(s)")
    if nested:
        words.append(f"{nested} nested model(s) (dashed)")
    if any(g.source == "layer calls" for g in graphs):
        words.append("no graph was recorded: the layers as the first step called them")
    elif any(g.source == "header" for g in graphs):
        words.append("graph saved when fit started")
    return ", ".join(words)
