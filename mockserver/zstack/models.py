"""ZStack's ticket domain: accounts, IAM2 virtual IDs and projects, sessions, tickets and their
approval flows, histories and archives. Plain Python: no requests, no JSON.

Records are dicts with ZStack's own field names; dates are epoch milliseconds until the HTTP
layer formats them. Rules ZStack does not publish are our choices, written in the spec.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mockserver.clock import Clock
from mockserver.config import ZStackSettings
from mockserver.ids import Ids
from mockserver.progression import Progressions
from mockserver.store import Record, Store, Table
from mockserver.zstack.errors import (
    AuthenticationFailed,
    InvalidArgument,
    InvalidSession,
    OperationFailed,
    PermissionDenied,
    ResourceNotFound,
)
from mockserver.zstack.jobs import Jobs

ACCOUNT = "AccountVO"
VIRTUAL_ID = "IAM2VirtualIDVO"
SYSTEM = "System"
NEVER_EXPIRES_MS = 4_102_444_800_000  # 2100-01-01, for sessions a scenario pins

PENDING, INTERMEDIATE, FINAL = "Pending", "IntermediateApproved", "FinalApproved"
REJECTED, CANCELLED = "Rejected", "Cancelled"
UNDER_APPROVAL = frozenset({PENDING, INTERMEDIATE})
REQUESTS_UPDATABLE = frozenset({PENDING, REJECTED, CANCELLED})

PROJECT = "accountSystemContext.projectUuid"
# The fields whose `=` query conditions are answered from an index instead of a scan. The
# records of every table are keyed by their uuid, so `uuid=` is a plain get.
TICKET_INDEXES = ("status", "ticketTypeUuid", "flowCollectionUuid", "currentFlowUuid", PROJECT)
HISTORY_INDEXES = ("ticketUuid",)
ARCHIVE_TICKET_INDEXES = ("ticketUuid", PROJECT)
# What an index files a record under when the field holds neither text nor nothing: while any
# record is filed so, the index cannot answer a condition on its text and the query scans.
NOT_TEXT = ("not text",)
# A query's `field=value` conditions.
Equalities = Iterable[tuple[str, str]]


@dataclass(frozen=True)
class Transition:
    """Which statuses an event applies to, where it leads, and who may send it.

    `target` None means "IntermediateApproved while flows remain, else FinalApproved".
    `by` is "approver" (the current flow's approver or an admin, never the requester) or
    "requester" (the requester or an admin).
    """

    sources: frozenset[str]
    target: str | None
    by: str


TRANSITIONS: dict[str, Transition] = {
    "open": Transition(frozenset(), PENDING, "requester"),
    "approve": Transition(UNDER_APPROVAL, None, "approver"),
    "reject": Transition(UNDER_APPROVAL, REJECTED, "approver"),
    "cancel": Transition(UNDER_APPROVAL | {REJECTED}, CANCELLED, "requester"),
    "reopen": Transition(frozenset({REJECTED, CANCELLED}), PENDING, "requester"),
}


def next_status(status: str, event: str, flows_after_current: int) -> str | None:
    """Where `event` takes a ticket in `status`, or None when ZStack refuses it."""
    transition = TRANSITIONS[event]
    if status not in transition.sources:
        return None
    if transition.target is None:
        return INTERMEDIATE if flows_after_current else FINAL
    return transition.target


def hash_password(password: str) -> str:
    """What ZStack clients send as the password: its SHA-512 hex digest."""
    return hashlib.sha512(password.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who a session speaks for."""

    uuid: str
    type: str
    admin: bool
    project_uuid: str | None = None


class ZStackBackend:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        ids: Ids,
        settings: ZStackSettings,
        progression: Progressions | None = None,
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._settings = settings
        self.accounts = store.table("zstack.accounts")
        self.projects = store.table("zstack.projects")
        self.virtual_ids = store.table("zstack.virtual_ids")
        self.sessions = store.table("zstack.sessions")
        self.ticket_types = store.table("zstack.ticket_types")
        self.collections = store.table("zstack.flow_collections")
        self.flows = store.table("zstack.flows")
        self.tickets = store.table("zstack.tickets")
        self.histories = store.table("zstack.histories")
        self.archive_tickets = store.table("zstack.archive_tickets")
        self.archive_histories = store.table("zstack.archive_histories")
        self.counters = store.table("zstack.counters")
        for table, fields in (
            (self.tickets, TICKET_INDEXES),
            (self.archive_tickets, ARCHIVE_TICKET_INDEXES),
        ):
            for field in fields:
                table.add_index(field, _text_at(field))
        for field in HISTORY_INDEXES:  # a history row stays with its ticket
            self.histories.add_index(field, _text_at(field), fixed=True)
        progression = progression or Progressions()
        self.jobs = Jobs(store, clock, ids, lambda: progression.zstack_jobs)

    # -- time and ids -------------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self._clock.now() * 1000)

    def _new_uuid(self, wanted: str | None = None, *tables: Any) -> str:
        if wanted is None:
            return self._ids.hex32()
        if any(table.get(wanted) is not None for table in tables):
            raise InvalidArgument(f"resourceUuid[{wanted}] is already in use")
        return wanted

    def _next_sequence(self) -> int:
        counter = self.counters.get("historySequence") or {"value": 0}
        counter["value"] += 1
        self.counters.put("historySequence", counter)
        return counter["value"]

    # -- sessions -----------------------------------------------------------------------------

    def log_in_by_account(self, account_name: str, password: str) -> Record:
        account = next((a for a in self.accounts.values() if a["name"] == account_name), None)
        if account is None or account["password"] != password:
            raise AuthenticationFailed("wrong account name or password")
        return self._open_session(account["uuid"], account["uuid"], ACCOUNT, None)

    def log_in_virtual_id(self, name: str, password: str) -> Record:
        virtual_id = next((v for v in self.virtual_ids.values() if v["name"] == name), None)
        if virtual_id is None or virtual_id["password"] != password:
            raise AuthenticationFailed("wrong virtual ID name or password")
        first_project = virtual_id["projectUuids"][0] if virtual_id["projectUuids"] else None
        return self._open_session(
            self.project_account(first_project), virtual_id["uuid"], VIRTUAL_ID, None
        )

    def log_in_project(self, session_uuid: str, project_name: str) -> Record:
        session = self._live_session(session_uuid)
        if session["userType"] != VIRTUAL_ID:
            raise PermissionDenied("only an IAM2 virtual ID can log in to a project")
        project = next((p for p in self.projects.values() if p["name"] == project_name), None)
        if project is None:
            raise ResourceNotFound(f"no project named {project_name!r}")
        if project["uuid"] not in self.virtual_ids.get(session["userUuid"])["projectUuids"]:
            raise PermissionDenied(f"the virtual ID is not a member of project {project_name!r}")
        return self._open_session(
            project["linkedAccountUuid"], session["userUuid"], VIRTUAL_ID, project["uuid"]
        )

    def log_out(self, session_uuid: str) -> None:
        self.sessions.delete(session_uuid)

    def session_valid(self, session_uuid: str) -> bool:
        session = self.sessions.get(session_uuid)
        return session is not None and session["expiredDate"] > self.now_ms()

    def actor(self, session_uuid: str) -> Actor:
        session = self._live_session(session_uuid)
        if session["userType"] == ACCOUNT:
            account = self.accounts.get(session["userUuid"])
            return Actor(account["uuid"], ACCOUNT, account["admin"])
        return Actor(session["userUuid"], VIRTUAL_ID, False, session.get("projectUuid"))

    def _live_session(self, session_uuid: str) -> Record:
        if not self.session_valid(session_uuid):
            raise InvalidSession(f"the session[uuid:{session_uuid}] is invalid or expired")
        return self.sessions.get(session_uuid)

    def _open_session(
        self,
        account_uuid: str,
        user_uuid: str,
        user_type: str,
        project_uuid: str | None,
        *,
        uuid: str | None = None,
        expired_date: int | None = None,
    ) -> Record:
        now = self.now_ms()
        session = {
            "uuid": uuid or self._ids.hex32(),
            "accountUuid": account_uuid,
            "userUuid": user_uuid,
            "userType": user_type,
            "projectUuid": project_uuid,
            "createDate": now,
            "expiredDate": expired_date or now + self._settings.session_timeout_s * 1000,
        }
        self.sessions.put(session["uuid"], session)
        return session

    def project_account(self, project_uuid: str | None) -> str:
        project = self.projects.get(project_uuid) if project_uuid else None
        return project["linkedAccountUuid"] if project else self._admin_account_uuid()

    def _admin_account_uuid(self) -> str:
        return next(a["uuid"] for a in self.accounts.values() if a["admin"])

    # -- visibility ---------------------------------------------------------------------------

    def _visible_projects(self, actor: Actor) -> set[str] | None:
        """Projects whose resources the actor may see; None means all of them."""
        if actor.admin:
            return None
        virtual_id = self.virtual_ids.get(actor.uuid)
        return set(virtual_id["projectUuids"]) if virtual_id else set()

    def _require_admin(self, actor: Actor, what: str) -> None:
        if not actor.admin:
            raise PermissionDenied(f"only an admin may {what}")

    # -- tickets ------------------------------------------------------------------------------

    def create_ticket(self, actor: Actor, params: dict[str, Any]) -> Record:
        context = params["accountSystemContext"]
        project = self._get(self.projects, context["projectUuid"], "project")
        requester = self._get(self.virtual_ids, context["virtualIDUuid"], "IAM2 virtual ID")
        if project["uuid"] not in requester["projectUuids"]:
            raise InvalidArgument(
                f"virtual ID[uuid:{requester['uuid']}] is not a member of "
                f"project[uuid:{project['uuid']}]"
            )
        if not actor.admin and actor.uuid != requester["uuid"]:
            raise PermissionDenied("a virtual ID can only create tickets for itself")
        ticket_type = self._ticket_type_for(params["requests"])
        collection = self._collection_for_new_ticket(
            params.get("flowCollectionUuid"), project["uuid"], ticket_type["uuid"]
        )
        uuid = self._new_uuid(params.get("resourceUuid"), self.tickets, self.archive_tickets)
        now = self.now_ms()
        ticket = {
            "uuid": uuid,
            "name": params["name"],
            "description": params.get("description"),
            "status": PENDING,
            "request": params["requests"],
            "accountSystemType": params["accountSystemType"],
            "accountSystemContext": {
                "projectUuid": project["uuid"],
                "virtualIDUuid": requester["uuid"],
            },
            "ticketTypeUuid": ticket_type["uuid"],
            "currentFlowUuid": collection["flowUuids"][0],
            "flowCollectionUuid": collection["uuid"],
            "createDate": now,
            "lastOpDate": now,
        }
        self.tickets.put(uuid, ticket)
        self._add_history(ticket, None, PENDING, actor, None, "StatusChanged")
        return ticket

    def update_ticket_request(
        self, actor: Actor, uuid: str, requests: list[dict], description: str | None
    ) -> Record:
        ticket = self._get(self.tickets, uuid, "ticket")
        self._require_requester(actor, ticket)
        if ticket["status"] not in REQUESTS_UPDATABLE:
            raise OperationFailed(
                f"the requests of a ticket in status {ticket['status']} cannot be changed"
            )
        ticket["request"] = requests
        if description is not None:
            ticket["description"] = description
        ticket["lastOpDate"] = self.now_ms()
        self.tickets.put(uuid, ticket)
        return ticket

    def change_ticket_status(
        self, actor: Actor, uuid: str, event: str, comment: str | None
    ) -> Record:
        ticket = self._get(self.tickets, uuid, "ticket")
        status = ticket["status"]
        transition = TRANSITIONS[event]
        if status not in transition.sources:
            raise OperationFailed(f"a ticket in status {status} cannot take the event {event}")
        if transition.by == "approver":
            self._require_approver(actor, ticket)
        else:
            self._require_requester(actor, ticket)

        collection = self.collections.get(ticket["flowCollectionUuid"])
        order = collection["flowUuids"] if collection else []
        current = self.flows.get(ticket.get("currentFlowUuid") or "")
        flow_name = current["name"] if current else None
        if event == "reopen":
            if not order:
                raise OperationFailed("the ticket's flow collection has no flows left")
            ticket["currentFlowUuid"] = order[0]
            flow_name = self.flows.get(order[0])["name"]
        remaining = self._flows_after(order, ticket.get("currentFlowUuid"))
        target = next_status(status, event, len(remaining))
        if event == "approve" and remaining:
            ticket["currentFlowUuid"] = remaining[0]
        ticket["status"] = target
        ticket["lastOpDate"] = self.now_ms()
        self.tickets.put(uuid, ticket)
        self._add_history(ticket, status, target, actor, comment, "StatusChanged", flow_name)
        if target == FINAL:
            self._execute_requests(ticket, flow_name)
        return ticket

    def delete_ticket(self, actor: Actor, uuid: str, delete_mode: str) -> None:
        ticket = self.tickets.get(uuid)
        if ticket is None:
            return
        self._require_requester(actor, ticket)
        if delete_mode == "Permissive" and ticket["status"] in UNDER_APPROVAL:
            raise OperationFailed(
                f"ticket[uuid:{uuid}] is under approval ({ticket['status']}); cancel it first "
                "or delete it with deleteMode=Enforcing"
            )
        account_uuid = self.project_account(ticket["accountSystemContext"]["projectUuid"])
        archived = {**ticket, "uuid": self._ids.hex32(), "ticketUuid": uuid}
        archived["accountUuid"] = account_uuid
        self.archive_tickets.put(archived["uuid"], archived)
        for history in self._histories_of(uuid):
            copy = {**history, "uuid": self._ids.hex32(), "historyUuid": history["uuid"]}
            copy["accountUuid"] = account_uuid
            self.archive_histories.put(copy["uuid"], copy)
            self.histories.delete(history["uuid"])
        self.tickets.delete(uuid)

    def _require_requester(self, actor: Actor, ticket: Record) -> None:
        if not actor.admin and actor.uuid != ticket["accountSystemContext"]["virtualIDUuid"]:
            raise PermissionDenied("only the ticket's requester or an admin may do this")

    def _require_approver(self, actor: Actor, ticket: Record) -> None:
        if actor.uuid == ticket["accountSystemContext"]["virtualIDUuid"]:
            raise PermissionDenied("a requester cannot approve or reject their own ticket")
        if actor.admin:
            return
        current = self.flows.get(ticket.get("currentFlowUuid") or "")
        if current is None or current["approverUuid"] != actor.uuid:
            raise PermissionDenied("only the approver of the ticket's current flow may judge it")

    @staticmethod
    def _flows_after(order: list[str], flow_uuid: str | None) -> list[str]:
        return order[order.index(flow_uuid) + 1 :] if flow_uuid in order else []

    def _add_history(
        self,
        ticket: Record,
        from_status: str | None,
        to_status: str,
        actor: Actor | None,
        comment: str | None,
        context_type: str,
        flow_name: str | None = None,
        context: dict | None = None,
    ) -> Record:
        now = self.now_ms()
        history = {
            "uuid": self._ids.hex32(),
            "sequence": self._next_sequence(),
            "ticketUuid": ticket["uuid"],
            "fromStatus": from_status,
            "toStatus": to_status,
            "comment": comment,
            "operationContextType": context_type,
            "operationContext": context,
            "operatorType": actor.type if actor else SYSTEM,
            "operatorUuid": actor.uuid if actor else None,
            "flowName": flow_name,
            "createDate": now,
            "lastOpDate": now,
        }
        self.histories.put(history["uuid"], history)
        return history

    def _execute_requests(self, ticket: Record, flow_name: str | None) -> None:
        """Runs an approved ticket's requests: the mock records each as succeeding every time."""
        results = [
            {
                "requestName": request.get("requestName", request["apiName"]),
                "successTimes": int(request.get("executeTimes", 1)),
                "failureTimes": 0,
                "errors": [],
            }
            for request in ticket["request"]
        ]
        self._add_history(
            ticket,
            FINAL,
            FINAL,
            None,
            None,
            "RequestsExecuted",
            flow_name,
            {"requestResults": results},
        )

    def _histories_of(self, ticket_uuid: str) -> list[Record]:
        return list(self.histories.lookup("ticketUuid", ticket_uuid))

    def _ticket_type_for(self, requests: list[dict]) -> Record:
        """The type whose API names cover the first request, else the first type known."""
        types = list(self.ticket_types.values())
        if not types:
            raise OperationFailed("no ticket type is defined")
        api_name = requests[0]["apiName"]
        return next((t for t in types if api_name in t["requests"].split(",")), types[0])

    def _collection_for_new_ticket(
        self, collection_uuid: str | None, project_uuid: str, type_uuid: str
    ) -> Record:
        if collection_uuid is not None:
            collection = self._get(self.collections, collection_uuid, "ticket flow collection")
            if collection["projectUuid"] != project_uuid:
                raise InvalidArgument(
                    f"flow collection[uuid:{collection_uuid}] belongs to another project"
                )
        else:
            collection = next(
                (
                    c
                    for c in self.collections.values()
                    if c["projectUuid"] == project_uuid
                    and c["isDefault"]
                    and c["state"] == "Enabled"
                    and type_uuid in c["ticketTypeUuids"]
                ),
                None,
            )
            if collection is None:
                raise OperationFailed(
                    f"project[uuid:{project_uuid}] has no enabled default flow collection "
                    "for this ticket type; pass flowCollectionUuid"
                )
        if collection["state"] != "Enabled":
            raise OperationFailed(f"flow collection[uuid:{collection['uuid']}] is disabled")
        if not collection["flowUuids"]:
            raise OperationFailed(f"flow collection[uuid:{collection['uuid']}] has no flows")
        return collection

    # -- flow collections, flows, ticket types -------------------------------------------------

    def create_flow_collection(self, actor: Actor, params: dict[str, Any]) -> Record:
        self._require_admin(actor, "create ticket flow collections")
        project = self._get(self.projects, params["projectUuid"], "project")
        type_uuids = params.get("ticketTypeUuids")
        if type_uuids is None:
            type_uuids = [t["uuid"] for t in self.ticket_types.values()]
        for type_uuid in type_uuids:
            self._get(self.ticket_types, type_uuid, "ticket type")
        for flow in params.get("flows") or []:
            self._check_approver(flow["approverUuid"], project["uuid"])
        uuid = self._new_uuid(params.get("resourceUuid"), self.collections)
        now = self.now_ms()
        collection = {
            "uuid": uuid,
            "name": params["name"],
            "description": params.get("description"),
            "state": "Enabled",
            "status": "Valid",
            "isDefault": bool(params.get("isDefault", False)),
            "projectUuid": project["uuid"],
            "ticketTypeUuids": list(dict.fromkeys(type_uuids)),
            "flowUuids": [],
            "createDate": now,
            "lastOpDate": now,
        }
        if collection["isDefault"]:
            self._clear_default(project["uuid"])
        self.collections.put(uuid, collection)
        self._replace_flows(collection, params.get("flows") or [])
        return self.collections.get(uuid)

    def update_flow_collection(self, actor: Actor, uuid: str, changes: dict[str, Any]) -> Record:
        self._require_admin(actor, "change ticket flow collections")
        collection = self._get(self.collections, uuid, "ticket flow collection")
        if "flows" in changes:
            self._refuse_if_in_use(collection, "its flows cannot be replaced")
            for flow in changes["flows"]:
                self._check_approver(flow["approverUuid"], collection["projectUuid"])
        for key in ("name", "description"):
            if key in changes:
                collection[key] = changes[key]
        if changes.get("isDefault") is True and not collection["isDefault"]:
            self._clear_default(collection["projectUuid"])
        if "isDefault" in changes:
            collection["isDefault"] = changes["isDefault"]
        collection["lastOpDate"] = self.now_ms()
        self.collections.put(uuid, collection)
        if "flows" in changes:
            self._replace_flows(collection, changes["flows"])
        return self.collections.get(uuid)

    def change_flow_collection_state(self, actor: Actor, uuid: str, state_event: str) -> Record:
        self._require_admin(actor, "enable or disable ticket flow collections")
        collection = self._get(self.collections, uuid, "ticket flow collection")
        collection["state"] = {"enable": "Enabled", "disable": "Disabled"}[state_event]
        collection["lastOpDate"] = self.now_ms()
        self.collections.put(uuid, collection)
        return collection

    def delete_flow_collection(self, actor: Actor, uuid: str) -> None:
        self._require_admin(actor, "delete ticket flow collections")
        collection = self.collections.get(uuid)
        if collection is None:
            return
        self._refuse_if_in_use(collection, "it cannot be deleted")
        for flow_uuid in collection["flowUuids"]:
            self.flows.delete(flow_uuid)
        self.collections.delete(uuid)

    def add_flow(self, actor: Actor, params: dict[str, Any]) -> Record:
        self._require_admin(actor, "add ticket flows")
        collection = self._get(self.collections, params["collectionUuid"], "ticket flow collection")
        self._check_approver(params["approverUuid"], collection["projectUuid"])
        parent = params.get("parentFlowUuid")
        if parent is not None and parent not in collection["flowUuids"]:
            raise InvalidArgument(
                f"parentFlowUuid[{parent}] is not a flow of collection[uuid:{collection['uuid']}]"
            )
        uuid = self._new_uuid(params.get("resourceUuid"), self.flows)
        flow = self._new_flow(uuid, collection["uuid"], params)
        self.flows.put(uuid, flow)
        position = (
            collection["flowUuids"].index(parent) + 1
            if parent is not None
            else len(collection["flowUuids"])
        )
        collection["flowUuids"].insert(position, uuid)
        self._relink(collection)
        return self.flows.get(uuid)

    def update_flow(self, actor: Actor, uuid: str, changes: dict[str, Any]) -> Record:
        self._require_admin(actor, "change ticket flows")
        flow = self._get(self.flows, uuid, "ticket flow")
        if "approverUuid" in changes:
            collection = self.collections.get(flow["collectionUuid"])
            self._check_approver(changes["approverUuid"], collection["projectUuid"])
            flow["flowContext"] = json.dumps({"approverUuid": changes["approverUuid"]})
        for key in ("name", "description", "approverUuid", "approverTitle"):
            if key in changes:
                flow[key] = changes[key]
        flow["lastOpDate"] = self.now_ms()
        self.flows.put(uuid, flow)
        return flow

    def delete_flow(self, actor: Actor, uuid: str) -> None:
        self._require_admin(actor, "delete ticket flows")
        flow = self.flows.get(uuid)
        if flow is None:
            return
        busy = [
            t["uuid"]
            for t in self.tickets.lookup("currentFlowUuid", uuid)
            if t["status"] in UNDER_APPROVAL
        ]
        if busy:
            raise OperationFailed(
                f"flow[uuid:{uuid}] is the current step of tickets under approval: {busy}"
            )
        collection = self.collections.get(flow["collectionUuid"])
        collection["flowUuids"].remove(uuid)
        self.flows.delete(uuid)
        self._relink(collection)

    def add_ticket_types(self, actor: Actor, collection_uuid: str, type_uuids: list[str]) -> None:
        self._require_admin(actor, "change ticket flow collections")
        collection = self._get(self.collections, collection_uuid, "ticket flow collection")
        for type_uuid in type_uuids:
            self._get(self.ticket_types, type_uuid, "ticket type")
        collection["ticketTypeUuids"] = list(
            dict.fromkeys(collection["ticketTypeUuids"] + type_uuids)
        )
        collection["lastOpDate"] = self.now_ms()
        self.collections.put(collection_uuid, collection)

    def remove_ticket_types(
        self, actor: Actor, collection_uuid: str, type_uuids: list[str]
    ) -> None:
        self._require_admin(actor, "change ticket flow collections")
        collection = self._get(self.collections, collection_uuid, "ticket flow collection")
        collection["ticketTypeUuids"] = [
            t for t in collection["ticketTypeUuids"] if t not in type_uuids
        ]
        collection["lastOpDate"] = self.now_ms()
        self.collections.put(collection_uuid, collection)

    def _check_approver(self, approver_uuid: str, project_uuid: str) -> None:
        approver = self._get(self.virtual_ids, approver_uuid, "IAM2 virtual ID")
        if project_uuid not in approver["projectUuids"]:
            raise InvalidArgument(
                f"approver[uuid:{approver_uuid}] is not a member of project[uuid:{project_uuid}]"
            )

    def _clear_default(self, project_uuid: str) -> None:
        for other in self.collections.values():
            if other["projectUuid"] == project_uuid and other["isDefault"]:
                other["isDefault"] = False
                self.collections.put(other["uuid"], other)

    def _refuse_if_in_use(self, collection: Record, consequence: str) -> None:
        busy = [
            t["uuid"]
            for t in self.tickets.lookup("flowCollectionUuid", collection["uuid"])
            if t["status"] in UNDER_APPROVAL
        ]
        if busy:
            raise OperationFailed(
                f"flow collection[uuid:{collection['uuid']}] is used by tickets under "
                f"approval {busy}; {consequence}"
            )

    def _new_flow(self, uuid: str, collection_uuid: str, spec: dict[str, Any]) -> Record:
        now = self.now_ms()
        return {
            "uuid": uuid,
            "name": spec["name"],
            "description": spec.get("description"),
            "parentFlowUuid": None,
            "flowContext": json.dumps({"approverUuid": spec["approverUuid"]}),
            "flowContextType": "iam2",
            "collectionUuid": collection_uuid,
            "approverUuid": spec["approverUuid"],
            "approverTitle": spec.get("approverTitle"),
            "valid": True,
            "createDate": now,
            "lastOpDate": now,
        }

    def _replace_flows(self, collection: Record, specs: list[dict[str, Any]]) -> None:
        for flow_uuid in collection["flowUuids"]:
            self.flows.delete(flow_uuid)
        collection["flowUuids"] = []
        for spec in specs:
            flow = self._new_flow(spec.get("uuid") or self._ids.hex32(), collection["uuid"], spec)
            self.flows.put(flow["uuid"], flow)
            collection["flowUuids"].append(flow["uuid"])
        self._relink(collection)

    def _relink(self, collection: Record) -> None:
        """Each flow's parentFlowUuid names the step before it."""
        previous = None
        for flow_uuid in collection["flowUuids"]:
            flow = self.flows.get(flow_uuid)
            if flow["parentFlowUuid"] != previous:
                flow["parentFlowUuid"] = previous
                self.flows.put(flow_uuid, flow)
            previous = flow_uuid
        collection["lastOpDate"] = self.now_ms()
        self.collections.put(collection["uuid"], collection)

    @staticmethod
    def _get(table: Any, uuid: str, what: str) -> Record:
        record = table.get(uuid)
        if record is None:
            raise ResourceNotFound(f"cannot find the {what}[uuid:{uuid}]")
        return record

    # -- inventories for queries --------------------------------------------------------------
    #
    # What a query runs over: the inventories the actor may see, in the table's order. `equal`
    # holds the query's `field=value` conditions; when one names an indexed field, only the
    # inventories with that value are looked at. The query still checks every condition.

    def ticket_inventories(self, actor: Actor, equal: Equalities = ()) -> Iterator[Record]:
        return self._in_projects(actor, self.tickets, TICKET_INDEXES, equal)

    def history_inventories(self, actor: Actor, equal: Equalities = ()) -> Iterator[Record]:
        projects = self._visible_projects(actor)
        for history in _candidates(self.histories, HISTORY_INDEXES, equal):
            ticket = self.tickets.get(history["ticketUuid"])
            if ticket is not None and (projects is None or _project(ticket) in projects):
                yield history

    def archive_ticket_inventories(self, actor: Actor, equal: Equalities = ()) -> Iterator[Record]:
        return self._in_projects(actor, self.archive_tickets, ARCHIVE_TICKET_INDEXES, equal)

    def archive_history_inventories(self, actor: Actor, equal: Equalities = ()) -> Iterator[Record]:
        accounts = {a["accountUuid"] for a in self.archive_ticket_inventories(actor)}
        for history in _candidates(self.archive_histories, (), equal):
            if history["accountUuid"] in accounts:
                yield history

    def flow_collection_inventories(self, actor: Actor, equal: Equalities = ()) -> list[Record]:
        projects = self._visible_projects(actor)
        return [
            self._collection_inventory(c)
            for c in _candidates(self.collections, (), equal)
            if projects is None or c["projectUuid"] in projects
        ]

    def flow_inventories(self, actor: Actor, equal: Equalities = ()) -> list[Record]:
        projects = self._visible_projects(actor)
        visible = []
        for flow in _candidates(self.flows, (), equal):
            collection = self.collections.get(flow["collectionUuid"])
            if collection is not None and (
                projects is None or collection["projectUuid"] in projects
            ):
                visible.append(flow)
        return visible

    def ticket_type_inventories(self, actor: Actor, equal: Equalities = ()) -> list[Record]:
        return list(_candidates(self.ticket_types, (), equal))

    def collection_inventory(self, uuid: str) -> Record:
        return self._collection_inventory(self.collections.get(uuid))

    def _collection_inventory(self, collection: Record) -> Record:
        inventory = {k: v for k, v in collection.items() if k != "flowUuids"}
        inventory["flows"] = [self.flows.get(u) for u in collection["flowUuids"]]
        return inventory

    def _in_projects(
        self, actor: Actor, table: Table, indexes: tuple[str, ...], equal: Equalities
    ) -> Iterator[Record]:
        projects = self._visible_projects(actor)
        for ticket in _candidates(table, indexes, equal, projects):
            if projects is None or _project(ticket) in projects:
                yield ticket


def _text_at(path: str):
    """The key function of an index on the text at a dotted path (None when absent)."""
    parts = path.split(".")

    def key(record: Record) -> Any:
        value: Any = record
        for part in parts:
            if value is None:
                return None
            if not isinstance(value, dict):
                return NOT_TEXT
            value = value.get(part)
        return value if value is None or isinstance(value, str) else NOT_TEXT

    return key


def _project(ticket: Record) -> Any:
    return ticket["accountSystemContext"]["projectUuid"]


def _candidates(
    table: Table,
    indexes: tuple[str, ...],
    equal: Equalities,
    projects: set[str] | None = None,
) -> Iterable[Record]:
    """The records that a query's `field=value` conditions, and the projects the actor may see,
    narrow `table` to, in its order: the one record of a `uuid=` condition, else those of the
    least populated index a condition or the projects name, else all."""
    choices = []
    for field, value in equal:
        if field == "uuid":
            record = table.get(value)
            return [] if record is None else [record]
        if field in indexes and not table.count(field, NOT_TEXT):
            choices.append((table.count(field, value), field, (value,)))
    if projects is not None and PROJECT in indexes:
        choices.append((table.count(PROJECT, *projects), PROJECT, tuple(sorted(projects))))
    if not choices:
        return table.values()
    _, field, values = min(choices)
    return table.lookup(field, *values)
