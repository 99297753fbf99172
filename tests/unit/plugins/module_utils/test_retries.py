# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KIND_CONNECTION,
    KIND_CREDENTIALS,
    KIND_TIMEOUT,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.retries import (
    RetryPolicy,
    read_retryable,
    write_not_applied,
    write_outcome_unknown,
)


def api_error(code, status=400, retry_after=None):
    return KVStoreError(
        "X failed", code=code, http_status=status, retry_after=retry_after
    )


class Script:
    """A callable that raises the given errors in turn, then returns 'ok'."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def make_policy(retries=8, max_delay=30.0):
    sleeps = []
    policy = RetryPolicy(
        retries=retries, max_delay=max_delay, sleep=sleeps.append, rand=lambda: 1.0
    )
    return policy, sleeps


@pytest.mark.parametrize(
    "error",
    [
        api_error("Throttling"),
        api_error("Throttling.User"),
        api_error("Throttling.Api"),
        api_error("ServiceUnavailable", 503),
        api_error("InternalError", 500),
        api_error("SomethingElse", 502),
        api_error("SignatureNonceUsed"),
        KVStoreError("X failed", kind=KIND_CONNECTION),
        KVStoreError("X failed", kind=KIND_TIMEOUT),
    ],
)
def test_read_retries_transient(error):
    assert read_retryable(error)


@pytest.mark.parametrize(
    "error",
    [
        api_error("InvalidInstanceId.NotFound", 404),
        api_error("Forbidden.RAM", 403),
        api_error("InvalidParameter"),
        api_error("SignatureDoesNotMatch"),
        KVStoreError("X failed", kind=KIND_CREDENTIALS),
    ],
)
def test_read_does_not_retry_permanent(error):
    assert not read_retryable(error)


def test_write_classification():
    assert write_not_applied(api_error("Throttling.User"))
    assert write_not_applied(api_error("SignatureNonceUsed"))
    assert not write_not_applied(api_error("ServiceUnavailable", 503))
    assert write_outcome_unknown(api_error("ServiceUnavailable", 503))
    assert write_outcome_unknown(KVStoreError("X", kind=KIND_TIMEOUT))
    assert write_outcome_unknown(KVStoreError("X", kind=KIND_CONNECTION))
    assert not write_outcome_unknown(api_error("Throttling"))


def test_read_succeeds_after_retries():
    policy, sleeps = make_policy()
    call = Script(api_error("Throttling"), api_error("InternalError", 500))
    assert policy.read(call) == "ok"
    assert call.calls == 3
    assert sleeps == [1.0, 2.0]


def test_read_gives_up_after_bound():
    policy, sleeps = make_policy(retries=2)
    call = Script(*[api_error("Throttling")] * 5)
    with pytest.raises(KVStoreError) as caught:
        policy.read(call)
    assert caught.value.code == "Throttling"
    assert call.calls == 3
    assert len(sleeps) == 2


def test_read_does_not_retry_not_found():
    policy, sleeps = make_policy()
    call = Script(api_error("InvalidInstanceId.NotFound", 404))
    with pytest.raises(KVStoreError):
        policy.read(call)
    assert call.calls == 1
    assert sleeps == []


def test_delay_is_capped_and_jittered():
    policy = RetryPolicy(retries=8, max_delay=5, sleep=lambda s: None, rand=lambda: 0.0)
    assert policy.delay(0) == 0.5
    assert policy.delay(10) == 2.5
    policy_high = RetryPolicy(
        retries=8, max_delay=5, sleep=lambda s: None, rand=lambda: 1.0
    )
    assert policy_high.delay(10) == 5


def test_retry_after_wins_but_stays_capped():
    policy = RetryPolicy(retries=8, max_delay=5, sleep=lambda s: None, rand=lambda: 0.0)
    assert policy.delay(0, api_error("Throttling", retry_after=3)) == 3
    assert policy.delay(0, api_error("Throttling", retry_after=60)) == 5


def test_total_sleep_is_bounded():
    policy, sleeps = make_policy(retries=8, max_delay=30)
    call = Script(*[api_error("Throttling")] * 20)
    with pytest.raises(KVStoreError):
        policy.read(call)
    assert sum(sleeps) <= 1 + 2 + 4 + 8 + 16 + 30 + 30 + 30


def test_pause_sleeps_backoff_delay():
    policy, sleeps = make_policy(max_delay=3.0)
    policy.pause(0)
    policy.pause(5, api_error("Throttling", retry_after=2.0))
    assert sleeps == [1.0, 3.0]
    assert len(policy.attempts) == 2


def test_zero_retries_means_one_attempt():
    policy, sleeps = make_policy(retries=0)
    call = Script(api_error("Throttling"))
    with pytest.raises(KVStoreError):
        policy.read(call)
    assert call.calls == 1


def test_foreign_exceptions_pass_through():
    policy, sleeps = make_policy()

    def call():
        raise ValueError("bug")

    with pytest.raises(ValueError):
        policy.read(call)
    assert sleeps == []
