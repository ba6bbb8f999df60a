"""How the mock's memory and read latency grow with the number of stored tickets.

For each family's tickets (ZStack tickets, COC tickets, OSM cases) and each size N, a fresh
process builds the app as `ticketkit serve` does with the default settings (request and response
validation on), fills the default world with N records through the family's own model calls,
with the bodies of the specs' examples, and reports:

- RSS after a garbage collection, and bytes per ticket = (RSS at N - RSS at 0) / N. A ticket's
  bytes include what its creation stores besides it (histories, sub-tickets, messages, logs);
- p50 and p99 latency through the whole ASGI app, in process, of an id lookup and of an indexed
  filter with a small page.

    python -m bench growth                       # 0, 10 000 and 100 000 of each
    python -m bench growth --sizes 0,1000 --families zstack --json growth.json
"""

import argparse
import asyncio
import gc
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.targets import IAM_LOGIN, SPEC_FILES
from bench.workloads import ZSTACK_AUTH, example

FAMILIES = tuple(SPEC_FILES)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (0, 10_000, 100_000)
ZSTACK_HEADERS = {"Authorization": ZSTACK_AUTH}
WARM_UP = 20


def spec_example(spec_file: str, operation_id: str) -> str:
    """The request body example of an operation, as the JSON text a client would send."""
    return json.dumps(example(spec_file, operation_id))


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


# -- filling a world through the models ----------------------------------------------------------


def fill_zstack(world: Any, n: int) -> None:
    """N tickets of the CreateTicket example: a quarter stay Pending, a quarter are approved
    once, a quarter rejected, a quarter approved to the end (their requests run)."""
    backend = world.backend("zstack")
    admin = backend.actor(ZSTACK_AUTH.split()[1])
    body = spec_example("zstack-tickets.yaml", "createTicket")
    for i in range(n):
        params = json.loads(body)["params"]  # fresh objects, as each request's parsed body
        params["name"] = f"ticket {i}"
        uuid = backend.create_ticket(admin, params)["uuid"]
        if i % 4 == 1:
            backend.change_ticket_status(admin, uuid, "approve", None)
        elif i % 4 == 2:
            backend.change_ticket_status(admin, uuid, "reject", "too large")
        elif i % 4 == 3:
            backend.change_ticket_status(admin, uuid, "approve", None)
            backend.change_ticket_status(admin, uuid, "approve", "fine")


def iam_caller(world: Any) -> Any:
    from mockserver.huawei import personas

    return personas.caller(world.backend("iam"), "mockuser", "bench")


def fill_coc(world: Any, n: int) -> None:
    """N tickets: change and issue tickets of the specs' examples, every third one a draft."""
    backend = world.backend("coc")
    caller = iam_caller(world)
    change = spec_example("huawei-coc-tickets.yaml", "createChangeTicket")
    issue = spec_example("huawei-coc-tickets.yaml", "createIssueTicket")
    for i in range(n):
        kind = "change" if i % 2 == 0 else "issues_mgmt"
        body = json.loads(change if kind == "change" else issue)
        body["title"] = f"{body['title']} {i}"
        body["is_start_process"] = i % 3 != 0
        backend.create_ticket(caller, kind, body)


def fill_osm(world: Any, n: int) -> None:
    """N cases of the CreateCases example, one every half hour of virtual time (the daily quota
    is 50): a quarter untouched, the others accepted, answered or solved by the engineer."""
    backend = world.backend("osm")
    caller = iam_caller(world)
    body = spec_example("huawei-osm-cases.yaml", "createCases")
    for i in range(n):
        world.clock.advance(1800)
        params = json.loads(body)
        params["simple_description"] = f"{params['simple_description']} ({i})"
        case_id = backend.create_case(caller, params)["incident_id"]
        if i % 4 == 1:
            backend.engineer_act(case_id, "accept", "")
        elif i % 4 == 2:
            backend.engineer_act(case_id, "reply", "We are looking into it.")
        elif i % 4 == 3:
            backend.engineer_act(case_id, "solve", "Resized the flavor back.")


FILL = {"zstack": fill_zstack, "coc": fill_coc, "osm": fill_osm}


# -- the requests --------------------------------------------------------------------------------


async def iam_token(client: Any) -> dict[str, str]:
    reply = await client.post("/v3/auth/tokens", json=IAM_LOGIN)
    reply.raise_for_status()
    return {"X-Auth-Token": reply.headers["X-Subject-Token"]}


