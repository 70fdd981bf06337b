"""ProgbarLogger: the lines fit, evaluate and predict print, at each verbosity, and one trace event
per printed line: ``fittrace/callbacks/progbar_logger.py``."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeModel

from fittrace.callbacks import CallbackList, ProgbarLogger


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
    cl = CallbackList(
        None, add_history=True, add_progbar=True, model=FakeModel(), verbose=1, epochs=5, steps=469
    )
    cl.on_train_begin()
    _fit_one_epoch(cl, clock)
    out = capsys.readouterr().out
    assert out.startswith(
        "Epoch 1/5\n\r  1/469 [..............................] - ETA: 1:33 - loss: 2.3000 - "
        "accuracy: 0.1000"
    )
    assert out.split("\r")[-1] == (
        "469/469 [==============================] - 3s 6ms/step - loss: 0.2570 - accuracy: 0.9256\n"
    )
    # the last batch-level draw (finalize=False) shows "ETA: 0s" before the epoch's end replaces it
    assert "469/469 [==============================] - ETA: 0s - loss: 0.2570" in out


def test_fit_bar_at_verbose_2(clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=2, steps=469)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    clock.t += 1.2
    cl.on_train_batch_end(468, {"loss": 9.9})  # not dispatched at verbose=2
    cl.on_epoch_end(0, {"loss": 2.3361, "accuracy": 0.0999})
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 1/2",
        "469/469 - 1s - loss: 2.3361 - accuracy: 0.0999 - 1s/epoch - 3ms/step",
    ]


def test_epoch_header_only_with_several_epochs_and_absolute_index(clock, capsys):
    one = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=1, steps=2)
    one.on_train_begin()
    one.on_epoch_begin(0)
    one.on_epoch_end(0, {"loss": 0.5})
    assert "Epoch" not in capsys.readouterr().out
    resumed = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=2, epochs=3, steps=2)
    resumed.on_train_begin()
    resumed.on_epoch_begin(1)  # fit(initial_epoch=1, epochs=3)
    assert capsys.readouterr().out == "Epoch 2/3\n"


def test_val_keys_appear_only_on_the_epochs_last_line(clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    clock.t += 1
    cl.on_train_batch_end(0, {"loss": 1.0, "accuracy": 0.5})
    cl.on_test_begin()  # validation inside fit: silent
    cl.on_test_batch_end(0, {"loss": 0.9, "accuracy": 0.6})
    cl.on_test_end({"loss": 0.9, "accuracy": 0.6})
    assert "0.9000" not in capsys.readouterr().out
    cl.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5, "val_loss": 0.9, "val_accuracy": 0.6})
    assert (
        capsys.readouterr()
        .out.split("\r")[-1]
        .endswith(" - loss: 1.0000 - accuracy: 0.5000 - val_loss: 0.9000 - val_accuracy: 0.6000\n")
    )


def test_evaluate_and_predict_get_their_own_bars(clock, capsys):
    ev = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=4)
    ev.on_test_begin()
    clock.t += 2
    ev.on_test_batch_end(3, {"loss": 0.4, "accuracy": 0.8})
    ev.on_test_end({"loss": 0.4, "accuracy": 0.8})
    assert capsys.readouterr().out.split("\r")[-1] == (
        "4/4 [==============================] - 2s 500ms/step - loss: 0.4000 - accuracy: 0.8000\n"
    )
    pr = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    pr.on_predict_begin()
    clock.t += 1
    pr.on_predict_batch_end(1, {"outputs": np.zeros((3, 2))})
    pr.on_predict_end()
    assert (
        capsys.readouterr().out.split("\r")[-1]
        == "2/2 [==============================] - 1s 500ms/step\n"
    )


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
    with pytest.raises(
        ValueError, match=r'Unknown `count_mode`: rows. Expected values are \["samples", "steps"\]'
    ):
        ProgbarLogger(count_mode="rows")


def test_progbar_events_one_per_printed_line(recording, clock, capsys):
    cl = CallbackList(None, add_progbar=True, model=FakeModel(), verbose=1, epochs=2, steps=469)
    cl.on_train_begin()
    _fit_one_epoch(cl, clock)
    lines = [e.data for e in recording.events if e.kind == "progbar"]
    assert lines[0] == {"line": "Epoch 1/2", "verbose": 1, "final": False}
    assert len(lines) == 4 and [d["final"] for d in lines] == [False, False, False, True]
    assert lines[-1]["line"] == (
        "469/469 [==============================] - 3s 6ms/step - loss: 0.2570 - accuracy: 0.9256"
    )
    assert not any(c in d["line"] for d in lines for c in "\b\r\n")
    assert len(capsys.readouterr().out.split("\r")) == 4  # printed: the header, then three bars
