"""``fittrace.keras.layers``: the layers fittrace implements (as ``tensorflow.keras.layers``)."""
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.convolutional import (AveragePooling2D, AvgPool2D, Conv2D, GlobalAveragePooling2D,
                                           GlobalAvgPool2D, GlobalMaxPool2D, GlobalMaxPooling2D, MaxPool2D,
                                           MaxPooling2D)
from fittrace.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from fittrace.layers.normalization import BatchNormalization

__all__ = ["Layer", "InputSpec", "Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Reshape",
           "BatchNormalization", "Conv2D", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D",
           "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPooling2D", "GlobalMaxPool2D"]
