"""A world's journal: the recent exchanges of its vendor APIs, newest kept, secrets redacted.

Each entry: id (increasing per world), time (the world's clock), method, path, query, api,
operation, persona, status (null with `dropped: true` when the connection was dropped),
duration_ms, request and response (headers and body as text; binary content is described, text
cut at 16 KiB), and `fault` when the fault middleware acted on the request.

The request and response are kept as captured and made into text (decoded and redacted) when
the journal is first read: most entries are never read, and rendering costs more than the rest
of the request's journaling.
"""

import codecs
import copy
import itertools
import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.faults import SCOPE_KEY as FAULT_KEY
from mockserver.faults import ConnectionDropped, persona_of, read_small_body

log = logging.getLogger(__name__)

BODY_LIMIT = 16 * 1024
REDACTED = "[redacted]"

SECRET_HEADERS = frozenset(
    {"x-auth-token", "x-subject-token", "x-security-token", "cookie", "set-cookie"}
)
SECRET_KEYS = frozenset(
    {"password", "secret", "sk", "token", "access_token", "security_token", "session"}
)
# "key": "value" or "key": 123 in JSON text that cannot be parsed (cut, or broken).
_SECRET_TEXT = re.compile(
    r'("(?:' + "|".join(sorted(SECRET_KEYS)) + r')"\s*:\s*)("(?:[^"\\]|\\.)*"?|[-\w.+]+)',
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"(Signature=)[^,\s]*", re.IGNORECASE)


