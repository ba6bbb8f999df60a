"""Seeds a ZStack backend from the `zstack` part of a scenario file.

Tickets are created and moved through the model itself, so their histories are what the same
calls over HTTP would have written. A ticket's `events` are ChangeTicketStatus calls, in order:

    events:
      - {event: reject, by: approver1, comment: please use a smaller offering}
      - {event: reopen, by: requester, wait: 3600}   # wait: seconds the clock moves on first
      - {delete: Permissive, by: requester}          # DeleteTicket: the ticket goes to the archive

`by` and a ticket's `requester` name an account or a virtual ID of the scenario; a ticket's
`uuid` is optional. Whatever the model refuses raises ScenarioError naming the entry.
"""

from typing import Any

from mockserver.seeding import ScenarioError, check_keys, entries, wait
from mockserver.zstack.errors import ZStackError
from mockserver.zstack.models import (
    ACCOUNT,
    NEVER_EXPIRES_MS,
    TRANSITIONS,
    VIRTUAL_ID,
    Actor,
    ZStackBackend,
    hash_password,
)

EVENTS = tuple(event for event in TRANSITIONS if event != "open")
DELETE_MODES = ("Permissive", "Enforcing")


def seed(backend: ZStackBackend, data: dict[str, Any]) -> None:
    now = backend.now_ms()
    stamp = {"createDate": now, "lastOpDate": now}
    for where, account in entries(data, "accounts", "zstack"):
        check_keys(account, where, ("uuid", "name", "password"), ("admin",))
        backend.accounts.put(
            account["uuid"],
            {
                "uuid": account["uuid"],
                "name": account["name"],
                "password": hash_password(account["password"]),
                "admin": account.get("admin", False),
                **stamp,
            },
        )
    for where, project in entries(data, "projects", "zstack"):
        check_keys(project, where, ("uuid", "name", "linkedAccountUuid"), ("description",))
        backend.projects.put(project["uuid"], {**project, **stamp})
    for where, virtual_id in entries(data, "virtualIds", "zstack"):
        check_keys(virtual_id, where, ("uuid", "name", "password"), ("projects",))
        backend.virtual_ids.put(
            virtual_id["uuid"],
            {
                "uuid": virtual_id["uuid"],
                "name": virtual_id["name"],
                "password": hash_password(virtual_id["password"]),
                "projectUuids": virtual_id.get("projects", []),
                **stamp,
            },
        )
    for where, ticket_type in entries(data, "ticketTypes", "zstack"):
        check_keys(ticket_type, where, ("uuid", "name", "type", "requests"), ("adminOnly",))
        backend.ticket_types.put(ticket_type["uuid"], {**ticket_type, **stamp})

    for where, collection in entries(data, "flowCollections", "zstack"):
        _seed_collection(backend, collection, where)
    for where, session in entries(data, "sessions", "zstack"):
        _seed_session(backend, session, where)
    for where, ticket in entries(data, "tickets", "zstack"):
        _seed_ticket(backend, ticket, where)


def _admin(backend: ZStackBackend, where: str) -> Actor:
    account = next((a for a in backend.accounts.values() if a["admin"]), None)
    if account is None:
        raise ScenarioError(f"{where}: needs an admin account (zstack.accounts, admin: true)")
    return Actor(account["uuid"], ACCOUNT, True)


def _actor(backend: ZStackBackend, name: Any, where: str) -> Actor:
    for account in backend.accounts.values():
        if account["name"] == name:
            return Actor(account["uuid"], ACCOUNT, account["admin"])
    for virtual_id in backend.virtual_ids.values():
        if virtual_id["name"] == name:
            return Actor(virtual_id["uuid"], VIRTUAL_ID, False)
    raise ScenarioError(f"{where}: no account or virtual ID named {name!r}")


def _seed_collection(backend: ZStackBackend, collection: dict[str, Any], where: str) -> None:
    check_keys(
        collection, where, ("uuid", "name", "projectUuid"), ("description", "isDefault", "flows")
    )
    for place, flow in entries(collection, "flows", where):
        check_keys(flow, place, ("name", "approverUuid"), ("uuid", "description", "approverTitle"))
    params = dict(collection)
    params["resourceUuid"] = params.pop("uuid")
    _run(lambda: backend.create_flow_collection(_admin(backend, where), params), where)


def _seed_session(backend: ZStackBackend, session: dict[str, Any], where: str) -> None:
    check_keys(session, where, ("uuid", "user"), ("projectUuid", "expiredDate"))
    actor = _actor(backend, session["user"], f"{where}.user")
    account_uuid = actor.uuid if actor.type == ACCOUNT else backend.project_account(None)
    backend._open_session(
        account_uuid,
        actor.uuid,
        actor.type,
        session.get("projectUuid"),
        uuid=session["uuid"],
        expired_date=session.get("expiredDate", NEVER_EXPIRES_MS),
    )


def _seed_ticket(backend: ZStackBackend, ticket: dict[str, Any], where: str) -> None:
    check_keys(
        ticket,
        where,
        ("name", "requester", "requests"),
        ("uuid", "description", "projectUuid", "flowCollectionUuid", "wait", "events"),
    )
    requester = _actor(backend, ticket["requester"], f"{where}.requester")
    virtual_id = backend.virtual_ids.get(requester.uuid)
    if virtual_id is None or not virtual_id["projectUuids"]:
        raise ScenarioError(
            f"{where}.requester: {ticket['requester']!r} must be a virtual ID of a project"
        )
    params = {
        "resourceUuid": ticket.get("uuid"),
        "name": ticket["name"],
        "description": ticket.get("description"),
        "requests": ticket["requests"],
        "accountSystemType": "iam2",
        "accountSystemContext": {
            "projectUuid": ticket.get("projectUuid", virtual_id["projectUuids"][0]),
            "virtualIDUuid": requester.uuid,
        },
        "flowCollectionUuid": ticket.get("flowCollectionUuid"),
    }
    wait(backend._clock, ticket, where)
    created = _run(
        lambda: backend.create_ticket(
            requester, {k: v for k, v in params.items() if v is not None}
        ),
        where,
    )
    for place, step in entries(ticket, "events", where):
        _seed_event(backend, created["uuid"], step, place)


def _seed_event(backend: ZStackBackend, uuid: str, step: dict[str, Any], where: str) -> None:
    if "delete" in step:
        check_keys(step, where, ("delete", "by"), ("wait",))
        if step["delete"] not in DELETE_MODES:
            raise ScenarioError(
                f"{where}.delete: expected {' or '.join(DELETE_MODES)}, got {step['delete']!r}"
            )
        actor = _actor(backend, step["by"], f"{where}.by")
        wait(backend._clock, step, where)
        _run(lambda: backend.delete_ticket(actor, uuid, step["delete"]), f"{where} (delete)")
        return
    check_keys(step, where, ("event", "by"), ("comment", "wait"))
    if step["event"] not in EVENTS:
        raise ScenarioError(
            f"{where}.event: expected one of {', '.join(EVENTS)}, got {step['event']!r}"
        )
    actor = _actor(backend, step["by"], f"{where}.by")
    wait(backend._clock, step, where)
    _run(
        lambda: backend.change_ticket_status(actor, uuid, step["event"], step.get("comment")),
        f"{where} ({step['event']})",
    )


def _run(call, where: str) -> Any:
    """The model's answer, or its refusal as a ScenarioError naming the entry."""
    try:
        return call()
    except ZStackError as error:
        raise ScenarioError(f"{where}: {error.details}") from error
