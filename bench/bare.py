"""The ceiling for Python: the mock's own handlers, security checks and models behind a bare
Starlette router, with no spec, no validation and none of the mock's middlewares.

Only the routes the benchmark sends are here. Run it with
`uvicorn bench.bare:app --host 127.0.0.1 --port 8081 --no-access-log`.
"""

import os
from pathlib import Path
from typing import Any

from connexion import context as connexion_context
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mockserver.app import build_mock
from mockserver.body_limit import RAW_BODY
from mockserver.cli import keep_collections_short
from mockserver.config import Config
from mockserver.huawei.auth import signed_request
from mockserver.huawei.identity import AuthFailure, NoCredentials

# The same settings file as `ticketkit serve --config`, when the benchmark gives one.
settings = os.environ.get("TICKETKIT_CONFIG")
mock = build_mock(Config.from_file(Path(settings)) if settings else Config())
handlers = {family.name: family.responses(mock) for family in mock.families}


def reply(result: Any) -> Response:
    body, status, *rest = result
    headers = dict(rest[0]) if rest else {}
    content_type = headers.pop("Content-Type", "application/json")
    if content_type.startswith("text/"):
        return PlainTextResponse(body, status, headers)
    return JSONResponse(body, status, headers)


def zstack_session(request: Request) -> dict | None:
    scheme, _, session_uuid = request.headers.get("authorization", "").partition(" ")
    backend = mock.world().backend("zstack")
    if scheme == "OAuth" and backend.session_valid(session_uuid):
        return {"sub": session_uuid}
    return None


def huawei_caller(request: Request) -> dict | None:
    try:
        principal = mock.world().backend("iam").authenticate(signed_request(request.scope))
    except (AuthFailure, NoCredentials):
        return None
    return {"sub": principal.user_id, "principal": principal}


def endpoint(family: str, operation: str, authenticate=None, with_body: bool = False):
    """A Starlette endpoint that calls `operation` of the family's handlers the way connexion
    would: path parameters and the JSON body as arguments, the security check's token_info."""

    async def call(request: Request) -> Response:
        connexion_context._scope.set(request.scope)
        connexion_context._receive.set(request.receive)
        arguments: dict[str, Any] = dict(request.path_params)
        if with_body:
            raw = await request.body()
            request.scope[RAW_BODY] = raw
            arguments["body"] = await request.json()
        if authenticate is not None:
            token_info = authenticate(request)
            if token_info is None:
                return PlainTextResponse("unauthorized", 401)
            arguments["token_info"] = token_info
        return reply(await getattr(handlers[family], operation)(**arguments))

    return call


async def query_tickets(request: Request) -> Response:
    token_info = zstack_session(request)
    if token_info is None:
        return PlainTextResponse("unauthorized", 401)
    params = request.query_params
    query: dict[str, Any] = {"q": params.getlist("q")}
    for name in ("limit", "start"):
        if name in params:
            query[name] = int(params[name])
    if "fields" in params:
        query["fields"] = params["fields"]
    if params.get("count") == "true":
        query["count"] = True
    return reply(await handlers["zstack"].queryTicket(token_info, **query))


async def list_cases(request: Request) -> Response:
    connexion_context._scope.set(request.scope)
    connexion_context._receive.set(request.receive)
    token_info = huawei_caller(request)
    if token_info is None:
        return PlainTextResponse("unauthorized", 401)
    limit = int(request.query_params.get("limit", 10))
    return reply(await handlers["osm"].listCases(token_info, limit=limit))


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/__admin/health", health),
        Route(
            "/v3/auth/tokens",
            endpoint("iam", "keystoneCreateUserTokenByPassword", with_body=True),
            methods=["POST"],
        ),
        Route("/zstack/v1/tickets", query_tickets, methods=["GET"]),
        Route(
            "/zstack/v1/tickets",
            endpoint("zstack", "createTicket", zstack_session, with_body=True),
            methods=["POST"],
        ),
        Route(
            "/zstack/v1/api-jobs/{uuid}",
            endpoint("zstack", "getJob"),
            methods=["GET"],
        ),
        Route(
            "/zstack/v1/tickets/{uuid}/actions",
            endpoint("zstack", "ticketActions", zstack_session, with_body=True),
            methods=["PUT"],
        ),
        Route(
            "/v1/{ticket_type}/tickets",
            endpoint("coc", "createTicket", huawei_caller, with_body=True),
            methods=["POST"],
        ),
        Route(
            "/v1/{ticket_type}/list-tickets",
            endpoint("coc", "listTickets", huawei_caller, with_body=True),
            methods=["POST"],
        ),
        Route(
            "/v2/servicerequest/cases",
            endpoint("osm", "createCases", huawei_caller, with_body=True),
            methods=["POST"],
        ),
        Route("/v2/servicerequest/cases", list_cases, methods=["GET"]),
    ]
)
# The same garbage collection as `ticketkit serve`.
keep_collections_short()
