"""Bad input to COC gets a clear error in COC's envelope, never a 500, and changes nothing.

Every refusal is checked the same way: the status and error_code the spec gives, a body of exactly
provider_code "049", error_code, error_msg (a non-empty string) and data null (the API gateway's
own answers instead have error_code, error_msg and request_id), and the tickets, sub-tickets and
histories of both kinds exactly as they were before the request.
"""

import gc
import json
from collections.abc import Iterator

import pytest

from tests.conftest import T0, Client
from tests.huawei_helpers import (
    CHANGE_BODY,
    ISSUE_BODY,
    get_token,
    huawei_app,
    reset_world,
)

OK = "GOM.00000000"
INVALID = "GOM.00007256"
NOT_ALLOWED_NOW = "GOM.00001009"
NOT_FOUND = "GOM.00001004"
AUTH = "common.01010001"
KINDS = ("change", "issues_mgmt")
T0_MS = int(T0 * 1000)
MB10 = 10 * 1024 * 1024
UNKNOWN_ID = "CM202601151000000000000000"


# -- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_client() -> Iterator[Client]:
    """One app for the module: building it takes longer than most tests."""
    yield from huawei_app()


@pytest.fixture
def client(app_client) -> Client:
    """The module's app, with its world reset to a fresh state and its clock back at T0."""
    reset_world(app_client)
    return app_client


@pytest.fixture
def headers(client) -> dict:
    return {"X-Auth-Token": get_token(client)}


@pytest.fixture
def json_headers(headers) -> dict:
    return {**headers, "Content-Type": "application/json"}


def ok(reply):
    assert reply.status_code == 200, reply.text
    assert reply.json()["error_code"] == OK
    return reply.json()["data"]


@pytest.fixture
def change_id(client, headers) -> str:
    """A change in review (sub-tickets -01 and -02)."""
    return ok(client.post("/v1/change/tickets", headers=headers, json=CHANGE_BODY))["ticket_id"]


@pytest.fixture
def issue_id(client, headers) -> str:
    """An issue being located (accepted)."""
    ticket_id = ok(client.post("/v1/issues_mgmt/tickets", headers=headers, json=ISSUE_BODY))[
        "ticket_id"
    ]
    ok(client.post("/v1/issues_mgmt/actions", headers=headers,
                   json={"ticket_id": ticket_id, "action": "gocm_issues_accepte"}))
    return ticket_id


def snapshot(client, headers) -> dict:
    """Everything a user can see: per kind, the ticket count, the tickets with their
    sub-tickets, and the histories."""
    seen = {}
    for kind in KINDS:
        listed = ok(client.post(f"/v1/{kind}/list-tickets", headers=headers, json={
            "contain_total": True, "contain_sub_ticket": True, "per_page": 100}))
        histories = ok(client.post(f"/v1/{kind}/list-histories", headers=headers, json={}))
        seen[kind] = (listed["total"], listed["tickets"], histories["info"])
    return seen


@pytest.fixture
def before(client, headers, change_id, issue_id) -> dict:
    """What there was before the bad request: one change and one issue."""
    return snapshot(client, headers)


@pytest.fixture
def unchanged(client, headers, before):
    """Checks after the test that the bad request left everything as it was."""
    yield
    assert snapshot(client, headers) == before


def refused(reply, status: int, code: str) -> str:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"provider_code", "error_code", "error_msg", "data"}, body
    assert body["provider_code"] == "049"
    assert body["error_code"] == code, body
    assert isinstance(body["error_msg"], str) and body["error_msg"].strip()
    assert body["data"] is None
    return body["error_msg"]


def invalid(reply) -> str:
    return refused(reply, 400, INVALID)


def gateway_refused(reply, status: int, code: str) -> None:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error_code", "error_msg", "request_id"}, body
    assert body["error_code"] == code
    assert isinstance(body["error_msg"], str) and body["error_msg"]
    assert reply.headers["x-request-id"] == body["request_id"]


def without(body: dict, name: str) -> dict:
    return {k: v for k, v in body.items() if k != name}


# -- unreadable bodies ----------------------------------------------------------------------------

ENDPOINTS = {
    "create-change": ("POST", "/v1/change/tickets"),
    "create-issue": ("POST", "/v1/issues_mgmt/tickets"),
    "list-tickets": ("POST", "/v1/change/list-tickets"),
    "list-histories": ("POST", "/v1/issues_mgmt/list-histories"),
    "change-action": ("POST", "/v1/change/actions"),
    "issue-action": ("POST", "/v1/issues_mgmt/actions"),
    "external-create": ("POST", "/v1/external/issues/create"),
}


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("method", "path"), ENDPOINTS.values(), ids=ENDPOINTS.keys())
@pytest.mark.parametrize(
    "content",
    [b'{"title": "cut', b"{'title': 'single quotes'}", b"[]", b'"a string"', b"42", b"null",
     b"[{\"title\": \"in an array\"}]"],
    ids=["truncated", "single-quotes", "array", "string", "number", "null", "array-of-object"],
)
def test_a_body_that_is_not_a_json_object_is_an_invalid_parameter(
    client, json_headers, method, path, content
):
    invalid(client.request(method, path, headers=json_headers, content=content))


