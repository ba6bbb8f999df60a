"""Keeps every world in a state file across restarts (`ticketkit serve --state-file PATH`).

The file is replaced atomically: the new state goes to a temporary file in the same directory,
is flushed to disk, then renamed over the old one, so a crash or `kill -9` at any moment leaves
either the old or the new state, never a torn file.
"""

import asyncio
import json
import logging
import os
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from mockserver.runtime import Mock
from mockserver.world import WORLD_NAME, WorldStateError

log = logging.getLogger(__name__)

FILE_VERSION = 1
# How often, at most, the file is written while requests change the worlds.
SAVE_INTERVAL_S = 0.5


class StateFileError(ValueError):
    """A state file that cannot be read back; the message says which world and why."""


def restore(mock: Mock, path: Path) -> bool:
    """Loads every world kept in `path`; False when there is no file yet."""
    for stale in path.parent.glob(f".{path.name}.*"):  # a write cut short by a crash
        stale.unlink(missing_ok=True)
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StateFileError(f"{path}: {error}") from error
    if not isinstance(data, dict) or data.get("version") != FILE_VERSION:
        raise StateFileError(f"{path}: not a ticketkit state file (version {FILE_VERSION})")
    worlds = data.get("worlds")
    if not isinstance(worlds, dict):
        raise StateFileError(f"{path}: worlds: expected a mapping")
    for name, state in worlds.items():
        if not isinstance(name, str) or not WORLD_NAME.match(name):
            raise StateFileError(f"{path}: invalid world name {name!r}")
        try:
            mock.world(name).load(state)
        except WorldStateError as error:
            raise StateFileError(f"{path}: world {name!r}: {error}") from error
    return True


def snapshot(mock: Mock) -> dict[str, Any]:
    return {
        "version": FILE_VERSION,
        "worlds": {name: world.export() for name, world in mock.worlds.items()},
    }


_writing = threading.Lock()


def write_atomically(path: Path, text: str) -> None:
    with _writing:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@asynccontextmanager
async def keeping(mock: Mock, path: Path) -> AsyncIterator[None]:
    """While the app runs, writes the state file whenever the worlds have changed (at most
    every SAVE_INTERVAL_S), and once more at shutdown."""
    saved = -1

    async def write() -> None:
        nonlocal saved
        changes = mock.changes
        text = json.dumps(snapshot(mock), separators=(",", ":"))  # in the loop: consistent
        await asyncio.to_thread(write_atomically, path, text)
        saved = changes

    async def loop() -> None:
        while True:
            if mock.changes != saved:
                try:
                    await write()
                except OSError as error:
                    log.error("cannot write the state file %s: %s", path, error)
            await asyncio.sleep(SAVE_INTERVAL_S)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await write()
