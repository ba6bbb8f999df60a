"""Huawei Cloud OSM service tickets (cases), served under /v2/servicerequest."""

from typing import Any

from mockserver.families import Failure
from mockserver.huawei import personas
from mockserver.huawei.family import HuaweiFamily
from mockserver.osm import catalog, errors, scenario
from mockserver.osm.models import MB, OsmBackend
from mockserver.osm.responses import OsmResponses
from mockserver.osm.validation import VALIDATORS
from mockserver.runtime import Mock
from mockserver.world import World

AUTH_MESSAGE = "The token is missing, invalid or expired."
# A 10 MB accessory as base64 in JSON, with room to spare [mock].
BODY_LIMIT = 16 * MB


class OsmFamily(HuaweiFamily):
    name = "osm"
    spec_file = "huawei-osm-cases.yaml"
    base_path = "/v2/servicerequest"
    prefixes = ("/v2/servicerequest",)
    validators = VALIDATORS

    def create_backend(self, world: World, data: dict[str, Any]) -> OsmBackend:
        backend = OsmBackend(
            world.store,
            world.clock,
            world.ids,
            catalog.load(data.get("catalog", "catalog")),
            engineer=data.get("engineer"),
            privileges=data.get("privileges"),
            privilege_policy=data.get("privilege_policy", False),
            progression=world.progression,
            daily_case_quota=world.config.osm.daily_case_quota,
        )
        if data.get("cases"):
            scenario.seed(backend, data, personas.identity(world, "osm.cases"))
        return backend

    def responses(self, mock: Mock) -> OsmResponses:
        return OsmResponses(mock)

    def body_limit(self, mock: Mock) -> int:
        return BODY_LIMIT

    def service_error(self, failure: Failure) -> tuple[int, dict[str, Any]]:
        if failure.reason in ("unauthenticated", "invalid_credentials"):
            status, code, message = 401, errors.UNAUTHENTICATED, f"{AUTH_MESSAGE} {failure.detail}"
        elif failure.reason == "forbidden":
            status, code, message = 403, errors.FORBIDDEN, failure.detail
        elif failure.reason == "internal":
            status, code, message = 500, errors.INTERNAL, failure.detail
        else:
            status, code, message = 400, errors.BAD_REQUEST, failure.detail
        return status, errors.body(code, message)
