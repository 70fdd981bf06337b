"""The lesson's slides after the steps: the callbacks at each batch's end, the partial last batch, the end of an
epoch, History and the progress bar, an evaluate afterwards, what was built or rebuilt, and an error's slide
(``lesson.py`` assembles them).
"""

from __future__ import annotations

from collections.abc import Mapping

from fittrace.analysis.builds import Build, why_rebuilt
from fittrace.analysis.slides import (
    Beat,
    RunEvents,
    Slide,
    children,
    inside,
    names_text,
    plural,
)
from fittrace.analysis.values import number_text
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

#: How many rebuilds get a slide of their own (the others are listed on the builds slide).
MAX_REBUILD_SLIDES = 3


def ends_slides(run: RunEvents, steps: list[Event], words: Mapping[str, str]) -> list[Slide]:
    slides: list[Slide] = []
    ends = [e for e in run.all("callback_hook") if e.data.get("hook", "").endswith("batch_end")]
    logs = (ends[0].data.get("logs") if ends else None) or []
    sizes = [s.data.get("size") for s in steps if s.data.get("size") is not None]
    typical = max(set(sizes), key=sizes.count) if sizes else None
    odd = next((s for s in steps if typical and s.data.get("size") not in (None, typical)), None)
    if ends:
        who = ends[0].data.get("callbacks") or []
        beats = [
            Beat(
                "text",
                f"After each step the step's logs ({names_text(logs)}) go to on_{words['phase']}_batch_end"
                + (
                    f", to {names_text(who)}."
                    if who
                    else ": no callback here wants it, so it is skipped."
                ),
            )
        ]
        first_logs = (steps[0].data.get("logs") if steps else None) or {}
        if first_logs:
            beats.append(
                Beat(
                    "text",
                    "The first step's logs: "
                    + ", ".join(f"{k} = {number_text(v)}" for k, v in first_logs.items())
                    + ".",
                )
            )
        slides.append(
            Slide(
                "batch-end",
                "ends",
                "7. The callbacks at each batch's end",
                tuple(beats),
                (
                    "This is where a progress bar moves and where a custom callback can look at every step.",
                    "Students often put slow work in on_train_batch_end and wonder why training slowed down.",
                ),
            )
        )
    if odd is not None:
        retraced = [
            e
            for e in children(run, odd)
            if e.kind == "train_function" and e.data.get("action") == "traced"
        ]
        beats = [
            Beat(
                "text",
                f"Epoch {odd.epoch}, step {odd.step} (the epoch's last): "
                f"{number_text(odd.data.get('size'))} rows instead of {number_text(typical)}.",
            ),
            Beat("ask", f"Will this smaller batch make {words['function']} trace again?"),
            Beat(
                "answer",
                f"Yes: {retraced[0].data.get('reason')}."
                if retraced
                else "No: the traced signature's batch dimension is None, so any batch size fits it.",
            ),
        ]
        slides.append(
            Slide(
                "partial-batch",
                "ends",
                "7b. The partial last batch",
                tuple(beats),
                (
                    "The loss of this step is averaged over fewer samples; the running mean weighs it by "
                    "its size.",
                    "Students often expect an error or a padded batch here.",
                ),
                moment="the partial last batch",
            )
        )
    epochs = run.all("epoch")
    if epochs:
        first = epochs[0]
        later_builds = [
            e
            for e in run.events
            if e.kind in ("layer_build", "graph_build", "optimizer_slots", "weight_created")
            or (e.kind == "train_function" and e.data.get("action") == "traced")
        ]
        later_builds = [e for e in later_builds if e.epoch is not None and e.epoch > first.epoch]
        hook = next(
            (e for e in run.all("callback_hook") if e.data.get("hook") == "on_epoch_end"), None
        )
        beats = [
            Beat(
                "text",
                f"At the end of epoch {first.epoch}, on_epoch_end goes to "
                + names_text((hook.data.get("callbacks") if hook else None) or ["the callbacks"])
                + " with the epoch's logs: "
                + ", ".join(
                    f"{k} = {number_text(v)}" for k, v in (first.data.get("logs") or {}).items()
                )
                + ".",
            )
        ]
        if len(epochs) > 1:
            beats += [
                Beat(
                    "ask",
                    f"Will the second epoch (epoch {epochs[1].data.get('epoch', first.epoch + 1)}) build "
                    "anything?",
                ),
                Beat(
                    "answer",
                    "No: the weights, the graph network, the traced function and the optimizer's slots "
                    "all exist now; every later step reuses them."
                    if not later_builds
                    else "Yes: "
                    + names_text(
                        sorted(
                            {f"{e.name} (epoch {e.epoch}, step {e.step})" for e in later_builds}
                        )[:4]
                    )
                    + ".",
                ),
            ]
        beats.append(
            Beat(
                "figure",
                "the first kernel at the end of each epoch: each key press shows the next epoch",
                figure="tensor:kernel:epoch_end:*",
                stack=True,
            )
        )
        beats.append(
            Beat(
                "figure",
                "after training: the softmax output of one sample at the last step, its label marked",
                figure="tensor:softmax:last_step",
            )
        )
        slides.append(
            Slide(
                "epoch-end",
                "ends",
                "7c. The end of an epoch",
                tuple(beats),
                (
                    "Epoch logs are the running means at the epoch's last step, plus val_ metrics when there "
                    "is validation data.",
                    "Students often think each epoch starts from fresh weights; it goes on from where the "
                    "last one stopped.",
                ),
            )
        )
    return slides


