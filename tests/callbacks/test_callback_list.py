"""Callbacks as Keras 2 runs them: the list's order, dispatch, History, the progress bar through ProgbarLogger,
EarlyStopping, TerminateOnNaN, ModelCheckpoint, LambdaCallback, and the trace events they emit."""
from __future__ import annotations


import numpy as np
import pytest

from fittrace.callbacks import Callback, CallbackList, History, LambdaCallback, ProgbarLogger
from fittrace.tracing.recorder import Recorder

from fakes import FakeModel


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


# --- ProgbarLogger ---------------------------------------------------------------------------------------------------
def _fit_one_epoch(cl, clock, epoch=0, last_logs=None, epoch_logs=None):
    """What fit does around the bar: the epoch begins, step 1 takes 0.2 s, the other 468 take 2.8 s."""
    cl.on_epoch_begin(epoch)
    clock.t += 0.2
    cl.on_train_batch_end(0, {"loss": 2.3, "accuracy": 0.1})
    clock.t += 2.8
    cl.on_train_batch_end(468, last_logs or {"loss": 0.2570, "accuracy": 0.9256})
    cl.on_epoch_end(epoch, epoch_logs or {"loss": 0.2570, "accuracy": 0.9256})


def test_fit_bar_at_verbose_1(clock, capsys):
    cl = CallbackList(None, add_history=True, add_progbar=True, model=FakeModel(), verbose=1, epochs=5, steps=469)
    cl.on_train_begin()
    _fit_one_epoch(cl, clock)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/5\n\r  1/469 [..............................] - ETA: 1:33 - loss: 2.3000 - "
                          "accuracy: 0.1000")
    assert out.split("\r")[-1] == ("469/469 [==============================] - 3s 6ms/step - loss: 0.2570 - "
                                   "accuracy: 0.9256\n")
    # the last batch-level draw (finalize=False) shows "ETA: 0s" before the epoch's end replaces it
    assert "469/469 [==============================] - ETA: 0s - loss: 0.2570" in out


def test_fit_bar_at_verbose_2(clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=2, steps=469)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    clock.t += 1.2
    cl.on_train_batch_end(468, {"loss": 9.9})            # not dispatched at verbose=2
    cl.on_epoch_end(0, {"loss": 2.3361, "accuracy": 0.0999})
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 1/2", "469/469 - 1s - loss: 2.3361 - accuracy: 0.0999 - 1s/epoch - 3ms/step"]


def test_epoch_header_only_with_several_epochs_and_absolute_index(clock, capsys):
    one = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=2)
    one.on_train_begin()
    one.on_epoch_begin(0)
    one.on_epoch_end(0, {"loss": 0.5})
    assert "Epoch" not in capsys.readouterr().out
    resumed = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=3, steps=2)
    resumed.on_train_begin()
    resumed.on_epoch_begin(1)                            # fit(initial_epoch=1, epochs=3)
    assert capsys.readouterr().out == "Epoch 2/3\n"


def test_val_keys_appear_only_on_the_epochs_last_line(clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    clock.t += 1
    cl.on_train_batch_end(0, {"loss": 1.0, "accuracy": 0.5})
    cl.on_test_begin()                                   # validation inside fit: silent
    cl.on_test_batch_end(0, {"loss": 0.9, "accuracy": 0.6})
    cl.on_test_end({"loss": 0.9, "accuracy": 0.6})
    assert "0.9000" not in capsys.readouterr().out
    cl.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5, "val_loss": 0.9, "val_accuracy": 0.6})
    assert capsys.readouterr().out.split("\r")[-1].endswith(
        " - loss: 1.0000 - accuracy: 0.5000 - val_loss: 0.9000 - val_accuracy: 0.6000\n")


def test_evaluate_and_predict_get_their_own_bars(clock, capsys):
    ev = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=4)
    ev.on_test_begin()
    clock.t += 2
    ev.on_test_batch_end(3, {"loss": 0.4, "accuracy": 0.8})
    ev.on_test_end({"loss": 0.4, "accuracy": 0.8})
    assert capsys.readouterr().out.split("\r")[-1] == (
        "4/4 [==============================] - 2s 500ms/step - loss: 0.4000 - accuracy: 0.8000\n")
    pr = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    pr.on_predict_begin()
    clock.t += 1
    pr.on_predict_batch_end(1, {"outputs": np.zeros((3, 2))})
    pr.on_predict_end()
    assert capsys.readouterr().out.split("\r")[-1] == "2/2 [==============================] - 1s 500ms/step\n"


