"""A body validator that names every offending field, not only the first one jsonschema meets.

A COC body with several fields of the other ticket kind is refused with all of them named.
"""

from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import format_error_with_path

from mockserver.validators import VALIDATORS as COMPILED
from mockserver.validators import CompiledJSONRequestBodyValidator

MAX_ERRORS = 10


class AllErrorsBodyValidator(CompiledJSONRequestBodyValidator):
    def _validate(self, body: Any) -> None:
        if not self._nullable and body is None:
            raise BadRequestProblem(detail="Request body must not be empty")
        if body is not None and self._admits(body):
            return
        errors = sorted(
            self._validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path]
        )
        if errors:
            described = [f"{e.message}{format_error_with_path(exception=e)}" for e in errors]
            raise BadRequestProblem(detail="; ".join(described[:MAX_ERRORS]))


VALIDATORS = {
    **COMPILED,
    "body": MediaTypeDict({**COMPILED["body"], "*/*json": AllErrorsBodyValidator}),
}
