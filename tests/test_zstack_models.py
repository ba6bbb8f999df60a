"""The ZStack ticket domain, driven directly (no HTTP): transitions, permissions, flows,
deletion and archives, sessions."""

import copy

import pytest

from mockserver.clock import FrozenClock
from mockserver.config import ZStackSettings
from mockserver.ids import Ids
from mockserver.store import MemoryStore
from mockserver.world import load_scenario
from mockserver.zstack import scenario
from mockserver.zstack.errors import (
    AuthenticationFailed,
    InvalidArgument,
    InvalidSession,
    OperationFailed,
    PermissionDenied,
    ResourceNotFound,
)
from mockserver.zstack.models import (
    ACCOUNT,
    CANCELLED,
    FINAL,
    INTERMEDIATE,
    PENDING,
    REJECTED,
    TRANSITIONS,
    VIRTUAL_ID,
    Actor,
    ZStackBackend,
    hash_password,
    next_status,
)

T0 = 1_768_471_200.0

PROJECT = "a497d61cc2d848f2a1101ebd7bc7362f"
OTHER_PROJECT = "28c9a199e3e842d28c9805eb89be56cb"
DEFAULT_COLLECTION = "9fbbac8054d54f0490438eaaba3e1cf8"
OTHER_PROJECT_COLLECTION = "6aa051e47de74658885bca987b9c4a35"
TEAM_LEAD_FLOW = "4f0c7a2e9b1d4c3a8e6f5d2b1a0c9e8d"
OPERATIONS_FLOW = "6b8d0f2a4c6e4a8c0e2f4a6c8e0a2c4e"
VM_TICKET_TYPE = "3b933e9aaf2d49b9a3dcf0c92867790f"
SEEDED_PENDING_TICKET = "e9377476db3f375bbff78dc3b9204f00"

ADMIN = Actor("36c27e8ff05c4780bf6d2fa65700f22e", ACCOUNT, True)
REQUESTER = Actor("c0df7a66330f4cc3b83d1c3695aac291", VIRTUAL_ID, False, PROJECT)
DOCS_REQUESTER = Actor("1c255722caf34cb888b57d11a744248c", VIRTUAL_ID, False, OTHER_PROJECT)
APPROVER1 = Actor("5e1f5b8f6c0e4b2f9d7a3c1b2a4d6e8f", VIRTUAL_ID, False, PROJECT)
APPROVER2 = Actor("7a9c1e3b5d7f4a6c8e0b2d4f6a8c0e2b", VIRTUAL_ID, False, PROJECT)
VIRTUAL_ID_ACTORS = {a.uuid: a for a in (REQUESTER, DOCS_REQUESTER, APPROVER1, APPROVER2)}

CREATE_VM = "org.zstack.header.vm.APICreateVmInstanceMsg"
REQUESTS = [
    {
        "requestName": "create vm",
        "apiName": CREATE_VM,
        "executeTimes": 3,
        "apiBody": {"name": "vm", "imageUuid": "43e997234af63863b28a5e9987e1d122"},
    },
    {"requestName": "create another vm", "apiName": CREATE_VM, "apiBody": {"name": "vm2"}},
]

STATUSES = [PENDING, INTERMEDIATE, FINAL, REJECTED, CANCELLED]
EVENTS = ["open", "approve", "reject", "cancel", "reopen"]

# The table in the description of `PUT /tickets/{uuid}/actions`, for the default collection's
# two flows (so approving a Pending ticket leaves one flow to go). Missing pairs are refused.
SPEC_TABLE = {
    (PENDING, "approve"): INTERMEDIATE,
    (INTERMEDIATE, "approve"): FINAL,
    (PENDING, "reject"): REJECTED,
    (INTERMEDIATE, "reject"): REJECTED,
    (PENDING, "cancel"): CANCELLED,
    (INTERMEDIATE, "cancel"): CANCELLED,
    (REJECTED, "cancel"): CANCELLED,
    (REJECTED, "reopen"): PENDING,
    (CANCELLED, "reopen"): PENDING,
}
LEGAL_PAIRS = [(s, e) for s in STATUSES for e in EVENTS if (s, e) in SPEC_TABLE]
ILLEGAL_PAIRS = [(s, e) for s in STATUSES for e in EVENTS if (s, e) not in SPEC_TABLE]

