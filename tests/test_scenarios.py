"""The shipped scenarios: each one loads and lets the README's identities log in; `empty` holds
identities only; `demo` holds every status each workflow can reach, with histories that match
its steps, the same on every start; and a broken scenario names the entry at fault."""

import base64
import datetime
from collections import Counter
from typing import Any

import pytest
import yaml

from mockserver.app import default_families
from mockserver.clock import FrozenClock
from mockserver.coc import scenario as coc_scenario
from mockserver.coc.models import CocBackend
from mockserver.coc.workflow import CHANGE, ISSUE, PHASES
from mockserver.config import Config, ZStackSettings
from mockserver.huawei.identity import Identity
from mockserver.iam import seed as seed_iam
from mockserver.ids import Ids
from mockserver.osm import catalog, lifecycle
from mockserver.osm import scenario as osm_scenario
from mockserver.osm.models import OsmBackend
from mockserver.resources import fixtures_dir
from mockserver.runtime import Mock
from mockserver.store import MemoryStore
from mockserver.world import ScenarioError
from mockserver.zstack import scenario as zstack_scenario
from mockserver.zstack.models import (
    FINAL,
    INTERMEDIATE,
    TRANSITIONS,
    ZStackBackend,
    hash_password,
)
from tests.conftest import T0, Client

SCENARIOS = sorted(path.stem for path in (fixtures_dir() / "scenarios").glob("*.yaml"))
MOCKDOMAIN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
RETAILCORP = "ca3224666fb2d8b7885f1272858e644b"


def read(name: str) -> dict[str, Any]:
    return yaml.safe_load((fixtures_dir() / "scenarios" / f"{name}.yaml").read_text("utf-8"))


def build(name: str) -> Mock:
    return Mock(Config(scenario=name), default_families())


DEMO = read("demo")
IAM_IDS = {user["name"]: user["id"] for user in DEMO["iam"]["users"]}
ZSTACK_IDS = {
    person["name"]: person["uuid"]
    for person in DEMO["zstack"]["accounts"] + DEMO["zstack"]["virtualIds"]
}


@pytest.fixture(scope="module")
def demo() -> Mock:
    return build("demo")


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, dict]]:
    """The demo world's records as seeded, before any test logs in or calls an API."""
    return build("demo").world().store.export()


# -- every shipped scenario -----------------------------------------------------------------


def test_the_shipped_scenarios_are_default_empty_and_demo():
    assert {"default", "empty", "demo"} <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_loads_and_the_readme_identities_log_in(name):
    world = build(name).world()

    session = world.backend("zstack").log_in_by_account("admin", hash_password("password"))
    token = world.backend("iam").issue_token(
        "mockdomain", "mockuser", "MockPassw0rd!", {"name": "mockdomain"}, None
    )

    assert session["uuid"]
    assert token["domain_id"] == MOCKDOMAIN
    assert world.backend("zstack").session_valid("b86c9016b4f24953a9edefb53ca0678c")


# -- empty ------------------------------------------------------------------------------------

IDENTITY_TABLES = (
    "zstack.accounts",
    "zstack.projects",
    "zstack.virtual_ids",
    "zstack.ticket_types",
    "zstack.flow_collections",
    "zstack.flows",
    "huawei.domains",
    "huawei.users",
    "huawei.projects",
    "huawei.access_keys",
    "osm.privileges",
)
DATA_TABLES = (
    "zstack.tickets",
    "zstack.histories",
    "zstack.archive_tickets",
    "coc.tickets",
    "coc.histories",
    "coc.attachments",
    "osm.cases",
    "osm.messages",
    "osm.accessories",
)


def test_empty_has_the_default_identities_and_no_tickets_cases_or_extra_sessions():
    empty = build("empty").world().store.export()
    default = build("default").world().store.export()

    for table in IDENTITY_TABLES:
        assert set(empty.get(table, {})) == set(default.get(table, {})), table
    assert all(not empty.get(table) for table in DATA_TABLES)
    assert set(empty["zstack.sessions"]) == {"b86c9016b4f24953a9edefb53ca0678c"}


