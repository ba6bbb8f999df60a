"""Small helpers shared by the ZStack tests: job polling, logins, fixtures of the seed pages."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

from mockserver.config import Config
from mockserver.resources import fixtures_dir
from tests.conftest import ADMIN_AUTH, Client, make_mock

FIXTURES = fixtures_dir() / "zstack"
PASSWORD_SHA512 = hashlib.sha512(b"password").hexdigest()

PENDING_TICKET = "e9377476db3f375bbff78dc3b9204f00"
REJECTED_TICKET = "3d7955e800593abcb49e89c372d6a5ce"
PROJECT = "a497d61cc2d848f2a1101ebd7bc7362f"
REQUESTER = "c0df7a66330f4cc3b83d1c3695aac291"
APPROVER1 = "5e1f5b8f6c0e4b2f9d7a3c1b2a4d6e8f"
APPROVER2 = "7a9c1e3b5d7f4a6c8e0b2d4f6a8c0e2b"
TICKET_TYPE = "3b933e9aaf2d49b9a3dcf0c92867790f"
DEFAULT_COLLECTION = "9fbbac8054d54f0490438eaaba3e1cf8"
MISSING_UUID = "0123456789abcdef0123456789abcdef"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def job_path(reply: httpx.Response) -> str:
    """The path of the job a 202 reply points at (its `location` without scheme and host)."""
    assert reply.status_code == 202, (reply.status_code, reply.text)
    return urlsplit(reply.json()["location"]).path


def poll(client, reply: httpx.Response) -> httpx.Response:
    """Polls the job of an accepted asynchronous call once."""
    return client.get(job_path(reply))


def result(client, reply: httpx.Response) -> dict:
    """The body of a job that must have succeeded."""
    job = poll(client, reply)
    assert job.status_code == 200, (job.status_code, job.text)
    return job.json()


def failure(client, reply: httpx.Response) -> dict:
    """The `error` of a job that must have failed."""
    job = poll(client, reply)
    assert job.status_code == 503, (job.status_code, job.text)
    return job.json()["error"]


def auth(session_uuid: str) -> dict[str, str]:
    return {"Authorization": f"OAuth {session_uuid}"}


def login_virtual_id(client, name: str) -> str:
    reply = client.put(
        "/zstack/v1/iam2/virtual-ids/login",
        json={"loginIAM2VirtualID": {"name": name, "password": PASSWORD_SHA512}},
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["inventory"]["uuid"]


def query(client, path: str, headers: dict | None = None, **params) -> dict:
    reply = client.get(path, headers=headers or ADMIN_AUTH, params=params)
    assert reply.status_code == 200, (reply.status_code, reply.text)
    return reply.json()


def tickets(client) -> list[dict]:
    """Every ticket the admin sees, ordered by uuid: a snapshot to compare states."""
    return query(client, "/zstack/v1/tickets", sort="uuid")["inventories"]


def ticket(client, uuid: str) -> dict:
    (found,) = query(client, f"/zstack/v1/tickets/{uuid}")["inventories"]
    return found


def ticket_request(name: str = "a new ticket", **extra) -> dict:
    """A CreateTicket body for the requester of the demo project."""
    params = {
        "name": name,
        "requests": [
            {
                "requestName": "create vm",
                "apiName": "org.zstack.header.vm.APICreateVmInstanceMsg",
                "executeTimes": 1,
                "apiBody": {"name": "vm name"},
            }
        ],
        "accountSystemType": "iam2",
        "accountSystemContext": {"projectUuid": PROJECT, "virtualIDUuid": REQUESTER},
        **extra,
    }
    return {"params": params}


def create_ticket(client, name: str = "a new ticket", **extra) -> dict:
    reply = client.post(
        "/zstack/v1/tickets", headers=ADMIN_AUTH, json=ticket_request(name, **extra)
    )
    return result(client, reply)["inventory"]


def change_status(client, uuid: str, event: str, headers: dict | None = None) -> httpx.Response:
    return client.put(
        f"/zstack/v1/tickets/{uuid}/actions",
        headers=headers or ADMIN_AUTH,
        json={"changeTicketStatus": {"statusEvent": event}},
    )


@contextmanager
def client_for(config: Config) -> Iterator[Client]:
    """A client of a mock with its own configuration."""
    c = Client(make_mock(config))
    try:
        yield c
    finally:
        c.close()
