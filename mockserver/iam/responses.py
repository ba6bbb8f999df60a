"""IAM's HTTP layer: the password-token call of specs/huawei-iam-tokens.yaml."""

import time
from typing import Any

from connexion.context import request

from mockserver.huawei.auth import caller
from mockserver.huawei.identity import BadLogin, Identity
from mockserver.runtime import Mock

Reply = tuple[Any, int, dict[str, str]]
TITLES = {400: "Bad Request", 401: "Unauthorized", 500: "Internal Server Error"}
CODES = {400: "IAM.0001", 401: "IAM.0002", 500: "IAM.0003"}  # [mock]
JSON = {"Content-Type": "application/json"}


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

    async def keystoneListAuthDomains(self, token_info: dict) -> Reply:
        domain = self.identity().domains.get(caller(token_info).domain_id)
        listed = [
            {
                "id": domain["id"],
                "name": domain["name"],
                "enabled": True,
                "description": "",
                "links": {"self": f"{self._base()}/v3/domains/{domain['id']}"},
            }
        ]
        links = {"self": f"{self._base()}/v3/auth/domains"}
        return {"domains": listed, "links": links}, 200, JSON

    async def keystoneListProjects(
        self, token_info: dict, page: int = 1, per_page: int = 5000, **filters: Any
    ) -> Reply:
        domain_id = caller(token_info).domain_id
        base = self._base()
        wanted = {key: filters.get(key) for key in ("domain_id", "name", "parent_id")}
        found = []
        for project in self.identity().projects.values():
            row = {
                "id": project["id"],
                "name": project["name"],
                "domain_id": project["domain_id"],
                "parent_id": project["domain_id"],
                "enabled": True,
                "is_domain": False,
                "description": "",
                "links": {"self": f"{base}/v3/projects/{project['id']}"},
            }
            if project["domain_id"] != domain_id:
                continue
            if any(value is not None and row[key] != value for key, value in wanted.items()):
                continue
            if filters.get("enabled") is False or filters.get("is_domain") is True:
                continue
            found.append(row)
        shown = found[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(found)
        links = {
            "self": f"{base}/v3/projects",
            "previous": f"{base}/v3/projects?page={page - 1}" if page > 1 else None,
            "next": f"{base}/v3/projects?page={page + 1}" if more else None,
        }
        return {"projects": shown, "links": links}, 200, JSON

    @staticmethod
    def _base() -> str:
        return str(request.base_url).rstrip("/")