@pytest.mark.usefixtures("unchanged")
def test_malformed_json_on_an_update_is_an_invalid_parameter(client, json_headers, change_id):
    reply = client.put(f"/v1/change/tickets/{change_id}", headers=json_headers,
                       content=b'{"history_info": {"action": ')

    invalid(reply)


@pytest.mark.usefixtures("unchanged")
def test_an_empty_body_is_an_invalid_parameter(client, json_headers):
    invalid(client.post("/v1/change/tickets", headers=json_headers, content=b""))


@pytest.mark.usefixtures("unchanged")
def test_a_body_that_is_not_utf8_is_an_invalid_parameter(client, json_headers):
    body = json.dumps({**CHANGE_BODY, "title": "café"}, ensure_ascii=False).encode("latin-1")

    message = invalid(client.post("/v1/change/tickets", headers=json_headers, content=body))

    assert "UTF-8" in message


@pytest.mark.usefixtures("unchanged")
def test_json_sent_as_text_plain_is_an_invalid_parameter(client, headers):
    reply = client.post("/v1/change/tickets", headers={**headers, "Content-Type": "text/plain"},
                        content=json.dumps(CHANGE_BODY).encode())

    invalid(reply)


# -- wrong types ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("change", "is_start_process", "yes"),
        ("change", "is_start_process", None),
        ("change", "sub_tickets", "cn-north-4"),
        ("change", "sub_tickets", {"target_type": "change_scope"}),
        ("change", "sub_tickets", ["change_scope"]),
        ("change", "title", 5),
        ("change", "change_notes", ["a", "b"]),
        ("issues_mgmt", "fount_time", "x"),
        ("issues_mgmt", "fount_time", 1.5),
        ("issues_mgmt", "fount_time", -1),
        ("issues_mgmt", "is_start_process", "yes"),
        ("issues_mgmt", "description", {"text": "nested"}),
    ],
)
def test_a_field_of_the_wrong_type_is_named(client, headers, kind, field, value):
    body = {**(CHANGE_BODY if kind == "change" else ISSUE_BODY), field: value}

    message = invalid(client.post(f"/v1/{kind}/tickets", headers=headers, json=body))

    assert field in message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/change/list-tickets", {"per_page": "10"}),
        ("/v1/change/list-tickets", {"contain_total": "yes"}),
        ("/v1/change/list-tickets", {"string_filters": {"field": "title"}}),
        ("/v1/change/list-tickets", {"string_filters": [{"field": "title", "operator": "=",
                                                         "values": "x"}]}),
        ("/v1/change/list-tickets", {"string_filters": [{"field": "title", "operator": "=",
                                                         "values": [1]}]}),
        ("/v1/issues_mgmt/list-tickets", {"ticket_types": "issues_type_1000"}),
        ("/v1/change/actions", {"ticket_id": 5, "action": "agreed"}),
        ("/v1/change/actions", {"ticket_id": UNKNOWN_ID, "action": "agreed", "params": "x"}),
        ("/v1/change/actions", {"ticket_id": UNKNOWN_ID, "action": "agreed", "params": None}),
    ],
)
def test_list_and_action_bodies_of_the_wrong_type_are_invalid(client, headers, path, body):
    invalid(client.post(path, headers=headers, json=body))


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [
        {"history_info": "change_cancel_change_success"},
        {"ticket_info": "phase_change_approve"},
        {"history_info": {"action": "change_cancel_change_success"}, "sub_tickets": "x"},
        {"history_info": {"action": "change_cancel_change_success"}, "sub_tickets": [{}]},
    ],
    ids=["history-info-string", "ticket-info-string", "sub-tickets-string", "sub-ticket-no-id"],
)
def test_an_update_body_of_the_wrong_shape_is_invalid(client, headers, change_id, body):
    invalid(client.put(f"/v1/change/tickets/{change_id}", headers=headers, json=body))
    invalid(client.put(f"/v2/changes/{change_id}", headers=headers, json=body))


# -- fields of the other kind, missing fields, conditional rules ---------------------------------


@pytest.mark.usefixtures("unchanged")
def test_a_change_body_sent_as_an_issue_is_refused(client, headers):
    invalid(client.post("/v1/issues_mgmt/tickets", headers=headers, json=CHANGE_BODY))


@pytest.mark.usefixtures("unchanged")
def test_an_issue_body_sent_as_a_change_is_refused(client, headers):
    invalid(client.post("/v1/change/tickets", headers=headers, json=ISSUE_BODY))


