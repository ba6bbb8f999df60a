"""mockserver.huawei.signing held against the official SDK's signer, and what Identity makes of
signed and token requests at the COC API."""

import json
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from mockserver.huawei.signing import (
    MalformedSignature,
    canonical_query,
    canonical_uri,
    format_sdk_date,
    parse_authorization,
    sign_headers,
    signature,
)
from mockserver.runtime import Mock
from tests.conftest import T0, Client
from tests.huawei_helpers import (
    AK,
    CHANGE_BODY,
    DOMAIN_ID,
    PROJECT_ID,
    SK,
    USER_ID,
    get_token,
    make_huawei_mock,
    signed_request,
)

HOST = "coc.cn-north-4.myhuaweicloud.com"
SDK_DATE = format_sdk_date(T0)  # 20260115T100000Z

OTHER_DOMAIN_ID = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
OTHER_DOMAIN_NAME = "otherdomain"
OTHER_USER_ID = "aa00bb11cc22dd33ee44ff5566778899"
OTHER_USER_NAME = "otheruser"
OTHER_PASSWORD = "OtherPassw0rd!"
OTHER_PROJECT_ID = "00112233445566778899aabbccddeeff"
OTHER_AK = "OTHERACCESSKEY000000"
OTHER_SK = "othersecretkey00000000000000000000000000"

CREATE_CHANGE = "/v1/change/tickets"
LIST_CHANGES = "/v1/change/list-tickets"


# -- the signature against the SDK's signer ---------------------------------------------------


def sdk_signed(method: str, resource_path: str, query: list, headers: dict, body) -> SdkRequest:
    """The request as the SDK's Signer leaves it: Authorization added, `uri` as sent."""
    request = SdkRequest(
        method=method,
        schema="https",
        host=HOST,
        resource_path=resource_path,
        query_params=query,
        header_params={"X-Sdk-Date": SDK_DATE, **headers},
        body=body,
    )
    return Signer(BasicCredentials(AK, SK, PROJECT_ID)).sign(request)


MULTIPART_BODY = (
    b"--b0undary\r\n"
    b'Content-Disposition: form-data; name="file"; filename="notes.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
    b"hello\r\n"
    b"--b0undary--\r\n"
)

