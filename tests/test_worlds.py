"""Isolated worlds and the admin API that manages them: selection by header or cookie, reset,
scenarios, export and import, the virtual clock, CORS."""

import gc
import shutil
import weakref
from collections.abc import Iterator

import pytest

from mockserver import world as world_module
from mockserver.app import default_families
from mockserver.clock import FrozenClock
from mockserver.config import Config, CorsSettings
from mockserver.resources import fixtures_dir
from mockserver.runtime import Mock
from tests.conftest import ADMIN_AUTH, T0, Client
from tests.huawei_helpers import get_token, password_body
from tests.zstack_helpers import PENDING_TICKET, job_path

CASE = {
    "business_type_id": "8084e611c019e48272490566ddcec2ca",
    "source_id": "83aeb0f2834c4df49826c781d32a963e",
    "simple_description": "Which flavor suits a small web site?",
}
ADMIN = "/__admin"


@pytest.fixture(scope="module")
def app_client() -> Iterator[Client]:
    c = Client(Mock(Config(seed=7), default_families(), clock=FrozenClock(T0)))
    yield c
    c.close()


@pytest.fixture
def client(app_client) -> Client:
    """The module's mock with its default world fresh and no other world."""
    for name in list(app_client.mock.worlds):
        app_client.mock.forget(name)
    return app_client


def in_world(name: str, headers: dict | None = None) -> dict:
    return {"X-Mock-World": name, **(headers or {})}


def ticket_status(client: Client, headers: dict) -> str:
    reply = client.get(f"/zstack/v1/tickets?q=uuid={PENDING_TICKET}", headers=headers)
    return reply.json()["inventories"][0]["status"]


def cancel_pending_ticket(client: Client, headers: dict) -> None:
    reply = client.put(
        f"/zstack/v1/tickets/{PENDING_TICKET}/actions",
        headers=headers,
        json={"changeTicketStatus": {"statusEvent": "cancel"}},
    )
    assert client.get(job_path(reply), headers=headers).status_code == 200


