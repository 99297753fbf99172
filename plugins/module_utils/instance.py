# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Steps on one instance that several modules share: input checks, lookups,
status waits and the allocation or release of a direct connection."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.alicloud.kvstore.plugins.module_utils import api
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KIND_INVALID,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.reconcile import (
    APPLIED,
    IN_PROGRESS,
    NEEDED,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.waiter import Waiter

NORMAL = "Normal"

# Statuses that do not end by themselves; any other status except Normal is
# treated as a transition that is waited for.
STUCK_STATUSES = frozenset(("Inactive", "Released", "Error", "Unavailable"))

_INSTANCE_ID = re.compile(r"^[a-z]{1,3}-[a-z0-9]+$")


def validate_instance_id(value, option):
    """Reject an empty or malformed instance ID, or a distributed instance ID."""
    text = value if isinstance(value, str) else ""
    if text.startswith("gr-") or text.startswith("grr-"):
        raise KVStoreError(
            "Invalid %s" % option,
            detail="%r is the ID of a distributed instance, not of an instance" % value,
            kind=KIND_INVALID,
            next_step="Set %s to the ID of a Tair instance (r-...)." % option,
        )
    if not _INSTANCE_ID.match(text):
        raise KVStoreError(
            "Invalid %s" % option,
            detail="%r is not an instance ID" % value,
            kind=KIND_INVALID,
            next_step="Set %s to an instance ID such as r-bp1zxszhcgatnx****." % option,
        )


def validate_wait_timeout(value):
    if value is None or value <= 0:
        raise KVStoreError(
            "Invalid wait_timeout",
            detail="%r seconds is not a positive number" % value,
            kind=KIND_INVALID,
            next_step=(
                "Set wait_timeout to the maximum number of seconds to wait, for "
                "example 1800."
            ),
        )


def not_found_error(instance_id, option, region_id):
    where = " in region %s" % region_id if region_id else ""
    return KVStoreError(
        "Instance lookup failed",
        instance_id=instance_id,
        detail="no instance with this ID exists%s" % where,
        kind=KIND_INVALID,
        next_step="Check %s, region_id and endpoint." % option,
    )


def get_instance(client, instance_id, option, region_id):
    """Return the instance attributes; raise KVStoreError if it does not exist."""
    instance = api.describe_instance(client, instance_id)
    if instance is None:
        raise not_found_error(instance_id, option, region_id)
    return instance


def check_region(instance, region_id, instance_id):
    """Reject a region_id that differs from the instance's RegionId."""
    found = instance.get("region_id")
    if region_id and found and found != region_id:
        raise KVStoreError(
            "Region mismatch",
            instance_id=instance_id,
            detail="the instance is in region %s but region_id is %s"
            % (found, region_id),
            kind=KIND_INVALID,
            next_step="Set region_id to %s, or use that region's endpoint." % found,
        )


class Deadline:
    """A wait budget of ``timeout`` seconds shared by several waits in one task."""

    def __init__(self, timeout, clock=None, sleep=None):
        self._clock = clock or time.monotonic
        self._sleep = sleep
        self.timeout = float(timeout)
        self._end = self._clock() + self.timeout

    def waiter(self):
        return Waiter(
            max(0.0, self._end - self._clock()), clock=self._clock, sleep=self._sleep
        )


def wait_until_normal(client, instance, instance_id, deadline, option, region_id):
    """Return fresh attributes once the instance is Normal.

    A stuck status (Inactive, Released, Error, Unavailable) is rejected at
    once; any other status is waited for until the deadline.
    """
    status = instance.get("instance_status")
    if status == NORMAL:
        return instance
    reject_stuck(status, instance_id)

    def check():
        current = get_instance(client, instance_id, option, region_id)
        current_status = current.get("instance_status")
        reject_stuck(current_status, instance_id)
        return current_status == NORMAL, current_status, current

    return deadline.waiter().wait(
        check, "the instance to become Normal", instance_id, first_delay=2.0
    )


def reject_stuck(status, instance_id):
    if status in STUCK_STATUSES:
        raise KVStoreError(
            "Instance not usable",
            instance_id=instance_id,
            detail="its status is %s, which does not change by itself" % status,
            kind=KIND_INVALID,
            next_step=(
                "Bring the instance back to Normal (renew, restore or replace it), "
                "then re-run the task."
            ),
        )


def is_transitioning(status):
    """Return True for the status of a running change (Changing, Transforming...)."""
    return bool(status) and status != NORMAL and status not in STUCK_STATUSES


def direct_connection_reread(client, instance_id, present):
    """Return a re-read function for a write that allocates (or releases) it.

    The re-read reports APPLIED when the direct endpoint is there (or gone),
    IN_PROGRESS while the instance shows a transition, as it does until the
    endpoint changes, and NEEDED otherwise.
    """

    def reread():
        endpoints = api.direct_endpoints(api.describe_net_info(client, instance_id))
        if bool(endpoints) == present:
            return APPLIED
        current = api.describe_instance(client, instance_id)
        if current is None:
            raise not_found_error(instance_id, "instance_id", None)
        if is_transitioning(current.get("instance_status")):
            return IN_PROGRESS
        return NEEDED

    return reread


def release_direct_connection(client, instance_id, endpoints=None):
    """Release the direct connection of ``instance_id``, without waiting for it.

    Returns ``(outcome, endpoints)``: the WriteOutcome of ReleaseDirectConnection
    (None when no request was needed) and the direct endpoints that were
    present before. ``endpoints`` are the direct endpoints when the caller has
    just read them.
    """
    if endpoints is None:
        endpoints = api.direct_endpoints(api.describe_net_info(client, instance_id))
    if not endpoints:
        return None, []

    outcome = api.release_direct_connection(
        client,
        instance_id,
        direct_connection_reread(client, instance_id, present=False),
    )
    return outcome, endpoints


def wait_for_direct_connection(client, instance_id, deadline, present):
    """Wait for a direct endpoint to appear (or go) and the instance to be Normal."""
    what = "the direct connection to be %s" % ("allocated" if present else "released")

    def check():
        endpoints = api.direct_endpoints(api.describe_net_info(client, instance_id))
        done = bool(endpoints) == present
        return done, "allocated" if endpoints else "released", endpoints

    waiter = deadline.waiter()
    endpoints = waiter.wait(check, what, instance_id, first_delay=2.0)

    def check_status():
        current = api.describe_instance(client, instance_id)
        if current is None:
            raise not_found_error(instance_id, "instance_id", None)
        status = current.get("instance_status")
        return status == NORMAL, status, current

    deadline.waiter().wait(check_status, "the instance to become Normal", instance_id)
    return endpoints
