"""Reads the store answers from indexes, after the records behind them changed: a filtered list
shows what the whole list shows with the same filter applied, in the same order, and what moves
by itself still does when many other records are around."""

from collections.abc import Iterator

import pytest

from mockserver.app import default_families
from mockserver.clock import FrozenClock
from mockserver.config import Config
from mockserver.runtime import Mock
from tests.conftest import ADMIN_AUTH, T0, Client
from tests.huawei_helpers import CHANGE_BODY, ISSUE_BODY, get_token
from tests.zstack_helpers import (
    PENDING_TICKET,
    REJECTED_TICKET,
    auth,
    change_status,
    create_ticket,
    login_virtual_id,
    query,
    result,
    ticket_request,
)

ADMIN = "/__admin/worlds/default"
V1 = "/zstack/v1"
DOCS_PROJECT = "28c9a199e3e842d28c9805eb89be56cb"
DOCS_REQUESTER = "1c255722caf34cb888b57d11a744248c"
OSM = "/v2/servicerequest"
OSM_CASE = {
    "business_type_id": "8084e611c019e48272490566ddcec2ca",
    "source_id": "83aeb0f2834c4df49826c781d32a963e",
    "simple_description": "Which flavor suits a small web site?",
}


@pytest.fixture(scope="module")
def app_client() -> Iterator[Client]:
    c = Client(Mock(Config(seed=7), default_families(), clock=FrozenClock(T0)))
    yield c
    c.close()


@pytest.fixture
def client(app_client) -> Client:
    app_client.mock.forget("default")
    app_client.mock.world().clock.freeze(T0)
    return app_client


def progress(client: Client, **settings) -> None:
    reply = client.put(f"{ADMIN}/progression", json=settings)
    assert reply.status_code == 200, reply.text


def advance(client: Client, seconds: float) -> None:
    reply = client.post(f"{ADMIN}/clock/advance", json={"seconds": seconds})
    assert reply.status_code == 200, reply.text


# -- ZStack -------------------------------------------------------------------------------------


def zstack_uuids(client: Client, headers: dict | None = None, **params) -> list[str]:
    return [t["uuid"] for t in query(client, f"{V1}/tickets", headers, **params)["inventories"]]


def with_status(client: Client, status: str, headers: dict | None = None) -> list[str]:
    """The tickets in `status`, as the whole list shows them (its order, no filter asked)."""
    every = query(client, f"{V1}/tickets", headers)["inventories"]
    return [t["uuid"] for t in every if t["status"] == status]


def test_a_ticket_whose_status_changed_leaves_the_old_status_filter(client):
    first, second, third = (create_ticket(client, f"ticket {i}")["uuid"] for i in range(3))

    result(client, change_status(client, second, "reject"))

    pending = zstack_uuids(client, q="status=Pending")
    assert second not in pending
    assert pending == with_status(client, "Pending") == [PENDING_TICKET, first, third]
    assert zstack_uuids(client, q="status=Rejected") == [REJECTED_TICKET, second]


def test_a_ticket_back_in_a_status_is_listed_in_its_place_not_last(client):
    first, second, third = (create_ticket(client, f"ticket {i}")["uuid"] for i in range(3))
    result(client, change_status(client, second, "reject"))

    result(client, change_status(client, second, "reopen"))

    assert zstack_uuids(client, q="status=Pending") == [PENDING_TICKET, first, second, third]


def test_status_pages_and_totals_match_the_whole_list(client):
    made = [create_ticket(client, f"ticket {i}")["uuid"] for i in range(7)]
    for uuid in made[1::3]:
        result(client, change_status(client, uuid, "cancel"))
    pending = with_status(client, "Pending")

    pages = [zstack_uuids(client, q="status=Pending", limit=3, start=s) for s in (0, 3, 6)]
    counted = query(client, f"{V1}/tickets", q="status=Pending", count="true")
    with_total = query(client, f"{V1}/tickets", q="status=Pending", limit=2, replyWithCount="true")

    assert pages == [pending[0:3], pending[3:6], pending[6:9]]
    assert counted == {"total": len(pending)}
    assert with_total["total"] == len(pending)
    assert [t["uuid"] for t in with_total["inventories"]] == pending[:2]


