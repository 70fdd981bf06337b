"""RNN: runs a cell over the timesteps of a (batch, time, features) input.

Mirrors tf_keras/src/layers/rnn/base_rnn.py: ``return_sequences``, ``return_state``, ``go_backwards``, ``stateful``
(the last states carried from one call to the next until ``reset_states``), ``unroll`` (accepted; the loop is the
same), ``initial_state`` (a keyword, or the inputs as a list ``[x, *states]``), masks with Keras's semantics (a
masked step carries the previous state and output, as ``backend.rnn``; the output mask passes on only with
``return_sequences``), the input spec fixed by the first build, and Keras's config. The built-in cells
(SimpleRNNCell, LSTMCell, GRUCell) run the whole sequence as one op of ``autodiff/recurrent.py``; any other cell
(or one with an activation that op does not know) is called step by step, as ``backend.rnn`` calls it. The cell's
weights are named under the layer's, as Keras's name scopes make them (``lstm/lstm_cell/kernel:0``).
Left out: ``time_major=True``, stacked cells (a list of cells), ``constants``, ragged inputs.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export


def state_sizes(cell: Any) -> list[int]:
    """The cell's state sizes as a list (``state_size`` may be one int)."""
    size = cell.state_size
    return [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)]


def build_scoped(layer: Layer, scope: str, input_shape: Any) -> None:
    """Build ``layer`` with its weights named under ``scope`` (``scope/layer/kernel:0``), as a Keras name scope
    names them."""
    own = layer.name
    object.__setattr__(layer, "name", f"{scope}/{own}")
    try:
        layer._maybe_build(input_shape)
    finally:
        object.__setattr__(layer, "name", own)


def _shape_of_first(input_shape: Any) -> tuple:
    """The shape of the sequence input, from a shape or a list of shapes ([inputs, *states])."""
    if (
        isinstance(input_shape, (list, tuple))
        and input_shape
        and isinstance(input_shape[0], (tuple, list))
    ):
        input_shape = input_shape[0]
    return tuple(input_shape)


def step_loop(
    step: Any,
    inputs: Tensor,
    initial_states: list[Tensor],
    mask: np.ndarray | None,
    go_backwards: bool,
    zero_output_for_mask: bool,
) -> tuple[Tensor, list[Tensor], list[Tensor]]:
    """``backend.rnn`` with recorded ops: ``step(x_t, states) -> (output, new_states)`` at each timestep. Returns
    the last output, the outputs in the order they were computed, and the final states."""
    steps = inputs.shape[1]
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    states = list(initial_states)
    outputs: list[Tensor] = []
    prev: Any = None
    for t in order:
        out, new_states = step(ops.getitem(inputs, (slice(None), t)), states)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if mask is not None:
            keep = mask[:, t][:, None]
            if prev is None:
                prev = Tensor(np.zeros(out.shape, out.dtype))
            out = ops.where(
                keep, out, Tensor(np.zeros(out.shape, out.dtype)) if zero_output_for_mask else prev
            )
            new_states = [ops.where(keep, n, s) for n, s in zip(new_states, states)]
        prev = out
        states = new_states
        outputs.append(out)
    return outputs[-1], outputs, states


