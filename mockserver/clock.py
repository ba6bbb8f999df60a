"""Clocks the mock reads time from; injectable so tests and scenarios are deterministic."""

import time
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""


class SystemClock:
    def now(self) -> float:
        return time.time()


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


class WorldClock:
    """A world's virtual clock: its source's time plus an offset, or frozen at an instant.

    Each world has its own, so freezing or advancing one world's time leaves the others alone.
    """

    def __init__(self, source: Clock | None = None) -> None:
        self._source = source or SystemClock()
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return self._source.now() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def advance(self, seconds: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def freeze(self, at: float | None = None) -> None:
        """Stops the clock, at `at` or at its current time."""
        self._frozen_at = self.now() if at is None else at

    def unfreeze(self) -> None:
        """Lets the clock run again from where it stands."""
        if self._frozen_at is not None:
            self._offset = self._frozen_at - self._source.now()
            self._frozen_at = None

    def set(self, at: float) -> None:
        """Moves the clock to `at`, frozen or running as it was."""
        if self._frozen_at is not None:
            self._frozen_at = at
        else:
            self._offset = at - self._source.now()

    def export(self) -> dict[str, Any]:
        """The clock's state: a frozen clock's instant, a running clock's offset from real time."""
        return {"now": self.now(), "frozen": self.frozen, "offset_s": self._offset}

    def load(self, data: dict[str, Any]) -> None:
        if data.get("frozen"):
            self._frozen_at = float(data["now"])
        else:
            self._frozen_at = None
            self._offset = float(data.get("offset_s", 0.0))
