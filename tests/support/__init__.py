"""Shared test setup (not tests): the example data, a launched campaign."""
