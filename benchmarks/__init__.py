"""Benchmarks: run with `python -m benchmarks` (see README); never part of the test suite."""
