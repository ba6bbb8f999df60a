"""Seeds a ZStack backend from the `zstack` part of a scenario file.

Tickets are created and moved through the model itself, so their histories are what the same
calls over HTTP would have written.
"""

from typing import Any

from mockserver.zstack.models import (
    ACCOUNT,
    NEVER_EXPIRES_MS,
    VIRTUAL_ID,
    Actor,
    ZStackBackend,
    hash_password,
)


def seed(backend: ZStackBackend, data: dict[str, Any]) -> None:
    now = backend.now_ms()
    stamp = {"createDate": now, "lastOpDate": now}
    for account in data.get("accounts", []):
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
    for project in data.get("projects", []):
        backend.projects.put(project["uuid"], {**project, **stamp})
    for virtual_id in data.get("virtualIds", []):
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
    for ticket_type in data.get("ticketTypes", []):
        backend.ticket_types.put(ticket_type["uuid"], {**ticket_type, **stamp})

    admin = _admin(backend)
    for collection in data.get("flowCollections", []):
        params = dict(collection)
        params["resourceUuid"] = params.pop("uuid")
        backend.create_flow_collection(admin, params)
    for session in data.get("sessions", []):
        _seed_session(backend, session)
    for ticket in data.get("tickets", []):
        _seed_ticket(backend, ticket)


def _admin(backend: ZStackBackend) -> Actor:
    account = next(a for a in backend.accounts.values() if a["admin"])
    return Actor(account["uuid"], ACCOUNT, True)


def _actor(backend: ZStackBackend, name: str) -> Actor:
    for account in backend.accounts.values():
        if account["name"] == name:
            return Actor(account["uuid"], ACCOUNT, account["admin"])
    virtual_id = next(v for v in backend.virtual_ids.values() if v["name"] == name)
    return Actor(virtual_id["uuid"], VIRTUAL_ID, False)


def _seed_session(backend: ZStackBackend, session: dict[str, Any]) -> None:
    actor = _actor(backend, session["user"])
    account_uuid = actor.uuid if actor.type == ACCOUNT else backend.project_account(None)
    backend._open_session(
        account_uuid,
        actor.uuid,
        actor.type,
        session.get("projectUuid"),
        uuid=session["uuid"],
        expired_date=session.get("expiredDate", NEVER_EXPIRES_MS),
    )


def _seed_ticket(backend: ZStackBackend, ticket: dict[str, Any]) -> None:
    requester = _actor(backend, ticket["requester"])
    virtual_id = backend.virtual_ids.get(requester.uuid)
    params = {
        "resourceUuid": ticket["uuid"],
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
    backend.create_ticket(requester, {k: v for k, v in params.items() if v is not None})
    for step in ticket.get("events", []):
        backend.change_ticket_status(
            _actor(backend, step["by"]), ticket["uuid"], step["event"], step.get("comment")
        )
