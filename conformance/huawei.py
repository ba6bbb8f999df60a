"""Huawei Cloud's promises (COC, OSM, IAM), checked the way Huawei keeps them.

- Every AK/SK-signed call that succeeds is refused (401) once its signature is off by one
  digit: the signature is verified, not only parsed.
- COC actions and OSM case actions lead where the mock's transition tables say, with a history
  (operate-log) row, and an action those tables refuse changes nothing.
- OSM answers business errors with HTTP 200 and an `OSM.0101xxxx` code by default (4xx on older
  deployments). For OSM, `use_after_free` and `positive_data_acceptance` therefore give way to
  `deleted_accessory_is_gone` and `valid_input_not_refused_as_malformed`, which accept either
  form and still fail a 404-less resurrection or an `OSM.0001` "bad request" for valid input.
- COC refuses uploads its file rules do not allow (by extension and size, which no schema of a
  multipart file can state) with 400 `GOM.00007256`; `attachment_refused_only_by_file_rules`
  stands in for `positive_data_acceptance` on that one operation.
"""

from typing import Any

from schemathesis import Case
from schemathesis.checks import CheckContext
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import positive_data_acceptance, use_after_free

from conformance.auth import SIGN_BADLY, SIGN_ME, needs_credentials
from conformance.suite import Suite, json_body, operation_id
from mockserver.coc import errors as coc_errors
from mockserver.coc.workflow import CHANGE, ISSUE, find_step
from mockserver.osm import errors as osm_errors
from mockserver.osm.lifecycle import CUSTOMER_ACTIONS, describe

# The vendors' codes, as the mock's error classes spell them.
COC_OK = coc_errors.OK
COC_NOT_ALLOWED = coc_errors.NotAllowedNow.code
COC_NOT_FOUND = coc_errors.NotFound.code
COC_BAD_PARAMETER = coc_errors.InvalidParameter.code
OSM_NOT_ALLOWED_NOW = osm_errors.NotAllowedNow.code
OSM_CASE_NOT_FOUND = osm_errors.CaseNotFound.code


def signature_check(session: Any):
    probed: set[str] = set()

    def signature_enforced(ctx: CheckContext, response: Response, case: Case):
        """A signed call that succeeded is refused with 401 when its signature is wrong."""
        if (case.headers or {}).get("Authorization") != SIGN_ME:
            return None
        if not needs_credentials(case.operation):
            return None
        if not 200 <= response.status_code < 300 or case.operation.label in probed:
            return None
        probed.add(case.operation.label)
        tampered = case.operation.Case(
            path_parameters=case.path_parameters,
            query=case.query,
            body=case.body,
            headers={**case.headers, "Authorization": SIGN_BADLY},
            media_type=case.media_type,
        ).call(**session.transport)
        assert tampered.status_code == 401, (
            f"with a wrong signature the call answered {tampered.status_code}\n"
            "expected: 401 (APIGW.0301 or the service's own code)"
        )
        return True

    return signature_enforced


# --- COC ---------------------------------------------------------------------------------

COC_KINDS = {"executeChangeAction": CHANGE, "executeIssueAction": ISSUE}


def _coc_done(response: Response) -> bool:
    body = json_body(response)
    return (
        response.status_code == 200 and isinstance(body, dict) and body.get("error_code") == COC_OK
    )


