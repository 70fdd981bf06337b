"""Why did it (re)build? Every build-like event of a trace, explained in plain words, with a fix.

Reads only a trace's events (``graph_build``, ``graph_network``, ``node_created``, ``layer_build``,
``weight_created``, ``train_function``, ``optimizer_slots``, ``api_call``, ``warning``, ``error``,
``adapter_selected``) and recognises:

* a Sequential's graph network built again for a novel inferred input shape (the changed dimension, the new shape);
* a layer used in a second model (it keeps, and shares, the first model's weights);
* weights created again: after ``model.add()``, or after a layer's ``built`` flag was reset (trained values lost);
* ``train_function`` made again after ``compile()``, and retraced for a new input signature;
* optimizer slot variables created again after the optimizer was replaced;
* a build or call that failed on an incompatible shape: the Keras-style error, the dimension that disagreed,
  where the data came from (adapter and batch), and what to change;
* the functional API (``graph_network``, ``node_created``, ``warning``): a functional model's graph, mapped once
  when it was constructed, and data of a shape that graph was not built for; a layer built when the model was
  constructed (called on an Input's KerasTensor) or at the first step; a layer called again (a shared layer),
  on the shape it was built for, on another shape it accepts, or on one it rejects; a Sequential whose input
  changed rank so that it cannot rebuild, or whose graph could not be built at all (the legacy deferred calls);

and says plainly when nothing was rebuilt.

    >>> why_rebuilt(trace).summary   # doctest: +SKIP
    'Nothing was rebuilt: every layer was built once, on the first training step.'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fittrace.analysis import symbolic_build
from fittrace.analysis.graph import Inbound, shapes_text
from fittrace.analysis.retraces import JIT_SHAPE_FIX, is_jit, real_runs, signature_text, warned
from fittrace.analysis.shapes import shape_text
from fittrace.analysis.values import epoch_comma
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

#: The action of a Sequential that could not build its graph network and calls its layers one by one.
FELL_BACK = "fell back to deferred calls"
#: Actions that leave a model's graph network as it was, without rebuilding it.
NOT_REBUILT = ("skipped", FELL_BACK)


@dataclass(frozen=True, slots=True)
class Build:
    """One build (first or repeated) of something: a graph network, a layer, a function, optimizer slots."""

    seq: int
    what: str  # "graph network" | "layer" | "weights" | "train_function" | "optimizer slots"
    subject: str  # the model, layer, function or optimizer it concerns
    action: str  # built, rebuilt, created, reset, traced, skipped, ...
    repeat: bool  # True when the same subject was built before
    trigger: str  # fit, evaluate, predict, summary, build, add, call
    call_path: tuple[str, ...]
    shape_before: Any = None
    shape_after: Any = None
    differs: str = ""  # what is different from the previous build, in words
    cause: str = ""
    kept: str = ""
    lost: str = ""
    fix: str = ""
    epoch: int | None = None
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """A build or call that failed on an incompatible input."""

    seq: int
    error_type: str
    message: str
    layer: str | None
    dimension: str
    origin: str
    fix: str
    cause: str = ""  # what the layer or model was built for, when the trace says


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Every build per model and layer, the failures, and a one-paragraph summary."""

    builds: tuple[Build, ...]
    failures: tuple[Failure, ...]
    summary: str
    by_subject: dict[str, tuple[Build, ...]] = field(default_factory=dict)

    @property
    def rebuilds(self) -> tuple[Build, ...]:
        return tuple(b for b in self.builds if b.repeat)

    @property
    def nothing_rebuilt(self) -> bool:
        return not self.rebuilds and not self.failures


def _model_of(events: Mapping[int, Event], ev: Event) -> str | None:
    """The model an event happened in: the nearest enclosing model_call, or an api_call naming a model."""
    seq = ev.parent
    while seq is not None and seq in events:
        parent = events[seq]
        if parent.kind == "model_call" and parent.layer:
            return parent.layer
        if parent.kind == "api_call" and parent.data.get("model"):
            return str(parent.data["model"])
        seq = parent.parent
    return ev.data.get("model") if isinstance(ev.data.get("model"), str) else None


def _trigger_of(events: Mapping[int, Event], ev: Event) -> str:
    """The public call an event happened under, outermost first (fit, evaluate, predict, an API method), as the
    recorder's provenance says it: "call" when none did (a model constructed, a direct call)."""
    chain = []
    seq = ev.parent
    while seq is not None and seq in events:
        chain.append(events[seq])
        seq = events[seq].parent
    for parent in reversed(chain):
        if parent.kind in ("fit", "evaluate", "predict"):
            return parent.kind
        if parent.kind == "api_call":
            return str(parent.data.get("method") or "call")
    return "call"


def _root(events: Mapping[int, Event], ev: Event) -> int:
    """The seq of the outermost kept span around ``ev`` (``ev``'s own when it has none)."""
    seq = ev.seq
    while events.get(seq) is not None and events[seq].parent in events:
        seq = events[seq].parent  # type: ignore[assignment]
    return seq


