"""The ``fittrace`` command line (fittrace's own): ``main.py`` parses the arguments, ``jobs.py`` runs each
command, ``demo.py`` is the demo's model and data. The top of the flow: may import everything; nothing imports it.
"""
