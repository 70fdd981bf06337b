"""The base of recurrent cells, and what the three built-in cells share.

Mirrors tf_keras/src/layers/rnn/abstract_rnn_cell.py: ``AbstractRNNCell`` is a layer whose ``call(inputs,
states)`` takes one timestep and returns ``(output, new_states)``, with ``state_size`` and ``output_size``; its
initial states are zeros. ``GateCell`` holds what SimpleRNNCell, LSTMCell and GRUCell have in common in tf-keras
(their weights ``kernel``, ``recurrent_kernel`` and ``bias``, with Keras's initializers and checks, their dropout
masks) and the fast path: the whole sequence as one op of ``autodiff/recurrent.py``, its input projection one
matmul for all timesteps. Left out: constraints (refused), the caching device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import activations, initializers, regularizers
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.recurrent import projection, recurrence
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.layers.rnn.dropout_rnn_cell_mixin import DropoutRNNCellMixin, dropout_masks
from fittrace.saving.keras_export import keras_export

# The activations the fused recurrence runs natively, by function.
_NATIVE = {
    activations.tanh: "tanh",
    activations.sigmoid: "sigmoid",
    activations.relu: "relu",
    activations.linear: "linear",
}


def _native(fn: Any) -> str | None:
    """The name the recurrence op knows an activation by, or None."""
    return next((name for known, name in _NATIVE.items() if known is fn), None)


@keras_export("keras.layers.AbstractRNNCell")
class AbstractRNNCell(Layer):
    """A cell: ``call(inputs, states) -> (output, new_states)`` for one timestep; ``state_size`` and
    ``output_size`` say the sizes."""

    @property
    def state_size(self) -> Any:
        raise NotImplementedError

    @property
    def output_size(self) -> Any:
        raise NotImplementedError

    def get_initial_state(
        self, inputs: Any = None, batch_size: int | None = None, dtype: Any = None
    ) -> Any:
        """Zeros of (batch, size) for each state."""
        if inputs is not None:
            batch_size = inputs.shape[0]
            dtype = inputs.dtype
        size = self.state_size
        dtype = dtype or np.float32
        if isinstance(size, (list, tuple)):
            return [np.zeros((batch_size, s), dtype) for s in size]
        return np.zeros((batch_size, size), dtype)


class GateCell(DropoutRNNCellMixin, AbstractRNNCell):
    """The weights, checks, config and fused sequence of the built-in cells. A subclass sets ``_kind`` (the
    recurrence of ``autodiff/recurrent.py``) and ``_gates``, and writes ``call`` for one step."""

    _kind = "simple"
    _gates = 1
    _strict_rates = True  # LSTM and GRU drop only for 0 < rate < 1; SimpleRNN for any rate above 0

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs: Any,
    ) -> None:
        if units <= 0:
            raise ValueError(
                "Received an invalid value for argument `units`, expected a positive integer, "
                f"got {units}."
            )
        kwargs.pop("enable_caching_device", None)
        super().__init__(**kwargs)
        refuse_constraints(
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
        )
        self.units = units
        self.activation = activations.get(activation)
        if recurrent_activation is not None:
            self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = self.recurrent_constraint = self.bias_constraint = None
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.kernel = self.recurrent_kernel = self.bias = None

    @property
    def state_size(self) -> Any:
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    # --- weights ---------------------------------------------------------------------------------------------------
    def _bias_shape(self) -> tuple[int, ...]:
        return (self._gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        input_dim = input_shape[-1]
        width = self._gates * self.units
        self.kernel = self.add_weight(
            "kernel",
            shape=(input_dim, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel",
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=self._bias_shape(),
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
            )
        super().build(input_shape)

    def _biases(self) -> tuple[Any, Any]:
        """The bias added to the input projection, and the one inside the recurrent product (GRU)."""
        return self.bias, None

    def _drops(self, rate: float) -> bool:
        return 0 < rate < 1 if self._strict_rates else rate > 0

    # --- the whole sequence at once --------------------------------------------------------------------------------
    def _sequence(
        self,
        inputs: Tensor,
        initial_state: list[Tensor],
        mask: np.ndarray | None,
        training: Any,
        go_backwards: bool,
        zero_output_for_mask: bool,
        sequences: bool,
        states: bool,
        whole_sequence_dropout: bool,
    ) -> list[Tensor] | None:
        """The layer's outputs and states from one recurrence op, or None when this cell's activations are not
        ones the op runs (the layer then calls the cell step by step)."""
        act = _native(self.activation)
        ract = _native(getattr(self, "recurrent_activation", activations.tanh))
        if act is None or ract is None:
            return None
        batch, _, features = inputs.shape
        units, gates = self.units, self._gates
        x = inputs
        input_bias, recurrent_bias = self._biases()
        if whole_sequence_dropout:
            if training and self.dropout > 0:  # the layer's mask: every value of every step
                x = ops.multiply(x, Tensor(dropout_masks(tuple(x.shape), self.dropout, 1)[0]))
            xz = projection(x, self.kernel, input_bias)
        elif training and self._drops(self.dropout):
            masks = self.get_dropout_mask_for_cell(_Shape((batch, features)), training, count=gates)
            masks = masks if isinstance(masks, list) else [masks]
            if getattr(self, "implementation", 2) == 1 and gates > 1:
                xz = ops.concat(
                    [
                        ops.matmul(
                            ops.multiply(x, Tensor(masks[g][:, None, :])),
                            ops.getitem(
                                self.kernel, (slice(None), slice(g * units, (g + 1) * units))
                            ),
                        )
                        for g in range(gates)
                    ],
                    axis=-1,
                )
                if input_bias is not None:
                    xz = ops.add(xz, input_bias)
            else:
                x = ops.multiply(x, Tensor(masks[0][:, None, :]))
                xz = projection(x, self.kernel, input_bias)
        else:
            xz = projection(x, self.kernel, input_bias)
        rmasks = None
        if training and self._drops(self.recurrent_dropout):
            got = self.get_recurrent_dropout_mask_for_cell(
                _Shape((batch, units)), training, count=gates
            )
            rmasks = np.stack(got if isinstance(got, list) else [got])
        return recurrence(
            self._kind,
            xz,
            self.recurrent_kernel,
            recurrent_bias,
            initial_state,
            mask=mask,
            go_backwards=go_backwards,
            recurrent_masks=rmasks,
            zero_output_for_mask=zero_output_for_mask,
            sequences=sequences,
            states=states,
            activation=act,
            recurrent_activation=ract,
            reset_after=getattr(self, "reset_after", True),
        )

    # --- serialization ---------------------------------------------------------------------------------------------
    def _weights_config(self) -> dict[str, Any]:
        """The config keys of the weights, in Keras's order (a cell adds its own around them)."""
        return {
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }

    def _regularizers_config(self) -> dict[str, Any]:
        return {
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }

    @staticmethod
    def _constraints_config() -> dict[str, Any]:
        return {"kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None}


class _Shape:
    """Something with a shape: what the dropout masks are made to fit."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
