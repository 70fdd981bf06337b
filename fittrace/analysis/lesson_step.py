"""The lesson's slides inside one step: the first step, the model's call, the lazy build and the weights it makes,
the loss, the gradients, the update and the metrics (``lesson.py`` assembles them). Each reads the first step that
kept its inner events (the run's ``full`` steps).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from fittrace.analysis.real_runs import graph_lesson, not_recorded
from fittrace.analysis.shapes import shape_text
from fittrace.analysis.slides import (
    Beat,
    RunEvents,
    Slide,
    children,
    plural,
)
from fittrace.analysis.values import number_text, value_text
from fittrace.analysis.walkthrough import built_when
from fittrace.tracing.events import Event


def _first_full_step(steps: list[Event]) -> Event | None:
    return next((s for s in steps if s.data.get("full")), None) or (steps[0] if steps else None)


def step_slides(run: RunEvents, steps: list[Event], words: Mapping[str, str]) -> list[Slide]:
    step = _first_full_step(steps)
    if step is None:
        return []
    inner = children(run, step)
    kinds: dict[str, list[Event]] = {}
    for e in inner:
        kinds.setdefault(e.kind, []).append(e)
    fn, step_fn = words["function"], words["step"]
    absent = not_recorded(run.trace)
    slides: list[Slide] = []
    size = step.data.get("size")
    model_call = next(iter(kinds.get("model_call", [])), None)
    traced = next(
        (e for e in kinds.get("train_function", []) if e.data.get("action") == "traced"), None
    )
    stages = (
        "the model's call, the loss, the gradients, the update, the metrics"
        if step_fn == "train_step"
        else "the model's call, the loss and the metrics: no gradient, no update"
    )
    beats = [
        Beat(
            "text",
            (
                f"Epoch {step.epoch}, step {step.step}"
                if step.epoch is not None
                else f"Step {step.step}"
            )
            + (f": a batch of {number_text(size)} rows" if size is not None else "")
            + f". {fn} runs {step_fn}: {stages}.",
        )
    ]
    if traced is not None:
        beats.append(Beat("text", f"This first call also traces {fn} into a graph."))
    lesson = graph_lesson(run.trace)
    if lesson:
        beats.append(Beat("text", lesson))
    beats.append(Beat("figure", "the call sequence of one step", figure="sequence:step"))
    slides.append(
        Slide(
            "first-step",
            "step",
            f"6. Inside {step_fn}: the first step",
            tuple(beats),
            (
                "Walk the sequence diagram left to right: fit, the step loop, the function, train_step, the "
                "model, each layer, the tape, the optimizer.",
                f"Students often think {step_fn} is Keras magic; it is a plain method you can override, and "
                "this is every call it made.",
            ),
            moment="the first step",
        )
    )
    if model_call is not None:
        calls = [e for e in kinds.get("layer_call", [])]
        beats = [
            Beat(
                "text",
                f"self(x, training={bool(model_call.data.get('training'))}) on the model '{model_call.layer}': input "
                f"{shape_text(model_call.data.get('input_shape'), unknown='?')} of "
                f"{model_call.data.get('input_dtype') or 'unknown dtype'}, output "
                f"{shape_text(model_call.data.get('output_shape'), unknown='?')}.",
            ),
            Beat("figure", "a few input rows of the first batch", figure="tensor:input"),
        ]
        if calls:
            last = calls[-1]
            beats.append(
                Beat(
                    "ask",
                    f"The batch goes in as {shape_text(model_call.data.get('input_shape'), unknown='?')}."
                    f" What shape comes out of the last layer, {last.layer}?",
                )
            )
            beats.append(
                Beat(
                    "answer",
                    f"{shape_text(last.data.get('output_shape'), unknown='?')}: one row per sample, "
                    "the batch dimension never changes.",
                )
            )
            beats.append(
                Beat(
                    "table",
                    head=("layer", "input", "output", "output mean / min / max"),
                    rows=tuple(
                        (
                            f"{c.layer} ({c.data.get('layer_class')})",
                            shape_text(c.data.get("input_shape"), unknown="?"),
                            shape_text(c.data.get("output_shape"), unknown="?"),
                            _stats(c.data.get("stats")),
                        )
                        for c in calls[:8]
                    ),
                )
            )
        elif absent.get("layer_call"):
            beats.append(Beat("text", absent["layer_call"]))
        slides.append(
            Slide(
                "model-call",
                "step",
                "6a. The model's call",
                tuple(beats),
                (
                    "Each layer's __call__ checks its input against its input_spec, builds itself if needed, "
                    "then runs call().",
                    "Students mix up a layer's __call__ (Keras's wrapper) with its call (the maths).",
                ),
            )
        )
        if calls and _drawn_outputs(run.trace):
            slides.append(_outputs_slide(len(calls)))
    slides += _build_slides(run, step, kinds)
    slides += _loss_slides(run, step, kinds, model_call, absent)
    return slides


def _drawn_outputs(trace: Any) -> bool:
    """Whether the trace carries a layer's output (or feature map) for one sample at the first step."""
    return any(
        e.data.get("role") in ("layer_output", "feature_map")
        and e.data.get("moment") == "first_step"
        for e in trace.of_kind("tensor_snapshot")
    )


