"""Schemathesis against the in-process OSM and IAM mock: every phase, every check, nothing found.

OSM answers business errors (no such case, not allowed now, ...) with HTTP 200 by default, as
the vendor's current error table says, and with 4xx under `osm.business_errors: http4xx`. Each
mode breaks the premise of one generic check, which that mode's run leaves out:
- http200: `use_after_free` expects 404 for a deleted accessory; OSM says so in a 200 body.
- http4xx: `positive_data_acceptance` expects schema-valid ids to be taken; OSM answers 400 for
  ids its catalog does not know, which no schema can list.
"""

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance, use_after_free

from mockserver.config import Config, OsmSettings
from tests.conftest import CASE_SETTINGS
from tests.huawei_helpers import send_token, served_app, stateful_test

mock, app, TOKEN = served_app(Config(seed=7))
osm = schemathesis.openapi.from_asgi("/v2/servicerequest/openapi.json", app)
osm.config.generation.update(max_examples=25)
iam = schemathesis.openapi.from_asgi("/v3/openapi.json", app)
iam.config.generation.update(max_examples=25)
send_token(osm, TOKEN)
send_token(iam, TOKEN)

legacy_mock, legacy_app, LEGACY_TOKEN = served_app(
    Config(seed=7, osm=OsmSettings(business_errors="http4xx"))
)
legacy_osm = schemathesis.openapi.from_asgi("/v2/servicerequest/openapi.json", legacy_app)
send_token(legacy_osm, LEGACY_TOKEN)


@osm.parametrize()
@CASE_SETTINGS
def test_every_osm_operation_keeps_the_contract(case):
    case.call_and_validate()


@iam.parametrize()
@CASE_SETTINGS
def test_every_iam_operation_keeps_the_contract(case):
    case.call_and_validate()


TestWorkflow = stateful_test(osm, mock, TOKEN, lambda case: [use_after_free])
TestWorkflowWithHttp4xxErrors = stateful_test(
    legacy_osm, legacy_mock, LEGACY_TOKEN, lambda case: [positive_data_acceptance]
)
