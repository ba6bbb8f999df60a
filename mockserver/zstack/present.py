"""How ZStack prints inventories: dates in its own format, fields without a value left out."""

from typing import Any

from mockserver.zstack.dates import format_date

DATE_FIELDS = frozenset({"createDate", "lastOpDate", "expiredDate"})
# Free-form content the caller sent is echoed untouched.
VERBATIM_FIELDS = frozenset({"apiBody"})
CONTAINERS = frozenset({dict, list})

# The server classes ZStack names in a query reply's `schema` (our best reading of its SDK).
INVENTORY_CLASSES = {
    "ticket": "org.zstack.ticket.entity.TicketInventory",
    "history": "org.zstack.ticket.entity.TicketStatusHistoryInventory",
    "archive_ticket": "org.zstack.ticket.entity.ArchiveTicketInventory",
    "archive_history": "org.zstack.ticket.entity.ArchiveTicketStatusHistoryInventory",
    "flow_collection": "org.zstack.ticket.iam2.entity.IAM2TicketFlowCollectionInventory",
    "flow": "org.zstack.ticket.iam2.entity.IAM2TicketFlowInventory",
    "ticket_type": "org.zstack.ticket.entity.TicketTypeInventory",
}


def present(value: Any) -> Any:
    # Records are JSON's plain dicts and lists: only those are walked into.
    kind = type(value)
    if kind is dict:
        shown = {}
        for key, item in value.items():
            if item is None:
                continue
            if key in DATE_FIELDS and isinstance(item, int | float):
                shown[key] = format_date(int(item))
            elif type(item) in CONTAINERS and key not in VERBATIM_FIELDS:
                shown[key] = present(item)
            else:
                shown[key] = item
        return shown
    if kind is list:
        return [present(item) for item in value]
    return value


def query_reply(
    kind: str, page: list[dict], total: int | None, *, count: bool, reply_with_count: bool
) -> dict[str, Any]:
    """A query's reply; `total` is needed only with `count` or `reply_with_count`."""
    if count:
        return {"total": total}
    reply: dict[str, Any] = {"inventories": present(page)}
    if reply_with_count:
        reply["total"] = total
    reply["schema"] = {f"inventories[{i}]": INVENTORY_CLASSES[kind] for i in range(len(page))}
    return reply


def session_inventory(session: dict[str, Any]) -> dict[str, Any]:
    return present({k: v for k, v in session.items() if k != "projectUuid"})