def _outputs_slide(layers: int) -> Slide:
    """The layers' outputs for one sample drawn as strips of colour: a slide of their own, since a model of
    many layers has as many strips, and the call's table already fills its slide."""
    return Slide(
        "layer-outputs",
        "step",
        "6a. What each layer made of one sample",
        (
            Beat(
                "text",
                f"The same first sample after each of the {plural(layers, 'layer call')}: one cell per value, "
                "its colour the value.",
            ),
            Beat(
                "figure",
                "each layer's output for one sample",
                figure="tensor:layer_output:first_step:* tensor:feature_map:first_step:*",
            ),
        ),
        (
            "Point at one strip and read its legend: the colours are the numbers the next layer receives.",
            "Students expect to see the digit again in a hidden layer; a Dense layer's output has no picture "
            "shape, only a list of numbers.",
        ),
    )


def _stats(stats: Any) -> str:
    if not isinstance(stats, Mapping) or not stats:
        return "—"
    return " / ".join(number_text(stats.get(k), 3) for k in ("mean", "min", "max"))


def _build_slides(run: RunEvents, step: Event, kinds: Mapping[str, list[Event]]) -> list[Slide]:
    events = list(run.trace.events)
    by_seq = run.trace.events_by_seq
    when = built_when(events, by_seq)
    builds = [e for e in events if e.kind == "layer_build" and e.data.get("build_count", 0) == 0]
    if not builds:
        return []
    weights = [e for e in events if e.kind == "weight_created"]
    rows = []
    total = 0
    for b in builds[:8]:
        own = [w for w in weights if w.parent == b.seq]
        sizes = []
        for w in own:
            n = (
                math.prod(int(d or 0) for d in (w.data.get("shape") or []))
                if w.data.get("shape")
                else 1
            )
            total += n if w.data.get("shape") else 0
            name = str(w.data.get("name") or "").split("/")[-1].split(":")[0]
            sizes.append(f"{name} {shape_text(w.data.get('shape'), unknown='?')}")
        rows.append(
            (
                f"{b.layer} ({b.data.get('layer_class')})",
                shape_text(b.data.get("input_shape"), unknown="?"),
                ", ".join(sizes) or "no weights",
            )
        )
    lazy = [b for b in builds if b.seq in {e.seq for e in kinds.get("layer_build", [])}]
    first = builds[0]
    answer = when.get(first.layer or "", "")
    graph = next(iter(kinds.get("graph_build", [])), None)
    beats = [
        Beat("ask", "When do the weights come to exist?"),
        Beat(
            "answer",
            (
                f"Inside this first step, not at compile(): {answer}."
                if lazy
                else f"Before this step: {answer}."
            )
            if answer
            else "They were built before this trace began.",
        ),
    ]
    if graph is not None and graph.data.get("reason"):
        beats.append(Beat("text", f"The graph network: {graph.data.get('reason')}."))
    beats.append(Beat("table", head=("layer", "built for", "add_weight made"), rows=tuple(rows)))
    beats.append(
        Beat("text", f"{number_text(total)} values in all, every one set by its initializer.")
    )
    beats.append(
        Beat(
            "figure",
            "the first layer's kernel as the step began",
            figure="tensor:kernel:first_step",
        )
    )
    return [
        Slide(
            "lazy-build",
            "step",
            "6b. The lazy build and the weights it makes",
            tuple(beats),
            (
                "A Dense layer cannot know its kernel's first dimension until it sees an input: that is why "
                "the build waits for the data.",
                "Students usually say the weights are made at compile() or at Sequential([...]). Ask for a "
                "show of hands before revealing.",
            ),
            moment="the lazy build" if lazy else "",
        )
    ]


