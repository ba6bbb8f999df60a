"""Fault injection: a world's rules that slow down, fail or drop vendor requests on purpose.

A rule (every key optional, but a rule must do something):

    api: zstack | coc | osm | iam            # the API family; absent: any
    operation: createTicket                  # operationId, or "METHOD /full/path/template"
    persona: mockuser                        # who calls (ApiFamily.persona); absent: anyone
    rate: 0.25                               # probability that a matching request fires it
    latency_ms: 300 | {min: 100, max: 900} | {mean: 300, stddev: 80}
    status: 503                              # answer this error in the vendor's envelope
    retry_after_s: 5                         # Retry-After of that answer (needs status)
    drop: true                               # drop the connection instead of answering

Rules are tried in order. The latencies of every firing rule add up; the first firing rule with
`status` or `drop` decides the answer. All randomness comes from the rules' own generator, seeded
with the world's seed, so a seeded world faults the same way for the same requests.

One request can carry its own fault in the `X-Mock-Fault` header (`status=429,
retry_after_s=3`, `latency_ms=1500`, `drop`), on top of the rules; its status or drop wins.

A dropped connection: the middleware starts a response that the server cannot write (status
999, outside what uvicorn writes), then raises ConnectionDropped. Uvicorn closes the socket
without having written a byte (the client sees "Server disconnected without sending a
response" / curl's "Empty reply from server"); in-process ASGI clients (starlette's TestClient,
httpx's ASGITransport) raise ConnectionDropped, a ConnectionResetError, instead.
"""

import asyncio
import contextlib
import inspect
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.families import Failure
from mockserver.routes import vendor_routes

log = logging.getLogger(__name__)

HEADER = "X-Mock-Fault"
# The response header that marks an answer the mock made up on purpose.
SOURCE_HEADER = "X-Mock-Fault-Source"
# Where the middleware leaves what it did to a request, for the journal.
SCOPE_KEY = "ticketkit.fault"

APIS = ("zstack", "coc", "osm", "iam")
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH")
RULE_KEYS = ("api", "operation", "persona", "rate", "latency_ms", "status", "retry_after_s", "drop")
HEADER_KEYS = ("status", "retry_after_s", "latency_ms", "drop")
# A status no HTTP/1.1 server writes (uvicorn knows 100-599 only): the start of a dropped answer.
DROP_STATUS = 999
# Request bodies read ahead to find the caller (a login names its user in its body).
PERSONA_BODY_LIMIT = 65_536

