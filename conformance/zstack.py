"""ZStack's own promises, checked the way ZStack keeps them.

ZStack answers 202 to every call that changes something, even one with bad arguments or an
unknown session: the error arrives through the job. Schemathesis's generic
`negative_data_rejection` expects a 4xx on the spot, so for those operations it is switched off
and `argument_errors_judged_on_the_job` applies it to the job's result. ZStack also refuses a
reused X-Job-UUID with 400, which `positive_data_acceptance` cannot know about;
`valid_arguments_accepted` takes its place there.

ZStack refuses a request without `Authorization` with 400 and an unknown session with ID.1001
(503, or through the job), where `missing_required_header` and `ignored_auth` insist on 401 or
403; `refused_without_session` and `session_enforced` check ZStack's answers instead.

ZStack also reports every failed call with 503 and its error envelope, where the generic
`not_a_server_error` sees a server error; `failures_are_call_errors` takes its place and still
flags what is a server error: a 5xx that is not ZStack's envelope, or an internal error
(SYS.1000), on the spot or through a job.
"""

import contextlib
from typing import Any

from schemathesis import Case
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
)

from mockserver.zstack.jobs import answers_with_job
from mockserver.zstack.models import TRANSITIONS, next_status

JOB_PATH = "/api-jobs/{uuid}"
MAX_POLLS = 20
CHECKS_REPLACED_ON_ASYNC = (negative_data_rejection, positive_data_acceptance)
INTERNAL_ERROR = "SYS.1000"


def is_async(case: Case) -> bool:
    """Whether the case calls an operation that answers with a job (202) rather than a result."""
    operation = case.operation
    return case.method.upper() == operation.method.upper() and answers_with_job(
        operation.method, operation.definition.raw
    )


def _job_location(response: Response) -> str | None:
    if response.status_code != 202:
        return None
    body: Any = response.json()
    location = body.get("location") if isinstance(body, dict) else None
    return location if isinstance(location, str) else None


def _poll(schema: Any, location: str) -> Response | None:
    """The job's answer once it stops answering 202; None if it still runs after MAX_POLLS."""
    job_uuid = location.rstrip("/").rsplit("/", 1)[-1]
    operation = schema[JOB_PATH]["GET"]
    for _ in range(MAX_POLLS):
        reply = operation.Case(path_parameters={"uuid": job_uuid}).call()
        if reply.status_code != 202:
            return reply
    return None


def poll_job(case: Case, location: str) -> Response:
    """Polls a job through the same transport as `case` until it stops answering 202."""
    reply = _poll(case.operation.schema, location)
    if reply is None:
        job_uuid = location.rstrip("/").rsplit("/", 1)[-1]
        raise AssertionError(
            f"job {job_uuid} still running after {MAX_POLLS} polls\n"
            f"expected: 200 or 503 within {MAX_POLLS} polls of {location}"
        )
    return reply


def _job_outcome(case: Case, response: Response) -> Response | None:
    location = _job_location(response)
    return None if location is None else poll_job(case, location)


def _assert_call_error(reply: Response, where: str) -> None:
    body: Any = None
    with contextlib.suppress(ValueError):
        body = reply.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert reply.status_code == 503 and isinstance(error, dict) and "code" in error, (
        f"server error {reply.status_code} {where}: {reply.text[:200]}\n"
        'expected: 503 with {"error": {"code": ...}} for a failed call'
    )
    assert error["code"] != INTERNAL_ERROR, (
        f"internal error {where}: {reply.text[:200]}\nexpected: no SYS.1000"
    )


