"""Benchmarks: a dataset generator and the figures of DESIGN.md's Performance budgets.

Run `python -m bench --help`; see bench/README.md."""