def _loss_slides(
    run: RunEvents,
    step: Event,
    kinds: Mapping[str, list[Event]],
    model_call: Event | None,
    absent: Mapping[str, str],
) -> list[Slide]:
    slides: list[Slide] = []
    loss = next(iter(kinds.get("loss", [])), None)
    if loss is not None:
        value = loss.data.get("value")
        name = str(loss.data.get("name") or "loss")
        classes = (model_call.data.get("output_shape") or [None])[-1] if model_call else None
        beats: list[Beat] = [
            Beat("text", f"The LossesContainer calls {name} on the labels and the model's output.")
        ]
        if "categorical_crossentropy" in name and isinstance(classes, int) and classes > 1:
            beats.append(
                Beat(
                    "ask",
                    f"Before any training, what loss would a model that spreads its guess evenly over "
                    f"the {classes} classes get?",
                )
            )
            beats.append(
                Beat(
                    "answer",
                    f"ln {classes} = {number_text(math.log(classes))}. This step's loss: {number_text(value)}.",
                )
            )
        else:
            beats.append(Beat("text", f"This step's loss: {number_text(value)}."))
        reduction = loss.data.get("reduction")
        if reduction:
            beats.append(
                Beat(
                    "text",
                    f"Reduction {reduction}: the per-sample losses summed and divided by the batch size."
                    if reduction == "sum_over_batch_size"
                    else f"Reduction {reduction}.",
                )
            )
        beats.append(
            Beat(
                "figure",
                "the softmax output of one sample, the label marked",
                figure="tensor:softmax:first_step",
            )
        )
        slides.append(
            Slide(
                "loss",
                "step",
                "6c. The loss",
                tuple(beats),
                (
                    "The first loss is close to chance: the weights are random, so the output is nearly "
                    "uniform.",
                    "A common slip: the printed loss is the running mean over the epoch so far, not this "
                    "batch's loss (they agree only at the first step).",
                ),
            )
        )
    elif absent.get("loss"):
        slides.append(Slide("loss", "step", "6c. The loss", (Beat("text", absent["loss"]),)))
    grads = kinds.get("gradient", [])
    if grads:
        tape = next(iter(kinds.get("tape", [])), None)
        beats = [
            Beat(
                "text",
                "The GradientTape watched the forward pass"
                + (f" ({plural(int(tape.data.get('ops') or 0), 'op')} recorded)" if tape else "")
                + "; tape.gradient gives one gradient per trainable variable, of its own shape.",
            ),
            Beat("ask", "How many gradients does one step compute here?"),
            Beat("answer", f"{len(grads)}: one for each trainable variable."),
            Beat(
                "table",
                head=("variable", "shape", "gradient norm"),
                rows=tuple(
                    (
                        str(g.data.get("variable")),
                        shape_text(g.data.get("shape"), unknown="?"),
                        number_text(g.data.get("norm")),
                    )
                    for g in grads[:8]
                ),
            ),
            Beat(
                "figure",
                "the first kernel and its gradient, side by side",
                figure="tensor:kernel:first_step tensor:gradient:first_step",
            ),
        ]
        slides.append(
            Slide(
                "gradients",
                "step",
                "6d. The gradients",
                tuple(beats),
                (
                    "The gradient has exactly the shape of its variable: one number per weight, saying which "
                    "way the loss goes up.",
                    "Students often think the gradient is one number for the whole model.",
                ),
            )
        )
    elif absent.get("gradient"):
        slides.append(
            Slide("gradients", "step", "6d. The gradients", (Beat("text", absent["gradient"]),))
        )
    updates = kinds.get("optimizer_update", [])
    if updates:
        slots = next(iter(kinds.get("optimizer_slots", [])), None)
        hyper = updates[0].data.get("hyperparameters") or {}
        optimizer = (slots.data.get("optimizer") if slots else None) or (
            (run.trace.header or {}).get("compile") or {}
        ).get("optimizer")
        beats = [
            Beat(
                "text",
                f"{optimizer or 'The optimizer'}.apply_gradients moves each variable against its gradient"
                + (
                    ", with " + ", ".join(f"{k} = {value_text(v)}" for k, v in hyper.items())
                    if hyper
                    else ""
                )
                + ".",
            )
        ]
        if slots is not None:
            beats.append(
                Beat(
                    "text",
                    f"On its first call it made {plural(len(slots.data.get('slots') or []), 'slot variable')}"
                    ": its own memory, one per trainable variable.",
                )
            )
        beats.append(
            Beat(
                "table",
                head=("variable", "update norm"),
                rows=tuple(
                    (str(u.data.get("variable")), number_text(u.data.get("update_norm")))
                    for u in updates[:8]
                ),
            )
        )
        beats.append(
            Beat(
                "figure",
                "the gradient and the update the optimizer made of it, side by side",
                figure="tensor:gradient:first_step tensor:update:first_step",
            )
        )
        slides.append(
            Slide(
                "update",
                "step",
                "6e. The update",
                tuple(beats),
                (
                    "Put the update beside the gradient: for RMSprop and Adam the update is not the gradient "
                    "times the learning rate; it is scaled per weight by the slots.",
                    "Students often forget that the optimizer has state of its own (the slots), made lazily "
                    "too.",
                ),
            )
        )
    metrics = kinds.get("metric_update", [])
    if metrics:
        rows = []
        for m in metrics[:6]:
            v = m.data.get("variables") or {}
            how = (
                f"{number_text(v.get('total'))} of {number_text(v.get('count'))}"
                if "total" in v and "count" in v
                else ""
            )
            rows.append(
                (
                    str(m.data.get("name")),
                    str(m.data.get("fn") or ""),
                    number_text(m.data.get("value")),
                    how,
                )
            )
        first = metrics[0]
        v = first.data.get("variables") or {}
        beats = [Beat("text", "The MetricsContainer updates each metric's running state.")]
        if "total" in v and "count" in v and step.data.get("size"):
            beats += [
                Beat(
                    "ask",
                    f"{first.data.get('name')} after this first step is {number_text(first.data.get('value'))}. "
                    f"Out of {number_text(step.data.get('size'))} samples, how many were right?",
                ),
                Beat(
                    "answer",
                    f"{number_text(v.get('total'))}: total {number_text(v.get('total'))} ÷ count "
                    f"{number_text(v.get('count'))} = {number_text(first.data.get('value'))}.",
                ),
            ]
        beats.append(
            Beat("table", head=("metric", "resolved to", "value", "state"), rows=tuple(rows))
        )
        slides.append(
            Slide(
                "metrics",
                "step",
                "6f. The metrics",
                tuple(beats),
                (
                    "'accuracy' is resolved from the loss and the output shape to the right function: here "
                    f"{first.data.get('fn')}.",
                    "The metric is a running mean over the epoch, reset at each epoch's start, not the "
                    "accuracy of this batch alone (except at the first step).",
                ),
            )
        )
    return slides
