"""Connexion's validators with each schema compiled once, and checked in Rust first.

Connexion 3.3 builds a new jsonschema validator for every parameter, body and response of every
request (deep-copying each parameter's definition first), and jsonschema walks the schema in
Python: most of the cost of a validated request. These validators keep one jsonschema validator
per schema for the life of the app, and first ask jsonschema-rs, compiled from the same schema,
whether an instance is valid. Rust only ever admits: whatever it refuses is judged again by the
very jsonschema validator connexion would have used, so every error message stays jsonschema's,
word for word.

Rust is asked only where it judges exactly as jsonschema does:
- schemas made of the keywords below (any other keyword leaves the schema to jsonschema alone),
  with connexion's `nullable` spelled out as a "null" type and a null enum member; for
  `format`, `multipleOf` and any `pattern` but those written in the part of regular expression
  syntax both engines read alike (SAME_IN_RUST), Rust calls jsonschema's own functions back;
- instances made of plain JSON values whose numbers lie within ±2**53 (beyond that, Rust compares
  floats and big integers differently, and NaN and the infinities are not numbers to it). A
  response body parsed here says so as it is parsed, instead of being walked again.
"""

import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema_rs
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseBody
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    VALIDATOR_MAP,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft4Validator, ValidationError

FORMAT_CHECKER = Draft4Validator.FORMAT_CHECKER
# Numbers Rust compares exactly as Python does (integers and floats alike).
EXACT = 2**53
# Schemas live as long as the app; the bound only stops a leak should one come per request.
CACHE_LIMIT = 4096

# Keywords whose value holds subschemas, and how.
SUBSCHEMA_MAPS = frozenset({"properties"})
SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
SUBSCHEMAS = frozenset({"not", "items", "additionalItems", "additionalProperties"})
# Keywords Rust checks as jsonschema does (values vetted as plain JSON below).
PLAIN = frozenset(
    {
        "type",
        "enum",
        "required",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
# Annotations both ignore (and `components`, which connexion attaches to each body and response
# schema for $ref lookups; its specs come with every $ref resolved).
ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "default",
        "readOnly",
        "deprecated",
        "discriminator",
        "externalDocs",
        "xml",
        "nullable",
        "components",
    }
)
# Connexion's response validator refuses any value under these; its request validator ignores them.
WRITE_ONLY = frozenset({"writeOnly", "x-writeOnly"})


# -- jsonschema's judgement of the keywords Rust calls back for ----------------------------------

# A validator for jsonschema's keyword functions to ask about types and formats.
_JUDGE = Draft4Validator({}, format_checker=FORMAT_CHECKER)


def _called_back(keyword: str) -> type:
    """A jsonschema-rs keyword that runs jsonschema's own function for `keyword`."""
    function = Draft4Validator.VALIDATORS[keyword]

    class Keyword:
        def __init__(self, parent_schema: dict, value: Any, schema_path: list) -> None:
            self.schema = parent_schema
            self.value = value

        def validate(self, instance: Any) -> None:
            for _ in function(_JUDGE, self.value, instance, self.schema):
                raise ValueError(keyword)

    Keyword.__name__ = f"jsonschema_{keyword}"
    return Keyword


# Python's re and jsonschema's format checks and float arithmetic differ from Rust's: Rust calls
# these back under names of their own (a pattern Rust reads as Python does keeps "pattern").
JUDGED_IN_PYTHON = ("pattern", "format", "multipleOf")
CALLED_BACK = {f"x-python-{keyword}": _called_back(keyword) for keyword in JUDGED_IN_PYTHON}

