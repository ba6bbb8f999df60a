"""Identifier factories; a seeded one makes a world's ids reproducible."""

import random
import uuid


class Ids:
    """Random 128-bit ids, as uuid4 would give, from a seedable generator."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None

    def uuid(self) -> uuid.UUID:
        if self._random is None:
            return uuid.uuid4()
        return uuid.UUID(int=self._random.getrandbits(128), version=4)

    def hex32(self) -> str:
        """32 lowercase hex digits without dashes, the form ZStack uses."""
        return self.uuid().hex
