"""ReduceLROnPlateau: ``fittrace/callbacks/reduce_lr_on_plateau.py``."""

from __future__ import annotations

import pytest
from sample_runs import tiny_softmax_fit

from fittrace.keras import callbacks
from fittrace.tracing.recorder import Recorder


def test_plateau_reduces_after_patience_respects_cooldown_and_the_floor(capsys):
    plateau = callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=1, min_delta=10.0, cooldown=2, min_lr=0.002, verbose=1
    )
    _, h = tiny_softmax_fit([plateau], epochs=6)
    # no epoch beats the best by 10: a cut after the patience epoch, then one epoch skipped (the cooldown counter
    # drops before it is checked, as in Keras), and the last cut stops at min_lr; "lr" is logged before the cut
    assert h.history["lr"] == pytest.approx([0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025], rel=1e-6)
    out = capsys.readouterr().out
    assert out.count("ReduceLROnPlateau reducing learning rate") == 3
    assert "Epoch 6: ReduceLROnPlateau reducing learning rate to 0.002." in out
    _, h = tiny_softmax_fit(
        [callbacks.ReduceLROnPlateau(monitor="loss", patience=1, min_delta=10.0, min_lr=0.006)],
        epochs=4,
    )
    assert min(h.history["lr"]) == pytest.approx(0.006) and h.history["lr"][-1] == pytest.approx(
        0.006
    )


def test_plateau_checks_its_arguments_and_warns_about_a_missing_monitor(capsys):
    with pytest.raises(ValueError, match="does not support a factor >= 1.0. Got 1.5"):
        callbacks.ReduceLROnPlateau(factor=1.5)
    assert callbacks.ReduceLROnPlateau(epsilon=0.5).min_delta == 0.5
    assert bool(callbacks.ReduceLROnPlateau(monitor="accuracy").monitor_op(0.9, 0.8))
    assert bool(callbacks.ReduceLROnPlateau(monitor="loss").monitor_op(0.7, 0.8))
    callbacks.ReduceLROnPlateau(mode="sideways")
    rec = Recorder("full").start()
    try:
        tiny_softmax_fit([callbacks.ReduceLROnPlateau(monitor="val_loss")], epochs=1)
    finally:
        rec.stop()
    err = capsys.readouterr().err
    assert "Learning rate reduction mode sideways is unknown, fallback to auto mode." in err
    assert (
        "conditioned on metric `val_loss` which is not available. Available metrics are: loss,lr"
        in err
    )
    assert any(e.kind == "warning" and "val_loss" in e.data["message"] for e in rec.events)
