# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's single exception type and the mapping from SDK errors to it.

This file never imports the Alibaba Cloud SDK: SDK exceptions are recognised by
their attributes (``code``, ``status_code``, ``data``, ``inner_exception``) so
that the mapping can be unit tested without the SDK and imported on hosts that
lack it.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

# Error kinds. ``api`` is an error response with a JSON body. After
# ``connection``, ``timeout`` and ``bad_response`` the outcome of the request is
# unknown. ``credentials``, ``invalid`` and ``wait_timeout`` mean that no
# request failed: the input was rejected or a wait ran out.
KIND_API = "api"
KIND_CONNECTION = "connection"
KIND_TIMEOUT = "timeout"
KIND_BAD_RESPONSE = "bad_response"
KIND_CREDENTIALS = "credentials"
KIND_INVALID = "invalid"
KIND_WAIT_TIMEOUT = "wait_timeout"

# The API reports a missing instance in two spellings, and DescribeInstanceAttribute
# may instead return an empty list; api.py maps all three to one outcome.
NOT_FOUND_CODES = frozenset(
    code.lower()
    for code in (
        "InvalidInstanceId.NotFound",
        "InvalidDbInstanceId.NotFound",
        "InvalidDBInstanceId.NotFound",
    )
)

_URL_QUERY = re.compile(r"(https?://[^\s'\"?]*|/)\?[^\s'\")]*")
_WITH_URL = re.compile(r"with url: \S+")


def scrub(text):
    """Remove URL query strings from ``text``.

    Transport errors from ``requests`` quote the request URL, and its query
    carries every API parameter (and, with the legacy signature, the signature).
    """
    if not text:
        return text
    text = _WITH_URL.sub("with url: /", str(text))
    return _URL_QUERY.sub(r"\1", text)


class KVStoreError(Exception):
    """A failed API call, a rejected input or a wait that timed out.

    ``str()`` gives the message shown to the user:
    "<what failed> for <instance>: <detail> (Code: X, RequestId: Y). <next step>".
    """

    def __init__(
        self,
        summary,
        instance_id=None,
        detail=None,
        code=None,
        request_id=None,
        http_status=None,
        next_step=None,
        action=None,
        kind=KIND_API,
        retry_after=None,
    ):
        self.summary = summary
        self.instance_id = instance_id
        self.detail = scrub(detail)
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.next_step = next_step
        self.action = action
        self.kind = kind
        # Seconds the API asked the client to wait (x-acs-retry-after), if any.
        self.retry_after = retry_after
        super(KVStoreError, self).__init__(self.message)

    @property
    def message(self):
        text = self.summary
        if self.instance_id:
            text += " for %s" % self.instance_id
        if self.detail:
            text += ": %s" % self.detail.rstrip(".")
        ids = []
        if self.code:
            ids.append("Code: %s" % self.code)
        if self.request_id:
            ids.append("RequestId: %s" % self.request_id)
        if ids:
            text += " (%s)" % ", ".join(ids)
        text += "."
        if self.next_step:
            text += " " + self.next_step
        return text

    def __str__(self):
        return self.message

    @property
    def is_not_found(self):
        return bool(self.code) and self.code.lower() in NOT_FOUND_CODES

    def with_next_step(self, next_step):
        """Return a copy of this error that ends with ``next_step``."""
        return KVStoreError(
            self.summary,
            instance_id=self.instance_id,
            detail=self.detail,
            code=self.code,
            request_id=self.request_id,
            http_status=self.http_status,
            next_step=next_step,
            action=self.action,
            kind=self.kind,
            retry_after=self.retry_after,
        )

    def to_result(self):
        """Return the machine-readable fields added to a failed task's result."""
        return {
            "error": {
                "action": self.action,
                "instance_id": self.instance_id,
                "code": self.code,
                "request_id": self.request_id,
                "http_status": self.http_status,
                "kind": self.kind,
            }
        }


def _clean(value):
    # tea-openapi stores absent fields as the string 'None'.
    if value is None or value == "None" or value == "":
        return None
    return value


def _api_message(exc):
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        message = data.get("Message") or data.get("message")
        if message:
            return str(message)
    message = getattr(exc, "message", None) or str(exc)
    # tea-openapi decorates messages as "code: 400, <Message> request id: <id>".
    match = re.match(r"^code: \d+, (.*?)(?: request id: \S*)?$", str(message), re.S)
    if match:
        return match.group(1)
    return str(message)


