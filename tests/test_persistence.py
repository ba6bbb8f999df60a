"""`ticketkit serve --state-file`: every world survives a restart, and a `kill -9` at any moment
leaves a state file that reads back."""

import json
import random
import signal
import threading
import time

import httpx

from mockserver.persistence import write_atomically
from tests.huawei_helpers import password_body
from tests.test_cli import free_port, ticketkit, wait_until_healthy

LOGIN = password_body()
CASE = {
    "business_type_id": "8084e611c019e48272490566ddcec2ca",
    "source_id": "83aeb0f2834c4df49826c781d32a963e",
    "simple_description": "Which flavor suits a small web site?",
}


class Server:
    def __init__(self, state_file, *args: str) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = ticketkit(
            "serve", "--port", str(port), "--log-level", "warning", "--state-file", str(state_file),
            *args,
        )
        wait_until_healthy(self.url, self.process)

    def token(self, world: str) -> str:
        reply = httpx.post(
            f"{self.url}/v3/auth/tokens", json=LOGIN, headers={"X-Mock-World": world}
        )
        return reply.headers["X-Subject-Token"]

    def create_case(self, world: str, token: str) -> str:
        reply = httpx.post(
            f"{self.url}/v2/servicerequest/cases",
            json=CASE,
            headers={"X-Mock-World": world, "X-Auth-Token": token},
        )
        return reply.json()["incident_id"]

    def case_ids(self, world: str, token: str) -> list[str]:
        reply = httpx.get(
            f"{self.url}/v2/servicerequest/cases?limit=100",
            headers={"X-Mock-World": world, "X-Auth-Token": token},
        )
        return sorted(case["incident_id"] for case in reply.json()["incident_info_list"])

    def stop(self, sig: int = signal.SIGTERM) -> None:
        self.process.send_signal(sig)
        self.process.communicate(timeout=15)


def test_every_world_survives_a_restart(tmp_path):
    state = tmp_path / "state.json"
    server = Server(state)
    try:
        tokens = {world: server.token(world) for world in ("alice", "bob")}
        cases = {world: [server.create_case(world, tokens[world])] for world in tokens}
        frozen = httpx.put(
            f"{server.url}/__admin/worlds/alice/clock", json={"frozen": True}
        ).json()
    finally:
        server.stop()

    again = Server(state)
    try:
        restored = {world: again.case_ids(world, tokens[world]) for world in tokens}
        clock = httpx.get(f"{again.url}/__admin/worlds/alice/clock").json()
        new_case = again.create_case("alice", tokens["alice"])
    finally:
        again.stop()

    assert restored == cases
    assert clock == frozen
    assert new_case not in cases["alice"]


def busy(server: Server, world: str, stop: threading.Event) -> None:
    """Creates cases in `world` until told to stop or the server is gone."""
    with httpx.Client() as http:
        try:
            token = server.token(world)
            while not stop.is_set():
                http.post(
                    f"{server.url}/v2/servicerequest/cases",
                    json=CASE,
                    headers={"X-Mock-World": world, "X-Auth-Token": token},
                )
        except (httpx.HTTPError, KeyError):
            return


def test_kill_9_at_any_moment_leaves_the_old_or_the_new_state(tmp_path):
    state = tmp_path / "state.json"
    chance = random.Random(5)
    for _ in range(3):
        server = Server(state)
        stop = threading.Event()

        workers = [
            threading.Thread(target=busy, args=(server, f"w{n}", stop)) for n in range(3)
        ]
        for worker in workers:
            worker.start()
        time.sleep(chance.uniform(0.6, 1.6))
        server.process.kill()
        server.process.communicate(timeout=15)
        stop.set()
        for worker in workers:
            worker.join()

        kept = json.loads(state.read_text(encoding="utf-8"))  # never torn
        assert kept["version"] == 1 and "default" in kept["worlds"]

    again = Server(state)
    try:
        worlds = httpx.get(f"{again.url}/__admin/worlds").json()["worlds"]
    finally:
        again.stop()
    assert {"w0", "w1", "w2"} <= {world["name"] for world in worlds}
    assert not list(tmp_path.glob(".state.json.*"))  # what a killed write left is cleared


def test_a_state_file_that_cannot_be_read_stops_the_start_and_is_kept(tmp_path):
    state = tmp_path / "state.json"
    state.write_text('{"version": 1, "worlds": {"alice": {"version": 1, "store": []}}}')

    process = ticketkit("serve", "--port", str(free_port()), "--state-file", str(state))
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 2
    assert "alice" in stderr
    assert state.read_text() == '{"version": 1, "worlds": {"alice": {"version": 1, "store": []}}}'


def test_an_atomic_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("old")

    write_atomically(path, "new")

    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_serve_refuses_an_unknown_scenario_naming_the_known_ones():
    process = ticketkit("serve", "--port", str(free_port()), "--scenario", "nope")
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 2
    assert "nope" in stderr and "demo" in stderr


def test_serve_seeds_every_world_from_the_given_scenario(tmp_path):
    server = Server(tmp_path / "state.json", "--scenario", "demo")
    try:
        reply = httpx.get(
            f"{server.url}/v2/servicerequest/cases",
            headers={"X-Auth-Token": "demo-token-wang.fang"},
        )
    finally:
        server.stop()
    assert reply.status_code == 200 and reply.json()["incident_info_list"]
