"""ZStack's query grammar (`q`, `limit`, `start`, `count`, `replyWithCount`, `sort`, `fields`)
applied to inventories.

Inventories here still hold dates as epoch milliseconds; which fields are dates, numbers or
booleans decides how a condition's text value is compared.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from mockserver.zstack.dates import parse_date
from mockserver.zstack.errors import InvalidArgument

DATE_FIELDS = frozenset({"createDate", "lastOpDate"})
# Operators in the order ZStack's REST server tries them, so `!=` is not read as `=`.
OPERATORS = ("!=", ">=", "<=", "!?=", "!~=", "~=", "?=", "=", ">", "<")
DEFAULT_LIMIT = 1000

_NULL_TEST = re.compile(r"^(?P<field>[\w.]+) (?P<test>is null|not null)$")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str

    def holds(self, inventory: dict[str, Any]) -> bool:
        values = _values_at(inventory, self.field)
        if self.op == "is null":
            return not values
        if self.op == "not null":
            return bool(values)
        if self.op in ("!=", "!?=", "!~="):
            positive = Condition(self.field, self.op[1:], self.value)
            return not positive.holds(inventory)
        return any(self._matches(value) for value in values)

    def _matches(self, actual: Any) -> bool:
        if self.op == "?=":
            return any(_equal(actual, item, self.field) for item in self.value.split(","))
        if self.op == "~=":
            return _like(self.value).fullmatch(str(_text(actual))) is not None
        if self.op == "=":
            return _equal(actual, self.value, self.field)
        wanted = _coerce(self.value, actual, self.field)
        if wanted is None or isinstance(actual, bool | dict | list):
            return False
        try:
            return {
                ">": actual > wanted,
                "<": actual < wanted,
                ">=": actual >= wanted,
                "<=": actual <= wanted,
            }[self.op]
        except TypeError:
            return False


def parse_condition(text: str) -> Condition:
    null_test = _NULL_TEST.match(text)
    if null_test:
        return Condition(null_test["field"], null_test["test"], "")
    for op in OPERATORS:
        field, found, value = text.partition(op)
        if found and field:
            return Condition(field, op, value)
    raise InvalidArgument(f"cannot read the query condition {text!r}")


def _values_at(inventory: dict[str, Any], path: str) -> list[Any]:
    """Every value at a dotted path; lists along the way fan out (`flows.approverUuid`)."""
    current: list[Any] = [inventory]
    for part in path.split("."):
        following = []
        for value in current:
            items = value if isinstance(value, list) else [value]
            following.extend(
                item[part]
                for item in items
                if isinstance(item, dict) and item.get(part) is not None
            )
        current = following
    return current


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _coerce(text: str, like: Any, field: str) -> Any:
    if field.rsplit(".", 1)[-1] in DATE_FIELDS:
        return parse_date(text)
    if isinstance(like, bool):
        return {"true": True, "false": False}.get(text.lower())
    if isinstance(like, int | float):
        try:
            return float(text)
        except ValueError:
            return None
    return text


def _equal(actual: Any, text: str, field: str) -> bool:
    wanted = _coerce(text, actual, field)
    return wanted is not None and actual == wanted


def _like(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


@dataclass
class Query:
    conditions: list[Condition]
    limit: int = DEFAULT_LIMIT
    start: int = 0
    count: bool = False
    reply_with_count: bool = False
    sort: str | None = None
    fields: list[str] | None = None

    @classmethod
    def from_params(
        cls,
        q: Iterable[str] | None = None,
        limit: int | None = None,
        start: int | None = None,
        count: bool | None = None,
        replyWithCount: bool | None = None,  # noqa: N803 - ZStack's parameter name
        sort: str | None = None,
        fields: str | None = None,
    ) -> "Query":
        return cls(
            conditions=[parse_condition(text) for text in q or ()],
            limit=DEFAULT_LIMIT if limit is None else limit,
            start=start or 0,
            count=bool(count),
            reply_with_count=bool(replyWithCount),
            sort=sort,
            fields=fields.split(",") if fields else None,
        )

    def equalities(self) -> list[tuple[str, str]]:
        """The `field=value` conditions, which a backend may answer from an index."""
        return [(c.field, c.value) for c in self.conditions if c.op == "="]

    def answer(
        self, inventories: Iterable[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], int | None]:
        """What the reply shows: the page, and how many matched in all when it says so (else
        None). Unsorted and without a total, matching stops at the page's last inventory."""
        if self.sort or self.count or self.reply_with_count:
            return self.run(inventories)
        matching = (inv for inv in inventories if self._holds(inv))
        return self._shown(list(islice(matching, self.start, self.start + self.limit))), None

    def run(self, inventories: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """The page of matching inventories, and how many matched in all."""
        matching = [inv for inv in inventories if self._holds(inv)]
        if self.sort:
            descending = self.sort.startswith("-")
            field = self.sort.lstrip("+-")

            def key(inventory: dict[str, Any]) -> tuple:
                values = _values_at(inventory, field)
                return (not values, values[0] if values else 0)

            present = [inv for inv in matching if _values_at(inv, field)]
            absent = [inv for inv in matching if not _values_at(inv, field)]
            try:
                present.sort(key=key, reverse=descending)
            except TypeError:
                present.sort(key=lambda inv: str(key(inv)), reverse=descending)
            matching = present + absent
        return self._shown(matching[self.start : self.start + self.limit]), len(matching)

    def _holds(self, inventory: dict[str, Any]) -> bool:
        return all(c.holds(inventory) for c in self.conditions)

    def _shown(self, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.fields:
            return [{k: v for k, v in inv.items() if k in self.fields} for inv in page]
        return page
