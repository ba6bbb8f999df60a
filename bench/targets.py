"""The servers the benchmark compares: the mock as `ticketkit serve` runs it, the same handlers
behind bare Starlette, and Stoplight Prism serving our specs. Each runs in its own process on
127.0.0.1, started fresh for every round."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.workloads import JSON, SPECS, ZSTACK_AUTH

ROOT = Path(__file__).resolve().parent.parent
# The default world's IAM user (fixtures/scenarios/default.yaml).
IAM_LOGIN = {
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
SPEC_FILES = {
    "zstack": "zstack-tickets.yaml",
    "coc": "huawei-coc-tickets.yaml",
    "osm": "huawei-osm-cases.yaml",
}
# Where the mock serves each family: the path of the spec's server url.
MOCK_PREFIXES = {"zstack": "/zstack/v1", "coc": "", "osm": "/v2/servicerequest"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mib(pid: int) -> float:
    """The resident memory of a process and its children (Prism's node runs under a wrapper)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path


@dataclass
class Target:
    name: str
    stateful: bool
    servers: dict[str, Server] = field(default_factory=dict)  # by family
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # by family

    def url(self, family: str) -> str:
        return self.servers[family].url

    def prefix(self, family: str) -> str:
        return MOCK_PREFIXES[family] if self.stateful else ""

    def start(self, workdir: Path, cpus: set[int] | None) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        for server in {id(s): s for s in self.servers.values()}.values():
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
        self.servers.clear()

    def rss_mib(self) -> float:
        unique = {s.process.pid for s in self.servers.values()}
        return sum(rss_mib(pid) for pid in unique)

    def _spawn(
        self, command: list[str], log: Path, cpus: set[int] | None, env=None
    ) -> subprocess.Popen:
        with log.open("w") as out:
            return subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=env,
                preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
            )


class PythonTarget(Target):
    """One process serving every family, with the mock's default world."""

    def __init__(self, name: str, command: list[str], config: Path | None) -> None:
        super().__init__(name, stateful=True)
        self.command = command
        self.config = config

    def start(self, workdir: Path, cpus: set[int] | None) -> None:
        port = free_port()
        log = workdir / f"{self.name}.log"
        env = dict(os.environ)
        command = [part.format(port=port) for part in self.command]
        if self.config is not None:
            env["TICKETKIT_CONFIG"] = str(self.config)
        process = self._spawn(command, log, cpus, env)
        server = Server(process, f"http://127.0.0.1:{port}", log)
        wait_until_answering(server, "/__admin/health")
        self.servers = {family: server for family in SPEC_FILES}
        token = httpx.post(f"{server.url}/v3/auth/tokens", json=IAM_LOGIN).headers[
            "X-Subject-Token"
        ]
        huawei = {"Content-Type": JSON, "X-Auth-Token": token}
        self.headers = {
            "zstack": {"Content-Type": JSON, "Authorization": ZSTACK_AUTH},
            "coc": huawei,
            "osm": huawei,
        }


def mock_target(config: Path | None) -> PythonTarget:
    command = [sys.executable, "-m", "mockserver.cli", "serve", "--port", "{port}"]
    if config is not None:
        command += ["--config", str(config)]
    return PythonTarget("ticketkit", command, None)


def bare_target(config: Path | None) -> PythonTarget:
    command = [
        sys.executable, "-m", "uvicorn", "bench.bare:app",
        "--host", "127.0.0.1", "--port", "{port}", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    return PythonTarget("starlette", command, config)


class PrismTarget(Target):
    """One Prism process per spec, in static mode (answers are the specs' examples), silent.
    Prism serves a spec at its root, whatever path the spec's server url has."""

    def __init__(self, prism: str) -> None:
        super().__init__("prism", stateful=False)
        self.prism = prism

    def start(self, workdir: Path, cpus: set[int] | None) -> None:
        for family, spec_file in SPEC_FILES.items():
            port = free_port()
            log = workdir / f"prism-{family}.log"
            command = [
                self.prism, "mock", str(SPECS / spec_file),
                "--host", "127.0.0.1", "--port", str(port), "-v", "silent",
            ]  # fmt: skip
            process = self._spawn(command, log, cpus)
            self.servers[family] = Server(process, f"http://127.0.0.1:{port}", log)
        for server in self.servers.values():
            wait_until_answering(server, "/", timeout_s=60)
        any_token = {"Content-Type": JSON, "X-Auth-Token": "any-token"}
        self.headers = {
            "zstack": {"Content-Type": JSON, "Authorization": ZSTACK_AUTH},
            "coc": any_token,
            "osm": any_token,
        }


def find_prism(explicit: str | None) -> str | None:
    for candidate in (explicit, os.environ.get("PRISM"), shutil.which("prism")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def wait_until_answering(server: Server, path: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited; its log:\n{server.log.read_text()}")
        try:
            httpx.get(server.url + path, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{server.url} did not answer within {timeout_s} s")


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="ticketkit-bench-"))