async def requests_for(family: str, world: Any, client: Any, count: int) -> dict[str, list]:
    """Per measured request kind, `count` (method, url, kwargs) to send."""
    rng = random.Random(7)
    if family == "zstack":
        ids = [t["uuid"] for t in world.backend("zstack").tickets.values()]
        lookups = [
            ("GET", f"/zstack/v1/tickets/{rng.choice(ids)}", {"headers": ZSTACK_HEADERS})
            for _ in range(count)
        ]
        listing = (
            "GET",
            "/zstack/v1/tickets",
            {"headers": ZSTACK_HEADERS, "params": {"q": "status=Pending", "limit": 20}},
        )
        return {"lookup": lookups, "filter": [listing] * count}
    headers = await iam_token(client)
    if family == "coc":
        tickets = [
            (t["ticket_type_id"], t["ticket_id"]) for t in world.backend("coc").tickets.values()
        ]
        lookups = (
            [
                ("GET", "/v1/{}/tickets/{}".format(*rng.choice(tickets)), {"headers": headers})
                for _ in range(count)
            ]
            if tickets
            else []
        )
        body = json.loads(spec_example("huawei-coc-tickets.yaml", "listTickets"))
        listing = ("POST", "/v1/change/list-tickets", {"headers": headers, "json": body})
        return {"lookup": lookups, "filter": [listing] * count}
    cases = [c["incident_id"] for c in world.backend("osm").cases.values()]
    lookups = (
        [
            ("GET", f"/v2/servicerequest/cases/{rng.choice(cases)}", {"headers": headers})
            for _ in range(count)
        ]
        if cases
        else []
    )
    listing = (
        "GET",
        "/v2/servicerequest/cases",
        {"headers": headers, "params": {"status": 1, "limit": 10}},
    )
    return {"lookup": lookups, "filter": [listing] * count}


def percentile(samples: list[float], p: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(family: str, app: Any, world: Any, count: int) -> dict[str, Any]:
    import httpx

    transport = httpx.ASGITransport(app=app)
    result: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8080") as client:
        for name, calls in (await requests_for(family, world, client, count)).items():
            for method, url, kwargs in calls[:WARM_UP]:
                await client.request(method, url, **kwargs)
            timings, failures = [], 0
            for method, url, kwargs in calls:
                started = time.perf_counter()
                reply = await client.request(method, url, **kwargs)
                timings.append((time.perf_counter() - started) * 1000)
                failures += reply.status_code != 200
            result[name] = {
                "p50_ms": percentile(timings, 50),
                "p99_ms": percentile(timings, 99),
                "failures": failures,
            }
    return result


def child(family: str, n: int, count: int) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    import warnings

    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from mockserver.app import build_mock, create_app
    from mockserver.config import Config

    mock = build_mock(Config())
    app = create_app(mock)
    world = mock.world()
    started = time.perf_counter()
    FILL[family](world, n)
    fill_s = time.perf_counter() - started
    gc.collect()
    rss = rss_bytes()
    latency = asyncio.run(measure(family, app, world, count))
    return {"family": family, "n": n, "rss": rss, "fill_s": fill_s, **latency}


# -- the driver ----------------------------------------------------------------------------------


def run(family: str, n: int, count: int, timeout: float) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.growth",
        "--child",
        family,
        str(n),
        "--requests",
        str(count),
    ]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"family": family, "n": n, "error": f"took longer than {timeout:g} s"}
    if done.returncode != 0:
        return {"family": family, "n": n, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def with_bytes_per_ticket(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = {r["family"]: r["rss"] for r in results if r["n"] == 0 and "rss" in r}
    for r in results:
        if r["n"] and "rss" in r and r["family"] in base:
            r["bytes_per_ticket"] = round((r["rss"] - base[r["family"]]) / r["n"])
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    def ms(r: dict, name: str) -> str:
        kind = r.get(name) or {}
        if kind.get("p50_ms") is None:
            return "-"
        failed = f" ({kind['failures']} failed)" if kind.get("failures") else ""
        return f"{kind['p50_ms']:.2f} / {kind['p99_ms']:.2f}{failed}"

    lines = [
        "| family | tickets | RSS MiB | bytes/ticket | fill s | lookup p50 / p99 ms "
        "| filter p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['family']} | {r['n']:,} | {r['error']} | | | | |")
            continue
        lines.append(
            f"| {r['family']} | {r['n']:,} | {r['rss'] / 2**20:.1f} "
            f"| {r.get('bytes_per_ticket', '-')} | {r['fill_s']:.1f} "
            f"| {ms(r, 'lookup')} | {ms(r, 'filter')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench growth", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="numbers of tickets, comma separated (default 0,10000,100000)",
    )
    parser.add_argument(
        "--families",
        default=",".join(FAMILIES),
        help="zstack, coc and/or osm, comma separated (default all)",
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="measured requests of each kind (default 300)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds one measurement may take (default 600)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here, as JSON")
    parser.add_argument("--child", nargs=2, metavar=("FAMILY", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.requests)))
        return 0
    families = [f for f in args.families.split(",") if f]
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        parser.error(f"unknown families {', '.join(unknown)}; known: {', '.join(FAMILIES)}")
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | {0})
    results = []
    for family in families:
        for n in sizes:
            results.append(run(family, n, args.requests, args.timeout))
            print(f"  {family} {n:,}: done", file=sys.stderr)
    results = with_bytes_per_ticket(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
