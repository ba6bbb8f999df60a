"""The official Huawei Cloud OSM and IAM SDKs (huaweicloudsdkosm, huaweicloudsdkiam) against a
live `ticketkit serve`.

The case flows run twice: signed with AK/SK, and with an IAM token the SDK sends as well.
"""

import base64
import json
import uuid
from collections.abc import Iterator

import httpx
import huaweicloudsdkiam.v3 as iamsdk
import huaweicloudsdkosm.v2 as sdk
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException
from huaweicloudsdkcore.http.formdata import FormFile
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkiam.v3 import IamClient
from huaweicloudsdkosm.v2 import OsmClient

from tests.huawei_helpers import (
    AK,
    DOMAIN_ID,
    DOMAIN_NAME,
    PASSWORD,
    PROJECT_ID,
    SK,
    USER_ID,
    USER_NAME,
    with_token,
)
from tests.test_cli import serving

PROJECT_NAME = "cn-north-4"
SOURCE_ID = "83aeb0f2834c4df49826c781d32a963e"
NO_SUCH_CASE = "CS0001010000000000"
ENGINEER_NAME = "Huawei Cloud support engineer"
WRONG_SK = SK.replace("mock", "fake")

pytestmark = [
    # From Python 3.12 the SDK's signer calls datetime.utcnow(), which warns on every request.
    pytest.mark.filterwarnings(
        "ignore:datetime.datetime.utcnow\\(\\) is deprecated:DeprecationWarning"
    ),
    # Without python-dateutil (which huaweicloudsdkcore does not require) the SDK keeps the
    # datetime fields (create_time, ...) as strings and warns for each.
    pytest.mark.filterwarnings(
        "ignore:Unable to convert string to datetime due to failure to import dateutil"
        ":ImportWarning"
    ),
]


# -- a live mock and SDK clients --------------------------------------------------------------


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """`ticketkit serve` with the default scenario on a free port; yields its base URL."""
    with serving() as base_url:
        yield base_url


def build(client_type, url: str, credentials, handler=None, region: Region | None = None):
    """An SDK client of `url`, or of `region` (whose build looks ids up in IAM)."""
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    builder = client_type.new_builder().with_http_config(config).with_credentials(credentials)
    builder = builder.with_region(region) if region else builder.with_endpoints([url])
    if handler is not None:
        builder = builder.with_http_handler(handler)
    return builder.build()


def good_credentials() -> GlobalCredentials:
    return GlobalCredentials(AK, SK, DOMAIN_ID)


def password_request(scope: iamsdk.AuthScope, password: str = PASSWORD):
    user = iamsdk.PwdPasswordUser(
        domain=iamsdk.PwdPasswordUserDomain(name=DOMAIN_NAME), name=USER_NAME, password=password
    )
    identity = iamsdk.PwdIdentity(methods=["password"], password=iamsdk.PwdPassword(user=user))
    body = iamsdk.KeystoneCreateUserTokenByPasswordRequestBody(
        auth=iamsdk.PwdAuth(identity=identity, scope=scope)
    )
    return iamsdk.KeystoneCreateUserTokenByPasswordRequest(body=body)


DOMAIN_SCOPE = iamsdk.AuthScope(domain=iamsdk.AuthScopeDomain(name=DOMAIN_NAME))
PROJECT_SCOPE = iamsdk.AuthScope(project=iamsdk.AuthScopeProject(name=PROJECT_NAME))


@pytest.fixture(scope="module")
def iam(url) -> IamClient:
    return build(IamClient, url, good_credentials())


@pytest.fixture(scope="module")
def token(iam) -> str:
    return iam.keystone_create_user_token_by_password(
        password_request(DOMAIN_SCOPE)
    ).x_subject_token


@pytest.fixture(scope="module")
def aksk(url) -> OsmClient:
    return build(OsmClient, url, good_credentials())


@pytest.fixture(scope="module", params=["aksk", "token"])
def osm(request, url) -> OsmClient:
    """The SDK client signing with AK/SK, or also sending an IAM token."""
    if request.param == "aksk":
        return build(OsmClient, url, good_credentials())
    return build(OsmClient, url, good_credentials(), with_token(request.getfixturevalue("token")))


