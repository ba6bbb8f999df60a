"""IAM's HTTP layer: the password-token call of specs/huawei-iam-tokens.yaml."""

import time
from typing import Any

from mockserver.huawei.identity import BadLogin, Identity
from mockserver.runtime import Mock

Reply = tuple[Any, int, dict[str, str]]
TITLES = {400: "Bad Request", 401: "Unauthorized", 500: "Internal Server Error"}
CODES = {400: "IAM.0001", 401: "IAM.0002", 500: "IAM.0003"}  # [mock]


def error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "error": {"code": status, "title": TITLES[status], "message": message},
        "error_code": CODES[status],
        "error_msg": message,
    }


def iso(epoch_seconds: float) -> str:
    millis = int(epoch_seconds * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds)) + f".{millis:03d}000Z"


class IamResponses:
    def __init__(self, mock: Mock) -> None:
        self._mock = mock

    def identity(self) -> Identity:
        return self._mock.world().backend("iam")

    async def keystoneCreateUserTokenByPassword(self, body: dict, nocatalog: str | None = None):
        auth = body["auth"]
        user = auth["identity"]["password"]["user"]
        scope = auth["scope"]
        identity = self.identity()
        try:
            record = identity.issue_token(
                user["domain"]["name"],
                user["name"],
                user["password"],
                scope.get("domain"),
                scope.get("project"),
            )
        except BadLogin as error:
            return error_body(401, str(error)), 401, {"Content-Type": "application/json"}
        domain = identity.domains.get(record["domain_id"])
        user_record = identity.users.get(record["user_id"])
        domain_ref = {"id": domain["id"], "name": domain["name"]}
        token = {
            "expires_at": iso(record["expires_at"]),
            "issued_at": iso(record["issued_at"]),
            "methods": ["password"],
            "catalog": [],
            "domain": domain_ref,
            "roles": [{"id": "0", "name": "te_admin"}],
            "user": {
                "id": user_record["id"],
                "name": user_record["name"],
                "password_expires_at": "",
                "domain": domain_ref,
            },
        }
        if record["project_id"]:
            project = identity.projects.get(record["project_id"])
            token["project"] = {"id": project["id"], "name": project["name"], "domain": domain_ref}
            del token["domain"]
        headers = {"Content-Type": "application/json", "X-Subject-Token": record["token"]}
        return {"token": token}, 201, headers
