"""OSM's state: cases, their messages and operate-logs, and uploaded accessories.

Every method checks everything before it changes anything, so a refused call leaves no trace.
Cases and accessories belong to the caller's domain (the vendor's "customer"); other domains'
records do not exist for a caller.
"""

import base64
import binascii
import calendar
import re
import time
from itertools import islice
from typing import Any

from mockserver.clock import Clock
from mockserver.huawei.identity import Principal
from mockserver.ids import Ids
from mockserver.osm import lifecycle
from mockserver.osm.catalog import BusinessType, Catalog
from mockserver.osm.errors import (
    AccessoryNotFound,
    CannotCreateCases,
    CaseNotFound,
    DailyUploadLimit,
    InvalidParameter,
    NotAllowedNow,
    PressedTooOften,
    UnknownSeverity,
)
from mockserver.progression import Progressions
from mockserver.store import Record, Store, index_key

MB = 1024 * 1024
PRESS_INTERVAL_S = 30 * 60  # [mock] a case may be pressed (chased) once per 30 minutes
ACCESS_URL_LIFETIME_S = 10 * 60  # [mock]
DEFAULT_ENGINEER = {"id": "osm-engineer-0001", "name": "Huawei Cloud support engineer"}
AUTO_REPLY = (
    "Hello, this is Huawei Cloud technical support. We have received your message and are "
    "looking into it; we will update this case as soon as we know more."
)
ACCESSORY_FROM = ("incident", "message")


