"""What every Huawei Cloud family shares: IAM's identities admit its requests, and the API
gateway (APIG) answers the failures that never reach the service."""

import json
from abc import abstractmethod
from typing import Any

from connexion.lifecycle import ConnexionRequest, ConnexionResponse

from mockserver.families import ApiFamily, Failure
from mockserver.huawei import auth
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
        return ConnexionResponse(
            status_code=status, content_type="application/json", body=json.dumps(body)
        )

    @abstractmethod
    def service_error(self, failure: Failure) -> tuple[int, dict[str, Any]]:
        """The service's own status and body for a failure the gateway lets through."""
