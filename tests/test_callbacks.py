"""Callbacks and the progress bar: Keras 2's order, format and behaviour."""
from __future__ import annotations

import numpy as np
import pytest

from fittrace import progbar
from fittrace.callbacks import (Callback, CallbackList, EarlyStopping, History, LambdaCallback, ModelCheckpoint,
                                ProgbarLogger, TerminateOnNaN)
from fittrace.tracing.recorder import Recorder


class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.metrics_names = ["loss", "accuracy"]
        self.weights = [np.zeros(2)]
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, ws):
        self.weights = [w.copy() for w in ws]

    def save_weights(self, path):
        self.saved.append(str(path))
        with open(path, "wb") as fh:
            fh.write(b"weights")


@pytest.fixture
def clock(monkeypatch):
    t = {"now": 1000.0}
    monkeypatch.setattr(progbar, "now", lambda: t["now"])
    return t


def test_default_callbacks_appended_after_user_ones():
    user = Callback()
    cl = CallbackList([user], add_history=True, add_progbar=True, model=FakeModel(), verbose=1, epochs=2, steps=3)
    assert [type(c).__name__ for c in cl.callbacks] == ["Callback", "History", "ProgbarLogger"]
    own = History()
    cl = CallbackList([own], add_history=True, add_progbar=False, model=FakeModel())
    assert cl.callbacks == [own]


def test_params_and_history():
    model = FakeModel()
    cl = CallbackList(None, add_history=True, model=model, verbose=0, epochs=2, steps=3)
    cl.on_train_begin()
    for e in range(2):
        cl.on_epoch_begin(e)
        cl.on_epoch_end(e, {"loss": 1.0 / (e + 1), "accuracy": 0.5})
    h = model.history
    assert h.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert h.epoch == [0, 1] and h.history == {"loss": [1.0, 0.5], "accuracy": [0.5, 0.5]}


def test_batch_hooks_only_dispatched_when_implemented():
    calls = []

    class Batchy(Callback):
        def on_train_batch_end(self, batch, logs=None):
            calls.append(batch)
    quiet = CallbackList([Callback()], add_history=True, model=FakeModel(), verbose=0, epochs=1, steps=2)
    assert not quiet._should_call_train_batch_hooks
    loud = CallbackList([Batchy()], model=FakeModel(), verbose=0, epochs=1, steps=2)
    loud.on_train_batch_end(0, {})
    assert calls == [0]
    progbar2 = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=2)
    assert not progbar2._should_call_train_batch_hooks


def test_verbose_1_lines(clock, capsys):
    cl = CallbackList(None, add_history=True, add_progbar=True, model=FakeModel(), verbose=1, epochs=5, steps=469)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    clock["now"] += 0.5
    cl.on_train_batch_end(0, {"loss": 2.3, "accuracy": 0.1})
    clock["now"] += 2.5
    cl.on_train_batch_end(468, {"loss": 0.2570, "accuracy": 0.9256})
    cl.on_epoch_end(0, {"loss": 0.2570, "accuracy": 0.9256})
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/5\n")
    final = out.split("\r")[-1].rstrip("\n").rstrip()
    assert final == "469/469 [==============================] - 3s 5ms/step - loss: 0.2570 - accuracy: 0.9256"
    assert "  1/469 [..............................] - ETA: " in out


def test_no_epoch_header_for_one_epoch(clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    cl.on_epoch_end(0, {"loss": 0.5})
    assert "Epoch" not in capsys.readouterr().out


def test_verbose_2_line(clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=2, steps=469)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    clock["now"] += 1.2
    cl.on_epoch_end(0, {"loss": 2.3361, "accuracy": 0.0999})
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Epoch 1/2", "469/469 - 1s - loss: 2.3361 - accuracy: 0.0999 - 1s/epoch - 3ms/step"]


def test_small_values_in_scientific_format(clock):
    bar = progbar.Progbar(2, verbose=1, stateful_metrics=["loss"], write=lambda s: None)
    line = bar.update(2, [("loss", 0.0004)], finalize=True)
    assert line.endswith("- loss: 4.0000e-04")


def test_early_stopping_patience_and_restore():
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    cl = CallbackList([es], model=model)
    cl.on_train_begin()
    for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7]):
        model.weights = [np.full(2, float(epoch))]
        cl.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            break
    assert model.stop_training and es.stopped_epoch == 2
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])     # weights of the best epoch (1)


def test_early_stopping_mode_and_min_delta():
    es = EarlyStopping(monitor="val_accuracy", min_delta=0.1, patience=0)
    model = FakeModel()
    CallbackList([es], model=model).on_train_begin()
    es.on_epoch_end(0, {"val_accuracy": 0.5})
    es.on_epoch_end(1, {"val_accuracy": 0.55})     # not better by 0.1
    assert model.stop_training


def test_terminate_on_nan_and_stop_event(capsys):
    model = FakeModel()
    cl = CallbackList([TerminateOnNaN()], model=model)
    rec = Recorder("full").start()
    cl.on_train_batch_end(4, {"loss": float("nan")})
    rec.stop()
    assert model.stop_training
    assert "Batch 4: Invalid loss, terminating training" in capsys.readouterr().out
    stops = [e.data for e in rec.events if e.kind == "stop_training"]
    assert stops and stops[0]["by"] == "TerminateOnNaN"


def test_model_checkpoint_names_and_best_only(tmp_path):
    model = FakeModel()
    mc = ModelCheckpoint(str(tmp_path / "w-{epoch:02d}-{val_loss:.2f}.npz"), save_best_only=True)
    cl = CallbackList([mc], model=model)
    for epoch, loss in enumerate([0.9, 1.2, 0.4]):
        cl.on_epoch_end(epoch, {"val_loss": loss})
    assert [p.split("/")[-1] for p in model.saved] == ["w-01-0.90.npz", "w-03-0.40.npz"]


def test_lambda_callback_and_events():
    seen = []
    cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])))
    rec = Recorder("full").start()
    cl = CallbackList([cb], add_history=True, model=FakeModel(), verbose=0, epochs=1, steps=1)
    cl.on_epoch_end(0, {"loss": 0.3})
    rec.stop()
    assert seen == [(0, 0.3)]
    kinds = [e.kind for e in rec.events]
    assert kinds[0] == "callbacks_container" and "callback_hook" in kinds and "history" in kinds
    hook = [e for e in rec.events if e.kind == "callback_hook"][0]
    assert hook.data["callbacks"] == ["LambdaCallback", "History"]


def test_progbar_logger_silent_during_validation_in_fit(clock, capsys):
    pl = ProgbarLogger(count_mode="steps")
    cl = CallbackList([pl], model=FakeModel(), verbose=1, epochs=1, steps=1)
    cl.on_train_begin()
    cl.on_test_begin()
    cl.on_test_end({"loss": 1.0})
    assert capsys.readouterr().out == ""
