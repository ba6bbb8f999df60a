"""Picks the world a request is served from: the X-Mock-World header, else the ticketkit-world
cookie, else the shared default world. A new name gets a fresh world from the startup scenario.
"""

from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.errors import render_failure
from mockserver.families import Failure
from mockserver.runtime import ADMIN_PATH, DEFAULT_WORLD, Mock
from mockserver.world import WORLD_NAME, ScenarioError

HEADER = "X-Mock-World"
COOKIE = "ticketkit-world"


def requested_world(headers: Headers) -> str | None:
    """The world a request asks for, or None when it names none."""
    name = headers.get(HEADER)
    if name is not None:
        return name.strip()
    cookies = headers.get("cookie")
    if not cookies:
        return None
    try:
        cookie = SimpleCookie(cookies)
    except CookieError:
        return None
    return cookie[COOKIE].value if COOKIE in cookie else None


class WorldSelectionMiddleware:
    def __init__(self, app: ASGIApp, mock: Mock) -> None:
        self.app = app
        self.mock = mock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PATH):
            await self.app(scope, receive, send)
            return
        name = requested_world(Headers(scope=scope)) or DEFAULT_WORLD
        if not WORLD_NAME.match(name):
            await self._refuse(scope, receive, send, Failure(400, "bad_request", _bad_name(name)))
            return
        try:
            self.mock.world(name)
        except ScenarioError as error:  # the scenario file was broken after the start
            failure = Failure(500, "internal", f"world {name!r} cannot be created: {error}")
            await self._refuse(scope, receive, send, failure)
            return
        try:
            with self.mock.serving(name):
                await self.app(scope, receive, send)
        finally:
            self.mock.changes += 1  # any call may change the world (even a job poll)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, failure: Failure) -> None:
        with self.mock.serving(DEFAULT_WORLD):
            response = await render_failure(self.mock, scope, receive, failure)
        await response(scope, receive, send)


def _bad_name(name: str) -> str:
    return (
        f"{HEADER} (or the {COOKIE} cookie) must be 1 to 64 letters, digits, '.', '_' or '-'"
        f" starting with a letter or digit, got {name!r}"
    )
