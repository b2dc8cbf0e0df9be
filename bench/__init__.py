"""Benchmarks, kept apart from the tests; run from the repository root as ``python -m bench.<module>``."""
