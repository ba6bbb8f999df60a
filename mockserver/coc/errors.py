"""COC's error answers: the GOM envelope with the vendor's codes, and ours where none is public."""

PROVIDER_CODE = "049"
OK = "GOM.00000000"


def envelope(data, code: str = OK, message: str | None = None) -> dict:
    return {"provider_code": PROVIDER_CODE, "error_code": code, "error_msg": message, "data": data}


class CocError(Exception):
    status = 400
    code = "GOM.00007256"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def envelope(self) -> dict:
        return envelope(None, self.code, self.message)


class InvalidParameter(CocError):
    """Bad input: GOM.00007256, the vendor's "invalid parameter"."""


class NotAllowedNow(CocError):
    """An action or step the ticket's current state does not allow. [mock code]"""

    code = "GOM.00001009"


class NotFound(CocError):
    """No such ticket or attachment in the caller's domain. [mock code]"""

    status = 404
    code = "GOM.00001004"


class InternalError(CocError):
    """A bug in the mock, still answered in the envelope. [mock code]"""

    status = 500
    code = "GOM.00009999"
