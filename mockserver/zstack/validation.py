"""Connexion validators that tell ZStack's two kinds of bad input apart.

ZStack refuses a request it cannot read (unparsable JSON, no wrapper key, a JSON type
mismatch, a malformed header) at once with a plain-text 400, but reports a readable call whose
arguments break the API's constraints (a missing field, a value outside an enum, an over-long
name, a bad query parameter of a delete) through the job, as SYS.1007. The spec states the
constraints; these validators only label the errors.
"""

from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import format_error_with_path
from jsonschema import ValidationError

from mockserver.errors import ArgumentProblem
from mockserver.validators import VALIDATORS as COMPILED
from mockserver.validators import CompiledJSONRequestBodyValidator, CompiledParameterValidator

TRANSPORT_KEYWORDS = frozenset({"type", "oneOf"})


class ZStackBodyValidator(CompiledJSONRequestBodyValidator):
    async def _parse(self, stream, scope) -> Any:
        try:
            return await super()._parse(stream, scope)
        except UnicodeDecodeError as error:
            raise BadRequestProblem(detail="the body is not valid UTF-8") from error

    def _validate(self, body: Any) -> dict | None:
        if body is None:
            raise BadRequestProblem(detail="the request has no body")
        if self._admits(body):
            return None
        errors = sorted(self._validator.iter_errors(body), key=lambda e: len(e.path))
        if not errors:
            return None
        if any(_is_transport(error) for error in errors):
            raise BadRequestProblem(detail=_describe(next(e for e in errors if _is_transport(e))))
        raise ArgumentProblem(detail=_describe(errors[0]))


class ZStackParameterValidator(CompiledParameterValidator):
    def validate_query_parameter(self, param: dict, request) -> str | None:
        error = super().validate_query_parameter(param, request)
        if error:
            raise ArgumentProblem(detail=error)
        return None


def _is_transport(error: ValidationError) -> bool:
    """Errors Gson would hit while reading the body, before any API check runs."""
    return error.validator in TRANSPORT_KEYWORDS or len(error.absolute_path) == 0


def _describe(error: ValidationError) -> str:
    return f"{error.message}{format_error_with_path(exception=error)}"


VALIDATORS = {
    **COMPILED,
    "parameter": ZStackParameterValidator,
    "body": MediaTypeDict({**COMPILED["body"], "*/*json": ZStackBodyValidator}),
}
