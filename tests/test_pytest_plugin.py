"""The pytest plugin (mockserver/pytest_plugin.py), run as a project that installed ticketkit
runs it: small test files under pytester, the plugin found through its entry point."""

import json
import re
from pathlib import Path

import pytest

from mockserver import pytest_plugin, selection
from mockserver.pytest_plugin import WORLD_COOKIE, WORLD_HEADER, world_name
from mockserver.world import WORLD_NAME

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def outside_xdist(monkeypatch):
    """The runs below are not xdist workers, even when this suite runs under xdist."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "test_ticket_screen.py"
# A project as strict as ours: any warning fails its tests.
STRICT_INI = "[pytest]\nfilterwarnings =\n    error\n"
# Plugins the inner runs do not need; skipping them makes a subprocess start in 2 s, not 8.
LEAN = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:schemathesis")

ZSTACK = '''
AUTH = {"Authorization": "OAuth b86c9016b4f24953a9edefb53ca0678c"}


def ticket_body(name):
    return {"params": {
        "name": name,
        "requests": [{"requestName": "create vm", "executeTimes": 1, "apiBody": {"name": "vm"},
                      "apiName": "org.zstack.header.vm.APICreateVmInstanceMsg"}],
        "accountSystemType": "iam2",
        "accountSystemContext": {"projectUuid": "a497d61cc2d848f2a1101ebd7bc7362f",
                                 "virtualIDUuid": "c0df7a66330f4cc3b83d1c3695aac291"},
    }}


def create_ticket(client, name, headers=None):
    reply = client.post("/zstack/v1/tickets", headers={**AUTH, **(headers or {})},
                        json=ticket_body(name))
    assert reply.status_code == 202, reply.text
    job = client.get(reply.json()["location"], headers=headers)
    assert job.status_code == 200, job.text
    return reply


def ticket_names(client, headers=None):
    reply = client.get("/zstack/v1/tickets", headers={**AUTH, **(headers or {})})
    assert reply.status_code == 200, reply.text
    return sorted(ticket["name"] for ticket in reply.json()["inventories"])
'''

IN_PROCESS = '''
import re

import pytest

SEEN = []


@pytest.mark.parametrize("name", ["first", "second"])
def test_tickets_stay_in_the_world_of_the_test_that_made_them(ticketkit, name):
    SEEN.append(ticketkit.world_name)
    assert ticket_names(ticketkit) == []  # the scenario given by --ticketkit-scenario: empty

    reply = create_ticket(ticketkit, name)

    assert ticket_names(ticketkit) == [name]
    assert reply.json()["apiTimeout"] == 4242  # from --ticketkit-config


def test_the_worlds_of_earlier_tests_are_gone(ticketkit, ticketkit_world):
    assert len(set(SEEN)) == 2
    for name in SEEN:
        reply = ticketkit.get(f"/__admin/worlds/{name}")
        assert reply.status_code == 404, reply.text
    listed = ticketkit.get("/__admin/worlds").json()["worlds"]
    assert {world["name"] for world in listed} == {"default", ticketkit_world}
    assert ticket_names(ticketkit, headers={"X-Mock-World": "default"}) == []


def test_the_world_is_named_after_the_test(ticketkit, ticketkit_world, ticketkit_app):
    assert re.fullmatch(
        r"test_in_process-test_the_world_is_named_after_the_test-[0-9]+", ticketkit_world
    )
    assert ticketkit.world_name == ticketkit.world.name == ticketkit_world
    assert ticketkit.world is ticketkit_app.mock.world(ticketkit_world)
    assert ticketkit.headers["X-Mock-World"] == ticketkit_world
    described = ticketkit.get(f"/__admin/worlds/{ticketkit_world}").json()
    assert described["scenario"] == "empty"


def test_the_world_object_drives_the_clock(ticketkit, ticketkit_world):
    ticketkit.world.clock.freeze(1_800_000_000)
    clock = ticketkit.get(f"/__admin/worlds/{ticketkit_world}/clock").json()
    assert (clock["time"], clock["frozen"]) == ("2027-01-15T08:00:00.000Z", True)


@pytest.mark.ticketkit_scenario("demo")
def test_the_marker_loads_a_scenario_into_the_tests_world(ticketkit, ticketkit_world):
    assert ticketkit.world.scenario == "demo"
    assert ticketkit.get(f"/__admin/worlds/{ticketkit_world}").json()["scenario"] == "demo"
    assert len(ticket_names(ticketkit)) > 5
    assert ticket_names(ticketkit, headers={"X-Mock-World": "default"}) == []


@pytest.mark.ticketkit_scenario("no-such-scenario")
def test_an_unknown_scenario_in_the_marker_errors(ticketkit):
    pass


@pytest.mark.ticketkit_scenario()
def test_a_marker_without_a_name_errors(ticketkit):
    pass


def test_tests_that_could_not_start_left_no_world(ticketkit, ticketkit_world):
    listed = ticketkit.get("/__admin/worlds").json()["worlds"]
    assert {world["name"] for world in listed} == {"default", ticketkit_world}
'''

OVER_A_SOCKET = '''
import threading
from pathlib import Path

import httpx

WORLDS = []


def test_the_server_answers_in_the_tests_world(ticketkit_url, ticketkit):
    url, world = ticketkit_url
    WORLDS.append(world)
    Path("served.txt").write_text(url)
    assert url.startswith("http://127.0.0.1:")
    assert ticketkit_url.headers == {"X-Mock-World": world}

    with httpx.Client(base_url=url, headers=ticketkit_url.headers) as client:
        reply = create_ticket(client, "/socket")

    assert reply.json()["location"].startswith(f"{url}/zstack/v1/api-jobs/")
    with httpx.Client(base_url=url) as browser:  # a browser, with the world in a cookie
        browser.cookies.set(**ticketkit_url.cookie)
        assert "/socket" in ticket_names(browser)
    with httpx.Client(base_url=url) as stranger:  # no header, no cookie: the default world
        assert "/socket" not in ticket_names(stranger)
    assert "/socket" in ticket_names(ticketkit)  # the same world, in-process


def test_another_test_has_another_world_on_the_same_server(ticketkit_url):
    assert ticketkit_url.world not in WORLDS
    with httpx.Client(base_url=ticketkit_url.url, headers=ticketkit_url.headers) as client:
        assert "/socket" not in ticket_names(client)
    assert [t.name for t in threading.enumerate()].count("ticketkit-server") == 1
'''

# Run after the session's fixtures are torn down: is the server still there?
AT_THE_END = '''
import json
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit


def pytest_sessionfinish(session):
    threads = [t.name for t in threading.enumerate() if t.name == "ticketkit-server"]
    served = urlsplit(Path("served.txt").read_text())
    try:
        socket.create_connection((served.hostname, served.port), timeout=1).close()
        listening = True
    except OSError:
        listening = False
    Path("at-the-end.json").write_text(json.dumps({"threads": threads, "listening": listening}))
'''


def test_fixtures_in_process_give_each_test_its_own_world(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_in_process=ZSTACK + IN_PROCESS)
    config = pytester.makefile(".yaml", mock="scenario: demo\nzstack:\n  api_timeout_ms: 4242\n")

    result = pytester.runpytest(
        *LEAN, "--ticketkit-config", str(config), "--ticketkit-scenario", "empty"
    )

    result.assert_outcomes(passed=7, errors=2, warnings=0)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_an_unknown_scenario_in_the_marker_errors*",
            "ticketkit_scenario: no scenario 'no-such-scenario'; known: *",
            "*ERROR at setup of test_a_marker_without_a_name_errors*",
            'use @pytest.mark.ticketkit_scenario("<scenario name>")',
        ]
    )


def test_the_server_and_the_example_work_in_a_strict_project_and_stop_cleanly(pytester):
    """In a fresh process, as a user's project runs: no warning from importing the mock, the
    documented example passes, the server answers on a real socket and is gone at the end."""
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(AT_THE_END)
    pytester.makepyfile(
        test_over_a_socket=ZSTACK + OVER_A_SOCKET,
        test_ticket_screen=EXAMPLE.read_text(encoding="utf-8"),
    )

    result = pytester.runpytest_subprocess(*LEAN)

    result.assert_outcomes(passed=6, warnings=0)
    assert "warning" not in result.stdout.str().lower()
    at_the_end = json.loads((pytester.path / "at-the-end.json").read_text())
    assert at_the_end == {"threads": [], "listening": False}


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--ticketkit-scenario", "no-such-scenario"), "ticketkit: no scenario 'no-such-scenario'"),
        (("--ticketkit-config", "missing.yaml"), "ticketkit: *missing.yaml: *No such file*"),
    ],
)
def test_a_wrong_option_stops_the_run_with_a_usage_error(pytester, option, message):
    pytester.makepyfile(test_nothing="def test_nothing(ticketkit):\n    pass\n")

    result = pytester.runpytest(*LEAN, *option)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


@pytest.mark.parametrize(
    ("ini", "args", "scenario"),
    [
        ("", (), "default"),
        ("ticketkit_config = mock.yaml", (), "demo"),
        ("ticketkit_config = mock.yaml\nticketkit_scenario = empty", (), "empty"),
        ("ticketkit_scenario = empty", ("--ticketkit-scenario", "demo"), "demo"),
        ("", ("--ticketkit-config", "mock.yaml", "--ticketkit-scenario", "default"), "default"),
    ],
)
def test_the_option_names_the_scenario_else_the_ini_else_the_config(pytester, ini, args, scenario):
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makefile(".yaml", mock="scenario: demo\nseed: 5\nstate_file: kept.json\n")

    settings = pytest_plugin._settings(pytester.parseconfigure(*args))

    assert settings.scenario == scenario
    assert settings.state_file is None  # the fixtures always start from the scenario
    assert settings.seed == (5 if "mock.yaml" in ini + " ".join(args) else None)


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/test_screens.py::test_new_case", r"test_screens-test_new_case-\d+"),
        ("test_a.py::TestCase::test_b[x/y 1]", r"test_a-TestCase-test_b-x-y-1-\d+"),
        ("_private.py::test_x", r"private-test_x-\d+"),
        ("t.py::test_" + "long" * 30 + "[p]", r"t-test_[long]+-\d+"),
        ("::", r"test-\d+"),
    ],
)
def test_world_names_are_valid_and_unique(nodeid, expected):
    names = {world_name(nodeid) for _ in range(3)}

    assert len(names) == 3
    for name in names:
        assert WORLD_NAME.match(name), name
        assert re.fullmatch(expected, name), name


def test_a_world_name_carries_the_xdist_worker(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")

    assert re.fullmatch(r"test_x-test_y-gw3-\d+", world_name("test_x.py::test_y"))


def test_the_plugin_uses_the_mocks_header_and_cookie():
    assert (WORLD_HEADER, WORLD_COOKIE) == (selection.HEADER, selection.COOKIE)

