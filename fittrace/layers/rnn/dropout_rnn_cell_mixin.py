"""The dropout masks of a recurrent cell: made once per layer call and used at every timestep.

Mirrors tf_keras/src/layers/rnn/dropout_rnn_cell_mixin.py: ``get_dropout_mask_for_cell`` and
``get_recurrent_dropout_mask_for_cell`` give ``count`` masks (one per gate) of the shape of the value they drop,
kept until the layer's next call resets them, and None outside training or when the rate is 0. A mask keeps each
value with probability 1 - rate and scales it by 1 / (1 - rate), as ``Dropout`` does; the random numbers come from
``seeding``. Left out: nothing of its behaviour (the random stream is not TensorFlow's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import seeding


def dropout_masks(shape: tuple[int, ...], rate: float, count: int) -> list[np.ndarray]:
    """``count`` dropout masks of ``shape`` at ``rate`` (kept values scaled by 1 / (1 - rate))."""
    rng = seeding.generator()
    scale = np.float32(1.0 / (1.0 - rate)) if rate < 1 else np.float32(0)
    return [
        (rng.random(shape, dtype=np.float32) >= rate).astype(np.float32) * scale
        for _ in range(count)
    ]


class DropoutRNNCellMixin:
    """The masks a cell with ``dropout`` and ``recurrent_dropout`` uses during one call of its layer."""

    dropout: float = 0.0
    recurrent_dropout: float = 0.0

    def reset_dropout_mask(self) -> None:
        self.__dict__["_dropout_mask"] = None

    def reset_recurrent_dropout_mask(self) -> None:
        self.__dict__["_recurrent_dropout_mask"] = None

    def _mask(self, key: str, rate: float, inputs: Any, training: Any, count: int) -> Any:
        if rate == 0 or not training:
            return None
        cached = self.__dict__.get(key)
        if cached is None or len(cached) != count or cached[0].shape != tuple(inputs.shape):
            cached = self.__dict__[key] = dropout_masks(tuple(inputs.shape), rate, count)
        return cached

    def get_dropout_mask_for_cell(self, inputs: Any, training: Any, count: int = 1) -> Any:
        """The input masks (a list of ``count``, or one when ``count`` is 1), or None."""
        masks = self._mask("_dropout_mask", self.dropout, inputs, training, count)
        return masks[0] if masks is not None and count == 1 else masks

    def get_recurrent_dropout_mask_for_cell(
        self, inputs: Any, training: Any, count: int = 1
    ) -> Any:
        """The state masks (a list of ``count``, or one when ``count`` is 1), or None."""
        masks = self._mask(
            "_recurrent_dropout_mask", self.recurrent_dropout, inputs, training, count
        )
        return masks[0] if masks is not None and count == 1 else masks
