"""Delivery of finished jobs to the X-Web-Hook URL a caller gave, as ZStack does it."""

import asyncio
import json
import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class WebHooks:
    """Posts each job's result in the background, retrying until the hook answers 2xx."""

    def __init__(
        self, attempts: int, interval_s: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._attempts = attempts
        self._interval_s = interval_s
        self._transport = transport
        self._pending: set[asyncio.Task] = set()

    def deliver(self, url: str, job_uuid: str, success: bool, body: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._send(url, job_uuid, success, body))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Waits for every delivery under way (tests and shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def _send(self, url: str, job_uuid: str, success: bool, body: dict[str, Any]) -> None:
        headers = {
            "Content-Type": "application/json",
            "X-Job-UUID": job_uuid,
            "X-Job-Success": "true" if success else "false",
        }
        async with httpx.AsyncClient(transport=self._transport, timeout=10) as client:
            for attempt in range(1, self._attempts + 1):
                try:
                    response = await client.post(url, content=json.dumps(body), headers=headers)
                except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
                    log.warning("web hook %r is not a usable URL: %s", url, error)
                    return
                except httpx.HTTPError as error:
                    log.info("web hook %s failed: %s (try %d)", url, error, attempt)
                else:
                    if response.is_success:
                        return
                    log.info("web hook %s answered %s (try %d)", url, response.status_code, attempt)
                if attempt < self._attempts:
                    await asyncio.sleep(self._interval_s)
        log.warning("gave up delivering job %s to %s", job_uuid, url)
