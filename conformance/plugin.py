"""The pytest side of the kit: its options, one session per API under test, the summary at the
end and the cleanup of what the run created.

`pytest conformance --target URL` and `ticketkit conform` both come through here.
"""

import datetime
import os
import random
import secrets
from pathlib import Path

import pytest
from schemathesis.checks import CHECKS, load_all_checks

from conformance import credentials as creds
from conformance.report import Report
from conformance.session import PHASES, ApiSession, Options
from conformance.target import APIS, Target, default_mock, load_factory

ENV_PREFIX = "TICKETKIT_"


class Run:
    """Everything one pytest session of the kit shares."""

    def __init__(self, config: pytest.Config) -> None:
        option = config.getoption
        self.apis = _apis(option("conform_api"))
        location = option("conform_target")
        factory = option("mock_app")
        self.target = Target(
            location,
            mock_config=Path(option("mock_config")) if option("mock_config") else None,
            mock_factory=load_factory(factory) if factory else default_mock,
            iam_url=option("iam_url"),
        )
        credentials_file = option("credentials")
        if self.target.is_mock and not credentials_file:
            self.credentials = creds.for_mock()
        else:
            self.credentials = creds.from_sources(
                Path(credentials_file) if credentials_file else None
            )
        for api in self.apis:
            (self.credentials.zstack if api == "zstack" else self.credentials.huawei).check()
        phases = tuple(p.strip() for p in option("phases").split(",") if p.strip())
        unknown = sorted(set(phases) - set(PHASES))
        if unknown:
            raise pytest.UsageError(f"--phases: unknown {unknown}; known: {', '.join(PHASES)}")
        checks = option("checks")
        self.options = Options(
            # A run without a seed gets one, so that any run can be replayed.
            seed=option("conform_seed") if option("conform_seed") is not None else _any_seed(),
            max_examples=option("max_examples"),
            phases=phases,
            checks=None if checks in (None, "all") else frozenset(checks.split(",")),
            read_only=option("read_only"),
            budget=option("budget"),
            rate_limit=option("rate_limit"),
            operations=tuple(option("operation") or ()),
            run_id=option("run_id") or _run_id(),
        )
        self.report_dir = Path(option("report_dir")) if option("report_dir") else None
        secrets = self.credentials.secrets()
        if self.target.is_mock and not credentials_file:
            # The mock's ZStack password is published ("password"); masking it would mask
            # the word everywhere.
            secrets = [s for s in secrets if s != self.credentials.zstack.password]
        self.report = Report(secrets=secrets, replay=_replay(self.options))
        self.sessions: dict[str, ApiSession] = {}

    def session(self, api: str) -> ApiSession:
        if api not in self.sessions:
            self.sessions[api] = ApiSession(
                api, self.target, self.credentials, self.options, self.report
            )
        return self.sessions[api]


_RUN: Run | None = None


def session(api: str) -> ApiSession:
    """The session of `api` in the running kit (for the suites' test modules)."""
    if _RUN is None:
        raise RuntimeError("the conformance suites run under pytest with conformance.plugin")
    return _RUN.session(api)


def _apis(value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    if "all" in names:
        return tuple(APIS)
    unknown = sorted(set(names) - set(APIS))
    if unknown or not names:
        raise pytest.UsageError(f"--api: unknown {unknown}; known: {', '.join(APIS)}, all")
    return names


def _any_seed() -> int:
    return random.randrange(2**31)


def _run_id() -> str:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    return f"tk-{stamp}-{secrets.token_hex(2)}"


def _replay(options: Options) -> str:
    return (
        f"run the same command with --seed {options.seed} (add --operation <label> for one "
        "operation)"
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ticketkit conformance")

    def add(name: str, dest: str, env: str, default=None, **kwargs) -> None:
        value = os.environ.get(ENV_PREFIX + env)
        if value is not None:
            default = kwargs["type"](value) if "type" in kwargs else value
        group.addoption(name, dest=dest, default=default, **kwargs)

    add("--target", "conform_target", "TARGET", "mock", help="mock, or the URL of a deployment")
    add("--api", "conform_api", "API", "all", help="zstack, coc, osm, iam or all (comma list)")
    add("--seed", "conform_seed", "SEED", None, type=int, help="seed of the generated data")
    add(
        "--max-examples",
        "max_examples",
        "MAX_EXAMPLES",
        25,
        type=int,
        help="generated cases per operation and phase",
    )
    add("--phases", "phases", "PHASES", ",".join(PHASES), help="comma list of " + ",".join(PHASES))
    add("--checks", "checks", "CHECKS", "all", help="comma list of check names, or all")
    group.addoption(
        "--read-only",
        action="store_true",
        default=False,
        help="send queries (GET) only: for shared systems",
    )
    add(
        "--budget",
        "budget",
        "BUDGET",
        None,
        type=int,
        help="most resources the run may create per API",
    )
    add("--rate-limit", "rate_limit", "RATE_LIMIT", None, help="e.g. 10/s or 300/m")
    group.addoption(
        "--operation",
        action="append",
        dest="operation",
        help="check only this operation (label or operationId); repeatable",
    )
    add(
        "--credentials",
        "credentials",
        "CREDENTIALS",
        None,
        help="YAML file with zstack: and huawei: credentials",
    )
    add(
        "--mock-config",
        "mock_config",
        "MOCK_CONFIG",
        None,
        help="settings of the in-process mock (as ticketkit serve --config)",
    )
    add(
        "--mock-app",
        "mock_app",
        "MOCK_APP",
        None,
        help="module:function building (mock, app) from a Config, checked in place of the mock",
    )
    add(
        "--iam-url",
        "iam_url",
        "IAM_URL",
        None,
        help="where Huawei password logins get their token (default: the target)",
    )
    add("--report-dir", "report_dir", "REPORT_DIR", None, help="write summary.md here")
    add("--run-id", "run_id", "RUN_ID", None, help="tag of what the run creates")


def pytest_configure(config: pytest.Config) -> None:
    global _RUN
    if config.getoption("conform_target", None) is None:
        return
    try:
        _RUN = Run(config)
    except (creds.CredentialsError, ValueError, OSError) as error:
        raise pytest.UsageError(str(error)) from error


def pytest_collection_finish(session: pytest.Session) -> None:
    wanted = _RUN.options.checks if _RUN is not None else None
    if not wanted:
        return
    load_all_checks()
    known = {check.__name__ for check in CHECKS.get_all()}
    for api_session in _RUN.sessions.values():
        known |= {check.__name__ for check in api_session.suite.checks}
    unknown = sorted(wanted - known)
    if unknown:
        pytest.exit(f"--checks: unknown {unknown}; known: {', '.join(sorted(known))}", 4)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    name = collection_path.name
    if _RUN is not None and name.startswith("test_") and name.endswith(".py"):
        return name[len("test_") : -len(".py")] not in _RUN.apis
    return None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _RUN is None:
        return
    for api_session in _RUN.sessions.values():
        api_session.clean_up()
    if _RUN.report_dir is not None:
        _RUN.report.write(_RUN.report_dir)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _RUN is None or not _RUN.report.results:
        return
    terminalreporter.write_line("")
    for line in _RUN.report.summary().splitlines():
        terminalreporter.write_line(line)
