"""Huawei Cloud's AK/SK request signature, SDK-HMAC-SHA256, as the official SDKs compute it.

The same functions check a request at the mock and sign one for a conformance run, so both
sides agree by construction; tests hold them to the official SDK's signer.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


class MalformedSignature(ValueError):
    """An Authorization header or X-Sdk-Date that is not in the SDK-HMAC-SHA256 form."""


@dataclass(frozen=True)
class Authorization:
    access: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Authorization:
    """`SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise MalformedSignature(f"the Authorization header must start with {ALGORITHM}")
    parts = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if not sep:
            raise MalformedSignature(f"cannot read {item.strip()!r} in the Authorization header")
        parts[key] = val
    missing = [key for key in ("Access", "SignedHeaders", "Signature") if not parts.get(key)]
    if missing:
        raise MalformedSignature(f"the Authorization header lacks {', '.join(missing)}")
    return Authorization(
        parts["Access"], tuple(parts["SignedHeaders"].split(";")), parts["Signature"]
    )


def parse_sdk_date(value: str) -> float:
    """Seconds since the epoch of an X-Sdk-Date such as 20261123T083141Z."""
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError as error:
        raise MalformedSignature("X-Sdk-Date must look like 20261123T083141Z") from error


def format_sdk_date(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime(DATE_FORMAT)


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment percent-encoded (only `~` kept), always ending with `/`."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def payload_hash(body: bytes, headers: dict[str, str]) -> str:
    """`headers` with lowercase names; a multipart body is signed as UNSIGNED-PAYLOAD."""
    if not body:
        return hashlib.sha256(b"").hexdigest()
    declared = headers.get("x-sdk-content-sha256")
    if declared:
        return declared
    return hashlib.sha256(body).hexdigest()


def signature(
    secret_key: str,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: dict[str, str],
    signed_headers: Iterable[str],
    body: bytes,
) -> str:
    """Hex signature of a request; `headers` maps lowercase names to values."""
    names = list(signed_headers)
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in names)
    canonical_request = "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical_headers,
            ";".join(names),
            payload_hash(body, headers),
        ]
    )
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            headers.get("x-sdk-date", ""),
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    return hmac.new(
        secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def sign_headers(
    access_key: str,
    secret_key: str,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
    now: float,
) -> dict[str, str]:
    """The headers to add to a request (X-Sdk-Date, Authorization), as the SDKs sign it.

    `headers` must hold every header that will be sent and signed, Host included.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    lowered["x-sdk-date"] = format_sdk_date(now)
    names = sorted(name for name in lowered if "_" not in name)
    hex_signature = signature(secret_key, method, path, query, lowered, names, body)
    return {
        "X-Sdk-Date": lowered["x-sdk-date"],
        "Authorization": (
            f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(names)}, "
            f"Signature={hex_signature}"
        ),
    }
