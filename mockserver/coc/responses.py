"""COC's HTTP layer: each method answers one operationId of specs/huawei-coc-tickets.yaml."""

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from mockserver.coc.errors import CocError, InvalidParameter, envelope
from mockserver.coc.models import CocBackend
from mockserver.coc.workflow import CHANGE, ISSUE
from mockserver.huawei.auth import caller
from mockserver.runtime import Mock

Reply = tuple[Any, int] | tuple[Any, int, dict[str, str]]
JSON = {"Content-Type": "application/json"}



class CocResponses:
    def __init__(self, mock: Mock) -> None:
        self._mock = mock

    def backend(self) -> CocBackend:
        return self._mock.world().backend("coc")

    def _run(self, call: Callable[[CocBackend], Any]) -> Reply:
        """The call's result as `data` of a success envelope, or its CocError's envelope."""
        try:
            data = call(self.backend())
        except CocError as error:
            return error.envelope(), error.status, JSON
        return envelope(data), 200, JSON

    async def createTicket(self, ticket_type: str, body: dict, token_info: dict) -> Reply:
        def create(backend: CocBackend) -> dict:
            record = backend.create_ticket(caller(token_info), ticket_type, body)
            return {
                "id": record["id"],
                "ticket_id": record["ticket_id"],
                "is_start_process": record["is_start_process"],
                "is_start_process_async": True,
                "is_update_null": False,
                "is_return_full_info": False,
            }

        return self._run(create)

    async def createChangeTicket(self, body: dict, token_info: dict) -> Reply:
        return await self.createTicket(CHANGE, body, token_info)

    async def createIssueTicket(self, body: dict, token_info: dict) -> Reply:
        return await self.createTicket(ISSUE, body, token_info)

    async def listTickets(self, ticket_type: str, body: dict, token_info: dict) -> Reply:
        def list_tickets(backend: CocBackend) -> dict:
            tickets, total = backend.list_tickets(caller(token_info), ticket_type, body)
            data: dict[str, Any] = {"tickets": tickets}
            if body.get("contain_total"):
                data["total"] = total
            return data

        return self._run(list_tickets)

    async def showTicketInfo(self, ticket_type: str, ticket_id: str, token_info: dict) -> Reply:
        return self._run(
            lambda b: b.present(
                b.ticket(caller(token_info), ticket_type, ticket_id), with_sub_tickets=True
            )
        )

    async def updateTicket(
        self, ticket_type: str, ticket_id: str, body: dict, token_info: dict
    ) -> Reply:
        return self._run(
            lambda b: b.present(
                b.update_change(caller(token_info), ticket_id, body), with_sub_tickets=True
            )
        )

    async def updateChange(self, change_id: str, body: dict, token_info: dict) -> Reply:
        def update(backend: CocBackend) -> None:
            backend.update_change(caller(token_info), change_id, body)

        return self._run(update)

    async def deleteTicketInfo(self, ticket_type: str, ticket_id: str, token_info: dict) -> Reply:
        return self._run(lambda b: b.delete_change(caller(token_info), ticket_id))

    async def executeTicketAction(self, ticket_type: str, body: dict, token_info: dict) -> Reply:
        def act(backend: CocBackend) -> None:
            backend.execute_action(caller(token_info), ticket_type, body)

        return self._run(act)

    async def executeChangeAction(self, body: dict, token_info: dict) -> Reply:
        return await self.executeTicketAction(CHANGE, body, token_info)

    async def executeIssueAction(self, body: dict, token_info: dict) -> Reply:
        return await self.executeTicketAction(ISSUE, body, token_info)

    async def listTicketOperationHistories(
        self, ticket_type: str, body: dict, token_info: dict
    ) -> Reply:
        return self._run(
            lambda b: {"info": b.list_histories(caller(token_info), ticket_type, body)}
        )

    async def listCocTicketOperationHistories(
        self, ticket_type: str, body: dict, token_info: dict
    ) -> Reply:
        # The mock keeps no incident tickets, so their histories are always empty.
        return await self.listTicketOperationHistories(ticket_type, body, token_info)

    async def listSubTickets(
        self,
        ticket_type: str,
        ticket_id: str,
        type: str,  # noqa: A002 - the vendor's parameter name
        token_info: dict,
        limit: int = 10,
        marker: str | None = None,
    ) -> Reply:
        def page(backend: CocBackend) -> dict:
            subs, total, next_marker = backend.list_sub_tickets(
                caller(token_info), ticket_type, ticket_id, type, limit, marker
            )
            data: dict[str, Any] = {"sub_tickets": subs, "total_count": total}
            if next_marker:
                data["next_marker"] = next_marker
            return data

        return self._run(page)

    async def createAttachment(self, ticket_type: str, token_info: dict, file: Any = None) -> Reply:
        if not hasattr(file, "read"):
            error = InvalidParameter("the form has no file: send it as the part `file`, named")
            return error.envelope(), error.status, JSON
        content = await file.read()
        await file.close()
        try:
            record = self.backend().add_attachment(
                caller(token_info), file.filename or "", content
            )
        except CocError as error:
            return error.envelope(), error.status, JSON
        doc = {"doc_id": record["doc_id"], "doc_name": record["doc_name"]}
        body = {
            "code": "0",
            "provider_code": "049",
            "msg": "success",
            "data": doc,
            "name": doc["doc_name"],
            "id": doc["doc_id"],
        }
        return body, 200, JSON

    async def downloadAttachment(self, ticket_type: str, doc_id: str, token_info: dict) -> Reply:
        try:
            name, content = self.backend().attachment(caller(token_info), doc_id)
        except CocError as error:
            return error.envelope(), error.status, JSON
        disposition = f"attachment; filename*=UTF-8''{quote(name)}"
        return (
            content,
            200,
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": disposition,
            },
        )

    async def createCocIssues(self, body: dict, token_info: dict) -> Reply:
        return self._run(
            lambda b: {"ticket_id": b.create_external_issue(caller(token_info), body)["ticket_id"]}
        )

    async def showCocIssuesDetail(self, ticket_id: str, token_info: dict) -> Reply:
        return self._run(lambda b: b.external_issue(caller(token_info), ticket_id))
