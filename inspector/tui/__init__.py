"""The auditor's terminal app (Textual). Importing it makes Rich measure Hindi as terminals draw
it (:mod:`inspector.tui.cells`), before any screen is laid out."""

from inspector.tui.cells import agree_with_terminal

agree_with_terminal()
