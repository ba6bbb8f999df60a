"""Loads the kit's pytest plugin for `pytest conformance`."""

from conformance.plugin import (  # noqa: F401
    pytest_addoption,
    pytest_collection_finish,
    pytest_configure,
    pytest_ignore_collect,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