def _body(shape: Any) -> Any:
    """A shape without its batch dimension (what a layer's weights depend on); a list of shapes, each so."""
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_body(s) for s in shape]
    return list(shape[1:]) if isinstance(shape, (list, tuple)) else shape


def _one(shapes: Any) -> Any:
    """A call's input shapes as ``layer_build`` names them: one shape for one input, the list for several."""
    shapes = list(shapes or [])
    return shapes[0] if len(shapes) == 1 else shapes


class _Graphs:
    """What the trace says about graphs: which models are functional (a ``graph_network`` and no Sequential
    ``graph_build``), each model's inputs, the input layers, and which model's graph each node ended up in."""

    def __init__(self, events: list[Event]) -> None:
        self.sequential = {
            str(e.data.get("model"))
            for e in events
            if e.kind == "graph_build" and e.data.get("model")
        }
        graphs = [e for e in events if e.kind == "graph_network" and e.data.get("model")]
        self.payloads = {str(e.data["model"]): e.data for e in graphs}
        self.input_layers: set[str] = set()
        members: list[tuple[int, str, set[tuple[str, int]]]] = []
        for g in graphs:
            nodes = set()
            for depth in g.data.get("nodes_by_depth") or []:
                for node in depth or []:
                    nodes.add((str(node.get("layer")), int(node.get("node_index") or 0)))
                    if not node.get("inbound"):
                        self.input_layers.add(str(node.get("layer")))
            members.append((g.seq, str(g.data["model"]), nodes))
        self.node_model: dict[int, str] = {}
        for e in events:
            if e.kind == "node_created" and e.layer and "node_index" in e.data:
                key = (e.layer, int(e.data.get("node_index") or 0))
                found = next((m for seq, m, nodes in members if seq > e.seq and key in nodes), None)
                if found is not None:
                    self.node_model[e.seq] = found

    def functional(self, model: Any) -> bool:
        return model in self.payloads and model not in self.sequential

    def input_shapes(self, model: str) -> list[Any]:
        payload = self.payloads.get(model) or {}
        shapes = {
            str(n.get("layer")): (n.get("output_shapes") or [None])[0]
            for depth in payload.get("nodes_by_depth") or []
            for n in depth or []
            if not n.get("inbound")
        }
        return [shapes.get(str(name)) for name in payload.get("inputs") or []]

    def tensors(self, inbound: Any) -> str:
        """What a call was made on, in words: the Input's KerasTensor, or the KerasTensors it names."""
        names = [str(i) for i in inbound or []]
        parsed = [Inbound.parse(i) for i in names]
        if names and all(p is not None and p.layer in self.input_layers for p in parsed):
            return (
                "the Input's KerasTensor " if len(names) == 1 else "the Inputs' KerasTensors "
            ) + (", ".join(names))
        return ("the KerasTensor " if len(names) == 1 else "the KerasTensors ") + ", ".join(names)


# --- one explainer per kind of build -----------------------------------------------------------------------------
def _graph_build(ev: Event, prev: Build | None) -> Build:
    d = ev.data
    model = str(d.get("model"))
    before, received, built = d.get("shape_before"), d.get("shape_received"), d.get("shape_built")
    action = str(d.get("action"))
    common = dict(
        seq=ev.seq,
        what="graph network",
        subject=model,
        action=action,
        repeat=prev is not None,
        trigger=str(d.get("trigger", "call")),
        call_path=tuple(d.get("call_path") or ()),
        shape_before=before,
        shape_after=built,
        epoch=ev.epoch,
        step=ev.step,
    )
    if action == "built" and prev is None:
        how = (
            "inside the traced train_function, so the batch dimension is the dataset's (None when the data ends "
            "in a partial batch)"
            if d.get("mode") == "graph"
            else "with the concrete shape of the first batch"
            if d.get("mode") == "eager"
            else "from its explicit input"
        )
        return Build(
            **common,
            cause=f"Model '{model}' had no input shape yet; it built its graph network for "
            f"{shape_text(built)} {how}.",
        )
    if action == "skipped":
        return Build(
            **common,
            cause=f"Model '{model}' received {shape_text(received)}, whose rank differs from the "
            f"{shape_text(before)} it was built for; Keras does not rebuild then and calls the "
            "existing network, so a later layer usually fails.",
            fix="Give the input the rank the model was built for (add or remove the batch axis, or "
            "reshape/Flatten the samples).",
        )
    changed = [i for i, (a, b) in enumerate(zip(before or (), received or ())) if a != b]
    only_batch = changed == [0]
    differs = (
        (
            f"dimension {', '.join(map(str, changed))} changed: {shape_text(before)} -> {shape_text(received)}; "
            f"relaxed to {shape_text(built)}"
        )
        if before is not None
        else f"built for {shape_text(built)}"
    )
    if action == "rebuilt" and before is None and prev is not None:
        differs = str(d.get("reason"))
    fix = (
        "Harmless: only the batch size changed (e.g. the last, partial batch). To build once, give the model an "
        "explicit input: Sequential([Input(shape=...), ...]) or input_shape= on the first layer."
        if only_batch
        else "The samples' shape changed between calls. Feed one sample shape, or give the model an explicit "
        "Input(shape=...) so a wrong shape fails at once with a clear message."
    )
    return Build(
        **common,
        differs=differs,
        cause=str(d.get("reason")) or f"Model '{model}' was called with a novel input shape.",
        kept="every layer that was already built keeps its weights (only the network's wiring is new)",
        lost="nothing but the time to rebuild"
        if only_batch
        else "nothing yet; but layers built for the old sample shape will reject the new one",
        fix=fix,
    )