# The events that bring a fresh Pending ticket into each status, and who sends them.
PATH_TO = {
    PENDING: [],
    INTERMEDIATE: [("approve", APPROVER1)],
    FINAL: [("approve", APPROVER1), ("approve", APPROVER2)],
    REJECTED: [("reject", APPROVER1)],
    CANCELLED: [("cancel", REQUESTER)],
}


# -- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def settings() -> ZStackSettings:
    return ZStackSettings()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def backend(clock, settings) -> ZStackBackend:
    backend = ZStackBackend(MemoryStore(), clock, Ids(7), settings)
    scenario.seed(backend, load_scenario("default")["zstack"])
    return backend


def ticket_params(**overrides) -> dict:
    params = {
        "name": "new vm",
        "description": "a vm for testing",
        "requests": copy.deepcopy(REQUESTS),
        "accountSystemType": "iam2",
        "accountSystemContext": {"projectUuid": PROJECT, "virtualIDUuid": REQUESTER.uuid},
    }
    params.update(overrides)
    return params


def create_ticket(backend, actor=ADMIN, **overrides) -> str:
    return backend.create_ticket(actor, ticket_params(**overrides))["uuid"]


def ticket_in(backend, status) -> str:
    """A new ticket of the requester's, moved through the model into `status`."""
    uuid = create_ticket(backend)
    for event, actor in PATH_TO[status]:
        backend.change_ticket_status(actor, uuid, event, None)
    assert backend.tickets.get(uuid)["status"] == status
    return uuid


def histories_of(backend, ticket_uuid) -> list[dict]:
    rows = [h for h in backend.histories.values() if h["ticketUuid"] == ticket_uuid]
    return sorted(rows, key=lambda h: h["sequence"])


def flows_after_current(backend, ticket) -> int:
    order = backend.collections.get(ticket["flowCollectionUuid"])["flowUuids"]
    return len(order) - order.index(ticket["currentFlowUuid"]) - 1


def rightful_actor(backend, ticket, event) -> Actor:
    """Who the spec says may send `event`: the current approver, else the requester."""
    if TRANSITIONS[event].by == "approver":
        approver = backend.flows.get(ticket["currentFlowUuid"])["approverUuid"]
        return VIRTUAL_ID_ACTORS[approver]
    return REQUESTER


def flow_names(backend, collection_uuid) -> list[str]:
    return [f["name"] for f in backend.collection_inventory(collection_uuid)["flows"]]


def new_collection(backend, *names, **overrides) -> dict:
    """A collection in PROJECT with one flow per name, each judged by approver1."""
    params = {
        "name": "extra approval",
        "projectUuid": PROJECT,
        "flows": [{"name": name, "approverUuid": APPROVER1.uuid} for name in names],
    }
    params.update(overrides)
    return backend.create_flow_collection(ADMIN, params)


def cancel_seeded_pending_ticket(backend) -> None:
    backend.change_ticket_status(ADMIN, SEEDED_PENDING_TICKET, "cancel", None)


# -- the transition table ---------------------------------------------------------------------


def test_the_transition_table_covers_exactly_the_five_events():
    assert set(TRANSITIONS) == set(EVENTS)


@pytest.mark.parametrize(("status", "event"), [(s, e) for s in STATUSES for e in EVENTS])
def test_next_status_agrees_with_the_spec_table(status, event):
    flows_after = 1 if status == PENDING else 0
    assert next_status(status, event, flows_after) == SPEC_TABLE.get((status, event))


def test_approving_the_last_flow_of_a_pending_ticket_is_final():
    assert next_status(PENDING, "approve", 0) == FINAL


@pytest.mark.parametrize(("status", "event"), LEGAL_PAIRS)
def test_a_legal_event_moves_the_ticket_and_writes_one_history_row(backend, status, event):
    uuid = ticket_in(backend, status)
    ticket = backend.tickets.get(uuid)
    expected = next_status(status, event, flows_after_current(backend, ticket))
    actor = rightful_actor(backend, ticket, event)
    rows_before = len(histories_of(backend, uuid))

    backend.change_ticket_status(actor, uuid, event, "a comment")

    assert backend.tickets.get(uuid)["status"] == expected == SPEC_TABLE[(status, event)]
    new_rows = histories_of(backend, uuid)[rows_before:]
    changed = new_rows[0]
    assert (changed["fromStatus"], changed["toStatus"]) == (status, expected)
    assert changed["operationContextType"] == "StatusChanged"
    assert changed["operatorUuid"] == actor.uuid
    assert changed["comment"] == "a comment"
    assert len(new_rows) == (2 if expected == FINAL else 1)


