"""Validation of data packages: structure (frictionless) and meaning (expectation suites)."""
