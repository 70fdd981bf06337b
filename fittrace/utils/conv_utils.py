"""The argument checks convolution and pooling layers share: a size given as one int or n ints, the padding,
the data format.

Mirrors ``normalize_tuple``, ``normalize_padding`` and ``normalize_data_format`` of
tf_keras/src/utils/conv_utils.py, with Keras's messages. Left out: ``convert_data_format`` and the output-length
helpers, which live beside the arithmetic (``autodiff/conv.py``, ``temporal.py``, ``transposed.py``).

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


def normalize_padding(value: Any, allow_causal: bool = False) -> str:
    """ "valid", "same" (or, for the 1-D convolution alone, "causal") in any case, with Keras's messages."""
    padding = str(value).lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError(
            'The `padding` argument must be a list/tuple or one of "valid", "same" (or "causal", only '
            f"for `Conv1D). Received: {padding}"
        )
    if padding == "causal" and not allow_causal:
        raise ValueError("Causal padding is only supported for `Conv1D`and `SeparableConv1D`.")
    return padding


def normalize_data_format(value: str | None) -> str:
    """ "channels_last" (the default, for None) or "channels_first", with Keras's message for anything else."""
    data_format = "channels_last" if value is None else str(value).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", "channels_last". '
            f"Received: {value}"
        )
    return data_format