def _weights_text(weights: Iterable[Event]) -> str:
    made = [
        f"{str(w.data.get('name', '')).split('/')[-1].replace(':0', '')} {shape_text(w.data.get('shape'))}"
        for w in weights
    ]
    return f" ({', '.join(made)})" if made else ""


def _built_on_node(
    ev: Event, node: Event, graphs: _Graphs, weights: Iterable[Event], model: str | None
) -> str:
    """When and how a layer built inside a ``node_created`` (a call on KerasTensors) got its weights."""
    d = ev.data
    layer, cls = (
        ev.layer or "?",
        str(d.get("layer_class") or node.data.get("layer_class") or "Layer"),
    )
    failed = "inbound" not in node.data  # the call raised: its span holds only the error
    on = graphs.tensors(node.data.get("inbound")) if not failed else "a KerasTensor"
    shape = (
        shapes_text(node.data.get("input_shapes"))
        if node.data.get("input_shapes")
        else shape_text(d.get("input_shape"))
    )
    model = graphs.node_model.get(node.seq) or model
    trigger = str(d.get("trigger", "call"))
    weights = list(weights)
    made = (
        f"created its weights{_weights_text(weights)}"
        if weights
        else "fixed its input shape (it has no weights)"
    )
    if ev.step is None and trigger not in ("fit", "evaluate", "predict"):
        how = {
            "add": ", as add() appended it",
            "build": ", in build()",
            "summary": ", for summary()",
        }.get(trigger, "")
        return (
            f"Layer '{layer}' was built when the model was constructed: {cls} called on {on} of shape "
            f"{shape}{how} {made} then, before any data went through it"
            + (f" (model '{model}')." if model else ".")
        )
    where = f" ({epoch_comma(ev.epoch)}step {ev.step})" if ev.step is not None else ""
    whose = f"model '{model}'" if model else "the model"
    if failed:
        return (
            f"Layer '{layer}' was built at the first {trigger} step{where}, for {shape}: {whose} tried to "
            f"build its graph network then, calling {cls} on a KerasTensor of that shape; that call {made}, "
            f"and then raised {node.data.get('error')}."
        )
    return (
        f"Layer '{layer}' was built at the first {trigger} step{where}: {whose} had no input shape until the "
        f"data came, and built its graph network then, calling {cls} on {on} of shape {shape}; that call "
        f"{made}."
    )


def _layer_build(
    ev: Event,
    prev: Build | None,
    model: str | None,
    prev_model: str | None,
    node: Event | None = None,
    graphs: _Graphs | None = None,
    weights: Iterable[Event] = (),
) -> Build:
    d = ev.data
    layer = ev.layer or "?"
    count = int(d.get("build_count") or 0)
    common = dict(
        seq=ev.seq,
        what="layer",
        subject=layer,
        action="rebuilt" if prev else "built",
        repeat=prev is not None,
        trigger=str(d.get("trigger", "call")),
        call_path=tuple(d.get("call_path") or ()),
        shape_before=prev.shape_after if prev else None,
        shape_after=d.get("input_shape"),
        epoch=ev.epoch,
        step=ev.step,
    )
    if (prev is None or count == 0) and node is not None and graphs is not None:
        return Build(**common, cause=_built_on_node(ev, node, graphs, weights, model))
    if prev is None or count == 0:
        where = f"in model '{model}'" if model else "on a direct call"
        via = {
            "add": "when add() appended it to a model that already had an input shape",
            "build": "when build() was called",
            "summary": "for summary()",
        }.get(str(d.get("trigger")), "")
        return Build(
            **common,
            cause=f"Layer '{layer}' was built {where} for input shape "
            f"{shape_text(d.get('input_shape'))} {via or 'on its first call'}: it created its "
            "weights then (lazy build).",
        )
    return Build(
        **common,
        differs=f"input shape {shape_text(prev.shape_after)} -> {shape_text(d.get('input_shape'))}",
        cause=f"Layer '{layer}' was built again because its `built` flag had been reset to False; build() "
        "ran anew and add_weight created fresh weights.",
        lost="the trained weight values: they were replaced by freshly initialised ones",
        kept="nothing of the old weights",
        fix="Do not reset `layer.built`. To start again on purpose, use a new layer object, or restore "
        "values with set_weights().",
    )


