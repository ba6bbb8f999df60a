"""Schemathesis against the in-process OSM and IAM mock: every phase, every check, nothing found.

OSM answers business errors (no such case, not allowed now, ...) with HTTP 200 by default, as
the vendor's current error table says, and with 4xx under `osm.business_errors: http4xx`. Each
mode breaks the premise of one generic check, which that mode's run leaves out:
- http200: `use_after_free` expects 404 for a deleted accessory; OSM says so in a 200 body.
- http4xx: `positive_data_acceptance` expects schema-valid ids to be taken; OSM answers 400 for
  ids its catalog does not know, which no schema can list.
"""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance, use_after_free

from mockserver.app import create_app
from mockserver.config import Config, OsmSettings
from tests.conftest import Client
from tests.huawei_helpers import USER_ID, get_token, make_huawei_mock

SETTINGS = settings(suppress_health_check=list(HealthCheck), deadline=None, database=None)
STATEFUL = settings(
    max_examples=30,
    stateful_step_count=6,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def served(config: Config):
    """A mock for `config`, its app, and a token of the default user."""
    mock = make_huawei_mock(config=config)
    client = Client(mock)
    token = get_token(client)
    client.close()
    return mock, create_app(mock), token


def with_token(schema, token: str) -> None:
    """Every case carries the IAM token; `ignored_auth` then probes without it and with junk."""

    class IamToken:
        def get(self, case, ctx):
            return token

        def set(self, case, data, ctx):
            case.headers = {**(case.headers or {}), "X-Auth-Token": data}

    schema.auth()(IamToken)


def workflow(schema, mock, token: str, excluded: list):
    class Workflow(schema.as_state_machine()):
        def setup(self):
            # A fresh world, with the test's token issued again.
            mock.world().reset()
            mock.world().backend("iam").add_token(token, USER_ID)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, excluded_checks=excluded, transport_kwargs=kwargs or None
            )

    test_case = Workflow.TestCase
    test_case.settings = STATEFUL
    return test_case


mock, app, TOKEN = served(Config(seed=7))
osm = schemathesis.openapi.from_asgi("/v2/servicerequest/openapi.json", app)
osm.config.generation.update(max_examples=25)
iam = schemathesis.openapi.from_asgi("/v3/openapi.json", app)
iam.config.generation.update(max_examples=25)
with_token(osm, TOKEN)
with_token(iam, TOKEN)

legacy_mock, legacy_app, LEGACY_TOKEN = served(
    Config(seed=7, osm=OsmSettings(business_errors="http4xx"))
)
legacy_osm = schemathesis.openapi.from_asgi("/v2/servicerequest/openapi.json", legacy_app)
with_token(legacy_osm, LEGACY_TOKEN)


@osm.parametrize()
@SETTINGS
def test_every_osm_operation_keeps_the_contract(case):
    case.call_and_validate()


@iam.parametrize()
@SETTINGS
def test_every_iam_operation_keeps_the_contract(case):
    case.call_and_validate()


TestWorkflow = workflow(osm, mock, TOKEN, [use_after_free])
TestWorkflowWithHttp4xxErrors = workflow(
    legacy_osm, legacy_mock, LEGACY_TOKEN, [positive_data_acceptance]
)
