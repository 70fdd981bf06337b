"""What the optimizer tests do by hand (imported as ``optimizer_steps``: pyproject puts tests/ on the path)."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import Variable

GRADS = (0.5, -0.25, 0.125)


def variable(values, name="w"):
    """A float32 variable holding ``values``."""
    return Variable(np.array(values, dtype="float32"), name=name)


def three_updates(opt, start=1.0):
    """One weight at ``start``, updated by ``opt`` with each of ``GRADS`` in turn; its final value."""
    w = variable([start])
    for g in GRADS:
        opt.apply_gradients([(np.array([g], "float32"), w)])
    return float(w.numpy()[0])