def _graph_network(ev: Event, graphs: _Graphs, trigger: str) -> Build:
    """A functional model's graph, mapped once by Model(inputs, outputs)."""
    d = ev.data
    model = str(d.get("model"))
    depths = d.get("nodes_by_depth") or []
    calls: dict[str, int] = {}
    for depth in depths:
        for node in depth or []:
            calls[str(node.get("layer"))] = calls.get(str(node.get("layer")), 0) + 1
    inputs = [str(i) for i in d.get("inputs") or []]
    shapes = graphs.input_shapes(model)
    shared = [name for name, n in calls.items() if n > 1]
    nested = [name for name in calls if name in graphs.payloads and name != model]
    ins = ", ".join(f"'{i}' {shape_text(s)}" for i, s in zip(inputs, shapes))
    outs = ", ".join(f"'{o}'" for o in d.get("outputs") or [])
    extra = ""
    if shared:
        extra += (
            f"; shared layer(s) {', '.join(shared)}: one layer, several nodes, one set of weights"
        )
    if nested:
        extra += f"; nested model(s) {', '.join(nested)}, each a layer with a graph of its own"
    return Build(
        seq=ev.seq,
        what="graph network",
        subject=model,
        action="built",
        repeat=False,
        trigger=trigger,
        call_path=(),
        shape_after=shapes[0] if len(shapes) == 1 else shapes,
        epoch=ev.epoch,
        step=ev.step,
        cause=f"Model '{model}' mapped its graph when it was constructed (Model(inputs, outputs)): from "
        f"Input {ins} to {outs}, {len(calls)} layers in {len(depths)} depths{extra}. The input shape is "
        "fixed with the graph: a functional model is never rebuilt for other data; each call checks its "
        "input against it.",
    )


def _shared_node(
    ev: Event, base: Event, graphs: _Graphs, trigger: str, built: Any
) -> tuple[tuple[str, str], Build] | None:
    """A layer called again on KerasTensors (node 1, 2...): on its built shape, on another shape it accepts, or
    in another model's graph. Returns the key it is remembered under, and its Build."""
    layer = ev.layer or "?"
    cls = str(ev.data.get("layer_class") or "Layer")
    index = int(ev.data.get("node_index") or 0)
    new = _one(ev.data.get("input_shapes"))
    old = built if built is not None else _one(base.data.get("input_shapes"))
    model, first_model = graphs.node_model.get(ev.seq), graphs.node_model.get(base.seq)
    on = graphs.tensors(ev.data.get("inbound"))
    common = dict(
        seq=ev.seq,
        what="layer",
        subject=layer,
        trigger=trigger,
        call_path=(),
        shape_before=old,
        shape_after=new,
        epoch=ev.epoch,
        step=ev.step,
    )
    if _body(new) != _body(old):
        where = f" in model '{model}'" if model and model != first_model else ""
        return ("shared", f"{layer}#{index}"), Build(
            **common,
            action="reused with another input shape",
            repeat=True,
            differs=f"input shape {shape_text(old)} (built for) -> {shape_text(new)} (node {index})",
            cause=f"Layer '{layer}' was built for {shape_text(old)} and is called again{where} (node "
            f"{index}) on {on} of shape {shape_text(new)}. It is not built again: {cls} takes this input "
            "with the weights it has, so both calls use the same weights.",
            kept="its weights: one set, used by every node of the layer",
            lost="nothing; but the calls are not independent: training through one changes the other",
            fix="Nothing to change if the two inputs should share weights. If they should not, call a new "
            f"layer object ({cls}(...)) on the second input; if the shapes were meant to match, check what "
            "feeds this call.",
        )
    if model and first_model and model != first_model:
        return ("shared", f"{layer}@{model}"), Build(
            **common,
            action="reused in another model",
            repeat=True,
            differs=f"model '{first_model}' -> model '{model}'",
            cause=f"Layer '{layer}' was built in model '{first_model}' and is now used in model '{model}' "
            "too. It is not built again: both models share its weights.",
            kept="the weights it learned in the first model (now shared)",
            lost="nothing; but training either model changes the other",
            fix="Create a new layer object for the second model if it needs weights of its own.",
        )
    return ("shared", f"{layer}#{index}"), Build(
        **common,
        action="shared",
        repeat=False,
        cause=f"Layer '{layer}' is called again (node {index}) on {on}, with the input shape it was built "
        f"for, {shape_text(old)}: it is not built again, and every call uses its one set of weights (a "
        "shared layer).",
    )


