"""The layers, in the groups tf-keras files them under (tf_keras/src/layers/): ``core/``, ``convolutional/``,
``pooling/``, ``normalization/``, ``reshaping/``, ``regularization/``, ``merging/``, ``rnn/``. The merge layers'
lowercase functional forms (``add``, ``concatenate``, ``dot``...) come from their modules, as tf-keras exports them.
Each layer is a ``Layer`` of the engine (``engine/base_layer.py``); ``InputLayer`` and ``Input`` live in
``engine/input_layer.py``, as in tf-keras. ``serialization.py`` is ``layers.serialize`` / ``layers.deserialize``
(it alone knows the models too, as tf-keras's does; this package does not import it).
May import the engine's Layer, InputSpec and InputLayer, the autodiff, activations, initializers,
regularizers, ``saving``, ``seeding`` and ``utils``; never the model (but ``serialization.py``), tracing's files,
analysis or rendering.
"""

from __future__ import annotations

from fittrace.engine.base_layer import Layer
from fittrace.engine.input_layer import Input, InputLayer
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from fittrace.layers.convolutional import (
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Convolution1D,
    Convolution2DTranspose,
    SeparableConv2D,
    SeparableConvolution2D,
)
from fittrace.layers.core import Activation, Dense, EinsumDense, Embedding, Lambda, Masking
from fittrace.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from fittrace.layers.merging.add import add
from fittrace.layers.merging.average import average
from fittrace.layers.merging.concatenate import concatenate
from fittrace.layers.merging.dot import dot
from fittrace.layers.merging.maximum import maximum
from fittrace.layers.merging.minimum import minimum
from fittrace.layers.merging.multiply import multiply
from fittrace.layers.merging.subtract import subtract
from fittrace.layers.normalization import BatchNormalization, LayerNormalization
from fittrace.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AvgPool1D,
    AvgPool2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool1D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)
from fittrace.layers.preprocessing import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    Hashing,
    IntegerLookup,
    Normalization,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
    StringLookup,
    TextVectorization,
)
from fittrace.layers.regularization import Dropout
from fittrace.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Flatten,
    Reshape,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from fittrace.layers.rnn import (
    GRU,
    LSTM,
    RNN,
    AbstractRNNCell,
    Bidirectional,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    TimeDistributed,
)

__all__ = [
    "Layer",
    "InputSpec",
    "InputLayer",
    "Input",
    "Dense",
    "EinsumDense",
    "Activation",
    "Conv1D",
    "Convolution1D",
    "Embedding",
    "Masking",
    "TimeDistributed",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution2DTranspose",
    "SeparableConv2D",
    "SeparableConvolution2D",
    "MaxPooling1D",
    "MaxPool1D",
    "AveragePooling1D",
    "AvgPool1D",
    "GlobalAveragePooling1D",
    "GlobalAvgPool1D",
    "GlobalMaxPooling1D",
    "GlobalMaxPool1D",
    "MaxPooling2D",
    "MaxPool2D",
    "AveragePooling2D",
    "AvgPool2D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPooling2D",
    "GlobalMaxPool2D",
    "BatchNormalization",
    "LayerNormalization",
    "Flatten",
    "Reshape",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Dropout",
    "Rescaling",
    "Resizing",
    "CenterCrop",
    "RandomFlip",
    "RandomTranslation",
    "RandomRotation",
    "RandomZoom",
    "RandomContrast",
    "Lambda",
    "AbstractRNNCell",
    "RNN",
    "SimpleRNN",
    "SimpleRNNCell",
    "LSTM",
    "LSTMCell",
    "GRU",
    "GRUCell",
    "Bidirectional",
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "TextVectorization",
    "StringLookup",
    "IntegerLookup",
    "CategoryEncoding",
    "Normalization",
    "Discretization",
    "Hashing",
    "Attention",
    "AdditiveAttention",
    "MultiHeadAttention",
    "add",
    "subtract",
    "multiply",
    "average",
    "maximum",
    "minimum",
    "concatenate",
    "dot",
]
