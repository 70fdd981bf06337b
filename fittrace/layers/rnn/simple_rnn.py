"""SimpleRNN and SimpleRNNCell: ``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``.

Mirrors tf_keras/src/layers/rnn/simple_rnn.py: the cell's ``kernel``, ``recurrent_kernel`` and ``bias`` with
Keras's initializers (glorot_uniform, orthogonal, zeros), tanh, ``dropout`` on the inputs and
``recurrent_dropout`` on the state (one mask per sample for all steps). Left out: constraints, ``time_major``.

    >>> import numpy as np
    >>> SimpleRNN(2, return_state=True)(np.zeros((1, 3, 4), "float32"))[1].shape
    (1, 2)
"""

from __future__ import annotations

from typing import Any

from fittrace import activations, regularizers
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.rnn.abstract_rnn_cell import GateCell
from fittrace.layers.rnn.base_rnn import RNN
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.SimpleRNNCell")
class SimpleRNNCell(GateCell):
    """One step of the fully connected recurrence: ``(h, h) = cell(inputs, h_prev)``."""

    _kind = "simple"
    _gates = 1
    _strict_rates = False

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
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
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            **kwargs,
        )

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple[Tensor, Any]:
        nested = isinstance(states, (list, tuple))
        prev = states[0] if nested else states
        dp = self.get_dropout_mask_for_cell(inputs, training)
        rdp = self.get_recurrent_dropout_mask_for_cell(prev, training)
        x = ops.multiply(inputs, Tensor(dp)) if dp is not None else inputs
        h = ops.matmul(x, self.kernel)
        if self.bias is not None:
            h = ops.add(h, self.bias)
        if rdp is not None:
            prev = ops.multiply(prev, Tensor(rdp))
        output = self.activation(ops.add(h, ops.matmul(prev, self.recurrent_kernel)))
        return output, [output] if nested else output

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **self._weights_config(),
            **self._regularizers_config(),
            **self._constraints_config(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


@keras_export("keras.layers.SimpleRNN")
class SimpleRNN(RNN):
    """The fully connected recurrence over a (batch, time, features) input, Keras 2's defaults.

    Args:
        units: the size of the output and of the state. The rest as SimpleRNNCell's and RNN's arguments.
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("implementation", None)
        kwargs.pop("enable_caching_device", None)
        cell = SimpleRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = [InputSpec(ndim=3)]

    units = property(lambda self: self.cell.units)
    activation = property(lambda self: self.cell.activation)
    use_bias = property(lambda self: self.cell.use_bias)
    kernel_initializer = property(lambda self: self.cell.kernel_initializer)
    recurrent_initializer = property(lambda self: self.cell.recurrent_initializer)
    bias_initializer = property(lambda self: self.cell.bias_initializer)
    kernel_regularizer = property(lambda self: self.cell.kernel_regularizer)
    recurrent_regularizer = property(lambda self: self.cell.recurrent_regularizer)
    bias_regularizer = property(lambda self: self.cell.bias_regularizer)
    dropout = property(lambda self: self.cell.dropout)
    recurrent_dropout = property(lambda self: self.cell.recurrent_dropout)

    def call(
        self, inputs: Any, mask: Any = None, training: Any = None, initial_state: Any = None
    ) -> Any:
        return super().call(inputs, mask=mask, training=training, initial_state=initial_state)

    def get_config(self) -> dict[str, Any]:
        cell = self.cell
        return {
            **self._rnn_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **cell._weights_config(),
            **cell._regularizers_config(),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            **cell._constraints_config(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> SimpleRNN:
        return cls(**config)
