"""Station Inspector: offline ISO 9001:2015 audits of police stations.

This package is the Textual-free core; the terminal app lives in ``inspector.tui``.
"""

__version__ = "0.1.0"
