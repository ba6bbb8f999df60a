"""Form parts declared as JSON are checked as sent.

An upload's `form_data` part is JSON (its encoding says application/json). Connexion parses it,
then casts its leaves to the schema's types (true or 1.5 become 1) before validating, which lets
wrongly typed values through; this validator checks the part as it came first.
"""

import json
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import format_error_with_path
from connexion.utils import all_json
from connexion.validators import MultiPartFormDataValidator
from jsonschema import Draft4Validator

from mockserver.validators import VALIDATORS as COMPILED


class _CheckedJsonParts:
    """Wraps connexion's URI parser: JSON parts are validated before it resolves the form."""

    def __init__(self, parser: Any, schema: dict) -> None:
        self._parser = parser
        self._properties = schema.get("properties", {})

    def resolve_form(self, form_data: dict) -> dict:
        for name, encoding in self._parser._body_encoding.items():
            if name not in form_data or not all_json([encoding.get("contentType")]):
                continue
            try:
                value = json.loads(form_data[name][-1])
            except ValueError as error:
                raise BadRequestProblem(detail=f"form part {name} is not JSON: {error}") from error
            for error in Draft4Validator(self._properties.get(name, {})).iter_errors(value):
                raise BadRequestProblem(
                    detail=f"{error.message}{format_error_with_path(exception=error)} in {name}"
                )
        return self._parser.resolve_form(form_data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


class JsonPartsValidator(MultiPartFormDataValidator):
    def __init__(self, *, schema: dict, uri_parser: Any = None, **kwargs: Any) -> None:
        checked = _CheckedJsonParts(uri_parser, schema) if uri_parser is not None else None
        super().__init__(schema=schema, uri_parser=checked, **kwargs)


VALIDATORS = {
    **COMPILED,
    "body": MediaTypeDict({**COMPILED["body"], "multipart/form-data": JsonPartsValidator}),
}