class Journal:
    def __init__(self, size: int) -> None:
        self.size = size
        # [entry, details]: details() gives the entry's values still to render, or is None
        self._entries: deque[list[Any]] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def __len__(self) -> int:
        return len(self._entries)

    def record(
        self, entry: dict[str, Any], details: Callable[[], dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Keeps `entry` (with the next id first), dropping the oldest beyond the size.

        `details()`, when given, renders the values of some of its keys (placeholders in `entry`,
        which keep their place) on the first read; an entry whose details fail is dropped then.
        """
        entry = {"id": next(self._ids), **entry}
        if self.size > 0:
            self._entries.append([entry, details])
        return entry

    def entries(
        self,
        path: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Newest first; `path` matches a part of the path, `operation` the operationId,
        `status` the status exactly."""
        found = []
        for item in reversed(self._entries):
            entry = item[0]
            if entry is None:  # its details failed
                continue
            if len(found) >= limit:
                break
            if path is not None and path not in entry["path"]:
                continue
            if operation is not None and entry["operation"] != operation:
                continue
            if status is not None and entry["status"] != status:
                continue
            if not _settle(item):
                continue
            found.append(copy.deepcopy(entry))
        return found

    def clear(self) -> None:
        """Forgets every entry (ids go on increasing)."""
        self._entries.clear()


def _settle(item: list[Any]) -> bool:
    """Renders the details of a journal item once; False when they cannot be rendered."""
    entry, details = item
    if details is None:
        return True
    item[1] = None
    try:
        entry.update(details())
    except Exception:  # as if never recorded: the journal must never break a read
        log.exception("journaling %s %s failed", entry.get("method"), entry.get("path"))
        item[0] = None
        return False
    return True


# -- redaction ----------------------------------------------------------------------------------


def redact_authorization(value: str) -> str:
    scheme, space, rest = value.strip().partition(" ")
    if not space:
        return REDACTED
    if scheme.upper() == "SDK-HMAC-SHA256":
        return f"{scheme} {_SIGNATURE.sub(lambda m: m.group(1) + REDACTED, rest)}"
    return f"{scheme} {REDACTED}"


def redact_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name_bytes, value_bytes in raw:
        name = name_bytes.decode("latin-1").lower()
        value = value_bytes.decode("latin-1")
        if name == "authorization":
            value = redact_authorization(value)
        elif name in SECRET_HEADERS:
            value = REDACTED
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def redact_json(data: Any) -> Any:
    """`data` with the scalar values of secret keys replaced, at any depth (an object under
    such a key, like IAM's `token` reply, is searched instead)."""
    if isinstance(data, dict):
        return {
            key: (
                REDACTED
                if isinstance(key, str)
                and key.lower() in SECRET_KEYS
                and not isinstance(value, (dict, list))
                and value is not None
                else redact_json(value)
            )
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [redact_json(item) for item in data]
    return data


def _redact_session(data: Any) -> Any:
    """A ZStack login reply without its session id (`inventory.uuid`)."""
    inventory = data.get("inventory") if isinstance(data, dict) else None
    if isinstance(inventory, dict) and "uuid" in inventory:
        data = {**data, "inventory": {**inventory, "uuid": REDACTED}}
    return data


class Capture:
    """The first BODY_LIMIT bytes of a body streaming by, and its whole size."""

    def __init__(self, declared: int | None = None) -> None:
        self.head = bytearray()
        self.size = 0
        self.complete = False
        self.declared = declared  # the Content-Length, when given

    def add(self, chunk: bytes, more: bool) -> None:
        if len(self.head) < BODY_LIMIT:
            self.head += chunk[: BODY_LIMIT - len(self.head)]
        self.size += len(chunk)
        self.complete = not more

    def text(self, session_reply: bool = False) -> str:
        """The body as journal text: decoded, redacted, cut with a note."""
        if self.size == 0:
            if self.declared and not self.complete:
                return f"<{self.declared} bytes, not read by the mock>"
            return ""
        cut = self.size > len(self.head)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            text = decoder.decode(bytes(self.head), final=not cut)
        except UnicodeDecodeError:
            return f"<{self.size} bytes of binary content>"
        if "\x00" in text:
            return f"<{self.size} bytes of binary content>"
        text = _redact_text(text, whole=not cut, session_reply=session_reply)
        if cut:
            text += f"\n[... cut at {BODY_LIMIT} of {self.size} bytes]"
        elif not self.complete:
            text += "\n[... the rest of the body was not read]"
        return text


def _redact_text(text: str, *, whole: bool, session_reply: bool) -> str:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return text
    if whole:
        try:
            data = json.loads(text)
        except ValueError:
            pass
        else:
            redacted = redact_json(data)
            if session_reply:
                redacted = _redact_session(redacted)
            return text if redacted == data else json.dumps(redacted, ensure_ascii=False)
    # Not readable as a whole: redact what looks like a secret key's value.
    text = _SECRET_TEXT.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    if session_reply:
        text = re.sub(r'("uuid"\s*:\s*)"[^"]*"?', lambda m: f'{m.group(1)}"{REDACTED}"', text)
    return text


# -- the middleware -----------------------------------------------------------------------------


class JournalMiddleware:
    """Records every exchange of a vendor API in the current world's journal.

    Goes just inside the world selection, outside the fault middleware (so it records forced
    faults and drops too). Streams everything through unchanged.
    """

    def __init__(self, app: ASGIApp, mock: Any, routes: Any) -> None:
        self.app = app
        self.mock = mock
        self.routes = routes
        # ZStack's logins, whose answers carry the new session's uuid
        self.logins = frozenset(
            operation_id
            for (_, template), operation_id in routes.templates.items()
            if template.startswith("/zstack/") and template.endswith("/login")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        family = self.mock.family_for_request(scope)
        if family is None:
            await self.app(scope, receive, send)
            return
        world = self.mock.world()
        journal: Journal = world.journal
        if journal.size == 0:
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        when = world.clock_state()["time"]
        headers = Headers(scope=scope)
        persona = persona_of(family, self.mock, headers)
        declared = headers.get("content-length", "")
        request = Capture(int(declared) if declared.isdigit() else None)
        response = Capture()
        # Small bodies are read whole up front, so that they are journaled even when the app
        # answers without reading them (a forced fault, a 404).
        body, receive = await read_small_body(scope, receive, BODY_LIMIT)
        if body is not None:
            request.add(body, more=False)
        status: int | None = None
        response_headers: list[tuple[bytes, bytes]] = []

        async def receive_copy() -> Message:
            message = await receive()
            if body is None and message["type"] == "http.request":
                request.add(message.get("body", b""), message.get("more_body", False))
            return message

        async def send_copy(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                response.add(message.get("body", b""), message.get("more_body", False))
            await send(message)

        dropped, error = False, None
        try:
            await self.app(scope, receive_copy, send_copy)
        except ConnectionDropped:
            dropped = True
            raise
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            try:
                self._record(
                    journal,
                    scope,
                    family,
                    headers,
                    when=when,
                    elapsed=time.perf_counter() - started,
                    persona=persona,
                    request=request,
                    response=response,
                    status=status,
                    response_headers=response_headers,
                    dropped=dropped,
                    error=error,
                )
            except Exception:  # the journal must never break an answer
                log.exception("journaling %s %s failed", scope["method"], scope["path"])

    def _record(
        self,
        journal: Journal,
        scope: Scope,
        family: Any,
        headers: Headers,
        *,
        when: str,
        elapsed: float,
        persona: str | None,
        request: Capture,
        response: Capture,
        status: int | None,
        response_headers: list[tuple[bytes, bytes]],
        dropped: bool,
        error: str | None,
    ) -> None:
        method, path = scope["method"], scope["path"]
        if persona is None and request.complete and request.size:
            persona = persona_of(family, self.mock, headers, bytes(request.head))
        operation = self.routes.operation(method, path)
        entry: dict[str, Any] = {
            "time": when,
            "method": method,
            "path": path,
            "query": scope.get("query_string", b"").decode("utf-8", errors="replace"),
            "api": family.name,
            "operation": operation,
            "persona": persona,
            "status": None if dropped or error else status,
            "duration_ms": round(elapsed * 1000, 1),
            "request": None,  # rendered on the first read, see details()
            "response": None,
        }
        if dropped:
            entry["dropped"] = True
        if error:
            entry["error"] = error
        if FAULT_KEY in scope:
            entry["fault"] = scope[FAULT_KEY]
        request_headers = list(scope.get("headers", []))
        session_reply = operation in self.logins

        def details() -> dict[str, Any]:
            return {
                "request": {"headers": redact_headers(request_headers), "body": request.text()},
                "response": {
                    "headers": {} if dropped else redact_headers(response_headers),
                    "body": "" if dropped else response.text(session_reply),
                },
            }

        journal.record(entry, details)