@pytest.mark.usefixtures("unchanged")
def test_change_fields_on_an_issue_are_named(client, headers):
    body = {**ISSUE_BODY, "change_notes": "roll it", "change_type": "change_type_conventional",
            "sub_tickets": CHANGE_BODY["sub_tickets"]}

    message = invalid(client.post("/v1/issues_mgmt/tickets", headers=headers, json=body))

    for name in ("change_notes", "change_type", "sub_tickets"):
        assert name in message


@pytest.mark.usefixtures("unchanged")
def test_issue_fields_on_a_change_are_named(client, headers):
    body = {**CHANGE_BODY, "description": "it broke", "enterprise_project": "0",
            "virtual_schedule_type": "issues_mgmt_virtual_schedule_type_2000"}

    message = invalid(client.post("/v1/change/tickets", headers=headers, json=body))

    for name in ("description", "enterprise_project", "virtual_schedule_type"):
        assert name in message


CHANGE_REQUIRED = ["change_notes", "change_type", "change_scheme", "change_scene_id",
                   "current_cloud_service_id", "location_id", "sub_tickets"]
ISSUE_REQUIRED = ["description", "enterprise_project", "ticket_type", "virtual_schedule_type"]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("kind", "field"),
    [("change", f) for f in CHANGE_REQUIRED] + [("issues_mgmt", f) for f in ISSUE_REQUIRED],
)
def test_a_missing_required_field_of_the_kind_is_named(client, headers, kind, field):
    body = without(CHANGE_BODY if kind == "change" else ISSUE_BODY, field)

    message = invalid(client.post(f"/v1/{kind}/tickets", headers=headers, json=body))

    assert field in message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("kind", "field"),
    [("change", "change_notes"), ("change", "location_id"), ("change", "sub_tickets"),
     ("issues_mgmt", "description"), ("issues_mgmt", "ticket_type")],
)
def test_an_empty_required_field_counts_as_missing(client, headers, kind, field):
    body = {**(CHANGE_BODY if kind == "change" else ISSUE_BODY),
            field: [] if field == "sub_tickets" else ""}

    message = invalid(client.post(f"/v1/{kind}/tickets", headers=headers, json=body))

    assert field in message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [
        without(CHANGE_BODY, "change_guides"),
        {**CHANGE_BODY, "change_guides": ""},
        {**without(CHANGE_BODY, "change_guides"), "change_scheme": "change_scheme_runbook"},
        {**CHANGE_BODY, "change_scheme": "change_scheme_runbook", "plan_task_sub_type": "COMMUNAL",
         "plan_task_id": "task-1", "plan_task_name": "roll"},
        {**CHANGE_BODY, "change_scheme": "change_scheme_runbook", "plan_task_sub_type": "COMMUNAL",
         "plan_task_id": "task-1", "plan_task_name": "roll", "plan_task_params": ""},
    ],
    ids=["guides-without-change-guides", "guides-with-empty-change-guides",
         "runbook-without-plan-task", "runbook-without-params", "runbook-with-empty-params"],
)
def test_a_change_scheme_without_what_it_needs_is_invalid(client, headers, body):
    invalid(client.post("/v1/change/tickets", headers=headers, json=body))


def test_a_runbook_change_with_its_plan_task_is_accepted(client, headers):
    body = {**without(CHANGE_BODY, "change_guides"), "change_scheme": "change_scheme_runbook",
            "plan_task_sub_type": "COMMUNAL", "plan_task_id": "task-1",
            "plan_task_name": "roll", "plan_task_params": "{}"}

    ok(client.post("/v1/change/tickets", headers=headers, json=body))


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("number", ["1000", "2000", "3000"])
@pytest.mark.parametrize("source_id", [None, ""], ids=["absent", "empty"])
def test_a_source_that_needs_an_id_without_one_is_invalid(client, headers, number, source_id):
    body = {**ISSUE_BODY, "source": f"issues_mgmt_associated_type_{number}"}
    if source_id is not None:
        body["source_id"] = source_id

    invalid(client.post("/v1/issues_mgmt/tickets", headers=headers, json=body))


def test_a_source_with_its_id_or_found_in_o_and_m_is_accepted(client, headers):
    with_id = {**ISSUE_BODY, "source": "issues_mgmt_associated_type_1000", "source_id": "INC-1"}
    found = {**ISSUE_BODY, "source": "issues_mgmt_associated_type_4000"}

    ok(client.post("/v1/issues_mgmt/tickets", headers=headers, json=with_id))
    ok(client.post("/v1/issues_mgmt/tickets", headers=headers, json=found))


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "sub",
    [{"app_name": "gateway", "region": "cn-north-4"},
     {"target_type": "everything"},
     {"target_type": "change_scope", "app_name": "gateway"},
     {"target_type": "change_scope", "app_name": "", "region": "cn-north-4"},
     {"target_type": "child_ticket"},
     {"target_type": "child_ticket", "target_value": "cn-north-4", "expected_start_time": -1}],
    ids=["no-target-type", "unknown-target-type", "scope-without-region", "scope-empty-app",
         "child-without-target-value", "negative-time"],
)
def test_a_sub_ticket_without_what_its_type_needs_is_invalid(client, headers, sub):
    body = {**CHANGE_BODY, "sub_tickets": [sub]}

    invalid(client.post("/v1/change/tickets", headers=headers, json=body))


