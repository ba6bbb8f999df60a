"""ZStack's query grammar over inventories: conditions, paging, counting, sorting, fields."""

from datetime import UTC, datetime

import pytest

from mockserver.zstack.errors import InvalidArgument
from mockserver.zstack.query import Query, parse_condition


def epoch_ms(*moment: int) -> int:
    return int(datetime(*moment, tzinfo=UTC).timestamp() * 1000)


NOV_23_9AM = epoch_ms(2026, 11, 23, 9, 0, 0)

TICKETS = [
    {
        "uuid": "t1",
        "name": "web-server",
        "status": "Pending",
        "sequence": 3,
        "description": "alpha",
        "comment": None,
        "createDate": NOV_23_9AM - 60_000,
        "accountSystemContext": {"projectUuid": "p1", "virtualIDUuid": "v1"},
    },
    {
        "uuid": "t2",
        "name": "db_server",
        "status": "Rejected",
        "sequence": 10,
        "description": "beta",
        "comment": "too big",
        "createDate": NOV_23_9AM,
        "accountSystemContext": {"projectUuid": "p2", "virtualIDUuid": "v1"},
    },
    {
        "uuid": "t3",
        "name": "web-cache",
        "status": "FinalApproved",
        "sequence": 7,
        "createDate": NOV_23_9AM + 60_000,
        "accountSystemContext": {"projectUuid": "p1", "virtualIDUuid": "v2"},
    },
]

COLLECTIONS = [
    {"uuid": "c1", "isDefault": True, "flows": [{"approverUuid": "a1"}, {"approverUuid": "a2"}]},
    {"uuid": "c2", "isDefault": False, "flows": [{"approverUuid": "a2"}]},
    {"uuid": "c3", "isDefault": False, "flows": []},
]


def found(*conditions: str, inventories=TICKETS, **params) -> list[str]:
    """The uuids a query with these conditions and parameters answers, in order."""
    page, _ = Query.from_params(q=list(conditions), **params).run(inventories)
    return [inventory["uuid"] for inventory in page]


def total(*conditions: str, **params) -> int:
    _, count = Query.from_params(q=list(conditions), **params).run(TICKETS)
    return count


# -- operators --------------------------------------------------------------------------------


def test_without_conditions_every_inventory_matches():
    assert found() == ["t1", "t2", "t3"]


def test_equals_matches_the_exact_value():
    assert found("name=web-server") == ["t1"]


def test_equals_does_not_match_a_prefix():
    assert found("name=web") == []


def test_not_equals_matches_every_other_value():
    assert found("status!=Pending") == ["t2", "t3"]


def test_greater_than_compares_numbers_as_numbers():
    assert found("sequence>7") == ["t2"]


def test_less_than_compares_numbers_as_numbers():
    assert found("sequence<7") == ["t1"]


def test_greater_or_equal_includes_the_bound():
    assert found("sequence>=7") == ["t2", "t3"]


def test_less_or_equal_includes_the_bound():
    assert found("sequence<=7") == ["t1", "t3"]


def test_in_matches_any_of_the_listed_values():
    assert found("status?=Pending,Rejected") == ["t1", "t2"]


def test_not_in_matches_none_of_the_listed_values():
    assert found("status!?=Pending,Rejected") == ["t3"]


def test_like_with_percent_matches_any_run_of_characters():
    assert found("name~=web%") == ["t1", "t3"]


def test_like_with_underscore_matches_exactly_one_character():
    assert found("name~=web_cache") == ["t3"]
    assert found("name~=web_") == []


def test_like_must_match_the_whole_value():
    assert found("name~=server") == []
    assert found("name~=%server") == ["t1", "t2"]


def test_like_treats_regex_characters_literally():
    assert found("name~=web.server") == []
    assert found("name~=db_server") == ["t2"]


def test_not_like_matches_what_like_does_not():
    assert found("name!~=web%") == ["t2"]


def test_is_null_matches_null_and_missing_fields():
    assert found("comment is null") == ["t1", "t3"]


def test_not_null_matches_fields_with_a_value():
    assert found("comment not null") == ["t2"]


def test_conditions_combine_with_and():
    assert found("name~=web%", "status=Pending") == ["t1"]


def test_a_condition_without_an_operator_is_invalid():
    with pytest.raises(InvalidArgument):
        parse_condition("nameweb-server")


