"""ZStack's HTTP layer: each method answers one operationId of specs/zstack-tickets.yaml by
calling the backend and shaping its result the way ZStack's REST server does."""

from collections.abc import Callable, Mapping
from typing import Any

from connexion import request

from mockserver.runtime import Mock
from mockserver.zstack.errors import ZStackError
from mockserver.zstack.jobs import JobUuidRefused
from mockserver.zstack.models import Actor, ZStackBackend
from mockserver.zstack.present import present, query_reply, session_inventory
from mockserver.zstack.query import Condition, Query
from mockserver.zstack.webhooks import WebHooks

JOBS_PATH = "zstack/v1/api-jobs/"
Reply = tuple[Any, int] | tuple[Any, int, dict[str, str]]


def plain_text(status: int, text: str) -> Reply:
    return text, status, {"Content-Type": "text/plain"}


def json_reply(status: int, body: Any) -> Reply:
    return body, status, {"Content-Type": "application/json"}


class ZStackResponses:
    def __init__(self, mock: Mock, webhooks: WebHooks) -> None:
        self._mock = mock
        self.webhooks = webhooks

    def backend(self) -> ZStackBackend:
        return self._mock.world().backend("zstack")

    # -- the machinery of asynchronous calls ---------------------------------------------------

    def start_job(self, work: Callable[[ZStackBackend], Any]) -> Reply:
        """Runs an asynchronous call now and answers 202 with the job that reports its result."""

        def outcome(backend: ZStackBackend) -> tuple[int, dict]:
            try:
                result = work(backend)
            except ZStackError as error:
                return 503, {"error": error.as_error()}
            return 200, {} if result is None else {"inventory": present(result)}

        return self.job(request.headers, str(request.base_url), outcome)

    def job(
        self,
        headers: Mapping[str, str],
        base_url: str,
        outcome: Callable[[ZStackBackend], tuple[int, dict]],
    ) -> Reply:
        """Opens a job under the caller's X-Job-UUID, records the outcome, calls the web hook.

        A refused X-Job-UUID is a plain-text 400 and nothing runs.
        """
        backend = self.backend()
        try:
            job_uuid = backend.jobs.reserve(headers.get("X-Job-UUID"))
        except JobUuidRefused as refused:
            return plain_text(400, str(refused))
        status, body = outcome(backend)
        backend.jobs.finish(job_uuid, status, body)
        hook = headers.get("X-Web-Hook")
        if hook:
            self.webhooks.deliver(hook, job_uuid, status == 200, body)
        location = f"{base_url}{JOBS_PATH}{job_uuid}"
        return json_reply(
            202, {"location": location, "apiTimeout": self._mock.config.zstack.api_timeout_ms}
        )

    def _as(self, token_info: dict, call: Callable[[ZStackBackend, Actor], Any]) -> Reply:
        return self.start_job(lambda backend: call(backend, backend.actor(token_info["sub"])))

    def _sync(self, call: Callable[[ZStackBackend], Any]) -> Reply:
        try:
            return json_reply(200, call(self.backend()))
        except ZStackError as error:
            return json_reply(503, {"error": error.as_error()})

    def _query(self, kind: str, source: str, token_info: dict, params: dict[str, Any]) -> Reply:
        params.pop("user", None)
        return self._run_query(kind, source, token_info, Query.from_params(**params))

    def _run_query(self, kind: str, source: str, token_info: dict, query: Query) -> Reply:
        def run(backend: ZStackBackend) -> dict:
            actor = backend.actor(token_info["sub"])
            page, total = query.answer(getattr(backend, source)(actor, query.equalities()))
            return query_reply(
                kind, page, total, count=query.count, reply_with_count=query.reply_with_count
            )

        return self._sync(run)

    def _get(self, kind: str, source: str, token_info: dict, uuid: str, fields: str | None):
        query = Query.from_params(fields=fields)
        query.conditions.append(Condition("uuid", "=", uuid))
        return self._run_query(kind, source, token_info, query)

    # -- sessions ------------------------------------------------------------------------------

    async def logInByAccount(self, body: dict) -> Reply:
        params = body["logInByAccount"]
        return self._sync(
            lambda b: {
                "inventory": session_inventory(
                    b.log_in_by_account(params["accountName"], params["password"])
                )
            }
        )

    async def loginIAM2VirtualID(self, body: dict) -> Reply:
        params = body["loginIAM2VirtualID"]
        return self._sync(
            lambda b: {
                "inventory": session_inventory(
                    b.log_in_virtual_id(params["name"], params["password"])
                )
            }
        )

    async def loginIAM2Project(self, body: dict, token_info: dict) -> Reply:
        project_name = body["loginIAM2Project"]["projectName"]
        return self._sync(
            lambda b: {
                "inventory": session_inventory(b.log_in_project(token_info["sub"], project_name))
            }
        )

    async def logOut(self, sessionUuid: str) -> Reply:  # noqa: N803
        self.backend().log_out(sessionUuid)
        return json_reply(200, {})

    async def validateSession(self, sessionUuid: str) -> Reply:  # noqa: N803
        return json_reply(200, {"valid": self.backend().session_valid(sessionUuid)})

    async def getJob(self, uuid: str) -> Reply:
        poll = self.backend().jobs.poll(uuid)
        if poll is None:
            return plain_text(404, f"no job[uuid:{uuid}] found")
        return json_reply(poll.status, poll.body)

    # -- tickets -------------------------------------------------------------------------------

    async def createTicket(self, body: dict, token_info: dict) -> Reply:
        return self._as(token_info, lambda b, actor: b.create_ticket(actor, body["params"]))

    async def ticketActions(self, uuid: str, body: dict, token_info: dict) -> Reply:
        if "changeTicketStatus" in body:
            params = body["changeTicketStatus"]
            return self._as(
                token_info,
                lambda b, actor: b.change_ticket_status(
                    actor, uuid, params["statusEvent"], params.get("comment")
                ),
            )
        params = body["updateTicketRequest"]
        return self._as(
            token_info,
            lambda b, actor: b.update_ticket_request(
                actor, uuid, params["requests"], params.get("description")
            ),
        )

    async def deleteTicket(self, uuid: str, token_info: dict, deleteMode: str = "Permissive"):  # noqa: N803
        return self._as(token_info, lambda b, actor: b.delete_ticket(actor, uuid, deleteMode))

    async def queryTicket(self, token_info: dict, **params: Any) -> Reply:
        return self._query("ticket", "ticket_inventories", token_info, params)

    async def getTicket(self, uuid: str, token_info: dict, fields: str | None = None) -> Reply:
        return self._get("ticket", "ticket_inventories", token_info, uuid, fields)

    async def queryTicketHistory(self, token_info: dict, **params: Any) -> Reply:
        return self._query("history", "history_inventories", token_info, params)

    async def getTicketHistory(self, uuid: str, token_info: dict, fields: str | None = None):
        return self._get("history", "history_inventories", token_info, uuid, fields)

    async def queryArchiveTicket(self, token_info: dict, **params: Any) -> Reply:
        return self._query("archive_ticket", "archive_ticket_inventories", token_info, params)

    async def queryArchiveTicketHistory(self, token_info: dict, **params: Any) -> Reply:
        return self._query(
            "archive_history",
            "archive_history_inventories",
            token_info,
            params,
        )

    async def queryTicketType(self, token_info: dict, **params: Any) -> Reply:
        return self._query("ticket_type", "ticket_type_inventories", token_info, params)

    async def getTicketType(self, uuid: str, token_info: dict, fields: str | None = None):
        return self._get("ticket_type", "ticket_type_inventories", token_info, uuid, fields)

    # -- flow collections and flows -----------------------------------------------------------

    async def createIAM2TickFlowCollection(self, body: dict, token_info: dict) -> Reply:
        return self._as(
            token_info,
            lambda b, actor: b.collection_inventory(
                b.create_flow_collection(actor, body["params"])["uuid"]
            ),
        )

    async def flowCollectionActions(self, uuid: str, body: dict, token_info: dict) -> Reply:
        if "changeTicketFlowCollectionState" in body:
            event = body["changeTicketFlowCollectionState"]["stateEvent"]
            return self._as(
                token_info,
                lambda b, actor: b.collection_inventory(
                    b.change_flow_collection_state(actor, uuid, event)["uuid"]
                ),
            )
        changes = body["updateIAM2TicketFlowCollection"]
        return self._as(
            token_info,
            lambda b, actor: b.collection_inventory(
                b.update_flow_collection(actor, uuid, changes)["uuid"]
            ),
        )

    async def deleteTicketFlowCollection(self, uuid: str, token_info: dict, **_: Any) -> Reply:
        return self._as(token_info, lambda b, actor: b.delete_flow_collection(actor, uuid))

    async def queryTicketFlowCollection(self, token_info: dict, **params: Any) -> Reply:
        return self._query(
            "flow_collection",
            "flow_collection_inventories",
            token_info,
            params,
        )

    async def getTicketFlowCollection(self, uuid: str, token_info: dict, fields: str | None = None):
        return self._get("flow_collection", "flow_collection_inventories", token_info, uuid, fields)

    async def addTicketTypesToTicketFlowCollection(
        self,
        ticketFlowCollectionUuid: str,
        body: dict,
        token_info: dict,  # noqa: N803
    ) -> Reply:
        type_uuids = body["params"]["ticketTypeUuids"]
        return self._as(
            token_info,
            lambda b, actor: b.add_ticket_types(actor, ticketFlowCollectionUuid, type_uuids),
        )

    async def removeTicketTypesFromTicketFlowCollection(
        self,
        ticketFlowCollectionUuid: str,
        ticketTypeUuids: list[str],
        token_info: dict,  # noqa: N803
    ) -> Reply:
        return self._as(
            token_info,
            lambda b, actor: b.remove_ticket_types(
                actor, ticketFlowCollectionUuid, ticketTypeUuids
            ),
        )

    async def addIAM2TicketFlow(self, body: dict, token_info: dict) -> Reply:
        return self._as(token_info, lambda b, actor: b.add_flow(actor, body["params"]))

    async def updateIAM2TicketFlow(self, uuid: str, body: dict, token_info: dict) -> Reply:
        changes = body["updateIAM2TicketFlow"]
        return self._as(token_info, lambda b, actor: b.update_flow(actor, uuid, changes))

    async def deleteIAM2TicketFlow(self, uuid: str, token_info: dict, **_: Any) -> Reply:
        return self._as(token_info, lambda b, actor: b.delete_flow(actor, uuid))

    async def queryTicketFlow(self, token_info: dict, **params: Any) -> Reply:
        return self._query("flow", "flow_inventories", token_info, params)

    async def getTicketFlow(self, uuid: str, token_info: dict, fields: str | None = None):
        return self._get("flow", "flow_inventories", token_info, uuid, fields)