def test_several_conditions_narrow_each_other(client):
    made = [create_ticket(client, f"ticket {i}")["uuid"] for i in range(4)]
    result(client, change_status(client, made[2], "approve"))

    found = zstack_uuids(client, q=["status=Pending", f"uuid={made[1]}"])
    none = zstack_uuids(client, q=["status=IntermediateApproved", f"uuid={made[1]}"])
    by_name = zstack_uuids(client, q=["status=Pending", "name=ticket 3"])

    assert (found, none, by_name) == ([made[1]], [], [made[3]])


def test_a_virtual_id_sees_only_its_projects_tickets_under_a_filter(client):
    ours = create_ticket(client, "ours")["uuid"]
    docs = ticket_request("theirs")
    docs["params"]["accountSystemContext"] = {
        "projectUuid": DOCS_PROJECT,
        "virtualIDUuid": DOCS_REQUESTER,
    }
    theirs = result(client, client.post(f"{V1}/tickets", headers=ADMIN_AUTH, json=docs))
    theirs = theirs["inventory"]["uuid"]
    session = auth(login_virtual_id(client, "requester"))

    seen = zstack_uuids(client, session, q="status=Pending")

    assert seen == [PENDING_TICKET, ours]
    assert theirs in zstack_uuids(client, q="status=Pending")
    assert query(client, f"{V1}/tickets/{theirs}", session)["inventories"] == []
    assert [t["uuid"] for t in query(client, f"{V1}/tickets/{ours}", session)["inventories"]] == [
        ours
    ]


def test_a_deleted_ticket_and_its_histories_are_gone_from_lookups_and_archived(client):
    uuid = create_ticket(client, "short-lived")["uuid"]
    result(client, change_status(client, uuid, "cancel"))

    result(client, client.delete(f"{V1}/tickets/{uuid}", headers=ADMIN_AUTH))

    assert query(client, f"{V1}/tickets/{uuid}")["inventories"] == []
    assert query(client, f"{V1}/tickets/histories", q=f"ticketUuid={uuid}")["inventories"] == []
    archived = query(client, f"{V1}/tickets/archives", q=f"ticketUuid={uuid}")["inventories"]
    assert [t["status"] for t in archived] == ["Cancelled"]
    assert archived[0]["uuid"] != uuid


def test_a_tickets_histories_are_found_by_its_uuid_in_their_order(client):
    uuid = create_ticket(client, "judged")["uuid"]
    create_ticket(client, "another")
    result(client, change_status(client, uuid, "approve"))
    result(client, change_status(client, uuid, "approve"))

    rows = query(client, f"{V1}/tickets/histories", q=f"ticketUuid={uuid}")["inventories"]

    assert [(r.get("fromStatus"), r["toStatus"]) for r in rows] == [
        (None, "Pending"),
        ("Pending", "IntermediateApproved"),
        ("IntermediateApproved", "FinalApproved"),
        ("FinalApproved", "FinalApproved"),
    ]
    (one,) = query(client, f"{V1}/tickets/histories/{rows[1]['uuid']}")["inventories"]
    assert one == rows[1]


def test_an_imported_world_answers_the_same_filters(client):
    made = [create_ticket(client, f"ticket {i}")["uuid"] for i in range(4)]
    result(client, change_status(client, made[1], "reject"))
    state = client.get(f"{ADMIN}/state").json()

    imported = client.put("/__admin/worlds/copy/state", json=state)

    assert imported.status_code == 200, imported.text
    copy = {**ADMIN_AUTH, "X-Mock-World": "copy"}
    for status in ("Pending", "Rejected"):
        assert zstack_uuids(client, copy, q=f"status={status}") == zstack_uuids(
            client, q=f"status={status}"
        )
    assert zstack_uuids(client, copy, q=f"uuid={made[2]}") == [made[2]]


# -- COC ----------------------------------------------------------------------------------------


