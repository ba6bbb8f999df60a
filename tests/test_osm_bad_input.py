"""Bad input to OSM gets the vendor's `{error_code, error_msg}` (the API gateway's answers add
request_id), never a 500, and changes nothing: the world's whole store is the same before and
after every refusal."""

import io
import json
import zipfile
from collections.abc import Iterator

import pytest

from tests.conftest import Client
from tests.huawei_helpers import huawei_app, reset_world, signed_request
from tests.test_osm_http import (
    CASE_PATHS,
    CONSULT,
    INVALID,
    NO_CASE,
    SCORE,
    UPLOAD_LIMIT,
    B,
    Osm,
    b64,
    case_in,
    engineer,
    ok,
    refused,
    store,
)

BAD_REQUEST, AUTH = "OSM.0001", "OSM.0002"
MB = 1024 * 1024
UNKNOWN_CASE = "CS2601151000009999"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def app_client() -> Iterator[Client]:
    yield from huawei_app()


@pytest.fixture
def osm(app_client) -> Osm:
    """A fresh world (clock at T0) and its user's token."""
    reset_world(app_client)
    return Osm(app_client)


@pytest.fixture
def kept(osm) -> str:
    """The accessory attached to `case_id`."""
    return osm.upload(b"kept", "kept.txt")


@pytest.fixture
def case_id(osm, kept) -> str:
    """A new case (status 0) holding `kept`."""
    return osm.create(accessory_ids=[kept])


@pytest.fixture
def unchanged(osm, case_id) -> Iterator[None]:
    """Checks after the test that the refused request left the whole store as it was."""
    before = store(osm.client)
    yield
    assert store(osm.client) == before


def upload(osm: Osm, name: str, content: bytes):
    body = {"accessory_name": name, "accessory_from": "incident", "accessory_data": b64(content)}
    return osm.post("/accessorys/json-format-content", body)


def post_raw(osm: Osm, path: str, content: bytes, method: str = "POST"):
    return osm.client.request(method, B + path, content=content, headers={**osm.headers, **JSON})


def gateway_refused(reply, status: int, code: str) -> None:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error_code", "error_msg", "request_id"}, body
    assert body["error_code"] == code and body["error_msg"]


# -- accessories --------------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("data", ["aGVsbG8", "abc", "aGVsbG8==", "ab$c", "aGVs bG8=", "aGVsbG8=\n",
                                  "====", "aGVsbG8=aGk=", "-_-_", "héllo", "日本語", "\u0000"])
def test_accessory_data_that_is_not_base64_is_invalid(osm, data):
    body = {"accessory_name": "a.txt", "accessory_from": "incident", "accessory_data": data}
    assert "base64" in refused(osm.post("/accessorys/json-format-content", body), INVALID)


def limit_bytes(osm: Osm) -> int:
    return osm.client.mock.world().backend("osm").catalog.accessory_limits["limit_size_mb"] * MB


@pytest.mark.usefixtures("unchanged")
def test_an_accessory_one_byte_over_the_size_limit_is_invalid(osm):
    size = limit_bytes(osm)
    assert f"{size // MB} MB" in refused(upload(osm, "big.pdf", b"x" * (size + 1)), INVALID)


def test_an_accessory_of_exactly_the_size_limit_is_accepted(osm):
    content = bytes(range(256)) * (limit_bytes(osm) // 256)
    accessory_id = ok(upload(osm, "big.pdf", content))["accessory_id"]
    assert osm.get(f"/accessorys/{accessory_id}").content == content


@pytest.mark.usefixtures("unchanged")
def test_an_empty_accessory_is_refused(osm):
    body = {"accessory_name": "a.txt", "accessory_from": "incident", "accessory_data": ""}
    refused(osm.post("/accessorys/json-format-content", body), BAD_REQUEST, 400)
    reply = osm.client.post(B + "/accessorys", headers=osm.headers, files={"file": ("e.txt", b"")})
    assert "empty" in refused(reply, INVALID)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("how", ["json", "form"])
@pytest.mark.parametrize("name", ["setup.exe", "notes", "archive.", "notes.txt.exe", "x.tar.gz"])
def test_an_accessory_of_a_refused_type_is_invalid(osm, how, name):
    reply = upload(osm, name, b"MZ") if how == "json" else osm.client.post(
        B + "/accessorys", headers=osm.headers, files={"file": (name, b"MZ")})
    assert "not allowed" in refused(reply, INVALID)


def test_the_daily_upload_volume_of_a_user_is_limited(osm):
    osm.client.mock.world().backend("osm").catalog.accessory_limits["daily_size_mb"] = 1
    ok(upload(osm, "a.log", b"a" * (700 * 1024)))
    before = store(osm.client)

    assert "1 MB" in refused(upload(osm, "b.log", b"b" * (400 * 1024)), UPLOAD_LIMIT)

    assert store(osm.client) == before
    ok(upload(osm, "c.log", b"c" * (324 * 1024)))
    osm.client.mock.world().clock.advance(14 * 3600)  # 00:00 UTC the next day
    ok(upload(osm, "d.log", b"d" * (700 * 1024)))


@pytest.mark.parametrize("target", ["create", "message"])
@pytest.mark.parametrize("kind", ["six", "unknown", "of-another-case", "twice"])
def test_accessory_ids_that_cannot_be_attached_are_invalid(osm, case_id, kept, target, kind):
    ids = {"six": lambda: [osm.upload(b"%d" % n) for n in range(6)], "unknown": lambda: ["0" * 32],
           "of-another-case": lambda: [kept], "twice": lambda: [osm.upload()] * 2}[kind]()
    before = store(osm.client)

    if target == "create":
        reply = osm.post("/cases", {**CONSULT, "accessory_ids": ids})
    else:
        reply = osm.say(case_id, "See the files.", ids)

    refused(reply, INVALID)
    assert store(osm.client) == before


# -- cases ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("method", "path", "body"), CASE_PATHS,
                         ids=[f"{m} {p[8:]}" for m, p, _ in CASE_PATHS])
