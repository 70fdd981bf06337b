"""Wrapper: the base of a layer that wraps another (TimeDistributed; Bidirectional in Keras).

Mirrors tf_keras/src/layers/rnn/base_wrapper.py: the wrapped layer is ``self.layer`` (tracked, so its weights are
the wrapper's), built by the wrapper's ``build`` when it is not built yet; ``get_config`` adds the wrapped layer's
serialization under ``"layer"`` and ``from_config`` rebuilds it first. Left out: nothing of the base.
"""

from __future__ import annotations

import copy
from typing import Any

from fittrace.engine.base_layer import Layer
from fittrace.saving import serialization_lib
from fittrace.saving.legacy.model_config import deserialize_layer


class Wrapper(Layer):
    """Base class of the wrappers: holds ``layer``, builds it, and serializes it inside its own config."""

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to wrapper is not a supported layer type. Please ensure "
                "wrapped layer is a valid TF-Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = (
            layer  # after Layer.__init__, so that the layer is tracked (its weights are ours)
        )

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built:
            self.layer._maybe_build(input_shape)
        super().build(input_shape)

    @property
    def activity_regularizer(self) -> Any:
        return getattr(self.layer, "activity_regularizer", None)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "layer": serialization_lib.serialize_keras_object(self.layer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Layer:
        config = copy.deepcopy(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
