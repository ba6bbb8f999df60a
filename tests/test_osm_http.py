"""OSM service tickets (cases) over HTTP against the in-process mock
(specs/huawei-osm-cases.yaml), as a support portal uses them: accessories, cases and their
lifecycle, the conversation, lists and counts, the config look-ups, quotas, privileges, other
domains, the business-error switch, the engineer's auto-reply and the IAM look-ups."""

import base64
import io
import json
import re
import zipfile
from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from mockserver.clock import FrozenClock
from mockserver.config import Config, OsmSettings
from mockserver.osm import lifecycle
from mockserver.progression import Progression, Progressions
from tests.conftest import T0, Client
from tests.huawei_helpers import (
    DOMAIN_ID,
    DOMAIN_NAME,
    PROJECT_ID,
    USER_ID,
    get_token,
    huawei_app,
    reset_world,
    signed_request,
)

B = "/v2/servicerequest"
DONE = {"error_code": "", "error_msg": ""}
INVALID, PRESSED, UPLOAD_LIMIT = "OSM.01010001", "OSM.01010004", "OSM.01010005"
SEVERITY, QUOTA, NOT_NOW, NO_CASE = "OSM.01010006", "OSM.01010007", "OSM.01010014", "OSM.01010015"
SOURCE = "83aeb0f2834c4df49826c781d32a963e"
ECS, OBS = "c8f63ecaff5e983a2441126a241c4cfa", "961ac1c875f5884f31bdd177365ef1e3"
ECS_BOOT = "8494a427ab18f27a50e37d8dc9b061f6"  # a fault: region, severity 1-3, instance_id
ECS_USAGE = "8084e611c019e48272490566ddcec2ca"  # a consultation, severity 4
CONSULT = {"business_type_id": ECS_USAGE, "source_id": SOURCE,
           "simple_description": "Which flavor suits a small web site?"}
FAULT = {"business_type_id": ECS_BOOT, "product_category_id": ECS, "incident_sub_type_id": "1",
         "source_id": SOURCE, "simple_description": "The instance does not boot after a resize.",
         "region_id": "cn-north-4", "severity_id": "2", "extends_map": {"instance_id": "i-0001"}}
SCORE = {"judgement": "Quick and right.", "incident_satisfaction_list": [
    {"satisfaction_id": 1, "satisfaction_value": 5},
    {"satisfaction_id": 2, "satisfaction_value": 4}]}
T0_MS = int(T0 * 1000)  # 2026-01-15 10:00:00 UTC, 18:00:00 GMT+8
ENGINEER_NAME = "Huawei Cloud support engineer"
STATUSES = (0, 1, 2, 3, 4, 12, 13, 17)
OPEN = {0, 1, 2, 17}
# Every path that names a case: method, path, body.
CASE_PATHS = [
    ("GET", "/cases/{id}", None), ("GET", "/cases/{id}/status", None),
    ("GET", "/cases/{id}/messages", None), ("GET", "/cases/{id}/operate-logs", None),
    ("GET", "/cases/{id}/extends-param?group_id=g1", None),
    ("POST", "/cases/{id}/extends-param", {"extends_map": {"os_type": "Linux"}}),
    ("PUT", "/cases/{id}/contact-info", {"remind_mail": "ops@example.com"}),
    ("POST", "/cases/{id}/message", {"message": {"content": "Any news?"}}),
    ("POST", "/cases/{id}/score", SCORE),
    *[("POST", f"/cases/{{id}}/action?action_id={a}", {}) for a in lifecycle.CUSTOMER_ACTIONS],
]


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


