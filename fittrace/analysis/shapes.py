"""Shapes as readers write them: Python's tuple notation, ``None`` for an unknown dimension.

>>> shape_text([None, 784]), shape_text([8]), shape_text(None), shape_text(None, unknown="?"), shape_text(3)
('(None, 784)', '(8,)', 'None', '?', '3')
"""

from __future__ import annotations

from typing import Any


def shape_text(shape: Any, unknown: str = "None") -> str:
    """``shape`` (a list or tuple of dimensions) as ``(None, 784)``; ``unknown`` when there is none; anything else
    as it prints."""
    if shape is None:
        return unknown
    if not isinstance(shape, (list, tuple)):
        return str(shape)
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"
