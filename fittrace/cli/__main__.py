"""``python -m fittrace.cli``: the ``fittrace`` command."""

import sys

from fittrace.cli.main import main

sys.exit(main())
