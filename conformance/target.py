"""What the kit checks: the mock, in-process (no socket), or a deployment at a URL.

Each API is loaded from the same spec the mock serves. A URL target gets each API under its
base path (`https://osm.example.com` → `https://osm.example.com/v2/servicerequest`).
"""

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import schemathesis

from mockserver.app import build_mock, create_app
from mockserver.config import Config
from mockserver.resources import specs_dir
from mockserver.runtime import Mock

# The spec and base path of each API.
APIS: dict[str, tuple[str, str]] = {
    "zstack": ("zstack-tickets.yaml", "/zstack/v1"),
    "coc": ("huawei-coc-tickets.yaml", ""),
    "osm": ("huawei-osm-cases.yaml", "/v2/servicerequest"),
    "iam": ("huawei-iam-tokens.yaml", "/v3"),
}

MockFactory = Callable[[Config], tuple[Mock, Any]]


def default_mock(config: Config) -> tuple[Mock, Any]:
    """The mock as `ticketkit serve` runs it: every API family, the default scenario."""
    mock = build_mock(config)
    return mock, create_app(mock)


def load_factory(reference: str) -> MockFactory:
    """`package.module:function`, a function of a Config returning (mock, ASGI app)."""
    module_name, _, attribute = reference.partition(":")
    if not attribute:
        raise ValueError(f"--mock-app {reference!r}: expected module:function")
    if "" not in sys.path:
        sys.path.insert(0, "")
    return getattr(importlib.import_module(module_name), attribute)


class Target:
    """A target and the schemas of its APIs."""

    def __init__(
        self,
        location: str,
        *,
        mock_config: Path | None = None,
        mock_factory: MockFactory = default_mock,
        iam_url: str | None = None,
    ) -> None:
        self.location = location
        self.mock: Mock | None = None
        self.app: Any = None
        self.iam_url = iam_url
        if location == "mock":
            config = Config.from_file(mock_config) if mock_config else Config()
            self.mock, self.app = mock_factory(config)
        elif not location.startswith(("http://", "https://")):
            raise ValueError(f"--target {location!r}: expected mock or an http(s) URL")

    @property
    def is_mock(self) -> bool:
        return self.mock is not None

    def schema(self, api: str, *, base_url: str | None = None) -> Any:
        spec, base_path = APIS[api]
        if self.app is not None:
            return schemathesis.openapi.from_asgi(f"{base_path}/openapi.json", self.app)
        schema = schemathesis.openapi.from_path(specs_dir() / spec)
        schema.config.update(base_url=(base_url or self.location).rstrip("/") + base_path)
        return schema

    def iam_schema(self) -> Any:
        """IAM, where Huawei password logins get their token."""
        return self.schema("iam", base_url=self.iam_url)

    def reset(self) -> None:
        """Back to the mock's startup state (only the mock can be reset)."""
        if self.mock is not None:
            self.mock.world().reset()