def test_in_empty_a_requester_can_still_file_the_first_ticket():
    zstack = build("empty").world().backend("zstack")
    session = zstack.log_in_virtual_id("requester", hash_password("password"))
    actor = zstack.actor(session["uuid"])

    ticket = zstack.create_ticket(
        actor,
        {
            "name": "first",
            "requests": [{"apiName": "org.zstack.header.vm.APICreateVmInstanceMsg"}],
            "accountSystemType": "iam2",
            "accountSystemContext": {
                "projectUuid": "a497d61cc2d848f2a1101ebd7bc7362f",
                "virtualIDUuid": actor.uuid,
            },
        },
    )

    assert ticket["status"] == "Pending"


# -- demo: personas ---------------------------------------------------------------------------


def test_every_demo_persona_logs_in_with_its_password(demo):
    world = demo.world()
    zstack, identity = world.backend("zstack"), world.backend("iam")
    domains = {d["id"]: d["name"] for d in DEMO["iam"]["domains"]}

    for account in DEMO["zstack"]["accounts"]:
        zstack.log_in_by_account(account["name"], hash_password(account["password"]))
    for person in DEMO["zstack"]["virtualIds"]:
        zstack.log_in_virtual_id(person["name"], hash_password(person["password"]))
    for user in DEMO["iam"]["users"]:
        domain = domains[user["domain_id"]]
        token = identity.issue_token(domain, user["name"], user["password"], {"name": domain}, None)
        assert token["user_id"] == user["id"]


def test_demo_has_two_domains_each_user_with_an_access_key(demo):
    users = DEMO["iam"]["users"]
    keyed = {key["user_id"] for key in DEMO["iam"]["access_keys"]}

    assert Counter(user["domain_id"] for user in users)[MOCKDOMAIN] >= 2
    assert RETAILCORP in {user["domain_id"] for user in users}
    assert keyed == {user["id"] for user in users}


def test_demo_keeps_the_default_identities_unchanged():
    default = read("default")

    for section, key in (
        ("accounts", "uuid"),
        ("projects", "uuid"),
        ("virtualIds", "uuid"),
        ("flowCollections", "uuid"),
    ):
        for entry in default["zstack"][section]:
            assert entry in DEMO["zstack"][section], (section, entry[key])
    for section in ("domains", "users", "projects", "access_keys"):
        for entry in default["iam"][section]:
            assert entry in DEMO["iam"][section], (section, entry)
    assert default["zstack"]["sessions"][0] in DEMO["zstack"]["sessions"]


# -- demo: every status -----------------------------------------------------------------------


def test_demo_has_a_zstack_ticket_in_every_status_and_one_in_the_archive(records):
    reachable = {t.target for t in TRANSITIONS.values() if t.target} | {INTERMEDIATE, FINAL}

    statuses = {ticket["status"] for ticket in records["zstack.tickets"].values()}

    assert statuses == reachable
    assert len(records["zstack.archive_tickets"]) == 1


def test_demo_has_a_coc_ticket_of_mockdomain_in_every_status(records):
    def kind(status: str) -> str:
        return CHANGE if status.startswith("change_") else ISSUE

    seen = {
        (ticket["ticket_type_id"], ticket["work_flow_status"])
        for ticket in records["coc.tickets"].values()
        if ticket["domain_id"] == MOCKDOMAIN
    }

    assert seen == {(kind(status), status) for status in PHASES}


def test_demo_has_an_osm_case_of_mockdomain_in_every_reachable_status(records):
    moves = [*lifecycle.CUSTOMER_ACTIONS.values(), *lifecycle.ENGINEER_ACTIONS.values()]
    reachable = {lifecycle.TO_BE_PROCESSED, *lifecycle.MESSAGE_MOVES.values()} | {
        target for _, target in moves if target is not None
    }

    seen = {
        case["status"] for case in records["osm.cases"].values() if case["domain_id"] == MOCKDOMAIN
    }

    assert seen == reachable
    assert lifecycle.PAUSED not in seen


def test_the_second_domain_has_its_own_records(records):
    def domains(table: str) -> set[str]:
        return {record["domain_id"] for record in records[table].values()}

    assert domains("coc.tickets") == {MOCKDOMAIN, RETAILCORP}
    assert domains("osm.cases") == {MOCKDOMAIN, RETAILCORP}


# -- demo: histories --------------------------------------------------------------------------


def zstack_history(records, uuid: str) -> list[dict]:
    archived = {
        h["historyUuid"]: {**h, "uuid": h["historyUuid"]}
        for h in records["zstack.archive_histories"].values()
        if h["ticketUuid"] == uuid
    }
    rows = [h for h in records["zstack.histories"].values() if h["ticketUuid"] == uuid]
    return sorted(rows + list(archived.values()), key=lambda h: h["sequence"])


