"""Bad input gets ZStack's own answer, never a 500, and leaves the state as it was."""

import json

import pytest

from mockserver.config import Config, ZStackSettings
from tests.conftest import ADMIN_AUTH
from tests.zstack_helpers import (
    MISSING_UUID,
    PENDING_TICKET,
    REJECTED_TICKET,
    auth,
    change_status,
    client_for,
    failure,
    poll,
    ticket,
    ticket_request,
    tickets,
)

V1 = "/zstack/v1"
ACTIONS = f"{V1}/tickets/{PENDING_TICKET}/actions"
JSON_ADMIN = {**ADMIN_AUTH, "Content-Type": "application/json"}


@pytest.fixture
def before(client):
    """The tickets as they were before the bad request."""
    return tickets(client)


def assert_plain_text(reply, status: int) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.text


def assert_job_fails(client, reply, code: str) -> dict:
    assert reply.status_code == 202, reply.text
    error = failure(client, reply)
    assert error["code"] == code
    return error


# -- unreadable requests: a plain-text 400 at once --------------------------------------------


def test_malformed_json_is_a_plain_text_400(client, before):
    reply = client.put(ACTIONS, headers=JSON_ADMIN, content=b'{"changeTicketStatus": {')

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_a_body_that_is_not_utf8_is_a_plain_text_400(client, before):
    reply = client.put(
        ACTIONS,
        headers=JSON_ADMIN,
        content='{"changeTicketStatus":{"comment":"é"}}'.encode("latin-1"),
    )

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_a_body_without_the_wrapper_key_is_a_plain_text_400(client, before):
    reply = client.put(ACTIONS, headers=ADMIN_AUTH, json={"statusEvent": "approve"})

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_a_create_without_params_is_a_plain_text_400(client, before):
    reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json={"name": "flat"})

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_an_empty_body_is_a_plain_text_400(client, before):
    reply = client.put(ACTIONS, headers=JSON_ADMIN, content=b"")

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_a_json_array_instead_of_an_object_is_a_plain_text_400(client, before):
    reply = client.put(ACTIONS, headers=JSON_ADMIN, content=b"[]")

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_requests_given_as_a_string_is_a_plain_text_400(client, before):
    reply = client.put(
        f"{V1}/tickets/{REJECTED_TICKET}/actions",
        headers=ADMIN_AUTH,
        json={"updateTicketRequest": {"requests": "create vm"}},
    )

    assert_plain_text(reply, 400)
    assert "requests" in reply.text
    assert tickets(client) == before


def test_a_wrapper_given_as_a_string_is_a_plain_text_400(client, before):
    reply = client.put(ACTIONS, headers=ADMIN_AUTH, json={"changeTicketStatus": "approve"})

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_both_wrapper_keys_at_once_are_a_plain_text_400(client, before):
    reply = client.put(
        ACTIONS,
        headers=ADMIN_AUTH,
        json={
            "changeTicketStatus": {"statusEvent": "cancel"},
            "updateTicketRequest": {"requests": ticket_request()["params"]["requests"]},
        },
    )

    assert_plain_text(reply, 400)
    assert tickets(client) == before


# -- arguments that break the API's constraints: the job fails with SYS.1007 ----------------------


def test_an_unknown_status_event_fails_the_job_with_sys_1007(client, before):
    reply = client.put(
        ACTIONS, headers=ADMIN_AUTH, json={"changeTicketStatus": {"statusEvent": "bogus"}}
    )

    error = assert_job_fails(client, reply, "SYS.1007")
    assert "bogus" in error["details"]
    assert tickets(client) == before


def test_an_unknown_status_event_fails_the_job_with_http_503(client):
    reply = client.put(
        ACTIONS, headers=ADMIN_AUTH, json={"changeTicketStatus": {"statusEvent": "bogus"}}
    )

    job = poll(client, reply)
    assert job.status_code == 503
    assert job.headers["content-type"].startswith("application/json")


def test_a_256_character_name_fails_the_job_with_sys_1007(client, before):
    reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=ticket_request("n" * 256))

    assert_job_fails(client, reply, "SYS.1007")
    assert tickets(client) == before


def test_a_255_character_name_is_accepted(client):
    reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=ticket_request("n" * 255))

    assert poll(client, reply).status_code == 200


def test_a_missing_required_field_inside_the_wrapper_fails_the_job_with_sys_1007(client, before):
    body = ticket_request()
    del body["params"]["requests"]

    reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=body)

    error = assert_job_fails(client, reply, "SYS.1007")
    assert "requests" in error["details"]
    assert tickets(client) == before


def test_a_change_without_status_event_fails_the_job_with_sys_1007(client, before):
    reply = client.put(ACTIONS, headers=ADMIN_AUTH, json={"changeTicketStatus": {"comment": "hm"}})

    assert_job_fails(client, reply, "SYS.1007")
    assert tickets(client) == before


def test_an_action_on_an_unknown_ticket_fails_the_job_with_sys_1003(client, before):
    reply = change_status(client, MISSING_UUID, "approve")

    assert_job_fails(client, reply, "SYS.1003")
    assert tickets(client) == before


def test_a_bogus_delete_mode_fails_the_job_with_sys_1007(client, before):
    reply = client.delete(
        f"{V1}/tickets/{REJECTED_TICKET}", headers=ADMIN_AUTH, params={"deleteMode": "bogus"}
    )

    assert_job_fails(client, reply, "SYS.1007")
    assert tickets(client) == before


