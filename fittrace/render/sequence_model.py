"""The call-sequence diagram as data: participants, then messages, notes and loop frames in call order.

Built from a trace only. Repeated epochs and steps are folded into loop frames ("× 5 epochs", "× 469 steps") with
the first epoch's first step unfolded; steps that differ (the partial batch, a rebuild, an error) become notes at
the point where they happened. ``sequence.py`` draws this model as SVG, PNG and Mermaid.

Folded (``fold=True``, the default) it is drawn for a room rather than for a reference: the ``CallbackList`` and
its members share one lifeline (the members are named on it), a hook or a call repeated on every step or epoch is
one message with its count (``on_train_batch_begin × 469``), and a layer's ``add_weight`` calls are one message.
``fold=False`` gives every callback its own lifeline and every dispatch its own arrow.

``focus`` keeps one part of the main call (the first ``fit``, else the first ``evaluate`` or ``predict``):
``"setup"`` from its start to the first step, ``"step"`` the first train step with everything inside it and the
batch hooks around it, ``"epoch-end"`` what follows the first epoch's steps up to the end of ``fit``. The loop
frames around what is kept stay, so the room still sees where it is. A part the trace does not hold gives a model
with one note saying so.

On a trace of a real Keras run the participants are the real classes behind the events (``EpochIterator`` for
Keras 3's data stage, ``CompileLoss``, ``TensorFlowTrainer.fit``...), a note after the step loop says where
train_step's Python ran in graph mode, and a last note names the stages the trace does not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fittrace.analysis.folding import CallLoops
from fittrace.analysis.folding import fold as fold_loops
from fittrace.analysis.real_runs import not_recorded, participant, ran_on, short_name, step_mode
from fittrace.analysis.shapes import shape_text
from fittrace.tracing.document import Trace, enclosing, within
from fittrace.tracing.events import Event

MAX_ODD_NOTES = 12

#: The parts ``sequence_model(trace, focus=...)`` can keep (``None``: the whole call sequence).
FOCUSES = ("setup", "step", "epoch-end")
#: each focus in words, for a caption
FOCUS_WORDS = {
    "setup": "fit's setup, from its start to the first step",
    "step": "one train step (the first), with the batch hooks around it",
    "epoch-end": "the end of the first epoch, up to the end of fit",
}


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
    #: folded: the callbacks a grouped lifeline stands for, by participant (``{"CallbackList": ["History", ...]}``)
    members: dict[str, list[str]] = field(default_factory=dict)
    folded: bool = False
    title: str = ""  # what a focused diagram shows, in words

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
    def __init__(self, trace: Trace, fold: bool = True) -> None:
        self.fold = fold
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
        self.loops = {c.seq: c for c in fold_loops(trace)}
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
        # the part of the main call each item belongs to, for ``focus`` (kept beside ``model_out.items``)
        self.main = _main_call(self.events, self.by_seq)
        self.section = "before"
        self.sections: list[str] = []
        self.titles: dict[str, str] = {}

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

    def member(self, name: str) -> str:
        """A callback's participant: its own lifeline, or folded, the ``CallbackList`` lifeline that names it."""
        if not self.fold:
            return self.part(name, "callback")
        group = self.part(self.names["callbacks"], "callbacks")
        names = self.model_out.members.setdefault(group, [])
        if name not in names:
            names.append(name)
        return group

    def repeats(self, span: Event | None, kind: str) -> int:
        """How many ``kind`` spans sit beside ``span`` (the steps of its epoch, the epochs of its call)."""
        if span is None or span.kind != kind:
            return 1
        return sum(1 for s in self.children.get(span.parent, []) if s.kind == kind)

    # --- walking ---------------------------------------------------------------------------------------------------
    def add(self, item: Any) -> None:
        self.model_out.items.append(item)
        self.sections.append(self.section)

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
        call = self.by_seq.get(epochs[0].parent) if epochs[0].parent is not None else None
        if call is not None and call.kind == "fit":
            entry = self.entry(call)
            stopped = any(
                e.kind == "stop_training" and within(e, epochs[0].seq, self.by_seq)
                for e in self.events
                if e.seq > epochs[0].seq
            )
            self.add(
                Message(
                    entry,
                    entry,
                    "model.stop_training? True: the loop ends"
                    if stopped
                    else "model.stop_training? False: next epoch"
                    if n > 1
                    else "model.stop_training? False",
                    None,
                )
            )
            later = next(
                (
                    e
                    for e in self.events
                    if e.kind == "stop_training"
                    and e.seq > epochs[-1].seq
                    and within(e, epochs[-1].seq, self.by_seq)
                ),
                None,
            )
            if (
                later is not None and not stopped
            ):  # the epoch that ended the loop is not drawn: say it
                by = str(later.data.get("by") or "a callback")
                self.add(
                    Note(
                        self.member(by),
                        f"epoch {later.data.get('epoch', epochs[-1].epoch)}: {by} set stop_training = True, "
                        f"so fit ran {n} of {call.data.get('epochs')} epochs: "
                        f"{later.data.get('reason') or later.data.get('hook')}",
                        "info",
                    )
                )
        self.add(Frame("", False))

    def step_loop(self, steps: list[Event], loops: CallLoops | None) -> None:
        per_epoch = loops.steps_per_epoch if loops else len(steps)
        n = max(per_epoch, len(steps))
        first = steps[0]
        size = first.data.get("size")
        main_first = self.call == self.main and self.section == "setup"
        main_fit = main_first and self.by_seq[self.main].kind == "fit"
        if main_first:
            self.section = "step" if main_fit else "other"
            if main_fit:
                self.titles["step"] = (
                    f"the first train step: {size if size is not None else '?'} rows, one of the {n} steps "
                    "of an epoch"
                )
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
        if main_first:
            self.section = "epoch-end" if main_fit else "other"

    def event(self, ev: Event) -> None:
        src = self.owner(self.by_seq.get(ev.parent) if ev.parent is not None else None)
        d = ev.data
        k = ev.kind
        if k in ("fit", "evaluate", "predict"):
            outer = self.call
            if outer is None or k == "fit":
                self.call, self.first_epoch_of_call = ev.seq, k != "fit"
            is_main = ev.seq == self.main
            if is_main:
                self.section = "setup"
                self.titles["setup"] = f"{self.entry(ev)}: from its start to the first step"
                epochs = d.get("epochs")
                self.titles["epoch-end"] = "the end of the first epoch" + (
                    f" of {epochs}, then the end of fit" if epochs else ""
                )
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
            if is_main:
                self.section = "after"
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
                self.member(str(member))
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
            if self.fold:
                parent = self.by_seq.get(ev.parent) if ev.parent is not None else None
                times = self.repeats(parent, "step" if "batch" in hook else "epoch")
                label = f"{hook} × {times}" if times > 1 else hook + arg
                if d.get("skipped"):
                    label += " (no member implements it: skipped)"
                for member in d.get("callbacks", []):
                    self.member(str(member))
                self.add(Message(src, cl, label, ev.seq))
            else:
                self.add(Message(src, cl, hook + arg, ev.seq))
                for member in d.get("callbacks", []):
                    self.add(Message(cl, self.part(str(member), "callback"), hook, None))
            for child in self.children.get(ev.seq, []):
                if child.kind in ("history", "progbar", "stop_training", "error", "warning"):
                    self.event(child)
        elif k == "function_call":
            times = self.repeats(self.by_seq.get(ev.parent), "step") if self.fold else 1
            self.add(
                Message(
                    src,
                    self.part(ev.name, "function"),
                    f"{ev.name}(iterator)" + (f" × {times}" if times > 1 else ""),
                    ev.seq,
                )
            )
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
            siblings = [
                c
                for c in self.children.get(ev.parent, [])
                if c.kind == "weight_created" and c.layer == ev.layer
            ]
            if not self.fold:
                siblings = [ev]
            elif siblings[0].seq != ev.seq:
                return  # folded into the first one's message
            self.add(
                Message(
                    owner,
                    owner,
                    "add_weight "
                    + ", ".join(
                        f"{_weight_name(w)} {shape_text(w.data.get('shape'))} {w.data.get('initializer')}"
                        for w in siblings
                    ),
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
            h = self.member("History")
            said = "History: " if self.fold else ""
            self.add(Message(h, h, f"{said}record epoch {d.get('epoch')} logs", ev.seq))
        elif k == "progbar":
            p = self.member("ProgbarLogger")
            said = "ProgbarLogger: " if self.fold else ""
            line = re.sub(r"\s*\[[=>.]*\]", "", str(d.get("line", ""))).strip()
            self.add(Message(p, p, f"{said}prints {line}", ev.seq))
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
            by = str(d.get("by") or src)
            self.add(
                Note(
                    self.member(by),
                    f"{by} sets stop_training = True" if self.fold else "stop_training = True",
                    "info",
                )
            )
        elif k == "warning":
            self.add(Note(src, f"warning: {str(d.get('message'))[:90]}", "info"))
        elif k == "error":
            self.add(Note(src, f"{d.get('type')}: {str(d.get('message'))[:120]}", "error"))


def _weight_name(ev: Event) -> str:
    return str(ev.data.get("name", "")).split("/")[-1].replace(":0", "")


def _main_call(events: list[Event], by_seq: dict[int, Event]) -> int | None:
    """The call a focus looks into: the first top-level ``fit``, else the first top-level call."""
    calls = ("fit", "evaluate", "predict")
    top = [
        e
        for e in events
        if e.kind in calls and not any(p.kind in calls for p in enclosing(e, by_seq))
    ]
    main = next((e for e in top if e.kind == "fit"), top[0] if top else None)
    return main.seq if main is not None else None


def _keep(items: list[Any], keep: list[bool]) -> list[Any]:
    """The kept items, with the loop frames that enclose any of them (a frame without one is dropped)."""
    needed: set[int] = set()
    ends: dict[int, int] = {}
    open_: list[int] = []
    for i, item in enumerate(items):
        if isinstance(item, Frame):
            if item.start:
                open_.append(i)
            else:
                ends[i] = open_.pop()
        elif keep[i]:
            needed.update(open_)
    return [
        item
        for i, item in enumerate(items)
        if (isinstance(item, Frame) and (i in needed if item.start else ends.get(i) in needed))
        or (not isinstance(item, Frame) and keep[i])
    ]


_EMPTY = {
    "setup": "no fit, evaluate or predict call in this trace: nothing to show for focus 'setup'",
    "step": "no train step in this trace{why}: nothing to show for focus 'step'",
    "epoch-end": "no epoch of fit ended in this trace{why}: nothing to show for focus 'epoch-end'",
}


def _used(item: Any) -> tuple[str, ...]:
    return (
        (item.src, item.dst)
        if isinstance(item, Message)
        else (item.over,)
        if isinstance(item, Note)
        else ()
    )


def sequence_model(trace: Trace, focus: str | None = None, fold: bool = True) -> SequenceModel:
    """Participants (in the order listed in the module docstring) and the items, folded unless ``fold=False``;
    with ``focus`` (one of :data:`FOCUSES`), only that part of the main call."""
    if focus is not None and focus not in FOCUSES:
        raise ValueError(f"unknown focus: {focus!r} (must be one of {list(FOCUSES)} or None)")
    b = _Builder(trace, fold=fold)
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
    model.folded = fold
    if focus is not None:
        model.items = _keep(model.items, [s == focus for s in b.sections])
        model.title = b.titles.get(focus, "")
        if not model.items:
            main = b.by_seq.get(b.main) if b.main is not None else None
            why = (
                f" (it holds {main.kind} only)"
                if main is not None and main.kind != "fit"
                else " (fit stopped before it)"
                if main is not None
                else ""
            )
            where = b.entry(main) if main is not None else b.part("user code", "user")
            model.items = [Note(where, _EMPTY[focus].format(why=why), "info")]
            model.title = f"focus '{focus}': not in this trace"
        used = {p for item in model.items for p in _used(item)}
        b.parts = {p: v for p, v in b.parts.items() if p in used}
        model.members = {p: m for p, m in model.members.items() if p in used}
    model.participants = sorted(b.parts, key=lambda p: b.parts[p])
    return model
