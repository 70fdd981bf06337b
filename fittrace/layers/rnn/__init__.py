"""The recurrent layers' group (tf_keras/src/layers/rnn/): ``base_wrapper.py`` holds ``Wrapper``, the base of a
layer that wraps another, and ``time_distributed.py`` its ``TimeDistributed``. May import the engine's Layer and
InputSpec, the autodiff, ``saving`` and ``utils``.
"""

from __future__ import annotations

from fittrace.layers.rnn.time_distributed import TimeDistributed

__all__ = ["TimeDistributed"]
