"""Identifier factories; a seeded one makes a world's ids reproducible."""

import random
import uuid
from typing import Any


class Ids:
    """Random 128-bit ids, as uuid4 would give, from a seedable generator."""

    def __init__(self, seed: int | None = None) -> None:
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        self._random = random.Random(seed) if seed is not None else None

    def uuid(self) -> uuid.UUID:
        if self._random is None:
            return uuid.uuid4()
        return uuid.UUID(int=self._random.getrandbits(128), version=4)

    def hex32(self) -> str:
        """32 lowercase hex digits without dashes, the form ZStack uses."""
        return self.uuid().hex

    def export(self) -> Any:
        """The generator's state as JSON (null for random ids), so a restored world goes on
        where it stood instead of handing out its seeded ids again."""
        if self._random is None:
            return None
        version, internal, gauss = self._random.getstate()
        return [version, list(internal), gauss]

    def load(self, state: Any) -> None:
        if state is None:
            self._random = None
            return
        version, internal, gauss = state
        self._random = random.Random()
        self._random.setstate((version, tuple(internal), gauss))
