"""Fault injection over HTTP (mockserver/faults.py): forced statuses in each vendor's envelope,
the rules' filters, seeded rates, latency, dropped connections (in-process and over a socket),
the X-Mock-Fault header, worlds that do not share faults, and rules that are refused."""

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from starlette.testclient import TestClient

from mockserver.app import build_mock, create_app
from mockserver.config import Config, ConfigError
from mockserver.faults import (
    NOISY_LOGGERS,
    ConnectionDropped,
    FaultError,
    FaultRules,
    parse_header,
    parse_rules,
)
from tests.huawei_helpers import password_body, signed_request

ADMIN_AUTH = {"Authorization": "OAuth b86c9016b4f24953a9edefb53ca0678c"}
PENDING_TICKET = "e9377476db3f375bbff78dc3b9204f00"
OSM_CASES = "/v2/servicerequest/cases"
COC_TICKET = "/v1/issues_mgmt/tickets/IM202601150000000001"


@pytest.fixture(scope="module")
def served() -> Iterator[TestClient]:
    mock = build_mock(Config())
    with TestClient(create_app(mock), base_url="http://localhost:8080") as client:
        client.mock = mock  # for tests.huawei_helpers.signed_request
        yield client


@pytest.fixture
def client(served) -> TestClient:
    """The module's client, with no fault rules in any world."""
    for world in served.mock.worlds.values():
        world.faults.load({"seed": 7, "rules": []})
    return served


def faults(client, *rules, seed=7, world="default") -> None:
    client.mock.world(world).faults.load({"seed": seed, "rules": list(rules)})


def token(client) -> str:
    reply = client.post("/v3/auth/tokens", json=password_body())
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


def zstack_login(client, account: str = "admin") -> dict[str, str]:
    import hashlib

    password = hashlib.sha512(b"password").hexdigest()
    if account == "admin":
        path, body = (
            "/zstack/v1/accounts/login",
            {"logInByAccount": {"accountName": "admin", "password": password}},
        )
    else:
        path, body = (
            "/zstack/v1/iam2/virtual-ids/login",
            {"loginIAM2VirtualID": {"name": account, "password": password}},
        )
    reply = client.put(path, json=body)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"OAuth {reply.json()['inventory']['uuid']}"}


# -- forced statuses in each family's envelope --------------------------------------------------


def test_zstack_forced_503_is_zstacks_error_body(client):
    faults(client, {"api": "zstack", "status": 503})
    reply = client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
    assert reply.status_code == 503
    error = reply.json()["error"]
    assert error["code"] == "SYS.1000"
    assert "fault injected by the mock" in error["details"]
    assert "rules[0]" in error["details"]
    assert reply.headers["X-Mock-Fault-Source"] == "rules[0]"


def test_zstack_forced_status_is_sent_as_forced_even_for_asynchronous_calls(client):
    faults(client, {"api": "zstack", "status": 500})
    reply = client.put(
        f"/zstack/v1/tickets/{PENDING_TICKET}/actions",
        headers=ADMIN_AUTH,
        json={"changeTicketStatus": {"statusEvent": "approve"}},
    )
    # No job is started: the forced status comes at once.
    assert reply.status_code == 500
    assert reply.json()["error"]["code"] == "SYS.1000"
    faults(client, {"api": "zstack", "status": 429, "retry_after_s": 2})
    reply = client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "2"
    assert "fault injected by the mock" in reply.text


def test_coc_forced_status_is_the_gom_envelope(client):
    faults(client, {"api": "coc", "status": 503})
    reply = client.get(COC_TICKET, headers={"X-Auth-Token": token(client)})
    assert reply.status_code == 503
    body = reply.json()
    assert set(body) == {"provider_code", "error_code", "error_msg", "data"}
    assert body["provider_code"] == "049"
    assert body["error_code"] != "GOM.00000000"
    assert "fault injected by the mock" in body["error_msg"]


