"""Assembles one connexion app that serves every API family, the admin API and the Swagger UI."""

from pathlib import Path
from typing import Any

import yaml
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import RedirectResponse

from mockserver import admin, persistence
from mockserver.body_limit import BodyLimitMiddleware
from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.errors import ExposeRoutingMiddleware, install_error_handlers
from mockserver.families import ApiFamily
from mockserver.faults import FaultMiddleware
from mockserver.hoisting import App
from mockserver.journal import JournalMiddleware
from mockserver.resources import specs_dir
from mockserver.routes import Routes
from mockserver.runtime import ADMIN_PATH, Mock
from mockserver.selection import WorldSelectionMiddleware
from mockserver.validators import VALIDATORS

ADMIN_BODY_LIMIT = 1_048_576
# Response headers a browser app may read: IAM's token, ZStack's job location, request ids.
EXPOSED_HEADERS = [
    "X-Subject-Token",
    "Location",
    "Retry-After",
    "X-Request-Id",
    "Content-Disposition",
    "X-Mock-Fault-Source",
]


def default_families() -> list[ApiFamily]:
    from mockserver.coc import CocFamily
    from mockserver.iam import IamFamily
    from mockserver.osm import OsmFamily
    from mockserver.zstack import ZStackFamily

    return [ZStackFamily(), IamFamily(), OsmFamily(), CocFamily()]


def build_mock(config: Config | None = None, *, clock: Clock | None = None) -> Mock:
    return Mock(config or Config(), default_families(), clock=clock)


def _resolver(responses: Any) -> Resolver:
    return Resolver(function_resolver=lambda operation_id: getattr(responses, operation_id))


def _load_spec(name: str) -> dict:
    spec = yaml.safe_load((specs_dir() / name).read_text(encoding="utf-8"))
    spec["paths"] = dict(sorted(spec["paths"].items(), key=lambda item: _route_order(item[0])))
    return spec


def _route_order(path: str) -> tuple:
    """Literal segments before templated ones, so /tickets/histories is not /tickets/{uuid}."""
    return tuple((segment.startswith("{"), segment) for segment in path.split("/"))


def create_app(mock: Mock) -> App:
    """The ASGI app serving `mock`; with config.state_file set, it keeps that file up to date
    while it runs (the worlds in it are loaded by `persistence.restore` beforehand)."""
    state_file = mock.config.state_file
    lifespan = (lambda app: persistence.keeping(mock, Path(state_file))) if state_file else None
    # Every API validates with compiled schemas (families that label errors build on them).
    app = App(__name__, specification_dir=specs_dir(), lifespan=lifespan, validator_map=VALIDATORS)
    specs: dict[str, dict] = {}
    ui_entries = []
    for family in mock.families:
        spec = _load_spec(family.spec_file)
        specs[family.base_path] = spec
        app.add_api(
            spec,
            base_path=family.base_path,
            resolver=_resolver(family.responses(mock)),
            strict_validation=False,
            validate_responses=mock.config.validate_responses,
            swagger_ui_options=SwaggerUIOptions(swagger_ui=False),
            **family.api_options(mock),
        )
        ui_entries.append(
            {"name": spec["info"]["title"], "url": f"{family.base_path}/openapi.json"}
        )

    # One Swagger UI for every spec, on the admin API; /ui/ leads there. (Connexion's Swagger
    # UI cannot share the base path "" with COC, whose paths start at the root.)
    admin_spec = _load_spec("admin.yaml")
    ui_entries.append(
        {"name": admin_spec["info"]["title"], "url": f"{ADMIN_PATH}/openapi.json"}
    )
    app.add_api(
        admin_spec,
        base_path=ADMIN_PATH,
        resolver=_resolver(admin.AdminResponses(mock)),
        validate_responses=mock.config.validate_responses,
        swagger_ui_options=SwaggerUIOptions(swagger_ui_template_arguments={"urls": ui_entries}),
    )

    async def to_swagger_ui(request):
        return RedirectResponse(f"{ADMIN_PATH}/ui/")

    app.add_url_rule("/ui", "ui", to_swagger_ui, methods=["GET"])
    app.add_url_rule("/ui/", "ui_slash", to_swagger_ui, methods=["GET"])

    routes = Routes(specs)
    install_error_handlers(app, mock, routes)

    def body_limit(path: str) -> int:
        family = mock.family_for_path(path)
        return family.body_limit(mock) if family else ADMIN_BODY_LIMIT

    app.add_middleware(
        BodyLimitMiddleware, position=MiddlewarePosition.BEFORE_SWAGGER, limit_for=body_limit
    )
    app.add_middleware(ExposeRoutingMiddleware, position=MiddlewarePosition.BEFORE_SWAGGER)

    # Outside connexion's error handling, outermost first: CORS (so that errors carry its
    # headers too), then the choice of world that everything inside serves from.
    cors = mock.config.cors
    app.add_middleware(
        CORSMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        allow_origins=cors.origins,
        allow_origin_regex=cors.origin_regex,
        allow_methods=["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"],
        allow_headers=["*"],
        allow_credentials=True,
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
    app.add_middleware(
        WorldSelectionMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, mock=mock
    )
    # Inside the world's choice: the journal records what the client got, faults included.
    app.add_middleware(
        JournalMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, mock=mock, routes=routes
    )
    app.add_middleware(
        FaultMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, mock=mock, routes=routes
    )
    return app
