"""The running mock: its configuration, its API families and its worlds."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.families import ApiFamily
from mockserver.world import WORLD_NAME, World

DEFAULT_WORLD = "default"
ADMIN_PATH = "/__admin"

# The world of the request being served; set per request by the world selection middleware.
_current: ContextVar[str] = ContextVar("ticketkit_world", default=DEFAULT_WORLD)


def current_world() -> str:
    """The name of the world the current request is served from."""
    return _current.get()


class Mock:
    def __init__(
        self, config: Config, families: list[ApiFamily], *, clock: Clock | None = None
    ) -> None:
        self.config = config
        self.families = families
        self._clock = clock
        self.worlds: dict[str, World] = {}
        # Bumped by every change of any world; the state file is written when it moves.
        self.changes = 0
        self.world(DEFAULT_WORLD)

    def world(self, name: str | None = None) -> World:
        """The named world (by default the current request's), created from the startup
        scenario on first use."""
        name = name or _current.get()
        if name not in self.worlds:
            if not WORLD_NAME.match(name):
                raise ValueError(f"invalid world name {name!r}")
            self.worlds[name] = World(name, self.config, self.families, clock=self._clock)
            self.changes += 1
        return self.worlds[name]

    def forget(self, name: str) -> bool:
        """Deletes a world; the default one is only emptied back to its scenario."""
        if name not in self.worlds:
            return False
        if name == DEFAULT_WORLD:
            self.worlds[name].reset()
        else:
            del self.worlds[name]
        self.changes += 1
        return True

    @contextmanager
    def serving(self, name: str) -> Iterator[World]:
        """Makes `name` the current world for the code inside."""
        world = self.world(name)
        token = _current.set(name)
        try:
            yield world
        finally:
            _current.reset(token)

    def family_for_request(self, scope: dict) -> ApiFamily | None:
        """The vendor API family an HTTP request is for; None for the admin API and others."""
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(ADMIN_PATH):
            return None
        return self.family_for_path(path)

    def family_for_path(self, path: str) -> ApiFamily | None:
        for family in self.families:
            if path.startswith(family.prefixes):
                return family
        return None
