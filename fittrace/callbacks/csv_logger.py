"""CSVLogger: one CSV row per epoch, written whole and flushed.

Mirrors ``keras.callbacks.CSVLogger`` (tf_keras/src/callbacks.py): sorted keys, the ``val_`` columns made up
front, ``NA`` for a missing value, ``append`` without a second header, excel line ends. A run that fails keeps the
rows of its finished epochs. Left out: nothing.
"""

from __future__ import annotations

import collections.abc
import csv
import os
from typing import Any

import numpy as np

from fittrace.callbacks.callback import Callback


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file: ``epoch`` then the log keys in sorted order (with ``val_``
    columns made up front when the first epoch has none, so validation in a later epoch has its place)."""

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: Any = None
        self.keys: list[str] | None = None
        self.append_header = True
        super().__init__()

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as fh:
                    self.append_header = not bool(len(fh.readline()))
            mode = "a"
        else:
            mode = "w"
        self.csv_file = open(self.filename, mode, newline="")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}

        def handle_value(k: Any) -> Any:
            if isinstance(k, str):
                return k
            if isinstance(k, collections.abc.Iterable) and not (
                isinstance(k, np.ndarray) and k.ndim == 0
            ):
                return f'"[{", ".join(map(str, k))}]"'
            return k

        if self.keys is None:
            self.keys = sorted(logs.keys())
            if not any(key.startswith("val_") for key in self.keys):
                self.keys.extend(["val_" + k for k in self.keys])
        if not self.writer:

            class CustomDialect(csv.excel):
                delimiter = self.sep

            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch"] + self.keys, dialect=CustomDialect
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, handle_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        self.csv_file.close()
        self.writer = None
