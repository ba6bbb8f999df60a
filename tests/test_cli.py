"""`ticketkit serve` as a real process."""

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_AUTH

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ticketkit(*args: str, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mockserver.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ticketkit exited early: {process.communicate()[1]}")
        try:
            if httpx.get(f"{base_url}/__admin/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"ticketkit did not answer within {timeout_s} s")


@contextlib.contextmanager
def serving(*args: str) -> Iterator[str]:
    """`ticketkit serve` with `args` on a free port; yields its base URL, stops it after."""
    port = free_port()
    process = ticketkit("serve", "--port", str(port), "--log-level", "warning", *args)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture
def served(tmp_path):
    """A ticketkit server started from a config file; yields its base URL."""
    config = tmp_path / "ticketkit.yaml"
    config.write_text("seed: 7\nzstack:\n  api_timeout_ms: 4242\n", encoding="utf-8")
    with serving("--config", str(config)) as base_url:
        yield base_url


def test_serve_answers_the_health_check(served):
    reply = httpx.get(f"{served}/__admin/health")

    assert reply.status_code == 200
    assert reply.json()["apis"] == ["zstack", "iam", "osm", "coc"]


def test_serve_answers_a_zstack_call_with_the_configured_api_timeout(served):
    reply = httpx.put(
        f"{served}/zstack/v1/tickets/e9377476db3f375bbff78dc3b9204f00/actions",
        headers=ADMIN_AUTH,
        json={"changeTicketStatus": {"statusEvent": "approve"}},
    )

    assert reply.status_code == 202
    assert reply.json()["apiTimeout"] == 4242
    assert reply.json()["location"].startswith(f"{served}/zstack/v1/api-jobs/")


@pytest.mark.parametrize(
    ("text", "key"),
    [("port: 8080\ncolour: blue\n", "colour"), ("zstack:\n  job_polls: 3\n", "job_polls")],
    ids=["top-level", "nested"],
)
def test_a_config_with_an_unknown_key_exits_2_naming_the_key(tmp_path, text, key):
    config = tmp_path / "bad.yaml"
    config.write_text(text, encoding="utf-8")

    process = ticketkit("serve", "--port", str(free_port()), "--config", str(config))
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 2
    assert key in stderr