def _transport_kind(inner):
    text = str(getattr(inner, "message", None) or inner)
    lowered = text.lower()
    if "timed out" in lowered or "timeout" in lowered:
        return KIND_TIMEOUT, text
    if "failed to parse the value as json" in lowered:
        return KIND_BAD_RESPONSE, "the API returned a response that is not JSON"
    return KIND_CONNECTION, text


def from_sdk_exception(exc, action, instance_id=None):
    """Map an exception raised by the SDK during ``action`` to a KVStoreError."""
    if isinstance(exc, KVStoreError):
        return exc

    summary = "%s failed" % action

    # An UnretryableException wraps the real cause; an HTTP error response is
    # re-raised by the SDK itself and has no ``inner_exception``.
    inner = getattr(exc, "inner_exception", None)
    if inner is not None and getattr(inner, "code", None) is None:
        if type(inner).__name__ == "CredentialException":
            return KVStoreError(
                "Loading credentials failed",
                detail=str(inner),
                action=action,
                kind=KIND_CREDENTIALS,
                next_step=CREDENTIALS_NEXT_STEP,
            )
        return _transport_error(summary, inner, action, instance_id)
    if inner is not None:
        exc = inner

    if type(exc).__name__ in ("RetryError", "ConnectionError", "Timeout"):
        return _transport_error(summary, exc, action, instance_id)

    code = _clean(getattr(exc, "code", None))
    status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    request_id = _clean(getattr(exc, "request_id", None))
    data = getattr(exc, "data", None)
    if request_id is None and isinstance(data, dict):
        request_id = _clean(data.get("RequestId"))
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        try:
            retry_after = float(retry_after) / 1000.0
        except (TypeError, ValueError):
            retry_after = None

    if code == "InvalidCredentials":
        return KVStoreError(
            "No credentials were found",
            detail=None,
            code=code,
            action=action,
            kind=KIND_CREDENTIALS,
            next_step=CREDENTIALS_NEXT_STEP,
        )

    return KVStoreError(
        summary,
        instance_id=instance_id,
        detail=_api_message(exc),
        code=code,
        request_id=request_id,
        http_status=status,
        action=action,
        kind=KIND_API,
        retry_after=retry_after,
        next_step=next_step_for_code(code, status),
    )


CREDENTIALS_NEXT_STEP = (
    "Set access_key_id and access_key_secret (or ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET), or configure a profile."
)


def _transport_error(summary, exc, action, instance_id):
    kind, text = _transport_kind(exc)
    return KVStoreError(
        summary,
        instance_id=instance_id,
        detail=text,
        action=action,
        kind=kind,
        next_step=_transport_next_step(kind),
    )


def _transport_next_step(kind):
    if kind == KIND_TIMEOUT:
        return (
            "Check that the endpoint is reachable, or raise read_timeout, then re-run "
            "the task."
        )
    if kind == KIND_BAD_RESPONSE:
        return "The service or a proxy in between failed; re-run the task later."
    return (
        "Check endpoint, region_id and network access to the API, then re-run the task."
    )


def next_step_for_code(code, status=None):
    """Return the advice for an API error code, or None when there is none."""
    if not code:
        return None
    if code.startswith("Throttling"):
        return (
            "The API throttled the requests; raise api_retries or re-run the task "
            "later."
        )
    if code in ("InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive"):
        return "Check access_key_id: the API does not know this key or it is disabled."
    if code in ("SignatureDoesNotMatch", "IncompleteSignature"):
        return "Check access_key_secret: it does not match access_key_id."
    if code in ("InvalidSecurityToken.Expired", "InvalidSecurityToken.Malformed"):
        return "Obtain a new STS token and set security_token."
    if code.startswith("InvalidSecurityToken"):
        return (
            "An STS key (access_key_id STS.*) needs the security token issued with "
            "it: set security_token or ALIBABA_CLOUD_SECURITY_TOKEN."
        )
    if code.startswith("Forbidden"):
        return (
            "Grant the RAM permission for this action to the user or role behind "
            "access_key_id."
        )
    if code == "InvalidTimeStamp.Expired":
        return "Correct the clock of the host that runs the module."
    if code.lower() in NOT_FOUND_CODES:
        return "Check the instance ID and region_id (or endpoint)."
    if status is not None and status >= 500:
        return "The service failed; re-run the task later."
    return None
