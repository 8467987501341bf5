"""The auditor's terminal app (Textual): a thin shell over the core services."""
