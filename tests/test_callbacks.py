"""Callbacks as Keras 2 runs them: the list's order, dispatch, History, the progress bar through ProgbarLogger,
EarlyStopping, TerminateOnNaN, ModelCheckpoint, LambdaCallback, and the trace events they emit."""
from __future__ import annotations

import os

import numpy as np
import pytest

from fittrace import progbar
from fittrace.callbacks import (Callback, CallbackList, EarlyStopping, History, LambdaCallback, ModelCheckpoint,
                                ProgbarLogger, TerminateOnNaN)
from fittrace.tracing.recorder import Recorder


class FakeModel:
    """Just what callbacks touch: stop_training, metrics_names, weights, save_weights."""

    def __init__(self, weights=(0.0,)):
        self.stop_training = False
        self.metrics_names = ["loss", "accuracy"]
        self.weights = [np.array(weights)]
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, ws):
        self.weights = [np.array(w) for w in ws]

    def save_weights(self, path):
        self.saved.append(str(path))
        with open(path, "w") as fh:
            fh.write(f"{self.weights[0].tolist()}")


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


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        t = 1000.0
    monkeypatch.setattr(progbar, "_now", lambda: Clock.t)
    return Clock


@pytest.fixture
def recording():
    r = Recorder("full").start()
    yield r
    r.stop()


def _names(cl):
    return [type(c).__name__ for c in cl.callbacks]


# --- the list ------------------------------------------------------------------------------------------------------
def test_user_callbacks_first_then_history_then_progbar():
    cl = CallbackList([Log("a", []), Log("b", [])], add_history=True, add_progbar=True, model=FakeModel(),
                      verbose=1, epochs=2, steps=3)
    assert _names(cl) == ["Log", "Log", "History", "ProgbarLogger"]
    assert cl.callbacks[3].use_steps                   # fit's bar counts steps
    assert _names(CallbackList([Log("a", [])], add_history=True)) == ["Log", "History"]


def test_a_users_history_or_progbar_is_not_duplicated():
    own_history, own_bar = History(), ProgbarLogger()
    model = FakeModel()
    cl = CallbackList([own_history, own_bar, Log("a", [])], add_history=True, add_progbar=True, model=model)
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
    assert calls == [("a", "train_begin", None), ("b", "train_begin", None), ("a", "epoch_begin", 0),
                     ("b", "epoch_begin", 0), ("a", "epoch_end", 0), ("b", "epoch_end", 0)]


def test_hooks_are_called_positionally_with_python_floats():
    got = []

    class OddNames(Callback):
        def on_epoch_end(self, e, log):                # not the usual parameter names: Keras passes positionally
            got.append((e, log))
    cl = CallbackList([OddNames()])
    cl.on_epoch_end(2, {"loss": np.float32(0.5)})
    cl.on_epoch_end(3)
    assert got == [(2, {"loss": 0.5}), (3, {})] and type(got[0][1]["loss"]) is float


# --- batch hooks -----------------------------------------------------------------------------------------------------
def test_batch_hooks_skipped_when_nobody_implements_them():
    calls = []
    cl = CallbackList([Log("a", calls)], add_history=True, model=FakeModel(), verbose=0, epochs=1, steps=2)
    assert not (cl._should_call_train_batch_hooks or cl._should_call_test_batch_hooks
                or cl._should_call_predict_batch_hooks)
    quiet = CallbackList([Log("a", [])], add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=2)
    assert not quiet._should_call_train_batch_hooks    # verbose=2 prints only at the epoch's end
    loud = CallbackList([Log("a", [])], add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    assert loud._should_call_train_batch_hooks and loud._should_call_test_batch_hooks
    unknown = CallbackList([], add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=None)
    assert unknown._should_call_train_batch_hooks      # the batches must be counted


def test_one_implementer_makes_every_member_receive_the_batch_hook():
    calls = []

    class OldName(Callback):                            # overrides the old name: still a batch-hook implementer
        def on_batch_end(self, batch, logs=None):
            calls.append(("old", batch, dict(logs)))

    class Spy(History):
        def on_train_batch_begin(self, batch, logs=None):
            calls.append(("spy", batch, None))
    cl = CallbackList([OldName(), Spy()], model=FakeModel())
    cl.on_train_batch_begin(0)
    cl.on_train_batch_end(0, {"loss": 1.0})
    cl.on_batch_end(1, {"loss": 0.5})                   # the list's old name dispatches the train hook
    assert calls == [("spy", 0, None), ("old", 0, {"loss": 1.0}), ("old", 1, {"loss": 0.5})]


def test_lambda_callback_batch_function_implements_batch_hooks():
    seen = []
    cb = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    assert cb._implements_train_batch_hooks() and not LambdaCallback()._implements_train_batch_hooks()
    cl = CallbackList([cb])
    cl.on_train_batch_end(4, {})
    assert seen == [4]


def test_lambda_callback_hooks_and_extra_names():
    seen = []
    cb = LambdaCallback(on_train_begin=lambda logs: seen.append("begin"),
                        on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
                        on_test_end=lambda logs: seen.append("test end"))
    cl = CallbackList([cb])
    cl.on_train_begin()
    cl.on_epoch_end(0, {"loss": 0.3})
    cl.on_test_end()
    assert seen == ["begin", (0, 0.3), "test end"]


# --- History ---------------------------------------------------------------------------------------------------------
def test_history_records_every_epoch_and_restarts_epochs_per_fit():
    model = FakeModel()
    cl = CallbackList(None, add_history=True, model=model, verbose=1, epochs=2, steps=3)
    cl.on_train_begin()
    cl.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    cl.on_epoch_end(1, {"loss": np.float64(0.5), "accuracy": 0.75})
    h = model.history
    assert h.epoch == [0, 1] and h.history == {"loss": [1.0, 0.5], "accuracy": [0.5, 0.75]}
    assert all(type(v) is float for v in h.history["loss"])
    assert h.params == {"verbose": 1, "epochs": 2, "steps": 3}
    cl.on_train_begin()                                 # the same History in a second fit
    cl.on_epoch_end(0, {"loss": 0.25, "accuracy": 1.0})
    assert h.epoch == [0] and h.history["loss"] == [1.0, 0.5, 0.25]
