"""Runs wrk (https://github.com/wg/wrk) with a workload's Lua script and reads its numbers."""

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class WrkMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Result:
    requests: int
    duration_s: float
    bytes: int  # read from the server, headers included
    status_errors: int  # answers with a status of 400 or more
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def bytes_per_answer(self) -> int:
        return self.bytes // self.requests if self.requests else 0

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
    return found


def run(
    url: str,
    lua: str,
    *,
    duration_s: float,
    connections: int,
    args: tuple[str, ...] = (),
    cpus: set[int] | None = None,
) -> Result:
    """One wrk run against `url` (scheme, host and port), bounded by `duration_s`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        command = [
            wrk_binary(),
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration_s))}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            url,
        ]
        if args:
            command += ["--", *args]
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=duration_s + 60,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
    finally:
        Path(script.name).unlink()
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line[len("BENCH ") :])
            return Result(
                requests=data["requests"],
                duration_s=data["duration_us"] / 1e6,
                bytes=data["bytes"],
                status_errors=data["status_errors"],
                socket_errors=data["socket_errors"],
                p50_ms=data["p50_us"] / 1000,
                p90_ms=data["p90_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                max_ms=data["max_us"] / 1000,
            )
    output = completed.stdout + completed.stderr
    raise RuntimeError(f"wrk printed no result (exit {completed.returncode}):\n{output}")
