"""Huawei Cloud identities: domains (accounts), users, projects, access keys and IAM tokens.

One Identity per world serves every Huawei family: IAM issues tokens from it, and COC and OSM
check each request's X-Auth-Token or AK/SK signature against it.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from mockserver.clock import Clock
from mockserver.huawei import signing
from mockserver.ids import Ids
from mockserver.store import Record, Store


class NoCredentials(Exception):
    """The request carries neither X-Auth-Token nor an Authorization header."""


class AuthFailure(Exception):
    """Credentials that do not authenticate the request; the message says why."""


class BadLogin(Exception):
    """A password-token request whose user, password or scope does not check out."""


@dataclass(frozen=True)
class Principal:
    """Who a request runs as, once its credentials check out."""

    domain_id: str
    user_id: str
    user_name: str
    project_id: str | None
    via: str  # "token" or "aksk"


@dataclass(frozen=True)
class SignedRequest:
    """What a signature covers: `headers` keyed by lowercase name, `body` the raw bytes."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    body: bytes


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


class Identity:
    def __init__(
        self, store: Store, clock: Clock, ids: Ids, *, skew_s: int, token_lifetime_s: int
    ) -> None:
        self.domains = store.table("huawei.domains")
        self.users = store.table("huawei.users")
        self.projects = store.table("huawei.projects")
        self.access_keys = store.table("huawei.access_keys")
        self.tokens = store.table("huawei.tokens")
        self.clock = clock
        self.ids = ids
        self.skew_s = skew_s
        self.token_lifetime_s = token_lifetime_s

    # -- seeding ----------------------------------------------------------------------------

    def add_domain(self, domain_id: str, name: str) -> Record:
        record = {"id": domain_id, "name": name}
        self.domains.put(domain_id, record)
        return record

    def add_user(self, user_id: str, name: str, domain_id: str, password: str) -> Record:
        record = {
            "id": user_id,
            "name": name,
            "domain_id": domain_id,
            "password_sha256": password_digest(password),
        }
        self.users.put(user_id, record)
        return record

    def add_project(self, project_id: str, name: str, domain_id: str) -> Record:
        record = {"id": project_id, "name": name, "domain_id": domain_id}
        self.projects.put(project_id, record)
        return record

    def add_access_key(self, access: str, secret: str, user_id: str) -> Record:
        record = {"access": access, "secret": secret, "user_id": user_id}
        self.access_keys.put(access, record)
        return record

    def add_token(
        self,
        token: str,
        user_id: str,
        project_id: str | None = None,
        expires_at: float | None = None,
    ) -> Record:
        user = self.users.get(user_id)
        if user is None:
            raise ValueError(f"no user {user_id!r} for token")
        record = {
            "token": token,
            "user_id": user_id,
            "domain_id": user["domain_id"],
            "project_id": project_id,
            "issued_at": self.clock.now(),
            "expires_at": expires_at,
            "methods": ["token"],
        }
        self.tokens.put(token, record)
        return record

    # -- IAM: tokens by password ------------------------------------------------------------

    def issue_token(
        self,
        domain_name: str,
        user_name: str,
        password: str,
        scope_domain: dict[str, str] | None,
        scope_project: dict[str, str] | None,
    ) -> Record:
        domain = self._find(self.domains.values(), name=domain_name)
        user = domain and self._find(self.users.values(), name=user_name, domain_id=domain["id"])
        if user is None or not hmac.compare_digest(
            user["password_sha256"], password_digest(password)
        ):
            raise BadLogin("The username or password is wrong.")
        project_id = None
        if scope_project is not None:
            project = self._project_in_scope(scope_project, domain["id"])
            if project is None:
                raise BadLogin("The project in the scope does not exist in the user's domain.")
            project_id = project["id"]
        elif scope_domain is not None:
            wanted = scope_domain.get("id") or scope_domain.get("name")
            if wanted not in (domain["id"], domain["name"]):
                raise BadLogin("The user does not belong to the domain in the scope.")
        now = self.clock.now()
        token = "MII" + self.ids.uuid().hex + self.ids.uuid().hex
        record = {
            "token": token,
            "user_id": user["id"],
            "domain_id": domain["id"],
            "project_id": project_id,
            "issued_at": now,
            "expires_at": now + self.token_lifetime_s,
            "methods": ["password"],
        }
        self.tokens.put(token, record)
        return record

    def _project_in_scope(self, scope: dict[str, Any], domain_id: str) -> Record | None:
        if scope.get("id"):
            project = self.projects.get(scope["id"])
            return project if project and project["domain_id"] == domain_id else None
        return self._find(self.projects.values(), name=scope.get("name"), domain_id=domain_id)

    @staticmethod
    def _find(records: Iterable[Record], **match: Any) -> Record | None:
        return next(
            (r for r in records if all(r.get(key) == value for key, value in match.items())),
            None,
        )

    # -- checking requests ------------------------------------------------------------------

    def authenticate(self, request: SignedRequest) -> Principal:
        """The caller of `request`, or AuthFailure / NoCredentials.

        Every credential the request carries must hold: a token and a signature both (as the SDKs
        send when a token is added to a signed request) must be valid and name the same user.
        X-Domain-Id and X-Project-Id, when sent, must belong to the credential.
        """
        headers = request.headers
        found = []
        if headers.get("x-auth-token"):
            found.append(self._by_token(headers["x-auth-token"]))
        if headers.get("authorization"):
            found.append(self._by_signature(request))
        if not found:
            raise NoCredentials("the request carries no X-Auth-Token and no Authorization header")
        if len(found) == 2 and found[0].user_id != found[1].user_id:
            raise AuthFailure("the X-Auth-Token and the signature belong to different users")
        return self._scoped(found[0], headers.get("x-domain-id"), headers.get("x-project-id"))

    def _by_token(self, token: str) -> Principal:
        record = self.tokens.get(token)
        if record is None:
            raise AuthFailure("the X-Auth-Token is not a token this IAM issued")
        if record["expires_at"] is not None and self.clock.now() >= record["expires_at"]:
            raise AuthFailure("the X-Auth-Token has expired")
        user = self.users.get(record["user_id"])
        if user is None:
            raise AuthFailure("the X-Auth-Token belongs to a user who no longer exists")
        return Principal(
            record["domain_id"], user["id"], user["name"], record["project_id"], "token"
        )

    def _by_signature(self, request: SignedRequest) -> Principal:
        headers = request.headers
        try:
            authorization = signing.parse_authorization(headers["authorization"])
            if not headers.get("x-sdk-date"):
                raise signing.MalformedSignature("a signed request needs an X-Sdk-Date header")
            signed_at = signing.parse_sdk_date(headers["x-sdk-date"])
        except signing.MalformedSignature as error:
            raise AuthFailure(str(error)) from error
        if "x-sdk-date" not in authorization.signed_headers:
            raise AuthFailure("SignedHeaders must include x-sdk-date")
        if abs(self.clock.now() - signed_at) > self.skew_s:
            raise AuthFailure(
                f"X-Sdk-Date {headers['x-sdk-date']} is more than {self.skew_s} s from the "
                "server's time"
            )
        key = self.access_keys.get(authorization.access)
        if key is None:
            raise AuthFailure(f"the access key {authorization.access} does not exist")
        expected = signing.signature(
            key["secret"],
            request.method,
            request.path,
            request.query,
            headers,
            authorization.signed_headers,
            request.body,
        )
        if not hmac.compare_digest(expected, authorization.signature.lower()):
            raise AuthFailure("the signature does not match; check the secret key and signing")
        user = self.users.get(key["user_id"])
        if user is None:
            raise AuthFailure(f"the access key {authorization.access} has no user")
        return Principal(user["domain_id"], user["id"], user["name"], None, "aksk")

    def _scoped(
        self, principal: Principal, domain_id: str | None, project_id: str | None
    ) -> Principal:
        if domain_id and domain_id != principal.domain_id:
            raise AuthFailure(f"X-Domain-Id {domain_id} is not the credential's domain")
        if project_id:
            project = self.projects.get(project_id)
            if project is None or project["domain_id"] != principal.domain_id:
                raise AuthFailure(f"X-Project-Id {project_id} is not a project of the domain")
            if principal.project_id and principal.project_id != project_id:
                raise AuthFailure(f"the token is scoped to another project than {project_id}")
            return replace(principal, project_id=project_id)
        return principal
