"""Shared by the Huawei tests: the default identities, a mock with the Huawei families, and
requests that carry a token or an AK/SK signature."""

import json as jsonlib
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
from huaweicloudsdkcore.http.http_handler import HttpHandler

from mockserver.clock import Clock, FrozenClock, WorldClock
from mockserver.coc import CocFamily
from mockserver.config import Config
from mockserver.huawei.signing import sign_headers
from mockserver.iam import IamFamily
from mockserver.osm import OsmFamily
from mockserver.runtime import Mock
from tests.conftest import T0, Client

DOMAIN_NAME = "mockdomain"
DOMAIN_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
USER_NAME = "mockuser"
USER_ID = "7c6b5a4938271605f4e3d2c1b0a99887"
PASSWORD = "MockPassw0rd!"
PROJECT_ID = "1a2b3c4d5e6f708192a3b4c5d6e7f809"
AK = "MOCKACCESSKEY0000000"
SK = "mocksecretkey000000000000000000000000000"


def make_huawei_mock(clock: Clock | None = None, config: Config | None = None) -> Mock:
    return Mock(
        config or Config(seed=7),
        [IamFamily(), OsmFamily(), CocFamily()],
        clock=clock or FrozenClock(T0),
    )


def huawei_app(config: Config | None = None) -> Iterator[Client]:
    """A client of a mock with the Huawei families, closed when done (for module fixtures)."""
    client = Client(make_huawei_mock(config=config))
    yield client
    client.close()


def reset_world(client: Client) -> WorldClock:
    """Puts the client's default world back to its fresh state, clock frozen at T0 and ids
    seeded."""
    world = client.mock.world()
    world.ids.reseed(7)
    world.reset()
    world.clock.freeze(T0)
    return world.clock


def password_body(scope: dict | None = None, password: str = PASSWORD) -> dict:
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "domain": {"name": DOMAIN_NAME},
                        "name": USER_NAME,
                        "password": password,
                    }
                },
            },
            "scope": scope or {"domain": {"name": DOMAIN_NAME}},
        }
    }


def get_token(client: Client, scope: dict | None = None) -> str:
    reply = client.post("/v3/auth/tokens", json=password_body(scope))
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


def signed_request(
    client: Client,
    method: str,
    url: str,
    *,
    json=None,
    headers: dict | None = None,
    ak: str = AK,
    sk: str = SK,
    now: float | None = None,
) -> httpx.Response:
    """Sends `url` signed with AK/SK as the SDK would, at the mock's clock unless `now`."""
    body = b"" if json is None else jsonlib.dumps(json).encode("utf-8")
    parts = urlsplit(url)
    sent = {"Host": "localhost:8080", "X-Domain-Id": DOMAIN_ID, **(headers or {})}
    if json is not None:
        sent["Content-Type"] = "application/json;charset=utf-8"
    sent.update(
        sign_headers(
            ak,
            sk,
            method,
            parts.path,
            parse_qsl(parts.query, keep_blank_values=True),
            sent,
            body,
            client.mock.world().clock.now() if now is None else now,
        )
    )
    return client.request(method, url, content=body, headers=sent)


CHANGE_BODY = {
    "title": "Upgrade the gateway",
    "change_notes": "Roll the new gateway image to cn-north-4.",
    "change_type": "change_type_conventional",
    "level": "change_level_030",
    "change_scheme": "change_scheme_guides",
    "change_guides": "ad2997a2-ad31-4aed-a07b-eb22b132520a",
    "change_scene_id": "GOCMLL01001",
    "current_cloud_service_id": "6470681a31da2a47ed50a919",
    "location_id": "cn-north-4",
    "is_start_process": True,
    "sub_tickets": [
        {"target_type": "change_scope", "app_name": "gateway", "region": "cn-north-4"},
        {
            "target_type": "child_ticket",
            "target_value": "cn-north-4",
            "expected_start_time": 1_768_474_800_000,
            "expected_end_time": 1_768_478_400_000,
            "executors": "005b950b4863447cb97cd77a89559c79",
        },
    ],
}

ISSUE_BODY = {
    "title": "ECS restarts at night",
    "description": "[Symptom] Several ECS instances restart around 02:00.",
    "enterprise_project": "0",
    "level": "issues_level_3000",
    "ticket_type": "issues_type_1000",
    "virtual_schedule_type": "issues_mgmt_virtual_schedule_type_2000",
    "issue_contact_person": "51875a8200fd45189f94745678545bc3",
}


def with_token(tok: str) -> HttpHandler:
    """Adds X-Auth-Token to each request the SDK has signed."""
    return HttpHandler().add_request_handler(
        lambda request, logger: request.header_params.update({"X-Auth-Token": tok})
    )
