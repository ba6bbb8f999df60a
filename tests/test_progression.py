"""What moves by itself, and when: ZStack jobs, the OSM engineer, COC process starts."""

from collections.abc import Iterator

import pytest

from mockserver.app import default_families
from mockserver.clock import FrozenClock
from mockserver.config import Config, ConfigError
from mockserver.runtime import Mock
from tests.conftest import ADMIN_AUTH, T0, Client
from tests.huawei_helpers import ISSUE_BODY, get_token
from tests.zstack_helpers import PENDING_TICKET, job_path

ADMIN = "/__admin/worlds/default"
CASE = {
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
    return app_client


def progress(client: Client, **settings) -> None:
    reply = client.put(f"{ADMIN}/progression", json=settings)
    assert reply.status_code == 200, reply.text


def advance(client: Client, seconds: float) -> None:
    client.post(f"{ADMIN}/clock/advance", json={"seconds": seconds})


# -- ZStack jobs ------------------------------------------------------------------------------


def cancel_job(client: Client) -> str:
    reply = client.put(
        f"/zstack/v1/tickets/{PENDING_TICKET}/actions",
        headers=ADMIN_AUTH,
        json={"changeTicketStatus": {"statusEvent": "cancel"}},
    )
    return job_path(reply)


def test_a_job_runs_for_the_given_polls(client):
    progress(client, zstack_jobs={"after_polls": 2})
    job = cancel_job(client)

    assert [client.get(job).status_code for _ in range(3)] == [202, 202, 200]


def test_a_job_runs_for_the_given_virtual_seconds(client):
    progress(client, zstack_jobs={"after_seconds": 30})
    job = cancel_job(client)

    running = [client.get(job).status_code for _ in range(3)]
    advance(client, 30)

    assert running == [202, 202, 202]
    assert client.get(job).json()["inventory"]["status"] == "Cancelled"


# -- the OSM engineer ---------------------------------------------------------------------------


class Osm:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers = {"X-Auth-Token": get_token(client)}

    def create(self) -> str:
        reply = self.client.post("/v2/servicerequest/cases", json=CASE, headers=self.headers)
        return reply.json()["incident_id"]

    def messages(self, case_id: str) -> list[int]:
        reply = self.client.get(
            f"/v2/servicerequest/cases/{case_id}/messages", headers=self.headers
        )
        return [message["type"] for message in reply.json()["message_list"]]


def test_by_default_the_engineer_answers_only_through_the_admin_call(client):
    osm = Osm(client)
    case_id = osm.create()
    advance(client, 23 * 3600)  # within the token's lifetime

    assert osm.messages(case_id) == [0]


def test_an_immediate_engineer_answers_at_the_next_call(client):
    progress(client, osm_engineer="immediate")
    osm = Osm(client)
    case_id = osm.create()

    assert osm.messages(case_id) == [0, 1]


def test_the_engineer_answers_after_the_given_polls(client):
    progress(client, osm_engineer={"after_polls": 2})
    osm = Osm(client)
    case_id = osm.create()

    seen = [len(osm.messages(case_id)) for _ in range(3)]

    assert seen == [1, 1, 2]


def test_the_engineer_answers_after_the_given_virtual_seconds(client):
    progress(client, osm_engineer={"after_seconds": 600})
    osm = Osm(client)
    case_id = osm.create()

    before = osm.messages(case_id)
    advance(client, 600)

    assert before == [0]
    assert osm.messages(case_id) == [0, 1]


# -- COC process start ------------------------------------------------------------------------


class Coc:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers = {"X-Auth-Token": get_token(client)}

    def create_issue(self) -> str:
        reply = self.client.post("/v1/issues_mgmt/tickets", json=ISSUE_BODY, headers=self.headers)
        assert reply.status_code == 200, reply.text
        return reply.json()["data"]["ticket_id"]

    def status(self, ticket_id: str) -> str:
        reply = self.client.get(f"/v1/issues_mgmt/tickets/{ticket_id}", headers=self.headers)
        return reply.json()["data"]["work_flow_status"]


def test_a_process_starts_at_once_by_default(client):
    coc = Coc(client)

    assert coc.status(coc.create_issue()) == "issues_unaccepted"


def test_a_process_starts_after_the_given_polls_with_a_history_row(client):
    progress(client, coc_process_start={"after_polls": 2})
    coc = Coc(client)
    ticket_id = coc.create_issue()

    statuses = [coc.status(ticket_id) for _ in range(3)]

    assert statuses == ["issues_draft", "issues_draft", "issues_unaccepted"]
    histories = client.post(
        "/v1/issues_mgmt/list-histories",
        headers=coc.headers,
        json={"string_filters": [{"operator": "=", "field": "ticket_id", "values": [ticket_id]}]},
    ).json()["data"]["info"]
    assert [row["action"] for row in histories] == ["create_ticket", "start_process"]
    assert histories[1]["operator"] == "system"


def test_a_process_starts_after_the_given_virtual_seconds(client):
    progress(client, coc_process_start={"after_seconds": 5})
    coc = Coc(client)
    ticket_id = coc.create_issue()

    before = coc.status(ticket_id)
    advance(client, 5)

    assert before == "issues_draft"
    assert coc.status(ticket_id) == "issues_unaccepted"


# -- setting progressions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [{"zstack_jobs": "manual"}, {"osm_engineer": {"after_polls": 1.5}}, {"coc_start": "immediate"}],
    ids=["manual-job", "fraction", "unknown"],
)
def test_a_progression_that_cannot_be_used_is_refused_and_nothing_changes(client, settings):
    progress(client, osm_engineer="immediate")

    reply = client.put(f"{ADMIN}/progression", json={"zstack_jobs": {"after_polls": 3}, **settings})

    assert reply.status_code == 400
    assert client.get(f"{ADMIN}/progression").json() == {
        "zstack_jobs": "immediate",
        "osm_engineer": "immediate",
        "coc_process_start": "immediate",
    }


def test_progressions_come_from_the_config_file(tmp_path):
    path = tmp_path / "ticketkit.yaml"
    path.write_text("progression:\n  zstack_jobs: {after_polls: 3}\n", encoding="utf-8")

    config = Config.from_file(path)

    assert config.progression.export()["zstack_jobs"] == {"after_polls": 3}


def test_a_config_file_with_a_bad_progression_names_it(tmp_path):
    path = tmp_path / "ticketkit.yaml"
    path.write_text("progression:\n  osm_engineer: {after: 3}\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="progression.osm_engineer"):
        Config.from_file(path)
