"""inspector.cli: the command line end to end, and one clear line for every mistake."""
