# One command for every gate CI runs: `make check` (inside a venv with `pip install -e '.[dev]'`).
.PHONY: check lint types imports test fast

check: lint imports types test

lint:
	ruff check .
	ruff format --check .

imports:
	lint-imports

types:
	mypy

test:
	pytest -n 2

# The inner loop: everything but the Textual app, the browser and the slow kill/README runs.
fast:
	pytest -n 2 -m "not tui and not browser and not slow"
