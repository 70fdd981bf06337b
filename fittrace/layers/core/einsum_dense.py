"""EinsumDense: a dense layer whose product with the kernel is an einsum equation.

Mirrors tf_keras/src/layers/core/einsum_dense.py: ``einsum(equation, inputs, kernel) + bias``, the kernel's shape
read from the equation, the input's shape and ``output_shape`` (the output's shape without its batch axis, None
where the input decides), the bias over ``bias_axes`` of the output. The three equation forms Keras accepts:
``ab,bc->ac``, ``...b,bc->...c`` and ``ab...,bc->ac...``, with Keras's messages for the others.
``MultiHeadAttention`` makes its query, key, value and output projections of it.

    >>> import numpy as np
    >>> layer = EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de")
    >>> _ = layer(np.ones((4, 5, 6), "float32"))
    >>> layer.kernel.shape, layer.bias.shape, layer.full_output_shape
    ((6, 2, 3), (2, 3), [4, None, 2, 3])

Left out: weight constraints (refused, as everywhere in fittrace).
"""

from __future__ import annotations

import re
from typing import Any

from fittrace import activations, initializers, regularizers
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.EinsumDense", "keras.layers.experimental.EinsumDense")
class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: the einsum equation, inputs first, kernel second (``"abc,cd->abd"``).
        output_shape: the output's shape without the batch axis (an int for one axis; None for an axis the
            input gives). activation, bias_axes (the output's letters the bias spans; None: no bias), the
            kernel's and bias's initializers and regularizers, as Dense's.
    """

    def __init__(
        self,
        equation: str,
        output_shape: Any,
        activation: Any = None,
        bias_axes: str | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        refuse_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.equation = equation
        self.partial_output_shape = (
            [output_shape] if isinstance(output_shape, int) else list(output_shape)
        )
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = self.bias_constraint = None
        self.kernel = self.bias = None
        self.full_output_shape: list | None = None

    def build(self, input_shape: tuple) -> None:
        kernel_shape, bias_shape, self.full_output_shape = analyze_einsum_string(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape
        )
        self.kernel = self.add_weight(
            "kernel",
            shape=kernel_shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            trainable=True,
        )
        if bias_shape is not None:
            self.bias = self.add_weight(
                "bias",
                shape=bias_shape,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                trainable=True,
            )
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        out = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """Keras's ``full_output_shape``: the batch size, then ``output_shape`` as given (its None stay None)."""
        if self.full_output_shape is None:
            self.full_output_shape = analyze_einsum_string(
                self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape
            )[2]
        return tuple(self.full_output_shape)

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """A symbolic call's shape comes from running the layer, as Keras's call on placeholders (so an axis
        ``output_shape`` leaves None has the input's size)."""
        return self._probe_output_shape(shapes, inputs, args, kwargs)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": None,
            "bias_constraint": None,
        }


def analyze_einsum_string(
    equation: str, bias_axes: str | None, input_shape: tuple, output_shape: Any
) -> tuple[list, list | None, list]:
    """The kernel's shape, the bias's shape (None without ``bias_axes``) and the full output shape, as Keras's
    ``_analyze_einsum_string`` works them out."""
    dotted = re.sub(r"\.\.\.", "0", equation)
    for pattern, left in (
        ("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
        ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
        ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
    ):
        split = re.match(pattern, dotted)
        if split:
            return _analyze_split_string(split, bias_axes, input_shape, output_shape, left)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form "
        "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def _analyze_split_string(
    split: re.Match, bias_axes: str | None, input_shape: tuple, output_shape: Any, left: bool
) -> tuple[list, list | None, list]:
    input_spec, weight_spec, output_spec = split.group(1), split.group(2), split.group(3)
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        for i in range(len(input_shape) - elided, len(input_shape)):
            output_shape.append(input_shape[i])
    if left:
        input_dim_map = {dim: (i + elided) - len(input_shape) for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: i + elided for i, dim in enumerate(output_spec)}
    else:
        input_dim_map = {dim: i for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        at_input = input_shape[input_dim_map[dim]]
        if dim in output_dim_map:
            at_output = output_shape[output_dim_map[dim]]
            if at_output is not None and at_output != at_input:
                raise ValueError(
                    f"Input shape and output shape do not match at shared dimension '{dim}'. Input "
                    f"shape is {at_input}, and output shape is {output_shape[output_dim_map[dim]]}."
                )
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(
                f"Dimension '{dim}' was specified in the output '{output_spec}' but has no "
                f"corresponding dim in the input spec '{input_spec}' or weight spec '{output_spec}'"
            )
    weight_shape = []
    for dim in weight_spec:
        if dim in input_dim_map:
            weight_shape.append(input_shape[input_dim_map[dim]])
        elif dim in output_dim_map:
            weight_shape.append(output_shape[output_dim_map[dim]])
        else:
            raise ValueError(
                f"Weight dimension '{dim}' did not have a match in either the input spec "
                f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the weight must "
                "be fully specified."
            )
    bias_shape = None
    if bias_axes is not None:
        num_left_elided = elided if left else 0
        idx_map = {char: output_shape[i + num_left_elided] for i, char in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(
                    f"Bias dimension '{char}' was requested, but is not part of the output spec "
                    f"'{output_spec}'"
                )
        first = min(output_spec.find(char) for char in bias_axes)
        bias_shape = [idx_map[char] if char in bias_axes else 1 for char in output_spec[first:]]
        if not left:
            bias_shape.extend([1] * elided)
    return weight_shape, bias_shape, output_shape