def test_unknown_epoch_length_is_counted_from_the_batches(clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=None)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    for batch in range(7):
        cl.on_train_batch_end(batch, {"loss": 1.0})
    cl.on_epoch_end(0, {"loss": 1.0})
    assert capsys.readouterr().out.startswith("7/7 - 0s - loss: 1.0000")


def test_samples_mode_counts_rows_and_unknown_count_mode_is_refused(clock):
    bar = ProgbarLogger(count_mode="samples")
    CallbackList([bar], model=FakeModel(), verbose=0, epochs=1, samples=10)
    bar.on_epoch_begin(0)
    bar.on_train_batch_end(0, {"size": 4, "loss": 1.0})
    bar.on_train_batch_end(1, {"size": 4, "loss": 1.0})
    assert bar.seen == 8 and bar.progbar.unit_name == "sample"
    with pytest.raises(ValueError, match=r'Unknown `count_mode`: rows. Expected values are \["samples", "steps"\]'):
        ProgbarLogger(count_mode="rows")


# --- trace events ----------------------------------------------------------------------------------------------------
def test_container_event_names_members_and_what_was_added(recording):
    CallbackList([Log("a", [])], add_history=True, add_progbar=True, model=FakeModel(), verbose=1, epochs=2, steps=3)
    (ev,) = [e for e in recording.events if e.kind == "callbacks_container"]
    assert ev.keras == "keras.callbacks.CallbackList.__init__"
    assert ev.data == {"members": ["Log", "History", "ProgbarLogger"], "added_by_default": ["History", "ProgbarLogger"],
                       "params": {"verbose": 1, "epochs": 2, "steps": 3}}


def test_hook_spans_and_nothing_for_skipped_batch_hooks(recording):
    cl = CallbackList([Log("a", [])], add_history=True, model=FakeModel(), verbose=0, epochs=1, steps=1)
    cl.on_epoch_begin(0)
    cl.on_train_batch_begin(0)
    cl.on_train_batch_end(0, {"loss": 1.0})
    cl.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    hooks = [e for e in recording.events if e.kind == "callback_hook"]
    assert [h.data["hook"] for h in hooks] == ["on_epoch_begin", "on_epoch_end"]
    end = hooks[1]
    assert end.name == "CallbackList.on_epoch_end" and end.keras == "keras.callbacks.CallbackList.on_epoch_end"
    assert end.dur is not None
    assert end.data == {"hook": "on_epoch_end", "callbacks": ["Log", "History"], "logs": ["loss", "accuracy"]}
    (hist,) = [e for e in recording.events if e.kind == "history"]
    assert hist.data == {"epoch": 0, "logs": {"loss": 1.0, "accuracy": 0.5}} and hist.parent == end.seq


def test_progbar_events_one_per_printed_line(recording, clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=2, steps=469)
    cl.on_train_begin()
    _fit_one_epoch(cl, clock)
    lines = [e.data for e in recording.events if e.kind == "progbar"]
    assert lines[0] == {"line": "Epoch 1/2", "verbose": 1, "final": False}
    assert len(lines) == 4 and [d["final"] for d in lines] == [False, False, False, True]
    assert lines[-1]["line"] == ("469/469 [==============================] - 3s 6ms/step - loss: 0.2570 - "
                                 "accuracy: 0.9256")
    assert not any(c in d["line"] for d in lines for c in "\b\r\n")
    assert len(capsys.readouterr().out.split("\r")) == 4       # printed: the header, then three bars


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
    assert len(stops) == 1                               # reported when it changes, not again while it stays set
    assert stops[0].data == {"by": "StopAt", "hook": "on_train_batch_end", "epoch": 4, "step": 2,
                             "reason": "StopAt.on_train_batch_end set model.stop_training = True"}
