"""The call-sequence diagram as data: participants, then messages, notes and loop frames in call order.

Built from a trace only. Repeated epochs and steps are folded into loop frames ("× 5 epochs", "× 469 steps") with
the first epoch's first step unfolded; steps that differ (the partial batch, a rebuild, an error) become notes at
the point where they happened. ``sequence.py`` draws this model as SVG, PNG and Mermaid.

On a trace of a real Keras run the participants are the real classes behind the events (``EpochIterator`` for
Keras 3's data stage, ``CompileLoss``, ``TensorFlowTrainer.fit``...), a note after the step loop says where
train_step's Python ran in graph mode, and a last note names the stages the trace does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fittrace.analysis.folding import CallLoops, fold
from fittrace.analysis.real_runs import not_recorded, participant, ran_on, short_name, step_mode
from fittrace.analysis.shapes import shape_text
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

MAX_ODD_NOTES = 12


@dataclass(frozen=True, slots=True)
class Message:
    src: str
    dst: str
    label: str
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class Note:
    over: str
    text: str
    tone: str = "info"  # info | build | error


@dataclass(frozen=True, slots=True)
class Frame:
    label: str
    start: bool  # True opens the frame, False closes it


@dataclass
class SequenceModel:
    participants: list[str] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)

    def frames(self) -> list[str]:
        return [i.label for i in self.items if isinstance(i, Frame) and i.start]


_ORDER = [
    "user",
    "entry",
    "handler",
    "adapter",
    "callbacks",
    "callback",
    "function",
    "model",
    "layer",
    "losses",
    "tape",
    "optimizer",
    "metrics",
]


def _num(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


class _Builder:
    def __init__(self, trace: Trace) -> None:
        self.events: list[Event] = list(trace.events)
        self.by_seq = trace.events_by_seq
        self.children: dict[int | None, list[Event]] = {}
        for e in self.events:
            self.children.setdefault(e.parent, []).append(e)
        header_model = (getattr(trace, "header", {}) or {}).get("model") or {}
        first_call = next((e for e in self.events if e.kind == "model_call" and e.layer), None)
        self.model = first_call.layer if first_call else header_model.get("name", "model")
        self.optimizer = next(
            (e.data.get("optimizer") for e in self.events if e.kind == "optimizer_slots"),
            (getattr(trace, "header", {}) or {}).get("compile", {}).get("optimizer") or "optimizer",
        )
        self.parts: dict[str, tuple[int, int]] = {}
        self.model_out = SequenceModel()
        self.loops = {c.seq: c for c in fold(trace)}
        self.call: int | None = None
        self.first_epoch_of_call = False
        self.ran = ran_on(trace)
        self.names = {
            "data_handler": participant(trace, "data_handler", "DataHandler"),
            "callbacks": participant(trace, "callbacks_container", "CallbackList"),
            "loss": participant(trace, "loss", "LossesContainer"),
            "tape": participant(trace, "tape", "GradientTape"),
            "metrics": participant(trace, "metric_update", "MetricsContainer"),
        }
        self.graph_note = (
            self.ran.real and step_mode(trace) == "graph"
        )  # said once, after the first step loop
        self.absent = not_recorded(trace)
        self.compiler = "jax.jit" if self.ran.backend == "jax" else "tf.function"

    def entry(self, ev: Event) -> str:
        """The entry point's participant: ``Model.fit``, or the real method (``TensorFlowTrainer.fit``)."""
        name = short_name(ev.keras) if self.ran.real else None
        return self.part(name if name and "." in name else f"Model.{ev.kind}", "entry")

    # --- participants ----------------------------------------------------------------------------------------------
    def part(self, name: str, category: str) -> str:
        if name not in self.parts:
            self.parts[name] = (_ORDER.index(category), len(self.parts))
        return name

    def owner(self, ev: Event | None) -> str:
        """The participant that is 'running' inside span ``ev``."""
        while ev is not None:
            k = ev.kind
            if k in ("fit", "evaluate", "predict"):
                return self.entry(ev)
            if k == "data_handler":
                return self.part(self.names["data_handler"], "handler")
            if k == "callback_hook":
                return self.part(self.names["callbacks"], "callbacks")
            if k == "function_call":
                return self.part(ev.name, "function")
            if k in ("train_step", "test_step", "predict_step", "model_call"):
                return (
                    self.part(ev.layer or self.model, "model")
                    if k == "model_call"
                    else self.part(self.model, "model")
                )
            if k == "symbolic_build":
                return self.part(str(ev.data.get("model") or self.model), "model")
            if k in ("layer_build", "layer_call", "node_created"):
                return self.part(ev.layer or "layer", "layer")
            if k == "tape":
                return self.part(self.names["tape"], "tape")
            if k == "api_call":
                return self.part(str(ev.data.get("model") or self.model), "model")
            if k == "validation":
                fit = next((p for p in self.events if p.kind == "fit"), None)
                return self.entry(fit) if fit is not None else self.part("Model.fit", "entry")
            ev = self.by_seq.get(ev.parent) if ev.parent is not None else None
        return self.part("user code", "user")

    # --- walking ---------------------------------------------------------------------------------------------------
    def add(self, item: Any) -> None:
        self.model_out.items.append(item)

    def walk(self, parent: int | None) -> None:
        kids = self.children.get(parent, [])
        i = 0
        while i < len(kids):
            ev = kids[i]
            if ev.kind == "epoch":
                epochs = [k for k in kids if k.kind == "epoch"]
                self.epoch_loop(epochs, self.loops.get(self.call))
                i = kids.index(epochs[-1]) + 1
                continue
            if ev.kind == "step":
                steps = [k for k in kids[i:] if k.kind == "step"]
                self.step_loop(
                    steps, self.loops.get(self.call) if self.first_epoch_of_call else None
                )
                i = kids.index(steps[-1]) + 1
                continue
            self.event(ev)
            i += 1

    def epoch_loop(self, epochs: list[Event], loops: CallLoops | None) -> None:
        n = len(epochs)
        self.add(Frame(f"loop × {n} epoch{'s' if n != 1 else ''}", True))
        self.first_epoch_of_call = True
        self.walk(epochs[0].seq)
        self.add(Frame("", False))

    def step_loop(self, steps: list[Event], loops: CallLoops | None) -> None:
        per_epoch = loops.steps_per_epoch if loops else len(steps)
        n = max(per_epoch, len(steps))
        first = steps[0]
        size = first.data.get("size")
        self.add(
            Frame(
                f"loop × {n} step{'s' if n != 1 else ''}"
                + (f" (batch {size})" if size else "")
                + " — first step shown",
                True,
            )
        )
        self.walk(first.seq)
        self.add(Frame("", False))
        if self.graph_note and loops is not None and loops.kind == "fit":
            self.graph_note = False
            where = next(
                (p for p in self.parts if self.parts[p][0] == _ORDER.index("function")), None
            )
            self.add(
                Note(
                    where or self.part(self.model, "model"),
                    "graph mode: train_step's Python ran only while the function was traced; "
                    f"the other steps of the {n} ran inside the traced graph",
                    "build",
                )
            )
        if loops:
            grouped: dict[tuple[int, tuple[str, ...]], list[int | None]] = {}
            for o in loops.odd_steps:
                grouped.setdefault((o.step, o.why), []).append(o.epoch)
            notes = list(grouped.items())
            for (step, why), epochs in notes[:MAX_ODD_NOTES]:
                tone = (
                    "error"
                    if "error" in why
                    else "build"
                    if any("built" in w or "traced" in w for w in why)
                    else "info"
                )
                known = [e for e in epochs if e is not None]
                where = (
                    f"step {step} of every epoch"
                    if len(known) > 1 and len(known) == loops.epochs
                    else f"epoch {', '.join(map(str, known))}, step {step}"
                    if known
                    else f"step {step}"
                )
                self.add(Note(self.part(self.model, "model"), f"{where}: " + "; ".join(why), tone))
            if len(notes) > MAX_ODD_NOTES:
                self.add(
                    Note(
                        self.part(self.model, "model"),
                        f"… and {len(notes) - MAX_ODD_NOTES} more steps that "
                        "differ (see the event explorer)",
                        "info",
                    )
                )

    def event(self, ev: Event) -> None:
        src = self.owner(self.by_seq.get(ev.parent) if ev.parent is not None else None)
        d = ev.data
        k = ev.kind
        if k in ("fit", "evaluate", "predict"):
            outer = self.call
            if outer is None or k == "fit":
                self.call, self.first_epoch_of_call = ev.seq, k != "fit"
            dst = self.entry(ev)
            args = f"batch_size={d.get('batch_size')}" + (
                f", epochs={d.get('epochs')}" if k == "fit" else ""
            )
            self.add(
                Message(
                    src if src != dst else self.part("user code", "user"),
                    dst,
                    f"{k}(x, {args})",
                    ev.seq,
                )
            )
            self.walk(ev.seq)
            self.call = outer
        elif k == "compile_check":
            self.add(Message(src, src, "_assert_compile_was_called()", ev.seq))
        elif k == "data_handler":
            name = self.names["data_handler"]
            label = "get_data_handler(...)" if name == "DataHandler" else f"{name}(...)"
            self.add(Message(src, self.part(name, "handler"), label, ev.seq))
            self.walk(ev.seq)
        elif k == "adapter_candidate":
            siblings = [
                c for c in self.children.get(ev.parent, []) if c.kind == "adapter_candidate"
            ]
            if siblings and siblings[0].seq == ev.seq:
                ok = [c.data.get("class") for c in siblings if c.data.get("accepted")]
                label = (
                    f"select_data_adapter: {len(siblings)} candidates asked, "
                    f"{', '.join(map(str, ok)) or 'none'} accepts"
                )
                if self.ran.framework == "keras":  # a chain of checks: the first that fits is taken
                    over = [c.data.get("class") for c in siblings if not c.data.get("accepted")]
                    label = (
                        f"get_data_adapter: {', '.join(map(str, over)) or 'none'} passed over, "
                        f"{', '.join(map(str, ok)) or 'none'} taken"
                    )
                self.add(Message(src, src, label, ev.seq))
        elif k == "adapter_selected":
            dst = self.part(str(d.get("class")), "adapter")
            steps = d.get("steps")
            partial = d.get("partial_batch_size")
            self.add(
                Message(
                    src,
                    dst,
                    f"{d.get('class')}(batch {d.get('batch_size')}, {steps} steps"
                    + (f", last {partial}" if partial else "")
                    + ")"
                    + (
                        f" in place of Keras's {d['stands_in_for'].get('keras_adapter')}"
                        if d.get("stands_in_for")
                        else ""
                    ),
                    ev.seq,
                )
            )
        elif k == "callbacks_container":
            dst = self.part(self.names["callbacks"], "callbacks")
            for member in d.get("members", []):
                self.part(str(member), "callback")
            self.add(
                Message(
                    src, dst, f"CallbackList([{', '.join(map(str, d.get('members', [])))}])", ev.seq
                )
            )
        elif k == "train_function":
            fn = self.part(str(d.get("function") or ev.name), "function")
            if d.get("action") == "traced":
                sig = d.get("signature") or []
                self.add(
                    Note(
                        fn,
                        f"{self.compiler} traces {fn} for {shape_text(sig[0]) if sig else '?'}",
                        "build",
                    )
                )
            else:
                verb = {
                    "created": f"make_{fn}(): created",
                    "reused": f"make_{fn}(): reused (cached)",
                    "reset": f"{fn} reset by compile()",
                }.get(str(d.get("action")), str(d.get("action")))
                self.add(Message(src, fn, verb, ev.seq))
        elif k == "callback_hook":
            cl = self.part(self.names["callbacks"], "callbacks")
            hook = str(d.get("hook"))
            arg = (
                f"({ev.epoch})"
                if "epoch" in hook and ev.epoch is not None
                else f"({ev.step})"
                if "batch" in hook and ev.step is not None
                else "()"
            )
            self.add(Message(src, cl, hook + arg, ev.seq))
            for member in d.get("callbacks", []):
                self.add(Message(cl, self.part(str(member), "callback"), hook, None))
            for child in self.children.get(ev.seq, []):
                if child.kind in ("history", "stop_training", "error", "warning"):
                    self.event(child)
        elif k == "function_call":
            self.add(Message(src, self.part(ev.name, "function"), f"{ev.name}(iterator)", ev.seq))
            self.walk(ev.seq)
        elif k in ("train_step", "test_step", "predict_step"):
            self.add(
                Message(
                    src,
                    self.part(self.model, "model"),
                    f"{ev.name.split('.')[-1]}(data: "
                    + (
                        f"{d.get('size')} rows)" if d.get("size") is not None else "symbolic batch)"
                    ),
                    ev.seq,
                )
            )
            self.walk(ev.seq)
        elif k == "model_call":
            dst = self.part(ev.layer or self.model, "model")
            self.add(
                Message(
                    src,
                    dst,
                    f"__call__(x {shape_text(d.get('input_shape'))}, training={d.get('training')})",
                    ev.seq,
                )
            )
            self.walk(ev.seq)
        elif k == "symbolic_build":
            dst = self.part(str(d.get("model") or self.model), "model")
            built = d.get("built_layers") or []
            self.add(
                Message(
                    src,
                    dst,
                    f"{short_name(ev.keras) or ev.name}(): symbolic build, {len(built)} layer(s) built"
                    + (f", failed: {d.get('error')}" if d.get("error") else ""),
                    ev.seq,
                )
            )
            self.walk(ev.seq)
        elif k == "jax_state":
            self.add(
                Note(
                    self.part(self.model, "model"),
                    f"JAX state {d.get('action')}: {d.get('reason') or ''}"[:110],
                    "info",
                )
            )
        elif k == "graph_build":
            self.add(
                Note(
                    self.part(str(d.get("model") or self.model), "model"),
                    f"graph network {d.get('action')} for {shape_text(d.get('shape_built'))}",
                    "build",
                )
            )
        elif k == "node_created":
            dst = self.part(ev.layer or "layer", "layer")
            shapes = ", ".join(shape_text(x) for x in d.get("input_shapes") or [])
            outs = ", ".join(shape_text(x) for x in d.get("output_shapes") or [])
            self.add(Message(src, dst, f"__call__(KerasTensor {shapes}) → {outs}", ev.seq))
            self.walk(ev.seq)
        elif k == "graph_network":
            depths = d.get("nodes_by_depth") or []
            self.add(
                Note(
                    self.part(str(d.get("model") or self.model), "model"),
                    f"graph mapped: {sum(len(n) for n in depths)} nodes in {len(depths)} depths",
                    "build",
                )
            )
        elif k == "layer_build":
            dst = self.part(ev.layer or "layer", "layer")
            self.add(Message(src, dst, f"build({shape_text(d.get('input_shape'))})", ev.seq))
            self.walk(ev.seq)
        elif k == "weight_created":
            owner = self.part(ev.layer or src, "layer") if ev.layer else src
            name = str(d.get("name", "")).split("/")[-1].replace(":0", "")
            self.add(
                Message(
                    owner,
                    owner,
                    f"add_weight {name} {shape_text(d.get('shape'))} {d.get('initializer')}",
                    ev.seq,
                )
            )
        elif k == "layer_call":
            dst = self.part(ev.layer or "layer", "layer")
            self.add(
                Message(
                    src,
                    dst,
                    f"call {shape_text(d.get('input_shape'))} → {shape_text(d.get('output_shape'))}",
                    ev.seq,
                )
            )
            self.walk(ev.seq)
        elif k == "loss":
            self.add(
                Message(
                    src,
                    self.part(self.names["loss"], "losses"),
                    f"compute_loss → {d.get('name')} = {_num(d.get('value'))}",
                    ev.seq,
                )
            )
        elif k == "tape":
            grads = [c for c in self.children.get(ev.seq, []) if c.kind == "gradient"]
            self.add(
                Message(
                    src,
                    self.part(self.names["tape"], "tape"),
                    f"gradient(loss, {len(grads)} variables)",
                    ev.seq,
                )
            )
        elif k == "optimizer_slots":
            self.add(
                Message(
                    src,
                    self.part(str(d.get("optimizer") or self.optimizer), "optimizer"),
                    f"build(): {len(d.get('slots') or [])} slot variables created",
                    ev.seq,
                )
            )
        elif k == "optimizer_update":
            siblings = [c for c in self.children.get(ev.parent, []) if c.kind == "optimizer_update"]
            if siblings and siblings[0].seq == ev.seq:
                self.add(
                    Message(
                        src,
                        self.part(str(self.optimizer), "optimizer"),
                        f"apply_gradients({len(siblings)} variables)",
                        ev.seq,
                    )
                )
        elif k == "metric_update":
            siblings = [c for c in self.children.get(ev.parent, []) if c.kind == "metric_update"]
            if siblings and siblings[0].seq == ev.seq:
                values = ", ".join(
                    f"{c.data.get('name')}={_num(c.data.get('value'))}" for c in siblings
                )
                self.add(
                    Message(
                        src,
                        self.part(self.names["metrics"], "metrics"),
                        f"update_state: {values}",
                        ev.seq,
                    )
                )
        elif k == "history":
            h = self.part("History", "callback")
            self.add(Message(h, h, f"record epoch {d.get('epoch')} logs", ev.seq))
        elif k == "validation":
            self.add(
                Message(
                    src,
                    src,
                    f"evaluate(validation data) → {', '.join(sorted(d.get('logs') or {}))}",
                    ev.seq,
                )
            )
        elif k == "api_call":
            dst = self.part(str(d.get("model") or self.model), "model")
            self.add(Message(self.part("user code", "user"), dst, f"{d.get('method')}()", ev.seq))
            self.walk(ev.seq)
        elif k == "stop_training":
            self.add(
                Note(self.part(str(d.get("by") or src), "callback"), "stop_training = True", "info")
            )
        elif k == "warning":
            self.add(Note(src, f"warning: {str(d.get('message'))[:90]}", "info"))
        elif k == "error":
            self.add(Note(src, f"{d.get('type')}: {str(d.get('message'))[:120]}", "error"))


def sequence_model(trace: Trace) -> SequenceModel:
    """Participants (in the order listed in the module docstring) and the folded items."""
    b = _Builder(trace)
    b.walk(None)
    if b.absent:
        words = [text.split(":", 1)[0] for text in b.absent.values()]
        b.add(
            Note(
                b.part(b.model, "model"),
                "not recorded in this trace: " + ", ".join(w[:1].lower() + w[1:] for w in words),
                "info",
            )
        )
    model = b.model_out
    model.participants = sorted(b.parts, key=lambda p: b.parts[p])
    return model