def test_reaching_final_approved_records_the_executed_requests(backend):
    uuid = ticket_in(backend, INTERMEDIATE)

    backend.change_ticket_status(APPROVER2, uuid, "approve", None)

    executed = histories_of(backend, uuid)[-1]
    assert executed["operationContextType"] == "RequestsExecuted"
    assert (executed["fromStatus"], executed["toStatus"]) == (FINAL, FINAL)
    assert executed["operatorType"] == "System"
    results = executed["operationContext"]["requestResults"]
    assert [(r["requestName"], r["successTimes"], r["failureTimes"]) for r in results] == [
        ("create vm", 3, 0),
        ("create another vm", 1, 0),
    ]


@pytest.mark.parametrize(("status", "event"), ILLEGAL_PAIRS)
def test_an_illegal_event_is_refused_and_changes_nothing(backend, status, event):
    uuid = ticket_in(backend, status)
    ticket_before = copy.deepcopy(backend.tickets.get(uuid))
    histories_before = len(backend.histories)

    with pytest.raises(OperationFailed):
        backend.change_ticket_status(ADMIN, uuid, event, None)

    assert backend.tickets.get(uuid) == ticket_before
    assert len(backend.histories) == histories_before


def test_changing_the_status_of_an_unknown_ticket_is_not_found(backend):
    with pytest.raises(ResourceNotFound):
        backend.change_ticket_status(ADMIN, "0" * 32, "approve", None)


# -- two-step approval ------------------------------------------------------------------------


def test_creating_a_ticket_starts_it_pending_at_the_first_flow(backend):
    ticket = backend.tickets.get(create_ticket(backend))

    assert ticket["status"] == PENDING
    assert ticket["flowCollectionUuid"] == DEFAULT_COLLECTION
    assert ticket["currentFlowUuid"] == TEAM_LEAD_FLOW
    assert ticket["ticketTypeUuid"] == VM_TICKET_TYPE
    [opened] = histories_of(backend, ticket["uuid"])
    assert (opened["fromStatus"], opened["toStatus"]) == (None, PENDING)


def test_the_first_approver_moves_the_ticket_to_the_second_flow(backend):
    uuid = create_ticket(backend)

    backend.change_ticket_status(APPROVER1, uuid, "approve", None)

    ticket = backend.tickets.get(uuid)
    assert ticket["status"] == INTERMEDIATE
    assert ticket["currentFlowUuid"] == OPERATIONS_FLOW


def test_the_second_approver_gives_the_final_approval(backend):
    uuid = create_ticket(backend)
    backend.change_ticket_status(APPROVER1, uuid, "approve", None)

    backend.change_ticket_status(APPROVER2, uuid, "approve", None)

    assert backend.tickets.get(uuid)["status"] == FINAL


def test_each_history_row_names_the_flow_that_was_judged(backend):
    uuid = create_ticket(backend)
    backend.change_ticket_status(APPROVER1, uuid, "approve", None)
    backend.change_ticket_status(APPROVER2, uuid, "approve", None)

    rows = histories_of(backend, uuid)
    assert [(r["toStatus"], r["flowName"]) for r in rows] == [
        (PENDING, None),
        (INTERMEDIATE, "team lead"),
        (FINAL, "operations"),
        (FINAL, "operations"),
    ]


def test_history_sequence_numbers_strictly_increase_in_order_of_writing(backend):
    uuid = create_ticket(backend)
    backend.change_ticket_status(APPROVER1, uuid, "approve", None)
    backend.change_ticket_status(APPROVER2, uuid, "approve", None)

    sequences = [h["sequence"] for h in backend.histories.values() if h["ticketUuid"] == uuid]
    assert len(sequences) == 4
    assert all(a < b for a, b in zip(sequences, sequences[1:], strict=False))


# -- who may judge, cancel and reopen ---------------------------------------------------------


@pytest.mark.parametrize("event", ["approve", "reject"])
def test_a_requester_cannot_judge_their_own_ticket(backend, event):
    uuid = create_ticket(backend)

    with pytest.raises(PermissionDenied) as refused:
        backend.change_ticket_status(REQUESTER, uuid, event, None)

    assert refused.value.code == "ID.1002"
    assert backend.tickets.get(uuid)["status"] == PENDING


@pytest.mark.parametrize("event", ["approve", "reject"])
def test_the_second_approver_cannot_judge_while_the_first_flow_is_current(backend, event):
    uuid = create_ticket(backend)

    with pytest.raises(PermissionDenied):
        backend.change_ticket_status(APPROVER2, uuid, event, None)

    assert backend.tickets.get(uuid)["status"] == PENDING