def osm_case(client: Client, token: str, world: str, body: dict = CASE) -> str:
    reply = client.post(
        "/v2/servicerequest/cases", json=body, headers=in_world(world, {"X-Auth-Token": token})
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["incident_id"]


def osm_case_ids(client: Client, token: str, world: str) -> list[str]:
    reply = client.get(
        "/v2/servicerequest/cases", headers=in_world(world, {"X-Auth-Token": token})
    )
    return [case["incident_id"] for case in reply.json()["incident_info_list"]]


def world_token(client: Client, world: str) -> str:
    reply = client.post("/v3/auth/tokens", headers=in_world(world), json=password_body())
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


# -- selection ----------------------------------------------------------------------------------


def test_a_world_header_keeps_changes_to_that_world(client):
    cancel_pending_ticket(client, in_world("alice", ADMIN_AUTH))

    assert ticket_status(client, in_world("alice", ADMIN_AUTH)) == "Cancelled"
    assert ticket_status(client, ADMIN_AUTH) == "Pending"
    assert ticket_status(client, in_world("bob", ADMIN_AUTH)) == "Pending"


def test_the_cookie_selects_a_world_and_the_header_wins_over_it(client):
    cancel_pending_ticket(client, {"Cookie": "ticketkit-world=carol", **ADMIN_AUTH})

    assert ticket_status(client, {"Cookie": "ticketkit-world=carol", **ADMIN_AUTH}) == "Cancelled"
    both = {"Cookie": "ticketkit-world=carol", "X-Mock-World": "dave", **ADMIN_AUTH}
    assert ticket_status(client, both) == "Pending"


def test_tokens_and_cases_belong_to_their_world(client):
    token = world_token(client, "alice")
    case_id = osm_case(client, token, "alice")

    assert osm_case_ids(client, token, "alice") == [case_id]
    refused = client.get("/v2/servicerequest/cases", headers={"X-Auth-Token": token})
    assert refused.status_code == 401
    assert osm_case_ids(client, get_token(client), "default") == []


@pytest.mark.parametrize(
    ("path", "status", "marker"),
    [
        ("/zstack/v1/tickets", 400, "X-Mock-World"),
        ("/v2/servicerequest/cases", 400, '"error_code": "OSM.0001"'),
        ("/v1/issues_mgmt/tickets/list", 400, '"error_code": "GOM.00007256"'),
        ("/v3/auth/domains", 400, '"code": 400'),
    ],
    ids=["zstack", "osm", "coc", "iam"],
)
def test_an_invalid_world_name_is_refused_in_the_vendors_envelope(client, path, status, marker):
    reply = client.get(path, headers={"X-Mock-World": "../etc", **ADMIN_AUTH})

    assert reply.status_code == status
    assert marker in reply.text
    assert "X-Mock-World" in reply.text
    assert set(client.mock.worlds) == {"default"}


# -- the admin API --------------------------------------------------------------------------


def test_worlds_are_listed_described_and_deleted(client):
    cancel_pending_ticket(client, in_world("alice", ADMIN_AUTH))

    names = [w["name"] for w in client.get(f"{ADMIN}/worlds").json()["worlds"]]
    alice = client.get(f"{ADMIN}/worlds/alice").json()
    deleted = client.delete(f"{ADMIN}/worlds/alice")

    assert names == ["default", "alice"]
    assert alice["scenario"] == "default" and alice["records"] > 0
    assert deleted.status_code == 204
    assert client.get(f"{ADMIN}/worlds/alice").status_code == 404
    assert ticket_status(client, in_world("alice", ADMIN_AUTH)) == "Pending"  # a fresh one


def test_a_deleted_or_reset_world_is_freed_by_reference_counting_alone(client):
    # `ticketkit serve` hides what survives a full collection from the garbage collector
    # (cli.keep_collections_short): a world holding a reference cycle would never be freed.
    osm_case(client, world_token(client, "alice"), "alice")
    cancel_pending_ticket(client, in_world("alice", ADMIN_AUTH))
    cancel_pending_ticket(client, ADMIN_AUTH)
    assert client.get(f"{ADMIN}/worlds/alice/journal").status_code == 200
    alice, default = client.mock.worlds["alice"], client.mock.world("default")
    gone = [alice, alice.store, *alice.backends.values(), default.store, *default.backends.values()]
    refs = [weakref.ref(thing) for thing in gone]
    del alice, default, gone
    gc.collect()
    gc.disable()
    try:
        assert client.delete(f"{ADMIN}/worlds/alice").status_code == 204
        assert client.post(f"{ADMIN}/worlds/default/reset").status_code == 200

        assert [ref() for ref in refs] == [None] * len(refs)
    finally:
        gc.enable()


def test_deleting_the_default_world_resets_it(client):
    cancel_pending_ticket(client, ADMIN_AUTH)

    assert client.delete(f"{ADMIN}/worlds/default").status_code == 204
    assert ticket_status(client, ADMIN_AUTH) == "Pending"


def test_reset_empties_one_world_and_leaves_the_others(client):
    cancel_pending_ticket(client, in_world("alice", ADMIN_AUTH))
    cancel_pending_ticket(client, in_world("bob", ADMIN_AUTH))

    reply = client.post(f"{ADMIN}/worlds/alice/reset")

    assert reply.status_code == 200 and reply.json()["name"] == "alice"
    assert ticket_status(client, in_world("alice", ADMIN_AUTH)) == "Pending"
    assert ticket_status(client, in_world("bob", ADMIN_AUTH)) == "Cancelled"


def test_a_named_scenario_is_loaded_into_one_world(client):
    reply = client.put(f"{ADMIN}/worlds/shop/scenario", json={"name": "demo"})
    demo_token = {"X-Auth-Token": "demo-token-wang.fang"}

    assert reply.status_code == 200 and reply.json()["scenario"] == "demo"
    shop = client.get("/v2/servicerequest/cases", headers=in_world("shop", demo_token))
    assert shop.status_code == 200 and shop.json()["incident_info_list"]
    assert client.get("/v2/servicerequest/cases", headers=demo_token).status_code == 401
    # reset keeps the world's own scenario
    client.post(f"{ADMIN}/worlds/shop/reset")
    assert client.get(f"{ADMIN}/worlds/shop").json()["scenario"] == "demo"


def test_an_unknown_scenario_is_refused_and_the_world_kept(client):
    cancel_pending_ticket(client, in_world("alice", ADMIN_AUTH))

    reply = client.put(f"{ADMIN}/worlds/alice/scenario", json={"name": "nope"})

    assert reply.status_code == 404
    assert "demo" in reply.json()["error"]["detail"]
    assert ticket_status(client, in_world("alice", ADMIN_AUTH)) == "Cancelled"


def test_scenarios_are_listed(client):
    assert {"default", "demo", "empty"} <= set(client.get(f"{ADMIN}/scenarios").json()["scenarios"])


def test_an_exported_world_imports_into_another_and_goes_on_from_there(client):
    token = world_token(client, "alice")
    first = osm_case(client, token, "alice")
    state = client.get(f"{ADMIN}/worlds/alice/state").json()

    imported = client.put(f"{ADMIN}/worlds/copy/state", json=state)
    second = osm_case(client, token, "copy")  # the token came along with the state

    assert imported.status_code == 200
    assert osm_case_ids(client, token, "copy") == [second, first]
    assert second != first
    assert osm_case_ids(client, token, "alice") == [first]


@pytest.mark.parametrize(
    "state",
    [
        {"version": 2, "store": {}},
        {"version": 1, "store": {"osm.cases": []}},
        {"version": 1, "store": {}, "progression": {"zstack_jobs": "sometimes"}},
        {"version": 1, "store": {}, "scenario": "nope"},
    ],
    ids=["version", "table", "progression", "scenario"],
)
def test_a_state_that_cannot_be_used_is_refused_and_the_world_kept(client, state):
    cancel_pending_ticket(client, in_world("alice", ADMIN_AUTH))

    reply = client.put(f"{ADMIN}/worlds/alice/state", json=state)
    refused_new = client.put(f"{ADMIN}/worlds/newcomer/state", json=state)

    assert reply.status_code == 400
    assert reply.json()["error"]["detail"]
    assert ticket_status(client, in_world("alice", ADMIN_AUTH)) == "Cancelled"
    assert refused_new.status_code == 400
    assert "newcomer" not in client.mock.worlds


# -- the clock --------------------------------------------------------------------------------


def test_a_frozen_clock_dates_what_the_world_creates(client):
    token = world_token(client, "alice")
    frozen = client.put(
        f"{ADMIN}/worlds/alice/clock", json={"frozen": True, "time": "2026-01-15T12:00:00Z"}
    )
    case_id = osm_case(client, token, "alice")

    assert frozen.json() == {"now": T0 + 7200, "time": "2026-01-15T12:00:00.000Z", "frozen": True}
    detail = client.get(
        f"/v2/servicerequest/cases/{case_id}", headers=in_world("alice", {"X-Auth-Token": token})
    ).json()
    assert detail["incident_detail_info"]["create_time"] == "2026-01-15T12:00:00Z"


def test_advancing_one_worlds_clock_leaves_the_others(client):
    client.get("/v3/auth/domains", headers=in_world("bob"))
    before = client.get(f"{ADMIN}/worlds/bob/clock").json()["now"]
    client.put(f"{ADMIN}/worlds/alice/clock", json={"frozen": True})

    advanced = client.post(f"{ADMIN}/worlds/alice/clock/advance", json={"seconds": 86400})

    assert advanced.json()["now"] == pytest.approx(T0 + 86400)
    assert client.get(f"{ADMIN}/worlds/bob/clock").json()["now"] == pytest.approx(before)


def test_an_unfrozen_clock_runs_on_from_where_it_stood(client):
    client.put(f"{ADMIN}/worlds/alice/clock", json={"frozen": True, "time": "2030-01-01T00:00:00"})

    reply = client.put(f"{ADMIN}/worlds/alice/clock", json={"frozen": False})

    assert reply.json()["frozen"] is False
    assert reply.json()["time"].startswith("2030-01-01T00:00:00")


def test_an_expired_token_after_advancing_the_clock(client):
    token = world_token(client, "alice")
    client.post(f"{ADMIN}/worlds/alice/clock/advance", json={"seconds": 86400 + 1})

    headers = in_world("alice", {"X-Auth-Token": token})
    reply = client.get("/v2/servicerequest/cases", headers=headers)

    assert reply.status_code == 401


def test_reading_an_unknown_worlds_clock_answers_404_and_setting_it_creates_the_world(client):
    assert client.get(f"{ADMIN}/worlds/nobody/clock").status_code == 404
    assert client.put(f"{ADMIN}/worlds/early/clock", json={"frozen": True}).status_code == 200
    assert "early" in client.mock.worlds


# -- scenario files are read afresh -------------------------------------------------------------


def test_an_edited_scenario_counts_for_the_next_reset_only(client, tmp_path, monkeypatch):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir(), fixtures)
    monkeypatch.setattr(world_module, "fixtures_dir", lambda: fixtures)
    cancel_pending_ticket(client, in_world("bob", ADMIN_AUTH))
    default = fixtures / "scenarios" / "default.yaml"
    default.write_text(
        default.read_text(encoding="utf-8").replace(
            "name: ticket\n      description: ticket description\n      requester: requester",
            "name: renamed\n      description: ticket description\n      requester: requester",
            1,
        ),
        encoding="utf-8",
    )

    client.post(f"{ADMIN}/worlds/alice/reset")

    alice = client.get(
        f"/zstack/v1/tickets?q=uuid={PENDING_TICKET}", headers=in_world("alice", ADMIN_AUTH)
    )
    assert alice.json()["inventories"][0]["name"] == "renamed"
    assert ticket_status(client, in_world("bob", ADMIN_AUTH)) == "Cancelled"