def utc(epoch: float) -> str:
    """The vendor's time format, e.g. 2020-12-25T09:24:18Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def utc_day(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def zone_offset(value: str | None) -> int:
    """Seconds east of UTC of an X-Time-Zone such as GMT+8 or GMT-05:30 (absent: GMT+8)."""
    text = "GMT+8" if value is None else value.strip()
    match = re.fullmatch(r"(?:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?", text)
    if match is None or int(match[2] or 0) > 14 or int(match[3] or 0) > 59:
        raise InvalidParameter(f"X-Time-Zone {value!r} is not a zone such as GMT+8 or GMT-05:30")
    seconds = int(match[2] or 0) * 3600 + int(match[3] or 0) * 60
    return -seconds if match[1] == "-" else seconds


def parse_time(value: str, name: str, offset_s: int) -> float:
    """A list filter's time: `yyyy-MM-dd HH:mm:ss` in the caller's zone, ISO 8601 with Z, or
    epoch milliseconds."""
    text = value.strip()
    if text.isdigit():
        return int(text) / 1000
    layouts = (("%Y-%m-%dT%H:%M:%SZ", 0), ("%Y-%m-%d %H:%M:%S", offset_s), ("%Y-%m-%d", offset_s))
    for layout, offset in layouts:
        try:
            return float(calendar.timegm(time.strptime(text, layout)) - offset)
        except ValueError:
            continue
    raise InvalidParameter(
        f"{name} {value!r} is not a time: use yyyy-MM-dd HH:mm:ss (in X-Time-Zone), "
        "yyyy-MM-ddTHH:mm:ssZ or epoch milliseconds"
    )


def judgement(body: dict[str, Any]) -> str:
    """The SDK spells it `judgement`, the current API pages `judgment`; both are taken."""
    return body.get("judgement") or body.get("judgment") or ""


class OsmBackend:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        ids: Ids,
        catalog: Catalog,
        *,
        engineer: dict[str, str] | None = None,
        privileges: dict[str, list[str]] | None = None,
        privilege_policy: bool = False,
        progression: Progressions | None = None,
        daily_case_quota: int | None = None,
    ) -> None:
        self.cases = store.table("osm.cases")
        self.messages = store.table("osm.messages")
        self.logs = store.table("osm.operate_logs")
        self.accessories = store.table("osm.accessories")
        self.counters = store.table("osm.daily_counters")
        self.access_urls = store.table("osm.access_urls")
        self.privileges = store.table("osm.privileges")
        self.clock = clock
        self.ids = ids
        self.catalog = catalog
        self.daily_case_quota = (
            catalog.data["daily_case_quota"] if daily_case_quota is None else daily_case_quota
        )
        self.engineer = engineer or DEFAULT_ENGINEER
        self.privilege_policy = privilege_policy
        self.progression = progression or Progressions()
        self.engineer_polls = store.table("osm.engineer_polls")
        # A domain's cases newest first (the list's order): by status, and those listed when
        # no status is asked for (all but the deleted ones).
        self.cases.add_index("status", _domain_and_status, order=_newest, descending=True)
        self.cases.add_index("listed", _domain_and_listed, order=_newest, descending=True)
        # The cases whose next move is the engineer's, for the automatic answers.
        self.cases.add_index("with_engineer", _with_engineer)
        # Messages and operate-logs stay with their case.
        self.messages.add_index("incident_id", _case_of, fixed=True)
        self.logs.add_index("incident_id", _case_of, fixed=True)
        for domain_id, names in (privileges or {}).items():
            self.privileges.put(domain_id, {"domain_id": domain_id, "privileges": sorted(names)})

    # -- accessories ------------------------------------------------------------------------

    def upload_accessory(
        self, caller: Principal, name: str, origin: str, upload_type: int, content: bytes
    ) -> Record:
        limits = self.catalog.accessory_limits
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        if not name.strip():
            raise InvalidParameter("accessory_name must not be blank")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidParameter("accessory_name holds a lone surrogate") from error
        if extension not in limits["file_types"]:
            raise InvalidParameter(
                f"accessory type {extension or '(none)'!r} is not allowed; allowed: "
                + ", ".join(limits["file_types"])
            )
        if origin not in ACCESSORY_FROM:
            raise InvalidParameter("accessory_from must be incident or message")
        if not content:
            raise InvalidParameter("the accessory is empty")
        if len(content) > limits["limit_size_mb"] * MB:
            raise InvalidParameter(
                f"the accessory has {len(content)} bytes; at most {limits['limit_size_mb']} MB"
            )
        now = self.clock.now()
        usage_key = f"upload:{caller.user_id}:{utc_day(now)}"
        used = (self.counters.get(usage_key) or {"count": 0})["count"]
        if used + len(content) > limits["daily_size_mb"] * MB:
            raise DailyUploadLimit(
                f"uploads of this user today would exceed {limits['daily_size_mb']} MB "
                f"({used} bytes used)"
            )
        record = {
            "accessory_id": self.ids.hex32(),
            "domain_id": caller.domain_id,
            "user_id": caller.user_id,
            "accessory_name": name,
            "accessory_from": origin,
            "upload_type": upload_type,
            "size": len(content),
            "data": base64.b64encode(content).decode("ascii"),
            "create_time": now,
            "incident_id": None,
            "message_id": None,
        }
        self.counters.put(usage_key, {"count": used + len(content)})
        self.accessories.put(record["accessory_id"], record)
        return record

    @staticmethod
    def decode_base64(data: str) -> bytes:
        try:
            return base64.b64decode(data.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError) as error:
            raise InvalidParameter(f"accessory_data is not valid base64: {error}") from error

    def accessory(self, caller: Principal, accessory_id: str) -> Record:
        record = self.accessories.get(accessory_id)
        if record is None or record["domain_id"] != caller.domain_id:
            raise AccessoryNotFound(f"accessory {accessory_id} does not exist")
        return record

    def accessory_content(self, record: Record) -> bytes:
        return base64.b64decode(record["data"])

    def delete_accessory(self, caller: Principal, accessory_id: str) -> None:
        record = self.accessory(caller, accessory_id)
        if record["incident_id"]:
            raise NotAllowedNow(
                f"accessory {accessory_id} belongs to case {record['incident_id']} and stays"
            )
        self.accessories.delete(accessory_id)

    def access_url(self, caller: Principal, accessory_id: str) -> str:
        """A key for the accessory's unauthenticated download link, valid for 10 minutes."""
        self.accessory(caller, accessory_id)
        key = self.ids.hex32()
        expires = self.clock.now() + ACCESS_URL_LIFETIME_S
        self.access_urls.put(key, {"accessory_id": accessory_id, "expires_at": expires})
        return key

    def by_access_key(self, key: str) -> Record | None:
        entry = self.access_urls.get(key)
        if entry is None or self.clock.now() >= entry["expires_at"]:
            return None
        return self.accessories.get(entry["accessory_id"])

    def _attachable(self, caller: Principal, accessory_ids: list[str], field: str) -> list[Record]:
        limit = self.catalog.accessory_limits["limit_count"]
        if len(accessory_ids) > limit:
            raise InvalidParameter(f"{field} has {len(accessory_ids)} ids; at most {limit}")
        if len(set(accessory_ids)) != len(accessory_ids):
            raise InvalidParameter(f"{field} names an accessory twice")
        records = [self.accessory(caller, accessory_id) for accessory_id in accessory_ids]
        for record in records:
            if record["incident_id"]:
                raise InvalidParameter(
                    f"accessory {record['accessory_id']} is already attached to case "
                    f"{record['incident_id']}"
                )
        return records

    # -- cases ------------------------------------------------------------------------------

    def _business_type(self, business_type_id: str) -> BusinessType:
        business_type = self.catalog.business_types.get(business_type_id)
        if business_type is None:
            raise InvalidParameter(
                f"business_type_id {business_type_id} is not a problem type of the catalog "
                "(GET /v2/servicerequest/config/problems)"
            )
        return business_type

    def create_case(self, caller: Principal, body: dict[str, Any]) -> Record:
        catalog = self.catalog
        business_type = self._business_type(body["business_type_id"])
        category_id = body.get("product_category_id") or business_type.product_category_id
        if category_id != business_type.product_category_id:
            raise InvalidParameter(
                f"business type {business_type.id} does not belong to product category "
                f"{category_id}"
            )
        sub_type_id = body.get("incident_sub_type_id")
        if sub_type_id and category_id not in catalog.sub_types.get(sub_type_id, {}).get(
            "product_categories", ()
        ):
            raise InvalidParameter(
                f"incident_sub_type_id {sub_type_id} does not hold product category {category_id}"
            )
        if body["source_id"] != catalog.source["id"]:
            raise InvalidParameter(f"source_id must be {catalog.source['id']}")
        region_id = body.get("region_id")
        if region_id and region_id not in catalog.regions:
            raise InvalidParameter(f"region_id {region_id} is not a region of the catalog")
        if business_type.case_type == "5" and not region_id:
            raise InvalidParameter(f"a fault case ({business_type.name}) needs a region_id")
        severity_id = body.get("severity_id")
        if severity_id and severity_id not in business_type.severities:
            raise UnknownSeverity(
                f"severity_id {severity_id} is not a severity of business type {business_type.id}"
            )
        extends = dict(body.get("extends_map") or {})
        missing = [
            k for k in catalog.required_extends(business_type) if extends.get(k) in (None, "")
        ]
        if missing:
            raise InvalidParameter(
                "extends_map lacks the required parameters " + ", ".join(missing)
            )
        accessories = self._attachable(caller, body.get("accessory_ids") or [], "accessory_ids")
        now = self.clock.now()
        quota_key = f"cases:{caller.domain_id}:{utc_day(now)}"
        created_today = (self.counters.get(quota_key) or {"count": 0})["count"]
        if created_today >= self.daily_case_quota:
            raise CannotCreateCases(f"the daily quota of {self.daily_case_quota} cases is used up")

        case_id = self._case_id(now)
        record = {
            "incident_id": case_id,
            "domain_id": caller.domain_id,
            "user_id": caller.user_id,
            "user_name": caller.user_name,
            "status": lifecycle.TO_BE_PROCESSED,
            "create_time": now,
            "business_type_id": business_type.id,
            "product_category_id": category_id,
            "incident_sub_type_id": sub_type_id or "",
            "region_id": region_id or "",
            "severity_id": severity_id or "",
            "simple_description": body["simple_description"],
            "source_id": body["source_id"],
            "project_id": body.get("project_id") or "",
            "remind_mobile": body.get("remind_mobile") or "",
            "remind_mail": body.get("remind_mail") or "",
            "remind_time": body.get("remind_time") or "0",
            "area_code": body.get("area_code") or "",
            "extends_map": extends,
            "extension_map": dict(body.get("extension_map") or {}),
            "judgement": "",
            "satisfaction": [],
            "root_cause": "",
            "resolution": "",
            "confirmed_time": None,
            "resolved_time": None,
            "pressed_at": None,
        }
        self.counters.put(quota_key, {"count": created_today + 1})
        self.cases.put(case_id, record)
        self._add_message(
            record, lifecycle.CUSTOMER, caller, body["simple_description"], accessories, first=True
        )
        self._log(record, "create", lifecycle.CUSTOMER, caller, "Created the case")
        return record

    def _case_id(self, now: float) -> str:
        """CS, the UTC creation time as yyMMddHHmmss and four digits [mock]."""
        stamp = time.strftime("%y%m%d%H%M%S", time.gmtime(now))
        while True:
            case_id = f"CS{stamp}{self.ids.uuid().int % 10_000:04d}"
            if self.cases.get(case_id) is None:
                return case_id

    def case(self, caller: Principal, case_id: str) -> Record:
        record = self.cases.get(case_id)
        if record is None or record["domain_id"] != caller.domain_id:
            raise CaseNotFound(f"case {case_id} does not exist")
        return record

    def list_cases(
        self,
        caller: Principal,
        filters: dict[str, Any],
        offset: int,
        limit: int,
        time_zone: str | None = None,
    ) -> tuple[list[Record], int]:
        start = filters.get("query_start_time")
        end = filters.get("query_end_time")
        offset_s = zone_offset(time_zone) if start or end else 0
        start_at = parse_time(start, "query_start_time", offset_s) if start else None
        end_at = parse_time(end, "query_end_time", offset_s) if end else None
        if end_at is not None and len(end.strip()) == len("yyyy-MM-dd"):
            end_at += 86_400 - 0.001  # a day as the end takes in the whole day
        statuses = self._status_filter(filters)
        keys = [k.lower() for k in filters.get("search_key") or [] if k]
        labels = [label for label in filters.get("label_id_list") or [] if label]

        def matches(case: Record) -> bool:
            text = f"{case['incident_id']} {case['simple_description']}".lower()
            return (
                case["domain_id"] == caller.domain_id
                and (not keys or any(k in text for k in keys))
                and not labels  # the mock's cases carry no labels
                and filters.get("incident_id", "") in case["incident_id"]
                and (start_at is None or case["create_time"] >= start_at)
                and (end_at is None or case["create_time"] <= end_at)
                and (
                    case["status"] in statuses
                    if statuses is not None
                    else case["status"] != lifecycle.DELETED
                )
                and filters.get("x_customer_id") in (None, "", case["user_id"])
                and (filters.get("x_customer_name") or "").lower() in case["user_name"].lower()
            )

        domain = caller.domain_id
        if statuses is None:
            index, values = "listed", [(domain, True)]
        else:
            index, values = "status", [(domain, status) for status in statuses]
        # Newest first already; with no filter but the status, the index holds just the matches.
        only_status = not (
            keys
            or labels
            or filters.get("incident_id")
            or start_at is not None
            or end_at is not None
            or filters.get("x_customer_id")
            or filters.get("x_customer_name")
        )
        found = self.cases.lookup(index, *values)
        if only_status:
            return list(islice(found, offset, offset + limit)), self.cases.count(index, *values)
        matching = [case for case in found if matches(case)]
        return matching[offset : offset + limit], len(matching)

    @staticmethod
    def _status_filter(filters: dict[str, Any]) -> set[int] | None:
        statuses: set[int] | None = None
        if filters.get("status") is not None:
            statuses = {filters["status"]}
        if filters.get("incident_status"):
            wanted = set()
            for part in filters["incident_status"].split(","):
                if not part.strip().isdigit():
                    raise InvalidParameter(
                        f"incident_status {filters['incident_status']!r} must be status codes "
                        "separated by commas, e.g. 0,1,17"
                    )
                wanted.add(int(part))
            statuses = wanted if statuses is None else statuses & wanted
        return statuses

    def counts(self, caller: Principal, status: int | None) -> list[dict[str, int]]:
        wanted = lifecycle.CASE_STATUSES if status is None else (status,)
        return [
            {"status": s, "count": self.cases.count("status", (caller.domain_id, s))}
            for s in wanted
        ]

    # -- the customer's actions -------------------------------------------------------------

    def act(self, caller: Principal, case_id: str, action: str, body: dict[str, Any]) -> None:
        record = self.case(caller, case_id)
        allowed, target = lifecycle.CUSTOMER_ACTIONS[action]
        self._require(record, allowed, action)
        now = self.clock.now()
        if action == "press":
            pressed = record["pressed_at"]
            if pressed is not None and now - pressed < PRESS_INTERVAL_S:
                wait = int(PRESS_INTERVAL_S - (now - pressed))
                raise PressedTooOften(
                    f"case {case_id} was pressed less than 30 minutes ago; wait {wait} s"
                )
        score = None
        if action == "close" and body.get("incident_satisfaction_list"):
            score = self._score(body["incident_satisfaction_list"])
        description = body.get("operate_desc") or ""
        if action == "press":
            record["pressed_at"] = now
        if target is not None:
            record["status"] = target
        if action == "close":
            record["confirmed_time"] = now
            if judgement(body):
                record["judgement"] = judgement(body)
            if score is not None:
                record["satisfaction"] = score
        self.cases.put(case_id, record)
        self._log(record, action, lifecycle.CUSTOMER, caller, description or action.capitalize())

    def add_message(
        self, caller: Principal, case_id: str, content: str, accessory_ids: list[str]
    ) -> Record:
        record = self.case(caller, case_id)
        self._require(record, lifecycle.OPEN, "message")
        if not content.strip():
            raise InvalidParameter("message.content must not be blank")
        accessories = self._attachable(caller, accessory_ids, "message.accessory_ids")
        record["status"] = lifecycle.MESSAGE_MOVES.get(record["status"], record["status"])
        self.cases.put(case_id, record)
        message = self._add_message(record, lifecycle.CUSTOMER, caller, content, accessories)
        self._log(record, "message", lifecycle.CUSTOMER, caller, "Added a message")
        return message

    def messages_of(self, caller: Principal, case_id: str) -> list[Record]:
        self.case(caller, case_id)
        return self.conversation(case_id)

    def conversation(self, case_id: str) -> list[Record]:
        """A case's messages, oldest first."""
        return list(self.messages.lookup("incident_id", case_id))

    def logs_of(self, caller: Principal, case_id: str) -> list[Record]:
        self.case(caller, case_id)
        return list(self.logs.lookup("incident_id", case_id))

    def score(self, caller: Principal, case_id: str, body: dict[str, Any]) -> None:
        record = self.case(caller, case_id)
        self._require(record, lifecycle.SCORABLE, "score")
        if record["satisfaction"]:
            raise NotAllowedNow(f"case {case_id} has been rated already")
        satisfaction = self._score(body["incident_satisfaction_list"])
        record["satisfaction"] = satisfaction
        record["judgement"] = judgement(body)
        self.cases.put(case_id, record)
        self._log(record, "score", lifecycle.CUSTOMER, caller, "Rated the service")

    def _score(self, items: list[dict[str, Any]]) -> list[Record]:
        if not items:
            raise InvalidParameter("incident_satisfaction_list must rate at least one dimension")
        scored = []
        seen = set()
        for item in items:
            dimension = self.catalog.satisfaction.get(item["satisfaction_id"])
            if dimension is None:
                raise InvalidParameter(
                    f"satisfaction_id {item['satisfaction_id']} is not a dimension of "
                    "GET /v2/servicerequest/config/satisfaction-dimensions"
                )
            if item["satisfaction_id"] in seen:
                raise InvalidParameter(f"satisfaction_id {item['satisfaction_id']} is rated twice")
            seen.add(item["satisfaction_id"])
            value = item["satisfaction_value"]
            if not 1 <= value <= dimension["per_value"]:
                raise InvalidParameter(
                    f"satisfaction_value {value} of dimension {item['satisfaction_id']} must be "
                    f"from 1 to {dimension['per_value']}"
                )
            scored.append(
                {
                    "satisfaction_id": dimension["satisfaction_id"],
                    "satisfaction_name": dimension["satisfaction_name"],
                    "satisfaction_value": value,
                    "value": value,
                    "per_value": dimension["per_value"],
                    "sat_category_id": dimension["sat_category_id"],
                    "sat_category_name": "",
                }
            )
        return scored

    def update_contact(self, caller: Principal, case_id: str, body: dict[str, Any]) -> None:
        record = self.case(caller, case_id)
        self._require(record, lifecycle.OPEN, "contact-info")
        for field in ("area_code", "remind_mobile", "remind_mail", "remind_time"):
            if body.get(field) is not None:
                record[field] = body[field]
        if body.get("extension_map") is not None:
            record["extension_map"] = {**record["extension_map"], **body["extension_map"]}
        self.cases.put(case_id, record)
        self._log(record, "contact_info", lifecycle.CUSTOMER, caller, "Changed the contact")

    def put_extends(self, caller: Principal, case_id: str, body: dict[str, Any]) -> None:
        record = self.case(caller, case_id)
        self._require(record, lifecycle.OPEN, "extends-param")
        message_id = body.get("message_id")
        if message_id:
            message = self.messages.get(message_id)
            if message is None or message["incident_id"] != case_id:
                raise InvalidParameter(f"message {message_id} is not a message of case {case_id}")
        record["extends_map"] = {**record["extends_map"], **(body.get("extends_map") or {})}
        self.cases.put(case_id, record)
        self._log(record, "extends_param", lifecycle.CUSTOMER, caller, "Added parameters")

    # -- the engineer's side ----------------------------------------------------------------

    def engineer_act(
        self, case_id: str, action: str, content: str, at: float | None = None
    ) -> Record:
        """What the admin API lets a test or a developer do as the support engineer."""
        record = self.cases.get(case_id)
        if record is None:
            raise CaseNotFound(f"case {case_id} does not exist")
        allowed, target = lifecycle.ENGINEER_ACTIONS[action]
        self._require(record, allowed, action)
        if action == "reply" and not content.strip():
            raise InvalidParameter("a reply needs content")
        now = self.clock.now() if at is None else at
        if action == "reply" and record["status"] == lifecycle.TO_BE_PROCESSED:
            target = lifecycle.PROCESSING
        if target is not None:
            record["status"] = target
        if action == "solve":
            record["resolution"] = content
            record["resolved_time"] = now
        self.cases.put(case_id, record)
        engineer = Principal("", self.engineer["id"], self.engineer["name"], None, "engineer")
        if content.strip():
            self._add_message(record, lifecycle.ENGINEER, engineer, content, [], at=now)
        self._log(record, action, lifecycle.ENGINEER, engineer, action.replace("_", " "), at=now)
        return record

    def catch_up(self) -> None:
        """The engineer's automatic answers that are due: a case whose last message is the
        customer's, waiting on the engineer (status 0 or 1), gets a reply when the world's
        osm_engineer progression says (at once, after N looks at OSM, or after N seconds)."""
        progression = self.progression.osm_engineer
        if progression.mode == "manual":
            return
        now = self.clock.now()
        for case in list(self.cases.lookup("with_engineer", True)):
            case_id = case["incident_id"]
            conversation = self.conversation(case_id)
            if not conversation or conversation[-1]["type"] != lifecycle.CUSTOMER:
                continue
            message = conversation[-1]
            if progression.mode == "polls":
                seen = self.engineer_polls.get(case_id)
                if seen is None or seen["message_id"] != message["message_id"]:
                    seen = {"incident_id": case_id, "message_id": message["message_id"], "polls": 0}
                if seen["polls"] < progression.value:
                    seen["polls"] += 1
                    self.engineer_polls.put(case_id, seen)
                    continue
                due = now
            else:
                due = message["create_time"] + progression.value
            if due <= now:
                self.engineer_act(case_id, "reply", AUTO_REPLY, at=due)

    def case_quota(self, caller: Principal) -> tuple[int, int]:
        """The domain's daily case quota and how much of it is used today."""
        key = f"cases:{caller.domain_id}:{utc_day(self.clock.now())}"
        return self.daily_case_quota, (self.counters.get(key) or {"count": 0})["count"]

    # -- privileges -------------------------------------------------------------------------

    def has_privilege(self, caller: Principal, privilege: str) -> bool:
        entry = self.privileges.get(caller.domain_id) or {"privileges": []}
        return privilege in entry["privileges"]

    def change_privilege(self, caller: Principal, operation: str, privilege: str) -> None:
        entry = self.privileges.get(caller.domain_id) or {
            "domain_id": caller.domain_id,
            "privileges": [],
        }
        names = set(entry["privileges"])
        if operation == "create":
            names.add(privilege)
        else:
            names.discard(privilege)
        self.privileges.put(caller.domain_id, {**entry, "privileges": sorted(names)})

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _require(record: Record, allowed: frozenset[int], action: str) -> None:
        if record["status"] not in allowed:
            raise NotAllowedNow(
                f"{action} is not allowed while case {record['incident_id']} is "
                f"{lifecycle.describe(record['status'])}"
            )

    def _add_message(
        self,
        case: Record,
        kind: int,
        who: Principal,
        content: str,
        accessories: list[Record],
        first: bool = False,
        at: float | None = None,
    ) -> Record:
        message = {
            "message_id": self.ids.hex32(),
            "incident_id": case["incident_id"],
            "type": kind,
            "replier": who.user_id,
            "replier_name": who.user_name,
            "content": content,
            "create_time": self.clock.now() if at is None else at,
            "is_first_message": 1 if first else 0,
            "accessory_ids": [a["accessory_id"] for a in accessories],
        }
        for accessory in accessories:
            accessory["incident_id"] = case["incident_id"]
            accessory["message_id"] = message["message_id"]
            self.accessories.put(accessory["accessory_id"], accessory)
        self.messages.put(message["message_id"], message)
        return message

    def _log(
        self,
        case: Record,
        action: str,
        operator: int,
        who: Principal,
        text: str,
        at: float | None = None,
    ) -> None:
        log = {
            "incident_log_id": self.ids.hex32(),
            "incident_id": case["incident_id"],
            "operate_type": lifecycle.OPERATE_TYPES[action],
            "operator_type": operator,
            "operator_id": who.user_id,
            "operator_name": who.user_name,
            "operate_desc": text,
            "operate_time": self.clock.now() if at is None else at,
        }
        self.logs.put(log["incident_log_id"], log)


# -- the indexes ------------------------------------------------------------------------------


def _domain_and_status(case: Record) -> tuple | None:
    domain, status = index_key(case.get("domain_id")), index_key(case.get("status"))
    return None if domain is None else (domain, status)


def _domain_and_listed(case: Record) -> tuple | None:
    domain = index_key(case.get("domain_id"))
    return None if domain is None else (domain, case.get("status") != lifecycle.DELETED)


def _newest(case: Record) -> tuple:
    """The list's order, descending; a case whose time or id is malformed (only in a hand-made
    state) goes last."""
    created, case_id = case.get("create_time"), case.get("incident_id")
    if isinstance(created, int | float) and isinstance(case_id, str):
        return (1, created, case_id)
    return (0, 0, "")


def _with_engineer(case: Record) -> bool | None:
    return True if case.get("status") in (lifecycle.TO_BE_PROCESSED, lifecycle.PROCESSING) else None


def _case_of(record: Record) -> Any:
    return index_key(record.get("incident_id"))