# (method, resource path as the SDK holds it, SDK query params, the same as pairs, headers, body)
CASES = {
    "json-post": (
        "POST",
        "/v1/change/tickets",
        [],
        [],
        {"Content-Type": "application/json;charset=UTF-8", "X-Domain-Id": DOMAIN_ID},
        json.dumps({"title": "Upgrade the gateway", "note": "网关"}, ensure_ascii=False).encode(),
    ),
    "get-with-query": (
        "GET",
        "/v1/change/tickets/CM202601151000000000000001/list-sub-tickets",
        [
            ("type", "child_ticket"),
            ("limit", 10),
            ("tag", ["b", "a c"]),
            ("q", "a b+c/é&=~*'"),
            ("sort key", ""),
        ],
        [
            ("type", "child_ticket"),
            ("limit", "10"),
            ("tag", "b"),
            ("tag", "a c"),
            ("q", "a b+c/é&=~*'"),
            ("sort key", ""),
        ],
        {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        None,
    ),
    "non-ascii-path": (
        "GET",
        "/v1/change/tickets/" + quote("变更 单~1", safe=""),
        [],
        [],
        {"Content-Type": "application/json", "X-Domain-Id": DOMAIN_ID},
        None,
    ),
    "empty-body": (
        "DELETE",
        "/v1/change/tickets/CM202601151000000000000001",
        [],
        [],
        {"Content-Type": "application/json", "X-Domain-Id": DOMAIN_ID},
        b"",
    ),
    "multipart": (
        "POST",
        "/v1/incident/attachments",
        [],
        [],
        {"Content-Type": "multipart/form-data; boundary=b0undary", "X-Domain-Id": DOMAIN_ID},
        MULTIPART_BODY,
    ),
}


def lowercase(headers: dict) -> dict:
    return {name.lower(): value for name, value in headers.items()}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_sign_headers_gives_the_sdk_signers_authorization(case):
    method, path, sdk_query, pairs, headers, body = case
    sdk = sdk_signed(method, path, sdk_query, headers, body)

    # The SDK adds Host, and X-Sdk-Content-Sha256 for a non-JSON body; we send both as given.
    sent = {name: value for name, value in sdk.header_params.items() if name != "Authorization"}
    ours = sign_headers(AK, SK, method, path, pairs, sent, body or b"", T0)

    assert ours == {"X-Sdk-Date": SDK_DATE, "Authorization": sdk.header_params["Authorization"]}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_sdk_signature_checks_out_from_what_goes_on_the_wire(case):
    method, path, sdk_query, _, headers, body = case
    sdk = sdk_signed(method, path, sdk_query, headers, body)
    wire = urlsplit(sdk.uri)
    authorization = parse_authorization(sdk.header_params["Authorization"])

    expected = signature(
        SK,
        method,
        wire.path,
        parse_qsl(wire.query, keep_blank_values=True),
        lowercase(sdk.header_params),
        authorization.signed_headers,
        body or b"",
    )

    assert authorization.access == AK
    assert expected == authorization.signature


def test_canonical_query_matches_the_sdk_with_repeated_keys_and_escapes():
    method, path, sdk_query, pairs, headers, body = CASES["get-with-query"]
    sdk = sdk_signed(method, path, sdk_query, headers, body)

    assert canonical_query(pairs) == Signer.process_canonical_query_string(sdk)
    assert canonical_query(pairs) == (
        "limit=10&q=a%20b%2Bc%2F%C3%A9%26%3D~%2A%27&sort%20key=&tag=a%20c&tag=b&type=child_ticket"
    )


def test_canonical_uri_reads_a_raw_or_an_encoded_path_alike():
    encoded = "/v1/change/tickets/" + quote("变更 单~1", safe="")

    assert canonical_uri("/v1/change/tickets/变更 单~1") == canonical_uri(encoded)
    assert canonical_uri(encoded) == "/v1/change/tickets/%E5%8F%98%E6%9B%B4%20%E5%8D%95~1/"
    assert canonical_uri("/v1/change/tickets/") == "/v1/change/tickets/"


def test_a_multipart_body_is_not_part_of_its_signature():
    method, path, _, _, headers, _ = CASES["multipart"]
    sent = {**headers, "Host": HOST, "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"}

    one = sign_headers(AK, SK, method, path, [], sent, MULTIPART_BODY, T0)
    other = sign_headers(
        AK, SK, method, path, [], sent, MULTIPART_BODY.replace(b"hello", b"bye"), T0
    )

    assert one == other
    assert "x-sdk-content-sha256" in parse_authorization(one["Authorization"]).signed_headers


def test_headers_with_an_underscore_are_not_signed_as_by_the_sdk():
    headers = {"Content-Type": "application/json", "X_Trace_Id": "abc"}
    sdk = sdk_signed("GET", "/v1/change/tickets/CM1", [], headers, None)
    sent = {name: value for name, value in sdk.header_params.items() if name != "Authorization"}

    ours = sign_headers(AK, SK, "GET", "/v1/change/tickets/CM1", [], sent, b"", T0)

    assert ours["Authorization"] == sdk.header_params["Authorization"]
    assert "x_trace_id" not in parse_authorization(ours["Authorization"]).signed_headers


# -- parse_authorization ----------------------------------------------------------------------


def test_parse_authorization_reads_the_sdks_header():
    sdk = sdk_signed(
        "GET", "/v1/change/tickets/CM1", [], {"Content-Type": "application/json"}, None
    )

    parsed = parse_authorization(sdk.header_params["Authorization"])

    assert parsed.access == AK
    assert parsed.signed_headers == ("content-type", "host", "x-sdk-date")
    assert len(parsed.signature) == 64


@pytest.mark.parametrize(
    "value",
    [
        "",
        "SDK-HMAC-SHA256",
        "SDK-HMAC-SM3 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc",
        "Bearer abc",
        "sdk-hmac-sha256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc",
        "SDK-HMAC-SHA256 Access=AK SignedHeaders=host;x-sdk-date Signature=abc",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date",
        "SDK-HMAC-SHA256 SignedHeaders=host;x-sdk-date, Signature=abc",
        "SDK-HMAC-SHA256 Access=, SignedHeaders=host;x-sdk-date, Signature=abc",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=, Signature=abc",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=",
        "SDK-HMAC-SHA256 Access=AK, host;x-sdk-date, Signature=abc",
    ],
)
def test_parse_authorization_rejects_malformed_headers(value):
    with pytest.raises(MalformedSignature):
        parse_authorization(value)


# -- Identity's verdicts through the COC API --------------------------------------------------


@pytest.fixture
def mock() -> Mock:
    """The Huawei families at T0, with a second domain that has its own user, project and key.

    It replaces conftest's ZStack `mock`, so conftest's `client` talks to it."""
    huawei = make_huawei_mock()
    identity = huawei.world().backend("iam")
    identity.add_domain(OTHER_DOMAIN_ID, OTHER_DOMAIN_NAME)
    identity.add_user(OTHER_USER_ID, OTHER_USER_NAME, OTHER_DOMAIN_ID, OTHER_PASSWORD)
    identity.add_project(OTHER_PROJECT_ID, "cn-south-1", OTHER_DOMAIN_ID)
    identity.add_access_key(OTHER_AK, OTHER_SK, OTHER_USER_ID)
    return huawei


def other_domain_token(client: Client) -> str:
    reply = client.post(
        "/v3/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "domain": {"name": OTHER_DOMAIN_NAME},
                            "name": OTHER_USER_NAME,
                            "password": OTHER_PASSWORD,
                        }
                    },
                },
                "scope": {"domain": {"name": OTHER_DOMAIN_NAME}},
            }
        },
    )
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


