"""What a run found, per API, operation and check: how many cases each check judged, and each
failure with what was expected, what came back, the failing request as curl (secrets masked)
and how to replay it. Printed at the end of a run and written as Markdown."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

MASK = "[masked]"


@dataclass
class Outcome:
    passed: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class Report:
    secrets: list[str]
    replay: str
    results: dict[tuple[str, str, str], Outcome] = field(
        default_factory=lambda: defaultdict(Outcome)
    )
    skipped: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    # API → (undone, [what could not be undone])
    cleanups: dict[str, tuple[int, list[str]]] = field(default_factory=dict)

    def mask(self, text: str) -> str:
        for secret in sorted(set(self.secrets), key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def passed(self, api: str, operation: str, check: str) -> None:
        self.results[(api, operation, check)].passed += 1

    def failed(self, api: str, operation: str, check: str, detail: str) -> None:
        failures = self.results[(api, operation, check)].failures
        detail = self.mask(detail)
        if detail not in failures:
            failures.append(detail)

    def skip(self, api: str, why: str) -> None:
        self.skipped[(api, why)] += 1

    def cleaned(self, api: str, undone: int, left: list[str]) -> None:
        self.cleanups[api] = (undone, left)

    def operations(self) -> dict[tuple[str, str], dict[str, Outcome]]:
        grouped: dict[tuple[str, str], dict[str, Outcome]] = defaultdict(dict)
        for (api, operation, check), outcome in sorted(self.results.items()):
            grouped[(api, operation)][check] = outcome
        return grouped

    @property
    def failed_checks(self) -> list[tuple[str, str, str]]:
        return [key for key, outcome in sorted(self.results.items()) if outcome.failures]

    def _lines(self, code: str = "") -> list[str]:
        lines = []
        for (api, operation), checks in self.operations().items():
            failing = [name for name, outcome in checks.items() if outcome.failures]
            cases = max(outcome.passed + len(outcome.failures) for outcome in checks.values())
            verdict = "FAIL" if failing else "pass"
            detail = f"failed: {', '.join(failing)}" if failing else f"{len(checks)} checks"
            lines.append(f"{verdict}  {api:6} {code}{operation}{code}  ({cases} cases, {detail})")
        for (api, why), count in sorted(self.skipped.items()):
            lines.append(f"skipped  {api}: {count} calls ({why})")
        for api, (undone, left) in sorted(self.cleanups.items()):
            lines.append(f"cleanup  {api}: {undone} undone, {len(left)} left")
            lines += [f"  left: {label}" for label in left]
        return lines

    def summary(self) -> str:
        """The human summary: a line per operation, then each failure in full."""
        lines = ["ticketkit conformance summary", *self._lines()]
        for api, operation, check in self.failed_checks:
            for detail in self.results[(api, operation, check)].failures:
                lines += ["", f"--- {api} {operation}: {check}", detail.rstrip()]
        lines += ["", self._verdict()]
        return "\n".join(lines)

    def _verdict(self) -> str:
        total = len(self.failed_checks)
        if not total:
            return "no failures"
        return f"{total} failing operation/check pairs. Replay: {self.replay}"

    def markdown(self) -> str:
        parts = ["# Conformance summary", "", *(f"- {line}" for line in self._lines("`"))]
        for api, operation, check in self.failed_checks:
            for detail in self.results[(api, operation, check)].failures:
                parts += ["", f"## {api} `{operation}`: {check}", "", "```", detail.rstrip(), "```"]
        parts += ["", self._verdict()]
        return "\n".join(parts) + "\n"

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "summary.md"
        path.write_text(self.markdown(), encoding="utf-8")
        return path