def coc_suite(session: Any) -> Suite:
    def read(kind: str, ticket_id: str) -> tuple[str | None, int]:
        reply = session.send(
            "GET",
            "/v1/{ticket_type}/tickets/{ticket_id}",
            path_parameters={"ticket_type": kind, "ticket_id": ticket_id},
        )
        status = (
            (json_body(reply) or {}).get("data", {}).get("work_flow_status")
            if _coc_done(reply)
            else None
        )
        histories = session.send(
            "POST",
            "/v1/{ticket_type}/list-histories",
            path_parameters={"ticket_type": kind},
            body={
                "string_filters": [{"operator": "=", "field": "ticket_id", "values": [ticket_id]}]
            },
            media_type="application/json",
        )
        rows = (
            (json_body(histories) or {}).get("data", {}).get("info")
            if _coc_done(histories)
            else None
        )
        return status, len(rows) if isinstance(rows, list) else -1

    def observe(case: Case) -> dict | None:
        body = case.body if isinstance(case.body, dict) else {}
        ticket_id = body.get("ticket_id")
        if not isinstance(ticket_id, str) or not isinstance(body.get("action"), str):
            return None
        status, histories = read(COC_KINDS[operation_id(case)], ticket_id)
        return None if status is None else {"status": status, "histories": histories}

    def ticket_action_follows_workflow(ctx: CheckContext, response: Response, case: Case):
        """An action leads where COC's workflow table says, with a history row; an action the
        table does not allow from the ticket's status is refused and changes nothing."""
        before = session.before.pop(case.id, None)
        if before is None:
            return None
        kind = COC_KINDS[operation_id(case)]
        action, ticket_id = case.body["action"], case.body["ticket_id"]
        status, histories = read(kind, ticket_id)
        step = find_step(kind, action, before["status"])
        if _coc_done(response):
            assert step is not None, (
                f"action {action!r} was carried out on a {before['status']} ticket\n"
                "expected: GOM.00001009, the action is not allowed in that status"
            )
            # Outcomes that depend on the action's parameters (a "no" conclusion, a change
            # needed) are judged by the status having moved or stayed as the table allows.
            expected = step.target or before["status"]
            varies = "conclusion" in case.body or "is_need_change" in case.body
            assert status == expected or varies, (
                f"after {action!r} on a {before['status']} ticket its status is {status}\n"
                f"expected: {expected}"
            )
            assert histories > before["histories"], (
                f"after {action!r} the ticket has {histories} history rows\n"
                f"expected: more than {before['histories']}"
            )
        else:
            assert (status, histories) == (before["status"], before["histories"]), (
                f"a refused {action!r} changed the ticket: status {before['status']} → {status}, "
                f"history rows {before['histories']} → {histories}\nexpected: nothing changed"
            )
        return True

    def attachment_refused_only_by_file_rules(ctx: CheckContext, response: Response, case: Case):
        """`positive_data_acceptance` for uploads, except the refusals of COC's file rules."""
        if operation_id(case) != "createAttachment":
            return None
        body = json_body(response)
        refused = isinstance(body, dict) and body.get("error_code") == COC_BAD_PARAMETER
        if response.status_code == 400 and refused:
            return True
        return positive_data_acceptance(ctx, response, case)

    def undo_ticket(kind: str):
        def cleanup(case: Case, response: Response):
            data = (json_body(response) or {}).get("data") or {}
            ticket_id = data.get("ticket_id")
            if not _coc_done(response) or not isinstance(ticket_id, str):
                return None
            if kind == CHANGE:
                action, path = "cancel_process_action", "/v1/change/actions"
            else:
                action, path = "gocm_issues_undo_create", "/v1/issues_mgmt/actions"

            def cancel() -> tuple[bool, str]:
                reply = session.send(
                    "POST",
                    path,
                    body={"ticket_id": ticket_id, "action": action},
                    media_type="application/json",
                )
                code = (json_body(reply) or {}).get("error_code", str(reply.status_code))
                # Already cancelled or closed, or gone: nothing is left either.
                return code in (COC_OK, COC_NOT_ALLOWED, COC_NOT_FOUND), code

            return f"{action} {ticket_id}", cancel

        return cleanup

    return Suite(
        api="coc",
        checks=[
            signature_check(session),
            ticket_action_follows_workflow,
            attachment_refused_only_by_file_rules,
        ],
        replaced=lambda case: (
            [positive_data_acceptance] if operation_id(case) == "createAttachment" else []
        ),
        observers={"executeChangeAction": observe, "executeIssueAction": observe},
        creates={
            "createChangeTicket": undo_ticket(CHANGE),
            "createIssueTicket": undo_ticket(ISSUE),
        },
        tags={"createChangeTicket": (("title",), 200), "createIssueTicket": (("title",), 200)},
    )


# --- OSM ---------------------------------------------------------------------------------


def _osm_error(response: Response) -> str:
    body = json_body(response)
    code = body.get("error_code") if isinstance(body, dict) else None
    return code or ""


def _osm_done(response: Response) -> bool:
    return response.status_code == 200 and not _osm_error(response)