def test_a_broken_scenario_file_fails_the_reset_and_keeps_the_world(client, tmp_path, monkeypatch):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir(), fixtures)
    monkeypatch.setattr(world_module, "fixtures_dir", lambda: fixtures)
    cancel_pending_ticket(client, in_world("alice", ADMIN_AUTH))
    (fixtures / "scenarios" / "default.yaml").write_text("zstack: [unclosed", encoding="utf-8")

    reply = client.post(f"{ADMIN}/worlds/alice/reset")

    assert reply.status_code == 400
    assert "default" in reply.json()["error"]["detail"]
    assert ticket_status(client, in_world("alice", ADMIN_AUTH)) == "Cancelled"


# -- CORS -------------------------------------------------------------------------------------


def test_a_local_origin_gets_its_preflight_answered(client):
    reply = client.request(
        "OPTIONS",
        "/v2/servicerequest/cases",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-auth-token, x-mock-world, content-type",
        },
    )

    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-mock-world" in reply.headers["access-control-allow-headers"]
    assert "POST" in reply.headers["access-control-allow-methods"]


def test_a_browser_can_read_the_iam_token_header(client):
    reply = client.post(
        "/v3/auth/tokens",
        headers={"Origin": "http://127.0.0.1:3000"},
        json={"auth": {}},
    )

    assert reply.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    assert "X-Subject-Token" in reply.headers["access-control-expose-headers"]


def test_other_origins_are_not_allowed_by_default(client):
    reply = client.get("/v2/servicerequest/cases", headers={"Origin": "https://evil.example"})

    assert "access-control-allow-origin" not in reply.headers


def test_allowed_origins_are_configurable():
    cors = CorsSettings(origins=["https://app.example"], origin_regex=None)
    c = Client(Mock(Config(cors=cors), default_families()))
    try:
        allowed = c.get("/v3/auth/domains", headers={"Origin": "https://app.example"})
        local = c.get("/v3/auth/domains", headers={"Origin": "http://localhost:3000"})
    finally:
        c.close()

    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in local.headers


def test_a_new_world_from_a_scenario_broken_since_the_start_is_refused_in_the_envelope(
    client, tmp_path, monkeypatch
):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir(), fixtures)
    monkeypatch.setattr(world_module, "fixtures_dir", lambda: fixtures)
    (fixtures / "scenarios" / "default.yaml").write_text("zstack: [unclosed", encoding="utf-8")

    reply = client.get("/v2/servicerequest/cases", headers=in_world("late"))

    assert reply.status_code == 500
    assert reply.json()["error_code"] == "OSM.0004"
    assert "default" in reply.json()["error_msg"]
    assert "late" not in client.mock.worlds
