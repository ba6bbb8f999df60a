"""COC change and issue tickets over HTTP against the in-process mock
(specs/huawei-coc-tickets.yaml): creation, the change and issue workflows with their histories,
lists, sub-tickets, attachments, external issues and deletion."""

import re
import uuid
from collections.abc import Iterator

import pytest

from mockserver.clock import FrozenClock
from tests.conftest import T0, Client
from tests.huawei_helpers import (
    CHANGE_BODY,
    ISSUE_BODY,
    USER_ID,
    get_token,
    huawei_app,
    reset_world,
)

OK = "GOM.00000000"
NOT_ALLOWED_NOW = "GOM.00001009"
NOT_FOUND = "GOM.00001004"
INVALID = "GOM.00007256"
T0_MS = int(T0 * 1000)
HOUR_MS = 3_600_000
# T0 is 2026-01-15 10:00:00 UTC.
T0_STAMP = "20260115100000"


# -- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_client() -> Iterator[Client]:
    """One app for the module: building it takes longer than most tests."""
    yield from huawei_app()


@pytest.fixture
def clock(app_client) -> FrozenClock:
    """The mock's clock, at T0 again, in a world reset to its fresh state for each test."""
    return reset_world(app_client)


@pytest.fixture
def client(app_client, clock) -> Client:
    return app_client


