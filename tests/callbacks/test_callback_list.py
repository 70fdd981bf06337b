"""CallbackList as Keras 2 runs it: the members' order, dispatch, which batch hooks are called, and the trace
events the container emits: ``fittrace/callbacks/callback_list.py``."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeModel

from fittrace.callbacks import Callback, CallbackList, History, ProgbarLogger


class Log(Callback):
    """Notes (name, hook, argument) of every hook it overrides, into a shared list."""

    def __init__(self, name, calls):
        super().__init__()
        self.name, self.calls = name, calls

    def on_train_begin(self, logs=None):
        self.calls.append((self.name, "train_begin", None))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append((self.name, "epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append((self.name, "epoch_end", epoch))


def _names(cl):
    return [type(c).__name__ for c in cl.callbacks]


# --- the list ------------------------------------------------------------------------------------------------------
def test_user_callbacks_first_then_history_then_progbar():
    cl = CallbackList(
        [Log("a", []), Log("b", [])],
        add_history=True,
        add_progbar=True,
        model=FakeModel(),
        verbose=1,
        epochs=2,
        steps=3,
    )
    assert _names(cl) == ["Log", "Log", "History", "ProgbarLogger"]
    assert cl.callbacks[3].use_steps  # fit's bar counts steps
    assert _names(CallbackList([Log("a", [])], add_history=True)) == ["Log", "History"]


def test_a_users_history_or_progbar_is_not_duplicated():
    own_history, own_bar = History(), ProgbarLogger()
    model = FakeModel()
    cl = CallbackList(
        [own_history, own_bar, Log("a", [])], add_history=True, add_progbar=True, model=model
    )
    assert cl.callbacks == [own_history, own_bar, cl.callbacks[2]] and len(cl.callbacks) == 3
    assert model.history is own_history


def test_model_and_params_reach_every_member():
    model = FakeModel()
    cl = CallbackList([Log("a", [])], add_history=True, model=model, verbose=0, epochs=2, steps=3)
    assert model.history is cl.callbacks[1]
    assert all(c.model is model and c.params == {"verbose": 0, "epochs": 2, "steps": 3} for c in cl)


def test_nested_lists_are_flattened_and_non_callbacks_refused():
    a, b = Log("a", []), Log("b", [])
    assert CallbackList([[a], (b,)]).callbacks == [a, b]
    assert CallbackList(a).callbacks == [a]
    with pytest.raises(TypeError, match="received 'oops' of type str"):
        CallbackList([a, "oops"])


def test_hooks_call_members_in_list_order():
    calls = []
    cl = CallbackList([Log("a", calls), Log("b", calls)], model=FakeModel())
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    cl.on_epoch_end(0, {"loss": 1.0})
    assert calls == [
        ("a", "train_begin", None),
        ("b", "train_begin", None),
        ("a", "epoch_begin", 0),
        ("b", "epoch_begin", 0),
        ("a", "epoch_end", 0),
        ("b", "epoch_end", 0),
    ]


def test_hooks_are_called_positionally_with_python_floats():
    got = []

    class OddNames(Callback):
        def on_epoch_end(self, e, log):  # not the usual parameter names: Keras passes positionally
            got.append((e, log))

    cl = CallbackList([OddNames()])
    cl.on_epoch_end(2, {"loss": np.float32(0.5)})
    cl.on_epoch_end(3)
    assert got == [(2, {"loss": 0.5}), (3, {})] and type(got[0][1]["loss"]) is float


# --- batch hooks -----------------------------------------------------------------------------------------------------
def test_batch_hooks_skipped_when_nobody_implements_them():
    calls = []
    cl = CallbackList(
        [Log("a", calls)], add_history=True, model=FakeModel(), verbose=0, epochs=1, steps=2
    )
    assert not (
        cl._should_call_train_batch_hooks
        or cl._should_call_test_batch_hooks
        or cl._should_call_predict_batch_hooks
    )
    quiet = CallbackList(
        [Log("a", [])], add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=2
    )
    assert not quiet._should_call_train_batch_hooks  # verbose=2 prints only at the epoch's end
    loud = CallbackList(
        [Log("a", [])], add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2
    )
    assert loud._should_call_train_batch_hooks and loud._should_call_test_batch_hooks
    unknown = CallbackList([], add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=None)
    assert unknown._should_call_train_batch_hooks  # the batches must be counted


def test_one_implementer_makes_every_member_receive_the_batch_hook():
    calls = []

    class OldName(Callback):  # overrides the old name: still a batch-hook implementer
        def on_batch_end(self, batch, logs=None):
            calls.append(("old", batch, dict(logs)))

    class Spy(History):
        def on_train_batch_begin(self, batch, logs=None):
            calls.append(("spy", batch, None))

    cl = CallbackList([OldName(), Spy()], model=FakeModel())
    cl.on_train_batch_begin(0)
    cl.on_train_batch_end(0, {"loss": 1.0})
    cl.on_batch_end(1, {"loss": 0.5})  # the list's old name dispatches the train hook
    assert calls == [("spy", 0, None), ("old", 0, {"loss": 1.0}), ("old", 1, {"loss": 0.5})]


# --- trace events ----------------------------------------------------------------------------------------------------
def test_container_event_names_members_and_what_was_added(recording):
    CallbackList(
        [Log("a", [])],
        add_history=True,
        add_progbar=True,
        model=FakeModel(),
        verbose=1,
        epochs=2,
        steps=3,
    )
    (ev,) = [e for e in recording.events if e.kind == "callbacks_container"]
    assert ev.keras == "keras.callbacks.CallbackList.__init__"
    assert ev.data == {
        "members": ["Log", "History", "ProgbarLogger"],
        "added_by_default": ["History", "ProgbarLogger"],
        "params": {"verbose": 1, "epochs": 2, "steps": 3},
    }


def test_hook_spans_and_skipped_batch_hooks_shown_called_and_skipped(recording):
    """As tf-keras's CallbackList: a batch hook no member implements is called and returns at once; the trace
    shows it so (skipped, no member called), as the bridge shows a real tf-keras run's."""
    cl = CallbackList(
        [Log("a", [])], add_history=True, model=FakeModel(), verbose=0, epochs=1, steps=1
    )
    cl.on_epoch_begin(0)
    cl.on_train_batch_begin(0)
    cl.on_train_batch_end(0, {"loss": 1.0})
    cl.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    hooks = [e for e in recording.events if e.kind == "callback_hook"]
    assert [h.data["hook"] for h in hooks] == [
        "on_epoch_begin",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_epoch_end",
    ]
    assert [h.data.get("skipped", False) for h in hooks] == [False, True, True, False]
    assert hooks[2].data == {
        "hook": "on_train_batch_end",
        "callbacks": [],
        "logs": ["loss"],
        "skipped": True,
    }
    assert (
        hooks[1].dur is not None
        and hooks[1].keras == "keras.callbacks.CallbackList.on_train_batch_begin"
    )
    end = hooks[3]
    assert (
        end.name == "CallbackList.on_epoch_end"
        and end.keras == "keras.callbacks.CallbackList.on_epoch_end"
    )
    assert end.dur is not None
    assert end.data == {
        "hook": "on_epoch_end",
        "callbacks": ["Log", "History"],
        "logs": ["loss", "accuracy"],
    }
    (hist,) = [e for e in recording.events if e.kind == "history"]
    assert (
        hist.data == {"epoch": 0, "logs": {"loss": 1.0, "accuracy": 0.5}} and hist.parent == end.seq
    )


