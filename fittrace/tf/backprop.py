"""``tf.GradientTape`` as a hand-written loop uses it: ``persistent``, ``watch``, ``watch_accessed_variables``,
``stop_recording``, and ``gradient`` of one target or several with respect to one source or any nest of them.

Mirrors ``tensorflow/python/eager/backprop.py``'s ``GradientTape`` over fittrace's autodiff tape (the one fit's
``train_step`` uses, unchanged): gradients come back as tensors in the structure of the sources, None where a
source is not connected (or zeros with ``unconnected_gradients="zero"``). Outside a ``tf.function`` each tape
opens a step of the hand-written loop in the trace (see ``hand_loop``).

    >>> import numpy as np
    >>> from fittrace.autodiff import Tensor, multiply
    >>> x = Tensor(np.array([2.0], dtype="float32"))
    >>> with GradientTape(persistent=True) as tape:
    ...     tape.watch(x)
    ...     y = multiply(x, x)
    ...     z = multiply(y, x)
    >>> float(tape.gradient(y, x)[0]), float(tape.gradient(z, x)[0])    # 2x, then 3x^2
    (4.0, 12.0)

Left out: ``jacobian``, ``batch_jacobian``, ``output_gradients``, higher-order gradients (a tape inside a tape
records the outer tape's ops, not the inner tape's gradient computation).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from fittrace import autodiff
from fittrace.autodiff import Tensor, Variable
from fittrace.autodiff.ops import _tapes
from fittrace.tf import hand_loop
from fittrace.utils import nest

_UNCONNECTED = ("none", "zero")


class GradientTape(autodiff.GradientTape):
    """Records the ops run inside it, for ``gradient``; ``persistent=True`` allows more than one call."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        super().__init__(persistent=persistent, watch_accessed_variables=watch_accessed_variables)
        self._watch_accessed = watch_accessed_variables

    def __enter__(self) -> GradientTape:
        hand_loop.tape_opens(self)
        super().__enter__()
        return self

    def watch(self, tensor: Any) -> None:
        """Ask for gradients with respect to a tensor (or a nest of them) that is not a trainable Variable."""
        for t in nest.flatten(tensor):
            if not isinstance(t, Tensor):
                raise ValueError(
                    f"Passed in object {t!r} of type {type(t).__name__!r}, not tf.Tensor or "
                    "tf.Variable: convert it first (tf.constant / tf.convert_to_tensor) and watch "
                    "the tensor you compute with"
                )
        super().watch(nest.flatten(tensor))

    @contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Ops run inside this block are not recorded (their results are constants to this tape)."""
        if not self._recording:
            raise ValueError("Tape must be recording to stop recording.")
        self._recording = False
        try:
            yield
        finally:
            self._recording = True

    def reset(self) -> None:
        """Forget everything recorded so far (the tape goes on recording)."""
        self._records = []
        self._used = False

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: str = "none",
    ) -> Any:
        """The gradients of ``target`` (a tensor, or a list of them: their sum) with respect to ``sources``, in
        the structure of ``sources``."""
        if output_gradients is not None:
            raise ValueError(
                "fittrace.tf's GradientTape.gradient takes no output_gradients: multiply the target by "
                "them (tf.reduce_sum(target * weights)) before asking for the gradient"
            )
        if unconnected_gradients not in _UNCONNECTED:
            raise ValueError(
                f"Unknown value for unconnected_gradients: {unconnected_gradients!r}; expected "
                "'none' or 'zero'"
            )
        flat = nest.flatten(sources)
        for s in flat:
            if not isinstance(s, Tensor):
                raise ValueError(
                    f"A gradient source must be a tensor or a variable, not {type(s).__name__}: "
                    "pass the Variables (model.trainable_weights) or the watched tensors"
                )
        grads = super().gradient(self._one_target(target), flat)
        out = []
        for s, g in zip(flat, grads):
            unwatched = (
                not self._watch_accessed
                and isinstance(s, Variable)
                and not any(w is s for w in self._watched)
            )
            if g is None or unwatched:
                out.append(
                    Tensor(np.zeros_like(s.value)) if unconnected_gradients == "zero" else None
                )
            else:
                out.append(Tensor(g))
        hand_loop.last_tape[0] = self
        return nest.pack_sequence_as(sources, out) if nest.is_nested(sources) else out[0]

    def _one_target(self, target: Any) -> Tensor:
        """A list of targets as one: their sum, recorded on this tape as if computed inside it."""
        targets = nest.flatten(target)
        if len(targets) == 1:
            return autodiff.convert_to_tensor(targets[0])
        recording, self._recording = self._recording, True
        _tapes.append(self)
        try:
            total = autodiff.reduce_sum(targets[0])
            for t in targets[1:]:
                total = autodiff.add(total, autodiff.reduce_sum(t))
        finally:
            _tapes.remove(self)
            self._recording = recording
        return total
