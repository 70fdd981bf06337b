"""The Keras 3 bridge (fittrace/bridge/keras3) on a Keras 3 it does not know the shape of: it hooks what it finds,
lists what it could not find, records the entry call it could hook, and never stops the user's run. (The real
Keras 3.15 runs are in tests/bridge/keras3.)"""

from __future__ import annotations

import sys
import textwrap

import pytest

import fittrace

FILES = {
    "__init__.py": "__version__ = '3.99.0'\n",
    "src/__init__.py": "",
    "src/backend/__init__.py": "def backend():\n    return 'numpy'\n",
    "src/trainers/__init__.py": "",
    "src/trainers/trainer.py": """
        class Trainer:
            def fit(self, x=None, y=None, epochs=1):
                return "base fit"
        """,
    "src/backend/numpy/__init__.py": "",
    "src/backend/numpy/trainer.py": """
        from keras.src.trainers.trainer import Trainer

        class NumpyTrainer(Trainer):
            def fit(self, x=None, y=None, epochs=1):
                if epochs < 0:
                    raise ValueError("epochs must not be negative")
                return "numpy fit"
        """,
}


@pytest.fixture
def odd_keras(tmp_path, monkeypatch):
    """A package called ``keras``, version 3.99, with a trainer and nothing else the bridge looks for."""
    for name, text in FILES.items():
        path = tmp_path / "keras" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "keras" or m.startswith("keras.")]:
        monkeypatch.delitem(sys.modules, name)
    yield
    for name in [m for m in sys.modules if m == "keras" or m.startswith("keras.")]:
        sys.modules.pop(name, None)


def test_an_unknown_keras3_is_recorded_as_far_as_it_goes(odd_keras):
    import keras
    from keras.src.backend.numpy.trainer import NumpyTrainer

    original = NumpyTrainer.fit
    with fittrace.trace() as run:
        assert NumpyTrainer().fit(epochs=2) == "numpy fit"
    entry = run.header["bridge"]["keras"]
    assert entry["framework_version"] == keras.__version__ and entry["backend"] == "numpy"
    assert "error" not in entry and entry["failed"] == {}
    assert "keras.src.trainers.trainer.Trainer.compile" in entry["missing"]
    assert any(m.startswith("keras.src.trainers.epoch_iterator") for m in entry["missing"])
    (fit,) = [e for e in run.events if e.kind == "fit"]
    assert (
        fit.keras == "keras.src.backend.numpy.trainer.NumpyTrainer.fit" and fit.data["epochs"] == 2
    )
    assert run.header["framework"] == "keras" and run.header["backend"] == "numpy"
    assert NumpyTrainer.fit is original


def test_the_user_error_passes_through_and_the_hooks_come_out(odd_keras):
    from keras.src.backend.numpy.trainer import NumpyTrainer

    original = NumpyTrainer.fit
    with pytest.raises(ValueError, match="epochs must not be negative"):
        with fittrace.trace() as run:
            NumpyTrainer().fit(epochs=-1)
    assert NumpyTrainer.fit is original
    (error,) = [e for e in run.events if e.kind == "error"]
    assert error.data["type"] == "ValueError" and error.data["stage"] == "Model.fit"


def test_a_keras_2_called_keras_is_left_alone(tmp_path, monkeypatch):
    (tmp_path / "keras").mkdir()
    (tmp_path / "keras" / "__init__.py").write_text("__version__ = '2.15.0'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    try:
        with fittrace.trace() as run:
            import keras  # noqa: F401
        entry = run.header["bridge"]["keras"]
        assert entry["skipped"] == "not Keras 3" and entry["hooked"] == 0
    finally:
        sys.modules.pop("keras", None)