def test_osm_forced_status_is_error_code_and_msg(client):
    faults(client, {"api": "osm", "status": 502})
    reply = client.get(OSM_CASES, headers={"X-Auth-Token": token(client)})
    assert reply.status_code == 502
    body = reply.json()
    assert set(body) >= {"error_code", "error_msg"}
    assert body["error_code"].startswith("OSM.")
    assert "fault injected by the mock" in body["error_msg"]


def test_huawei_429_is_the_gateways_throttling_answer_with_retry_after(client):
    faults(client, {"api": "osm", "status": 429, "retry_after_s": 5})
    reply = client.get(OSM_CASES, headers={"X-Auth-Token": token(client)})
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "5"
    body = reply.json()
    assert body["error_code"] == "APIG.0308"
    assert body["error_msg"].startswith("The throttling threshold has been reached")
    assert body["request_id"] == reply.headers["X-Request-Id"]
    assert reply.headers["X-Mock-Fault-Source"] == "rules[0]"


def test_iam_forced_401_and_405(client):
    faults(client, {"api": "iam", "operation": "keystoneListProjects", "status": 401})
    reply = client.get("/v3/projects", headers={"X-Auth-Token": token(client)})
    assert reply.status_code == 401
    faults(client, {"api": "iam", "operation": "keystoneListProjects", "status": 405})
    reply = client.get("/v3/projects", headers={"X-Auth-Token": token(client)})
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET"


# -- filters ------------------------------------------------------------------------------------


def test_api_filter_faults_only_that_family(client):
    faults(client, {"api": "osm", "status": 503})
    assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200
    assert client.post("/v3/auth/tokens", json=password_body()).status_code == 201
    assert client.get(OSM_CASES, headers={"X-Auth-Token": token(client)}).status_code == 503


