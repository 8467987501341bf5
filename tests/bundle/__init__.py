"""inspector.bundle: export, safe reading and verification of audit bundles."""
