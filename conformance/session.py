"""One API under test: its schema on the target, its credentials, its suite, and the one way
every case is sent and judged, from the parametrized tests and the stateful workflows alike."""

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, seed, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import Case
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.errors import NoLinksFound
from schemathesis.core.transport import Response
from schemathesis.engine import Status
from schemathesis.specs.openapi.checks import unsupported_method

from conformance.auth import AkSkMark, AkSkSigner, HuaweiToken, ZStackSession
from conformance.credentials import Credentials
from conformance.report import Report
from conformance.suite import Suite, operation_id
from conformance.target import Target
from conformance.walks import WALKS

PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass
class Options:
    seed: int | None = None
    max_examples: int = 25
    phases: tuple[str, ...] = PHASES
    # Names of the checks to run; None: all of them.
    checks: frozenset[str] | None = None
    read_only: bool = False
    # Most resources a run may create per API; None: no limit.
    budget: int | None = None
    # Requests per second, e.g. "10/s" or "100/m"; None: as fast as the target answers.
    rate_limit: str | None = None
    # Operations to check, by label ("GET /cases") or operationId; empty: all.
    operations: tuple[str, ...] = ()
    run_id: str = "ticketkit"
    stateful_examples: int = 30
    stateful_steps: int = 6

    def hypothesis_settings(self, *, stateful: bool = False) -> settings:
        if stateful:
            return settings(
                max_examples=self.stateful_examples,
                stateful_step_count=self.stateful_steps,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
        return settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))