@pytest.mark.parametrize(
    "ticket", DEMO["zstack"]["tickets"], ids=[t["uuid"] for t in DEMO["zstack"]["tickets"]]
)
def test_each_zstack_ticket_history_follows_its_events(records, ticket):
    events = [e for e in ticket.get("events", []) if "event" in e]
    history = zstack_history(records, ticket["uuid"])
    changes = [h for h in history if h["operationContextType"] == "StatusChanged"]

    assert len(changes) == 1 + len(events)
    assert changes[0]["fromStatus"] is None
    assert changes[0]["toStatus"] == "Pending"
    for before, after in zip(changes, changes[1:], strict=False):
        assert after["fromStatus"] == before["toStatus"]
        assert after["createDate"] > before["createDate"]
    for row, event in zip(changes[1:], events, strict=True):
        assert row["operatorUuid"] == ZSTACK_IDS[event["by"]]
        assert row["comment"] == event.get("comment")
    executed = [h for h in history if h["operationContextType"] == "RequestsExecuted"]
    assert len(executed) == (1 if changes[-1]["toStatus"] == FINAL else 0)


def test_the_deleted_zstack_ticket_is_archived_with_its_history(records):
    deleted = [
        t for t in DEMO["zstack"]["tickets"] if any("delete" in e for e in t.get("events", []))
    ]
    archived = {t["ticketUuid"] for t in records["zstack.archive_tickets"].values()}

    assert {t["uuid"] for t in deleted} == archived
    assert not set(archived) & set(records["zstack.tickets"])


def coc_steps(entry: dict) -> list[tuple[str, str]]:
    """The (action, persona) of each step of a scenario's COC ticket."""
    steps = []
    for step in entry.get("actions", []):
        action = step.get("action") or step["update"]["history_info"]["action"]
        steps.append((action, step.get("as", entry["as"])))
    return steps


@pytest.mark.parametrize(
    "entry", DEMO["coc"]["tickets"], ids=[t["body"]["title"] for t in DEMO["coc"]["tickets"]]
)
def test_each_coc_ticket_history_lists_its_steps_with_their_operators(records, entry):
    ticket = next(
        t for t in records["coc.tickets"].values() if t.get("title") == entry["body"]["title"]
    )
    rows = sorted(
        (h for h in records["coc.histories"].values() if h["ticket_id"] == ticket["ticket_id"]),
        key=lambda h: h["start_time"],
    )

    assert [(h["action"], h["operator"]) for h in rows] == [
        (action, IAM_IDS[persona])
        for action, persona in [("create_ticket", entry["as"]), *coc_steps(entry)]
    ]
    assert rows[-1]["work_flow_status"] == ticket["work_flow_status"]
    assert ticket["creator"] == IAM_IDS[entry["as"]]


def test_the_coc_sub_ticket_results_and_the_issue_attachment_are_kept(records):
    subs = records["coc.sub_tickets"].values()
    closed_issue = next(
        t for t in records["coc.tickets"].values() if t["work_flow_status"] == "issues_closed"
    )
    document = records["coc.attachments"][closed_issue["commit_upload_attachment"]]

    assert {s.get("change_result") for s in subs} >= {"success", "failed"}
    assert document["doc_name"] == "trace.txt"
    assert base64.b64decode(document["content_base64"]).startswith(b"12:00:01 GET /checkout 502")


@pytest.mark.parametrize(
    "entry",
    DEMO["osm"]["cases"],
    ids=[c["body"]["simple_description"][:40] for c in DEMO["osm"]["cases"]],
)
def test_each_osm_case_has_its_conversation_accessories_and_logs(records, entry):
    case = next(
        c
        for c in records["osm.cases"].values()
        if c["simple_description"] == entry["body"]["simple_description"]
    )
    messages = [
        m for m in records["osm.messages"].values() if m["incident_id"] == case["incident_id"]
    ]
    logs = [
        g for g in records["osm.operate_logs"].values() if g["incident_id"] == case["incident_id"]
    ]
    accessories = records["osm.accessories"]
    steps = entry.get("steps", [])

    def names(message: dict) -> list[str]:
        return [accessories[i]["accessory_name"] for i in message["accessory_ids"]]

    assert len(logs) == 1 + len(steps)
    assert messages[0]["is_first_message"] == 1
    assert names(messages[0]) == [a["name"] for a in entry.get("accessories", [])]
    said = [s for s in steps if "message" in s or s.get("content")]
    assert [m["content"] for m in messages[1:]] == [s.get("message") or s["content"] for s in said]
    for message, step in zip(messages[1:], said, strict=True):
        assert names(message) == [a["name"] for a in step.get("accessories", [])]
        assert message["type"] == (lifecycle.ENGINEER if "engineer" in step else lifecycle.CUSTOMER)


