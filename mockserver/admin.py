"""Handlers of the admin API under /__admin."""

from mockserver import __version__
from mockserver.osm.errors import CaseNotFound, InvalidParameter, OsmError
from mockserver.osm.responses import file_reply
from mockserver.runtime import Mock

JSON = {"Content-Type": "application/json"}


def _error(status: int, detail: str):
    return {"error": {"status": status, "detail": detail}}, status, JSON


class AdminResponses:
    def __init__(self, mock: Mock) -> None:
        self._mock = mock

    async def getHealth(self):
        return {
            "status": "ok",
            "version": __version__,
            "apis": [family.name for family in self._mock.families],
            "worlds": len(self._mock.worlds),
        }, 200

    def _osm(self):
        backend = self._mock.world().backend("osm")
        backend.catch_up()
        return backend

    async def actAsOsmEngineer(self, case_id: str, body: dict):
        try:
            record = self._osm().engineer_act(case_id, body["action"], body.get("content", ""))
        except CaseNotFound as error:
            return _error(404, error.message)
        except InvalidParameter as error:
            return _error(400, error.message)
        except OsmError as error:
            return _error(409, error.message)
        return {"incident_id": record["incident_id"], "status": record["status"]}, 200

    async def getOsmAccessoryByUrl(self, key: str):
        backend = self._osm()
        record = backend.by_access_key(key)
        if record is None:
            return _error(404, "no such download link, or it has expired")
        return file_reply(record["accessory_name"], backend.accessory_content(record))
