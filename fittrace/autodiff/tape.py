"""``GradientTape``: records the ops run inside it and walks them backwards for gradients.

Mirrors the part of ``tf.GradientTape`` that Keras's ``train_step`` uses (``ops.py`` has the tensors and the
ops, each op's gradient beside its forward computation). While a trace records, ``gradient`` runs inside a "tape"
span and reports each source's gradient norm: one "gradient" event per source, and the norms for the step's
figures (``gradient_norms``, ``gradient_norm``).

    >>> import numpy as np
    >>> from fittrace.autodiff import Variable, multiply
    >>> w = Variable(np.array([3.0], dtype="float32"), name="w")
    >>> with GradientTape() as tape:
    ...     y = multiply(w, w)
    >>> float(tape.gradient(y, w)[0])              # d(w^2)/dw = 2w
    6.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, Variable, _tapes, squared_norm
from fittrace.tracing import recorder as _recorder


class GradientTape:
    """Records ops for reverse-mode differentiation, like ``tf.GradientTape``.

    Args:
        persistent: allow more than one ``gradient`` call.
        watch_accessed_variables: trainable Variables are watched automatically (the only mode offered).
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self.persistent = persistent
        self._records: list[
            tuple[Tensor, tuple[Any, ...], Callable[[np.ndarray], Sequence[Any]]]
        ] = []
        self._watched: list[Tensor] = []
        self._used = False
        self._recording = False
        self.gradient_norms: dict[
            str, float | None
        ] = {}  # of the last traced gradient call, by source name
        self.gradient_norm: float | None = None  # all of them together

    def __enter__(self) -> GradientTape:
        self._recording = True
        _tapes.append(self)
        return self

    def __exit__(self, *exc: Any) -> bool:
        self._recording = False
        if self in _tapes:
            _tapes.remove(self)
        return False

    def watch(self, tensor: Tensor | Iterable[Tensor]) -> None:
        """Ask for gradients with respect to a tensor that is not a trainable Variable."""
        for t in [tensor] if isinstance(tensor, Tensor) else tensor:
            t._req = True
            self._watched.append(t)

    def watched_variables(self) -> list[Variable]:
        seen: dict[int, Variable] = {}
        for _, inputs, _ in self._records:
            for t in inputs:
                if isinstance(t, Variable) and t.trainable:
                    seen.setdefault(id(t), t)
        return list(seen.values())

    @property
    def num_ops(self) -> int:
        return len(self._records)

    def gradient(self, target: Tensor, sources: Sequence[Tensor] | Tensor) -> Any:
        """Gradients of ``target`` (summed if not scalar) with respect to each source; None where unconnected."""
        if self._used and not self.persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients "
                "(or jacobians)"
            )
        self._used = True
        single = isinstance(sources, Tensor)
        srcs = [sources] if single else list(sources)
        live = _recorder.stepwise()
        if live is None:  # no recording, or one that keeps nothing inside a step
            out_grads = self._backward(target, srcs)
        else:
            out_grads = self._traced_backward(target, srcs, live.gradient_norms)
        return out_grads[0] if single else out_grads

    def _traced_backward(self, target: Tensor, srcs: list[Tensor], norms: bool) -> list[Any]:
        """The backward pass inside a "tape" span, with one "gradient" event per source (its norm measured when
        ``norms``)."""
        with _recorder.span(
            "tape",
            "GradientTape.gradient",
            keras="tensorflow.GradientTape.gradient",
            data={"ops": len(self._records), "sources": len(srcs)},
        ):
            out_grads = self._backward(target, srcs)
            values: list[
                float | None
            ] = []  # each gradient's norm (None: not connected or not measured)
            total, connected = 0.0, False
            for g in out_grads:
                if g is None or not norms:
                    values.append(None)
                else:
                    q = squared_norm(g)
                    total += q
                    connected = True
                    values.append(math.sqrt(q))
            self.gradient_norms = dict(
                zip([getattr(src, "name", "tensor") for src in srcs], values)
            )
            self.gradient_norm = math.sqrt(total) if connected else None
            _recorder.emit_each(
                "gradient",
                "tensorflow.GradientTape.gradient",
                len(srcs),
                lambda i: _gradient_event(srcs[i], values[i]),
            )
        return out_grads

    def _backward(self, target: Tensor, srcs: list[Tensor]) -> list[Any]:
        grads: dict[int, np.ndarray] = {id(target): np.ones_like(target.value)}
        for out, inputs, backward in reversed(self._records):
            g = grads.pop(id(out), None)
            if g is None:
                continue
            for inp, gi in zip(inputs, backward(g)):
                if gi is None or not isinstance(inp, Tensor) or not inp._req:
                    continue
                prev = grads.get(id(inp))
                # Never accumulate in place: an op may hand the same array to several inputs.
                grads[id(inp)] = gi if prev is None else prev + gi
        out_grads = [grads.get(id(s)) for s in srcs]
        if not self.persistent:
            self._records = []
        return out_grads


def _gradient_event(src: Tensor, norm: float | None) -> tuple[str, str | None, dict[str, Any]]:
    """A "gradient" event's name, layer and payload (made only if the event is kept)."""
    name = getattr(src, "name", "tensor")
    layer, slash, _ = name.partition("/")
    return name, layer if slash else None, {"variable": name, "shape": src.shape, "norm": norm}
