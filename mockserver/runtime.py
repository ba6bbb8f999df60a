"""The running mock: its configuration, its API families and its worlds."""

from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.families import ApiFamily
from mockserver.ids import Ids
from mockserver.world import World, load_scenario

DEFAULT_WORLD = "default"


class Mock:
    def __init__(
        self, config: Config, families: list[ApiFamily], *, clock: Clock | None = None
    ) -> None:
        self.config = config
        self.families = families
        self._clock = clock
        self._scenario = load_scenario(config.scenario)
        self.worlds: dict[str, World] = {}
        self.world(DEFAULT_WORLD)

    def world(self, name: str = DEFAULT_WORLD) -> World:
        """The named world, created from the startup scenario on first use."""
        if name not in self.worlds:
            self.worlds[name] = World(
                name,
                self.config,
                self.families,
                self._scenario,
                clock=self._clock,
                ids=Ids(self.config.seed),
            )
        return self.worlds[name]

    def family_for_path(self, path: str) -> ApiFamily | None:
        for family in self.families:
            if path.startswith(family.prefixes):
                return family
        return None
