"""Learning-rate schedules (tf_keras/src/optimizers/schedules/): ``learning_rate_schedule.py``, with
``serialize`` and ``deserialize``. May import the autodiff and ``saving`` only.
"""

from fittrace.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    serialize,
)

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "serialize",
    "deserialize",
]
