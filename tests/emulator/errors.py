"""API errors as the R-KVStore gateway reports them: code, HTTP status, message."""

# HTTP status of each code the emulator can return. Codes that come from a
# settings or faults file and are not listed here get 400, like most
# request errors of the real gateway.
STATUS_BY_CODE = {
    "Forbidden.RAM": 403,
    "GdcInstanceNotSupport": 400,
    "IncompleteSignature": 400,
    "IncorrectDBInstanceState": 403,
    "InstanceStatus.NotSupport": 403,
    "InternalError": 500,
    "InvalidAccessKeyId.NotFound": 404,
    "InvalidAction.NotFound": 404,
    "InvalidDbInstanceId.NotFound": 404,
    "InvalidInstanceId.NotFound": 404,
    "InvalidParameter": 400,
    "InvalidSecurityToken.Expired": 400,
    "InvalidSecurityToken.MismatchWithAccessKey": 400,
    "InvalidTimeStamp.Expired": 400,
    "InvalidTimeStamp.Format": 400,
    "InvalidVersion": 400,
    "MissingParameter": 400,
    "NetTypeExists": 400,
    "NetTypeNotExists": 400,
    "ServiceUnavailable": 503,
    "SignatureDoesNotMatch": 400,
    "SignatureNonceUsed": 400,
    "TaskHasExist": 400,
    "Throttling": 400,
    "Throttling.Api": 400,
    "Throttling.User": 400,
}

# Default code for a fault that names only an HTTP status.
CODE_BY_STATUS = {
    400: "InvalidParameter",
    403: "Forbidden",
    404: "InvalidAction.NotFound",
    500: "InternalError",
    502: "InternalError",
    503: "ServiceUnavailable",
    504: "ServiceTimeout",
}

DEFAULT_MESSAGES = {
    "Forbidden.RAM": "User not authorized to operate on the specified resource, "
    "or this API doesn't support RAM.",
    "InternalError": "The request processing has failed due to some unknown error.",
    "ServiceUnavailable": "The request has failed due to a temporary server failure.",
    "Throttling": "Request was denied due to request throttling.",
    "Throttling.Api": "Request was denied due to api flow control.",
    "Throttling.User": "Request was denied due to user flow control.",
    "TaskHasExist": "The task already exists, please try again later.",
    "IncorrectDBInstanceState": "The instance state does not support this operation.",
    "InstanceStatus.NotSupport": "The instance status does not support this operation.",
}


def status_for(code):
    """Return the HTTP status the gateway sends with ``code``."""
    return STATUS_BY_CODE.get(code, 400)


def code_for(status):
    """Return the code for an HTTP ``status`` when a fault names no code."""
    return CODE_BY_STATUS.get(
        status, "InternalError" if status >= 500 else "InvalidParameter"
    )


class ApiError(Exception):
    """An API error: the response carries this code, status and message.

    ``extra`` contains further body fields, such as ``AccessDeniedDetail``, and
    ``headers`` further response headers.
    """

    def __init__(self, code, message=None, status=None, extra=None, headers=None):
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, code)
        self.status = status or status_for(code)
        self.extra = extra or {}
        self.headers = headers or {}
        super().__init__(f"{self.code}: {self.message}")


def missing_parameter(name):
    """Build the error for a mandatory parameter that the request does not carry."""
    return ApiError(
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this '
        "request is not supplied.",
    )


def invalid_parameter(name, value, reason=""):
    """Build the error for a parameter whose value the action does not accept."""
    message = f'The specified parameter "{name}" is not valid: {value!r}.'
    if reason:
        message = f"{message} {reason}"
    return ApiError("InvalidParameter", message)


def configured_error(setting, message):
    """Build the error that a ``refusal_codes`` or ``repeat_create_code`` setting names.

    The setting is a code (status from ``STATUS_BY_CODE``) or a mapping with
    ``code`` and ``status``.
    """
    if isinstance(setting, dict):
        return ApiError(setting["code"], message, setting.get("status"))
    return ApiError(setting, message)
