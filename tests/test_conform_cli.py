"""`ticketkit conform` as a QA engineer runs it: against a served mock at a URL, as against a
real deployment, with credentials from the environment."""

import os
import subprocess
import sys

import httpx

from tests.conftest import ADMIN_AUTH
from tests.huawei_helpers import DOMAIN_NAME, PASSWORD, SK, USER_NAME
from tests.test_cli import ROOT, serving

RUN_ID = "tk-test-run"


def conform(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`ticketkit conform` as a subprocess, with no TICKETKIT_* or PYTEST_* settings inherited."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TICKETKIT_", "PYTEST_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "conform", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment | (env or {}) | {"PYTHONDONTWRITEBYTECODE": "1"},
        timeout=600,
    )


ZSTACK_ADMIN = {"TICKETKIT_ZSTACK_ACCOUNT": "admin", "TICKETKIT_ZSTACK_PASSWORD": "password"}
HUAWEI_USER = {
    "TICKETKIT_HUAWEI_USER": USER_NAME,
    "TICKETKIT_HUAWEI_PASSWORD": PASSWORD,
    "TICKETKIT_HUAWEI_DOMAIN": DOMAIN_NAME,
}


def tickets(base_url: str, path: str) -> list[dict]:
    reply = httpx.get(f"{base_url}/zstack/v1/{path}", headers=ADMIN_AUTH, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["inventories"]


def test_a_read_only_run_sends_only_queries_and_finds_the_served_mock_conformant(tmp_path):
    with serving() as base_url:
        before = tickets(base_url, "tickets")
        result = conform(
            "--api", "zstack", "--target", base_url, "--read-only", "--seed", "1",
            "--max-examples", "3", "--report-dir", str(tmp_path), env=ZSTACK_ADMIN,
        )
        after = tickets(base_url, "tickets")
    assert result.returncode == 0, result.stdout[-3000:]
    summary = (tmp_path / "summary.md").read_text()
    assert "`GET /tickets`" in summary and "FAIL" not in summary
    assert "`POST /tickets`" not in summary and "`DELETE" not in summary
    assert after == before
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")


def test_a_run_creates_no_more_than_its_budget_tags_them_and_cleans_them_up(tmp_path):
    with serving() as base_url:
        result = conform(
            "--api", "zstack", "--target", base_url, "--operation", "createTicket",
            "--phases", "examples,fuzzing", "--budget", "2", "--max-examples", "10",
            "--seed", "1", "--run-id", RUN_ID, "--report-dir", str(tmp_path), env=ZSTACK_ADMIN,
        )
        live = [t for t in tickets(base_url, "tickets") if RUN_ID in t["name"]]
        archived = [t for t in tickets(base_url, "tickets/archives") if RUN_ID in t["name"]]
    assert result.returncode == 0, result.stdout[-3000:]
    assert live == []
    assert 1 <= len(archived) <= 2
    summary = (tmp_path / "summary.md").read_text()
    assert "the budget of created resources was spent" in summary
    assert f"cleanup  zstack: {len(archived)} undone, 0 left" in summary


def test_secrets_of_the_credentials_never_appear_in_output_or_reports(tmp_path):
    with serving() as base_url:
        result = conform(
            "--api", "osm", "--target", base_url, "--read-only", "--seed", "1",
            "--max-examples", "2", "--phases", "examples", "--report-dir", str(tmp_path),
            env=HUAWEI_USER | {"TICKETKIT_HUAWEI_SK": SK},
        )
    assert result.returncode == 0, result.stdout[-3000:]
    outputs = [
        result.stdout,
        result.stderr,
        (tmp_path / "summary.md").read_text(),
        (tmp_path / "junit.xml").read_text(),
    ]
    for text in outputs:
        assert PASSWORD not in text and SK not in text


def test_a_url_target_without_credentials_is_refused_with_the_variables_to_set():
    result = conform("--api", "coc", "--target", "http://127.0.0.1:9")
    assert result.returncode == 4
    assert "TICKETKIT_HUAWEI_AK" in result.stdout + result.stderr


def test_an_unknown_api_is_refused_with_the_known_ones():
    result = conform("--api", "jira")
    assert result.returncode == 4
    assert "zstack, coc, osm, iam, all" in result.stdout + result.stderr