def _legacy(ev: Event, built_for: Any, trigger: str) -> Build:
    """A Sequential that could not build its graph network and calls its layers one by one from now on."""
    d = ev.data
    model = str(d.get("model") or "?")
    shape = d.get("shape", built_for)
    failed = d.get("failed_layer") or ev.layer
    who = f"calling layer '{failed}' on it" if failed else "mapping the graph"
    error = f"{d.get('error_type')}: {d.get('error')}" if d.get("error_type") else d.get("message")
    return Build(
        seq=ev.seq,
        what="graph network",
        subject=model,
        action=FELL_BACK,
        repeat=False,
        trigger=trigger,
        call_path=(),
        shape_after=shape,
        epoch=ev.epoch,
        step=ev.step,
        cause=f"Model '{model}' tried to build its graph network for {shape_text(shape)}, on a KerasTensor "
        f"of that shape, and {who} raised {error}. Keras then gives the graph up for this model: from now on "
        "it calls the layers one by one on the real data (its legacy deferred behaviour), so the model has "
        "no graph (summary() shows no connections) and each layer is built on the first real batch.",
        kept="every weight; the model still trains",
        lost="the graph network, for good: the model is not rebuilt for later shapes either",
        fix="Make that layer work on a symbolic input: give it a compute_output_shape, or let its call "
        "handle any batch size (no checks on concrete sizes); or give the model an explicit "
        "Input(shape=...) so that the problem shows when the model is constructed.",
    )


#: What to do about a retrace: of fit's train_function, of a user's tf.function, of one whose first call made variables.
_RETRACE_FIX = {
    "fit": "Feed batches of one shape, or let the batch dimension be None (a partial last batch does that) so one "
    "trace serves all.",
    "tf.function": "Call it with one signature: batches of one shape and dtype, tensors rather than changing Python "
    "numbers; or input_signature=[tf.TensorSpec([None, ...], tf.float32), ...] or reduce_retracing=True.",
    "jit": JIT_SHAPE_FIX,  # jax.jit (Keras 3 on JAX): no dimension relaxed to None
    "variables": "Nothing to fix: it happens once, on the first call. To trace once, make the variables before it: "
    "build the model (an Input, or model.build) and the optimizer (optimizer.build(model.trainable_variables)).",
}


def _function(ev: Event, prev: Build | None, jit: bool) -> Build | None:
    d = ev.data
    action = str(d.get("action"))
    if action == "reused":
        return None
    fn = str(d.get("function") or ev.name)
    common = dict(
        seq=ev.seq,
        what=fn,
        subject=fn,
        action=action,
        repeat=prev is not None and action != "reset",
        trigger=str(d.get("trigger", "fit")),
        call_path=tuple(d.get("call_path") or ()),
        epoch=ev.epoch,
        step=ev.step,
    )
    if action == "reset":
        return Build(
            **common,
            cause=str(d.get("reason")),
            lost=f"the cached {fn} and its traced graphs",
            fix="Call compile() once; to change only the learning rate, set "
            "model.optimizer.learning_rate instead of compiling again.",
        )
    if action == "traced":
        why = "variables" if d.get("variables") else "jit" if jit else str(d.get("source") or "fit")
        return Build(
            **common,
            shape_after=d.get("signature"),
            cause=str(d.get("reason")),
            differs=""
            if prev is None or why == "variables"
            else f"signature {signature_text(prev.shape_after)} -> {signature_text(d.get('signature'))}",
            fix="" if prev is None else _RETRACE_FIX.get(why, _RETRACE_FIX["fit"]),
        )
    return Build(
        **common,
        cause=str(d.get("reason")),
        fix=""
        if prev is None
        else "Expected after compile(); keep one compile() per model to trace once.",
    )


def _slots(ev: Event, prev: Build | None) -> Build:
    d = ev.data
    opt = str(d.get("optimizer") or ev.name)
    slots = list(d.get("slots") or [])
    common = dict(
        seq=ev.seq,
        what="optimizer slots",
        subject=opt,
        action="created",
        repeat=prev is not None,
        trigger=str(d.get("trigger", "fit")),
        call_path=tuple(d.get("call_path") or ()),
        shape_after=slots,
        epoch=ev.epoch,
        step=ev.step,
    )
    if prev is None:
        return Build(
            **common,
            cause=f"{opt} created its slot variables ({len(slots)}) on its first "
            "apply_gradients, one set per trainable variable.",
        )
    return Build(
        **common,
        cause=f"A new {opt} object created its slot variables again: the optimizer was replaced "
        "(compile() with a new optimizer or a string like 'rmsprop' makes a new one).",
        lost="the optimizer's state (moving averages, momenta, iteration count) — it starts from zero",
        kept="the model's weights",
        differs="a new optimizer object",
        fix="Pass the same optimizer object to compile() again (optimizer=model.optimizer) to keep its "
        "state.",
    )


