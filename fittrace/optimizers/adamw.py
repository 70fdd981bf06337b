"""AdamW: Adam with decoupled weight decay.

Mirrors ``keras.optimizers.AdamW`` (tf_keras/src/optimizers/adamw.py): ``weight_decay`` is required (0.004 by
default) and applied by the base class before the update. Left out: sparse updates.
"""

from __future__ import annotations

from typing import Any

from fittrace.optimizers.adam import Adam
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.AdamW", "keras.optimizers.experimental.AdamW")
class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay`` is required: 0.004 by default)."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float | None = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        name: str = "AdamW",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
            name=name,
            weight_decay=weight_decay,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError(
                "Missing value of `weight_decay` which is required and must be a float value."
            )