def test_the_rated_osm_cases_keep_their_scores(records):
    rated = [c for c in records["osm.cases"].values() if c["satisfaction"]]

    assert len(rated) == 2
    assert all(c["status"] == lifecycle.COMPLETED and c["judgement"] for c in rated)


# -- demo: seed and time ----------------------------------------------------------------------


def test_two_demo_mocks_hold_identical_records(records):
    assert build("demo").world().store.export() == records


def test_demo_happens_in_the_week_of_its_time(records):
    start = datetime.datetime.fromisoformat(DEMO["time"].replace("Z", "+00:00")).timestamp()
    week = start + 7 * 86_400

    first_ticket = records["zstack.tickets"]["e9377476db3f375bbff78dc3b9204f00"]
    coc_times = [t["create_time"] / 1000 for t in records["coc.tickets"].values()]
    osm_times = [c["create_time"] for c in records["osm.cases"].values()]

    assert first_ticket["createDate"] == start * 1000
    assert all(start <= moment < week for moment in coc_times + osm_times)


# -- demo through the APIs --------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(demo):
    c = Client(demo)
    yield c
    c.close()


def test_mockusers_token_lists_the_demo_records_of_mockdomain_only(client, records):
    token = {"X-Auth-Token": "demo-token-mockuser"}
    mine = [c for c in records["osm.cases"].values() if c["domain_id"] == MOCKDOMAIN]

    cases = client.get("/v2/servicerequest/cases", headers=token, params={"limit": 100})
    changes = client.post(
        "/v1/change/list-tickets", headers=token, json={"per_page": 100, "contain_total": True}
    )

    assert cases.status_code == 200, cases.text
    assert cases.json()["total_count"] == len([c for c in mine if c["status"] != lifecycle.DELETED])
    assert changes.status_code == 200, changes.text
    assert changes.json()["data"]["total"] == len(
        [
            t
            for t in records["coc.tickets"].values()
            if t["domain_id"] == MOCKDOMAIN and t["ticket_type_id"] == CHANGE
        ]
    )


def test_every_demo_case_reads_back_through_the_api(client, records):
    token = {"X-Auth-Token": "demo-token-mockuser"}
    for case in records["osm.cases"].values():
        if case["domain_id"] != MOCKDOMAIN:
            continue
        detail = client.get(f"/v2/servicerequest/cases/{case['incident_id']}", headers=token)
        messages = client.get(
            f"/v2/servicerequest/cases/{case['incident_id']}/messages",
            headers=token,
            params={"limit": 100},
        )
        assert detail.status_code == 200, detail.text
        assert "error_code" not in detail.json() or not detail.json()["error_code"]
        assert messages.status_code == 200, messages.text
        assert messages.json()["count"] >= 1


def test_liu_yang_sees_the_retailcorp_records_only(client):
    token = {"X-Auth-Token": "demo-token-liu.yang"}

    issues = client.post(
        "/v1/issues_mgmt/list-tickets", headers=token, json={"per_page": 100, "contain_total": True}
    )

    assert issues.status_code == 200, issues.text
    assert [t["title"] for t in issues.json()["data"]["tickets"]] == [
        "Store gateways drop offline at night"
    ]


def test_li_wei_sees_the_web_shop_tickets_only(client, records):
    login = client.put(
        "/zstack/v1/iam2/virtual-ids/login",
        json={"loginIAM2VirtualID": {"name": "li.wei", "password": hash_password("LiWei#2026")}},
    )
    assert login.status_code == 200, login.text
    session = login.json()["inventory"]["uuid"]

    reply = client.get(
        "/zstack/v1/tickets", headers={"Authorization": f"OAuth {session}"}, params={"limit": 100}
    )

    web_shop = "f7fd8b2dfc2605b710fb8b8d91076163"
    assert reply.status_code == 200, reply.text
    assert {t["uuid"] for t in reply.json()["inventories"]} == {
        t["uuid"]
        for t in records["zstack.tickets"].values()
        if t["accountSystemContext"]["projectUuid"] == web_shop
    }


