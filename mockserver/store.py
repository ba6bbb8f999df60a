"""Where a world keeps its records.

Models reach their data only through `Store.table(name)` and the five methods of `Table`, and
records are plain JSON-compatible dicts, so a store on a shared engine can later replace the
in-memory one without touching the models. A model that changes a record puts it back.
"""

import copy
from collections.abc import Iterator
from typing import Any, Protocol

Record = dict[str, Any]


class Table(Protocol):
    def get(self, key: str) -> Record | None: ...
    def put(self, key: str, record: Record) -> None: ...
    def delete(self, key: str) -> Record | None: ...
    def values(self) -> Iterator[Record]: ...
    def __len__(self) -> int: ...


class Store(Protocol):
    def table(self, name: str) -> Table: ...
    def export(self) -> dict[str, dict[str, Record]]: ...
    def load(self, data: dict[str, dict[str, Record]]) -> None: ...
    def clear(self) -> None: ...
    def counts(self) -> dict[str, int]: ...


class MemoryTable:
    """Records in insertion order, keyed by id."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}

    def get(self, key: str) -> Record | None:
        return self._records.get(key)

    def put(self, key: str, record: Record) -> None:
        self._records[key] = record

    def delete(self, key: str) -> Record | None:
        return self._records.pop(key, None)

    def values(self) -> Iterator[Record]:
        return iter(list(self._records.values()))

    def __len__(self) -> int:
        return len(self._records)


class MemoryStore:
    def __init__(self) -> None:
        self._tables: dict[str, MemoryTable] = {}

    def table(self, name: str) -> MemoryTable:
        return self._tables.setdefault(name, MemoryTable())

    def export(self) -> dict[str, dict[str, Record]]:
        return {
            name: {key: copy.deepcopy(record) for key, record in table._records.items()}
            for name, table in self._tables.items()
        }

    def load(self, data: dict[str, dict[str, Record]]) -> None:
        self.clear()
        for name, records in data.items():
            table = self.table(name)
            for key, record in records.items():
                table.put(key, copy.deepcopy(record))

    def clear(self) -> None:
        # The tables stay: models hold on to them.
        for table in self._tables.values():
            table._records.clear()

    def counts(self) -> dict[str, int]:
        return {name: len(table) for name, table in self._tables.items()}
