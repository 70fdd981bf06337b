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


def test_configs_are_keras_and_round_trip_through_serialize():
    opt = optimizers.RMSprop(0.01, rho=0.8, centered=True, clipvalue=0.5)
    config = opt.get_config()
    assert list(config)[:11] == [
        "name", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema", "ema_momentum",
        "ema_overwrite_frequency", "jit_compile", "is_legacy_optimizer", "learning_rate",
    ]  # fmt: skip
    assert (
        config["learning_rate"] == np.float32(0.01) and type(config["learning_rate"]) is np.float32
    )
    assert config["ema_overwrite_frequency"] == 100  # RMSprop's own default in Keras
    back = optimizers.deserialize(optimizers.serialize(opt))
    assert type(back) is optimizers.RMSprop and back.get_config() == config


def test_a_legacy_optimizer_config_gives_the_new_optimizer():
    legacy = {"class_name": "Adam", "config": {"name": "Adam", "lr": 0.1, "decay": 0.0}}
    opt = optimizers.get(legacy)
    assert type(opt) is optimizers.Adam and float(opt.learning_rate) == np.float32(0.1)
    with pytest.raises(NotImplementedError, match="decay=0.5"):
        optimizers.get({"class_name": "SGD", "config": {"decay": 0.5}})


def test_keras_keyword_rules():
    with pytest.raises(ValueError, match="^decay is deprecated in the new TF-Keras optimizer"):
        optimizers.Adam(decay=0.1)
    with pytest.raises(
        TypeError, match="^bogus is not a valid argument, kwargs should be empty  for"
    ):
        optimizers.SGD(bogus=1)
    assert optimizers.SGD(is_legacy_optimizer=False).get_config()["name"] == "SGD"
    with pytest.raises(NotImplementedError, match="use_ema=False"):
        optimizers.SGD(use_ema=True)
