"""The official Huawei Cloud COC SDK (huaweicloudsdkcoc) against a live `ticketkit serve`.

The main flows run twice: signed with AK/SK, and with an IAM token the SDK sends as well.
"""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from huaweicloudsdkcoc.v1 import (
    CocClient,
    CocUpdateChangeRequestBody,
    CocUpdateChangeRequestBodyHistoryInfo,
    CocUpdateChangeRequestBodyTicketInfo,
    CreateAttachmentRequest,
    CreateAttachmentRequestBody,
    CreateCocIssuesRequest,
    CreateCocTicketRequestBody,
    CreateExternalIssuesRequest,
    CreateTicketRequest,
    DeleteTicketInfoRequest,
    DownloadAttachmentRequest,
    ExecuteActionParams,
    ExecuteTicketActionRequest,
    ListSubTicketsRequest,
    ListTicketOperationHistoriesRequest,
    ListTicketParams,
    ListTicketParamsWithPage,
    ListTicketsRequest,
    ObjectFilter,
    ShowCocIssuesDetailRequest,
    ShowTicketInfoRequest,
    TicketCreateSubTicketInfo,
    UpdateTicketRequest,
)
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.formdata import FormFile
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler

from tests.huawei_helpers import (
    AK,
    CHANGE_BODY,
    DOMAIN_ID,
    ISSUE_BODY,
    PROJECT_ID,
    SK,
    USER_ID,
    password_body,
    with_token,
)
from tests.test_cli import serving

CHANGE = "change"
ISSUE = "issues_mgmt"

# From Python 3.12 the SDK's signer calls datetime.utcnow(), which warns on every request.
pytestmark = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcnow\\(\\) is deprecated:DeprecationWarning"
)


# -- a live mock and SDK clients --------------------------------------------------------------


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """`ticketkit serve` with the default scenario on a free port; yields its base URL."""
    with serving() as base_url:
        yield base_url


def coc_client(url: str, credentials, handler: HttpHandler | None = None) -> CocClient:
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    builder = (
        CocClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([url])
    )
    if handler is not None:
        builder = builder.with_http_handler(handler)
    return builder.build()


@pytest.fixture(scope="module")
def token(url) -> str:
    reply = httpx.post(f"{url}/v3/auth/tokens", json=password_body())
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


@pytest.fixture(scope="module")
def aksk(url) -> CocClient:
    return coc_client(url, GlobalCredentials(AK, SK, DOMAIN_ID))


@pytest.fixture(scope="module", params=["aksk", "token"])
def coc(request, url) -> CocClient:
    """The SDK client signing with AK/SK, or also sending an IAM token (which wins)."""
    credentials = GlobalCredentials(AK, SK, DOMAIN_ID)
    if request.param == "aksk":
        return coc_client(url, credentials)
    return coc_client(url, credentials, with_token(request.getfixturevalue("token")))


# -- helpers ----------------------------------------------------------------------------------


def unique(title: str) -> str:
    """A title no other test uses, so lists can be filtered down to one test's tickets."""
    return f"{title} {uuid.uuid4().hex[:12]}"


def create_change(coc: CocClient, title: str) -> str:
    body = {
        **CHANGE_BODY,
        "title": title,
        "sub_tickets": [TicketCreateSubTicketInfo(**sub) for sub in CHANGE_BODY["sub_tickets"]],
    }
    reply = coc.create_ticket(
        CreateTicketRequest(ticket_type=CHANGE, body=CreateCocTicketRequestBody(**body))
    )
    assert reply.status_code == 200
    assert reply.error_code == "GOM.00000000"
    assert reply.data["ticket_id"].startswith("CM")
    return reply.data["ticket_id"]


def create_issue(coc: CocClient, title: str, **fields) -> str:
    body = CreateCocTicketRequestBody(**{**ISSUE_BODY, "title": title, **fields})
    reply = coc.create_ticket(CreateTicketRequest(ticket_type=ISSUE, body=body))
    assert reply.error_code == "GOM.00000000"
    assert reply.data["ticket_id"].startswith("IM")
    return reply.data["ticket_id"]


