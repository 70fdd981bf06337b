"""What a layer accepts as input, and the check that says so.

Mirrors ``keras.engine.input_spec`` (tf_keras/src/engine/input_spec.py): ``InputSpec`` and
``assert_input_compatibility`` with Keras 2's exact messages, checked in Keras's order (count, ndim, max_ndim,
min_ndim, dtype, axes, shape). Left out: nested input structures beyond a flat list, and named inputs.

    >>> assert_input_compatibility(InputSpec(min_ndim=2, axes={-1: 784}), _Shaped((32, 100)), "dense")
    Traceback (most recent call last):
    ...
    ValueError: Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input shape ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fittrace.engine.functions import symbolic_shape
from fittrace.tracing import recorder as rec


@dataclass
class InputSpec:
    """Rank, shape, dtype and fixed axes a layer expects (None means: no constraint)."""

    dtype: str | None = None
    shape: tuple[int | None, ...] | None = None
    ndim: int | None = None
    max_ndim: int | None = None
    min_ndim: int | None = None
    axes: dict[int, int | None] = field(default_factory=dict)
    allow_last_axis_squeeze: bool = False

    def __post_init__(self) -> None:
        if self.shape is not None:
            self.shape = tuple(self.shape)
            self.ndim = len(self.shape)


def _display_shape(shape: Sequence[int | None]) -> str:
    return str(tuple(shape))


class _Shaped:
    """Anything with a shape; used for symbolic checks (a shape without data) and the doctest."""

    def __init__(self, shape: Sequence[int | None], dtype: str = "float32") -> None:
        self.shape = tuple(shape)
        self.dtype = dtype


def assert_input_compatibility(
    input_spec: InputSpec | Sequence[InputSpec] | None, inputs: Any, layer_name: str
) -> None:
    """Raise Keras 2's ValueError/TypeError when ``inputs`` do not fit ``input_spec``."""
    if not input_spec:
        return
    specs = [input_spec] if isinstance(input_spec, InputSpec) else list(input_spec)
    flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for x in flat:
        if not hasattr(x, "shape"):
            raise TypeError(
                f"Inputs to a layer should be tensors. Got '{x}' (of type {type(x)}) as input for layer "
                f"'{layer_name}'."
            )
    if len(flat) != len(specs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} input '
            f"tensors. Inputs received: {flat}"
        )
    for i, (x, spec) in enumerate(zip(flat, specs)):
        if spec is None:
            continue
        shape = symbolic_shape(tuple(x.shape))  # while tracing a graph, the batch dimension is None
        ndim = len(shape)
        head = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise rec.with_facts(
                ValueError(
                    f"{head}expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: "
                    f"{shape}"
                ),
                check="ndim",
                input=i,
                layer=layer_name,
                expected=spec.ndim,
                found=ndim,
            )
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise rec.with_facts(
                ValueError(f"{head}expected max_ndim={spec.max_ndim}, found ndim={ndim}"),
                check="ndim",
                input=i,
                layer=layer_name,
                expected=spec.max_ndim,
                found=ndim,
            )
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise rec.with_facts(
                ValueError(
                    f"{head}expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full shape "
                    f"received: {shape}"
                ),
                check="ndim",
                input=i,
                layer=layer_name,
                expected=spec.min_ndim,
                found=ndim,
            )
        if spec.dtype is not None and str(x.dtype) != spec.dtype:
            raise ValueError(f"{head}expected dtype={spec.dtype}, found dtype={x.dtype}")
        for axis, value in spec.axes.items():
            if value is None:
                continue
            try:
                got = shape[axis]
            except IndexError:
                got = None
            if got is not None and got != value:
                raise rec.with_facts(
                    ValueError(
                        f"{head}expected axis {axis} of input shape to have value {value}, "
                        f"but received input with shape {_display_shape(shape)}"
                    ),
                    check="axis",
                    input=i,
                    layer=layer_name,
                    axis=axis,
                    expected=value,
                    found=got,
                )
        if spec.shape is not None:
            want = spec.shape
            if spec.allow_last_axis_squeeze:
                if shape and shape[-1] == 1:
                    shape = shape[:-1]
                if want and want[-1] == 1:
                    want = want[:-1]
            # as Keras: the dimensions are compared pairwise as far as the shorter shape goes (the rank is
            # checked by ndim, which a spec that allows the last axis to be squeezed leaves unchecked)
            ok = all(w is None or s is None or w == s for s, w in zip(shape, want))
            if not ok:
                raise rec.with_facts(
                    ValueError(  # the shape as the traced function sees it, as Keras shows it
                        f"{head}expected shape={spec.shape}, found "
                        f"shape={_display_shape(symbolic_shape(tuple(x.shape)))}"
                    ),
                    check="shape",
                    input=i,
                    layer=layer_name,
                    expected=list(spec.shape),
                    found=list(shape),
                )
