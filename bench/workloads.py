"""The requests the benchmark sends, as wrk Lua scripts.

Bodies are the examples of our own specs, so the mock, the bare Starlette app and Prism all get
the very same requests. A target says where each API family lives (`Target.prefixes`): the mock
and the bare app serve the specs' own paths, Prism serves each spec at its root.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

SPECS = Path(__file__).resolve().parent.parent / "specs"
# The admin session every default world has (fixtures/scenarios/default.yaml).
ZSTACK_AUTH = "OAuth b86c9016b4f24953a9edefb53ca0678c"
JSON = "application/json"


def example(spec_file: str, operation_id: str) -> dict:
    spec = yaml.safe_load((SPECS / spec_file).read_text(encoding="utf-8"))
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation["requestBody"]["content"][JSON]["example"]
    raise KeyError(operation_id)


ZSTACK_CREATE = example("zstack-tickets.yaml", "createTicket")
COC_LIST = example("huawei-coc-tickets.yaml", "listTickets")
COC_CREATE = example("huawei-coc-tickets.yaml", "createChangeTicket")
OSM_CREATE = example("huawei-osm-cases.yaml", "createCases")
APPROVE = {"changeTicketStatus": {"statusEvent": "approve", "comment": "benchmark"}}


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for ASCII text


def lua_headers(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()) + "}"


# Prints the run's numbers as one JSON line that bench.wrk reads; latencies in microseconds.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, '
    .. '"socket_errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Workload:
    name: str
    family: str
    description: str
    # Lua for wrk, given the target's path prefix for `family` and its auth headers.
    script: str

    def lua(self, prefix: str, headers: dict[str, str], extra: str = "") -> str:
        return (
            f"local prefix = {lua_string(prefix)}\n"
            f"local headers = {lua_headers(headers)}\n" + extra + self.script + DONE
        )


def one_request(method: str, path: str, body: dict | None = None) -> str:
    """A script that sends the same request again and again."""
    body_line = f"wrk.body = {lua_string(json.dumps(body))}\n" if body is not None else ""
    return (
        f"wrk.method = {lua_string(method)}\n"
        f"wrk.path = prefix .. {lua_string(path)}\n"
        + body_line
        + "for name, value in pairs(headers) do wrk.headers[name] = value end\n"
    )


# Creates, and after each 202 polls the job that the answer's location names: half the
# requests are creates, half are polls. (Prism's static 202 has no real location: its polls go
# to a made-up job, which it answers from the spec's example all the same.)
CREATE_AND_POLL = f"""
local jobs = {{}}
local create = {lua_string(json.dumps(ZSTACK_CREATE))}
request = function()
  local job = table.remove(jobs)
  if job then return wrk.format("GET", prefix .. "/api-jobs/" .. job, headers) end
  return wrk.format("POST", prefix .. "/tickets", headers, create)
end
response = function(status, response_headers, body)
  if status == 202 and body:find('"location"', 1, true) then
    local job = body:match('/api%-jobs/([%w%-]+)"') or "00000000000000000000000000000000"
    table.insert(jobs, job)
  end
end
"""

# Approves the tickets listed in the file wrk gets as its argument, one after the other, each
# twice (the default flow collection has two steps: IntermediateApproved, then FinalApproved):
# the harness lists more tickets than a run can approve twice.
APPROVE_LISTED = f"""
local uuids = {{}}
local next_one = 0
local approve = {lua_string(json.dumps(APPROVE))}
init = function(args)
  for line in io.lines(args[1]) do table.insert(uuids, line) end
end
request = function()
  local uuid = uuids[next_one % #uuids + 1]
  next_one = next_one + 1
  return wrk.format("PUT", prefix .. "/tickets/" .. uuid .. "/actions", headers, approve)
end
"""

WORKLOADS = [
    Workload(
        "zstack-query",
        "zstack",
        "ZStack: GET /tickets?q=status=Pending&limit=20 (a page of 20 tickets)",
        one_request("GET", "/tickets?q=status=Pending&limit=20"),
    ),
    Workload(
        "zstack-create-poll",
        "zstack",
        "ZStack: POST /tickets (202), then GET /api-jobs/{uuid} of its location",
        CREATE_AND_POLL,
    ),
    Workload(
        "zstack-approve",
        "zstack",
        "ZStack: PUT /tickets/{uuid}/actions approve, on pending tickets",
        APPROVE_LISTED,
    ),
    Workload(
        "coc-list",
        "coc",
        "COC: POST /v1/change/list-tickets, filtered by phase, newest first, 10 a page, total",
        one_request("POST", "/v1/change/list-tickets", COC_LIST),
    ),
    Workload(
        "osm-create",
        "osm",
        "OSM: POST /cases (a fault case with a region, severity and extends_map)",
        one_request("POST", "/cases", OSM_CREATE),
    ),
]