def test_the_first_approver_cannot_judge_the_second_flow(backend):
    uuid = ticket_in(backend, INTERMEDIATE)

    with pytest.raises(PermissionDenied):
        backend.change_ticket_status(APPROVER1, uuid, "approve", None)


def test_an_admin_may_judge_any_flow(backend):
    uuid = create_ticket(backend)

    backend.change_ticket_status(ADMIN, uuid, "approve", None)
    backend.change_ticket_status(ADMIN, uuid, "approve", None)

    assert backend.tickets.get(uuid)["status"] == FINAL


@pytest.mark.parametrize(
    ("status", "event"), [(PENDING, "cancel"), (REJECTED, "cancel"), (REJECTED, "reopen")]
)
def test_an_approver_may_not_cancel_or_reopen(backend, status, event):
    uuid = ticket_in(backend, status)

    with pytest.raises(PermissionDenied):
        backend.change_ticket_status(APPROVER1, uuid, event, None)

    assert backend.tickets.get(uuid)["status"] == status


@pytest.mark.parametrize("actor", [REQUESTER, ADMIN], ids=["requester", "admin"])
def test_the_requester_or_an_admin_may_cancel_and_reopen(backend, actor):
    uuid = create_ticket(backend)

    backend.change_ticket_status(actor, uuid, "cancel", None)
    assert backend.tickets.get(uuid)["status"] == CANCELLED
    backend.change_ticket_status(actor, uuid, "reopen", None)
    assert backend.tickets.get(uuid)["status"] == PENDING


def test_reopening_sends_the_ticket_back_to_the_first_flow(backend):
    uuid = ticket_in(backend, INTERMEDIATE)
    backend.change_ticket_status(APPROVER2, uuid, "reject", None)

    backend.change_ticket_status(REQUESTER, uuid, "reopen", None)

    ticket = backend.tickets.get(uuid)
    assert (ticket["status"], ticket["currentFlowUuid"]) == (PENDING, TEAM_LEAD_FLOW)
    assert histories_of(backend, uuid)[-1]["flowName"] == "team lead"
    backend.change_ticket_status(APPROVER1, uuid, "approve", None)
    assert backend.tickets.get(uuid)["status"] == INTERMEDIATE


# -- updating requests ------------------------------------------------------------------------

NEW_REQUESTS = [{"requestName": "smaller vm", "apiName": CREATE_VM, "apiBody": {"name": "s"}}]


@pytest.mark.parametrize("status", [PENDING, REJECTED, CANCELLED])
def test_requests_can_be_replaced_while_the_ticket_is_not_approved(backend, status):
    uuid = ticket_in(backend, status)

    backend.update_ticket_request(REQUESTER, uuid, NEW_REQUESTS, "smaller")

    ticket = backend.tickets.get(uuid)
    assert (ticket["request"], ticket["description"]) == (NEW_REQUESTS, "smaller")


@pytest.mark.parametrize("status", [INTERMEDIATE, FINAL])
def test_requests_cannot_be_replaced_once_approval_has_begun(backend, status):
    uuid = ticket_in(backend, status)

    with pytest.raises(OperationFailed):
        backend.update_ticket_request(REQUESTER, uuid, NEW_REQUESTS, None)

    assert backend.tickets.get(uuid)["request"] == REQUESTS


def test_updating_requests_without_a_description_keeps_the_old_one(backend):
    uuid = create_ticket(backend)

    backend.update_ticket_request(REQUESTER, uuid, NEW_REQUESTS, None)

    assert backend.tickets.get(uuid)["description"] == "a vm for testing"


def test_an_approver_cannot_replace_the_requests(backend):
    uuid = create_ticket(backend)

    with pytest.raises(PermissionDenied):
        backend.update_ticket_request(APPROVER1, uuid, NEW_REQUESTS, None)


# -- deleting tickets -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PENDING, INTERMEDIATE])
def test_a_permissive_delete_refuses_a_ticket_under_approval(backend, status):
    uuid = ticket_in(backend, status)

    with pytest.raises(OperationFailed):
        backend.delete_ticket(REQUESTER, uuid, "Permissive")

    assert backend.tickets.get(uuid) is not None


@pytest.mark.parametrize("status", [FINAL, REJECTED, CANCELLED])
def test_a_permissive_delete_removes_a_ticket_no_longer_under_approval(backend, status):
    uuid = ticket_in(backend, status)

    backend.delete_ticket(REQUESTER, uuid, "Permissive")

    assert backend.tickets.get(uuid) is None


