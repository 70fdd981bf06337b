"""fittrace's version, in one place: the package, the trace header and ``fittrace --version`` read it here."""

__version__ = "0.1.0"
