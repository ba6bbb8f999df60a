"""COC's state: change and issue tickets, their sub-tickets, histories and attachments.

Every method checks everything before it changes anything, so a refused call leaves no trace.
Records are scoped to the caller's domain: tickets of other domains do not exist for a caller.
"""

import base64
import time
from collections.abc import Iterable
from itertools import islice
from typing import Any

from mockserver.clock import Clock
from mockserver.coc import workflow
from mockserver.coc.errors import InvalidParameter, NotAllowedNow, NotFound
from mockserver.coc.workflow import CHANGE, ISSUE, PHASES
from mockserver.huawei.identity import Principal
from mockserver.ids import Ids
from mockserver.progression import Progressions
from mockserver.store import Record, Store, index_key

CHANGE_LEVELS = ("change_level_010", "change_level_020", "change_level_030", "change_level_040")
ISSUE_LEVELS = ("issues_level_1000", "issues_level_2000", "issues_level_3000", "issues_level_4000")
SCHEDULE_TYPES = (
    "issues_mgmt_virtual_schedule_type_1000",
    "issues_mgmt_virtual_schedule_type_2000",
)
SOURCES_NEEDING_ID = (
    "issues_mgmt_associated_type_1000",
    "issues_mgmt_associated_type_2000",
    "issues_mgmt_associated_type_3000",
)

COMMON_FIELDS = ("title", "level")
CHANGE_FIELDS = (
    "change_notes",
    "change_type",
    "change_scheme",
    "change_guides",
    "change_scene_id",
    "current_cloud_service_id",
    "location_id",
    "plan_task_sub_type",
    "plan_task_id",
    "plan_task_name",
    "plan_task_params",
)
ISSUE_FIELDS = (
    "description",
    "enterprise_project",
    "ticket_type",
    "commit_upload_attachment",
    "regions",
    "root_cause_cloud_service",
    "source",
    "source_id",
    "fount_time",
    "virtual_schedule_type",
    "issue_contact_person",
    "schedule_scenes",
    "virtual_schedule_role",
)
EXTERNAL_ISSUE_FIELDS = (
    "title",
    "description",
    "regions",
    "enterprise_project",
    "source",
    "source_id",
    "fount_time",
    "impacted_cloud_services",
    "level",
    "ticket_type",
    "reproduce_probability",
    "root_cause_cloud_service",
    "virtual_schedule_type",
    "schedule_scenes",
    "virtual_schedule_role",
    "issue_contact_person",
)
REQUIRED = {
    CHANGE: (
        "change_notes",
        "change_type",
        "change_scheme",
        "change_scene_id",
        "current_cloud_service_id",
        "location_id",
    ),
    ISSUE: ("description", "enterprise_project", "ticket_type", "virtual_schedule_type"),
}
TICKET_FIELDS = frozenset(
    (
        *COMMON_FIELDS,
        *CHANGE_FIELDS,
        *ISSUE_FIELDS,
        "id",
        "ticket_id",
        "real_ticket_id",
        "ticket_type_id",
        "phase",
        "work_flow_status",
        "is_start_process",
        "creator",
        "operator",
        "assignee",
        "participator",
        "root_cause_type",
        "root_cause_comment",
        "solution",
        "issue_version",
        "is_common_issue",
        "is_need_change",
        "estimated_recovery_time",
        "create_time",
        "update_time",
        "handle_time",
        "is_deleted",
        "impacted_cloud_services",
        "reproduce_probability",
    )
)
HISTORY_FIELDS = frozenset(
    (
        "action_id",
        "ticket_id",
        "action",
        "sub_action",
        "action_name_en",
        "operator",
        "comment",
        "start_time",
        "stop_time",
        "status",
        "phase",
        "work_flow_status",
    )
)
INTERNAL = ("domain_id", "process_start")
# Ticket fields whose `=` and `in` filters a list answers from an index.
LISTED_BY = ("phase", "work_flow_status")

ATTACHMENT_TYPES = ("jpg", "jpeg", "png", "docx", "txt", "pdf")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

