"""Time per request in process, to see where it goes: the mock's app with its default settings,
with response validation or the journal turned off, and the bare Starlette app of bench/bare.py.

Requests go through httpx straight to the ASGI app (no sockets), one at a time, so the times
include the client's own work, the same for every variant. Each variant runs in a fresh process.

    python -m bench inprocess [--requests 1500]
"""

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import yaml

from bench.targets import IAM_LOGIN, ROOT
from bench.workloads import COC_CREATE, COC_LIST, OSM_CREATE, ZSTACK_AUTH, ZSTACK_CREATE

# The settings of each variant (the daily case quota raised, as in `bench compare`), and
# whether it is the bare Starlette app.
QUOTA = {"osm": {"daily_case_quota": 1_000_000_000}}
VARIANTS = {
    "bare Starlette": (QUOTA, True),
    "ticketkit, default settings": (QUOTA, False),
    "… without response validation": ({**QUOTA, "validate_responses": False}, False),
    "… without the journal": ({**QUOTA, "journal_size": 0}, False),
}
WARM_UP = 100


def app_of(bare: bool, settings: Path) -> Any:
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    if bare:
        os.environ["TICKETKIT_CONFIG"] = str(settings)
        from bench import bare as bare_app

        return bare_app.app
    from mockserver.app import build_mock, create_app
    from mockserver.cli import keep_collections_short
    from mockserver.config import Config

    app = create_app(build_mock(Config.from_file(settings)))
    keep_collections_short()
    return app


async def measure(app: Any, count: int) -> dict[str, float]:
    """Milliseconds per request of each kind."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        login = await client.post("/v3/auth/tokens", json=IAM_LOGIN)
        huawei = {"X-Auth-Token": login.headers["X-Subject-Token"]}
        zstack = {"Authorization": ZSTACK_AUTH}
        for _ in range(40):  # full pages for the lists, as in `bench compare`
            await client.post("/zstack/v1/tickets", json=ZSTACK_CREATE, headers=zstack)
            await client.post("/v1/change/tickets", json=COC_CREATE, headers=huawei)
        calls = {
            "zstack-query": lambda: client.get(
                "/zstack/v1/tickets",
                params={"q": "status=Pending", "limit": 20},
                headers=zstack,
            ),
            "coc-list": lambda: client.post(
                "/v1/change/list-tickets", json=COC_LIST, headers=huawei
            ),
            "zstack create": lambda: client.post(
                "/zstack/v1/tickets", json=ZSTACK_CREATE, headers=zstack
            ),
            "osm-create": lambda: client.post(
                "/v2/servicerequest/cases", json=OSM_CREATE, headers=huawei
            ),
        }
        times = {}
        for name, call in calls.items():
            reply = await call()
            if reply.status_code >= 300:
                raise RuntimeError(f"{name}: {reply.status_code} {reply.text[:300]}")
            for _ in range(WARM_UP):
                await call()
            started = time.perf_counter()
            for _ in range(count):
                await call()
            times[name] = (time.perf_counter() - started) / count * 1000
    return times


def child(variant: str, count: int) -> dict[str, float]:
    settings, bare = VARIANTS[variant]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "settings.yaml"
        path.write_text(yaml.safe_dump(settings), encoding="utf-8")
        app = app_of(bare, path)
    gc.collect()
    return asyncio.run(measure(app, count))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench inprocess", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--requests", type=int, default=1500, help="of each kind (default 1500)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.requests)))
        return 0
    results = {}
    for variant in VARIANTS:
        command = [sys.executable, "-m", "bench.inprocess", "--child", variant]
        command += ["--requests", str(args.requests)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        results[variant] = json.loads(done.stdout.strip().splitlines()[-1])
    kinds = list(next(iter(results.values())))
    print("| | " + " | ".join(kinds) + " |")
    print("|---" + "|---:" * len(kinds) + "|")
    for variant, times in results.items():
        print(f"| {variant} | " + " | ".join(f"{times[k]:.2f} ms" for k in kinds) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
