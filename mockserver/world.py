"""Worlds: full, independent copies of every family's state, each with its own clock, ids,
progressions, fault rules and journal."""

import copy
import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mockserver.clock import Clock, WorldClock
from mockserver.config import Config
from mockserver.faults import FaultRules
from mockserver.ids import Ids
from mockserver.journal import Journal
from mockserver.progression import Progressions
from mockserver.resources import fixtures_dir
from mockserver.store import MemoryStore, Store

if TYPE_CHECKING:
    from mockserver.families import ApiFamily

WORLD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
STATE_VERSION = 1
FRESH_CLOCK = {"now": 0, "frozen": False, "offset_s": 0.0}


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; the message names the file and the entry."""


class WorldStateError(ValueError):
    """An exported world state that cannot be imported; the message says why."""


def scenarios_dir() -> Path:
    return fixtures_dir() / "scenarios"


def scenario_names() -> list[str]:
    return sorted(path.stem for path in scenarios_dir().glob("*.yaml"))


def load_scenario(name: str) -> dict[str, Any]:
    """The scenario's content, read afresh, so an edited file counts for the next world."""
    if not WORLD_NAME.match(name):
        raise ScenarioError(f"no scenario {name!r}; known: {', '.join(scenario_names())}")
    path = scenarios_dir() / f"{name}.yaml"
    if not path.is_file():
        raise ScenarioError(f"no scenario {name!r}; known: {', '.join(scenario_names())}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ScenarioError(f"scenario {name!r} ({path}): {error}") from error
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario {name!r} ({path}): expected a mapping")
    return data


def instant(value: Any, where: str) -> float:
    """Seconds since the epoch of an ISO-8601 time (UTC when it names no zone)."""
    if isinstance(value, datetime.datetime):  # YAML reads unquoted timestamps itself
        moment = value
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as error:
            raise ScenarioError(f"{where}: expected an ISO-8601 time, got {value!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


class World:
    def __init__(
        self,
        name: str,
        config: Config,
        families: "list[ApiFamily]",
        scenario: str | None = None,
        *,
        clock: Clock | None = None,
        ids: Ids | None = None,
        store: Store | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.scenario = scenario or config.scenario
        self.clock = WorldClock(clock)
        self.ids = ids or Ids(config.seed)
        self.store = store or MemoryStore()
        self.progression = Progressions()
        self.faults = FaultRules(config.seed)
        self.journal = Journal(config.journal_size)
        self._families = families
        self.backends: dict[str, Any] = {}
        self.reset()

    def reset(self, scenario: str | None = None) -> None:
        """Forgets everything and seeds again from the world's scenario, or from `scenario`
        (which then becomes the world's). When the scenario cannot be loaded, the world is left
        as it was and ScenarioError says why."""
        name = scenario or self.scenario
        data = load_scenario(name)
        seed, start = data.get("seed"), data.get("time")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ScenarioError(f"scenario {name!r}: seed: expected an integer, got {seed!r}")
        at = None if start is None else instant(start, f"scenario {name!r}: time")

        before = (self.store, self.backends, self.progression, self.clock.export())
        self.clock.load(FRESH_CLOCK)
        if at is not None:
            self.clock.freeze(at)
        if seed is not None:
            self.ids.reseed(seed)
        self.store = MemoryStore()
        self.backends = {}
        self.progression = Progressions(**vars(self.config.progression))
        try:
            for family in self._families:
                self.backends[family.name] = family.create_backend(
                    self, data.get(family.name) or {}
                )
        except Exception as error:
            self.store, self.backends, self.progression, clock = before
            self.clock.load(clock)
            if not isinstance(error, ScenarioError):
                error = ScenarioError(f"{type(error).__name__}: {error}")
            raise ScenarioError(f"scenario {name!r}: {error}") from error
        self.clock.load(FRESH_CLOCK)
        if seed is not None and self.config.seed is None:
            self.ids.reseed(None)
        self.scenario = name
        self.faults.load({"seed": self.config.seed, "rules": self.config.faults})
        self.journal.clear()

    def backend(self, family: str) -> Any:
        return self.backends[family]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scenario": self.scenario,
            "clock": self.clock_state(),
            "records": sum(self.store.counts().values()),
        }

    def clock_state(self) -> dict[str, Any]:
        now = self.clock.now()
        moment = datetime.datetime.fromtimestamp(now, datetime.UTC)
        return {
            "now": now,
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "frozen": bool(getattr(self.clock, "frozen", False)),
        }

    def export(self) -> dict[str, Any]:
        """Everything needed to bring the world back, as JSON-compatible data."""
        return {
            "version": STATE_VERSION,
            "scenario": self.scenario,
            "store": self.store.export(),
            "clock": self.clock.export(),
            "ids": self.ids.export(),
            "progression": self.progression.export(),
            "faults": self.faults.export(),
        }

    def load(self, state: Any) -> None:
        """Replaces the world's state with an exported one; all or nothing."""
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            raise WorldStateError(f"expected an exported world with version {STATE_VERSION}")
        tables = state.get("store")
        if not isinstance(tables, dict) or not all(
            isinstance(records, dict) and all(isinstance(r, dict) for r in records.values())
            for records in tables.values()
        ):
            raise WorldStateError("store: expected {table: {key: record}}")
        try:
            progression = Progressions()
            progression.update(state.get("progression") or {})
            FaultRules(None).load(state.get("faults") or {"rules": []})
            Ids().load(state.get("ids"))
            if state.get("clock") is not None:
                copy.copy(self.clock).load(state["clock"])
            # The backends are built again (their settings come from the scenario), then the
            # records replace whatever the scenario seeded.
            self.reset(state.get("scenario", self.scenario))
        except (ValueError, TypeError, KeyError) as error:
            raise WorldStateError(str(error)) from error
        if state.get("clock") is not None:
            self.clock.load(state["clock"])
        self.ids.load(state.get("ids"))
        self.progression.update(progression.export())
        self.faults.load(state.get("faults") or {"rules": []})
        self.store.load(tables)