@pytest.mark.parametrize("status", [PENDING, INTERMEDIATE])
def test_an_enforcing_delete_removes_a_ticket_under_approval(backend, status):
    uuid = ticket_in(backend, status)

    backend.delete_ticket(REQUESTER, uuid, "Enforcing")

    assert backend.tickets.get(uuid) is None


def test_a_deleted_ticket_is_archived_under_a_new_uuid(backend):
    uuid = ticket_in(backend, REJECTED)
    name = backend.tickets.get(uuid)["name"]

    backend.delete_ticket(REQUESTER, uuid, "Permissive")

    [archived] = [a for a in backend.archive_tickets.values() if a["ticketUuid"] == uuid]
    assert archived["uuid"] != uuid
    assert backend.archive_tickets.get(archived["uuid"]) == archived
    assert (archived["name"], archived["status"]) == (name, REJECTED)


def test_a_deleted_tickets_histories_move_to_the_archive(backend):
    uuid = ticket_in(backend, REJECTED)
    history_uuids = [h["uuid"] for h in histories_of(backend, uuid)]

    backend.delete_ticket(REQUESTER, uuid, "Permissive")

    assert histories_of(backend, uuid) == []
    archived = [h for h in backend.archive_histories.values() if h["ticketUuid"] == uuid]
    assert sorted(h["historyUuid"] for h in archived) == sorted(history_uuids)
    assert not {h["uuid"] for h in archived} & set(history_uuids)


def test_deleting_an_unknown_ticket_succeeds_and_changes_nothing(backend):
    tickets_before, archive_before = len(backend.tickets), len(backend.archive_tickets)

    backend.delete_ticket(REQUESTER, "0" * 32, "Permissive")

    assert (len(backend.tickets), len(backend.archive_tickets)) == (tickets_before, archive_before)


def test_an_approver_cannot_delete_someone_elses_ticket(backend):
    uuid = ticket_in(backend, CANCELLED)

    with pytest.raises(PermissionDenied):
        backend.delete_ticket(APPROVER1, uuid, "Enforcing")

    assert backend.tickets.get(uuid) is not None


# -- creating tickets -------------------------------------------------------------------------


def test_a_virtual_id_may_create_a_ticket_for_itself(backend):
    uuid = create_ticket(backend, actor=REQUESTER)

    assert backend.tickets.get(uuid)["accountSystemContext"]["virtualIDUuid"] == REQUESTER.uuid


def test_creating_a_ticket_in_an_unknown_project_is_not_found(backend):
    context = {"projectUuid": "0" * 32, "virtualIDUuid": REQUESTER.uuid}

    with pytest.raises(ResourceNotFound):
        create_ticket(backend, accountSystemContext=context)


def test_creating_a_ticket_for_an_unknown_virtual_id_is_not_found(backend):
    context = {"projectUuid": PROJECT, "virtualIDUuid": "0" * 32}

    with pytest.raises(ResourceNotFound):
        create_ticket(backend, accountSystemContext=context)


def test_creating_a_ticket_for_a_virtual_id_outside_the_project_is_invalid(backend):
    context = {"projectUuid": PROJECT, "virtualIDUuid": DOCS_REQUESTER.uuid}

    with pytest.raises(InvalidArgument):
        create_ticket(backend, accountSystemContext=context)


def test_a_virtual_id_cannot_create_a_ticket_for_someone_else(backend):
    with pytest.raises(PermissionDenied):
        create_ticket(backend, actor=APPROVER1)


def test_creating_a_ticket_when_the_default_collection_is_disabled_fails(backend):
    backend.change_flow_collection_state(ADMIN, DEFAULT_COLLECTION, "disable")

    with pytest.raises(OperationFailed):
        create_ticket(backend)


def test_creating_a_ticket_in_an_explicitly_named_disabled_collection_fails(backend):
    collection = new_collection(backend, "only step")
    backend.change_flow_collection_state(ADMIN, collection["uuid"], "disable")

    with pytest.raises(OperationFailed):
        create_ticket(backend, flowCollectionUuid=collection["uuid"])


def test_creating_a_ticket_in_another_projects_collection_is_invalid(backend):
    with pytest.raises(InvalidArgument):
        create_ticket(backend, flowCollectionUuid=OTHER_PROJECT_COLLECTION)


def test_a_ticket_may_choose_its_uuid(backend):
    assert create_ticket(backend, resourceUuid="f" * 32) == "f" * 32


