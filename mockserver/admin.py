"""Handlers of the admin API under /__admin (specs/admin.yaml)."""

from mockserver import __version__
from mockserver.faults import FaultError
from mockserver.osm.errors import CaseNotFound, InvalidParameter, OsmError
from mockserver.osm.responses import file_reply
from mockserver.progression import ProgressionError
from mockserver.runtime import DEFAULT_WORLD, Mock
from mockserver.world import ScenarioError, World, WorldStateError, instant, scenario_names

JSON = {"Content-Type": "application/json"}


def _error(status: int, detail: str):
    return {"error": {"status": status, "detail": detail}}, status, JSON


def _no_world(name: str):
    return _error(404, f"no world {name!r}; a world exists once a request has named it")


class AdminResponses:
    def __init__(self, mock: Mock) -> None:
        self._mock = mock

    def _existing(self, name: str) -> World | None:
        return self._mock.worlds.get(name)

    def _changed(self) -> None:
        self._mock.changes += 1

    async def getHealth(self):
        return {
            "status": "ok",
            "version": __version__,
            "apis": [family.name for family in self._mock.families],
            "worlds": len(self._mock.worlds),
        }, 200

    # -- worlds -------------------------------------------------------------------------------

    async def listScenarios(self):
        return {"scenarios": scenario_names()}, 200

    async def listWorlds(self):
        return {"worlds": [world.describe() for world in self._mock.worlds.values()]}, 200

    async def getWorld(self, world: str):
        found = self._existing(world)
        return (found.describe(), 200) if found else _no_world(world)

    async def deleteWorld(self, world: str):
        if not self._mock.forget(world):
            return _no_world(world)
        return None, 204

    async def resetWorld(self, world: str):
        return self._reset(world, None)

    async def loadScenario(self, world: str, body: dict):
        known = scenario_names()
        if body["name"] not in known:
            return _error(404, f"no scenario {body['name']!r}; known: {', '.join(known)}")
        return self._reset(world, body["name"])

    def _reset(self, name: str, scenario: str | None):
        target = self._mock.world(name)
        try:
            target.reset(scenario)
        except ScenarioError as error:
            return _error(400, str(error))
        self._changed()
        return target.describe(), 200

    async def exportWorld(self, world: str):
        found = self._existing(world)
        return (found.export(), 200) if found else _no_world(world)

    async def importWorld(self, world: str, body: dict):
        created = world not in self._mock.worlds
        target = self._mock.world(world)
        try:
            target.load(body)
        except WorldStateError as error:
            if created:
                self._mock.forget(world)
            return _error(400, f"cannot import this state: {error}")
        self._changed()
        return target.describe(), 200

    # -- time and progression -----------------------------------------------------------------

    async def getClock(self, world: str):
        found = self._existing(world)
        return (found.clock_state(), 200) if found else _no_world(world)

    async def setClock(self, world: str, body: dict):
        found = self._mock.world(world)
        at = None
        if "time" in body:
            try:
                at = instant(body["time"], "time")
            except ValueError as error:
                return _error(400, str(error))
        if body.get("frozen") is True:
            found.clock.freeze(at)
        else:
            if at is not None:
                found.clock.set(at)
            if body.get("frozen") is False:
                found.clock.unfreeze()
        self._changed()
        return found.clock_state(), 200

    async def advanceClock(self, world: str, body: dict):
        found = self._mock.world(world)
        found.clock.advance(body["seconds"])
        self._changed()
        return found.clock_state(), 200

    async def getProgression(self, world: str):
        found = self._existing(world)
        return (found.progression.export(), 200) if found else _no_world(world)

    async def setProgression(self, world: str, body: dict):
        found = self._mock.world(world)
        try:
            found.progression.update(body)
        except ProgressionError as error:
            return _error(400, str(error))
        self._changed()
        return found.progression.export(), 200

    # -- faults and journal -------------------------------------------------------------------

    async def getFaults(self, world: str):
        found = self._existing(world)
        return (found.faults.export(), 200) if found else _no_world(world)

    async def setFaults(self, world: str, body: dict):
        target = self._mock.world(world)
        try:
            target.faults.load({"seed": body.get("seed"), "rules": body["rules"]})
        except FaultError as error:
            return _error(400, str(error))
        self._changed()
        return target.faults.export(), 200

    async def clearFaults(self, world: str):
        found = self._existing(world)
        if found is None:
            return _no_world(world)
        found.faults.load({"seed": found.faults.seed, "rules": []})
        self._changed()
        return None, 204

    async def getJournal(
        self,
        world: str,
        path: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        limit: int = 100,
    ):
        found = self._existing(world)
        if found is None:
            return _no_world(world)
        entries = found.journal.entries(path=path, operation=operation, status=status, limit=limit)
        return {"entries": entries}, 200

    async def clearJournal(self, world: str):
        found = self._existing(world)
        if found is None:
            return _no_world(world)
        found.journal.clear()
        return None, 204

    # -- OSM's engineer side ------------------------------------------------------------------

    def _osm(self, world: str):
        backend = self._mock.world(world).backend("osm")
        backend.catch_up()
        return backend

    async def actAsOsmEngineer(self, case_id: str, body: dict, world: str = DEFAULT_WORLD):
        try:
            record = self._osm(world).engineer_act(
                case_id, body["action"], body.get("content", "")
            )
        except CaseNotFound as error:
            return _error(404, error.message)
        except InvalidParameter as error:
            return _error(400, error.message)
        except OsmError as error:
            return _error(409, error.message)
        self._changed()
        return {"incident_id": record["incident_id"], "status": record["status"]}, 200

    async def getOsmAccessoryByUrl(self, key: str, world: str = DEFAULT_WORLD):
        found = self._existing(world)
        backend = found and self._osm(world)
        record = backend and backend.by_access_key(key)
        if not record:
            return _error(404, "no such download link, or it has expired")
        return file_reply(record["accessory_name"], backend.accessory_content(record))


