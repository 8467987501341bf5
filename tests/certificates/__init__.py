"""inspector.certificates: PSC1 payloads, QR codes, issuing and verifying certificates."""
