"""`ticketkit conform`: the conformance suites under pytest, from one command.

Exit status 0 only when nothing failed (pytest's own codes otherwise: 1 failures, 2 usage or
setup error, 5 nothing selected).
"""

import argparse
from pathlib import Path

import pytest

SUITES = Path(__file__).parent


def add_parser(commands: argparse._SubParsersAction) -> None:
    conform = commands.add_parser(
        "conform",
        help="check the mock or a deployment against the specs",
        description="Check the mock or a real deployment against the specs. Credentials come "
        "from TICKETKIT_ZSTACK_* / TICKETKIT_HUAWEI_* variables or --credentials (see README).",
    )
    conform.add_argument("--api", default="all", help="zstack, coc, osm, iam or all (comma list)")
    conform.add_argument("--target", default="mock", help="mock (in-process), or a base URL")
    conform.add_argument("--seed", type=int, help="seed of the generated data, to replay a run")
    conform.add_argument("--max-examples", type=int, default=25, help="cases per operation")
    conform.add_argument(
        "--phases", default="examples,coverage,fuzzing,stateful", help="comma list of phases"
    )
    conform.add_argument("--checks", default="all", help="comma list of check names, or all")
    conform.add_argument("--read-only", action="store_true", help="send queries (GET) only")
    conform.add_argument("--budget", type=int, help="most resources to create per API")
    conform.add_argument("--rate-limit", help="most requests, e.g. 10/s or 300/m")
    conform.add_argument(
        "--operation", action="append", help="only this operation (label or operationId)"
    )
    conform.add_argument("--credentials", help="YAML file with zstack: and huawei: sections")
    conform.add_argument("--iam-url", help="IAM endpoint for Huawei password logins")
    conform.add_argument("--mock-config", help="settings of the in-process mock (YAML)")
    conform.add_argument("--mock-app", help=argparse.SUPPRESS)
    conform.add_argument("--report-dir", help="write junit.xml and summary.md here")
    conform.add_argument("--run-id", help="tag of what the run creates (default: generated)")
    conform.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    conform.set_defaults(run=run)


def pytest_args(args: argparse.Namespace) -> list[str]:
    """The pytest command line that runs the suites as `args` ask."""
    argv = [
        str(SUITES),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:warnings",
        "-o",
        "addopts=",
        "-o",
        "testpaths=",
        "-o",
        "filterwarnings=",
        f"--rootdir={SUITES}",
        "-v" if args.verbose else "-q",
        "--api",
        args.api,
        "--target",
        args.target,
        "--max-examples",
        str(args.max_examples),
        "--phases",
        args.phases,
        "--checks",
        args.checks,
    ]
    for flag, value in [
        ("--seed", args.seed),
        ("--budget", args.budget),
        ("--rate-limit", args.rate_limit),
        ("--credentials", args.credentials),
        ("--iam-url", args.iam_url),
        ("--mock-config", args.mock_config),
        ("--mock-app", args.mock_app),
        ("--run-id", args.run_id),
    ]:
        if value is not None:
            argv += [flag, str(value)]
    for operation in args.operation or ():
        argv += ["--operation", operation]
    if args.read_only:
        argv.append("--read-only")
    if args.report_dir:
        report_dir = Path(args.report_dir)
        argv += ["--report-dir", str(report_dir), f"--junitxml={report_dir / 'junit.xml'}"]
    return argv


def run(args: argparse.Namespace) -> int:
    return int(pytest.main(pytest_args(args)))