def history_slide(run: RunEvents) -> Slide | None:
    history = run.all("history")
    # an epoch's heading and its final line (verbose=1 also rewrites a line at every step: those are left out)
    progbar = [
        str(e.data["line"])
        for e in run.all("progbar")
        if e.data.get("line")
        and (
            e.data.get("final")
            or str(e.data["line"]).startswith("Epoch ")
            or e.data.get("verbose") == 2
        )
    ]
    if not history and not progbar:
        return None
    beats: list[Beat] = []
    if progbar:
        beats.append(Beat("text", "ProgbarLogger printed these lines to stdout:"))
        beats.append(Beat("code", "the progress bar", items=tuple(progbar[-6:])))
    if history:
        keys: list[str] = []
        for h in history:
            keys += [k for k in (h.data.get("logs") or {}) if k not in keys]
        keys = keys[:5]
        beats.append(Beat("text", "History kept each epoch's logs: what model.fit() returns."))
        beats.append(
            Beat(
                "table",
                head=("epoch", *keys),
                rows=tuple(
                    (
                        str(h.data.get("epoch")),
                        *(number_text((h.data.get("logs") or {}).get(k)) for k in keys),
                    )
                    for h in history[-8:]
                ),
            )
        )
        beats.append(Beat("figure", "the loss per epoch", figure="plot:epoch_loss"))
    return Slide(
        "history",
        "history",
        "8. History and the progress bar",
        tuple(beats),
        (
            "history.history['loss'] is this column; the progress bar is only a view of the same logs.",
            "With verbose=0 nothing is printed, but History still records everything.",
        ),
    )


def builds_slides(run: RunEvents) -> list[Slide]:
    diagnosis = why_rebuilt(run.trace)
    builds = list(diagnosis.builds)
    if not builds:
        return []
    rows = tuple(
        (
            _built(b),
            b.action,
            _when(b),
        )
        for b in builds[:9]
    )
    beats = [
        Beat("ask", "Was anything built twice?"),
        Beat("answer", diagnosis.summary),
        Beat(
            "table",
            head=("what", "action", "when"),
            rows=rows,
            marked=tuple(i for i, b in enumerate(builds[:9]) if b.repeat),
        ),
    ]
    slides = [
        Slide(
            "builds",
            "builds",
            "9. What was built or rebuilt, and why",
            tuple(beats),
            (
                "Everything on this list happened once per thing, unless it is marked: a rebuild is what "
                "to look for when training is slow or the weights reset.",
                "Students often think a Keras model is built when it is defined; for a Sequential without an "
                "input shape it is built by its first data.",
            ),
        )
    ]
    for i, b in enumerate([b for b in builds if b.repeat][:MAX_REBUILD_SLIDES]):
        beats = [
            Beat(
                "text",
                f"{_built(b)}: {b.action} ({_when(b)}).",
            ),
            Beat("ask", "Why was it made again?"),
            Beat("answer", b.cause),
        ]
        if b.differs:
            beats.append(Beat("text", f"What changed: {b.differs}"))
        if b.lost:
            beats.append(Beat("text", f"Lost: {b.lost}"))
        if b.fix:
            beats.append(Beat("text", f"Fix: {b.fix}"))
        slides.append(
            Slide(
                f"rebuild-{i + 1}",
                "builds",
                f"9{chr(ord('a') + i)}. A rebuild: {b.subject}",
                tuple(beats),
                ("Ask the class what the earlier build was for before revealing the cause.",),
                moment=f"rebuild: {_built(b)}",
            )
        )
    return slides


