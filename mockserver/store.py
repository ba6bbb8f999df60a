"""Where a world keeps its records.

Models reach their data only through `Store.table(name)` and the methods of `Table`, and
records are plain JSON-compatible dicts, so a store on a shared engine can later replace the
in-memory one without touching the models. A model that changes a record puts it back.

A table keeps its records in the order they were first put. A model declares the indexes it
needs on a table when it opens it: a name, and a key function giving the value a record is
filed under (a field, or anything else computed from the record alone; None leaves the record
out). `lookup(name, *values)` then yields the records filed under any of the values without
looking at the others: in the table's order, or, for an index with an `order` function, as
`sorted(records, key=order, reverse=descending)` would (ties in the table's order).
`count(name, *values)` says how many that is. Put, delete, load and clear keep the indexes
up to date. Models change a record in place before they put it back, so an index remembers what
it filed each record under rather than reading it again from the record.

An index declared `fixed` is for a value that never changes while the record is in the table,
such as a history row's ticket: it keeps no memory per record, only its buckets, which should
stay small (a put that changes the value is refused).

Key and order functions see every record the table may hold, loaded ones included: they read
fields with .get(), return a hashable key, and order values comparable with each other.
"""

import copy
import heapq
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Iterator
from operator import is_not
from typing import Any, Protocol

Record = dict[str, Any]
KeyFunction = Callable[[Record], Any]


class Table(Protocol):
    def get(self, key: str) -> Record | None: ...
    def put(self, key: str, record: Record) -> None: ...
    def delete(self, key: str) -> Record | None: ...

    def values(self) -> Iterator[Record]:
        """Every record, in the table's order. Change the table only once done with the
        iterator (take a list first)."""
        ...

    def __len__(self) -> int: ...

    def add_index(
        self,
        name: str,
        key: KeyFunction,
        *,
        order: KeyFunction | None = None,
        descending: bool = False,
        fixed: bool = False,
    ) -> None:
        """Declares the index `name`: records filed under key(record), found in the table's
        order, or by `order` (descending if asked); `fixed` for a value that never changes."""
        ...

    def lookup(self, name: str, *values: Hashable) -> Iterator[Record]:
        """The records the index files under any of `values`, in its order. As with values(),
        change the table only once done with the iterator."""
        ...

    def count(self, name: str, *values: Hashable) -> int:
        """How many records lookup(name, *values) yields."""
        ...


class Store(Protocol):
    def table(self, name: str) -> Table: ...
    def export(self) -> dict[str, dict[str, Record]]: ...
    def load(self, data: dict[str, dict[str, Record]]) -> None: ...
    def clear(self) -> None: ...
    def counts(self) -> dict[str, int]: ...


class _Bucket(list):
    """The keys of the records an index files under one value, in the index's order."""

    __slots__ = ("value",)

    def __init__(self, value: Hashable) -> None:
        super().__init__()
        self.value = value


class _Index:
    """One index of a MemoryTable.

    The table keeps, per record, its filing: the record's position in the table, then for each
    index the bucket the record is in (None: in none) and, for an ordered index, its order
    value. `slot` is where this index's part of a filing starts.
    """

    def __init__(
        self,
        filings: dict[str, tuple],
        slot: int,
        key: KeyFunction,
        order: KeyFunction | None,
        descending: bool,
    ) -> None:
        self.key = key
        self.order = order
        self.descending = descending
        self.slot = slot
        self.width = 1 if order is None else 2
        self.buckets: dict[Hashable, _Bucket] = {}
        # Bumped whenever a bucket changes, so that a lookup under way notices.
        self.version = 0
        # A record's rank in its bucket. A descending bucket is kept backwards and read from
        # the end, ties in the table's order.
        if order is None:
            self.rank: Callable[[str], Any] = lambda key: filings[key][0]
        elif descending:
            self.rank = lambda key: (filings[key][slot + 1], -filings[key][0])
        else:
            self.rank = lambda key: (filings[key][slot + 1], filings[key][0])

    def filing(self, record: Record, orders: dict[KeyFunction, Any]) -> tuple[Hashable, ...]:
        """The value this index files `record` under, then its order value if ordered.
        Indexes with the same order function share the value (`orders`, per put)."""
        if self.order is None:
            return (self.key(record),)
        if self.order not in orders:
            orders[self.order] = self.order(record)
        return self.key(record), orders[self.order]

    def bucket(self, value: Hashable) -> _Bucket | None:
        if value is None:
            return None
        bucket = self.buckets.get(value)
        if bucket is None:
            bucket = self.buckets[value] = _Bucket(value)
        return bucket

    def insert(self, bucket: _Bucket | None, key: str) -> None:
        """Files `key` into `bucket`; the key's filing is already the new one."""
        if bucket is None:
            return
        rank = self.rank(key)
        if not bucket or self.rank(bucket[-1]) < rank:
            bucket.append(key)
        else:
            bucket.insert(bisect_left(bucket, rank, key=self.rank), key)
        self.version += 1

    def remove(self, bucket: _Bucket | None, key: str) -> None:
        """Takes `key` out of `bucket`; the key's filing is still the one that put it there."""
        if bucket is None:
            return
        del bucket[bisect_left(bucket, self.rank(key), key=self.rank)]
        if not bucket:
            del self.buckets[bucket.value]
        self.version += 1

    def keys(self, values: tuple[Hashable, ...]) -> Iterator[str]:
        found = [self.buckets[v] for v in dict.fromkeys(values) if v in self.buckets]
        runs: list[Any] = [reversed(b) for b in found] if self.descending else found
        if len(runs) == 1:
            return iter(runs[0])
        return heapq.merge(*runs, key=self.rank, reverse=self.descending)


