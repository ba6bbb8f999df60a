"""Huawei Cloud COC change and issue tickets, served at COC's own paths (/v1/..., /v2/changes)."""

from typing import Any

from mockserver.coc import scenario
from mockserver.coc.errors import PROVIDER_CODE, InternalError, InvalidParameter
from mockserver.coc.models import ATTACHMENT_MAX_BYTES, CocBackend
from mockserver.coc.responses import CocResponses
from mockserver.coc.validation import VALIDATORS
from mockserver.families import Failure
from mockserver.huawei import personas
from mockserver.huawei.family import HuaweiFamily
from mockserver.runtime import Mock
from mockserver.world import World

AUTH_MESSAGE = "Token missing or invalid."
# Room for the multipart framing around a 10 MB attachment.
BODY_LIMIT = ATTACHMENT_MAX_BYTES + 64 * 1024


class CocFamily(HuaweiFamily):
    name = "coc"
    spec_file = "huawei-coc-tickets.yaml"
    base_path = ""
    prefixes = ("/v1/", "/v2/changes")
    validators = VALIDATORS

    def create_backend(self, world: World, data: dict[str, Any]) -> CocBackend:
        backend = CocBackend(world.store, world.clock, world.ids, world.progression)
        if data.get("tickets"):
            scenario.seed(backend, data, personas.identity(world, "coc.tickets"))
        return backend

    def responses(self, mock: Mock) -> CocResponses:
        return CocResponses(mock)

    def body_limit(self, mock: Mock) -> int:
        return BODY_LIMIT

    def service_error(self, failure: Failure) -> tuple[int, dict[str, Any]]:
        if failure.reason in ("unauthenticated", "invalid_credentials", "forbidden"):
            status = 403 if failure.reason == "forbidden" else 401
            body = {
                "provider_code": PROVIDER_CODE,
                "error_code": "common.01010001",
                "error_msg": f"{AUTH_MESSAGE} {failure.detail}",
                "data": None,
            }
        elif failure.reason == "internal":
            status = 500
            body = InternalError(failure.detail).envelope()
        else:
            status = 400
            body = InvalidParameter(f"Invalid parameter: {failure.detail}").envelope()
        return status, body
