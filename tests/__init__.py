"""Station Inspector's test suite: one folder per package of inspector/, shared helpers in tests/helpers.py."""