def assert_refused(reply) -> None:
    assert reply.status_code == 401, reply.text
    body = reply.json()
    assert body == {
        "provider_code": "049",
        "error_code": "common.01010001",
        "error_msg": body["error_msg"],
        "data": None,
    }
    assert isinstance(body["error_msg"], str) and body["error_msg"]


def change_tickets(client: Client, token: str) -> list[dict]:
    reply = client.post(
        LIST_CHANGES, json={"per_page": 100, "contain_total": True}, headers={"X-Auth-Token": token}
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]["tickets"]


def create_change(client: Client, **options):
    return signed_request(client, "POST", CREATE_CHANGE, json=CHANGE_BODY, **options)


def signed_create_headers(body: bytes) -> dict:
    headers = {
        "Host": "localhost:8080",
        "X-Domain-Id": DOMAIN_ID,
        "Content-Type": "application/json;charset=utf-8",
    }
    headers.update(sign_headers(AK, SK, "POST", CREATE_CHANGE, [], headers, body, T0))
    return headers


def body_tampered_after_signing(client: Client):
    signed = json.dumps(CHANGE_BODY).encode()
    sent = json.dumps({**CHANGE_BODY, "title": "Something else"}).encode()
    return client.post(CREATE_CHANGE, content=sent, headers=signed_create_headers(signed))


def unreadable_sdk_date(client: Client):
    body = json.dumps(CHANGE_BODY).encode()
    headers = {**signed_create_headers(body), "X-Sdk-Date": "2026-01-15T10:00:00Z"}
    return client.post(CREATE_CHANGE, content=body, headers=headers)


def date_not_signed(client: Client):
    body = json.dumps(CHANGE_BODY).encode()
    headers = {
        "host": "localhost:8080",
        "x-domain-id": DOMAIN_ID,
        "content-type": "application/json;charset=utf-8",
        "x-sdk-date": SDK_DATE,
    }
    names = ["content-type", "host", "x-domain-id"]
    hex_signature = signature(SK, "POST", CREATE_CHANGE, [], headers, names, body)
    headers["authorization"] = (
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={';'.join(names)}, Signature={hex_signature}"
    )
    return client.post(CREATE_CHANGE, content=body, headers=headers)


