"""Two traces aligned stage by stage: ``fittrace/analysis/compare.py``. Pairs of real fittrace runs (the same
script twice, another batch size, an extra callback, another model, other starting weights) and hand-made traces
(a moved stage, a real framework's graph-mode steps, Keras 3's spellings) test every kind of difference."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace
from fittrace.analysis.compare import (
    EQUIVALENTS,
    INHERENT,
    NOT_STAGES,
    compare,
    normalise_name,
    stages,
)
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers
from fittrace.keras.callbacks import Callback
from fittrace.keras.models import Sequential
from fittrace.keras.utils import set_random_seed
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event


class EveryBatch(Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


def _fit(tmp_path, name, batch_size=50, callbacks=None, widths=(8,), seed=0, epochs=2):
    clear_session()
    set_random_seed(seed)
    rng = np.random.default_rng(0)
    x, y = rng.random((130, 6), dtype=np.float32), rng.integers(0, 4, 130)
    path = tmp_path / f"{name}.trace.jsonl"
    with fittrace.trace(path=path):
        model = Sequential(
            [layers.Dense(w, activation="relu") for w in widths]
            + [layers.Dense(4, activation="softmax")]
        )
        model.compile(
            optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=callbacks)
    return fittrace.load(path).trace


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("compare")
    return {
        "base": _fit(d, "base"),
        "again": _fit(d, "again"),
        "batch": _fit(d, "batch", batch_size=40),
        "callback": _fit(d, "callback", callbacks=[EveryBatch()]),
        "deeper": _fit(d, "deeper", widths=(8, 5)),
        "seed": _fit(d, "seed", seed=7),
    }


def test_the_same_script_twice_conforms(runs):
    c = compare(runs["base"], runs["again"])
    assert c.conforms and c.differences == []
    assert all(r.status == "same" for r in c.rows)
    assert "conforms" in c.summary and "base.trace.jsonl" in c.summary
    assert "again.trace.jsonl" in c.summary


def test_stages_fold_the_steps_and_leave_out_per_op_detail(runs):
    got = stages(runs["base"])
    kinds = [s.kind for s in got]
    assert not set(kinds) & set(NOT_STAGES)
    assert (
        runs["base"].of_kind("tensor_snapshot") and "tensor_snapshot" in NOT_STAGES
    )  # kept, not compared
    assert all(
        "tensor_snapshot" not in s.facts.get("inside_first", ()) for s in got if s.kind == "steps"
    )
    steps = [s for s in got if s.kind == "steps"]
    assert len(steps) == 2  # one per epoch: 130 rows in batches of 50 -> 3 steps each
    assert [s.facts["count"] for s in steps] == [3, 3]
    assert steps[0].facts["first_size"] == 50 and steps[0].facts["last_size"] == 30
    assert "train_step" in steps[0].facts["inside_first"]
    # the first step's builds follow the steps stage, marked with the step they ran in
    after = kinds[kinds.index("steps") + 1 :]
    assert after[: after.index("optimizer_slots") + 1].count("weight_created") == 4
    built = [s for s in got if s.kind == "weight_created"]
    assert {s.facts["at_step"] for s in built} == {0}
    assert [s.facts["name"] for s in built] == [
        "dense/kernel",
        "dense/bias",
        "dense_1/kernel",
        "dense_1/bias",
    ]


def test_another_batch_size_shows_steps_and_the_partial_batch(runs):
    c = compare(runs["base"], runs["batch"])
    assert not c.conforms and "does not conform" in c.summary
    facts = {(d.stage.kind, d.fact): (d.a_value, d.b_value) for d in c.of("value")}
    assert facts[("adapter_selected", "partial_batch_size")] == (30, 10)
    assert facts[("adapter_selected", "steps")] == (3, 4)
    assert facts[("steps", "count")] == (3, 4)
    assert facts[("steps", "last_size")] == (30, 10)
    assert facts[("fit", "batch_size")] == (50, 40)
    assert not c.of("only_a") and not c.of("only_b") and not c.of("order")
    assert {r.status for r in c.rows} == {"same", "differs"}


def test_an_extra_callback_shows_as_members_and_batch_hooks(runs):
    c = compare(runs["base"], runs["callback"])
    values = {(d.stage.kind, d.fact): (d.a_value, d.b_value) for d in c.of("value")}
    assert values[("callbacks_container", "members")] == (["History"], ["EveryBatch", "History"])
    inside = values[("steps", "inside_first")]
    assert "on_train_batch_end" not in inside[0] and "on_train_batch_end" in inside[1]
    assert not c.conforms


def test_another_model_shows_the_stages_only_one_side_has(runs):
    c = compare(runs["base"], runs["deeper"])
    only_b = [d.stage for d in c.of("only_b")]
    assert [s.kind for s in only_b] == ["layer_build", "weight_created", "weight_created"]
    assert [s.facts.get("name") for s in only_b[1:]] == ["dense_2/kernel", "dense_2/bias"]
    shapes = {
        (d.a.facts["name"], d.fact): (d.a_value, d.b_value)
        for d in c.of("value")
        if d.stage.kind == "weight_created"
    }
    assert shapes[("dense_1/kernel", "shape")] == ([8, 4], [8, 5])
    assert ("dense/kernel", "shape") not in shapes  # the first layer is the same
    rows = [r for r in c.rows if r.status == "only_b"]
    assert len(rows) == 3 and all(r.a is None for r in rows)


def test_other_starting_weights_show_in_the_losses_but_within_tolerance_they_agree(runs):
    c = compare(runs["base"], runs["seed"])
    losses = [d for d in c.of("value") if d.fact == "logs.loss"]
    assert {d.stage.kind for d in losses} >= {"epoch", "history"}
    assert all(d.a_value != d.b_value for d in losses)
    assert compare(runs["base"], runs["seed"], rtol=1.0, atol=1.0).conforms


# --- hand-made traces: moved stages, the inherent differences, Keras 3's spellings ---------------------------------
def _trace(spec, framework=None):
    """Events from (kind, name, parent, epoch, step, data) tuples; parents are indices into the spec."""
    events = []
    for seq, (kind, name, parent, epoch, step, data) in enumerate(spec):
        span = kind in ("fit", "epoch", "step", "train_step", "callback_hook", "data_handler")
        events.append(
            Event(
                seq,
                kind,
                name,
                seq,
                dur=1 if span else None,
                parent=parent,
                epoch=epoch,
                step=step,
                data=data,
            )  # fmt: skip
        )
    header = {"framework": framework, "framework_version": "2.21.0"} if framework else {}
    return Trace(header, events)


def _loop(framework=None, last_body=True, logs=2.0, swap=False, handler="DataHandler.__init__"):
    spec = [
        ("fit", "Model.fit", None, None, None, {"batch_size": 2, "epochs": 1}),
        ("compile_check", "_assert_compile_was_called", 0, None, None, {"is_compiled": True}),
        ("data_handler", handler, 0, None, None, {"inferred_steps": 2}),
        ("callbacks_container", "CallbackList.__init__", 0, None, None, {"members": ["History"]}),
        ("epoch", "epoch 0", 0, 0, None, {"epoch": 0, "logs": {"loss": logs}}),
        ("step", "step 0", 4, 0, 0, {"step": 0, "phase": "train", "size": 2}),
        ("train_step", "Sequential.train_step", 5, 0, 0, {}),
        ("weight_created", "dense/kernel:0", 6, 0, 0, {"name": "dense/kernel:0", "shape": [3, 1]}),
        ("step", "step 1", 4, 0, 1, {"step": 1, "phase": "train", "size": 1}),
        ("history", "History.on_epoch_end", 4, 0, None, {"epoch": 0, "logs": {"loss": logs}}),
    ]
    if last_body:
        spec.insert(9, ("train_step", "Sequential.train_step", 8, 0, 1, {}))
    if swap:
        spec[1], spec[2] = spec[2], spec[1]
    return _trace(spec, framework)


def test_a_stage_in_another_place_is_out_of_order():
    c = compare(_loop(), _loop(swap=True))
    order = c.of("order")
    assert len(order) == 1 and order[0].stage.kind in ("compile_check", "data_handler")
    assert not c.of("only_a") and not c.of("only_b") and not c.conforms
    assert "out of order" in c.summary
    assert sum(r.status == "moved" for r in c.rows) == 2


def test_graph_mode_steps_without_the_python_body_are_an_inherent_difference():
    mine, real = _loop(), _loop(framework="tf_keras", last_body=False)
    c = compare(mine, real)
    assert c.conforms, [d.text() for d in c.counted]
    (d,) = c.explained
    assert d.explained_by == "python-step-body" and d.fact == "inside_last"
    assert "1 inherent difference explained" in c.summary
    assert any(r.status == "explained" for r in c.rows)
    # between two of fittrace's own runs the same gap is a real difference
    assert not compare(mine, _loop(last_body=False)).conforms


def test_losses_within_the_tolerance_agree():
    assert compare(_loop(logs=2.0), _loop(logs=2.0005)).conforms
    c = compare(_loop(logs=2.0), _loop(logs=2.01))
    assert {d.fact for d in c.counted} == {"logs.loss"} and len(c.counted) == 2


def test_keras3_spellings_meet_tf_keras_ones():
    assert normalise_name("keras.src.trainers.epoch_iterator.EpochIterator.__init__") == (
        "DataHandler.__init__"
    )
    assert normalise_name("ArrayDataAdapter") == "TensorLikeDataAdapter"
    assert normalise_name("JAXEpochIterator.__init__") == "DataHandler.__init__"
    assert normalise_name("tf_keras.src.engine.training.Model.fit") == "Model.fit"
    assert normalise_name("keras.engine.training.Model.fit") == "Model.fit"
    assert normalise_name("RMSprop/velocity/dense/kernel:0") == "RMSprop/velocity/dense/kernel"
    c = compare(_loop(), _loop(handler="EpochIterator.__init__"))
    assert c.conforms
    spelled = {s for e in EQUIVALENTS for s in e.spellings}
    assert len(spelled) == sum(
        len(e.spellings) for e in EQUIVALENTS
    )  # each spelling in one row only
    assert all(e.reason for e in EQUIVALENTS) and all(e.reason for e in INHERENT)


def test_batch_hooks_beside_the_steps_fold_into_them():
    spec = [
        ("fit", "Model.fit", None, None, None, {}),
        ("epoch", "epoch 0", 0, 0, None, {"epoch": 0}),
        (
            "callback_hook",
            "CallbackList.on_train_batch_begin",
            1,
            0,
            None,
            {"hook": "on_train_batch_begin"},
        ),  # fmt: skip
        ("step", "step 0", 1, 0, 0, {"step": 0, "phase": "train"}),
        (
            "callback_hook",
            "CallbackList.on_train_batch_end",
            1,
            0,
            None,
            {"hook": "on_train_batch_end"},
        ),  # fmt: skip
        (
            "callback_hook",
            "CallbackList.on_train_batch_begin",
            1,
            0,
            None,
            {"hook": "on_train_batch_begin", "skipped": True},
        ),  # fmt: skip
        ("step", "step 1", 1, 0, 1, {"step": 1, "phase": "train"}),
        ("callback_hook", "CallbackList.on_epoch_end", 1, 0, None, {"hook": "on_epoch_end"}),
    ]
    got = stages(_trace(spec))
    assert [s.kind for s in got] == ["fit", "epoch", "steps", "callback_hook"]
    steps = got[2].facts
    assert steps["count"] == 2
    assert steps["inside_first"] == ["on_train_batch_begin", "on_train_batch_end"]
    assert steps["inside_last"] == ["on_train_batch_begin (skipped)"]


def test_a_stage_only_a_real_framework_has_inside_tensorflow_is_explained():
    base = _loop()
    extra = list(_loop(framework="tf_keras").events)
    extra.append(
        Event(
            99,
            "train_function",
            "Optimizer._update_step_xla",
            99,
            keras="tensorflow.python.eager.polymorphic_function.Function",
            data={"action": "traced", "function": "_update_step_xla"},
        )  # fmt: skip
    )
    c = compare(base, Trace({"framework": "tf_keras"}, extra))
    assert c.conforms and [d.explained_by for d in c.explained] == ["tensorflow-functions"]
    # the same stage in a second fittrace trace is not explained away
    assert not compare(base, Trace({}, extra)).conforms


def test_the_second_trace_of_a_first_call_that_made_variables_is_explained():
    events = list(_loop(framework="tf_keras").events)
    events.append(
        Event(
            99,
            "train_function",
            "train_function",
            99,
            parent=5,
            epoch=0,
            step=0,
            data={"action": "traced", "function": "train_function", "cause": "variables"},
        )  # fmt: skip
    )
    c = compare(_loop(), Trace({"framework": "tf_keras"}, events))
    assert [d.explained_by for d in c.differences] == ["variable-lifting"] and c.conforms
    events[-1] = Event(99, "train_function", "train_function", 99, parent=5, epoch=0, step=0,
                       data={"action": "traced", "function": "train_function",
                             "cause": "new_shape"})  # fmt: skip
    assert not compare(_loop(), Trace({"framework": "tf_keras"}, events)).conforms


def test_a_kind_compare_has_no_rule_for_folds_into_the_step_or_stands_alone():
    spec = [
        ("fit", "Model.fit", None, None, None, {}),
        ("epoch", "epoch 0", 0, 0, None, {"epoch": 0}),
        ("step", "step 0", 1, 0, 0, {"step": 0, "phase": "train"}),
        ("jax_state", "JAXTrainer._get_jax_state", 2, 0, 0, {"action": "get"}),
        ("layer_call", "Dense.call", 2, 0, 0, {}),
        ("jax_state", "JAXTrainer.jax_state_sync", 1, 0, None, {"action": "sync"}),
    ]
    got = stages(_trace(spec, framework="keras"))
    assert [s.key[:2] for s in got] == [
        ("fit", None),
        ("epoch", None),
        ("steps", "train"),
        ("jax_state", "sync"),
    ]
    assert got[2].facts["inside_first"] == ["jax_state"]


def test_one_dtype_spelled_two_ways_and_the_end_of_data_in_two_frameworks_compare_alike():
    def fit_of(dtype, error):
        return _trace(
            [
                ("fit", "Model.fit", None, None, None, {"x": {"shape": [4, 1], "dtype": dtype}}),
                ("error", "StopIteration", 0, None, None, {"type": error}),
            ]
        )

    mine = fit_of("<U68", "StopIteration")
    assert compare(mine, fit_of("str2176", "tensorflow.errors.OutOfRangeError")).conforms
    c = compare(mine, fit_of("<U12", "ValueError"))
    assert {d.what for d in c.counted} == {"value", "only_a", "only_b"}


def test_a_stop_counts_at_the_end_of_the_hook_that_asked_for_it():
    def epoch_end(stop_first, stop_inside=True):
        hook = ("callback_hook", "CallbackList.on_epoch_end", 1, 0, None, {"hook": "on_epoch_end"})
        stop = ("stop_training", "EarlyStopping", 2 if stop_inside else 1, 0, None, {"by": "ES"})
        history = ("history", "History.on_epoch_end", 2, 0, None, {"epoch": 0})
        body = [stop, history] if stop_first else [history, stop]
        return _trace(
            [("fit", "Model.fit", None, None, None, {}), ("epoch", "e", 0, 0, None, {"epoch": 0})]
            + [hook]
            + body
            + [("callback_hook", "CallbackList.on_train_end", 0, None, None, {"hook": "x"})]
        )

    mine = epoch_end(stop_first=True)  # fittrace: right after the member that set the flag
    assert [s.kind for s in stages(mine)][-3:] == ["history", "stop_training", "callback_hook"]
    assert compare(mine, epoch_end(stop_first=False, stop_inside=False)).conforms


def test_the_notes_say_what_to_know_before_trusting_it():
    a = _loop()
    b = Trace(
        {"detail": "summary", "bridge": {"tf_keras": {"missing": ["DataHandler.__init__"]}}},
        list(_loop().events),
        footer=None,
        complete=False,
    )
    notes = compare(a, b).notes
    assert any("different detail levels (A None, B summary)" in n for n in notes)
    assert any(n.startswith("B did not end normally (incomplete)") for n in notes)
    assert any("tf_keras bridge found no DataHandler.__init__" in n for n in notes)
    assert compare(a, _loop()).notes == ()
