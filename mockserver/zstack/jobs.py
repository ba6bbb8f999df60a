"""ZStack's asynchronous jobs: what a 202's `location` points at, and what polling it answers."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.clock import Clock
from mockserver.ids import Ids
from mockserver.progression import Progression
from mockserver.store import Store

JOB_UUID = re.compile(r"^[0-9a-fA-F]{32}$")


def answers_with_job(method: str, operation: dict[str, Any]) -> bool:
    """Whether a spec operation is one of ZStack's asynchronous calls: it answers 202 with a job,
    and its argument and session errors arrive through that job."""
    return method.lower() != "get" and "202" in operation.get("responses", {})


class JobUuidRefused(ValueError):
    """An X-Job-UUID that is malformed or already used: ZStack refuses the request with 400."""


@dataclass(frozen=True)
class Poll:
    status: int  # 202 running, 200 succeeded, 503 failed
    body: dict[str, Any]


class Jobs:
    def __init__(
        self, store: Store, clock: Clock, ids: Ids, progression: Callable[[], Progression]
    ) -> None:
        self._table = store.table("zstack.jobs")
        self._clock = clock
        self._ids = ids
        self._progression = progression

    def reserve(self, wanted: str | None) -> str:
        """The uuid for a new job: the caller's X-Job-UUID if usable, else a fresh one."""
        if wanted is None:
            return self._ids.hex32()
        if not JOB_UUID.match(wanted):
            raise JobUuidRefused(f"X-Job-UUID must be 32 hex digits, got {wanted!r}")
        if self._table.get(wanted.lower()) is not None:
            raise JobUuidRefused(f"X-Job-UUID {wanted} has been used already")
        return wanted.lower()

    def finish(self, uuid: str, status: int, body: dict[str, Any]) -> None:
        """Records a job's outcome; polls see it once the job has run as long as the world's
        progression says (polls answering 202 {}, or virtual seconds)."""
        now = self._clock.now()
        progression = self._progression()
        self._table.put(
            uuid,
            {
                "uuid": uuid,
                "status": status,
                "body": body,
                "runningPolls": int(progression.value) if progression.mode == "polls" else 0,
                "readyAt": now + progression.value if progression.mode == "seconds" else now,
                "createDate": int(now * 1000),
            },
        )

    def poll(self, uuid: str) -> Poll | None:
        job = self._table.get(uuid)
        if job is None:
            return None
        if job["runningPolls"] > 0:
            job["runningPolls"] -= 1
            self._table.put(uuid, job)
            return Poll(202, {})
        if self._clock.now() < job.get("readyAt", 0):
            return Poll(202, {})
        return Poll(job["status"], job["body"])
