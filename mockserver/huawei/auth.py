"""Connexion's side of Huawei authentication, shared by every Huawei family.

A Huawei spec declares two apiKey schemes, `X-Auth-Token` and `Authorization` (AK/SK); either
one admits a request. Both run the same check: the world's Identity authenticates the request
from its exact method, path, query, headers and body bytes.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from connexion.exceptions import OAuthResponseProblem
from connexion.lifecycle import ConnexionRequest

from mockserver.body_limit import RAW_BODY
from mockserver.hoisting import ApiKeyCheck
from mockserver.huawei.identity import (
    AuthFailure,
    Identity,
    NoCredentials,
    Principal,
    SignedRequest,
)


def signed_request(scope: dict[str, Any]) -> SignedRequest:
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        headers[name.decode("latin-1").lower()] = value.decode("utf-8", errors="replace")
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string", b"").decode("utf-8", errors="replace")
    return SignedRequest(
        method=scope["method"],
        path=raw_path.decode("utf-8", errors="replace").partition("?")[0],
        query=tuple(parse_qsl(query, keep_blank_values=True)),
        headers=headers,
        body=scope.get(RAW_BODY, b""),
    )


def security_map(identity: Callable[[], Identity]) -> dict[str, type]:
    """The `security_map` for add_api; `identity()` gives the Identity of the current world."""

    def check(_value: str, required_scopes=None, request: ConnexionRequest | None = None):
        try:
            principal = identity().authenticate(signed_request(request.scope))
        except (AuthFailure, NoCredentials) as failure:
            raise OAuthResponseProblem(detail=str(failure)) from failure
        return {"sub": principal.user_id, "principal": principal}

    class HuaweiCredentials(ApiKeyCheck):
        def _resolve_func(self, security_scheme):
            return check

    return {"apiKey": HuaweiCredentials}


def caller(token_info: dict) -> Principal:
    """Who a request runs as: connexion passes the check's result to handlers as token_info."""
    return token_info["principal"]