def test_an_unknown_case_is_not_found_on_every_path(osm, method, path, body):
    assert UNKNOWN_CASE in refused(osm.call(method, path.format(id=UNKNOWN_CASE), body), NO_CASE)


@pytest.mark.usefixtures("unchanged")
def test_the_engineer_cannot_act_on_an_unknown_case_or_badly(osm, case_id):
    assert engineer(osm.client, UNKNOWN_CASE, "accept").status_code == 404
    assert engineer(osm.client, case_id, "reply", "   ").status_code == 400
    assert engineer(osm.client, case_id, "dance").status_code == 400


BODIES = {"create": "/cases", "upload": "/accessorys/json-format-content",
          "message": "/cases/{id}/message", "score": "/cases/{id}/score",
          "extends-param": "/cases/{id}/extends-param", "privileges": "/privileges",
          "action": "/cases/{id}/action?action_id=press",
          "contact-info": "/cases/{id}/contact-info"}


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("endpoint", BODIES)
@pytest.mark.parametrize("content", [b'{"message": ', b"{'a': 1}", b"[]", b'"text"', b"42",
                                     b'{"a": 1}{"b": 2}', '{"a": "caf\xe9"}'.encode("latin-1")],
                         ids=["truncated", "single-quotes", "array", "string", "number",
                              "two-objects", "latin-1"])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(osm, case_id, endpoint, content):
    method = "PUT" if endpoint == "contact-info" else "POST"
    refused(post_raw(osm, BODIES[endpoint].format(id=case_id), content, method), BAD_REQUEST, 400)


UPLOAD = {"accessory_name": "a.txt", "accessory_from": "incident", "accessory_data": "aGk="}


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("path", "body", "named"), [
    ("/cases", {k: v for k, v in CONSULT.items() if k != "source_id"}, "source_id"),
    ("/cases", {**CONSULT, "business_type_id": 5}, "business_type_id"),
    ("/cases", {**CONSULT, "simple_description": "x" * 2001}, "simple_description"),
    ("/cases", {**CONSULT, "accessory_ids": "abc"}, "accessory_ids"),
    ("/cases", {**CONSULT, "source_id": "another-source"}, "source_id"),
    ("/accessorys/json-format-content", {**UPLOAD, "accessory_from": "case"}, "accessory_from"),
    ("/accessorys/json-format-content", {**UPLOAD, "upload_type": True}, "upload_type"),
    ("/cases/{id}/message", {"message": "hello"}, "message"),
    ("/cases/{id}/message", {"message": {"content": ""}}, "content"),
    ("/cases/{id}/score", {"incident_satisfaction_list": []}, "valid"),
    ("/cases/{id}/score", {**SCORE, "incident_satisfaction_list": [{"satisfaction_id": 1}]},
     "satisfaction_value"),
    ("/cases/{id}/action?action_id=reopen", {}, "reopen"),
    ("/cases/{id}/action", {}, "action_id"),
    ("/cases/{id}/action?action_id=close", {"judgement": 5}, "judgement"),
    ("/privileges", {"operation": "grant", "privilege": "export"}, "operation"),
])
def test_a_wrong_type_a_missing_field_or_a_value_out_of_range_is_a_bad_request(
        osm, case_id, path, body, named):
    assert named in refused(osm.post(path.format(id=case_id), body), BAD_REQUEST, 400)


