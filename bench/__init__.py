"""Benchmarks: run as modules, e.g. `python -m bench.load --duration 60 --clients 50`."""