def test_reusing_a_tickets_uuid_is_invalid(backend):
    tickets_before = len(backend.tickets)

    with pytest.raises(InvalidArgument):
        create_ticket(backend, resourceUuid=SEEDED_PENDING_TICKET)

    assert len(backend.tickets) == tickets_before


# -- flow collections and flows ---------------------------------------------------------------


def test_a_new_collection_chains_its_flows_by_parent(backend):
    collection = new_collection(backend, "first", "second", "third")

    flows = backend.collection_inventory(collection["uuid"])["flows"]
    assert [f["name"] for f in flows] == ["first", "second", "third"]
    assert [f["parentFlowUuid"] for f in flows] == [None, flows[0]["uuid"], flows[1]["uuid"]]


def test_a_new_default_collection_takes_the_default_from_the_old_one(backend):
    collection = new_collection(backend, "only step", isDefault=True)

    assert backend.collections.get(collection["uuid"])["isDefault"] is True
    assert backend.collections.get(DEFAULT_COLLECTION)["isDefault"] is False
    assert backend.collections.get(OTHER_PROJECT_COLLECTION)["isDefault"] is True
    assert backend.tickets.get(create_ticket(backend))["flowCollectionUuid"] == collection["uuid"]


def test_making_a_collection_default_by_update_moves_the_default(backend):
    collection = new_collection(backend, "only step")

    backend.update_flow_collection(ADMIN, collection["uuid"], {"isDefault": True})

    assert backend.collections.get(collection["uuid"])["isDefault"] is True
    assert backend.collections.get(DEFAULT_COLLECTION)["isDefault"] is False


def test_a_collections_flows_cannot_be_replaced_while_a_ticket_is_under_approval(backend):
    flows = [{"name": "new step", "approverUuid": APPROVER2.uuid}]

    with pytest.raises(OperationFailed):
        backend.update_flow_collection(ADMIN, DEFAULT_COLLECTION, {"flows": flows})

    assert flow_names(backend, DEFAULT_COLLECTION) == ["team lead", "operations"]


def test_a_collections_flows_can_be_replaced_once_no_ticket_is_under_approval(backend):
    cancel_seeded_pending_ticket(backend)
    flows = [{"name": "new step", "approverUuid": APPROVER2.uuid}]

    backend.update_flow_collection(ADMIN, DEFAULT_COLLECTION, {"flows": flows})

    assert flow_names(backend, DEFAULT_COLLECTION) == ["new step"]
    assert backend.flows.get(TEAM_LEAD_FLOW) is None


def test_a_collection_in_use_can_still_be_renamed(backend):
    backend.update_flow_collection(ADMIN, DEFAULT_COLLECTION, {"name": "renamed"})

    assert backend.collections.get(DEFAULT_COLLECTION)["name"] == "renamed"


def test_a_disabled_collection_can_be_enabled_again(backend):
    backend.change_flow_collection_state(ADMIN, DEFAULT_COLLECTION, "disable")
    assert backend.collections.get(DEFAULT_COLLECTION)["state"] == "Disabled"

    backend.change_flow_collection_state(ADMIN, DEFAULT_COLLECTION, "enable")

    assert backend.collections.get(DEFAULT_COLLECTION)["state"] == "Enabled"
    assert backend.tickets.get(create_ticket(backend))["status"] == PENDING


def test_a_collection_in_use_cannot_be_deleted(backend):
    with pytest.raises(OperationFailed):
        backend.delete_flow_collection(ADMIN, DEFAULT_COLLECTION)

    assert backend.collections.get(DEFAULT_COLLECTION) is not None


def test_deleting_a_collection_not_in_use_removes_it_and_its_flows(backend):
    cancel_seeded_pending_ticket(backend)

    backend.delete_flow_collection(ADMIN, DEFAULT_COLLECTION)

    assert backend.collections.get(DEFAULT_COLLECTION) is None
    assert backend.flows.get(TEAM_LEAD_FLOW) is None
    assert backend.flows.get(OPERATIONS_FLOW) is None


def test_adding_a_flow_after_a_parent_inserts_it_there(backend):
    flow = backend.add_flow(
        ADMIN,
        {
            "collectionUuid": DEFAULT_COLLECTION,
            "name": "security",
            "approverUuid": APPROVER2.uuid,
            "parentFlowUuid": TEAM_LEAD_FLOW,
        },
    )

    assert flow_names(backend, DEFAULT_COLLECTION) == ["team lead", "security", "operations"]
    assert flow["parentFlowUuid"] == TEAM_LEAD_FLOW
    assert backend.flows.get(OPERATIONS_FLOW)["parentFlowUuid"] == flow["uuid"]


