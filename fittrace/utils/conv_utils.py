"""The argument checks convolution and pooling layers share: a size given as one int or n ints, and the padding.

Mirrors ``normalize_tuple`` and ``normalize_padding`` of tf_keras/src/utils/conv_utils.py, with Keras's messages.
Left out: the data-format helpers (fittrace is channels last only) and ``conv_output_length``, which lives beside
the convolution arithmetic in ``autodiff/conv.py``.

    >>> normalize_tuple(3, 2, "kernel_size"), normalize_padding("SAME")
    ((3, 3), 'same')
"""

from __future__ import annotations

from typing import Any


def normalize_tuple(value: Any, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or n ints as a tuple of n positive ints (``conv_utils.normalize_tuple``, Keras's messages)."""
    error = f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
    if isinstance(value, int):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(error) from None
        if len(values) != n:
            raise ValueError(error)
        for v in values:
            try:
                int(v)
            except (ValueError, TypeError):
                raise ValueError(error + f"including element {v} of type {type(v)}") from None
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        raise ValueError(
            error + f" including {bad} that does not satisfy the requirement "
            f"`{'>= 0' if allow_zero else '> 0'}`."
        )
    return tuple(int(v) for v in values)


def normalize_padding(value: Any) -> str:
    padding = str(value).lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError(
            'The `padding` argument must be a list/tuple or one of "valid", "same" (or "causal", only '
            f"for `Conv1D). Received: {padding}"
        )
    if padding == "causal":
        raise ValueError("Causal padding is only supported for `Conv1D`and `SeparableConv1D`.")
    return padding
