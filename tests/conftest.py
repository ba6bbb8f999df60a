import asyncio
from collections.abc import Iterator

import httpx
import pytest

from mockserver.app import create_app
from mockserver.clock import FrozenClock
from mockserver.config import Config
from mockserver.runtime import Mock
from mockserver.zstack import ZStackFamily

# 2026-01-15 10:00:00 UTC: a fixed "now" for worlds under test
T0 = 1_768_471_200.0
ADMIN_SESSION = "b86c9016b4f24953a9edefb53ca0678c"
ADMIN_AUTH = {"Authorization": f"OAuth {ADMIN_SESSION}"}



def make_mock(config: Config | None = None, **family_options) -> Mock:
    return Mock(
        config or Config(seed=7),
        [ZStackFamily(**family_options)],
        clock=FrozenClock(T0),
    )


@pytest.fixture
def mock() -> Mock:
    return make_mock()


class Client:
    """A synchronous face on an in-process app (no socket), for readable tests."""

    def __init__(self, mock: Mock) -> None:
        self.mock = mock
        self.app = create_app(mock)
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://localhost:8080"
        )

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        return self._loop.run_until_complete(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def run(self, coroutine):
        return self._loop.run_until_complete(coroutine)

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


@pytest.fixture
def client(mock: Mock) -> Iterator[Client]:
    c = Client(mock)
    yield c
    c.close()