# -- broken scenarios -------------------------------------------------------------------------

IAM = {
    "domains": [{"id": MOCKDOMAIN, "name": "mockdomain"}, {"id": RETAILCORP, "name": "retailcorp"}],
    "users": [
        {"id": "u1", "name": "mockuser", "domain_id": MOCKDOMAIN, "password": "MockPassw0rd!"},
        {"id": "u2", "name": "liu.yang", "domain_id": RETAILCORP, "password": "LiuYang#2026"},
    ],
}
CHANGE_BODY = DEMO["coc"]["tickets"][0]["body"]
ISSUE_BODY = next(t["body"] for t in DEMO["coc"]["tickets"] if t["kind"] == "issue")
CASE_BODY = DEMO["osm"]["cases"][0]["body"]


def identity(store: MemoryStore, clock: FrozenClock) -> Identity:
    found = Identity(store, clock, Ids(1), skew_s=900, token_lifetime_s=86_400)
    seed_iam(found, IAM)
    return found


def seed_coc(tickets: list[dict]) -> CocBackend:
    store, clock = MemoryStore(), FrozenClock(T0)
    backend = CocBackend(store, clock, Ids(1))
    coc_scenario.seed(backend, {"tickets": tickets}, identity(store, clock))
    return backend


def seed_osm(cases: list[dict]) -> OsmBackend:
    store, clock = MemoryStore(), FrozenClock(T0)
    backend = OsmBackend(store, clock, Ids(1), catalog.load())
    osm_scenario.seed(backend, {"cases": cases}, identity(store, clock))
    return backend


GOOD_CHANGE = {
    "as": "mockuser",
    "kind": "change",
    "body": {**CHANGE_BODY, "is_start_process": True},
}


@pytest.mark.parametrize(
    ("tickets", "named", "says"),
    [
        ([{**GOOD_CHANGE, "as": "nobody"}], "coc.tickets[0].as", "no IAM user 'nobody'"),
        (
            [GOOD_CHANGE, {**GOOD_CHANGE, "body": {**CHANGE_BODY, "sub_tickets": []}}],
            "coc.tickets[1].body",
            "sub_tickets",
        ),
        (
            [{**GOOD_CHANGE, "kind": "issue", "body": {**ISSUE_BODY, "level": "issues_level_9"}}],
            "coc.tickets[0].body",
            "issues_level_9",
        ),
        (
            [
                GOOD_CHANGE,
                GOOD_CHANGE,
                {**GOOD_CHANGE, "actions": [{"action": "agreed"}, {"action": "agreed"}]},
            ],
            "coc.tickets[2].actions[1] (agreed)",
            "not allowed while the ticket is change_to_be_started",
        ),
        (
            [
                {
                    **GOOD_CHANGE,
                    "kind": "issue",
                    "body": ISSUE_BODY,
                    "actions": [{"action": "being_handled_initiate_suspend"}],
                }
            ],
            "coc.tickets[0].actions[0]",
            "not allowed while the ticket is issues_draft",
        ),
        (
            [{**GOOD_CHANGE, "actions": [{"acton": "agreed"}]}],
            "coc.tickets[0].actions[0]",
            "unknown key acton",
        ),
        (
            [{**GOOD_CHANGE, "attachment": {"name": "a.txt", "text": "x"}}],
            "coc.tickets[0].attachment",
            "only an issue ticket",
        ),
    ],
    ids=[
        "unknown persona",
        "body the spec refuses",
        "body the model refuses",
        "action not allowed",
        "issue action not allowed in a draft",
        "misspelt key",
        "attachment on a change",
    ],
)
def test_a_broken_coc_entry_is_named(tickets, named, says):
    with pytest.raises(ScenarioError) as raised:
        seed_coc(tickets)

    assert str(raised.value).startswith(named)
    assert says in str(raised.value)


def test_a_user_of_another_domain_cannot_act_on_a_ticket():
    with pytest.raises(
        ScenarioError, match=r"^coc\.tickets\[0\]\.actions\[0\] \(agreed\): no change"
    ):
        seed_coc([{**GOOD_CHANGE, "actions": [{"action": "agreed", "as": "retailcorp/liu.yang"}]}])


