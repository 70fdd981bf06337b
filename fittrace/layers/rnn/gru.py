"""GRU and GRUCell: the gated recurrent unit, Keras 2's defaults and weights.

Mirrors tf_keras/src/layers/rnn/gru.py: the cell's ``kernel`` (input_dim, 3*units), ``recurrent_kernel``
(units, 3*units) and ``bias``, gates in Keras's order (update, reset, candidate), tanh and sigmoid,
glorot_uniform / orthogonal / zeros. With ``reset_after=True`` (Keras 2's default, the cuDNN-compatible form) the
reset gate multiplies the recurrent product and the bias is (2, 3*units): the input bias, then the recurrent bias;
with ``reset_after=False`` it multiplies the state before the product and the bias is (3*units,). ``dropout`` and
``recurrent_dropout`` as LSTM's. Left out: the cuDNN kernel, ``time_major``, constraints.

    >>> import numpy as np
    >>> layer = GRU(3)
    >>> layer(np.zeros((2, 5, 4), "float32")).shape, [tuple(w.shape) for w in layer.weights]
    ((2, 3), [(4, 9), (3, 9), (2, 9)])
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


@keras_export("keras.layers.GRUCell")
class GRUCell(GateCell):
    """One GRU step: ``(output, h) = cell(inputs, h)``."""

    _kind = "gru"
    _gates = 3

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
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
        reset_after: bool = True,
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
        self.implementation = 1 if self.recurrent_dropout != 0 else implementation
        self.reset_after = reset_after

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _biases(self) -> tuple[Any, Any]:
        if self.bias is None:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return ops.getitem(self.bias, 0), ops.getitem(self.bias, 1)

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple[Tensor, Any]:
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        u = self.units
        dp = (
            self.get_dropout_mask_for_cell(inputs, training, count=3)
            if self._drops(self.dropout)
            else None
        )
        rdp = (
            self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=3)
            if self._drops(self.recurrent_dropout)
            else None
        )
        input_bias, recurrent_bias = self._biases()

        def cols(g: int) -> tuple[slice, slice]:
            return (slice(None), slice(g * u, (g + 1) * u))

        def gate_x(g: int) -> Tensor:
            x = inputs
            if dp is not None:
                x = ops.multiply(x, Tensor(dp[g if self.implementation == 1 else 0]))
            out = ops.matmul(x, ops.getitem(self.kernel, cols(g)))
            return (
                ops.add(out, ops.getitem(input_bias, slice(g * u, (g + 1) * u)))
                if input_bias is not None
                else out
            )

        def state(g: int) -> Tensor:
            return ops.multiply(h_tm1, Tensor(rdp[g])) if rdp is not None else h_tm1

        def rec(g: int, h: Tensor) -> Tensor:
            out = ops.matmul(h, ops.getitem(self.recurrent_kernel, cols(g)))
            if self.reset_after and recurrent_bias is not None:
                out = ops.add(out, ops.getitem(recurrent_bias, slice(g * u, (g + 1) * u)))
            return out

        z = self.recurrent_activation(ops.add(gate_x(0), rec(0, state(0))))
        r = self.recurrent_activation(ops.add(gate_x(1), rec(1, state(1))))
        if self.reset_after:
            recurrent_h = ops.multiply(r, rec(2, state(2)))
        else:
            recurrent_h = rec(2, ops.multiply(r, state(2)))
        hh = self.activation(ops.add(gate_x(2), recurrent_h))
        h = ops.add(ops.multiply(z, h_tm1), ops.multiply(ops.subtract(1.0, z), hh))
        return h, [h] if nested else h

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            **self._weights_config(),
            **self._regularizers_config(),
            **self._constraints_config(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "implementation": self.implementation,
            "reset_after": self.reset_after,
        }


@keras_export("keras.layers.GRU")
class GRU(RNN):
    """Gated recurrent unit over a (batch, time, features) input, Keras 2's defaults.

    Args:
        units: the size of the output and of the state. The rest as GRUCell's and RNN's arguments.
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
        reset_after: bool = True,
        **kwargs: Any,
    ) -> None:
        implementation = kwargs.pop("implementation", 2)
        if implementation == 0:
            implementation = 1
        kwargs.pop("enable_caching_device", None)
        cell = GRUCell(
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
            implementation=implementation,
            reset_after=reset_after,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gru_cell",
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
            and reset_after
        )

    units = property(lambda self: self.cell.units)
    activation = property(lambda self: self.cell.activation)
    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    use_bias = property(lambda self: self.cell.use_bias)
    kernel_initializer = property(lambda self: self.cell.kernel_initializer)
    recurrent_initializer = property(lambda self: self.cell.recurrent_initializer)
    bias_initializer = property(lambda self: self.cell.bias_initializer)
    kernel_regularizer = property(lambda self: self.cell.kernel_regularizer)
    recurrent_regularizer = property(lambda self: self.cell.recurrent_regularizer)
    bias_regularizer = property(lambda self: self.cell.bias_regularizer)
    dropout = property(lambda self: self.cell.dropout)
    recurrent_dropout = property(lambda self: self.cell.recurrent_dropout)
    implementation = property(lambda self: self.cell.implementation)
    reset_after = property(lambda self: self.cell.reset_after)

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
            **cell._regularizers_config(),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            **cell._constraints_config(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "implementation": self.implementation,
            "reset_after": self.reset_after,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> GRU:
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1
        return cls(**config)
