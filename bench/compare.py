"""Throughput and latency of the mock, side by side with Prism and bare Starlette.

Every round starts each target afresh, then runs each workload against each target in turn
(the order of targets rotates from round to round), so slow drifts of the machine hit every
target alike. The numbers reported are the medians of the rounds.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

from bench import wrk
from bench.targets import (
    ROOT,
    PrismTarget,
    Target,
    bare_target,
    find_prism,
    mock_target,
    workdir,
)
from bench.workloads import COC_CREATE, WORKLOADS, ZSTACK_CREATE, Workload, one_request

# The one setting the benchmark changes: OSM's daily case quota (the vendor's 50 a domain)
# would turn all but the first 50 creates of a run into quota errors.
BENCH_CONFIG = {"osm": {"daily_case_quota": 1_000_000_000}}
PAGE_TICKETS = 40  # created before the first round, so that list pages are full


def populate(target: Target) -> None:
    """Tickets for the list workloads to show (the stateless Prism needs none)."""
    with httpx.Client(timeout=30) as client:
        for family, path, body in (
            ("zstack", "/tickets", ZSTACK_CREATE),
            ("coc", "/v1/change/tickets", COC_CREATE),
        ):
            url = target.url(family) + target.prefix(family) + path
            for _ in range(PAGE_TICKETS):
                reply = client.post(url, json=body, headers=target.headers[family])
                if reply.status_code >= 300:
                    raise RuntimeError(f"{target.name}: {url} answered {reply.status_code}")


def pending_tickets(target: Target, duration_s: float, cpus: set[int] | None, out: Path) -> int:
    """Fills a stateful target with pending tickets for the approve workload (creating them for
    as long as a run lasts) and writes their uuids to `out`; returns how many there are."""
    if not target.stateful:
        out.write_text("\n".join(f"{n:032x}" for n in range(1, 1001)) + "\n")
        return 1000
    family = "zstack"
    create = Workload("fill", family, "", one_request("POST", "/tickets", ZSTACK_CREATE))
    lua = create.lua(target.prefix(family), target.headers[family])
    wrk.run(target.url(family), lua, duration_s=duration_s, connections=32, cpus=cpus)
    uuids: list[str] = []
    with httpx.Client(timeout=60) as client:
        while True:
            reply = client.get(
                f"{target.url(family)}{target.prefix(family)}/tickets",
                params={
                    "q": "status=Pending",
                    "fields": "uuid",
                    "limit": 1000,
                    "start": len(uuids),
                },
                headers=target.headers[family],
            )
            page = reply.json()["inventories"]
            uuids += [inventory["uuid"] for inventory in page]
            if len(page) < 1000:
                break
    out.write_text("\n".join(uuids) + "\n")
    return len(uuids)


def records(target: Target, workload: Workload) -> int | None:
    """How many records a create workload's family holds in a stateful target."""
    if not target.stateful:
        return None
    family = workload.family
    url = target.url(family) + target.prefix(family)
    headers = target.headers[family]
    if workload.name == "zstack-create-poll":
        return httpx.get(f"{url}/tickets", params={"count": "true"}, headers=headers).json()[
            "total"
        ]
    if workload.name == "osm-create":
        reply = httpx.get(f"{url}/cases", params={"limit": 1}, headers=headers)
        return reply.json()["total_count"]
    return None


def run_workload(
    target: Target, workload: Workload, args: argparse.Namespace, cpus: set[int] | None, tmp: Path
) -> dict:
    extra_args: tuple[str, ...] = ()
    note = {}
    if workload.name == "zstack-approve":
        listed = tmp / f"pending-{target.name}.txt"
        note["pending_tickets"] = pending_tickets(target, args.duration, cpus, listed)
        extra_args = (str(listed),)
    family = workload.family
    lua = workload.lua(target.prefix(family), target.headers[family])
    if args.warmup and workload.name != "zstack-approve":
        # Unmeasured: Prism's JIT needs it; every target gets it alike.
        wrk.run(
            target.url(family), lua, duration_s=args.warmup, connections=args.connections, cpus=cpus
        )
    before = records(target, workload)
    result = wrk.run(
        target.url(family),
        lua,
        duration_s=args.duration,
        connections=args.connections,
        args=extra_args,
        cpus=cpus,
    )
    after = records(target, workload)
    if before is not None and after is not None:
        note["records_created"] = after - before
    if "pending_tickets" in note and target.stateful:
        # Each pending ticket takes two approvals; beyond that, approvals would fail.
        note["enough_tickets"] = result.requests <= 2 * note["pending_tickets"]
    return {
        "target": target.name,
        "workload": workload.name,
        "rps": round(result.rps, 1),
        **asdict(result),
        "bytes_per_answer": result.bytes_per_answer,
        "server_rss_mib": round(target.rss_mib(), 1),
        **note,
    }


def machine() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        memory_kib = int(meminfo.read_text().split()[1])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "commit": _command(["git", "rev-parse", "--short", "HEAD"]),
        "wrk": _command([wrk.wrk_binary(), "-v"]).splitlines()[0],
    }


def _command(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=30)
        return (done.stdout or done.stderr).strip()
    except OSError:
        return "unknown"


