"""The merge layers (tf_keras/src/layers/merging/): one output from a list of inputs. ``base_merge.py`` holds
``_Merge``, the elementwise base (shape checks, broadcasting, inputs of different rank); ``add.py``,
``subtract.py``, ``multiply.py``, ``average.py``, ``maximum.py`` and ``minimum.py`` are its elementwise layers;
``concatenate.py`` and ``dot.py`` keep ``_Merge``'s call but check shapes their own way. Each module also holds
the layer's lowercase functional form (``add(inputs)`` makes an ``Add`` and calls it); ``fittrace.layers``
exports those. May import the engine's Layer and the autodiff.
"""

from __future__ import annotations

from fittrace.layers.merging.add import Add
from fittrace.layers.merging.average import Average
from fittrace.layers.merging.concatenate import Concatenate
from fittrace.layers.merging.dot import Dot
from fittrace.layers.merging.maximum import Maximum
from fittrace.layers.merging.minimum import Minimum
from fittrace.layers.merging.multiply import Multiply
from fittrace.layers.merging.subtract import Subtract

__all__ = [
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
]
