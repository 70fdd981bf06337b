"""The classroom lesson of a traced run, as data: slides in the seed article's order, each made of beats.

A teacher steps through a recorded ``fit`` the way the article tells it: the compile check, choosing the data
adapter, the callbacks container, make_train_function, the epoch and step loops, inside train_step (the model call,
the lazy build and the weights it makes, the loss, the gradients, the update, the metrics), the callbacks at the
batch and epoch ends, History and the progress bar, and what was built or rebuilt, and why. Every number on a slide
is the engine's own, read from the trace.

A slide opens with its text or its question; each key press shows the next beat (text first, then the picture).
A question (``ask``) is followed by its ``answer`` beat, so the answer appears only on the next key press. Beats of
kind ``figure`` name a picture the renderer draws (``tensor:kernel:first_step``, ``sequence:step``); a renderer that
has no such picture leaves the beat out.

    >>> lesson = lesson_slides(Trace({}, [], None))
    >>> [s.id for s in lesson.slides], lesson.call
    (['run', 'nothing'], None)

The lesson follows the trace's first fit (else its first evaluate, else its first predict). A run that failed inside
that call ends on the slide of the stage where it failed, with the error; an error in a later call is the last slide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fittrace.analysis.lesson_after import (
    builds_slides,
    ends_slides,
    error_slide,
    evaluate_slide,
    history_slide,
)
from fittrace.analysis.lesson_setup import (
    callbacks_slide,
    compile_slide,
    data_slides,
    function_slide,
    loop_slides,
    title_slide,
)
from fittrace.analysis.lesson_step import step_slides
from fittrace.analysis.slides import (
    STAGES,
    Beat,
    RunEvents,
    Slide,
    loop_steps,
    plural,
    read_run,
)
from fittrace.analysis.walkthrough import error_facts
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

#: What ``--focus`` keeps (the title slide and an error slide are always kept).
FOCUS: dict[str, tuple[str, ...]] = {
    "setup": ("compile", "data", "callbacks", "function", "loops"),
    "step": ("step",),
    "epoch-end": ("ends", "history", "builds"),
}

__all__ = ["FOCUS", "STAGES", "Beat", "Lesson", "Slide", "lesson_slides"]


@dataclass(frozen=True, slots=True)
class Lesson:
    """The slides of a trace's lesson, with the flowchart's stages (id, label) and the run's error, if any."""

    title: str
    call: str | None
    stages: tuple[tuple[str, str], ...]
    slides: tuple[Slide, ...]
    error: dict[str, Any] | None = None
    focus: str | None = None

    @property
    def moments(self) -> list[tuple[str, str]]:
        """(label, slide id) of the notable moments, in order."""
        return [(s.moment, s.id) for s in self.slides if s.moment]


def _words(call: Event | None, trace: Trace) -> dict[str, str]:
    kind = call.kind if call is not None else None
    function = {"evaluate": "test_function", "predict": "predict_function"}.get(
        kind or "", "train_function"
    )
    step = {"evaluate": "test_step", "predict": "predict_step"}.get(kind or "", "train_step")
    phase = {"evaluate": "test", "predict": "predict"}.get(kind or "", "train")
    model = ((trace.header or {}).get("model") or {}).get("name")
    title = f"What model.{kind}() did" if kind else "What this trace holds"
    return {
        "function": function,
        "step": step,
        "phase": phase,
        "title": title + (f": '{model}'" if model else ""),
    }


def lesson_slides(trace: Trace, focus: str | None = None) -> Lesson:
    """The lesson of ``trace``: its slides in the article's order, with the numbers of the run.

    ``focus`` (setup, step, epoch-end) keeps only that part's slides, after the title slide."""
    if focus is not None and focus not in FOCUS:
        raise ValueError(f"unknown focus: {focus!r} (must be one of {sorted(FOCUS)})")
    run = read_run(trace)
    words = _words(run.call, trace)
    steps = loop_steps(run)
    slides: list[Slide] = [title_slide(run, words)]
    if run.call is None:
        slides.append(
            Slide(
                "nothing",
                "run",
                "No fit, evaluate or predict in this trace",
                (
                    Beat(
                        "text",
                        f"This trace holds {plural(len(trace.events), 'event')} but no call of fit, evaluate or "
                        "predict, so there is no lesson to replay. Trace a run that calls model.fit().",
                    ),
                ),
            )
        )
    else:
        for part in (
            [compile_slide(run)],
            data_slides(run),
            [callbacks_slide(run), function_slide(run, words)],
            loop_slides(run, steps, words),
            step_slides(run, steps, words),
            ends_slides(run, steps, words),
            [history_slide(run), evaluate_slide(trace, run.call)],
            builds_slides(run),
        ):
            slides += [s for s in part if s is not None]
    error = run.error or run.later_error
    if error is not None:
        slides = _cut_at_error(run, slides, error)
    stages = tuple(
        (
            sid,
            label.replace("train_step", words["step"]).replace("train_function", words["function"]),
        )
        for sid, label in STAGES
    )
    if focus is not None:
        keep = set(FOCUS[focus])
        slides = [s for s in slides if s.stage in keep or s.id in ("run", "error")]
    return Lesson(
        title=words["title"],
        call=run.call.kind if run.call else None,
        stages=stages,
        slides=tuple(slides),
        error=error_facts(error),
        focus=focus,
    )


def _cut_at_error(run: RunEvents, slides: list[Slide], error: Event) -> list[Slide]:
    """The slides up to the stage where the error happened, then the error's slide (after all of them when the
    error came in a later call)."""
    later = error is run.later_error
    slide = error_slide(run, error, later)
    if later:
        return slides + [slide]
    order = [sid for sid, _ in STAGES]
    stop = order.index(slide.stage)
    kept = [s for s in slides if order.index(s.stage) < stop]
    if slide.stage == "step":  # the step's slides that were reached before the error
        kept += [
            s for s in slides if s.stage == "step" and s.id in _reached_step_slides(run, error)
        ]
    elif slide.stage == "ends":
        kept += [s for s in slides if s.stage == "ends" and s.id == "batch-end"]
    return kept + [slide]


def _reached_step_slides(run: RunEvents, error: Event) -> set[str]:
    """The step slides whose events were recorded before the error."""
    reached = {"first-step"}
    seen = {e.kind for e in run.events if e.seq < error.seq}
    for sid, kind in (
        ("model-call", "model_call"),
        ("lazy-build", "layer_build"),
        ("loss", "loss"),
        ("gradients", "gradient"),
        ("update", "optimizer_update"),
        ("metrics", "metric_update"),
    ):
        if kind in seen:
            reached.add(sid)
    return reached