REASONS = {
    400: "bad_request",
    401: "invalid_credentials",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


class FaultError(ValueError):
    """Fault rules (or an X-Mock-Fault header) that cannot be used; the message says where."""


class ConnectionDropped(ConnectionResetError):
    """Raised by the fault middleware to make the server drop the connection."""


# -- rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    kind: str  # "fixed", "uniform" or "normal"
    a: float  # the value, min or mean
    b: float = 0.0  # max or stddev

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        return max(0.0, rng.gauss(self.a, self.b))


@dataclass(frozen=True)
class FaultRule:
    index: int
    given: dict[str, Any]  # the rule as given, normalised (what export() shows)
    api: str | None = None
    operation_id: str | None = None  # also for "METHOD /path/template", resolved when parsed
    persona: str | None = None
    rate: float = 1.0
    latency: Latency | None = None
    status: int | None = None
    retry_after_s: int | None = None
    drop: bool = False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _latency(value: Any, where: str) -> tuple[Latency, Any]:
    if _is_number(value):
        if value < 0:
            raise FaultError(f"{where}: expected 0 or more milliseconds, got {value!r}")
        return Latency("fixed", float(value)), value
    if isinstance(value, dict):
        keys = set(value)
        for key, item in value.items():
            if not _is_number(item) or item < 0:
                raise FaultError(f"{where}.{key}: expected 0 or more milliseconds, got {item!r}")
        if keys == {"min", "max"}:
            if value["min"] > value["max"]:
                raise FaultError(f"{where}: min {value['min']} is more than max {value['max']}")
            return Latency("uniform", float(value["min"]), float(value["max"])), dict(value)
        if keys == {"mean", "stddev"}:
            return Latency("normal", float(value["mean"]), float(value["stddev"])), dict(value)
    raise FaultError(
        f"{where}: expected milliseconds, {{min, max}} or {{mean, stddev}}, got {value!r}"
    )


def _operation(value: Any, where: str) -> tuple[str, str]:
    """The operationId a rule's `operation` names (an operationId, or "METHOD /path/template"
    of the specs), and the operation as the rule shows it."""
    if not isinstance(value, str) or not value.strip():
        raise FaultError(f"{where}: expected an operationId or 'METHOD /path', got {value!r}")
    known = vendor_routes().templates
    method, _, template = value.strip().partition(" ")
    if not template:
        if method not in known.values():
            raise FaultError(f"{where}: no operation {method!r} in the specs")
        return method, method
    method, template = method.upper(), template.strip()
    if method not in METHODS:
        raise FaultError(f"{where}: expected one of {', '.join(METHODS)}, got {value!r}")
    if (method, template) not in known:
        raise FaultError(
            f"{where}: no operation {method} {template} in the specs (write the full path "
            "template, base path included, e.g. 'GET /v2/servicerequest/cases')"
        )
    return known[(method, template)], f"{method} {template}"


def parse_rule(rule: Any, index: int, where: str | None = None) -> FaultRule:
    where = where or f"rules[{index}]"
    if not isinstance(rule, dict):
        raise FaultError(f"{where}: expected a mapping, got {rule!r}")
    for key in rule:
        if key not in RULE_KEYS:
            raise FaultError(f"{where}: unknown key {key!r}; known keys: {', '.join(RULE_KEYS)}")
    fields: dict[str, Any] = {}
    given: dict[str, Any] = {}
    if "api" in rule:
        if rule["api"] not in APIS:
            raise FaultError(f"{where}.api: expected one of {', '.join(APIS)}, got {rule['api']!r}")
        fields["api"] = given["api"] = rule["api"]
    if "operation" in rule:
        fields["operation_id"], given["operation"] = _operation(
            rule["operation"], f"{where}.operation"
        )
    if "persona" in rule:
        persona = rule["persona"]
        if not isinstance(persona, str) or not persona.strip():
            raise FaultError(f"{where}.persona: expected a user name, got {persona!r}")
        fields["persona"] = given["persona"] = persona.strip()
    if "rate" in rule:
        rate = rule["rate"]
        if not _is_number(rate) or not 0 <= rate <= 1:
            raise FaultError(f"{where}.rate: expected a number from 0 to 1, got {rate!r}")
        fields["rate"], given["rate"] = float(rate), rate
    if "latency_ms" in rule:
        fields["latency"], given["latency_ms"] = _latency(rule["latency_ms"], f"{where}.latency_ms")
    if "status" in rule:
        status = rule["status"]
        if not _is_int(status) or not 400 <= status <= 599:
            raise FaultError(
                f"{where}.status: expected an HTTP error status 400-599, got {status!r}"
            )
        fields["status"] = given["status"] = status
    if "retry_after_s" in rule:
        retry = rule["retry_after_s"]
        if not _is_int(retry) or retry < 0:
            raise FaultError(f"{where}.retry_after_s: expected 0 or more seconds, got {retry!r}")
        if "status" not in rule:
            raise FaultError(f"{where}.retry_after_s: only goes with a status")
        fields["retry_after_s"] = given["retry_after_s"] = retry
    if "drop" in rule:
        if not isinstance(rule["drop"], bool):
            raise FaultError(f"{where}.drop: expected true or false, got {rule['drop']!r}")
        if rule["drop"] and "status" in rule:
            raise FaultError(f"{where}.drop: a rule either answers a status or drops, not both")
        fields["drop"] = given["drop"] = rule["drop"]
    if "latency" not in fields and "status" not in fields and not fields.get("drop"):
        raise FaultError(f"{where}: the rule does nothing; give latency_ms, status or drop: true")
    return FaultRule(index=index, given=given, **fields)


def parse_rules(rules: Any) -> list[FaultRule]:
    """The rules, checked; FaultError names the first rule and key that is wrong."""
    if not isinstance(rules, list):
        raise FaultError(f"rules: expected a list of rules, got {rules!r}")
    return [parse_rule(rule, index) for index, rule in enumerate(rules)]


def parse_header(value: str) -> dict[str, Any]:
    """The fault an X-Mock-Fault header asks for, as a rule: `status=429, retry_after_s=3`,
    `latency_ms=1500`, `drop`."""
    rule: dict[str, Any] = {}
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, raw = (part.strip() for part in item.partition("="))
        if key not in HEADER_KEYS:
            raise FaultError(f"{HEADER}: unknown key {key!r}; known keys: {', '.join(HEADER_KEYS)}")
        if key in rule:
            raise FaultError(f"{HEADER}: {key} is given twice")
        if key == "drop":
            if sep and raw.lower() not in ("true", "false"):
                raise FaultError(f"{HEADER}: drop takes no value (or true/false), got {raw!r}")
            rule["drop"] = not sep or raw.lower() == "true"
            continue
        if not sep or not raw:
            raise FaultError(f"{HEADER}: {key} needs a value, as in {key}=...")
        try:
            number = float(raw) if key == "latency_ms" else int(raw)
        except ValueError:
            raise FaultError(f"{HEADER}: {key}: expected a number, got {raw!r}") from None
        rule[key] = number
    if not rule:
        raise FaultError(
            f"{HEADER}: empty; write e.g. 'status=429, retry_after_s=3', 'latency_ms=1500' "
            "or 'drop'"
        )
    parse_rule(rule, 0, where=HEADER)
    return rule


@dataclass
class Decision:
    """What the faults do to one request."""

    latency_ms: float = 0.0
    status: int | None = None
    retry_after_s: int | None = None
    drop: bool = False
    source: str | None = None  # the rule or header that decided the answer
    fired: tuple[str, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.fired)

    def describe(self) -> dict[str, Any]:
        return {
            "fired": list(self.fired),
            "latency_ms": round(self.latency_ms, 1),
            "status": self.status,
            "drop": self.drop,
            "source": self.source,
        }


class FaultRules:
    """A world's fault rules and the random generator they draw from."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self.rules: list[FaultRule] = []
        self._random = random.Random(seed)

    def export(self) -> dict[str, Any]:
        return {"seed": self.seed, "rules": [dict(rule.given) for rule in self.rules]}

    def load(self, data: Any) -> None:
        """Replaces the rules (all or nothing) and reseeds; a missing seed keeps the current
        one, None seeds at random."""
        if not isinstance(data, dict):
            raise FaultError(f"expected {{seed, rules}}, got {data!r}")
        unknown = set(data) - {"seed", "rules"}
        if unknown:
            raise FaultError(f"unknown key {sorted(unknown)[0]!r}; known keys: seed, rules")
        seed = data.get("seed", self.seed)
        if seed is not None and not _is_int(seed):
            raise FaultError(f"seed: expected an integer or null, got {seed!r}")
        rules = parse_rules(data.get("rules", []))
        self.rules = rules
        self.seed = seed
        self._random = random.Random(seed)

    def decide(
        self,
        *,
        api: str,
        operation: str | None,
        persona: Callable[[], str | None],
        extra: dict[str, Any] | None = None,
    ) -> Decision:
        """Draws the faults of one request. `persona()` is asked only when a rule needs it;
        `extra` is a fault from the X-Mock-Fault header, applied after the rules and winning
        over them."""
        decision = Decision()
        fired: list[str] = []
        answer: tuple[str, int | None, int | None, bool] | None = None
        for rule in self.rules:
            if rule.api is not None and rule.api != api:
                continue
            if rule.operation_id is not None and rule.operation_id != operation:
                continue
            if rule.persona is not None and persona() != rule.persona:
                continue
            if rule.rate < 1 and not self._random.random() < rule.rate:
                continue
            name = f"rules[{rule.index}]"
            fired.append(name)
            if rule.latency is not None:
                decision.latency_ms += rule.latency.sample(self._random)
            if answer is None and (rule.status is not None or rule.drop):
                answer = (name, rule.status, rule.retry_after_s, rule.drop)
        if extra:
            fired.append(HEADER)
            decision.latency_ms += float(extra.get("latency_ms", 0))
            if extra.get("status") is not None or extra.get("drop"):
                answer = (
                    f"{HEADER} header",
                    extra.get("status"),
                    extra.get("retry_after_s"),
                    bool(extra.get("drop")),
                )
        if answer is not None:
            decision.source, decision.status, decision.retry_after_s, decision.drop = answer
        decision.fired = tuple(fired)
        return decision


# -- the middleware -----------------------------------------------------------------------------


class _QuietDrops(logging.Filter):
    """Keeps the tracebacks of deliberate drops out of the server's log (the fault middleware
    logs one line for each)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ConnectionDropped)


