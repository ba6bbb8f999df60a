"""Cases, messages and logs in the vendor's field names (IncidentDetailInfoV2 and friends)."""

from typing import Any

from mockserver.osm.catalog import Catalog
from mockserver.osm.models import OsmBackend, utc
from mockserver.store import Record


def accessory_list(backend: OsmBackend, message: Record) -> list[dict[str, str]]:
    listed = []
    for accessory_id in message["accessory_ids"]:
        accessory = backend.accessories.get(accessory_id)
        if accessory is not None:
            listed.append(
                {"accessory_id": accessory_id, "file_actual_name": accessory["accessory_name"]}
            )
    return listed


def message(backend: OsmBackend, record: Record) -> dict[str, Any]:
    return {
        "type": record["type"],
        "replier_type": record["type"],
        "replier": record["replier"],
        "replier_name": record["replier_name"],
        "content": record["content"],
        "message_id": record["message_id"],
        "create_time": utc(record["create_time"]),
        "is_first_message": record["is_first_message"],
        "iam_user_type": 0 if record["type"] == 0 else 1,
        "accessory_list": accessory_list(backend, record),
    }


def _common(catalog: Catalog, case: Record) -> dict[str, Any]:
    business_type = catalog.business_types[case["business_type_id"]]
    sub_type = catalog.sub_types.get(case["incident_sub_type_id"])
    region = catalog.regions.get(case["region_id"])
    return {
        "incident_id": case["incident_id"],
        "status": case["status"],
        "customer_id": case["domain_id"],
        "xcustomer_id": case["user_id"],
        "xcustomer_name": case["user_name"],
        "simple_description": case["simple_description"],
        "create_time": utc(case["create_time"]),
        "business_type_name": business_type.name,
        "incident_type_name": sub_type["name"] if sub_type else "",
        "product_category_name": catalog.categories[case["product_category_id"]]["name"],
        "dc_name": region["region_name"] if region else "",
    }


def list_item(catalog: Catalog, case: Record) -> dict[str, Any]:
    item = _common(catalog, case)
    business_type = catalog.business_types[case["business_type_id"]]
    item.update(
        {
            "incident_service_type": "fault" if business_type.case_type == "5" else "consult",
            "root_cause": case["root_cause"],
            "resolution": case["resolution"],
            "label_list": [],
        }
    )
    if case["confirmed_time"]:
        item["confirmed_time"] = utc(case["confirmed_time"])
    return item


def detail(backend: OsmBackend, case: Record) -> dict[str, Any]:
    catalog = backend.catalog
    messages = backend.conversation(case["incident_id"])
    resolved = case["resolved_time"]
    return {
        **_common(catalog, case),
        "judgement": case["judgement"],
        "source_name": catalog.source["name"],
        "message_list": [message(backend, m) for m in messages],
        "incident_satisfaction": case["satisfaction"],
        "severity_name": catalog.severity_name(case["severity_id"]),
        "business_ownership": 0,
        "is_authorized": 0,
        "resolve_time": int(resolved - case["create_time"]) if resolved else 0,
        "ext_info": {
            "area_code": case["area_code"],
            "remind_mobile": case["remind_mobile"],
            "remind_mail": case["remind_mail"],
            "contact_type": "0,1,2",
            "remind_time": case["remind_time"],
            "cc_email": "",
            "commodity_id": "",
        },
    }


def operate_log(record: Record) -> dict[str, Any]:
    return {
        "incident_log_id": record["incident_log_id"],
        "incident_id": record["incident_id"],
        "operate_type": record["operate_type"],
        "operator_type": record["operator_type"],
        "operator_id": record["operator_id"],
        "operator_name": record["operator_name"],
        "operate_desc": record["operate_desc"],
        "operate_time": utc(record["operate_time"]),
        "timestamp_operate_time": utc(record["operate_time"]),
    }
