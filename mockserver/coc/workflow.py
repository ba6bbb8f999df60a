"""The workflow of COC change and issue tickets: statuses, their phases, and the allowed steps.

The vendor documents the change phases and the action names; the work_flow_status values and
the issue phases are our choice, written down in specs/huawei-coc-tickets.yaml. This table is the
single source for the model and for conformance checks.
"""

from dataclasses import dataclass

CHANGE = "change"
ISSUE = "issues_mgmt"

PHASES = {
    "change_draft": "phase_change_draft",
    "change_approving": "phase_change_approve",
    "change_rejected": "phase_change_apply",
    "change_to_be_started": "phase_change_implemente",
    "change_implementing": "phase_change_implemente",
    "change_to_be_confirmed": "phase_change_implemente",
    "change_succeeded": "phase_change_end",
    "change_failed": "phase_change_end",
    "change_closed": "phase_change_close",
    "change_cancelled": "phase_change_cancel",
    "issues_draft": "phase_issues_draft",
    "issues_unaccepted": "phase_issues_accept",
    "issues_locating": "phase_issues_handle",
    "issues_suspend_approving": "phase_issues_handle",
    "issues_suspended": "phase_issues_handle",
    "issues_implementing": "phase_issues_handle",
    "issues_verifying": "phase_issues_verify",
    "issues_closed": "phase_issues_close",
    "issues_rejected": "phase_issues_close",
    "issues_cancelled": "phase_issues_cancel",
}

FIRST = {
    (CHANGE, False): "change_draft",
    (CHANGE, True): "change_approving",
    (ISSUE, False): "issues_draft",
    (ISSUE, True): "issues_unaccepted",
}

ISSUE_OPEN = frozenset(
    {
        "issues_unaccepted",
        "issues_locating",
        "issues_suspend_approving",
        "issues_suspended",
        "issues_implementing",
    }
)


@dataclass(frozen=True)
class Step:
    kind: str
    action: str
    sources: frozenset[str]
    target: str | None  # None: the status stays
    name_en: str


def _step(kind: str, action: str, sources: set[str], target: str | None, name: str) -> Step:
    return Step(kind, action, frozenset(sources), target, name)


_CANCELLABLE_CHANGE = {
    "change_draft",
    "change_approving",
    "change_rejected",
    "change_to_be_started",
}

STEPS: tuple[Step, ...] = (
    # change tickets, through POST /actions
    _step(
        CHANGE,
        "submit_process_action",
        {"change_draft", "change_rejected"},
        "change_approving",
        "Submit for review",
    ),
    _step(CHANGE, "agreed", {"change_approving"}, "change_to_be_started", "Approve"),
    _step(CHANGE, "rejected", {"change_approving"}, "change_rejected", "Reject"),
    _step(CHANGE, "cancel_process_action", _CANCELLABLE_CHANGE, "change_cancelled", "Cancel"),
    # change tickets, through PUT /tickets/{id} (history_info.action)
    _step(
        CHANGE,
        "change_start_change_success",
        {"change_to_be_started"},
        "change_implementing",
        "Start change",
    ),
    _step(
        CHANGE,
        "change_end_change_success",
        {"change_implementing"},
        "change_to_be_confirmed",
        "End change",
    ),
    _step(
        CHANGE,
        "change_set_change_result_success",
        {"change_to_be_confirmed"},
        "change_succeeded",
        "Set change result: succeeded",
    ),
    _step(
        CHANGE,
        "change_result_failed",
        {"change_to_be_confirmed"},
        "change_failed",
        "Set change result: failed",
    ),
    _step(
        CHANGE,
        "change_complete_success",
        {"change_succeeded", "change_failed"},
        "change_closed",
        "Close",
    ),
    _step(
        CHANGE, "change_cancel_change_success", _CANCELLABLE_CHANGE, "change_cancelled", "Cancel"
    ),
    # issue tickets
    _step(ISSUE, "submit_process_action", {"issues_draft"}, "issues_unaccepted", "Submit"),
    _step(ISSUE, "gocm_issues_accepte", {"issues_unaccepted"}, "issues_locating", "Accept"),
    _step(
        ISSUE, "gocm_issues_unaccepted_reject", {"issues_unaccepted"}, "issues_rejected", "Reject"
    ),
    _step(
        ISSUE,
        "gocm_issues_handling_forwarding",
        {"issues_unaccepted", "issues_locating"},
        "issues_unaccepted",
        "Transfer",
    ),
    _step(ISSUE, "ugrading_and_downgrading", set(ISSUE_OPEN), None, "Change level"),
    _step(
        ISSUE,
        "being_handled_initiate_suspend",
        {"issues_locating"},
        "issues_suspend_approving",
        "Request suspension",
    ),
    _step(ISSUE, "agreed", {"issues_suspend_approving"}, "issues_suspended", "Approve suspension"),
    _step(ISSUE, "agreed", {"issues_verifying"}, "issues_closed", "Verify and close"),
    _step(
        ISSUE,
        "rejected",
        {"issues_suspend_approving", "issues_verifying"},
        "issues_locating",
        "Reject",
    ),
    _step(ISSUE, "suspend_resume", {"issues_suspended"}, "issues_locating", "Resume"),
    _step(ISSUE, "submitting_question", {"issues_locating"}, "issues_verifying", "Submit solution"),
    _step(
        ISSUE,
        "submitting_question",
        {"issues_implementing"},
        "issues_verifying",
        "Submit implemented solution",
    ),
    _step(
        ISSUE,
        "gocm_issues_undo_create",
        {"issues_draft"} | set(ISSUE_OPEN),
        "issues_cancelled",
        "Cancel",
    ),
)

# Where an approval with `conclusion: false` leads instead.
DECLINED = {
    "change_approving": "change_rejected",
    "issues_suspend_approving": "issues_locating",
    "issues_verifying": "issues_locating",
}

RESULT_ACTIONS = frozenset({"change_set_change_result_success", "change_result_failed"})
DELETABLE = frozenset({"change_draft", "change_cancelled", "change_closed"})


def find_step(kind: str, action: str, status: str) -> Step | None:
    """The step `action` takes from `status`, or None when it is not allowed there."""
    return next(
        (s for s in STEPS if s.kind == kind and s.action == action and status in s.sources),
        None,
    )

