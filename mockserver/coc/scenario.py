"""Seeds COC from the `coc` part of a scenario file.

Tickets are filed and moved on through the model's own methods, so their histories, sub-tickets,
operators and assignees are what the same HTTP calls would have written. Every body is checked
against specs/huawei-coc-tickets.yaml first, as the HTTP layer checks it.

    coc:
      tickets:
        - as: mockuser                 # the IAM user who files it (or <domain>/<user>)
          kind: issue                  # change or issue
          wait: 600                    # optional: seconds the clock moves on first (default 0)
          attachment: {name: trace.txt, text: "..."}   # issues only; or base64: ...; uploaded
                                       # first, and the body's commit_upload_attachment names it
          body: {...}                  # the create body, as POST /v1/{kind}/tickets takes it
          actions:                     # in order; each may give its own `as` and `wait`
            - {action: gocm_issues_accepte, as: wang.fang}      # POST /v1/{kind}/actions
            - {action: submitting_question, params: {solution: "..."}}

An action step is the body of POST /v1/{kind}/actions without ticket_id (action, params, and
user_id or task_id if wanted); `as` names the caller, who is also the operator unless user_id
says otherwise.

A change ticket also takes `update` steps, the body of PUT /v1/change/tickets/{ticket_id}:
`{update: {history_info: {action: change_start_change_success}}}`. Sub-ticket results there name
their sub-ticket by `number` (1 for <ticket_id>-01), since ticket numbers are made at seeding.
"""

from typing import Any

from mockserver.coc.errors import CocError
from mockserver.coc.models import CocBackend
from mockserver.coc.workflow import CHANGE, ISSUE
from mockserver.huawei import personas
from mockserver.huawei.identity import Identity, Principal
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

SPEC = "huawei-coc-tickets.yaml"
KINDS = {"change": CHANGE, "issue": ISSUE}
CREATE = {CHANGE: "createChangeTicket", ISSUE: "createIssueTicket"}
ACT = {CHANGE: "executeChangeAction", ISSUE: "executeIssueAction"}
ACTION_KEYS = ("action", "params", "user_id", "task_id")


def seed(backend: CocBackend, data: dict[str, Any], identity: Identity) -> None:
    for where, entry in entries(data, "tickets", "coc"):
        _seed_ticket(backend, identity, entry, where)


def _seed_ticket(
    backend: CocBackend, identity: Identity, entry: dict[str, Any], where: str
) -> None:
    check_keys(entry, where, ("as", "kind", "body"), ("wait", "attachment", "actions"))
    kind = KINDS.get(entry["kind"]) if isinstance(entry["kind"], str) else None
    if kind is None:
        raise ScenarioError(f"{where}.kind: expected change or issue, got {entry['kind']!r}")
    owner = personas.caller(identity, entry["as"], where)
    body = mapping(entry["body"], f"{where}.body")
    wait(backend.clock, entry, where)
    if "attachment" in entry:
        body["commit_upload_attachment"] = _attach(backend, owner, kind, body, entry, where)
    check_body(SPEC, CREATE[kind], body, f"{where}.body")
    record = _run(lambda: backend.create_ticket(owner, kind, body), f"{where}.body")
    for place, step in entries(entry, "actions", where):
        caller = personas.caller(identity, step["as"], place) if "as" in step else owner
        _act(backend, caller, kind, record, step, place)


def _attach(
    backend: CocBackend,
    owner: Principal,
    kind: str,
    body: dict[str, Any],
    entry: dict[str, Any],
    where: str,
) -> str:
    if kind != ISSUE:
        raise ScenarioError(
            f"{where}.attachment: only an issue ticket names an attachment "
            "(commit_upload_attachment)"
        )
    if body.get("commit_upload_attachment"):
        raise ScenarioError(
            f"{where}.attachment: the body names commit_upload_attachment already; give one"
        )
    name, content = file_content(entry["attachment"], f"{where}.attachment")
    document = _run(lambda: backend.add_attachment(owner, name, content), f"{where}.attachment")
    return document["doc_id"]


def _act(
    backend: CocBackend,
    caller: Principal,
    kind: str,
    record: Record,
    step: dict[str, Any],
    where: str,
) -> None:
    check_keys(step, where, (), ("as", "wait", "update", *ACTION_KEYS))
    if ("action" in step) == ("update" in step):
        raise ScenarioError(f"{where}: give one of action (POST /actions) or update (PUT)")
    ticket_id = record["ticket_id"]
    if "update" in step:
        if kind != CHANGE:
            raise ScenarioError(f"{where}.update: only change tickets are updated; use action")
        body = _with_sub_ticket_ids(mapping(step["update"], f"{where}.update"), ticket_id, where)
        check_body(SPEC, "updateTicket", body, f"{where}.update")
        step_name = (body.get("history_info") or {}).get("action") or "update"
        wait(backend.clock, step, where)
        _run(lambda: backend.update_change(caller, ticket_id, body), f"{where} ({step_name})")
        return
    body = {key: step[key] for key in ACTION_KEYS if key in step}
    body["ticket_id"] = ticket_id
    check_body(SPEC, ACT[kind], body, where)
    wait(backend.clock, step, where)
    _run(lambda: backend.execute_action(caller, kind, body), f"{where} ({step['action']})")


def _with_sub_ticket_ids(body: dict[str, Any], ticket_id: str, where: str) -> dict[str, Any]:
    """Sub-ticket results that name their sub-ticket by `number`, with its ticket_id instead."""
    results = body.get("sub_tickets")
    if not isinstance(results, list):
        return body
    named = []
    for index, result in enumerate(results):
        if isinstance(result, dict) and "number" in result:
            number = result["number"]
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise ScenarioError(
                    f"{where}.update.sub_tickets[{index}].number: expected 1 or more, "
                    f"got {number!r}"
                )
            result = {k: v for k, v in result.items() if k != "number"}
            result["ticket_id"] = f"{ticket_id}-{number:02d}"
        named.append(result)
    return {**body, "sub_tickets": named}


def _run(call, where: str) -> Any:
    """The model's answer, or its refusal as a ScenarioError naming the entry."""
    try:
        return call()
    except CocError as error:
        raise ScenarioError(f"{where}: {error.message}") from error