@pytest.mark.parametrize(("how", "items"), [
    ("score", []), *[(how, items) for how in ("score", "close") for items in [
        [{"satisfaction_id": 9, "satisfaction_value": 5}],
        [{"satisfaction_id": 1, "satisfaction_value": 6}],
        [{"satisfaction_id": 1, "satisfaction_value": 0}],
        [{"satisfaction_id": 1, "satisfaction_value": 5}] * 2]]],
    ids=["score-none", *[f"{how}-{kind}" for how in ("score", "close")
                         for kind in ("unknown-dimension", "over", "zero", "twice")]])
def test_a_rating_the_dimensions_do_not_allow_is_invalid(osm, how, items):
    ratable = case_in(osm, 3 if how == "score" else 1)
    body = {"judgement": "meh", "incident_satisfaction_list": items}
    before = store(osm.client)

    if how == "score":
        reply = osm.post(f"/cases/{ratable}/score", body)
    else:
        reply = osm.act(ratable, "close", body)

    refused(reply, INVALID)
    assert store(osm.client) == before


# -- odd unicode ----------------------------------------------------------------------------------

ODD = {"emoji": "case \U0001f3ab \U0001f468\u200d\U0001f469\u200d\U0001f467 family",
       "rtl": "rtl \u202eabc\u202c \u200f\u05e9\u05dc\u05d5\u05dd", "nul": "nul \u0000 char",
       "bom-and-controls": "\ufeffbom \u0007 bell \u001b[31m",
       "lone-surrogate": "lone \ud800 surrogate"}


@pytest.mark.parametrize("where", ["description", "message"])
@pytest.mark.parametrize("text", ODD.values(), ids=ODD.keys())
def test_odd_unicode_is_echoed_intact_or_refused_cleanly(osm, case_id, where, text):
    body, path = ({**CONSULT, "simple_description": "TEXT"}, "/cases") if where == "description" \
        else ({"message": {"content": "TEXT"}}, f"/cases/{case_id}/message")
    # json.dumps escapes every non-ASCII character, a lone surrogate as \ud800
    content = json.dumps(body).replace('"TEXT"', json.dumps(text)).encode("ascii")
    before = store(osm.client)

    reply = post_raw(osm, path, content)

    assert reply.status_code < 500, reply.text
    if reply.json().get("error_code"):
        refused(reply, reply.json()["error_code"], reply.status_code)
        assert store(osm.client) == before
        return
    shown = reply.json().get("incident_id", case_id)
    assert osm.messages(shown, limit=100)[-1]["content"] == text
    if where == "description":
        assert osm.detail(shown)["simple_description"] == text
        if "\ud800" not in text:  # a URL cannot carry a lone surrogate
            assert osm.ids(search_key=text) == [shown]


@pytest.mark.usefixtures("unchanged")
def test_an_accessory_named_with_a_lone_surrogate_is_refused(osm):
    # Its name could never go out again (a download names the file), so it is not stored.
    body = json.dumps({**UPLOAD, "accessory_name": "lone \ud800.txt"}).encode("ascii")

    refused(post_raw(osm, "/accessorys/json-format-content", body), INVALID)


def test_the_same_accessory_named_twice_downloads_once(osm, kept):
    reply = osm.get(f"/accessorys/{kept},{kept}")

    assert reply.status_code == 200, reply.text
    assert reply.content == b"kept"


def test_a_zip_of_accessories_keeps_its_entries_in_one_folder(osm, kept):
    sneaky = osm.upload(b"out", "../../evil.txt")

    reply = osm.get(f"/accessorys/{kept},{sneaky}")

    with zipfile.ZipFile(io.BytesIO(reply.content)) as bundle:
        assert bundle.namelist() == [f"{kept}_kept.txt", f"{sneaky}_.._.._evil.txt"]
        assert bundle.read(f"{sneaky}_.._.._evil.txt") == b"out"


# -- multipart forms ----------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("files", "content_type", "content"), [
    (None, "multipart/form-data; boundary=xyz", b"garbage"),
    (None, "multipart/form-data", b"garbage"),
    (None, "application/json", b'{"file": "notes.txt"}'),
    ({"document": ("notes.txt", b"hello")}, None, None),
    ([("file", ("a.txt", b"1")), ("file", ("b.txt", b"2"))], None, None),
    ({"file": ("a.txt", b"1"), "form_data": (None, "not json", "application/json")}, None, None),
    ({"file": ("a.txt", b"1"), "form_data": (None, "[1, 2]", "application/json")}, None, None),
    ({"file": ("a.txt", b"1"), "form_data": (None, '{"uploadType": 7}')}, None, None),
    ({"file": ("", b"1")}, None, None),
], ids=["bad-boundary", "no-boundary", "not-multipart", "no-file-part", "two-files",
        "form-data-not-json", "form-data-array", "form-data-bad-type", "file-without-name"])