def _functional_input(ev: Event, origin: str, graphs: _Graphs, facts: Mapping[str, Any]) -> Failure:
    """Data of a shape a functional model's graph was not built for."""
    model = str(facts.get("layer"))
    want, got = list(facts.get("expected") or []), list(facts.get("found") or [])
    i = int(facts.get("input") or 0)
    names = [str(n) for n in (graphs.payloads.get(model) or {}).get("inputs") or []]
    name = names[i] if i < len(names) else f"input {i}"
    if len(want) != len(got):
        dimension = f"rank {len(got)}, the graph takes rank {len(want)} ({shape_text(want)})"
    else:
        axes = [a for a, (w, g) in enumerate(zip(want, got)) if w is not None and w != g]
        dimension = "; ".join(
            f"axis {a}: the graph was built for {want[a]}, the data has {got[a]}" for a in axes
        )
    sample = tuple(got[1:])
    return Failure(
        ev.seq,
        str(ev.data.get("type")),
        str(ev.data.get("message", "")),
        model,
        dimension or f"expected {shape_text(want)}, found {shape_text(got)}",
        origin,
        f"Feed data of shape {shape_text(['n'] + want[1:])} (check the "
        f"preprocessing), or, if the model is meant for these samples, build it again on "
        f"keras.Input(shape={sample}).",
        f"Model '{model}' is a functional model: its graph was built for inputs of shape "
        f"{shape_text(want)} when Model(inputs, outputs) was called on Input '{name}', and a functional "
        "model is never rebuilt for new data: it checks every input against that shape.",
    )


def _reuse_failure(
    ev: Event, origin: str, facts: Mapping[str, Any], base: Event, built: Any, graphs: _Graphs
) -> Failure | None:
    """A layer called again (a new node) on a KerasTensor its weights do not fit."""
    layer = str(facts.get("layer", ev.layer))
    cls = str(base.data.get("layer_class") or "Layer")
    check = facts.get("check")
    if check == "axis":
        want, axis = facts["expected"], facts["axis"]
        dimension = (
            f"axis {axis}: the layer was built for {want}, this call gives {facts.get('found')}"
        )
        bring = f"bring that input to {want} values in axis {axis}"
    elif check == "ndim":
        dimension = f"rank {facts.get('found')}, the layer takes rank {facts.get('expected')}"
        bring = f"bring that input to rank {facts.get('expected')}"
    elif check == "shape":
        dimension = f"expected {shape_text(facts['expected'])}, found {shape_text(facts['found'])}"
        bring = f"bring that input to {shape_text(facts['expected'])}"
    else:
        return None
    return Failure(
        ev.seq,
        str(ev.data.get("type")),
        str(ev.data.get("message", "")),
        layer,
        dimension,
        origin,
        f"A layer called twice shares one set of weights, so every call must fit the shape it was built for. "
        f"For an input of another shape, call a new layer object ({cls}(...)) on it, or {bring} first.",
        f"Layer '{layer}' was built for {shape_text(built)} by its first call (node 0, on "
        f"{', '.join(map(str, base.data.get('inbound') or []))}); calling it again on another KerasTensor "
        "reuses the layer and its weights, and this input does not fit them.",
    )


def _failure(ev: Event, origin: str, graphs: _Graphs | None = None) -> Failure | None:
    """The failure an "error" event shows, worded from the facts the engine gave it (``diagnosis``)."""
    msg = str(ev.data.get("message", ""))
    kind = str(ev.data.get("type"))
    facts = ev.data.get("diagnosis") or {}
    check, layer = facts.get("check"), facts.get("layer", ev.layer)
    if check == "shape" and graphs is not None and graphs.functional(layer):
        return _functional_input(ev, origin, graphs, facts)
    if check == "axis":
        want, axis = facts["expected"], facts["axis"]
        got = "?" if facts.get("found") is None else facts["found"]
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            f"axis {axis}: the layer was built for {want}, the data has {got}",
            origin,
            f"Layer '{layer}' was built for inputs with {want} values in axis {axis}. Give it data of "
            f"that width (check the preprocessing, e.g. reshape to (n, {want})), or build a new model "
            f"for {got} features.",
        )
    if check == "shape":
        want, got = shape_text(facts["expected"]), shape_text(facts["found"])
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            f"expected {want}, found {got}",
            origin,
            f"The model's explicit input is {want}. Reshape the data to match, e.g. "
            "x.reshape(len(x), -1) for images, or add a Flatten layer first.",
        )
    if check == "ndim":
        want, got = int(facts["expected"]), int(facts["found"])
        return Failure(
            ev.seq, kind, msg, layer, f"rank {got}, needs {want}", origin, _rank_fix(want, got)
        )
    if check == "unknown_variable":
        var = facts["variable"]
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            f"variable {var} is new",
            origin,
            "The optimizer built its slots for the old variables; this one was created afterwards (a "
            "layer was built again or added). Call compile() again to get a fresh optimizer, or "
            "optimizer.build(model.trainable_variables) before training.",
        )
    if check == "undefined_last_dim":
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            "unknown",
            origin,
            "Check the input shape against the model's expected input.",
        )
    return None


def _rank_fix(want: int, got: int) -> str:
    if want == 4 and got == 3:
        return (
            "Images go in as (samples, rows, columns, channels) and these have no channel axis. Add it with "
            "x[..., None] (or x.reshape(len(x), rows, columns, 1)), or give the first layer "
            "input_shape=(rows, columns, 1): with an input shape, Keras adds an axis of size 1 itself."
        )
    if got < want:
        return "Add the batch axis (x[None] for one sample) or reshape the data to (samples, features)."
    return "The data has more axes than the layer takes: Flatten it first, or reshape it to the layer's rank."


