"""CSVLogger: ``fittrace/callbacks/csv_logger.py``."""

from __future__ import annotations

from fakes import FakeModel

from fittrace.callbacks import CallbackList


def test_csv_logger_writes_a_row_per_epoch_and_makes_room_for_validation(tmp_path):
    from fittrace.keras.callbacks import CSVLogger

    path = tmp_path / "log.csv"
    log = CSVLogger(path)
    cbs = CallbackList([log], model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    assert (
        path.read_bytes() == b"epoch,accuracy,loss,val_accuracy,val_loss\r\n0,0.75,0.5,NA,NA\r\n"
    )  # as Keras
    cbs.on_epoch_end(1, {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "extra": [1, 2]})
    cbs.on_train_end()
    assert (
        path.read_text().splitlines()[-1] == "1,0.875,0.25,NA,0.5"
    )  # only the first epoch's columns
    again = CSVLogger(path, separator=";", append=True)
    cbs = CallbackList([again], model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 1.0})
    cbs.on_train_end()
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[-1] == "0;1.0;NA"  # appended: no second header