def show(coc: CocClient, kind: str, ticket_id: str):
    reply = coc.show_ticket_info(ShowTicketInfoRequest(ticket_type=kind, ticket_id=ticket_id))
    assert reply.error_code == "GOM.00000000"
    return reply.data


def act(coc: CocClient, kind: str, ticket_id: str, action: str, **params) -> None:
    body = ExecuteActionParams(ticket_id=ticket_id, action=action, params=params or None)
    reply = coc.execute_ticket_action(ExecuteTicketActionRequest(ticket_type=kind, body=body))
    assert reply.status_code == 200
    assert reply.error_code == "GOM.00000000"


def list_tickets(coc: CocClient, kind: str, *filters: ObjectFilter, **paging) -> dict:
    body = ListTicketParamsWithPage(string_filters=list(filters), **paging)
    reply = coc.list_tickets(ListTicketsRequest(ticket_type=kind, body=body))
    assert reply.error_code == "GOM.00000000"
    return reply.data


def titled(title: str) -> ObjectFilter:
    return ObjectFilter(operator="like", field="title", values=[title])


def history_actions(coc: CocClient, kind: str, ticket_id: str) -> list[str]:
    body = ListTicketParams(
        string_filters=[ObjectFilter(operator="=", field="ticket_id", values=[ticket_id])]
    )
    reply = coc.list_ticket_operation_histories(
        ListTicketOperationHistoriesRequest(ticket_type=kind, body=body)
    )
    assert reply.error_code == "GOM.00000000"
    return [row["action"] for row in reply.data["info"]]


def sub_tickets(coc: CocClient, kind: str, ticket_id: str, target_type: str) -> dict:
    reply = coc.list_sub_tickets(
        ListSubTicketsRequest(ticket_type=kind, ticket_id=ticket_id, type=target_type, limit=10)
    )
    assert reply.error_code == "GOM.00000000"
    return reply.data


# -- change tickets ---------------------------------------------------------------------------


def test_a_change_ticket_is_created_listed_shown_approved_and_started(coc):
    title = unique("Upgrade the gateway")

    ticket_id = create_change(coc, title)

    shown = show(coc, CHANGE, ticket_id)
    assert (shown.title, shown.level) == (title, "change_level_030")
    assert (shown.phase, shown.work_flow_status) == ("phase_change_approve", "change_approving")
    assert shown.creator == USER_ID
    assert [sub.ticket_id for sub in shown.sub_tickets] == [f"{ticket_id}-01", f"{ticket_id}-02"]

    approving = ObjectFilter(operator="=", field="work_flow_status", values=["change_approving"])
    listed = list_tickets(coc, CHANGE, approving, titled(title), contain_total=True)
    assert [t["ticket_id"] for t in listed["tickets"]] == [ticket_id]
    assert listed["total"] == 1
    assert listed["tickets"][0]["change_notes"] == CHANGE_BODY["change_notes"]

    act(coc, CHANGE, ticket_id, "agreed", conclusion=True, approve_note="Looks good")
    assert show(coc, CHANGE, ticket_id).work_flow_status == "change_to_be_started"
    assert list_tickets(coc, CHANGE, approving, titled(title))["tickets"] == []

    started = coc.update_ticket(
        UpdateTicketRequest(
            ticket_type=CHANGE,
            ticket_id=ticket_id,
            body=CocUpdateChangeRequestBody(
                ticket_info=CocUpdateChangeRequestBodyTicketInfo(phase="phase_change_implemente"),
                history_info=CocUpdateChangeRequestBodyHistoryInfo(
                    action="change_start_change_success"
                ),
            ),
        )
    )
    assert started.error_code == "GOM.00000000"
    assert started.data["work_flow_status"] == "change_implementing"
    assert started.data["phase"] == "phase_change_implemente"
    assert show(coc, CHANGE, ticket_id).work_flow_status == "change_implementing"

    assert history_actions(coc, CHANGE, ticket_id) == [
        "create_ticket",
        "agreed",
        "change_start_change_success",
    ]


