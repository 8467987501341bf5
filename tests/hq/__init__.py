"""inspector.hq: what HQ does with what laptops send (the bundle import)."""