class Coc:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers = {"X-Auth-Token": get_token(client)}

    def create(self, kind: str, body: dict) -> str:
        reply = self.client.post(f"/v1/{kind}/tickets", json=body, headers=self.headers)
        assert reply.status_code == 200, reply.text
        return reply.json()["data"]["ticket_id"]

    def post(self, path: str, body: dict) -> dict:
        reply = self.client.post(path, json=body, headers=self.headers)
        assert reply.status_code == 200, reply.text
        return reply.json()["data"]

    def tickets(self, kind: str, **body) -> list[str]:
        return [t["ticket_id"] for t in self.post(f"/v1/{kind}/list-tickets", body)["tickets"]]

    def every(self, kind: str, **body) -> list[dict]:
        return self.post(f"/v1/{kind}/list-tickets", {"per_page": 100, **body})["tickets"]


def phase_is(*phases: str) -> list[dict]:
    return [{"operator": "in", "field": "phase", "values": list(phases)}]


def test_a_coc_ticket_leaves_its_old_phase_filter_and_lists_stay_newest_first(client):
    coc = Coc(client)
    made = []
    for i in range(6):
        made.append(coc.create("change", {**CHANGE_BODY, "title": f"change {i}"}))
        advance(client, 60 if i % 2 else 0)  # pairs created at the same time
    coc.post("/v1/change/actions", {"ticket_id": made[2], "action": "cancel_process_action"})

    every = coc.every("change")
    approving = [t["ticket_id"] for t in every if t["phase"] == "phase_change_approve"]
    cancelled = [t["ticket_id"] for t in every if t["phase"] == "phase_change_cancel"]

    assert made[2] not in approving
    assert coc.tickets("change", string_filters=phase_is("phase_change_approve")) == approving
    assert coc.tickets("change", string_filters=phase_is("phase_change_cancel")) == cancelled
    assert [t["ticket_id"] for t in every] == [made[i] for i in (4, 5, 2, 3, 0, 1)]
    page = coc.post(
        "/v1/change/list-tickets",
        {
            "string_filters": phase_is("phase_change_approve", "phase_change_cancel"),
            "sort_filter": {"field": "create_time", "operator": "desc"},
            "page": 2,
            "per_page": 2,
            "contain_total": True,
        },
    )
    assert [t["ticket_id"] for t in page["tickets"]] == [made[i] for i in (2, 3)]
    assert page["total"] == 6


def test_coc_lists_in_other_orders_keep_ties_in_creation_order(client):
    coc = Coc(client)
    made = [coc.create("issues_mgmt", {**ISSUE_BODY, "title": f"issue {i % 2}"}) for i in range(4)]

    oldest = coc.tickets("issues_mgmt", sort_filter={"field": "create_time", "operator": "asc"})
    by_title = coc.tickets("issues_mgmt", sort_filter={"field": "title", "operator": "desc"})

    assert oldest == made
    assert by_title == [made[1], made[3], made[0], made[2]]


def test_coc_lists_and_totals_agree_with_other_filters(client):
    coc = Coc(client)
    made = [coc.create("issues_mgmt", {**ISSUE_BODY, "title": f"issue {i}"}) for i in range(5)]
    coc.post("/v1/issues_mgmt/actions", {"ticket_id": made[3], "action": "gocm_issues_accepte"})
    filters = [
        {"operator": "=", "field": "work_flow_status", "values": ["issues_unaccepted"]},
        {"operator": "like", "field": "title", "values": ["issue"]},
    ]

    listed = coc.post(
        "/v1/issues_mgmt/list-tickets",
        {"string_filters": filters, "per_page": 2, "page": 1, "contain_total": True},
    )

    assert [t["ticket_id"] for t in listed["tickets"]] == [made[0], made[1]]
    assert listed["total"] == 4


def test_coc_processes_start_while_many_tickets_are_listed(client):
    progress(client, coc_process_start={"after_polls": 1})
    coc = Coc(client)
    made = [coc.create("issues_mgmt", {**ISSUE_BODY, "title": f"issue {i}"}) for i in range(30)]

    first = {t["work_flow_status"] for t in coc.every("issues_mgmt")}
    second = {t["work_flow_status"] for t in coc.every("issues_mgmt")}
    histories = coc.post(
        "/v1/issues_mgmt/list-histories",
        {"string_filters": [{"operator": "=", "field": "ticket_id", "values": [made[7]]}]},
    )["info"]

    assert (first, second) == ({"issues_draft"}, {"issues_unaccepted"})
    assert [row["action"] for row in histories] == ["create_ticket", "start_process"]


