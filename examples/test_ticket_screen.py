"""What a support portal's screens would show, tested against the ticketkit mock.

Copy this file into your project: with ticketkit installed, its pytest fixtures are there.
Each test gets a world of its own (its own cases, tokens and clock), so tests never see each
other's data, and the world is deleted when the test ends. Run it with

    pytest examples/test_ticket_screen.py
"""

from datetime import UTC, datetime

import httpx
import pytest

CASES = "/v2/servicerequest/cases"
# The default scenario's Huawei Cloud user (README, "Huawei Cloud").
LOGIN = {
    "auth": {
        "identity": {
            "methods": ["password"],
            "password": {
                "user": {
                    "domain": {"name": "mockdomain"},
                    "name": "mockuser",
                    "password": "MockPassw0rd!",
                }
            },
        },
        "scope": {"domain": {"name": "mockdomain"}},
    }
}
# What the portal's "new case" form sends for a question about ECS flavors.
QUESTION = {
    "business_type_id": "8084e611c019e48272490566ddcec2ca",
    "source_id": "83aeb0f2834c4df49826c781d32a963e",
    "simple_description": "Which flavor suits a small web site?",
}
FRIDAY_0930 = datetime(2026, 11, 6, 9, 30, tzinfo=UTC).timestamp()


@pytest.fixture
def token(ticketkit) -> dict[str, str]:
    """Logs in as the portal does; the token is valid in this test's world only."""
    reply = ticketkit.post("/v3/auth/tokens", json=LOGIN)
    assert reply.status_code == 201, reply.text
    return {"X-Auth-Token": reply.headers["X-Subject-Token"]}


def file_case(ticketkit, token) -> str:
    reply = ticketkit.post(CASES, headers=token, json=QUESTION)
    assert reply.status_code == 200, reply.text
    return reply.json()["incident_id"]


def test_my_cases_lists_a_new_case_with_the_time_it_was_filed(ticketkit, token):
    ticketkit.world.clock.freeze(FRIDAY_0930)  # the world's own clock; other tests keep theirs

    case_id = file_case(ticketkit, token)

    [row] = ticketkit.get(CASES, headers=token).json()["incident_info_list"]
    assert row["incident_id"] == case_id
    assert row["status"] == 0  # "New"
    assert row["create_time"] == "2026-11-06T09:30:00Z"
    assert row["simple_description"] == "Which flavor suits a small web site?"


def test_the_conversation_shows_the_engineers_answer(ticketkit, token):
    ticketkit.world.clock.freeze(FRIDAY_0930)
    case_id = file_case(ticketkit, token)

    ticketkit.world.clock.advance(3600)
    # The support engineer's side is an admin call; `world` says which world's case it is.
    reply = ticketkit.post(
        f"/__admin/osm/cases/{case_id}/engineer",
        params={"world": ticketkit.world_name},
        json={"action": "reply", "content": "Which region do you deploy in?"},
    )
    assert reply.status_code == 200, reply.text

    messages = ticketkit.get(f"{CASES}/{case_id}/messages", headers=token).json()["message_list"]
    assert [(m["replier_name"], m["content"], m["create_time"]) for m in messages] == [
        ("mockuser", "Which flavor suits a small web site?", "2026-11-06T09:30:00Z"),
        ("Huawei Cloud support engineer", "Which region do you deploy in?", "2026-11-06T10:30:00Z"),
    ]
    status = ticketkit.get(f"{CASES}/{case_id}/status", headers=token).json()["status"]
    assert status == 1  # "Processing"


@pytest.mark.ticketkit_scenario("demo")  # a lived-in world: cases in every status
def test_the_status_tabs_count_the_demo_cases(ticketkit):
    demo_token = {"X-Auth-Token": "demo-token-mockuser"}  # fixed in the demo scenario

    counts = ticketkit.get(f"{CASES}/count", headers=demo_token).json()["incident_status_counts"]

    assert {row["status"]: row["count"] for row in counts} == {
        0: 1, 1: 1, 2: 1, 3: 2, 4: 1, 12: 1, 17: 1,
    }


def test_a_browser_or_sdk_reaches_the_same_world_over_http(ticketkit, token, ticketkit_url):
    """`ticketkit_url` serves the mock on a real port, for Playwright, Selenium or an SDK.

    With pytest-playwright, point the app under test at `ticketkit_url.url` (how depends on
    the app) and its requests reach the test's world through the cookie:

        page.context.add_cookies([ticketkit_url.cookie])
        page.goto("http://127.0.0.1:5173/cases")

    The cookie is for 127.0.0.1: serve the app from 127.0.0.1 too, or have it send the header
    of `ticketkit_url.headers`.
    """
    case_id = file_case(ticketkit, token)  # in-process, in the same world

    with httpx.Client(base_url=ticketkit_url.url) as browser:
        browser.cookies.set(**ticketkit_url.cookie)  # as a browser keeps it
        listed = browser.get(CASES, headers=token).json()["incident_info_list"]

    assert [row["incident_id"] for row in listed] == [case_id]
