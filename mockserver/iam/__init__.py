"""Huawei Cloud IAM: the password-token call, and the identities every Huawei family checks."""

import json
from typing import Any

from connexion.lifecycle import ConnexionRequest, ConnexionResponse

from mockserver.families import ApiFamily, Failure
from mockserver.huawei.gateway import gateway_response
from mockserver.huawei.identity import Identity
from mockserver.iam.responses import IamResponses, error_body
from mockserver.runtime import Mock
from mockserver.world import World


def seed(identity: Identity, data: dict[str, Any]) -> None:
    """Domains, users, projects, access keys and fixed tokens from a scenario's `iam` part."""
    for domain in data.get("domains", []):
        identity.add_domain(domain["id"], domain["name"])
    for user in data.get("users", []):
        identity.add_user(user["id"], user["name"], user["domain_id"], user["password"])
    for project in data.get("projects", []):
        identity.add_project(project["id"], project["name"], project["domain_id"])
    for key in data.get("access_keys", []):
        identity.add_access_key(key["access"], key["secret"], key["user_id"])
    for token in data.get("tokens", []):
        identity.add_token(token["token"], token["user_id"], token.get("project_id"))


class IamFamily(ApiFamily):
    name = "iam"
    spec_file = "huawei-iam-tokens.yaml"
    base_path = "/v3"
    prefixes = ("/v3/",)

    def create_backend(self, world: World, data: dict[str, Any]) -> Identity:
        settings = world.config.huawei
        identity = Identity(
            world.store,
            world.clock,
            world.ids,
            skew_s=settings.signature_skew_s,
            token_lifetime_s=settings.token_lifetime_s,
        )
        seed(identity, data)
        return identity

    def responses(self, mock: Mock) -> IamResponses:
        return IamResponses(mock)

    async def error_response(
        self, mock: Mock, request: ConnexionRequest, failure: Failure
    ) -> ConnexionResponse:
        gateway = gateway_response(failure)
        if gateway is not None:
            return gateway
        status = 500 if failure.reason == "internal" else 400
        return ConnexionResponse(
            status_code=status,
            content_type="application/json",
            body=json.dumps(error_body(status, failure.detail)),
        )
