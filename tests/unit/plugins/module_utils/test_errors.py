# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KIND_API,
    KIND_BAD_RESPONSE,
    KIND_CONNECTION,
    KIND_CREDENTIALS,
    KIND_TIMEOUT,
    KVStoreError,
    from_sdk_exception,
    scrub,
)


class ClientException(Exception):
    """Stand-in with the attributes of tea-openapi's HTTP error exceptions."""

    def __init__(self, code, status_code, message, request_id, retry_after=None):
        super().__init__(message)
        self.code = code
        self.status_code = status_code
        self.request_id = request_id
        self.retry_after = retry_after
        self.message = "code: %s, %s request id: %s" % (
            status_code,
            message,
            request_id,
        )
        self.data = {"Code": code, "Message": message, "RequestId": request_id}


class RetryError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UnretryableException(Exception):
    def __init__(self, inner):
        super().__init__(str(inner))
        self.inner_exception = inner
        self.last_request = "Authorization: ACS3-HMAC-SHA256 Signature=deadbeef"


class CredentialException(Exception):
    pass


def test_message_format_with_code_and_request_id():
    error = KVStoreError(
        "CreateGlobalDistributeCache failed",
        instance_id="r-1",
        detail="The instance is busy.",
        code="IncorrectDBInstanceState",
        request_id="REQ-1",
        next_step="Re-run the task later.",
    )
    assert str(error) == (
        "CreateGlobalDistributeCache failed for r-1: The instance is busy "
        "(Code: IncorrectDBInstanceState, RequestId: REQ-1). Re-run the task later."
    )


def test_message_format_without_ids():
    error = KVStoreError("Invalid endpoint", detail="bad", next_step="Fix it.")
    assert str(error) == "Invalid endpoint: bad. Fix it."


def test_client_exception_maps_code_status_and_raw_message():
    exc = ClientException("Throttling.User", 400, "Request was denied.", "REQ-2", 1500)
    error = from_sdk_exception(exc, "DescribeInstances", "r-2")
    assert error.kind == KIND_API
    assert error.code == "Throttling.User"
    assert error.http_status == 400
    assert error.request_id == "REQ-2"
    assert error.detail == "Request was denied."
    assert error.retry_after == 1.5
    assert error.action == "DescribeInstances"
    assert "raise api_retries" in str(error)


def test_not_found_codes_are_one_outcome():
    for code in ("InvalidInstanceId.NotFound", "InvalidDbInstanceId.NotFound"):
        error = from_sdk_exception(ClientException(code, 404, "gone", "R"), "X", "r-3")
        assert error.is_not_found


def test_forbidden_ram_next_step():
    error = from_sdk_exception(
        ClientException("Forbidden.RAM", 403, "no", "R"), "X", "r"
    )
    assert "RAM permission" in error.next_step


def test_sts_token_mismatch_next_step():
    error = from_sdk_exception(
        ClientException("InvalidSecurityToken.MismatchWithAccessKey", 400, "no", "R"),
        "X",
        "r",
    )
    assert "security_token" in error.next_step
    assert "ALIBABA_CLOUD_SECURITY_TOKEN" in error.next_step


def test_read_timeout_is_timeout_kind():
    inner = RetryError("HTTPConnectionPool(host='127.0.0.1', port=1): Read timed out.")
    error = from_sdk_exception(UnretryableException(inner), "DescribeInstances")
    assert error.kind == KIND_TIMEOUT


def test_dropped_connection_is_connection_kind_without_query():
    inner = RetryError(
        "HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with "
        "url: /?InstanceId=r-1&SecurityToken=tok (Caused by RemoteDisconnected)"
    )
    error = from_sdk_exception(UnretryableException(inner), "DescribeInstances", "r-1")
    assert error.kind == KIND_CONNECTION
    assert "SecurityToken" not in str(error)
    assert "tok" not in str(error)
    assert "Signature" not in str(error)


def test_non_json_body_is_bad_response_kind():
    inner = RuntimeError(
        "Failed to parse the value as json format, Value: <html>502</html>"
    )
    error = from_sdk_exception(UnretryableException(inner), "DescribeInstances")
    assert error.kind == KIND_BAD_RESPONSE
    assert "<html>" not in str(error)


def test_credential_chain_failure_is_credentials_kind():
    inner = CredentialException("unable to load credentials from any of the providers")
    error = from_sdk_exception(UnretryableException(inner), "DescribeInstances")
    assert error.kind == KIND_CREDENTIALS
    assert "access_key_id" in error.next_step


def test_absent_fields_stored_as_text_none_are_dropped():
    exc = ClientException("InternalError", 500, "boom", "None")
    error = from_sdk_exception(exc, "DescribeInstances")
    assert error.request_id is None
    assert "RequestId" not in str(error)


def test_scrub_removes_query_strings():
    text = "failed for http://127.0.0.1:8080/?AccessKeyId=LTAI&Signature=abc now"
    assert scrub(text) == "failed for http://127.0.0.1:8080/ now"


def test_with_next_step_keeps_fields():
    error = KVStoreError("X failed", instance_id="r-1", code="C", request_id="R")
    copy = error.with_next_step("Do this.")
    assert copy.code == "C"
    assert copy.request_id == "R"
    assert str(copy).endswith("Do this.")


def test_to_result_has_machine_readable_fields():
    error = KVStoreError(
        "X failed", instance_id="r-1", code="C", request_id="R", action="A"
    )
    fields = error.to_result()["error"]
    assert fields["code"] == "C"
    assert fields["request_id"] == "R"
    assert fields["action"] == "A"
    assert fields["instance_id"] == "r-1"