def test_operation_filter_by_operation_id(client):
    faults(client, {"operation": "queryTicket", "status": 503})
    assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 503
    assert client.get(f"/zstack/v1/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH).status_code == 200
    assert client.get("/zstack/v1/tickets/histories", headers=ADMIN_AUTH).status_code == 200


def test_operation_filter_by_method_and_path_template(client):
    faults(client, {"operation": "GET /zstack/v1/tickets/{uuid}", "status": 503})
    assert client.get(f"/zstack/v1/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH).status_code == 503
    # A literal sibling of the template is another operation; so is another method.
    assert client.get("/zstack/v1/tickets/histories", headers=ADMIN_AUTH).status_code == 200
    assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200
    reply = client.delete(f"/zstack/v1/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH)
    assert reply.status_code != 503


def test_operation_template_of_a_huawei_path(client):
    faults(client, {"operation": "get /v2/servicerequest/cases", "status": 503})
    headers = {"X-Auth-Token": token(client)}
    assert client.get(OSM_CASES, headers=headers).status_code == 503
    assert client.get(f"{OSM_CASES}/count", headers=headers).status_code != 503


def test_persona_filter_zstack_session_names(client):
    requester, admin = zstack_login(client, "requester"), zstack_login(client)
    faults(client, {"api": "zstack", "persona": "requester", "status": 503})
    assert client.get("/zstack/v1/tickets", headers=requester).status_code == 503
    assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200
    assert client.get("/zstack/v1/tickets", headers=admin).status_code == 200
    # A login names its virtual ID in the body.
    with pytest.raises(AssertionError, match="fault injected"):
        zstack_login(client, "requester")
    zstack_login(client, "approver1")


def test_persona_filter_huawei_token_signature_and_login_body(client):
    faults(client, {"persona": "mockuser", "status": 429})
    # The password-token call names its user in the body.
    assert client.post("/v3/auth/tokens", json=password_body()).status_code == 429
    faults(client)
    tok = token(client)
    faults(client, {"persona": "mockuser", "status": 429})
    assert client.get(OSM_CASES, headers={"X-Auth-Token": tok}).status_code == 429
    assert signed_request(client, "GET", OSM_CASES).status_code == 429
    faults(client, {"persona": "someone-else", "status": 429})
    assert client.get(OSM_CASES, headers={"X-Auth-Token": tok}).status_code == 200
    assert signed_request(client, "GET", OSM_CASES).status_code == 200
    # No credentials: no persona, so the rule does not match (and the API refuses as usual).
    assert client.get(OSM_CASES).status_code == 401


# -- rates and seeds ----------------------------------------------------------------------------


def _sequence(client, seed: int, rate: float, count: int = 20) -> list[int]:
    faults(
        client,
        {"api": "zstack", "operation": "queryTicket", "rate": rate, "status": 503},
        seed=seed,
    )
    return [client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code for _ in range(count)]


def test_seeded_rate_gives_the_same_faults_for_the_same_requests(client):
    first = _sequence(client, seed=11, rate=0.5)
    assert set(first) == {200, 503}
    assert _sequence(client, seed=11, rate=0.5) == first
    assert _sequence(client, seed=12, rate=0.5) != first


def test_rate_is_roughly_honoured(client):
    statuses = _sequence(client, seed=5, rate=0.25, count=200)
    assert 25 <= statuses.count(503) <= 75
    assert _sequence(client, seed=5, rate=0.0, count=10) == [200] * 10


# -- latency ------------------------------------------------------------------------------------


def _timed(call) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    reply = call()
    return (time.perf_counter() - start) * 1000, reply


def test_latency_delays_the_answer(client):
    faults(client, {"api": "zstack", "latency_ms": 50})
    elapsed, reply = _timed(lambda: client.get("/zstack/v1/tickets", headers=ADMIN_AUTH))
    assert reply.status_code == 200
    assert elapsed >= 40


def test_latencies_of_firing_rules_add_up_and_distributions_work(client):
    faults(
        client,
        {"latency_ms": {"min": 30, "max": 40}},
        {"latency_ms": {"mean": 30, "stddev": 0}},
        {"api": "osm", "latency_ms": 1000},
    )
    elapsed, reply = _timed(lambda: client.get("/zstack/v1/tickets", headers=ADMIN_AUTH))
    assert reply.status_code == 200
    assert elapsed >= 55


# -- drops --------------------------------------------------------------------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(record.getMessage() for record in self.records)


@contextmanager
def logged(*names: str) -> Iterator[Records]:
    """What the named loggers log inside (pytest's log capture is off with -p no:logging)."""
    handler = Records()
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def test_drop_raises_in_process_and_the_next_request_works(client):
    faults(client, {"api": "zstack", "operation": "queryTicket", "drop": True})
    with logged("mockserver.faults") as log, pytest.raises(ConnectionDropped):
        client.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
    assert "dropped the connection of GET /zstack/v1/tickets" in log.text
    assert isinstance(ConnectionDropped("x"), ConnectionResetError)
    assert client.get(f"/zstack/v1/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH).status_code == 200
    faults(client)
    assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200


@contextmanager
def uvicorn_serving(app, http: str) -> Iterator[str]:
    """`app` served by uvicorn on a free port, in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, http=http, log_level="info")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
    assert not thread.is_alive()


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_drop_over_a_socket_closes_the_connection_and_the_server_goes_on(http):
    mock = build_mock(Config())
    mock.world().faults.load({"seed": 1, "rules": [{"operation": "queryTicket", "drop": True}]})
    with (
        uvicorn_serving(create_app(mock), http) as url,
        logged(*NOISY_LOGGERS, "mockserver.faults") as log,
        httpx.Client(base_url=url) as web,
    ):
        for _ in range(2):  # a fresh connection, then one kept alive
            with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
                web.get("/zstack/v1/tickets", headers=ADMIN_AUTH)
            reply = web.get(f"/zstack/v1/tickets/{PENDING_TICKET}", headers=ADMIN_AUTH)
            assert reply.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            web.get("/zstack/v1/tickets", headers={**ADMIN_AUTH, "X-Mock-Fault": "drop"})
        mock.world().faults.load({"seed": 1, "rules": []})
        assert web.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200
    # One line per drop in the log, and no traceback (uvicorn logs one for any exception).
    assert log.text.count("fault: dropped the connection") == 3
    assert not [record for record in log.records if record.exc_info]
    assert "Exception in ASGI application" not in log.text
    journal = mock.world().journal.entries()
    assert [entry["status"] for entry in journal[:4]] == [200, None, 200, None]
    assert journal[1]["dropped"] is True


# -- the X-Mock-Fault header --------------------------------------------------------------------


def test_header_forces_a_status_with_retry_after(client):
    reply = client.get(
        "/zstack/v1/tickets", headers={**ADMIN_AUTH, "X-Mock-Fault": "status=429, retry_after_s=3"}
    )
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "3"
    assert reply.headers["X-Mock-Fault-Source"] == "X-Mock-Fault header"
    # Only that request.
    assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200


def test_header_latency_and_drop(client):
    elapsed, reply = _timed(
        lambda: client.get(
            "/zstack/v1/tickets", headers={**ADMIN_AUTH, "X-Mock-Fault": "latency_ms=50"}
        )
    )
    assert reply.status_code == 200
    assert elapsed >= 40
    with pytest.raises(ConnectionDropped):
        client.get(OSM_CASES, headers={"X-Mock-Fault": "drop"})


def test_header_wins_over_rules_and_adds_to_their_latency(client):
    faults(client, {"api": "osm", "status": 503, "latency_ms": 30})
    tok = token(client)
    elapsed, reply = _timed(
        lambda: client.get(
            OSM_CASES, headers={"X-Auth-Token": tok, "X-Mock-Fault": "status=429, latency_ms=20"}
        )
    )
    assert reply.status_code == 429
    assert elapsed >= 40


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("status=200", "X-Mock-Fault.status: expected an HTTP error status 400-599, got 200"),
        ("status=abc", "X-Mock-Fault: status: expected a number, got 'abc'"),
        ("sleep=5", "X-Mock-Fault: unknown key 'sleep'"),
        ("retry_after_s=3", "X-Mock-Fault.retry_after_s: only goes with a status"),
        ("status=503, drop", "either answers a status or drops"),
    ],
)
def test_malformed_header_is_refused_in_the_vendors_envelope(client, value, message):
    reply = client.get("/zstack/v1/tickets", headers={**ADMIN_AUTH, "X-Mock-Fault": value})
    assert reply.status_code == 400
    assert message in reply.text  # ZStack refuses unreadable requests in plain text
    reply = client.get(OSM_CASES, headers={"X-Mock-Fault": value})
    assert reply.status_code == 400
    assert reply.json()["error_code"] == "OSM.0001"
    assert message in reply.json()["error_msg"]


# -- worlds -------------------------------------------------------------------------------------


def test_faults_of_one_world_do_not_touch_another(client):
    faults(client, {"api": "zstack", "status": 503}, world="fault-a")
    in_a = {**ADMIN_AUTH, "X-Mock-World": "fault-a"}
    in_b = {**ADMIN_AUTH, "X-Mock-World": "fault-b"}
    assert client.get("/zstack/v1/tickets", headers=in_a).status_code == 503
    assert client.get("/zstack/v1/tickets", headers=in_b).status_code == 200
    assert client.get("/zstack/v1/tickets", headers=ADMIN_AUTH).status_code == 200


def test_configured_rules_seed_every_new_world():
    mock = build_mock(Config(seed=3, faults=[{"api": "zstack", "status": 503}]))
    assert mock.world("fresh").faults.export() == {
        "seed": 3,
        "rules": [{"api": "zstack", "status": 503}],
    }


# -- rules that are refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"api": "zstack"}, "rules: expected a list of rules"),
        (["503"], "rules[0]: expected a mapping"),
        (
            [{"status": 503}, {"status": 200}],
            "rules[1].status: expected an HTTP error status 400-599, got 200",
        ),
        ([{"status": 503, "colour": "red"}], "rules[0]: unknown key 'colour'"),
        ([{"api": "aws", "status": 503}], "rules[0].api: expected one of zstack, coc, osm, iam"),
        ([{"operation": "createTiket", "status": 503}], "rules[0].operation: no operation"),
        (
            [{"operation": "GET /tickets", "status": 503}],
            "rules[0].operation: no operation GET /tickets in the specs",
        ),
        ([{"operation": "FETCH /zstack/v1/tickets", "status": 503}], "rules[0].operation"),
        ([{"persona": "", "status": 503}], "rules[0].persona"),
        ([{"rate": 1.5, "status": 503}], "rules[0].rate: expected a number from 0 to 1"),
        ([{"rate": True, "status": 503}], "rules[0].rate"),
        ([{"latency_ms": -1}], "rules[0].latency_ms: expected 0 or more"),
        ([{"latency_ms": {"min": 9, "max": 1}}], "rules[0].latency_ms: min 9 is more than max 1"),
        ([{"latency_ms": {"mean": 1}}], "rules[0].latency_ms: expected milliseconds"),
        ([{"latency_ms": "slow"}], "rules[0].latency_ms"),
        ([{"status": 503.0}], "rules[0].status"),
        ([{"retry_after_s": 5, "latency_ms": 1}], "rules[0].retry_after_s: only goes with a"),
        ([{"status": 429, "retry_after_s": -1}], "rules[0].retry_after_s: expected 0 or more"),
        ([{"drop": "yes"}], "rules[0].drop: expected true or false"),
        ([{"drop": True, "status": 503}], "rules[0].drop: a rule either answers a status"),
        ([{"api": "zstack"}], "rules[0]: the rule does nothing"),
        ([{"drop": False}], "rules[0]: the rule does nothing"),
    ],
)
def test_invalid_rules_are_refused_naming_rule_and_key(rules, message):
    with pytest.raises(FaultError) as refused:
        parse_rules(rules)
    assert message in str(refused.value)


def test_load_is_all_or_nothing_and_export_is_normalised():
    rules = FaultRules(1)
    good = [
        {"operation": "get /zstack/v1/tickets", "latency_ms": {"min": 1, "max": 2}},
        {"api": "osm", "persona": " mockuser ", "rate": 0.5, "status": 429, "retry_after_s": 1},
    ]
    rules.load({"seed": 9, "rules": good})
    assert rules.export() == {
        "seed": 9,
        "rules": [
            {"operation": "GET /zstack/v1/tickets", "latency_ms": {"min": 1, "max": 2}},
            {"api": "osm", "persona": "mockuser", "rate": 0.5, "status": 429, "retry_after_s": 1},
        ],
    }
    with pytest.raises(FaultError, match=r"rules\[1\]\.status"):
        rules.load({"seed": 1, "rules": [{"status": 503}, {"status": 600}]})
    assert rules.export()["seed"] == 9 and len(rules.rules) == 2
    with pytest.raises(FaultError, match="seed"):
        rules.load({"seed": "x", "rules": []})
    # The export loads again as it is.
    again = FaultRules(None)
    again.load(rules.export())
    assert again.export() == rules.export()


def test_config_refuses_bad_rules():
    with pytest.raises(ConfigError, match=r"faults: rules\[0\]\.status"):
        Config(faults=[{"status": 302}])


def test_header_parsing():
    assert parse_header("status=429, retry_after_s=3") == {"status": 429, "retry_after_s": 3}
    assert parse_header(" drop ") == {"drop": True}
    assert parse_header("latency_ms=1500") == {"latency_ms": 1500.0}
    with pytest.raises(FaultError, match="given twice"):
        parse_header("status=500, status=503")
    with pytest.raises(FaultError, match="empty"):
        parse_header(" , ")
