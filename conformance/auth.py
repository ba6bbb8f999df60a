"""How the kit's requests carry credentials: a ZStack session, an IAM token, or an AK/SK
signature, each as a schemathesis auth provider, so that `ignored_auth` can still take the
credentials away and see what the target does.

An AK/SK signature covers the exact bytes sent, which only exist once the request is built.
The provider therefore marks a request with `Authorization: SIGN-ME`, and `AkSkSigner` (a
requests auth, passed to every call) replaces the mark with the signature at send time. A
request whose mark was removed or replaced goes out as it is.
"""

import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from conformance.credentials import HuaweiCredentials, ZStackCredentials
from mockserver.huawei.signing import sign_headers

SIGN_ME = "SIGN-ME"
# A correct signature on everything but its last hex digit: for the check that signatures
# are really verified.
SIGN_BADLY = "SIGN-BADLY"
# ZStack sessions last 2 hours by default; the kit logs in again well before.
ZSTACK_RENEW_S = 1800
# IAM tokens last 24 hours.
HUAWEI_RENEW_S = 6 * 3600


class LoginFailed(RuntimeError):
    """The target refused the kit's credentials; nothing can be checked without them."""


class AkSkSigner(requests.auth.AuthBase):
    """Signs a marked request as the Huawei Cloud SDKs do (SDK-HMAC-SHA256)."""

    def __init__(self, ak: str, sk: str, domain_id: str | None = None) -> None:
        self.ak = ak
        self.sk = sk
        self.domain_id = domain_id

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        mark = request.headers.get("Authorization")
        if mark not in (SIGN_ME, SIGN_BADLY):
            return request
        parts = urlsplit(request.url or "")
        request.headers["Host"] = parts.netloc
        if self.domain_id and "X-Domain-Id" not in request.headers:
            request.headers["X-Domain-Id"] = self.domain_id
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        # The headers the SDKs sign: host, content type and the x- headers.
        signed = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in ("host", "content-type") or name.lower().startswith("x-")
        }
        query = parse_qsl(parts.query, keep_blank_values=True)
        added = sign_headers(
            self.ak, self.sk, request.method or "GET", parts.path, query, signed, body, time.time()
        )
        if mark == SIGN_BADLY:
            last = added["Authorization"][-1]
            added["Authorization"] = added["Authorization"][:-1] + ("0" if last != "0" else "1")
        request.headers.update(added)
        return request


class _Provider:
    """A schemathesis auth provider: `get` obtains the credential (kept until `renew_s` have
    passed or `forget` is called), `set` puts it on a case."""

    header = "Authorization"
    renew_s: float = float("inf")

    def __init__(self) -> None:
        self._value: str | None = None
        self._obtained_at = 0.0
        # Told each credential obtained at run time, so that reports can mask it.
        self.on_obtained: Callable[[str], None] = lambda value: None

    def get(self, case: Any, ctx: Any) -> str:
        if self._value is None or time.monotonic() - self._obtained_at > self.renew_s:
            self._value = self.obtain()
            self._obtained_at = time.monotonic()
            self.on_obtained(self._value.rsplit(" ", 1)[-1])
        return self._value

    def obtain(self) -> str:
        raise NotImplementedError

    def forget(self) -> None:
        self._value = None

    def set(self, case: Any, data: str, ctx: Any) -> None:
        if needs_credentials(case.operation):
            case.headers = {**(case.headers or {}), self.header: data}


def needs_credentials(operation: Any) -> bool:
    """Whether the spec asks for credentials on this operation (logins do not)."""
    security = operation.definition.raw.get("security")
    if security is None:
        security = operation.schema.raw_schema.get("security", [])
    return bool(security) and all(requirement for requirement in security)


class ZStackSession(_Provider):
    """`Authorization: OAuth <session>`: a given session, or one the kit logs in for."""

    renew_s = ZSTACK_RENEW_S

    def __init__(self, credentials: ZStackCredentials, login_schema: Any) -> None:
        super().__init__()
        self.credentials = credentials
        self.login_schema = login_schema

    def obtain(self) -> str:
        if self.credentials.session:
            return f"OAuth {self.credentials.session}"
        digest = hashlib.sha512((self.credentials.password or "").encode("utf-8")).hexdigest()
        if self.credentials.virtual_id:
            path, body = (
                "/iam2/virtual-ids/login",
                {"loginIAM2VirtualID": {"name": self.credentials.virtual_id, "password": digest}},
            )
        else:
            path, body = (
                "/accounts/login",
                {"logInByAccount": {"accountName": self.credentials.account, "password": digest}},
            )
        reply = self.login_schema[path]["PUT"].Case(body=body, media_type="application/json").call()
        if reply.status_code != 200:
            raise LoginFailed(f"ZStack login at {path} answered {reply.status_code}")
        return f"OAuth {reply.json()['inventory']['uuid']}"


class HuaweiToken(_Provider):
    """`X-Auth-Token`: a given token, or one IAM issues for the user's password."""

    header = "X-Auth-Token"
    renew_s = HUAWEI_RENEW_S

    def __init__(self, credentials: HuaweiCredentials, iam_schema: Any) -> None:
        super().__init__()
        self.credentials = credentials
        self.iam_schema = iam_schema

    def obtain(self) -> str:
        if self.credentials.token:
            return self.credentials.token
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "domain": {"name": self.credentials.domain},
                            "name": self.credentials.user,
                            "password": self.credentials.password,
                        }
                    },
                },
                "scope": {"domain": {"name": self.credentials.domain}},
            }
        }
        operation = self.iam_schema["/auth/tokens"]["POST"]
        reply = operation.Case(body=body, media_type="application/json").call()
        if reply.status_code != 201:
            raise LoginFailed(f"IAM password login answered {reply.status_code}")
        return reply.headers["X-Subject-Token"][0]


class AkSkMark(_Provider):
    """Marks each case for `AkSkSigner`."""

    def obtain(self) -> str:
        return SIGN_ME
