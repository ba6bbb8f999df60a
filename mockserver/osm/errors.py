"""OSM's error answers: `{error_code, error_msg}`, and the HTTP status each one travels with.

The vendor's current error table sends business errors (`OSM.0101xxxx`) with HTTP 200; its
older pages gave them 4xx statuses. `osm.business_errors` in the configuration picks one:
"http200" (the default, as documented today) or "http4xx" (each error's `legacy_status`).
Request-shape errors never reach the business logic and always answer 400 `OSM.0001`.
"""

from typing import Any

BAD_REQUEST = "OSM.0001"  # 400: the request breaks the spec (JSON, types, required fields)
UNAUTHENTICATED = "OSM.0002"  # 401
FORBIDDEN = "OSM.0003"  # 403
INTERNAL = "OSM.0004"  # 500


def body(code: str, message: str) -> dict[str, Any]:
    return {"error_code": code, "error_msg": message}


class OsmError(Exception):
    """A business error; `legacy_status` is its HTTP status when business errors use 4xx."""

    code = "OSM.01010001"
    legacy_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return body(self.code, self.message)

    def status(self, mode: str) -> int:
        return self.legacy_status if mode == "http4xx" else 200


class InvalidParameter(OsmError):
    code = "OSM.01010001"


class BadRequest(OsmError):
    """A request that breaks the spec, found past connexion's validation: 400 in either mode."""

    code = BAD_REQUEST

    def status(self, mode: str) -> int:
        return 400


class NoPermission(OsmError):
    code = "OSM.01010002"
    legacy_status = 403


class PressedTooOften(OsmError):
    code = "OSM.01010004"


class DailyUploadLimit(OsmError):
    code = "OSM.01010005"


class UnknownSeverity(OsmError):
    code = "OSM.01010006"


class CannotCreateCases(OsmError):
    code = "OSM.01010007"
    legacy_status = 403


class NotAllowedNow(OsmError):
    """The case's status does not allow the operation ("operation failed")."""

    code = "OSM.01010014"
    legacy_status = 403


class CaseNotFound(OsmError):
    code = "OSM.01010015"
    legacy_status = 404


class AccessoryNotFound(OsmError):
    """The vendor has no code of its own for it; the parameter-validation code says it."""

    code = "OSM.01010001"
    legacy_status = 404
