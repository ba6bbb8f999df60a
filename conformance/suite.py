"""What each API's suite adds to schemathesis: vendor checks, the generic checks they stand in
for, the state to read before a call, and how to undo and tag what a call creates."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from schemathesis import Case
from schemathesis.core.transport import Response

Check = Callable[..., bool | None]
# Reads what a behaviour check needs to know before the call (e.g. a ticket's status).
Observer = Callable[[Case], Any]
# Undoes what a successful call created: a label for the report and the undo itself.
Cleanup = Callable[[Case, Response], tuple[str, Callable[[], Any]] | None]


@dataclass
class Suite:
    api: str
    checks: list[Check] = field(default_factory=list)
    # The generic checks whose premise the vendor's documented behaviour contradicts for this
    # case; a vendor check in `checks` tests the same promise the vendor's way.
    replaced: Callable[[Case], list[Check]] = lambda case: []
    observers: dict[str, Observer] = field(default_factory=dict)
    # operationId → undo of what it created.
    creates: dict[str, Cleanup] = field(default_factory=dict)
    # operationId → (body path, longest text) of a text field that carries the run id.
    tags: dict[str, tuple[tuple[str, ...], int]] = field(default_factory=dict)


def operation_id(case: Case) -> str:
    return case.operation.definition.raw.get("operationId", "")


def json_body(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
