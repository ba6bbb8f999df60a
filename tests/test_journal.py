"""The journal over HTTP (mockserver/journal.py): what each exchange records, the filters,
redaction of secrets, forced faults and drops, one journal per world, its bound, and bodies that
are cut or binary."""

import base64
import hashlib
import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_mock, create_app
from mockserver.config import Config
from mockserver.faults import ConnectionDropped
from mockserver.journal import BODY_LIMIT, REDACTED, Journal
from tests.huawei_helpers import AK, PASSWORD, SK, password_body, signed_request

ADMIN_SESSION = "b86c9016b4f24953a9edefb53ca0678c"
ADMIN_AUTH = {"Authorization": f"OAuth {ADMIN_SESSION}"}
PASSWORD_SHA512 = hashlib.sha512(b"password").hexdigest()
OSM = "/v2/servicerequest"


def serve(config: Config) -> TestClient:
    mock = build_mock(config)
    client = TestClient(create_app(mock), base_url="http://localhost:8080")
    client.mock = mock  # for tests.huawei_helpers.signed_request
    return client


@pytest.fixture(scope="module")
def served() -> Iterator[TestClient]:
    with serve(Config()) as client:
        yield client


@pytest.fixture
def client(served) -> TestClient:
    """The module's client, every world's journal empty and without fault rules."""
    for world in served.mock.worlds.values():
        world.faults.load({"seed": 7, "rules": []})
        world.journal.clear()
    return served


def journal(client, world: str = "default", **filters) -> list[dict]:
    return client.mock.world(world).journal.entries(**filters)


def last(client, world: str = "default") -> dict:
    return journal(client, world)[0]


def token(client) -> str:
    reply = client.post("/v3/auth/tokens", json=password_body())
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


# -- what an entry records ----------------------------------------------------------------------


def test_an_exchange_is_recorded(client):
    reply = client.get("/zstack/v1/tickets?limit=1", headers=ADMIN_AUTH)
    assert reply.status_code == 200
    entry = last(client)
    assert entry["method"] == "GET"
    assert entry["path"] == "/zstack/v1/tickets"
    assert entry["query"] == "limit=1"
    assert entry["api"] == "zstack"
    assert entry["operation"] == "queryTicket"
    assert entry["persona"] == "admin"
    assert entry["status"] == 200
    assert "dropped" not in entry and "fault" not in entry
    assert entry["time"].endswith("Z") and entry["time"][:2] == "20"
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["request"] == {
        "headers": {**entry["request"]["headers"], "authorization": f"OAuth {REDACTED}"},
        "body": "",
    }
    assert entry["response"]["headers"]["content-type"] == "application/json"
    # The body exactly as the client got it.
    assert entry["response"]["body"] == reply.text


def test_admin_calls_and_unknown_paths_are_not_journaled_but_vendor_404s_are(client):
    client.get("/__admin/health")
    client.get("/nowhere")
    assert journal(client) == []
    client.get("/zstack/v1/nothing-here", headers=ADMIN_AUTH)
    entry = last(client)
    assert (entry["api"], entry["operation"], entry["status"]) == ("zstack", None, 404)


def test_persona_of_huawei_calls(client):
    client.post("/v3/auth/tokens", json=password_body())
    assert last(client)["persona"] == "mockuser"  # from the login's body
    client.get(f"{OSM}/cases", headers={"X-Auth-Token": token(client)})
    assert last(client)["persona"] == "mockuser"
    signed_request(client, "GET", f"{OSM}/cases")
    assert last(client)["persona"] == "mockuser"
    client.get(f"{OSM}/cases")
    assert last(client)["persona"] is None


def test_ids_increase_and_entries_come_newest_first(client):
    for path in ("/zstack/v1/tickets", "/zstack/v1/ticket-types", "/zstack/v1/tickets/histories"):
        client.get(path, headers=ADMIN_AUTH)
    entries = journal(client)
    assert [e["path"] for e in entries] == [
        "/zstack/v1/tickets/histories",
        "/zstack/v1/ticket-types",
        "/zstack/v1/tickets",
    ]
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3
    client.mock.world().journal.clear()
    assert journal(client) == []
    client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
    assert last(client)["id"] > ids[0]  # ids go on after a clear


def test_filters(client):
    client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
    client.get("/zstack/v1/tickets/histories", headers=ADMIN_AUTH)
    client.get("/zstack/v1/ticket-types", headers=ADMIN_AUTH)
    client.get(f"{OSM}/cases")  # 401
    assert [e["path"] for e in journal(client, path="tickets")] == [
        "/zstack/v1/tickets/histories",
        "/zstack/v1/tickets",
    ]
    assert [e["operation"] for e in journal(client, operation="queryTicket")] == ["queryTicket"]
    assert [e["path"] for e in journal(client, status=401)] == [f"{OSM}/cases"]
    assert len(journal(client, status=200)) == 3
    assert [e["path"] for e in journal(client, limit=2)] == [
        f"{OSM}/cases",
        "/zstack/v1/ticket-types",
    ]
    assert journal(client, path="tickets", status=401) == []


