# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.waiter import (
    MAX_INTERVAL,
    MIN_INTERVAL,
    Waiter,
    poll_interval,
)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def poll_times_until(clock, transition):
    """Return (detection latency, polls) for a transition of ``transition`` s."""
    polls = []

    def check():
        polls.append(clock.now)
        done = clock.now >= transition
        return done, "Changing", clock.now

    waiter = Waiter(10000, clock=clock, sleep=clock.sleep)
    detected = waiter.wait(check, "x", "r-1", first_delay=MIN_INTERVAL)
    return detected - transition, len(polls)


def test_interval_starts_at_minimum_and_is_capped():
    assert poll_interval(0) == MIN_INTERVAL
    assert poll_interval(10) == MIN_INTERVAL
    assert poll_interval(100000) == MAX_INTERVAL


@pytest.mark.parametrize("transition", [10, 30, 120, 600])
def test_detection_latency_within_target(transition):
    clock = FakeClock()
    latency, polls = poll_times_until(clock, transition)
    assert latency <= max(3.0, 0.1 * transition)
    # No more than one poll per 2 seconds on average.
    assert polls <= transition / 2.0 + 1


def test_returns_value_when_done():
    clock = FakeClock()
    waiter = Waiter(60, clock=clock, sleep=clock.sleep)
    assert waiter.wait(lambda: (True, "Normal", "value"), "x", "r-1") == "value"
    assert clock.sleeps == []


def test_timeout_message_names_instance_status_and_elapsed():
    clock = FakeClock()
    waiter = Waiter(30, clock=clock, sleep=clock.sleep)
    with pytest.raises(KVStoreError) as caught:
        waiter.wait(lambda: (False, "Changing", None), "the conversion", "r-9")
    message = str(caught.value)
    assert "r-9" in message
    assert "Changing" in message
    assert "30 seconds" in message
    assert "re-running the task resumes the wait" in message


def test_never_sleeps_past_deadline():
    clock = FakeClock()
    waiter = Waiter(5, clock=clock, sleep=clock.sleep)
    with pytest.raises(KVStoreError):
        waiter.wait(lambda: (False, "Changing", None), "x", "r-1")
    assert clock.now == 5


def test_errors_from_check_propagate():
    clock = FakeClock()

    def check():
        raise KVStoreError("Instance lookup failed", instance_id="r-1")

    with pytest.raises(KVStoreError) as caught:
        Waiter(30, clock=clock, sleep=clock.sleep).wait(check, "x", "r-1")
    assert "lookup" in str(caught.value)