@keras_export("keras.layers.RNN")
class RNN(Layer):
    """Runs ``cell`` over the timesteps of its (batch, time, features) input.

    Args:
        cell: a layer with ``call(inputs, states)``, ``state_size`` (and ``output_size``).
        return_sequences: the whole output sequence, not only the last output.
        return_state: also return the final states.
        go_backwards: walk the sequence from its end (the output sequence comes reversed).
        stateful: carry the last states into the next call (needs a fixed batch size).
        unroll: accepted (the loop is the same); time_major: only False.
    """

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        time_major: bool = False,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            raise NotImplementedError(
                "fittrace has no StackedRNNCells: give RNN one cell, or stack RNN layers."
            )
        if "call" not in dir(cell):
            raise ValueError(
                f"Argument `cell` should have a `call` method. The RNN was passed: cell={cell}"
            )
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (tuple of integers, one integer per "
                f"RNN state). Received: cell={cell}"
            )
        if time_major:
            raise NotImplementedError(
                "fittrace's recurrent layers take (batch, time, features) inputs: pass time_major=False."
            )
        if kwargs.pop("num_constants", 0):
            raise NotImplementedError("fittrace's RNN takes no `constants`.")
        self.zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        if "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (
                kwargs.pop("input_length", None),
                kwargs.pop("input_dim", None),
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec: Any = None
        self._states: list[np.ndarray] | None = None
        self._fused_dropout = (
            False  # LSTM and GRU drop each input value of each step (Keras's fused path)
        )

    # --- states ----------------------------------------------------------------------------------------------------
    @property
    def states(self) -> list[Any]:
        """The carried states of a stateful layer (None before its first call)."""
        if self._states is None:
            return [None for _ in state_sizes(self.cell)]
        return [Tensor(s) for s in self._states]

    def reset_states(self, states: Any = None) -> None:
        """Set a stateful layer's states to zeros, or to ``states``."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        batch = None
        if self.input_spec is not None and self.input_spec[0] is not None:
            spec_shape = self.input_spec[0].shape
            batch = spec_shape[0] if spec_shape else None
        if not batch:
            raise ValueError(
                "If a RNN is stateful, it needs to know its batch size. Specify the batch size of your "
                "input tensors: \n- If using a Sequential model, specify the batch size by passing a "
                "`batch_input_shape` argument to your first layer.\n- If using the functional API, "
                "specify the batch size by passing a `batch_shape` argument to your Input layer."
            )
        sizes = state_sizes(self.cell)
        if states is None:
            self._states = [np.zeros((batch, size), np.float32) for size in sizes]
            return
        given = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(given) != len(sizes):
            raise ValueError(
                f"Layer {self.name} expects {len(sizes)} states, but it received {len(given)} state "
                f"values. States received: {states}"
            )
        values = []
        for i, (value, size) in enumerate(zip(given, sizes)):
            value = np.asarray(ops.to_numpy(value), np.float32)
            if value.shape != (batch, size):
                raise ValueError(
                    f"State {i} is incompatible with layer {self.name}: expected shape={(batch, size)} "
                    f"but found shape={value.shape}"
                )
            values.append(value.copy())
        self._states = values

    # --- shapes and build ------------------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = _shape_of_first(input_shape)
        batch, steps = shape[0], shape[1]
        units = getattr(self.cell, "output_size", None) or state_sizes(self.cell)[0]
        out = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return [out] + [(batch, size) for size in state_sizes(self.cell)]
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in state_sizes(self.cell)]
        return output_mask

    def build(self, input_shape: Any) -> None:
        shape = _shape_of_first(input_shape)
        spec = list(shape)
        if not self.stateful:
            spec[0] = None
        spec[1] = None
        if self.input_spec is not None and len(self.input_spec) > 1:
            self.input_spec = [InputSpec(shape=tuple(spec))] + list(self.input_spec[1:])
        else:
            self.input_spec = [InputSpec(shape=tuple(spec))]
        if isinstance(self.cell, Layer) and not self.cell.built:
            build_scoped(self.cell, self.name, (shape[0],) + shape[2:])
        super().build(input_shape)
        if self.stateful:
            self.reset_states()

    # --- the call --------------------------------------------------------------------------------------------------
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """As Keras's ``RNN.__call__``: initial states given in a list with the inputs or as ``initial_state``;
        symbolic ones become inputs of the layer's node."""
        initial_state = kwargs.pop("initial_state", None)
        if isinstance(inputs, list) and len(inputs) > 1 and initial_state is None:
            inputs, initial_state = inputs[0], list(inputs[1:])
        elif isinstance(inputs, list) and len(inputs) == 1:
            inputs = inputs[0]
        if initial_state is None:
            return super().__call__(inputs, *args, **kwargs)
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        symbolic = [isinstance(s, KerasTensor) for s in initial_state]
        if any(symbolic) and not all(symbolic) or any(symbolic) != isinstance(inputs, KerasTensor):
            raise ValueError(
                "The initial state or constants of an RNN layer cannot be specified via a mix of "
                'TF-Keras tensors and non-Keras tensors (a "Keras tensor" is a tensor that was returned by '
                "a TF-Keras layer  or by `Input` during Functional model construction). Received: "
                f"initial_state={initial_state}, constants=None"
            )
        if not any(symbolic):
            return super().__call__(inputs, *args, initial_state=list(initial_state), **kwargs)
        own = list(self.input_spec) if self.built and self.input_spec else [None]
        self.input_spec = own + [None] * len(initial_state)
        try:
            return super().__call__([inputs, *initial_state], *args, **kwargs)
        finally:
            self.input_spec = list(self.input_spec)[: len(self.input_spec) - len(initial_state)]

    def _process_inputs(self, inputs: Any, initial_state: Any) -> tuple[Tensor, list[Tensor]]:
        if isinstance(inputs, (list, tuple)):
            if len(inputs) > 1:
                initial_state = list(inputs[1:])
            inputs = inputs[0]
        inputs = ops.convert_to_tensor(inputs)
        if initial_state is not None and not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        if self.stateful:
            if self._states is None:
                self.reset_states()
            carried = [Tensor(s) for s in self._states or []]
            if initial_state is not None and not any(np.any(s) for s in self._states or []):
                carried = [ops.convert_to_tensor(s) for s in initial_state]
            initial_state = carried
        elif initial_state is None:
            initial_state = self.get_initial_state(inputs)
        else:
            initial_state = [ops.convert_to_tensor(s) for s in initial_state]
        if len(initial_state) != len(state_sizes(self.cell)):
            raise ValueError(
                f"Layer has {len(state_sizes(self.cell))} states but was passed {len(initial_state)} "
                f"initial states. Received: initial_state={initial_state}"
            )
        return inputs, list(initial_state)

    def get_initial_state(self, inputs: Any) -> list[Tensor]:
        batch = inputs.shape[0]
        get = getattr(self.cell, "get_initial_state", None)
        if get is not None:
            state = get(inputs=None, batch_size=batch, dtype=inputs.dtype)
        else:
            state = [np.zeros((batch, size), inputs.dtype) for size in state_sizes(self.cell)]
        state = list(state) if isinstance(state, (list, tuple)) else [state]
        return [ops.convert_to_tensor(s) for s in state]

    def call(
        self,
        inputs: Any,
        mask: Any = None,
        training: Any = None,
        initial_state: Any = None,
    ) -> Any:
        inputs, initial_state = self._process_inputs(inputs, initial_state)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        mask = None if mask is None else np.asarray(ops.to_numpy(mask)).astype(bool)
        for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
            if hasattr(self.cell, reset):
                getattr(self.cell, reset)()
        want_states = self.return_state or self.stateful
        fused = getattr(self.cell, "_sequence", None)
        result = None
        if fused is not None:
            result = fused(
                inputs,
                initial_state,
                mask=mask,
                training=training,
                go_backwards=self.go_backwards,
                zero_output_for_mask=self.zero_output_for_mask,
                sequences=self.return_sequences,
                states=want_states,
                whole_sequence_dropout=self._fused_dropout,
            )
        if result is None:
            result = self._step_by_step(inputs, initial_state, mask, training)
        output, states = result[0], list(result[1:])
        if self.stateful:
            self._states = [np.array(s.value, np.float32) for s in states]
        if self.return_state:
            return [output] + states
        return output

    def _step_by_step(
        self, inputs: Tensor, initial_state: list[Tensor], mask: np.ndarray | None, training: Any
    ) -> list[Tensor]:
        cell_call = self.cell.call
        kwargs = {"training": training} if _accepts(cell_call, "training") else {}

        def step(x: Tensor, states: list[Tensor]) -> Any:
            return cell_call(x, states, **kwargs)

        last, outputs, states = step_loop(
            step, inputs, initial_state, mask, self.go_backwards, self.zero_output_for_mask
        )
        if self.return_sequences:
            output = ops.concat([ops.expand_dims(o, 1) for o in outputs], axis=1)
        else:
            output = last
        return [output] + list(states)

    # --- serialization ---------------------------------------------------------------------------------------------
    def _rnn_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "time_major": self.time_major,
        }
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = self.zero_output_for_mask
        return config

    def get_config(self) -> dict[str, Any]:
        return {**self._rnn_config(), "cell": serialization_lib.serialize_keras_object(self.cell)}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> RNN:
        config = dict(config)
        cell = serialization_lib.deserialize_keras_object(
            config.pop("cell"), custom_objects=custom_objects
        )
        return cls(cell, **config)


def _accepts(fn: Any, name: str) -> bool:
    params = inspect.signature(fn).parameters
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