def test_a_condition_without_a_field_is_invalid():
    with pytest.raises(InvalidArgument):
        parse_condition("=web-server")


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("status!=Pending", "!=", "Pending"),
        ("sequence>=7", ">=", "7"),
        ("sequence<=7", "<=", "7"),
        ("status!?=a,b", "!?=", "a,b"),
        ("name!~=web%", "!~=", "web%"),
        ("name~=web%", "~=", "web%"),
        ("status?=a,b", "?=", "a,b"),
        ("sequence>7", ">", "7"),
        ("sequence<7", "<", "7"),
        ("name=a=b", "=", "a=b"),
    ],
)
def test_each_operator_is_read_whole(text, op, value):
    condition = parse_condition(text)

    assert (condition.op, condition.value) == (op, value)


# -- nested fields, booleans, dates -----------------------------------------------------------


def test_a_dotted_field_reaches_into_a_nested_object():
    assert found("accountSystemContext.projectUuid=p1") == ["t1", "t3"]


def test_a_dotted_field_through_a_list_matches_any_element():
    assert found("flows.approverUuid=a2", inventories=COLLECTIONS) == ["c1", "c2"]
    assert found("flows.approverUuid=a1", inventories=COLLECTIONS) == ["c1"]


def test_a_dotted_field_through_an_empty_list_is_null():
    assert found("flows.approverUuid is null", inventories=COLLECTIONS) == ["c3"]


def test_not_equals_through_a_list_excludes_any_matching_element():
    matches = found("flows.approverUuid!=a1", inventories=COLLECTIONS)

    assert "c1" not in matches
    assert "c2" in matches


@pytest.mark.parametrize(("text", "expected"), [("true", ["c1"]), ("false", ["c2", "c3"])])
def test_booleans_compare_with_true_and_false(text, expected):
    assert found(f"isDefault={text}", inventories=COLLECTIONS) == expected


def test_a_boolean_is_not_equal_to_other_words():
    assert found("isDefault=yes", inventories=COLLECTIONS) == []


def test_dates_compare_with_epoch_milliseconds():
    assert found(f"createDate>{NOV_23_9AM}") == ["t3"]
    assert found(f"createDate={NOV_23_9AM}") == ["t2"]


def test_dates_compare_with_zstacks_date_format():
    assert found("createDate<Nov 23, 2026 9:00:00 AM") == ["t1"]
    assert found("createDate>=Nov 23, 2026 9:00:00 AM") == ["t2", "t3"]
    assert found("createDate=Nov 23, 2026 9:00:00 AM") == ["t2"]


def test_dates_in_the_afternoon_use_pm():
    assert found("createDate>Nov 23, 2026 9:00:00 PM") == []


def test_dates_compare_with_iso_like_strings():
    assert found("createDate<=2026-11-23 09:00:00") == ["t1", "t2"]


def test_an_unreadable_date_matches_nothing():
    assert found("createDate>yesterday") == []


# -- paging and counting ----------------------------------------------------------------------


def test_limit_caps_the_page():
    assert found(limit=2) == ["t1", "t2"]


def test_start_skips_into_the_results():
    assert found(start=1, limit=1) == ["t2"]


def test_a_start_past_the_end_gives_an_empty_page():
    assert found(start=5) == []


def test_the_total_counts_every_match_not_just_the_page():
    assert total("name~=web%", limit=1) == 2


def test_count_and_reply_with_count_are_read_as_flags():
    query = Query.from_params(count=True, replyWithCount=True)

    assert (query.count, query.reply_with_count) == (True, True)
    assert (Query.from_params().count, Query.from_params().reply_with_count) == (False, False)


# -- sorting and fields -----------------------------------------------------------------------


def test_sort_ascending_with_plus():
    assert found(sort="+sequence") == ["t1", "t3", "t2"]


def test_sort_descending_with_minus():
    assert found(sort="-sequence") == ["t2", "t3", "t1"]


def test_sort_without_a_sign_is_ascending():
    assert found(sort="name") == ["t2", "t3", "t1"]


@pytest.mark.parametrize(("sort", "expected"), [("+", ["t1", "t2"]), ("-", ["t2", "t1"])])
def test_sort_puts_missing_values_last_either_way(sort, expected):
    assert found(sort=f"{sort}description") == [*expected, "t3"]


def test_sort_by_a_nested_field():
    assert found(sort="-accountSystemContext.projectUuid") == ["t2", "t1", "t3"]


def test_paging_applies_after_sorting():
    assert found(sort="-sequence", start=1, limit=1) == ["t3"]


def test_fields_keep_only_the_named_keys():
    page, _ = Query.from_params(fields="uuid,name").run(TICKETS)

    assert page == [
        {"uuid": "t1", "name": "web-server"},
        {"uuid": "t2", "name": "db_server"},
        {"uuid": "t3", "name": "web-cache"},
    ]


def test_fields_do_not_change_the_stored_inventories():
    Query.from_params(fields="uuid").run(TICKETS)

    assert TICKETS[0]["name"] == "web-server"
