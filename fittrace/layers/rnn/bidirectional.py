"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards, and merges the two.

Mirrors tf_keras/src/layers/rnn/bidirectional.py: the forward layer is rebuilt from the given layer's config and
named ``forward_<name>``, the backward one is the same with ``go_backwards`` flipped (or ``backward_layer``) named
``backward_<name>``; their weights live under the wrapper's name (``bidirectional/forward_lstm/lstm_cell/
kernel:0``), forward first. ``merge_mode`` "concat" (the default), "sum", "mul", "ave" or None (both outputs);
the backward output sequence is reversed back to time order before the merge, and both layers output zeros at
masked steps when they return sequences, as in Keras. Keras's config (``layer``, ``merge_mode``,
``backward_layer`` when given) and argument checks. Left out: ``constants``, initial states given as symbolic
inputs of a functional model (eager ``initial_state`` works), initial ``weights``.
"""

from __future__ import annotations

import copy
from typing import Any

from fittrace import autodiff as ops
from fittrace.engine.base_layer import Layer
from fittrace.layers.rnn.base_rnn import build_scoped
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


@keras_export("keras.layers.Bidirectional")
class Bidirectional(Layer):
    """A recurrent layer run both ways over its input, the two results merged.

    Args:
        layer: a recurrent layer (RNN, LSTM, GRU, SimpleRNN). merge_mode: "concat", "sum", "mul", "ave" or None.
        backward_layer: the layer for the backward direction (default: a copy of ``layer``).
    """

    def __init__(
        self,
        layer: Any,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `tf.keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `tf.keras.layers.Layer` instance. "
                f"Received: {backward_layer}"
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        if weights is not None:
            raise NotImplementedError(
                "fittrace does not take initial weights in the constructor: build the layer, then "
                "call set_weights(weights)."
            )
        super().__init__(**kwargs)
        object.__setattr__(
            self, "layer", layer
        )  # as Keras: the given layer is a template, not a sublayer
        self.forward_layer = _recreate(layer)
        if backward_layer is None:
            self.backward_layer = _recreate(layer, go_backwards=True)
        else:
            self.backward_layer = backward_layer
            self._backward_layer_config = serialization_lib.serialize_keras_object(backward_layer)
        object.__setattr__(self.forward_layer, "name", "forward_" + self.forward_layer.name)
        object.__setattr__(self.backward_layer, "name", "backward_" + self.backward_layer.name)
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value."
                f"forward_layer.go_backwards = {forward.go_backwards},"
                f"backward_layer.go_backwards = {backward.go_backwards}"
            )
        for a in ("stateful", "return_sequences", "return_state"):
            fv, bv = getattr(forward, a), getattr(backward, a)
            if fv != bv:
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for "
                    f'attribute "{a}", got "{fv}" for forward layer and "{bv}" for backward layer'
                )

    def build(self, input_shape: Any) -> None:
        build_scoped(self.forward_layer, self.name, input_shape)
        build_scoped(self.backward_layer, self.name, input_shape)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = self.forward_layer.compute_output_shape(input_shape)
        states: list[tuple] = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            out: Any = tuple(shape[:-1]) + (None if shape[-1] is None else shape[-1] * 2,)
        elif self.merge_mode is None:
            out = [tuple(shape), tuple(shape)]
        else:
            out = tuple(shape)
        if self.return_state:
            return (out if self.merge_mode is None else [out]) + states + list(states)
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask: Any = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            n = len(self.forward_layer.states)
            if isinstance(output_mask, list):
                return output_mask + [None] * n * 2
            return [output_mask] + [None] * n * 2
        return output_mask

    def call(
        self, inputs: Any, training: Any = None, mask: Any = None, initial_state: Any = None
    ) -> Any:
        kwargs: dict[str, Any] = {"training": training, "mask": mask}
        if initial_state is not None:
            half = len(initial_state) // 2
            y = self.forward_layer(inputs, initial_state=initial_state[:half], **kwargs)
            y_rev = self.backward_layer(inputs, initial_state=initial_state[half:], **kwargs)
        else:
            y = self.forward_layer(inputs, **kwargs)
            y_rev = self.backward_layer(inputs, **kwargs)
        states: list[Any] = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.getitem(y_rev, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            output: Any = ops.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = ops.add(y, y_rev)
        elif self.merge_mode == "ave":
            output = ops.divide(ops.add(y, y_rev), 2.0)
        elif self.merge_mode == "mul":
            output = ops.multiply(y, y_rev)
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        initial_state = kwargs.get("initial_state")
        if isinstance(inputs, list):
            if len(inputs) > 1:
                initial_state = list(inputs[1:])
            inputs = inputs[0]
        if initial_state is not None:
            if len(initial_state) % 2:
                raise ValueError(
                    "When passing `initial_state` to a Bidirectional RNN, the state should be a list "
                    f"containing the states of the underlying RNNs. Received: {initial_state}"
                )
            kwargs["initial_state"] = list(initial_state)
        return super().__call__(inputs, *args, **kwargs)

    def reset_states(self, states: Any = None) -> None:
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        if not isinstance(states, (list, tuple)):
            raise ValueError(
                "Unrecognized value for `states`. Expected `states` to be list or tuple. "
                f"Received: {states}"
            )
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "layer": serialization_lib.serialize_keras_object(self.layer),
            "merge_mode": self.merge_mode,
        }
        if hasattr(self, "_backward_layer_config"):
            config["backward_layer"] = self._backward_layer_config
        return config

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Bidirectional:
        config = copy.deepcopy(config)
        config["layer"] = serialization_lib.deserialize_keras_object(
            config["layer"], custom_objects=custom_objects
        )
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = serialization_lib.deserialize_keras_object(
                backward, custom_objects=custom_objects
            )
        return cls(**config)


def _recreate(layer: Layer, go_backwards: bool = False) -> Layer:
    """A new layer from ``layer``'s config (``go_backwards`` flipped when asked)."""
    config = layer.get_config()
    if go_backwards:
        config["go_backwards"] = not config["go_backwards"]
    return type(layer).from_config(config)