def test_a_deleted_change_takes_its_sub_tickets_and_histories(client):
    coc = Coc(client)
    kept, gone = (coc.create("change", {**CHANGE_BODY, "is_start_process": False}) for _ in "ab")

    coc.client.delete(f"/v1/change/tickets/{gone}", headers=coc.headers)

    histories = coc.post("/v1/change/list-histories", {})["info"]
    assert {row["ticket_id"] for row in histories} == {kept}
    shown = coc.client.get(f"/v1/change/tickets/{kept}", headers=coc.headers).json()["data"]
    assert [s["ticket_id"] for s in shown["sub_tickets"]] == [f"{kept}-01", f"{kept}-02"]
    assert coc.client.get(f"/v1/change/tickets/{gone}", headers=coc.headers).status_code == 404


# -- OSM ----------------------------------------------------------------------------------------


class Osm:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers = {"X-Auth-Token": get_token(client)}

    def get(self, path: str, **params) -> dict:
        reply = self.client.get(OSM + path, headers=self.headers, params=params)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def create(self) -> str:
        reply = self.client.post(OSM + "/cases", headers=self.headers, json=OSM_CASE)
        assert reply.status_code == 200, reply.text
        return reply.json()["incident_id"]

    def act(self, case_id: str, action: str) -> None:
        reply = self.client.post(
            f"{OSM}/cases/{case_id}/action",
            headers=self.headers,
            params={"action_id": action},
            json={},
        )
        assert reply.json() == {"error_code": "", "error_msg": ""}, reply.text

    def listed(self, **params) -> tuple[list[str], int]:
        found = self.get("/cases", limit=100, **params)
        return [c["incident_id"] for c in found["incident_info_list"]], found["total_count"]

    def repliers(self, case_id: str) -> list[int]:
        shown = self.get(f"/cases/{case_id}")["incident_detail_info"]
        return [m["type"] for m in shown["message_list"]]


def engineer(client: Client, case_id: str, action: str, content: str = "") -> None:
    reply = client.post(
        f"/__admin/osm/cases/{case_id}/engineer", json={"action": action, "content": content}
    )
    assert reply.status_code == 200, reply.text


def test_a_case_leaves_its_status_filter_and_lists_stay_newest_first(client):
    osm = Osm(client)
    made = []
    for _ in range(5):
        made.append(osm.create())
        advance(client, 1)
    osm.act(made[1], "cancel")
    engineer(client, made[2], "accept")
    osm.act(made[3], "cancel")
    osm.act(made[3], "delete")

    assert osm.listed(status=0) == ([made[4], made[0]], 2)
    assert osm.listed(status=4) == ([made[1]], 1)
    assert osm.listed(incident_status="1,4") == ([made[2], made[1]], 2)
    assert osm.listed() == ([made[4], made[2], made[1], made[0]], 4)
    assert osm.listed(status=13) == ([made[3]], 1)
    assert osm.get("/cases", limit=1, offset=1)["incident_info_list"][0]["incident_id"] == made[2]
    counts = {c["status"]: c["count"] for c in osm.get("/cases/count")["incident_status_counts"]}
    assert (counts[0], counts[1], counts[4]) == (2, 1, 1)


def test_the_engineer_still_answers_a_waiting_case_among_many(client):
    progress(client, osm_engineer={"after_seconds": 60})
    osm = Osm(client)
    others = [osm.create() for _ in range(40)]
    for case_id in others[:10]:
        engineer(client, case_id, "reply", "We are on it.")
    for case_id in others[10:20]:
        osm.act(case_id, "cancel")
    advance(client, 30)
    waiting = osm.create()

    advance(client, 30)  # 60 s for the first 40, 30 s for the last one
    early = osm.repliers(waiting)
    advance(client, 30)

    assert early == [0]
    assert osm.repliers(waiting) == [0, 1]
    assert osm.repliers(others[0]) == [0, 1]  # answered by hand once, not again
    assert osm.repliers(others[10]) == [0]  # cancelled: nobody answers
    assert osm.repliers(others[20]) == [0, 1]