class _FixedBucket(list):
    """The keys of the records a fixed index files under one value, in the table's order, and
    their positions in the table."""

    __slots__ = ("value", "positions")

    def __init__(self, value: Hashable) -> None:
        super().__init__()
        self.value = value
        self.positions = array("q")


class _FixedIndex:
    """An index whose value for a record never changes: nothing to remember per record."""

    descending = False

    def __init__(self, key: KeyFunction) -> None:
        self.key = key
        self.buckets: dict[Hashable, _FixedBucket] = {}
        self.version = 0

    def add(self, key: str, record: Record, position: int) -> None:
        value = self.key(record)
        if value is None:
            return
        bucket = self.buckets.get(value)
        if bucket is None:
            bucket = self.buckets[value] = _FixedBucket(value)
        bucket.append(key)
        bucket.positions.append(position)
        self.version += 1

    def check(self, key: str, record: Record, name: str) -> None:
        """Refuses to put `key` again with a value it is not filed under."""
        value = self.key(record)
        if value is not None and key not in self.buckets.get(value, ()):
            raise ValueError(f"the fixed index {name!r} cannot move {key!r} to {value!r}")

    def remove(self, key: str, record: Record) -> None:
        value = self.key(record)
        if value is None:
            return
        bucket = self.buckets.get(value)
        if bucket is None or key not in bucket:  # changed without a put: look everywhere
            bucket = next((b for b in self.buckets.values() if key in b), None)
            if bucket is None:
                return
        at = bucket.index(key)
        del bucket[at]
        del bucket.positions[at]
        if not bucket:
            del self.buckets[bucket.value]
        self.version += 1

    def keys(self, values: tuple[Hashable, ...]) -> Iterator[str]:
        found = [self.buckets[v] for v in dict.fromkeys(values) if v in self.buckets]
        if len(found) == 1:
            return iter(found[0])
        runs = [zip(bucket.positions, bucket, strict=True) for bucket in found]
        return (key for _, key in heapq.merge(*runs))


