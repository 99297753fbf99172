# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Steps on a seed and its distributed instance: membership, re-reads and waits.

A seed belongs to a distributed instance, or has a conversion pending, when
its GlobalInstanceId is set or when DescribeGlobalDistributeCache with
SubInstanceId lists it. The service may fill either one first, so both count.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.alicloud.kvstore.plugins.module_utils import api
from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (
    NORMAL,
    get_instance,
    is_transitioning,
    wait_until_normal,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.reconcile import (
    APPLIED,
    IN_PROGRESS,
    NEEDED,
)

OPTION = "seed_sub_instance_id"

# Codes with which the API rejects a seed in a state that may pass.
STATE_CONFLICT_CODES = frozenset(
    (
        "IncorrectDBInstanceState",
        "InstanceStatus.NotSupport",
        "OperationDenied.KVstoreInstanceStatus",
    )
)


class Seed:
    """The seed of one task: the API client, its ID, region and wait deadline."""

    def __init__(self, client, instance_id, region_id, deadline):
        self.client = client
        self.instance_id = instance_id
        self.region_id = region_id
        self.deadline = deadline


def describe_membership(seed):
    """Return the seed's attributes and its distributed instance (or None)."""
    instance = get_instance(seed.client, seed.instance_id, OPTION, seed.region_id)
    global_instance_id = instance["global_instance_id"]
    if global_instance_id:
        distributed = api.describe_distributed_instance(seed.client, global_instance_id)
    else:
        distributed = api.find_distributed_instance_of(seed.client, seed.instance_id)
    return instance, distributed


def membership_id(instance, distributed):
    """Return the ID of the seed's distributed instance, or None."""
    if instance.get("global_instance_id"):
        return instance["global_instance_id"]
    if distributed:
        return distributed["global_instance_id"]
    return None


def is_converted(seed, instance, distributed):
    """Return True when the distributed instance and the seed are both Normal."""
    if distributed is None or distributed.get("status") != NORMAL:
        return False
    if instance.get("instance_status") != NORMAL:
        return False
    child = api.find_sub_instance(distributed, seed.instance_id)
    if child is not None:
        return child.get("instance_status") == NORMAL
    return instance.get("global_instance_id") == distributed["global_instance_id"]


def is_scheduled(instance, distributed):
    """Return True for a conversion that waits for the maintenance window.

    The distributed instance exists but is not Normal, and the seed shows no
    transition: the conversion has not started. A seed's GlobalInstanceId alone
    does not show that the conversion ran.
    """
    if distributed is None or distributed.get("status") == NORMAL:
        return False
    return instance.get("instance_status") == NORMAL


def conversion_reread(seed, found):
    """Return the re-read for CreateGlobalDistributeCache.

    APPLIED when the seed is a member (see the file docstring), IN_PROGRESS
    while the seed shows a transition, NEEDED otherwise. ``found`` (a dict)
    receives ``global_instance_id`` when the re-read shows one.
    """

    def reread():
        instance, distributed = describe_membership(seed)
        global_instance_id = membership_id(instance, distributed)
        if global_instance_id:
            found["global_instance_id"] = global_instance_id
            return APPLIED
        if is_transitioning(instance.get("instance_status")):
            return IN_PROGRESS
        return NEEDED

    return reread


def detachment_reread(seed):
    """Return the re-read for RemoveSubInstance.

    APPLIED when the seed is standalone, IN_PROGRESS while the seed or its
    distributed instance shows a transition, NEEDED otherwise.
    """

    def reread():
        instance, distributed = describe_membership(seed)
        if membership_id(instance, distributed) is None:
            return APPLIED
        if is_transitioning(instance.get("instance_status")):
            return IN_PROGRESS
        if distributed is not None and is_transitioning(distributed.get("status")):
            return IN_PROGRESS
        return NEEDED

    return reread


def wait_for_conversion(seed, global_instance_id):
    """Wait until the distributed instance and the seed are Normal; return both."""
    known = {"global_instance_id": global_instance_id}

    def check():
        if known["global_instance_id"]:
            distributed = api.describe_distributed_instance(
                seed.client, known["global_instance_id"]
            )
        else:
            distributed = api.find_distributed_instance_of(
                seed.client, seed.instance_id
            )
        if distributed is None:
            return False, "not listed as a child yet", None
        known["global_instance_id"] = distributed["global_instance_id"]

        child = api.find_sub_instance(distributed, seed.instance_id)
        child_status = child.get("instance_status") if child else None
        done = distributed.get("status") == NORMAL and child_status in (NORMAL, None)
        status = "distributed instance %s %s, seed %s" % (
            distributed["global_instance_id"],
            distributed.get("status"),
            child_status or "not listed",
        )
        return done, status, distributed

    distributed = seed.deadline.waiter().wait(
        check, "the conversion", seed.instance_id, first_delay=2.0
    )
    instance = get_instance(seed.client, seed.instance_id, OPTION, seed.region_id)
    if instance.get("instance_status") != NORMAL or not api.find_sub_instance(
        distributed, seed.instance_id
    ):
        # The distributed instance is ready but the seed is still settling.
        instance = wait_until_normal(
            seed.client,
            instance,
            seed.instance_id,
            seed.deadline,
            OPTION,
            seed.region_id,
        )
    return instance, distributed


def wait_for_detachment(seed):
    """Wait until the seed is standalone and Normal; return its attributes."""

    def check():
        current = get_instance(seed.client, seed.instance_id, OPTION, seed.region_id)
        standalone = not current["global_instance_id"]
        status = current.get("instance_status")
        done = standalone and status == NORMAL
        return (
            done,
            "%s, %s" % (status, "standalone" if standalone else "still a child"),
            current,
        )

    waiter = seed.deadline.waiter()
    return waiter.wait(check, "the detachment", seed.instance_id, first_delay=2.0)


def explain_create_error(error):
    """Return a CreateGlobalDistributeCache error with advice for known refusals."""
    message = (error.detail or "").lower()
    if (
        error.code == "GdcInstanceNotSupport"
        or "gdc custins trans not support" in message
    ):
        return error.with_next_step(
            "The API does not accept this instance as a seed: it must be a Tair DRAM-"
            "based (memory-optimized) "
            "instance in classic deployment, with no direct connection."
        )
    if error.code in STATE_CONFLICT_CODES:
        return error.with_next_step(
            "The instance status does not allow conversion now; re-run the task later."
        )
    return error
