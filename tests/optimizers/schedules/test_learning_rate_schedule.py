"""Learning-rate schedules: their formulas at chosen steps, in float32, and how an optimizer uses one (the rate
of each update comes from the step count; learning_rate reports the latest). TF-Keras comparison:
tests/test_keras_parity.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fittrace.autodiff import Variable
from fittrace.keras.optimizers import SGD, schedules


@pytest.mark.parametrize(
    "schedule, step, want",
    [
        (schedules.ExponentialDecay(0.1, 10, 0.5), 15, 0.1 * 0.5**1.5),
        (schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True), 15, 0.05),
        (schedules.PiecewiseConstantDecay([3, 9], [1.0, 0.5, 0.1]), 3, 1.0),
        (schedules.PiecewiseConstantDecay([3, 9], [1.0, 0.5, 0.1]), 4, 0.5),
        (schedules.PiecewiseConstantDecay([3, 9], [1.0, 0.5, 0.1]), 10, 0.1),
        (schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0, power=2.0), 5, 0.1 * 0.25),
        (schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0), 50, 0.0),
        (
            schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0, cycle=True),
            15,
            0.1 * (1 - 15 / 20),
        ),
        (schedules.InverseTimeDecay(0.1, 5, 0.5), 10, 0.1 / 2),
        (schedules.InverseTimeDecay(0.1, 5, 0.5, staircase=True), 9, 0.1 / 1.5),
        (schedules.CosineDecay(0.1, 10, alpha=0.2), 5, 0.1 * (0.8 * 0.5 + 0.2)),
        (schedules.CosineDecay(0.1, 10), 30, 0.0),
        (schedules.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4), 2, 0.1),
        (
            schedules.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4),
            9,
            0.2 * 0.5 * (1 + math.cos(math.pi / 2)),
        ),
    ],
)
def test_schedule_values(schedule, step, want):
    got = schedule(step)
    assert isinstance(got, np.float32)
    assert float(got) == pytest.approx(want, rel=1e-6, abs=1e-9)


def test_piecewise_needs_one_value_more_than_boundaries():
    with pytest.raises(
        ValueError, match="The length of boundaries should be 1 less than the length of values"
    ):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])


def test_an_optimizer_takes_each_updates_rate_from_its_step_and_reports_the_latest():
    opt = SGD(learning_rate=schedules.PiecewiseConstantDecay([0], [1.0, 0.1]))
    w = Variable(np.array([0.0], "float32"), name="w")
    assert float(opt.learning_rate) == 1.0  # before any update: the rate for step 0
    opt.apply_gradients([(np.array([1.0], "float32"), w)])  # step 0 at rate 1
    opt.apply_gradients([(np.array([1.0], "float32"), w)])  # step 1 at rate 0.1
    assert float(w.numpy()[0]) == pytest.approx(-1.1)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    assert opt.hyperparameters()["learning_rate"] == pytest.approx(0.1)
    with pytest.raises(TypeError, match="hence its learning rate is not settable"):
        opt.learning_rate = 0.5
    cfg = opt.get_config()["learning_rate"]  # as Keras: the schedule's own config, not the rate
    assert cfg["class_name"] == "PiecewiseConstantDecay" and cfg["config"]["values"] == [1.0, 0.1]
    again = SGD.from_config(opt.get_config())  # the schedule again, from step 0
    assert again.get_config()["learning_rate"] == cfg and float(again.learning_rate) == 1.0


def test_a_function_of_no_arguments_gives_the_initial_rate_and_one_of_the_step_is_a_schedule():
    fixed = SGD(learning_rate=lambda: 0.05)
    assert isinstance(fixed.learning_rate, Variable) and float(fixed.learning_rate) == np.float32(
        0.05
    )
    fixed.learning_rate = 0.01  # settable, as a float rate is
    stepped = SGD(learning_rate=lambda step: 0.1 / (step + 1))
    assert float(stepped.learning_rate) == pytest.approx(0.1)
    with pytest.raises(TypeError, match="not settable"):
        stepped.learning_rate = 0.01


@pytest.mark.parametrize(
    "schedule",
    [
        schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True, name="e"),
        schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]),
        schedules.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0, cycle=True),
        schedules.InverseTimeDecay(0.1, 10, 0.5),
        schedules.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=10),
    ],
    ids=lambda s: type(s).__name__,
)
def test_each_schedule_comes_back_from_its_config_giving_the_same_rates(schedule):
    config = schedules.serialize(schedule)
    assert config["module"] == "keras.optimizers.schedules"
    back = schedules.deserialize(config)
    assert back.get_config() == schedule.get_config()
    assert [back(s) for s in (0, 15, 150)] == [schedule(s) for s in (0, 15, 150)]


def test_a_schedule_without_get_config_cannot_be_saved():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.5**step

    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        Halving().get_config()
