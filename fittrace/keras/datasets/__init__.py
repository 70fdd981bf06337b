"""``fittrace.keras.datasets``: ``mnist`` (the real one) and ``synthetic_digits`` (embedded, no download)."""

from fittrace.keras.datasets import mnist, synthetic_digits

__all__ = ["mnist", "synthetic_digits"]
