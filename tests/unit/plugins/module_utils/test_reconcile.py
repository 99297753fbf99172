# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KIND_BAD_RESPONSE,
    KIND_CONNECTION,
    KIND_TIMEOUT,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.reconcile import (
    APPLIED,
    IN_PROGRESS,
    NEEDED,
    write_and_reconcile,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.retries import (
    RetryPolicy,
)


def api_error(code, status=400):
    return KVStoreError(
        "Write failed",
        instance_id="r-1",
        code=code,
        http_status=status,
        request_id="REQ-%s" % code,
        action="Write",
    )


def transport_error(kind):
    return KVStoreError("Write failed", instance_id="r-1", action="Write", kind=kind)


class StubClient:
    """Raises the given errors from send() in turn, then returns a body."""

    def __init__(self, *errors, retries=3):
        self.errors = list(errors)
        self.sent = 0
        self.sleeps = []
        self.policy = RetryPolicy(
            retries=retries, max_delay=1.0, sleep=self.sleeps.append, rand=lambda: 1.0
        )

    def send(self, action, params, instance_id=None):
        self.sent += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"RequestId": "REQ-OK"}


class Rereads:
    """A reread() that returns the given states in turn, then the last one again."""

    def __init__(self, *states):
        self.states = list(states)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if len(self.states) > 1:
            return self.states.pop(0)
        return self.states[0]


def reconcile(client, reread, done_codes=frozenset()):
    return write_and_reconcile(client, "Write", {}, "r-1", reread, done_codes)


def test_accepted_write_needs_no_reread():
    client = StubClient()
    reread = Rereads(NEEDED)
    outcome = reconcile(client, reread)
    assert outcome.accepted
    assert outcome.request_id == "REQ-OK"
    assert reread.calls == 0
    assert client.sleeps == []


@pytest.mark.parametrize(
    "error",
    [
        api_error("ServiceUnavailable", 503),
        api_error("InternalError", 500),
        api_error("Throttling.User"),
        api_error("SignatureNonceUsed"),
        transport_error(KIND_CONNECTION),
        transport_error(KIND_TIMEOUT),
        transport_error(KIND_BAD_RESPONSE),
    ],
)
def test_needed_write_is_resent(error):
    client = StubClient(error)
    reread = Rereads(NEEDED)
    outcome = reconcile(client, reread)
    assert outcome.accepted
    assert outcome.request_id == "REQ-OK"
    assert client.sent == 2
    assert reread.calls == 1
    assert len(client.sleeps) == 1


@pytest.mark.parametrize("state", [APPLIED, IN_PROGRESS])
@pytest.mark.parametrize(
    "error", [api_error("ServiceUnavailable", 503), transport_error(KIND_CONNECTION)]
)
def test_unknown_outcome_applied_is_not_resent(error, state):
    client = StubClient(error)
    outcome = reconcile(client, Rereads(state))
    assert outcome.accepted
    assert outcome.response is None
    assert outcome.request_id is None
    assert outcome.reading == state
    assert client.sent == 1


def test_throttled_write_applied_by_other_run():
    client = StubClient(api_error("Throttling"))
    outcome = reconcile(client, Rereads(APPLIED))
    assert not outcome.accepted
    assert client.sent == 1


def test_throttled_write_resent_while_busy():
    # Throttling proves nothing was applied, so a busy instance is not this write.
    client = StubClient(api_error("Throttling"))
    outcome = reconcile(client, Rereads(IN_PROGRESS))
    assert outcome.accepted
    assert client.sent == 2


def test_retries_exhausted_raises_with_code():
    errors = [api_error("ServiceUnavailable", 503)] * 4
    client = StubClient(*errors, retries=3)
    reread = Rereads(NEEDED)
    with pytest.raises(KVStoreError) as caught:
        reconcile(client, reread)
    message = str(caught.value)
    assert "Write failed for r-1" in message
    assert "Code: ServiceUnavailable" in message
    assert "RequestId: REQ-ServiceUnavailable" in message
    assert "failed 4 times" in message
    assert client.sent == 4
    assert reread.calls == 4
    assert sum(client.sleeps) <= 4 * 1.0


def test_last_lost_response_found_by_reread():
    errors = [transport_error(KIND_CONNECTION)] * 2
    client = StubClient(*errors, retries=1)
    outcome = reconcile(client, Rereads(NEEDED, IN_PROGRESS))
    assert outcome.accepted
    assert client.sent == 2


def test_zero_retries_sends_once():
    client = StubClient(api_error("InternalError", 500), retries=0)
    with pytest.raises(KVStoreError):
        reconcile(client, Rereads(NEEDED))
    assert client.sent == 1


def test_done_code_first_means_other_run():
    client = StubClient(api_error("TaskHasExist"))
    reread = Rereads(NEEDED)
    outcome = reconcile(client, reread, done_codes=frozenset(["TaskHasExist"]))
    assert not outcome.accepted
    assert reread.calls == 0


def test_done_code_after_lost_response_means_this_run():
    client = StubClient(transport_error(KIND_TIMEOUT), api_error("TaskHasExist"))
    outcome = reconcile(client, Rereads(NEEDED), done_codes=frozenset(["TaskHasExist"]))
    assert outcome.accepted
    assert client.sent == 2


@pytest.mark.parametrize(
    "code", ["Forbidden.RAM", "InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch"]
)
def test_final_error_raised_without_reread(code):
    client = StubClient(api_error(code, 403))
    reread = Rereads(APPLIED)
    with pytest.raises(KVStoreError) as caught:
        reconcile(client, reread)
    assert caught.value.code == code
    assert reread.calls == 0
    assert client.sent == 1


def test_refusal_with_state_applied_by_other_run():
    client = StubClient(api_error("InvalidParameter"))
    outcome = reconcile(client, Rereads(APPLIED))
    assert not outcome.accepted
    assert client.sent == 1


@pytest.mark.parametrize("state", [NEEDED, IN_PROGRESS])
def test_refusal_raised_when_reread_shows_nothing(state):
    client = StubClient(api_error("IncorrectDBInstanceState"))
    with pytest.raises(KVStoreError) as caught:
        reconcile(client, Rereads(state))
    assert caught.value.code == "IncorrectDBInstanceState"
    assert client.sent == 1


def test_refusal_after_lost_response_with_transition():
    # The first request was applied; the repeat is refused by a busy instance.
    client = StubClient(
        transport_error(KIND_CONNECTION), api_error("IncorrectDBInstanceState")
    )
    outcome = reconcile(client, Rereads(NEEDED, IN_PROGRESS))
    assert outcome.accepted
    assert client.sent == 2


def test_throttled_write_pauses_after_reread():
    # The pause refills the quota that the re-read used before the resend.
    client = StubClient(api_error("Throttling.User"))
    pauses_at_reread = []

    def reread():
        pauses_at_reread.append(len(client.sleeps))
        return NEEDED

    outcome = reconcile(client, reread)

    assert outcome.accepted
    assert pauses_at_reread == [0]
    assert len(client.sleeps) == 1


def test_lost_response_pauses_before_reread():
    client = StubClient(transport_error(KIND_CONNECTION))
    pauses_at_reread = []

    def reread():
        pauses_at_reread.append(len(client.sleeps))
        return NEEDED

    outcome = reconcile(client, reread)

    assert outcome.accepted
    assert pauses_at_reread == [1]
    assert len(client.sleeps) == 1