# Regular expressions made of literals, escaped metacharacters, classes of literals and ranges,
# "any character" as [\s\S], groups, alternation, anchors and repetition mean the same to
# Python's re and Rust's regex engines, but for "$": Python's also matches before a final
# newline, Rust's only at the very end, which only sends such a string on to jsonschema.
# Rust's class operators (&&, --, ~~), flags and other (?...) groups are left out.
SAME_IN_RUST = re.compile(
    r"""(?:
        [A-Za-z0-9\ _,:;!=<>@\#%'"/~-]
      | \\[.?+*()\[\]{}|^$\\/-]
      | \[\^?(?:[A-Za-z0-9\ _.,:;!=<>@\#%'"/+*?(){}|$-]|\\[\]\\^-])+\]
      | \[\\s\\S\]
      | [()|^$*+?]
      | \{[0-9]+(?:,[0-9]*)?\}
    )*""",
    re.VERBOSE,
)


def same_in_rust(pattern: str) -> bool:
    """Whether Rust's regex engine reads `pattern` as Python's re does."""
    if not SAME_IN_RUST.fullmatch(pattern) or "(?" in pattern or "--" in pattern:
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


# -- what Rust may judge ------------------------------------------------------------------------


def plain_json(value: Any) -> bool:
    """Whether `value` is made of JSON's own types only, with every number within ±2**53."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int or kind is float:
        return -EXACT <= value <= EXACT  # False for NaN too
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not plain_json(item):
                return False
        return True
    if kind is list:
        return all(plain_json(item) for item in value)
    return False


class NotForRust(Exception):
    """A schema that only jsonschema may judge."""


# How connexion's jsonschema validators read a schema, by what they validate: whether null gets
# through a nullable schema's `type` and `enum`, and whether writeOnly refuses any value.
READINGS = {
    "parameter": (False, False),  # plain Draft4Validator
    "request": (True, False),  # Draft4RequestValidator
    "response": (True, True),  # Draft4ResponseValidator
}


def for_rust(schema: Any, reading: str) -> Any:
    """The validating part of `schema`, as connexion's validator for `reading` (parameter,
    request or response) understands it; NotForRust when the schema holds anything Rust might
    judge differently."""
    nullable, refuses_write_only = READINGS[reading]
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        raise NotForRust(f"a schema that is not an object: {schema!r}")
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in SUBSCHEMA_MAPS:
            if not isinstance(value, dict):
                raise NotForRust(f"{key}: {value!r}")
            out[key] = {name: for_rust(sub, reading) for name, sub in value.items()}
        elif key in SUBSCHEMA_LISTS or (key == "items" and isinstance(value, list)):
            if not isinstance(value, list):
                raise NotForRust(f"{key}: {value!r}")
            out[key] = [for_rust(sub, reading) for sub in value]
        elif key in SUBSCHEMAS:
            out[key] = for_rust(value, reading)
        elif key in PLAIN or key in JUDGED_IN_PYTHON:
            if not plain_json(value):
                raise NotForRust(f"{key}: {value!r}")
            native = key in PLAIN or (key == "pattern" and same_in_rust(value))
            out[key if native else f"x-python-{key}"] = value
        elif key in WRITE_ONLY:
            if refuses_write_only:
                raise NotForRust(key)
        elif key not in ANNOTATIONS and not key.startswith("x-"):
            raise NotForRust(key)
    types = out.get("type")
    if types is not None and not all(
        t in TYPES for t in (types if isinstance(types, list) else [types])
    ):
        raise NotForRust(f"type: {types!r}")
    # connexion's body validators let null through `type` and `enum` where it is nullable
    if nullable and (schema.get("x-nullable") is True or schema.get("nullable")):
        if types is not None:
            types = types if isinstance(types, list) else [types]
            out["type"] = types if "null" in types else [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def _rust_check(schema: dict, reading: str) -> Callable[[Any], bool] | None:
    try:
        translated = for_rust(schema, reading)
        return jsonschema_rs.Draft4Validator(translated, keywords=CALLED_BACK).is_valid
    except Exception:  # NotForRust, or a schema Rust cannot compile: jsonschema alone
        return None


def admits(check: Callable[[Any], bool] | None, instance: Any, plain: bool = False) -> bool:
    """True when Rust finds `instance` valid; False means "ask jsonschema". `plain`: the
    instance is known to be plain JSON."""
    if check is None:
        return False
    try:
        return (plain or plain_json(instance)) and check(instance)
    except Exception:  # too deep to walk, or strings Rust cannot take: jsonschema decides
        return False


# -- one compiled validator per schema ----------------------------------------------------------

_compiled: dict[tuple[Any, int], tuple[Any, Any]] = {}


def _once(kind: Any, schema: Any, build: Callable[[], Any]) -> Any:
    key = (kind, id(schema))
    entry = _compiled.get(key)
    if entry is None or entry[0] is not schema:  # the entry holds its schema: ids stay unique
        if len(_compiled) >= CACHE_LIMIT:
            _compiled.clear()
        entry = _compiled[key] = (schema, build())
    return entry[1]


def python_validator(cls: type, schema: dict) -> Any:
    """The jsonschema validator of class `cls` for `schema`, as connexion builds it."""
    return _once(cls, schema, lambda: cls(schema, format_checker=FORMAT_CHECKER))


def rust_check(schema: dict, reading: str) -> Callable[[Any], bool] | None:
    """Rust's is_valid for `schema` read as a parameter, request or response schema, or None
    where only jsonschema may judge it."""
    return _once(reading, schema, lambda: _rust_check(schema, reading))


# -- connexion's validators ---------------------------------------------------------------------


class CompiledParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        # connexion's own, less the deep copy of `param` and the new validator
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            schema = param.get("schema", param)
            if admits(rust_check(schema, "parameter"), value):
                return None
            try:
                python_validator(Draft4Validator, schema).validate(value)
            except ValidationError as exception:
                return str(exception)
            return None
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


class CompiledJSONRequestBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self):
        return python_validator(Draft4RequestValidator, self._schema)

    def _admits(self, body: Any) -> bool:
        """Whether Rust finds `body` valid (then jsonschema would find no error either)."""
        return admits(rust_check(self._schema, "request"), body)

    def _validate(self, body: Any) -> dict | None:
        if body is not None and self._admits(body):
            return None
        return super()._validate(body)


class _Plainness:
    """Whether the numbers of a JSON text parsed with it were all plain (see plain_json)."""

    def __init__(self) -> None:
        self.plain = True

    def number(self, text: str, kind: type) -> Any:
        value = kind(text)
        if not -EXACT <= value <= EXACT:
            self.plain = False
        return value

    def constant(self, text: str) -> float:
        self.plain = False  # NaN, Infinity, -Infinity
        return float(text)


def parse_json(text: str) -> tuple[Any, bool]:
    """json.loads(text), and whether the value is plain JSON (see plain_json)."""
    plainness = _Plainness()
    value = json.loads(
        text,
        parse_int=lambda t: plainness.number(t, int),
        parse_float=lambda t: plainness.number(t, float),
        parse_constant=plainness.constant,
    )
    return value, plainness.plain


class CompiledJSONResponseBodyValidator(JSONResponseBodyValidator):
    _plain = False  # whether _parse found the body plain JSON

    @property
    def validator(self):
        return python_validator(Draft4ResponseValidator, self._schema)

    def _parse(self, stream) -> Any:
        text = b"".join(stream).decode(self._encoding)
        if not text:
            return None
        try:
            body, self._plain = parse_json(text)
        except json.JSONDecodeError as error:
            raise NonConformingResponseBody(str(error)) from error
        return body

    def _validate(self, body: Any):
        if admits(rust_check(self._schema, "response"), body, self._plain):
            return
        super()._validate(body)


class CompiledTextResponseBodyValidator(
    CompiledJSONResponseBodyValidator, TextResponseBodyValidator
):
    """Plain-text answers (parsed as JSON when they are)."""

    _parse = TextResponseBodyValidator._parse


VALIDATORS = {
    "parameter": CompiledParameterValidator,
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": CompiledJSONRequestBodyValidator}),
    "response": MediaTypeDict(
        {
            **VALIDATOR_MAP["response"],
            "*/*json": CompiledJSONResponseBodyValidator,
            "text/plain": CompiledTextResponseBodyValidator,
        }
    ),
}