def summarize(rows: list[dict], targets: list[str]) -> list[dict]:
    summary = []
    for workload in [w.name for w in WORKLOADS if any(r["workload"] == w.name for r in rows)]:
        entry: dict = {"workload": workload}
        for target in targets:
            runs = [r for r in rows if r["workload"] == workload and r["target"] == target]
            if not runs:
                continue
            entry[target] = {
                "rps": statistics.median(r["rps"] for r in runs),
                "rps_range": [min(r["rps"] for r in runs), max(r["rps"] for r in runs)],
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["status_errors"] + r["socket_errors"] for r in runs),
                "bytes_per_answer": statistics.median(r["bytes_per_answer"] for r in runs),
                "server_rss_mib": max(r["server_rss_mib"] for r in runs),
                "runs": len(runs),
            }
            created = [r["records_created"] for r in runs if "records_created" in r]
            if created:
                entry[target]["records_created"] = statistics.median(created)
            if any("enough_tickets" in r for r in runs):
                entry[target]["enough_tickets"] = all(r.get("enough_tickets", True) for r in runs)
        mock = entry.get("ticketkit")
        if mock:
            for other in ("prism", "starlette"):
                if other in entry and entry[other]["rps"]:
                    entry[f"ticketkit_vs_{other}"] = round(mock["rps"] / entry[other]["rps"], 2)
        summary.append(entry)
    return summary


def markdown(report: dict) -> str:
    targets = report["targets"]
    lines = [
        "| workload | " + " | ".join(f"{t} req/s [min–max]" for t in targets)
        + " | " + " | ".join(f"{t} p50 / p99 ms" for t in targets)
        + " | ticketkit ÷ prism | ticketkit ÷ starlette |",
        "|---" * (2 * len(targets) + 3) + "|",
    ]  # fmt: skip
    for entry in report["summary"]:
        cells = [entry["workload"]]
        for t in targets:
            s = entry.get(t)
            cells.append(
                f"{s['rps']:.0f} [{s['rps_range'][0]:.0f}–{s['rps_range'][1]:.0f}]" if s else "–"
            )
        for t in targets:
            s = entry.get(t)
            cells.append(f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f}" if s else "–")
        for other in ("prism", "starlette"):
            ratio = entry.get(f"ticketkit_vs_{other}")
            cells.append(f"{ratio:.2f}" if ratio is not None else "–")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| workload | " + " | ".join(f"{t} bytes per answer" for t in targets) + " |",
        "|---" * (len(targets) + 1) + "|",
    ]
    for entry in report["summary"]:
        sizes = [f"{entry[t]['bytes_per_answer']:.0f}" if t in entry else "–" for t in targets]
        lines.append(f"| {entry['workload']} | " + " | ".join(sizes) + " |")
    checks = []
    for entry in report["summary"]:
        for t in targets:
            s = entry.get(t) or {}
            if s.get("errors"):
                checks.append(f"- {t}, {entry['workload']}: {s['errors']} errors")
            if "records_created" in s:
                checks.append(
                    f"- {t}, {entry['workload']}: {s['records_created']:.0f} records created a run"
                )
            if s.get("enough_tickets") is False:
                checks.append(f"- {t}, {entry['workload']}: ran out of pending tickets")
    if checks:
        lines += ["", *checks]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench compare", description=__doc__)
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--warmup", type=float, default=3, help="unmeasured seconds before each run (0: none)"
    )
    parser.add_argument("--targets", default="ticketkit,starlette,prism")
    parser.add_argument("--workloads", default=",".join(w.name for w in WORKLOADS))
    parser.add_argument("--prism", help="the prism binary (default: $PRISM, then the PATH)")
    parser.add_argument("--json", type=Path, help="write every run and the summary here")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="do not pin servers to CPU 0 and wrk to CPU 1 (pinning needs 2 cores or more)",
    )
    args = parser.parse_args(argv)

    tmp = workdir()
    config = tmp / "bench-config.yaml"
    config.write_text(yaml.safe_dump(BENCH_CONFIG))
    wanted = args.targets.split(",")
    targets: list[Target] = []
    for name in wanted:
        if name == "ticketkit":
            targets.append(mock_target(config))
        elif name == "starlette":
            targets.append(bare_target(config))
        elif name == "prism":
            prism = find_prism(args.prism)
            if prism is None:
                parser.error("prism not found: npm install @stoplight/prism-cli@5.14.2, --prism")
            targets.append(PrismTarget(prism))
        else:
            parser.error(f"unknown target {name!r}")
    workloads = [w for w in WORKLOADS if w.name in args.workloads.split(",")]
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    server_cpus, wrk_cpus = ({0}, {1}) if pin else (None, None)

    rows: list[dict] = []
    started = time.monotonic()
    for round_number in range(args.runs):
        order = targets[round_number % len(targets) :] + targets[: round_number % len(targets)]
        try:
            for target in order:
                target.start(tmp, server_cpus)
                if target.stateful:
                    populate(target)
            for workload in workloads:
                for target in order:
                    row = run_workload(target, workload, args, wrk_cpus, tmp)
                    row["round"] = round_number + 1
                    rows.append(row)
                    print(
                        f"round {row['round']}  {workload.name:<20} {target.name:<10} "
                        f"{row['rps']:>8.0f} req/s  p50 {row['p50_ms']:.1f} ms  "
                        f"p99 {row['p99_ms']:.1f} ms  errors {row['status_errors']}",
                        flush=True,
                    )
        finally:
            for target in order:
                target.stop()
    report = {
        "machine": machine(),
        "settings": {
            "duration_s": args.duration,
            "runs": args.runs,
            "connections": args.connections,
            "pinned": "servers on CPU 0, wrk on CPU 1" if pin else "not pinned",
            "config": BENCH_CONFIG,
            "elapsed_s": round(time.monotonic() - started),
        },
        "targets": [t.name for t in targets],
        "workloads": {w.name: w.description for w in workloads},
        "runs": rows,
        "summary": summarize(rows, [t.name for t in targets]),
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(markdown(report))
    return 0