# Display names of the enum values an issue detail explains in enum_data_list.
ENUM_NAMES = {
    "issues_level_1000": ("致命", "Critical"),
    "issues_level_2000": ("严重", "Major"),
    "issues_level_3000": ("一般", "Minor"),
    "issues_level_4000": ("提示", "Warning"),
    "issues_mgmt_virtual_schedule_type_1000": ("排班", "Shift"),
    "issues_mgmt_virtual_schedule_type_2000": ("个人", "Individual"),
    "issues_mgmt_associated_type_1000": ("事件", "Incident"),
    "issues_mgmt_associated_type_2000": ("告警", "Alarm"),
    "issues_mgmt_associated_type_3000": ("作战室", "War room"),
    "issues_mgmt_associated_type_4000": ("运维自发现", "Found in O&M"),
}
RESULT_FIELDS = (
    "change_result",
    "is_verified_in_change_time",
    "verified_docs",
    "comment",
    "change_fail_type",
    "rollback_start_time",
    "rollback_end_time",
    "is_rollback_success",
    "is_monitor_found",
)
CREATE_SUB_FIELDS = (
    "target_type",
    "app_name",
    "region",
    "target_value",
    "expected_start_time",
    "expected_end_time",
    "executors",
    "cooperators",
)
SOLUTION_SUB_FIELDS = ("affected_region", "target_type", "target_value")
COMMENT_PARAMS = (
    "comment",
    "approve_note",
    "explain",
    "suspend_description",
    "revocation_reason",
    "unaccepted_rejection_description",
    "up_down_grade_reason_comment",
    "solution",
)