def test_adding_a_flow_without_a_parent_appends_it(backend):
    flow = backend.add_flow(
        ADMIN,
        {"collectionUuid": DEFAULT_COLLECTION, "name": "audit", "approverUuid": APPROVER1.uuid},
    )

    assert flow_names(backend, DEFAULT_COLLECTION) == ["team lead", "operations", "audit"]
    assert flow["parentFlowUuid"] == OPERATIONS_FLOW


def test_adding_a_flow_after_a_foreign_parent_is_invalid(backend):
    with pytest.raises(InvalidArgument):
        backend.add_flow(
            ADMIN,
            {
                "collectionUuid": DEFAULT_COLLECTION,
                "name": "audit",
                "approverUuid": APPROVER1.uuid,
                "parentFlowUuid": "0" * 32,
            },
        )


def test_a_flow_approver_must_belong_to_the_project(backend):
    with pytest.raises(InvalidArgument):
        backend.add_flow(
            ADMIN,
            {
                "collectionUuid": DEFAULT_COLLECTION,
                "name": "x",
                "approverUuid": DOCS_REQUESTER.uuid,
            },
        )


def test_deleting_a_middle_flow_links_its_neighbours(backend):
    collection = new_collection(backend, "first", "second", "third")
    first, second, third = backend.collection_inventory(collection["uuid"])["flows"]

    backend.delete_flow(ADMIN, second["uuid"])

    assert flow_names(backend, collection["uuid"]) == ["first", "third"]
    assert backend.flows.get(third["uuid"])["parentFlowUuid"] == first["uuid"]


def test_the_current_flow_of_a_ticket_under_approval_cannot_be_deleted(backend):
    with pytest.raises(OperationFailed):
        backend.delete_flow(ADMIN, TEAM_LEAD_FLOW)

    assert flow_names(backend, DEFAULT_COLLECTION) == ["team lead", "operations"]


@pytest.fixture
def second_ticket_type(backend) -> str:
    uuid = "d" * 32
    backend.ticket_types.put(
        uuid, {"uuid": uuid, "name": "DELETE_VM", "requests": "x.APIDestroyVmInstanceMsg"}
    )
    return uuid


def test_ticket_types_can_be_added_to_a_collection_once(backend, second_ticket_type):
    backend.add_ticket_types(ADMIN, DEFAULT_COLLECTION, [second_ticket_type])
    backend.add_ticket_types(ADMIN, DEFAULT_COLLECTION, [second_ticket_type])

    types = backend.collections.get(DEFAULT_COLLECTION)["ticketTypeUuids"]
    assert types == [VM_TICKET_TYPE, second_ticket_type]


def test_adding_an_unknown_ticket_type_is_not_found(backend):
    with pytest.raises(ResourceNotFound):
        backend.add_ticket_types(ADMIN, DEFAULT_COLLECTION, ["0" * 32])

    assert backend.collections.get(DEFAULT_COLLECTION)["ticketTypeUuids"] == [VM_TICKET_TYPE]


def test_ticket_types_can_be_removed_from_a_collection(backend, second_ticket_type):
    backend.add_ticket_types(ADMIN, DEFAULT_COLLECTION, [second_ticket_type])

    backend.remove_ticket_types(ADMIN, DEFAULT_COLLECTION, [VM_TICKET_TYPE])

    assert backend.collections.get(DEFAULT_COLLECTION)["ticketTypeUuids"] == [second_ticket_type]


def test_a_collection_without_the_tickets_type_is_not_its_default(backend):
    backend.remove_ticket_types(ADMIN, DEFAULT_COLLECTION, [VM_TICKET_TYPE])

    with pytest.raises(OperationFailed):
        create_ticket(backend)


