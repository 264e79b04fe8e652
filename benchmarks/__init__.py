"""Benchmarks: figures, not pass/fail tests. Each prints what the README quotes."""

import local  # noqa: F401 - puts functions/ on the import path, so chalicelib imports as in Lambda