@pytest.mark.usefixtures("unchanged")
def test_a_title_over_255_characters_is_invalid(client, headers):
    invalid(client.post("/v1/change/tickets", headers=headers,
                        json={**CHANGE_BODY, "title": "t" * 256}))


def test_a_title_of_255_characters_is_accepted(client, headers):
    ok(client.post("/v1/change/tickets", headers=headers, json={**CHANGE_BODY, "title": "t" * 255}))


# -- unknown enum values --------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("change", "level", "change_level_050"),
        ("change", "level", "issues_level_1000"),
        ("change", "change_type", "change_type_whenever"),
        ("change", "change_scheme", "change_scheme_magic"),
        ("change", "plan_task_sub_type", "PRIVATE"),
        ("issues_mgmt", "level", "issues_level_5000"),
        ("issues_mgmt", "level", "change_level_010"),
        ("issues_mgmt", "virtual_schedule_type", "issues_mgmt_virtual_schedule_type_3000"),
        ("issues_mgmt", "source", "issues_mgmt_associated_type_9000"),
    ],
)
def test_an_unknown_enum_value_is_named(client, headers, kind, field, value):
    body = {**(CHANGE_BODY if kind == "change" else ISSUE_BODY), field: value}

    message = invalid(client.post(f"/v1/{kind}/tickets", headers=headers, json=body))

    assert value in message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_action_is_named(client, headers, change_id, issue_id, kind):
    ticket_id = change_id if kind == "change" else issue_id

    message = invalid(client.post(f"/v1/{kind}/actions", headers=headers,
                                  json={"ticket_id": ticket_id, "action": "approve_everything"}))

    assert "approve_everything" in message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("kind", "action"),
    [("change", "gocm_issues_accepte"), ("change", "suspend_resume"),
     ("issues_mgmt", "cancel_process_action")],
)
def test_an_action_of_the_other_kind_is_refused(client, headers, change_id, issue_id, kind,
                                                action):
    ticket_id = change_id if kind == "change" else issue_id

    reply = client.post(f"/v1/{kind}/actions", headers=headers,
                        json={"ticket_id": ticket_id, "action": action})

    # Each kind's actions are an enum of its own operation's schema.
    assert action in invalid(reply)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [
        {"ticket_info": {"phase": "phase_change_somewhere"}},
        {"ticket_info": {"phase": "phase_issues_close"}},
        {"history_info": {"action": "agreed"}},
        {"history_info": {"action": "change_teleport"}},
    ],
)
def test_an_unknown_phase_or_step_on_an_update_is_invalid(client, headers, change_id, body):
    invalid(client.put(f"/v1/change/tickets/{change_id}", headers=headers, json=body))


# -- updates that name no step, or the wrong one --------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ticket_info": {}},
        {"ticket_info": {"phase": "phase_change_close"}},
        {"ticket_info": {"phase": "phase_change_close"},
         "history_info": {"action": "change_cancel_change_success"}},
        {"ticket_info": {"work_flow_status": "change_closed"},
         "history_info": {"action": "change_cancel_change_success"}},
    ],
    ids=["empty", "empty-ticket-info", "phase-alone", "phase-not-where-the-step-leads",
         "status-not-where-the-step-leads"],
)
def test_an_update_must_name_a_step_consistently(client, headers, change_id, body):
    invalid(client.put(f"/v1/change/tickets/{change_id}", headers=headers, json=body))
    invalid(client.put(f"/v2/changes/{change_id}", headers=headers, json=body))


@pytest.fixture
def to_be_confirmed(client, headers, change_id) -> str:
    """The change, started and ended: its result is due."""
    ok(client.post("/v1/change/actions", headers=headers,
                   json={"ticket_id": change_id, "action": "agreed"}))
    for action in ("change_start_change_success", "change_end_change_success"):
        ok(client.put(f"/v1/change/tickets/{change_id}", headers=headers,
                      json={"history_info": {"action": action}}))
    return change_id


def result_step(client, headers, ticket_id: str, sub_ticket_id: str):
    return client.put(f"/v1/change/tickets/{ticket_id}", headers=headers, json={
        "history_info": {"action": "change_set_change_result_success"},
        "sub_tickets": [{"ticket_id": sub_ticket_id, "change_result": "success"}],
    })


def test_results_for_an_unknown_sub_ticket_are_refused(client, headers, to_be_confirmed):
    before = snapshot(client, headers)

    message = invalid(result_step(client, headers, to_be_confirmed, f"{to_be_confirmed}-99"))

    assert f"{to_be_confirmed}-99" in message
    assert snapshot(client, headers) == before


