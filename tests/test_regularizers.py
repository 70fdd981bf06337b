"""Regularizers: ``fittrace/regularizers.py``: penalties, float32 factors, configs and lookups as Keras's."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import regularizers


def test_the_penalties():
    w = np.array([1.0, -2.0], dtype="float32")
    assert float(regularizers.L1(0.5)(w).numpy()) == pytest.approx(1.5)
    assert float(regularizers.L2(0.5)(w).numpy()) == pytest.approx(2.5)
    assert float(regularizers.L1L2(0.5, 0.5)(w).numpy()) == pytest.approx(4.0)
    assert float(regularizers.L1L2()(w).numpy()) == 0.0


def test_configs_hold_the_factors_as_float32_gives_them():
    assert regularizers.L1(0.3).get_config() == {"l1": float(np.float32(0.3))}
    assert regularizers.L2().get_config() == {"l2": float(np.float32(0.01))}
    assert regularizers.l1_l2().get_config() == {"l1": float(np.float32(0.01))} | {
        "l2": float(np.float32(0.01))
    }
    assert regularizers.L1(l=0.2).get_config() == {"l1": float(np.float32(0.2))}


def test_names_and_configs_resolve_as_in_keras():
    assert regularizers.get("l1_l2").get_config() == regularizers.l1_l2().get_config()
    assert regularizers.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}
    back = regularizers.get(regularizers.serialize(regularizers.L2(0.5)))
    assert type(back) is regularizers.L2 and back.get_config() == {"l2": 0.5}
    legacy = regularizers.get({"class_name": "L1", "config": {"l1": 0.25}})
    assert legacy.get_config() == {"l1": 0.25}


def test_bad_input_gets_keras_messages():
    with pytest.raises(
        ValueError, match="^Value x is not a valid regularization penalty number, expected"
    ):
        regularizers.L1("x")
    with pytest.raises(ValueError, match="an infinite number or NaN are not valid values"):
        regularizers.L2(float("inf"))
    with pytest.raises(TypeError, match="^Argument\\(s\\) not recognized"):
        regularizers.L2(x=1)
    with pytest.raises(ValueError, match="^Could not interpret regularizer identifier: 3"):
        regularizers.get(3)
    with pytest.raises(NotImplementedError, match="does not implement get_config"):
        regularizers.Regularizer().get_config()
