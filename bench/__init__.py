"""Benchmarks for SPEC section 8: run them all with `python -m bench.run_all`."""
