"""Deliberately broken variants of the mock, for tests/test_conformance_catches_breaks.py.

Each function has the signature of `conformance.target.default_mock`: it takes a
`mockserver.config.Config` and returns `(mock, asgi_app)`, the real mock with one small break,
so that `ticketkit conform --mock-app tests.broken_mocks:<name>` checks it in place of the mock.

A break is either an ASGI middleware around the real app, or a patch of one name, applied when
the factory runs (never at import). The kit judges behaviour with the mock's own transition
tables, in the same process, so those tables are never changed: a patch replaces the name the
mock's model looks them up by, or a backend method.
"""

import json
import types
from collections.abc import Callable
from typing import Any

from conformance.target import default_mock
from mockserver.config import Config
from mockserver.huawei import identity, signing
from mockserver.osm import lifecycle
from mockserver.osm import models as osm_models
from mockserver.runtime import Mock
from mockserver.zstack.models import ZStackBackend
from mockserver.zstack.responses import ZStackResponses

# The session the default scenario seeds for ZStack's admin account.
ADMIN_SESSION = "b86c9016b4f24953a9edefb53ca0678c"
COC_PREFIXES = ("/v1/", "/v2/changes")

Headers = list[tuple[bytes, bytes]]
# (status, headers, body) of an answer → the answer sent instead.
Rewrite = Callable[[int, Headers, bytes], tuple[int, Headers, bytes]]