def test_a_change_tickets_sub_tickets_are_listed_by_type(coc):
    ticket_id = create_change(coc, unique("Upgrade the gateway"))

    scopes = sub_tickets(coc, CHANGE, ticket_id, "change_scope")
    children = sub_tickets(coc, CHANGE, ticket_id, "child_ticket")

    assert scopes["total_count"] == 1
    assert scopes["sub_tickets"][0]["ticket_id"] == f"{ticket_id}-01"
    assert scopes["sub_tickets"][0]["app_name"] == "gateway"
    assert children["total_count"] == 1
    child = children["sub_tickets"][0]
    assert child["ticket_id"] == f"{ticket_id}-02"
    assert child["target_value"] == "cn-north-4"
    assert child["executors"] == "005b950b4863447cb97cd77a89559c79"
    assert child["expected_start_time"] == 1_768_474_800_000


def test_a_step_the_change_is_not_ready_for_is_refused(coc):
    ticket_id = create_change(coc, unique("Upgrade the gateway"))

    with pytest.raises(ClientRequestException) as refused:
        coc.update_ticket(
            UpdateTicketRequest(
                ticket_type=CHANGE,
                ticket_id=ticket_id,
                body=CocUpdateChangeRequestBody(
                    history_info=CocUpdateChangeRequestBodyHistoryInfo(
                        action="change_start_change_success"
                    )
                ),
            )
        )

    assert refused.value.status_code == 400
    assert refused.value.error_code == "GOM.00001009"
    assert show(coc, CHANGE, ticket_id).work_flow_status == "change_approving"


def test_a_change_ticket_is_deleted_once_cancelled(coc):
    title = unique("Roll back the gateway")
    ticket_id = create_change(coc, title)
    delete = DeleteTicketInfoRequest(ticket_type=CHANGE, ticket_id=ticket_id)

    with pytest.raises(ClientRequestException) as too_early:
        coc.delete_ticket_info(delete)
    assert too_early.value.status_code == 400
    assert too_early.value.error_code == "GOM.00001009"

    act(coc, CHANGE, ticket_id, "cancel_process_action", comment="Not needed any more")
    cancelled = show(coc, CHANGE, ticket_id)
    assert (cancelled.phase, cancelled.work_flow_status) == (
        "phase_change_cancel",
        "change_cancelled",
    )

    deleted = coc.delete_ticket_info(delete)
    assert deleted.status_code == 200
    assert deleted.error_code == "GOM.00000000"

    with pytest.raises(ClientRequestException) as gone:
        coc.show_ticket_info(ShowTicketInfoRequest(ticket_type=CHANGE, ticket_id=ticket_id))
    assert gone.value.status_code == 404
    assert gone.value.error_code == "GOM.00001004"
    assert list_tickets(coc, CHANGE, titled(title))["tickets"] == []
    assert history_actions(coc, CHANGE, ticket_id) == []


# -- issue tickets ----------------------------------------------------------------------------


