"""The catalog behind OSM's config look-ups, read from fixtures/osm/<name>.yaml.

Every look-up and every check of a new case reads this one tree, so what a UI's cascading
selects offer is exactly what case creation accepts.
"""

from dataclasses import dataclass
from typing import Any

import yaml

from mockserver.resources import fixtures_dir


def load(name: str = "catalog") -> "Catalog":
    path = fixtures_dir() / "osm" / f"{name}.yaml"
    return Catalog(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class BusinessType:
    id: str
    name: str
    case_type: str
    can_use_support_plan: bool
    severities: tuple[str, ...]
    templates: tuple[str, ...]
    extends_params: tuple[str, ...]
    product_category_id: str


class Catalog:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.source = data["source"]
        self.categories = {c["id"]: c for c in data["product_categories"]}
        self.sub_types = {s["id"]: s for s in data["sub_types"]}
        self.business_types: dict[str, BusinessType] = {}
        for category in data["product_categories"]:
            for item in category["business_types"]:
                self.business_types[item["id"]] = BusinessType(
                    id=item["id"],
                    name=item["name"],
                    case_type=item["case_type"],
                    can_use_support_plan=item["can_use_support_plan"],
                    severities=tuple(item["severities"]),
                    templates=tuple(item["templates"]),
                    extends_params=tuple(item["extends_params"]),
                    product_category_id=category["id"],
                )
        self.regions = {r["region_id"]: r for r in data["regions"]}
        self.satisfaction = {d["satisfaction_id"]: d for d in data["satisfaction_dimensions"]}
        self.accessory_limits = data["accessory_limits"]

    # -- look-ups, in the vendor's field names ---------------------------------------------

    def product_category(self, category: dict[str, Any]) -> dict[str, Any]:
        return {
            "incident_product_category_id": category["id"],
            "incident_product_category_name": category["name"],
            "incident_product_category_desc": category["desc"],
            "incident_product_category_acronym": category["acronym"],
            "can_use_support_plan": category["can_use_support_plan"],
        }

    def sub_type_list(self) -> list[dict[str, Any]]:
        return [
            {
                "incident_sub_type_id": sub["id"],
                "incident_sub_type_name": sub["name"],
                "incident_product_category_list": [
                    self.product_category(self.categories[c]) for c in sub["product_categories"]
                ],
            }
            for sub in self.data["sub_types"]
        ]

    def product_category_list(self, name: str | None) -> list[dict[str, Any]]:
        wanted = (name or "").lower()
        return [
            self.product_category(c)
            for c in self.data["product_categories"]
            if wanted in c["name"].lower() or wanted == c["acronym"].lower()
        ]

    def business_type_list(self, product_category_id: str | None) -> list[dict[str, Any]]:
        return [
            {
                "business_type_id": b.id,
                "business_type_name": b.name,
                "case_type": b.case_type,
                "can_use_support_plan": b.can_use_support_plan,
            }
            for b in self.business_types.values()
            if product_category_id in (None, b.product_category_id)
        ]

    def severity_list(self, business_type: BusinessType) -> list[dict[str, Any]]:
        return [
            {"severity_id": s, "severity_name": self.data["severities"][s], "language": "en-us"}
            for s in business_type.severities
        ]

    def template_list(self, business_type: BusinessType) -> list[dict[str, Any]]:
        templates = [self.data["templates"][t] for t in business_type.templates]
        return [
            {
                "incident_template_id": t["id"],
                "incident_template_name": t["name"],
                "incident_template_content": t["content"],
            }
            for t in templates
        ]

    def extends_param_list(self, business_type: BusinessType) -> list[dict[str, Any]]:
        params = []
        for key in business_type.extends_params:
            spec = self.data["extends_params"][key]
            params.append(
                {
                    "param_key": key,
                    "param_name": spec["param_name"],
                    "param_type": spec["param_type"],
                    "param_desc": spec["param_desc"],
                    "required": spec["required"],
                    "length": spec["length"],
                    "tips": spec["tips"],
                    "select_item": spec["select_item"],
                    "default_value": "",
                    "language": "en-us",
                    "is_show": 1,
                    "is_sensitive": 0,
                }
            )
        return params

    def required_extends(self, business_type: BusinessType) -> list[str]:
        return [
            key
            for key in business_type.extends_params
            if self.data["extends_params"][key]["required"]
        ]

    def region_list(self) -> list[dict[str, Any]]:
        return list(self.data["regions"])

    def area_code_list(self) -> list[dict[str, Any]]:
        return list(self.data["area_codes"])

    def satisfaction_list(self) -> list[dict[str, Any]]:
        return [{"value": 0, **d} for d in self.data["satisfaction_dimensions"]]

    def severity_name(self, severity_id: str | None) -> str:
        return self.data["severities"].get(severity_id, "") if severity_id else ""
