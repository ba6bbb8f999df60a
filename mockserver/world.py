"""Worlds: full, independent copies of every family's state, each with its own clock and ids."""

from typing import TYPE_CHECKING, Any

import yaml

from mockserver.clock import Clock, SystemClock
from mockserver.config import Config
from mockserver.ids import Ids
from mockserver.resources import fixtures_dir
from mockserver.store import MemoryStore, Store

if TYPE_CHECKING:
    from mockserver.families import ApiFamily


def load_scenario(name: str) -> dict[str, Any]:
    path = fixtures_dir() / "scenarios" / f"{name}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no scenario {name!r} (looked for {path})")
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


class World:
    def __init__(
        self,
        name: str,
        config: Config,
        families: "list[ApiFamily]",
        scenario: dict[str, Any],
        *,
        clock: Clock | None = None,
        ids: Ids | None = None,
        store: Store | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.clock = clock or SystemClock()
        self.ids = ids or Ids()
        self.store = store or MemoryStore()
        self._families = families
        self._scenario = scenario
        self.backends: dict[str, Any] = {}
        self.reset()

    def reset(self) -> None:
        """Forget everything and seed again from the world's scenario."""
        self.store.clear()
        self.backends = {
            family.name: family.create_backend(self, self._scenario.get(family.name, {}))
            for family in self._families
        }

    def backend(self, family: str) -> Any:
        return self.backends[family]