def _given(value: Any) -> bool:
    return value is not None and value != ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_source(body: dict[str, Any]) -> None:
    if body.get("source") in SOURCES_NEEDING_ID and not _given(body.get("source_id")):
        raise InvalidParameter(f"source {body['source']} needs a source_id")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class CocBackend:
    def __init__(
        self, store: Store, clock: Clock, ids: Ids, progression: Progressions | None = None
    ) -> None:
        self.progression = progression or Progressions()
        self.tickets = store.table("coc.tickets")
        self.sub_tickets = store.table("coc.sub_tickets")
        self.histories = store.table("coc.histories")
        self.attachments = store.table("coc.attachments")
        # A domain's tickets of a kind newest first (the lists' default order), as a whole and
        # by the fields lists filter on most.
        self.tickets.add_index("newest", _kind, order=_newest, descending=True)
        for field in LISTED_BY:
            self.tickets.add_index(
                f"newest:{field}", _kind_and(field), order=_newest, descending=True
            )
        # Per domain, the tickets that change by themselves when read (see _tick).
        self.tickets.add_index("waiting", _waiting)
        # Sub-tickets and history rows stay with their ticket.
        self.sub_tickets.add_index(
            "main_ticket_id", lambda s: index_key(s.get("main_ticket_id")), fixed=True
        )
        self.histories.add_index(
            "ticket_id", lambda row: _text_or_none(row.get("ticket_id")), fixed=True
        )
        self.clock = clock
        self.ids = ids

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    # -- creating -----------------------------------------------------------------------------

    def create_ticket(self, caller: Principal, kind: str, body: dict[str, Any]) -> Record:
        fields = self._checked_create(caller, kind, body)
        sub_tickets = body.get("sub_tickets") or []
        if kind == CHANGE:
            self._check_create_sub_tickets(sub_tickets)
        started = body.get("is_start_process") is not False
        return self._insert(caller, kind, fields, started, sub_tickets if kind == CHANGE else [])

    def create_external_issue(self, caller: Principal, body: dict[str, Any]) -> Record:
        _check_source(body)
        fields: dict[str, Any] = {}
        for name in EXTERNAL_ISSUE_FIELDS:
            value = body.get(name)
            if _given(value):
                fields[name] = ",".join(value) if isinstance(value, list) else value
        creator = body.get("creator") or caller.user_id
        return self._insert(caller, ISSUE, fields, True, [], creator=creator)

    def _checked_create(self, caller: Principal, kind: str, body: dict[str, Any]) -> dict:
        own, other = (
            (CHANGE_FIELDS, ISSUE_FIELDS) if kind == CHANGE else (ISSUE_FIELDS, CHANGE_FIELDS)
        )
        foreign = [name for name in other if _given(body.get(name))]
        if kind == ISSUE and body.get("sub_tickets"):
            foreign.append("sub_tickets")
        if foreign:
            raise InvalidParameter(f"{', '.join(foreign)} cannot be set on a {kind} ticket")
        missing = [name for name in REQUIRED[kind] if not _given(body.get(name))]
        if kind == CHANGE and not body.get("sub_tickets"):
            missing.append("sub_tickets")
        if missing:
            raise InvalidParameter(f"a {kind} ticket needs {', '.join(missing)}")
        levels = CHANGE_LEVELS if kind == CHANGE else ISSUE_LEVELS
        if _given(body.get("level")) and body["level"] not in levels:
            raise InvalidParameter(f"level of a {kind} ticket must be one of {', '.join(levels)}")
        if kind == CHANGE:
            scheme = body["change_scheme"]
            needed = (
                ("change_guides",)
                if scheme == "change_scheme_guides"
                else ("plan_task_sub_type", "plan_task_id", "plan_task_name", "plan_task_params")
            )
            lacking = [name for name in needed if not _given(body.get(name))]
            if lacking:
                raise InvalidParameter(f"{scheme} needs {', '.join(lacking)}")
        else:
            _check_source(body)
            doc_id = body.get("commit_upload_attachment")
            if _given(doc_id) and not self._attachment_of(caller, doc_id):
                raise NotFound(f"commit_upload_attachment names no attachment {doc_id}")
        return {name: body[name] for name in (*COMMON_FIELDS, *own) if _given(body.get(name))}

    @staticmethod
    def _check_create_sub_tickets(sub_tickets: list[dict]) -> None:
        for index, sub in enumerate(sub_tickets):
            where = f"sub_tickets[{index}]"
            target_type = sub.get("target_type")
            if target_type == "change_scope":
                lacking = [n for n in ("app_name", "region") if not _given(sub.get(n))]
            elif target_type == "child_ticket":
                lacking = [n for n in ("target_value",) if not _given(sub.get(n))]
            else:
                raise InvalidParameter(f"{where}.target_type must be change_scope or child_ticket")
            if lacking:
                raise InvalidParameter(f"{where} ({target_type}) needs {', '.join(lacking)}")

    def _insert(
        self,
        caller: Principal,
        kind: str,
        fields: dict[str, Any],
        started: bool,
        sub_tickets: list[dict],
        *,
        creator: str | None = None,
    ) -> Record:
        now = self.now_ms()
        ticket_id = self._new_ticket_id("CM" if kind == CHANGE else "IM")
        start = self.progression.coc_process_start
        # The process starts asynchronously: until the world's progression says it has, the
        # ticket stays in its draft status.
        pending = started and start.mode != "immediate"
        status = workflow.FIRST[(kind, started and not pending)]
        record: Record = {
            **fields,
            "id": str(self.ids.uuid()),
            "ticket_id": ticket_id,
            "real_ticket_id": ticket_id,
            "ticket_type_id": kind,
            "phase": PHASES[status],
            "work_flow_status": status,
            "is_start_process": started,
            "creator": creator or caller.user_id,
            "operator": caller.user_id,
            "create_time": now,
            "update_time": now,
            "is_deleted": False,
            "domain_id": caller.domain_id,
        }
        if kind == ISSUE and fields.get("issue_contact_person"):
            record["assignee"] = fields["issue_contact_person"]
        if pending:
            record["process_start"] = {
                "polls": int(start.value) if start.mode == "polls" else 0,
                "due": now + int(start.value * 1000) if start.mode == "seconds" else now,
            }
        self.tickets.put(ticket_id, record)
        self._add_sub_tickets(record, sub_tickets, CREATE_SUB_FIELDS, caller.user_id)
        self._history(record, "create_ticket", "Create ticket", caller.user_id, None)
        return record

    def _new_ticket_id(self, prefix: str) -> str:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(self.clock.now()))
        while True:
            ticket_id = f"{prefix}{stamp}{self.ids.uuid().int % 10**10:010d}"
            if self.tickets.get(ticket_id) is None:
                return ticket_id

    def _add_sub_tickets(
        self, ticket: Record, subs: Iterable[dict], fields: tuple[str, ...], operator: str
    ) -> None:
        """Numbers and stores `subs`, keeping only their `fields`."""
        existing = self.sub_tickets.count("main_ticket_id", ticket["ticket_id"])
        now = self.now_ms()
        for number, sub in enumerate(subs, start=existing + 1):
            sub_id = f"{ticket['ticket_id']}-{number:02d}"
            record = {name: sub[name] for name in fields if _given(sub.get(name))}
            record.update(
                id=str(self.ids.uuid()),
                ticket_id=sub_id,
                real_ticket_id=sub_id,
                main_ticket_id=ticket["ticket_id"],
                parent_ticket_id=ticket["ticket_id"],
                creator=operator,
                operator=operator,
                create_time=now,
                update_time=now,
            )
            record.setdefault("target_type", "")
            self.sub_tickets.put(sub_id, record)

    def _history(
        self,
        ticket: Record,
        action: str,
        name_en: str,
        operator: str,
        comment: str | None,
    ) -> None:
        now = self.now_ms()
        row = {
            "action_id": str(self.ids.uuid()),
            "ticket_id": ticket["ticket_id"],
            "ticket_type_id": ticket["ticket_type_id"],
            "action": action,
            "action_name_en": name_en,
            "operator": operator,
            "start_time": now,
            "stop_time": now,
            "status": "finished",
            "phase": ticket["phase"],
            "work_flow_status": ticket["work_flow_status"],
            "domain_id": ticket["domain_id"],
        }
        if comment:
            row["comment"] = comment
        self.histories.put(row["action_id"], row)

    # -- reading ------------------------------------------------------------------------------

    def ticket(self, caller: Principal, kind: str, ticket_id: str) -> Record:
        record = self.tickets.get(ticket_id)
        if (
            record is None
            or record["domain_id"] != caller.domain_id
            or record["ticket_type_id"] != kind
        ):
            raise NotFound(f"no {kind} ticket {ticket_id}")
        self._tick(record)
        return record

    def _tick(self, record: Record) -> None:
        """What happens by itself when a ticket is read: its asynchronous process starts, and
        a suspended issue resumes once its estimated recovery time has passed."""
        start = record.get("process_start")
        if start is not None:
            draft = workflow.FIRST[(record["ticket_type_id"], False)]
            if record["work_flow_status"] != draft:
                del record["process_start"]  # acted on meanwhile; nothing left to start
            elif start["polls"] > 0:
                start["polls"] -= 1
            elif self.now_ms() >= start["due"]:
                del record["process_start"]
                self._move(record, workflow.FIRST[(record["ticket_type_id"], True)], "system")
                self._history(record, "start_process", "Start process", "system", None)
            self.tickets.put(record["ticket_id"], record)
        due = record.get("estimated_recovery_time")
        if record["work_flow_status"] == "issues_suspended" and due and self.now_ms() >= due:
            self._move(record, "issues_locating", "system")
            self._history(
                record, "suspend_resume", "Resume (recovery time reached)", "system", None
            )

    def present(self, record: Record, *, with_sub_tickets: bool = False) -> dict[str, Any]:
        shown = {k: v for k, v in record.items() if k not in INTERNAL and v is not None}
        if with_sub_tickets:
            shown["sub_tickets"] = self._subs_of(record["ticket_id"])
        return shown

    def _subs_of(self, ticket_id: str) -> list[dict]:
        return [dict(s) for s in self.sub_tickets.lookup("main_ticket_id", ticket_id)]

    def list_tickets(
        self, caller: Principal, kind: str, params: dict[str, Any]
    ) -> tuple[list, int | None]:
        """A page of the caller's tickets of `kind`, and how many match in all when
        `contain_total` asks (else None)."""
        string_filters = params.get("string_filters") or []
        tests = _compile_filters(string_filters, TICKET_FIELDS)
        sort_field, descending = _sort(
            params.get("sort_filter"), TICKET_FIELDS, "create_time", True
        )
        categories = params.get("ticket_types") or []
        page, per_page = params.get("page", 1), params.get("per_page", 10)
        self._tick_waiting(caller, kind)
        domain = caller.domain_id

        def listed(record: Record) -> bool:
            return (not categories or record.get("ticket_type") in categories) and all(
                test(record) for test in tests
            )

        start = (page - 1) * per_page
        if (sort_field, descending) == ("create_time", True):
            index, values, exact = self._ticket_index(domain, kind, string_filters)
            exact = exact and not categories
            rows = filter(listed, self.tickets.lookup(index, *values))
            if exact or not params.get("contain_total"):
                # In order already; the total, if wanted, is the index's: read just the page.
                chosen = list(islice(rows, start, start + per_page))
                total = self.tickets.count(index, *values) if exact else None
            else:
                everything = list(rows)
                chosen, total = everything[start : start + per_page], len(everything)
        else:
            everything = [
                record
                for record in self.tickets.values()
                if record["domain_id"] == domain
                and record["ticket_type_id"] == kind
                and listed(record)
            ]
            everything = _sorted(everything, sort_field, descending)
            chosen, total = everything[start : start + per_page], len(everything)
        shown = [
            self.present(r, with_sub_tickets=bool(params.get("contain_sub_ticket"))) for r in chosen
        ]
        return shown, total

    def _ticket_index(
        self, domain: str, kind: str, string_filters: list[dict]
    ) -> tuple[str, list, bool]:
        """The index a newest-first list reads (its name and values), and whether every ticket
        it yields passes the filters: the least populated of the domain's tickets of the kind
        and those an `=` or `in` filter on a LISTED_BY field picks."""
        choices = [("newest", [(domain, kind)], not string_filters)]
        for item in string_filters:
            if item["field"] in LISTED_BY and item.get("operator") in ("=", "in"):
                values = [(domain, kind, value) for value in item["values"]]
                choices.append((f"newest:{item['field']}", values, len(string_filters) == 1))
        return min(choices, key=lambda choice: self.tickets.count(choice[0], *choice[1]))

    def _tick_waiting(self, caller: Principal, kind: str | None = None) -> None:
        """Ticks the caller's tickets (of `kind`, if given) that change by themselves."""
        for record in list(self.tickets.lookup("waiting", caller.domain_id)):
            if kind is None or record["ticket_type_id"] == kind:
                self._tick(record)

    def list_histories(self, caller: Principal, kind: str, params: dict[str, Any]) -> list[dict]:
        string_filters = params.get("string_filters") or []
        filters = _compile_filters(string_filters, HISTORY_FIELDS)
        sort_field, descending = _sort(
            params.get("sort_filter"), HISTORY_FIELDS, "start_time", False
        )
        self._tick_waiting(caller)
        ticket_ids = next(
            (
                f["values"]
                for f in string_filters
                if f["field"] == "ticket_id" and f.get("operator") in ("=", "in")
            ),
            None,
        )
        candidates = (
            self.histories.values()
            if ticket_ids is None
            else self.histories.lookup("ticket_id", *ticket_ids)
        )
        rows = [
            row
            for row in candidates
            if row["domain_id"] == caller.domain_id
            and row["ticket_type_id"] == kind
            and all(test(row) for test in filters)
        ]
        return [
            {k: v for k, v in row.items() if k in HISTORY_FIELDS}
            for row in _sorted(rows, sort_field, descending)
        ]

    def list_sub_tickets(
        self,
        caller: Principal,
        kind: str,
        ticket_id: str,
        target_type: str,
        limit: int,
        marker: str | None,
    ) -> tuple[list[dict], int, str | None]:
        self.ticket(caller, kind, ticket_id)
        subs = [s for s in self._subs_of(ticket_id) if s.get("target_type") == target_type]
        start = 0
        if marker:
            ids = [s["ticket_id"] for s in subs]
            if marker not in ids:
                raise InvalidParameter(f"marker {marker} is not a sub-ticket of {ticket_id}")
            start = ids.index(marker) + 1
        page = subs[start : start + limit]
        more = start + limit < len(subs)
        return page, len(subs), (page[-1]["ticket_id"] if more and page else None)

    def external_issue(self, caller: Principal, ticket_id: str) -> dict[str, Any]:
        shown = self.present(self.ticket(caller, ISSUE, ticket_id))
        shown["enum_data_list"] = [
            {
                "filed_key": field,
                "enum_key": shown[field],
                "name_zh": ENUM_NAMES[shown[field]][0],
                "name_en": ENUM_NAMES[shown[field]][1],
            }
            for field in ("level", "virtual_schedule_type", "source")
            if shown.get(field) in ENUM_NAMES
        ]
        return shown

    # -- the workflow ---------------------------------------------------------------------------

    def execute_action(self, caller: Principal, kind: str, body: dict[str, Any]) -> Record:
        record = self.ticket(caller, kind, body["ticket_id"])
        action = body["action"]
        params = body.get("params") or {}
        status = record["work_flow_status"]
        step = workflow.find_step(kind, action, status)
        if step is None:
            raise NotAllowedNow(f"{action} is not allowed while the ticket is {status}")
        target, changes = self._checked_params(record, action, params, step.target)
        operator = body.get("user_id") or caller.user_id
        record.update(changes)
        if action == "submitting_question":
            subs = params.get("sub_tickets") or []
            self._add_sub_tickets(record, subs, SOLUTION_SUB_FIELDS, operator)
        if action == "gocm_issues_accepte":
            record["assignee"] = operator
        self._move(record, target or status, operator)
        comment = next((params[p] for p in COMMENT_PARAMS if _given(params.get(p))), None)
        self._history(record, action, step.name_en, operator, comment)
        return record

    def _checked_params(
        self, record: Record, action: str, params: dict[str, Any], target: str | None
    ) -> tuple[str | None, dict[str, Any]]:
        """The status the action leads to and the fields it sets, after checking its params."""
        status = record["work_flow_status"]
        changes: dict[str, Any] = {}
        if action == "agreed":
            conclusion = _param(params, "conclusion", bool, required=False)
            if conclusion is False:
                target = workflow.DECLINED[status]
        elif action == "gocm_issues_unaccepted_reject":
            _param(params, "unaccepted_rejection_description", str)
        elif action == "gocm_issues_handling_forwarding":
            changes["assignee"] = _param(params, "forwarding_assigne", str)
            schedule = _param(params, "virtual_schedule_type", str, required=False)
            if schedule is not None:
                if schedule not in SCHEDULE_TYPES:
                    raise InvalidParameter(f"virtual_schedule_type must be one of {SCHEDULE_TYPES}")
                changes["virtual_schedule_type"] = schedule
        elif action == "ugrading_and_downgrading":
            level = params.get("level") or params.get("up_down_updated_level")
            if level not in ISSUE_LEVELS:
                raise InvalidParameter(f"level must be one of {', '.join(ISSUE_LEVELS)}")
            changes["level"] = level
        elif action == "being_handled_initiate_suspend":
            due = _param(params, "estimated_recovery_time", int)
            if due <= self.now_ms():
                raise InvalidParameter("estimated_recovery_time must be in the future")
            changes["estimated_recovery_time"] = due
        elif action == "submitting_question":
            changes["solution"] = _param(params, "solution", str)
            for name in (
                "root_cause_type",
                "root_cause_comment",
                "root_cause_cloud_service",
                "issue_version",
                "regions",
            ):
                value = _param(params, name, str, required=False)
                if value is not None:
                    changes[name] = value
            for name in ("is_common_issue", "is_need_change"):
                value = _param(params, name, bool, required=False)
                if value is not None:
                    changes[name] = value
            subs = params.get("sub_tickets") or []
            if not isinstance(subs, list) or not all(
                isinstance(sub, dict)
                and all(isinstance(sub.get(k, ""), str) for k in SOLUTION_SUB_FIELDS)
                for sub in subs
            ):
                raise InvalidParameter(
                    "params.sub_tickets must be a list of objects whose "
                    f"{', '.join(SOLUTION_SUB_FIELDS)} are strings"
                )
            if status == "issues_locating" and changes.get("is_need_change"):
                target = "issues_implementing"
        return target, changes

    def _move(self, record: Record, status: str, operator: str) -> None:
        record.update(
            work_flow_status=status,
            phase=PHASES[status],
            operator=operator,
            update_time=self.now_ms(),
            handle_time=self.now_ms(),
        )
        self.tickets.put(record["ticket_id"], record)

    def update_change(self, caller: Principal, ticket_id: str, body: dict[str, Any]) -> Record:
        record = self.ticket(caller, CHANGE, ticket_id)
        status = record["work_flow_status"]
        action = (body.get("history_info") or {}).get("action")
        info = body.get("ticket_info") or {}
        phase, wanted_status = info.get("phase"), info.get("work_flow_status")
        if action:
            step = workflow.find_step(CHANGE, action, status)
        elif phase == "phase_change_approve":
            action = "submit_process_action"
            step = workflow.find_step(CHANGE, action, status)
        elif phase:
            raise InvalidParameter(
                "ticket_info.phase alone can only submit (phase_change_approve); "
                "name the step in history_info.action"
            )
        else:
            raise InvalidParameter("the body names no step: give history_info.action")
        if step is None:
            raise NotAllowedNow(f"{action} is not allowed while the ticket is {status}")
        if phase and phase != PHASES[step.target]:
            raise InvalidParameter(f"{action} leads to {PHASES[step.target]}, not {phase}")
        if wanted_status and wanted_status != step.target:
            raise InvalidParameter(f"{action} leads to {step.target}, not {wanted_status}")
        results = body.get("sub_tickets") or []
        if results and action not in workflow.RESULT_ACTIONS:
            raise InvalidParameter("sub_tickets results go with a change_set_change_result step")
        for result in results:
            sub = self.sub_tickets.get(result["ticket_id"])
            if sub is None or sub["main_ticket_id"] != ticket_id:
                raise InvalidParameter(f"{result['ticket_id']} is not a sub-ticket of {ticket_id}")
        now = self.now_ms()
        for result in results:
            sub = self.sub_tickets.get(result["ticket_id"])
            sub.update({k: result[k] for k in RESULT_FIELDS if k in result})
            sub.update(operator=caller.user_id, update_time=now)
            self.sub_tickets.put(sub["ticket_id"], sub)
        self._move(record, step.target, caller.user_id)
        self._history(record, action, step.name_en, caller.user_id, None)
        return record

    def delete_change(self, caller: Principal, ticket_id: str) -> None:
        record = self.ticket(caller, CHANGE, ticket_id)
        if record["work_flow_status"] not in workflow.DELETABLE:
            raise NotAllowedNow(
                f"a change ticket that is {record['work_flow_status']} cannot be deleted; "
                f"only {', '.join(sorted(workflow.DELETABLE))} ones can"
            )
        self.tickets.delete(ticket_id)
        for sub in self._subs_of(ticket_id):
            self.sub_tickets.delete(sub["ticket_id"])
        for row in list(self.histories.lookup("ticket_id", ticket_id)):
            self.histories.delete(row["action_id"])

    # -- attachments ----------------------------------------------------------------------------

    def add_attachment(self, caller: Principal, filename: str, content: bytes) -> Record:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in ATTACHMENT_TYPES:
            raise InvalidParameter(
                f"the file must be one of {', '.join(ATTACHMENT_TYPES)}, by its name's extension"
            )
        if not content:
            raise InvalidParameter("the file is empty")
        if len(content) > ATTACHMENT_MAX_BYTES:
            raise InvalidParameter("the file is larger than 10 MB")
        record = {
            "doc_id": str(self.ids.uuid()),
            "doc_name": name,
            "size": len(content),
            "content_base64": base64.b64encode(content).decode("ascii"),
            "create_time": self.now_ms(),
            "domain_id": caller.domain_id,
        }
        self.attachments.put(record["doc_id"], record)
        return record

    def _attachment_of(self, caller: Principal, doc_id: str) -> Record | None:
        record = self.attachments.get(doc_id)
        return record if record and record["domain_id"] == caller.domain_id else None

    def attachment(self, caller: Principal, doc_id: str) -> tuple[str, bytes]:
        record = self._attachment_of(caller, doc_id)
        if record is None:
            raise NotFound(f"no attachment {doc_id}")
        return record["doc_name"], base64.b64decode(record["content_base64"])