def test_entries_are_copies(client):
    client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
    last(client)["request"]["headers"].clear()
    assert last(client)["request"]["headers"]


# -- secrets ------------------------------------------------------------------------------------


def test_iam_password_login_is_redacted(client):
    reply = client.post("/v3/auth/tokens", json=password_body())
    tok = reply.headers["X-Subject-Token"]
    entry = last(client)
    text = json.dumps(entry)
    assert PASSWORD not in text and tok not in text
    assert entry["response"]["headers"]["x-subject-token"] == REDACTED
    body = json.loads(entry["request"]["body"])
    assert body["auth"]["identity"]["password"]["user"]["password"] == REDACTED
    assert body["auth"]["identity"]["password"]["user"]["name"] == "mockuser"
    # IAM's reply keeps its `token` object (only scalar secrets go).
    assert json.loads(entry["response"]["body"])["token"]["user"]["name"] == "mockuser"

    client.get(f"{OSM}/cases", headers={"X-Auth-Token": tok})
    entry = last(client)
    assert entry["request"]["headers"]["x-auth-token"] == REDACTED
    assert tok not in json.dumps(entry)


def test_zstack_login_password_and_session_are_redacted(client):
    reply = client.put(
        "/zstack/v1/accounts/login",
        json={"logInByAccount": {"accountName": "admin", "password": PASSWORD_SHA512}},
    )
    session = reply.json()["inventory"]["uuid"]
    entry = last(client)
    assert (entry["operation"], entry["persona"]) == ("logInByAccount", "admin")
    text = json.dumps(entry)
    assert PASSWORD_SHA512 not in text and session not in text
    assert json.loads(entry["request"]["body"])["logInByAccount"]["password"] == REDACTED
    inventory = json.loads(entry["response"]["body"])["inventory"]
    assert inventory["uuid"] == REDACTED
    assert inventory["accountUuid"]  # the rest of the session stays readable

    client.put(
        "/zstack/v1/iam2/virtual-ids/login",
        json={"loginIAM2VirtualID": {"name": "requester", "password": PASSWORD_SHA512}},
    )
    entry = last(client)
    assert (entry["operation"], entry["persona"]) == ("loginIAM2VirtualID", "requester")
    assert json.loads(entry["response"]["body"])["inventory"]["uuid"] == REDACTED

    client.get("/zstack/v1/tickets", headers={"Authorization": f"OAuth {session}"})
    entry = last(client)
    assert entry["request"]["headers"]["authorization"] == f"OAuth {REDACTED}"
    assert entry["persona"] == "admin"
    assert session not in json.dumps(entry)