def test_an_issue_ticket_is_accepted_solved_and_closed(coc):
    title = unique("ECS restarts at night")
    ticket_id = create_issue(coc, title)

    created = show(coc, ISSUE, ticket_id)
    assert (created.title, created.description) == (title, ISSUE_BODY["description"])
    assert (created.phase, created.work_flow_status) == ("phase_issues_accept", "issues_unaccepted")
    assert created.assignee == ISSUE_BODY["issue_contact_person"]

    with pytest.raises(ClientRequestException) as too_early:
        act(coc, ISSUE, ticket_id, "agreed", conclusion=True)
    assert too_early.value.status_code == 400
    assert too_early.value.error_code == "GOM.00001009"

    act(coc, ISSUE, ticket_id, "gocm_issues_accepte")
    accepted = show(coc, ISSUE, ticket_id)
    assert (accepted.phase, accepted.work_flow_status) == ("phase_issues_handle", "issues_locating")
    assert accepted.assignee == USER_ID

    act(
        coc,
        ISSUE,
        ticket_id,
        "submitting_question",
        solution="Move the cron job off 02:00.",
        root_cause_type="config",
        is_need_change=False,
        sub_tickets=[{"target_type": "child_ticket", "target_value": "cn-north-4"}],
    )
    solved = show(coc, ISSUE, ticket_id)
    assert (solved.phase, solved.work_flow_status) == ("phase_issues_verify", "issues_verifying")
    assert solved.solution == "Move the cron job off 02:00."
    assert solved.is_need_change is False
    children = sub_tickets(coc, ISSUE, ticket_id, "child_ticket")
    assert [s["ticket_id"] for s in children["sub_tickets"]] == [f"{ticket_id}-01"]
    assert children["sub_tickets"][0]["target_value"] == "cn-north-4"

    act(coc, ISSUE, ticket_id, "agreed", conclusion=True, approve_note="Verified")
    closed = ObjectFilter(operator="=", field="work_flow_status", values=["issues_closed"])
    listed = list_tickets(coc, ISSUE, closed, titled(title), contain_total=True)
    assert [t["ticket_id"] for t in listed["tickets"]] == [ticket_id]
    assert listed["tickets"][0]["phase"] == "phase_issues_close"

    assert history_actions(coc, ISSUE, ticket_id) == [
        "create_ticket",
        "gocm_issues_accepte",
        "submitting_question",
        "agreed",
    ]


def test_list_tickets_pages_with_a_total(coc):
    tag = unique("Disk fills up")
    created = sorted(create_issue(coc, f"{tag} #{n}") for n in range(3))
    by_ticket_id = ObjectFilter(field="ticket_id", operator="asc")

    pages = [
        list_tickets(
            coc,
            ISSUE,
            titled(tag),
            page=page,
            per_page=2,
            contain_total=True,
            sort_filter=by_ticket_id,
        )
        for page in (1, 2, 3)
    ]

    assert [[t["ticket_id"] for t in p["tickets"]] for p in pages] == [
        created[:2],
        created[2:],
        [],
    ]
    assert [p["total"] for p in pages] == [3, 3, 3]
    assert "total" not in list_tickets(coc, ISSUE, titled(tag))


def test_an_external_issue_is_created_and_shown(coc):
    title = unique("API latency spikes")
    created = coc.create_coc_issues(
        CreateCocIssuesRequest(
            body=CreateExternalIssuesRequest(
                title=title,
                description="p99 latency of the API gateway doubles every hour.",
                impacted_cloud_services=["apig", "ecs"],
                level="issues_level_2000",
                ticket_type="issues_type_1000",
                reproduce_probability="always",
                root_cause_cloud_service=["apig"],
                virtual_schedule_type="issues_mgmt_virtual_schedule_type_2000",
                issue_contact_person="51875a8200fd45189f94745678545bc3",
            )
        )
    )
    assert created.error_code == "GOM.00000000"
    ticket_id = created.data.ticket_id
    assert ticket_id.startswith("IM")

    detail = coc.show_coc_issues_detail(ShowCocIssuesDetailRequest(ticket_id=ticket_id))

    assert detail.error_code == "GOM.00000000"
    issue = detail.data
    assert (issue.ticket_id, issue.title, issue.level) == (ticket_id, title, "issues_level_2000")
    assert issue.impacted_cloud_services == "apig,ecs"
    assert issue.root_cause_cloud_service == "apig"
    assert (issue.phase, issue.work_flow_status) == ("phase_issues_accept", "issues_unaccepted")
    assert issue.creator == USER_ID
    assert {(e.filed_key, e.enum_key, e.name_en) for e in issue.enum_data_list} == {
        ("level", "issues_level_2000", "Major"),
        ("virtual_schedule_type", "issues_mgmt_virtual_schedule_type_2000", "Individual"),
    }
    listed = list_tickets(coc, ISSUE, titled(title))
    assert [t["ticket_id"] for t in listed["tickets"]] == [ticket_id]