def test_results_for_the_sub_ticket_of_another_change_are_refused(
    client, headers, to_be_confirmed
):
    other = ok(client.post("/v1/change/tickets", headers=headers, json=CHANGE_BODY))["ticket_id"]
    before = snapshot(client, headers)

    invalid(result_step(client, headers, to_be_confirmed, f"{other}-01"))

    assert snapshot(client, headers) == before


@pytest.mark.usefixtures("unchanged")
def test_results_with_a_step_that_sets_no_result_are_refused(client, headers, change_id):
    reply = client.put(f"/v1/change/tickets/{change_id}", headers=headers, json={
        "history_info": {"action": "change_cancel_change_success"},
        "sub_tickets": [{"ticket_id": f"{change_id}-01", "change_result": "success"}],
    })

    invalid(reply)


# -- action params --------------------------------------------------------------------------------


def issue_act(client, headers, ticket_id: str, action: str, **params):
    return client.post("/v1/issues_mgmt/actions", headers=headers,
                       json={"ticket_id": ticket_id, "action": action, "params": params})


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("action", "params", "named"),
    [
        ("being_handled_initiate_suspend", {}, "estimated_recovery_time"),
        ("being_handled_initiate_suspend", {"estimated_recovery_time": "tomorrow"},
         "estimated_recovery_time"),
        ("being_handled_initiate_suspend", {"estimated_recovery_time": True},
         "estimated_recovery_time"),
        ("being_handled_initiate_suspend", {"estimated_recovery_time": T0_MS},
         "estimated_recovery_time"),
        ("being_handled_initiate_suspend", {"estimated_recovery_time": T0_MS - 1},
         "estimated_recovery_time"),
        ("gocm_issues_handling_forwarding", {}, "forwarding_assigne"),
        ("gocm_issues_handling_forwarding", {"forwarding_assigne": "  "}, "forwarding_assigne"),
        ("gocm_issues_handling_forwarding",
         {"forwarding_assigne": "x", "virtual_schedule_type": "bogus"}, "virtual_schedule_type"),
        ("ugrading_and_downgrading", {}, "level"),
        ("ugrading_and_downgrading", {"level": "change_level_010"}, "level"),
        ("ugrading_and_downgrading", {"level": "issues_level_9000"}, "level"),
        ("submitting_question", {}, "solution"),
        ("submitting_question", {"solution": ""}, "solution"),
        ("submitting_question", {"solution": "s", "is_need_change": "yes"}, "is_need_change"),
        ("submitting_question", {"solution": "s", "root_cause_type": 5}, "root_cause_type"),
        ("submitting_question", {"solution": "s", "sub_tickets": "x"}, "sub_tickets"),
        ("submitting_question", {"solution": "s", "sub_tickets": [{"affected_region": 1}]},
         "sub_tickets"),
    ],
)
def test_bad_action_params_are_named(client, headers, issue_id, action, params, named):
    message = invalid(issue_act(client, headers, issue_id, action, **params))

    assert named in message


@pytest.mark.parametrize(
    "params", [{}, {"unaccepted_rejection_description": "   "},
               {"unaccepted_rejection_description": 5}],
    ids=["absent", "blank", "number"],
)
def test_rejecting_an_unaccepted_issue_needs_a_description(client, headers, params):
    ticket_id = ok(client.post("/v1/issues_mgmt/tickets", headers=headers, json=ISSUE_BODY))[
        "ticket_id"
    ]
    before = snapshot(client, headers)

    reply = issue_act(client, headers, ticket_id, "gocm_issues_unaccepted_reject", **params)

    assert "unaccepted_rejection_description" in invalid(reply)
    assert snapshot(client, headers) == before


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "params", [{"conclusion": "no"}, {"conclusion": 0}], ids=["string", "number"]
)
def test_an_approval_conclusion_must_be_a_boolean(client, headers, change_id, params):
    reply = client.post("/v1/change/actions", headers=headers,
                        json={"ticket_id": change_id, "action": "agreed", "params": params})

    assert "conclusion" in invalid(reply)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [{"action": "agreed"}, {"ticket_id": "", "action": "agreed"},
     {"ticket_id": "C" * 65, "action": "agreed"},
     {"ticket_id": UNKNOWN_ID, "action": "agreed", "user_id": "u" * 65}],
    ids=["no-ticket-id", "empty-ticket-id", "long-ticket-id", "long-user-id"],
)
def test_an_action_needs_a_proper_ticket_id_and_user_id(client, headers, body):
    invalid(client.post("/v1/change/actions", headers=headers, json=body))


