"""The lesson's slides before the first step: the run, the compile check, the data adapter and its batches, the
callbacks container, make_train_function, and the epoch and step loops (``lesson.py`` assembles them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fittrace.analysis.graph import model_graphs
from fittrace.analysis.real_runs import KERAS3_DATA, ran_on, step_mode
from fittrace.analysis.shapes import shape_text
from fittrace.analysis.slides import (
    Beat,
    RunEvents,
    Slide,
    names_text,
    plural,
)
from fittrace.analysis.values import number_text, setting_text, value_text
from fittrace.analysis.walkthrough import stand_in_note
from fittrace.tracing.events import Event


# --- the slides ------------------------------------------------------------------------------------------------------
def title_slide(run: RunEvents, words: Mapping[str, str]) -> Slide:
    header = run.trace.header or {}
    ran = ran_on(run.trace)
    model = (header.get("model") or {}).get("name") or next(
        (e.layer for e in run.events if e.kind == "model_call" and e.layer), None
    )
    beats: list[Beat] = []
    what = run.call.kind if run.call else None
    beats.append(
        Beat(
            "text",
            f"We recorded {'model.' + what + '()' if what else 'a run'}"
            + (f" of the model '{model}'" if model else "")
            + f" on {ran.label}, and now we replay it, stage by stage, with the numbers it produced.",
        )
    )
    graphs = [g for g in model_graphs(run.trace) if g.layers]
    if graphs:
        g = graphs[0]
        layers = [f"{b.name} ({b.cls})" for b in g.layers if not b.is_input]
        shape = "one chain" if g.chain else "a graph with branches or merges"
        beats.append(
            Beat("list", f"The model: {g.cls} '{g.model}', {shape}", items=tuple(layers[:10]))
        )
    compile_args = header.get("compile") or {}
    if compile_args:
        keys = ("optimizer", "loss", "metrics", "run_eagerly")
        beats.append(
            Beat(
                "list",
                "compiled with",
                items=tuple(setting_text(k, compile_args.get(k)) for k in keys),
            )
        )
    args = (run.call.data if run.call else None) or {}
    keys = ("x", "y", "epochs", "batch_size", "validation_split", "callbacks")
    shown = [setting_text(k, args[k]) for k in keys if k in args]
    if shown:
        beats.append(Beat("list", f"then called {what} with", items=tuple(shown)))
    notes = (
        "Say what the class will see: the real sequence of calls Keras makes inside this one line, replayed "
        "from a recording, not a diagram drawn by hand.",
        "Students often think fit() is one big loop over the data. Ask them to keep count of everything that "
        "happens before the first sample reaches the model.",
    )
    return Slide("run", "run", words["title"], tuple(beats), notes)


def compile_slide(run: RunEvents) -> Slide | None:
    check = run.first("compile_check")
    if check is None:
        return None
    ok = bool(check.data.get("is_compiled"))
    what = run.call.kind if run.call else "fit"
    beats = (
        Beat("ask", f"What is the very first thing {what}() does, before it looks at the data?"),
        Beat(
            "answer",
            "It checks that compile() was called: model._is_compiled is "
            + ("True, so it goes on." if ok else "False, so Keras raises a RuntimeError here."),
        ),
        Beat(
            "code",
            "Model._assert_compile_was_called",
            items=(
                "if not self._is_compiled:",
                "    raise RuntimeError('You must compile your model before training/testing.')",
            ),
        ),
    )
    notes = (
        "compile() only records the optimizer, the loss and the metrics; it builds nothing and sees no data.",
        "A common belief is that compile() builds the model or its weights. It does not: watch for the moment "
        "the weights appear, later, inside the first step.",
    )
    return Slide("compile", "compile", "1. Was the model compiled?", beats, notes)


def data_slides(run: RunEvents) -> list[Slide]:
    slides: list[Slide] = []
    selected = run.first("adapter_selected")
    handler = run.first("data_handler")
    if selected is None and handler is None:
        return slides
    candidates = run.all("adapter_candidate")
    if candidates:
        candidates = [c for c in candidates if c.parent == candidates[0].parent][:8]
    x = ((run.call.data if run.call else {}) or {}).get("x")
    beats: list[Beat] = [
        Beat(
            "text",
            KERAS3_DATA
            if ran_on(run.trace).framework == "keras"
            else "get_data_handler builds a DataHandler, and the DataHandler asks Keras's adapter classes, "
            "in a fixed order, whether they can read the data. Exactly one must say yes.",
        )
    ]
    chosen = str((selected.data if selected else {}).get("class") or "")
    if candidates and chosen:
        beats.append(
            Beat("ask", f"x is a {value_text(x)}. Which adapter will take it?")
            if x
            else Beat("ask", "Which adapter will take this data?")
        )
        rows = tuple(
            (
                str(c.data.get("class")),
                "accepts" if c.data.get("accepted") else "declines",
                str(c.data.get("would_take") or c.data.get("reason") or ""),
            )
            for c in candidates
        )
        marked = tuple(i for i, c in enumerate(candidates) if c.data.get("accepted"))
        beats.append(Beat("answer", f"{chosen}: the first that accepts."))
        beats.append(
            Beat("table", head=("adapter", "verdict", "it reads"), rows=rows, marked=marked)
        )
    elif chosen:
        beats.append(Beat("text", f"{chosen} takes the data."))
    note = stand_in_note(selected)
    if note:
        beats.append(Beat("text", note))
    slides.append(
        Slide(
            "adapter",
            "data",
            "2. Who can read this data?",
            tuple(beats),
            (
                "The adapter is where numpy arrays, lists, generators, Sequences and datasets all become the "
                "same thing: batches the loop can pull.",
                "Students often expect fit() to copy the whole array into the model at once; it is sliced "
                "into batches here, and shuffled each epoch when shuffle=True.",
            ),
        )
    )
    s = selected.data if selected else {}
    n, batch, steps = s.get("num_samples"), s.get("batch_size"), s.get("steps")
    if isinstance(n, int) and isinstance(batch, int) and isinstance(steps, int) and batch > 0:
        partial = s.get("partial_batch_size")
        beats = [
            Beat(
                "text",
                f"{number_text(n)} samples, in batches of {number_text(batch)}"
                + (f"; shuffle: {value_text(s.get('shuffle'))}." if "shuffle" in s else "."),
            ),
        ]
        if steps > 1:  # one batch holding everything makes no question
            beats += [
                Beat("ask", "How many steps will one epoch take?"),
                Beat(
                    "answer",
                    f"{number_text(steps)}: {number_text(n)} ÷ {number_text(batch)} = {number_text(n / batch, 6)}"
                    + (
                        ", rounded up — the last, smaller batch still counts as a step."
                        if partial
                        else ", exactly: every batch is full."
                    ),
                ),
            ]
        else:
            beats.append(Beat("text", "All of it fits in one batch: one step per epoch."))
        if partial and steps > 1:
            beats += [
                Beat("ask", "How big is the last batch?"),
                Beat(
                    "answer",
                    f"{number_text(partial)}: {number_text(n)} − {number_text(steps - 1)} × {number_text(batch)} = "
                    f"{number_text(partial)}. It is kept, not dropped.",
                ),
            ]
        slides.append(
            Slide(
                "batches",
                "data",
                "2b. Slicing the data into batches",
                tuple(beats),
                (
                    "Let the class do the division before you reveal it; the rounding up is the point.",
                    "Students often drop the remainder (drop_remainder is a tf.data option, off here) or "
                    "think the last batch is padded to full size. It is simply smaller.",
                ),
            )
        )
    return slides


def callbacks_slide(run: RunEvents) -> Slide | None:
    cbs = run.first("callbacks_container")
    if cbs is None:
        return None
    members = [str(m) for m in cbs.data.get("members") or []]
    default = set(cbs.data.get("added_by_default") or [])
    own = [m for m in members if m not in default]
    params = cbs.data.get("params") or {}
    beats = [
        Beat(
            "text",
            f"{run.call.kind if run.call else 'fit'} wraps every callback in one CallbackList, the "
            "container that every hook goes through, member by member, in this order.",
        ),
        Beat(
            "list",
            "the members",
            items=tuple(
                f"{m} (added by Keras)" if m in default else f"{m} (yours)" for m in members
            ),
        ),
    ]
    if own:
        beats.append(
            Beat("text", f"Your own: {names_text(own)}. fit added {names_text(sorted(default))}.")
        )
    if params:
        beats.append(
            Beat(
                "text",
                "Every callback is given the params "
                + ", ".join(f"{k} = {value_text(v)}" for k, v in params.items())
                + ".",
            )
        )
    return Slide(
        "callbacks",
        "callbacks",
        "3. The callbacks container",
        tuple(beats),
        (
            "History is always there: it is what fit returns. ProgbarLogger is added when verbose is not 0.",
            "A common surprise: model.fit() returns a History callback, the same object that sat in this list.",
        ),
    )


def function_slide(run: RunEvents, words: Mapping[str, str]) -> Slide | None:
    made = [e for e in run.all("train_function") if e.data.get("action") == "created"]
    traced = [e for e in run.all("train_function") if e.data.get("action") == "traced"]
    if not made and not traced:
        return None
    fn = words["function"]
    mode = step_mode(run.trace)
    beats = [
        Beat(
            "text",
            f"make_{fn} makes the function that runs one step, once, and caches it on the model; compile() "
            "throws it away.",
        )
    ]
    if made:
        beats.append(Beat("text", f"Here: {made[0].data.get('reason')}."))
    beats.append(
        Beat(
            "text",
            "Mode: graph — Keras wraps it in tf.function, which traces the Python once per new input "
            "signature."
            if mode == "graph"
            else "Mode: eager — run_eagerly=True, so the step's Python runs at every step.",
        )
    )
    if traced:
        first = traced[0]
        sig = first.data.get("signature")
        beats += [
            Beat("ask", f"How many times will {fn} be traced in this {run.call.kind}?")
            if run.call
            else Beat("ask", f"How many times will {fn} be traced?"),
            Beat(
                "answer",
                ("Once" if len(traced) == 1 else plural(len(traced), "time"))
                + (
                    f": at epoch {first.epoch}, step {first.step}"
                    if first.epoch is not None
                    else ""
                )
                + (
                    f": at step {first.step}"
                    if first.epoch is None and first.step is not None
                    else ""
                )
                + (f", for the signature {_signature(sig)}" if sig else "")
                + ".",
            ),
        ]
    return Slide(
        "function",
        "function",
        f"4. make_{fn}",
        tuple(beats),
        (
            "The cached function is why a second fit() is cheap, and why compile() in between makes the next "
            "fit trace again.",
            "Students often think tracing happens at every step; it happens once per new input signature "
            "(the batch dimension is None, so the smaller last batch needs no new trace).",
        ),
    )


def _signature(sig: Any) -> str:
    if isinstance(sig, list) and all(isinstance(s, list) or s is None for s in sig):
        return " and ".join(shape_text(s, unknown="?") for s in sig)
    return value_text(sig)


def loop_slides(run: RunEvents, steps: list[Event], words: Mapping[str, str]) -> list[Slide]:
    epochs = run.all("epoch")
    if not steps and not epochs:
        return []
    per_epoch: dict[Any, int] = {}
    for s in steps:
        per_epoch[s.epoch] = per_epoch.get(s.epoch, 0) + 1
    n_epochs = len(epochs) or len(per_epoch)
    first_count = next(iter(per_epoch.values()), 0)
    beats = [
        Beat(
            "code",
            f"the loop (Model.{run.call.kind if run.call else 'fit'})",
            items=(
                "for epoch, iterator in data_handler.enumerate_epochs():",
                "    callbacks.on_epoch_begin(epoch)",
                "    for step in data_handler.steps():",
                "        callbacks.on_train_batch_begin(step)",
                f"        logs = {words['function']}(iterator)",
                "        callbacks.on_train_batch_end(step, logs)",
                "    callbacks.on_epoch_end(epoch, epoch_logs)",
            )
            if run.call is None or run.call.kind == "fit"
            else (
                "for step in data_handler.steps():",
                "    callbacks.on_test_batch_begin(step)",
                f"    logs = {words['function']}(iterator)",
                "    callbacks.on_test_batch_end(step, logs)",
            ),
        ),
    ]
    if n_epochs and first_count:
        total = len(steps)
        beats.append(Beat("ask", "How many steps in all?"))
        beats.append(
            Beat(
                "answer",
                f"{number_text(total)}: {plural(n_epochs, 'epoch')} of {number_text(first_count)} steps"
                + ("" if total == n_epochs * first_count else " (not every epoch ran them all)")
                + ", each one call of "
                + f"{words['function']}.",
            )
        )
    if n_epochs and first_count and run.call is not None and run.call.kind == "fit":
        beats.append(
            Beat(
                "text",
                f"Inside, Keras counts from 0: epoch 0 is the one the progress bar prints as 'Epoch 1/"
                f"{n_epochs}', and step {first_count - 1} is '{first_count}/{first_count}'.",
            )
        )
    hooks = [e for e in run.all("callback_hook") if e.data.get("hook", "").endswith("batch_begin")]
    if hooks:
        skipped = all(h.data.get("skipped") for h in hooks)
        beats.append(
            Beat(
                "text",
                "No callback here wants the batch hooks, so CallbackList skips them at every step."
                if skipped
                else "Around every step the batch hooks go to "
                + names_text(hooks[0].data.get("callbacks") or [])
                + ".",
            )
        )
    return [
        Slide(
            "loops",
            "loops",
            "5. The epoch and step loops",
            tuple(beats),
            (
                "Point at the two loops: epochs outside, steps inside; every step is exactly one call of the "
                "cached function.",
                "stop_training is checked after each step and each epoch: that is how EarlyStopping ends fit "
                "without an exception.",
            ),
        )
    ]