class RewriteAnswers:
    """ASGI middleware: the answers to the requests `picks(method, path)` selects are buffered
    and passed through `rewrite` before they leave."""

    def __init__(self, app: Any, picks: Callable[[str, str], bool], rewrite: Rewrite) -> None:
        self.app = app
        self.picks = picks
        self.rewrite = rewrite

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not self.picks(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def rewritten(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status, headers, body = self.rewrite(
                start["status"], list(start.get("headers", [])), b"".join(chunks)
            )
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewritten)


def _wrapped(config: Config, picks: Callable[[str, str], bool], rewrite: Rewrite):
    mock, app = default_mock(config)
    return mock, RewriteAnswers(app, picks, rewrite)


def _patch(owner: Any, name: str, value: Any) -> None:
    """Replaces one name for the rest of the process (the kit's process, which ends with it)."""
    if not hasattr(owner, name):
        raise AttributeError(f"{owner!r} has no {name!r} to patch")
    setattr(owner, name, value)


def _is_login(method: str, path: str) -> bool:
    return method == "POST" and path == "/v3/auth/tokens"


def _json_of(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


# --- the variants -----------------------------------------------------------------------------


def wrong_status(config: Config) -> tuple[Mock, Any]:
    """IAM answers a password login with 200 instead of the documented 201."""

    def rewrite(status: int, headers: Headers, body: bytes):
        return (200 if status == 201 else status), headers, body

    return _wrapped(config, _is_login, rewrite)


def missing_required_field(config: Config) -> tuple[Mock, Any]:
    """IAM's token lacks its required `expires_at`."""

    def rewrite(status: int, headers: Headers, body: bytes):
        answer = _json_of(body)
        if status == 201 and isinstance(answer, dict) and "token" in answer:
            answer["token"].pop("expires_at", None)
            body = json.dumps(answer).encode()
        return status, headers, body

    return _wrapped(config, _is_login, rewrite)


def wrong_envelope(config: Config) -> tuple[Mock, Any]:
    """COC's errors come in `{"error": {"code", "message"}}` instead of its GOM envelope."""

    def picks(method: str, path: str) -> bool:
        return path.startswith(COC_PREFIXES)

    def rewrite(status: int, headers: Headers, body: bytes):
        answer = _json_of(body)
        if status >= 400 and isinstance(answer, dict) and "error_code" in answer:
            error = {"code": answer["error_code"], "message": answer.get("error_msg")}
            body = json.dumps({"error": error}).encode()
        return status, headers, body

    return _wrapped(config, picks, rewrite)


def wrong_content_type(config: Config) -> tuple[Mock, Any]:
    """IAM sends its JSON answers to password logins as text/plain."""

    def rewrite(status: int, headers: Headers, body: bytes):
        changed = [(k, b"text/plain" if k.lower() == b"content-type" else v) for k, v in headers]
        return status, changed, body

    return _wrapped(config, _is_login, rewrite)


def job_never_finishes(config: Config) -> tuple[Mock, Any]:
    """ZStack's jobs answer 202 "still running" to every poll, forever."""

    def picks(method: str, path: str) -> bool:
        return method == "GET" and path.startswith("/zstack/v1/api-jobs/")

    def rewrite(status: int, headers: Headers, body: bytes):
        if status in (200, 503):
            return 202, headers, b"{}"
        return status, headers, body

    return _wrapped(config, picks, rewrite)


def auth_ignored(config: Config) -> tuple[Mock, Any]:
    """ZStack takes a request without `Authorization` as one of the admin's session."""
    mock, app = default_mock(config)
    session = f"OAuth {ADMIN_SESSION}".encode()

    async def admin_by_default(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/zstack/"):
            headers = list(scope.get("headers", []))
            if not any(name.lower() == b"authorization" for name, _ in headers):
                scope = {**scope, "headers": [*headers, (b"authorization", session)]}
        await app(scope, receive, send)

    return mock, admin_by_default


def illegal_transition_allowed(config: Config) -> tuple[Mock, Any]:
    """OSM lets the customer close a case nobody has taken yet (status 0), which its lifecycle
    table forbids. The model reads a copy of the table; the table itself stays as it is."""
    sources, target = lifecycle.CUSTOMER_ACTIONS["close"]
    actions = {
        **lifecycle.CUSTOMER_ACTIONS,
        "close": (sources | {lifecycle.TO_BE_PROCESSED}, target),
    }
    lenient = types.SimpleNamespace(**{**vars(lifecycle), "CUSTOMER_ACTIONS": actions})
    _patch(osm_models, "lifecycle", lenient)
    return default_mock(config)


def delete_keeps_record(config: Config) -> tuple[Mock, Any]:
    """ZStack's DeleteTicket succeeds and leaves the ticket where it was."""

    def delete_ticket(self, actor, uuid: str, delete_mode: str) -> None:
        return None

    _patch(ZStackBackend, "delete_ticket", delete_ticket)
    return default_mock(config)


def accessory_delete_keeps_record(config: Config) -> tuple[Mock, Any]:
    """OSM's accessory delete succeeds and leaves the accessory where it was."""

    def delete_accessory(self, caller, accessory_id: str) -> None:
        return None

    _patch(osm_models.OsmBackend, "delete_accessory", delete_accessory)
    return default_mock(config)


def create_does_not_store(config: Config) -> tuple[Mock, Any]:
    """ZStack's CreateTicket reports the new ticket from its job, and stores nothing. (The
    HTTP handler is patched: the backend's create_ticket also seeds the scenario's tickets.)"""

    async def createTicket(self, body: dict, token_info: dict):  # noqa: N802
        def create_nothing(backend: ZStackBackend, actor) -> dict:
            ticket = backend.create_ticket(actor, body["params"])
            backend.tickets.delete(ticket["uuid"])
            return ticket

        return self._as(token_info, create_nothing)

    _patch(ZStackResponses, "createTicket", createTicket)
    return default_mock(config)


def any_signature_accepted(config: Config) -> tuple[Mock, Any]:
    """Huawei's AK/SK check takes whatever signature a request carries as the right one."""

    def presented_signature(secret_key, method, path, query, headers, signed_headers, body):
        return signing.parse_authorization(headers["authorization"]).signature.lower()

    lenient = types.SimpleNamespace(**{**vars(signing), "signature": presented_signature})
    _patch(identity, "signing", lenient)
    return default_mock(config)