def with_token(client: Client, token: str, **headers):
    return client.post(CREATE_CHANGE, json=CHANGE_BODY, headers={"X-Auth-Token": token, **headers})


REFUSED = {
    "no credentials": lambda c: c.post(CREATE_CHANGE, json=CHANGE_BODY),
    "unknown access key": lambda c: create_change(c, ak="UNKNOWNACCESSKEY0000"),
    "wrong secret key": lambda c: create_change(c, sk=SK[:-1] + "1"),
    "another domain's secret key": lambda c: create_change(c, sk=OTHER_SK),
    "date 901 s behind": lambda c: create_change(c, now=T0 - 901),
    "date 901 s ahead": lambda c: create_change(c, now=T0 + 901),
    "date a day behind": lambda c: create_change(c, now=T0 - 86_400),
    "x-sdk-date not signed": date_not_signed,
    "body tampered after signing": body_tampered_after_signing,
    "malformed authorization": lambda c: c.post(
        CREATE_CHANGE,
        json=CHANGE_BODY,
        headers={"Authorization": f"SDK-HMAC-SHA256 Access={AK}", "X-Sdk-Date": SDK_DATE},
    ),
    "unreadable x-sdk-date": unreadable_sdk_date,
    "signature with another domain's x-domain-id": lambda c: create_change(
        c, headers={"X-Domain-Id": OTHER_DOMAIN_ID}
    ),
    "signature with another domain's x-project-id": lambda c: create_change(
        c, headers={"X-Project-Id": OTHER_PROJECT_ID}
    ),
    "signature with an unknown x-project-id": lambda c: create_change(
        c, headers={"X-Project-Id": "ffffffffffffffffffffffffffffffff"}
    ),
    "unknown token": lambda c: with_token(c, "MII" + "0" * 64),
    "unknown token with a valid signature": lambda c: create_change(
        c, headers={"X-Auth-Token": "MII" + "0" * 64}
    ),
    "valid token with a wrong signature": lambda c: create_change(
        c, sk=SK.replace("mock", "fake"), headers={"X-Auth-Token": get_token(c)}
    ),
    "another domain's token with a valid signature": lambda c: create_change(
        c, headers={"X-Auth-Token": other_domain_token(c)}
    ),
    "token with another domain's x-domain-id": lambda c: with_token(
        c, get_token(c), **{"X-Domain-Id": OTHER_DOMAIN_ID}
    ),
    "token with another domain's x-project-id": lambda c: with_token(
        c, get_token(c), **{"X-Project-Id": OTHER_PROJECT_ID}
    ),
    "project token with another project's x-project-id": lambda c: with_token(
        c,
        get_token(c, scope={"project": {"id": PROJECT_ID}}),
        **{"X-Project-Id": OTHER_PROJECT_ID},
    ),
}