# -- helpers ----------------------------------------------------------------------------------


def unique(text: str) -> str:
    """A description no other test uses, so lists can be filtered down to one test's cases."""
    return f"{text} {uuid.uuid4().hex[:12]}"


def case_form(osm: OsmClient) -> dict:
    """The fields of a new fault case, picked as a UI's cascading selects would."""
    sub_type = osm.list_case_categories(sdk.ListCaseCategoriesRequest()).incident_sub_type_list[0]
    category_id = sub_type.incident_product_category_list[0].incident_product_category_id
    problems = osm.list_problem_types(sdk.ListProblemTypesRequest(product_category_id=category_id))
    fault = next(p for p in problems.incident_business_type_list if p.case_type == "5")
    region = osm.list_regions(sdk.ListRegionsRequest()).data_center_list[0]
    severity = osm.list_severities(
        sdk.ListSeveritiesRequest(
            product_category_id=category_id, business_type_id=fault.business_type_id
        )
    ).severity_list[-1]
    params = osm.list_extends_params(
        sdk.ListExtendsParamsRequest(
            business_type_id=fault.business_type_id,
            incident_sub_type_id=sub_type.incident_sub_type_id,
            product_category_id=category_id,
        )
    ).extends_params
    return {
        "incident_sub_type_id": sub_type.incident_sub_type_id,
        "product_category_id": category_id,
        "business_type_id": fault.business_type_id,
        "region_id": region.region_id,
        "severity_id": severity.severity_id,
        "extends_map": {p.param_key: f"{p.param_key}-1" for p in params if p.required == 1},
        # What a case's detail shows by name
        "names": (fault.business_type_name, region.region_name, severity.severity_name),
    }


@pytest.fixture(scope="module")
def form(aksk) -> dict:
    return case_form(aksk)


def file_case(osm: OsmClient, form: dict, description: str, **fields):
    body = {k: v for k, v in form.items() if k != "names"}
    body.update(source_id=SOURCE_ID, simple_description=description, **fields)
    return osm.create_cases(sdk.CreateCasesRequest(body=sdk.CreateOrderIncidentV2Req(**body)))


def new_case(osm: OsmClient, form: dict, description: str, **fields) -> str:
    created = file_case(osm, form, description, **fields)
    assert created.status_code == 200
    assert created.incident_id.startswith("CS"), created.raw_content
    return created.incident_id


def detail(osm: OsmClient, case_id: str):
    shown = osm.show_case_detail(sdk.ShowCaseDetailRequest(case_id=case_id)).incident_detail_info
    assert shown is not None
    return shown


def done(reply) -> None:
    """A write that worked: HTTP 200 and an empty error_code."""
    assert (reply.status_code, reply.error_code) == (200, ""), reply.raw_content


