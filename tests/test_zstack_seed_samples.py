"""The curl samples of ZStack's documentation pages, sent byte for byte to the mock.

The samples and sample responses live in fixtures/zstack, copied from the vendor's pages.
"""

import pytest

from tests.zstack_helpers import PENDING_TICKET, REJECTED_TICKET, fixture, job_path, poll

SAMPLES = ["create-ticket", "update-ticket-request", "change-ticket-status"]


def send(client, name: str):
    sample = fixture(f"{name}.request.json")
    return client.request(
        sample["method"],
        sample["path"],
        headers=sample["headers"],
        content=sample["body"].encode("utf-8"),
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_each_curl_sample_is_accepted_with_a_job_location(client, name):
    reply = send(client, name)

    assert reply.status_code == 202
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json()["location"].startswith("http://localhost:8080/zstack/v1/api-jobs/")
    assert reply.json()["apiTimeout"] == 1_800_000


@pytest.mark.parametrize("name", SAMPLES)
def test_the_job_of_each_curl_sample_succeeds_at_the_first_poll(client, name):
    job = poll(client, send(client, name))

    assert job.status_code == 200
    assert "error" not in job.json()


@pytest.mark.parametrize(
    ("name", "ticket_uuid"),
    [("update-ticket-request", REJECTED_TICKET), ("change-ticket-status", PENDING_TICKET)],
)
def test_the_result_has_every_top_level_key_of_the_page_sample_response(client, name, ticket_uuid):
    sample = fixture(f"{name}.response.json")

    inventory = poll(client, send(client, name)).json()["inventory"]

    assert set(sample) == {"inventory"}
    assert set(sample["inventory"]) <= set(inventory)
    assert inventory["uuid"] == ticket_uuid
    assert set(inventory["request"][0]) == set(sample["inventory"]["request"][0])


def test_the_approve_sample_makes_the_ticket_intermediate_approved(client):
    inventory = poll(client, send(client, "change-ticket-status")).json()["inventory"]

    assert inventory["status"] == "IntermediateApproved"


def test_the_update_sample_replaces_the_requests_with_the_ones_sent(client):
    sent = fixture("update-ticket-request.request.json")

    inventory = poll(client, send(client, "update-ticket-request")).json()["inventory"]

    assert inventory["request"][0]["apiBody"]["instanceOfferingUuid"] == (
        "dba186c0f4e73c8b853e36b37a028761"
    )
    assert '"id":"151dc242428a4b39a81a9b31712e7f09"' in sent["body"]
    assert inventory["request"][0]["apiBody"]["id"] == "151dc242428a4b39a81a9b31712e7f09"


def test_the_create_sample_answers_the_new_ticket_rather_than_the_pages_empty_object(client):
    # The page says `{}`; the mock answers `{"inventory": ...}`, a documented choice.
    body = poll(client, send(client, "create-ticket")).json()

    inventory = body["inventory"]
    assert inventory["name"] == "this is a new ticket"
    assert inventory["status"] == "Pending"
    assert inventory["accountSystemContext"] == {
        "projectUuid": "a497d61cc2d848f2a1101ebd7bc7362f",
        "virtualIDUuid": "c0df7a66330f4cc3b83d1c3695aac291",
    }
    assert inventory["request"][0]["apiBody"]["createdTime"] == 1.545993580708e12


def test_the_created_sample_ticket_shows_up_in_a_query(client):
    created = poll(client, send(client, "create-ticket")).json()["inventory"]

    listed = client.get(
        f"/zstack/v1/tickets/{created['uuid']}",
        headers=fixture("create-ticket.request.json")["headers"],
    )

    assert [t["name"] for t in listed.json()["inventories"]] == ["this is a new ticket"]


def test_the_job_location_is_a_path_the_mock_serves(client):
    reply = send(client, "change-ticket-status")

    assert job_path(reply).startswith("/zstack/v1/api-jobs/")
    assert len(job_path(reply).rsplit("/", 1)[1]) == 32


def test_the_error_example_of_the_create_page_has_the_shape_of_the_mocks_errors(client):
    example = fixture("error.example.json")
    bogus = client.put(
        f"/zstack/v1/tickets/{PENDING_TICKET}/actions",
        headers=fixture("change-ticket-status.request.json")["headers"],
        content=b'{"changeTicketStatus":{"statusEvent":"bogus"}}',
    )

    error = poll(client, bogus).json()

    assert set(error) == set(example) == {"error"}
    assert set(example["error"]) <= set(error["error"])