# -- unknown tickets and kinds --------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/v1/change/tickets/{UNKNOWN_ID}", None),
        ("GET", "/v1/issues_mgmt/tickets/IM202601151000000000000000", None),
        ("PUT", f"/v1/change/tickets/{UNKNOWN_ID}",
         {"history_info": {"action": "change_cancel_change_success"}}),
        ("PUT", f"/v2/changes/{UNKNOWN_ID}",
         {"history_info": {"action": "change_cancel_change_success"}}),
        ("DELETE", f"/v1/change/tickets/{UNKNOWN_ID}", None),
        ("POST", "/v1/change/actions", {"ticket_id": UNKNOWN_ID, "action": "agreed"}),
        ("GET", f"/v1/change/tickets/{UNKNOWN_ID}/list-sub-tickets?type=change_scope", None),
        ("GET", "/v1/external/issues/IM202601151000000000000000", None),
    ],
)
def test_an_unknown_ticket_is_not_found(client, headers, method, path, body):
    refused(client.request(method, path, headers=headers, json=body), 404, NOT_FOUND)


@pytest.mark.usefixtures("unchanged")
def test_a_ticket_of_the_other_kind_is_not_found(client, headers, change_id, issue_id):
    refused(client.get(f"/v1/issues_mgmt/tickets/{change_id}", headers=headers), 404, NOT_FOUND)
    refused(client.get(f"/v1/change/tickets/{issue_id}", headers=headers), 404, NOT_FOUND)
    refused(client.put(f"/v2/changes/{issue_id}", headers=headers,
                       json={"history_info": {"action": "change_cancel_change_success"}}),
            404, NOT_FOUND)
    refused(client.post("/v1/issues_mgmt/actions", headers=headers,
                        json={"ticket_id": change_id, "action": "gocm_issues_undo_create"}),
            404, NOT_FOUND)
    refused(client.get(f"/v1/external/issues/{change_id}", headers=headers), 404, NOT_FOUND)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/incidents/tickets/{id}"),
        ("POST", "/v1/incidents/list-tickets"),
        ("POST", "/v1/incidents/list-histories"),
        ("GET", "/v1/incidents/tickets/{id}/list-sub-tickets?type=change_scope"),
        ("POST", "/v1/external/change/list-histories"),
        ("POST", "/v1/change/attachments"),
        ("GET", "/v1/change/attachments/{id}"),
    ],
)
def test_an_unknown_ticket_type_in_the_path_is_invalid(client, headers, change_id, method, path):
    body = {} if method == "POST" else None

    message = invalid(client.request(method, path.format(id=change_id), headers=headers,
                                     json=body))

    assert "incidents" in message or "change" in message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_issue_tickets_cannot_be_updated_or_deleted(client, headers, issue_id, method):
    body = {"history_info": {"action": "change_cancel_change_success"}} if method == "PUT" else None

    message = invalid(client.request(method, f"/v1/issues_mgmt/tickets/{issue_id}",
                                     headers=headers, json=body))

    assert "issues_mgmt" in message


# -- list parameters ------------------------------------------------------------------------------


def list_body(operator="=", field="title", values=("x",)) -> dict:
    return {"string_filters": [{"operator": operator, "field": field, "values": list(values)}]}


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/change/list-tickets", list_body(field="favourite_colour")),
        ("/v1/change/list-tickets", list_body(field="")),
        ("/v1/change/list-tickets", list_body(operator="~")),
        ("/v1/change/list-tickets", list_body(operator="asc")),
        ("/v1/change/list-tickets", {"string_filters": [{"operator": "=", "values": ["x"]}]}),
        ("/v1/change/list-tickets", list_body(values=())),
        ("/v1/change/list-tickets", {"string_filters": [{"operator": "=", "field": "title"}]}),
        ("/v1/change/list-tickets", {"sort_filter": {"field": "favourite_colour"}}),
        ("/v1/change/list-tickets", {"sort_filter": {"field": "title", "operator": "like"}}),
        ("/v1/change/list-tickets", {"per_page": 0}),
        ("/v1/change/list-tickets", {"per_page": 101}),
        ("/v1/change/list-tickets", {"page": 0}),
        ("/v1/issues_mgmt/list-histories", list_body(field="title")),
        ("/v1/issues_mgmt/list-histories", list_body(operator="sideways")),
        ("/v1/external/issues_mgmt/list-histories", list_body(field="favourite_colour")),
        ("/v1/external/incident/list-histories", list_body(values=())),
    ],
    ids=["unknown-field", "empty-field", "unknown-operator", "sort-operator-as-filter",
         "no-field", "empty-values", "no-values", "sort-by-unknown-field",
         "filter-operator-as-sort", "per-page-0", "per-page-101", "page-0",
         "history-unknown-field", "history-unknown-operator", "external-unknown-field",
         "incident-empty-values"],
)
def test_bad_list_parameters_are_invalid(client, headers, path, body):
    invalid(client.post(path, headers=headers, json=body))


