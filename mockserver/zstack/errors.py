"""ZStack's error codes, as the domain raises them and the HTTP layer reports them."""

from typing import Any


class ZStackError(Exception):
    code = "SYS.1000"
    description = "An internal error happened"

    def __init__(self, details: str) -> None:
        super().__init__(details)
        self.details = details

    def as_error(self) -> dict[str, Any]:
        """The `error` object of ZStack's replies."""
        return {"code": self.code, "description": self.description, "details": self.details}


class InternalError(ZStackError):
    pass


class ResourceNotFound(ZStackError):
    code = "SYS.1003"
    description = "Resource not found"


class OperationFailed(ZStackError):
    code = "SYS.1006"
    description = "An operation failed"


class InvalidArgument(ZStackError):
    code = "SYS.1007"
    description = "One or more API argument is invalid"


class AuthenticationFailed(ZStackError):
    code = "ID.1000"
    description = "Authentication failed"


class InvalidSession(ZStackError):
    code = "ID.1001"
    description = "Session expired or invalid"


class PermissionDenied(ZStackError):
    code = "ID.1002"
    description = "Permission denied"