class Coc:
    """The COC API as a user calls it, with one IAM token."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers = {"X-Auth-Token": get_token(client)}

    # raw calls: the httpx response

    def post(self, path: str, body) -> object:
        return self.client.post(path, headers=self.headers, json=body)

    def get(self, path: str, **params):
        return self.client.get(path, headers=self.headers, params=params)

    def act(self, kind: str, ticket_id: str, action: str, **fields):
        body = {"ticket_id": ticket_id, "action": action, **fields}
        return self.post(f"/v1/{kind}/actions", body)

    def put_change(self, ticket_id: str, body: dict, *, v2: bool = False):
        path = f"/v2/changes/{ticket_id}" if v2 else f"/v1/change/tickets/{ticket_id}"
        return self.client.put(path, headers=self.headers, json=body)

    def step(self, ticket_id: str, action: str, *, v2: bool = False, **body):
        return self.put_change(ticket_id, {"history_info": {"action": action}, **body}, v2=v2)

    # successful calls: the envelope's data

    def create(self, kind: str, body: dict) -> dict:
        return ok(self.post(f"/v1/{kind}/tickets", body))

    def create_change(self, **overrides) -> str:
        return self.create("change", {**CHANGE_BODY, **overrides})["ticket_id"]

    def create_issue(self, **overrides) -> str:
        return self.create("issues_mgmt", {**ISSUE_BODY, **overrides})["ticket_id"]

    def show(self, kind: str, ticket_id: str) -> dict:
        return ok(self.get(f"/v1/{kind}/tickets/{ticket_id}"))

    def tickets(self, kind: str, **params) -> dict:
        return ok(self.post(f"/v1/{kind}/list-tickets", params))

    def histories(self, kind: str, ticket_id: str) -> list[dict]:
        body = {"string_filters": [{"operator": "=", "field": "ticket_id", "values": [ticket_id]}]}
        return ok(self.post(f"/v1/{kind}/list-histories", body))["info"]

    def state(self, kind: str, ticket_id: str) -> tuple[str, str]:
        ticket = self.show(kind, ticket_id)
        return ticket["phase"], ticket["work_flow_status"]


@pytest.fixture
def coc(client) -> Coc:
    return Coc(client)


def ok(reply):
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["provider_code"] == "049"
    assert body["error_code"] == OK
    assert body["error_msg"] is None
    return body["data"]


def refused(reply, status: int, code: str) -> str:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"provider_code", "error_code", "error_msg", "data"}
    assert body["provider_code"] == "049"
    assert body["error_code"] == code
    assert body["data"] is None
    assert isinstance(body["error_msg"], str) and body["error_msg"]
    return body["error_msg"]


def steps(rows: list[dict]) -> list[tuple[str, str, str]]:
    """Each history row as (action, phase, work_flow_status)."""
    return [(r["action"], r["phase"], r["work_flow_status"]) for r in rows]


def by_title(tickets: list[dict]) -> list[str]:
    return [t["title"] for t in tickets]


# -- creating tickets ---------------------------------------------------------------------------


def test_creating_a_change_answers_the_envelope_with_the_new_ids(coc):
    reply = coc.post("/v1/change/tickets", CHANGE_BODY)

    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"provider_code", "error_code", "error_msg", "data"}
    assert body["provider_code"] == "049"
    assert body["error_code"] == OK
    assert body["error_msg"] is None
    data = body["data"]
    assert re.fullmatch(rf"CM{T0_STAMP}\d{{10}}", data["ticket_id"])
    assert str(uuid.UUID(data["id"])) == data["id"]
    assert data["is_start_process"] is True
    assert data["is_start_process_async"] is True
    assert data["is_update_null"] is False
    assert data["is_return_full_info"] is False


def test_creating_an_issue_gives_an_im_number(coc):
    data = coc.create("issues_mgmt", ISSUE_BODY)

    assert re.fullmatch(rf"IM{T0_STAMP}\d{{10}}", data["ticket_id"])
    assert str(uuid.UUID(data["id"])) == data["id"]


def test_the_ticket_number_carries_the_utc_time_of_the_mock_clock(coc, clock):
    clock.advance(3661)

    ticket_id = coc.create_change()

    assert ticket_id.startswith("CM20260115110101")
    assert len(ticket_id) == 2 + 14 + 10


def test_two_tickets_get_different_numbers_and_ids(coc):
    first = coc.create("change", CHANGE_BODY)
    second = coc.create("change", CHANGE_BODY)

    assert first["ticket_id"] != second["ticket_id"]
    assert first["id"] != second["id"]


@pytest.mark.parametrize(
    ("kind", "body", "started", "phase", "status"),
    [
        ("change", CHANGE_BODY, False, "phase_change_draft", "change_draft"),
        ("change", CHANGE_BODY, True, "phase_change_approve", "change_approving"),
        ("issues_mgmt", ISSUE_BODY, False, "phase_issues_draft", "issues_draft"),
        ("issues_mgmt", ISSUE_BODY, True, "phase_issues_accept", "issues_unaccepted"),
    ],
)
def test_is_start_process_chooses_draft_or_started(coc, kind, body, started, phase, status):
    created = coc.create(kind, {**body, "is_start_process": started})

    ticket = coc.show(kind, created["ticket_id"])
    assert created["is_start_process"] is started
    assert (ticket["phase"], ticket["work_flow_status"]) == (phase, status)
    assert ticket["is_start_process"] is started


def test_a_change_without_is_start_process_goes_to_review(coc):
    body = {k: v for k, v in CHANGE_BODY.items() if k != "is_start_process"}

    ticket_id = coc.create("change", body)["ticket_id"]

    assert coc.state("change", ticket_id) == ("phase_change_approve", "change_approving")


def test_a_change_shows_what_was_created(coc):
    created = coc.create("change", CHANGE_BODY)

    ticket = coc.show("change", created["ticket_id"])

    for name, value in CHANGE_BODY.items():
        if name != "sub_tickets":
            assert ticket[name] == value, name
    assert ticket["id"] == created["id"]
    assert ticket["ticket_id"] == ticket["real_ticket_id"] == created["ticket_id"]
    assert ticket["ticket_type_id"] == "change"
    assert ticket["creator"] == USER_ID
    assert ticket["operator"] == USER_ID
    assert ticket["create_time"] == ticket["update_time"] == T0_MS
    assert ticket["is_deleted"] is False


def test_an_issue_shows_what_was_created_with_its_contact_as_assignee(coc):
    ticket_id = coc.create_issue()

    ticket = coc.show("issues_mgmt", ticket_id)

    for name, value in ISSUE_BODY.items():
        assert ticket[name] == value, name
    assert ticket["ticket_type_id"] == "issues_mgmt"
    assert ticket["creator"] == USER_ID
    assert ticket["assignee"] == ISSUE_BODY["issue_contact_person"]
    assert ticket["sub_tickets"] == []


def test_fields_not_given_are_left_out_of_the_detail(coc):
    ticket_id = coc.create_issue(title="", source=None)

    ticket = coc.show("issues_mgmt", ticket_id)

    assert "title" not in ticket
    assert "source" not in ticket
    assert "fount_time" not in ticket


def test_unknown_create_fields_are_ignored(coc):
    ticket_id = coc.create_change(favourite_colour="teal")

    assert "favourite_colour" not in coc.show("change", ticket_id)


def test_sub_tickets_are_numbered_after_the_ticket(coc):
    ticket_id = coc.create_change()

    subs = coc.show("change", ticket_id)["sub_tickets"]

    assert [s["ticket_id"] for s in subs] == [f"{ticket_id}-01", f"{ticket_id}-02"]
    assert [s["target_type"] for s in subs] == ["change_scope", "child_ticket"]
    for sub in subs:
        assert sub["main_ticket_id"] == sub["parent_ticket_id"] == ticket_id
        assert sub["creator"] == USER_ID
        assert str(uuid.UUID(sub["id"])) == sub["id"]
    assert subs[0]["app_name"] == "gateway"
    assert subs[0]["region"] == "cn-north-4"
    child = CHANGE_BODY["sub_tickets"][1]
    for name in ("target_value", "expected_start_time", "expected_end_time", "executors"):
        assert subs[1][name] == child[name]


def test_the_creation_is_the_first_history_row(coc):
    ticket_id = coc.create_change()

    (row,) = coc.histories("change", ticket_id)

    assert row["ticket_id"] == ticket_id
    assert row["action"] == "create_ticket"
    assert row["action_name_en"]
    assert row["operator"] == USER_ID
    assert row["status"] == "finished"
    assert row["start_time"] == row["stop_time"] == T0_MS
    assert (row["phase"], row["work_flow_status"]) == ("phase_change_approve", "change_approving")
    assert str(uuid.UUID(row["action_id"])) == row["action_id"]


# -- the change workflow ------------------------------------------------------------------------


def test_a_draft_is_submitted_through_ticket_info_phase(coc):
    ticket_id = coc.create_change(is_start_process=False)

    data = ok(coc.put_change(ticket_id, {"ticket_info": {"phase": "phase_change_approve"}}))

    assert (data["phase"], data["work_flow_status"]) == ("phase_change_approve", "change_approving")
    assert coc.state("change", ticket_id) == ("phase_change_approve", "change_approving")
    assert steps(coc.histories("change", ticket_id)) == [
        ("create_ticket", "phase_change_draft", "change_draft"),
        ("submit_process_action", "phase_change_approve", "change_approving"),
    ]


def test_a_draft_is_submitted_through_submit_process_action(coc):
    ticket_id = coc.create_change(is_start_process=False)

    assert ok(coc.act("change", ticket_id, "submit_process_action")) is None

    assert coc.state("change", ticket_id) == ("phase_change_approve", "change_approving")
    assert steps(coc.histories("change", ticket_id))[-1] == (
        "submit_process_action", "phase_change_approve", "change_approving"
    )


def test_an_approved_change_is_to_be_started(coc):
    ticket_id = coc.create_change()

    ok(coc.act("change", ticket_id, "agreed", params={"approve_note": "looks fine"}))

    assert coc.state("change", ticket_id) == ("phase_change_implemente", "change_to_be_started")
    row = coc.histories("change", ticket_id)[-1]
    assert (row["action"], row["comment"], row["operator"]) == ("agreed", "looks fine", USER_ID)


def test_an_approval_with_conclusion_false_rejects_the_change(coc):
    ticket_id = coc.create_change()

    ok(coc.act("change", ticket_id, "agreed", params={"conclusion": False}))

    assert coc.state("change", ticket_id) == ("phase_change_apply", "change_rejected")
    assert steps(coc.histories("change", ticket_id))[-1] == (
        "agreed", "phase_change_apply", "change_rejected"
    )


def test_a_rejected_change_is_resubmitted_and_approved(coc):
    ticket_id = coc.create_change()

    ok(coc.act("change", ticket_id, "rejected", params={"comment": "no rollback plan"}))
    assert coc.state("change", ticket_id) == ("phase_change_apply", "change_rejected")
    ok(coc.put_change(ticket_id, {"ticket_info": {"phase": "phase_change_approve"}}))
    assert coc.state("change", ticket_id) == ("phase_change_approve", "change_approving")
    ok(coc.act("change", ticket_id, "agreed"))

    assert steps(coc.histories("change", ticket_id)) == [
        ("create_ticket", "phase_change_approve", "change_approving"),
        ("rejected", "phase_change_apply", "change_rejected"),
        ("submit_process_action", "phase_change_approve", "change_approving"),
        ("agreed", "phase_change_implemente", "change_to_be_started"),
    ]
    assert coc.histories("change", ticket_id)[1]["comment"] == "no rollback plan"


def test_the_user_id_of_an_action_is_recorded_as_its_operator(coc):
    ticket_id = coc.create_change()

    ok(coc.act("change", ticket_id, "agreed", user_id="approver-42", task_id="ignored"))

    assert coc.histories("change", ticket_id)[-1]["operator"] == "approver-42"
    assert coc.show("change", ticket_id)["operator"] == "approver-42"


def test_a_change_runs_from_review_to_closed(coc, clock):
    ticket_id = coc.create_change()
    sub_01 = f"{ticket_id}-01"

    ok(coc.act("change", ticket_id, "agreed"))
    clock.advance(60)
    started = ok(coc.step(ticket_id, "change_start_change_success"))
    assert (started["phase"], started["work_flow_status"]) == (
        "phase_change_implemente", "change_implementing"
    )
    clock.advance(60)
    assert ok(coc.step(ticket_id, "change_end_change_success", v2=True)) is None
    assert coc.state("change", ticket_id) == ("phase_change_implemente", "change_to_be_confirmed")
    result = {"ticket_id": sub_01, "change_result": "success", "is_verified_in_change_time": True,
              "verified_docs": "checked the health page", "comment": "smooth"}
    ok(coc.step(ticket_id, "change_set_change_result_success", sub_tickets=[result]))
    assert coc.state("change", ticket_id) == ("phase_change_end", "change_succeeded")
    ok(coc.step(ticket_id, "change_complete_success"))

    ticket = coc.show("change", ticket_id)
    assert (ticket["phase"], ticket["work_flow_status"]) == ("phase_change_close", "change_closed")
    assert ticket["update_time"] == T0_MS + 120_000
    assert steps(coc.histories("change", ticket_id)) == [
        ("create_ticket", "phase_change_approve", "change_approving"),
        ("agreed", "phase_change_implemente", "change_to_be_started"),
        ("change_start_change_success", "phase_change_implemente", "change_implementing"),
        ("change_end_change_success", "phase_change_implemente", "change_to_be_confirmed"),
        ("change_set_change_result_success", "phase_change_end", "change_succeeded"),
        ("change_complete_success", "phase_change_close", "change_closed"),
    ]


def test_every_history_row_names_its_step_and_operator(coc):
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "agreed"))
    ok(coc.step(ticket_id, "change_start_change_success"))

    rows = coc.histories("change", ticket_id)

    assert len({r["action_id"] for r in rows}) == len(rows) == 3
    for row in rows:
        assert row["ticket_id"] == ticket_id
        assert row["operator"] == USER_ID
        assert isinstance(row["action_name_en"], str) and row["action_name_en"]
        assert row["status"] == "finished"


def test_the_result_step_records_each_sub_tickets_result(coc):
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "agreed"))
    ok(coc.step(ticket_id, "change_start_change_success"))
    ok(coc.step(ticket_id, "change_end_change_success"))
    result = {
        "ticket_id": f"{ticket_id}-02",
        "change_result": "success",
        "is_verified_in_change_time": True,
        "verified_docs": "report.pdf",
        "comment": "all green",
        "is_monitor_found": False,
    }

    ok(coc.step(ticket_id, "change_set_change_result_success", v2=True, sub_tickets=[result]))

    first, second = coc.show("change", ticket_id)["sub_tickets"]
    for name, value in result.items():
        assert second[name] == value, name
    assert second["operator"] == USER_ID
    assert "change_result" not in first


def test_unknown_keys_of_a_created_sub_ticket_are_left_out(coc):
    scope = {**CHANGE_BODY["sub_tickets"][0], "change_result": 5,
             "resource_biz_id": "6470681a31da2a47ed50a919"}
    ticket_id = coc.create_change(sub_tickets=[scope, *CHANGE_BODY["sub_tickets"][1:]])

    first = coc.show("change", ticket_id)["sub_tickets"][0]

    assert first["app_name"] == CHANGE_BODY["sub_tickets"][0]["app_name"]
    assert "change_result" not in first
    assert "resource_biz_id" not in first


def test_a_result_cannot_rewrite_what_the_mock_keeps_of_a_sub_ticket(coc):
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "agreed"))
    ok(coc.step(ticket_id, "change_start_change_success"))
    ok(coc.step(ticket_id, "change_end_change_success"))
    result = {"ticket_id": f"{ticket_id}-01", "change_result": "success",
              "create_time": "x", "main_ticket_id": "elsewhere"}

    ok(coc.step(ticket_id, "change_set_change_result_success", v2=True, sub_tickets=[result]))

    first = coc.show("change", ticket_id)["sub_tickets"][0]
    assert first["ticket_id"] == f"{ticket_id}-01"
    assert first["change_result"] == "success"
    assert first["main_ticket_id"] == ticket_id
    assert isinstance(first["create_time"], int)


def test_a_failed_change_records_the_rollback_and_closes(coc):
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "agreed"))
    ok(coc.step(ticket_id, "change_start_change_success"))
    ok(coc.step(ticket_id, "change_end_change_success"))
    failure = {
        "ticket_id": f"{ticket_id}-01",
        "change_result": "failed",
        "change_fail_type": "config",
        "rollback_start_time": T0_MS + HOUR_MS,
        "rollback_end_time": T0_MS + 2 * HOUR_MS,
        "is_rollback_success": True,
    }

    ok(coc.step(ticket_id, "change_result_failed", sub_tickets=[failure]))

    ticket = coc.show("change", ticket_id)
    assert (ticket["phase"], ticket["work_flow_status"]) == ("phase_change_end", "change_failed")
    assert ticket["sub_tickets"][0]["rollback_end_time"] == T0_MS + 2 * HOUR_MS
    ok(coc.step(ticket_id, "change_complete_success"))
    assert coc.state("change", ticket_id) == ("phase_change_close", "change_closed")


def test_a_step_may_name_the_phase_it_leads_to(coc):
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "agreed"))

    ok(coc.put_change(ticket_id, {
        "ticket_info": {
            "phase": "phase_change_implemente", "work_flow_status": "change_implementing"
        },
        "history_info": {"action": "change_start_change_success"},
    }))

    assert coc.state("change", ticket_id) == ("phase_change_implemente", "change_implementing")


def to_be_started(coc) -> str:
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "agreed"))
    return ticket_id


def rejected(coc) -> str:
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "rejected"))
    return ticket_id


CANCELLABLE = {
    "draft": lambda coc: coc.create_change(is_start_process=False),
    "approving": lambda coc: coc.create_change(),
    "rejected": rejected,
    "to_be_started": to_be_started,
}


@pytest.mark.parametrize("make", CANCELLABLE.values(), ids=CANCELLABLE.keys())
def test_cancel_process_action_cancels_a_change_not_yet_started(coc, make):
    ticket_id = make(coc)

    ok(coc.act("change", ticket_id, "cancel_process_action", params={"comment": "not needed"}))

    assert coc.state("change", ticket_id) == ("phase_change_cancel", "change_cancelled")
    row = coc.histories("change", ticket_id)[-1]
    assert (row["action"], row["comment"]) == ("cancel_process_action", "not needed")


@pytest.mark.parametrize("make", CANCELLABLE.values(), ids=CANCELLABLE.keys())
def test_the_cancel_step_cancels_a_change_not_yet_started(coc, make):
    ticket_id = make(coc)

    ok(coc.step(ticket_id, "change_cancel_change_success", v2=True))

    assert coc.state("change", ticket_id) == ("phase_change_cancel", "change_cancelled")
    assert steps(coc.histories("change", ticket_id))[-1] == (
        "change_cancel_change_success", "phase_change_cancel", "change_cancelled"
    )


# -- steps that are not allowed now: 400 GOM.00001009, nothing changes ----------------------------


def assert_refused_now(coc, kind: str, ticket_id: str, send) -> None:
    """`send()` is refused with GOM.00001009 and leaves the ticket and its history as they were."""
    before = (coc.show(kind, ticket_id), coc.histories(kind, ticket_id))

    refused(send(), 400, NOT_ALLOWED_NOW)

    assert (coc.show(kind, ticket_id), coc.histories(kind, ticket_id)) == before


def test_ending_a_change_before_it_started_is_not_allowed(coc):
    ticket_id = to_be_started(coc)

    assert_refused_now(
        coc, "change", ticket_id, lambda: coc.step(ticket_id, "change_end_change_success")
    )


def test_approving_a_draft_is_not_allowed(coc):
    ticket_id = coc.create_change(is_start_process=False)

    assert_refused_now(coc, "change", ticket_id, lambda: coc.act("change", ticket_id, "agreed"))


def test_deleting_a_change_in_review_is_not_allowed(coc):
    ticket_id = coc.create_change()

    assert_refused_now(coc, "change", ticket_id, lambda: delete(coc, ticket_id))


@pytest.mark.parametrize(
    ("action", "via_put"),
    [
        ("change_start_change_success", True),
        ("change_complete_success", True),
        ("change_set_change_result_success", True),
        ("submit_process_action", False),
    ],
)
def test_steps_out_of_order_in_review_are_not_allowed(coc, action, via_put):
    ticket_id = coc.create_change()

    def send():
        return coc.step(ticket_id, action) if via_put else coc.act("change", ticket_id, action)

    assert_refused_now(coc, "change", ticket_id, send)


def test_nothing_moves_a_closed_change_but_deletion(coc):
    ticket_id = to_be_started(coc)
    ok(coc.step(ticket_id, "change_start_change_success"))
    ok(coc.step(ticket_id, "change_end_change_success"))
    ok(coc.step(ticket_id, "change_set_change_result_success"))
    ok(coc.step(ticket_id, "change_complete_success"))

    for send in (lambda: coc.step(ticket_id, "change_cancel_change_success"),
                 lambda: coc.act("change", ticket_id, "cancel_process_action"),
                 lambda: coc.step(ticket_id, "change_complete_success")):
        assert_refused_now(coc, "change", ticket_id, send)


def test_approving_an_issue_that_awaits_acceptance_is_not_allowed(coc):
    ticket_id = coc.create_issue()

    assert_refused_now(
        coc, "issues_mgmt", ticket_id, lambda: coc.act("issues_mgmt", ticket_id, "agreed")
    )


# -- the issue workflow -------------------------------------------------------------------------


def issue_action(coc, ticket_id: str, action: str, **params):
    return ok(coc.act("issues_mgmt", ticket_id, action, params=params))


def locating(coc) -> str:
    ticket_id = coc.create_issue()
    issue_action(coc, ticket_id, "gocm_issues_accepte")
    return ticket_id


def test_a_draft_issue_is_submitted_to_be_accepted(coc):
    ticket_id = coc.create_issue(is_start_process=False)

    issue_action(coc, ticket_id, "submit_process_action")

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_accept", "issues_unaccepted")


def test_accepting_an_issue_makes_the_operator_its_assignee(coc):
    ticket_id = coc.create_issue()

    ok(coc.act("issues_mgmt", ticket_id, "gocm_issues_accepte", user_id="handler-7"))

    ticket = coc.show("issues_mgmt", ticket_id)
    assert (ticket["phase"], ticket["work_flow_status"]) == (
        "phase_issues_handle", "issues_locating"
    )
    assert ticket["assignee"] == "handler-7"
    row = coc.histories("issues_mgmt", ticket_id)[-1]
    assert (row["action"], row["operator"]) == ("gocm_issues_accepte", "handler-7")


def test_accepting_without_user_id_makes_the_caller_the_assignee(coc):
    ticket_id = locating(coc)

    assert coc.show("issues_mgmt", ticket_id)["assignee"] == USER_ID


@pytest.mark.parametrize("accepted_first", [False, True], ids=["unaccepted", "locating"])
def test_a_transfer_hands_the_issue_to_someone_else_unaccepted(coc, accepted_first):
    ticket_id = locating(coc) if accepted_first else coc.create_issue()

    issue_action(
        coc, ticket_id, "gocm_issues_handling_forwarding",
        forwarding_assigne="next-handler", explain="wrong team",
        virtual_schedule_type="issues_mgmt_virtual_schedule_type_1000",
    )

    ticket = coc.show("issues_mgmt", ticket_id)
    assert (ticket["phase"], ticket["work_flow_status"]) == (
        "phase_issues_accept", "issues_unaccepted"
    )
    assert ticket["assignee"] == "next-handler"
    assert ticket["virtual_schedule_type"] == "issues_mgmt_virtual_schedule_type_1000"
    row = coc.histories("issues_mgmt", ticket_id)[-1]
    assert (row["action"], row["comment"]) == ("gocm_issues_handling_forwarding", "wrong team")


def test_a_level_change_keeps_the_status_and_adds_a_history_row(coc):
    ticket_id = locating(coc)

    issue_action(coc, ticket_id, "ugrading_and_downgrading", level="issues_level_1000",
                 up_down_grade_reason_comment="customers affected")

    ticket = coc.show("issues_mgmt", ticket_id)
    assert ticket["level"] == "issues_level_1000"
    assert ticket["work_flow_status"] == "issues_locating"
    assert steps(coc.histories("issues_mgmt", ticket_id))[-1] == (
        "ugrading_and_downgrading", "phase_issues_handle", "issues_locating"
    )


def test_a_suspension_is_approved_then_resumed_by_hand(coc):
    ticket_id = locating(coc)
    due = T0_MS + HOUR_MS

    issue_action(coc, ticket_id, "being_handled_initiate_suspend",
                 estimated_recovery_time=due, suspend_description="waiting for the vendor")
    assert coc.state("issues_mgmt", ticket_id) == (
        "phase_issues_handle", "issues_suspend_approving"
    )
    issue_action(coc, ticket_id, "agreed")
    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_suspended")
    assert coc.show("issues_mgmt", ticket_id)["estimated_recovery_time"] == due
    issue_action(coc, ticket_id, "suspend_resume")

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_locating")
    assert [a for a, _, _ in steps(coc.histories("issues_mgmt", ticket_id))] == [
        "create_ticket", "gocm_issues_accepte", "being_handled_initiate_suspend", "agreed",
        "suspend_resume",
    ]


@pytest.mark.parametrize(
    ("action", "params"),
    [("rejected", {"comment": "keep going"}), ("agreed", {"conclusion": False})],
)
def test_a_declined_suspension_goes_back_to_locating(coc, action, params):
    ticket_id = locating(coc)
    issue_action(coc, ticket_id, "being_handled_initiate_suspend",
                 estimated_recovery_time=T0_MS + HOUR_MS)

    issue_action(coc, ticket_id, action, **params)

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_locating")


def test_a_suspended_issue_resumes_by_itself_when_the_recovery_time_passes(coc, clock):
    ticket_id = locating(coc)
    issue_action(coc, ticket_id, "being_handled_initiate_suspend",
                 estimated_recovery_time=T0_MS + HOUR_MS)
    issue_action(coc, ticket_id, "agreed")

    clock.advance(3599)
    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_suspended")
    clock.advance(1)
    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_locating")

    rows = coc.histories("issues_mgmt", ticket_id)
    assert len(rows) == 5
    resumed = rows[-1]
    assert (resumed["action"], resumed["operator"]) == ("suspend_resume", "system")
    assert (resumed["phase"], resumed["work_flow_status"]) == (
        "phase_issues_handle", "issues_locating"
    )
    assert resumed["start_time"] == T0_MS + HOUR_MS


def test_the_automatic_resume_shows_in_the_list_and_the_histories_too(coc, clock):
    ticket_id = locating(coc)
    issue_action(coc, ticket_id, "being_handled_initiate_suspend",
                 estimated_recovery_time=T0_MS + HOUR_MS)
    issue_action(coc, ticket_id, "agreed")
    clock.advance(7200)

    (listed,) = coc.tickets("issues_mgmt")["tickets"]
    assert listed["work_flow_status"] == "issues_locating"
    assert [r["operator"] for r in coc.histories("issues_mgmt", ticket_id)][-1] == "system"


def test_an_issue_needing_a_change_is_implemented_verified_and_closed(coc):
    ticket_id = locating(coc)

    issue_action(coc, ticket_id, "submitting_question", solution="raise the memory limit",
                 root_cause_type="config", root_cause_comment="limit too low",
                 is_common_issue=False, issue_version="v2", is_need_change=True)
    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_implementing")
    issue_action(coc, ticket_id, "submitting_question", solution="memory limit raised")
    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_verify", "issues_verifying")
    issue_action(coc, ticket_id, "rejected", comment="still restarts")
    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_locating")
    issue_action(coc, ticket_id, "submitting_question", solution="also fixed the cron job")
    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_verify", "issues_verifying")
    issue_action(coc, ticket_id, "agreed", approve_note="quiet for a week")

    ticket = coc.show("issues_mgmt", ticket_id)
    assert (ticket["phase"], ticket["work_flow_status"]) == ("phase_issues_close", "issues_closed")
    assert ticket["solution"] == "also fixed the cron job"
    assert ticket["root_cause_type"] == "config"
    assert ticket["is_need_change"] is True
    assert steps(coc.histories("issues_mgmt", ticket_id)) == [
        ("create_ticket", "phase_issues_accept", "issues_unaccepted"),
        ("gocm_issues_accepte", "phase_issues_handle", "issues_locating"),
        ("submitting_question", "phase_issues_handle", "issues_implementing"),
        ("submitting_question", "phase_issues_verify", "issues_verifying"),
        ("rejected", "phase_issues_handle", "issues_locating"),
        ("submitting_question", "phase_issues_verify", "issues_verifying"),
        ("agreed", "phase_issues_close", "issues_closed"),
    ]


def test_a_solution_without_a_change_goes_straight_to_verifying(coc):
    ticket_id = locating(coc)

    issue_action(coc, ticket_id, "submitting_question", solution="restart the agent")

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_verify", "issues_verifying")


def test_a_declined_verification_goes_back_to_locating(coc):
    ticket_id = locating(coc)
    issue_action(coc, ticket_id, "submitting_question", solution="restart the agent")

    issue_action(coc, ticket_id, "agreed", conclusion=False)

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_locating")


CANCELLABLE_ISSUES = {
    "draft": lambda coc: coc.create_issue(is_start_process=False),
    "unaccepted": lambda coc: coc.create_issue(),
    "locating": locating,
}


@pytest.mark.parametrize("make", CANCELLABLE_ISSUES.values(), ids=CANCELLABLE_ISSUES.keys())
def test_undoing_the_creation_cancels_the_issue(coc, make):
    ticket_id = make(coc)

    issue_action(coc, ticket_id, "gocm_issues_undo_create", revocation_reason="duplicate")

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_cancel", "issues_cancelled")
    row = coc.histories("issues_mgmt", ticket_id)[-1]
    assert (row["action"], row["comment"]) == ("gocm_issues_undo_create", "duplicate")


def test_an_issue_in_verification_cannot_be_undone(coc):
    ticket_id = locating(coc)
    issue_action(coc, ticket_id, "submitting_question", solution="restart the agent")

    assert_refused_now(
        coc, "issues_mgmt", ticket_id,
        lambda: coc.act("issues_mgmt", ticket_id, "gocm_issues_undo_create"),
    )


def test_an_unaccepted_issue_is_rejected_with_a_reason(coc):
    ticket_id = coc.create_issue()

    issue_action(coc, ticket_id, "gocm_issues_unaccepted_reject",
                 unaccepted_rejection_description="not an issue")

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_close", "issues_rejected")
    row = coc.histories("issues_mgmt", ticket_id)[-1]
    assert (row["action"], row["comment"]) == ("gocm_issues_unaccepted_reject", "not an issue")


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("suspend_resume", {}),
        ("agreed", {}),
        ("submitting_question", {"solution": "x"}),
        ("being_handled_initiate_suspend", {"estimated_recovery_time": T0_MS + HOUR_MS}),
    ],
)
def test_handling_steps_on_an_unaccepted_issue_are_not_allowed(coc, action, params):
    ticket_id = coc.create_issue()

    assert_refused_now(
        coc, "issues_mgmt", ticket_id,
        lambda: coc.act("issues_mgmt", ticket_id, action, params=params),
    )


@pytest.mark.parametrize(
    ("action", "params"),
    [("ugrading_and_downgrading", {"level": "issues_level_1000"}),
     ("gocm_issues_undo_create", {}), ("rejected", {}), ("agreed", {})],
)
def test_a_closed_issue_accepts_no_more_steps(coc, action, params):
    ticket_id = locating(coc)
    issue_action(coc, ticket_id, "submitting_question", solution="restart the agent")
    issue_action(coc, ticket_id, "agreed")

    assert_refused_now(
        coc, "issues_mgmt", ticket_id,
        lambda: coc.act("issues_mgmt", ticket_id, action, params=params),
    )


# -- list-tickets -------------------------------------------------------------------------------


@pytest.fixture
def five_changes(coc, clock) -> list[str]:
    """Five changes a minute apart: titles alpha..epsilon, levels 010, 020, 030, 040, 010."""
    made = []
    levels = ["change_level_010", "change_level_020", "change_level_030", "change_level_040",
              "change_level_010"]
    for title, level in zip(["alpha", "beta", "gamma", "delta", "epsilon"], levels, strict=True):
        made.append(coc.create_change(title=f"{title} rollout", level=level))
        clock.advance(60)
    return made


def filtered(coc, operator: str, field: str, *values: str) -> list[str]:
    body = {"string_filters": [{"operator": operator, "field": field, "values": list(values)}],
            "sort_filter": {"field": "create_time", "operator": "asc"}}
    return by_title(coc.tickets("change", **body)["tickets"])


@pytest.mark.parametrize(
    ("operator", "field", "values", "expected"),
    [
        ("=", "title", ["beta rollout"], ["beta"]),
        ("=", "level", ["change_level_010", "change_level_040"], ["alpha", "delta", "epsilon"]),
        ("in", "level", ["change_level_020", "change_level_030"], ["beta", "gamma"]),
        ("!=", "level", ["change_level_010", "change_level_020"], ["gamma", "delta"]),
        ("like", "title", ["lt"], ["delta"]),
        ("like", "title", ["a rollout"], ["alpha", "beta", "gamma", "delta"]),
        ("startwith", "title", ["ga"], ["gamma"]),
        ("endwith", "title", ["ta rollout"], ["beta", "delta"]),
        (">", "create_time", [str(T0_MS + 120_000)], ["delta", "epsilon"]),
        ("<", "create_time", [str(T0_MS + 60_000)], ["alpha"]),
        (">", "title", ["delta rollout"], ["epsilon", "gamma"]),
    ],
)
def test_each_filter_operator_selects_its_tickets(
    coc, five_changes, operator, field, values, expected
):
    titles = filtered(coc, operator, field, *values)

    if operator == ">" and field == "title":
        titles = sorted(titles)
    assert titles == [f"{t} rollout" for t in expected]


def test_numbers_compare_as_numbers_not_as_text(coc, five_changes):
    # As text "9" > "1768471320000"; as numbers it is smaller than every create_time.
    assert len(filtered(coc, ">", "create_time", "9")) == 5
    assert filtered(coc, "<", "create_time", "9") == []


def test_filters_are_anded(coc, five_changes):
    body = {"string_filters": [
        {"operator": "=", "field": "level", "values": ["change_level_010"]},
        {"operator": "startwith", "field": "title", "values": ["eps"]},
    ]}

    assert by_title(coc.tickets("change", **body)["tickets"]) == ["epsilon rollout"]


def test_filters_on_phase_follow_the_workflow(coc, five_changes):
    ok(coc.act("change", five_changes[1], "agreed"))

    titles = filtered(coc, "=", "phase", "phase_change_implemente")

    assert titles == ["beta rollout"]


def test_tickets_are_newest_first_by_default(coc, five_changes):
    tickets = coc.tickets("change")["tickets"]

    assert by_title(tickets) == [
        "epsilon rollout", "delta rollout", "gamma rollout", "beta rollout", "alpha rollout"
    ]


@pytest.mark.parametrize(("operator", "reverse"), [("asc", False), ("desc", True)])
def test_sort_filter_sorts_by_any_field(coc, five_changes, operator, reverse):
    body = {"sort_filter": {"field": "title", "operator": operator}}

    titles = by_title(coc.tickets("change", **body)["tickets"])

    assert titles == sorted(titles, reverse=reverse)
    assert len(titles) == 5


def test_pages_split_the_list(coc, five_changes):
    def page(number: int) -> dict:
        return coc.tickets("change", page=number, per_page=2, contain_total=True,
                           sort_filter={"field": "create_time", "operator": "asc"})

    pages = [page(n) for n in (1, 2, 3, 4)]

    assert [by_title(p["tickets"]) for p in pages] == [
        ["alpha rollout", "beta rollout"], ["gamma rollout", "delta rollout"],
        ["epsilon rollout"], [],
    ]
    assert {p["total"] for p in pages} == {5}


def test_ten_tickets_per_page_by_default(coc):
    for number in range(12):
        coc.create_change(title=f"change {number}")

    assert len(coc.tickets("change")["tickets"]) == 10
    assert len(coc.tickets("change", page=2)["tickets"]) == 2


def test_the_total_counts_the_filtered_tickets_and_is_only_given_when_asked(coc, five_changes):
    body = {"string_filters": [{"operator": "=", "field": "level", "values": ["change_level_010"]}]}

    assert coc.tickets("change", **body, contain_total=True, per_page=1)["total"] == 2
    assert "total" not in coc.tickets("change", **body)


def test_sub_tickets_are_listed_only_when_asked(coc):
    ticket_id = coc.create_change()

    (plain,) = coc.tickets("change")["tickets"]
    (full,) = coc.tickets("change", contain_sub_ticket=True, contain_all=True)["tickets"]

    assert "sub_tickets" not in plain
    assert [s["ticket_id"] for s in full["sub_tickets"]] == [f"{ticket_id}-01", f"{ticket_id}-02"]


def test_ticket_types_keeps_issues_of_those_categories(coc):
    coc.create_issue(title="network", ticket_type="issues_type_1000")
    coc.create_issue(title="storage", ticket_type="issues_type_2000")
    coc.create_issue(title="compute", ticket_type="issues_type_3000")

    listed = coc.tickets("issues_mgmt", ticket_types=["issues_type_1000", "issues_type_3000"])

    assert sorted(by_title(listed["tickets"])) == ["compute", "network"]


def test_change_and_issue_lists_do_not_mix(coc):
    change_id = coc.create_change()
    issue_id = coc.create_issue()

    changes = coc.tickets("change", contain_total=True)
    issues = coc.tickets("issues_mgmt", contain_total=True)

    assert [t["ticket_id"] for t in changes["tickets"]] == [change_id]
    assert [t["ticket_id"] for t in issues["tickets"]] == [issue_id]
    assert changes["total"] == issues["total"] == 1
    assert [r["ticket_id"] for r in coc.histories("change", issue_id)] == []


def test_an_issue_is_not_found_under_the_change_kind(coc):
    issue_id = coc.create_issue()

    refused(coc.get(f"/v1/change/tickets/{issue_id}"), 404, NOT_FOUND)


def test_histories_sort_and_filter_like_tickets(coc):
    ticket_id = coc.create_change()
    ok(coc.act("change", ticket_id, "agreed"))
    ok(coc.step(ticket_id, "change_start_change_success"))
    body = {
        "string_filters": [
            {"operator": "=", "field": "ticket_id", "values": [ticket_id]},
            {"operator": "startwith", "field": "action", "values": ["change_"]},
        ],
    }

    rows = ok(coc.post("/v1/change/list-histories", body))["info"]

    assert [r["action"] for r in rows] == ["change_start_change_success"]
    by_status = ok(coc.post("/v1/change/list-histories", {
        "sort_filter": {"field": "work_flow_status", "operator": "desc"}}))["info"]
    assert [r["work_flow_status"] for r in by_status] == [
        "change_to_be_started", "change_implementing", "change_approving"
    ]


# -- list-sub-tickets ---------------------------------------------------------------------------


@pytest.fixture
def wide_change(coc) -> str:
    """A change with four change_scope sub-tickets (-01..-04) and one child_ticket (-05)."""
    scopes = [{"target_type": "change_scope", "app_name": f"app{n}", "region": "cn-north-4"}
              for n in range(1, 5)]
    child = {"target_type": "child_ticket", "target_value": "cn-north-4"}
    return coc.create_change(sub_tickets=[*scopes, child])


def sub_tickets(coc, ticket_id: str, **params) -> dict:
    return ok(coc.get(f"/v1/change/tickets/{ticket_id}/list-sub-tickets", **params))


def test_sub_tickets_are_listed_by_type(coc, wide_change):
    children = sub_tickets(coc, wide_change, type="child_ticket")
    scopes = sub_tickets(coc, wide_change, type="change_scope")

    assert [s["ticket_id"] for s in children["sub_tickets"]] == [f"{wide_change}-05"]
    assert children["total_count"] == 1
    assert "next_marker" not in children
    assert [s["app_name"] for s in scopes["sub_tickets"]] == ["app1", "app2", "app3", "app4"]
    assert scopes["total_count"] == 4


def test_sub_tickets_page_with_limit_and_marker(coc, wide_change):
    first = sub_tickets(coc, wide_change, type="change_scope", limit=3)
    second = sub_tickets(coc, wide_change, type="change_scope", limit=3,
                         marker=first["next_marker"])

    assert [s["ticket_id"] for s in first["sub_tickets"]] == [
        f"{wide_change}-01", f"{wide_change}-02", f"{wide_change}-03"
    ]
    assert first["next_marker"] == f"{wide_change}-03"
    assert first["total_count"] == 4
    assert [s["ticket_id"] for s in second["sub_tickets"]] == [f"{wide_change}-04"]
    assert "next_marker" not in second


def test_a_type_without_sub_tickets_lists_nothing(coc, wide_change):
    assert sub_tickets(coc, wide_change, type="no_such_type") == {
        "sub_tickets": [], "total_count": 0
    }


def test_an_unknown_marker_is_an_invalid_parameter(coc, wide_change):
    reply = coc.get(f"/v1/change/tickets/{wide_change}/list-sub-tickets",
                    type="change_scope", marker="CM000-99")

    refused(reply, 400, INVALID)


def test_an_issue_solution_adds_sub_tickets_of_its_own_types(coc):
    ticket_id = locating(coc)

    issue_action(coc, ticket_id, "submitting_question", solution="patch the image",
                 sub_tickets=[{"target_type": "issue_region", "affected_region": "cn-north-4"},
                              {"target_type": "issue_region", "affected_region": "cn-south-1"}])

    listed = ok(coc.get(f"/v1/issues_mgmt/tickets/{ticket_id}/list-sub-tickets",
                        type="issue_region"))
    assert [s["ticket_id"] for s in listed["sub_tickets"]] == [
        f"{ticket_id}-01", f"{ticket_id}-02"
    ]
    assert [s["affected_region"] for s in listed["sub_tickets"]] == ["cn-north-4", "cn-south-1"]


# -- attachments --------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(coc, name: str, content: bytes, mime: str = "application/octet-stream"):
    return coc.client.post("/v1/incident/attachments", headers=coc.headers,
                           files={"file": (name, content, mime)})


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("notes.txt", "restart log: ok ✓\n".encode(), "text/plain"),
     ("screen.png", PNG, "image/png"),
     ("report.pdf", PDF, "application/pdf")],
)
def test_an_uploaded_attachment_downloads_as_the_same_bytes(coc, name, content, mime):
    reply = upload(coc, name, content, mime)

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["code"] == "0"
    assert body["data"]["doc_name"] == body["name"] == name
    assert body["data"]["doc_id"] == body["id"]
    download = coc.get(f"/v1/incident/attachments/{body['id']}")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/octet-stream"
    assert "attachment" in download.headers["content-disposition"]
    assert name in download.headers["content-disposition"]


def test_the_attachment_name_is_kept_without_its_directories(coc):
    body = upload(coc, "C:\\Users\\ops\\löwe.txt", b"x").json()

    assert body["name"] == "löwe.txt"
    disposition = coc.get(f"/v1/incident/attachments/{body['id']}").headers["content-disposition"]
    assert disposition == "attachment; filename*=UTF-8''l%C3%B6we.txt"


def test_an_unknown_attachment_is_not_found(coc):
    refused(coc.get(f"/v1/incident/attachments/{uuid.uuid4()}"), 404, NOT_FOUND)


def test_an_issue_may_name_an_uploaded_attachment(coc):
    doc_id = upload(coc, "notes.txt", b"log").json()["id"]

    ticket_id = coc.create_issue(commit_upload_attachment=doc_id)

    assert coc.show("issues_mgmt", ticket_id)["commit_upload_attachment"] == doc_id


def test_an_issue_naming_an_unknown_attachment_is_refused(coc):
    reply = coc.post("/v1/issues_mgmt/tickets",
                     {**ISSUE_BODY, "commit_upload_attachment": str(uuid.uuid4())})

    refused(reply, 404, NOT_FOUND)
    assert coc.tickets("issues_mgmt", contain_total=True)["total"] == 0


# -- external issues ----------------------------------------------------------------------------

EXTERNAL = {
    "title": "ECS restarts at night",
    "description": "Several ECS instances restart around 02:00.",
    "impacted_cloud_services": ["ecs", "evs"],
    "regions": ["cn-north-4", "cn-south-1"],
    "level": "issues_level_3000",
    "ticket_type": "issues_type_1000",
    "reproduce_probability": "sometimes",
    "root_cause_cloud_service": ["ecs"],
    "virtual_schedule_type": "issues_mgmt_virtual_schedule_type_2000",
    "issue_contact_person": "51875a8200fd45189f94745678545bc3",
}


def create_external(coc, **overrides) -> str:
    data = ok(coc.post("/v1/external/issues/create", {**EXTERNAL, **overrides}))
    assert set(data) == {"ticket_id"}
    return data["ticket_id"]


def test_an_external_issue_shows_its_lists_as_comma_strings(coc):
    ticket_id = create_external(coc)

    issue = ok(coc.get(f"/v1/external/issues/{ticket_id}"))

    assert re.fullmatch(rf"IM{T0_STAMP}\d{{10}}", ticket_id)
    assert issue["ticket_id"] == ticket_id
    assert issue["impacted_cloud_services"] == "ecs,evs"
    assert issue["regions"] == "cn-north-4,cn-south-1"
    assert issue["root_cause_cloud_service"] == "ecs"
    assert issue["title"] == EXTERNAL["title"]
    assert issue["reproduce_probability"] == "sometimes"
    assert (issue["phase"], issue["work_flow_status"]) == (
        "phase_issues_accept", "issues_unaccepted"
    )
    assert issue["creator"] == USER_ID
    assert issue["create_time"] == T0_MS
    assert issue["is_deleted"] is False


def test_an_external_issue_explains_its_enum_values(coc):
    ticket_id = create_external(coc)

    explained = {e["filed_key"]: e for e in ok(coc.get(f"/v1/external/issues/{ticket_id}"))[
        "enum_data_list"]}

    assert explained["level"]["enum_key"] == "issues_level_3000"
    assert explained["level"]["name_en"] == "Minor"
    assert explained["level"]["name_zh"]
    assert explained["virtual_schedule_type"]["enum_key"] == (
        "issues_mgmt_virtual_schedule_type_2000"
    )
    assert explained["virtual_schedule_type"]["name_en"] == "Individual"


def test_an_external_issue_records_the_creator_it_names(coc):
    ticket_id = create_external(coc, creator="reporter-9")

    assert ok(coc.get(f"/v1/external/issues/{ticket_id}"))["creator"] == "reporter-9"


def test_an_external_issue_is_an_ordinary_issue_ticket_too(coc):
    ticket_id = create_external(coc)

    issue_action(coc, ticket_id, "gocm_issues_accepte")

    assert coc.state("issues_mgmt", ticket_id) == ("phase_issues_handle", "issues_locating")
    assert ok(coc.get(f"/v1/external/issues/{ticket_id}"))["work_flow_status"] == (
        "issues_locating"
    )


def test_the_external_issue_histories_list_its_rows(coc):
    ticket_id = create_external(coc)
    issue_action(coc, ticket_id, "gocm_issues_accepte")
    body = {"string_filters": [{"operator": "=", "field": "ticket_id", "values": [ticket_id]}]}

    rows = ok(coc.post("/v1/external/issues_mgmt/list-histories", body))["info"]

    assert steps(rows) == [
        ("create_ticket", "phase_issues_accept", "issues_unaccepted"),
        ("gocm_issues_accepte", "phase_issues_handle", "issues_locating"),
    ]


def test_incident_histories_are_always_empty(coc):
    create_external(coc)

    assert ok(coc.post("/v1/external/incident/list-histories", {})) == {"info": []}


def test_a_change_is_not_an_external_issue(coc):
    change_id = coc.create_change()

    refused(coc.get(f"/v1/external/issues/{change_id}"), 404, NOT_FOUND)


# -- deleting -----------------------------------------------------------------------------------


def delete(coc, ticket_id: str):
    return coc.client.delete(f"/v1/change/tickets/{ticket_id}", headers=coc.headers)


def test_a_deleted_draft_is_gone_with_its_histories_and_sub_tickets(coc):
    ticket_id = coc.create_change(is_start_process=False)

    assert ok(delete(coc, ticket_id)) is None

    refused(coc.get(f"/v1/change/tickets/{ticket_id}"), 404, NOT_FOUND)
    assert coc.histories("change", ticket_id) == []
    refused(coc.get(f"/v1/change/tickets/{ticket_id}/list-sub-tickets", type="change_scope"),
            404, NOT_FOUND)
    assert coc.tickets("change", contain_total=True)["total"] == 0


def test_deleting_a_ticket_leaves_the_others(coc):
    kept = coc.create_change(title="kept", is_start_process=False)
    gone = coc.create_change(title="gone", is_start_process=False)

    ok(delete(coc, gone))

    assert coc.show("change", kept)["title"] == "kept"
    assert len(coc.show("change", kept)["sub_tickets"]) == 2
    assert len(coc.histories("change", kept)) == 1


def test_cancelled_and_closed_changes_can_be_deleted(coc):
    cancelled = coc.create_change()
    ok(coc.act("change", cancelled, "cancel_process_action"))
    closed = to_be_started(coc)
    for action in ("change_start_change_success", "change_end_change_success",
                   "change_result_failed", "change_complete_success"):
        ok(coc.step(closed, action))

    ok(delete(coc, cancelled))
    ok(delete(coc, closed))

    assert coc.tickets("change", contain_total=True)["total"] == 0


def test_a_deleted_ticket_cannot_be_deleted_again(coc):
    ticket_id = coc.create_change(is_start_process=False)
    ok(delete(coc, ticket_id))

    refused(delete(coc, ticket_id), 404, NOT_FOUND)
