"""Stand-ins shared by several test files (imported as ``fakes``: pyproject puts tests/ on the path).

Each one stands for a part of fittrace that the test around it is not about, never for a real outside component.
"""

from __future__ import annotations

import numpy as np

from fittrace.callbacks import CallbackList


class FakeModel:
    """Just what callbacks touch: stop_training, metrics_names, weights, save and save_weights (both write the
    first weight's values as text, so a test can read back what was saved; ``saved`` lists the paths, and
    ``saved_whole`` the ones ``save`` wrote)."""

    def __init__(self, weights=(0.0,), metrics_names=("loss", "accuracy")):
        self.stop_training = False
        self.metrics_names = list(metrics_names)
        self.weights = [np.array(weights)]
        self.saved = []
        self.saved_whole = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, ws):
        self.weights = [np.array(w) for w in ws]

    def save_weights(self, path, overwrite=True):
        self.saved.append(str(path))
        with open(path, "w") as fh:
            fh.write(str(self.weights[0].tolist()))

    def save(self, path, overwrite=True):
        self.saved_whole.append(str(path))
        self.save_weights(path)


class Ticks:
    """A clock that advances 1000 ns per reading, so every time in a recorded trace is known in advance."""

    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        self.now += 1000
        return self.now


def run_epochs(callback, values, key="val_loss", model=None):
    """Epochs whose logs hold ``values`` in turn; epoch e leaves the weights at [e, e]. Returns the model."""
    model = model or FakeModel()
    cl = CallbackList([callback], model=model)
    cl.on_train_begin()
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]
        cl.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            break
    cl.on_train_end()
    return model
