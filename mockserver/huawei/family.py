"""What every Huawei Cloud family shares: IAM's identities admit its requests, and the API
gateway (APIG) answers the failures that never reach the service."""

import json
from abc import abstractmethod
from typing import Any

from connexion.lifecycle import ConnexionRequest, ConnexionResponse

from mockserver.families import ApiFamily, Failure
from mockserver.huawei import auth, signing
from mockserver.huawei.gateway import gateway_response
from mockserver.runtime import Mock


class HuaweiFamily(ApiFamily):
    # connexion's validator_map for the family's API, when it needs its own validators.
    validators: dict | None = None

    def api_options(self, mock: Mock) -> dict[str, Any]:
        options: dict[str, Any] = {
            "security_map": auth.security_map(lambda: mock.world().backend("iam"))
        }
        if self.validators is not None:
            options["validator_map"] = self.validators
        return options

    async def error_response(
        self, mock: Mock, request: ConnexionRequest, failure: Failure
    ) -> ConnexionResponse:
        gateway = gateway_response(failure)
        if gateway is not None:
            return gateway
        status, body = self.service_error(failure)
        if failure.reason == "internal" and failure.status >= 500:
            status = failure.status  # a 502, 503 or 504 (forced by a fault) stays what it is
        return ConnexionResponse(
            status_code=status, content_type="application/json", body=json.dumps(body)
        )

    def persona(self, mock: Mock, headers: Any, body: bytes | None = None) -> str | None:
        """The IAM user name of the X-Auth-Token, or of the access key of an SDK-HMAC-SHA256
        Authorization; for a password-token call, the user name of its body."""
        try:
            identity = mock.world().backends.get("iam")
            if identity is None:
                return None
            user_id = None
            token = identity.tokens.get(headers.get("x-auth-token") or "")
            if token is not None:
                user_id = token["user_id"]
            elif (headers.get("authorization") or "").startswith(signing.ALGORITHM):
                access = signing.parse_authorization(headers["authorization"]).access
                key = identity.access_keys.get(access)
                user_id = key["user_id"] if key else None
            if user_id is not None:
                user = identity.users.get(user_id)
                return user["name"] if user else None
            if body:
                user = json.loads(body)["auth"]["identity"]["password"]["user"]
                return user["name"] if isinstance(user.get("name"), str) else None
        except Exception:
            return None
        return None

    @abstractmethod
    def service_error(self, failure: Failure) -> tuple[int, dict[str, Any]]:
        """The service's own status and body for a failure the gateway lets through."""
