"""inspector.trust: trust lists, revocation lists, pinning and authorisation."""