_QUIET = _QuietDrops()
# Who logs an exception that leaves the app: connexion's outermost middleware, and the server.
NOISY_LOGGERS = ("connexion.middleware.server_error", "uvicorn.error")


def quiet_drops_in_logs() -> None:
    for name in NOISY_LOGGERS:
        logging.getLogger(name).addFilter(_QUIET)  # adding twice is a no-op


async def read_small_body(
    scope: Scope, receive: Receive, limit: int
) -> tuple[bytes | None, Receive]:
    """The whole request body when it declares a Content-Length of at most `limit` bytes, and a
    `receive` that replays it to the app; (None, receive) when it does not."""
    declared = Headers(scope=scope).get("content-length", "")
    if not declared.isdigit() or int(declared) > limit:
        return None, receive
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    complete = bool(messages) and messages[-1]["type"] == "http.request"
    return (b"".join(chunks) if complete else None), replay


def failure_for(status: int, detail: str, allow: tuple[str, ...] = ()) -> Failure:
    reason = "internal" if status >= 500 else REASONS.get(status, "bad_request")
    return Failure(status, reason, detail, allow if status == 405 else ())


class FaultMiddleware:
    """Applies the current world's fault rules and the X-Mock-Fault header to vendor requests.

    Goes inside the world selection (and the journal), outside connexion's error handling.
    """

    def __init__(self, app: ASGIApp, mock: Any, routes: Any) -> None:
        self.app = app
        self.mock = mock
        self.routes = routes
        quiet_drops_in_logs()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        family = self.mock.family_for_request(scope)
        if family is None:
            await self.app(scope, receive, send)
            return
        world = self.mock.world()
        headers = Headers(scope=scope)
        asked = headers.getlist(HEADER)
        if not world.faults.rules and not asked:
            await self.app(scope, receive, send)
            return

        extra = None
        if asked:
            try:
                extra = parse_header(", ".join(asked))
            except FaultError as error:
                await self._answer(scope, receive, send, Failure(400, "bad_request", str(error)))
                return

        method, path = scope["method"], scope["path"]
        operation = self.routes.operation(method, path)
        persona: str | None = None
        if any(rule.persona is not None for rule in world.faults.rules):
            persona = persona_of(family, self.mock, headers)
            if persona is None and method in ("POST", "PUT", "PATCH"):
                body, receive = await read_small_body(scope, receive, PERSONA_BODY_LIMIT)
                if body:
                    persona = persona_of(family, self.mock, headers, body)

        decision = world.faults.decide(
            api=family.name, operation=operation, persona=lambda: persona, extra=extra
        )
        if not decision.anything:
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = decision.describe()
        if decision.latency_ms > 0:
            await anyio.sleep(decision.latency_ms / 1000)

        if decision.drop:
            log.warning(
                "fault: dropped the connection of %s %s (%s, world %s)",
                method,
                path,
                decision.source,
                world.name,
            )
            await self._drop(send, decision)
        if decision.status is not None:
            failure = failure_for(
                decision.status,
                f"fault injected by the mock ({decision.source} of world {world.name!r}), "
                "not a real error",
                self.routes.methods(path),
            )
            extra_headers = {SOURCE_HEADER: decision.source}
            if decision.retry_after_s is not None:
                extra_headers["Retry-After"] = str(decision.retry_after_s)
            await self._answer(scope, receive, send, failure, extra_headers)
            return
        await self.app(scope, receive, send)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        failure: Failure,
        headers: dict[str, str] | None = None,
    ) -> None:
        from mockserver.errors import render_failure  # errors imports the runtime, which us

        response = await render_failure(self.mock, scope, receive, failure)
        # The forced status, whatever the family's envelope would pick for the reason.
        response.status_code = failure.status
        for name, value in (headers or {}).items():
            response.headers[name] = value
        await response(scope, receive, send)

    @staticmethod
    async def _drop(send: Send, decision: Decision) -> None:
        start = {
            "type": "http.response.start",
            "status": DROP_STATUS,
            "headers": [(b"content-length", b"1"), (b"connection", b"close")],
        }
        # Uvicorn marks the response started, then refuses the status before writing a byte.
        with contextlib.suppress(Exception):
            await send(start)
        error = ConnectionDropped(f"fault injected by the mock: {decision.source} drops")
        with contextlib.suppress(RuntimeError):  # no running asyncio loop: nothing to tidy
            asyncio.get_running_loop().call_soon(_close_unawaited, error)
        raise error


def _close_unawaited(error: BaseException) -> None:
    """Closes the error-handler coroutines that were created but never awaited in the frames a
    drop went through.

    Connexion 3.3's ServerErrorMiddleware calls its async `error_response` without awaiting it
    for every exception that leaves the app; left alone, that coroutine warns "never awaited"
    whenever it is collected (an error under pytest's `-W error`). Run once the exception has
    reached the server, while `error` still holds the frames.
    """
    traceback = error.__traceback__
    while traceback is not None:
        for value in list(traceback.tb_frame.f_locals.values()):
            if (
                inspect.iscoroutine(value)
                and inspect.getcoroutinestate(value) == inspect.CORO_CREATED
                and value.__qualname__.endswith("error_response")
            ):
                value.close()
        traceback = traceback.tb_next


def persona_of(family: Any, mock: Any, headers: Headers, body: bytes | None = None) -> str | None:
    """Who sends a request (see ApiFamily.persona); None when that cannot be told."""
    try:
        return family.persona(mock, headers, body)
    except Exception:  # persona must never fail a request
        log.debug("persona of %s failed", family.name, exc_info=True)
        return None
