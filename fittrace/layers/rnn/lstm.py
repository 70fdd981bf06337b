"""LSTM and LSTMCell: the long short-term memory layer, Keras 2's defaults and weights.

Mirrors tf_keras/src/layers/rnn/lstm.py: the cell's ``kernel`` (input_dim, 4*units), ``recurrent_kernel``
(units, 4*units) and ``bias`` (4*units), gates in Keras's order (input, forget, candidate, output), tanh and
sigmoid, glorot_uniform / orthogonal / zeros with ``unit_forget_bias`` (the forget gate's bias starts at 1),
``dropout`` and ``recurrent_dropout`` (``recurrent_dropout`` switches to ``implementation=1``, one mask per gate, as
in Keras). Like Keras's fused kernel, LSTM with its default activations, a bias and no recurrent dropout drops
each input value of each step; otherwise a mask per sample holds for all steps. Left out: the cuDNN kernel (the
CPU path is the same arithmetic), ``time_major``, constraints.

    >>> layer = LSTM(3, return_sequences=True)
    >>> layer(np.zeros((2, 5, 4), "float32")).shape, [w.name for w in layer.weights][0]
    ((2, 5, 3), 'lstm/lstm_cell/kernel:0')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import activations, regularizers
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.rnn.abstract_rnn_cell import GateCell
from fittrace.layers.rnn.base_rnn import RNN
from fittrace.saving.keras_export import keras_export


def _unit_forget_bias(bias_initializer: Any, units: int) -> Any:
    """The bias initializer of ``unit_forget_bias``: ``bias_initializer`` everywhere but ones for the forget gate."""

    def init(shape: Any, dtype: Any = None) -> np.ndarray:
        return np.concatenate(
            [
                bias_initializer((units,), dtype=dtype),
                np.ones((units,), dtype or np.float32),
                bias_initializer((units * 2,), dtype=dtype),
            ]
        )

    init.__name__ = "bias_initializer"
    return init


@keras_export("keras.layers.LSTMCell")
class LSTMCell(GateCell):
    """One LSTM step: ``(output, [h, c]) = cell(inputs, [h, c])``."""

    _kind = "lstm"
    _gates = 4

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
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
        implementation = kwargs.pop("implementation", 2)
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
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
        self.unit_forget_bias = unit_forget_bias
        self.implementation = 1 if self.recurrent_dropout != 0 else implementation

    @property
    def state_size(self) -> list[int]:
        return [self.units, self.units]

    def _bias_initializer(self) -> Any:
        if self.unit_forget_bias:
            return _unit_forget_bias(self.bias_initializer, self.units)
        return self.bias_initializer

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple[Tensor, list[Tensor]]:
        h_tm1, c_tm1 = states[0], states[1]
        u = self.units
        dp = (
            self.get_dropout_mask_for_cell(inputs, training, count=4)
            if self._drops(self.dropout)
            else None
        )
        rdp = (
            self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=4)
            if self._drops(self.recurrent_dropout)
            else None
        )
        if self.implementation == 1 and (dp is not None or rdp is not None):
            parts = []
            for g in range(4):
                cols = (slice(None), slice(g * u, (g + 1) * u))
                x_g = ops.multiply(inputs, Tensor(dp[g])) if dp is not None else inputs
                h_g = ops.multiply(h_tm1, Tensor(rdp[g])) if rdp is not None else h_tm1
                part = ops.add(
                    ops.matmul(x_g, ops.getitem(self.kernel, cols)),
                    ops.matmul(h_g, ops.getitem(self.recurrent_kernel, cols)),
                )
                parts.append(part)
            z = ops.concat(parts, axis=-1)
        else:
            x = ops.multiply(inputs, Tensor(dp[0])) if dp is not None else inputs
            z = ops.add(ops.matmul(x, self.kernel), ops.matmul(h_tm1, self.recurrent_kernel))
        if self.use_bias:
            z = ops.add(z, self.bias)
        i = self.recurrent_activation(ops.getitem(z, (slice(None), slice(0, u))))
        f = self.recurrent_activation(ops.getitem(z, (slice(None), slice(u, 2 * u))))
        cc = self.activation(ops.getitem(z, (slice(None), slice(2 * u, 3 * u))))
        o = self.recurrent_activation(ops.getitem(z, (slice(None), slice(3 * u, 4 * u))))
        c = ops.add(ops.multiply(f, c_tm1), ops.multiply(i, cc))
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            **self._weights_config(),
            "unit_forget_bias": self.unit_forget_bias,
            **self._regularizers_config(),
            **self._constraints_config(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "implementation": self.implementation,
        }


@keras_export("keras.layers.LSTM")
class LSTM(RNN):
    """Long short-term memory over a (batch, time, features) input, Keras 2's defaults.

    Args:
        units: the size of the output and of both states. The rest as LSTMCell's and RNN's arguments.
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
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
        time_major: bool = False,
        unroll: bool = False,
        **kwargs: Any,
    ) -> None:
        implementation = kwargs.pop("implementation", 2)
        if implementation == 0:
            implementation = 1
        kwargs.pop("enable_caching_device", None)
        cell = LSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            unit_forget_bias=unit_forget_bias,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            implementation=implementation,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="lstm_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            time_major=time_major,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = [InputSpec(ndim=3)]
        self._fused_dropout = (
            cell.activation is activations.tanh
            and cell.recurrent_activation is activations.sigmoid
            and recurrent_dropout == 0
            and not unroll
            and use_bias
        )

    units = property(lambda self: self.cell.units)
    activation = property(lambda self: self.cell.activation)
    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    use_bias = property(lambda self: self.cell.use_bias)
    kernel_initializer = property(lambda self: self.cell.kernel_initializer)
    recurrent_initializer = property(lambda self: self.cell.recurrent_initializer)
    bias_initializer = property(lambda self: self.cell.bias_initializer)
    unit_forget_bias = property(lambda self: self.cell.unit_forget_bias)
    kernel_regularizer = property(lambda self: self.cell.kernel_regularizer)
    recurrent_regularizer = property(lambda self: self.cell.recurrent_regularizer)
    bias_regularizer = property(lambda self: self.cell.bias_regularizer)
    dropout = property(lambda self: self.cell.dropout)
    recurrent_dropout = property(lambda self: self.cell.recurrent_dropout)
    implementation = property(lambda self: self.cell.implementation)

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
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            **cell._weights_config(),
            "unit_forget_bias": self.unit_forget_bias,
            **cell._regularizers_config(),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            **cell._constraints_config(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "implementation": self.implementation,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> LSTM:
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1
        return cls(**config)
