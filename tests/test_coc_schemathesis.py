"""Schemathesis against the in-process COC mock: every phase, every check, nothing found."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from mockserver.app import create_app
from tests.conftest import Client
from tests.huawei_helpers import get_token, make_huawei_mock

mock = make_huawei_mock()
app = create_app(mock)
_client = Client(mock)
TOKEN = get_token(_client)
_client.close()

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
schema.config.generation.update(max_examples=25)


@schema.auth()
class IamToken:
    """Every case carries the IAM token; `ignored_auth` then probes without it and with junk."""

    def get(self, case, ctx):
        return TOKEN

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "X-Auth-Token": data}


def excluded_for(case) -> list:
    # COC takes only jpg, jpeg, png, docx, txt and pdf files of 1 byte to 10 MB, judged by the
    # file name: a rule OpenAPI cannot state for a multipart file, so schema-valid uploads of
    # other files are rightly refused.
    if case.operation.definition.raw.get("operationId") == "createAttachment":
        return [positive_data_acceptance]
    return []


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None, database=None)
def test_every_operation_keeps_the_contract(case):
    case.call_and_validate(excluded_checks=excluded_for(case))


class Workflow(schema.as_state_machine()):
    def setup(self):
        # A fresh world, with the test's token issued again.
        mock.world().reset()
        mock.world().backend("iam").add_token(TOKEN, "7c6b5a4938271605f4e3d2c1b0a99887")

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response, excluded_checks=excluded_for(case), transport_kwargs=kwargs or None
        )


TestWorkflow = Workflow.TestCase
TestWorkflow.settings = settings(
    max_examples=30,
    stateful_step_count=6,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