def test_a_broken_upload_form_is_a_bad_request(osm, files, content_type, content):
    headers = {**osm.headers, **({"Content-Type": content_type} if content_type else {})}
    reply = osm.client.post(B + "/accessorys", headers=headers, files=files, content=content)
    refused(reply, BAD_REQUEST, 400)


# -- the gateway, credentials, time zones ---------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("streamed", [False, True])
def test_a_body_over_16_mb_is_the_gateways_413(osm, streamed):
    body = b"x" * (16 * MB + 1)

    async def chunks():
        for start in range(0, len(body), MB):
            yield body[start:start + MB]

    reply = post_raw(osm, "/accessorys/json-format-content", chunks() if streamed else body)

    gateway_refused(reply, 413, "APIGW.0201")


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("path", ["/nothing", "/cases/{id}/nothing", "/config", "/config/nothing",
                                  "/accessorys/a/b/c", "/cases//status", ""])
def test_an_unknown_path_is_the_gateways_404(osm, case_id, path):
    gateway_refused(osm.get(path.format(id=case_id)), 404, "APIGW.0101")


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/cases", "GET, POST"), ("DELETE", "/cases/{id}", "GET"),
    ("PATCH", "/accessorys/{id}", "DELETE, GET"), ("GET", "/accessorys", "POST"),
    ("GET", "/cases/{id}/action", "POST"), ("POST", "/cases/count", "GET"),
    ("DELETE", "/privileges", "GET, POST"), ("GET", "/cases/{id}/contact-info", "PUT"),
])
def test_a_wrong_method_is_the_gateways_405_with_allow(osm, case_id, method, path, allowed):
    reply = osm.call(method, path.format(id=case_id))
    gateway_refused(reply, 405, "APIGW.0101")
    assert reply.headers["allow"] == allowed


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("credentials", [
    {}, {"X-Auth-Token": "not-a-token"}, {"X-Auth-Token": ""}, {"Authorization": "Bearer abc"},
    {"Authorization": "SDK-HMAC-SHA256 Access=MOCKACCESSKEY0000000, SignedHeaders=host, "
                      "Signature=00"}], ids=["none", "unknown", "empty", "bearer", "unsigned"])
@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/cases", None), ("POST", "/cases", CONSULT), ("GET", "/cases/{id}", None),
    ("POST", "/cases/{id}/action?action_id=cancel", {}), ("GET", "/accessorys/limits", None),
    ("POST", "/accessorys/json-format-content", UPLOAD), ("GET", "/config/categories", None)])
def test_missing_or_bad_credentials_are_a_401(osm, case_id, credentials, method, path, body):
    reply = osm.client.request(method, B + path.format(id=case_id), headers=credentials,
                               json=body)
    refused(reply, AUTH, 401)


@pytest.mark.usefixtures("unchanged")
def test_foreign_badly_signed_stale_or_expired_credentials_are_a_401(osm):
    clock = osm.client.mock.world().clock
    assert "X-Domain-Id" in refused(osm.get("/cases", {"X-Domain-Id": "f" * 32}), AUTH, 401)
    assert "signature" in refused(signed_request(osm.client, "GET", B + "/cases", sk="x" * 40),
                                  AUTH, 401)
    assert "X-Sdk-Date" in refused(signed_request(osm.client, "GET", B + "/cases",
                                                  now=clock.now() - 901), AUTH, 401)
    clock.advance(86_400)
    assert "expired" in refused(osm.get("/cases"), AUTH, 401)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("zone", ["Mars/Olympus", "GMT+15", "GMT+8:60", "gmt+8", "+08:00",
                                  "GMT 8", "Asia/Shanghai"])
@pytest.mark.parametrize("name", ["query_start_time", "query_end_time"])
def test_an_x_time_zone_that_is_no_zone_is_a_bad_request(osm, zone, name):
    reply = osm.get("/cases", {"X-Time-Zone": zone}, **{name: "2026-01-15 18:00:00"})
    assert zone in refused(reply, BAD_REQUEST, 400)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("value", "code"), [
    ("2026-02-30", INVALID), ("2026-01-15T10:00:00", BAD_REQUEST), ("yesterday", BAD_REQUEST),
    ("2026-01-15 24:00:00", BAD_REQUEST),
    ("2026-13-01", BAD_REQUEST), ("1" * 16, BAD_REQUEST)])
def test_a_time_filter_that_is_no_time_is_refused(osm, value, code):
    refused(osm.get("/cases", query_start_time=value), code, 200 if code == INVALID else 400)
