"""The lesson's slides as data (``fittrace/analysis/lesson.py`` and the slide modules it assembles): the article's
order, the run's own numbers in the predict-then-reveal answers, and every kind of traced run."""

from __future__ import annotations

import math
import re

import pytest
from as_real_runs import as_keras3, as_tf_keras, engine_trace
from lesson_runs import (
    Counter,
    conv_run,
    demo_like_run,
    evaluate_only_run,
    failing_fit_run,
)
from sample_runs import EVIL, functional_run, user_layer_run

import fittrace
from fittrace.analysis.lesson import FOCUS, STAGES, lesson_slides
from fittrace.tracing.document import Trace

ORDER = [sid for sid, _ in STAGES]


def _texts(lesson):
    for s in lesson.slides:
        yield s.title
        for b in s.beats:
            yield b.text
            yield from b.items
            yield from b.head
            for r in b.rows:
                yield from r


def _beat(slide, kind, containing=""):
    return next(b for b in slide.beats if b.kind == kind and containing in b.text)


def _slide(lesson, sid):
    return next(s for s in lesson.slides if s.id == sid)


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory):
    return demo_like_run(tmp_path_factory.mktemp("lesson"))


def test_the_slides_follow_the_articles_order(demo_like):
    trace, _ = demo_like
    lesson = lesson_slides(trace)
    stages = [ORDER.index(s.stage) for s in lesson.slides]
    assert stages == sorted(stages)
    assert {s.stage for s in lesson.slides} == set(ORDER)  # every stage has a slide
    assert 15 <= len(lesson.slides) <= 25
    ids = [s.id for s in lesson.slides]
    assert len(set(ids)) == len(ids)
    step = [s.id for s in lesson.slides if s.stage == "step"]
    assert (
        step
        == [
            "first-step",
            "model-call",
            "layer-outputs",  # the trace carries each layer's output for one sample (snapshots are on by default)
            "lazy-build",
            "loss",
            "gradients",
            "update",
            "metrics",
        ]
    )
    assert all(s.notes for s in lesson.slides), "every slide has speaker notes"


def test_the_answers_are_the_runs_own_numbers(demo_like):
    trace, facts = demo_like
    lesson = lesson_slides(trace)
    batches = _slide(lesson, "batches")
    asks = [b for b in batches.beats if b.kind == "ask"]
    assert [a.text for a in asks] == [
        "How many steps will one epoch take?",
        "How big is the last batch?",
    ]
    # each answer comes right after its question, so the next key press reveals it
    for a in asks:
        assert batches.beats[batches.beats.index(a) + 1].kind == "answer"
    steps_answer = _beat(batches, "answer", f"{facts['steps']}:")
    assert f"{facts['n']:,} ÷ 128" in steps_answer.text
    last = _beat(batches, "answer", f"{facts['last']}:")
    assert f"− {facts['steps'] - 1} × 128 = {facts['last']}" in last.text
    total = _beat(_slide(lesson, "loops"), "answer")
    assert total.text.startswith(
        f"{facts['steps'] * facts['epochs']}: 2 epochs of {facts['steps']}"
    )
    epoch_end = _slide(lesson, "epoch-end")
    assert _beat(epoch_end, "ask").text == "Will the second epoch (epoch 1) build anything?"
    assert _beat(epoch_end, "answer").text.startswith("No:")
    weights = _slide(lesson, "lazy-build")
    assert _beat(weights, "answer").text.startswith("Inside this first step")
    params = 784 * 32 + 32 + 32 * 10 + 10
    assert any(f"{params:,} values in all" in b.text for b in weights.beats)
    loss = _slide(lesson, "loss")
    assert f"ln 10 = {math.log(10):.4g}" in _beat(loss, "answer").text
    metric = trace.of_kind("metric_update")[0].data
    right = int(metric["variables"]["total"])
    assert _beat(_slide(lesson, "metrics"), "answer").text.startswith(f"{right}: total {right}")
    partial = _slide(lesson, "partial-batch")
    assert f"{facts['last']} rows instead of 128" in partial.beats[0].text
    assert [m for m, _ in lesson.moments] == [
        "the first step",
        "the lazy build",
        "the partial last batch",
    ]


def test_every_value_is_written_for_a_person(demo_like):
    trace, _ = demo_like
    texts = list(_texts(lesson_slides(trace)))
    run = _slide(lesson_slides(trace), "run")
    items = [i for b in run.beats for i in b.items]
    assert "x: float32 array of shape (1000, 784)" in items
    assert "run_eagerly: no (graph mode)" in items
    for t in texts:
        assert not re.search(r"\{'|\bNone\b(?!,)|'type':", t.replace("(None,", "")), t


def test_a_users_callback_is_named_and_gets_the_batch_hooks(tmp_path):
    trace, _ = demo_like_run(tmp_path, n=300, epochs=1, callbacks=[Counter()])
    lesson = lesson_slides(trace)
    members = _beat(_slide(lesson, "callbacks"), "list").items
    assert "Counter (yours)" in members and "History (added by Keras)" in members
    assert "Counter" in " ".join(b.text for b in _slide(lesson, "batch-end").beats)
    # one epoch: no question about a second one
    assert not any(b.kind == "ask" for b in _slide(lesson, "epoch-end").beats)


