"""Benchmarks: ``python -m bench NAME``. Each prints ratios against a baseline measured in the same run."""