GOOD_CASE = {"as": "mockuser", "body": CASE_BODY}


@pytest.mark.parametrize(
    ("cases", "named", "says"),
    [
        ([{**GOOD_CASE, "as": "nobody"}], "osm.cases[0].as", "no IAM user 'nobody'"),
        (
            [{**GOOD_CASE, "body": {k: v for k, v in CASE_BODY.items() if k != "source_id"}}],
            "osm.cases[0].body",
            "source_id",
        ),
        (
            [GOOD_CASE, {**GOOD_CASE, "body": {**CASE_BODY, "business_type_id": "nope"}}],
            "osm.cases[1].body",
            "business_type_id nope is not a problem type",
        ),
        (
            [{**GOOD_CASE, "body": {**CASE_BODY, "extends_map": {}}}],
            "osm.cases[0].body",
            "instance_id",
        ),
        (
            [
                {
                    **GOOD_CASE,
                    "steps": [
                        {"engineer": "accept"},
                        {"customer": "cancel"},
                        {"customer": "close"},
                    ],
                }
            ],
            "osm.cases[0].steps[2] (customer close)",
            "close is not allowed while case",
        ),
        (
            [
                {
                    **GOOD_CASE,
                    "steps": [{"engineer": "solve", "content": "done"}, {"engineer": "accept"}],
                }
            ],
            "osm.cases[0].steps[1] (engineer accept)",
            "not allowed",
        ),
        (
            [{**GOOD_CASE, "steps": [{"engineer": "dance"}]}],
            "osm.cases[0].steps[0]",
            "dance",
        ),
        (
            [{**GOOD_CASE, "accessories": [{"name": "virus.exe", "text": "MZ"}]}],
            "osm.cases[0].accessories[0]",
            "not allowed",
        ),
        (
            [{**GOOD_CASE, "steps": [{"message": "hi", "accessories": [{"name": "a.txt"}]}]}],
            "osm.cases[0].steps[0].accessories[0]",
            "text or as base64",
        ),
    ],
    ids=[
        "unknown persona",
        "body the spec refuses",
        "body the catalog refuses",
        "missing required extends parameter",
        "customer action not allowed",
        "engineer action not allowed",
        "unknown engineer action",
        "accessory type not allowed",
        "accessory without content",
    ],
)
def test_a_broken_osm_entry_is_named(cases, named, says):
    with pytest.raises(ScenarioError) as raised:
        seed_osm(cases)

    assert str(raised.value).startswith(named)
    assert says in str(raised.value)


@pytest.mark.parametrize(
    ("ticket", "named", "says"),
    [
        ({"requester": "nobody"}, "zstack.tickets[0].requester", "no account or virtual ID"),
        (
            {"events": [{"event": "approve", "by": "requester"}]},
            "zstack.tickets[0].events[0] (approve)",
            "cannot approve or reject their own ticket",
        ),
        (
            {"events": [{"event": "reopen", "by": "requester"}]},
            "zstack.tickets[0].events[0] (reopen)",
            "cannot take the event reopen",
        ),
        ({"events": [{"event": "approve"}]}, "zstack.tickets[0].events[0]", "lacks by"),
    ],
    ids=["unknown requester", "requester approves", "event not allowed", "event without by"],
)
def test_a_broken_zstack_entry_is_named(ticket, named, says):
    data = read("default")["zstack"]
    base = {k: v for k, v in data["tickets"][0].items() if k not in ("uuid", "events")}
    data["tickets"] = [{**base, **ticket}]
    backend = ZStackBackend(MemoryStore(), FrozenClock(T0), Ids(1), ZStackSettings())

    with pytest.raises(ScenarioError) as raised:
        zstack_scenario.seed(backend, data)

    assert str(raised.value).startswith(named)
    assert says in str(raised.value)


def test_a_broken_scenario_file_stops_the_mock_with_the_entry_named(tmp_path, monkeypatch):
    broken = read("empty")
    broken["coc"] = {"tickets": [GOOD_CHANGE, {**GOOD_CHANGE, "as": "ghost"}]}
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "broken.yaml").write_text(yaml.safe_dump(broken), "utf-8")
    monkeypatch.setattr("mockserver.world.fixtures_dir", lambda: tmp_path)

    with pytest.raises(ScenarioError, match=r"coc\.tickets\[1\]\.as: no IAM user 'ghost'"):
        build("broken")