def test_aksk_signature_is_redacted_but_access_key_kept(client):
    reply = signed_request(client, "GET", f"{OSM}/cases")
    assert reply.status_code == 200
    authorization = last(client)["request"]["headers"]["authorization"]
    assert authorization.startswith(f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")
    assert authorization.endswith(f"Signature={REDACTED}")
    assert SK not in json.dumps(last(client))


def test_cookies_and_security_tokens_are_redacted(client):
    client.get(
        f"{OSM}/cases",
        headers={"Cookie": "sid=secret-cookie", "X-Security-Token": "temporary-secret"},
    )
    headers = last(client)["request"]["headers"]
    assert headers["cookie"] == REDACTED
    assert headers["x-security-token"] == REDACTED


def test_secret_keys_of_a_cut_json_body_are_redacted_too(client):
    body = password_body()
    body["padding"] = "x" * (BODY_LIMIT * 2)
    client.post("/v3/auth/tokens", json=body)
    entry = last(client)
    assert PASSWORD not in json.dumps(entry)
    assert f'"password":"{REDACTED}"' in entry["request"]["body"]
    assert "[... cut at 16384 of" in entry["request"]["body"]


# -- faults and drops ---------------------------------------------------------------------------


def test_a_forced_fault_is_journaled(client):
    client.mock.world().faults.load(
        {"seed": 1, "rules": [{"api": "osm", "status": 429, "retry_after_s": 3}]}
    )
    client.post(f"{OSM}/cases", headers={"X-Auth-Token": token(client)}, json={"a": 1})
    entry = last(client)
    assert entry["status"] == 429
    assert entry["operation"] == "createCases"
    assert entry["request"]["body"] == '{"a":1}'  # read by the journal, though nobody else did
    assert entry["response"]["headers"]["retry-after"] == "3"
    assert json.loads(entry["response"]["body"])["error_code"] == "APIG.0308"
    assert entry["fault"] == {
        "fired": ["rules[0]"],
        "latency_ms": 0.0,
        "status": 429,
        "drop": False,
        "source": "rules[0]",
    }


def test_a_drop_is_journaled(client):
    with pytest.raises(ConnectionDropped):
        client.get("/zstack/v1/tickets", headers={**ADMIN_AUTH, "X-Mock-Fault": "drop"})
    entry = last(client)
    assert entry["status"] is None and entry["dropped"] is True
    assert entry["response"] == {"headers": {}, "body": ""}
    assert entry["fault"]["source"] == "X-Mock-Fault header"
    assert journal(client, status=200) == []


# -- worlds and size ----------------------------------------------------------------------------


def test_each_world_has_its_own_journal(client):
    client.get("/zstack/v1/tickets", headers={**ADMIN_AUTH, "X-Mock-World": "journal-a"})
    client.get("/zstack/v1/ticket-types", headers={**ADMIN_AUTH, "X-Mock-World": "journal-b"})
    assert [e["path"] for e in journal(client, "journal-a")] == ["/zstack/v1/tickets"]
    assert [e["path"] for e in journal(client, "journal-b")] == ["/zstack/v1/ticket-types"]
    assert journal(client) == []


def test_the_journal_keeps_the_newest_entries_up_to_its_size():
    with serve(Config(journal_size=3)) as client:
        for _ in range(5):
            client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
        entries = journal(client)
        assert [e["id"] for e in entries] == [5, 4, 3]
    with serve(Config(journal_size=0)) as client:
        assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200
        assert journal(client) == []


def test_journal_class():
    kept = Journal(2)
    for n in range(3):
        kept.record({"path": f"/p{n}", "operation": None, "status": 200})
    assert [e["path"] for e in kept.entries()] == ["/p2", "/p1"]
    assert len(kept) == 2
    nothing = Journal(0)
    assert nothing.record({"path": "/p", "operation": None, "status": 200})["id"] == 1
    assert nothing.entries() == []


def test_details_are_rendered_on_the_first_read_in_their_place():
    kept = Journal(3)
    rendered = []

    def details():
        rendered.append(True)
        return {"request": {"headers": {}, "body": "{}"}}

    entry = {"path": "/p", "operation": None, "status": 200, "request": None, "fault": {}}
    kept.record(entry, details)
    assert rendered == []
    (first,) = kept.entries()
    assert list(first) == ["id", "path", "operation", "status", "request", "fault"]
    assert first["request"] == {"headers": {}, "body": "{}"}
    assert kept.entries() == [first]
    assert rendered == [True]


def test_an_entry_whose_details_fail_is_left_out():
    kept = Journal(3)
    kept.record({"path": "/ok", "operation": None, "status": 200})
    kept.record({"path": "/broken", "operation": None, "status": 200}, lambda: 1 / 0)
    assert [e["path"] for e in kept.entries()] == ["/ok"]
    assert [e["path"] for e in kept.entries(limit=1)] == ["/ok"]


# -- large and binary bodies --------------------------------------------------------------------


def _upload(client, tok: str, content: bytes, name: str) -> str:
    body = {
        "accessory_name": name,
        "accessory_from": "incident",
        "upload_type": 0,
        "accessory_data": base64.b64encode(content).decode("ascii"),
    }
    reply = client.post(
        f"{OSM}/accessorys/json-format-content", headers={"X-Auth-Token": tok}, json=body
    )
    assert reply.status_code == 200 and "accessory_id" in reply.json(), reply.text
    return reply.json()["accessory_id"]


def test_a_large_body_is_cut_and_a_binary_one_described(client):
    tok = token(client)
    content = bytes(range(256)) * 160  # 40 KiB, not UTF-8
    accessory_id = _upload(client, tok, content, "dump.zip")
    request = last(client)["request"]
    size = int(request["headers"]["content-length"])
    assert size > BODY_LIMIT
    assert request["body"].endswith(f"\n[... cut at {BODY_LIMIT} of {size} bytes]")
    assert len(request["body"].encode("utf-8")) < BODY_LIMIT + 100

    reply = client.get(f"{OSM}/accessorys/{accessory_id}", headers={"X-Auth-Token": tok})
    assert reply.content == content  # the client gets everything
    assert last(client)["response"]["body"] == f"<{len(content)} bytes of binary content>"


def test_a_large_text_answer_reaches_the_client_whole(client):
    tok = token(client)
    content = ("línea de registro " * 2000).encode("utf-8")
    accessory_id = _upload(client, tok, content, "big.log")
    reply = client.get(f"{OSM}/accessorys/{accessory_id}", headers={"X-Auth-Token": tok})
    assert reply.content == content
    body = last(client)["response"]["body"]
    assert body.startswith("línea de registro")
    assert body.endswith(f"[... cut at {BODY_LIMIT} of {len(content)} bytes]")
