"""``print_msg``: the one way Keras 2 prints progress and callback messages.

Mirrors tf_keras/src/utils/io_utils.py ``print_msg``: the message goes to the current ``sys.stdout`` and is flushed.
Left out: absl logging when interactive logging is off (everything goes to ``sys.stdout``).

    >>> print_msg("Epoch 1/5")
    Epoch 1/5
"""

from __future__ import annotations

import sys


def print_msg(message: str, line_break: bool = True) -> None:
    """Write ``message`` to the current ``sys.stdout`` and flush (Keras's ``io_utils.print_msg``)."""
    sys.stdout.write(message + "\n" if line_break else message)
    sys.stdout.flush()
