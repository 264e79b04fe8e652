"""Operator commands that work the same against AWS and against the local runtime's moto."""

import local  # noqa: F401 - puts functions/ on the import path, so chalicelib imports as in Lambda
