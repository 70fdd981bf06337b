"""``Sequence``: a dataset of batches by index, the input ``fit`` takes through ``KerasSequenceAdapter``.

Mirrors tf_keras/src/utils/data_utils.py ``Sequence``. Left out: ``OrderedEnqueuer``, ``GeneratorEnqueuer`` and
multiprocessing (``workers`` and ``use_multiprocessing`` are accepted and ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class Sequence:
    """A dataset of batches by index: implement ``__getitem__(i)`` (returns ``(x, y)``) and ``__len__``.

    ``fit`` asks for every index once per epoch (in shuffled order if ``shuffle=True``) and calls
    ``on_epoch_end`` after each epoch.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called after every epoch; override to reshuffle or augment."""

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]
