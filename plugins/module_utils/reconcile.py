# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Send a write, and after a failure re-read the state before deciding anything.

None of the write actions used here takes an idempotency token (no
ClientToken in the request models of alibabacloud-r-kvstore20150101 7.0.0), so
a write whose response was lost cannot simply be repeated. The rule, shared by every
write of the collection:

* A write that succeeds is accepted.
* After a failure that leaves the outcome unknown (5xx, timeout, dropped
  connection, unparsable response) or proves that nothing was applied
  (``Throttling*``, ``SignatureNonceUsed``), the caller's ``reread()`` reads
  the state. When it shows the new state, or a transition in progress, the
  write counts as applied and is never sent again. When it shows the write is
  still needed, the write is sent again after a backoff, within the retry
  policy's bounds (``api_retries``, ``api_retry_max_delay``).
* Any other API error is final. Except for credential, permission and
  signature errors, the state is re-read first, because it may show that an
  earlier attempt of this run, or another run, already applied the change.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KIND_API,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.retries import (
    write_not_applied,
    write_outcome_unknown,
)

# Results of a re-read. APPLIED: the new state is visible. IN_PROGRESS: a
# transition runs on the instance, although the new state is not visible yet.
# NEEDED: nothing shows the write; it is still needed.
APPLIED = "applied"
IN_PROGRESS = "in_progress"
NEEDED = "needed"

# Codes that no state of the instance explains; re-reading cannot change them.
_FINAL_CODE_PREFIXES = (
    "Forbidden",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidSecurityToken",
    "InvalidTimeStamp",
    "MissingParameter",
)


class WriteOutcome:
    """The result of write_and_reconcile.

    ``accepted`` is True when a request of this run was (or, after a lost
    response, may have been) applied. It is False when the re-read or an error
    code in ``done_codes`` showed that someone else had applied it.
    ``response`` is the response body of the accepted request, or None when
    the response was lost. ``reading`` is the state of the last re-read, or
    None when no re-read was made.
    """

    def __init__(self, accepted, response=None, reading=None):
        self.accepted = accepted
        self.response = response
        self.reading = reading

    @property
    def request_id(self):
        return (self.response or {}).get("RequestId")


def _is_final(error):
    if error.kind != KIND_API:
        return True
    code = error.code or ""
    return code.startswith(_FINAL_CODE_PREFIXES)


def write_and_reconcile(
    client, action, params, instance_id, reread, done_codes=frozenset()
):
    """Send ``action`` until it is accepted or a re-read shows it was applied.

    ``reread()`` returns APPLIED, IN_PROGRESS or NEEDED. ``done_codes`` are API
    codes that mean the change is already made or running (for example a task
    that already exists). Returns a WriteOutcome; raises the last KVStoreError
    when the write fails for good or the retries run out.
    """
    policy = client.policy
    uncertain = False
    retry_number = 0

    while True:
        try:
            body = client.send(action, params, instance_id)
            return WriteOutcome(True, response=body)
        except KVStoreError as error:
            if error.code in done_codes:
                return WriteOutcome(uncertain)
            outcome_unknown = write_outcome_unknown(error)
            transient = outcome_unknown or write_not_applied(error)
            if not transient and _is_final(error):
                raise
            uncertain = uncertain or outcome_unknown

            # After a lost response, the backoff gives the write time to show
            # in the re-read.
            if outcome_unknown:
                policy.pause(retry_number, error)
            # NOTE: these writes return no task ID, so after a lost response any
            # transition on the instance is taken as this write's. A change
            # started meanwhile by someone else would be waited for instead.
            reading = reread()
            if reading == APPLIED or (reading == IN_PROGRESS and uncertain):
                return WriteOutcome(uncertain, reading=reading)

            if not transient:
                raise
            if retry_number >= policy.retries:
                raise error.with_next_step(
                    "The request failed %d times and a re-read shows it was not "
                    "applied; re-run the task later or raise api_retries."
                    % (retry_number + 1)
                ) from None

            # After throttling, the backoff comes after the re-read, so the
            # quota that the re-read used refills before the write is resent.
            if not outcome_unknown:
                policy.pause(retry_number, error)
            retry_number += 1