def test_stop_training_event_names_who_asked(recording):
    class StopAt(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    model = FakeModel()
    cl = CallbackList([Log("a", []), StopAt()], add_history=True, model=model)
    cl.on_epoch_begin(4)
    for batch in range(4):
        cl.on_train_batch_end(batch, {"loss": 1.0})
    stops = [e for e in recording.events if e.kind == "stop_training"]
    assert len(stops) == 1  # reported when it changes, not again while it stays set
    assert stops[0].data == {
        "by": "StopAt",
        "hook": "on_train_batch_end",
        "epoch": 4,
        "step": 2,
        "reason": "StopAt.on_train_batch_end set model.stop_training = True",
    }


def test_every_phase_shows_its_skipped_batch_hooks(recording):
    cl = CallbackList(None, add_history=True, model=FakeModel(), verbose=0, epochs=1, steps=1)
    for phase in ("train", "test", "predict"):
        getattr(cl, f"on_{phase}_batch_begin")(0)
        getattr(cl, f"on_{phase}_batch_end")(0, {"loss": 1.0})
    hooks = [e for e in recording.events if e.kind == "callback_hook"]
    assert [(h.data["hook"], h.data["skipped"], h.data["callbacks"]) for h in hooks] == [
        (f"on_{phase}_batch_{end}", True, [])
        for phase in ("train", "test", "predict")
        for end in ("begin", "end")
    ]
