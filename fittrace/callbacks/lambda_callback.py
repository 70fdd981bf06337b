"""LambdaCallback: a callback made of plain functions, one per hook.

Mirrors ``keras.callbacks.LambdaCallback`` (tf_keras/src/callbacks.py): each function given becomes that hook; a
batch function given makes the callback one that implements batch hooks. Left out: nothing.

    >>> seen = []
    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> cb.on_epoch_end(3, {}); seen
    [3]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fittrace.callbacks.callback import Callback


class LambdaCallback(Callback):
    """A callback made of plain functions, called with positional arguments.

    ``on_epoch_begin``/``on_epoch_end`` get ``(epoch, logs)``, ``on_batch_begin``/``on_batch_end`` get
    ``(batch, logs)``, ``on_train_begin``/``on_train_end`` get ``(logs)``. Any other hook can be given by name
    (``on_train_batch_end=...``, ``on_test_end=...``). A function given for a batch hook makes this callback
    implement batch hooks.

        >>> seen = []
        >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
        >>> cb.on_epoch_end(3, {}); seen
        [3]
    """

    def __init__(
        self,
        on_epoch_begin: Callable | None = None,
        on_epoch_end: Callable | None = None,
        on_batch_begin: Callable | None = None,
        on_batch_end: Callable | None = None,
        on_train_begin: Callable | None = None,
        on_train_end: Callable | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_batch_begin": on_batch_begin,
            "on_batch_end": on_batch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
        }
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)  # an instance attribute hides the (default) method