def test_per_page_1_and_100_are_accepted(client, headers, change_id):
    assert len(ok(client.post("/v1/change/list-tickets", headers=headers,
                              json={"per_page": 1}))["tickets"]) == 1
    assert len(ok(client.post("/v1/change/list-tickets", headers=headers,
                              json={"per_page": 100}))["tickets"]) == 1


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "query",
    ["", "?type=", "?type=change_scope&limit=0", "?type=change_scope&limit=101",
     "?type=change_scope&limit=ten", "?type=change_scope&marker=CM000-01"],
    ids=["no-type", "empty-type", "limit-0", "limit-101", "limit-not-a-number",
         "unknown-marker"],
)
def test_bad_sub_ticket_list_parameters_are_invalid(client, headers, change_id, query):
    invalid(client.get(f"/v1/change/tickets/{change_id}/list-sub-tickets{query}",
                       headers=headers))


# -- attachments ----------------------------------------------------------------------------------


def upload(client, headers, name: str, content: bytes):
    return client.post("/v1/incident/attachments", headers=headers,
                       files={"file": (name, content, "application/octet-stream")})


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("name", ["setup.exe", "notes", "archive.tar.gz", "notes.txt.exe",
                                  "picture.gif"])
def test_an_attachment_of_a_type_not_allowed_is_invalid(client, headers, name):
    message = invalid(upload(client, headers, name, b"MZ\x90\x00"))

    assert "txt" in message


@pytest.mark.usefixtures("unchanged")
def test_an_empty_attachment_is_invalid(client, headers):
    assert "empty" in invalid(upload(client, headers, "notes.txt", b""))


# connexion 3.3 parses an upload twice and closes neither copy; a large one is a real file, so
# the garbage collector closes it here, inside the test, to keep its warning with the test.
leaves_its_temporary_file_open = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


@leaves_its_temporary_file_open
@pytest.mark.usefixtures("unchanged")
def test_an_attachment_just_over_10_mb_is_invalid(client, headers):
    message = invalid(upload(client, headers, "big.pdf", b"x" * (MB10 + 1)))

    assert "10 MB" in message
    gc.collect()


@leaves_its_temporary_file_open
def test_an_attachment_of_exactly_10_mb_is_accepted(client, headers):
    content = bytes(range(256)) * (MB10 // 256)

    reply = upload(client, headers, "big.pdf", content)

    assert reply.status_code == 200, reply.text[:300]
    download = client.get(f"/v1/incident/attachments/{reply.json()['id']}", headers=headers)
    assert len(download.content) == MB10
    assert download.content == content
    gc.collect()


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("content_type", "content"),
    [("application/json", b'{"file": "notes.txt"}'),
     ("application/octet-stream", b"plain bytes"),
     ("text/plain", b"plain text")],
)
def test_an_attachment_that_is_not_multipart_is_invalid(client, headers, content_type, content):
    reply = client.post("/v1/incident/attachments",
                        headers={**headers, "Content-Type": content_type}, content=content)

    assert "multipart" in invalid(reply)


@pytest.mark.usefixtures("unchanged")
def test_a_multipart_body_without_the_file_field_is_invalid(client, headers):
    reply = client.post("/v1/incident/attachments", headers=headers,
                        files={"document": ("notes.txt", b"hello")})

    assert "file" in invalid(reply)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("filename", [None, ""])
def test_a_file_part_without_a_file_name_is_invalid(client, headers, filename):
    reply = client.post("/v1/incident/attachments", headers=headers,
                        files={"file": (filename, b"hello")})

    invalid(reply)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=xyz",
                                          "multipart/form-data"])
def test_a_broken_multipart_body_is_invalid(client, headers, content_type):
    reply = client.post("/v1/incident/attachments",
                        headers={**headers, "Content-Type": content_type}, content=b"garbage")

    invalid(reply)


@pytest.mark.usefixtures("unchanged")
def test_two_files_in_one_upload_are_invalid(client, headers):
    reply = client.post("/v1/incident/attachments", headers=headers,
                        files=[("file", ("a.txt", b"1")), ("file", ("b.txt", b"2"))])

    invalid(reply)


@pytest.mark.usefixtures("unchanged")
def test_an_unknown_attachment_is_not_found(client, headers):
    refused(client.get("/v1/incident/attachments/no-such-doc", headers=headers), 404, NOT_FOUND)


# -- the transport limit --------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
def test_an_upload_over_the_transport_limit_is_the_gateways_413(client, headers):
    reply = upload(client, headers, "huge.pdf", b"x" * (MB10 + 64 * 1024 + 1))

    gateway_refused(reply, 413, "APIGW.0201")


@pytest.mark.usefixtures("unchanged")
def test_a_json_body_over_the_transport_limit_is_the_gateways_413(client, json_headers):
    body = json.dumps({**CHANGE_BODY, "change_notes": "n" * (MB10 + 64 * 1024)}).encode()

    reply = client.post("/v1/change/tickets", headers=json_headers, content=body)

    gateway_refused(reply, 413, "APIGW.0201")


# -- odd unicode: stored exactly, or refused cleanly ----------------------------------------------

ODD_TITLES = {
    "emoji": "ticket \U0001f3ab \U0001f468\u200d\U0001f469\u200d\U0001f467 family",
    "rtl-marks": "rtl \u202eabc\u202c \u200f\u05e9\u05dc\u05d5\u05dd",
    "nul": "nul \u0000 char",
    "combining": "combining e\u0301 and zero\u200bwidth",
    "bom-and-controls": "\ufeffbom \u0007 bell \u001b[31m",
}


