"""Turns every failure (connexion's problems, routing errors, bugs) into the vendor's answer.

Each failure is first described as a `Failure`, then the API family the path belongs to renders
it in its own envelope; paths that belong to no family get a small JSON error.
"""

import json
import logging

from connexion import AsyncApp
from connexion.exceptions import (
    BadRequestProblem,
    Forbidden,
    NonConformingResponse,
    OAuthResponseProblem,
    ProblemException,
    Unauthorized,
    UnsupportedMediaTypeProblem,
)
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.families import Failure
from mockserver.routes import Routes
from mockserver.runtime import Mock

log = logging.getLogger(__name__)


class ArgumentProblem(BadRequestProblem):
    """Request parameters that are well-formed but break the spec's constraints.

    Some vendors report these differently from unreadable requests (ZStack: through the job).
    """


class MalformedCredentials(BadRequestProblem):
    """Credentials present but not in the form the API expects."""


def _failure_from_problem(problem: ProblemException) -> Failure:
    detail = str(problem.detail or problem.title)
    if isinstance(problem, ArgumentProblem):
        return Failure(400, "argument", detail)
    if isinstance(problem, UnsupportedMediaTypeProblem):
        return Failure(415, "unsupported_media_type", detail)
    if isinstance(problem, BadRequestProblem):
        return Failure(400, "bad_request", detail)
    if isinstance(problem, OAuthResponseProblem):
        return Failure(401, "invalid_credentials", detail)
    if isinstance(problem, Unauthorized):
        return Failure(401, "unauthenticated", detail)
    if isinstance(problem, NonConformingResponse):
        log.error("the mock's answer broke its own spec: %s", detail)
        return Failure(500, "internal", detail)
    if problem.status == 413:
        return Failure(413, "too_large", detail)
    if problem.status >= 500:
        return Failure(500, "internal", detail)
    return Failure(problem.status, "bad_request", detail)


def _plain_json(failure: Failure) -> ConnexionResponse:
    headers = {"Allow": ", ".join(failure.allow)} if failure.allow else {}
    return ConnexionResponse(
        status_code=failure.status,
        content_type="application/json",
        headers=headers,
        body=json.dumps({"error": {"status": failure.status, "detail": failure.detail}}),
    )


async def render_failure(mock: Mock, scope: Scope, receive: Receive, failure: Failure) -> Response:
    """The vendor's answer to a failure found before connexion has seen the request (world
    selection, faults), as a response to send."""
    scope.setdefault("extensions", {})
    family = mock.family_for_path(scope["path"])
    if family is None:
        answer = _plain_json(failure)
    else:
        answer = await family.error_response(mock, ConnexionRequest(scope, receive), failure)
    return Response(
        answer.body, answer.status_code, headers=answer.headers, media_type=answer.content_type
    )


def install_error_handlers(app: AsyncApp, mock: Mock, routes: Routes) -> None:
    async def respond(request: ConnexionRequest, failure: Failure) -> ConnexionResponse:
        family = mock.family_for_path(request.url.path)
        if family is None:
            return _plain_json(failure)
        try:
            return await family.error_response(mock, request, failure)
        except Exception:
            log.exception("rendering %s failed", failure)
            return _plain_json(Failure(500, "internal", "internal error"))

    async def on_problem(request: ConnexionRequest, problem: ProblemException):
        return await respond(request, _failure_from_problem(problem))

    async def on_http(request: ConnexionRequest, error: HTTPException):
        if isinstance(error, Forbidden):
            return await respond(request, Failure(403, "forbidden", str(error.detail)))
        if error.status_code == 405:
            methods = routes.methods(request.url.path)
            return await respond(
                request, Failure(405, "method_not_allowed", "method not allowed", methods)
            )
        if error.status_code == 404:
            return await respond(request, Failure(404, "not_found", "no such path"))
        return await respond(request, Failure(error.status_code, "bad_request", str(error.detail)))

    async def on_unicode(request: ConnexionRequest, error: UnicodeDecodeError):
        return await respond(request, Failure(400, "bad_request", "the body is not valid UTF-8"))

    async def on_multipart(request: ConnexionRequest, error: MultiPartException):
        return await respond(request, Failure(400, "bad_request", f"the form: {error.message}"))

    async def on_bug(request: ConnexionRequest, error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return await respond(request, Failure(500, "internal", f"{type(error).__name__}: {error}"))

    app.add_error_handler(ProblemException, on_problem)
    app.add_error_handler(HTTPException, on_http)
    app.add_error_handler(UnicodeDecodeError, on_unicode)
    app.add_error_handler(MultiPartException, on_multipart)
    app.add_error_handler(Exception, on_bug)


class ExposeRoutingMiddleware:
    """Lets error handlers see which operation a request was routed to.

    Connexion's router records the operation in `scope["extensions"]` of a shallow copy of the
    scope; creating that dict up front makes the record visible to the exception handlers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("extensions", {})
        await self.app(scope, receive, send)