def engineer(url: str, case_id: str, action: str, content: str = "") -> int:
    reply = httpx.post(
        f"{url}/__admin/osm/cases/{case_id}/engineer", json={"action": action, "content": content}
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["status"]


def message(content: str) -> sdk.CreateMessageV2Req:
    return sdk.CreateMessageV2Req(message=sdk.CreateMessageDoV2(content=content))


def listed_ids(osm: OsmClient, **filters) -> tuple[set[str], int]:
    page = osm.list_cases(sdk.ListCasesRequest(**filters))
    return {c.incident_id for c in page.incident_info_list}, page.total_count


def read(download) -> bytes:
    chunks: list[bytes] = []
    download.consume_download_stream(lambda stream: chunks.extend(stream.iter_content(4096)))
    return b"".join(chunks)


def upload_json(osm: OsmClient, name: str, content: bytes) -> str:
    data = base64.b64encode(content).decode("ascii")
    uploaded = osm.upload_json_accessories(
        sdk.UploadJsonAccessoriesRequest(
            body=sdk.AccessoryJsonFormatReq(
                accessory_name=name, accessory_from="incident", upload_type=0, accessory_data=data
            )
        )
    )
    assert uploaded.accessory_id, uploaded.raw_content
    return uploaded.accessory_id


def upload_form(osm: OsmClient, path, form_data: dict) -> str:
    body = sdk.UploadAccessoryRequestBody(file=FormFile(str(path)), form_data=json.dumps(form_data))
    uploaded = osm.upload_accessory(sdk.UploadAccessoryRequest(body=body))
    assert uploaded.status_code == 200
    assert uploaded.accessory_id, uploaded.raw_content
    return uploaded.accessory_id


# -- IAM --------------------------------------------------------------------------------------


def test_a_domain_scoped_password_token_names_the_user_and_works_for_osm(iam, url):
    reply = iam.keystone_create_user_token_by_password(password_request(DOMAIN_SCOPE))

    assert reply.status_code == 201
    token = reply.token
    assert token.methods == ["password"]
    assert (token.user.id, token.user.name, token.user.domain.id) == (USER_ID, USER_NAME, DOMAIN_ID)
    assert (token.domain.id, token.domain.name, token.project) == (DOMAIN_ID, DOMAIN_NAME, None)
    osm = build(OsmClient, url, good_credentials(), with_token(reply.x_subject_token))
    assert osm.list_case_counts(sdk.ListCaseCountsRequest()).status_code == 200


def test_a_project_scoped_password_token_names_the_project(iam):
    reply = iam.keystone_create_user_token_by_password(password_request(PROJECT_SCOPE))

    assert reply.status_code == 201
    assert reply.x_subject_token
    project = reply.token.project
    assert (project.id, project.name, project.domain.id) == (PROJECT_ID, PROJECT_NAME, DOMAIN_ID)
    assert (reply.token.domain, reply.token.user.id) == (None, USER_ID)


def test_a_wrong_password_is_refused_with_401(iam):
    with pytest.raises(ClientRequestException) as refused:
        iam.keystone_create_user_token_by_password(password_request(DOMAIN_SCOPE, "Wrong0ne!"))

    assert refused.value.status_code == 401


@pytest.mark.parametrize("auth", ["aksk", "token"])
def test_iam_lists_the_callers_domain_and_its_project_by_name(url, auth, request):
    handler = with_token(request.getfixturevalue("token")) if auth == "token" else None
    iam = build(IamClient, url, good_credentials(), handler)

    domains = iam.keystone_list_auth_domains(iamsdk.KeystoneListAuthDomainsRequest()).domains
    named = iam.keystone_list_projects(iamsdk.KeystoneListProjectsRequest(name=PROJECT_NAME))
    elsewhere = iam.keystone_list_projects(iamsdk.KeystoneListProjectsRequest(name="cn-south-1"))

    assert [(d.id, d.name, d.enabled) for d in domains] == [(DOMAIN_ID, DOMAIN_NAME, True)]
    assert [(p.id, p.name, p.domain_id) for p in named.projects] == [
        (PROJECT_ID, PROJECT_NAME, DOMAIN_ID)
    ]
    assert elsewhere.projects == []


# -- the SDKs' own IAM look-ups ---------------------------------------------------------------


@pytest.mark.parametrize("iam_endpoint", ["credentials", "environment"])
def test_the_osm_sdk_looks_the_domain_id_up_in_iam(url, aksk, form, iam_endpoint, monkeypatch):
    monkeypatch.setattr(Credentials, "_CACHE", {})  # the SDK caches looked-up ids by AK
    credentials = GlobalCredentials(AK, SK)
    if iam_endpoint == "credentials":
        credentials.with_iam_endpoint(url)
    else:
        monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", url)

    osm = build(OsmClient, url, credentials, region=Region("cn-south-1", url))

    assert credentials.domain_id == DOMAIN_ID
    description = unique("Filed with a looked-up domain")
    case_id = new_case(osm, form, description)
    assert detail(aksk, case_id).simple_description == description


def test_the_iam_sdk_looks_the_project_id_up_by_region_name(url, monkeypatch):
    monkeypatch.setattr(Credentials, "_CACHE", {})
    credentials = BasicCredentials(AK, SK).with_iam_endpoint(url)

    iam = build(IamClient, url, credentials, region=Region(PROJECT_NAME, url))

    assert credentials.project_id == PROJECT_ID
    listed = iam.keystone_list_projects(iamsdk.KeystoneListProjectsRequest())
    assert [p.id for p in listed.projects] == [PROJECT_ID]
    # A region the domain has no project in cannot be used without a project id.
    elsewhere = BasicCredentials(AK, SK).with_iam_endpoint(url)
    with pytest.raises(SdkException, match="cn-south-1"):
        build(IamClient, url, elsewhere, region=Region("cn-south-1", url))


# -- the whole life of a case -----------------------------------------------------------------


def test_a_case_is_filed_answered_closed_and_rated(url, osm):
    form = case_form(osm)
    assert form["extends_map"]  # the fault's form asks for a required parameter
    accessory_id = upload_json(osm, "boot-error.txt", b"kernel panic at boot\n")
    description = unique("The instance does not boot after a resize")

    case_id = new_case(osm, form, description, accessory_ids=[accessory_id])

    filed = detail(osm, case_id)
    assert (filed.incident_id, filed.status, filed.simple_description) == (case_id, 0, description)
    names = (filed.business_type_name, filed.dc_name, filed.severity_name)
    assert names == form["names"]
    assert (filed.customer_id, filed.xcustomer_id) == (DOMAIN_ID, USER_ID)
    [first] = filed.message_list
    assert (first.type, first.is_first_message, first.content) == (0, 1, description)
    accessories = [(a.accessory_id, a.file_actual_name) for a in first.accessory_list]
    assert accessories == [(accessory_id, "boot-error.txt")]

    done(osm.create_messages(sdk.CreateMessagesRequest(case_id=case_id, body=message("Still."))))
    listed = osm.list_messages(sdk.ListMessagesRequest(case_id=case_id))
    assert listed.count == 2
    assert [(m.type, m.content) for m in listed.message_list] == [(0, description), (0, "Still.")]

    assert engineer(url, case_id, "reply", "Please send the console log.") == 1
    listed = osm.list_messages(sdk.ListMessagesRequest(case_id=case_id))
    last = listed.message_list[-1]
    assert (listed.count, last.type, last.content) == (3, 1, "Please send the console log.")
    assert last.replier_name == ENGINEER_NAME
    assert detail(osm, case_id).status == 1

    assert engineer(url, case_id, "solve", "The boot disk was full; we freed it.") == 2
    done(osm.update_cases(sdk.UpdateCasesRequest(case_id=case_id, action_id="close")))
    dimensions = osm.list_satisfaction_dimensions(sdk.ListSatisfactionDimensionsRequest())
    expected = [(d.satisfaction_id, d.per_value) for d in dimensions.satisfaction_dimension_list]
    ratings = [
        sdk.IncidentSatisfactionV2Do(satisfaction_id=i, satisfaction_value=v) for i, v in expected
    ]
    score = sdk.CreateScoreV2Req(judgement="Quick and right.", incident_satisfaction_list=ratings)
    done(osm.create_scores(sdk.CreateScoresRequest(case_id=case_id, body=score)))

    closed = detail(osm, case_id)
    assert (closed.status, closed.judgement) == (3, "Quick and right.")
    rated = [(s.satisfaction_id, s.satisfaction_value) for s in closed.incident_satisfaction]
    assert rated == expected
    assert [m.type for m in closed.message_list] == [0, 0, 1, 1]


# -- accessories ------------------------------------------------------------------------------


def test_a_multipart_upload_is_downloaded_linked_and_deleted(osm, tmp_path):
    screenshot = tmp_path / "IMG_0001.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    form_data = {"fileName": "console.png", "accessoryFrom": "incident", "uploadType": 0}

    accessory_id = upload_form(osm, screenshot, form_data)

    download = osm.download_accessories(sdk.DownloadAccessoriesRequest(accessory_id=accessory_id))
    assert download.status_code == 200
    assert read(download) == screenshot.read_bytes()
    link = osm.show_download_accessory_url(
        sdk.ShowDownloadAccessoryUrlRequest(accessory_id=accessory_id, relation_type="NO_RELATION")
    )
    assert link.error_code == ""
    fetched = httpx.get(link.accessory_url)  # without credentials
    assert (fetched.status_code, fetched.content) == (200, screenshot.read_bytes())
    # form_data's fileName, not the file part's, names the accessory.
    assert fetched.headers["Content-Disposition"].endswith("''console.png")

    done(osm.delete_accessories(sdk.DeleteAccessoriesRequest(accessory_id=accessory_id)))
    # The SDK hands the business error back as the stream's bytes.
    gone = osm.download_accessories(sdk.DownloadAccessoriesRequest(accessory_id=accessory_id))
    assert json.loads(read(gone))["error_code"] == "OSM.01010001"


def test_the_download_link_of_a_deleted_accessory_answers_404(osm):
    accessory_id = upload_json(osm, "notes.txt", b"to be deleted\n")
    link = osm.show_download_accessory_url(
        sdk.ShowDownloadAccessoryUrlRequest(accessory_id=accessory_id, relation_type="NO_RELATION")
    ).accessory_url
    assert httpx.get(link).content == b"to be deleted\n"

    done(osm.delete_accessories(sdk.DeleteAccessoriesRequest(accessory_id=accessory_id)))

    assert httpx.get(link).status_code == 404


def test_an_accessory_a_case_holds_is_not_deleted(osm, form):
    accessory_id = upload_json(osm, "trace.log", b"GET / 502\n")
    new_case(osm, form, unique("Gateway answers 502"), accessory_ids=[accessory_id])

    refused = osm.delete_accessories(sdk.DeleteAccessoriesRequest(accessory_id=accessory_id))

    assert (refused.status_code, refused.error_code) == (200, "OSM.01010014")
    kept = osm.download_accessories(sdk.DownloadAccessoriesRequest(accessory_id=accessory_id))
    assert read(kept) == b"GET / 502\n"


# -- lists and counts -------------------------------------------------------------------------


def test_list_cases_filters_by_words_and_status_and_pages(osm, form):
    disk, net = unique("disk"), unique("network")
    counts = osm.list_case_counts(sdk.ListCaseCountsRequest()).incident_status_counts
    before = {c.status: c.count for c in counts}
    disk_ids = {new_case(osm, form, f"{disk} full on node {n}") for n in range(2)}
    net_id = new_case(osm, form, f"{net} drops packets")
    done(osm.update_cases(sdk.UpdateCasesRequest(case_id=net_id, action_id="cancel")))
    both = [disk, net]

    assert listed_ids(osm, search_key=both) == (disk_ids | {net_id}, 3)
    assert listed_ids(osm, search_key=[disk]) == (disk_ids, 2)
    assert listed_ids(osm, search_key=both, status=4) == ({net_id}, 1)
    assert listed_ids(osm, search_key=both, status=0) == (disk_ids, 2)
    assert listed_ids(osm, search_key=both, query_end_time="2000-01-01 00:00:00") == (set(), 0)
    first, total_first = listed_ids(osm, search_key=both, offset=0, limit=2)
    rest, total_rest = listed_ids(osm, search_key=both, offset=2, limit=2)
    assert (len(first), len(rest), total_first, total_rest) == (2, 1, 3, 3)
    assert first | rest == disk_ids | {net_id}

    counts = osm.list_case_counts(sdk.ListCaseCountsRequest()).incident_status_counts
    after = {c.status: c.count for c in counts}
    assert sorted(after) == [0, 1, 2, 3, 4, 12, 17]
    assert {s: after[s] - before[s] for s in after if after[s] != before[s]} == {0: 2, 4: 1}
    cancelled = osm.list_case_counts(sdk.ListCaseCountsRequest(status=4)).incident_status_counts
    assert [(c.status, c.count) for c in cancelled] == [(4, after[4])]


def test_a_new_case_uses_one_of_the_daily_quota(osm, form):
    quota = sdk.ListCaseQuotasRequest(business_type_id=form["business_type_id"])
    before = osm.list_case_quotas(quota)

    new_case(osm, form, unique("Quota check"))

    after = osm.list_case_quotas(quota)
    assert after.total == before.total == 50
    assert after.un_used == before.un_used - 1


# -- the form's look-ups, privileges ----------------------------------------------------------


def test_the_config_look_ups_offer_what_a_case_form_needs(osm, form):
    templates = osm.list_case_templates(
        sdk.ListCaseTemplatesRequest(business_type_id=form["business_type_id"])
    )
    regions = osm.list_regions(sdk.ListRegionsRequest())
    area_codes = osm.list_area_codes(sdk.ListAreaCodesRequest()).area_code_list
    limits = osm.list_case_limits(sdk.ListCaseLimitsRequest())
    accessories = osm.show_accessory_limits(sdk.ShowAccessoryLimitsRequest()).accessory_limit

    assert templates.total_count == len(templates.incident_template_list) >= 1
    assert all(t.incident_template_content for t in templates.incident_template_list)
    assert regions.total_count == len(regions.data_center_list)
    listed = [(r.region_id, r.region_name, r.type) for r in regions.data_center_list]
    assert ("cn-north-4", "CN North-Beijing4", 0) in listed
    assert ("86", "Chinese mainland") in [(a.area_code, a.area_name) for a in area_codes]
    assert limits.config.create_case_ccemail_max_count == 10
    assert (accessories.limit_count, accessories.limit_size) == ("5", "10")
    assert {"txt", "log", "png", "zip"} <= set(accessories.limit_file_type.split(","))


def test_a_privilege_is_granted_and_withdrawn(osm):
    privilege = f"export-{uuid.uuid4().hex[:8]}"

    def held() -> int:
        return osm.list_privileges(sdk.ListPrivilegesRequest(privilege=privilege)).has_privilege

    def change(operation: str) -> None:
        body = sdk.CreateAndDeletePrivilegeReq(operation=operation, privilege=privilege)
        done(osm.create_privileges(sdk.CreatePrivilegesRequest(body=body)))

    assert held() == 0
    change("create")
    assert held() == 1
    change("delete")
    assert held() == 0
    policy = osm.show_customer_privilege_policy(sdk.ShowCustomerPrivilegePolicyRequest())
    assert policy.policy_switch is False


def test_contact_info_and_extends_params_change_and_are_logged(osm, form):
    case_id = new_case(osm, form, unique("Slow disk"))
    contact = ("86", "13800000000", "ops@example.com", "09:00-18:00")
    names = ("area_code", "remind_mobile", "remind_mail", "remind_time")
    fields = dict(zip(names, contact, strict=True))

    contact_info = sdk.UpdateCaseContactInfoReq(**fields)
    extends = sdk.PutCaseExtParamReq(extends_map={"os_type": "Linux"})
    contact_req = sdk.UpdateCaseContactInfoRequest(case_id=case_id, body=contact_info)
    extends_req = sdk.CreateCaseExtendsParamRequest(case_id=case_id, body=extends)
    done(osm.update_case_contact_info(contact_req))
    done(osm.create_case_extends_param(extends_req))

    ext = detail(osm, case_id).ext_info
    assert (ext.area_code, ext.remind_mobile, ext.remind_mail, ext.remind_time) == contact
    shown = osm.show_case_extends_param(
        sdk.ShowCaseExtendsParamRequest(case_id=case_id, group_id="g")
    )
    assert shown.error_code == ""
    # The SDK's response model has no extends_map; the JSON carries it.
    assert shown.to_json_object()["extends_map"] == {**form["extends_map"], "os_type": "Linux"}
    logs = osm.list_case_operate_logs(sdk.ListCaseOperateLogsRequest(case_id=case_id))
    rows = logs.incident_operate_log_list
    assert logs.total_count == 3
    assert [(g.operate_type, g.operator_type) for g in rows] == [(1, 0), (8, 0), (9, 0)]
    assert {(g.incident_id, g.operator_name) for g in rows} == {(case_id, USER_NAME)}
    page = osm.list_case_operate_logs(
        sdk.ListCaseOperateLogsRequest(case_id=case_id, offset=1, limit=1)
    )
    assert (page.total_count, [g.operate_type for g in page.incident_operate_log_list]) == (3, [8])


# -- credentials ------------------------------------------------------------------------------


@pytest.mark.parametrize("sender", ["wrong SK", "wrong SK and a token", "unknown token"])
def test_wrong_credentials_are_refused_with_401_and_create_nothing(url, aksk, form, token, sender):
    wrong_sk = GlobalCredentials(AK, WRONG_SK, DOMAIN_ID)
    credentials, tok = {
        "wrong SK": (wrong_sk, None),
        "wrong SK and a token": (wrong_sk, token),
        "unknown token": (good_credentials(), "MII" + "0" * 64),
    }[sender]
    wrong = build(OsmClient, url, credentials, with_token(tok) if tok else None)
    total = aksk.list_cases(sdk.ListCasesRequest()).total_count

    with pytest.raises(ClientRequestException) as refused:
        file_case(wrong, form, unique("Never filed"))

    assert (refused.value.status_code, refused.value.error_code) == (401, "OSM.0002")
    assert aksk.list_cases(sdk.ListCasesRequest()).total_count == total


# -- business errors --------------------------------------------------------------------------


def test_an_unknown_case_is_a_business_error_at_http_200(osm):
    shown = osm.show_case_detail(sdk.ShowCaseDetailRequest(case_id=NO_SUCH_CASE))
    acted = osm.update_cases(sdk.UpdateCasesRequest(case_id=NO_SUCH_CASE, action_id="cancel"))

    assert shown.status_code == 200
    assert shown.incident_detail_info is None
    assert shown.to_json_object()["error_code"] == "OSM.01010015"
    assert (acted.status_code, acted.error_code) == (200, "OSM.01010015")


@pytest.mark.parametrize(
    ("change", "code"),
    [({"severity_id": "4"}, "OSM.01010006"), ({"extends_map": {}}, "OSM.01010001")],
    ids=["severity of another business type", "required extends param missing"],
)
def test_a_refused_case_answers_its_error_code_at_http_200(osm, form, change, code):
    description = unique("Refused")

    refused = file_case(osm, form, description, **change)

    assert (refused.status_code, refused.incident_id) == (200, None)
    assert refused.to_json_object()["error_code"] == code
    assert listed_ids(osm, search_key=[description]) == (set(), 0)


@pytest.fixture(scope="module")
def strict(tmp_path_factory) -> Iterator[OsmClient]:
    """An SDK client of a server whose configuration gives business errors 4xx statuses."""
    config = tmp_path_factory.mktemp("osm") / "ticketkit.yaml"
    config.write_text("osm:\n  business_errors: http4xx\n", encoding="utf-8")
    with serving("--config", str(config)) as base_url:
        yield build(OsmClient, base_url, good_credentials())


def test_with_http4xx_business_errors_an_unknown_case_raises_404(strict):
    with pytest.raises(ClientRequestException) as missing:
        strict.show_case_detail(sdk.ShowCaseDetailRequest(case_id=NO_SUCH_CASE))

    assert (missing.value.status_code, missing.value.error_code) == (404, "OSM.01010015")


def test_with_http4xx_business_errors_rating_an_open_case_raises_403(strict):
    case_id = new_case(strict, case_form(strict), unique("Not finished yet"))
    rating = sdk.IncidentSatisfactionV2Do(satisfaction_id=1, satisfaction_value=5)
    score = sdk.CreateScoreV2Req(judgement="Too early", incident_satisfaction_list=[rating])

    with pytest.raises(ClientRequestException) as refused:
        strict.create_scores(sdk.CreateScoresRequest(case_id=case_id, body=score))

    assert (refused.value.status_code, refused.value.error_code) == (403, "OSM.01010014")
    assert detail(strict, case_id).incident_satisfaction == []