def assert_stored_or_refused(client, headers, kind: str, reply, title: str, before) -> None:
    assert reply.status_code < 500, reply.text
    if reply.status_code == 200:
        ticket_id = reply.json()["data"]["ticket_id"]
        shown = ok(client.get(f"/v1/{kind}/tickets/{ticket_id}", headers=headers))
        assert shown["title"] == title
        # json.dumps escapes what UTF-8 cannot carry (a lone surrogate) as \\uXXXX.
        search = {"string_filters": [{"operator": "=", "field": "title", "values": [title]}]}
        listed = ok(client.post(f"/v1/{kind}/list-tickets", content=json.dumps(search),
                                headers={**headers, "Content-Type": "application/json"}))
        assert [t["ticket_id"] for t in listed["tickets"]] == [ticket_id]
    else:
        invalid(reply)
        assert snapshot(client, headers) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("title", ODD_TITLES.values(), ids=ODD_TITLES.keys())
def test_an_odd_unicode_title_is_stored_exactly_or_refused_cleanly(
    client, headers, before, kind, title
):
    body = {**(CHANGE_BODY if kind == "change" else ISSUE_BODY), "title": title}

    reply = client.post(f"/v1/{kind}/tickets", headers=headers, json=body)

    assert_stored_or_refused(client, headers, kind, reply, title, before)


@pytest.mark.parametrize("kind", KINDS)
def test_a_lone_surrogate_escaped_in_json_is_stored_exactly_or_refused_cleanly(
    client, json_headers, before, kind
):
    body = {**(CHANGE_BODY if kind == "change" else ISSUE_BODY), "title": "TITLE"}
    content = json.dumps(body).replace("TITLE", "lone \\ud800 surrogate").encode("ascii")

    reply = client.post(f"/v1/{kind}/tickets", headers=json_headers, content=content)

    assert_stored_or_refused(client, json_headers, kind, reply, "lone \ud800 surrogate", before)


@pytest.mark.usefixtures("unchanged")
def test_odd_unicode_in_a_filter_finds_nothing_without_error(client, headers):
    for value in ODD_TITLES.values():
        listed = ok(client.post("/v1/change/list-tickets", headers=headers,
                                json=list_body(operator="like", values=[value])))
        assert listed["tickets"] == []


# -- routing and credentials ----------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/change/nothing-here"), ("POST", "/v1/incidents/tickets"),
     ("POST", "/v1/problems/actions"), ("GET", "/v2/changes/CM1/extra"),
     ("POST", "/v1/change/tickets/CM1/list-sub-tickets/more")],
)
def test_an_unknown_path_is_the_gateways_404(client, headers, method, path):
    gateway_refused(client.request(method, path, headers=headers), 404, "APIGW.0101")


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", "/v1/change/tickets/{id}", ["DELETE", "GET", "PUT"]),
        ("GET", "/v1/change/list-tickets", ["POST"]),
        ("GET", "/v1/change/tickets", ["POST"]),
        ("PUT", "/v1/change/actions", ["POST"]),
        ("POST", "/v2/changes/{id}", ["PUT"]),
        ("DELETE", "/v1/incident/attachments/some-doc", ["GET"]),
    ],
)
def test_a_wrong_method_is_the_gateways_405_with_allow(client, headers, change_id, method, path,
                                                       allowed):
    reply = client.request(method, path.format(id=change_id), headers=headers)

    gateway_refused(reply, 405, "APIGW.0101")
    assert sorted(m.strip() for m in reply.headers["allow"].split(",")) == allowed


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/change/tickets", CHANGE_BODY),
        ("POST", "/v1/issues_mgmt/list-tickets", {}),
        ("GET", f"/v1/change/tickets/{UNKNOWN_ID}", None),
        ("DELETE", f"/v1/change/tickets/{UNKNOWN_ID}", None),
        ("POST", "/v1/external/issues/create", {}),
        ("GET", "/v1/incident/attachments/some-doc", None),
    ],
)
@pytest.mark.parametrize(
    "credentials",
    [{}, {"X-Auth-Token": "not-a-token"}, {"X-Auth-Token": ""},
     {"Authorization": "Bearer abc"}],
    ids=["none", "unknown-token", "empty-token", "bearer"],
)
def test_missing_or_bad_credentials_are_a_401(client, method, path, body, credentials):
    reply = client.request(method, path, headers=credentials, json=body)

    refused(reply, 401, AUTH)


@pytest.mark.usefixtures("unchanged")
def test_a_domain_that_is_not_the_tokens_is_a_401(client, headers):
    reply = client.post("/v1/change/list-tickets",
                        headers={**headers, "X-Domain-Id": "f" * 32}, json={})

    refused(reply, 401, AUTH)