def failures_are_call_errors(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 5xx is only ever ZStack's 503 call failure, never an internal error."""
    if response.status_code < 500:
        return None
    _assert_call_error(response, "on the spot")
    return True


def job_resolves(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every accepted call's job ends, with a result (200) or ZStack's error envelope (503)."""
    outcome = _job_outcome(case, response)
    if outcome is None:
        return None
    body = outcome.json()
    if outcome.status_code == 200:
        assert isinstance(body, dict), f"job result is not a JSON object: {outcome.text[:200]}"
    elif outcome.status_code == 503:
        _assert_call_error(outcome, "through the job")
    else:
        raise AssertionError(
            f"job answered {outcome.status_code}\nexpected: 200 (done) or 503 (failed)"
        )
    return True


def argument_errors_judged_on_the_job(ctx: CheckContext, response: Response, case: Case):
    """Schemathesis's `negative_data_rejection`, applied to the job's result instead of the 202.

    Invalid arguments of an asynchronous call are refused at once (400) or make its job fail.
    """
    if not is_async(case):
        return None
    outcome = _job_outcome(case, response) or response
    if outcome.status_code == 503:
        return True
    return negative_data_rejection(ctx, outcome, case)


def valid_arguments_accepted(ctx: CheckContext, response: Response, case: Case):
    """Schemathesis's `positive_data_acceptance`, except that an asynchronous call may be
    refused with 400 for an X-Job-UUID used before: sent again without it, it must be accepted."""
    if not is_async(case):
        return None
    sent_job_uuid = any(k.lower() == "x-job-uuid" for k in case.headers or {})
    if response.status_code == 400 and sent_job_uuid:
        again = _resend(case, (case.headers or {}).get("Authorization"))
        if again.status_code == 202:
            return True
    return positive_data_acceptance(ctx, response, case)


def _resend(case: Case, authorization: str | None) -> Response:
    # A fresh job each time: a reused X-Job-UUID is refused before anything else is looked at.
    dropped = {"authorization", "x-job-uuid"}
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in dropped}
    if authorization is not None:
        headers["Authorization"] = authorization
    return case.operation.Case(
        path_parameters=case.path_parameters,
        query=case.query,
        body=case.body,
        headers=headers,
        media_type=case.media_type,
    ).call()


def session_enforced(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A call that succeeded with a session is refused without one (400), and with an unknown
    one fails with ID.1001: on the spot (503) for queries, through the job for the others.

    Like the `ignored_auth` it replaces, it probes each operation once per run."""
    if not 200 <= response.status_code < 300 or not _needs_session(case):
        return None
    if "Authorization" not in (case.headers or {}):
        return None
    enforced = ctx.auth_enforced_operations
    if enforced is not None and case.operation.label in enforced:
        return None
    without = _resend(case, None)
    assert without.status_code == 400, (
        f"the call without Authorization answered {without.status_code}\nexpected: 400"
    )
    unknown = _resend(case, "OAuth " + "0" * 32)
    outcome = _job_outcome(case, unknown) if is_async(case) else unknown
    assert outcome is not None and outcome.status_code == 503, (
        f"the call with an unknown session answered {unknown.status_code}\n"
        "expected: 503 ID.1001 (queries) or 202 and a job failing with ID.1001"
    )
    assert outcome.json()["error"]["code"] == "ID.1001", outcome.text[:200]
    if enforced is not None:
        enforced.add(case.operation.label)
    return True


def _needs_session(case: Case) -> bool:
    security = case.operation.definition.raw.get("security")
    if security is None:
        security = case.operation.schema.raw_schema.get("security", [])
    return bool(security) and all(requirement for requirement in security)


def refused_without_session(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A call that needs a session, sent without `Authorization`, gets ZStack's plain 400."""
    if not _needs_session(case) or "Authorization" in (case.headers or {}):
        return None
    if case.method.upper() != case.operation.method.upper() or response.status_code == 404:
        return None
    assert response.status_code == 400, (
        f"a call without Authorization answered {response.status_code}\nexpected: 400"
    )
    return True


ZSTACK_CHECKS = (
    refused_without_session,
    failures_are_call_errors,
    job_resolves,
    argument_errors_judged_on_the_job,
    valid_arguments_accepted,
    session_enforced,
)


def excluded_for(case: Case) -> list:
    """The generic checks ZStack's documented behaviour contradicts, for this operation."""
    return [
        not_a_server_error,
        missing_required_header,
        ignored_auth,
        *(CHECKS_REPLACED_ON_ASYNC if is_async(case) else ()),
    ]


# --- behaviour: the ticket lifecycle, checked against the mock's own transition table -----


def job_result(session: Any, response: Response) -> Response | None:
    """The final answer of the job a 202 stands for (None: no job, or it never ended)."""
    location = _job_location(response)
    return None if location is None else _poll(session.schema, location)


def read_ticket(session: Any, uuid: str) -> dict | None:
    reply = session.send("GET", "/tickets/{uuid}", path_parameters={"uuid": uuid})
    inventories = reply.json().get("inventories") if reply.status_code == 200 else None
    return inventories[0] if inventories else None


def count_histories(session: Any, uuid: str) -> int:
    reply = session.send("GET", "/tickets/histories", query={"q": f"ticketUuid={uuid}"})
    return len(reply.json().get("inventories", [])) if reply.status_code == 200 else -1


def _status_event(case: Case) -> str | None:
    body = case.body if isinstance(case.body, dict) else {}
    change = body.get("changeTicketStatus")
    event = change.get("statusEvent") if isinstance(change, dict) else None
    return event if isinstance(event, str) and event in TRANSITIONS else None


def ticket_checks(session: Any) -> tuple[list, dict]:
    """The behaviour checks of tickets, and the state they read before a call."""

    def observe(case: Case) -> dict | None:
        uuid = case.path_parameters.get("uuid") if case.path_parameters else None
        if not isinstance(uuid, str) or _status_event(case) is None:
            return None
        ticket = read_ticket(session, uuid)
        if ticket is None:
            return None
        return {"status": ticket["status"], "histories": count_histories(session, uuid)}

    def ticket_follows_transitions(ctx: CheckContext, response: Response, case: Case):
        """A status event leads where ZStack's transition table says, with a history row; an
        event the table does not allow is refused and changes nothing."""
        before = session.before.pop(case.id, None)
        event = _status_event(case)
        if before is None or event is None:
            return None
        outcome = job_result(session, response) if response.status_code == 202 else response
        uuid = case.path_parameters["uuid"]
        after = read_ticket(session, uuid)
        histories = count_histories(session, uuid)
        allowed = {next_status(before["status"], event, n) for n in (0, 1)} - {None}
        status_after = after["status"] if after else None
        if outcome is not None and outcome.status_code == 200:
            assert allowed, (
                f"event {event!r} was carried out on a {before['status']} ticket\n"
                f"expected: refused (ZStack allows {event} only from "
                f"{sorted(TRANSITIONS[event].sources)})"
            )
            assert status_after in allowed, (
                f"after {event!r} on a {before['status']} ticket its status is {status_after}\n"
                f"expected: {' or '.join(sorted(allowed))}"
            )
            assert histories > before["histories"], (
                f"after {event!r} the ticket has {histories} history rows\n"
                f"expected: more than {before['histories']} (a row for the event)"
            )
        else:
            assert status_after == before["status"] and histories == before["histories"], (
                f"a refused {event!r} changed the ticket: status {before['status']} → "
                f"{status_after}, history rows {before['histories']} → {histories}\n"
                "expected: nothing changed"
            )
        return True

    def created_ticket_is_stored(ctx: CheckContext, response: Response, case: Case):
        """A ticket whose CreateTicket job succeeded can be read back."""
        if case.operation.definition.raw.get("operationId") != "createTicket":
            return None
        outcome = job_result(session, response)
        if outcome is None or outcome.status_code != 200:
            return None
        uuid = outcome.json()["inventory"]["uuid"]
        assert read_ticket(session, uuid) is not None, (
            f"ticket {uuid} was created, but GET /tickets/{uuid} finds nothing\n"
            "expected: the new ticket"
        )
        return True

    def deleted_ticket_is_gone(ctx: CheckContext, response: Response, case: Case):
        """A ticket whose DeleteTicket job succeeded is no longer found (ZStack answers 200
        with no inventories, where the generic `use_after_free` expects 404)."""
        if case.operation.definition.raw.get("operationId") != "deleteTicket":
            return None
        outcome = job_result(session, response)
        if outcome is None or outcome.status_code != 200:
            return None
        uuid = case.path_parameters["uuid"]
        found = read_ticket(session, uuid)
        assert found is None, (
            f"ticket {uuid} was deleted, but GET /tickets/{uuid} still finds it\n"
            "expected: no inventories"
        )
        return True

    checks = [ticket_follows_transitions, created_ticket_is_stored, deleted_ticket_is_gone]
    return checks, {"ticketActions": observe}


def undo_ticket(session: Any):
    """Deletes a ticket the run created, once its CreateTicket job says which."""

    def cleanup(case: Case, response: Response):
        outcome = job_result(session, response)
        if outcome is None or outcome.status_code != 200:
            return None
        uuid = outcome.json()["inventory"]["uuid"]

        def delete() -> tuple[bool, str]:
            reply = session.send(
                "DELETE",
                "/tickets/{uuid}",
                path_parameters={"uuid": uuid},
                query={"deleteMode": "Enforcing"},
            )
            done = job_result(session, reply)
            answer = done if done is not None else reply
            return answer.status_code == 200, f"{answer.status_code} {answer.text[:100]}"

        return f"delete ticket {uuid}", delete

    return cleanup
