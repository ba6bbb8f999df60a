"""Seeds OSM cases from the `osm` part of a scenario file.

Cases are filed and worked through the model's own methods, so their conversations, accessories
and operate-logs are what the same HTTP calls (and admin engineer calls) would have written.
Every body is checked against specs/huawei-osm-cases.yaml (the engineer's against
specs/admin.yaml) first, as the HTTP layer checks it; a new case also passes the catalog checks.

    osm:
      cases:
        - as: mockuser                 # the IAM user who files it (or <domain>/<user>)
          wait: 600                    # optional: seconds the clock moves on first (default 0)
          accessories:                 # optional: uploaded, then attached to the case
            - {name: boot.log, text: "..."}          # or base64: ...
          body: {...}                  # as POST /v2/servicerequest/cases takes it
          steps:                       # in order; each may give its own `wait`, and the
                                       # customer's steps their own `as`
            - {engineer: accept}                                 # accept, reply,
            - {engineer: reply, content: Please send a screenshot.}  # request_feedback, solve,
                                                                 # invalidate
            - {message: Here it is., accessories: [{name: console.png, base64: ...}]}
            - {customer: close, body: {judgement: Thanks.}}      # cancel, close, press, delete
            - {customer: score, body: {judgement: Fast., incident_satisfaction_list: [...]}}

A customer step's `body` is the JSON of POST /cases/{case_id}/action (or /score for score).
"""

import base64
from functools import partial
from typing import Any

from mockserver.huawei import personas
from mockserver.huawei.identity import Identity, Principal
from mockserver.osm import lifecycle
from mockserver.osm.errors import OsmError
from mockserver.osm.models import OsmBackend
from mockserver.seeding import (
    ScenarioError,
    check_body,
    check_keys,
    entries,
    file_content,
    mapping,
    wait,
)
from mockserver.store import Record

SPEC = "huawei-osm-cases.yaml"
ADMIN_SPEC = "admin.yaml"
CUSTOMER_ACTIONS = (*lifecycle.CUSTOMER_ACTIONS, "score")


def seed(backend: OsmBackend, data: dict[str, Any], identity: Identity) -> None:
    for where, entry in entries(data, "cases", "osm"):
        _seed_case(backend, identity, entry, where)


def _seed_case(backend: OsmBackend, identity: Identity, entry: dict[str, Any], where: str) -> None:
    check_keys(entry, where, ("as", "body"), ("wait", "accessories", "steps"))
    owner = personas.caller(identity, entry["as"], where)
    body = mapping(entry["body"], f"{where}.body")
    wait(backend.clock, entry, where)
    uploaded = _upload_all(backend, owner, entry, "incident", where)
    if uploaded:
        body["accessory_ids"] = [*(body.get("accessory_ids") or []), *uploaded]
    check_body(SPEC, "createCases", body, f"{where}.body")
    case = _run(lambda: backend.create_case(owner, body), f"{where}.body")
    for place, step in entries(entry, "steps", where):
        _step(backend, identity, owner, case, step, place)


def _step(
    backend: OsmBackend,
    identity: Identity,
    owner: Principal,
    case: Record,
    step: dict[str, Any],
    where: str,
) -> None:
    kinds = [key for key in ("engineer", "customer", "message") if key in step]
    if len(kinds) != 1:
        raise ScenarioError(f"{where}: give one of engineer, customer or message")
    if kinds == ["engineer"]:
        _engineer(backend, case, step, where)
        return
    caller = personas.caller(identity, step["as"], where) if "as" in step else owner
    if kinds == ["customer"]:
        _customer(backend, caller, case, step, where)
    else:
        _message(backend, caller, case, step, where)


def _engineer(backend: OsmBackend, case: Record, step: dict[str, Any], where: str) -> None:
    check_keys(step, where, ("engineer",), ("content", "wait"))
    body = {"action": step["engineer"], "content": step.get("content", "")}
    check_body(ADMIN_SPEC, "actAsOsmEngineer", body, where)
    wait(backend.clock, step, where)
    _run(
        lambda: backend.engineer_act(case["incident_id"], body["action"], body["content"]),
        f"{where} (engineer {body['action']})",
    )


def _customer(
    backend: OsmBackend, caller: Principal, case: Record, step: dict[str, Any], where: str
) -> None:
    check_keys(step, where, ("customer",), ("body", "as", "wait"))
    action = step["customer"]
    if action not in CUSTOMER_ACTIONS:
        raise ScenarioError(
            f"{where}.customer: expected one of {', '.join(CUSTOMER_ACTIONS)}, got {action!r}"
        )
    body = mapping(step.get("body") or {}, f"{where}.body")
    case_id = case["incident_id"]
    check_body(SPEC, "createScores" if action == "score" else "updateCases", body, where)
    wait(backend.clock, step, where)
    if action == "score":
        _run(lambda: backend.score(caller, case_id, body), f"{where} (customer score)")
    else:
        _run(lambda: backend.act(caller, case_id, action, body), f"{where} (customer {action})")


def _message(
    backend: OsmBackend, caller: Principal, case: Record, step: dict[str, Any], where: str
) -> None:
    check_keys(step, where, ("message",), ("accessories", "as", "wait"))
    wait(backend.clock, step, where)
    uploaded = _upload_all(backend, caller, step, "message", where)
    body = {"message": {"content": step["message"], "accessory_ids": uploaded}}
    check_body(SPEC, "createMessages", body, where)
    message = body["message"]
    _run(
        lambda: backend.add_message(
            caller, case["incident_id"], message["content"], message["accessory_ids"]
        ),
        f"{where} (message)",
    )


def _upload_all(
    backend: OsmBackend, caller: Principal, entry: dict[str, Any], origin: str, where: str
) -> list[str]:
    """Uploads the entry's accessories as POST /accessorys/json-format-content; their ids."""
    ids = []
    for place, accessory in entries(entry, "accessories", where):
        name, content = file_content(accessory, place)
        body = {
            "accessory_name": name,
            "accessory_from": origin,
            "upload_type": 0,
            "accessory_data": base64.b64encode(content).decode("ascii"),
        }
        check_body(SPEC, "uploadJsonAccessories", body, place)
        record = _run(partial(backend.upload_accessory, caller, name, origin, 0, content), place)
        ids.append(record["accessory_id"])
    return ids


def _run(call, where: str) -> Any:
    """The model's answer, or its refusal as a ScenarioError naming the entry."""
    try:
        return call()
    except OsmError as error:
        raise ScenarioError(f"{where}: {error.message}") from error
