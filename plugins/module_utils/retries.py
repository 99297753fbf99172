# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bounded, jittered exponential backoff for API calls.

Reads and writes are classified separately:

* A read is retried on throttling, any 5xx, connection errors, timeouts and
  unparsable responses, because repeating a read changes nothing.
* A write is never retried here. Its failures are handled by
  reconcile.write_and_reconcile, with ``pause()`` and ``retries`` of this
  policy as its bounds. After throttling, ``SignatureNonceUsed``, a 5xx, a
  timeout or a dropped connection, it re-reads the state and sends the write
  again only when the write is still needed.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import random
import time

from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KIND_API,
    KIND_BAD_RESPONSE,
    KIND_CONNECTION,
    KIND_TIMEOUT,
)

DEFAULT_RETRIES = 8
DEFAULT_MAX_DELAY = 30.0
BASE_DELAY = 1.0

SERVER_ERROR_CODES = frozenset(("ServiceUnavailable", "InternalError", "UnknownError"))
UNKNOWN_OUTCOME_KINDS = frozenset((KIND_CONNECTION, KIND_TIMEOUT, KIND_BAD_RESPONSE))


def is_throttling(error):
    return bool(error.code) and error.code.startswith("Throttling")


def is_server_error(error):
    if error.kind != KIND_API:
        return False
    if error.code in SERVER_ERROR_CODES:
        return True
    return error.http_status is not None and error.http_status >= 500


def write_not_applied(error):
    """Return True when ``error`` proves that a write changed nothing."""
    if error.kind != KIND_API:
        return False
    return is_throttling(error) or error.code == "SignatureNonceUsed"


def write_outcome_unknown(error):
    """Return True when a write may or may not have been applied."""
    return error.kind in UNKNOWN_OUTCOME_KINDS or is_server_error(error)


def read_retryable(error):
    return write_not_applied(error) or write_outcome_unknown(error)


class RetryPolicy:
    """Run API calls with bounded, jittered exponential backoff.

    ``retries`` is the number of retries after the first attempt and
    ``max_delay`` the cap, in seconds, of any single delay. The delay before
    retry ``n`` (counting from 0) is drawn from [d/2, d] with
    ``d = min(max_delay, BASE_DELAY * 2**n)``. A longer ``retry_after`` sent by
    the API replaces it, still capped at ``max_delay``.
    """

    def __init__(
        self,
        retries=DEFAULT_RETRIES,
        max_delay=DEFAULT_MAX_DELAY,
        sleep=None,
        rand=None,
    ):
        self.retries = max(0, int(retries))
        self.max_delay = max(0.0, float(max_delay))
        self._sleep = sleep or time.sleep
        self._rand = rand or random.random
        self.attempts = []

    def delay(self, retry_number, error=None):
        ceiling = min(self.max_delay, BASE_DELAY * (2**retry_number))
        delay = ceiling / 2.0 + self._rand() * ceiling / 2.0
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            delay = max(delay, min(float(retry_after), self.max_delay))
        return delay

    def _run(self, call, retryable):
        retry_number = 0
        while True:
            try:
                return call()
            except Exception as error:  # noqa: B902 - filtered just below
                if not hasattr(error, "kind") or not retryable(error):
                    raise
                if retry_number >= self.retries:
                    raise
                self._sleep(self.delay(retry_number, error))
                retry_number += 1
                self.attempts.append(error)

    def read(self, call):
        """Return ``call()``, retrying transient read failures."""
        return self._run(call, read_retryable)

    def pause(self, retry_number, error=None):
        """Sleep the backoff delay before retry ``retry_number`` (counting from 0)."""
        self._sleep(self.delay(retry_number, error))
        self.attempts.append(error)
