"""What the scenario seeders of every family share.

A seeder reads its family's part of fixtures/scenarios/<name>.yaml and drives the family's model
with it, as the HTTP calls would. Whatever it cannot use raises the world's ScenarioError, whose
message starts with the entry at fault, e.g. `coc.tickets[2].actions[0]: ...`.
"""

import base64
import binascii
from functools import cache
from typing import Any

import yaml
from connexion.json_schema import Draft4RequestValidator, format_error_with_path, resolve_refs
from jsonschema import Draft4Validator

from mockserver.clock import Clock
from mockserver.resources import specs_dir
from mockserver.world import ScenarioError

__all__ = [
    "ScenarioError",
    "check_body",
    "check_keys",
    "entries",
    "file_content",
    "mapping",
    "wait",
]

MAX_ERRORS = 5


def entries(data: dict[str, Any], key: str, where: str) -> list[tuple[str, dict[str, Any]]]:
    """The mappings listed under `key`, each with its place, e.g. ("coc.tickets[0]", {...})."""
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise ScenarioError(f"{where}.{key}: expected a list, got {type(items).__name__}")
    found = []
    for index, item in enumerate(items):
        place = f"{where}.{key}[{index}]"
        if not isinstance(item, dict):
            raise ScenarioError(f"{place}: expected a mapping, got {item!r}")
        found.append((place, item))
    return found


def check_keys(
    entry: dict[str, Any], where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    """Refuses an entry that lacks a required key or has one the seeder does not know."""
    missing = [key for key in required if entry.get(key) is None]
    if missing:
        raise ScenarioError(f"{where}: lacks {', '.join(missing)}")
    unknown = sorted(str(key) for key in entry if key not in required and key not in optional)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key {', '.join(unknown)}; known: {', '.join(required + optional)}"
        )


def mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping, got {value!r}")
    return dict(value)


def wait(clock: Clock, entry: dict[str, Any], where: str) -> None:
    """Moves the world's clock on by the entry's `wait` seconds (default 0) before its step, so
    the steps of a history lie apart as they would in real use."""
    seconds = entry.get("wait", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ScenarioError(f"{where}.wait: expected 0 or more seconds, got {seconds!r}")
    if seconds:
        clock.advance(seconds)


def check_body(spec_file: str, operation_id: str, body: Any, where: str) -> None:
    """Refuses `body` as the request validation of the operation would (the spec's schema)."""
    validator = Draft4RequestValidator(
        _request_schema(spec_file, operation_id), format_checker=Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        described = [f"{e.message}{format_error_with_path(exception=e)}" for e in errors]
        raise ScenarioError(
            f"{where}: the body breaks the spec of {operation_id}: "
            + "; ".join(described[:MAX_ERRORS])
        )


@cache
def _spec(spec_file: str) -> dict[str, Any]:
    return resolve_refs(yaml.safe_load((specs_dir() / spec_file).read_text(encoding="utf-8")))


@cache
def _request_schema(spec_file: str, operation_id: str) -> dict[str, Any]:
    for item in _spec(spec_file)["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation["requestBody"]["content"]["application/json"]["schema"]
    raise LookupError(f"{spec_file} has no operation {operation_id} with a JSON body")


def file_content(entry: Any, where: str) -> tuple[str, bytes]:
    """The name and bytes of a file given as {name, text} or {name, base64}."""
    entry = mapping(entry, where)
    check_keys(entry, where, ("name",), ("text", "base64"))
    if ("text" in entry) == ("base64" in entry):
        raise ScenarioError(f"{where}: give the content as text or as base64, one of them")
    if not isinstance(entry["name"], str):
        raise ScenarioError(f"{where}.name: expected a file name, got {entry['name']!r}")
    if "text" in entry:
        if not isinstance(entry["text"], str):
            raise ScenarioError(f"{where}.text: expected a string")
        return entry["name"], entry["text"].encode("utf-8")
    try:
        return entry["name"], base64.b64decode(str(entry["base64"]).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as error:
        raise ScenarioError(f"{where}.base64: not valid base64: {error}") from error
