"""Conformance checks of a target (the mock or a real deployment) against the specs."""
