"""The compiled validators (mockserver/validators.py): Rust admits only what jsonschema admits,
connexion's error messages stay word for word, and every schema of the specs takes the fast
path."""

import asyncio
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from connexion.exceptions import BadRequestProblem, NonConformingResponseBody
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.validators import (
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from mockserver.app import build_mock, create_app
from mockserver.config import Config
from mockserver.validators import (
    CompiledJSONRequestBodyValidator,
    CompiledJSONResponseBodyValidator,
    CompiledParameterValidator,
    admits,
    for_rust,
    parse_json,
    plain_json,
    rust_check,
    same_in_rust,
)

PYTHON = {
    "parameter": Draft4Validator,
    "request": Draft4RequestValidator,
    "response": Draft4ResponseValidator,
}


def python_valid(schema: dict, reading: str, instance: Any) -> bool:
    cls = PYTHON[reading]
    return cls(schema, format_checker=Draft4Validator.FORMAT_CHECKER).is_valid(instance)


def rust_admits(schema: dict, reading: str, instance: Any) -> bool:
    return admits(rust_check(schema, reading), instance)


# -- Rust admits only what jsonschema admits ----------------------------------------------------

TRICKY = [
    # Python's re: "$" also matches before a final newline
    ({"type": "string", "pattern": "^[0-9a-f]{32}$"}, "0123456789abcdef0123456789abcdef\n"),
    ({"type": "string", "pattern": "^[0-9a-f]{32}$"}, "0123456789ABCDEF0123456789ABCDEF"),
    ({"type": "string", "pattern": r"^\s*$"}, "\ufeff"),
    # jsonschema's float arithmetic
    ({"type": "number", "multipleOf": 0.1}, 0.3),
    ({"type": "number", "multipleOf": 1}, 1.5),
    ({"type": "number", "multipleOf": 1}, 3.0),
    # numbers Rust compares otherwise
    ({"maximum": 2**63}, 2**64),
    ({"minimum": 0}, -math.inf),
    ({"maximum": 1000}, math.inf),
    ({"type": "number", "maximum": 1000}, math.nan),
    ({"not": {"type": "number"}}, math.inf),
    ({"type": "integer", "maximum": 10}, 10**30),
    ({"type": "integer"}, 1.0),
    ({"enum": [1]}, True),
    # values that are not JSON
    ({"type": "array"}, (1, 2)),
    ({"type": "object"}, {1: "a"}),
    ({"type": "string", "maxLength": 1}, "\ud800"),
    # formats jsonschema checks, and those it does not
    ({"type": "string", "format": "date-time"}, "2026-01-15T10:00:00Z"),
    ({"type": "string", "format": "date-time"}, "15 Jan 2026"),
    ({"type": "string", "format": "uuid"}, "not a uuid"),
    ({"type": "string", "format": "email"}, "nobody"),
    # connexion's nullable, which only its body validators honour
    ({"type": "string", "nullable": True}, None),
    ({"type": "string", "enum": ["a"], "x-nullable": True}, None),
    ({"type": "string", "nullable": False}, None),
    ({"type": "object", "properties": {"a": {"type": "integer", "nullable": True}}}, {"a": None}),
    # keywords Rust is never asked about
    ({"type": "array", "uniqueItems": True}, [1, 1.0]),
    ({"type": "object", "patternProperties": {"^a": {"type": "integer"}}}, {"ab": "x"}),
    ({"type": "string", "writeOnly": True}, "secret"),
]


@pytest.mark.parametrize("reading", ["parameter", "request", "response"])
@pytest.mark.parametrize(("schema", "instance"), TRICKY)
def test_rust_admits_only_what_jsonschema_admits(schema, instance, reading):
    if rust_admits(schema, reading, instance):
        assert python_valid(schema, reading, instance)


def test_rust_takes_the_ordinary_cases():
    assert rust_admits({"type": "string", "pattern": "^a$"}, "request", "a")
    assert not rust_admits({"type": "string", "pattern": "^a$"}, "request", "a\n")  # jsonschema's
    assert rust_admits({"type": "string", "pattern": r"^\s*$"}, "request", " ")
    date_time = {"type": "string", "format": "date-time"}
    assert rust_admits(date_time, "response", "2026-01-15T10:00:00Z")
    assert rust_admits({"type": "number", "multipleOf": 1}, "request", 3.0)
    assert rust_admits({"type": "string", "nullable": True}, "request", None)
    assert not rust_admits({"type": "string", "nullable": True}, "parameter", None)
    assert rust_check({"type": "string", "writeOnly": True}, "request") is not None
    assert rust_check({"type": "string", "writeOnly": True}, "response") is None
    assert rust_check({"type": "array", "uniqueItems": True}, "request") is None


@pytest.mark.parametrize(
    "pattern",
    [r"^[0-9a-f]{32}$", r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", r"^[^,]+$", r"^(a|b)(!~=[\s\S]*)?$",
     r"^APIGW\.[0-9]+$", r"^[0-9]{1,2}(,[0-9]{1,2})*$"],
)
def test_patterns_both_engines_read_alike_are_checked_in_rust(pattern):
    assert same_in_rust(pattern)
    assert for_rust({"type": "string", "pattern": pattern}, "request") == {
        "type": "string", "pattern": pattern
    }


@pytest.mark.parametrize(
    "pattern",
    [r"^\s*$", r"\d", r"\w+", r"\bword", r"a.c", r"(?i)abc", r"(?=a)", r"[[:alpha:]]", r"[a&&b]",
     r"[a--b]", r"a{,3}", r"x{2}{3}", r"[a-z", r"é"],
)
def test_other_patterns_are_left_to_pythons_re(pattern):
    assert not same_in_rust(pattern)
    assert for_rust({"type": "string", "pattern": pattern}, "request") == {
        "type": "string", "x-python-pattern": pattern
    }


@pytest.mark.parametrize(
    ("text", "plain"),
    [('{"a": [1, 2.5, "x", null, true]}', True), (str(2**53), True), (str(2**53 + 1), False),
     ("-1e400", False), ('{"a": NaN}', False), ("[Infinity]", False), ('"9007199254740993"', True)],
)
def test_a_parsed_response_says_whether_it_is_plain_json(text, plain):
    value, found = parse_json(text)
    assert found is plain
    assert plain_json(value) is plain


# -- every schema of the specs ------------------------------------------------------------------


def _subschemas(schema: Any) -> Iterator[dict]:
    if not isinstance(schema, dict):
        return
    yield schema
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            for sub in value.values():
                yield from _subschemas(sub)
        elif key in ("allOf", "anyOf", "oneOf") or (key == "items" and isinstance(value, list)):
            for sub in value:
                yield from _subschemas(sub)
        elif key in ("items", "not", "additionalProperties", "additionalItems"):
            yield from _subschemas(value)


def _spec_schemas() -> list[tuple[str, str, dict]]:
    """(where, reading, schema) of every parameter, body and response of the app's specs."""
    app = create_app(build_mock(Config()))

    async def start() -> None:  # connexion builds its middlewares on the first request
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.get("/__admin/health")

    asyncio.run(start())
    found = []
    stack = app.middleware.middleware_stack
    validation = next(m for m in stack if isinstance(m, ResponseValidationMiddleware))
    for apis in validation.apis.values():
        for api in apis:
            for operation_id, routed in api.operations.items():
                operation = routed._operation
                for param in operation.parameters:
                    where = f"{operation_id} {param['in']} {param['name']}"
                    found.append((where, "parameter", param.get("schema", param)))
                for content_type in operation.consumes:
                    if schema := operation.body_schema(content_type):
                        found.append((f"{operation_id} body", "request", schema))
                for status, response in operation.responses.items():
                    for content_type in response.get("content", {}):
                        schema = operation.response_schema(status, content_type)
                        if schema:
                            found.append((f"{operation_id} {status}", "response", schema))
    return found


SPEC_SCHEMAS = _spec_schemas()


def test_every_schema_of_the_specs_takes_the_fast_path():
    assert len(SPEC_SCHEMAS) > 500
    slow = [where for where, reading, schema in SPEC_SCHEMAS if rust_check(schema, reading) is None]
    assert slow == []


def _leaves() -> list[tuple[str, dict]]:
    seen: dict[int, tuple[str, dict]] = {}
    for _, reading, schema in SPEC_SCHEMAS:
        for sub in _subschemas(schema):
            seen.setdefault(id(sub), (reading, sub))
    return list(seen.values())


LEAVES = _leaves()


def _seeds() -> list[Any]:
    """The specs' own values (enum members, examples), to land near the edges of patterns."""
    values: list[Any] = []
    for _, schema in LEAVES:
        values.extend(schema.get("enum") or [])
        if "example" in schema:
            values.append(schema["example"])
    strings = [v for v in values if isinstance(v, str)]
    return values + [s + "\n" for s in strings] + [s.upper() for s in strings]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(_seeds()),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.sampled_from(["id", "name", "status"]), inner),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(leaf=st.sampled_from(LEAVES), instance=JSON)
