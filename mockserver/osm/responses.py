"""OSM's HTTP layer: each method answers one operationId of specs/huawei-osm-cases.yaml."""

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from connexion.context import request

from mockserver.huawei.auth import caller
from mockserver.osm import present
from mockserver.osm.errors import BadRequest, InvalidParameter, OsmError
from mockserver.osm.models import OsmBackend
from mockserver.runtime import DEFAULT_WORLD, Mock, current_world

Reply = tuple[Any, int] | tuple[Any, int, dict[str, str]]
JSON = {"Content-Type": "application/json"}
# What a write answers when it worked [mock]: the vendor documents the two fields, not values.
DONE = {"error_code": "", "error_msg": ""}
ACCESS_URL_PATH = "/__admin/osm/files/"



class OsmResponses:
    def __init__(self, mock: Mock) -> None:
        self._mock = mock

    def backend(self) -> OsmBackend:
        backend = self._mock.world().backend("osm")
        backend.catch_up()
        return backend

    def _run(self, call: Callable[[OsmBackend], Any]) -> Reply:
        """The call's reply, or its OsmError in the configured business-error form."""
        try:
            return call(self.backend()), 200, JSON
        except OsmError as error:
            return error.body(), error.status(self._mock.config.osm.business_errors), JSON

    # -- accessories ------------------------------------------------------------------------

    async def uploadJsonAccessories(self, body: dict, token_info: dict) -> Reply:
        def upload(backend: OsmBackend) -> dict:
            content = backend.decode_base64(body["accessory_data"])
            record = backend.upload_accessory(
                caller(token_info),
                body["accessory_name"],
                body["accessory_from"],
                body.get("upload_type", 0),
                content,
            )
            return {"accessory_id": record["accessory_id"]}

        return self._run(upload)

    async def uploadAccessory(self, token_info: dict, body: Any = None, file: Any = None) -> Reply:
        # Connexion hands the form's text parts over as `body`, form_data already parsed.
        form_data = body.get("form_data") if isinstance(body, dict) else None
        content = b""
        filename = ""
        if hasattr(file, "read"):
            content = await file.read()
            filename = file.filename or ""
            await file.close()

        def upload(backend: OsmBackend) -> dict:
            if not filename and not content:
                raise BadRequest("the form has no file: send it as the part `file`")
            fields = _form_fields(form_data)
            record = backend.upload_accessory(
                caller(token_info),
                fields["fileName"] or filename,
                fields["accessoryFrom"],
                fields["uploadType"],
                content,
            )
            return {"accessory_id": record["accessory_id"]}

        return self._run(upload)

    async def downloadAccessories(
        self, accessory_id: str, token_info: dict, group_id: str | None = None
    ) -> Reply:
        ids = list(dict.fromkeys(part for part in accessory_id.split(",") if part))
        try:
            backend = self.backend()
            if not ids:
                raise InvalidParameter("accessory_id names no accessory")
            records = [backend.accessory(caller(token_info), i) for i in ids]
        except OsmError as error:
            return error.body(), error.status(self._mock.config.osm.business_errors), JSON
        if len(records) == 1:
            return file_reply(records[0]["accessory_name"], backend.accessory_content(records[0]))
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as bundle:
            for record in records:
                # No directories in entry names: unpacking stays in its folder.
                name = record["accessory_name"].replace("/", "_").replace("\\", "_")
                bundle.writestr(
                    f"{record['accessory_id']}_{name}", backend.accessory_content(record)
                )
        return file_reply("accessories.zip", archive.getvalue())

    async def deleteAccessories(self, accessory_id: str, token_info: dict) -> Reply:
        def delete(backend: OsmBackend) -> dict:
            backend.delete_accessory(caller(token_info), accessory_id)
            return DONE

        return self._run(delete)

    async def showDownloadAccessoryUrl(self, accessory_id: str, token_info: dict, **_: Any):
        return self._run(
            lambda b: {
                **DONE,
                "accessory_url": _url(b.access_url(caller(token_info), accessory_id)),
            }
        )

    async def listAccessoryAccessUrls(
        self, accessory_ids: list[str], token_info: dict, group_id: str | None = None
    ) -> Reply:
        def urls(backend: OsmBackend) -> dict:
            principal = caller(token_info)
            records = [backend.accessory(principal, i) for i in accessory_ids]
            return {
                "accessory_urls": [
                    {
                        "accessory_id": r["accessory_id"],
                        "accessory_name": r["accessory_name"],
                        "accessory_url": _url(backend.access_url(principal, r["accessory_id"])),
                    }
                    for r in records
                ]
            }

        return self._run(urls)

    async def showAccessoryLimits(self, token_info: dict) -> Reply:
        def limits(backend: OsmBackend) -> dict:
            config = backend.catalog.accessory_limits
            return {
                "accessory_limit": {
                    "limit_count": str(config["limit_count"]),
                    "limit_size": str(config["limit_size_mb"]),
                    "limit_file_type": ",".join(config["file_types"]),
                }
            }

        return self._run(limits)

    # -- cases ------------------------------------------------------------------------------

    async def createCases(self, body: dict, token_info: dict) -> Reply:
        return self._run(
            lambda b: {"incident_id": b.create_case(caller(token_info), body)["incident_id"]}
        )

    async def listCases(
        self, token_info: dict, offset: int = 0, limit: int = 10, **filters: Any
    ) -> Reply:
        def page(backend: OsmBackend) -> dict:
            cases, total = backend.list_cases(
                caller(token_info), filters, offset, limit, request.headers.get("x-time-zone")
            )
            items = [present.list_item(backend.catalog, case) for case in cases]
            return {"total_count": total, "incident_info_list": items}

        return self._run(page)

    async def showCaseDetail(self, case_id: str, token_info: dict, **_: Any) -> Reply:
        return self._run(
            lambda b: {
                "incident_detail_info": present.detail(b, b.case(caller(token_info), case_id))
            }
        )

    async def showCaseStatus(self, case_id: str, token_info: dict) -> Reply:
        return self._run(lambda b: {"status": b.case(caller(token_info), case_id)["status"]})

    async def listCaseCounts(self, token_info: dict, status: int | None = None) -> Reply:
        return self._run(
            lambda b: {"incident_status_counts": b.counts(caller(token_info), status)}
        )

    async def updateCases(
        self, case_id: str, action_id: str, token_info: dict, body: Any = None
    ) -> Reply:
        def act(backend: OsmBackend) -> dict:
            backend.act(caller(token_info), case_id, action_id, _optional_body(body))
            return DONE

        return self._run(act)

    async def createMessages(self, case_id: str, body: dict, token_info: dict) -> Reply:
        def add(backend: OsmBackend) -> dict:
            message = body["message"]
            backend.add_message(
                caller(token_info),
                case_id,
                message["content"],
                message.get("accessory_ids") or [],
            )
            return DONE

        return self._run(add)

    async def listMessages(
        self, case_id: str, token_info: dict, offset: int = 0, limit: int = 10, **_: Any
    ) -> Reply:
        def page(backend: OsmBackend) -> dict:
            messages = backend.messages_of(caller(token_info), case_id)
            shown = messages[offset : offset + limit]
            return {
                "count": len(messages),
                "message_list": [present.message(backend, m) for m in shown],
            }

        return self._run(page)

    async def createScores(self, case_id: str, body: dict, token_info: dict) -> Reply:
        def score(backend: OsmBackend) -> dict:
            backend.score(caller(token_info), case_id, body)
            return DONE

        return self._run(score)

    async def listCaseOperateLogs(
        self, case_id: str, token_info: dict, offset: int = 0, limit: int = 10, **_: Any
    ) -> Reply:
        def page(backend: OsmBackend) -> dict:
            logs = backend.logs_of(caller(token_info), case_id)
            return {
                "total_count": len(logs),
                "incident_operate_log_list": [
                    present.operate_log(log) for log in logs[offset : offset + limit]
                ],
            }

        return self._run(page)

    async def updateCaseContactInfo(self, case_id: str, body: dict, token_info: dict) -> Reply:
        def update(backend: OsmBackend) -> dict:
            backend.update_contact(caller(token_info), case_id, body)
            return DONE

        return self._run(update)

    async def createCaseExtendsParam(self, case_id: str, body: dict, token_info: dict) -> Reply:
        def put(backend: OsmBackend) -> dict:
            backend.put_extends(caller(token_info), case_id, body)
            return DONE

        return self._run(put)

    async def showCaseExtendsParam(self, case_id: str, token_info: dict, **_: Any) -> Reply:
        return self._run(
            lambda b: {**DONE, "extends_map": b.case(caller(token_info), case_id)["extends_map"]}
        )

    # -- config look-ups --------------------------------------------------------------------

    async def listCaseCategories(self, token_info: dict) -> Reply:
        def categories(backend: OsmBackend) -> dict:
            listed = backend.catalog.sub_type_list()
            return {"total_count": len(listed), "incident_sub_type_list": listed}

        return self._run(categories)

    async def listProductCategories(
        self, token_info: dict, product_category_name: str | None = None
    ) -> Reply:
        def categories(backend: OsmBackend) -> dict:
            listed = backend.catalog.product_category_list(product_category_name)
            return {"total_count": len(listed), "incident_product_category_list": listed}

        return self._run(categories)

    async def listProblemTypes(self, token_info: dict, product_category_id: str | None = None):
        def problems(backend: OsmBackend) -> dict:
            listed = backend.catalog.business_type_list(product_category_id)
            return {"total_count": len(listed), "incident_business_type_list": listed}

        return self._run(problems)

    async def listRegions(self, token_info: dict) -> Reply:
        def regions(backend: OsmBackend) -> dict:
            listed = backend.catalog.region_list()
            return {"total_count": len(listed), "data_center_list": listed}

        return self._run(regions)

    async def listSeverities(
        self, product_category_id: str, business_type_id: str, token_info: dict
    ) -> Reply:
        def severities(backend: OsmBackend) -> dict:
            business_type = _business_type(backend, business_type_id, product_category_id)
            return {"show": True, "severity_list": backend.catalog.severity_list(business_type)}

        return self._run(severities)

    async def listExtendsParams(
        self,
        business_type_id: str,
        token_info: dict,
        incident_sub_type_id: str | None = None,
        product_category_id: str | None = None,
    ) -> Reply:
        def params(backend: OsmBackend) -> dict:
            business_type = _business_type(backend, business_type_id, product_category_id)
            return {
                "extends_params": backend.catalog.extends_param_list(business_type),
                "common_params": backend.catalog.data["common_params"],
            }

        return self._run(params)

    async def listCaseTemplates(self, business_type_id: str, token_info: dict) -> Reply:
        def templates(backend: OsmBackend) -> dict:
            listed = backend.catalog.template_list(_business_type(backend, business_type_id))
            return {"total_count": len(listed), "incident_template_list": listed}

        return self._run(templates)

    async def listAreaCodes(self, token_info: dict) -> Reply:
        return self._run(lambda b: {"area_code_list": b.catalog.area_code_list()})

    async def listCaseLimits(self, token_info: dict) -> Reply:
        return self._run(
            lambda b: {
                "config": {
                    "create_case_ccemail_max_count": b.catalog.data["create_case_ccemail_max_count"]
                }
            }
        )

    async def listSatisfactionDimensions(self, token_info: dict) -> Reply:
        def dimensions(backend: OsmBackend) -> dict:
            listed = backend.catalog.satisfaction_list()
            return {"total_count": len(listed), "satisfaction_dimension_list": listed}

        return self._run(dimensions)

    async def listCaseQuotas(self, token_info: dict, **_: Any) -> Reply:
        def quotas(backend: OsmBackend) -> dict:
            total, used = backend.case_quota(caller(token_info))
            return {"total": total, "un_used": total - used}

        return self._run(quotas)

    # -- privileges -------------------------------------------------------------------------

    async def listPrivileges(self, privilege: str, token_info: dict) -> Reply:
        return self._run(
            lambda b: {"has_privilege": int(b.has_privilege(caller(token_info), privilege))}
        )

    async def createPrivileges(self, body: dict, token_info: dict) -> Reply:
        def change(backend: OsmBackend) -> dict:
            backend.change_privilege(caller(token_info), body["operation"], body["privilege"])
            return DONE

        return self._run(change)

    async def showCustomerPrivilegePolicy(self, token_info: dict) -> Reply:
        return self._run(lambda b: {"policy_switch": b.privilege_policy})