def _origin(events: list[Event], upto: int) -> str:
    adapter = None
    for ev in events:
        if ev.seq > upto:
            break
        if ev.kind == "adapter_selected":
            adapter = ev
    error = next((e for e in events if e.seq == upto), None)
    where = ""
    if error is not None and error.step is not None:
        where = (
            f" at epoch {error.epoch}, step {error.step}"
            if error.epoch is not None
            else f" at step {error.step}"
        )
    if adapter is None:
        return f"a direct call{where}"
    d = adapter.data
    return (
        f"{d.get('class')} ({d.get('num_samples')} samples, batch size {d.get('batch_size')}, "
        f"{d.get('steps')} steps){where}"
    )


def why_rebuilt(trace: Trace, layer: str | None = None) -> Diagnosis:
    """Explain every build and rebuild in ``trace`` (a Trace or anything with ``.events``)."""
    events: list[Event] = list(trace.events)
    by_seq = trace.events_by_seq
    graphs = _Graphs(events)
    weights: dict[int | None, list[Event]] = {}
    for ev in events:
        if ev.kind == "weight_created":
            weights.setdefault(ev.parent, []).append(ev)
    last: dict[tuple[str, str], Build] = {}
    layer_model: dict[str, str] = {}
    first_node: dict[
        str, Event
    ] = {}  # each layer's latest node 0 (a Sequential's rebuild starts again at 0)
    built_for: dict[str, Any] = {}  # each layer's build input shape
    graph_shape: dict[str, Any] = {}  # each Sequential's last graph_build shape
    builds: list[Build] = []
    failures: list[Failure] = []
    for ev in events:
        b: Build | None = None
        key: tuple[str, str] = ("", "")
        if ev.kind == "graph_build":
            key = ("graph", str(ev.data.get("model")))
            b = _graph_build(ev, last.get(key))
            if ev.data.get("shape_built") is not None:
                graph_shape[key[1]] = ev.data.get("shape_built")
        elif ev.kind == "graph_network":
            if not graphs.functional(ev.data.get("model")):
                continue
            key = ("network", str(ev.data.get("model")) + f"@{ev.seq}")
            b = _graph_network(ev, graphs, _trigger_of(by_seq, ev))
        elif ev.kind == "warning" and ev.name == "legacy deferred behavior":
            model = str(ev.data.get("model") or _model_of(by_seq, ev) or "?")
            key = ("graph", model)
            tried = last.get(key)
            if (
                tried is not None
                and tried in builds
                and (tried.epoch, tried.step) == (ev.epoch, ev.step)
            ):
                builds.remove(tried)  # the build it announced did not happen: the fallback says why
            b = _legacy(ev, graph_shape.get(model), _trigger_of(by_seq, ev))
        elif ev.kind == "node_created" and ev.layer and "node_index" in ev.data:
            index = int(ev.data.get("node_index") or 0)
            base = first_node.get(ev.layer)
            if index == 0 or base is None:
                first_node[ev.layer] = ev
                continue
            made = _shared_node(ev, base, graphs, _trigger_of(by_seq, ev), built_for.get(ev.layer))
            if made is None or made[0] in last:
                continue
            key, b = made
        elif ev.kind == "layer_build":
            key = ("layer", ev.layer or "?")
            model = _model_of(by_seq, ev)
            parent = by_seq.get(ev.parent) if ev.parent is not None else None
            node = parent if parent is not None and parent.kind == "node_created" else None
            if model is None and node is not None:
                model = graphs.node_model.get(node.seq)
            b = _layer_build(
                ev,
                last.get(key),
                model,
                layer_model.get(ev.layer or ""),
                node,
                graphs,
                weights.get(ev.seq, ()),
            )
            if ev.layer:
                built_for[ev.layer] = ev.data.get("input_shape")
            if model and ev.layer:
                layer_model.setdefault(ev.layer, model)
        elif ev.kind == "train_function":
            key = ("fn", str(ev.data.get("function") or ev.name) + ":" + str(ev.data.get("action")))
            b = _function(ev, last.get(key), is_jit(getattr(trace, "header", None)))
        elif ev.kind == "optimizer_slots":
            key = ("slots", str(ev.data.get("optimizer") or ev.name))
            b = _slots(ev, last.get(key))
        elif ev.kind in ("layer_call", "model_call") and ev.layer:
            model = _model_of(by_seq, ev) if ev.kind == "layer_call" else None
            if model and ev.layer in layer_model and layer_model[ev.layer] != model:
                key = ("shared", ev.layer + "@" + model)
                if key not in last:
                    b = Build(
                        seq=ev.seq,
                        what="layer",
                        subject=ev.layer,
                        action="reused in another model",
                        repeat=True,
                        trigger="call",
                        call_path=(),
                        epoch=ev.epoch,
                        step=ev.step,
                        differs=f"model '{layer_model[ev.layer]}' -> model '{model}'",
                        cause=f"Layer '{ev.layer}' was built in model '{layer_model[ev.layer]}' and is now used "
                        f"in model '{model}' too. It is not built again: both models share its weights.",
                        kept="the weights it learned in the first model (now shared)",
                        lost="nothing; but training either model changes the other",
                        fix="Create a new layer object for the second model if it needs weights of its own.",
                    )
            elif model and ev.layer:
                layer_model.setdefault(ev.layer, model)
            if b is None:
                continue
        elif ev.kind == "error":
            sb = symbolic_build.explain(ev, by_seq, events)  # Keras 3's build before the loop
            f = Failure(**sb) if sb else _error(ev, by_seq, events, graphs, first_node, built_for)
            if f is not None:
                failures.append(f)
            continue
        else:
            continue
        if b is None:
            continue
        last[key] = b
        builds.append(b)
    builds = [_outcome(b, by_seq, events) if b.action == "skipped" else b for b in builds]
    builds = real_runs(builds, by_seq, events, Build)  # what a real framework's events say besides
    if layer is not None:
        known = sorted({e.layer for e in events if e.layer} | {b.subject for b in builds})
        if layer not in known:
            raise ValueError(
                f"nothing named {layer!r} was built or called in this trace; the names it has: "
                f"{', '.join(known) or 'none'}"
            )
        builds = [b for b in builds if b.subject == layer]
        failures = [f for f in failures if f.layer == layer]
    by_subject: dict[str, list[Build]] = {}
    for b in builds:
        by_subject.setdefault(b.subject, []).append(b)
    return Diagnosis(
        tuple(builds),
        tuple(failures),
        _summary(builds, failures),
        {k: tuple(v) for k, v in by_subject.items()},
    )


