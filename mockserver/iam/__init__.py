"""Huawei Cloud IAM: the password-token call, and the identities every Huawei family checks."""

from typing import Any

from mockserver.families import Failure
from mockserver.huawei.family import HuaweiFamily
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


class IamFamily(HuaweiFamily):
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

    def service_error(self, failure: Failure) -> tuple[int, dict[str, Any]]:
        if failure.reason in ("unauthenticated", "invalid_credentials"):
            status = 401
        elif failure.reason == "internal":
            status = 500
        else:
            status = 400
        return status, error_body(status, failure.detail)
