"""Learning-rate schedules (tf_keras/src/optimizers/schedules/): ``learning_rate_schedule.py``. May import the
autodiff and ``saving.legacy`` only.
"""

from fittrace.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
]
