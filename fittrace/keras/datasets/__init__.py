"""``fittrace.keras.datasets``: Keras's dataset loaders (``boston_housing``, ``cifar10``, ``cifar100``,
``fashion_mnist``, ``imdb``, ``mnist``, ``reuters``) reading the files Keras keeps in its cache, and
``synthetic_digits`` (embedded, no download). Only ``mnist`` downloads; the others say which file to put where."""

from fittrace.keras.datasets import (
    boston_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
    synthetic_digits,
)

__all__ = [
    "boston_housing",
    "cifar10",
    "cifar100",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
    "synthetic_digits",
]