class Osm:
    """The OSM API as a support portal calls it, with one IAM token."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client, self.headers = client, {"X-Auth-Token": token or get_token(client)}

    def call(self, method: str, path: str, body=None, headers=None, **params):
        return self.client.request(method, B + path, json=body, params=params or None,
                                   headers={**self.headers, **(headers or {})})

    def get(self, path: str, headers=None, **params):
        return self.call("GET", path, None, headers, **params)

    def post(self, path: str, body=None, **params):
        return self.call("POST", path, body, **params)

    def upload(self, content=b"hello", name="log.txt", origin="incident") -> str:
        body = {"accessory_name": name, "accessory_from": origin, "accessory_data": b64(content)}
        return ok(self.post("/accessorys/json-format-content", body))["accessory_id"]

    def create(self, body: dict | None = None, **fields) -> str:
        return ok(self.post("/cases", {**(body or CONSULT), **fields}))["incident_id"]

    def detail(self, case_id: str) -> dict:
        return ok(self.get(f"/cases/{case_id}"))["incident_detail_info"]

    def status(self, case_id: str) -> int:
        return ok(self.get(f"/cases/{case_id}/status"))["status"]

    def act(self, case_id: str, action: str, body: dict | None = None):
        return self.post(f"/cases/{case_id}/action", body or {}, action_id=action)

    def say(self, case_id: str, content: str, accessory_ids=()):
        message = {"content": content, "accessory_ids": list(accessory_ids)}
        return self.post(f"/cases/{case_id}/message", {"message": message})

    def ids(self, headers=None, **params) -> list[str]:
        listed = ok(self.get("/cases", headers, **params))["incident_info_list"]
        return [c["incident_id"] for c in listed]

    def counts(self, **params) -> dict[int, int]:
        rows = ok(self.get("/cases/count", **params))["incident_status_counts"]
        return {row["status"]: row["count"] for row in rows}

    def messages(self, case_id: str, **params) -> list[dict]:
        return ok(self.get(f"/cases/{case_id}/messages", **params))["message_list"]

    def logs(self, case_id: str) -> list[tuple[int, int]]:
        rows = ok(self.get(f"/cases/{case_id}/operate-logs", limit=100))
        return [(r["operate_type"], r["operator_type"]) for r in rows["incident_operate_log_list"]]


@pytest.fixture
def osm(client) -> Osm:
    return Osm(client)


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def ok(reply) -> dict:
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body.get("error_code", "") == "", body
    return body


def refused(reply, code: str, status: int = 200) -> str:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error_code", "error_msg"}, body
    assert body["error_code"] == code, body
    assert isinstance(body["error_msg"], str) and body["error_msg"].strip()
    return body["error_msg"]


def store(client: Client) -> dict:
    return client.mock.world().store.export()


def engineer(client: Client, case_id: str, action: str, content: str = "Engineer's note."):
    return client.post(f"/__admin/osm/cases/{case_id}/engineer",
                       json={"action": action, "content": content})


def filename(reply) -> str:
    disposition = reply.headers["content-disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''"), disposition
    return unquote(disposition.partition("''")[2])


def user(client: Client, name: str, domain_id: str = DOMAIN_ID, domain_name=DOMAIN_NAME) -> Osm:
    """Another IAM user with a token, of our domain unless another one (then added) is named."""
    iam = client.mock.world().backend("iam")
    if domain_id != DOMAIN_ID:
        iam.add_domain(domain_id, domain_name)
    iam.add_user(name[0] * 32, name, domain_id, "Passw0rd!x")
    token = iam.issue_token(domain_name, name, "Passw0rd!x", {"name": domain_name}, None)
    return Osm(client, token["token"])


# How a new case reaches each status: the engineer's (E) and the customer's (C) steps.
ROUTES = {0: [], 1: ["E accept"], 2: ["E solve"], 17: ["E request_feedback"],
          3: ["E solve", "C close"], 4: ["C cancel"], 12: ["E invalidate"],
          13: ["C cancel", "C delete"]}


def case_in(osm: Osm, status: int) -> str:
    case_id = osm.create()
    for step in ROUTES[status]:
        side, action = step.split()
        ok(engineer(osm.client, case_id, action) if side == "E" else osm.act(case_id, action))
    assert osm.status(case_id) == status
    return case_id


# -- accessories --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["json", "multipart", "multipart-form-data"])
def test_an_upload_downloads_as_the_same_bytes_and_name(osm, how):
    content, name = bytes(range(256)) * 3, "日志 2026.log"
    form = json.dumps({"fileName": name, "accessoryFrom": "message", "uploadType": 0})
    files = {"file": (name if how == "multipart" else "blob.bin", content, "text/plain"),
             **({"form_data": (None, form, "application/json")} if how.endswith("data") else {})}
    accessory_id = osm.upload(content, name) if how == "json" else ok(
        osm.client.post(B + "/accessorys", headers=osm.headers, files=files))["accessory_id"]

    reply = osm.get(f"/accessorys/{accessory_id}")

    assert re.fullmatch(r"[0-9a-f]{32}", accessory_id)
    assert (reply.status_code, reply.headers["content-type"]) == (200, "application/octet-stream")
    assert (reply.content, filename(reply)) == (content, name)


def test_several_comma_separated_ids_download_as_one_zip(osm):
    files = {"a.txt": b"first", "b.log": b"second\n", "c.pdf": b"%PDF-1.4"}
    ids = {osm.upload(content, name): (name, content) for name, content in files.items()}
    reply = osm.get("/accessorys/" + ",".join(ids))
    assert reply.status_code == 200 and filename(reply) == "accessories.zip"
    with zipfile.ZipFile(io.BytesIO(reply.content)) as bundle:
        entries = {name: bundle.read(name) for name in bundle.namelist()}
    assert entries == {f"{i}_{name}": content for i, (name, content) in ids.items()}


def test_an_unattached_accessory_is_deleted_an_attached_one_stays(osm, client):
    loose, kept = osm.upload(b"loose"), osm.upload(b"kept")
    osm.create(accessory_ids=[kept])
    assert ok(osm.call("DELETE", f"/accessorys/{loose}")) == DONE
    refused(osm.get(f"/accessorys/{loose}"), INVALID)
    before = store(client)
    assert "belongs to case" in refused(osm.call("DELETE", f"/accessorys/{kept}"), NOT_NOW)
    assert store(client) == before
    assert osm.get(f"/accessorys/{kept}").content == b"kept"


def test_access_links_work_without_credentials_for_10_minutes(osm, client, clock):
    one, two = osm.upload(b"one", "one.txt"), osm.upload(b"two", "two.log")
    single = ok(osm.get(f"/accessorys/{one}/access-url", relation_type="DEFAULT"))
    links = ok(osm.get("/accessorys/access-urls", accessory_ids=[one, two]))["accessory_urls"]
    urls = [single["accessory_url"], *(link["accessory_url"] for link in links)]

    assert [(k["accessory_id"], k["accessory_name"]) for k in links] == [
        (one, "one.txt"), (two, "two.log")]
    assert all(url.startswith("http://localhost:8080/__admin/osm/files/") for url in urls)
    clock.advance(599)
    assert [(r.status_code, r.content, filename(r)) for r in map(client.get, urls)] == [
        (200, b"one", "one.txt"), (200, b"one", "one.txt"), (200, b"two", "two.log")]
    clock.advance(1)
    assert [client.get(url).status_code == 200 for url in urls] == [False] * 3


def test_an_expired_or_unknown_access_link_answers_404(osm, client, clock):
    url = ok(osm.get(f"/accessorys/{osm.upload()}/access-url", relation_type="DEFAULT"))
    clock.advance(600)
    reply = client.get(url["accessory_url"])
    assert reply.status_code == 404 and reply.json()["error"]["status"] == 404
    assert client.get("/__admin/osm/files/" + "0" * 32).status_code == 404


def test_accessory_limits_are_the_catalogs_and_five_fit_a_case_or_message(osm, client):
    catalog = client.mock.world().backend("osm").catalog.accessory_limits

    limits = ok(osm.get("/accessorys/limits"))["accessory_limit"]

    assert limits == {"limit_count": "5", "limit_size": "10",
                      "limit_file_type": ",".join(catalog["file_types"])}
    assert {"jpg", "png", "txt", "log", "zip", "pdf"} <= set(limits["limit_file_type"].split(","))
    five = [osm.upload(b"part %d" % n, f"part{n}.log") for n in range(5)]
    case_id = osm.create(accessory_ids=five)
    assert [a["accessory_id"] for a in osm.messages(case_id)[0]["accessory_list"]] == five
    more = [osm.upload(b"trace", "trace.log", origin="message")]
    assert ok(osm.say(case_id, "Trace attached.", more)) == DONE
    assert osm.messages(case_id)[-1]["accessory_list"] == [
        {"accessory_id": more[0], "file_actual_name": "trace.log"}]


def test_an_aksk_signed_client_uploads_files_and_reads_cases(client, osm):
    upload = {"accessory_name": "dump.txt", "accessory_from": "incident", "accessory_data": "aGk="}
    accessory_id = ok(signed_request(client, "POST", B + "/accessorys/json-format-content",
                                     json=upload))["accessory_id"]
    body = {**CONSULT, "accessory_ids": [accessory_id]}
    case_id = ok(signed_request(client, "POST", B + "/cases", json=body))["incident_id"]

    assert ok(signed_request(client, "GET", B + f"/cases/{case_id}/status")) == {"status": 0}
    listed = ok(signed_request(client, "GET", B + "/cases?search_key=flavor&limit=5"))
    assert [c["incident_id"] for c in listed["incident_info_list"]] == [case_id]
    assert signed_request(client, "GET", B + f"/accessorys/{accessory_id}").content == b"hi"
    assert osm.detail(case_id)["xcustomer_id"] == USER_ID


# -- cases and their lifecycle --------------------------------------------------------------------


def test_a_new_case_shows_its_first_message_with_the_accessories(osm):
    ids = [osm.upload(b"log", "boot.log"), osm.upload(b"png", "vnc.png")]

    case_id = osm.create(FAULT, accessory_ids=ids)

    assert re.fullmatch(r"CS260115100000\d{4}", case_id)
    case = osm.detail(case_id)
    assert [case[k] for k in ("status", "customer_id", "xcustomer_id", "xcustomer_name",
                              "business_type_name", "product_category_name", "dc_name",
                              "incident_type_name", "severity_name")] == [
        0, DOMAIN_ID, USER_ID, "mockuser", "Instance cannot start or log in",
        "Elastic Cloud Server", "CN North-Beijing4", "Technical issues",
        "Major - the service is impaired"]
    [first] = case["message_list"]
    assert (first["type"], first["is_first_message"], first["content"], first["create_time"]) == (
        0, 1, FAULT["simple_description"], "2026-01-15T10:00:00Z")
    assert first["accessory_list"] == [{"accessory_id": ids[0], "file_actual_name": "boot.log"},
                                       {"accessory_id": ids[1], "file_actual_name": "vnc.png"}]


@pytest.mark.parametrize(("later", "stamp"), [(3661, "260115110101"), (14 * 3600, "260116000000")])
def test_the_case_id_carries_the_utc_time_of_the_mock_clock(osm, clock, later, stamp):
    clock.advance(later)
    assert re.fullmatch(rf"CS{stamp}\d{{4}}", osm.create())


def test_a_case_through_its_whole_life(osm, client, clock):
    case_id = osm.create()
    steps = [(lambda: engineer(client, case_id, "accept", "Looking into it."), 1),
             (lambda: engineer(client, case_id, "reply", "Which flavor do you run?"), 1),
             (lambda: engineer(client, case_id, "request_feedback", "Send the log."), 17),
             (lambda: osm.say(case_id, "Here is the log."), 1),
             (lambda: engineer(client, case_id, "solve", "Use s6.large."), 2),
             (lambda: osm.say(case_id, "Still slow."), 1),
             (lambda: engineer(client, case_id, "solve", "Use s6.xlarge."), 2),
             (lambda: osm.act(case_id, "close", {"judgement": "Thanks!"}), 3)]
    for step, status in steps:
        clock.advance(60)
        assert step().status_code == 200
        assert osm.status(case_id) == status

    assert ok(osm.post(f"/cases/{case_id}/score", SCORE)) == DONE
    before = store(client)
    assert "rated already" in refused(osm.post(f"/cases/{case_id}/score", SCORE), NOT_NOW)
    assert store(client) == before
    case = osm.detail(case_id)
    assert [m["type"] for m in case["message_list"]] == [0, 1, 1, 1, 0, 1, 0, 1]
    assert (case["judgement"], case["resolve_time"]) == ("Quick and right.", 7 * 60)
    assert [(s["satisfaction_id"], s["satisfaction_value"])
            for s in case["incident_satisfaction"]] == [(1, 5), (2, 4)]
    [item] = ok(osm.get("/cases"))["incident_info_list"]
    assert [item["resolution"], item["confirmed_time"]] == [
        "Use s6.xlarge.", "2026-01-15T10:08:00Z"]
    logs = ok(osm.get(f"/cases/{case_id}/operate-logs", limit=100))["incident_operate_log_list"]
    assert [(r["operate_type"], r["operator_type"]) for r in logs] == [
        (1, 0), (10, 1), (11, 1), (12, 1), (2, 0), (13, 1), (2, 0), (13, 1), (4, 0), (7, 0)]
    assert {(r["operator_type"], r["operator_name"]) for r in logs} == {
        (0, "mockuser"), (1, ENGINEER_NAME)}


def test_a_case_is_pressed_at_most_once_per_30_minutes(osm, client, clock):
    case_id = osm.create()
    assert ok(osm.act(case_id, "press")) == DONE
    clock.advance(1799)
    before = store(client)

    assert "30 minutes" in refused(osm.act(case_id, "press"), PRESSED)

    assert store(client) == before
    clock.advance(1)
    assert ok(osm.act(case_id, "press")) == DONE
    assert osm.logs(case_id) == [(1, 0), (5, 0), (5, 0)]


def test_a_deleted_case_is_listed_and_counted_only_when_asked_for(osm, clock):
    gone = case_in(osm, 13)
    clock.advance(60)
    kept = osm.create()
    assert (osm.ids(), ok(osm.get("/cases"))["total_count"]) == ([kept], 1)
    assert (osm.ids(status=13), osm.ids(incident_status="0,13")) == ([gone], [kept, gone])
    assert osm.counts() == {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 12: 0, 17: 0}
    assert osm.counts(status=13) == {13: 1}


# The lifecycle table and operate_type list of the spec.
SPEC_CUSTOMER = {"cancel": ({0, 1, 17}, 4), "close": ({1, 2, 17}, 3), "press": ({0, 1}, None),
                 "delete": ({3, 4, 12}, 13)}
SPEC_ENGINEER = {"accept": ({0}, 1), "reply": (OPEN, None), "request_feedback": ({0, 1}, 17),
                 "solve": ({0, 1, 17}, 2), "invalidate": ({0, 1, 17}, 12)}
OPERATE_TYPES = {"message": 2, "cancel": 3, "close": 4, "press": 5, "delete": 6, "score": 7,
                 "contact-info": 8, "extends-param": 9, "accept": 10, "reply": 11,
                 "request_feedback": 12, "solve": 13, "invalidate": 14}


def test_the_lifecycle_module_is_the_specs_table():
    def plain(actions):
        return {a: (set(allowed), target) for a, (allowed, target) in actions.items()}
    assert plain(lifecycle.CUSTOMER_ACTIONS) == SPEC_CUSTOMER
    assert plain(lifecycle.ENGINEER_ACTIONS) == SPEC_ENGINEER


CUSTOMER = {  # what the customer does: allowed in, the call, where it leads (None: nowhere)
    **{a: (allowed, lambda o, c, a=a: o.act(c, a), target)
       for a, (allowed, target) in lifecycle.CUSTOMER_ACTIONS.items()},
    "message": (OPEN, lambda o, c: o.say(c, "An update."), {2: 1, 17: 1}),
    "score": ({3}, lambda o, c: o.post(f"/cases/{c}/score", SCORE), None),
    "contact-info": (OPEN, lambda o, c: o.call("PUT", f"/cases/{c}/contact-info",
                                               {"remind_mail": "ops@example.com"}), None),
    "extends-param": (OPEN, lambda o, c: o.post(f"/cases/{c}/extends-param",
                                                {"extends_map": {"os_type": "Linux"}}), None),
}
SHOWN = {  # how the customer sees it done
    "message": lambda o, c: o.messages(c, limit=100)[-1]["content"] == "An update.",
    "score": lambda o, c: len(o.detail(c)["incident_satisfaction"]) == 2,
    "contact-info": lambda o, c: o.detail(c)["ext_info"]["remind_mail"] == "ops@example.com",
    "extends-param": lambda o, c: ok(o.get(f"/cases/{c}/extends-param", group_id="g"))[
        "extends_map"] == {"os_type": "Linux"},
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("kind", CUSTOMER)
def test_what_the_customer_may_do_by_status(osm, client, kind, status):
    allowed, call, target = CUSTOMER[kind]
    case_id = case_in(osm, status)
    logs, before = osm.logs(case_id), store(client)

    reply = call(osm, case_id)

    if status not in allowed:
        assert "not allowed" in refused(reply, NOT_NOW)
        assert store(client) == before
        return
    assert ok(reply) == DONE
    moved = target.get(status, status) if isinstance(target, dict) else target
    assert osm.status(case_id) == (status if moved is None else moved)
    assert osm.logs(case_id) == [*logs, (OPERATE_TYPES[kind], 0)]
    assert kind not in SHOWN or SHOWN[kind](osm, case_id)


@pytest.mark.parametrize(("action", "status", "allowed", "target"), [
    pytest.param(action, status, status in allowed, target, id=f"{action}-{status}")
    for action, (allowed, target) in lifecycle.ENGINEER_ACTIONS.items() for status in STATUSES])
def test_an_engineer_action_by_status(osm, client, action, status, allowed, target):
    case_id = case_in(osm, status)
    logs, before = osm.logs(case_id), store(client)

    reply = engineer(client, case_id, action, "From the engineer.")

    if not allowed:
        assert reply.status_code == 409 and "not allowed" in reply.json()["error"]["detail"]
        assert store(client) == before
        return
    expected = 1 if (action, status) == ("reply", 0) else status if target is None else target
    assert reply.json() == {"incident_id": case_id, "status": expected}
    assert osm.status(case_id) == expected
    last = osm.messages(case_id, limit=100)[-1]
    assert (last["type"], last["content"], last["replier_name"]) == (
        1, "From the engineer.", ENGINEER_NAME)
    assert osm.logs(case_id) == [*logs, (OPERATE_TYPES[action], 1)]


def test_the_conversation_comes_oldest_first_and_pages(osm, client, clock):
    case_id = osm.create(simple_description="first")
    for text, say in [("second", osm.say), ("third", None), ("fourth", osm.say)]:
        clock.advance(60)
        ok(say(case_id, text) if say else engineer(client, case_id, "reply", text))

    page = ok(osm.get(f"/cases/{case_id}/messages"))

    assert [(m["content"], m["type"], m["is_first_message"], m["create_time"][11:])
            for m in page["message_list"]] == [
        ("first", 0, 1, "10:00:00Z"), ("second", 0, 0, "10:01:00Z"),
        ("third", 1, 0, "10:02:00Z"), ("fourth", 0, 0, "10:03:00Z")]
    middle = ok(osm.get(f"/cases/{case_id}/messages", offset=1, limit=2))
    assert (page["count"], middle["count"]) == (4, 4)
    assert [m["content"] for m in middle["message_list"]] == ["second", "third"]
    assert osm.messages(case_id, offset=4) == []


# -- lists and counts ---------------------------------------------------------------------------


@pytest.fixture
def three(osm, client, clock) -> dict:
    """a at 10:00 UTC, a fault, new; b at 11:00, an invoice question, processing; c at 12:00,
    by a colleague of the same domain, a boot loop, cancelled."""
    colleague = user(client, "colleague")
    a = osm.create(FAULT, simple_description="ECS boot failure after resize")
    clock.advance(3600)
    b = osm.create(simple_description="Invoice question for December")
    ok(engineer(client, b, "accept"))
    clock.advance(3600)
    c = colleague.create(simple_description="Boot loop on Windows")
    ok(colleague.act(c, "cancel"))
    return {"a": a, "b": b, "c": c}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, "cba"), ({"search_key": "BOOT"}, "ca"), ({"search_key": ["invoice", "windows"]}, "cb"),
    ({"search_key": "nothing-like-it"}, ""), ({"incident_id": "CS26011511"}, "b"),
    ({"status": 1}, "b"), ({"incident_status": "0,1"}, "ba"), ({"status": 5}, ""),
    ({"status": 4, "incident_status": "0,1"}, ""), ({"x_customer_id": USER_ID}, "ba"),
    ({"x_customer_name": "COLL"}, "c"),
    ({"query_start_time": "2026-01-15 19:00:00"}, "cb"),
    ({"query_end_time": "2026-01-15 19:00:00"}, "ba"),
    ({"query_start_time": "2026-01-15T11:00:00Z", "query_end_time": "2026-01-15T11:00:00Z"}, "b"),
    ({"query_start_time": str(T0_MS + 3_600_000)}, "cb"),
    ({"query_end_time": str(T0_MS + 3_599_999)}, "a"),
    ({"limit": 2}, "cb"), ({"offset": 2}, "a"), ({"offset": 1, "limit": 1}, "b"),
    ({"offset": 3}, ""),
], ids=lambda value: str(value) if isinstance(value, dict) else None)
def test_list_filters_and_pages_newest_first(osm, three, params, expected):
    listed = ok(osm.get("/cases", **params))
    assert [c["incident_id"] for c in listed["incident_info_list"]] == [three[k] for k in expected]
    paged = "offset" in params or "limit" in params
    assert listed["total_count"] == (3 if paged else len(expected))


@pytest.mark.parametrize(("zone", "name", "value", "found"), [
    (None, "start", "2026-01-15 18:00:00", True), (None, "start", "2026-01-15 18:00:01", False),
    (None, "end", "2026-01-15 17:59:59", False), (None, "end", "2026-01-15 18:00:00", True),
    ("GMT+8", "start", "2026-01-15 18:00:01", False),
    ("GMT+0", "start", "2026-01-15 10:00:00", True), ("UTC", "start", "2026-01-15 10:00:01", False),
    ("GMT-05:30", "end", "2026-01-15 04:29:59", False),
    ("GMT-05:30", "start", "2026-01-15 04:30:00", True),
    ("GMT-05:30", "start", "2026-01-15T10:00:00Z", True),
    ("GMT+8", "start", "2026-01-15T10:00:01Z", False), ("GMT+8", "end", str(T0_MS), True),
    (None, "start", str(T0_MS + 1), False),
    (None, "end", "2026-01-15", True), (None, "end", "2026-01-14", False),
    ("GMT-12", "start", "2026-01-15", False)])
def test_time_filters_read_the_callers_zone(osm, zone, name, value, found):
    case_id = osm.create()  # at 2026-01-15 10:00:00 UTC, 18:00:00 GMT+8
    listed = osm.ids({"X-Time-Zone": zone} if zone else None, **{f"query_{name}_time": value})
    assert listed == ([case_id] if found else [])


def test_counts_per_status(osm, three):
    rows = ok(osm.get("/cases/count"))["incident_status_counts"]
    assert rows == [{"status": s, "count": n}
                    for s, n in [(0, 1), (1, 1), (2, 0), (3, 0), (4, 1), (12, 0), (17, 0)]]
    assert osm.counts(status=4) == {4: 1}


# -- the config look-ups ------------------------------------------------------------------------


def test_the_look_ups_form_one_tree_and_cases_built_from_them_are_accepted(osm):
    sub_types = ok(osm.get("/config/categories"))["incident_sub_type_list"]
    served = {c["incident_product_category_id"]: c for c in
              ok(osm.get("/config/product-categories"))["incident_product_category_list"]}
    region = ok(osm.get("/config/regions"))["data_center_list"][0]["region_id"]
    walked = []
    for sub in sub_types:
        for category in sub["incident_product_category_list"]:
            ids = {"product_category_id": category["incident_product_category_id"]}
            assert served[ids["product_category_id"]] == category
            for problem in ok(osm.get("/config/problems", **ids))["incident_business_type_list"]:
                walked.append(problem)
                ids["business_type_id"] = problem["business_type_id"]
                severity = ok(osm.get("/config/severities", **ids))["severity_list"][-1]
                [template, *_] = ok(osm.get("/config/templates", business_type_id=ids[
                    "business_type_id"]))["incident_template_list"]
                params = ok(osm.get("/config/extends-map", **ids))["extends_params"]
                body = {**ids, "incident_sub_type_id": sub["incident_sub_type_id"],
                        "source_id": SOURCE, "severity_id": severity["severity_id"],
                        "simple_description": template["incident_template_content"],
                        "extends_map": {p["param_key"]: "x1" for p in params if p["required"]},
                        **({"region_id": region} if problem["case_type"] == "5" else {})}
                case = osm.detail(osm.create(body))
                assert [case["business_type_name"], case["product_category_name"],
                        case["incident_type_name"], case["severity_name"]] == [
                    problem["business_type_name"], category["incident_product_category_name"],
                    sub["incident_sub_type_name"], severity["severity_name"]]
    everything = ok(osm.get("/config/problems"))["incident_business_type_list"]
    assert sorted(walked, key=str) == sorted(everything, key=str)
    assert len(served) == sum(len(s["incident_product_category_list"]) for s in sub_types)
    acronym = ok(osm.get("/config/product-categories", product_category_name="ecs"))
    assert [c["incident_product_category_id"]
            for c in acronym["incident_product_category_list"]] == [ECS]


@pytest.mark.parametrize(("change", "code", "named"), [
    ({"region_id": None}, INVALID, "region_id"),
    ({"region_id": "mars-1"}, INVALID, "region_id"),
    ({"extends_map": None}, INVALID, "instance_id"),
    ({"extends_map": {"instance_id": "", "os_type": "Linux"}}, INVALID, "instance_id"),
    ({"severity_id": "4"}, SEVERITY, "severity_id 4"),
    ({"product_category_id": OBS}, INVALID, OBS),
    ({"incident_sub_type_id": "2"}, INVALID, "incident_sub_type_id"),
    ({"business_type_id": "0" * 32}, INVALID, "business_type_id"),
], ids=["fault-without-region", "unknown-region", "no-extends", "empty-extends",
        "severity-of-another-type", "category-of-another-type", "sub-type-without-category",
        "unknown-business-type"])
def test_a_case_the_look_ups_do_not_offer_is_refused(osm, client, change, code, named):
    body = {k: v for k, v in {**FAULT, **change}.items() if v is not None}
    before = store(client)
    assert named in refused(osm.post("/cases", body), code)
    assert store(client) == before


# -- quotas, privileges, domains ----------------------------------------------------------------


def test_the_daily_case_quota_counts_down_and_refuses_the_51st_case(osm, client, clock):
    def quota():
        return ok(osm.get("/quotas", business_type_id=ECS_USAGE))

    assert quota() == {"total": 50, "un_used": 50}
    osm.create()
    assert quota() == {"total": 50, "un_used": 49}
    for _ in range(49):
        osm.create()
    before = store(client)

    assert "quota" in refused(osm.post("/cases", CONSULT), QUOTA)

    assert store(client) == before
    assert (quota()["un_used"], ok(osm.get("/cases"))["total_count"]) == (0, 50)
    clock.advance(14 * 3600)  # 00:00 UTC the next day
    assert quota()["un_used"] == 50
    osm.create()


def test_the_configured_daily_case_quota_replaces_the_vendors_50():
    for client in huawei_app(Config(seed=7, osm=OsmSettings(daily_case_quota=2))):
        reset_world(client)
        osm = Osm(client)
        osm.create()
        osm.create()

        assert ok(osm.get("/quotas", business_type_id=ECS_USAGE)) == {"total": 2, "un_used": 0}
        assert "quota of 2 cases" in refused(osm.post("/cases", CONSULT), QUOTA)


def test_privileges_are_granted_and_withdrawn_per_domain(osm, client):
    def has(caller):  # a privilege the default scenario does not grant
        return ok(caller.get("/privileges", privilege="case-sharing"))["has_privilege"]

    assert has(osm) == 0
    assert ok(osm.post("/privileges", {"operation": "create", "privilege": "case-sharing"})) == DONE
    assert (has(osm), has(user(client, "colleague"))) == (1, 1)
    assert has(user(client, "stranger", "d" * 32, "otherdomain")) == 0
    ok(osm.post("/privileges", {"operation": "delete", "privilege": "case-sharing"}))
    assert has(osm) == 0
    assert ok(osm.get("/privileges/privilege-policy")) == {"policy_switch": False}


def test_another_domain_sees_none_of_our_cases_or_accessories(osm, client):
    accessory_id, case_id = osm.upload(), osm.create()
    stranger = user(client, "stranger", "d" * 32, "otherdomain")
    before = store(client)

    for method, path, body in CASE_PATHS:
        reply = stranger.call(method, path.format(id=case_id), body)
        assert "does not exist" in refused(reply, NO_CASE), path
    refused(stranger.get(f"/accessorys/{accessory_id}"), INVALID)
    refused(stranger.get(f"/accessorys/{accessory_id}/access-url", relation_type="INCIDENT"),
            INVALID)
    refused(stranger.post("/cases", {**CONSULT, "accessory_ids": [accessory_id]}), INVALID)
    assert store(client) == before
    assert ok(stranger.get("/cases")) == {"total_count": 0, "incident_info_list": []}
    assert set(stranger.counts().values()) == {0}
    assert ok(stranger.get("/quotas", business_type_id=ECS_USAGE))["un_used"] == 50
    assert user(client, "colleague").detail(case_id)["xcustomer_name"] == "mockuser"


# -- configuration: business errors as 4xx, the engineer's auto-reply -----------------------------

BUSINESS_ERRORS = {  # name: the call, its error_code, its status under http4xx
    "no-case": (lambda o, c: o.get("/cases/CS2601151000000000"), NO_CASE, 404),
    "no-case-action": (lambda o, c: o.act("CS2601151000000000", "cancel"), NO_CASE, 404),
    "no-accessory": (lambda o, c: o.get("/accessorys/" + "0" * 32), INVALID, 404),
    "no-accessory-delete": (lambda o, c: o.call("DELETE", "/accessorys/" + "0" * 32), INVALID, 404),
    "not-allowed-now": (lambda o, c: o.post(f"/cases/{c}/score", SCORE), NOT_NOW, 403),
    "quota": (lambda o, c: o.post("/cases", CONSULT), QUOTA, 403),
    "pressed": (lambda o, c: o.act(c, "press"), PRESSED, 400),
    "parameter": (lambda o, c: o.post("/cases", {**FAULT, "region_id": "mars-1"}), INVALID, 400),
    "severity": (lambda o, c: o.post("/cases", {**CONSULT, "severity_id": "1"}), SEVERITY, 400),
    "upload-type": (lambda o, c: o.post("/accessorys/json-format-content", {
        "accessory_name": "a.exe", "accessory_from": "incident", "accessory_data": "TVo="}),
        INVALID, 400),
}


@pytest.fixture(scope="module")
def strict_app() -> Iterator[Client]:
    yield from huawei_app(Config(seed=7, osm=OsmSettings(business_errors="http4xx")))


@pytest.mark.parametrize("mode", ["http200", "http4xx"])
@pytest.mark.parametrize("name", BUSINESS_ERRORS)
def test_business_errors_travel_with_the_configured_status(app_client, strict_app, mode, name):
    client = app_client if mode == "http200" else strict_app
    reset_world(client)
    osm = Osm(client)
    case_id = osm.create()
    ok(osm.act(case_id, "press"))
    client.mock.world().backend("osm").daily_case_quota = 1
    call, code, status = BUSINESS_ERRORS[name]
    before = store(client)

    refused(call(osm, case_id), code, 200 if mode == "http200" else status)

    assert store(client) == before


@pytest.fixture(scope="module")
def auto_app() -> Iterator[Client]:
    progression = Progressions(osm_engineer=Progression("seconds", 60))
    yield from huawei_app(Config(seed=7, progression=progression))


@pytest.mark.parametrize("looked_at", [60, 61, 3600])
def test_the_engineer_replies_by_itself_60_s_after_the_customer(auto_app, looked_at):
    clock = reset_world(auto_app)
    osm = Osm(auto_app)
    case_id = osm.create()
    clock.advance(59)
    assert (osm.status(case_id), len(osm.messages(case_id))) == (0, 1)
    clock.advance(looked_at - 59)

    assert osm.status(case_id) == 1
    [_, reply] = osm.messages(case_id)
    assert (reply["type"], reply["create_time"], reply["replier_name"]) == (
        1, "2026-01-15T10:01:00Z", ENGINEER_NAME)
    assert reply["content"].strip()
    ok(osm.say(case_id, "Thanks, waiting."))
    clock.advance(59)
    assert len(osm.messages(case_id)) == 3
    clock.advance(1)
    assert [m["type"] for m in osm.messages(case_id)] == [0, 1, 0, 1]


# -- IAM look-ups the SDKs make -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["token", "aksk"])
def test_iam_tells_the_callers_domain_and_project(client, how):
    token = {"X-Auth-Token": get_token(client)}

    def get(url):
        return client.get(url, headers=token) if how == "token" else signed_request(
            client, "GET", url)

    domains = get("/v3/auth/domains").json()["domains"]
    projects = get("/v3/projects?name=cn-north-4").json()["projects"]

    assert [(d["id"], d["name"]) for d in domains] == [(DOMAIN_ID, DOMAIN_NAME)]
    assert [(p["id"], p["domain_id"]) for p in projects] == [(PROJECT_ID, DOMAIN_ID)]
    assert get("/v3/projects?name=mars-1").json()["projects"] == []


@pytest.mark.parametrize("path", ["/v3/auth/domains", "/v3/projects?name=cn-north-4"])
def test_iam_look_ups_without_credentials_are_a_401(client, path):
    reply = client.get(path)
    assert (reply.status_code, reply.json()["error_code"]) == (401, "IAM.0002")