def error_slide(run: RunEvents, error: Event, later: bool) -> Slide:
    data = error.data
    where = data.get("stage") or error.name
    if error.epoch is not None and error.step is not None:
        at = f" at epoch {error.epoch}, step {error.step}"
    elif error.step is not None:
        at = f" at step {error.step}"
    elif error.epoch is not None:
        at = f", in epoch {error.epoch} after its steps"
    else:
        at = ""
    beats = [
        Beat(
            "text",
            ("After this, a later call failed" if later else "Here the run stopped")
            + f": {data.get('type') or error.name} in {where}{at}.",
        ),
        Beat("code", "the error", items=tuple(str(data.get("message") or "").splitlines()[:6])),
    ]
    failure = next(iter(why_rebuilt(run.trace).failures), None)
    if failure is not None:
        if failure.cause:
            beats.append(Beat("text", failure.cause))
        if failure.fix:
            beats.append(Beat("text", f"Fix: {failure.fix}"))
    return Slide(
        "error",
        error_stage(run, error) if not later else "builds",
        "The error",
        tuple(beats),
        (
            "Read the message aloud and ask which stage of the flowchart it belongs to before showing it lit.",
            "Everything before this slide really ran: the trace holds it, up to the moment of the error.",
        ),
        moment="the error",
    )


def error_stage(run: RunEvents, error: Event) -> str:
    by_seq = {e.seq: e for e in run.events}
    kinds = []
    p = by_seq.get(error.parent) if error.parent is not None else None
    while p is not None:
        kinds.append(p.kind)
        p = by_seq.get(p.parent) if p.parent is not None else None
    if any(k in ("train_step", "test_step", "function_call") for k in kinds):
        return "step"
    if "callback_hook" in kinds:
        return "ends"
    if "step" in kinds or "epoch" in kinds:
        return "loops"
    if "data_handler" in kinds:
        return "data"
    return "compile" if not run.first("data_handler") else "function"


def evaluate_slide(trace: Trace, call: Event | None) -> Slide | None:
    if call is None or call.kind != "fit":
        return None
    after = next(
        (
            e
            for e in trace.events
            if e.kind == "evaluate" and e.seq > call.seq and not e.data.get("in_fit")
        ),
        None,
    )
    if after is None:
        return None
    evaluated = inside(list(trace.events), after)
    steps = [e for e in evaluated if e.kind == "step" and e.data.get("phase") == "test"]
    logs = (steps[-1].data.get("logs") if steps else None) or {}
    beats = [
        Beat(
            "text",
            f"Then model.evaluate ran the same machinery with test_function: {plural(len(steps), 'step')}, "
            "no gradient, no update.",
        )
    ]
    if logs:
        beats.append(
            Beat(
                "text",
                "It returned "
                + ", ".join(f"{k} = {number_text(v)}" for k, v in logs.items())
                + ".",
            )
        )
    return Slide(
        "evaluate",
        "history",
        "8b. Afterwards: evaluate",
        tuple(beats),
        (
            "Same adapter, same callbacks container, a test_function made and traced once; only the step "
            "differs.",
        ),
    )


def _built(b: Build) -> str:
    """What a build made, named once: ``layer dense``, ``train_function`` (not twice)."""
    return b.subject if b.subject == b.what else f"{b.what} {b.subject}"


def _when(b: Build) -> str:
    """When a build happened, with the call it happened in: ``fit, epoch 0, step 0``, ``evaluate, step 0``."""
    call = f"{b.trigger}, " if b.trigger else ""
    if b.step is None:
        return (
            f"{call}before the loop"
            if b.trigger in ("fit", "evaluate", "predict")
            else "outside fit"
        )
    return call + (f"epoch {b.epoch}, step {b.step}" if b.epoch is not None else f"step {b.step}")
