"""ZStack's ticket (approval) API family, served under /zstack/v1."""

import json
from typing import Any

import httpx
import yaml
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.uri_parsing import OpenAPIURIParser

from mockserver.errors import MalformedCredentials
from mockserver.families import ApiFamily, Failure
from mockserver.hoisting import ApiKeyCheck
from mockserver.resources import specs_dir
from mockserver.runtime import Mock
from mockserver.world import World
from mockserver.zstack import scenario
from mockserver.zstack.errors import InternalError, InvalidArgument, InvalidSession, ZStackError
from mockserver.zstack.jobs import answers_with_job
from mockserver.zstack.models import ACCOUNT, ZStackBackend
from mockserver.zstack.responses import ZStackResponses
from mockserver.zstack.validation import VALIDATORS
from mockserver.zstack.webhooks import WebHooks


def _async_operations(spec: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if isinstance(operation, dict) and answers_with_job(method, operation)
    )


class ZStackURIParser(OpenAPIURIParser):
    """Keeps each `q` condition whole.

    Connexion joins the repeated values of an exploded array with "," and splits them again on
    ",", which cuts a condition like `uuid?=a,b` (ZStack's "in" list) into two conditions.
    """

    def resolve_params(self, params, _in):
        conditions = params.get("q") if _in == "query" else None
        resolved = super().resolve_params(params, _in)
        if conditions is not None and isinstance(resolved.get("q"), list):
            resolved["q"] = list(conditions)
        return resolved


class ZStackFamily(ApiFamily):
    name = "zstack"
    spec_file = "zstack-tickets.yaml"
    base_path = "/zstack/v1"
    prefixes = ("/zstack/",)

    def __init__(self, webhook_transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._webhook_transport = webhook_transport
        spec = yaml.safe_load((specs_dir() / self.spec_file).read_text(encoding="utf-8"))
        self.async_operations = _async_operations(spec)

    def create_backend(self, world: World, data: dict[str, Any]) -> ZStackBackend:
        backend = ZStackBackend(
            world.store, world.clock, world.ids, world.config.zstack, world.progression
        )
        scenario.seed(backend, data)
        return backend

    def responses(self, mock: Mock) -> ZStackResponses:
        settings = mock.config.zstack
        self._responses = ZStackResponses(
            mock,
            WebHooks(
                settings.webhook_attempts, settings.webhook_interval_s, self._webhook_transport
            ),
        )
        return self._responses

    def api_options(self, mock: Mock) -> dict[str, Any]:
        def check_session(apikey: str, required_scopes=None) -> dict | None:
            scheme, _, session_uuid = apikey.partition(" ")
            if scheme != "OAuth" or not session_uuid or " " in session_uuid:
                raise MalformedCredentials(
                    detail="the Authorization header must be 'OAuth <session uuid>'"
                )
            backend: ZStackBackend = mock.world().backend(self.name)
            return {"sub": session_uuid} if backend.session_valid(session_uuid) else None

        class SessionCheck(ApiKeyCheck):
            def _resolve_func(self, security_scheme):
                return check_session

        return {
            "validator_map": VALIDATORS,
            "security_map": {"apiKey": SessionCheck},
            "uri_parser_class": ZStackURIParser,
        }

    def body_limit(self, mock: Mock) -> int:
        return mock.config.zstack.max_body_bytes

    def persona(self, mock: Mock, headers: Any, body: bytes | None = None) -> str | None:
        """The account or virtual ID name of the session in `Authorization: OAuth <session>`,
        or the name a login's body gives."""
        try:
            backend: ZStackBackend = mock.world().backends.get(self.name)
            if backend is None:
                return None
            scheme, _, session_uuid = (headers.get("authorization") or "").partition(" ")
            session = backend.sessions.get(session_uuid.strip()) if scheme == "OAuth" else None
            if session is not None:
                table = backend.accounts if session["userType"] == ACCOUNT else backend.virtual_ids
                user = table.get(session["userUuid"])
                return user["name"] if user else None
            if body:
                data = json.loads(body)
                account = data.get("logInByAccount") or {}
                virtual_id = data.get("loginIAM2VirtualID") or {}
                name = account.get("accountName") or virtual_id.get("name")
                return name if isinstance(name, str) else None
        except Exception:
            return None
        return None

    async def error_response(
        self, mock: Mock, request: ConnexionRequest, failure: Failure
    ) -> ConnexionResponse:
        operation = request.scope.get("extensions", {}).get("connexion_routing", {})
        is_async = operation.get("operation_id") in self.async_operations
        error: ZStackError | None = None
        if failure.reason == "argument":
            error = InvalidArgument(failure.detail)
        elif failure.reason == "invalid_credentials":
            error = InvalidSession("the session is invalid or expired")
        elif failure.reason == "internal":
            error = InternalError(failure.detail)

        if error is not None and is_async:
            return self._failed_job(mock, request, error)
        if error is not None and failure.reason != "argument":
            return _json(503, {"error": error.as_error()})
        headers = {"Allow": ", ".join(failure.allow)} if failure.allow else {}
        # ZStack refuses a request without credentials as unreadable: 400, not 401.
        status = 400 if failure.reason == "unauthenticated" else failure.status
        return ConnexionResponse(
            status_code=status,
            content_type="text/plain",
            headers=headers,
            body=failure.detail,
        )

    def _failed_job(
        self, mock: Mock, request: ConnexionRequest, error: ZStackError
    ) -> ConnexionResponse:
        """ZStack accepts the call and reports the error through its job."""
        body, status, headers = self._responses.job(
            request.headers,
            str(request.base_url),
            lambda backend: (503, {"error": error.as_error()}),
        )
        content_type = headers["Content-Type"]
        if content_type == "application/json":
            body = json.dumps(body)
        return ConnexionResponse(status_code=status, content_type=content_type, body=body)


def _json(status: int, body: dict) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status, content_type="application/json", body=json.dumps(body)
    )
