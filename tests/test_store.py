"""The in-memory store: records in the order they were first put, and the indexes models
declare on a table (what a lookup finds after put, an in-place change, delete, load and clear)."""

import json

import pytest

from mockserver.store import MemoryStore, MemoryTable


def ticket(uuid: str, status: str, project: str = "p1", created: int = 0) -> dict:
    return {"uuid": uuid, "status": status, "context": {"project": project}, "created": created}


@pytest.fixture
def table() -> MemoryTable:
    table = MemoryStore().table("tickets")
    table.add_index("status", lambda t: t.get("status"))
    return table


def uuids(records) -> list[str]:
    return [r["uuid"] for r in records]


def fill(table: MemoryTable, *records: dict) -> None:
    for record in records:
        table.put(record["uuid"], record)


def test_a_lookup_finds_the_records_filed_under_a_value_in_the_order_they_were_put(table):
    fill(table, ticket("a", "Pending"), ticket("b", "Rejected"), ticket("c", "Pending"))

    assert uuids(table.lookup("status", "Pending")) == ["a", "c"]
    assert uuids(table.lookup("status", "Rejected")) == ["b"]
    assert list(table.lookup("status", "Cancelled")) == []
    assert (table.count("status", "Pending"), table.count("status", "Cancelled")) == (2, 0)


def test_a_record_changed_in_place_and_put_back_moves_to_its_new_value(table):
    fill(table, ticket("a", "Pending"), ticket("b", "Pending"))
    record = table.get("a")

    record["status"] = "Rejected"
    table.put("a", record)

    assert uuids(table.lookup("status", "Pending")) == ["b"]
    assert uuids(table.lookup("status", "Rejected")) == ["a"]


def test_a_record_joining_a_value_later_keeps_its_place_in_the_table(table):
    fill(table, ticket("a", "Pending"), ticket("b", "Rejected"), ticket("c", "Pending"))
    record = table.get("b")

    record["status"] = "Pending"
    table.put("b", record)

    assert uuids(table.lookup("status", "Pending")) == ["a", "b", "c"]
    assert uuids(table.values()) == ["a", "b", "c"]


def test_a_record_put_again_under_its_key_as_a_new_dict_replaces_the_old_one(table):
    fill(table, ticket("a", "Pending"), ticket("b", "Pending"))

    table.put("a", ticket("a", "Cancelled"))

    assert uuids(table.lookup("status", "Pending")) == ["b"]
    assert uuids(table.lookup("status", "Cancelled")) == ["a"]
    assert len(table) == 2


def test_a_deleted_record_is_found_no_more_and_comes_back_last(table):
    fill(table, ticket("a", "Pending"), ticket("b", "Pending"))

    deleted = table.delete("a")

    assert deleted["uuid"] == "a"
    assert uuids(table.lookup("status", "Pending")) == ["b"]
    assert table.count("status", "Pending") == 1
    assert table.delete("a") is None

    table.put("a", deleted)
    assert uuids(table.lookup("status", "Pending")) == ["b", "a"]


def test_a_lookup_of_several_values_merges_them_in_the_tables_order(table):
    fill(
        table,
        ticket("a", "Pending"),
        ticket("b", "Rejected"),
        ticket("c", "Cancelled"),
        ticket("d", "Pending"),
        ticket("e", "Rejected"),
    )

    assert uuids(table.lookup("status", "Rejected", "Pending")) == ["a", "b", "d", "e"]
    assert table.count("status", "Rejected", "Pending", "Rejected") == 4


def test_a_key_function_may_read_nested_fields_and_combine_them():
    table = MemoryTable()
    table.add_index("project_status", lambda t: (t["context"]["project"], t["status"]))
    fill(
        table,
        ticket("a", "Pending", "p1"),
        ticket("b", "Pending", "p2"),
        ticket("c", "Rejected", "p1"),
    )

    assert uuids(table.lookup("project_status", ("p1", "Pending"))) == ["a"]
    assert uuids(table.lookup("project_status", ("p2", "Pending"), ("p1", "Rejected"))) == [
        "b",
        "c",
    ]


def test_a_key_of_none_leaves_the_record_out_of_the_index():
    table = MemoryTable()
    table.add_index("open", lambda t: t["status"] if t["status"] == "Pending" else None)
    fill(table, ticket("a", "Pending"), ticket("b", "Rejected"))

    assert uuids(table.lookup("open", "Pending")) == ["a"]
    assert list(table.lookup("open", None)) == []
    assert table.count("open", None) == 0


def test_an_ordered_index_yields_as_sorted_would_ties_in_the_tables_order():
    table = MemoryTable()
    table.add_index("newest", lambda t: t["status"], order=lambda t: t["created"], descending=True)
    table.add_index("oldest", lambda t: t["status"], order=lambda t: t["created"])
    records = [
        ticket("a", "Pending", created=5),
        ticket("b", "Pending", created=9),
        ticket("c", "Pending", created=5),
        ticket("d", "Rejected", created=7),
        ticket("e", "Pending", created=1),
    ]
    fill(table, *records)
    pending = [r for r in records if r["status"] == "Pending"]

    newest = sorted(pending, key=lambda t: t["created"], reverse=True)
    oldest = sorted(pending, key=lambda t: t["created"])
    assert uuids(table.lookup("newest", "Pending")) == uuids(newest) == ["b", "a", "c", "e"]
    assert uuids(table.lookup("oldest", "Pending")) == uuids(oldest) == ["e", "a", "c", "b"]
    assert uuids(table.lookup("newest", "Pending", "Rejected")) == ["b", "d", "a", "c", "e"]


