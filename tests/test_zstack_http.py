"""Every operation of specs/zstack-tickets.yaml, over HTTP against the in-process mock."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from mockserver.config import Config, ZStackSettings
from mockserver.progression import Progression, Progressions
from tests.conftest import ADMIN_AUTH, ADMIN_SESSION
from tests.zstack_helpers import (
    APPROVER1,
    APPROVER2,
    DEFAULT_COLLECTION,
    MISSING_UUID,
    PASSWORD_SHA512,
    PENDING_TICKET,
    PROJECT,
    REJECTED_TICKET,
    REQUESTER,
    TICKET_TYPE,
    auth,
    change_status,
    client_for,
    create_ticket,
    failure,
    job_path,
    login_virtual_id,
    poll,
    query,
    result,
    ticket,
    ticket_request,
    tickets,
)

V1 = "/zstack/v1"

# -- sessions ---------------------------------------------------------------------------------


def test_an_account_logs_in_with_the_sha512_hex_of_its_password(client):
    reply = client.put(
        f"{V1}/accounts/login",
        json={"logInByAccount": {"accountName": "admin", "password": PASSWORD_SHA512}},
    )

    assert reply.status_code == 200
    session = reply.json()["inventory"]
    assert session["userType"] == "AccountVO"
    assert session["accountUuid"] == "36c27e8ff05c4780bf6d2fa65700f22e"
    assert len(session["uuid"]) == 32


def test_an_account_login_with_the_plain_password_fails_with_id_1000(client):
    reply = client.put(
        f"{V1}/accounts/login",
        json={"logInByAccount": {"accountName": "admin", "password": "password"}},
    )

    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "ID.1000"


def test_a_new_account_session_can_query_tickets(client):
    session = client.put(
        f"{V1}/accounts/login",
        json={"logInByAccount": {"accountName": "admin", "password": PASSWORD_SHA512}},
    ).json()["inventory"]["uuid"]

    reply = client.get(f"{V1}/tickets", headers=auth(session))

    assert reply.status_code == 200
    assert len(reply.json()["inventories"]) == 2


def test_a_virtual_id_logs_in_as_an_iam2_virtual_id(client):
    reply = client.put(
        f"{V1}/iam2/virtual-ids/login",
        json={"loginIAM2VirtualID": {"name": "requester", "password": PASSWORD_SHA512}},
    )

    assert reply.status_code == 200
    assert reply.json()["inventory"]["userType"] == "IAM2VirtualIDVO"
    assert reply.json()["inventory"]["userUuid"] == REQUESTER


def test_a_virtual_id_enters_its_project_with_a_new_session(client):
    session = login_virtual_id(client, "requester")

    reply = client.put(
        f"{V1}/iam2/projects/login",
        headers=auth(session),
        json={"loginIAM2Project": {"projectName": "demo-project"}},
    )

    assert reply.status_code == 200
    inventory = reply.json()["inventory"]
    assert inventory["userUuid"] == REQUESTER
    assert inventory["uuid"] != session


def test_a_project_login_for_an_unknown_project_fails(client):
    session = login_virtual_id(client, "requester")

    reply = client.put(
        f"{V1}/iam2/projects/login",
        headers=auth(session),
        json={"loginIAM2Project": {"projectName": "no-such-project"}},
    )

    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "SYS.1003"


def test_a_fresh_session_is_valid(client):
    session = login_virtual_id(client, "requester")

    reply = client.get(f"{V1}/accounts/sessions/{session}/valid")

    assert reply.status_code == 200
    assert reply.json() == {"valid": True}


def test_an_unknown_session_is_not_valid(client):
    reply = client.get(f"{V1}/accounts/sessions/{MISSING_UUID}/valid")

    assert reply.json() == {"valid": False}


def test_logging_out_ends_the_session(client):
    session = login_virtual_id(client, "requester")

    reply = client.delete(f"{V1}/accounts/sessions/{session}")

    assert reply.status_code == 200
    assert reply.json() == {}
    assert client.get(f"{V1}/accounts/sessions/{session}/valid").json() == {"valid": False}


def test_a_logged_out_session_cannot_query_any_more(client):
    session = login_virtual_id(client, "requester")
    client.delete(f"{V1}/accounts/sessions/{session}")

    reply = client.get(f"{V1}/tickets", headers=auth(session))

    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "ID.1001"


# -- tickets ----------------------------------------------------------------------------------


def test_creating_a_ticket_answers_202_with_a_job_location_and_timeout(client):
    reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=ticket_request())

    assert reply.status_code == 202
    assert job_path(reply).startswith(f"{V1}/api-jobs/")
    assert reply.json()["apiTimeout"] == 1_800_000


def test_a_created_ticket_is_pending_at_the_first_flow_of_the_default_collection(client):
    created = create_ticket(client, "new ticket")

    assert created["status"] == "Pending"
    assert created["flowCollectionUuid"] == DEFAULT_COLLECTION
    assert created["currentFlowUuid"] == "4f0c7a2e9b1d4c3a8e6f5d2b1a0c9e8d"
    assert created["ticketTypeUuid"] == TICKET_TYPE


def test_a_created_ticket_is_seen_by_the_ticket_query(client):
    created = create_ticket(client, "new ticket")

    assert created["uuid"] in {t["uuid"] for t in tickets(client)}
    assert ticket(client, created["uuid"])["name"] == "new ticket"


def test_a_ticket_gets_the_resource_uuid_asked_for(client):
    created = create_ticket(client, resourceUuid="00112233445566778899aabbccddeeff")

    assert created["uuid"] == "00112233445566778899aabbccddeeff"


def test_the_requester_may_create_a_ticket_with_a_virtual_id_session(client):
    session = login_virtual_id(client, "requester")

    reply = client.post(f"{V1}/tickets", headers=auth(session), json=ticket_request())

    assert result(client, reply)["inventory"]["accountSystemContext"]["virtualIDUuid"] == (
        REQUESTER
    )


def test_a_virtual_id_may_not_create_a_ticket_for_someone_else(client):
    session = login_virtual_id(client, "approver1")

    reply = client.post(f"{V1}/tickets", headers=auth(session), json=ticket_request())

    assert failure(client, reply)["code"] == "ID.1002"


def test_getting_an_unknown_ticket_answers_200_with_no_inventories(client):
    reply = client.get(f"{V1}/tickets/{MISSING_UUID}", headers=ADMIN_AUTH)

    assert reply.status_code == 200
    assert reply.json()["inventories"] == []


def test_the_first_approver_moves_a_ticket_to_intermediate_approved(client):
    session = login_virtual_id(client, "approver1")

    reply = change_status(client, PENDING_TICKET, "approve", auth(session))

    inventory = result(client, reply)["inventory"]
    assert inventory["status"] == "IntermediateApproved"
    assert inventory["currentFlowUuid"] == "6b8d0f2a4c6e4a8c0e2f4a6c8e0a2c4e"


def test_the_second_approval_makes_the_ticket_final_approved(client):
    change_status(client, PENDING_TICKET, "approve", auth(login_virtual_id(client, "approver1")))

    reply = change_status(
        client, PENDING_TICKET, "approve", auth(login_virtual_id(client, "approver2"))
    )

    assert result(client, reply)["inventory"]["status"] == "FinalApproved"


def test_the_second_approver_may_not_judge_the_first_step(client):
    reply = change_status(
        client, PENDING_TICKET, "approve", auth(login_virtual_id(client, "approver2"))
    )

    assert failure(client, reply)["code"] == "ID.1002"
    assert ticket(client, PENDING_TICKET)["status"] == "Pending"


def test_a_rejected_ticket_can_be_reopened(client):
    reply = change_status(client, REJECTED_TICKET, "reopen")

    assert result(client, reply)["inventory"]["status"] == "Pending"


def test_an_event_the_status_does_not_allow_fails_with_sys_1006(client):
    reply = change_status(client, PENDING_TICKET, "reopen")

    assert failure(client, reply)["code"] == "SYS.1006"
    assert ticket(client, PENDING_TICKET)["status"] == "Pending"


def test_cancelling_a_ticket_makes_it_cancelled(client):
    reply = change_status(client, PENDING_TICKET, "cancel")

    assert result(client, reply)["inventory"]["status"] == "Cancelled"


def test_updating_the_requests_replaces_them(client):
    requests = [{"requestName": "other vm", "apiName": "org.zstack.X", "apiBody": {"name": "vm2"}}]

    reply = client.put(
        f"{V1}/tickets/{REJECTED_TICKET}/actions",
        headers=ADMIN_AUTH,
        json={"updateTicketRequest": {"requests": requests, "description": "smaller"}},
    )

    assert result(client, reply)["inventory"]["request"][0]["requestName"] == "other vm"
    assert ticket(client, REJECTED_TICKET)["request"][0]["apiBody"] == {"name": "vm2"}
    assert ticket(client, REJECTED_TICKET)["description"] == "smaller"


def test_a_status_change_adds_a_history_row(client):
    before = query(client, f"{V1}/tickets/histories", q=f"ticketUuid={PENDING_TICKET}")
    change_status(client, PENDING_TICKET, "cancel")

    after = query(client, f"{V1}/tickets/histories", q=f"ticketUuid={PENDING_TICKET}")

    assert len(after["inventories"]) == len(before["inventories"]) + 1
    newest = max(after["inventories"], key=lambda row: row["sequence"])
    assert (newest["fromStatus"], newest["toStatus"]) == ("Pending", "Cancelled")


def test_a_history_row_can_be_fetched_by_uuid(client):
    (row, *_) = query(client, f"{V1}/tickets/histories")["inventories"]

    reply = client.get(f"{V1}/tickets/histories/{row['uuid']}", headers=ADMIN_AUTH)

    assert reply.status_code == 200
    assert reply.json()["inventories"] == [row]


def test_a_pending_ticket_is_not_deleted_in_permissive_mode(client):
    reply = client.delete(f"{V1}/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH)

    assert failure(client, reply)["code"] == "SYS.1006"
    assert ticket(client, PENDING_TICKET)["status"] == "Pending"


def test_deleting_a_ticket_answers_an_empty_result(client):
    reply = client.delete(f"{V1}/tickets/{REJECTED_TICKET}", headers=ADMIN_AUTH)

    assert result(client, reply) == {}
    assert (
        client.get(f"{V1}/tickets/{REJECTED_TICKET}", headers=ADMIN_AUTH).json()["inventories"]
        == []
    )


def test_a_deleted_ticket_moves_to_the_archive(client):
    client.delete(f"{V1}/tickets/{REJECTED_TICKET}", headers=ADMIN_AUTH)

    archived = query(client, f"{V1}/tickets/archives")["inventories"]

    assert [a["ticketUuid"] for a in archived] == [REJECTED_TICKET]
    assert archived[0]["uuid"] != REJECTED_TICKET
    assert archived[0]["status"] == "Rejected"


def test_a_deleted_tickets_histories_move_to_the_archive(client):
    live = query(client, f"{V1}/tickets/histories", q=f"ticketUuid={REJECTED_TICKET}")
    client.delete(f"{V1}/tickets/{REJECTED_TICKET}", headers=ADMIN_AUTH)

    archived = query(client, f"{V1}/tickets/histories/archives", q=f"ticketUuid={REJECTED_TICKET}")[
        "inventories"
    ]

    assert {a["historyUuid"] for a in archived} == {h["uuid"] for h in live["inventories"]}
    assert (
        query(client, f"{V1}/tickets/histories", q=f"ticketUuid={REJECTED_TICKET}")["inventories"]
        == []
    )


def test_enforcing_mode_deletes_a_pending_ticket(client):
    reply = client.delete(
        f"{V1}/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH, params={"deleteMode": "Enforcing"}
    )

    assert result(client, reply) == {}
    assert PENDING_TICKET not in {t["uuid"] for t in tickets(client)}


def test_deleting_an_unknown_ticket_succeeds(client):
    reply = client.delete(f"{V1}/tickets/{MISSING_UUID}", headers=ADMIN_AUTH)

    assert result(client, reply) == {}


# -- queries ----------------------------------------------------------------------------------


def test_a_query_condition_keeps_only_matching_tickets(client):
    change_status(client, PENDING_TICKET, "cancel")

    found = query(client, f"{V1}/tickets", q="status=Cancelled")["inventories"]

    assert [t["uuid"] for t in found] == [PENDING_TICKET]


def test_query_conditions_must_all_hold(client):
    create_ticket(client, "tock")

    found = query(client, f"{V1}/tickets", q=["name~=t_ck%", "status!=Rejected"])["inventories"]

    assert sorted(t["name"] for t in found) == ["ticket", "tock"]


def test_the_in_operator_matches_any_value_of_a_comma_list(client):
    found = query(client, f"{V1}/tickets", q=f"uuid?={PENDING_TICKET},{MISSING_UUID}")

    assert [t["uuid"] for t in found["inventories"]] == [PENDING_TICKET]


def test_a_null_test_finds_histories_without_a_from_status(client):
    found = query(client, f"{V1}/tickets/histories", q="fromStatus is null")["inventories"]

    assert found
    assert all("fromStatus" not in row for row in found)


def test_limit_and_start_page_through_sorted_results(client):
    first = query(client, f"{V1}/tickets", sort="uuid", limit=1, start=0)["inventories"]
    second = query(client, f"{V1}/tickets", sort="uuid", limit=1, start=1)["inventories"]

    assert [t["uuid"] for t in first + second] == sorted([PENDING_TICKET, REJECTED_TICKET])


def test_a_descending_sort_reverses_the_order(client):
    found = query(client, f"{V1}/tickets", sort="-uuid")["inventories"]

    assert [t["uuid"] for t in found] == [PENDING_TICKET, REJECTED_TICKET]


def test_count_answers_only_the_total(client):
    assert query(client, f"{V1}/tickets", count="true") == {"total": 2}


def test_reply_with_count_adds_the_total_before_paging(client):
    reply = query(client, f"{V1}/tickets", replyWithCount="true", limit=1)

    assert reply["total"] == 2
    assert len(reply["inventories"]) == 1


def test_fields_leaves_out_every_other_field(client):
    found = query(client, f"{V1}/tickets", fields="uuid,status")["inventories"]

    assert all(set(t) == {"uuid", "status"} for t in found)


def test_a_query_with_an_unknown_field_is_refused(client):
    reply = client.get(f"{V1}/tickets", headers=ADMIN_AUTH, params={"q": "colour=red"})

    assert reply.status_code == 400
    assert reply.headers["content-type"].startswith("text/plain")


# -- ticket types -----------------------------------------------------------------------------


def test_the_ticket_type_query_lists_the_built_in_type(client):
    found = query(client, f"{V1}/ticket-types")["inventories"]

    assert [t["type"] for t in found] == ["CREATE_VM_INSTANCE_TICKET_TYPE"]


def test_a_ticket_type_can_be_fetched_by_uuid_with_chosen_fields(client):
    reply = client.get(
        f"{V1}/ticket-types/{TICKET_TYPE}", headers=ADMIN_AUTH, params={"fields": "uuid,name"}
    )

    assert reply.json()["inventories"] == [
        {"uuid": TICKET_TYPE, "name": "CREATE_VM_INSTANCE_TICKET_TYPE"}
    ]


# -- flow collections and flows ---------------------------------------------------------------


def create_collection(client, name="two-step", **extra) -> dict:
    params = {
        "name": name,
        "projectUuid": PROJECT,
        "flows": [
            {"name": "lead", "approverUuid": APPROVER1},
            {"name": "ops", "approverUuid": APPROVER2},
        ],
        **extra,
    }
    reply = client.post(
        f"{V1}/tickets/flow-collections", headers=ADMIN_AUTH, json={"params": params}
    )
    return result(client, reply)["inventory"]


def collection_action(client, uuid: str, body: dict):
    return client.put(
        f"{V1}/tickets/flow-collections/{uuid}/actions", headers=ADMIN_AUTH, json=body
    )


def test_a_new_flow_collection_holds_its_flows_in_order(client):
    created = create_collection(client)

    assert created["state"] == "Enabled"
    assert [f["name"] for f in created["flows"]] == ["lead", "ops"]
    assert created["flows"][1]["parentFlowUuid"] == created["flows"][0]["uuid"]


def test_a_new_flow_collection_is_found_by_query_and_by_uuid(client):
    created = create_collection(client)

    by_name = query(client, f"{V1}/tickets/flow-collections", q="name=two-step")["inventories"]
    by_uuid = query(client, f"{V1}/tickets/flow-collections/{created['uuid']}")["inventories"]

    assert [c["uuid"] for c in by_name] == [created["uuid"]]
    assert by_uuid == by_name


def test_a_new_default_collection_replaces_the_previous_default(client):
    create_collection(client, isDefault=True)

    old = query(client, f"{V1}/tickets/flow-collections/{DEFAULT_COLLECTION}")["inventories"]

    assert old[0]["isDefault"] is False


def test_a_flow_collection_can_be_renamed(client):
    created = create_collection(client)

    reply = collection_action(
        client, created["uuid"], {"updateIAM2TicketFlowCollection": {"name": "renamed"}}
    )

    assert result(client, reply)["inventory"]["name"] == "renamed"


def test_a_flow_collection_can_be_disabled(client):
    created = create_collection(client)

    reply = collection_action(
        client, created["uuid"], {"changeTicketFlowCollectionState": {"stateEvent": "disable"}}
    )

    assert result(client, reply)["inventory"]["state"] == "Disabled"


def test_a_disabled_default_collection_takes_no_new_tickets(client):
    collection_action(
        client, DEFAULT_COLLECTION, {"changeTicketFlowCollectionState": {"stateEvent": "disable"}}
    )

    reply = client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=ticket_request())

    assert failure(client, reply)["code"] == "SYS.1006"


def test_a_flow_collection_without_tickets_can_be_deleted(client):
    created = create_collection(client)

    reply = client.delete(f"{V1}/tickets/flow-collections/{created['uuid']}", headers=ADMIN_AUTH)

    assert result(client, reply) == {}
    assert query(client, f"{V1}/tickets/flow-collections/{created['uuid']}")["inventories"] == []


def test_a_flow_collection_in_use_by_a_pending_ticket_is_not_deleted(client):
    reply = client.delete(f"{V1}/tickets/flow-collections/{DEFAULT_COLLECTION}", headers=ADMIN_AUTH)

    assert failure(client, reply)["code"] == "SYS.1006"
    assert query(client, f"{V1}/tickets/flow-collections/{DEFAULT_COLLECTION}")["inventories"]


def test_ticket_types_can_be_removed_from_and_added_to_a_collection(client):
    created = create_collection(client)
    path = f"{V1}/tickets/flow-collections/{created['uuid']}/ticket-types"

    removed = client.delete(path, headers=ADMIN_AUTH, params={"ticketTypeUuids": [TICKET_TYPE]})
    assert result(client, removed) == {}
    after_remove = query(client, f"{V1}/tickets/flow-collections/{created['uuid']}")
    assert after_remove["inventories"][0].get("ticketTypeUuids", []) == []

    added = client.post(
        path, headers=ADMIN_AUTH, json={"params": {"ticketTypeUuids": [TICKET_TYPE]}}
    )
    assert result(client, added) == {}
    after_add = query(client, f"{V1}/tickets/flow-collections/{created['uuid']}")
    assert after_add["inventories"][0]["ticketTypeUuids"] == [TICKET_TYPE]


def add_flow(client, collection_uuid: str, **extra):
    params = {"name": "review", "approverUuid": APPROVER1, "collectionUuid": collection_uuid}
    reply = client.post(
        f"{V1}/tickets/flow", headers=ADMIN_AUTH, json={"params": {**params, **extra}}
    )
    return result(client, reply)["inventory"]


def test_an_added_flow_comes_last_in_its_collection(client):
    created = create_collection(client)

    flow = add_flow(client, created["uuid"])

    assert flow["parentFlowUuid"] == created["flows"][-1]["uuid"]
    flows = query(client, f"{V1}/tickets/flow-collections/{created['uuid']}")["inventories"][0][
        "flows"
    ]
    assert [f["name"] for f in flows] == ["lead", "ops", "review"]


def test_flows_are_found_by_query_and_by_uuid(client):
    created = create_collection(client)
    flow = add_flow(client, created["uuid"])

    by_collection = query(client, f"{V1}/tickets/flow", q=f"collectionUuid={created['uuid']}")
    by_uuid = query(client, f"{V1}/tickets/flow/{flow['uuid']}")

    assert len(by_collection["inventories"]) == 3
    assert by_uuid["inventories"] == [flow]


def test_a_flow_can_be_given_an_approver_title(client):
    flow = add_flow(client, create_collection(client)["uuid"])

    reply = client.put(
        f"{V1}/tickets/flow/{flow['uuid']}/actions",
        headers=ADMIN_AUTH,
        json={"updateIAM2TicketFlow": {"approverTitle": "security officer"}},
    )

    assert result(client, reply)["inventory"]["approverTitle"] == "security officer"
    assert (
        query(client, f"{V1}/tickets/flow/{flow['uuid']}")["inventories"][0]["approverTitle"]
        == "security officer"
    )


def test_a_deleted_flow_is_gone(client):
    flow = add_flow(client, create_collection(client)["uuid"])

    reply = client.delete(f"{V1}/tickets/flow/{flow['uuid']}", headers=ADMIN_AUTH)

    assert result(client, reply) == {}
    assert query(client, f"{V1}/tickets/flow/{flow['uuid']}")["inventories"] == []


def test_deleting_a_middle_flow_relinks_the_next_one(client):
    created = create_collection(client)
    lead, ops = created["flows"]
    flow = add_flow(client, created["uuid"])

    client.delete(f"{V1}/tickets/flow/{ops['uuid']}", headers=ADMIN_AUTH)

    relinked = query(client, f"{V1}/tickets/flow/{flow['uuid']}")["inventories"][0]
    assert relinked["parentFlowUuid"] == lead["uuid"]


# -- jobs -------------------------------------------------------------------------------------


TWO_RUNNING_POLLS = Progressions(zstack_jobs=Progression("polls", 2))


def test_a_job_answers_202_while_it_runs_then_its_result():
    with client_for(Config(seed=7, progression=TWO_RUNNING_POLLS)) as client:
        reply = change_status(client, PENDING_TICKET, "cancel")

        statuses = [poll(client, reply) for _ in range(3)]

        assert [s.status_code for s in statuses] == [202, 202, 200]
        assert statuses[0].json() == {}
        assert statuses[2].json()["inventory"]["status"] == "Cancelled"


def test_a_running_job_has_already_changed_the_state():
    with client_for(Config(seed=7, progression=TWO_RUNNING_POLLS)) as client:
        change_status(client, PENDING_TICKET, "cancel")

        assert ticket(client, PENDING_TICKET)["status"] == "Cancelled"


def test_a_finished_job_can_be_polled_again(client):
    reply = change_status(client, PENDING_TICKET, "cancel")

    first, second = poll(client, reply), poll(client, reply)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()


def test_the_announced_api_timeout_follows_the_configuration():
    with client_for(Config(seed=7, zstack=ZStackSettings(api_timeout_ms=5000))) as client:
        reply = change_status(client, PENDING_TICKET, "cancel")

        assert reply.json()["apiTimeout"] == 5000


def test_an_unknown_job_is_a_plain_text_404(client):
    reply = client.get(f"{V1}/api-jobs/{MISSING_UUID}")

    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/plain")
    assert MISSING_UUID in reply.text


def test_the_caller_chooses_the_job_uuid_with_x_job_uuid(client):
    wanted = "00112233445566778899aabbccddeeff"

    reply = change_status(client, PENDING_TICKET, "cancel", {**ADMIN_AUTH, "X-Job-UUID": wanted})

    assert reply.json()["location"].endswith(f"/api-jobs/{wanted}")
    assert client.get(f"{V1}/api-jobs/{wanted}").status_code == 200


def test_a_malformed_x_job_uuid_is_a_plain_text_400_and_nothing_happens(client):
    reply = change_status(client, PENDING_TICKET, "cancel", {**ADMIN_AUTH, "X-Job-UUID": "nope"})

    assert reply.status_code == 400
    assert reply.headers["content-type"].startswith("text/plain")
    assert ticket(client, PENDING_TICKET)["status"] == "Pending"


def test_a_reused_x_job_uuid_is_a_plain_text_400_and_nothing_happens(client):
    wanted = {**ADMIN_AUTH, "X-Job-UUID": "00112233445566778899aabbccddeeff"}
    change_status(client, PENDING_TICKET, "cancel", wanted)

    reply = change_status(client, PENDING_TICKET, "reopen", wanted)

    assert reply.status_code == 400
    assert reply.headers["content-type"].startswith("text/plain")
    assert "used" in reply.text
    assert ticket(client, PENDING_TICKET)["status"] == "Cancelled"


# -- web hooks --------------------------------------------------------------------------------


class HookServer:
    """A tiny real HTTP server on 127.0.0.1 that records what is POSTed to it."""

    def __init__(self, failures: int = 0) -> None:
        received = self.received = []
        statuses = [500] * failures

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), json.loads(body)))
                self.send_response(statuses.pop(0) if statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def hook():
    server = HookServer()
    yield server
    server.close()


@pytest.fixture
def hook_client():
    """A client whose mock retries web hooks quickly (a failing test fails in well under 1 s)."""
    settings = ZStackSettings(webhook_attempts=3, webhook_interval_s=0.01)
    with client_for(Config(seed=7, zstack=settings)) as client:
        yield client


def drain_webhooks(client) -> None:
    client.run(client.mock.families[0]._responses.webhooks.drain())


def test_a_web_hook_receives_the_jobs_result(hook_client, hook):
    reply = change_status(
        hook_client, PENDING_TICKET, "cancel", {**ADMIN_AUTH, "X-Web-Hook": hook.url}
    )
    drain_webhooks(hook_client)

    ((headers, body),) = hook.received
    assert body == poll(hook_client, reply).json()
    assert body["inventory"]["status"] == "Cancelled"


def test_a_web_hook_names_the_job_and_its_success(hook_client, hook):
    reply = change_status(
        hook_client, PENDING_TICKET, "cancel", {**ADMIN_AUTH, "X-Web-Hook": hook.url}
    )
    drain_webhooks(hook_client)

    ((headers, _),) = hook.received
    assert headers["X-Job-UUID"] == job_path(reply).rsplit("/", 1)[1]
    assert headers["X-Job-Success"] == "true"


def test_a_web_hook_of_a_failed_job_says_it_failed(hook_client, hook):
    change_status(hook_client, MISSING_UUID, "approve", {**ADMIN_AUTH, "X-Web-Hook": hook.url})
    drain_webhooks(hook_client)

    ((headers, body),) = hook.received
    assert headers["X-Job-Success"] == "false"
    assert body["error"]["code"] == "SYS.1003"


def test_a_web_hook_is_called_for_a_job_with_a_chosen_uuid(hook_client, hook):
    wanted = "00112233445566778899aabbccddeeff"

    change_status(
        hook_client,
        PENDING_TICKET,
        "cancel",
        {**ADMIN_AUTH, "X-Web-Hook": hook.url, "X-Job-UUID": wanted},
    )
    drain_webhooks(hook_client)

    assert [headers["X-Job-UUID"] for headers, _ in hook.received] == [wanted]


def test_a_web_hook_answering_500_is_retried_until_it_answers_2xx(hook_client):
    flaky = HookServer(failures=1)
    try:
        change_status(
            hook_client, PENDING_TICKET, "cancel", {**ADMIN_AUTH, "X-Web-Hook": flaky.url}
        )
        drain_webhooks(hook_client)
    finally:
        flaky.close()

    assert len(flaky.received) == 2


def test_the_admin_session_of_the_samples_never_expires(client):
    reply = client.get(f"{V1}/accounts/sessions/{ADMIN_SESSION}/valid")

    assert reply.json() == {"valid": True}