class MemoryTable:
    """Records in insertion order, keyed by id, with the indexes models declare."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}
        self._indexes: dict[str, _Index | _FixedIndex] = {}
        self._remembering: list[_Index] = []
        self._fixed: dict[str, _FixedIndex] = {}
        self._filings: dict[str, tuple] = {}  # per key, once the table has a remembering index
        self._positions = 0  # the last record's position in the table

    def get(self, key: str) -> Record | None:
        return self._records.get(key)

    def put(self, key: str, record: Record) -> None:
        new = key not in self._records
        if new:  # (a record put back keeps what it shared; its new strings stay its own)
            _share_strings(record)
        if new and self._indexes:
            self._positions += 1
        if not new:
            for name, fixed in self._fixed.items():
                fixed.check(key, record, name)
        self._records[key] = record
        if self._remembering:
            self._file(key, record, self._positions if new else None)
        if new:
            for fixed in self._fixed.values():
                fixed.add(key, record, self._positions)

    def delete(self, key: str) -> Record | None:
        record = self._records.pop(key, None)
        if record is not None and self._indexes:
            if self._remembering:
                filing = self._filings[key]
                for index in self._remembering:
                    index.remove(filing[index.slot], key)
                del self._filings[key]
            for fixed in self._fixed.values():
                fixed.remove(key, record)
        return record

    def values(self) -> Iterator[Record]:
        return iter(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    def clear(self) -> None:
        """Forgets every record; the indexes stay declared."""
        self._records.clear()
        self._filings.clear()
        self._positions = 0
        for index in self._indexes.values():
            index.buckets.clear()
            index.version += 1

    def add_index(
        self,
        name: str,
        key: KeyFunction,
        *,
        order: KeyFunction | None = None,
        descending: bool = False,
        fixed: bool = False,
    ) -> None:
        if name in self._indexes:
            raise ValueError(f"the table has an index {name!r} already")
        if fixed:
            if order is not None:
                raise ValueError("a fixed index keeps the table's order")
            self._indexes[name] = self._fixed[name] = _FixedIndex(key)
        else:
            slot = 1 + sum(index.width for index in self._remembering)
            index = _Index(self._filings, slot, key, order, descending)
            self._indexes[name] = index
            self._remembering.append(index)
        held = list(self._records.items())
        self.clear()
        for record_key, record in held:  # filed again, every index at once, in the same order
            self.put(record_key, record)

    def lookup(self, name: str, *values: Hashable) -> Iterator[Record]:
        index = self._indexes[name]
        version = index.version
        for key in index.keys(values):
            yield self._records[key]
            if index.version != version:
                raise RuntimeError(f"the table changed during a lookup of its index {name!r}")

    def count(self, name: str, *values: Hashable) -> int:
        buckets = self._indexes[name].buckets
        return sum(len(buckets.get(value, ())) for value in dict.fromkeys(values))

    def _file(self, key: str, record: Record, position: int | None) -> None:
        """Files `key` in the remembering indexes: a new record at `position`, a known one
        moved wherever its values changed."""
        indexes = self._remembering
        orders: dict[KeyFunction, Any] = {}
        wanted = [index.filing(record, orders) for index in indexes]
        old = self._filings.get(key)
        if old is None:
            filing = [position]
            for index, (value, *order) in zip(indexes, wanted, strict=True):
                filing += [index.bucket(value), *order]
            moved = indexes
        else:
            moved = [
                index
                for index, (value, *order) in zip(indexes, wanted, strict=True)
                if _value(old[index.slot]) != value
                or list(old[index.slot + 1 : index.slot + index.width]) != order
            ]
            if not moved:
                return
            for index in moved:
                index.remove(old[index.slot], key)
            filing = list(old)
            for index, (value, *order) in zip(indexes, wanted, strict=True):
                if index in moved:
                    filing[index.slot : index.slot + index.width] = [index.bucket(value), *order]
        self._filings[key] = tuple(filing)
        for index in moved:
            index.insert(filing[index.slot], key)


def index_key(value: Any) -> Any:
    """A field's value as part of an index key: a list or an object (only in a hand-made state)
    cannot be one, and files the record nowhere, as no filter value equals it."""
    return None if isinstance(value, list | dict) else value


def _value(bucket: _Bucket | None) -> Hashable:
    return None if bucket is None else bucket.value


def _share_strings(value: Any) -> None:
    """Makes the keys of the dicts in `value`, and its short strings (names, ids, enum values,
    which repeat from record to record), the interned strings, so that records parsed from JSON
    bodies share them instead of holding a copy each."""
    if type(value) is dict:
        try:
            keys = list(map(sys.intern, value))
        except TypeError:  # a key that is not text: the keys stay as they are
            keys = list(value)
        if any(map(is_not, keys, value)):
            items = list(zip(keys, value.values(), strict=True))
            value.clear()
            value.update(items)
        slots: Iterable[tuple[Any, Any]] = value.items()
    elif type(value) is list:
        slots = enumerate(value)
    else:
        return
    for slot, item in slots:  # values replaced in place: the dict or list keeps its size
        kind = type(item)
        if kind is str:
            if len(item) <= SHARED_LENGTH:
                value[slot] = sys.intern(item)
        elif kind in _CONTAINERS:
            _share_strings(item)


_CONTAINERS = frozenset({dict, list})
SHARED_LENGTH = 64


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
        # The tables stay, with their indexes: models hold on to them.
        for table in self._tables.values():
            table.clear()

    def counts(self) -> dict[str, int]:
        return {name: len(table) for name, table in self._tables.items()}