COLLECTION_MANAGEMENT = {
    "create collection": lambda b: b.create_flow_collection(
        APPROVER1, {"name": "x", "projectUuid": PROJECT}
    ),
    "update collection": lambda b: b.update_flow_collection(
        APPROVER1, DEFAULT_COLLECTION, {"name": "x"}
    ),
    "change state": lambda b: b.change_flow_collection_state(
        APPROVER1, DEFAULT_COLLECTION, "disable"
    ),
    "delete collection": lambda b: b.delete_flow_collection(APPROVER1, DEFAULT_COLLECTION),
    "add flow": lambda b: b.add_flow(
        APPROVER1,
        {"collectionUuid": DEFAULT_COLLECTION, "name": "x", "approverUuid": APPROVER1.uuid},
    ),
    "update flow": lambda b: b.update_flow(APPROVER1, TEAM_LEAD_FLOW, {"name": "x"}),
    "delete flow": lambda b: b.delete_flow(APPROVER1, OPERATIONS_FLOW),
    "add ticket types": lambda b: b.add_ticket_types(
        APPROVER1, DEFAULT_COLLECTION, [VM_TICKET_TYPE]
    ),
    "remove ticket types": lambda b: b.remove_ticket_types(
        APPROVER1, DEFAULT_COLLECTION, [VM_TICKET_TYPE]
    ),
}


@pytest.mark.parametrize("operation", COLLECTION_MANAGEMENT.values(), ids=COLLECTION_MANAGEMENT)
def test_only_an_admin_may_manage_flow_collections(backend, operation):
    collections_before = copy.deepcopy(backend.collections.get(DEFAULT_COLLECTION))
    flows_before = len(backend.flows)

    with pytest.raises(PermissionDenied):
        operation(backend)

    assert backend.collections.get(DEFAULT_COLLECTION) == collections_before
    assert len(backend.flows) == flows_before


def test_an_admin_may_rename_a_flow_and_change_its_approver(backend):
    backend.update_flow(ADMIN, TEAM_LEAD_FLOW, {"name": "lead", "approverUuid": APPROVER2.uuid})

    flow = backend.flows.get(TEAM_LEAD_FLOW)
    assert (flow["name"], flow["approverUuid"]) == ("lead", APPROVER2.uuid)
    assert APPROVER2.uuid in flow["flowContext"]


# -- sessions ---------------------------------------------------------------------------------


def test_an_account_logs_in_with_the_sha512_of_its_password(backend):
    session = backend.log_in_by_account("admin", hash_password("password"))

    assert backend.actor(session["uuid"]) == ADMIN


@pytest.mark.parametrize("password", ["password", hash_password("wrong")], ids=["plain", "wrong"])
def test_an_account_login_with_another_password_fails(backend, password):
    with pytest.raises(AuthenticationFailed):
        backend.log_in_by_account("admin", password)


def test_an_unknown_account_cannot_log_in(backend):
    with pytest.raises(AuthenticationFailed):
        backend.log_in_by_account("nobody", hash_password("password"))


def test_a_session_lives_until_the_session_timeout(backend, clock, settings):
    session = backend.log_in_by_account("admin", hash_password("password"))

    clock.advance(settings.session_timeout_s - 1)

    assert backend.actor(session["uuid"]) == ADMIN


def test_a_session_expires_after_the_session_timeout(backend, clock, settings):
    session = backend.log_in_by_account("admin", hash_password("password"))

    clock.advance(settings.session_timeout_s)

    with pytest.raises(InvalidSession):
        backend.actor(session["uuid"])


def test_a_virtual_id_logs_in_to_a_project_it_belongs_to(backend):
    session = backend.log_in_virtual_id("requester", hash_password("password"))

    project_session = backend.log_in_project(session["uuid"], "demo-project")

    assert backend.actor(project_session["uuid"]) == REQUESTER


def test_a_virtual_id_cannot_log_in_to_a_project_it_does_not_belong_to(backend):
    session = backend.log_in_virtual_id("requester", hash_password("password"))

    with pytest.raises(PermissionDenied):
        backend.log_in_project(session["uuid"], "docs-sample-project")


def test_logging_in_to_an_unknown_project_is_not_found(backend):
    session = backend.log_in_virtual_id("requester", hash_password("password"))

    with pytest.raises(ResourceNotFound):
        backend.log_in_project(session["uuid"], "no-such-project")


def test_an_account_session_cannot_log_in_to_a_project(backend):
    session = backend.log_in_by_account("admin", hash_password("password"))

    with pytest.raises(PermissionDenied):
        backend.log_in_project(session["uuid"], "demo-project")


def test_a_virtual_id_login_with_a_wrong_password_fails(backend):
    with pytest.raises(AuthenticationFailed):
        backend.log_in_virtual_id("requester", hash_password("wrong"))


def test_logging_out_ends_the_session(backend):
    session = backend.log_in_by_account("admin", hash_password("password"))

    backend.log_out(session["uuid"])

    with pytest.raises(InvalidSession):
        backend.actor(session["uuid"])
