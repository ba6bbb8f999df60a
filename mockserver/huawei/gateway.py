"""Answers of Huawei Cloud's API gateway (APIG), which sits in front of every Huawei service.

Failures that never reach a service (no such API, a method the API lacks, an oversized body)
come back in the gateway's own form, whichever service the path belongs to.
"""

import json
import uuid

from connexion.lifecycle import ConnexionResponse

from mockserver.families import Failure

GATEWAY_CODES = {
    "not_found": (
        "APIGW.0101",
        "The API does not exist or has not been published in the environment",
    ),
    "method_not_allowed": (
        "APIGW.0101",
        "The API does not exist or has not been published in the environment",
    ),
    "too_large": ("APIGW.0201", "Request entity too large"),
    "throttled": (
        "APIG.0308",
        "The throttling threshold has been reached: "
        "policy user over ratelimit,limit:10,time:1 second",
    ),
}


def gateway_response(failure: Failure) -> ConnexionResponse | None:
    """The gateway's answer to `failure`, or None when the service itself answers it."""
    if failure.reason not in GATEWAY_CODES:
        return None
    code, message = GATEWAY_CODES[failure.reason]
    request_id = uuid.uuid4().hex
    headers = {"X-Request-Id": request_id}
    if failure.allow:
        headers["Allow"] = ", ".join(failure.allow)
    return ConnexionResponse(
        status_code=failure.status,
        content_type="application/json",
        headers=headers,
        body=json.dumps({"error_code": code, "error_msg": message, "request_id": request_id}),
    )