def test_rust_and_jsonschema_agree_on_the_specs_schemas(leaf, instance):
    reading, schema = leaf
    if rust_admits(schema, reading, instance):
        assert python_valid(schema, reading, instance), (schema, instance)


# -- connexion's messages, word for word --------------------------------------------------------

BODY_SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "maxLength": 3, "pattern": "^[a-z]+$"},
        "size": {"type": "integer", "minimum": 1, "nullable": True},
        "kind": {"type": "string", "enum": ["a", "b"]},
    },
}
BAD_BODIES = [
    {},
    {"name": 5},
    {"name": "toolong"},
    {"name": "A1"},
    {"name": "ab", "size": 0},
    {"name": "ab", "size": 1.5},
    {"name": "ab", "kind": "c"},
    {"name": "ab", "kind": None},
    [],
]


def _problem(validate, body) -> str | None:
    try:
        validate(body)
    except (BadRequestProblem, NonConformingResponseBody) as problem:
        return problem.detail
    return None


@pytest.mark.parametrize("body", [*BAD_BODIES, {"name": "ab", "size": None}])
def test_body_errors_are_connexions(body):
    options = {"schema": BODY_SCHEMA, "encoding": "utf-8", "strict_validation": False}
    stock = JSONRequestBodyValidator(**options)
    compiled = CompiledJSONRequestBodyValidator(**options)
    assert _problem(compiled._validate, body) == _problem(stock._validate, body)
    stock_response = JSONResponseBodyValidator({}, schema=BODY_SCHEMA, encoding="utf-8")
    compiled_response = CompiledJSONResponseBodyValidator({}, schema=BODY_SCHEMA, encoding="utf-8")
    assert _problem(compiled_response._validate, body) == _problem(stock_response._validate, body)


PARAMETERS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 9}},
    {"name": "q", "in": "query", "schema": {"type": "array", "items": {"pattern": "^[a-z]+=."}}},
    {"name": "uuid", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "at", "in": "query", "schema": {"type": "string", "format": "date-time"}},
]
VALUES = [None, 5, 10, -1, 2.5, "x", ["a=1"], ["A=1", "b"], "2026-01-15T10:00:00Z", "now"]


@pytest.mark.parametrize("param", PARAMETERS, ids=lambda p: p["name"])
@pytest.mark.parametrize("value", VALUES)
def test_parameter_errors_are_connexions(param, value):
    stock = ParameterValidator.validate_parameter("query", value, param)
    assert CompiledParameterValidator.validate_parameter("query", value, param) == stock
