"""The officers' phone verifier (inspector/web): shared vectors, the browser tests, the reason codes."""
