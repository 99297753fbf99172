"""The path of one request: routing, authentication, faults, action, log."""

import json
import logging
import threading
import time
import uuid
from http import HTTPStatus

from tests.emulator.actions import ACTIONS, API_VERSION
from tests.emulator.errors import ApiError, missing_parameter

LOGGER = logging.getLogger("kvstore_emulator")

DEFAULT_HOST_ID = "r-kvstore.aliyuncs.com"

HTML_ERROR = (
    "<html><head><title>{title}</title></head><body>"
    "<center><h1>{title}</h1></center><hr><center>Tengine</center>"
    "</body></html>"
)


class Outcome:
    """What to send back: a status with a body, or nothing at all (``drop``)."""

    def __init__(
        self,
        status,
        body=b"",
        content_type="application/json;charset=utf-8",
        headers=None,
        drop=False,
        code=None,
    ):
        self.status = status
        self.code = code
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}
        self.drop = drop


def new_request_id():
    """Return a request id in the gateway's upper-case UUID form."""
    return str(uuid.uuid4()).upper()


def json_outcome(status, document, request_id, headers=None):
    """Build a JSON response that carries the request id in its body and header."""
    merged = {"x-acs-request-id": request_id}
    merged.update(headers or {})
    return Outcome(status, json.dumps(document).encode("utf-8"), headers=merged)


class RejectionLog:
    """Logs rejected requests, folding repeats of the same rejection into a count.

    A rejection with the same action, access key and code as one logged less
    than ``REPEAT_WINDOW`` seconds before is counted, and the count is reported
    with the next line that is logged for it.
    """

    REPEAT_WINDOW = 1.0

    def __init__(self):
        self._lock = threading.Lock()
        self._last = {}

    def log(self, action, access_key_id, code, status):
        """Log one rejection unless it repeats one logged within the window."""
        key = (action, access_key_id, code)
        now = time.monotonic()
        with self._lock:
            logged_at, suppressed = self._last.get(key, (None, 0))
            if logged_at is not None and now - logged_at < self.REPEAT_WINDOW:
                self._last[key] = (logged_at, suppressed + 1)
                return
            self._last[key] = (now, 0)
        repeats = f" ({suppressed} more since the last line)" if suppressed else ""
        LOGGER.warning(
            "rejected %s from access key %s: %s (HTTP %d)%s",
            action,
            access_key_id,
            code,
            status,
            repeats,
        )


class Dispatcher:
    """Turns an ``IncomingRequest`` into an ``Outcome`` and records it."""

    def __init__(self, fleet, authenticator, faults, request_log):
        self.fleet = fleet
        self.authenticator = authenticator
        self.faults = faults
        self.request_log = request_log
        self.rejections = RejectionLog()

    def handle(self, request):
        """Handle one request; an API error becomes an error body and a log entry."""
        request_id = new_request_id()
        action = request.action
        access_key_id = request.access_key_id
        try:
            outcome = self._process(request, request_id)
        except ApiError as error:
            outcome = self._error_outcome(error, request, request_id)
            self.rejections.log(action, access_key_id, error.code, error.status)
        except Exception:  # noqa: BLE001 (a bug must not kill the connection silently)
            LOGGER.exception("internal error in %s (request %s)", action, request_id)
            error = ApiError("InternalError")
            outcome = self._error_outcome(error, request, request_id)

        # A connection closed before any response is logged with status 0.
        logged_status = 0 if outcome.status is None else outcome.status
        self.request_log.write(
            action,
            request.api_params,
            access_key_id,
            logged_status,
            outcome.code,
            request_id,
        )
        return outcome

    def _process(self, request, request_id):
        action = self._route(request)
        delay = self.faults.latency_for(action)
        if delay:
            time.sleep(delay)

        account = self.authenticator.authenticate(request)
        self.authenticator.authorize(account, action)
        throttle = self.faults.throttled(account["access_key_id"])
        if throttle:
            raise _throttling_error(throttle)

        injected = self.faults.injected_error(action)
        if injected:
            return self._injected_outcome(injected, request_id)

        with self.fleet.lock:
            self.fleet.advance()
            body = ACTIONS[action](self.fleet, request.api_params)

        if self.faults.loses_response(action):
            LOGGER.info(
                "dropping the response to %s after running it (lost_responses fault)",
                action,
            )
            return Outcome(200, drop=True)
        document = {"RequestId": request_id}
        document.update(body)
        return json_outcome(200, document, request_id)

    @staticmethod
    def _route(request):
        """Return the action after checking the API version and the action name."""
        version = request.version
        if not version:
            raise missing_parameter("Version")
        if version != API_VERSION:
            raise ApiError(
                "InvalidVersion",
                f"Specified parameter Version is not valid: {version}.",
            )
        action = request.action
        if not action:
            raise missing_parameter("Action")
        if action not in ACTIONS:
            raise ApiError(
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            )
        return action

    @staticmethod
    def _injected_outcome(rule, request_id):
        if rule.get("drop_connection"):
            LOGGER.info(
                "dropping the connection of %s without running it (errors fault)",
                rule["action"],
            )
            return Outcome(None, drop=True)
        status = int(rule["status"])
        if rule.get("body") == "html":
            LOGGER.info(
                "sending an HTML %d page for %s (errors fault)", status, rule["action"]
            )
            title = f"{status} {_reason_phrase(status)}"
            page = HTML_ERROR.format(title=title).encode("utf-8")
            return Outcome(status, page, content_type="text/html")
        raise ApiError(rule["code"], rule.get("message"), status)

    @staticmethod
    def _error_outcome(error, request, request_id):
        document = {
            "RequestId": request_id,
            "HostId": request.header("host") or DEFAULT_HOST_ID,
            "Code": error.code,
            "Message": error.message,
        }
        document.update(error.extra)
        outcome = json_outcome(error.status, document, request_id, error.headers)
        outcome.code = error.code
        return outcome


def _reason_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _throttling_error(rule):
    headers = None
    if rule.get("retry_after_ms") is not None:
        headers = {"x-acs-retry-after": str(rule["retry_after_ms"])}
    return ApiError(rule["code"], status=rule["status"], headers=headers)