def test_an_evaluate_alone_is_a_lesson_of_test_step(tmp_path):
    lesson = lesson_slides(evaluate_only_run(tmp_path))
    assert lesson.call == "evaluate"
    assert dict(lesson.stages)["step"] == "inside test_step"
    ids = [s.id for s in lesson.slides]
    assert "gradients" not in ids and "update" not in ids and "epoch-end" not in ids
    assert _beat(_slide(lesson, "batches"), "answer", "5:").text.startswith("5: 300 ÷ 64")
    assert "training=False" in _slide(lesson, "model-call").beats[0].text
    assert "no gradient, no update" in _slide(lesson, "first-step").beats[0].text
    assert not any("None" in t for t in _texts(lesson) if "(None" not in t)


def test_a_failed_fit_ends_on_the_slide_where_it_failed(tmp_path):
    lesson = lesson_slides(failing_fit_run(tmp_path))
    last = lesson.slides[-1]
    assert last.id == "error" and last.stage == "ends" and last.moment == "the error"
    assert lesson.error["type"] == "RuntimeError"
    assert "Shout refuses epoch 0" in last.beats[1].items[0]
    assert last.beats[0].text == (
        "Here the run stopped: RuntimeError in CallbackList.on_epoch_end, in epoch 0 after its steps."
    )
    ids = [s.id for s in lesson.slides]
    assert "history" not in ids and "epoch-end" not in ids and "builds" not in ids
    assert "metrics" in ids  # the steps ran before the callback failed


def test_an_error_in_a_later_call_is_the_last_slide(tmp_path):
    run, path = user_layer_run(tmp_path, fail=True)
    lesson = lesson_slides(fittrace.load(path).trace)
    assert (
        lesson.slides[-1].id == "error" and "a later call failed" in lesson.slides[-1].beats[0].text
    )
    assert "history" in [s.id for s in lesson.slides]  # the first fit is told whole


def test_a_functional_models_weights_exist_before_the_fit(tmp_path):
    run, path = functional_run(tmp_path, evil=True)
    lesson = lesson_slides(fittrace.load(path).trace)
    answer = _beat(_slide(lesson, "lazy-build"), "answer").text
    assert answer.startswith("Before this step: when the model was constructed")
    assert _slide(lesson, "lazy-build").moment == ""  # not lazy, so not a notable moment
    assert any(EVIL in t for t in _texts(lesson))  # kept as text: the renderer escapes it


def test_a_convolutional_model(tmp_path):
    lesson = lesson_slides(conv_run(tmp_path))
    layers = _beat(_slide(lesson, "run"), "list").items
    assert layers[0].endswith("(Conv2D)") and "(Flatten)" in layers[2]
    table = _beat(_slide(lesson, "model-call"), "table")
    assert table.rows[0][1:3] == ("(16, 8, 8, 1)", "(16, 6, 6, 4)")


@pytest.mark.parametrize("real", ["tf_keras", "keras3"])
def test_a_trace_of_a_real_run_says_what_graph_mode_hid(tmp_path, real):
    engine = engine_trace(tmp_path)
    trace = as_tf_keras(engine) if real == "tf_keras" else as_keras3(engine)
    lesson = lesson_slides(trace)
    texts = " ".join(_texts(lesson))
    assert "Graph mode:" in texts
    assert "not recorded (in graph mode" in _slide(lesson, "loss").beats[0].text
    assert _beat(_slide(lesson, "batches"), "answer", "3:").text.startswith("3: 300 ÷ 128")
    if real == "keras3":
        assert _slide(lesson, "adapter").beats[0].text.startswith("Keras 3 has no DataHandler")


def test_focus_keeps_one_part(demo_like):
    trace, _ = demo_like
    for focus, stages in FOCUS.items():
        lesson = lesson_slides(trace, focus=focus)
        assert lesson.slides[0].id == "run"
        assert {s.stage for s in lesson.slides[1:]} == set(stages)
    with pytest.raises(ValueError, match="unknown focus: 'middle'"):
        lesson_slides(trace, focus="middle")


def test_a_trace_without_a_fit_says_so():
    lesson = lesson_slides(Trace({}, [], None))
    assert [s.id for s in lesson.slides] == ["run", "nothing"] and lesson.call is None


def test_questions_are_asked_only_where_the_run_makes_them_interesting(tmp_path):
    trace, facts = demo_like_run(tmp_path, n=256, batch_size=64, epochs=1)
    lesson = lesson_slides(trace)
    batches = _slide(lesson, "batches")
    assert [b.text for b in batches.beats if b.kind == "ask"] == [
        "How many steps will one epoch take?"
    ]
    assert _beat(batches, "answer").text == "4: 256 ÷ 64 = 4, exactly: every batch is full."
    ids = [s.id for s in lesson.slides]
    assert "partial-batch" not in ids  # every batch was full
    assert not any(b.kind == "ask" for b in _slide(lesson, "epoch-end").beats)  # no second epoch
    one, _ = demo_like_run(tmp_path, n=100, batch_size=128, epochs=1)
    batches = _slide(lesson_slides(one), "batches")
    assert not any(b.kind == "ask" for b in batches.beats)
    assert batches.beats[-1].text == "All of it fits in one batch: one step per epoch."