def _error(
    ev: Event,
    by_seq: Mapping[int, Event],
    events: list[Event],
    graphs: _Graphs,
    first_node: Mapping[str, Event],
    built_for: Mapping[str, Any],
) -> Failure | None:
    """An error event as a Failure: a layer's new node that its weights do not fit, or any other failure."""
    origin = _origin(events, ev.seq)
    facts = ev.data.get("diagnosis") or {}
    parent = by_seq.get(ev.parent) if ev.parent is not None else None
    layer = facts.get("layer", ev.layer)
    base = first_node.get(str(layer))
    if (
        parent is not None
        and parent.kind == "node_created"
        and parent.layer == layer
        and base is not None
        and base.seq < parent.seq
    ):
        shape = built_for.get(str(layer), _one(base.data.get("input_shapes")))
        failure = _reuse_failure(ev, origin, facts, base, shape, graphs)
        if failure is not None:
            return failure
    return _failure(ev, origin, graphs)


def _outcome(b: Build, by_seq: Mapping[int, Event], events: list[Event]) -> Build:
    """A skipped rebuild (an input of another rank), with what happened next in the same call."""
    root = _root(by_seq, by_seq[b.seq]) if b.seq in by_seq else None
    received = by_seq[b.seq].data.get("shape_received") if b.seq in by_seq else None
    error = next(
        (
            e
            for e in events
            if e.kind == "error" and e.seq > b.seq and root is not None and _root(by_seq, e) == root
        ),
        None,
    )
    if error is not None:
        then = f" Here it did: {error.data.get('type')}: {error.data.get('message')}" + (
            f" (in {error.data.get('stage')})." if error.data.get("stage") else "."
        )
    else:
        then = (
            f" Here every layer took the {shape_text(received)} input as it came, so the "
            f"run went on; but the model's graph (and summary()) still describe {shape_text(b.shape_before)}."
        )
    return replace(b, cause=b.cause + then)


def _summary(builds: Iterable[Build], failures: Iterable[Failure]) -> str:
    builds, failures = list(builds), list(failures)
    repeats = [b for b in builds if b.repeat and b.action not in NOT_REBUILT]
    rebuilt = [b for b in repeats if not b.action.startswith("reused")]
    reused = [b for b in repeats if b.action.startswith("reused")]
    stuck = [b for b in builds if b.action in NOT_REBUILT]
    parts = []
    parts += symbolic_build.failed(failures)  # Keras 3's failed symbolic build told apart
    if not rebuilt:
        layers = sum(1 for b in builds if b.what == "layer" and b.action in ("built", "rebuilt"))
        parts.append(
            f"Nothing was rebuilt: {layers} layer(s) were each built once, and no network, function or "
            "optimizer state was made twice."
        )
    else:
        kinds = sorted({b.what for b in rebuilt})
        parts.append(f"{len(rebuilt)} rebuild(s): " + ", ".join(kinds) + ".")
    parts += warned(builds)  # TensorFlow's own warnings about retracing, in a real run
    if reused:
        names = ", ".join(dict.fromkeys(f"'{b.subject}'" for b in reused))
        parts.append(
            f"{len(reused)} reuse(s) of a built layer ({names}): not built again, the weights are shared."
        )
    for b in stuck:
        parts.append(
            f"Model '{b.subject}' did not rebuild its graph network: "
            + (
                "an input of another rank."
                if b.action == "skipped"
                else "it calls its layers one by one."
            )
        )
    return " ".join(parts)
