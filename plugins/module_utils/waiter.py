# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn ``wait_timeout`` into a poll schedule and wait for a condition.

The interval between polls starts at ``MIN_INTERVAL`` and grows with the time
already waited (``GROWTH`` times the elapsed seconds) up to ``MAX_INTERVAL``.
So a transition that takes T seconds is noticed at most about
max(MIN_INTERVAL, GROWTH * T) seconds after it ends, and polls never come
closer than MIN_INTERVAL apart.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import time

from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KIND_WAIT_TIMEOUT,
    KVStoreError,
)

MIN_INTERVAL = 2.0
MAX_INTERVAL = 30.0
GROWTH = 0.08


def poll_interval(elapsed):
    """Return the seconds to sleep before the next poll after ``elapsed`` seconds."""
    return min(MAX_INTERVAL, max(MIN_INTERVAL, GROWTH * elapsed))


class Waiter:
    """Poll ``check()`` until it reports done or ``timeout`` seconds pass.

    ``check()`` returns ``(done, status, value)``; ``status`` is the current
    status shown in the timeout message and ``value`` is returned when done.
    """

    def __init__(self, timeout, clock=None, sleep=None):
        self.timeout = float(timeout)
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep
        self.polls = 0

    def wait(self, check, what, instance_id, first_delay=None):
        """Wait for ``what`` on ``instance_id``; raise KVStoreError on timeout.

        ``first_delay`` is the sleep before the first poll; None polls at once.
        """
        start = self._clock()
        deadline = start + self.timeout
        status = None

        if first_delay:
            self._sleep(min(first_delay, self.timeout))

        while True:
            done, status, value = check()
            self.polls += 1
            if done:
                return value

            now = self._clock()
            if now >= deadline:
                break
            self._sleep(min(poll_interval(now - start), deadline - now))

        elapsed = self._clock() - start
        raise KVStoreError(
            "Timed out waiting for %s" % what,
            instance_id=instance_id,
            detail="status is %s after %d seconds"
            % (status or "unknown", round(elapsed)),
            kind=KIND_WAIT_TIMEOUT,
            next_step=(
                "The operation continues in the cloud; re-running the task resumes the"
                " wait. "
                "Raise wait_timeout if the operation needs more time."
            ),
        )
