"""Learning-rate schedules: the learning rate as a function of the optimizer's step.

Mirrors ``keras.optimizers.schedules`` (tf_keras/src/optimizers/schedules/learning_rate_schedule.py):
ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay and CosineDecay (with its warmup),
computed in float32 as Keras computes them. An optimizer given a schedule asks it for the rate of each step with
``iterations`` (0 for the first update) and reports that rate as ``optimizer.learning_rate``. ``get_config``,
``serialize`` and ``deserialize`` are Keras's. Left out: CosineDecayRestarts.

    >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)
    np.float32(0.025)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fittrace.saving import serialization_lib
from fittrace.saving.api_objects import deserialize_from_module
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization

_F = np.float32


class LearningRateSchedule:
    """Base class: a schedule is called with the step and returns the learning rate."""

    def __call__(self, step: Any) -> np.float32:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in order to "
            "be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = "..."
        return f"{type(self).__name__}({args})"


class _TimeDecay(LearningRateSchedule):
    """ExponentialDecay's and InverseTimeDecay's shared arguments and progress ``step / decay_steps``."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str | None = None,
    ) -> None:
        self.initial_learning_rate, self.decay_steps, self.decay_rate = (
            initial_learning_rate,
            decay_steps,
            decay_rate,
        )
        self.staircase, self.name = staircase, name

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }

    def _progress(self, step: Any) -> np.float32:
        p = _F(step) / _F(self.decay_steps)
        return np.floor(p) if self.staircase else p


@keras_export("keras.optimizers.schedules.ExponentialDecay")
class ExponentialDecay(_TimeDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase`` the power is floored."""

    def __call__(self, step: Any) -> np.float32:
        return _F(self.initial_learning_rate) * np.power(_F(self.decay_rate), self._progress(step))


@keras_export("keras.optimizers.schedules.PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including step ``boundaries[0]``, then ``values[1]`` up to ``boundaries[1]``..."""

    def __init__(self, boundaries: list, values: list, name: str | None = None) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                f"{len(values)}."
            )
        self.boundaries, self.values, self.name = boundaries, values, name

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}

    def __call__(self, step: Any) -> np.float32:
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return _F(value)
        return _F(self.values[-1])


@keras_export("keras.optimizers.schedules.PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` down to ``end_learning_rate`` over ``decay_steps``, along ``(1 - t) ** power``;
    with ``cycle`` it starts again, each time over a longer stretch."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str | None = None,
    ) -> None:
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = (
            end_learning_rate,
            power,
            cycle,
            name,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }

    def __call__(self, step: Any) -> np.float32:
        step, decay_steps, end = _F(step), _F(self.decay_steps), _F(self.end_learning_rate)
        if self.cycle:
            decay_steps = decay_steps * (
                _F(1.0) if step == 0 else np.ceil(step / _F(self.decay_steps))
            )
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (_F(self.initial_learning_rate) - end) * np.power(_F(1) - p, _F(self.power)) + end


@keras_export("keras.optimizers.schedules.InverseTimeDecay")
class InverseTimeDecay(_TimeDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; with ``staircase`` the ratio is floored."""

    def __call__(self, step: Any) -> np.float32:
        return _F(self.initial_learning_rate) / (_F(1) + _F(self.decay_rate) * self._progress(step))


@keras_export("keras.optimizers.schedules.CosineDecay", "keras.experimental.CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Half a cosine from the rate down to ``alpha`` times it over ``decay_steps``; with ``warmup_target``, first a
    straight climb from ``initial_learning_rate`` to that target over ``warmup_steps``."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        alpha: float = 0.0,
        name: str | None = None,
        warmup_target: float | None = None,
        warmup_steps: float = 0,
    ) -> None:
        self.initial_learning_rate, self.decay_steps, self.alpha = (
            initial_learning_rate,
            decay_steps,
            alpha,
        )
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }

    def _decay(self, step: np.float32, decay_steps: np.float32, start: np.float32) -> np.float32:
        cosine = _F(0.5) * (_F(1) + np.cos(_F(math.pi) * (step / decay_steps)))
        return start * ((_F(1) - _F(self.alpha)) * cosine + _F(self.alpha))

    def __call__(self, step: Any) -> np.float32:
        initial, decay_steps, step = _F(self.initial_learning_rate), _F(self.decay_steps), _F(step)
        if self.warmup_target is None:
            return self._decay(min(step, decay_steps), decay_steps, initial)
        target, warmup = _F(self.warmup_target), _F(self.warmup_steps)
        step = min(step, decay_steps + warmup)
        if step < warmup:
            return (target - initial) * (step / warmup) + initial
        return self._decay(step - warmup, decay_steps, target)


_MODULE_OBJECTS: dict[str, Any] = {
    c.__name__: c
    for c in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
    )
}


def serialize(learning_rate_schedule: Any, use_legacy_format: bool = False) -> Any:
    """A schedule's config: ``{"module": "keras.optimizers.schedules", "class_name": ..., ...}``."""
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(learning_rate_schedule)
    return serialization_lib.serialize_keras_object(learning_rate_schedule)


def deserialize(
    config: Any, custom_objects: dict[str, Any] | None = None, use_legacy_format: bool = False
) -> Any:
    """The schedule a config describes."""
    return deserialize_from_module(
        config, _MODULE_OBJECTS, custom_objects, "decay", use_legacy_format
    )
