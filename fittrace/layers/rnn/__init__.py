"""The recurrent layers (tf_keras/src/layers/rnn/): ``RNN`` over any cell (``base_rnn.py``), ``SimpleRNN``,
``LSTM`` and ``GRU`` with their cells, the ``Bidirectional`` wrapper, and ``base_wrapper.py``'s ``Wrapper`` (the
base of a layer that wraps another) with its ``TimeDistributed``. The built-in cells run a whole sequence as one op
of ``autodiff/recurrent.py``. May import the engine's Layer and InputSpec, the autodiff, activations,
initializers, regularizers, ``saving``, ``seeding`` and ``utils``.
"""

from __future__ import annotations

from fittrace.layers.rnn.abstract_rnn_cell import AbstractRNNCell
from fittrace.layers.rnn.base_rnn import RNN
from fittrace.layers.rnn.bidirectional import Bidirectional
from fittrace.layers.rnn.gru import GRU, GRUCell
from fittrace.layers.rnn.lstm import LSTM, LSTMCell
from fittrace.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from fittrace.layers.rnn.time_distributed import TimeDistributed

__all__ = [
    "AbstractRNNCell",
    "RNN",
    "SimpleRNN",
    "SimpleRNNCell",
    "LSTM",
    "LSTMCell",
    "GRU",
    "GRUCell",
    "Bidirectional",
    "TimeDistributed",
]