# -- odd unicode: stored exactly, or refused cleanly -----------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "emoji \U0001f3ab ticket",
        "rtl \u202eabc\u200f marks",
        "nul \u0000 char",
        "combining e\u0301 and zero\u200bwidth",
    ],
    ids=["emoji", "rtl-marks", "nul", "combining"],
)
def test_an_odd_unicode_name_is_stored_exactly_or_refused_cleanly(client, before, name):
    reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=ticket_request(name))

    assert reply.status_code < 500
    job = poll(client, reply) if reply.status_code == 202 else reply
    assert job.status_code < 500 or job.json()["error"]["code"] == "SYS.1007"
    if job.status_code == 200:
        assert ticket(client, job.json()["inventory"]["uuid"])["name"] == name
        assert len(tickets(client)) == len(before) + 1
    else:
        assert tickets(client) == before


def test_a_lone_surrogate_escaped_in_json_is_stored_exactly_or_refused_cleanly(client, before):
    body = json.dumps(ticket_request("NAME")).replace("NAME", "lone \\ud800 surrogate")

    reply = client.post(f"{V1}/tickets", headers=JSON_ADMIN, content=body.encode("ascii"))

    assert reply.status_code < 500
    job = poll(client, reply) if reply.status_code == 202 else reply
    assert job.status_code < 500 or job.json()["error"]["code"] == "SYS.1007"
    if job.status_code == 200:
        stored = ticket(client, job.json()["inventory"]["uuid"])
        assert stored["name"] == "lone \ud800 surrogate"
        assert len(tickets(client)) == len(before) + 1
    else:
        assert tickets(client) == before


# -- size, credentials, sessions ---------------------------------------------------------------


def test_a_body_over_the_size_limit_is_a_plain_text_413():
    with client_for(Config(seed=7, zstack=ZStackSettings(max_body_bytes=1000))) as client:
        before = tickets(client)
        big = ticket_request("big")
        big["params"]["description"] = "d" * 1500

        reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=big)

        assert_plain_text(reply, 413)
        assert tickets(client) == before


def test_a_body_just_under_the_size_limit_is_accepted():
    with client_for(Config(seed=7, zstack=ZStackSettings(max_body_bytes=1000))) as client:
        reply = client.put(
            ACTIONS, headers=ADMIN_AUTH, json={"changeTicketStatus": {"statusEvent": "cancel"}}
        )

        assert reply.status_code == 202


def test_a_call_without_authorization_is_a_plain_text_400(client, before):
    reply = client.post(f"{V1}/tickets", json=ticket_request())

    assert_plain_text(reply, 400)
    assert tickets(client) == before


def test_a_query_without_authorization_is_a_plain_text_400(client):
    reply = client.get(f"{V1}/tickets")

    assert_plain_text(reply, 400)


def test_a_bearer_token_is_a_plain_text_400(client, before):
    reply = client.put(
        ACTIONS,
        headers={"Authorization": "Bearer x"},
        json={"changeTicketStatus": {"statusEvent": "cancel"}},
    )

    assert_plain_text(reply, 400)
    assert "OAuth" in reply.text
    assert tickets(client) == before


def test_an_unknown_session_on_a_query_is_a_503_json_id_1001(client):
    reply = client.get(f"{V1}/tickets", headers=auth(MISSING_UUID))

    assert reply.status_code == 503
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json()["error"]["code"] == "ID.1001"


def test_an_unknown_session_on_an_async_call_fails_its_job_with_id_1001(client, before):
    reply = change_status(client, PENDING_TICKET, "cancel", auth(MISSING_UUID))

    assert_job_fails(client, reply, "ID.1001")
    assert tickets(client) == before


# -- routing --------------------------------------------------------------------------------


def test_a_wrong_method_is_a_405_naming_every_method_of_the_path(client):
    reply = client.request("PATCH", f"{V1}/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH)

    assert reply.status_code == 405
    assert sorted(m.strip() for m in reply.headers["allow"].split(",")) == ["DELETE", "GET"]


def test_a_wrong_method_on_the_ticket_list_names_get_and_post(client):
    reply = client.put(f"{V1}/tickets", headers=ADMIN_AUTH, json={})

    assert reply.status_code == 405
    assert sorted(m.strip() for m in reply.headers["allow"].split(",")) == ["GET", "POST"]


def test_a_wrong_method_on_a_literal_path_names_only_its_own_methods(client):
    reply = client.request("PATCH", f"{V1}/tickets/histories", headers=ADMIN_AUTH)

    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET"


def test_an_unknown_path_under_zstack_is_a_plain_text_404(client):
    reply = client.get(f"{V1}/no-such-thing", headers=ADMIN_AUTH)

    assert_plain_text(reply, 404)


def test_an_unknown_path_outside_v1_is_a_plain_text_404(client):
    reply = client.get("/zstack/v2/tickets", headers=ADMIN_AUTH)

    assert_plain_text(reply, 404)


def test_a_text_plain_body_is_refused_with_a_4xx(client, before):
    reply = client.put(
        ACTIONS,
        headers={**ADMIN_AUTH, "Content-Type": "text/plain"},
        content=b'{"changeTicketStatus":{"statusEvent":"cancel"}}',
    )

    assert 400 <= reply.status_code < 500
    assert reply.headers["content-type"].startswith("text/plain")
    assert tickets(client) == before
