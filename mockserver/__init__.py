"""A stateful contract mock of cloud ticketing APIs."""

__version__ = "0.1.0"
