"""inspector.crypto: canonical JSON, Ed25519 signing and the unsafe-key screen, key files."""
