"""Benchmarks that span layers (they time things, so they stay out of the pure runtime)."""