def osm_suite(session: Any) -> Suite:
    def read(case_id: str) -> tuple[int | None, int]:
        status = session.send(
            "GET", "/cases/{case_id}/status", path_parameters={"case_id": case_id}
        )
        logs = session.send(
            "GET",
            "/cases/{case_id}/operate-logs",
            path_parameters={"case_id": case_id},
            query={"limit": 1},
        )
        count = (json_body(logs) or {}).get("total_count") if _osm_done(logs) else None
        return (
            (json_body(status) or {}).get("status") if _osm_done(status) else None,
            count if isinstance(count, int) else -1,
        )

    def observe(case: Case) -> dict | None:
        case_id = (case.path_parameters or {}).get("case_id")
        action = (case.query or {}).get("action_id")
        if not isinstance(case_id, str) or not isinstance(action, str):
            return None
        if action not in CUSTOMER_ACTIONS:
            return None
        status, logs = read(case_id)
        return None if status is None else {"status": status, "logs": logs}

    def case_action_follows_lifecycle(ctx: CheckContext, response: Response, case: Case):
        """A case action leads where OSM's lifecycle table says, with an operate-log row; an
        action the table does not allow is refused and changes nothing."""
        before = session.before.pop(case.id, None)
        if before is None:
            return None
        action = case.query["action_id"]
        sources, target = CUSTOMER_ACTIONS[action]
        status, logs = read(case.path_parameters["case_id"])
        if _osm_done(response):
            assert before["status"] in sources, (
                f"{action!r} was carried out on a case in status {describe(before['status'])}\n"
                f"expected: OSM.01010014, allowed only from {sorted(sources)}"
            )
            expected = before["status"] if target is None else target
            # A deleted case can no longer be read: its status reads as an error.
            assert status == expected or (action == "delete" and status is None), (
                f"after {action!r} the case is in status {status}\nexpected: {describe(expected)}"
            )
            assert action == "delete" or logs == before["logs"] + 1, (
                f"after {action!r} the case has {logs} operate-log rows\n"
                f"expected: {before['logs'] + 1} (one more)"
            )
        else:
            assert (status, logs) == (before["status"], before["logs"]), (
                f"a refused {action!r} changed the case: status {before['status']} → {status}, "
                f"operate-log rows {before['logs']} → {logs}\nexpected: nothing changed"
            )
        return True

    def deleted_accessory_is_gone(ctx: CheckContext, response: Response, case: Case):
        """`use_after_free` the OSM way: once deleted, an accessory reads as an error, a 4xx
        or a 200 with an OSM error code."""
        if operation_id(case) != "deleteAccessories" or not _osm_done(response):
            return None
        accessory_id = case.path_parameters["accessory_id"]
        reply = session.send(
            "GET", "/accessorys/{accessory_id}", path_parameters={"accessory_id": accessory_id}
        )
        assert not _osm_done(reply), (
            f"accessory {accessory_id} was deleted, but its download still answers "
            f"{reply.status_code} {reply.text[:200]}\nexpected: an OSM error (4xx, or 200 with "
            "error_code OSM.0101xxxx)"
        )
        return True

    def valid_input_not_refused_as_malformed(ctx: CheckContext, response: Response, case: Case):
        """`positive_data_acceptance`, except that a business refusal (an OSM.0101xxxx code, at
        200 or 4xx) of valid input is OSM's documented way; OSM.0001 is not."""
        code = _osm_error(response)
        if code.startswith("OSM.0101"):
            return True
        return positive_data_acceptance(ctx, response, case)

    def undo_case(case: Case, response: Response):
        case_id = (json_body(response) or {}).get("incident_id")
        if not _osm_done(response) or not isinstance(case_id, str):
            return None

        def cancel() -> tuple[bool, str]:
            reply = session.send(
                "POST",
                "/cases/{case_id}/action",
                path_parameters={"case_id": case_id},
                query={"action_id": "cancel"},
            )
            code = _osm_error(reply)
            # Finished or gone already: nothing is left open either.
            return code in ("", OSM_NOT_ALLOWED_NOW, OSM_CASE_NOT_FOUND), code or "cancelled"

        return f"cancel case {case_id}", cancel

    return Suite(
        api="osm",
        checks=[
            signature_check(session),
            case_action_follows_lifecycle,
            deleted_accessory_is_gone,
            valid_input_not_refused_as_malformed,
        ],
        replaced=lambda case: [use_after_free, positive_data_acceptance],
        observers={"updateCases": observe},
        creates={"createCases": undo_case},
        tags={"createCases": (("simple_description",), 2000)},
    )


def iam_suite(session: Any) -> Suite:
    return Suite(api="iam", checks=[signature_check(session)])