def test_an_ordered_index_follows_a_changed_order_value():
    table = MemoryTable()
    table.add_index("newest", lambda t: t["status"], order=lambda t: t["created"], descending=True)
    fill(table, ticket("a", "Pending", created=1), ticket("b", "Pending", created=2))
    record = table.get("a")

    record["created"] = 3
    table.put("a", record)

    assert uuids(table.lookup("newest", "Pending")) == ["a", "b"]


def test_an_index_declared_on_a_table_with_records_files_them():
    table = MemoryTable()
    fill(table, ticket("a", "Pending"), ticket("b", "Rejected"), ticket("c", "Pending"))

    table.add_index("status", lambda t: t["status"])

    assert uuids(table.lookup("status", "Pending")) == ["a", "c"]
    assert uuids(table.values()) == ["a", "b", "c"]


def test_an_index_name_is_declared_once(table):
    with pytest.raises(ValueError, match="status"):
        table.add_index("status", lambda t: t["uuid"])


def test_changing_the_indexed_records_during_a_lookup_is_refused(table):
    fill(table, ticket("a", "Pending"), ticket("b", "Pending"))

    with pytest.raises(RuntimeError, match="status"):
        for record in table.lookup("status", "Pending"):
            record["status"] = "Rejected"
            table.put(record["uuid"], record)

    for record in list(table.lookup("status", "Pending")):  # a list first is fine
        record["status"] = "Rejected"
        table.put(record["uuid"], record)
    assert uuids(table.lookup("status", "Rejected")) == ["a", "b"]


def test_load_files_the_records_again_and_export_is_unchanged():
    store = MemoryStore()
    table = store.table("tickets")
    table.add_index("status", lambda t: t["status"])
    fill(table, ticket("a", "Pending"), ticket("b", "Rejected"), ticket("c", "Pending"))
    exported = store.export()

    other = MemoryStore()
    other_table = other.table("tickets")
    other_table.add_index("status", lambda t: t["status"])
    fill(other_table, ticket("z", "Pending"))
    other.load(json.loads(json.dumps(exported)))

    assert uuids(other_table.lookup("status", "Pending")) == ["a", "c"]
    assert other.export() == exported
    assert list(exported["tickets"]) == ["a", "b", "c"]


def test_clear_forgets_the_records_and_keeps_the_indexes(table):
    fill(table, ticket("a", "Pending"))

    table.clear()

    assert (len(table), list(table.lookup("status", "Pending"))) == (0, [])
    fill(table, ticket("b", "Pending"))
    assert uuids(table.lookup("status", "Pending")) == ["b"]


def test_a_store_clears_its_tables_and_their_indexes():
    store = MemoryStore()
    table = store.table("tickets")
    table.add_index("status", lambda t: t["status"])
    fill(table, ticket("a", "Pending"))

    store.clear()

    assert store.counts() == {"tickets": 0}
    assert table.count("status", "Pending") == 0
    assert store.table("tickets") is table


def test_put_keeps_the_record_itself_and_its_content():
    table = MemoryTable()
    body = '{"requests": [{"apiName": "APICreateVmInstanceMsg", "apiBody": {"name": "vm"}}]}'
    record = json.loads(body)

    table.put("a", record)

    assert table.get("a") is record
    assert record == json.loads(body)


@pytest.fixture
def rows() -> MemoryTable:
    """History rows, filed under their ticket, which never changes."""
    rows = MemoryTable()
    rows.add_index("ticket", lambda row: row.get("ticket"), fixed=True)
    return rows


def row(uuid: str, ticket: str | None, action: str = "create") -> dict:
    return {"uuid": uuid, "ticket": ticket, "action": action}


def test_a_fixed_index_finds_rows_in_the_tables_order_and_merges_values(rows):
    fill(rows, row("1", "a"), row("2", "b"), row("3", "a"), row("4", None), row("5", "b"))

    assert uuids(rows.lookup("ticket", "a")) == ["1", "3"]
    assert uuids(rows.lookup("ticket", "b", "a")) == ["1", "2", "3", "5"]
    assert (rows.count("ticket", "a", "b"), rows.count("ticket", None)) == (4, 0)


def test_a_fixed_index_follows_deletes_and_changes_of_other_fields(rows):
    fill(rows, row("1", "a"), row("2", "a"), row("3", "a"))
    changed = rows.get("2")
    changed["action"] = "approve"

    rows.put("2", changed)
    rows.delete("1")
    rows.put("1", row("1", "a"))

    assert [(r["uuid"], r["action"]) for r in rows.lookup("ticket", "a")] == [
        ("2", "approve"),
        ("3", "create"),
        ("1", "create"),
    ]


def test_a_fixed_index_refuses_a_put_that_would_move_a_row(rows):
    fill(rows, row("1", "a"), row("2", None))

    with pytest.raises(ValueError, match="ticket"):
        rows.put("1", row("1", "b"))
    with pytest.raises(ValueError, match="ticket"):
        rows.put("2", row("2", "b"))

    assert uuids(rows.lookup("ticket", "a")) == ["1"]
    assert list(rows.lookup("ticket", "b")) == []


def test_a_fixed_index_is_filed_again_on_load_and_emptied_on_clear():
    store = MemoryStore()
    rows = store.table("rows")
    rows.add_index("ticket", lambda r: r.get("ticket"), fixed=True)
    fill(rows, row("1", "a"), row("2", "b"), row("3", "a"))
    exported = store.export()

    store.clear()
    assert rows.count("ticket", "a", "b") == 0
    store.load(exported)

    assert uuids(rows.lookup("ticket", "a")) == ["1", "3"]
    assert store.export() == exported


def test_a_fixed_index_keeps_the_tables_order():
    with pytest.raises(ValueError, match="order"):
        MemoryTable().add_index("t", lambda r: r["ticket"], order=lambda r: r["uuid"], fixed=True)
