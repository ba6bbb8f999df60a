"""Schemathesis against the in-process mock: every phase, every check, nothing found."""

import schemathesis

from conformance.zstack import ZSTACK_CHECKS, excluded_for
from mockserver.app import create_app
from mockserver.config import Config, ZStackSettings
from tests.conftest import ADMIN_AUTH, CASE_SETTINGS, STATEFUL_SETTINGS, make_mock

# Generated X-Web-Hook values point nowhere: one delivery attempt each is enough.
mock = make_mock(Config(seed=11, zstack=ZStackSettings(webhook_attempts=1)))
schema = schemathesis.openapi.from_asgi("/zstack/v1/openapi.json", create_app(mock))
schema.config.update(headers=ADMIN_AUTH)
schema.config.generation.update(max_examples=25)


@schema.parametrize()
@CASE_SETTINGS
def test_every_operation_keeps_the_contract(case):
    case.call_and_validate(
        additional_checks=list(ZSTACK_CHECKS), excluded_checks=excluded_for(case)
    )


class Workflow(schema.as_state_machine()):
    def setup(self):
        mock.world().reset()

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response,
            additional_checks=list(ZSTACK_CHECKS),
            excluded_checks=excluded_for(case),
            transport_kwargs=kwargs or None,
        )


TestWorkflow = Workflow.TestCase
TestWorkflow.settings = STATEFUL_SETTINGS
