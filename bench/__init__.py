"""Benchmarks and the demo (run through `make bench` / `make demo`)."""