def test_an_attachment_is_uploaded_downloaded_and_attached_to_an_issue(coc, tmp_path):
    notes = tmp_path / "restart-log.txt"
    notes.write_bytes(b"02:00:01 ecs-1 rebooted\n02:00:03 ecs-2 rebooted\n")

    uploaded = coc.create_attachment(
        CreateAttachmentRequest(
            ticket_type="incident", body=CreateAttachmentRequestBody(file=FormFile(str(notes)))
        )
    )

    assert uploaded.status_code == 200
    assert uploaded.code == "0"
    assert uploaded.data.doc_name == "restart-log.txt"
    doc_id = uploaded.data.doc_id
    downloaded = coc.download_attachment(
        DownloadAttachmentRequest(ticket_type="incident", doc_id=doc_id)
    )
    assert downloaded.status_code == 200
    assert downloaded.raw_content == notes.read_bytes()

    ticket_id = create_issue(coc, unique("ECS restarts"), commit_upload_attachment=doc_id)
    assert show(coc, ISSUE, ticket_id).commit_upload_attachment == doc_id


# -- credentials ------------------------------------------------------------------------------


def test_basic_credentials_with_the_project_id_work_too(url, aksk):
    coc = coc_client(url, BasicCredentials(AK, SK, PROJECT_ID))
    title = unique("Patch the kernel")

    ticket_id = create_change(coc, title)

    assert show(coc, CHANGE, ticket_id).title == title
    # The same domain, so the GlobalCredentials client sees it as well.
    assert show(aksk, CHANGE, ticket_id).title == title


def test_a_token_alone_without_a_signature_is_enough(url, token, aksk):
    title = unique("Token only")
    headers = {"X-Auth-Token": token}

    created = httpx.post(
        f"{url}/v1/issues_mgmt/tickets", json={**ISSUE_BODY, "title": title}, headers=headers
    )

    assert created.status_code == 200, created.text
    ticket_id = created.json()["data"]["ticket_id"]
    shown = httpx.get(f"{url}/v1/issues_mgmt/tickets/{ticket_id}", headers=headers)
    assert shown.status_code == 200
    assert shown.json()["data"]["title"] == title
    assert show(aksk, ISSUE, ticket_id).creator == USER_ID


def test_a_wrong_secret_key_is_refused_and_creates_nothing(url, aksk):
    wrong = coc_client(url, GlobalCredentials(AK, SK.replace("mock", "fake"), DOMAIN_ID))
    title = unique("Never created")

    with pytest.raises(ClientRequestException) as refused:
        create_change(wrong, title)

    assert refused.value.status_code == 401
    assert refused.value.error_code == "common.01010001"
    assert list_tickets(aksk, CHANGE, titled(title), contain_total=True)["total"] == 0


def test_the_token_and_the_signature_the_sdk_sends_must_both_hold(url, token, aksk):
    wrong_key = GlobalCredentials(AK, SK.replace("mock", "fake"), DOMAIN_ID)
    senders = [
        coc_client(url, wrong_key, with_token(token)),
        coc_client(url, GlobalCredentials(AK, SK, DOMAIN_ID), with_token("MII" + "0" * 64)),
    ]
    title = unique("Half the credentials")

    refusals = []
    for coc in senders:
        with pytest.raises(ClientRequestException) as refused:
            create_change(coc, title)
        refusals.append((refused.value.status_code, refused.value.error_code))

    assert refusals == [(401, "common.01010001")] * 2
    assert list_tickets(aksk, CHANGE, titled(title), contain_total=True)["total"] == 0
