"""Handlers of the admin API under /__admin."""

from mockserver import __version__
from mockserver.runtime import Mock


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