def _business_type(backend: OsmBackend, business_type_id: str, category_id: str | None = None):
    business_type = backend.catalog.business_types.get(business_type_id)
    if business_type is None or category_id not in (None, business_type.product_category_id):
        raise InvalidParameter(
            f"business_type_id {business_type_id} is not a problem type"
            + (f" of product category {category_id}" if category_id else "")
        )
    return business_type


def _optional_body(body: Any) -> dict[str, Any]:
    """An optional JSON body: connexion hands it over unparsed when no Content-Type names it."""
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body) if body.strip() else None
        except ValueError as error:
            raise BadRequest(f"the body is not JSON: {error}") from error
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _form_fields(form_data: Any) -> dict[str, Any]:
    """The upload's `form_data` part, documented as {"fileName", "accessoryFrom", "uploadType"}.

    The snake_case names of the JSON upload are taken as well.
    """
    try:
        fields = json.loads(form_data) if isinstance(form_data, str) else form_data or {}
    except ValueError as error:
        raise BadRequest(f"form_data is not JSON: {error}") from error
    if not isinstance(fields, dict):
        raise BadRequest("form_data must be a JSON object")
    name = fields.get("fileName", fields.get("accessory_name")) or ""
    origin = fields.get("accessoryFrom", fields.get("accessory_from", "incident"))
    upload_type = fields.get("uploadType", fields.get("upload_type", 0))
    if not isinstance(name, str):
        raise BadRequest("form_data.fileName must be a string")
    if origin not in ("incident", "message"):
        raise BadRequest("form_data.accessoryFrom must be incident or message")
    if upload_type not in (0, 1) or isinstance(upload_type, bool):
        raise BadRequest("form_data.uploadType must be 0 or 1")
    return {"fileName": name, "accessoryFrom": origin, "uploadType": upload_type}


def file_reply(name: str, content: bytes) -> Reply:
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return (
        content,
        200,
        {"Content-Type": "application/octet-stream", "Content-Disposition": disposition},
    )


def _url(key: str) -> str:
    """The download link; outside the default world it names its world."""
    world = current_world()
    where = "" if world == DEFAULT_WORLD else f"?world={world}"
    return str(request.base_url).rstrip("/") + ACCESS_URL_PATH + key + where
