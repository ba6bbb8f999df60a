"""The conformance kit catches a broken mock.

Each variant of tests/broken_mocks.py breaks one promise of the specs. `ticketkit conform`,
limited to the API, phases and operations that reach the break, must fail the operation that
shows it, with the check that guards the promise. The same command against the real mock must
pass clean, so that every failure is the break's and not the kit's.

The runs are short and seeded: seed 1, or another one from BREAKS_SEED.
"""

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_conform_cli import conform

SEED = int(os.environ.get("BREAKS_SEED", "1"))
MAX_EXAMPLES = 2
# A line of summary.md: "- FAIL  osm    `DELETE /accessorys/{accessory_id}`  (92 cases, ...)".
OPERATION_LINE = re.compile(
    r"^- (?P<verdict>FAIL|pass)\s+(?P<api>\S+)\s+`(?P<operation>[^`]+)`\s+"
    r"\((?P<cases>\d+) cases, (?P<detail>.*)\)$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Command:
    """The part of a `ticketkit conform` command line that picks what is checked."""

    name: str
    api: str
    phases: str
    operations: tuple[str, ...]

    def args(self) -> list[str]:
        args = ["--api", self.api, "--phases", self.phases]
        for operation in self.operations:
            args += ["--operation", operation]
        return args


# Examples only: the spec's example login is a valid one, and answers 201.
IAM_LOGIN = Command("iam-login", "iam", "examples", ("keystoneCreateUserTokenByPassword",))
# A signed look-up without parameters: every generated case is a valid, signed call.
IAM_SIGNED_LOOKUP = Command("iam-signed-lookup", "iam", "fuzzing", ("keystoneListAuthDomains",))
# The spec's example ticket is one the default scenario's admin may create.
ZSTACK_CREATE = Command("zstack-create", "zstack", "examples", ("createTicket",))
# COC starts empty: a generated ticket id is unknown, and gets COC's 404 error envelope.
COC_UNKNOWN_TICKET = Command("coc-unknown-ticket", "coc", "fuzzing", ("showTicketInfo",))
# The stateful phase walks each API's transition table from the spec's example resource (create,
# events allowed and refused, delete), whatever operations are picked. A single operation has no
# link to another picked one, so the kit skips its slow random stateful workflow: only the walk
# runs.
OSM_CASE_ACTIONS = Command("osm-case-actions", "osm", "stateful", ("updateCases",))
ZSTACK_DELETE = Command("zstack-delete", "zstack", "stateful", ("deleteTicket",))
OSM_ACCESSORY_DELETE = Command("osm-accessory-delete", "osm", "stateful", ("deleteAccessories",))


@dataclass(frozen=True)
class Break:
    variant: str  # a function of tests/broken_mocks.py
    command: Command
    operation: str  # the label summary.md reports it under
    check: str  # the check that must fail there


BREAKS = {
    "answers_a_login_with_200_instead_of_201": Break(
        "wrong_status", IAM_LOGIN, "POST /auth/tokens", "status_code_conformance"
    ),
    "drops_the_required_expiry_of_a_token": Break(
        "missing_required_field", IAM_LOGIN, "POST /auth/tokens", "response_schema_conformance"
    ),
    "wraps_coc_errors_in_another_envelope": Break(
        "wrong_envelope",
        COC_UNKNOWN_TICKET,
        "GET /v1/{ticket_type}/tickets/{ticket_id}",
        "response_schema_conformance",
    ),
    "takes_a_zstack_call_without_session_as_the_admin": Break(
        "auth_ignored", ZSTACK_CREATE, "POST /tickets", "session_enforced"
    ),
    "lets_a_customer_close_an_osm_case_nobody_took": Break(
        "illegal_transition_allowed",
        OSM_CASE_ACTIONS,
        "POST /cases/{case_id}/action",
        "case_action_follows_lifecycle",
    ),
    "keeps_a_ticket_it_says_it_deleted": Break(
        "delete_keeps_record", ZSTACK_DELETE, "DELETE /tickets/{uuid}", "deleted_ticket_is_gone"
    ),
    "keeps_an_accessory_it_says_it_deleted": Break(
        "accessory_delete_keeps_record",
        OSM_ACCESSORY_DELETE,
        "DELETE /accessorys/{accessory_id}",
        "deleted_accessory_is_gone",
    ),
    "stores_nothing_for_a_ticket_it_says_it_created": Break(
        "create_does_not_store", ZSTACK_CREATE, "POST /tickets", "created_ticket_is_stored"
    ),
    "sends_json_as_text_plain": Break(
        "wrong_content_type", IAM_LOGIN, "POST /auth/tokens", "content_type_conformance"
    ),
    "never_finishes_a_zstack_job": Break(
        "job_never_finishes", ZSTACK_CREATE, "POST /tickets", "job_resolves"
    ),
    "accepts_any_ak_sk_signature": Break(
        "any_signature_accepted", IAM_SIGNED_LOOKUP, "GET /auth/domains", "signature_enforced"
    ),
}
COMMANDS = {b.command.name: b.command for b in BREAKS.values()}


def run_kit(command: Command, report_dir: Path, mock_app: str | None = None):
    """`ticketkit conform` on the in-process mock (or `mock_app`), as a subprocess."""
    args = [
        *command.args(),
        "--target", "mock",
        "--seed", str(SEED),
        "--max-examples", str(MAX_EXAMPLES),
        "--report-dir", str(report_dir),
    ]
    if mock_app is not None:
        args += ["--mock-app", f"tests.broken_mocks:{mock_app}"]
    return conform(*args)


def operations(summary: str) -> dict[tuple[str, str], dict[str, str]]:
    """(api, operation label) → its verdict and detail, from summary.md."""
    return {(m["api"], m["operation"]): m.groupdict() for m in OPERATION_LINE.finditer(summary)}


def output(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"


@pytest.mark.parametrize("broken", BREAKS.values(), ids=BREAKS.keys())
def test_conform_fails_the_mock_that(broken: Break, tmp_path: Path):
    result = run_kit(broken.command, tmp_path, mock_app=broken.variant)

    assert result.returncode == 1, output(result)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    line = operations(summary).get((broken.command.api, broken.operation))
    assert line is not None, f"{broken.operation} is not in the summary:\n{summary}"
    assert line["verdict"] == "FAIL", summary
    failed = line["detail"].removeprefix("failed: ").split(", ")
    assert broken.check in failed, f"{broken.check} is not among {failed}:\n{summary}"


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_conform_passes_the_real_mock_clean_with_the_same_command(command: Command, tmp_path: Path):
    result = run_kit(command, tmp_path)

    assert result.returncode == 0, output(result)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "FAIL" not in summary and "no failures" in summary, summary
    found = operations(summary)
    # The clean verdict covers every operation where a variant is caught with this command.
    for broken in BREAKS.values():
        if broken.command == command:
            line = found.get((command.api, broken.operation))
            assert line is not None and line["verdict"] == "pass", summary