@dataclass
class ApiSession:
    api: str
    target: Target
    credentials: Credentials
    options: Options
    report: Report
    suite: Suite = field(init=False)
    schema: Any = field(init=False)
    transport: dict[str, Any] = field(init=False, default_factory=dict)
    before: dict[str, Any] = field(init=False, default_factory=dict)
    created: int = field(init=False, default=0)
    undo: list[tuple[str, Any]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        from conformance.suites import build_suite

        self.schema = self._load_schema()
        self.provider = provider = self._provider()
        provider.on_obtained = self.report.secrets.append

        class Provider:  # schemathesis instantiates the class it is given
            def get(self, case: Case, ctx: Any) -> str:
                return provider.get(case, ctx)

            def set(self, case: Case, data: str, ctx: Any) -> None:
                provider.set(case, data, ctx)

        self.schema.auth(refresh_interval=None)(Provider)
        self.schema.hooks.hook(self._after_validate_hook())
        self.suite = build_suite(self)
        self._select_checks()

    def _load_schema(self) -> Any:
        schema = self.target.schema(self.api)
        options = self.options
        schema.config.generation.update(max_examples=options.max_examples)
        if options.rate_limit:
            schema.config.update(rate_limit=options.rate_limit)
        for name in ("examples", "coverage", "fuzzing"):
            getattr(schema.config.phases, name).enabled = name in options.phases
        if options.read_only:
            schema = schema.include(method="GET")
        if options.operations:
            wanted = set(options.operations)
            schema = schema.include(
                func=lambda ctx: (
                    ctx.operation.label in wanted
                    or ctx.operation.definition.raw.get("operationId") in wanted
                )
            )
        return schema

    def _provider(self) -> Any:
        if self.api == "zstack":
            self.credentials.zstack.check()
            return ZStackSession(self.credentials.zstack, self.schema)
        self.credentials.huawei.check()
        huawei = self.credentials.huawei
        if huawei.ak and huawei.sk:
            self.transport = {"auth": AkSkSigner(huawei.ak, huawei.sk, huawei.domain_id)}
            return AkSkMark()
        return HuaweiToken(huawei, self.target.iam_schema())

    # --- sending -----------------------------------------------------------------------

    def case(self, method: str, path: str, **parts: Any) -> Case:
        """A case of the kit's own, with the session's credentials."""
        case = self.schema[path][method].Case(**parts)
        self.provider.set(case, self.provider.get(case, None), None)
        return case

    def send(self, method: str, path: str, **parts: Any) -> Response:
        """A request of the kit's own (a read before or after a call, an undo)."""
        return self.case(method, path, **parts).call(**self.transport)

    def example(self, method: str, path: str) -> Any:
        """The JSON request body the spec gives as this operation's example."""
        content = self.schema[path][method].definition.raw["requestBody"]["content"]
        return copy.deepcopy(content["application/json"]["example"])

    def prepare(self, case: Case, *, stateful: bool) -> bool:
        """Budget, tag and observe a case about to be sent; False when it must not be sent."""
        creates = operation_id(case) in self.suite.creates
        if creates and self.options.budget is not None and self.created >= self.options.budget:
            self.report.skip(self.api, "the budget of created resources was spent")
            if stateful:
                assume(False)
            return False
        if creates:
            self.created += 1
            self._tag(case)
        observer = self.suite.observers.get(operation_id(case))
        if observer is not None and case.method.upper() == case.operation.method.upper():
            self.before[case.id] = observer(case)
        return True

    def finish(self, case: Case, response: Response) -> None:
        cleanup = self.suite.creates.get(operation_id(case))
        if cleanup is not None and 200 <= response.status_code < 300:
            undo = cleanup(case, response)
            if undo is not None:
                self.undo.append(undo)

    def check(self, case: Case) -> Response | None:
        """Sends a case and judges the answer (None: not sent, see `prepare`)."""
        if not self.prepare(case, stateful=False):
            return None
        response = case.call(**self.transport)
        self.finish(case, response)
        self.validate(case, response)
        return response

    def _select_checks(self) -> None:
        """The vendor checks to add and the generic ones to leave out, whatever the case."""
        self.additional = list(self.suite.checks)
        self.unselected = [unsupported_method] if self.options.read_only else []
        wanted = self.options.checks
        if wanted is not None:
            load_all_checks()
            self.unselected += [
                c for c in CHECKS.get_all() if callable(c) and c.__name__ not in wanted
            ]
            self.additional = [c for c in self.additional if c.__name__ in wanted]

    def validate(self, case: Case, response: Response) -> None:
        case.validate_response(
            response,
            additional_checks=self.additional,
            excluded_checks=[*self.suite.replaced(case), *self.unselected],
            transport_kwargs=self.transport or None,
        )

    def _after_validate_hook(self):
        def after_validate(context, case, response, results) -> None:
            label = case.operation.label
            for result in results:
                if result.status == Status.SUCCESS:
                    self.report.passed(self.api, label, result.name)
                elif result.failure is not None:
                    curl = case.as_curl_command(headers=dict(response.request.headers))
                    detail = (
                        f"{result.failure.title}\n{result.failure.message}\n"
                        f"answered: {response.status_code} {response.text[:300]}\n"
                        f"request:\n  {curl}"
                    )
                    self.report.failed(self.api, label, result.name, detail)

        return after_validate

    def _tag(self, case: Case) -> None:
        """Puts the run id in front of the text field that carries it, if it still fits."""
        tag = self.suite.tags.get(operation_id(case))
        if tag is None or not isinstance(case.body, dict):
            return
        path, longest = tag
        body = copy.deepcopy(case.body)
        holder = body
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        text = holder.get(path[-1]) if isinstance(holder, dict) else None
        if not isinstance(text, str):
            return
        marked = f"[{self.options.run_id}] {text}".strip()
        if len(marked) <= longest:
            holder[path[-1]] = marked
            case.body = body

    # --- end of run -------------------------------------------------------------------

    def clean_up(self) -> None:
        """Undoes everything the run created (cancel, close, delete), newest first; what
        could not be undone is reported, with the run id its texts carry."""
        undone, left = 0, []
        while self.undo:
            label, undo = self.undo.pop()
            try:
                done, outcome = undo()
            except Exception as error:  # a cleanup failure must not hide the run's verdict
                done, outcome = False, str(error)
            if done:
                undone += 1
            else:
                left.append(f"{label} ({outcome}; tagged {self.options.run_id})")
        if undone or left:
            self.report.cleaned(self.api, undone, left)

    def tests(self) -> tuple[Any, Any, Any]:
        """The pytest tests of this API: generated cases of every operation, the stateful
        workflow and the walk through the transition table (None when the stateful phase
        is not run)."""

        @self.schema.parametrize()
        @self.options.hypothesis_settings()
        def test_operation(case: Case) -> None:
            self.check(case)

        if self.options.seed is not None:
            test_operation = seed(self.options.seed)(test_operation)
        stateful = "stateful" in self.options.phases and not self.options.read_only
        if not stateful:
            return test_operation, None, None

        def test_lifecycle() -> None:
            """Walks the API's transition table: each event from statuses that allow it and
            from statuses that do not, every step judged by every check."""
            WALKS[self.api](self)

        return test_operation, self.workflow(), test_lifecycle if self.api in WALKS else None

    def workflow(self):
        """The schemathesis stateful test of this API, sending and judging as `check` does."""
        session = self

        class Workflow(self.schema.as_state_machine()):
            def setup(self):
                if session.target.is_mock:
                    # A fresh world for each scenario: nothing of the last one is left to undo.
                    session.target.reset()
                    session.undo.clear()
                    session.provider.forget()

            def before_call(self, case):
                session.prepare(case, stateful=True)

            def get_call_kwargs(self, case):
                return dict(session.transport)

            def after_call(self, response, case):
                session.finish(case, response)

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                session.validate(case, response)

        if self.options.seed is not None:
            Workflow._hypothesis_internal_use_seed = self.options.seed

        def test_workflow() -> None:
            """Stateful scenarios along the links of the spec."""
            try:
                run_state_machine_as_test(
                    Workflow, settings=self.options.hypothesis_settings(stateful=True)
                )
            except NoLinksFound:
                pytest.skip("no links between the selected operations")

        return test_workflow