def _param(params: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidParameter(f"params.{name} is required")
        return None
    wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
    if wrong or (kind is str and required and not value.strip()):
        raise InvalidParameter(f"params.{name} must be a non-empty {kind.__name__}")
    return value


def _compile_filters(filters: list[dict], fields: frozenset[str]) -> list:
    tests = []
    for index, item in enumerate(filters):
        field, operator, values = item["field"], item.get("operator"), item.get("values") or []
        if field not in fields:
            raise InvalidParameter(f"string_filters[{index}].field {field!r} is not a field")
        if operator not in ("in", "like", "startwith", "endwith", "=", "!=", ">", "<"):
            raise InvalidParameter(f"string_filters[{index}].operator {operator!r} is not a filter")
        if not values:
            raise InvalidParameter(f"string_filters[{index}].values must not be empty")
        tests.append(_test(field, operator, values))
    return tests


def _test(field: str, operator: str, values: list[str]):
    first = values[0]

    def test(record: Record) -> bool:
        value = record.get(field)
        if value is None:
            return operator == "!="
        text = _text(value)
        if operator in ("=", "in"):
            return text in values
        if operator == "!=":
            return text not in values
        if operator == "like":
            return first in text
        if operator == "startwith":
            return text.startswith(first)
        if operator == "endwith":
            return text.endswith(first)
        left, right = _number(value), _number(first)
        if left is None or right is None:
            left, right = text, first
        return left > right if operator == ">" else left < right

    return test


def _sort(sort_filter: dict | None, fields: frozenset[str], default: str, descending: bool):
    if not sort_filter:
        return default, descending
    field, operator = sort_filter["field"], sort_filter.get("operator") or "asc"
    if field not in fields:
        raise InvalidParameter(f"sort_filter.field {field!r} is not a field")
    if operator not in ("asc", "desc"):
        raise InvalidParameter("sort_filter.operator must be asc or desc")
    return field, operator == "desc"


def _sorted(rows: list[Record], field: str, descending: bool) -> list[Record]:
    present = [r for r in rows if r.get(field) is not None]
    absent = [r for r in rows if r.get(field) is None]
    return sorted(present, key=lambda r: _rank(r[field]), reverse=descending) + absent


def _rank(value: Any) -> tuple:
    """How a sort places a present value: numbers by value, before other values by text."""
    number = _number(value)
    return (0, number) if number is not None else (1, _text(value))


# -- the tickets' indexes ---------------------------------------------------------------------


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


def _kind(record: Record) -> tuple | None:
    domain, kind = index_key(record.get("domain_id")), index_key(record.get("ticket_type_id"))
    return None if domain is None or kind is None else (domain, kind)


def _kind_and(field: str):
    """Files a ticket under its domain, its kind and the text of `field` (what `=` compares)."""

    def key(record: Record) -> tuple | None:
        kind, value = _kind(record), record.get(field)
        return None if kind is None or value is None else (*kind, _text(value))

    return key


def _newest(record: Record) -> tuple:
    """A ticket's place in the default order, descending: by create_time as _sorted ranks it
    (numbers by value, before other values by text), tickets without one last."""
    created = record.get("create_time")
    if created is None:
        return (0, 0, 0)
    if type(created) in (int, float):  # the usual: no float made for each ticket
        return (1, 0, created)
    number = _number(created)
    return (1, 0, number) if number is not None else (1, 1, _text(created))


def _waiting(record: Record) -> Any:
    """The domain of a ticket that _tick may change: one whose process is still to start, or a
    suspended issue with a recovery time."""
    waiting = record.get("process_start") is not None or (
        record.get("work_flow_status") == "issues_suspended"
        and record.get("estimated_recovery_time")
    )
    return index_key(record.get("domain_id")) if waiting else None
