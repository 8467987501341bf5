"""The command-line shell. Each command group is one module exposing ``register(subparsers)``.

Modules here import only argparse-level things at import time; the work (and heavy imports such
as Textual, Pillow, fpdf2) happens inside the handlers, so ``inspector verify`` starts fast.
"""