@pytest.mark.parametrize("send", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_request_gets_the_coc_401_envelope_and_creates_nothing(client, send):
    assert_refused(send(client))

    assert change_tickets(client, get_token(client)) == []


def test_the_same_requests_unspoiled_are_accepted(client):
    """The requests REFUSED spoils, unspoiled, go through."""
    accepted = [
        create_change(client),
        create_change(client, headers={"X-Project-Id": PROJECT_ID}),
        create_change(client, now=T0 - 899),
        create_change(client, now=T0 + 899),
        with_token(client, get_token(client)),
        with_token(client, get_token(client), **{"X-Domain-Id": DOMAIN_ID}),
        create_change(client, headers={"X-Auth-Token": get_token(client)}),
        with_token(
            client,
            get_token(client, scope={"project": {"id": PROJECT_ID}}),
            **{"X-Project-Id": PROJECT_ID},
        ),
    ]

    assert [reply.status_code for reply in accepted] == [200] * len(accepted)
    assert [reply.json()["error_code"] for reply in accepted] == ["GOM.00000000"] * len(accepted)
    assert len(change_tickets(client, get_token(client))) == len(accepted)


def test_the_mock_accepts_what_the_sdk_signed(client):
    body = json.dumps(CHANGE_BODY).encode()
    headers = {"Content-Type": "application/json;charset=UTF-8", "X-Domain-Id": DOMAIN_ID}
    sdk = sdk_signed("POST", CREATE_CHANGE, [], headers, body)

    created = client.post(sdk.uri, content=body, headers=sdk.header_params)

    assert created.status_code == 200, created.text
    ticket_id = created.json()["data"]["ticket_id"]
    listed = sdk_signed(
        "GET",
        f"/v1/change/tickets/{ticket_id}/list-sub-tickets",
        [("type", "child_ticket"), ("limit", 1)],
        {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        None,
    )
    subs = client.get(listed.uri, headers=listed.header_params)
    assert subs.status_code == 200, subs.text
    assert [s["ticket_id"] for s in subs.json()["data"]["sub_tickets"]] == [f"{ticket_id}-02"]


# connexion 3.3 parses an upload into SpooledTemporaryFiles it never closes (see the report).
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
    ":pytest.PytestUnraisableExceptionWarning"
)
def test_the_mock_accepts_an_sdk_signed_multipart_upload(client):
    method, path, _, _, headers, body = CASES["multipart"]
    sdk = sdk_signed(method, path, [], headers, body)

    reply = client.post(sdk.uri, content=body, headers=sdk.header_params)

    assert reply.status_code == 200, reply.text
    assert reply.json()["data"]["doc_name"] == "notes.txt"


def test_the_mock_checks_a_signature_over_a_non_ascii_path(client):
    method, path, _, _, headers, body = CASES["non-ascii-path"]
    sdk = sdk_signed(method, path, [], headers, body)

    reply = client.get(sdk.uri, headers=sdk.header_params)

    assert reply.status_code == 404, reply.text
    assert reply.json()["error_code"] == "GOM.00001004"


def test_a_token_expires_after_its_lifetime(client):
    token = get_token(client)
    clock = client.mock.world().clock

    clock.advance(86_399)
    assert with_token(client, token).status_code == 200

    clock.advance(1)
    assert_refused(with_token(client, token))
    assert len(change_tickets(client, get_token(client))) == 1


def test_another_domain_does_not_see_the_first_domains_tickets(client):
    created = create_change(client)
    assert created.status_code == 200, created.text
    ticket_id = created.json()["data"]["ticket_id"]
    theirs = other_domain_token(client)

    shown = client.get(f"/v1/change/tickets/{ticket_id}", headers={"X-Auth-Token": theirs})
    listed = change_tickets(client, theirs)
    shown_signed = signed_request(
        client,
        "GET",
        f"/v1/change/tickets/{ticket_id}",
        ak=OTHER_AK,
        sk=OTHER_SK,
        headers={"X-Domain-Id": OTHER_DOMAIN_ID},
    )

    assert shown.status_code == 404
    assert shown.json()["error_code"] == "GOM.00001004"
    assert shown.json()["data"] is None
    assert listed == []
    assert shown_signed.status_code == 404
    assert shown_signed.json()["error_code"] == "GOM.00001004"
    # The first domain still sees its ticket.
    mine = client.get(
        f"/v1/change/tickets/{ticket_id}", headers={"X-Auth-Token": get_token(client)}
    )
    assert mine.status_code == 200
    assert mine.json()["data"]["creator"] == USER_ID


def test_another_domains_tickets_are_its_own(client):
    theirs = other_domain_token(client)

    created = with_token(client, theirs)

    assert created.status_code == 200, created.text
    assert [t["ticket_id"] for t in change_tickets(client, theirs)] == [
        created.json()["data"]["ticket_id"]
    ]
    assert change_tickets(client, get_token(client)) == []
