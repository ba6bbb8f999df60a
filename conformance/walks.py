"""Walks through each API's transition table, so that the behaviour checks judge every kind
of event whatever the generated data reaches.

Each walk creates a resource from the spec's own example request, then sends a fixed
sequence of events: each one from a status that allows it and from one that does not. Every
step goes through `ApiSession.check`, so the generic checks and the table checks
(`ticket_follows_transitions`, `ticket_action_follows_workflow`,
`case_action_follows_lifecycle`, `deleted_*`) judge it. The walks run in the stateful phase
whichever operations `--operation` picks. A target where the example cannot be
created (a real deployment without the mock's projects or catalog) skips the walk and says why.
"""

from typing import Any

import pytest

from conformance.huawei import _coc_done, _osm_done, json_body
from conformance.zstack import job_result

JSON = "application/json"

# From Pending (a collection of two flows): each event where it is refused, then allowed.
ZSTACK_EVENTS = [
    "reopen",  # refused: only Rejected or Cancelled tickets reopen
    "approve",  # Pending → IntermediateApproved
    "reject",  # → Rejected
    "approve",  # refused
    "reopen",  # → Pending
    "cancel",  # → Cancelled
    "cancel",  # refused
    "reopen",  # → Pending
    "approve",  # → IntermediateApproved
    "approve",  # → FinalApproved
    "reject",  # refused
]
# From change_approving.
COC_CHANGE_ACTIONS = [
    ("suspend_resume", {}),  # refused: an issue action
    ("rejected", {"comment": "ticketkit walk"}),  # → change_rejected
    ("agreed", {}),  # refused
    ("submit_process_action", {}),  # → change_approving
    ("cancel_process_action", {"comment": "ticketkit walk"}),  # → change_cancelled
    ("cancel_process_action", {}),  # refused
]
# From issues_unaccepted.
COC_ISSUE_ACTIONS = [
    ("suspend_resume", {}),  # refused
    ("gocm_issues_accepte", {}),  # → issues_locating
    ("gocm_issues_accepte", {}),  # refused
    ("gocm_issues_undo_create", {"revocation_reason": "ticketkit walk"}),  # → issues_cancelled
]
# From 0 (to be processed).
OSM_ACTIONS = ["close", "press", "cancel", "cancel", "press", "delete"]


def _created(what: str, response: Any, identifier: Any) -> str:
    if not isinstance(identifier, str):
        answer = "nothing" if response is None else f"{response.status_code} {response.text[:200]}"
        pytest.skip(f"could not create a {what} from the spec's example: {answer}")
    return identifier


def zstack_walk(session: Any) -> None:
    response = session.check(
        session.case("POST", "/tickets", body=session.example("POST", "/tickets"), media_type=JSON)
    )
    outcome = job_result(session, response) if response is not None else None
    inventory = (json_body(outcome) or {}).get("inventory", {}) if outcome is not None else {}
    uuid = _created("ticket", outcome, inventory.get("uuid"))
    for event in ZSTACK_EVENTS:
        body = {"changeTicketStatus": {"statusEvent": event, "comment": "ticketkit walk"}}
        session.check(
            session.case(
                "PUT",
                "/tickets/{uuid}/actions",
                path_parameters={"uuid": uuid},
                body=body,
                media_type=JSON,
            )
        )
    session.check(session.case("DELETE", "/tickets/{uuid}", path_parameters={"uuid": uuid}))


def coc_walk(session: Any) -> None:
    created = {}
    for kind, path, actions in [
        ("change", "/v1/change/tickets", COC_CHANGE_ACTIONS),
        ("issues_mgmt", "/v1/issues_mgmt/tickets", COC_ISSUE_ACTIONS),
    ]:
        response = session.check(
            session.case("POST", path, body=session.example("POST", path), media_type=JSON)
        )
        data = (json_body(response) or {}).get("data") if response is not None else None
        done = response is not None and _coc_done(response)
        ticket_id = _created(
            f"{kind} ticket", response, (data or {}).get("ticket_id") if done else None
        )
        created[kind] = ticket_id
        for action, params in actions:
            session.check(
                session.case(
                    "POST",
                    f"/v1/{kind}/actions",
                    body={"ticket_id": ticket_id, "action": action, **params},
                    media_type=JSON,
                )
            )
    session.check(
        session.case(
            "DELETE",
            "/v1/{ticket_type}/tickets/{ticket_id}",
            path_parameters={"ticket_type": "change", "ticket_id": created["change"]},
        )
    )


def osm_walk(session: Any) -> None:
    response = session.check(
        session.case("POST", "/cases", body=session.example("POST", "/cases"), media_type=JSON)
    )
    done = response is not None and _osm_done(response)
    case_id = _created(
        "case", response, (json_body(response) or {}).get("incident_id") if done else None
    )
    for action in OSM_ACTIONS:
        session.check(
            session.case(
                "POST",
                "/cases/{case_id}/action",
                path_parameters={"case_id": case_id},
                query={"action_id": action},
            )
        )
    upload = "/accessorys/json-format-content"
    response = session.check(
        session.case("POST", upload, body=session.example("POST", upload), media_type=JSON)
    )
    done = response is not None and _osm_done(response)
    accessory_id = _created(
        "accessory", response, (json_body(response) or {}).get("accessory_id") if done else None
    )
    for _ in range(2):  # the second delete finds nothing to delete
        session.check(
            session.case(
                "DELETE",
                "/accessorys/{accessory_id}",
                path_parameters={"accessory_id": accessory_id},
            )
        )


# IAM's token and look-ups have no lifecycle.
WALKS = {"zstack": zstack_walk, "coc": coc_walk, "osm": osm_walk}
