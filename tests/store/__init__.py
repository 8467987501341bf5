"""inspector.store: the crash-safe journal store, its locking and what counts as damage."""
