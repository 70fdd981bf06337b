"""``fittrace.keras.layers``: the layers fittrace implements (as ``tensorflow.keras.layers``)."""
from fittrace.layers import (
                             Activation,
                             AveragePooling2D,
                             AvgPool2D,
                             BatchNormalization,
                             Conv2D,
                             Dense,
                             Dropout,
                             Flatten,
                             GlobalAveragePooling2D,
                             GlobalAvgPool2D,
                             GlobalMaxPool2D,
                             GlobalMaxPooling2D,
                             Input,
                             InputLayer,
                             InputSpec,
                             Layer,
                             MaxPool2D,
                             MaxPooling2D,
                             Reshape,
)

__all__ = ["Layer", "InputSpec", "Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Reshape",
           "BatchNormalization", "Conv2D", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D",
           "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPooling2D", "GlobalMaxPool2D"]
