"""Optimizers by name: ``fittrace/optimizers/__init__.py`` (``get``)."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import optimizers
from fittrace.autodiff import Variable


def test_get_identifiers():
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(
        optimizers.get({"class_name": "adam", "config": {"learning_rate": 0.5}}), optimizers.Adam
    )
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Unknown optimizer: 'nope'"):
        optimizers.get("nope")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)


@pytest.mark.parametrize(
    "name, cls, slots",
    [
        ("adagrad", "Adagrad", ["accumulator"]),
        ("Adadelta", "Adadelta", ["accumulated_grad", "accumulated_delta_var"]),
        ("ADAMAX", "Adamax", ["m", "u"]),
        ("nadam", "Nadam", ["m", "v"]),
        ("adamw", "AdamW", ["m", "v"]),
    ],
)
def test_names_resolve_and_slots_are_made_on_the_first_update(name, cls, slots):
    opt = optimizers.get(name)
    assert type(opt).__name__ == cls and opt.name == cls
    assert (
        type(optimizers.get({"class_name": cls, "config": {"learning_rate": 0.5}})).__name__ == cls
    )
    w = Variable(np.zeros(3, "float32"), name="dense/kernel:0")
    assert opt.variables() == []
    opt.apply_gradients([(np.ones(3, "float32"), w)])
    assert [s.name for s in opt.variables()] == [f"{cls}/{s}/dense/kernel:0" for s in slots]
    if cls == "Adagrad":
        assert float(opt.get_slot(w, "accumulator").numpy()[0]) == pytest.approx(1.1)  # 0.1 + 1^2
